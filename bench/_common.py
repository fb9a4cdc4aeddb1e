"""Helpers shared by the benchmark scripts (bench/ is not a package: the scripts import this as a sibling).

They all measure on the same spec, install their peer tools into the same user cache and write their
own section of docs/benchmarks.md, so these pieces live in one place.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MD = REPO_ROOT / "docs" / "benchmarks.md"
NPM_INSTALL_TIMEOUT_S = 600


class BenchError(Exception):
    """A problem that ends a benchmark with one line on stderr (no traceback)."""


# --- locations -------------------------------------------------------------------------------


def cache_root() -> Path:
    """Same cache as the suite ($TELNYX_CONFORMANCE_CACHE or the user cache), so peers install once."""
    override = os.environ.get("TELNYX_CONFORMANCE_CACHE")
    if override:
        return Path(override)
    try:
        import platformdirs
    except ImportError:
        return Path.home() / ".cache" / "telnyx-conformance"
    return Path(platformdirs.user_cache_dir("telnyx-conformance"))


def peers_dir() -> Path:
    return cache_root() / "peers"


def resolve_spec(explicit: str | None) -> Path:
    """Resolve like the suite does ($TELNYX_SPEC, then ../shared/spec) so every tool measures the same file."""
    if explicit:
        candidate, origin = Path(explicit), "--spec"
    elif os.environ.get("TELNYX_SPEC"):
        candidate, origin = Path(os.environ["TELNYX_SPEC"]), "TELNYX_SPEC"
    else:
        candidate, origin = REPO_ROOT.parent / "shared" / "spec" / "telnyx.yml", "default"
    if not candidate.is_file():
        raise BenchError(f"spec not found: {candidate} (from {origin}); pass --spec PATH or set TELNYX_SPEC")
    return candidate.resolve()


def venv_tool(name: str) -> Path | None:
    """A console script of the running interpreter's environment (.venv or the tox env), else PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return beside
    found = shutil.which(name)
    return Path(found) if found else None


def pinned_sha256() -> str | None:
    """The sha256 the suite pins the spec to: a different spec needs --allow-unpinned."""
    try:
        from spec.pin import PINNED
    except ImportError:
        return None
    return PINNED.sha256


def display_path(path: Path) -> str:
    """A path as the docs show it: relative to the repository when that is shorter to read."""
    try:
        return os.path.relpath(path, REPO_ROOT)
    except ValueError:
        return str(path)


# --- npm peers -------------------------------------------------------------------------------


def installed_version(prefix: Path, package: str) -> str | None:
    try:
        manifest = json.loads((prefix / "node_modules" / package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest.get("version")


def missing_node_tool() -> str | None:
    """'node' or 'npm' when one is not on PATH (the peers are then skipped), else None."""
    for name in ("node", "npm"):
        if not shutil.which(name):
            return name
    return None


def npm_install(prefix: Path, wanted: dict[str, str]) -> str | None:
    """Install exact versions into a private prefix unless already there; None, or a one-line error.

    A private prefix (no global install) keeps the machine clean and the versions exact; the only
    network used is the npm registry.
    """
    if all(installed_version(prefix, pkg) == version for pkg, version in wanted.items()):
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found on PATH"
    print(f"installing {', '.join(f'{p}@{v}' for p, v in wanted.items())} into {prefix} ...", file=sys.stderr)
    prefix.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--prefix", str(prefix), "--save-exact", "--no-audit", "--no-fund"]
    command += ["--loglevel=error", *(f"{p}@{v}" for p, v in wanted.items())]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=prefix, check=False, timeout=NPM_INSTALL_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return f"npm install took over {NPM_INSTALL_TIMEOUT_S} s"
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or ["(no message)"]
        return f"npm install failed ({lines[-1].strip()})"
    return None


# --- reporting -------------------------------------------------------------------------------


def tool_version(command: list[str]) -> str:
    """The last line a `--version` prints, or '?': a missing version never ends a benchmark."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (done.stdout.strip() or done.stderr.strip() or "?").splitlines()[-1]


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
