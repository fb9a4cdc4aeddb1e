"""The diff for a terminal: grouped by rule, most severe first, both places on each line."""

from itertools import groupby

from spec.diff.changes import DiffResult
from spec.diff.output.common import describe, totals

_PER_RULE = 20  # a terminal reader wants the shape, the JSON has everything


def render(result: DiffResult, per_rule: int = _PER_RULE) -> str:
    old_name, new_name = result.old.path.name, result.new.path.name
    lines = [f"old: {describe(result.old)}", f"new: {describe(result.new)}", f"{result.matched} operations in both", ""]
    ordered = sorted(result.changes, key=lambda c: (-c.level, c.rule, c.operation_key, c.old.line, c.new.line))
    for (rule, level), group in groupby(ordered, key=lambda c: (c.rule, c.level)):
        items = list(group)
        lines.append(f"{level.label.upper():8} {rule} ({len(items)})")
        for change in items[:per_rule]:
            lines.append(
                f"  {change.operation}  {old_name}:{change.old.line} -> {new_name}:{change.new.line}  {change.message}"
            )
        if len(items) > per_rule:
            lines.append(f"  ... {len(items) - per_rule} more (use --format json for all)")
        lines.append("")
    if not result.changes:
        lines.append("no changes")
    lines.append(totals(result))
    return "\n".join(lines) + "\n"
