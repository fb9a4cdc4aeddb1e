"""Responses the server sends, and the documented success response of any operation.

Bodies are generated from the operation's own response schema (deterministically, by seed),
so every answer is valid against what the spec documents; they are cached per operation,
status and seed because the same request always gets the same generic answer.
"""

from dataclasses import dataclass, field
from typing import Any

import orjson

from conformance.server.generation import generate
from spec.index import Operation, SpecIndex
from spec.telnyx import JSON, media_type, response_object, success_status


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = JSON

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        headers = {k.lower(): v for k, v in self.headers.items()}
        if self.content_type and self.body and "content-type" not in headers:
            headers["content-type"] = self.content_type
        headers["content-length"] = str(len(self.body))
        return [(k.encode("latin-1"), str(v).encode("latin-1", "replace")) for k, v in headers.items()]


def json_bytes(value: Any) -> bytes:
    """JSON for a body, also when it echoes a client's integer beyond 64 bits (a page number
    of 10**30 is valid input), which orjson refuses and the standard library writes."""
    try:
        return orjson.dumps(value)
    except TypeError:
        import json

        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def status_number(status: str) -> int:
    if status.isdigit():
        return int(status)
    return 200 if status in ("2XX", "default") else int(status[0]) * 100


def render(
    index: SpecIndex, operation: Operation, status: str, *, seed: int, overrides: dict[str, Any] | None = None
) -> Response:
    """The documented response for `status`, its body generated from the schema."""
    pointer, node = response_object(index, operation, status)
    kind = media_type(node)
    headers = _documented_headers(index, pointer, node, seed)
    if kind is None:
        return Response(status_number(status), b"", headers, None)
    schema_pointer = f"{pointer}/content/{kind.replace('~', '~0').replace('/', '~1')}/schema"
    media = node["content"][kind] if isinstance(node["content"][kind], dict) else {}
    if "json" in kind:
        value = generate(index, schema_pointer, seed=seed, overrides=overrides) if "schema" in media else {}
        return Response(status_number(status), orjson.dumps(value), headers, kind)
    return Response(status_number(status), _non_json_body(index, schema_pointer, media, kind, seed), headers, kind)


_CACHE: dict[tuple[int, str, int], Response] = {}
_BODIES: dict[tuple[int, str, int], Any] = {}


def success_body(index: SpecIndex, operation: Operation, *, seed: int) -> tuple[Response, Any]:
    """The generic success response and its parsed JSON body, generated once: list requests
    reuse it as the envelope and swap in their page (generation is the costly part)."""
    response = success_response(index, operation, seed=seed)
    key = (id(index), operation.pointer, seed)
    if key not in _BODIES:
        try:
            _BODIES[key] = orjson.loads(response.body) if response.body else None
        except orjson.JSONDecodeError:
            _BODIES[key] = None
    return response, _BODIES[key]


def success_response(index: SpecIndex, operation: Operation, *, seed: int) -> Response:
    status = success_status(operation)
    if status is None:
        return Response(204, b"", {}, None)
    key = (id(index), operation.pointer, seed)
    cached = _CACHE.get(key)
    if cached is None:
        cached = _CACHE[key] = render(index, operation, status, seed=seed)
    return Response(cached.status, cached.body, dict(cached.headers), cached.content_type)


def _documented_headers(index: SpecIndex, pointer: str, node: dict[str, Any], seed: int) -> dict[str, str]:
    headers: dict[str, str] = {}
    declared = node.get("headers")
    if not isinstance(declared, dict):
        return headers
    for name, header in declared.items():
        if name.lower() in ("content-type", "content-length") or name.lower().startswith("x-ratelimit"):
            continue
        header_pointer, header = index.deref(f"{pointer}/headers/{name.replace('~', '~0').replace('/', '~1')}", header)
        if isinstance(header, dict) and isinstance(header.get("schema"), dict):
            value = generate(index, header_pointer + "/schema", seed=seed)
            headers[name.lower()] = value if isinstance(value, str) else orjson.dumps(value).decode()
    return headers


def _non_json_body(index: SpecIndex, schema_pointer: str, media: dict[str, Any], kind: str, seed: int) -> bytes:
    example = media.get("example")
    if isinstance(example, str):
        return example.encode("utf-8")
    if kind.startswith("text/") or kind.endswith("xml"):
        value = generate(index, schema_pointer, seed=seed) if "schema" in media else ""
        return (value if isinstance(value, str) else orjson.dumps(value).decode()).encode("utf-8")
    return bytes(range(16))  # audio, images, octet streams: a small binary payload
