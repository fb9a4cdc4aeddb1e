"""A cache of parsed specs keyed by the source's sha256, so the second load costs a fraction.

marshal is the fastest stdlib form for plain data (~5 ms to load the 2.8 MB spec against
~0.15 s to parse its YAML). A cache file carries a CRC-32 of its payload: it guards against
truncation and corruption (not tampering: the cache is the user's own); anything that does
not verify, or not unmarshal, is ignored and rebuilt. What the payload holds is the caller's
business (`spec.load` checks its shape).
"""

import gc
import marshal
import os
import zlib
from pathlib import Path
from typing import Any

_MAGIC = b"TXCONF-SPEC-CACHE\n"
_FORMAT = 2  # bump when the cached shape changes (2: packed positions and the index walk)
_CRC_BYTES = 4


def cache_dir() -> Path:
    override = os.environ.get("TELNYX_CONFORMANCE_CACHE")
    if override:
        return Path(override)
    import platformdirs  # only when no override: its import costs a few ms

    return Path(platformdirs.user_cache_dir("telnyx-conformance"))


def _entry(sha256: str) -> Path:
    return cache_dir() / "parsed" / f"{sha256}.v{_FORMAT}.bin"


def has(sha256: str) -> bool:
    """Is there a cache entry for this source hash (not checked: `load` does that)?"""
    return _entry(sha256).is_file()


def load(sha256: str) -> Any | None:
    """The cached value for this source hash, or None when absent or not trustworthy."""
    try:
        blob = _entry(sha256).read_bytes()
    except OSError:
        return None
    header_len = len(_MAGIC) + _CRC_BYTES
    if len(blob) < header_len or not blob.startswith(_MAGIC):
        return None
    payload = memoryview(blob)[header_len:]
    if zlib.crc32(payload).to_bytes(_CRC_BYTES, "big") != blob[len(_MAGIC) : header_len]:
        return None
    # Unmarshalling creates ~50k containers, none of them cyclic garbage: the collector
    # need not scan them, neither while loading nor in its later passes (freezing moves them
    # out of its generations; refcounting still frees them).
    collecting = gc.isenabled()
    gc.disable()
    try:
        value = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    return value


def store(sha256: str, value: Any) -> None:
    """Best effort: a cache that cannot be written only costs speed.

    Equal strings in `value` are made one object first (in place, which no reader can tell):
    marshal writes an object once and then refers to it, and the Telnyx spec has 115k strings
    but only 16k distinct ones (`type`, `description`, `string`...), so this halves both the
    payload and its load time."""
    share_strings(value)
    try:
        payload = marshal.dumps(value)
    except ValueError:  # e.g. dates from the PyYAML fallback: not worth caching
        return
    blob = _MAGIC + zlib.crc32(payload).to_bytes(_CRC_BYTES, "big") + payload
    target = _entry(sha256)
    try:
        import tempfile  # only on a cache miss: its import costs a few ms

        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(tmp, target)
    except OSError:
        return


def share_strings(value: Any) -> None:
    """Replace, in place, every string key and item of the dicts and lists reachable from
    `value` (tuples are looked into, not rewritten) by one shared object per distinct string."""
    shared: dict[str, str] = {}
    share = shared.setdefault
    stack = [value]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            items = [
                (share(key, key) if type(key) is str else key, share(item, item) if type(item) is str else item)
                for key, item in node.items()
            ]
            node.clear()
            node.update(items)
            stack.extend(item for _, item in items if isinstance(item, (dict, list, tuple)))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if type(item) is str:
                    node[i] = share(item, item)
                elif isinstance(item, (dict, list, tuple)):
                    stack.append(item)
        elif isinstance(node, tuple):
            stack.extend(item for item in node if isinstance(item, (dict, list, tuple)))
