"""What a schema allows, as one flat view: `$ref`s followed, `allOf` members folded together,
`oneOf`/`anyOf` branches merged, and the versions' spellings made one (Swagger 2.0's
`x-nullable` and `type: file`, OpenAPI 3.0's `nullable` and boolean `exclusiveMaximum`,
3.1's type lists and numeric `exclusiveMaximum`).

A view is an approximation made for comparing two versions of a schema, not a validator:
a property moved into an `allOf` member is the same property, and a `oneOf` reads as the union
of its branches (properties of any branch, required only when every branch requires it).
Every facet keeps the pointer of the keyword that set it, so a change is located.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from spec.model.types import Node
from spec.pointer import escape

BOUNDS_UPPER = ("maximum", "maxLength", "maxItems")
BOUNDS_LOWER = ("minimum", "minLength", "minItems")
MAX_DEPTH = 40
# Synthesized schemas (Swagger 2.0 formData bodies) name where each property is written.
PROPERTY_POINTERS = "x-telnyx-conformance-property-pointers"

Bound = tuple[float, bool, str]  # (value, exclusive, pointer)


@dataclass(frozen=True)
class View:
    pointer: str
    types: frozenset[str] | None = None  # None: unconstrained; "null" when null is allowed
    type_pointer: str = ""
    nullable_flag: bool = False  # 3.0 `nullable` / 2.0 `x-nullable` set here (applies to the whole)
    format: str | None = None
    format_pointer: str = ""
    enum: tuple[Any, ...] | None = None
    enum_pointer: str = ""
    bounds: dict[str, Bound] = field(default_factory=dict)
    pattern: str | None = None
    pattern_pointer: str = ""
    properties: dict[str, Node] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    required_pointer: str = ""
    additional: Any = None  # None: open (absent, true or a schema), False: closed
    additional_node: Node | None = None
    additional_pointer: str = ""
    items: Node | None = None
    # JSON Schema's other in-place applicators (`then`, `else`, `contains`, `prefixItems`...),
    # by a label the diff prints: compared below the node like properties and items.
    subschemas: dict[str, Node] = field(default_factory=dict)
    # `not`: compared as a whole (what it excludes), never walked by the facet rules (it inverts)
    negated: Node | None = None
    read_only: bool = False
    write_only: bool = False

    def type_text(self) -> str:
        if self.types is None:
            return "any"
        return "|".join(sorted(self.types)) or "nothing"


def canon(value: Any) -> str:
    """One key per JSON value (1 and 1.0 alike, true and 1 not)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return "n:" + repr(float(value))
    return json.dumps(value, sort_keys=True, default=str)


class Views:
    """The views of one document's schemas, built once per pointer."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self._memo: dict[str, View] = {}

    def view(self, node: Node) -> View:
        pointer, raw = node
        found = self._memo.get(pointer)
        if found is None:
            found = self._build(pointer, raw, frozenset(), 0)
            self._memo[pointer] = found
        return found

    def _build(self, pointer: str, raw: Any, seen: frozenset[str], depth: int) -> View:
        if not isinstance(raw, dict) or depth > MAX_DEPTH:
            return View(pointer)
        parts: list[View] = []
        ref = raw.get("$ref")
        if isinstance(ref, str):
            target = self.document.resolve(ref)
            if target is not None and target[0] not in seen:
                if target[0] in self._memo:
                    base = self._memo[target[0]]
                else:
                    base = self._build(target[0], target[1], seen | {pointer}, depth + 1)
                if len(raw) == 1:
                    return base
                parts.append(base)
        parts.append(own_facets(pointer, raw))
        for i, member in enumerate(_list(raw.get("allOf"))):
            parts.append(self._build(f"{pointer}/allOf/{i}", member, seen | {pointer}, depth + 1))
        branches = [
            self._build(f"{pointer}/{key}/{i}", member, seen | {pointer}, depth + 1)
            for key in ("oneOf", "anyOf")
            for i, member in enumerate(_list(raw.get(key)))
        ]
        if branches:
            parts.append(either(pointer, branches))
        return replace(both(parts), pointer=pointer) if len(parts) > 1 else parts[0]


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def own_facets(pointer: str, raw: dict[str, Any]) -> View:
    """The facets a schema object sets by its own keywords."""
    declared = raw.get("type")
    types: set[str] | None = None
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {t for t in declared if isinstance(t, str)}
    fmt = raw.get("format") if isinstance(raw.get("format"), str) else None
    if types and "file" in types:  # Swagger 2.0: a file is a binary string
        types = (types - {"file"}) | {"string"}
        fmt = fmt or "binary"
    nullable = raw.get("nullable") is True or raw.get("x-nullable") is True
    enum = tuple(raw["enum"]) if isinstance(raw.get("enum"), list) else None
    enum_pointer = _at(pointer, raw, "enum")
    if "const" in raw:
        enum, enum_pointer = (raw["const"],), f"{pointer}/const"
    if types is None and (isinstance(raw.get("properties"), dict) or isinstance(raw.get("additionalProperties"), dict)):
        types = {"object"}
    elif types is None and isinstance(raw.get("items"), dict):
        types = {"array"}
    if types is not None and (nullable or (enum is not None and None in enum)):
        types.add("null")
    pointers = raw.get(PROPERTY_POINTERS) or {}
    properties = raw.get("properties") if isinstance(raw.get("properties"), dict) else {}
    additional = raw.get("additionalProperties")
    items = raw.get("items")
    return View(
        pointer=pointer,
        types=frozenset(types) if types is not None else None,
        type_pointer=_at(pointer, raw, "type"),
        nullable_flag=nullable,
        format=fmt,
        format_pointer=_at(pointer, raw, "format"),
        enum=enum,
        enum_pointer=enum_pointer,
        bounds=_bounds(pointer, raw),
        pattern=raw.get("pattern") if isinstance(raw.get("pattern"), str) else None,
        pattern_pointer=_at(pointer, raw, "pattern"),
        properties={
            name: (pointers.get(name) or f"{pointer}/properties/{escape(name)}", sub)
            for name, sub in properties.items()
        },
        required=frozenset(r for r in _list(raw.get("required")) if isinstance(r, str)),
        required_pointer=_at(pointer, raw, "required"),
        additional=False if additional is False else None,
        additional_node=(f"{pointer}/additionalProperties", additional) if isinstance(additional, dict) else None,
        additional_pointer=_at(pointer, raw, "additionalProperties"),
        items=(f"{pointer}/items", items) if isinstance(items, dict) else None,
        subschemas=_subschemas(pointer, raw),
        negated=(f"{pointer}/not", raw["not"]) if isinstance(raw.get("not"), dict) else None,
        read_only=raw.get("readOnly") is True,
        write_only=raw.get("writeOnly") is True,
    )


# Applicators whose subschema constrains the instance where it applies, so that a stricter
# subschema is a stricter schema (`if` only selects and `not` inverts: neither is here; `not`
# is kept as `View.negated` and compared whole).
APPLICATORS = ("then", "else", "contains", "propertyNames", "unevaluatedItems", "unevaluatedProperties")
APPLICATORS += ("contentSchema",)


def _subschemas(pointer: str, raw: dict[str, Any]) -> dict[str, Node]:
    found = {key: (f"{pointer}/{key}", raw[key]) for key in APPLICATORS if isinstance(raw.get(key), dict)}
    for i, member in enumerate(_list(raw.get("prefixItems"))):
        if isinstance(member, dict):
            found[f"prefixItems/{i}"] = (f"{pointer}/prefixItems/{i}", member)
    dependent = raw.get("dependentSchemas")
    for name, member in dependent.items() if isinstance(dependent, dict) else ():
        if isinstance(member, dict):
            found[f"dependentSchemas/{name}"] = (f"{pointer}/dependentSchemas/{escape(name)}", member)
    return found


def _at(pointer: str, raw: dict[str, Any], key: str) -> str:
    """The keyword's pointer when the schema writes it, else the schema's own."""
    return f"{pointer}/{key}" if key in raw and PROPERTY_POINTERS not in raw else pointer


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bounds(pointer: str, raw: dict[str, Any]) -> dict[str, Bound]:
    found: dict[str, Bound] = {}
    for name, exclusive_key, upper in (("maximum", "exclusiveMaximum", True), ("minimum", "exclusiveMinimum", False)):
        value, exclusive = raw.get(name), raw.get(exclusive_key)
        if _number(value):
            found[name] = (float(value), exclusive is True, f"{pointer}/{name}")
        if _number(exclusive):  # 3.1: the exclusive bound is its own number
            candidate = (float(exclusive), True, f"{pointer}/{exclusive_key}")
            if name not in found or tighter(candidate, found[name], upper):
                found[name] = candidate
    for name in ("maxLength", "minLength", "maxItems", "minItems"):
        if _number(raw.get(name)):
            found[name] = (float(raw[name]), False, f"{pointer}/{name}")
    return found


def tighter(a: Bound, b: Bound, upper: bool) -> bool:
    """Is bound `a` stricter than bound `b` (an upper bound when `upper`)?"""
    if a[0] != b[0]:
        return a[0] < b[0] if upper else a[0] > b[0]
    return a[1] and not b[1]


def covered(kind: str, types: frozenset[str]) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _meet(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    return frozenset(t for t in a if covered(t, b)) | frozenset(t for t in b if t == "integer" and "number" in a)


def both(parts: list[View]) -> View:
    """What all of `parts` allow together (`allOf`, or a schema's keywords beside them)."""
    types: frozenset[str] | None = None
    type_pointer = parts[0].type_pointer
    for part in parts:
        if part.types is None:
            continue
        if types is None:
            types, type_pointer = part.types, part.type_pointer
        else:
            types = _meet(types, part.types)
    if types is not None and any(p.nullable_flag for p in parts):
        types = types | {"null"}
    first = _first(parts)
    enums = [p for p in parts if p.enum is not None]
    enum = enums[0].enum if enums else None
    if len(enums) > 1:
        keys = set.intersection(*({canon(v) for v in p.enum} for p in enums))
        enum = tuple(v for v in enums[0].enum if canon(v) in keys)
    bounds: dict[str, Bound] = {}
    for part in parts:
        for name, bound in part.bounds.items():
            if name not in bounds or tighter(bound, bounds[name], name in BOUNDS_UPPER):
                bounds[name] = bound
    properties: dict[str, Node] = {}
    for part in parts:
        for name, node in part.properties.items():
            properties.setdefault(name, node)
    closed = [p for p in parts if p.additional is False]
    subschemas: dict[str, Node] = {}
    for part in parts:
        for label, node in part.subschemas.items():
            subschemas.setdefault(label, node)
    return replace(
        first,
        types=types,
        type_pointer=type_pointer,
        nullable_flag=any(p.nullable_flag for p in parts),
        enum=enum,
        enum_pointer=enums[0].enum_pointer if enums else first.enum_pointer,
        bounds=bounds,
        properties=properties,
        required=frozenset().union(*(p.required for p in parts)),
        required_pointer=next((p.required_pointer for p in parts if p.required), first.required_pointer),
        additional=False if closed else None,
        additional_pointer=closed[0].additional_pointer if closed else first.additional_pointer,
        subschemas=subschemas,
        read_only=any(p.read_only for p in parts),
        write_only=any(p.write_only for p in parts),
    )


def _first(parts: list[View]) -> View:
    """The first part's view with each single-valued facet taken from the first part setting it."""
    view = parts[0]
    for attr, where in (("format", "format_pointer"), ("pattern", "pattern_pointer")):
        for part in parts:
            if getattr(part, attr) is not None:
                view = replace(view, **{attr: getattr(part, attr), where: getattr(part, where)})
                break
    for attr in ("items", "additional_node", "negated"):
        for part in parts:
            if getattr(part, attr) is not None:
                view = replace(view, **{attr: getattr(part, attr)})
                break
    return view


def either(pointer: str, branches: list[View]) -> View:
    """What any one of `branches` allows (`oneOf`/`anyOf`), merged into one view."""
    types: frozenset[str] | None = frozenset()
    for branch in branches:
        types = None if types is None or branch.types is None else types | branch.types
    formats = {b.format for b in branches}
    enum = None
    if all(b.enum is not None for b in branches):
        seen: dict[str, Any] = {}
        for branch in branches:
            for value in branch.enum or ():
                seen.setdefault(canon(value), value)
        enum = tuple(seen.values())
    bounds: dict[str, Bound] = {}
    for name in set.intersection(*(set(b.bounds) for b in branches)):
        loosest = branches[0].bounds[name]
        for branch in branches[1:]:
            if tighter(loosest, branch.bounds[name], name in BOUNDS_UPPER):
                loosest = branch.bounds[name]
        bounds[name] = loosest
    properties: dict[str, Node] = {}
    for branch in branches:
        for name, node in branch.properties.items():
            properties.setdefault(name, node)
    patterns = {b.pattern for b in branches}
    subschemas: dict[str, Node] = {}
    for branch in branches:
        for label, node in branch.subschemas.items():
            subschemas.setdefault(label, node)
    return View(
        pointer=pointer,
        types=types,
        type_pointer=branches[0].type_pointer,
        format=formats.pop() if len(formats) == 1 else None,
        format_pointer=branches[0].format_pointer,
        enum=enum,
        enum_pointer=branches[0].enum_pointer,
        bounds=bounds,
        pattern=patterns.pop() if len(patterns) == 1 else None,
        pattern_pointer=branches[0].pattern_pointer,
        properties=properties,
        required=frozenset.intersection(*(b.required for b in branches)),
        required_pointer=branches[0].required_pointer,
        additional=False if all(b.additional is False for b in branches) else None,
        additional_pointer=branches[0].additional_pointer,
        items=next((b.items for b in branches if b.items is not None), None),
        subschemas=subschemas,
        negated=next((b.negated for b in branches if b.negated is not None), None),
        read_only=all(b.read_only for b in branches),
        write_only=all(b.write_only for b in branches),
    )
