"""Pagination checks, one test per paginating list operation the run selected.

Page-number lists: page size and number echoed, totals consistent, every page walked (up to
`--max-pages`) without duplicates and twice alike, the page past the end empty, invalid sizes
refused, equality filters and sorts applied. Cursor lists: cursors progress, never loop,
`next` and `page[before]` lead where they should. Operations that take pagination parameters
but whose `meta` cannot be walked are skipped with the reason and the audit's finding.
"""

import pytest

from conformance.run.context import OPERATION_MARK, active
from conformance.run.phases.pagination import client_for, raise_with_evidence, selected_labels
from conformance.run.phases.pagination.detect import Paging, Unwalkable, detect
from conformance.run.phases.pagination.walk import pagination_checks, parent_ids

RUN = active()
if RUN is None:
    pytest.skip("no target: pass --base-url (see `telnyx-conformance run`)", allow_module_level=True)
if RUN.client is not None:  # --client: the client's operations only; these pagination walks are the pinned spec's
    pytest.skip("a --client run tests the client's operations only", allow_module_level=True)

INDEX = RUN.index
SELECTED = selected_labels(RUN)
PAGING, UNWALKABLE = detect(INDEX)
CLIENT = client_for(RUN, "pagination")
MAX_PAGES = RUN.max_pages


def _cases() -> list:  # type: ignore[type-arg]
    cases = [p for p in PAGING if p.label in SELECTED] + [u for u in UNWALKABLE if u.label in SELECTED]
    return [pytest.param(case, marks=getattr(pytest.mark, OPERATION_MARK)(case.label), id=case.label) for case in cases]


@pytest.mark.parametrize("paging", _cases())
def test_pagination(paging: Paging | Unwalkable) -> None:
    if isinstance(paging, Unwalkable):
        audit = f" (audit telnyx-pagination: {paging.audit[0]})" if paging.audit else ""
        pytest.skip(f"not walked: {paging.reason}{audit}")
    stalled = RUN.stalled(paging.label)
    if stalled is not None:  # its cases already timed out, lost the connection or were paced off
        pytest.skip(f"not walked: {paging.label} already stalled in this run ({type(stalled).__name__})")
    params = parent_ids(CLIENT, INDEX, paging.path)
    if params is None:
        pytest.skip(f"no existing parent to list {paging.path} under")
    raise_with_evidence(RUN, pagination_checks(CLIENT, paging, params, MAX_PAGES))
