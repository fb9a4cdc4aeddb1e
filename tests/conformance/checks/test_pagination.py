"""The pure pagination judgements and the detection, on data: each check fires on the bad
case and stays quiet on the good one (no server involved)."""

import pytest

from conformance.checks import pagination as c
from conformance.checks.failures import Failures
from conformance.run.phases.pagination.detect import CURSOR, PAGE_NUMBER, detect
from spec.index import build_index

ENVELOPE = {"errors": [{"code": "10015", "title": "Bad request", "detail": "page[size] must be at most 250"}]}


def page(items: list, status: int = 200, **meta: object) -> c.Page:
    return c.Page(status, {"data": items, "meta": meta}, "curl -X GET 'http://t/v2/x'", {"page[number]": "9"})


def items(*ids: int) -> list[dict]:
    return [{"id": str(i), "name": f"n{i}"} for i in ids]


def checks_of(failures: list) -> set[str]:
    return {f.check for f in failures}


def test_page_size() -> None:
    assert not c.page_size_problems("GET /x", page(items(1, 2), page_size=2), 2, {"page_size"})
    assert checks_of(c.page_size_problems("GET /x", page(items(1, 2, 3), page_size=2), 2, {"page_size"})) == {
        "telnyx_page_size"
    }
    assert c.page_size_problems("GET /x", page(items(1), page_size=20), 2, {"page_size"})  # not echoed


def test_page_number_echo() -> None:
    assert not c.page_number_problems("GET /x", page([], page_number=3), 3)
    assert checks_of(c.page_number_problems("GET /x", page([], page_number=1), 3)) == {"telnyx_page_number"}


@pytest.mark.parametrize(
    ("results", "pages", "size", "ok"), [(45, 5, 9, True), (45, 6, 9, False), (0, 0, 20, True), (46, 5, 9, False)]
)
def test_totals(results: int, pages: int, size: int, ok: bool) -> None:
    found = c.totals_problems("GET /x", page([], total_results=results, total_pages=pages, page_size=size))
    assert (not found) is ok


def test_walk_duplicates_and_count() -> None:
    clean = [page(items(1, 2), total_results=4), page(items(3, 4))]
    assert not c.walk_problems("GET /x", clean, "id", complete=True)
    repeated = [page(items(1, 2), total_results=4), page(items(2, 3))]
    assert checks_of(c.walk_problems("GET /x", repeated, "id", complete=True)) == {"telnyx_page_duplicates"}
    short = [page(items(1, 2), total_results=5), page(items(3, 4))]
    assert checks_of(c.walk_problems("GET /x", short, "id", complete=True)) == {"telnyx_page_totals"}
    assert not c.walk_problems("GET /x", short, "id", complete=False)  # an unfinished walk cannot count


def test_two_walks_must_agree() -> None:
    one = [page(items(1, 2), total_results=3), page(items(3))]
    other = [page(items(1, 2), total_results=3), page(items(4))]
    assert not c.consistency_problems("GET /x", one, one, "id")
    assert checks_of(c.consistency_problems("GET /x", one, other, "id")) == {"telnyx_page_duplicates"}
    changed = [page(items(1, 2), total_results=4), page(items(4, 5))]
    assert not c.consistency_problems("GET /x", one, changed, "id")  # the data changed in between


def test_past_end() -> None:
    assert not c.past_end_problems("GET /x", page([]), {"200"})
    assert checks_of(c.past_end_problems("GET /x", page(items(1)), {"200"})) == {"telnyx_page_past_end"}
    assert not c.past_end_problems("GET /x", c.Page(404, ENVELOPE, "curl"), {"200", "404"})
    assert checks_of(c.past_end_problems("GET /x", c.Page(404, ENVELOPE, "curl"), {"200"})) == {"telnyx_page_past_end"}
    bare = c.Page(404, {"error": "no"}, "curl")
    assert checks_of(c.past_end_problems("GET /x", bare, {"404"})) == {"telnyx_error_envelope"}


def test_invalid_size_must_be_refused_with_the_envelope() -> None:
    assert not c.bounds_problems("GET /x", c.Page(400, ENVELOPE, "curl"), "0", "below 1")
    assert checks_of(c.bounds_problems("GET /x", page(items(1)), "0", "below 1")) == {"telnyx_page_size_bounds"}
    bare = c.Page(400, {"detail": "bad"}, "curl")
    assert checks_of(c.bounds_problems("GET /x", bare, "0", "below 1")) == {"telnyx_error_envelope"}


def test_filter() -> None:
    good = c.Page(200, {"data": [{"status": "active"}] * 2}, "curl", {"filter[status][eq]": "active"})
    assert not c.filter_problems("GET /x", good, "status", "active")
    bad = c.Page(200, {"data": [{"status": "active"}, {"status": "gone"}]}, "curl", {"filter[status][eq]": "active"})
    assert checks_of(c.filter_problems("GET /x", bad, "status", "active")) == {"telnyx_filter_applied"}
    flags = c.Page(200, {"data": [{"on": True}]}, "curl", {"filter[on]": "true"})
    assert not c.filter_problems("GET /x", flags, "on", "true")  # query text equals the boolean


@pytest.mark.parametrize(
    ("names", "sort", "ok"),
    [
        (["a", "b", "c"], "name", True),
        (["c", "b", "a"], "-name", True),
        (["a", "B", "c"], "name", True),  # case-insensitive order is an order too
        (["b", "a", "c"], "name", False),
        (["a", "b", "c"], "-name", False),
    ],
)
def test_sort(names: list[str], sort: str, ok: bool) -> None:
    found = c.sort_problems("GET /x", page([{"name": n} for n in names]), sort)
    assert (not found) is ok
    assert ok or checks_of(found) == {"telnyx_sort_applied"}


def test_several_failures_raise_one_group() -> None:
    failures = c.page_size_problems("GET /x", page(items(1, 2, 3), page_size=3), 2, {"page_size"})
    with pytest.raises(Failures) as raised:
        c.raise_all(failures)
    assert len(raised.value.exceptions) == 2
    c.raise_all([])  # nothing to raise


# --- detection -----------------------------------------------------------------------------


def listing(parameters: list, meta: dict) -> dict:
    body = {
        "type": "object",
        "properties": {
            "data": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}},
            "meta": {"type": "object", "properties": meta},
        },
    }
    return {
        "get": {
            "parameters": parameters,
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": body}}}},
        }
    }


NUMBER_META = {k: {"type": "integer"} for k in ("page_number", "page_size", "total_pages", "total_results")}
PAGE = {
    "name": "page",
    "in": "query",
    "style": "deepObject",
    "schema": {
        "type": "object",
        "properties": {
            "number": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        },
    },
}
BRACKETED = [
    {"name": "page[number]", "in": "query", "schema": {"type": "integer"}},
    {"name": "page[size]", "in": "query", "schema": {"type": "integer", "maximum": 50}},
]
CURSORS = [{"name": "page[after]", "in": "query", "schema": {"type": "string"}}]


def test_detection_of_styles_sizes_and_the_unwalkable() -> None:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/deep": listing([PAGE], NUMBER_META),
            "/bracketed": listing(BRACKETED, NUMBER_META),
            "/cursor": listing(CURSORS, {"cursors": {"type": "object"}}),
            "/no-meta": listing(BRACKETED, {}),
            "/plain": listing([], {}),
        },
    }
    paging, unwalkable = detect(build_index(doc))
    found = {p.path: p for p in paging}
    assert set(found) == {"/deep", "/bracketed", "/cursor"}
    assert found["/deep"].styles == (PAGE_NUMBER,) and found["/deep"].size.maximum == 100
    assert found["/deep"].size.default == 20 and found["/deep"].id_field == "id"
    assert found["/bracketed"].size.maximum == 50
    assert found["/cursor"].styles == (CURSOR,)
    (skipped,) = unwalkable
    assert skipped.label == "GET /no-meta" and skipped.audit and "telnyx" not in skipped.reason


def test_a_next_link_to_another_host_is_reported_and_never_followed() -> None:
    """A server naming another host in `meta.next` would get the key sent there: refused."""
    from conformance.run.phases.pagination.walk import Client, _links_agree
    from conformance.target import Target

    client = Client(Target(base_url="http://127.0.0.1:9/v2", api_key="k"))
    assert client.on_target("/v2/things?page[after]=x") and client.on_target("http://127.0.0.1:9/v2/things")
    assert not client.on_target("https://collector.example.com/v2/things")
    with pytest.raises(ValueError, match="another host"):
        client.follow("https://collector.example.com/v2/things")
    pages = [
        c.Page(200, {"data": [{"id": "a"}], "meta": {"next": "https://collector.example.com/v2/things"}}, "curl"),
        c.Page(200, {"data": [{"id": "b"}], "meta": {}}, "curl"),
    ]
    (failure,) = _links_agree(client, "GET /things", pages, "id")
    assert "another host" in failure.message
