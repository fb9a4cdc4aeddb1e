"""Structural validation with openapi-spec-validator 0.9's verdicts, located and fast.

openapi-spec-validator (osv) is the reference for "is this a valid OpenAPI document", but it
takes ~4 s on the Telnyx spec, gives no locations, and its import alone is slow. This module
reproduces its checks over a `SpecIndex` with jsonschema-rs doing every JSON Schema job:

1. the document against the OAS meta-schema osv ships (`oas-schema`);
2. osv's SchemaValidator walk, with the same visiting order and identity-based dedupe: schemas
   reached from path-level and operation parameters, response content, then
   `components/schemas`, descending allOf/anyOf/oneOf/not/items/properties, `$ref`s resolved
   as jsonschema-path does (a `$ref` node *is* its target; siblings are ignored):
   - each top-level schema is meta-checked once against the JSON Schema dialect
     (`schema-dialect`); a failure stops the descent into that schema, as in osv;
   - each `default` is validated against its schema (`default-valid`), with osv's format
     checker and its exception for `default: null` next to `nullable: true`;
3. osv's own checks: duplicate parameters, duplicate operationIds, path template parameters,
   duplicate tag names (`parameter-unique`, `operation-id-unique`, `path-params`,
   `tag-unique`).

osv's "Required list has not defined properties" is not reproduced here: the broader lint
rule `required-property-undefined` covers it.

Every problem carries a `signature`, the normalized form the differential tests compare with
osv's errors (which have no locations), e.g. ("type", None, "string").
"""

import base64
import binascii
import importlib.util
import json
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from spec.index import DATA_KEYS, SPEC_URI, SpecIndex
from spec.pointer import escape, from_fragment, get

STRUCTURAL_RULES = (
    "oas-schema",
    "schema-dialect",
    "default-valid",
    "parameter-unique",
    "operation-id-unique",
    "path-params",
    "tag-unique",
)

OPERATION_KEYS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OAS31_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
OAS32_DIALECT = "https://spec.openapis.org/oas/3.2/dialect/2025-09-17"
OAS30_DIALECT = "oas30"  # osv meta-checks 3.0 schemas against draft-04, whatever they say


class Problem(NamedTuple):
    """One structural problem: the rule it belongs to, where, what, and its osv-comparable form."""

    rule_id: str
    pointer: str
    message: str
    signature: tuple[Any, ...]


def structural_problems(index: SpecIndex) -> list[Problem]:
    """The structural problems of the indexed document, computed once per index."""
    return index.shared(validate_structure)


def validate_structure(index: SpecIndex) -> list[Problem]:
    """Document vs meta-schema, then osv's walk; in osv's order."""
    problems = list(document_problems(index.doc))
    problems.extend(_walk_document(index))
    return problems


# --- 1. the document against the OAS meta-schema -------------------------------------------


def _package_dir(name: str) -> Path:
    """A package's directory without importing it (openapi_spec_validator's import is slow)."""
    found = importlib.util.find_spec(name)
    if found is None or not found.submodule_search_locations:
        raise RuntimeError(f"package {name} is not installed")
    return Path(next(iter(found.submodule_search_locations)))


def oas_version_dir(openapi: str) -> str:
    """Which of osv's meta-schemas applies: v3.0, v3.1 or v3.2 (3.1 for anything unknown)."""
    for prefix in ("3.0", "3.1", "3.2"):
        if openapi.startswith(prefix):
            return f"v{prefix}"
    return "v3.1"


@cache
def _oas_document_validator(version_dir: str) -> Any:
    """osv's own construction: `validator_cls_for(schema)(schema)`, no registry, no options."""
    import jsonschema_rs

    path = _package_dir("openapi_spec_validator") / "resources" / "schemas" / version_dir / "schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_cls_for(schema)(schema)


def document_problems(doc: Any) -> Iterator[Problem]:
    """Every meta-schema error, located at its instance path."""
    openapi = str(doc.get("openapi", "")) if isinstance(doc, dict) else ""
    validator = _oas_document_validator(oas_version_dir(openapi))
    for error in _errors(validator, doc):
        path = tuple(error.instance_path)
        pointer = "".join("/" + escape(part) for part in path)
        yield Problem("oas-schema", pointer, _error_text(error), ("oas-schema", path))


# --- value rendering for messages -----------------------------------------------------------


def show(value: Any, limit: int = 60) -> str:
    """A short JSON rendering of a value for a one-line message."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _types_text(expected: Any) -> str:
    if isinstance(expected, (list, tuple)):
        return " or ".join(f"'{t}'" for t in expected)
    return f"'{expected}'"


def _error_text(error: Any) -> str:
    """jsonschema-rs's message, with a long instance dump replaced by a short rendering."""
    kind = error.kind.name
    if kind == "type":
        return f"{show(error.instance)} is not of type {_types_text(error.kind.as_dict().get('types'))}"
    message = " ".join(str(error.message).split())
    if len(message) <= 160:
        return message
    dumped = json.dumps(error.instance, separators=(",", ":"), default=str)
    if message.startswith(dumped):
        return show(error.instance) + message[len(dumped) :][:120]
    return message[:157] + "..."


def _expected(keyword: str, value: Any) -> Any:
    """The keyword value the signature keeps: only `type`'s, normalized (["x"] -> "x", sorted)."""
    if keyword != "type":
        return None
    if isinstance(value, (list, tuple)):
        return value[0] if len(value) == 1 else tuple(sorted(map(str, value)))
    return value


def _freeze(value: Any) -> Any:
    """A hashable stand-in for a JSON value (signatures go into multisets)."""
    if isinstance(value, dict):
        return tuple(sorted(((k, _freeze(v)) for k, v in value.items()), key=lambda item: str(item[0])))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def signature(keyword: str, instance: Any, keyword_value: Any) -> tuple[Any, ...]:
    """(keyword, offending value, expected type): what osv's errors and ours can both be reduced to."""
    return (keyword, _freeze(instance), _freeze(_expected(keyword, keyword_value)))


# --- osv's format checker and OAS 3.0 keywords, as jsonschema-rs custom keywords ------------
# osv's checkers are `jsonschema.FormatChecker()` (every format jsonschema registers globally,
# some only when an optional package is installed) plus the OAS formats. jsonschema-rs checks
# other formats, and only on strings (int32 is about integers), so `format` is ours, mirroring
# jsonschema 4's checks. hostname, uri, iri, json-pointer, uri-template and duration need
# packages absent here (fqdn, rfc3987, jsonpointer, uri-template, isoduration): osv does not
# check them, and neither do we.


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def _ipv4(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _ipv6(text: str) -> bool:
    import ipaddress

    try:
        return not getattr(ipaddress.IPv6Address(text), "scope_id", "")
    except ValueError:
        return False


def _date(text: str) -> bool:
    import datetime

    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII) and datetime.date.fromisoformat(text))
    except ValueError:
        return False


def _time(text: str) -> bool:
    """jsonschema's class-level "time" checker is its draft-3 one: %H:%M:%S."""
    import datetime

    try:
        datetime.datetime.strptime(text, "%H:%M:%S")
    except ValueError:
        return False
    return True


def _date_time(text: str) -> bool:
    try:
        from rfc3339_validator import validate_rfc3339
    except ImportError:  # jsonschema registers no date-time check without it
        return True
    return bool(validate_rfc3339(text.upper()))


def _idn_hostname(text: str) -> bool:
    try:
        import idna
    except ImportError:  # jsonschema registers no idn-hostname check without it
        return True
    try:
        idna.encode(text)
    except (idna.IDNAError, UnicodeError):
        return False
    return True


def _uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return all(text[position] == "-" for position in (8, 13, 18, 23))


def _byte(text: str | bytes) -> bool:
    try:
        base64.b64decode(text.encode("ascii") if isinstance(text, str) else text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


_STRING_FORMATS = {
    "email": lambda text: "@" in text,
    "idn-email": lambda text: "@" in text,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "date": _date,
    "time": _time,
    "date-time": _date_time,
    "idn-hostname": _idn_hostname,
    "uuid": _uuid,
    "regex": _compiles,
}


def format_ok(fmt: str, value: Any, *, oas30: bool) -> bool:
    """osv's format checker (oas30 or oas31) on one value."""
    if fmt in ("int32", "int64"):
        bits = 31 if fmt == "int32" else 63
        return not _is_int(value) or -(1 << bits) <= value < (1 << bits)
    if fmt == "byte" and oas30:
        return not isinstance(value, (str, bytes)) or _byte(value)
    check = _STRING_FORMATS.get(fmt)
    return check is None or not isinstance(value, str) or check(value)


class OasFormat31:
    """`format` as osv's OAS 3.1 format checker asserts it (subclasses swap `check`)."""

    oas30 = False
    check = staticmethod(format_ok)

    def __init__(self, parent: dict, value: Any, path: list) -> None:
        self.format = value

    def validate(self, instance: Any) -> None:
        if isinstance(self.format, str) and not self.check(self.format, instance, oas30=self.oas30):
            raise ValueError(f"{show(instance)} is not a valid '{self.format}'")


class OasFormat30(OasFormat31):
    """`format` as osv's OAS 3.0 format checker asserts it (also `byte`)."""

    oas30 = True

    def validate(self, instance: Any) -> None:
        if instance is not None:
            super().validate(instance)


class _Pattern:
    """`pattern` with Python's `re.search`, as openapi-schema-validator runs it."""

    def __init__(self, parent: dict, value: Any, path: list) -> None:
        self.pattern = value

    def validate(self, instance: Any) -> None:
        if not isinstance(instance, str) or not isinstance(self.pattern, str):
            return
        try:
            found = re.search(self.pattern, instance)
        except (re.error, RecursionError, OverflowError):
            return
        if found is None:
            raise ValueError(f"{show(instance)} does not match {self.pattern!r}")


_OAS30_TYPES = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": _is_int,
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


class _Type30:
    """OAS 3.0 `type`: `nullable: true` admits null; otherwise null fails twice, as in osv."""

    def __init__(self, parent: dict, value: Any, path: list) -> None:
        self.type = value
        self.nullable = parent.get("nullable") is True

    def iter_errors(self, instance: Any) -> Iterator[Exception]:
        if instance is None:
            if self.nullable:
                return
            yield ValueError("null is not allowed: the schema is not nullable")
        names = self.type if isinstance(self.type, list) else [self.type]
        if not any(_OAS30_TYPES.get(name, lambda v: True)(instance) for name in names):
            yield ValueError(f"{show(instance)} is not of type {_types_text(self.type)}")

    def validate(self, instance: Any) -> None:
        for error in self.iter_errors(instance):
            raise error


class _Required30:
    """OAS 3.0 `required`: a readOnly or writeOnly property may be absent (osv's default)."""

    def __init__(self, parent: dict, value: Any, path: list) -> None:
        properties = parent.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        self.required = [
            name for name in (value if isinstance(value, list) else []) if not _read_or_write_only(properties.get(name))
        ]

    def iter_errors(self, instance: Any) -> Iterator[Exception]:
        if isinstance(instance, dict):
            for name in self.required:
                if name not in instance:
                    yield ValueError(f"{name!r} is a required property")

    def validate(self, instance: Any) -> None:
        for error in self.iter_errors(instance):
            raise error


def _read_or_write_only(schema: Any) -> bool:
    return isinstance(schema, dict) and bool(schema.get("readOnly") or schema.get("writeOnly"))


# --- meta-schemas of the JSON Schema dialects -----------------------------------------------


@cache
def _dialect_resources() -> dict[str, Any]:
    """Every meta-schema osv's dialect check can use, by `$id` (trailing '#' dropped)."""
    resources: dict[str, Any] = {}
    roots = [
        _package_dir("jsonschema_specifications") / "schemas",
        _package_dir("openapi_schema_validator") / "schemas",
    ]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and "draft3" not in path.parts:
                contents = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(contents, dict) and isinstance(contents.get("$id", contents.get("id")), str):
                    resources[contents.get("$id", contents.get("id")).rstrip("#")] = contents
    return resources


# The dialects Python jsonschema's `validator_for` knows once openapi-schema-validator is
# imported (draft-03 too, which jsonschema-rs cannot run: such schemas go unchecked).
KNOWN_DIALECTS = (
    "http://json-schema.org/draft-04/schema",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
    OAS31_DIALECT,
    OAS32_DIALECT,
)
DRAFT3_DIALECT = "http://json-schema.org/draft-03/schema"
DIALECT_NAMES = {
    OAS31_DIALECT: "OAS 3.1 schema (base dialect)",
    OAS32_DIALECT: "OAS 3.2 schema (dialect 2025-09-17)",
    "https://json-schema.org/draft/2020-12/schema": "JSON Schema 2020-12 schema",
    "https://json-schema.org/draft/2019-09/schema": "JSON Schema 2019-09 schema",
    "http://json-schema.org/draft-07/schema": "JSON Schema draft-07 schema",
    "http://json-schema.org/draft-06/schema": "JSON Schema draft-06 schema",
    "http://json-schema.org/draft-04/schema": "JSON Schema draft-04 schema",
}


@cache
def _dialect_validator(dialect: str) -> Any:
    """The compiled meta-schema for a dialect id (compiled once per process); None if unknown."""
    import jsonschema_rs

    key = KNOWN_DIALECTS[0] if dialect == OAS30_DIALECT else dialect.rstrip("#")
    resources = _dialect_resources()
    if key not in KNOWN_DIALECTS or key not in resources:
        return None
    registry = jsonschema_rs.Registry(list(resources.items()))
    return jsonschema_rs.validator_for(resources[key], registry=registry, keywords={"format": OasFormat31})


# --- 2. and 3. osv's walk ------------------------------------------------------------------


@dataclass
class _Walk:
    """What osv's keyword validators remember between calls: one instance per validation."""

    index: SpecIndex
    oas30: bool
    default_dialect: str
    meta_checked: set[int] = field(default_factory=set)
    visited: set[int] = field(default_factory=set)
    operation_ids: list[Any] = field(default_factory=list)


def _walk_document(index: SpecIndex) -> Iterator[Problem]:
    doc = index.doc
    if not isinstance(doc, dict):
        return
    walk = _Walk(index=index, oas30=not index.is_31, default_dialect=_default_dialect(doc, index.is_31))
    if "tags" in doc:
        yield from _tag_problems(walk, *_deref(index, "/tags", doc["tags"]))
    if "paths" in doc:
        pointer, paths = _deref(index, "/paths", doc["paths"])
        for url, item in _items(paths):
            yield from _path_problems(walk, str(url), *_deref(index, f"{pointer}/{escape(url)}", item))
    if "components" in doc:
        pointer, components = _deref(index, "/components", doc["components"])
        if isinstance(components, dict) and "schemas" in components:
            base, schemas = _deref(index, f"{pointer}/schemas", components["schemas"])
            for name, schema in _items(schemas):
                yield from _schema_problems(walk, f"{base}/{escape(name)}", schema)


def _default_dialect(doc: dict, is_31: bool) -> str:
    """The dialect of a schema without `$schema`: the root's jsonSchemaDialect, else the OAS one."""
    if not is_31:
        return OAS30_DIALECT
    declared = doc.get("jsonSchemaDialect")
    if isinstance(declared, str):
        return declared
    return OAS32_DIALECT if str(doc.get("openapi", "")).startswith("3.2") else OAS31_DIALECT


def _deref(index: SpecIndex, pointer: str, node: Any) -> tuple[str, Any]:
    """What jsonschema-path reads at a node: the target of its `$ref`, chains followed."""
    return index.deref(pointer, node)


def _items(node: Any) -> Iterable[tuple[Any, Any]]:
    """A mapping's items (osv asserts mappings where this is used; we skip anything else)."""
    return node.items() if isinstance(node, dict) else ()


def _entries(node: Any) -> Iterable[tuple[int, Any]]:
    """A list's (index, item) pairs; nothing for anything else."""
    return enumerate(node) if isinstance(node, list) else ()


def _tag_problems(walk: _Walk, pointer: str, tags: Any) -> Iterator[Problem]:
    seen: set[str] = set()
    for i, tag in _entries(tags):
        tag_pointer, tag = _deref(walk.index, f"{pointer}/{i}", tag)
        name = tag.get("name") if isinstance(tag, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            yield Problem(
                "tag-unique", f"{tag_pointer}/name", f"tag name {name!r} is declared twice", ("duplicate-tag", name)
            )
        seen.add(name)


def _path_problems(walk: _Walk, url: str, pointer: str, item: Any) -> Iterator[Problem]:
    if not isinstance(item, dict):
        return
    path_params: tuple[str, Any] | None = None
    if "parameters" in item:
        path_params = _deref(walk.index, f"{pointer}/parameters", item["parameters"])
        yield from _parameters_problems(walk, *path_params)
    for method, operation in item.items():
        if method in OPERATION_KEYS:
            op_pointer, operation = _deref(walk.index, f"{pointer}/{escape(method)}", operation)
            yield from _operation_problems(walk, url, method, op_pointer, operation, path_params)


def _operation_problems(
    walk: _Walk, url: str, method: str, pointer: str, operation: Any, path_params: tuple[str, Any] | None
) -> Iterator[Problem]:
    if not isinstance(operation, dict):
        return
    index = walk.index
    if "operationId" in operation:
        operation_id = operation["operationId"]
        if operation_id is not None and operation_id in walk.operation_ids:
            yield Problem(
                "operation-id-unique",
                f"{pointer}/operationId",
                f"operationId {operation_id!r} of {method.upper()} {url} is already used by another operation",
                ("duplicate-operation-id", _freeze(operation_id)),
            )
        walk.operation_ids.append(operation_id)
    if "responses" in operation:
        responses_pointer, responses = _deref(index, f"{pointer}/responses", operation["responses"])
        for code, response in _items(responses):
            response_pointer, response = _deref(index, f"{responses_pointer}/{escape(code)}", response)
            if isinstance(response, dict) and "content" in response:
                content_pointer, content = _deref(index, f"{response_pointer}/content", response["content"])
                for media, media_type in _items(content):
                    media_pointer, media_type = _deref(index, f"{content_pointer}/{escape(media)}", media_type)
                    if isinstance(media_type, dict) and "schema" in media_type:
                        yield from _schema_problems(walk, f"{media_pointer}/schema", media_type["schema"])
    declared: dict[str, str] = {}  # path parameter name -> pointer of its first declaration
    if "parameters" in operation:
        op_params = _deref(index, f"{pointer}/parameters", operation["parameters"])
        yield from _parameters_problems(walk, *op_params)
        _collect_path_names(index, *op_params, declared)
    if path_params is not None:
        _collect_path_names(index, *path_params, declared)
    template = template_names(url)
    for name in sorted(template):
        if name not in declared:
            yield Problem(
                "path-params",
                pointer,
                f"path parameter {{{name}}} of {method.upper()} {url} is not declared (in: path)",
                ("unresolved-path-param", name),
            )
    for name in sorted(declared):
        if name not in template:
            yield Problem(
                "path-params",
                declared[name],
                f"path parameter {name!r} of {method.upper()} {url} is not in the path template",
                ("unresolved-path-param", name),
            )


def template_names(url: str) -> set[str]:
    """The `{name}`s of a path template, read as osv reads them (string.Formatter)."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(url) if field}
    except ValueError:
        return set(re.findall(r"\{([^{}]+)\}", url))


def _collect_path_names(index: SpecIndex, pointer: str, params: Any, into: dict[str, str]) -> None:
    for i, param in _entries(params):
        param_pointer, param = _deref(index, f"{pointer}/{i}", param)
        if isinstance(param, dict) and param.get("in") == "path" and isinstance(param.get("name"), str):
            into.setdefault(param["name"], param_pointer)


def _parameters_problems(walk: _Walk, pointer: str, params: Any) -> Iterator[Problem]:
    seen: set[tuple[Any, Any]] = set()
    for i, param in _entries(params):
        item_pointer = f"{pointer}/{i}"
        param_pointer, param = _deref(walk.index, item_pointer, param)
        if not isinstance(param, dict):
            continue
        if "schema" in param:
            yield from _schema_problems(walk, f"{param_pointer}/schema", param["schema"])
        key = (_freeze(param.get("name")), _freeze(param.get("in")))
        if key in seen:
            yield Problem(
                "parameter-unique",
                item_pointer,
                f"parameter {key[0]!r} (in: {key[1]}) is listed twice",
                ("duplicate-parameter", key[0]),
            )
        seen.add(key)


def _schema_problems(walk: _Walk, pointer: str, node: Any, *, meta_checked: bool = False) -> Iterator[Problem]:
    """osv's SchemaValidator.__call__, recursion and dedupe included."""
    problems: list[Problem] = []
    _check_schema(walk, pointer, node, meta_checked, problems)
    return iter(problems)


def _check_schema(walk: _Walk, pointer: str, node: Any, meta_checked: bool, out: list[Problem]) -> None:
    """`_schema_problems`' recursion, appending to `out`: the walk visits ~13k schemas of the
    Telnyx spec, and plain calls are cheaper than as many nested generators."""
    schema = node
    if isinstance(node, dict) and "$ref" in node:  # (most are not: spare them the call)
        pointer, schema = walk.index.deref(pointer, node)
    if not isinstance(schema, (dict, bool)):
        out.append(
            Problem(
                "schema-dialect",
                pointer,
                f"a schema must be an object or a boolean, not {show(schema)}",
                signature("type", schema, ["object", "boolean"]),
            )
        )
        return
    schema_id = id(schema)
    if not meta_checked and schema_id not in walk.meta_checked:
        walk.meta_checked.add(schema_id)
        problem = _meta_problem(walk, pointer, schema)
        if problem is not None:
            out.append(problem)
            return
    if schema_id in walk.visited:
        return
    walk.visited.add(schema_id)
    if not isinstance(schema, dict):
        return
    for keyword in ("allOf", "anyOf", "oneOf"):
        members = schema.get(keyword)
        if isinstance(members, list):
            for i, sub in enumerate(members):
                _check_schema(walk, f"{pointer}/{keyword}/{i}", sub, True, out)
    for keyword in ("not", "items"):
        if keyword in schema:
            _check_schema(walk, f"{pointer}/{keyword}", schema[keyword], True, out)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for name, sub in properties.items():
            _check_schema(walk, f"{pointer}/properties/{escape(name)}", sub, True, out)
    if "default" in schema:
        default = schema["default"]
        if default is not None or schema.get("nullable") is not True:
            out.extend(default_problems(walk.index, pointer, default, oas30=walk.oas30, schema=schema))


def _meta_problem(walk: _Walk, pointer: str, schema: dict | bool) -> Problem | None:
    """The first meta-schema error of a top-level schema, as osv's check_schema raises it."""
    if walk.oas30:
        dialect: Any = OAS30_DIALECT
    elif isinstance(schema, dict) and "$schema" in schema:
        dialect = schema["$schema"]
    else:
        dialect = walk.default_dialect
    key = dialect.rstrip("#") if isinstance(dialect, str) else ""
    if key == DRAFT3_DIALECT:
        return None
    validator = _dialect_validator(dialect) if isinstance(dialect, str) else None
    if validator is None:
        where = f"{pointer}/$schema" if isinstance(schema, dict) and "$schema" in schema else pointer
        return Problem(
            "schema-dialect", where, f"unknown JSON Schema dialect {show(dialect)}", ("unknown-dialect", dialect)
        )
    errors = _errors(validator, schema)
    if not errors:
        return None
    first = errors[0]
    keyword = first.schema_path[-1] if first.schema_path else first.kind.name
    where = pointer + "".join("/" + escape(part) for part in first.instance_path)
    more = f" (and {len(errors) - 1} more in this schema)" if len(errors) > 1 else ""
    dialect_name = "OAS 3.0 schema (JSON Schema draft-04)" if walk.oas30 else DIALECT_NAMES.get(key, key)
    return Problem(
        "schema-dialect",
        where,
        f"not a valid {dialect_name}: {_error_text(first)}{more}",
        signature(str(keyword), first.instance, _kind_expected(first)),
    )


def _kind_expected(error: Any) -> Any:
    return error.kind.as_dict().get("types") if error.kind.name == "type" else None


def _errors(validator: Any, instance: Any) -> list[Any]:
    """All errors; data jsonschema-rs cannot take (YAML's int keys, dates) goes in as JSON.
    Nearly every instance is valid, and `is_valid` says so faster than an empty `iter_errors`."""
    try:
        return [] if validator.is_valid(instance) else list(validator.iter_errors(instance))
    except ValueError:
        instance = jsonable(instance)
        return [] if validator.is_valid(instance) else list(validator.iter_errors(instance))


def jsonable(value: Any) -> Any:
    """`value` as JSON data: mapping keys as strings, non-JSON scalars (dates) as strings."""
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# --- default values -------------------------------------------------------------------------


def default_problems(
    index: SpecIndex, pointer: str, default: Any, *, oas30: bool, schema: Any = None
) -> Iterator[Problem]:
    """Errors of `default` against the schema at `pointer` (osv's OAS30/OAS31 value validator);
    `schema`, that schema when the caller has it."""
    validator = _default_validator(index, pointer, oas30=oas30, schema=schema)
    if validator is None:
        yield from _python_default_problems(index, pointer, default, oas30=oas30)
        return
    for error in _errors(validator, default):
        keyword = str(error.schema_path[-1]) if error.schema_path else error.kind.name
        expected = None
        if keyword == "type":
            expected = _at_location(index, error.absolute_keyword_location)
            expected = _kind_expected(error) if expected is None else expected
        yield _default_problem(
            pointer,
            list(error.instance_path),
            _default_text(error, keyword, expected),
            keyword,
            error.instance,
            expected,
        )


def _default_problem(pointer: str, path: list, text: str, keyword: str, instance: Any, expected: Any) -> Problem:
    """Located at the offending part of the default value itself."""
    where = "".join("/" + escape(part) for part in path)
    message = f"default {text}" if not where else f"default, at {where}: {text}"
    return Problem("default-valid", f"{pointer}/default{where}", message, signature(keyword, instance, expected))


def _default_text(error: Any, keyword: str, expected: Any) -> str:
    details = error.kind.as_dict()
    if "message" in details:  # one of our custom keywords: its own message
        return str(details["message"])
    if keyword == "type":
        return f"{show(error.instance)} is not of type {_types_text(expected)}"
    return _error_text(error)


def _at_location(index: SpecIndex, location: str | None) -> Any:
    """The keyword value at an absolute keyword location inside the document, or None."""
    if not location or not location.startswith(SPEC_URI + "#"):
        return None
    pointer = from_fragment(location[len(SPEC_URI) :])
    return get(index.doc, pointer, None) if pointer is not None else None


def _default_validator(index: SpecIndex, pointer: str, *, oas30: bool, schema: Any = None) -> Any:
    """A compiled validator for the schema at `pointer`, or None when jsonschema-rs refuses it.

    jsonschema-rs meta-validates what it compiles, references included, so a schema reaching
    an invalid one (say a boolean `exclusiveMinimum` in 3.1) cannot be compiled; osv's Python
    validator just runs it, and so does our fallback.
    """
    import jsonschema_rs

    if oas30 and _reaches_discriminator(index, pointer):
        return None  # osv's OAS 3.0 oneOf/anyOf/allOf follow the discriminator: Python does that
    if oas30:
        keywords = {"format": OasFormat30, "pattern": _Pattern, "type": _Type30, "required": _Required30}
    else:
        keywords = {"format": OasFormat31, "pattern": _Pattern}
    try:
        return index.schema_validator(pointer, schema=schema, keywords=keywords, validate_formats=False)
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError, ValueError):
        return None


def _reaches_discriminator(index: SpecIndex, pointer: str) -> bool:
    """Whether a `discriminator` is reachable from the schema at `pointer`, $refs followed."""
    if not index.shared(_has_discriminator):
        return False
    stack, seen = [get(index.doc, pointer, None)], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            if "discriminator" in node:
                return True
            if isinstance(node.get("$ref"), str):
                target = index.resolve(node["$ref"])
                stack.append(target[1] if target else None)
            stack.extend(value for key, value in node.items() if key not in DATA_KEYS)
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _has_discriminator(index: SpecIndex) -> bool:
    return any("discriminator" in schema for _, schema in index.schemas)


def _python_registry(index: SpecIndex) -> Any:
    from referencing import Registry
    from referencing.jsonschema import DRAFT4, DRAFT202012

    spec = DRAFT202012 if index.is_31 else DRAFT4
    return Registry().with_resource(SPEC_URI, spec.create_resource(index.doc))


def _python_default_problems(index: SpecIndex, pointer: str, default: Any, *, oas30: bool) -> Iterator[Problem]:
    """The rare fallback: openapi-schema-validator itself, called as osv calls it."""
    import openapi_schema_validator as oas_schema
    from referencing.exceptions import Unresolvable

    cls, checker = (
        (oas_schema.OAS30Validator, oas_schema.oas30_format_checker)
        if oas30
        else (oas_schema.OAS31Validator, oas_schema.oas31_format_checker)
    )
    wrapper = {"$ref": SPEC_URI + "#" + quote(pointer, safe="/~")}
    validator = cls(wrapper, registry=index.shared(_python_registry), format_checker=checker)
    try:
        errors = list(validator.iter_errors(default))
    except (Unresolvable, re.error, TypeError, ValueError, KeyError, RecursionError):
        return
    for error in errors:
        text = " ".join(error.message.split())
        if error.validator == "type":
            text = (
                "null is not allowed: the schema is not nullable"
                if text == "None for not nullable"
                else f"{show(error.instance)} is not of type {_types_text(error.validator_value)}"
            )
        yield _default_problem(
            pointer, list(error.absolute_path), text, str(error.validator), error.instance, error.validator_value
        )
