"""Writing report files so that they can never be lost or half-written.

Each file is written to a temporary sibling and renamed over its place (a reader, or a run
killed mid-write, sees the old file or the new one, never a torn one). Each writer runs on its
own: one that fails is reported in one line with its own error, and the others still write.
"""

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def atomic_write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_each(writers: Sequence[tuple[str, Callable[[], Any]]], stream: Any = None) -> list[str]:
    """Run every writer; the one-line errors of those that failed (also printed)."""
    errors = []
    for name, write in writers:
        try:
            write()
        except Exception as exc:  # a writer's own bug or a full disk: the others still write
            detail = " ".join(str(exc).split())[:300] or type(exc).__name__
            errors.append(f"could not write {name}: {type(exc).__name__}: {detail}")
            print(f"telnyx-conformance: error: {errors[-1]}", file=stream or sys.stderr)
    return errors
