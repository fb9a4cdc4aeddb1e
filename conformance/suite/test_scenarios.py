"""Named multi-step scenarios (docs/scenarios.md), one test each: the built-in Telnyx flows unless
--no-scenarios, and the files of every --scenarios DIR. A scenario runs when the run selected
all of its operations and the target's write policy allows its writes; its failure is filed
under the operation of the step that broke, naming the scenario and the step.
"""

import pytest

from conformance.run.context import OPERATION_MARK, active
from conformance.run.phases.pagination import client_for, raise_with_evidence, selected_labels
from conformance.run.phases.scenarios import BUILTIN, Scenario, blocked
from conformance.run.phases.scenarios.engine import run_scenario

RUN = active()
if RUN is None:
    pytest.skip("no target: pass --base-url (see `telnyx-conformance run`)", allow_module_level=True)

SELECTED = selected_labels(RUN)
CLIENT = client_for(RUN, "scenarios")


def _cases() -> list:  # type: ignore[type-arg]
    """Scenarios whose operations are all selected (the others concern a narrower run's
    operations not at all: they are left out, not skipped)."""
    chosen = [s for s in RUN.scenarios if all(label in SELECTED for label in s.labels)]
    return [pytest.param(s, marks=getattr(pytest.mark, OPERATION_MARK)(s.labels[0]), id=s.name) for s in chosen]


@pytest.mark.parametrize("scenario", _cases())
def test_scenario(scenario: Scenario) -> None:
    source = scenario.source
    shown = f"(built in) {source.rsplit('/', 1)[-1]}" if source.startswith(str(BUILTIN)) else source
    outcome = {"steps": len(scenario.steps), "file": shown}
    reason = blocked(scenario, RUN.target, SELECTED)
    if reason is not None:
        RUN.results.scenarios[scenario.name] = {"status": "skipped", "reason": reason, **outcome}
        pytest.skip(reason)
    RUN.results.scenarios[scenario.name] = {"status": "errored", **outcome}  # until it ends
    if RUN.allure:
        import allure

        allure.dynamic.title(f"scenario {scenario.name} ({len(scenario.steps)} steps)")
        allure.dynamic.description(scenario.description)
    failures = run_scenario(CLIENT, scenario, RUN.max_pages)
    if failures:
        step = failures[0].step
        RUN.results.scenarios[scenario.name] = {
            "status": "failed",
            "step": step,
            "reason": RUN.target.redact(failures[0].message),
            **outcome,
        }
    else:
        RUN.results.scenarios[scenario.name] = {"status": "passed", **outcome}
    raise_with_evidence(RUN, failures)
