"""osv's walk, in osv's visiting order and with its identity-based dedupe: schemas reached from
path-level and operation parameters, response content, then `components/schemas`, each
meta-checked once and its `default` validated; and osv's own checks (duplicate parameters,
operationIds and tag names, path template parameters)."""

import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from spec.index import SpecIndex
from spec.pointer import escape
from spec.validation.defaults import default_problems
from spec.validation.meta import default_dialect, meta_problem
from spec.validation.problems import Problem, freeze, show, signature

OPERATION_KEYS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass
class Walk:
    """What osv's keyword validators remember between calls: one instance per validation."""

    index: SpecIndex
    oas30: bool
    default_dialect: str
    meta_checked: set[int] = field(default_factory=set)
    visited: set[int] = field(default_factory=set)
    operation_ids: list[Any] = field(default_factory=list)


def walk_document(index: SpecIndex) -> Iterator[Problem]:
    doc = index.doc
    if not isinstance(doc, dict):
        return
    walk = Walk(index=index, oas30=not index.is_31, default_dialect=default_dialect(doc, index.is_31))
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


def _deref(index: SpecIndex, pointer: str, node: Any) -> tuple[str, Any]:
    """What jsonschema-path reads at a node: the target of its `$ref`, chains followed."""
    return index.deref(pointer, node)


def _items(node: Any) -> Iterable[tuple[Any, Any]]:
    """A mapping's items (osv asserts mappings where this is used; we skip anything else)."""
    return node.items() if isinstance(node, dict) else ()


def _entries(node: Any) -> Iterable[tuple[int, Any]]:
    """A list's (index, item) pairs; nothing for anything else."""
    return enumerate(node) if isinstance(node, list) else ()


def _tag_problems(walk: Walk, pointer: str, tags: Any) -> Iterator[Problem]:
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


def _path_problems(walk: Walk, url: str, pointer: str, item: Any) -> Iterator[Problem]:
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
    walk: Walk, url: str, method: str, pointer: str, operation: Any, path_params: tuple[str, Any] | None
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
                ("duplicate-operation-id", freeze(operation_id)),
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


def _parameters_problems(walk: Walk, pointer: str, params: Any) -> Iterator[Problem]:
    seen: set[tuple[Any, Any]] = set()
    for i, param in _entries(params):
        item_pointer = f"{pointer}/{i}"
        param_pointer, param = _deref(walk.index, item_pointer, param)
        if not isinstance(param, dict):
            continue
        if "schema" in param:
            yield from _schema_problems(walk, f"{param_pointer}/schema", param["schema"])
        key = (freeze(param.get("name")), freeze(param.get("in")))
        if key in seen:
            yield Problem(
                "parameter-unique",
                item_pointer,
                f"parameter {key[0]!r} (in: {key[1]}) is listed twice",
                ("duplicate-parameter", key[0]),
            )
        seen.add(key)


def _schema_problems(walk: Walk, pointer: str, node: Any, *, meta_checked: bool = False) -> Iterator[Problem]:
    """osv's SchemaValidator.__call__, recursion and dedupe included."""
    problems: list[Problem] = []
    _check_schema(walk, pointer, node, meta_checked, problems)
    return iter(problems)


def _check_schema(walk: Walk, pointer: str, node: Any, meta_checked: bool, out: list[Problem]) -> None:
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
        problem = meta_problem(pointer, schema, oas30=walk.oas30, fallback_dialect=walk.default_dialect)
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
