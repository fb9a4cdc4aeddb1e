"""Resource lifecycles, one test per collection with create, retrieve, delete and list
operations whose create the run selected: create -> retrieve (echo) -> listed -> update ->
delete -> 404 -> unlisted. Writes only where the target allows them (`Target.may_send`);
otherwise the test is skipped and the run walks existing data only (test_pagination.py).
"""

import pytest

from conformance.run.context import OPERATION_MARK, active
from conformance.run.phases.lifecycle import Flow, Lifecycle, detect_lifecycles
from conformance.run.phases.pagination import client_for, raise_with_evidence, selected_labels
from conformance.run.phases.pagination.walk import parent_ids

RUN = active()
if RUN is None:
    pytest.skip("no target: pass --base-url (see `telnyx-conformance run`)", allow_module_level=True)
if RUN.client is not None:  # --client: the client's operations only; these lifecycles are the pinned spec's
    pytest.skip("a --client run tests the client's operations only", allow_module_level=True)

INDEX = RUN.index
SELECTED = selected_labels(RUN)
CLIENT = client_for(RUN, "lifecycle")


def _cases() -> list:  # type: ignore[type-arg]
    found = [life for life in detect_lifecycles(INDEX) if life.label in SELECTED]
    return [pytest.param(life, marks=getattr(pytest.mark, OPERATION_MARK)(life.label), id=life.path) for life in found]


@pytest.mark.parametrize("lifecycle", _cases())
def test_lifecycle(lifecycle: Lifecycle) -> None:
    refused = [m for m in ("POST", "DELETE") if not RUN.target.may_send(m)]
    if refused:
        pytest.skip(f"lifecycle not run: {RUN.target.refusal(refused[0])}")
    params = parent_ids(CLIENT, INDEX, lifecycle.path)
    if params is None:
        pytest.skip(f"no existing parent to create {lifecycle.path} under")
    flow = Flow(CLIENT, RUN.schema, lifecycle, params, RUN.max_pages, RUN.results.seed, RUN.point)
    reason = flow.run()
    if reason is not None and not flow.failures:
        pytest.skip(f"lifecycle not run: {reason}")
    raise_with_evidence(RUN, flow.failures)
