"""schemathesis' stateful phase (`run --stateful`): random sequences of calls chained by the links
schemathesis infers from the spec (the Telnyx spec declares none: `as_state_machine()` infers
them from response schemas and path parameters), every answer judged by the run's checks.

Off by default: measured on the pinned spec (docs/scenarios.md), the links it infers join
unrelated resources, and the phase ends at its first failure, an undocumented 404 from such a
link, after a few calls, whatever the budget: nothing the lifecycle phase and the named
scenarios do not prove with fixed, explainable steps. Its failures are filed under the
operation that answered wrongly. Writes only where the target allows them; the budget is
--max-examples sequences of at most STEPS calls.
"""

import pytest

from conformance.run.context import OPERATION_MARK, active
from conformance.run.phases.pagination import selected_labels

RUN = active()
if RUN is None:
    pytest.skip("no target: pass --base-url (see `telnyx-conformance run`)", allow_module_level=True)

STEPS = 6  # calls per sequence: create, then a few uses of what it made
SELECTED = sorted(selected_labels(RUN))


FIRST = [pytest.param(label, marks=getattr(pytest.mark, OPERATION_MARK)(label)) for label in SELECTED[:1]]


@pytest.mark.parametrize("label", FIRST)
def test_stateful(label: str) -> None:
    from hypothesis import HealthCheck, settings

    refused = [m for m in ("POST", "PUT", "PATCH", "DELETE") if not RUN.target.may_send(m)]
    if refused:
        pytest.skip(f"stateful phase not run: {RUN.target.refusal(refused[0])}")
    from schemathesis.core.errors import NoLinksFound

    try:
        machine = RUN.schema.as_state_machine()
    except NoLinksFound:
        pytest.skip("stateful phase not run: no links declared in the spec or inferred for the selected operations")

    class Machine(machine):  # type: ignore[misc, valid-type]
        def call(self, case, **kwargs):  # type: ignore[no-untyped-def]
            return RUN.send(case)  # the run's session, 429 backoff, counted by the run's hooks

    config = settings(
        max_examples=RUN.schema.config.generation.max_examples or 10,
        stateful_step_count=STEPS,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    Machine.run(settings=config)
