"""Request parsing and validation for the reference server: pure functions, no sockets.

Given one operation of the spec and the raw parts of an HTTP request, decide whether the request
is valid; when it is not, name the offending part in Telnyx's error envelope (`source.parameter`
as the client spelled it, e.g. `page[size]`, or `source.pointer` into the body). Either way the
parsed values come back coerced to their schema types, because the server filters, paginates
and creates records from them.

Why hand-written rather than a library: the Telnyx spec mixes OpenAPI styles that off-the-shelf
request validators get wrong or crash on (deepObject filters next to parameters literally named
`page[size]`, multipart parts without a Content-Type, non-Latin-1 field names, 3.0 leftovers in a
3.1 document). Every entry point here is total: any bytes, query or header yield a verdict.

Status codes follow what the spec documents, so a conforming client never sees an
undocumented one: malformed syntax (query, JSON, form, multipart) is 400, values that break the
schema 422, each replaced by the other where only the other is documented; an unsupported
Content-Type is 415 where documented (nowhere in the pinned spec), else 400 or 422 likewise.
"""

import codecs
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import parse_qsl, unquote

import jsonschema_rs
import orjson
from python_multipart.multipart import MultipartParser

from spec.formats import StrictFormat30, StrictFormat31
from spec.index import SPEC_URI, Operation, SpecIndex, schema_ref
from spec.pointer import escape, from_parts
from spec.pointer import get as pointer_get

# python-multipart logs each malformed body it also raises for; without a handler those lines
# would reach stderr through logging's last resort on every bad request. A NullHandler keeps
# them out of stderr and still lets an application that configures logging see them.
logging.getLogger("python_multipart.multipart").addHandler(logging.NullHandler())

# --- the error table -----------------------------------------------------------------------------

# One row per kind of problem: (Telnyx code, title, HTTP status class). Codes and titles are
# Telnyx's documented API error codes (developers.telnyx.com/docs/overview/errors): 10004 is
# "Missing required parameter", 10015 "Bad Request" (the code the spec's own 400/422 examples
# use for invalid values, with `source.pointer`), 10014 "Unsupported Media Type", 10023
# "Invalid JSON". The status class is resolved per operation by `_status_for`.
ERROR_TABLE: dict[str, tuple[str, str, str]] = {
    "missing_parameter": ("10004", "Missing required parameter", "semantic"),
    "invalid_parameter": ("10015", "Invalid parameter", "semantic"),
    "invalid_value": ("10015", "Invalid value", "semantic"),
    "malformed_request": ("10015", "Bad Request", "syntax"),
    "invalid_json": ("10023", "Invalid JSON", "syntax"),
    "unsupported_media_type": ("10014", "Unsupported Media Type", "media"),
    # Only reached if a bug slips past the parsers: the safety net of `validate_request`.
    "internal": ("10015", "Bad Request", "syntax"),
}

ERROR_DOCS_URL = "https://developers.telnyx.com/docs/overview/errors/"
MAX_ERRORS = 20  # per request: enough to fix a request, bounded against pathological bodies
MAX_DETAIL = 400  # characters of a validator message kept in `detail`
MAX_DEPTH = 16  # bracket segments in one query/form key (`filter[a][b]...`)
SCALARS = frozenset({"string", "integer", "number", "boolean", "null"})
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})  # OAS: such header params are ignored


@dataclass(frozen=True)
class ApiError:
    """One item of Telnyx's `errors` array; `kind` is the row of `ERROR_TABLE` it came from."""

    kind: str
    detail: str
    pointer: str | None = None
    parameter: str | None = None

    @property
    def code(self) -> str:
        return ERROR_TABLE[self.kind][0]

    @property
    def title(self) -> str:
        return ERROR_TABLE[self.kind][1]

    @property
    def source(self) -> dict[str, str]:
        if self.parameter is not None:
            return {"parameter": self.parameter}
        if self.pointer is not None:
            return {"pointer": self.pointer}
        return {}

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {"code": self.code, "title": self.title, "detail": self.detail}
        source = self.source
        if source:
            item["source"] = source
        item["meta"] = {"url": ERROR_DOCS_URL + self.code}
        return item


@dataclass(frozen=True)
class RequestParts:
    """The raw request as the server received it; `query` is decoded, in order, repeats kept."""

    method: str
    path_params: dict[str, str]
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    content_type: str | None
    body: bytes


@dataclass
class RequestCheck:
    """The verdict (`status` None when valid) and the parsed, type-coerced values."""

    errors: list[ApiError] = field(default_factory=list)
    status: int | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=lambda: {"path": {}, "query": {}, "header": {}})
    body: Any = None
    media_type: str | None = None  # the declared request media type the body was matched to

    @property
    def ok(self) -> bool:
        return self.status is None


# --- entry point -----------------------------------------------------------------------------------


def validate_request(index: SpecIndex, operation: Operation, parts: RequestParts) -> RequestCheck:
    """Parse and validate `parts` against `operation`; never raises.

    The safety net turns an unexpected exception into a 400 of kind "internal" rather than a
    crashed server; the fuzz tests assert it is never reached."""
    try:
        return _validate(index, operation, parts)
    except Exception as exc:  # a bug, not a verdict: keep serving
        error = ApiError("internal", _plain(f"The request could not be processed ({type(exc).__name__})."), pointer="")
        return RequestCheck(errors=[error], status=400)


def _validate(index: SpecIndex, operation: Operation, parts: RequestParts) -> RequestCheck:
    plan = _plan(index, operation)
    check = RequestCheck()
    errors = check.errors
    _check_path(plan, parts.path_params, check.params["path"], errors)
    _check_query(plan, parts.query, check.params["query"], errors)
    _check_headers(plan, parts.headers, check.params["header"], errors)
    if plan.body is not None:
        _check_body(plan, parts, check, errors)
    if errors:
        check.errors = _one_per_source(errors)
        check.status = _status_for(plan, check.errors)
    return check


def path_value_valid(index: SpecIndex, pointer: str, raw: dict[str, Any], text: str) -> bool:
    """Would a request carrying `text` for this path parameter pass validation? The server's
    state asks before it mints a record id, so that every id it lists can be requested back."""
    param = _build_param(index, pointer, raw)
    if param is None:
        return True
    plan = _Plan(index, (param,), {}, {}, (), None, semantic_status=422, media_status=400)
    errors: list[ApiError] = []
    try:
        _check_path(plan, {param.name: text}, {}, errors)
    except Exception:
        return False
    return not errors


def _one_per_source(errors: list[ApiError]) -> list[ApiError]:
    """The first error for each parameter/pointer (a bad value often breaks both `type` and
    `enum`; one message per field is what a client can act on), at most MAX_ERRORS."""
    seen: set[tuple[str | None, str | None]] = set()
    kept: list[ApiError] = []
    for error in errors:
        key = (error.parameter, error.pointer)
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return kept[:MAX_ERRORS]


def _status_for(plan: "_Plan", errors: list[ApiError]) -> int:
    """Media-type problems first, then syntax (400), then schema violations."""
    classes = {ERROR_TABLE[e.kind][2] for e in errors}
    if "media" in classes:
        return plan.media_status
    if "syntax" in classes:
        return plan.syntax_status
    return plan.semantic_status


# --- per-operation plans (cached) ------------------------------------------------------------------


@dataclass(frozen=True)
class _Param:
    name: str
    location: str
    required: bool
    style: str
    explode: bool
    schema: Any  # the raw (possibly $ref) schema, for coercion
    validator: Any  # compiled, or None when the schema does not compile (lenient)
    is_array: bool  # values always form a list (repeats and delimiters)
    allow_empty: bool  # `allowEmptyValue`: `?delete` / `?delete=` is the whole value (S3-style flags)
    json_content: bool  # declared with `content: application/json`: the value is JSON text


@dataclass(frozen=True)
class _Body:
    required: bool
    media: dict[str, tuple[Any, Any]]  # declared media type (lower) -> (schema, validator)


@dataclass(frozen=True)
class _Plan:
    index: SpecIndex
    path: tuple[_Param, ...]
    query: dict[str, _Param]  # exact names, including literal `page[size]`
    deep: dict[str, _Param]  # deepObject parameters by base name
    header: tuple[_Param, ...]
    body: _Body | None
    semantic_status: int
    media_status: int
    syntax_status: int = 400


def _plans(index: SpecIndex) -> dict[str, _Plan]:
    return {}


def _plan(index: SpecIndex, operation: Operation) -> _Plan:
    plans = index.shared(_plans)
    plan = plans.get(operation.pointer)
    if plan is None:
        plan = plans[operation.pointer] = _build_plan(index, operation)
    return plan


def _build_plan(index: SpecIndex, operation: Operation) -> _Plan:
    """Everything about an operation that does not depend on the request, computed once."""
    path: list[_Param] = []
    query: dict[str, _Param] = {}
    deep: dict[str, _Param] = {}
    header: list[_Param] = []
    for pointer, raw in index.parameters(operation):
        param = _build_param(index, pointer, raw)
        if param is None:
            continue
        if param.location == "path":
            path.append(param)
        elif param.location == "query":
            (deep if param.style == "deepObject" else query)[param.name] = param
        elif param.location == "header" and param.name.lower() not in IGNORED_HEADERS:
            header.append(param)
    responses = operation.node.get("responses")
    documented = {str(code) for code in responses} if isinstance(responses, dict) else set()
    semantic = 400 if "400" in documented and "422" not in documented else 422
    return _Plan(
        index=index,
        path=tuple(path),
        query=query,
        deep=deep,
        header=tuple(header),
        body=_build_body(index, operation),
        semantic_status=semantic,
        media_status=415 if "415" in documented else (400 if "400" in documented or "422" not in documented else 422),
        # malformed syntax is a 400, unless the operation documents only 422 for bad input
        syntax_status=422 if "422" in documented and "400" not in documented else 400,
    )


def _build_param(index: SpecIndex, pointer: str, raw: dict[str, Any]) -> _Param | None:
    name, location = raw.get("name"), raw.get("in")
    if not isinstance(name, str) or location not in ("path", "query", "header"):
        return None  # cookies are not parsed; a nameless parameter cannot be matched
    default_style = "form" if location == "query" else "simple"
    style = raw.get("style") if isinstance(raw.get("style"), str) else default_style
    explode = raw.get("explode") if isinstance(raw.get("explode"), bool) else style == "form"
    schema_pointer, schema, json_content = f"{pointer}/schema", raw.get("schema"), False
    content = raw.get("content")
    if schema is None and isinstance(content, dict) and content:
        media = next(iter(content))
        media_object = content[media]
        schema = media_object.get("schema") if isinstance(media_object, dict) else None
        schema_pointer = f"{pointer}/content/{escape(media)}/schema"
        json_content = _is_json(str(media).lower())
    validator = _validator(index, schema_pointer) if schema is not None else None
    types = _types(index, schema)
    return _Param(
        name=name,
        location=location,
        required=raw.get("required") is True or location == "path",
        style=style,
        explode=explode,
        schema=schema,
        validator=validator,
        is_array="array" in types and not (types & (SCALARS | {"object"})) and not json_content,
        allow_empty=raw.get("allowEmptyValue") is True and location == "query",
        json_content=json_content,
    )


def _build_body(index: SpecIndex, operation: Operation) -> _Body | None:
    raw = operation.node.get("requestBody")
    if raw is None:
        return None
    pointer, body = index.deref(f"{operation.pointer}/requestBody", raw)
    if not isinstance(body, dict):
        return None
    media: dict[str, tuple[Any, Any]] = {}
    content = body.get("content")
    if isinstance(content, dict):
        for name, media_object in content.items():
            schema = media_object.get("schema") if isinstance(media_object, dict) else None
            validator = None
            if schema is not None:
                validator = _validator(index, f"{pointer}/content/{escape(name)}/schema")
            media[str(name).split(";")[0].strip().lower()] = (schema, validator)
    return _Body(required=body.get("required") is True, media=media)


# --- compiled validators over a request-normalized copy of the document ---------------------------


def _request_registry(index: SpecIndex) -> Any:
    """A jsonschema-rs registry over a copy of the document with 3.0 leftovers normalized.

    `nullable: true` becomes a "null" type (Telnyx accepts null where it says nullable, and
    JSON Schema would reject it), and boolean `exclusiveMinimum`/`exclusiveMaximum` (which do
    not compile under 2020-12) become their numeric forms. Pointers are unchanged, so a
    validator is still named by its pointer in the original document. None when the document
    cannot be copied or registered (validators then fall back to the index's own registry)."""
    try:
        return _build_registry(index)
    except Exception:
        return None


def _build_registry(index: SpecIndex) -> Any:
    try:
        copy = orjson.loads(orjson.dumps(index.doc, option=orjson.OPT_NON_STR_KEYS))
    except (TypeError, orjson.JSONEncodeError):
        import copy as copying

        copy = copying.deepcopy(index.doc)
    nodes = [node for node in (pointer_get(copy, pointer, None) for pointer, _ in index.schemas) if node]
    for node in nodes:
        if isinstance(node, dict):
            _normalize_schema(node, index.is_31)
    draft = jsonschema_rs.Draft202012 if index.is_31 else jsonschema_rs.Draft4
    return jsonschema_rs.Registry([(SPEC_URI, copy)], draft=draft)


def _normalize_schema(node: dict[str, Any], is_31: bool) -> None:
    if is_31:
        for keyword, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = node.get(keyword)
            if value is True and isinstance(node.get(bound), (int, float)):
                node[keyword] = node.pop(bound)
            elif isinstance(value, bool):
                del node[keyword]
    if node.get("nullable") is not True:
        return
    del node["nullable"]
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
    elif isinstance(kind, list):
        if "null" not in kind:
            node["type"] = [*kind, "null"]
    else:
        inner = dict(node)
        node.clear()
        node["anyOf"] = [inner, {"type": "null"}]
        return
    enum = node.get("enum")
    if isinstance(enum, list) and None not in enum:
        node["enum"] = [*enum, None]


def _validators(index: SpecIndex) -> dict[str, Any]:
    return {}


def _validator(index: SpecIndex, pointer: str) -> Any:
    """The compiled validator for the schema at `pointer`, or None when it cannot compile: a
    schema we cannot compile is checked leniently (coercion only) rather than crashing."""
    cache = index.shared(_validators)
    if pointer not in cache:
        cache[pointer] = _compile(index, pointer)
    return cache[pointer]


def _compile(index: SpecIndex, pointer: str) -> Any:
    cls = jsonschema_rs.Draft202012Validator if index.is_31 else jsonschema_rs.Draft4Validator
    registry = index.shared(_request_registry)
    # Formats as a strict client asserts them (spec/formats.py): JSON Schema formats as
    # jsonschema-rs checks them, Telnyx formats (url, E.164...) by their definitions, and
    # int32/int64 ranges, which jsonschema-rs does not know (2**31 is no int32).
    keywords = {"format": StrictFormat31 if index.is_31 else StrictFormat30}
    if registry is not None:
        try:
            return cls(schema_ref(pointer), registry=registry, keywords=keywords)
        except Exception:
            pass
    try:
        return index.schema_validator(pointer, keywords=keywords, validate_formats=False)
    except Exception:
        return None


def _schema_errors(validator: Any, instance: Any) -> list[Any]:
    if validator is None:
        return []
    try:
        if validator.is_valid(instance):
            return []
        return list(islice(validator.iter_errors(instance), MAX_ERRORS))
    except Exception:  # an instance the engine cannot take: lenient, as for uncompilable schemas
        return []


# --- schema lookups for coercion ---------------------------------------------------------------------


def _deref(index: SpecIndex, schema: Any) -> Any:
    if isinstance(schema, dict) and "$ref" in schema:
        return index.deref("", schema)[1]
    return schema


def _types(index: SpecIndex, schema: Any, depth: int = 0) -> frozenset[str]:
    """The JSON types a schema admits, looking through $ref and combinators; empty = any.

    Only used to decide how to read text (is "20" a number?), so it may over-approximate."""
    schema = _deref(index, schema)
    if not isinstance(schema, dict) or depth > 8:
        return frozenset()
    kind = schema.get("type")
    if isinstance(kind, str):
        found = {kind}
    elif isinstance(kind, list):
        found = {k for k in kind if isinstance(k, str)}
    else:
        found = set()
        for keyword in ("allOf", "anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list):
                for branch in branches:
                    found |= _types(index, branch, depth + 1)
        if not found:
            if "properties" in schema:
                found.add("object")
            elif "items" in schema:
                found.add("array")
            elif isinstance(schema.get("enum"), list):
                found |= {_json_type(value) for value in schema["enum"]}
    if schema.get("nullable") is True and found:
        found.add("null")
    return frozenset(found)


def _json_type(value: Any) -> str:
    """The parsed value's own type, to decide whether it still needs coercing (a float stays
    "number" here; spec.rules.schemas.json_type_of reads 1.0 as JSON Schema's "integer")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def _property(index: SpecIndex, schema: Any, name: str, depth: int = 0) -> Any:
    """The subschema for property `name`, searching combinators; None when undeclared."""
    schema = _deref(index, schema)
    if not isinstance(schema, dict) or depth > 8:
        return None
    properties = schema.get("properties")
    if isinstance(properties, dict) and name in properties:
        return properties[name]
    for keyword in ("allOf", "anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list):
            for branch in branches:
                found = _property(index, branch, name, depth + 1)
                if found is not None:
                    return found
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def _items(index: SpecIndex, schema: Any, depth: int = 0) -> Any:
    schema = _deref(index, schema)
    if not isinstance(schema, dict) or depth > 8:
        return None
    items = schema.get("items")
    if isinstance(items, dict):
        return items
    for keyword in ("allOf", "anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list):
            for branch in branches:
                found = _items(index, branch, depth + 1)
                if found is not None:
                    return found
    return None


def _is_binary(index: SpecIndex, schema: Any) -> bool:
    """A file field: `format: binary` (3.0 style) or contentMediaType/contentEncoding (3.1)."""
    schema = _deref(index, schema)
    if not isinstance(schema, dict):
        return False
    return schema.get("format") == "binary" or "contentMediaType" in schema or "contentEncoding" in schema


# --- text to typed values ------------------------------------------------------------------------------

_INTEGER = re.compile(r"-?[0-9]{1,4000}")
_NUMBER = re.compile(r"-?[0-9]{1,400}(?:\.[0-9]{1,400})?(?:[eE][+-]?[0-9]{1,4})?")


def _coerce(text: str, types: frozenset[str]) -> Any:
    """Read query/form/header text as the schema's type; text that does not read stays text, so
    the validator names the type error instead of the parser guessing."""
    if not types:
        return text
    if "integer" in types and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in types and _NUMBER.fullmatch(text):
        if _INTEGER.fullmatch(text):
            return int(text)
        number = float(text)
        if number not in (float("inf"), float("-inf")):
            return number
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    if "string" in types:
        return text
    if "null" in types and text in ("null", ""):
        return None
    if types & {"object", "array"}:
        if text == "":
            return {} if "object" in types else []  # how an empty object/array is written
        if text[:1] in "{[":
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                return text
            if _json_type(value) in types:
                return value
    return text


class _Leaf:
    """The raw values sent for one key (several when the key repeats)."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: list[Any] = []


def _materialize(index: SpecIndex, node: Any, schema: Any, depth: int = 0, *, empty_object: bool = False) -> Any:
    """Turn a tree of bracket keys into typed values, reading each leaf by its subschema.

    What a bracket means is decided here, by the schema, not by the parser: under an array
    `[0]`, `[1]` are positions and `[]` appends; under an object they are keys like any other
    (`filter[]=x` may be a property named "")."""
    if isinstance(node, _Leaf):
        if len(node.values) > 1:
            item_types = _types(index, _items(index, schema))
            return [_coerce(v, item_types) if isinstance(v, str) else v for v in node.values]
        value = node.values[0]
        if not isinstance(value, str):
            return value
        types = _types(index, schema)
        if empty_object and value == "" and "object" in types:
            return {}
        if "array" in types and not (types & (SCALARS | {"object"})) and not value.startswith("["):
            return [_coerce(value, _types(index, _items(index, schema)))] if value else []
        return _coerce(value, types)
    types = _types(index, schema)
    if "array" in types and "object" not in types and node and all(_is_position(k) for k in node):
        items = _items(index, schema)
        result: list[Any] = []
        for key in sorted(node, key=lambda k: int(k) if k else -1):
            child = node[key]
            if key == "" and isinstance(child, _Leaf):
                item_types = _types(index, items)
                result.extend(_coerce(v, item_types) if isinstance(v, str) else v for v in child.values)
            else:
                result.append(_materialize(index, child, items, depth + 1, empty_object=empty_object))
        return result
    return {
        key: _materialize(index, child, _property(index, schema, key), depth + 1, empty_object=empty_object)
        for key, child in node.items()
    }


def _is_position(key: str) -> bool:
    return key == "" or (key.isdigit() and key.isascii() and len(key) < 10)


def _segments(key: str, start: int) -> list[str] | None:
    """`[a][b][]` from `start` as ["a", "b", ""]; None when the brackets do not parse."""
    segments: list[str] = []
    i, size = start, len(key)
    while i < size:
        if key[i] != "[":
            return None
        j = key.find("]", i + 1)
        if j < 0:
            return None
        segments.append(key[i + 1 : j])
        i = j + 1
    return segments


def _insert(tree: dict[str, Any], path: list[str], value: Any) -> bool:
    """Put `value` at `path`; False when the key conflicts with another (`a[b]=1`, `a[b][c]=2`)."""
    if not path:
        return False
    node = tree
    for segment in path[:-1]:
        child = node.get(segment)
        if child is None:
            child = node[segment] = {}
        elif not isinstance(child, dict):
            return False
        node = child
    leaf = node.get(path[-1])
    if leaf is None:
        leaf = node[path[-1]] = _Leaf()
    elif not isinstance(leaf, _Leaf):
        return False
    leaf.values.append(value)
    return True


# --- parameters ------------------------------------------------------------------------------------


def _check_path(plan: _Plan, path_params: Any, out: dict[str, Any], errors: list[ApiError]) -> None:
    for param in plan.path:
        raw = path_params.get(param.name) if isinstance(path_params, dict) else None
        if raw is None:
            errors.append(_missing(param))
            continue
        _finish_param(plan, param, _split(param, [_text(raw)]), out, errors)


def _check_headers(plan: _Plan, headers: Any, out: dict[str, Any], errors: list[ApiError]) -> None:
    for param in plan.header:
        raw = headers.get(param.name.lower()) if isinstance(headers, dict) else None
        if raw is None:
            if param.required:
                errors.append(_missing(param))
            continue
        _finish_param(plan, param, _split(param, [_text(raw).strip()]), out, errors)


def _check_query(plan: _Plan, query: Any, out: dict[str, Any], errors: list[ApiError]) -> None:
    collected: dict[str, list[str]] = {}
    deep: dict[str, Any] = {}  # deepObject name -> a tree of its bracket keys, or a _Leaf if sent plain
    if plan.query or plan.deep:
        for pair in query or ():
            key, value = _pair(pair)
            if key in plan.query:
                collected.setdefault(key, []).append(value)
            elif key.endswith("[]") and key[:-2] in plan.query and plan.query[key[:-2]].is_array:
                collected.setdefault(key[:-2], []).append(value)
            elif plan.deep:
                _collect_deep(plan, key, value, deep, errors)
    for name, param in plan.query.items():
        values = collected.get(name)
        if values is None:
            if param.required:
                errors.append(_missing(param))
            continue
        _finish_param(plan, param, _split(param, values), out, errors)
    for name, param in plan.deep.items():
        tree = deep.get(name)
        if tree is None:
            if param.required:
                errors.append(_missing(param))
            continue
        if isinstance(tree, _Leaf):  # `filter=x`: not a deepObject spelling, judged as sent
            value = tree.values[0] if len(tree.values) == 1 else tree.values
        else:
            value = _materialize(plan.index, tree, param.schema)
        found = _schema_errors(param.validator, value)
        if found and not isinstance(tree, _Leaf):
            # `filter[a]=` is how a client writes both "" and {} at `a`: when "" fails, the
            # other reading decides.
            other = _materialize(plan.index, tree, param.schema, empty_object=True)
            if other != value and not _schema_errors(param.validator, other):
                value, found = other, []
        out[name] = value
        for error in found:
            errors.append(_param_error(param, error))


def _collect_deep(plan: _Plan, key: str, value: str, deep: dict[str, Any], errors: list[ApiError]) -> None:
    """File `filter[a][b]=x` in the tree of the deepObject parameter `filter`. `filter=x` is
    kept as the plain text it is, so the schema rejects it: a deepObject is never sent that way
    (an empty object is sent as no key at all)."""
    bracket = key.find("[")
    base = key if bracket < 0 else key[:bracket]
    if base not in plan.deep:
        return  # unknown parameters are ignored
    current = deep.get(base)
    if bracket < 0:
        if current is None:
            current = deep[base] = _Leaf()
        elif not isinstance(current, _Leaf):
            errors.append(_malformed_parameter(key, "is sent both as a value and as an object"))
            return
        current.values.append(value)
        return
    segments = _segments(key, bracket)
    if segments is None:
        return  # not a bracket key of this parameter after all: ignored like any unknown key
    if len(segments) > MAX_DEPTH:
        errors.append(_malformed_parameter(key, f"nests deeper than {MAX_DEPTH} levels"))
        return
    if current is None:
        current = deep[base] = {}
    if isinstance(current, _Leaf) or not _insert(current, segments, value):
        errors.append(_malformed_parameter(key, "conflicts with another key of the same parameter"))


def _split(param: _Param, values: list[str]) -> list[str]:
    """Array values: delimited styles split (form explode=false by comma, etc.)."""
    if not param.is_array or (param.explode and param.location == "query"):
        return values
    delimiter = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(param.style, ",")
    return [item for value in values if value != "" for item in value.split(delimiter)]


def _finish_param(plan: _Plan, param: _Param, values: list[str], out: dict[str, Any], errors: list[ApiError]) -> None:
    index = plan.index
    if param.allow_empty and all(v == "" for v in values):
        out[param.name] = ""
        return
    if param.json_content:
        try:
            value = orjson.loads(values[0])
        except orjson.JSONDecodeError as exc:
            errors.append(_malformed_parameter(param.name, f"is not valid JSON ({_plain(str(exc))})"))
            return
    elif param.is_array:
        item_types = _types(index, _items(index, param.schema))
        value = [_coerce(v, item_types) for v in values]
    elif len(values) == 1:
        value = _coerce(values[0], _types(index, param.schema))
    else:  # a repeated scalar: kept as a list, so the schema reports it
        types = _types(index, param.schema)
        value = [_coerce(v, types) for v in values]
    out[param.name] = value
    for error in _schema_errors(param.validator, value):
        errors.append(_param_error(param, error))


def _missing(param: _Param) -> ApiError:
    detail = f"The required {param.location} parameter '{_plain(param.name)}' is missing."
    return ApiError("missing_parameter", detail, parameter=param.name)


def _malformed_parameter(name: str, problem: str) -> ApiError:
    name = _plain(name)
    return ApiError("malformed_request", f"The query parameter '{name}' {problem}.", parameter=name)


def _param_error(param: _Param, error: Any) -> ApiError:
    """A schema violation inside a parameter, named the way it was sent (`filter[status][eq]`)."""
    path = [str(p) for p in error.instance_path if isinstance(p, str)]
    kind = "invalid_parameter"
    missing = _required_property(error)
    if missing is not None:
        path.append(missing)
        kind = "missing_parameter"
    name = param.name + "".join(f"[{p}]" for p in path) if param.style == "deepObject" else param.name
    name = _plain(name)
    return ApiError(kind, f"The {param.location} parameter '{name}' is invalid: {_message(error)}", parameter=name)


# --- body --------------------------------------------------------------------------------------------


def _check_body(plan: _Plan, parts: RequestParts, check: RequestCheck, errors: list[ApiError]) -> None:
    body_spec = plan.body
    assert body_spec is not None
    body = parts.body if isinstance(parts.body, (bytes, bytearray)) else _text(parts.body).encode()
    raw_type = parts.content_type
    if raw_type is None and isinstance(parts.headers, dict):
        raw_type = parts.headers.get("content-type")
    media, options = _parse_media_type(_text(raw_type) if raw_type is not None else "")
    declared = _match_media(body_spec, media)
    if not body:
        _check_empty_body(plan, body_spec, declared, media, check, errors)
        return
    if declared is None:
        shown = _plain(media) if media else "(none)"
        accepted = ", ".join(sorted(body_spec.media)) or "(none)"
        detail = f"The Content-Type {shown} is not supported here; send one of: {accepted}."
        errors.append(ApiError("unsupported_media_type", detail, parameter="Content-Type"))
        return
    check.media_type = declared
    schema, validator = body_spec.media[declared]
    mode = _parse_mode(plan.index, declared, media or declared, schema)
    if mode == "json":
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            errors.append(
                ApiError("invalid_json", f"The request body is not valid JSON: {_plain(str(exc))}.", pointer="")
            )
            return
    elif mode == "form":
        value = _parse_form(plan.index, body, options, schema)
        if value is None:
            errors.append(ApiError("malformed_request", "The form body is not valid text.", pointer=""))
            return
    elif mode == "multipart":
        value = _parse_multipart(plan.index, body, options, schema)
        if isinstance(value, str):
            errors.append(ApiError("malformed_request", f"The multipart body is malformed: {value}.", pointer=""))
            return
    else:
        check.body = _raw_body(body, media)
        return
    check.body = value
    for error in _schema_errors(validator, _for_validation(value)):
        errors.append(_body_error(error))


def _check_empty_body(
    plan: _Plan, body_spec: _Body, declared: str | None, media: str, check: RequestCheck, errors: list[ApiError]
) -> None:
    """No bytes: absent, unless the format has a valid empty form. An empty form body is the
    empty object (its required fields are still checked); an empty raw upload is an empty file.
    Empty JSON or multipart is no body at all."""
    if not body_spec.required:
        return
    mode = "json"
    if declared is not None:
        schema, validator = body_spec.media[declared]
        mode = _parse_mode(plan.index, declared, media or declared, schema)
    if mode == "form":
        check.media_type, check.body = declared, {}
        errors.extend(_body_error(error) for error in _schema_errors(validator, {}))
    elif mode == "raw" and _empty_upload_allowed(plan.index, schema if declared is not None else None):
        check.media_type, check.body = declared, b""
    else:
        errors.append(ApiError("missing_parameter", "The request body is required but was empty.", pointer=""))


def _empty_upload_allowed(index: SpecIndex, schema: Any) -> bool:
    """An empty raw upload is an empty file, unless the schema wants an object or array (a
    `*/*` body whose schema is an object is data, and no bytes are no data)."""
    types = _types(index, schema) if schema is not None else set()
    return not types or "string" in types or not types & {"object", "array"}


def _parse_media_type(raw: str) -> tuple[str, dict[str, str]]:
    """("multipart/form-data", {"boundary": "x"}) from a Content-Type value; quotes removed."""
    media, _, rest = raw.partition(";")
    options: dict[str, str] = {}
    for match in _OPTION.finditer(rest):
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        options.setdefault(match.group(1).lower(), value)
    return media.strip().lower(), options


_OPTION = re.compile(r"""\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*?)\s*(?:;|$)""")


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _match_media(body: _Body, media: str) -> str | None:
    """The declared media type serving `media`: exact, +json suffix, type/*, then */*.

    Without a Content-Type the body is read as JSON when JSON is accepted, else as the only
    declared type (a client that omits the header usually means the API's one format)."""
    declared = body.media
    if not media:
        if "application/json" in declared:
            return "application/json"
        concrete = [m for m in declared if "*" not in m]
        if len(concrete) == 1:
            return concrete[0]
        return "*/*" if "*/*" in declared else None
    if media in declared:
        return media
    if _is_json(media):
        for name in declared:
            if _is_json(name):
                return name
    wildcard = media.split("/", 1)[0] + "/*"
    if wildcard in declared:
        return wildcard
    return "*/*" if "*/*" in declared else None


def _parse_mode(index: SpecIndex, declared: str, media: str, schema: Any) -> str:
    """How to read the body: by the declared type, or for a wildcard (`*/*`, `text/xml`) by
    what the client sent, unless the schema is a plain/binary string (the bytes are the value)."""
    mode = _mode_of(declared)
    if mode is not None:
        return mode
    mode = _mode_of(media)
    types = _types(index, schema)
    if mode is not None and (not types or types & {"object", "array"}):
        return mode
    return "raw"


def _mode_of(media: str) -> str | None:
    if _is_json(media):
        return "json"
    if media == "application/x-www-form-urlencoded":
        return "form"
    if media == "multipart/form-data":
        return "multipart"
    return None


def _raw_body(body: bytes, media: str) -> Any:
    if media.startswith("text/") or media.endswith("xml"):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return bytes(body)
    return bytes(body)


def _charset(options: dict[str, str]) -> str:
    name = options.get("charset", "utf-8")
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return "utf-8"


def _parse_form(index: SpecIndex, body: bytes, options: dict[str, str], schema: Any) -> Any:
    """application/x-www-form-urlencoded to a dict; None when the bytes are not text."""
    try:
        text = bytes(body).decode(_charset(options))
    except (UnicodeDecodeError, LookupError):
        return None
    pairs = parse_qsl(text, keep_blank_values=True, encoding=_charset(options), errors="replace")
    return _fields_to_object(index, ((_clean(k), _clean(v)) for k, v in pairs), schema)


def _fields_to_object(index: SpecIndex, fields: Iterable[tuple[str, Any]], schema: Any) -> dict[str, Any]:
    """Form/multipart fields to an object: declared names (even `a[]`) are literal; other
    bracket keys nest (`a[b]=1` -> {"a": {"b": 1}}); repeats become arrays."""
    tree: dict[str, Any] = {}
    for key, value in fields:
        path = [key]
        bracket = key.find("[")
        if bracket > 0 and _property(index, schema, key) is None:
            segments = _segments(key, bracket)
            if segments is not None and len(segments) <= MAX_DEPTH:
                path = [key[:bracket], *segments]
        if not _insert(tree, path, value):
            _insert(tree, [key], value)  # a conflicting nested key keeps its literal name
    value = _materialize(index, tree, schema)
    return value if isinstance(value, dict) else {}


class _File(dict):
    """An uploaded file's metadata (the body keeps no file contents)."""


def _parse_multipart(index: SpecIndex, body: bytes, options: dict[str, str], schema: Any) -> dict[str, Any] | str:
    """multipart/form-data to a dict, or a reason it is malformed.

    Parts need no Content-Type; names and values may be any UTF-8 (or, failing that, Latin-1)
    text; a part is a file when it has a filename or its property is binary."""
    boundary = options.get("boundary", "")
    if not boundary:
        return "the Content-Type has no boundary"
    try:
        raw_parts = _split_multipart(bytes(body), boundary.encode("utf-8", "replace"))
    except Exception as exc:  # python-multipart raises several types for bad input
        return _plain(str(exc) or type(exc).__name__)
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
        if filename is not None or _is_binary(index, _property(index, schema, name)):
            fields.append((name, _File(filename=filename, content_type=content_type, size=len(data))))
            continue
        charset = _charset(_parse_media_type(content_type)[1]) if content_type else "utf-8"
        fields.append((name, _clean(data.decode(charset, errors="replace"))))
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
    _, options = _parse_media_type(_decode_header(raw))
    result: dict[str, str] = {}
    for key in ("name", "filename"):
        extended = options.get(key + "*")
        if extended is not None and extended.count("'") >= 2:
            charset, _, encoded = extended.partition("'")
            encoded = encoded.partition("'")[2]
            result[key] = unquote(encoded, encoding=_charset({"charset": charset or "utf-8"}), errors="replace")
        elif key in options:
            result[key] = options[key]
    return {k: _clean(v) for k, v in result.items()}


def _for_validation(value: Any) -> Any:
    """Files validate as strings (their schemas are `type: string, format: binary`)."""
    if isinstance(value, _File):
        return value.get("filename") or "file"
    if isinstance(value, dict) and any(isinstance(v, (_File, list)) for v in value.values()):
        return {k: _for_validation(v) for k, v in value.items()}
    if isinstance(value, list) and any(isinstance(v, _File) for v in value):
        return [_for_validation(v) for v in value]
    return value


def _body_error(error: Any) -> ApiError:
    path: list[str | int] = list(error.instance_path)
    kind = "invalid_value"
    missing = _required_property(error)
    if missing is not None:
        path.append(missing)
        kind = "missing_parameter"
    elif type(error.kind).__name__ == "AdditionalProperties":
        unexpected = getattr(error.kind, "unexpected", None)
        if unexpected:
            path.append(str(unexpected[0]))
    pointer = _plain(from_parts(path))
    where = f"'{pointer}'" if pointer else "the request body"
    return ApiError(kind, f"The value at {where} is invalid: {_message(error)}", pointer=pointer)


# --- text hygiene ----------------------------------------------------------------------------------------

_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _clean(text: str) -> str:
    """Lone surrogates (from surrogateescape decoding) become U+FFFD: they cannot cross into the
    Rust validator nor be encoded as JSON."""
    if text.isascii():
        return text
    return _SURROGATES.sub("\ufffd", text)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return _clean(str(value))


def _pair(pair: Any) -> tuple[str, str]:
    try:
        key, value = pair
    except (TypeError, ValueError):
        return _text(pair), ""
    return _text(key), _text(value)


def _plain(text: str) -> str:
    text = _clean(text)
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def _message(error: Any) -> str:
    return _plain(str(getattr(error, "message", "")) or "invalid value")


def _required_property(error: Any) -> str | None:
    if type(error.kind).__name__ != "Required":
        return None
    missing = getattr(error.kind, "property", None)
    return _text(missing) if missing is not None else None
