"""Removing the API key from what the suite writes, where the key can occur, as a whole token.

A key is only ever where the suite put it (the Authorization header, a header or query
parameter that carries it) or where a target echoed it (a body, a header, an error message).
Those places are redacted structurally, before anything is serialized: header values, query
values, JSON string values, free text such as a message or a log line. In text, only a whole
token equal to the key (or its URL-encoded form) is replaced: a word character must not
continue it on either side. So a one-letter key `e` never rewrites the `e` of `"operations"`,
and JSON keys, check names and the spec's own text are never touched: a report stays valid,
and equal to the run without a key except where the key was.
"""

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import orjson

REDACTED = "[REDACTED]"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie"})


def forms(secret: str) -> list[str]:
    """The spellings a key takes on the wire: as is, and URL-encoded (in a query string)."""
    found = [secret]
    encoded = quote(secret, safe="")
    if encoded != secret:
        found.append(encoded)
    return sorted(found, key=len, reverse=True)


def scrub(text: str, secret: str) -> str:
    """`text` with every whole-token occurrence of `secret` (or of its URL-encoded form)
    replaced. Whole: where the key begins or ends with a word character, its neighbour there
    is not one (`e` is whole in `e,` and `/e/`, not in `operations`)."""
    if not secret or not text:
        return text
    for form in forms(secret):
        if form in text:
            text = _pattern(form).sub(REDACTED, text)
    return text


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(form: str) -> re.Pattern[str]:
    if form not in _PATTERNS:
        before = r"(?<!\w)" if re.match(r"\w", form[0]) else ""
        after = r"(?!\w)" if re.match(r"\w", form[-1]) else ""
        _PATTERNS[form] = re.compile(before + re.escape(form) + after)
    return _PATTERNS[form]


def contains(text: str, secret: str) -> bool:
    """Does `text` hold the key as a whole token (what `scrub` would replace)?"""
    return bool(secret) and scrub(text, secret) != text


def redact_headers(headers: Mapping[str, str], secret: str) -> dict[str, str]:
    """Credential headers lose their value (the scheme stays: `Bearer [REDACTED]`); any
    other header loses the key where it echoes it."""
    cleaned: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            scheme, _, _ = str(value).partition(" ")
            cleaned[name] = f"{scheme} {REDACTED}" if scheme and scheme != value else REDACTED
        else:
            cleaned[name] = scrub(str(value), secret)
    return cleaned


def redact_url(url: str, secret: str) -> str:
    """A URL without the key: in its userinfo, a path segment, or a query value (parsed, not
    searched as text, so a parameter named like the key keeps its name)."""
    if not secret or not url:
        return url
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, password = userinfo.partition(":")
        netloc = f"{scrub(user, secret)}{colon}{REDACTED if password else ''}@{host}"
    path = "/".join(REDACTED if segment in forms(secret) else segment for segment in parts.path.split("/"))
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(contains(value, secret) for _, value in pairs):
            query = urlencode([(name, scrub(value, secret)) for name, value in pairs], safe="[]")
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def redact_value(value: Any, secret: str) -> Any:
    """A JSON value with the key removed from its strings (object keys are left as they are)."""
    if isinstance(value, str):
        return scrub(value, secret)
    if isinstance(value, list):
        return [redact_value(item, secret) for item in value]
    if isinstance(value, dict):
        return {key: redact_value(item, secret) for key, item in value.items()}
    return value


def redact_body(body: bytes | str | None, secret: str) -> str | None:
    """A request or response body as text, without the key: a JSON body has its string
    values redacted (and is written back compactly, the same document); form bodies their
    values; anything else is scrubbed as text."""
    if body is None:
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if not secret:
        return text
    try:
        document = orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    else:  # judged by value: the key may be written escaped (`\u001b`, `\u00e9`) in the text
        cleaned = redact_value(document, secret)
        return text if cleaned == document else orjson.dumps(cleaned).decode()
    if not contains(text, secret):
        return text
    if "=" in text and not any(c.isspace() for c in text):
        pairs = parse_qsl(text, keep_blank_values=True)
        if pairs:
            return urlencode([(name, scrub(value, secret)) for name, value in pairs])
    return scrub(text, secret)
