"""What the benchmark scripts share at their base (bench/ is not a package: the scripts import this as a
sibling): the repository, the spec and the user cache they all use, the tools beside this Python, and
`BenchError`. The rest of their harness is the sibling package `harness`.

They all measure on the same spec, install their peer tools into the same user cache and write their
own section of docs/benchmarks.md, so these pieces live in one place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MD = REPO_ROOT / "docs" / "benchmarks.md"


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


def subset_ids(spec: Path, count: int | None) -> list[str]:
    """The first `count` operationIds in spec order (none: the whole spec)."""
    if count is None:
        return []
    from spec.load import load_spec

    index = load_spec(spec, allow_unpinned=True).index()
    ids = [op.operation_id for op in index.operations if op.operation_id]
    if count > len(ids):
        raise BenchError(f"--operations {count}: the spec has {len(ids)} operations with an operationId")
    return ids[:count]


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


def tool_version(command: list[str]) -> str:
    """The last line a `--version` prints, or '?': a missing version never ends a benchmark."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (done.stdout.strip() or done.stderr.strip() or "?").splitlines()[-1]


def unpinned(spec: Path) -> bool:
    """Whether the spec is not the one the suite pins: the suite's commands then need --allow-unpinned."""
    pin = pinned_sha256()
    return bool(pin) and hashlib.sha256(spec.read_bytes()).hexdigest() != pin


def display_path(path: Path) -> str:
    """A path as the docs show it: relative to the repository when that is shorter to read."""
    try:
        return os.path.relpath(path, REPO_ROOT)
    except ValueError:
        return str(path)
