"""What every benchmark reports: the machine, how and when it ran, on which spec, and its own
section of docs/benchmarks.md (or docs/prism.md), replaced between its markers."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from _common import REPO_ROOT, display_path


def machine_info() -> dict[str, str]:
    """What a reader needs to judge the figures: cores, CPU, memory and the load when measured."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
        cpu = model.group(1).strip() if model else "unknown CPU"
    except OSError:
        cpu = "unknown CPU"
    try:
        meminfo = Path("/proc/meminfo").read_text(encoding="utf-8")
        total = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
        memory = f"{int(total.group(1)) / 1024 / 1024:.1f} GiB RAM" if total else "? RAM"
    except OSError:
        memory = "? RAM"
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return {"nproc": str(nproc), "cpu": cpu, "memory": memory, "load": load, "python": sys.version.split()[0]}


def machine_line(machine: dict[str, str]) -> str:
    return (
        f"{machine['nproc']} cores (nproc), {machine['cpu']}, {machine['memory']}, "
        f"load average {machine['load']} at start (shared machine: figures are noisy)"
    )


def command_line(argv: Sequence[str]) -> str:
    """How this run was started, with paths inside the repository made relative (reproducible)."""

    def rel(text: str) -> str:
        try:
            return str(Path(text).resolve().relative_to(REPO_ROOT))
        except ValueError:
            return text

    python = Path(sys.executable)
    python_text = str(python.relative_to(REPO_ROOT)) if python.is_relative_to(REPO_ROOT) else "python"
    return shlex.join([python_text, rel(argv[0]), *argv[1:]])


def run_facts(argv: Sequence[str] | None, machine: dict[str, str], spec: Path) -> dict[str, Any]:
    """The context keys every section shares: command, date, machine, spec and its size and sha256.

    `argv` is what `main` was given (None: this process's own arguments)."""
    spec_bytes = spec.read_bytes()
    return {
        "command": command_line([sys.argv[0], *(argv if argv is not None else sys.argv[1:])]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "spec": display_path(spec),
        "spec_size": len(spec_bytes),
        "spec_sha": hashlib.sha256(spec_bytes).hexdigest(),
    }


def header_lines(start: str, title: str, written_by: str, context: dict[str, Any]) -> list[str]:
    """The top every section shares: its start marker, its title, who writes it, the command, the date."""
    return [start, title, "", written_by, "", f"- Command: `{context['command']}`", f"- Date: {context['date']}"]


def spec_text(context: dict[str, Any]) -> str:
    """The measured spec as the sections name it: path, size and the start of its sha256."""
    return f"`{context['spec']}` ({context['spec_size']:,} bytes, sha256 `{context['spec_sha'][:12]}`)"


def table_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def met(ok: bool, target: str) -> str:
    """A figure's verdict against its target."""
    return f"{target}: {'met' if ok else 'NOT met'}"


def print_figures(figures: Sequence[tuple[str, str, str]], what_width: int, value_width: int) -> None:
    """The (what, measured, verdict) figures under the table, one a line."""
    for what, value, verdict in figures:
        print(f"{what:<{what_width}} {value:>{value_width}}   {verdict}")


def update_markdown(path: Path, section: str, start: str, end: str) -> None:
    """Replace only the section between `start` and `end`, so the other sections are left as they are."""
    try:
        current = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = "# Benchmarks\n\nMeasured figures of the suite, each section written by the script it names.\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: section, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(updated, encoding="utf-8")


def section_tail(
    rows: Sequence[Any], ratios: Sequence[tuple[str, str, str]], notes: Sequence[str], end: str
) -> list[str]:
    """The end every benchmark's doc section shares: the figures against their targets, the
    command of each row (`row.label`, `row.display`), the notes, and the section's end marker."""
    lines = ["", "| figure | measured | target |", "|---|---:|---|"]
    lines += [f"| {what} | {value} | {verdict} |" for what, value, verdict in ratios]
    lines += ["", "Commands (SPEC is the spec above):", ""]
    lines += [f"- {row.label}: `{row.display}`" for row in rows]
    for note in notes:
        lines += ["", note]
    lines.append(end)
    return lines


def shown(command: Sequence[str], spec: Path, comment: str = "", label: str = "SPEC") -> str:
    """A command as the docs show it: tool names instead of install paths, `label` for the spec."""
    words = [Path(command[0]).name]
    words += [label if word == str(spec) else (Path(word).name if os.sep in word else word) for word in command[1:]]
    return shlex.join(words) + (f"  # {comment}" if comment else "")
