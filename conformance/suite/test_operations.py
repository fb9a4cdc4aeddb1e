"""One schemathesis test per selected operation of the spec, against the run's target.

The schema, the target and the checks come from the plugin (`conformance/run/plugin.py`); this
module only says what a test is: send the generated case (backing off on 429) and let
schemathesis judge the response with its built-in checks and ours.

The Hypothesis test of each operation is built when that operation's test runs, not when
pytest collects: `schema.parametrize()` builds all 822 up front, and with them every coverage
case of every operation (40 s and about 300 MB before the first request, on this spec). Built
lazily, each operation's cases live only while it is tested. The build is schemathesis' own
(`build_operation_test`, what its pytest plugin calls), so phases, seeds and checks are the same.
"""

from typing import Any

import pytest

from conformance.run.context import OPERATION_MARK, active

RUN = active()
if RUN is None:
    pytest.skip("no target: pass --base-url (see `telnyx-conformance run`)", allow_module_level=True)

schema = RUN.schema


def check_case(case: Any) -> None:
    """What every generated case goes through: sent, then judged."""
    RUN.send_and_validate(case)


def _operations() -> list[Any]:
    """The selected operations, each a param marked with its label (the plugin files results by it)."""
    params = []
    for result in schema.get_all_operations():
        operation = result.ok()
        params.append(
            pytest.param(operation, marks=getattr(pytest.mark, OPERATION_MARK)(operation.label), id=operation.label)
        )
    return params


@pytest.mark.parametrize("operation", _operations())
def test_operation(operation: Any) -> None:
    from schemathesis.checks import load_all_checks
    from schemathesis.pytest._test_builder import build_operation_test

    load_all_checks()
    test = build_operation_test(
        config=schema.config, operation=operation, test_func=check_case, given_kwargs={}, feedback=_feedback()
    )
    test()


_FEEDBACK: list[Any] = []


def _feedback() -> Any:
    """The schema's constants source, built once per run (schemathesis builds it per collection)."""
    if not _FEEDBACK:
        from schemathesis.generation.feedback import FeedbackSources
        from schemathesis.python._constants.orchestrator import make_constants_value_source

        _FEEDBACK.append(FeedbackSources(constants_value_source=make_constants_value_source(schema)))
    return _FEEDBACK[0]
