"""Flattening: a schema as a conjunction of facets, `$ref`s followed and `allOf` merged."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spec.index import SpecIndex
from spec.pointer import escape

Facet = tuple[str, Any]  # (JSON pointer in the document, schema node)
MISSING: Any = object()


@dataclass(eq=False)
class BranchGroup:
    """One `oneOf`/`anyOf`: its branches are alternatives to add to the conjunction."""

    kind: str
    owner: str  # pointer of the schema holding it: identifies the group
    branches: tuple[Facet, ...]


@dataclass(eq=False)
class Flat:
    """The conjunction of facets, merged into the constraints a generator needs."""

    facets: tuple[Facet, ...]
    skip: frozenset[str]  # owners of groups already resolved by an added branch
    impossible: bool = False
    refs: tuple[str, ...] = ()  # the schema's own pointer and the $ref targets entered: recursion guard
    types: tuple[str, ...] | None = None
    nullable: bool = False
    const: Any = MISSING
    enum: list[Any] | None = None
    examples: list[Any] = field(default_factory=list)
    defaults: list[Any] = field(default_factory=list)
    properties: dict[str, list[Facet]] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    additional: list[Facet] = field(default_factory=list)
    closed: list[tuple[frozenset[str], tuple[str, ...]]] = field(default_factory=list)
    pattern_props: list[tuple[str, Facet]] = field(default_factory=list)
    min_props: int = 0
    max_props: int | None = None
    items: list[Facet] = field(default_factory=list)
    prefix: list[list[Facet]] = field(default_factory=list)
    min_items: int = 0
    max_items: int | None = None
    unique: bool = False
    contains: list[Facet] = field(default_factory=list)
    min_len: int = 0
    max_len: int | None = None
    patterns: list[str] = field(default_factory=list)
    format: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    ex_min: float | None = None
    ex_max: float | None = None
    multiple_of: list[float] = field(default_factory=list)
    read_only: bool = False
    write_only: bool = False
    groups: list[BranchGroup] = field(default_factory=list)
    nots: list[Facet] = field(default_factory=list)
    # Filled lazily by the engine: what depends on validators or child flats.
    fixed: list[Any] | None = None
    enum_ok: list[Any] | None = None
    children: dict[str, Flat] = field(default_factory=dict)

    @property
    def roots(self) -> tuple[str, ...]:
        return tuple(p for p, _ in self.facets)


def _intersect_types(current: tuple[str, ...] | None, declared: Any) -> tuple[str, ...]:
    """Type lists intersect under allOf; `integer` survives a `number` on the other side."""
    new = (declared,) if isinstance(declared, str) else tuple(t for t in declared if isinstance(t, str))
    if current is None:
        return new
    kept = [t for t in current if t in new or (t == "integer" and "number" in new)]
    kept += [t for t in new if t == "integer" and "number" in current and t not in kept]
    return tuple(kept)


def _tighter(current: float | None, value: Any, pick: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return current
    return value if current is None else pick(current, value)


def _absorb(flat: Flat, pointer: str, node: dict[str, Any]) -> None:
    """Merge one schema object's own keywords into the conjunction (subschemas stay facets)."""
    if isinstance(node.get("type"), (str, list)):
        flat.types = _intersect_types(flat.types, node["type"])
        if not flat.types:
            flat.impossible = True
    flat.nullable = flat.nullable or node.get("nullable") is True
    if "const" in node and flat.const is MISSING:
        flat.const = node["const"]
    enum = node.get("enum")
    if isinstance(enum, list):
        flat.enum = list(enum) if flat.enum is None else [v for v in flat.enum if v in enum]
    if "example" in node:
        flat.examples.append(node["example"])
    if isinstance(node.get("examples"), list) and node["examples"]:
        flat.examples.append(node["examples"][0])
    if "default" in node:
        flat.defaults.append(node["default"])
    _absorb_object(flat, pointer, node)
    _absorb_array(flat, pointer, node)
    flat.min_len = max(flat.min_len, _int(node.get("minLength"), 0))
    flat.max_len = _tighter(flat.max_len, node.get("maxLength"), min)  # type: ignore[assignment]
    if isinstance(node.get("pattern"), str):
        flat.patterns.append(node["pattern"])
    if isinstance(node.get("format"), str) and flat.format is None:
        flat.format = node["format"]
    _absorb_numeric(flat, node)
    flat.read_only = flat.read_only or node.get("readOnly") is True
    flat.write_only = flat.write_only or node.get("writeOnly") is True


def _absorb_object(flat: Flat, pointer: str, node: dict[str, Any]) -> None:
    props = node.get("properties")
    props = props if isinstance(props, dict) else {}
    for name, sub in props.items():
        flat.properties.setdefault(name, []).append((f"{pointer}/properties/{escape(name)}", sub))
    required = node.get("required")
    if isinstance(required, list):
        flat.required.extend(r for r in required if isinstance(r, str) and r not in flat.required)
    patterns = node.get("patternProperties")
    patterns = patterns if isinstance(patterns, dict) else {}
    for pattern, sub in patterns.items():
        flat.pattern_props.append((pattern, (f"{pointer}/patternProperties/{escape(pattern)}", sub)))
    additional = node.get("additionalProperties")
    if additional is False:
        flat.closed.append((frozenset(props), tuple(patterns)))
    elif isinstance(additional, dict):
        flat.additional.append((f"{pointer}/additionalProperties", additional))
    flat.min_props = max(flat.min_props, _int(node.get("minProperties"), 0))
    flat.max_props = _tighter(flat.max_props, node.get("maxProperties"), min)  # type: ignore[assignment]


def _absorb_array(flat: Flat, pointer: str, node: dict[str, Any]) -> None:
    items = node.get("items")
    if isinstance(items, dict):
        flat.items.append((f"{pointer}/items", items))
    prefix, key = (items, "items") if isinstance(items, list) else (node.get("prefixItems"), "prefixItems")
    if isinstance(prefix, list):
        for i, sub in enumerate(prefix):
            while len(flat.prefix) <= i:
                flat.prefix.append([])
            flat.prefix[i].append((f"{pointer}/{key}/{i}", sub))
    flat.min_items = max(flat.min_items, _int(node.get("minItems"), 0))
    flat.max_items = _tighter(flat.max_items, node.get("maxItems"), min)  # type: ignore[assignment]
    flat.unique = flat.unique or node.get("uniqueItems") is True
    if isinstance(node.get("contains"), dict):
        flat.contains.append((f"{pointer}/contains", node["contains"]))


def _absorb_numeric(flat: Flat, node: dict[str, Any]) -> None:
    flat.minimum = _tighter(flat.minimum, node.get("minimum"), max)
    flat.maximum = _tighter(flat.maximum, node.get("maximum"), min)
    ex_min, ex_max = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if ex_min is True:  # OAS 3.0 / draft 4: the boolean makes `minimum` exclusive
        ex_min = node.get("minimum")
    if ex_max is True:
        ex_max = node.get("maximum")
    flat.ex_min = _tighter(flat.ex_min, ex_min, max)
    flat.ex_max = _tighter(flat.ex_max, ex_max, min)
    multiple = node.get("multipleOf")
    if isinstance(multiple, (int, float)) and not isinstance(multiple, bool) and multiple > 0:
        flat.multiple_of.append(multiple)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def flatten(index: SpecIndex, facets: tuple[Facet, ...], skip: frozenset[str]) -> Flat:
    """Follow `$ref`s and `allOf`s breadth-first (outer facets first, so their examples win)."""
    flat = Flat(facets=facets, skip=skip)
    queue = list(facets)
    seen: set[str] = set()
    refs: list[str] = [facets[0][0]] if facets else []  # the schema itself counts as entered
    while queue:
        pointer, node = queue.pop(0)
        if pointer in seen:
            continue
        seen.add(pointer)
        if node is False:
            flat.impossible = True
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            target = index.resolve(ref)
            if target is not None:
                refs.append(target[0])
                queue.append(target)
            if not index.is_31:
                continue  # OAS 3.0: a $ref's siblings are ignored
        _absorb(flat, pointer, node)
        members = node.get("allOf")
        if isinstance(members, list):
            queue.extend((f"{pointer}/allOf/{i}", m) for i, m in enumerate(members))
        for kind in ("oneOf", "anyOf"):
            branches = node.get(kind)
            owner = f"{pointer}/{kind}"
            if isinstance(branches, list) and branches and owner not in skip:
                flat.groups.append(BranchGroup(kind, owner, tuple((f"{owner}/{i}", b) for i, b in enumerate(branches))))
        if "not" in node:
            flat.nots.append((f"{pointer}/not", node["not"]))
    flat.refs = tuple(refs)
    return flat
