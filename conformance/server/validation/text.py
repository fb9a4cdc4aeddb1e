"""Text hygiene: what crosses into the validator and into error details is clean, bounded text."""

import re
from typing import Any

MAX_DETAIL = 400  # characters of a validator message kept in `detail`
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Lone surrogates (from surrogateescape decoding) become U+FFFD: they cannot cross into the
    Rust validator nor be encoded as JSON."""
    if text.isascii():
        return text
    return _SURROGATES.sub("\ufffd", text)


def as_text(value: Any) -> str:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return clean_text(str(value))


def as_pair(pair: Any) -> tuple[str, str]:
    try:
        key, value = pair
    except (TypeError, ValueError):
        return as_text(pair), ""
    return as_text(key), as_text(value)


def detail_text(text: str) -> str:
    text = clean_text(text)
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"
