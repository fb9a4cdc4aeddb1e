"""The reports of `webhooks send` and `webhooks listen`, as data and text (the CLI writes them).

Both commands end in cases, one per event and variant (send) or event and check (listen):
`summary.json` holds them under `webhooks` (by event, then case: the verdict, the status, the
elapsed time, a one-line reason, the curl reproduction of a failure) and `junit.xml` has one
testcase each. The documents are built from memory; nothing here touches a file.
"""

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

VERDICTS = ("passed", "failed", "error", "skipped")


@dataclass(frozen=True)
class Case:
    event: str  # the webhook's name under `webhooks:`
    case: str  # the variant (send) or the check (listen)
    verdict: str  # one of VERDICTS
    status: int | None  # the HTTP status answered (by the consumer, or by the sink)
    elapsed: float | None  # seconds
    reason: str  # one line
    curl: str | None = None  # a reproduction, for a case that did not pass

    @property
    def held(self) -> bool:
        return self.verdict in ("passed", "skipped")

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "status": self.status,
            "elapsed": None if self.elapsed is None else round(self.elapsed, 6),
            "reason": self.reason,
            "curl": self.curl,
        }


def totals(cases: Iterable[Case]) -> dict[str, int]:
    found = {"cases": 0, **{verdict: 0 for verdict in VERDICTS}}
    for case in cases:
        found["cases"] += 1
        found[case.verdict] += 1
    return found


def summary(mode: str, cases: list[Case], *, spec_sha256: str, **details: Any) -> dict[str, Any]:
    """The summary.json document: `webhooks.events[event][case]` and the totals."""
    events: dict[str, dict[str, Any]] = {}
    for case in cases:
        events.setdefault(case.event, {})[case.case] = case.as_dict()
    return {
        "tool": f"telnyx-conformance webhooks {mode}",
        "spec": {"sha256": spec_sha256},
        "webhooks": {"mode": mode, **details, "events": events, "totals": totals(cases)},
    }


def summary_problems(document: dict[str, Any]) -> list[str]:
    """Where `document` breaks `summary_schema.json` (empty: it holds)."""
    import jsonschema_rs

    schema = orjson.loads(Path(__file__).with_name("summary_schema.json").read_bytes())
    return [
        f"{'/'.join(map(str, e.instance_path))}: {e.message}"
        for e in jsonschema_rs.validator_for(schema).iter_errors(document)
    ]


def render_summary(document: dict[str, Any]) -> bytes:
    return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def junit(cases: list[Case], suite: str) -> str:
    """One testsuite per event, one testcase per case (`classname` = suite.event)."""
    root = ET.Element("testsuites", name=suite)
    nodes: dict[str, ET.Element] = {}
    for case in cases:
        node = nodes.get(case.event)
        if node is None:
            node = nodes[case.event] = ET.SubElement(root, "testsuite", name=case.event)
        element = ET.SubElement(node, "testcase", classname=f"{suite}.{case.event}", name=case.case)
        if case.elapsed is not None:
            element.set("time", f"{case.elapsed:.6f}")
        if case.verdict == "skipped":
            ET.SubElement(element, "skipped", message=case.reason)
        elif not case.held:
            child = ET.SubElement(element, "error" if case.verdict == "error" else "failure", message=case.reason)
            child.text = case.reason + (f"\nreproduce: {case.curl}" if case.curl else "")
    for name, node in nodes.items():
        _count(node, [c for c in cases if c.event == name])
    _count(root, cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _count(node: ET.Element, cases: list[Case]) -> None:
    found = totals(cases)
    node.set("tests", str(found["cases"]))
    node.set("failures", str(found["failed"]))
    node.set("errors", str(found["error"]))
    node.set("skipped", str(found["skipped"]))


def verdict_line(cases: list[Case]) -> str:
    found = totals(cases)
    events = len({c.event for c in cases})
    held = found["passed"] + found["skipped"]
    head = "all verdicts hold" if held == found["cases"] else f"{found['cases'] - held} verdicts do not hold"
    return (
        f"{head}: {found['cases']} cases over {events} events, {found['passed']} passed, "
        f"{found['failed']} failed, {found['error']} errors, {found['skipped']} skipped"
    )
