"""Pagination judgements: pure functions over pages already fetched, each returning typed
failures (`conformance.checks.failures`). They never send anything: the pagination phase
(`conformance/run/phases/pagination/walk.py`) fetches, these decide. The `operation` of a
failure is the "METHOD /path" label it concerns.
"""

import itertools
import math
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from schemathesis.core.failures import Failure

from conformance.checks.evidence import Page
from conformance.checks.failures import (
    CursorViolation,
    FilterViolation,
    PageDuplicatesViolation,
    PageNumberViolation,
    PageSizeBoundsViolation,
    PageSizeViolation,
    PageTotalsViolation,
    PastEndViolation,
    SortViolation,
    TelnyxErrorEnvelopeViolation,
    raise_all,
)
from spec.telnyx import envelope_problems

__all__ = ["CursorViolation", "Page", "raise_all"]


# --- judgements ------------------------------------------------------------------------------


def identity(item: Any, id_field: str | None) -> str:
    """What tells two items apart: their id, else the whole item."""
    if id_field is not None and isinstance(item, dict) and id_field in item:
        return f"{id_field}={item[id_field]}"
    return orjson.dumps(item, option=orjson.OPT_SORT_KEYS).decode()


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def page_size_problems(label: str, page: Page, size: int, meta_fields: Iterable[str]) -> list[Failure]:
    problems: list[Failure] = []
    if len(page.items) > size:
        problems.append(
            PageSizeViolation(operation=label, page=page, message=f"page[size]={size} answered {len(page.items)} items")
        )
    echoed = page.meta.get("page_size")
    if "page_size" in meta_fields and "page_size" in page.meta and echoed != size:
        problems.append(
            PageSizeViolation(operation=label, page=page, message=f"page[size]={size} answered meta.page_size={echoed}")
        )
    return problems


def page_number_problems(label: str, page: Page, number: int) -> list[Failure]:
    echoed = page.meta.get("page_number")
    if "page_number" in page.meta and echoed != number:
        message = f"page[number]={number}, meta.page_number={echoed}"
        return [PageNumberViolation(operation=label, page=page, message=message)]
    return []


def totals_problems(label: str, page: Page) -> list[Failure]:
    """`total_pages == ceil(total_results / page_size)` (0 pages for 0 results; a client that
    reads `total_pages` of an empty list must not request page 1 again... both 0 and 1 pass)."""
    results, pages, size = (_int(page.meta.get(k)) for k in ("total_results", "total_pages", "page_size"))
    if results is None or pages is None or not size:
        return []
    expected = math.ceil(results / size)
    if pages == expected or (results == 0 and pages in (0, 1)):
        return []
    return [
        PageTotalsViolation(
            operation=label,
            page=page,
            message=f"total_pages={pages}, but ceil(total_results {results} / page_size {size}) = {expected}",
        )
    ]


def walk_problems(label: str, pages: Sequence[Page], id_field: str | None, *, complete: bool) -> list[Failure]:
    """One walk over consecutive pages: no item twice; when the walk reached the end, as many
    items as `total_results` said (of the first page)."""
    problems: list[Failure] = []
    seen: dict[str, int] = {}
    for number, page in enumerate(pages, start=1):
        for item in page.items:
            key = identity(item, id_field)
            if key in seen:
                message = f"{key[:200]} is on page {seen[key]} and again on page {number}"
                problems.append(PageDuplicatesViolation(operation=label, page=page, message=message))
                return problems
            seen[key] = number
    total = _int(pages[0].meta.get("total_results")) if pages else None
    if complete and total is not None and total != len(seen):
        message = f"total_results={total}, but walking all {len(pages)} pages yielded {len(seen)} items"
        problems.append(PageTotalsViolation(operation=label, page=pages[0], message=message))
    return problems


def consistency_problems(
    label: str, first: Sequence[Page], second: Sequence[Page], id_field: str | None
) -> list[Failure]:
    """Two complete walks of the same (unchanged: equal total_results) list hold the same items."""
    one = {identity(i, id_field) for p in first for i in p.items}
    two = {identity(i, id_field) for p in second for i in p.items}
    if not first or not second or one == two:
        return []
    if first[0].meta.get("total_results") != second[0].meta.get("total_results"):
        return []  # the data changed between the walks
    missing = sorted(one ^ two)
    message = f"two walks of unchanged data differ by {len(missing)} item(s), e.g. {missing[0][:200]}"
    return [PageDuplicatesViolation(operation=label, page=second[0], message=message)]


def past_end_problems(label: str, page: Page, documented: Iterable[str]) -> list[Failure]:
    """Past the last page: an empty page, or a documented 4xx with the envelope."""
    if 200 <= page.status < 300:
        if page.items:
            message = f"page[number]={page.query.get('page[number]')} is past the end but has {len(page.items)} items"
            return [PastEndViolation(operation=label, page=page, message=message)]
        return []
    codes = set(documented)
    if 400 <= page.status < 500 and (str(page.status) in codes or "4XX" in codes):
        return envelope_failures(label, page, "a page past the end")
    message = f"a page past the end answered {page.status}, neither an empty page nor a documented error"
    return [PastEndViolation(operation=label, page=page, message=message)]


def envelope_failures(label: str, page: Page, what: str) -> list[Failure]:
    problems = envelope_problems(page.body)
    if not problems:
        return []
    message = f"{what} answered {page.status} without the error envelope: {'; '.join(problems)}"
    return [TelnyxErrorEnvelopeViolation(operation=label, problems=problems, message=message, page=page)]


def bounds_problems(label: str, page: Page, value: str, why: str) -> list[Failure]:
    """`page[size]=value` is invalid (`why`): a 4xx with the envelope is the only right answer."""
    if 400 <= page.status < 500 and page.status != 429:
        return envelope_failures(label, page, f"page[size]={value}")
    message = f"page[size]={value} ({why}) answered {page.status}, not a 4xx"
    return [PageSizeBoundsViolation(operation=label, page=page, message=message)]


def filter_problems(label: str, page: Page, field_name: str, wanted: Any) -> list[Failure]:
    wrong = [i for i in page.items if isinstance(i, dict) and field_name in i and not _equal(i[field_name], wanted)]
    if not wrong:
        return []
    message = (
        f"{page.query and next(k for k in page.query if k.startswith('filter'))}={_text(wanted)} returned "
        f"{len(wrong)} of {len(page.items)} items with another {field_name}, e.g. {_text(wrong[0][field_name])}"
    )
    return [FilterViolation(operation=label, page=page, message=message)]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _equal(have: Any, wanted: Any) -> bool:
    """A filter value arrives as query text: `true` equals True, `5` equals 5."""
    return have == wanted or _text(have) == _text(wanted)


def sort_problems(label: str, page: Page, sort: str) -> list[Failure]:
    """Items with a value for the sort field must be in order (nulls may go anywhere); text
    may compare by code point or case-insensitively, numbers by value."""
    field_name, descending = sort.lstrip("-"), sort.startswith("-")
    values = [i[field_name] for i in page.items if isinstance(i, dict) and i.get(field_name) is not None]
    if len(values) < 2 or not all(isinstance(v, type(values[0])) for v in values):
        return []
    orders = [values]
    if isinstance(values[0], str):
        orders.append([v.casefold() for v in values])
    for order in orders:
        try:
            if all((a >= b) if descending else (a <= b) for a, b in itertools.pairwise(order)):
                return []
        except TypeError:
            return []
    position = next(n for n, (a, b) in enumerate(itertools.pairwise(values)) if (a < b if descending else a > b))
    message = (
        f"sort={sort} answered {_text(values[position])!r} before {_text(values[position + 1])!r} "
        f"(items {position + 1} and {position + 2} with a {field_name})"
    )
    return [SortViolation(operation=label, page=page, message=message)]
