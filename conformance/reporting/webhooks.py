"""The webhook deliveries of `run --webhooks` in the run's reports.

The sink's records are judged per event type and check (`conformance.webhooks.verdicts`) once
the session's reports are written and the grace period for late deliveries has passed, so they
are added to those files: a `webhooks` section in summary.json (checked against
summary_schema.json), one testsuite per event type in junit.xml, and a Webhooks section in the
matrix (Markdown and HTML). Each file is rewritten atomically and on its own: one that cannot be
amended is reported in one line, the others still are.
"""

import html
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import orjson

from conformance.reporting.files import atomic_write, write_each
from conformance.reporting.results import summary_problems
from conformance.webhooks.checks import CHECKS
from conformance.webhooks.report import Case, junit, totals
from conformance.webhooks.sink import Record
from conformance.webhooks.verdicts import cases, event_type_of

SUITE = "webhooks"
MARK = {"passed": "✓", "failed": "✗", "error": "!", "skipped": "–"}


def judged(records: list[Record]) -> list[Case]:
    """One case per event type (in the order first received) and sink check."""
    return cases(records, key=event_type_of)


def failing(found: list[Case]) -> int:
    return sum(1 for case in found if not case.held)


def section(received: int, url: str, found: list[Case]) -> dict[str, Any]:
    """summary.json's `webhooks`: where deliveries went, how many came, each event type's checks."""
    events: dict[str, dict[str, Any]] = {}
    for case in found:
        events.setdefault(case.event, {})[case.case] = case.as_dict()
    return {
        "url": url,
        "received": received,
        "event_types": list(events),
        "events": events,
        "totals": totals(found),
    }


def add_to_reports(report_dir: Path, records: list[Record], received: int, url: str) -> list[str]:
    """Amend the run's summary.json, junit.xml and matrix; the one-line errors of those that failed."""
    found = judged(records)
    return write_section(report_dir, section(received, url, found), found)


# A case's verdict over several shards: the worst one (a check that failed anywhere failed).
_RANK = {"skipped": 0, "passed": 1, "error": 2, "failed": 3}


def fold_sections(sections: list[tuple[str, dict[str, Any]]]) -> tuple[dict[str, Any], list[Case]]:
    """The `webhooks` sections of a run's shards ("K/N", section) as one run's: deliveries
    summed, event types in the order first received (shard order), each event type's check at
    its worst verdict over the shards, with the shard named in its reason. Each shard had a sink
    of its own, so the URL names them all."""
    received = sum(int(doc.get("received", 0)) for _, doc in sections)
    urls = list(dict.fromkeys(str(doc.get("url", "")) for _, doc in sections))
    chosen: dict[tuple[str, str], Case] = {}
    for shard, doc in sections:
        for event, checks in doc.get("events", {}).items():
            for name, data in checks.items():
                reason = f"shard {shard}: {data['reason']}"
                case = Case(event, name, data["verdict"], data["status"], data["elapsed"], reason, data.get("curl"))
                kept = chosen.get((event, name))
                if kept is None or _RANK[case.verdict] > _RANK[kept.verdict]:
                    chosen[(event, name)] = case
    found = list(chosen.values())
    return section(received, ", ".join(urls), found), found


def write_section(report_dir: Path, document: dict[str, Any], found: list[Case]) -> list[str]:
    """Add a judged `webhooks` section to the reports in `report_dir`: those that failed, in one line each."""
    return write_each(
        [
            ("summary.json (webhooks)", lambda: _summary(report_dir / "summary.json", document)),
            ("junit.xml (webhooks)", lambda: _junit(report_dir / "junit.xml", found)),
            ("matrix.md (webhooks)", lambda: _append(report_dir / "matrix.md", markdown(document, found))),
            ("matrix.html (webhooks)", lambda: _html(report_dir / "matrix.html", document, found)),
        ]
    )


def _summary(path: Path, section_: dict[str, Any]) -> None:
    summary = orjson.loads(path.read_bytes())
    summary["webhooks"] = section_
    problems = summary_problems(summary)
    if problems:
        raise ValueError(f"the webhooks section breaks summary_schema.json: {problems[0]}")
    atomic_write(path, orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")


def _junit(path: Path, found: list[Case]) -> None:
    root = ET.fromstring(path.read_bytes())
    added = ET.fromstring(junit(found, SUITE).split("\n", 1)[1])
    for suite in added:
        suite.set("name", f"{SUITE}.{suite.get('name')}")
        root.append(suite)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(int(root.get(key, "0")) + int(added.get(key, "0"))))
    ET.indent(root)
    atomic_write(path, '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n")


def _append(path: Path, text: str) -> None:
    atomic_write(path, path.read_text(encoding="utf-8").rstrip() + "\n\n" + text)


def failing_checks(document: dict[str, Any]) -> int:
    """The event type checks of a `webhooks` section that did not hold (they fail the run)."""
    return int(document["totals"]["failed"]) + int(document["totals"]["error"])


def headline(document: dict[str, Any]) -> str:
    bad = failing_checks(document)
    kinds = len(document["event_types"])
    state = "every check held" if not bad else f"{bad} event type checks did not hold"
    return f"webhooks: {document['received']} deliveries of {kinds} event types to {document['url']}: {state}"


def markdown(document: dict[str, Any], found: list[Case]) -> str:
    out = ["## Webhooks", "", f"**{headline(document)}**", ""]
    out += ["| event_type | " + " | ".join(CHECKS) + " |", "|---|" + "---|" * len(CHECKS)]
    for event, checks in document["events"].items():
        out.append(f"| `{event}` | " + " | ".join(MARK[checks[c]["verdict"]] for c in CHECKS if c in checks) + " |")
    out.append("")
    out += [f"- `{c.event}` {c.case}: {c.reason}" for c in found if not c.held]
    return "\n".join(out).rstrip() + "\n"


def _html(path: Path, document: dict[str, Any], found: list[Case]) -> None:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in CHECKS)
    rows = "".join(
        f"<tr><td><code>{html.escape(event)}</code></td>"
        + "".join(
            f'<td class="v-{checks[c]["verdict"]}" title="{html.escape(checks[c]["reason"])}">'
            f"{MARK[checks[c]['verdict']]}</td>"
            for c in CHECKS
            if c in checks
        )
        + "</tr>"
        for event, checks in document["events"].items()
    )
    notes = "".join(_note(c) for c in found if not c.held)
    part = (
        f'<section id="webhooks"><h2>Webhooks</h2><p class="headline">{html.escape(headline(document))}</p>'
        f"<table><thead><tr><th>event_type</th>{head}</tr></thead><tbody>{rows}</tbody></table>"
        + (f"<ul>{notes}</ul>" if notes else "")
        + "</section>\n"
    )
    page = path.read_text(encoding="utf-8")
    at = page.rfind("</body>")
    atomic_write(path, page[:at] + part + page[at:] if at >= 0 else page + part)


def _note(case: Case) -> str:
    return f"<li><code>{html.escape(case.event)}</code> {case.case}: {html.escape(case.reason)}</li>"
