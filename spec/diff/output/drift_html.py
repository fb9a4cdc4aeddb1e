"""A drift report as one self-contained HTML page (no scripts, no external assets)."""

from __future__ import annotations

from html import escape

from spec.diff.drift import CLASSES, DriftReport
from spec.diff.output.common import describe
from spec.diff.output.drift import headline, reason_lines

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1b1b1b}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top;text-align:left}
th{background:#f2f2f2}code{font-size:12px}.gone{background:#fde2e2}.breaking{background:#fff1d6}.compatible{background:#e4f6e4}
ul{margin:0;padding-left:1.1rem}
"""


def render_html(report: DriftReport) -> str:
    counts = report.counts()
    rows = []
    for verdict in report.verdicts:
        reasons = ""
        if verdict.verdict == "breaking":
            reasons = (
                "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in reason_lines(report, verdict, None)) + "</ul>"
            )
        rows.append(
            f'<tr class="{verdict.verdict}"><td><code>{escape(verdict.name)}</code></td>'
            f"<td><code>{escape(verdict.operation.label)}</code></td><td>{verdict.verdict}</td><td>{reasons}</td></tr>"
        )
    lacking = "".join(
        f"<li><code>{escape(op.label)}</code> {escape(op.operation_id or '')}</li>" for op in report.lacking
    )
    summary = "".join(f"<tr><td>{kind}</td><td>{counts[kind]}</td></tr>" for kind in (*CLASSES, "lacking"))
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Client drift</title>'
        f"<style>{_STYLE}</style></head><body>\n<h1>Client drift</h1>\n"
        f"<p>client: <code>{escape(describe(report.client))}</code><br>"
        f"spec: <code>{escape(describe(report.spec))}</code></p>\n"
        f"<p><strong>{escape(headline(report))}</strong></p>\n"
        f"<table><tr><th>verdict</th><th>operations</th></tr>{summary}</table>\n<h2>Client operations</h2>\n"
        "<table><tr><th>client operation</th><th>call</th><th>verdict</th><th>reasons</th></tr>\n"
        + "\n".join(rows)
        + f"\n</table>\n<h2>The client lacks ({len(report.lacking)})</h2>\n<ul>{lacking}</ul>\n</body></html>\n"
    )
