"""pytest's own word for a failed conformance test: the triage class of its failures when they are
all one non-server class (`conformance.run.plugin.pytest_report_teststatus`)."""

from types import SimpleNamespace

import pytest

from conformance.run.plugin import CLASSES, pytest_report_teststatus


def report(failed: bool, classes: list[str] | None) -> pytest.TestReport:
    properties = [(CLASSES, classes)] if classes is not None else []
    return SimpleNamespace(failed=failed, user_properties=properties)  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("classes", "word"),
    [(["spec"], "with spec defects"), (["setup"], "with setup problems"), (["drift"], "with client drift")],
)
def test_one_non_server_class_names_the_failure(classes: list[str], word: str) -> None:
    status = pytest_report_teststatus(report(True, classes), None)  # type: ignore[arg-type]
    assert status is not None and status[0] == word


@pytest.mark.parametrize("classes", [["server"], ["server", "spec"], ["spec", "setup"], [], None])
def test_server_mixed_or_unknown_failures_stay_failed(classes: list[str] | None) -> None:
    assert pytest_report_teststatus(report(True, classes), None) is None  # type: ignore[arg-type]


def test_a_passed_test_is_left_to_pytest() -> None:
    assert pytest_report_teststatus(report(False, ["spec"]), None) is None  # type: ignore[arg-type]
