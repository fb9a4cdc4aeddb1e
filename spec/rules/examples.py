"""Rules about examples: every example a reader copies must be a value the API accepts.

Examples are validated with jsonschema-rs against the schema they illustrate, one compiled
validator per schema pointer, shared by all rules here (`schemas.shared_validators`). Two
deliberate leniencies keep one mistake to one finding:

- `nullable: true` is honoured as the author's intent (a `null` it allows is not reported);
  in 3.1 the keyword itself is reported by `oas31-legacy-keywords`.
- readOnly/writeOnly follow the direction of the data, as Redocly and Spectral do: a required
  readOnly property may be missing from a request example, a required writeOnly property from
  a response example; a schema's own example has no direction, so both may be missing there.
  Webhook and callback requests are written by the API, so they count as responses.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from spec.index import HTTP_METHODS, SpecIndex
from spec.pointer import escape, get, unescape
from spec.rules import rule
from spec.rules.schemas import matches_types, shared_validators, short

REQUEST, RESPONSE, ANY = "request", "response", "any"
_EXEMPT = {REQUEST: ("readOnly",), RESPONSE: ("writeOnly",), ANY: ("readOnly", "writeOnly")}
_FLIP = {REQUEST: RESPONSE, RESPONSE: REQUEST}

# Keywords whose subschema applies to a part of the instance (so leaves the current level).
_DESCEND_NAMED = ("properties", "patternProperties")
_DESCEND_ONE = (
    "items",
    "additionalProperties",
    "contains",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "propertyNames",
)
_SAME_NAMED = ("dependentSchemas", "$defs", "definitions")
_SAME_LIST = ("allOf", "anyOf", "oneOf")
_SAME_ONE = ("not", "if", "then", "else")


@dataclass
class ExampleSites:
    """Everything in the document that carries examples, found in one walk."""

    media: dict[str, tuple[dict, str]] = field(default_factory=dict)  # pointer -> (Media Type, direction)
    parameters: dict[str, tuple[dict, str]] = field(default_factory=dict)  # Parameter/Header Objects
    example_objects: dict[str, dict] = field(default_factory=dict)  # inline Example Objects


def example_sites(index: SpecIndex) -> ExampleSites:
    sites = ExampleSites()
    for operation in index.operations:
        _operation(index, sites, operation.pointer, operation.node, operation.path_item, REQUEST, 0)
    for operation in index.webhook_operations:  # the API sends the request: it is response data
        _operation(index, sites, operation.pointer, operation.node, operation.path_item, RESPONSE, 0)
    components = index.doc.get("components")
    if isinstance(components, dict):
        for kind, direction, visit in (
            ("requestBodies", REQUEST, _content_holder),
            ("responses", RESPONSE, _response),
            ("parameters", REQUEST, _parameter),
            ("headers", RESPONSE, _parameter),
        ):
            entries = components.get(kind)
            if isinstance(entries, dict):
                for name, node in entries.items():
                    visit(index, sites, f"/components/{kind}/{escape(name)}", node, direction)
        examples = components.get("examples")
        if isinstance(examples, dict):
            for name, node in examples.items():
                if isinstance(node, dict) and "$ref" not in node:
                    sites.example_objects.setdefault(f"/components/examples/{escape(name)}", node)
    return sites


def _operation(
    index: SpecIndex, sites: ExampleSites, pointer: str, node: dict, path_item: dict, direction: str, depth: int
) -> None:
    path_pointer = pointer.rsplit("/", 1)[0]
    for base, params in ((path_pointer, path_item.get("parameters")), (pointer, node.get("parameters"))):
        if isinstance(params, list):
            for i, param in enumerate(params):
                _parameter(index, sites, f"{base}/parameters/{i}", param, direction)
    if "requestBody" in node:
        _content_holder(index, sites, pointer + "/requestBody", node["requestBody"], direction)
    responses = node.get("responses")
    if isinstance(responses, dict):
        for code, response in responses.items():
            _response(index, sites, f"{pointer}/responses/{escape(code)}", response, _FLIP[direction])
    callbacks = node.get("callbacks")
    if isinstance(callbacks, dict) and depth < 2:  # callbacks are requests the API makes: flip
        for name, callback in callbacks.items():
            callback_pointer, callback = index.deref(f"{pointer}/callbacks/{escape(name)}", callback)
            if not isinstance(callback, dict):
                continue
            for expression, item in callback.items():
                item_pointer, item = index.deref(f"{callback_pointer}/{escape(expression)}", item)
                if not isinstance(item, dict):
                    continue
                for method in HTTP_METHODS:
                    if isinstance(item.get(method), dict):
                        _operation(
                            index, sites, f"{item_pointer}/{method}", item[method], item, _FLIP[direction], depth + 1
                        )


def _response(index: SpecIndex, sites: ExampleSites, pointer: str, node: Any, direction: str) -> None:
    pointer, node = index.deref(pointer, node)
    if not isinstance(node, dict):
        return
    _content_holder(index, sites, pointer, node, direction)
    headers = node.get("headers")
    if isinstance(headers, dict):
        for name, header in headers.items():
            _parameter(index, sites, f"{pointer}/headers/{escape(name)}", header, direction)


def _content_holder(index: SpecIndex, sites: ExampleSites, pointer: str, node: Any, direction: str) -> None:
    pointer, node = index.deref(pointer, node)
    content = node.get("content") if isinstance(node, dict) else None
    if not isinstance(content, dict):
        return
    for media_type, media in content.items():
        if isinstance(media, dict):
            media_pointer = f"{pointer}/content/{escape(media_type)}"
            sites.media.setdefault(media_pointer, (media, direction))
            _example_objects(sites, media_pointer, media)


def _parameter(index: SpecIndex, sites: ExampleSites, pointer: str, node: Any, direction: str) -> None:
    pointer, node = index.deref(pointer, node)
    if not isinstance(node, dict):
        return
    sites.parameters.setdefault(pointer, (node, direction))
    _example_objects(sites, pointer, node)
    _content_holder(index, sites, pointer, node, direction)


def _example_objects(sites: ExampleSites, pointer: str, node: dict) -> None:
    examples = node.get("examples")
    if isinstance(examples, dict):
        for name, example in examples.items():
            if isinstance(example, dict) and "$ref" not in example:
                sites.example_objects.setdefault(f"{pointer}/examples/{escape(name)}", example)


def example_error(index: SpecIndex, schema_pointer: str, value: Any, direction: str, schema: Any = None) -> str | None:
    """A one-line description of the first way `value` fails the schema at `schema_pointer`,
    or None when it conforms (or the schema cannot be compiled). `schema`, the node at
    `schema_pointer` when the caller has it, lets plain scalar schemas skip compilation."""
    if schema is not None and _plainly_valid(schema, value):
        return None
    validator = index.shared(shared_validators).get(schema_pointer, schema)
    if validator is None:
        return None
    try:
        errors = validator.iter_errors(value)
        for error in errors:
            if not _excused(index, schema_pointer, error, direction):
                return _describe(error)
    except Exception:  # e.g. a regex the engine cannot run: nothing is proven either way
        return None
    return None


# Keywords that do not constrain a value (beyond `type`, which `_plainly_valid` checks itself).
_INERT = frozenset(
    ("type", "description", "title", "example", "examples", "readOnly", "writeOnly", "deprecated", "default")
)
_INERT_AND_ENUM = _INERT | {"enum"}


def _plainly_valid(schema: Any, value: Any) -> bool:
    """A scalar-typed schema with no other constraint accepts a value of its type, and a string
    enum one of its strings: no need to compile a validator for the two most common examples
    (`type: string, example: "..."` and the same with an `enum`). A schema that could not even
    be compiled would have proven nothing either."""
    if not isinstance(schema, dict) or not isinstance(schema.get("type"), str):
        return False
    if "enum" in schema and schema.keys() <= _INERT_AND_ENUM:
        return (
            schema["type"] == "string"
            and type(value) is str
            and isinstance(schema["enum"], list)
            and value in schema["enum"]
        )
    if not schema.keys() <= _INERT and any(key not in _INERT and not key.startswith("x-") for key in schema):
        return False
    return schema["type"] in ("string", "integer", "number", "boolean") and matches_types(value, {schema["type"]})


def _excused(index: SpecIndex, root: str, error: Any, direction: str) -> bool:
    kind = type(error.kind).__name__
    if kind not in ("Type", "Enum", "Required"):
        return False
    level = _schemas_at_failure(index, root, list(error.evaluation_path))
    if kind in ("Type", "Enum"):
        return error.instance is None and any(node.get("nullable") is True for node in level)
    name = getattr(error.kind, "property", None)
    return isinstance(name, str) and any(_property_flag(index, node, name, _EXEMPT[direction]) for node in level)


def _schemas_at_failure(index: SpecIndex, root: str, path: list) -> list[dict]:
    """The schemas that applied to the failing instance itself (following $ref and
    composition, restarting whenever the path descends into a part of the instance)."""
    node = get(index.doc, root, None)
    level = [node]
    i = 1 if path[:1] == ["$ref"] else 0  # the validator's root is a `$ref` to `root`
    try:
        while i < len(path) and isinstance(node, dict):
            token = path[i]
            if token == "$ref":
                target = index.resolve(node["$ref"])
                if target is None:
                    break
                node = target[1]
                level.append(node)
                i += 1
            elif token in _DESCEND_NAMED:
                node = node[token][path[i + 1]]
                level = [node]
                i += 2
            elif token in _DESCEND_ONE or token == "prefixItems":
                node = node[token]
                i += 1
                if isinstance(node, list):
                    node = node[int(path[i])]
                    i += 1
                level = [node]
            elif token in _SAME_LIST:
                node = node[token][int(path[i + 1])]
                level.append(node)
                i += 2
            elif token in _SAME_NAMED:
                node = node[token][path[i + 1]]
                level.append(node)
                i += 2
            elif token in _SAME_ONE:
                node = node[token]
                level.append(node)
                i += 1
            else:
                break
    except (KeyError, IndexError, TypeError, ValueError):
        pass
    return [n for n in level if isinstance(n, dict)]


def _property_flag(index: SpecIndex, schema: dict, name: str, flags: tuple[str, ...], depth: int = 0) -> bool:
    """Whether property `name`, as `schema` (or its $ref / allOf members) defines it, has a flag."""
    if depth > 16:
        return False
    if isinstance(schema.get("$ref"), str):
        target = index.resolve(schema["$ref"])
        if target and isinstance(target[1], dict) and _property_flag(index, target[1], name, flags, depth + 1):
            return True
    properties = schema.get("properties")
    if isinstance(properties, dict) and name in properties:
        _, prop = index.deref("", properties[name])
        if isinstance(prop, dict) and any(prop.get(flag) is True for flag in flags):
            return True
    return any(
        isinstance(member, dict) and _property_flag(index, member, name, flags, depth + 1)
        for member in schema.get("allOf") or ()
    )


def _describe(error: Any) -> str:
    message = " ".join(str(error.message).split())
    rendered = json.dumps(error.instance, separators=(",", ":"), ensure_ascii=False)
    if message.startswith(rendered) and len(rendered) > 60:
        message = short(error.instance) + message[len(rendered) :]
    if len(message) > 200:
        message = message[:197] + "..."
    where = "".join("/" + escape(token) for token in error.instance_path)
    return f"at {where}: {message}" if where else message


def _join(prefix: str, problem: str) -> str:
    return f"{prefix} {problem}" if problem.startswith("at /") else f"{prefix}: {problem}"


def _is_validated_media(media_type: str) -> bool:
    """JSON and form bodies: their examples are the data itself, not a serialization of it."""
    name = media_type.split(";", 1)[0].strip().lower()
    return "json" in name or name in ("*/*", "application/x-www-form-urlencoded", "multipart/form-data")


def _examples_of(index: SpecIndex, pointer: str, node: dict) -> Iterator[tuple[str, Any, str]]:
    """(finding pointer, value, label) for `example` and each `examples.*.value` of a node."""
    if "example" in node:
        yield pointer + "/example", node["example"], "example"
    examples = node.get("examples")
    if isinstance(examples, dict):
        for name, entry in examples.items():
            entry_pointer = f"{pointer}/examples/{escape(name)}"
            target_pointer, example = index.deref(entry_pointer, entry)
            if not isinstance(example, dict) or "value" not in example:
                continue
            if target_pointer == entry_pointer:
                yield entry_pointer + "/value", example["value"], f"example {name!r}"
            else:  # reported where it is used: the same shared example may fit elsewhere
                yield entry_pointer, example["value"], f"example {name!r} ({entry['$ref']})"


@rule(
    "schema-example-valid",
    "error",
    "Every `example` (and 3.1 `examples` item) inside a schema validates against that schema.",
    equivalents=("spectral:oas3-valid-schema-example", "redocly:no-invalid-schema-examples"),
)
def schema_example_valid(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """Schema examples end up in the reference docs, SDK docstrings and mock responses; one
    that the schema rejects teaches every integrator the wrong type or value, and mocks built
    from it fail the client's own validation. `default` values are left to `default-valid`.
    The first failure of each example is reported, with the location inside the example."""
    is_31 = index.is_31
    for pointer, schema in index.schemas_with("example", "examples"):
        candidates: list[tuple[str, Any]] = []
        if "example" in schema:
            candidates.append((pointer + "/example", schema["example"]))
        if is_31 and isinstance(schema.get("examples"), list):
            candidates.extend((f"{pointer}/examples/{i}", value) for i, value in enumerate(schema["examples"]))
        for where, value in candidates:
            problem = example_error(index, pointer, value, ANY, schema)
            if problem:
                yield where, _join("example does not match its schema", problem)


@rule(
    "media-example-valid",
    "error",
    "Media type `example` and `examples.*.value` validate against the media type schema.",
    equivalents=("spectral:oas3-valid-media-example", "redocly:no-invalid-media-type-examples"),
)
def media_example_valid(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """Request and response examples are what people paste into curl and what mock servers
    replay; an example the body schema rejects either fails against the real API or hides a
    schema that is wrong. Only JSON and form bodies are validated (an XML or text example is a
    serialization, not the data). A shared example referenced from components is reported at
    the reference, since it may fit another schema."""
    sites = index.shared(example_sites)
    for pointer, (media, direction) in sites.media.items():
        media_type = unescape(pointer.rsplit("/", 1)[1])
        if "schema" not in media or not _is_validated_media(media_type):
            continue
        body = "request body" if "/requestBody/" in pointer or pointer.startswith("/components/requestBodies/") else ""
        body = body or ("response" if "/responses/" in pointer else "parameter")
        for where, value, label in _examples_of(index, pointer, media):
            problem = example_error(index, pointer + "/schema", value, direction, media["schema"])
            if problem:
                yield where, _join(f"{body} {label} does not match the {media_type} schema", problem)


@rule(
    "parameter-example-valid",
    "warning",
    "Parameter and header `example` / `examples.*.value` validate against their schema.",
    # Spectral's media-example rule also covers parameter examples.
    equivalents=("redocly:no-invalid-parameter-examples", "spectral:oas3-valid-media-example"),
)
def parameter_example_valid(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """A parameter example is the value a reader types into a query string or header; if the
    schema rejects it, either the example misleads or the schema over-constrains real
    traffic. Examples are values, not their serialization: a comma-separated string for an
    array parameter is reported. Headers are checked the same way. A warning, not an error:
    parameter examples feed documentation more than tooling."""
    sites = index.shared(example_sites)
    for pointer, (param, direction) in sites.parameters.items():
        if "schema" not in param:
            continue
        for where, value, label in _examples_of(index, pointer, param):
            problem = example_error(index, pointer + "/schema", value, direction, param["schema"])
            if problem:
                name = param.get("name", unescape(pointer.rsplit("/", 1)[1]))
                yield where, _join(f"{label} of {name!r} does not match its schema", problem)


@rule(
    "example-value-or-external",
    "error",
    "An Example Object has exactly one of `value` and `externalValue`.",
    equivalents=("spectral:oas3-examples-value-or-externalValue", "redocly:no-example-value-and-externalValue"),
)
def example_value_or_external(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """The two fields are mutually exclusive by the specification: with both, tools pick one
    arbitrarily and the reader cannot tell which is authoritative; with neither, the example
    shows nothing (a summary alone is not an example)."""
    for pointer, example in index.shared(example_sites).example_objects.items():
        has_value, has_external = "value" in example, "externalValue" in example
        if has_value and has_external:
            yield pointer + "/externalValue", "example has both value and externalValue: keep one"
        elif not has_value and not has_external and not any(k in example for k in ("dataValue", "serializedValue")):
            yield pointer, "example has neither value nor externalValue"


@rule(
    "value-format",
    "warning",
    "Every string `default` and `example` of a schema satisfies its `format` as a strict validator checks it.",
    equivalents=("spectral:oas3-valid-schema-example",),
)
def value_format(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """openapi-spec-validator checks no `uri` and no Telnyx format (`url`, E.164, `decimal`...),
    so `default: ""` on a URI field passes structural validation; but schemathesis, a strict
    server and the SDKs' validators reject it, and a contract test that sends the spec's own
    default or example then fails on the spec, not the server. Only what the lenient checker
    misses is reported here: the rest is `schema-example-valid`'s and `default-valid`'s."""
    from spec.formats import strict_format_ok
    from spec.validate import format_ok, show

    oas30 = not index.is_31
    for pointer, schema in index.schemas_with("format"):
        fmt = schema.get("format")
        if not isinstance(fmt, str):
            continue
        candidates = [(keyword, schema[keyword]) for keyword in ("default", "example") if keyword in schema]
        if isinstance(schema.get("examples"), list):
            candidates.extend((f"examples/{i}", value) for i, value in enumerate(schema["examples"]))
        for where, value in candidates:
            if not isinstance(value, str) or strict_format_ok(fmt, value, oas30=oas30):
                continue
            if format_ok(fmt, value, oas30=oas30):
                yield f"{pointer}/{where}", f"{where.split('/')[0]} {show(value)} is not a valid '{fmt}'"
