"""A cache of parsed specs keyed by the source's sha256, so the second load costs a fraction.

marshal is the fastest stdlib form for plain data (14 ms to load the 2.8 MB spec against
1.1 s to parse its YAML). A cache file carries a checksum of its payload; anything that does
not verify (truncated, corrupt, another format version) is ignored and rebuilt.
"""

import gc
import hashlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any

import platformdirs

_MAGIC = b"TXCONF-SPEC-CACHE\n"
_FORMAT = 1  # bump when the cached shape (data, positions) changes


def cache_dir() -> Path:
    override = os.environ.get("TELNYX_CONFORMANCE_CACHE")
    return Path(override) if override else Path(platformdirs.user_cache_dir("telnyx-conformance"))


def _entry(sha256: str) -> Path:
    return cache_dir() / "parsed" / f"{sha256}.v{_FORMAT}.bin"


def load(sha256: str) -> Any | None:
    """The cached value for this source hash, or None when absent or not trustworthy."""
    try:
        blob = _entry(sha256).read_bytes()
    except OSError:
        return None
    header_len = len(_MAGIC) + 32
    if len(blob) < header_len or not blob.startswith(_MAGIC):
        return None
    digest, payload = blob[len(_MAGIC) : header_len], blob[header_len:]
    if hashlib.blake2b(payload, digest_size=32).digest() != digest:
        return None
    # Unmarshalling creates ~1M containers, none of them cyclic garbage: the collector's
    # passes over them would double the load time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    finally:
        if collecting:
            gc.enable()


def store(sha256: str, value: Any) -> None:
    """Best effort: a cache that cannot be written only costs speed."""
    try:
        payload = marshal.dumps(value)
    except ValueError:  # e.g. dates from the PyYAML fallback: not worth caching
        return
    blob = _MAGIC + hashlib.blake2b(payload, digest_size=32).digest() + payload
    target = _entry(sha256)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(tmp, target)
    except OSError:
        return
