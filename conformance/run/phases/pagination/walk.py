"""Fetching pages (the HTTP edge of the pagination checks) and the walks that feed `conformance/checks/pagination.py`.

`Client` sends what the run's schemathesis tests send (the target's base URL, key and
timeout), backs off on 429 through the run's one send loop (`conformance/run/send.py`),
counts every request it makes, and keeps each answer as a `Page` with a curl reproduction (key
redacted). The walks are bounded by
`max_pages`: a list longer than the budget is walked partially and judged on what was seen.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import orjson
import requests

from conformance.checks.pagination import (
    CursorViolation,
    Page,
    bounds_problems,
    consistency_problems,
    filter_problems,
    identity,
    page_number_problems,
    page_size_problems,
    past_end_problems,
    sort_problems,
    totals_problems,
    walk_problems,
)
from conformance.run.phases.pagination.detect import CURSOR, PAGE_NUMBER, Paging
from conformance.run.send import given_up, send_with_backoff
from conformance.run.transport_errors import STALLED, again, transport_check
from conformance.target import Target, curl_command
from conformance.target.transport import BoundedSession
from spec.index import SpecIndex

DEFAULT_MAX_PAGES = 5
PROBE_SIZE = 2  # small, and unlike any default: a server ignoring page[size] shows at once
MAX_FILTERS = 3  # filters judged per operation
MAX_SORTS = 4  # sort values judged per operation


class Client:
    """GETs (and the lifecycle's writes) against the target, as `Page`s.

    `stalled` is shared with the run (`RunContext.unresponsive`): an operation that timed out,
    dropped the connection or kept answering 429 once is not asked again, here or by the
    generated cases; a request of this client that meets one of those records it there."""

    def __init__(
        self,
        target: Target,
        on_request: Callable[[], None] = lambda: None,
        index: SpecIndex | None = None,
        on_sent_for_us: Callable[[], None] = lambda: None,
        stalled: dict[str, BaseException] | None = None,
    ) -> None:
        self.target = target
        self.on_sent_for_us = on_sent_for_us  # a request schemathesis sent (and its hooks counted)
        self.index = index  # for validating filter values against their schemas
        self.on_request = on_request
        self.stalled: dict[str, BaseException] = {} if stalled is None else stalled
        # The run's session: responses bounded in size and time, redirects only within the host.
        self.session = BoundedSession(target.max_response_bytes, target.timeout)
        self.session.headers.update({"Accept": "application/json", **target.auth_headers()})

    def url(self, path: str, path_params: dict[str, str] | None = None) -> str:
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        return self.target.base_url + path

    def request(
        self, method: str, url: str, query: dict[str, str] | None = None, *, json: Any = None, data: Any = None,
        headers: dict[str, str] | None = None, label: str | None = None,
    ) -> Page:  # fmt: skip
        """`label` ("GET /path") names the operation for `stalled`; by default, the URL's path."""
        query = dict(query or {})
        full = url + ("?" + urlencode(query, safe="[]", quote_via=quote) if query else "")
        label = label or f"{method.upper()} {urlsplit(url).path}"
        if label in self.stalled:
            raise again(self.stalled[label])

        def send() -> requests.Response:
            self.on_request()
            try:
                return self.session.request(
                    method, full, json=json, data=data, headers=headers, timeout=self.target.timeout
                )
            except requests.RequestException as exc:
                if transport_check(exc) in STALLED:
                    self.stalled[label] = exc
                raise

        response, still_limited = send_with_backoff(send, lambda r: r.status_code, _headers)
        if still_limited:
            self.stalled[label] = given_up(label, _headers(response))
            raise again(self.stalled[label])
        try:
            body = orjson.loads(response.content) if response.content else None
        except orjson.JSONDecodeError:
            body = None
        prepared = response.request
        curl = curl_command(
            prepared.method or method, prepared.url or full, dict(prepared.headers), prepared.body, self.target.api_key
        )
        return Page(response.status_code, body, curl, query)

    def get(self, path: str, path_params: dict[str, str] | None = None, query: dict[str, str] | None = None) -> Page:
        return self.request("GET", self.url(path, path_params), query, label=f"GET {path}")

    def on_target(self, link: str) -> bool:
        """Does a link stay on the target's host? One that leaves it is never followed: the
        request would carry the API key to whoever the server named."""
        netloc = urlsplit(link).netloc
        return not netloc or netloc.lower() == urlsplit(self.target.base_url).netloc.lower()

    def follow(self, link: str) -> Page:
        """A `next`/`previous` link: absolute, or a path on the target's host (`/v2/...`)."""
        if not self.on_target(link):
            raise ValueError(f"not following {link!r}: another host")
        parts = urlsplit(self.target.base_url)
        path = link if link.startswith("/") else "/" + link
        url = link if urlsplit(link).scheme else f"{parts.scheme}://{parts.netloc}{path}"
        return self.request("GET", url)


def _headers(response: requests.Response) -> dict[str, list[str]]:
    return {name.lower(): [value] for name, value in response.headers.items()}


def parent_ids(client: Client, index: SpecIndex, path: str) -> dict[str, str] | None:
    """Values for the path parameters of a nested list (`/rooms/{room_id}/sessions`): the id of
    the first item of the list one level up (`GET /rooms`). None when one cannot be found."""
    values: dict[str, str] = {}
    segments = path.split("/")
    for position, segment in enumerate(segments):
        if not (segment.startswith("{") and segment.endswith("}")):
            continue
        parent = "/".join(segments[:position]) or "/"
        if not any(op.path == parent and op.method == "get" for op in index.operations):
            return None
        page = client.get(parent, values)
        first = page.items[0] if page.status == 200 and page.items else None
        if not isinstance(first, dict) or first.get("id") in (None, ""):
            return None
        values[segment[1:-1]] = str(first["id"])
    return values


# --- page-number pagination ------------------------------------------------------------------


@dataclass
class Walk:
    pages: list[Page]
    size: int
    complete: bool  # the walk reached the last page (total_results known and within budget)


def _bounded(size: int, paging: Paging) -> int:
    if paging.size.minimum is not None:
        size = max(size, paging.size.minimum)
    if paging.size.maximum is not None:
        size = min(size, paging.size.maximum)
    return max(size, 1)


def _number_query(number: int, size: int) -> dict[str, str]:
    return {"page[number]": str(number), "page[size]": str(size)}


def walk_numbers(client: Client, paging: Paging, params: dict[str, str], size: int, total: int, max_pages: int) -> Walk:
    wanted = math.ceil(total / size) if total else 1
    pages = []
    for number in range(1, min(wanted, max_pages) + 1):
        pages.append(client.get(paging.path, params, _number_query(number, size)))
        if pages[-1].status != 200 or not pages[-1].items:
            break
    complete = wanted <= max_pages and len(pages) == wanted and all(p.status == 200 for p in pages)
    return Walk(pages, size, complete)


def page_number_checks(client: Client, paging: Paging, params: dict[str, str], max_pages: int) -> list[Any]:
    label = paging.label
    probe_size = _bounded(PROBE_SIZE, paging)
    probe = client.get(paging.path, params, _number_query(1, probe_size))
    if probe.status != 200:
        return []  # not a list answer to judge: schemathesis' checks judge the status itself
    problems = page_size_problems(label, probe, probe_size, paging.meta_fields)
    problems += page_number_problems(label, probe, 1) + totals_problems(label, probe)
    total = probe.meta.get("total_results")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        return problems
    size = _bounded(math.ceil(total / max_pages) if total else probe_size, paging)
    walk = walk_numbers(client, paging, params, size, total, max_pages)
    for number, page in enumerate(walk.pages, start=1):
        if page.status == 200:
            problems += page_size_problems(label, page, size, paging.meta_fields)
            problems += page_number_problems(label, page, number) + totals_problems(label, page)
    problems += walk_problems(label, walk.pages, paging.id_field, complete=walk.complete)
    if walk.complete and not problems:
        again = walk_numbers(client, paging, params, size, total, max_pages)
        if again.complete:
            problems += consistency_problems(label, walk.pages, again.pages, paging.id_field)
        past = client.get(paging.path, params, _number_query(len(walk.pages) + 1, size))
        problems += past_end_problems(label, past, paging.documented)
    problems += bounds_checks(client, paging, params)
    problems += filter_checks(client, paging, params, walk.pages, size)
    problems += sort_checks(client, paging, params, size)
    return problems


def bounds_checks(client: Client, paging: Paging, params: dict[str, str]) -> list[Any]:
    """Sizes the spec declares invalid: above the maximum, below the minimum (0, -1), not a number."""
    bounds = paging.size
    invalid: list[tuple[str, str]] = []
    if bounds.maximum is not None:
        invalid.append((str(bounds.maximum + 1), f"above the maximum {bounds.maximum}"))
    if bounds.minimum is not None and bounds.minimum > 0:
        invalid.append(("0", f"below the minimum {bounds.minimum}"))
    if bounds.minimum is not None and bounds.minimum >= 0:
        invalid.append(("-1", f"below the minimum {bounds.minimum}"))
    if bounds.integer:
        invalid.append(("abc", "not an integer"))
    problems: list[Any] = []
    for value, why in invalid:
        page = client.get(paging.path, params, {"page[number]": "1", "page[size]": value})
        problems += bounds_problems(paging.label, page, value, why)
    return problems


def filter_checks(client: Client, paging: Paging, params: dict[str, str], pages: list[Page], size: int) -> list[Any]:
    """Each equality filter (a few per operation), asked for a value an item has: every item
    answered must have it."""
    items = [i for page in pages for i in page.items if isinstance(i, dict)]
    problems: list[Any] = []
    judged = 0
    for flt in paging.filters:
        if judged >= MAX_FILTERS:
            break
        values = [i[flt.field] for i in items if isinstance(i.get(flt.field), (str, int, float, bool))]
        distinct = {identity(v, None) for v in values}
        if len(distinct) < 2 or not _valid(client, flt.schema, values[0]):
            continue  # one value everywhere: an ignored filter would go unnoticed
        judged += 1
        query = {flt.wire: _query_text(values[0]), "page[number]": "1", "page[size]": str(size)}
        page = client.get(paging.path, params, query)
        if page.status == 200:
            problems += filter_problems(paging.label, page, flt.field, values[0])
    return problems


def _valid(client: Client, pointer: str, value: Any) -> bool:
    """Is `value` (sent as query text) valid for the filter's schema?"""
    if client.index is None:
        return True
    try:
        validator = client.index.schema_validator(pointer)
    except Exception:
        return False
    return bool(validator.is_valid(value)) or bool(validator.is_valid(_query_text(value)))


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sort_checks(client: Client, paging: Paging, params: dict[str, str], size: int) -> list[Any]:
    problems: list[Any] = []
    for sort in paging.sorts[:MAX_SORTS]:
        page = client.get(paging.path, params, {"sort": sort, "page[number]": "1", "page[size]": str(size)})
        if page.status == 200:
            problems += sort_problems(paging.label, page, sort)
    return problems


# --- cursor pagination -----------------------------------------------------------------------


def cursor_checks(client: Client, paging: Paging, params: dict[str, str], max_pages: int) -> list[Any]:
    """Follow `meta.cursors.after` from the first page: every cursor new, every item new, no
    cursor on the last page (one leading to an empty page is one too many); `next` leads where
    the cursor leads; `page[before]` of a later page leads back to the page before it."""
    label = paging.label
    limit = _bounded(PROBE_SIZE, paging)
    key = f"page[{paging.limit_key}]"
    pages = [client.get(paging.path, params, {key: str(limit)})]
    if pages[0].status != 200:
        return []
    seen_cursors: set[str] = set()
    seen_items: dict[str, int] = {}
    problems: list[Any] = []
    for number in range(1, max_pages + 1):
        page = pages[-1]
        for item in page.items:
            ident = identity(item, paging.id_field)
            if ident in seen_items:
                message = f"{ident[:200]} came on page {seen_items[ident]} and again on page {number}"
                return [CursorViolation(operation=label, page=page, message=message)]
            seen_items[ident] = number
        if number > 1 and not page.items:
            message = f"page {number - 1} has a cursor to a next page, but that page is empty"
            return [CursorViolation(operation=label, page=pages[-2], message=message)]
        after = page.cursor("after")
        if after is None or number == max_pages:
            break
        if after in seen_cursors:
            message = f"cursor {after[:100]!r} of page {number} was already followed: the walk loops"
            return [CursorViolation(operation=label, page=page, message=message)]
        seen_cursors.add(after)
        pages.append(client.get(paging.path, params, {key: str(limit), "page[after]": after}))
        if pages[-1].status != 200:
            message = f"following cursor {after[:100]!r} of page {number} answered {pages[-1].status}"
            return [CursorViolation(operation=label, page=pages[-1], message=message)]
    problems += _links_agree(client, label, pages, paging.id_field)
    problems += _back_agrees(client, paging, params, pages, key, limit)
    return problems


def _ids(page: Page, id_field: str | None) -> list[str]:
    return [identity(i, id_field) for i in page.items]


def _links_agree(client: Client, label: str, pages: list[Page], id_field: str | None) -> list[Any]:
    if len(pages) < 2 or pages[0].link("next") is None:
        return []
    link = pages[0].link("next") or ""
    if not client.on_target(link):
        message = f"meta.next of page 1 leads to another host ({urlsplit(link).netloc}): not followed with the key"
        return [CursorViolation(operation=label, page=pages[0], message=message)]
    followed = client.follow(link)
    if followed.status == 200 and _ids(followed, id_field) == _ids(pages[1], id_field):
        return []
    after = pages[0].cursor("after")
    message = f"meta.next of page 1 answered {followed.status} with other items than page[after]={after}"
    return [CursorViolation(operation=label, page=followed, message=message)]


def _back_agrees(
    client: Client, paging: Paging, params: dict[str, str], pages: list[Page], key: str, limit: int
) -> list[Any]:
    if len(pages) < 2 or pages[-1].cursor("before") is None:
        return []
    before = pages[-1].cursor("before") or ""
    back = client.get(paging.path, params, {key: str(limit), "page[before]": before})
    if back.status == 200 and _ids(back, paging.id_field) == _ids(pages[-2], paging.id_field):
        return []
    message = f"page[before]={before[:100]} of page {len(pages)} did not lead back to page {len(pages) - 1}"
    return [CursorViolation(operation=paging.label, page=back, message=message)]


def pagination_checks(client: Client, paging: Paging, params: dict[str, str], max_pages: int) -> list[Any]:
    problems: list[Any] = []
    if PAGE_NUMBER in paging.styles:
        problems += page_number_checks(client, paging, params, max_pages)
    if CURSOR in paging.styles:
        problems += cursor_checks(client, paging, params, max_pages)
    return problems
