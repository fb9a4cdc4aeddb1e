"""JUnit XML for CI: one testcase per operation and check (`classname` = tag.operation, `name` =
check), so a CI test view lists exactly which check failed where. A failing check is a
`<failure>` whose type is its triage class; a transport error is an `<error>`; an operation not
sent is one skipped testcase. Named scenarios are one testcase each in the `scenarios` suite,
a failed one carrying its step's failure (class, message, the curl of every step)."""

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from conformance.reporting.results import OperationResult

OPERATION_CASE = "(operation)"
SCENARIOS = "scenarios"  # the testsuite of the named scenarios
SCENARIO_CHECK = "telnyx_scenario_step"


def document(
    operations: Iterable[tuple[str, OperationResult]],
    suite: str = "telnyx-conformance",
    scenarios: Mapping[str, Mapping[str, Any]] | None = None,
) -> ET.Element:
    """`operations`: (tag, result) pairs, in run order; `scenarios`: Results.scenarios."""
    operations = list(operations)
    root = ET.Element("testsuites", name=suite)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    suites: dict[str, ET.Element] = {}
    counts: dict[str, dict[str, int]] = {}
    for tag, result in operations:
        node = suites.get(tag)
        if node is None:
            node = suites[tag] = ET.SubElement(root, "testsuite", name=tag)
            counts[tag] = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        classname = f"{tag}.{result.operation_id or result.method + ' ' + result.path}"
        for name, kind, failures in _cases(result):
            case = ET.SubElement(node, "testcase", classname=classname, name=name)
            counts[tag]["tests"] += 1
            if kind == "skipped":
                ET.SubElement(case, "skipped", message=result.reason or "not sent")
                counts[tag]["skipped"] += 1
            elif failures:
                element = "error" if kind == "error" else "failure"
                first = failures[0]
                child = ET.SubElement(
                    case, element, type=first.classification, message=f"[{first.classification}] {first.message}"
                )
                child.text = "\n\n".join(
                    f"[{f.classification}] {f.message}"
                    + (f"\nwhy {f.classification}: {f.reason}" if f.reason else "")
                    + (f"\nreproduce: {f.curl}" if f.curl else "")
                    for f in failures
                )
                counts[tag]["errors" if element == "error" else "failures"] += 1
    if scenarios:
        _scenarios(root, suites, counts, scenarios, [f for _, op in operations for f in op.failures])
    for tag, node in suites.items():
        for key, value in counts[tag].items():
            node.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, str(value))
    return root


def _scenarios(
    root: ET.Element,
    suites: dict[str, ET.Element],
    counts: dict[str, dict[str, int]],
    scenarios: Mapping[str, Mapping[str, Any]],
    failures: list[Any],
) -> None:
    node = suites[SCENARIOS] = ET.SubElement(root, "testsuite", name=SCENARIOS)
    tally = counts[SCENARIOS] = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for name, outcome in sorted(scenarios.items()):
        case = ET.SubElement(node, "testcase", classname=SCENARIOS, name=name)
        tally["tests"] += 1
        if outcome.get("status") == "skipped":
            ET.SubElement(case, "skipped", message=str(outcome.get("reason", "")))
            tally["skipped"] += 1
        elif outcome.get("status") in ("failed", "errored"):
            mine = f"scenario {name!r}, "
            record = next((f for f in failures if f.check == SCENARIO_CHECK and mine in f.message), None)
            kind = record.classification if record is not None else "server"
            child = ET.SubElement(case, "failure", type=kind, message=f"[{kind}] {outcome.get('reason', '')}")
            child.text = (record.message + (f"\nreproduce:\n{record.curl}" if record.curl else "")) if record else None
            tally["failures"] += 1


def _cases(result: OperationResult) -> list[tuple[str, str, list[Any]]]:
    """(name, kind, failures) per testcase of one operation."""
    if result.status == "skipped":
        return [(OPERATION_CASE, "skipped", [])]
    by_check: dict[str, list[Any]] = {}
    for failure in result.failures:
        by_check.setdefault(failure.check, []).append(failure)
    names = sorted(set(result.checks_run) | set(by_check))
    if not names:
        return [(OPERATION_CASE, "passed", [])]
    kind = "error" if result.status == "errored" else "failure"
    return [(name, kind if name in by_check else "passed", by_check.get(name, [])) for name in names]


def render(
    operations: Iterable[tuple[str, OperationResult]], scenarios: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    root = document(operations, scenarios=scenarios)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
