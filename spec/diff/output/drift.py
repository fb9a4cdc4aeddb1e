"""A drift report as text, JSON or Markdown (HTML: drift_html)."""

from __future__ import annotations

import orjson

from spec.diff.drift import CLASSES, DriftReport, Verdict
from spec.diff.output.common import describe

_REASONS = 8  # per operation in text and Markdown; the JSON has all
SIDE_WORDS = {"sends": "sends", "reads": "reads", "auth": "authenticates", "operation": "calls"}


def headline(report: DriftReport) -> str:
    counts = report.counts()
    return (
        f"{len(report.verdicts)} client operations: {counts['gone']} gone, {counts['breaking']} breaking, "
        f"{counts['compatible']} compatible; the client lacks {counts['lacking']} operations of the spec"
    )


def reason_lines(report: DriftReport, verdict: Verdict, limit: int | None = _REASONS) -> list[str]:
    client, spec = report.client.path.name, report.spec.path.name
    shown = verdict.reasons if limit is None else verdict.reasons[:limit]
    lines = [
        f"{SIDE_WORDS.get(c.side, c.side)}: {c.message} [{c.rule}; {client}:{c.old.line} -> {spec}:{c.new.line}]"
        for c in shown
    ]
    if limit is not None and len(verdict.reasons) > limit:
        lines.append(f"... {len(verdict.reasons) - limit} more reasons (use --format json for all)")
    return lines


def render_text(report: DriftReport) -> str:
    lines = [f"client: {describe(report.client)}", f"spec:   {describe(report.spec)}", headline(report), ""]
    for kind in CLASSES:
        for verdict in (v for v in report.verdicts if v.verdict == kind):
            warned = f"  ({len(verdict.warnings)} warnings)" if verdict.warnings else ""
            lines.append(f"{kind.upper():10} {verdict.name}  {verdict.operation.label}{warned}")
            if kind == "breaking":
                lines += [f"    {line}" for line in reason_lines(report, verdict)]
    lines += ["", f"the client lacks ({len(report.lacking)}):"]
    lines += [f"  {op.label}  {op.operation_id or ''}".rstrip() for op in report.lacking]
    return "\n".join(lines) + "\n"


def as_document(report: DriftReport) -> dict:
    return {
        "client": {"path": str(report.client.path), "version": report.client.version},
        "spec": {"path": str(report.spec.path), "version": report.spec.version},
        "counts": report.counts(),
        "operations": [v.as_dict(report.client) for v in report.verdicts],
        "lacking": [{"operation": op.label, "operation_id": op.operation_id} for op in report.lacking],
    }


def render_json(report: DriftReport) -> str:
    return orjson.dumps(as_document(report), option=orjson.OPT_INDENT_2).decode() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DriftReport) -> str:
    counts = report.counts()
    out = [
        "# Client drift",
        "",
        f"- client: `{_cell(describe(report.client))}`",
        f"- spec: `{_cell(describe(report.spec))}`",
        "",
        f"**{headline(report)}**",
        "",
        "| verdict | operations |",
        "|---|---:|",
        *(f"| {kind} | {counts[kind]} |" for kind in (*CLASSES, "lacking")),
        "",
        "| client operation | call | verdict | reasons |",
        "|---|---|---|---|",
    ]
    for verdict in report.verdicts:
        reasons = (
            "<br>".join(_cell(line) for line in reason_lines(report, verdict)) if verdict.verdict == "breaking" else ""
        )
        out.append(f"| `{verdict.name}` | `{_cell(verdict.operation.label)}` | {verdict.verdict} | {reasons} |")
    out += ["", f"## The client lacks ({len(report.lacking)})", ""]
    out += [f"- `{_cell(op.label)}` {op.operation_id or ''}".rstrip() for op in report.lacking]
    return "\n".join(out) + "\n"
