"""One valid request per operation, built from the spec alone: the input of sweeps and benchmarks.

Everything here is a pure function of (index, operation, seed, path values): parameters and
bodies are generated from their schemas (`direction="request"`, so `readOnly` fields stay out)
and serialized the way Telnyx clients send them. Path values that must name an existing record
(`/addresses/{id}`) cannot come from the spec; the caller passes them in, e.g. from
`store_path_values` (in-process) or from a list call (over HTTP).

Serialization, by OpenAPI style:

* query `deepObject` (explode): `filter[a][b]=v`, arrays as repeated keys (`filter[a]=1&filter[a]=2`);
* query `form`: names as given (the literal `page[size]` too); exploded arrays repeat the key,
  exploded objects spread their properties; unexploded ones join with commas;
* path and header `simple`: comma-joined; path values percent-encoded;
* bodies: JSON, `application/x-www-form-urlencoded` (nested keys in brackets, arrays repeated),
  `multipart/form-data` (text parts without a Content-Type, file parts with a filename), XML
  for `text/xml`, raw bytes for binary strings.
"""

import base64
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode
from xml.sax.saxutils import escape as xml_escape

import orjson

from conformance.server.auth import DEFAULT_TOKEN
from conformance.server.generation import GenerationError, generate
from conformance.server.routes import base_path
from spec.index import Operation, SpecIndex
from spec.pointer import escape, get

if TYPE_CHECKING:
    from conformance.server.state import Store

BOUNDARY = "telnyx-conformance-boundary-7f3a9c"
FILE_BYTES = b"%PDF-1.4\n% telnyx-conformance sample file\n"
PATH_ATTEMPTS = 8  # seeds tried for a path value that survives URL routing
BODY_PREFERENCE = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class SampleRequest:
    """A request ready to send: `path` is percent-encoded and includes the base path."""

    operation: Operation
    method: str
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_type: str | None = None

    @property
    def query_string(self) -> str:
        return urlencode(self.query, safe="[]", quote_via=quote)  # `filter[a]=1`, as Telnyx writes it

    @property
    def target(self) -> str:
        """Path plus query string, as it goes on the request line."""
        return f"{self.path}?{self.query_string}" if self.query else self.path

    def all_headers(self) -> dict[str, str]:
        """The headers to send, Content-Type included when there is a body."""
        headers = dict(self.headers)
        if self.content_type is not None:
            headers["Content-Type"] = self.content_type
        return headers


# --- the entry point ------------------------------------------------------------------------------


def build_request(
    index: SpecIndex,
    operation: Operation,
    *,
    seed: int = 0,
    token: str = DEFAULT_TOKEN,
    path_values: Mapping[str, str] | None = None,
    include_optional: bool = False,
) -> SampleRequest:
    """A valid request for `operation`: every path parameter, the required (or, with
    `include_optional`, all) query and header parameters, the body when the operation takes
    one, and credentials for its first security requirement. `path_values` override the
    generated value of a path parameter (ids of records that exist)."""
    path_values = path_values or {}
    params = index.parameters(operation)
    segments: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    for pointer, param in params:
        location, name = param.get("in"), str(param.get("name"))
        if location == "path":
            given = path_values.get(name)
            segments[name] = quote(given, safe="") if given is not None else path_segment(index, pointer, param, seed)
        elif not (param.get("required") is True or include_optional):
            continue
        elif location == "query":
            query.extend(query_pairs(param, _param_value(index, pointer, param, seed)))
        elif location == "header" and name.lower() not in ("accept", "content-type", "authorization"):
            headers[name] = simple_text(_param_value(index, pointer, param, seed), bool(param.get("explode")))
    headers.update(credentials(index, operation, token))
    body, content_type = request_body(index, operation, seed)
    path = base_path(index) + _fill(operation.path, segments)
    return SampleRequest(operation, operation.method.upper(), path, query, headers, body, content_type)


def _fill(template: str, segments: Mapping[str, str]) -> str:
    for name, value in segments.items():
        template = template.replace("{" + name + "}", value)
    return template


# --- parameters ---------------------------------------------------------------------------------


def _schema_pointer(pointer: str, param: dict[str, Any]) -> str | None:
    """Where the parameter's schema is: `schema`, or the first `content` entry's."""
    if "schema" in param:
        return f"{pointer}/schema"
    content = param.get("content")
    if isinstance(content, dict) and content:
        media = next(iter(content))
        return f"{pointer}/content/{escape(media)}/schema"
    return None


def _param_value(index: SpecIndex, pointer: str, param: dict[str, Any], seed: int, salt: int = 0) -> Any:
    schema_pointer = _schema_pointer(pointer, param)
    if schema_pointer is None:
        return "x"
    value = generate(index, schema_pointer, seed=seed + salt, direction="request")
    return orjson.dumps(value).decode() if "content" in param and "schema" not in param else value


def path_segment(index: SpecIndex, pointer: str, param: dict[str, Any], seed: int) -> str:
    """A percent-encoded path value. Servers decode the path before routing (ASGI's `path` is
    decoded), so a value holding `/` would change the route: such values are skipped."""
    text = ""
    for salt in range(PATH_ATTEMPTS):
        text = simple_text(_param_value(index, pointer, param, seed, salt), bool(param.get("explode")))
        if text and "/" not in text and text not in (".", ".."):
            break
    else:
        text = text.replace("/", "-") or "x"
    return quote(text, safe="")


def scalar_text(value: Any) -> str:
    """A scalar as Telnyx reads it in a URL or form: booleans lower-case, null empty."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


def simple_text(value: Any, explode: bool = False) -> str:
    """OAS `simple` style: arrays comma-joined, objects `k,v,...` (or `k=v,...` exploded)."""
    if isinstance(value, list):
        return ",".join(scalar_text(v) for v in value)
    if isinstance(value, dict):
        sep = "=" if explode else ","
        return ",".join(f"{k}{sep}{scalar_text(v)}" for k, v in value.items())
    return scalar_text(value)


def query_pairs(param: dict[str, Any], value: Any) -> list[tuple[str, str]]:
    """(name, text) pairs of one query parameter in its declared style."""
    name = str(param.get("name"))
    style = param.get("style", "form")
    explode = param.get("explode", style == "form")
    if "content" in param and "schema" not in param:
        return [(name, scalar_text(value))]
    if style == "deepObject":
        return bracket_pairs(name, value)
    if isinstance(value, list):
        if explode:
            return [(name, scalar_text(v)) for v in value]
        delimiter = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        return [(name, delimiter.join(scalar_text(v) for v in value))]
    if isinstance(value, dict):
        if explode:
            return [(str(k), scalar_text(v)) for k, v in value.items()]
        return [(name, simple_text(value))]
    return [(name, scalar_text(value))]


def bracket_pairs(prefix: str, value: Any) -> list[tuple[str, str]]:
    """`prefix[a][b]=v` pairs for nested objects; arrays repeat the key; arrays of objects
    take positions (`prefix[0][a]=v`), the only way to keep their members apart."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in bracket_pairs(f"{prefix}[{k}]", v)]
    if isinstance(value, list):
        if any(isinstance(v, (dict, list)) for v in value):
            return [pair for i, v in enumerate(value) for pair in bracket_pairs(f"{prefix}[{i}]", v)]
        return [(prefix, scalar_text(v)) for v in value]
    return [(prefix, scalar_text(value))]


# --- credentials ----------------------------------------------------------------------------------


def credentials(index: SpecIndex, operation: Operation, token: str) -> dict[str, str]:
    """The Authorization header for the operation's first non-empty security requirement
    (bearer: the token; basic: any client id with the token as secret); none when anonymous."""
    declared = operation.node.get("security", index.doc.get("security", []))
    schemes = index.doc.get("components", {}).get("securitySchemes", {})
    for option in declared if isinstance(declared, list) else []:
        if not isinstance(option, dict) or not option:
            continue
        scheme = schemes.get(next(iter(option)), {})
        if isinstance(scheme, dict) and str(scheme.get("scheme", "")).lower() == "basic":
            encoded = base64.b64encode(f"conformance-client:{token}".encode()).decode()
            return {"Authorization": f"Basic {encoded}"}
        return {"Authorization": f"Bearer {token}"}
    return {}


# --- bodies -----------------------------------------------------------------------------------------


def request_body(index: SpecIndex, operation: Operation, seed: int) -> tuple[bytes, str | None]:
    """(bytes, Content-Type) of a generated body; (b"", None) when the operation takes none."""
    raw = operation.node.get("requestBody")
    if raw is None:
        return b"", None
    pointer, body = index.deref(f"{operation.pointer}/requestBody", raw)
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict) or not content:
        return b"", None
    media = _preferred_media(content)
    media_object = content[media] if isinstance(content[media], dict) else {}
    schema_pointer = f"{pointer}/content/{escape(media)}/schema"
    value = generate(index, schema_pointer, seed=seed, direction="request") if "schema" in media_object else {}
    return encode_body(index, schema_pointer, media, value, media_object.get("encoding") or {})


def _preferred_media(content: Mapping[str, Any]) -> str:
    for media in BODY_PREFERENCE:
        if media in content:
            return media
    return next(iter(content))


def encode_body(
    index: SpecIndex, schema_pointer: str, media: str, value: Any, encoding: Mapping[str, Any]
) -> tuple[bytes, str]:
    """A generated value in the wire format of `media`; a wildcard (`*/*`) is sent as JSON for
    structured values and as an octet stream for strings (binary uploads)."""
    kind = media.split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        return urlencode(form_pairs(value), quote_via=quote).encode(), kind
    if kind == "multipart/form-data":
        return multipart_body(index, schema_pointer, value, encoding), f"multipart/form-data; boundary={BOUNDARY}"
    if kind.endswith("xml"):
        return xml_document(index, schema_pointer, value), kind
    if "json" in kind or (("*" in kind) and isinstance(value, (dict, list))):
        return orjson.dumps(value), "application/json" if "*" in kind else kind
    if "*" in kind:
        return _as_bytes(value), "application/octet-stream"
    return _as_bytes(value), kind


def _as_bytes(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else orjson.dumps(value)


def form_pairs(value: Any) -> list[tuple[str, str]]:
    """Form fields of an object: nested objects in brackets, arrays as repeated keys."""
    if not isinstance(value, dict):
        return []
    return [pair for k, v in value.items() for pair in bracket_pairs(str(k), v)]


def _property_schema(index: SpecIndex, schema_pointer: str, name: str) -> dict[str, Any]:
    """The (dereferenced) schema of a top-level property, looking through allOf; {} if unknown."""
    stack = [schema_pointer]
    seen: set[str] = set()
    while stack:
        pointer = stack.pop()
        if pointer in seen:
            continue
        seen.add(pointer)
        pointer, node = index.deref(pointer, get(index.doc, pointer, None))
        if not isinstance(node, dict):
            continue
        properties = node.get("properties")
        if isinstance(properties, dict) and name in properties:
            return index.deref("", properties[name])[1] or {}
        for keyword in ("allOf", "anyOf", "oneOf"):
            branches = node.get(keyword)
            if isinstance(branches, list):
                stack.extend(f"{pointer}/{keyword}/{i}" for i in range(len(branches)))
    return {}


def _is_file(schema: Mapping[str, Any]) -> bool:
    return schema.get("format") == "binary" or "contentMediaType" in schema or "contentEncoding" in schema


def multipart_body(index: SpecIndex, schema_pointer: str, value: Any, encoding: Mapping[str, Any]) -> bytes:
    """multipart/form-data: file fields (binary schemas) as uploads with a filename and the
    declared (or octet-stream) type; other fields as text parts without their own Content-Type,
    structured values as JSON text; arrays of scalars as repeated parts."""
    chunks: list[bytes] = []
    for name, item in (value if isinstance(value, dict) else {}).items():
        schema = _property_schema(index, schema_pointer, str(name))
        declared = encoding.get(name, {}).get("contentType") if isinstance(encoding.get(name), dict) else None
        if _is_file(schema):
            content_type = str(declared or schema.get("contentMediaType") or "application/octet-stream")
            chunks.append(_part(str(name), FILE_BYTES, filename=f"{name}.bin", content_type=content_type))
        elif isinstance(item, list) and not any(isinstance(v, (dict, list)) for v in item):
            chunks.extend(_part(str(name), scalar_text(v).encode()) for v in item)
        else:
            chunks.append(_part(str(name), scalar_text(item).encode()))
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


def _part(name: str, data: bytes, *, filename: str | None = None, content_type: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    return head.encode() + b"\r\n" + data + b"\r\n"


def xml_document(index: SpecIndex, schema_pointer: str, value: Any) -> bytes:
    """A small XML rendering of a generated value; the root element is the schema's `xml.name`
    (or its title), children are property names, arrays repeat their element."""
    _, schema = index.deref(schema_pointer, get(index.doc, schema_pointer, None))
    schema = schema if isinstance(schema, dict) else {}
    xml = schema.get("xml") if isinstance(schema.get("xml"), dict) else {}
    root = str(xml.get("name") or schema.get("title") or "Request")
    return ('<?xml version="1.0" encoding="UTF-8"?>' + _xml_element(root, value)).encode()


def _xml_element(name: str, value: Any) -> str:
    if isinstance(value, list):
        return "".join(_xml_element(name, v) for v in value)
    if isinstance(value, dict):
        inner = "".join(_xml_element(str(k), v) for k, v in value.items())
    else:
        inner = xml_escape(scalar_text(value))
    return f"<{name}>{inner}</{name}>"


# --- path values of records that exist ------------------------------------------------------------


def store_path_values(store: "Store", operation: Operation, *, last: bool = False) -> dict[str, str]:
    """Ids of existing records for every collection whose item path prefixes the operation's
    path (`/addresses/{id}` and `/addresses/{id}/actions/x` need a real `id`). The first record
    by default; `last=True` picks the last one, so a sweep's DELETEs do not remove the records
    its other requests use."""
    values: dict[str, str] = {}
    for collection in store.collections.values():
        item = collection.item_path
        if operation.path == item or operation.path.startswith(item + "/"):
            records = store.records(collection)
            if records:
                values[collection.id_param] = records[-1 if last else 0][0]
    return values


def sweep_order(operations: Iterable[Operation]) -> list[Operation]:
    """Every operation once, so that no request needs a record an earlier one removed:
    DELETEs last, deepest paths first (`/x/{id}/y/{y_id}` before `/x/{id}`)."""
    operations = list(operations)
    deletes = sorted((o for o in operations if o.method == "delete"), key=lambda o: -o.path.count("/"))
    return [o for o in operations if o.method != "delete"] + deletes


def build_all(
    index: SpecIndex,
    store: "Store | None" = None,
    *,
    seed: int = 0,
    token: str = DEFAULT_TOKEN,
    include_optional: bool = False,
) -> Iterator[SampleRequest | GenerationError]:
    """One request per operation in `sweep_order`, built lazily so that each sees the store as
    the requests before it left it (ids from `store_path_values`; none without a store). A
    GenerationError stands in for an operation whose schemas defeat the generator, so a sweep
    reports it rather than stopping."""
    for operation in sweep_order(index.operations):
        values = store_path_values(store, operation, last=operation.method == "delete") if store else None
        try:
            yield build_request(
                index, operation, seed=seed, token=token, path_values=values, include_optional=include_optional
            )
        except GenerationError as exc:
            yield exc
