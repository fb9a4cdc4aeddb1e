"""The audit as Markdown, for pull-request comments and CI job summaries."""

from itertools import groupby

from spec.audit import AuditResult


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(result: AuditResult) -> str:
    spec = result.spec
    summary = result.summary()
    out = [
        "# Spec audit",
        "",
        f"`{spec.path.name}` — OpenAPI {spec.openapi}, sha256 `{spec.sha256[:12]}`",
        "",
        f"**{summary['error']}** errors, **{summary['warning']}** warnings, **{summary['info']}** infos",
        "",
        "| rule | severity | findings |",
        "|---|---|---:|",
    ]
    ordered = sorted(result.findings, key=lambda f: (-f.severity, f.rule, f.line))
    groups = [(key, list(items)) for key, items in groupby(ordered, key=lambda f: (f.rule, f.severity))]
    for (rule, severity), items in groups:
        out.append(f"| `{rule}` | {severity.label} | {len(items)} |")
    for (rule, severity), items in groups:
        out += [
            "",
            f"## `{rule}` ({severity.label}, {len(items)})",
            "",
            "| line | pointer | message |",
            "|---:|---|---|",
        ]
        out += [f"| {f.line} | `{_cell(f.pointer)}` | {_cell(f.message)} |" for f in items]
    return "\n".join(out) + "\n"
