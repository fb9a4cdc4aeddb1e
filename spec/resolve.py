"""Where the spec comes from: --spec, then TELNYX_SPEC, then ../shared/spec, then the user cache."""

import os
from dataclasses import dataclass
from pathlib import Path

from spec import cache
from spec.errors import SpecError
from spec.pin import PINNED

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class SpecLocation:
    path: Path
    origin: str  # "--spec", "TELNYX_SPEC", "shared", "cache"


def shared_candidates() -> list[Path]:
    """../shared/spec/telnyx.yml beside the project root (and beside the working directory,
    for a non-editable install run from the clone)."""
    seen: list[Path] = []
    for root in (PROJECT_ROOT, Path.cwd()):
        candidate = (root.parent / "shared" / "spec" / PINNED.file_name).resolve()
        if candidate not in seen:
            seen.append(candidate)
    return seen


def cached_copy() -> Path:
    return cache.cache_dir() / "spec" / f"telnyx-{PINNED.sha256}.yml"


def locate_spec(explicit: str | os.PathLike | None = None) -> SpecLocation:
    if explicit:
        return _existing(Path(explicit), "--spec")
    from_env = os.environ.get("TELNYX_SPEC")
    if from_env:
        return _existing(Path(from_env), "TELNYX_SPEC")
    for candidate in shared_candidates():
        if candidate.is_file():
            return SpecLocation(candidate, "shared")
    if cached_copy().is_file():
        return SpecLocation(cached_copy(), "cache")
    raise SpecError(
        "no Telnyx spec found: pass --spec PATH, set TELNYX_SPEC, or place the pinned spec "
        f"({PINNED.repository}@{PINNED.commit} {PINNED.path}, sha256 {PINNED.sha256[:12]}…) "
        f"at ../shared/spec/{PINNED.file_name} or {cached_copy()}"
    )


def _existing(path: Path, origin: str) -> SpecLocation:
    if not path.exists():
        raise SpecError(f"spec not found: {path} (from {origin})")
    if not path.is_file():
        raise SpecError(f"spec is not a file: {path} (from {origin})")
    return SpecLocation(path, origin)


def remember_pinned(path: Path) -> None:
    """Keep a copy of the pinned spec in the user cache, the last place resolution looks."""
    target = cached_copy()
    if target.exists() or path.resolve() == target.resolve():
        return
    import shutil  # only when copying: its import costs ~2 ms

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    except OSError:
        return
