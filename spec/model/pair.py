"""Loading the two versions a diff compares, in parallel when neither parse is cached.

A cold load of the 2.8 MB Telnyx spec is ~1 s (parse, locate every node, fill the parse cache),
nearly all of it in one core; two of them one after the other would be most of a cold diff.
When both are cache misses, a forked child loads the new version (filling the cache) while
this process loads the old one, and the new one is then read from the cache (~30 ms). Should
the child fail, the parent loads it itself and reports any error as usual.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from spec import cache
from spec.load import load_any
from spec.model import ApiModel, build_model
from spec.resolve import locate_spec


def _cached(path: Path) -> bool:
    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return True  # let the ordinary load report it
    return cache.has(sha)


def load_pair(old: str | Path | None, new: str | Path | None, *, use_cache: bool = True) -> tuple[ApiModel, ApiModel]:
    old_path, new_path = locate_spec(old).path, locate_spec(new).path
    child = None
    parallel = use_cache and hasattr(os, "fork") and old_path.resolve() != new_path.resolve()
    if parallel and not _cached(old_path) and not _cached(new_path):
        child = _fork_load(new_path)
    old_model = build_model(load_any(old_path, use_cache=use_cache))
    if child is not None:
        os.waitpid(child, 0)
    return old_model, build_model(load_any(new_path, use_cache=use_cache))


def _fork_load(path: Path) -> int | None:
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: fill the cache, and leave without running any of the parent's exit code
        code = 1
        try:
            load_any(path, use_cache=True)
            code = 0
        finally:
            os._exit(code)
    return pid
