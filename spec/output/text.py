"""The audit for a terminal: grouped by rule, most severe first, with counts."""

from itertools import groupby

from spec.audit import AuditResult

_PER_RULE = 20  # a terminal reader wants the shape, the JSON has everything


def render(result: AuditResult, per_rule: int = _PER_RULE) -> str:
    spec = result.spec
    lines = [f"{spec.path} (OpenAPI {spec.openapi}, sha256 {spec.sha256[:12]})", ""]
    ordered = sorted(result.findings, key=lambda f: (-f.severity, f.rule, f.line, f.column))
    for (rule, severity), group in groupby(ordered, key=lambda f: (f.rule, f.severity)):
        items = list(group)
        lines.append(f"{severity.label.upper():7} {rule} ({len(items)})")
        for finding in items[:per_rule]:
            lines.append(f"  {spec.path.name}:{finding.line}:{finding.column}  {finding.message}  [{finding.pointer}]")
        if len(items) > per_rule:
            lines.append(f"  ... {len(items) - per_rule} more (use --format json for all)")
        lines.append("")
    summary = result.summary()
    tail = f"{summary['error']} errors, {summary['warning']} warnings, {summary['info']} infos"
    extras = [f"{n} {what}" for n, what in ((result.baselined, "baselined"), (result.ignored, "ignored")) if n]
    lines.append(tail + (f" ({', '.join(extras)})" if extras else ""))
    return "\n".join(lines) + "\n"
