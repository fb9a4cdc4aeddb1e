"""One walk over the parsed spec that every rule shares: operations, schemas, refs, examples.

Rules are pure functions over a `SpecIndex`; building it once keeps a full audit to a single
pass over ~80k nodes instead of one per rule.
"""

import marshal
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote

from spec.pointer import escape, from_fragment, get

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Keywords whose value is one subschema / a list of subschemas / a map of subschemas.
SCHEMA_ONE = (
    "items",
    "not",
    "additionalProperties",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
)
SCHEMA_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_MAP = ("properties", "patternProperties", "dependentSchemas", "$defs", "definitions")
# Values that are data, not spec structure: never walked for structure.
DATA_KEYS = ("example", "examples", "default", "enum", "const")


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    pointer: str
    node: dict[str, Any]
    path_item: dict[str, Any]
    webhook: bool = False

    @property
    def operation_id(self) -> str | None:
        value = self.node.get("operationId")
        return value if isinstance(value, str) else None


@dataclass
class SpecIndex:
    doc: dict[str, Any]
    operations: list[Operation] = field(default_factory=list)
    webhook_operations: list[Operation] = field(default_factory=list)
    schemas: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # every schema object
    refs: list[tuple[str, str]] = field(default_factory=list)  # (pointer of the $ref holder, target)
    # Work several rules share (e.g. one structural-validation pass feeding several rule ids),
    # keyed by the producing function's qualified name.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def shared(self, producer: "Callable[[SpecIndex], Any]") -> Any:
        """`producer(self)`, computed once per index."""
        key = f"{producer.__module__}.{producer.__qualname__}"
        if key not in self.memo:
            self.memo[key] = producer(self)
        return self.memo[key]

    def schemas_with(self, *keywords: str) -> list[tuple[str, dict[str, Any]]]:
        """The entries of `schemas` (in order) that have at least one of `keywords`: most rules
        look at a keyword few of the ~13k schemas carry, and a set test is cheaper than their
        own look-ups."""
        wanted = frozenset(keywords)
        return [entry for entry in self.schemas if not wanted.isdisjoint(entry[1])]

    @property
    def openapi(self) -> str:
        return str(self.doc.get("openapi", ""))

    @cached_property
    def is_31(self) -> bool:
        return not self.openapi.startswith("3.0")

    def resolve(self, ref: str) -> tuple[str, Any] | None:
        """(pointer, value) of a local `$ref`, following chains; None when it does not resolve.

        Memoized: the Telnyx spec has ~3,700 $refs to a few hundred targets, resolved again
        by nearly every rule."""
        memo = self.memo.setdefault("resolve", {})
        if ref not in memo:
            memo[ref] = self._resolve(ref)
        return memo[ref]

    def _resolve(self, ref: str) -> tuple[str, Any] | None:
        seen: set[str] = set()
        while True:
            pointer = from_fragment(ref)
            if pointer is None or pointer in seen:
                return None
            seen.add(pointer)
            value = get(self.doc, pointer, None)
            if value is None and not _exists(self.doc, pointer):
                return None
            if isinstance(value, dict) and isinstance(value.get("$ref"), str):
                ref = value["$ref"]
                continue
            return pointer, value

    def deref(self, pointer: str, node: Any) -> tuple[str, Any]:
        """The node itself, or what its `$ref` points at (unchanged when it does not resolve)."""
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            target = self.resolve(node["$ref"])
            if target is not None:
                return target
        return pointer, node

    def parameters(self, operation: Operation) -> list[tuple[str, dict[str, Any]]]:
        """Effective parameters (path-level overridden by operation-level), dereferenced."""
        merged: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
        path_pointer = operation.pointer.rsplit("/", 1)[0]
        for base, params in (
            (path_pointer, operation.path_item.get("parameters")),
            (operation.pointer, operation.node.get("parameters")),
        ):
            if not isinstance(params, list):
                continue
            for i, param in enumerate(params):
                pointer, value = self.deref(f"{base}/parameters/{i}", param)
                if isinstance(value, dict):
                    merged[(str(value.get("name")), str(value.get("in")))] = (pointer, value)
        return list(merged.values())

    @cached_property
    def registry(self) -> Any:
        """A jsonschema-rs registry holding the whole document, for validating against any
        schema in it: JSON Schema 2020-12 for 3.1, draft 4 (what OAS 3.0 extends) for 3.0."""
        import jsonschema_rs

        draft = jsonschema_rs.Draft202012 if self.is_31 else jsonschema_rs.Draft4
        return jsonschema_rs.Registry([(SPEC_URI, self.doc)], draft=draft)

    def schema_validator(self, pointer: str, *, schema: Any = None, **options: Any) -> Any:
        """A compiled validator for the schema at `pointer` ($refs into the document resolve),
        checking formats unless `options` say otherwise (e.g. osv-compatible keywords); raises
        what jsonschema-rs raises for a schema it cannot compile. `schema`, the node at
        `pointer` when the caller has it, saves looking it up.

        Compiling is most of the cost of validating a value, and the Telnyx spec repeats the
        same schemas (`{type: string, format: date-time}`...) in hundreds of places: schemas
        of equal content (`schema_key`) share one validator, or one compile error."""
        if schema is None:
            schema = get(self.doc, pointer, None)
        options.setdefault("validate_formats", True)
        key = (schema_key(schema) or pointer, _options_key(options))
        compiled = self.memo.setdefault("schema_validator", {})
        if key not in compiled:
            compiled[key] = self._compile(pointer, options)
        found = compiled[key]
        if isinstance(found, Exception):
            raise found
        return found

    def _compile(self, pointer: str, options: dict[str, Any]) -> Any:
        """The validator, or the exception compiling it raised (for `schema_validator` to keep)."""
        import jsonschema_rs

        cls = jsonschema_rs.Draft202012Validator if self.is_31 else jsonschema_rs.Draft4Validator
        try:
            return cls(schema_ref(pointer), registry=self.registry, **options)
        except Exception as exc:
            return exc


SPEC_URI = "urn:telnyx-conformance:spec"

# Keywords that never change what a value validates against, and the type the meta-schema
# wants their value to have (`object`: any value). Only that type could change whether a
# schema compiles (a `description` that is no string breaks the meta-schema).
_ANNOTATIONS: dict[str, type] = {
    "description": str,
    "title": str,
    "$comment": str,
    "deprecated": bool,
    "readOnly": bool,
    "writeOnly": bool,
    "examples": list,
    "example": object,
    "default": object,
}


def schema_key(schema: Any) -> bytes | None:
    """Bytes equal for two schemas that compile to the same validator, or None (no sharing).

    The schema as marshal writes it (exact: 1, 1.0 and true differ, key order is kept),
    without its top-level annotations and `x-` extensions, but for the type of an annotation
    of the wrong type. Nested schemas are compared whole: telling their annotations from data
    would take a walk."""
    if not isinstance(schema, dict):
        return None
    shape = {}
    for key, value in schema.items():
        wanted = object if isinstance(key, str) and key.startswith("x-") else _ANNOTATIONS.get(key)
        if wanted is None:
            shape[key] = value
        elif not isinstance(value, wanted):  # (a tuple: no JSON value is one)
            shape[key] = ("annotation of type", type(value).__name__)
    try:
        return marshal.dumps(shape, 2)  # version 2 writes no back-references: same content, same bytes
    except ValueError:  # a value marshal cannot write (e.g. a date from the PyYAML fallback)
        return None


def _options_key(options: dict[str, Any]) -> tuple:
    """`options` as a hashable value (custom keywords are a dict of classes)."""
    return tuple(
        (name, frozenset(value.items()) if isinstance(value, dict) else value) for name, value in options.items()
    )


def schema_ref(pointer: str) -> dict[str, str]:
    """A schema that is just a reference to the schema at `pointer` in the indexed document."""
    return {"$ref": SPEC_URI + "#" + quote(pointer, safe="/~")}


def _exists(doc: Any, pointer: str) -> bool:
    sentinel = object()
    return get(doc, pointer, sentinel) is not sentinel


# What `walk_structure` finds: every schema object and every $ref holder, with their pointers.
Structure = tuple[list[tuple[str, dict[str, Any]]], list[tuple[str, str]]]


def build_index(doc: dict[str, Any], structure: Structure | None = None) -> SpecIndex:
    """The index of `doc`. `structure`, when given, is `walk_structure(doc)` computed earlier
    (the parse cache keeps it, the walk being most of the index's cost)."""
    index = SpecIndex(doc=doc)
    paths = doc.get("paths")
    if isinstance(paths, dict):
        for path, item in paths.items():
            if isinstance(item, dict):
                index.operations.extend(_operations(f"/paths/{escape(path)}", path, item, webhook=False))
    webhooks = doc.get("webhooks")
    if isinstance(webhooks, dict):
        for name, item in webhooks.items():
            if isinstance(item, dict):
                index.webhook_operations.extend(_operations(f"/webhooks/{escape(name)}", name, item, webhook=True))
    schemas, refs = walk_structure(doc) if structure is None else structure
    index.schemas, index.refs = list(schemas), list(refs)  # copies: the caller's lists stay as they are
    return index


def _operations(base: str, path: str, item: dict, *, webhook: bool) -> Iterator[Operation]:
    for method in HTTP_METHODS:
        node = item.get(method)
        if isinstance(node, dict):
            yield Operation(path, method, f"{base}/{method}", node, item, webhook)


def walk_structure(doc: Any) -> Structure:
    """Collect $refs and schema objects; data values (examples, defaults, enums) are not walked."""
    schemas: list[tuple[str, dict[str, Any]]] = []
    refs: list[tuple[str, str]] = []
    stack: list[tuple[Any, str, bool]] = [(doc, "", False)]
    while stack:
        node, pointer, is_schema = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                refs.append((pointer, ref))
            if is_schema:
                schemas.append((pointer, node))
                _push_subschemas(node, pointer, stack)
                continue
            in_responses = pointer.endswith("/responses")  # a Responses Object: `default` is a response
            for key, value in node.items():
                if key.startswith("x-") or (
                    key in DATA_KEYS and key != "examples" and not (key == "default" and in_responses)
                ):
                    continue
                child = f"{pointer}/{escape(key)}"
                if key == "examples" and isinstance(value, dict):
                    # Example Objects: walk for $refs, never into their `value`
                    for name, example in value.items():
                        if isinstance(example, dict) and isinstance(example.get("$ref"), str):
                            refs.append((f"{child}/{escape(name)}", example["$ref"]))
                    continue
                if key == "schema" or (key == "schemas" and pointer == "/components"):
                    if key == "schema":
                        stack.append((value, child, True))
                    elif isinstance(value, dict):
                        for name, schema in value.items():
                            stack.append((schema, f"{child}/{escape(name)}", True))
                    continue
                stack.append((value, child, False))
        elif isinstance(node, list) and not is_schema:
            for i, value in enumerate(node):
                stack.append((value, f"{pointer}/{i}", False))
    return schemas, refs


def _push_subschemas(schema: dict, pointer: str, stack: list) -> None:
    for key in SCHEMA_ONE:
        value = schema.get(key)
        if isinstance(value, (dict, bool)) and isinstance(value, dict):
            stack.append((value, f"{pointer}/{key}", True))
    for key in SCHEMA_LIST:
        value = schema.get(key)
        if isinstance(value, list):
            for i, sub in enumerate(value):
                stack.append((sub, f"{pointer}/{key}/{i}", True))
    for key in SCHEMA_MAP:
        value = schema.get(key)
        if isinstance(value, dict):
            for name, sub in value.items():
                stack.append((sub, f"{pointer}/{key}/{escape(name)}", True))
    items = schema.get("items")
    if isinstance(items, list):  # 3.0-style tuple items
        for i, sub in enumerate(items):
            stack.append((sub, f"{pointer}/items/{i}", True))
