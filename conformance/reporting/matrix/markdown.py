"""The matrix as Markdown, for PR comments and CI job summaries: totals, coverage, the comparison,
then one table per tag, the failures and the audit's findings per operation with their lines."""

from conformance.reporting.matrix import Matrix, Row, scenario_line, share
from conformance.triage import CLASSES


def render(matrix: Matrix) -> str:
    verdicts, classes, cov = matrix.verdicts(), matrix.classes(), matrix.coverage()
    out = [
        "# Telnyx API conformance matrix",
        "",
        f"Target `{matrix.target}` · spec sha256 `{matrix.spec_sha256[:12]}…` · seed `{matrix.seed}`",
        "",
        *(f"**{line}**  " for line in matrix.headline),
        "",
        "| verdict | operations |",
        "|---|---:|",
        *(f"| {v} | {verdicts.get(v, 0)} |" for v in ("passed", "failed", "errored", "skipped")),
        "",
        "Failures by class: " + ", ".join(f"{c} {classes.get(c, 0)}" for c in CLASSES),
        "",
        "| coverage | share | count |",
        "|---|---:|---:|",
        f"| operations exercised | {share(cov['exercised'], cov['operations'])} | "
        f"{cov['exercised']} / {cov['operations']} |",
        f"| documented responses observed | {share(cov['responses_observed'], cov['responses_documented'])} | "
        f"{cov['responses_observed']} / {cov['responses_documented']} |",
        f"| schema properties seen | {share(cov['properties_seen'], cov['properties_documented'])} | "
        f"{cov['properties_seen']} / {cov['properties_documented']} |",
        "",
    ]
    if matrix.scenarios:
        out += ["## Scenarios", "", "| scenario | outcome | file |", "|---|---|---|"]
        out += [f"| `{s['name']}` | {_cell(scenario_line(s))} | {_cell(s.get('file', ''))} |" for s in matrix.scenarios]
        out.append("")
    if matrix.compared_with is not None:
        out += [f"## Compared with `{matrix.compared_with}`", ""]
        for kind, rows in matrix.changes().items():
            out.append(f"- **{kind}** ({len(rows)}): " + (", ".join(f"`{r.key}`" for r in rows) or "none"))
        out.append("")
    for tag, rows in matrix.by_tag().items():
        out += [
            f"## {_cell(tag)}",
            "",
            "| operation | verdict | failed checks | documented | observed | responses | properties | findings |"
            + (" change |" if matrix.compared_with is not None else ""),
            "|---|---|---|---|---|---:|---:|---:|" + ("---|" if matrix.compared_with is not None else ""),
        ]
        out += [_row(row, matrix.compared_with is not None) for row in rows]
        out.append("")
        details = [line for row in rows for line in _details(row)]
        if details:
            out += [*details, ""]
    return "\n".join(out).rstrip() + "\n"


def _row(row: Row, compare: bool) -> str:
    checks = ", ".join(f"`{check}` ({cls})" for check, cls in row.failed_checks())
    observed = " ".join(f"{code}×{n}" for code, n in row.observed.items())
    cells = [
        (f"`{row.operation_id}` " if row.operation_id else "") + f"{row.label} (line {row.line})",
        row.status + (f": {row.reason}" if row.reason else ""),
        checks,
        " ".join(row.documented),
        observed,
        f"{len(row.responses_observed)} / {len(row.documented)}",
        f"{share(row.properties_seen, row.properties_documented)} "
        f"({row.properties_seen} / {row.properties_documented})",
        str(len(row.findings)),
    ]
    if compare:
        cells.append((row.change or "") + (f" ({row.change_detail})" if row.change_detail else ""))
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _details(row: Row) -> list[str]:
    lines = []
    for failure in row.failures:
        why = f" — why: {_cell(failure['reason'])}" if failure.get("reason") else ""
        lines.append(
            f"- `{row.key}` **{failure['check']}** ({failure['classification']}): {_cell(failure['message'])}{why}"
        )
    for finding in row.findings:
        where = "" if finding["where"] == "operation" else " (in a schema it uses)"
        lines.append(
            f"- `{row.key}` audit, line {finding['line']}: `{finding['rule']}` {finding['severity']}: "
            f"{_cell(finding['message'])}{where}"
        )
    return lines


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")
