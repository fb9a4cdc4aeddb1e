"""One walk over the parsed spec that every rule shares: operations, schemas, refs, examples.

Rules are pure functions over a `SpecIndex`; building it once keeps a full audit to a single
pass over ~80k nodes instead of one per rule.
"""

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

    def schema_validator(self, pointer: str, **options: Any) -> Any:
        """A compiled validator for the schema at `pointer` ($refs into the document resolve),
        checking formats unless `options` say otherwise (e.g. osv-compatible keywords)."""
        import jsonschema_rs

        cls = jsonschema_rs.Draft202012Validator if self.is_31 else jsonschema_rs.Draft4Validator
        options.setdefault("validate_formats", True)
        return cls(schema_ref(pointer), registry=self.registry, **options)


SPEC_URI = "urn:telnyx-conformance:spec"


def schema_ref(pointer: str) -> dict[str, str]:
    """A schema that is just a reference to the schema at `pointer` in the indexed document."""
    return {"$ref": SPEC_URI + "#" + quote(pointer, safe="/~")}


def _exists(doc: Any, pointer: str) -> bool:
    sentinel = object()
    return get(doc, pointer, sentinel) is not sentinel


def build_index(doc: dict[str, Any]) -> SpecIndex:
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
    _walk_structure(doc, "", index)
    return index


def _operations(base: str, path: str, item: dict, *, webhook: bool) -> Iterator[Operation]:
    for method in HTTP_METHODS:
        node = item.get(method)
        if isinstance(node, dict):
            yield Operation(path, method, f"{base}/{method}", node, item, webhook)


def _walk_structure(node: Any, pointer: str, index: SpecIndex) -> None:
    """Collect $refs and schema objects; data values (examples, defaults, enums) are not walked."""
    stack: list[tuple[Any, str, bool]] = [(node, pointer, False)]
    while stack:
        node, pointer, is_schema = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                index.refs.append((pointer, ref))
            if is_schema:
                index.schemas.append((pointer, node))
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
                            index.refs.append((f"{child}/{escape(name)}", example["$ref"]))
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
