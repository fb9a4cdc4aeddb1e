"""Form bodies: `application/x-www-form-urlencoded` and `multipart/form-data` to objects."""

import logging
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote

from python_multipart.multipart import MultipartParser

from conformance.server.validation.coercion import MAX_DEPTH, bracket_segments, insert_value, materialize
from conformance.server.validation.media import charset_of, parse_media_type
from conformance.server.validation.schema_types import is_binary, property_schema
from conformance.server.validation.text import clean_text, detail_text
from spec.index import SpecIndex

# python-multipart logs each malformed body it also raises for; without a handler those lines
# would reach stderr through logging's last resort on every bad request. A NullHandler keeps
# them out of stderr and still lets an application that configures logging see them.
logging.getLogger("python_multipart.multipart").addHandler(logging.NullHandler())


def parse_form(index: SpecIndex, body: bytes, options: dict[str, str], schema: Any) -> Any:
    """application/x-www-form-urlencoded to a dict; None when the bytes are not text."""
    try:
        text = bytes(body).decode(charset_of(options))
    except (UnicodeDecodeError, LookupError):
        return None
    pairs = parse_qsl(text, keep_blank_values=True, encoding=charset_of(options), errors="replace")
    return _fields_to_object(index, ((clean_text(k), clean_text(v)) for k, v in pairs), schema)


def _fields_to_object(index: SpecIndex, fields: Iterable[tuple[str, Any]], schema: Any) -> dict[str, Any]:
    """Form/multipart fields to an object: declared names (even `a[]`) are literal; other
    bracket keys nest (`a[b]=1` -> {"a": {"b": 1}}); repeats become arrays."""
    tree: dict[str, Any] = {}
    for key, value in fields:
        path = [key]
        bracket = key.find("[")
        if bracket > 0 and property_schema(index, schema, key) is None:
            segments = bracket_segments(key, bracket)
            if segments is not None and len(segments) <= MAX_DEPTH:
                path = [key[:bracket], *segments]
        if not insert_value(tree, path, value):
            insert_value(tree, [key], value)  # a conflicting nested key keeps its literal name
    value = materialize(index, tree, schema)
    return value if isinstance(value, dict) else {}


class UploadedFile(dict):
    """An uploaded file's metadata (the body keeps no file contents)."""


def parse_multipart(index: SpecIndex, body: bytes, options: dict[str, str], schema: Any) -> dict[str, Any] | str:
    """multipart/form-data to a dict, or a reason it is malformed.

    Parts need no Content-Type; names and values may be any UTF-8 (or, failing that, Latin-1)
    text; a part is a file when it has a filename or its property is binary."""
    boundary = options.get("boundary", "")
    if not boundary:
        return "the Content-Type has no boundary"
    try:
        raw_parts = _split_multipart(bytes(body), boundary.encode("utf-8", "replace"))
    except Exception as exc:  # python-multipart raises several types for bad input
        return detail_text(str(exc) or type(exc).__name__)
    if raw_parts is None:
        return "the closing boundary is missing"
    fields: list[tuple[str, Any]] = []
    for headers, data in raw_parts:
        disposition = _disposition(headers.get(b"content-disposition", b""))
        name = disposition.get("name")
        if name is None:
            continue  # RFC 7578 requires a name; a nameless part cannot be placed
        content_type = _decode_header(headers[b"content-type"]).strip() if b"content-type" in headers else None
        filename = disposition.get("filename")
        if filename is not None or is_binary(index, property_schema(index, schema, name)):
            fields.append((name, UploadedFile(filename=filename, content_type=content_type, size=len(data))))
            continue
        charset = charset_of(parse_media_type(content_type)[1]) if content_type else "utf-8"
        fields.append((name, clean_text(data.decode(charset, errors="replace"))))
    return _fields_to_object(index, fields, schema)


def _split_multipart(body: bytes, boundary: bytes) -> list[tuple[dict[bytes, bytes], bytes]] | None:
    """(headers, data) per part, via python-multipart's streaming parser; None if truncated."""
    parts: list[tuple[dict[bytes, bytes], bytes]] = []
    headers: dict[bytes, bytes] = {}
    name: list[bytes] = []
    value: list[bytes] = []
    data: list[bytes] = []
    ended = False

    def on_part_begin() -> None:
        headers.clear()
        data.clear()

    def on_header_field(chunk: bytes, start: int, end: int) -> None:
        name.append(chunk[start:end])

    def on_header_value(chunk: bytes, start: int, end: int) -> None:
        value.append(chunk[start:end])

    def on_header_end() -> None:
        headers[b"".join(name).strip().lower()] = b"".join(value).strip()
        name.clear()
        value.clear()

    def on_part_data(chunk: bytes, start: int, end: int) -> None:
        data.append(chunk[start:end])

    def on_part_end() -> None:
        parts.append((dict(headers), b"".join(data)))

    def on_end() -> None:
        nonlocal ended
        ended = True

    callbacks = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
        "on_end": on_end,
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    parser.write(body)
    parser.finalize()
    return parts if ended else None


def _decode_header(raw: bytes) -> str:
    """Header bytes as text: UTF-8 (what browsers and HTTP clients send), else Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _disposition(raw: bytes) -> dict[str, str]:
    """Content-Disposition parameters; RFC 5987 `name*=UTF-8''...` wins over the plain form."""
    _, options = parse_media_type(_decode_header(raw))
    result: dict[str, str] = {}
    for key in ("name", "filename"):
        extended = options.get(key + "*")
        if extended is not None and extended.count("'") >= 2:
            charset, _, encoded = extended.partition("'")
            encoded = encoded.partition("'")[2]
            result[key] = unquote(encoded, encoding=charset_of({"charset": charset or "utf-8"}), errors="replace")
        elif key in options:
            result[key] = options[key]
    return {k: clean_text(v) for k, v in result.items()}
