"""Every fault of the catalogue, shown misbehaving, next to a clean server behaving.

Each test sends the same request (or sequence) to a server without the fault and to one with
it: the clean answer must be right and the faulty one wrong in exactly the way the catalogue
says. The pairing is what lets these tests fail: a fault that silently stops acting, or a
server bug that already misbehaves without it, both break a test. Response bodies are judged
with the `jsonschema` library against the spec, independently of the server's own generator.
Transport faults (connection reset, oversized body) run against `telnyx-conformance serve` in a
subprocess; the hang runs in-process with a small `hang_seconds` so it stays bounded.
"""

import asyncio
import os
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import orjson
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from conformance.cli import main
from conformance.server.app import DEFAULT_TOKEN, ReferenceServer, ServerConfig
from conformance.server.faults import BY_NAME, CATALOGUE, FaultSet, parse_fault
from conformance.server.routes import base_path
from spec.index import Operation, SpecIndex, build_index
from spec.load import load_spec

SHARED_SPEC = Path(__file__).parents[4].parent / "shared/spec/telnyx.yml"
CLI = Path(sys.executable).parent / "telnyx-conformance"
AUTH = {"authorization": f"Bearer {DEFAULT_TOKEN}"}
MiB = 1024 * 1024
ADDRESS = {  # the required properties of AddressCreate
    "first_name": "Ada",
    "last_name": "Lovelace",
    "business_name": "Analytical Engines",
    "street_address": "12 St James's Square",
    "locality": "London",
    "country_code": "GB",
}

# --- the coverage registry: every fault must be claimed by a test ----------------------------
COVERED: set[str] = set()
Test = TypeVar("Test", bound=Callable[..., Any])


def covers(*names: str) -> Callable[[Test], Test]:
    """Record that the decorated test demonstrates these faults (checked by the last test, so a
    fault added to the catalogue without a test fails the suite)."""
    for name in names:
        assert name in BY_NAME, name

    def mark(test: Test) -> Test:
        COVERED.update(names)
        return test

    return mark


# --- fixtures and helpers --------------------------------------------------------------------
@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SpecIndex:
    """The shared spec, parsed once for the module, without touching the user's parse cache."""
    if not SHARED_SPEC.is_file():
        pytest.skip(f"the shared Telnyx spec is not at {SHARED_SPEC}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TELNYX_CONFORMANCE_CACHE", str(tmp_path_factory.mktemp("cache")))
        return build_index(load_spec(SHARED_SPEC, allow_unpinned=True, use_cache=False).data)


@pytest.fixture(scope="module")
def registry(index: SpecIndex) -> Registry:
    """The spec as one JSON Schema resource, so `urn:telnyx#/components/...` refs resolve."""
    return Registry().with_resource("urn:telnyx", Resource.from_contents(index.doc, default_specification=DRAFT202012))


def operation(index: SpecIndex, operation_id: str) -> Operation:
    return next(op for op in index.operations if op.operation_id == operation_id)


def schema_errors(index: SpecIndex, registry: Registry, operation_id: str, body: Any) -> list[Any]:
    """Violations of the documented 200 JSON body of an operation, found by `jsonschema` (not
    by the server's own code, which could share a bug with the fault it is meant to expose)."""
    op = operation(index, operation_id)
    pointer, response = f"{op.pointer}/responses/200", op.node["responses"]["200"]
    if "$ref" in response:
        pointer = response["$ref"].removeprefix("#")
        response = index.resolve(response["$ref"])[1]
    assert "application/json" in response["content"], operation_id
    schema = {"$ref": f"urn:telnyx#{pointer}/content/application~1json/schema"}
    return list(Draft202012Validator(schema, registry=registry).iter_errors(body))


def server(index: SpecIndex, *faults: str, **config: Any) -> ReferenceServer:
    return ReferenceServer(index, ServerConfig(faults=frozenset(faults), **config))


def call(app: ReferenceServer, method: str, path: str, **request: Any) -> httpx.Response:
    """One request in-process (under the spec's base path), authorized unless headers say not."""
    request.setdefault("headers", AUTH)

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://t{base_path(app.index)}") as client:
            return await client.request(method, path, **request)

    return asyncio.run(send())


def pair(index: SpecIndex, fault: str, method: str, path: str, **request: Any) -> tuple[httpx.Response, httpx.Response]:
    """The same request to a fresh clean server and a fresh server with `fault`."""
    return call(server(index), method, path, **request), call(server(index, fault), method, path, **request)


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [str(item["id"]) for item in response.json()["data"]]


def first_id(index: SpecIndex, path: str) -> str:
    """An id the (deterministically seeded) servers all hold: the first one a clean list shows."""
    return ids(call(server(index), "GET", path))[0]


def walk(app: ReferenceServer, path: str, size: int = 20) -> tuple[list[str], dict[str, Any]]:
    """Every id of a page-number paginated list, in order, and the meta of its first page."""
    seen: list[str] = []
    first_meta: dict[str, Any] = {}
    for number in range(1, 100):
        page = call(app, "GET", path, params={"page[size]": str(size), "page[number]": str(number)})
        first_meta = first_meta or page.json()["meta"]
        if not ids(page):
            return seen, first_meta
        seen += ids(page)
    raise AssertionError(f"{path} did not end within 99 pages")


# --- response body faults: judged against the spec by jsonschema ----------------------------
@covers("required-property-dropped")
@pytest.mark.parametrize(
    ("operation_id", "path"), [("RetrieveConference", "/conferences/{id}"), ("ListConferences", "/conferences")]
)
def test_required_property_dropped(index: SpecIndex, registry: Registry, operation_id: str, path: str) -> None:
    """A single resource and a list (whose required properties sit on the items) both lose one."""
    clean, faulty = pair(index, "required-property-dropped", "GET", path.format(id=first_id(index, "/conferences")))
    assert schema_errors(index, registry, operation_id, clean.json()) == []
    assert faulty.status_code == 200
    assert {e.validator for e in schema_errors(index, registry, operation_id, faulty.json())} == {"required"}


@covers("wrong-property-type")
def test_wrong_property_type(index: SpecIndex, registry: Registry) -> None:
    clean, faulty = pair(index, "wrong-property-type", "GET", f"/conferences/{first_id(index, '/conferences')}")
    assert schema_errors(index, registry, "RetrieveConference", clean.json()) == []
    errors = schema_errors(index, registry, "RetrieveConference", faulty.json())
    assert [e.validator for e in errors] == ["type"]
    assert errors[0].instance is not None  # a value of another type, not a null


@covers("null-in-non-nullable")
def test_null_in_non_nullable(index: SpecIndex, registry: Registry) -> None:
    clean, faulty = pair(index, "null-in-non-nullable", "GET", f"/conferences/{first_id(index, '/conferences')}")
    assert schema_errors(index, registry, "RetrieveConference", clean.json()) == []
    errors = schema_errors(index, registry, "RetrieveConference", faulty.json())
    assert [(e.validator, e.instance) for e in errors] == [("type", None)]


ITEM = "/addresses/{id}"
VALUE_FAULTS = [  # (fault, operation, path, the check, the field it breaks, the value it writes)
    (
        "non-rfc3339-timestamp",
        "GetAddress",
        ITEM,
        "telnyx_timestamp_format",
        "created_at",
        "12/07/2026 10:00",
    ),
    ("invalid-country-code", "GetAddress", ITEM, "telnyx_country_code", "country_code", "AUS"),
    ("invalid-currency-code", "GetUserBalance", "/balance", "telnyx_currency_code", "currency", "usd"),
    ("e164-wrong-country", "GetAddress", ITEM, "telnyx_phone_number", "phone_number", "+441212345678"),
    ("record-type-malformed", "GetAddress", ITEM, "telnyx_record_type", "record_type", "Address"),
]


@covers(*(case[0] for case in VALUE_FAULTS))
@pytest.mark.parametrize(("fault", "operation_id", "path", "check", "field", "value"), VALUE_FAULTS)
def test_value_convention_faults(
    index: SpecIndex, registry: Registry, fault: str, operation_id: str, path: str, check: str, field: str, value: str
) -> None:
    """The body stays valid against its schema (no schema check can see it); only the value
    check of that convention does, at that field, and not on the clean answer."""
    from conformance.checks.conventions import judge

    target = path.format(id=first_id(index, "/addresses"))
    clean, faulty = pair(index, fault, "GET", target)
    assert clean.status_code == faulty.status_code == 200
    assert schema_errors(index, registry, operation_id, clean.json()) == []
    assert schema_errors(index, registry, operation_id, faulty.json()) == []
    assert faulty.json()["data"][field] == value != clean.json()["data"][field]
    assert judge(index, operation(index, operation_id), 200, clean.content) == []
    (breach,) = judge(index, operation(index, operation_id), 200, faulty.content)
    assert (breach.check, breach.path, breach.value) == (check, ("data", field), value)


@covers("invalid-json-body")
def test_invalid_json_body(index: SpecIndex) -> None:
    clean, faulty = pair(index, "invalid-json-body", "GET", f"/conferences/{first_id(index, '/conferences')}")
    assert isinstance(orjson.loads(clean.content), dict)
    assert faulty.status_code == 200
    assert faulty.headers["content-type"] == "application/json"
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(faulty.content)


# --- status, content type, error envelope, rate-limit headers --------------------------------
def documented(op: Operation) -> set[str]:
    return {str(code) for code in op.node["responses"]}


@covers("undocumented-status")
def test_undocumented_status(index: SpecIndex) -> None:
    clean, faulty = pair(index, "undocumented-status", "GET", f"/conferences/{first_id(index, '/conferences')}")
    codes = documented(operation(index, "RetrieveConference"))
    assert "default" not in codes
    assert str(clean.status_code) in codes
    assert 200 <= faulty.status_code < 300
    assert str(faulty.status_code) not in codes


def test_undocumented_status_spares_operations_with_a_default_response(index: SpecIndex) -> None:
    """A `default` response documents every status, so the fault has nothing to break there
    (status_code_conformance skips such operations): it must leave them alone."""
    assert "default" in documented(operation(index, "getRecordingTranscriptions"))
    clean, faulty = pair(index, "undocumented-status", "GET", "/recording_transcriptions")
    assert clean.status_code == faulty.status_code == 200


@covers("wrong-content-type", "missing-content-type")
@pytest.mark.parametrize(("fault", "expected"), [("wrong-content-type", "text/html"), ("missing-content-type", None)])
def test_content_type_faults(index: SpecIndex, fault: str, expected: str | None) -> None:
    clean, faulty = pair(index, fault, "GET", f"/conferences/{first_id(index, '/conferences')}")
    assert clean.headers["content-type"] == "application/json"
    assert faulty.status_code == 200
    received = faulty.headers.get("content-type")
    assert (received.split(";")[0] if received else None) == expected
    assert faulty.content == clean.content  # only the label changes


@covers("malformed-error-envelope")
def test_malformed_error_envelope(index: SpecIndex) -> None:
    clean, faulty = pair(index, "malformed-error-envelope", "GET", "/addresses/no-such-address")
    assert clean.status_code == faulty.status_code == 404
    assert clean.json()["errors"][0]["code"] == "10005"
    assert faulty.headers["content-type"] == "application/json"
    assert "errors" not in faulty.json()


def rate_headers(response: httpx.Response) -> dict[str, int]:
    return {k: int(v) for k, v in response.headers.items() if k.startswith("x-ratelimit-")}


@covers("missing-rate-limit-headers", "inconsistent-rate-limit-headers")
@pytest.mark.parametrize("fault", ["missing-rate-limit-headers", "inconsistent-rate-limit-headers"])
def test_rate_limit_header_faults(index: SpecIndex, fault: str) -> None:
    clean, faulty = pair(index, fault, "GET", "/addresses")
    limits = rate_headers(clean)
    assert set(limits) == {"x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"}
    assert 0 <= limits["x-ratelimit-remaining"] < limits["x-ratelimit-limit"] and limits["x-ratelimit-reset"] > 0
    assert faulty.status_code == 200
    broken = rate_headers(faulty)
    if fault == "missing-rate-limit-headers":
        assert broken == {}
    else:
        assert broken["x-ratelimit-remaining"] > broken["x-ratelimit-limit"] and broken["x-ratelimit-reset"] < 0


# --- auth and input validation ---------------------------------------------------------------
@covers("auth-not-enforced")
def test_auth_not_enforced(index: SpecIndex) -> None:
    clean, faulty = pair(index, "auth-not-enforced", "GET", "/addresses", headers={})
    assert clean.status_code == 401
    assert faulty.status_code == 200 and faulty.json()["data"]


@covers("invalid-input-accepted")
def test_invalid_input_accepted(index: SpecIndex) -> None:
    clean, faulty = pair(index, "invalid-input-accepted", "GET", "/addresses", params={"page[size]": "abc"})
    assert clean.status_code == 400 and clean.json()["errors"][0]["source"]["parameter"] == "page[size]"
    assert 200 <= faulty.status_code < 300


@covers("valid-input-rejected")
def test_valid_input_rejected(index: SpecIndex) -> None:
    clean, faulty = pair(index, "valid-input-rejected", "POST", "/addresses", json=ADDRESS)
    assert clean.status_code == 200 and clean.json()["data"]["last_name"] == "Lovelace"
    assert faulty.status_code == 422 and faulty.json()["errors"]


@covers("server-error-on-edge-input")
@pytest.mark.parametrize(
    "params",
    [{"filter[customer_reference][eq]": ""}, {"filter[street_address][contains]": "x" * 256}],
    ids=["empty", "over-255"],
)
def test_server_error_on_edge_input(index: SpecIndex, params: dict[str, str]) -> None:
    """The edge values sit inside a deepObject filter, where a generator puts them."""
    clean, faulty = pair(index, "server-error-on-edge-input", "GET", "/addresses", params=params)
    assert clean.status_code == 200
    assert faulty.status_code == 500 and faulty.json()["errors"]
    ordinary = call(server(index, "server-error-on-edge-input"), "GET", "/addresses", params={"filter[x]": "abc"})
    assert ordinary.status_code == 200


# --- pagination ------------------------------------------------------------------------------
@covers("page-size-ignored")
def test_page_size_ignored(index: SpecIndex) -> None:
    clean, faulty = pair(index, "page-size-ignored", "GET", "/addresses", params={"page[size]": "5"})
    assert len(ids(clean)) == 5
    assert len(ids(faulty)) == 20


@covers("wrong-totals")
def test_wrong_totals(index: SpecIndex) -> None:
    for app, correct in ((server(index), True), (server(index, "wrong-totals"), False)):
        walked, meta = walk(app, "/addresses")
        assert len(walked) == len(set(walked)) > 0
        assert (meta["total_results"] == len(walked)) is correct, meta


@covers("duplicates-across-pages")
def test_duplicates_across_pages(index: SpecIndex) -> None:
    for app, overlap in ((server(index), 0), (server(index, "duplicates-across-pages"), 1)):
        one, two = (ids(call(app, "GET", "/addresses", params={"page[size]": "5", "page[number]": n})) for n in "12")
        assert len(one) == len(two) == 5
        assert len(set(one) & set(two)) == overlap


@covers("filter-ignored")
def test_filter_ignored(index: SpecIndex) -> None:
    query = {"filter[address_book][eq]": "true", "page[size]": "250"}
    clean, faulty = pair(index, "filter-ignored", "GET", "/addresses", params=query)
    assert {item["address_book"] for item in clean.json()["data"]} == {True}
    assert {item["address_book"] for item in faulty.json()["data"]} == {True, False}


@covers("sort-ignored")
def test_sort_ignored(index: SpecIndex) -> None:
    """SortAddress's enum has no `-field` spellings, so only ascending orders are valid input."""
    clean, faulty = pair(index, "sort-ignored", "GET", "/addresses", params={"sort": "last_name", "page[size]": "250"})

    def names(response: httpx.Response) -> list[str]:
        return [item["last_name"] for item in response.json()["data"]]

    wanted = sorted(names(clean))
    assert len(set(wanted)) > 1 and names(clean) == wanted
    assert sorted(names(faulty)) == sorted(wanted) and names(faulty) != wanted


@covers("page-number-zero-based")
def test_page_number_zero_based(index: SpecIndex) -> None:
    query = {"page[size]": "5", "page[number]": "2"}
    clean, faulty = pair(index, "page-number-zero-based", "GET", "/addresses", params=query)
    assert ids(clean) == ids(faulty)  # the same page served
    assert clean.json()["meta"]["page_number"] == 2
    assert faulty.json()["meta"]["page_number"] == 1


@covers("past-end-not-empty")
def test_past_end_not_empty(index: SpecIndex) -> None:
    """45 seeded addresses: page 10 of 5 is past the end (the last page is 9)."""
    last = ids(call(server(index), "GET", "/addresses", params={"page[size]": "5", "page[number]": "9"}))
    past = {"page[size]": "5", "page[number]": "10"}
    clean, faulty = pair(index, "past-end-not-empty", "GET", "/addresses", params=past)
    assert len(last) == 5 and ids(clean) == []
    assert ids(faulty) == last


@covers("page-size-bounds-unchecked")
@pytest.mark.parametrize("size", ["0", "-1", "251", "abc"])
def test_page_size_bounds_unchecked(index: SpecIndex, size: str) -> None:
    clean, faulty = pair(index, "page-size-bounds-unchecked", "GET", "/addresses", params={"page[size]": size})
    assert 400 <= clean.status_code < 500, clean.text
    assert len(ids(faulty)) == 20  # the default page size
    assert faulty.json()["meta"]["page_size"] == 20


def test_page_size_bounds_unchecked_still_refuses_other_invalid_input(index: SpecIndex) -> None:
    query = {"page[size]": "0", "page[number]": "0"}  # the number is out of bounds too
    assert call(server(index, "page-size-bounds-unchecked"), "GET", "/addresses", params=query).status_code == 400


# The Telnyx spec has no collection that is cursor-paginated end to end: /recording_transcriptions
# declares meta.cursors but no page[after] parameter, ListCallControlApplications takes page[after]
# but its meta has no cursors. This small spec has both, so the cursor the server writes is visible.
CALL = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
CURSORS = {"type": "object", "properties": {"after": {"type": "string"}, "before": {"type": "string"}}}
CURSOR_PAGE = {
    "name": "page",
    "in": "query",
    "style": "deepObject",
    "explode": True,
    "schema": {
        "type": "object",
        "properties": {"after": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 250}},
    },
}


def ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


CURSOR_SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "cursor-paginated calls", "version": "1"},
    "servers": [{"url": "https://api.example.com/v2"}],
    "security": [{"bearer": []}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "paths": {
        "/calls": {
            "get": {
                "operationId": "ListCalls",
                "parameters": [CURSOR_PAGE],
                "responses": ok(
                    {
                        "type": "object",
                        "properties": {
                            "data": {"type": "array", "items": CALL},
                            "meta": {"type": "object", "properties": {"cursors": CURSORS}},
                        },
                    }
                ),
            }
        },
        "/calls/{id}": {
            "get": {
                "operationId": "GetCall",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": ok({"type": "object", "properties": {"data": CALL}}),
            }
        },
    },
}


def follow_cursors(app: ReferenceServer, pages: int) -> list[list[str]]:
    """The ids of `pages` pages of 5, entering cursor mode after the first page and then
    following `meta.cursors.after` as a client would."""
    first = ids(call(app, "GET", "/calls", params={"page[limit]": "5"}))
    walked, after = [first], first[-1]
    for _ in range(pages - 1):
        page = call(app, "GET", "/calls", params={"page[limit]": "5", "page[after]": after})
        walked.append(ids(page))
        after = page.json()["meta"]["cursors"]["after"]
    return walked


@covers("cursor-loop")
def test_cursor_loop() -> None:
    cursor_index = build_index(CURSOR_SPEC)
    clean = [i for page in follow_cursors(server(cursor_index), 4) for i in page]
    assert len(clean) == len(set(clean)) == 20  # every page new
    first, *later = follow_cursors(server(cursor_index, "cursor-loop"), 3)
    assert set(later[-1]) & set(first)  # the cursor led back to ids already seen


# --- lifecycle -------------------------------------------------------------------------------
@covers("deleted-resource-retrievable")
def test_deleted_resource_retrievable(index: SpecIndex) -> None:
    address = first_id(index, "/addresses")
    for app, after_delete in ((server(index), 404), (server(index, "deleted-resource-retrievable"), 200)):
        assert call(app, "GET", f"/addresses/{address}").status_code == 200
        assert call(app, "DELETE", f"/addresses/{address}").status_code == 200
        assert call(app, "GET", f"/addresses/{address}").status_code == after_delete


@covers("created-missing-from-list")
def test_created_missing_from_list(index: SpecIndex) -> None:
    for app, listed in ((server(index), True), (server(index, "created-missing-from-list"), False)):
        created = call(app, "POST", "/addresses", json=ADDRESS)
        assert created.status_code == 200
        new_id = str(created.json()["data"]["id"])
        assert call(app, "GET", f"/addresses/{new_id}").status_code == 200
        walked, _ = walk(app, "/addresses", size=250)
        assert (new_id in walked) is listed


@covers("unresolvable-reference-id")
def test_unresolvable_reference_id(index: SpecIndex) -> None:
    """An outbound voice profile created with a billing group's id: the group is still there
    on a clean server, gone (404, and from its list) on the faulty one; the profile keeps it."""
    group = first_id(index, "/billing_groups")
    for app, after in ((server(index), 200), (server(index, "unresolvable-reference-id"), 404)):
        assert call(app, "GET", f"/billing_groups/{group}").status_code == 200
        created = call(app, "POST", "/outbound_voice_profiles", json={"name": "office", "billing_group_id": group})
        assert created.status_code == 200, created.text
        profile = call(app, "GET", f"/outbound_voice_profiles/{created.json()['data']['id']}")
        assert profile.json()["data"]["billing_group_id"] == group
        assert call(app, "GET", f"/billing_groups/{group}").status_code == after
        assert (group in walk(app, "/billing_groups", size=250)[0]) is (after == 200)


@covers("created-not-retrievable")
def test_created_not_retrievable(index: SpecIndex) -> None:
    seeded = first_id(index, "/addresses")
    for app, retrieved in ((server(index), 200), (server(index, "created-not-retrievable"), 404)):
        created = call(app, "POST", "/addresses", json=ADDRESS)
        assert created.status_code == 200
        new_id = str(created.json()["data"]["id"])
        assert call(app, "GET", f"/addresses/{new_id}").status_code == retrieved
        assert call(app, "GET", f"/addresses/{seeded}").status_code == 200
        assert new_id in walk(app, "/addresses", size=250)[0]


@covers("created-fields-not-stored")
def test_created_fields_not_stored(index: SpecIndex) -> None:
    for app, stored in ((server(index), True), (server(index, "created-fields-not-stored"), False)):
        created = call(app, "POST", "/addresses", json=ADDRESS)
        assert created.status_code == 200
        got = call(app, "GET", f"/addresses/{created.json()['data']['id']}")
        assert got.status_code == 200
        shown = {name: got.json()["data"].get(name) for name in ADDRESS}
        assert (shown == ADDRESS) is stored, shown


@covers("update-ignored")
def test_update_ignored(index: SpecIndex) -> None:
    group = first_id(index, "/billing_groups")
    for app, name in ((server(index), "renamed"), (server(index, "update-ignored"), None)):
        before = call(app, "GET", f"/billing_groups/{group}").json()["data"]["name"]
        assert before != "renamed"
        assert call(app, "PATCH", f"/billing_groups/{group}", json={"name": "renamed"}).status_code == 200
        assert call(app, "GET", f"/billing_groups/{group}").json()["data"]["name"] == (name or before)


@covers("deleted-resource-server-error")
def test_deleted_resource_server_error(index: SpecIndex) -> None:
    address, never = first_id(index, "/addresses"), "no-such-address"
    for app, after_delete in ((server(index), 404), (server(index, "deleted-resource-server-error"), 500)):
        assert call(app, "DELETE", f"/addresses/{address}").status_code == 200
        assert call(app, "GET", f"/addresses/{address}").status_code == after_delete
        assert call(app, "GET", f"/addresses/{never}").status_code == 404  # never existed: still 404


@covers("delete-in-use-accepted")
def test_delete_in_use_accepted(index: SpecIndex) -> None:
    """A profile a connection refers to (`outbound.outbound_voice_profile_id`) is refused with the
    documented 422 and the envelope; once the connection is gone it is deleted. The fault deletes it
    at once (the named scenario voice-profile-in-use catches it, tests/conformance/run/test_scenarios.py)."""
    connection = {"connection_name": "connection", "user_name": "conformance1", "password": "secret-password-1"}
    for app, in_use in ((server(index), 422), (server(index, "delete-in-use-accepted"), 200)):
        profile = call(app, "POST", "/outbound_voice_profiles", json={"name": "voice"}).json()["data"]["id"]
        body = {**connection, "outbound": {"outbound_voice_profile_id": profile}}
        made = call(app, "POST", "/credential_connections", json=body)
        assert made.status_code == 201
        refused = call(app, "DELETE", f"/outbound_voice_profiles/{profile}")
        assert refused.status_code == in_use
        if in_use == 422:
            assert refused.json()["errors"][0]["title"] == "Resource in use"
            assert call(app, "GET", f"/outbound_voice_profiles/{profile}").status_code == 200
            assert call(app, "DELETE", f"/credential_connections/{made.json()['data']['id']}").status_code == 200
            assert call(app, "DELETE", f"/outbound_voice_profiles/{profile}").status_code == 200


@covers("deleted-resource-still-listed")
def test_deleted_resource_still_listed(index: SpecIndex) -> None:
    address = first_id(index, "/addresses")
    for app, listed in ((server(index), False), (server(index, "deleted-resource-still-listed"), True)):
        assert call(app, "DELETE", f"/addresses/{address}").status_code == 200
        assert call(app, "GET", f"/addresses/{address}").status_code == 404
        assert (address in walk(app, "/addresses", size=250)[0]) is listed


# --- connection faults -----------------------------------------------------------------------
@covers("hang")
def test_hang(index: SpecIndex) -> None:
    """A client with a 1 s timeout gets its answer from a clean server and gives up on a
    hanging one; the server's hang_seconds bounds the test should the timeout not fire."""

    async def get(app: ReferenceServer) -> int:
        transport = httpx.ASGITransport(app=app)
        base_url = f"http://t{base_path(app.index)}"
        async with httpx.AsyncClient(transport=transport, base_url=base_url, headers=AUTH) as client:
            response = await asyncio.wait_for(client.get("/addresses"), timeout=1.0)
            return response.status_code

    assert asyncio.run(get(server(index, hang_seconds=5.0))) == 200
    with pytest.raises(TimeoutError):
        asyncio.run(get(server(index, "hang", hang_seconds=5.0)))


def start(cache: Path, *faults: str) -> subprocess.Popen[str]:
    """`telnyx-conformance serve --port 0` in a subprocess (not waited for: see `listening`)."""
    command = [str(CLI), "serve", "--port", "0", "--spec", str(SHARED_SPEC), "--allow-unpinned", "--no-cache"]
    for fault in faults:
        command += ["--fault", fault]
    env = {**os.environ, "TELNYX_CONFORMANCE_CACHE": str(cache)}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def listening(process: subprocess.Popen[str]) -> str:
    """The base URL of a started server, from its first stdout line (bounded wait)."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], 30)
    line = process.stdout.readline() if ready else ""
    assert line.startswith("listening on "), (line, process.stderr.read() if process.poll() is not None else "")
    return line.split()[-1]


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def served(index: SpecIndex, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(clean URL, faulty URL): two real servers started side by side, the faulty one with
    transport faults scoped to one operation each, which also runs `--fault NAME:opId` end to
    end. Both are always terminated."""
    cache = tmp_path_factory.mktemp("serve-cache")
    processes = [start(cache), start(cache, "connection-reset:FindAddresses", "oversized-body:RetrieveConference")]
    try:
        clean, faulty = (listening(process) for process in processes)
        yield clean, faulty
    finally:
        for process in processes:
            stop(process)


@covers("connection-reset")
def test_connection_reset(served: tuple[str, str]) -> None:
    clean, faulty = served
    assert httpx.get(f"{clean}/addresses", headers=AUTH, timeout=10).json()["data"]
    with pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body"):
        httpx.get(f"{faulty}/addresses", headers=AUTH, timeout=10)
    # scoped to FindAddresses: the same server answers other operations whole
    assert httpx.get(f"{faulty}/conferences", headers=AUTH, timeout=10).json()["data"]


def body_size(url: str, limit: int) -> tuple[int, int]:
    """(declared Content-Length, bytes read): reading stops once past `limit`, as a client with
    a response size limit would."""
    read = 0
    with httpx.stream("GET", url, headers=AUTH, timeout=30) as response:
        assert response.status_code == 200
        for chunk in response.iter_raw():
            read += len(chunk)
            if read > limit:
                break
        return int(response.headers["content-length"]), read


@covers("oversized-body")
def test_oversized_body(served: tuple[str, str]) -> None:
    clean, faulty = served
    conference = httpx.get(f"{clean}/conferences", headers=AUTH, timeout=10).json()["data"][0]["id"]
    declared, read = body_size(f"{clean}/conferences/{conference}", 32 * MiB)
    assert declared == read < 64 * 1024
    declared, read = body_size(f"{faulty}/conferences/{conference}", 32 * MiB)
    assert declared > 32 * MiB and read > 32 * MiB
    # scoped to RetrieveConference: the list of the same server stays small
    assert len(httpx.get(f"{faulty}/conferences", headers=AUTH, timeout=10).content) < 1 * MiB


# --- scoping, parsing and listing ------------------------------------------------------------
def test_scoped_fault_applies_only_to_the_named_operation(index: SpecIndex) -> None:
    app = server(index, "auth-not-enforced:FindAddresses")
    assert call(app, "GET", "/addresses", headers={}).status_code == 200
    assert call(app, "GET", "/conferences", headers={}).status_code == 401
    assert call(app, "GET", f"/addresses/{first_id(index, '/addresses')}", headers={}).status_code == 401


def test_scoped_fault_lists_several_operations(index: SpecIndex) -> None:
    app = server(index, "auth-not-enforced:FindAddresses,ListConferences")
    assert call(app, "GET", "/addresses", headers={}).status_code == 200
    assert call(app, "GET", "/conferences", headers={}).status_code == 200
    assert call(app, "GET", "/recording_transcriptions", headers={}).status_code == 401


def test_unscoped_fault_is_not_narrowed_by_a_scoped_one(index: SpecIndex) -> None:
    """`--fault X --fault X:op` must still mean every operation, whatever the order."""
    faults = FaultSet(index, ("auth-not-enforced:FindAddresses", "auth-not-enforced"))
    assert faults.enabled["auth-not-enforced"] is None
    app = server(index, "auth-not-enforced", "auth-not-enforced:FindAddresses")
    assert call(app, "GET", "/conferences", headers={}).status_code == 200


def test_fault_named_for_an_operation_outside_its_scope_does_nothing(index: SpecIndex) -> None:
    """deleted-resource-retrievable acts on DELETE operations; naming a list leaves DELETE real."""
    app = server(index, "deleted-resource-retrievable:FindAddresses")
    address = first_id(index, "/addresses")
    assert call(app, "DELETE", f"/addresses/{address}").status_code == 200
    assert call(app, "GET", f"/addresses/{address}").status_code == 404


def test_parse_fault() -> None:
    assert parse_fault("hang") == ("hang", frozenset())
    assert parse_fault("hang:A,B,") == ("hang", frozenset({"A", "B"}))
    for unknown in ("no-such-fault", "no-such-fault:FindAddresses", "", "HANG"):
        with pytest.raises(ValueError, match="unknown fault"):
            parse_fault(unknown)


def test_serve_refuses_an_unknown_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--fault", "no-such-fault", "--port", "0"]) == 2
    assert "unknown fault 'no-such-fault'" in capsys.readouterr().err


def test_list_faults_json() -> None:
    """The installed command itself, as a harness would call it."""
    done = subprocess.run([str(CLI), "serve", "--list-faults", "--format", "json"], capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr
    listed = orjson.loads(done.stdout)
    assert [set(entry) for entry in listed] == [{"name", "description", "caught_by"}] * len(CATALOGUE)
    assert [entry["name"] for entry in listed] == [fault.name for fault in CATALOGUE]
    assert all(entry["description"] and entry["caught_by"] for entry in listed)


BUILTIN_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "use_after_free",
    "ignored_auth",
}
OWN_CHECKS = {"request_timeout", "connection_error", "response_size_limit"}


def test_catalogue_shape() -> None:
    """At least 20 faults with unique names, each caught by a schemathesis built-in check or
    one of the suite's own (telnyx_*, and the transport checks), or, for the webhook faults, by
    a named check of the `webhooks listen` sink."""
    from conformance.webhooks.checks import CHECKS

    sink_checks = {f"webhooks.{check}" for check in CHECKS}
    assert len(CATALOGUE) >= 20
    assert len(BY_NAME) == len(CATALOGUE)
    for fault in CATALOGUE:
        known = BUILTIN_CHECKS | OWN_CHECKS | sink_checks
        assert fault.caught_by in known or fault.caught_by.startswith("telnyx_"), fault


def test_every_fault_has_a_test() -> None:
    """The webhook faults act on deliveries, not answers: tests/conformance/server/webhooks/
    test_delivery.py proves each with the sink."""
    from conformance.server.webhooks.delivery import FAULTS

    assert set(BY_NAME) - COVERED - set(FAULTS) == set()


def test_serve_refuses_a_fault_scoped_to_an_unknown_operation(capsys: pytest.CaptureFixture[str]) -> None:
    from conformance.cli import main

    assert main(["serve", "--port", "0", "--fault", "hang:NoSuchOperation"]) == 2
    err = capsys.readouterr().err
    assert "no operation with id NoSuchOperation" in err and err.count("\n") == 1
