"""The diff as Markdown, for pull-request comments and CI job summaries."""

from itertools import groupby

from spec.diff.changes import DiffResult
from spec.diff.output.common import describe, totals


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(result: DiffResult) -> str:
    old_name, new_name = result.old.path.name, result.new.path.name
    out = [
        "# API diff",
        "",
        f"- old: `{_cell(describe(result.old))}`",
        f"- new: `{_cell(describe(result.new))}`",
        f"- {result.matched} operations in both",
        "",
        f"**{totals(result)}**",
        "",
    ]
    ordered = sorted(result.changes, key=lambda c: (-c.level, c.rule, c.operation_key, c.old.line))
    groups = [(key, list(items)) for key, items in groupby(ordered, key=lambda c: (c.rule, c.level))]
    if groups:
        out += ["| rule | level | changes |", "|---|---|---:|"]
        out += [f"| `{rule}` | {level.label} | {len(items)} |" for (rule, level), items in groups]
    for (rule, level), items in groups:
        out += [
            "",
            f"## `{rule}` ({level.label}, {len(items)})",
            "",
            "| operation | old | new | message |",
            "|---|---|---|---|",
        ]
        out += [
            f"| `{_cell(c.operation)}` | {old_name}:{c.old.line} | {new_name}:{c.new.line} | {_cell(c.message)} |"
            for c in items
        ]
    return "\n".join(out) + "\n"
