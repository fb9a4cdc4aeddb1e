"""Comparisons of one facet of a schema view in both versions, in either direction; the rules
of `spec.diff.rules.schemas_*` are thin, documented wrappers around these.

Request side (what the client sends): the new version must still accept every value the old
one did, so a facet that *narrows* is the finding. Response side (what the client reads): the
old client must still understand every value the new version may send, so a facet that
*widens* is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from spec.diff.pairs import SchemaPair
from spec.diff.rules import Hit
from spec.model.schema import BOUNDS_UPPER, View, canon, covered, tighter
from spec.model.types import Node

# format pairs (narrow, wide) where the wide one takes every value of the narrow one
_WIDER_FORMATS = {
    ("int32", "int64"),
    ("float", "double"),
    ("url", "uri"),
    ("uri-reference", "iri-reference"),
    ("uri", "iri"),
}
_SHOWN = 4  # enum values quoted in a message


def values_text(values: list[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:_SHOWN])
    return shown + (f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else "")


def _bound_text(name: str, bound: tuple[float, bool, str] | None) -> str:
    if bound is None:
        return "none"
    value = int(bound[0]) if bound[0] == int(bound[0]) else bound[0]
    return f"{value}{' (exclusive)' if bound[1] else ''}"


def types_narrowed(pair: SchemaPair) -> Iterator[Hit]:
    old, new = pair.old, pair.new
    if old.types is None or new.types is None:
        return
    lost = sorted(t for t in old.types if not covered(t, new.types))
    if lost == ["null"]:
        yield Hit(old.type_pointer, new.type_pointer, "no longer accepts null")
    elif lost:
        yield Hit(old.type_pointer, new.type_pointer, f"type changed from {old.type_text()} to {new.type_text()}")


def types_widened(pair: SchemaPair) -> Iterator[Hit]:
    """Non-null types the new version may send that the old did not declare."""
    old, new = pair.old, pair.new
    if old.types is None or new.types is None:
        return
    gained = sorted(t for t in new.types - {"null"} if not covered(t, old.types))
    if gained:
        yield Hit(old.type_pointer, new.type_pointer, f"type changed from {old.type_text()} to {new.type_text()}")


def became_nullable(pair: SchemaPair) -> Iterator[Hit]:
    old, new = pair.old, pair.new
    if old.types is not None and new.types is not None and "null" in new.types and "null" not in old.types:
        yield Hit(
            old.type_pointer, new.type_pointer, f"may now be null (type {new.type_text()}, was {old.type_text()})"
        )


def format_narrowed(pair: SchemaPair) -> Iterator[Hit]:
    old, new = pair.old.format, pair.new.format
    if new is None or new == old or (old, new) in _WIDER_FORMATS:
        return
    text = f"format changed from {old} to {new}" if old else f"format {new} added"
    yield Hit(pair.old.format_pointer, pair.new.format_pointer, text)


def format_widened(pair: SchemaPair) -> Iterator[Hit]:
    old, new = pair.old.format, pair.new.format
    if old is None or new == old or (new, old) in _WIDER_FORMATS:
        return
    text = f"format changed from {old} to {new}" if new else f"format {old} removed"
    yield Hit(pair.old.format_pointer, pair.new.format_pointer, text)


def enum_narrowed(pair: SchemaPair) -> Iterator[Hit]:
    old, new = pair.old, pair.new
    if new.enum is None:
        return
    if old.enum is None:
        yield Hit(old.pointer, new.enum_pointer, f"now only accepts {values_text(list(new.enum))}")
        return
    kept = {canon(v) for v in new.enum}
    removed = [v for v in old.enum if canon(v) not in kept]
    if removed:
        yield Hit(old.enum_pointer, new.enum_pointer, f"enum narrowed: no longer accepts {values_text(removed)}")


def enum_widened(pair: SchemaPair) -> Iterator[Hit]:
    old, new = pair.old, pair.new
    if old.enum is None:
        return
    if new.enum is None:
        yield Hit(old.enum_pointer, new.pointer, "enum removed: any value may now be sent")
        return
    known = {canon(v) for v in old.enum}
    added = [v for v in new.enum if canon(v) not in known]
    if added:
        yield Hit(old.enum_pointer, new.enum_pointer, f"enum widened: may now be {values_text(added)}")


def bounds_tightened(pair: SchemaPair) -> Iterator[Hit]:
    yield from _bounds(pair.old, pair.new, tightened=True)


def bounds_widened(pair: SchemaPair) -> Iterator[Hit]:
    yield from _bounds(pair.old, pair.new, tightened=False)


def _bounds(old: View, new: View, *, tightened: bool) -> Iterator[Hit]:
    for name in sorted(set(old.bounds) | set(new.bounds)):
        upper = name in BOUNDS_UPPER
        before, after = old.bounds.get(name), new.bounds.get(name)
        if tightened:
            changed = after is not None and (before is None or tighter(after, before, upper))
        else:
            changed = before is not None and (after is None or tighter(before, after, upper))
        if not changed:
            continue
        verb = "tightened" if tightened else "relaxed"
        yield Hit(
            before[2] if before else old.pointer,
            after[2] if after else new.pointer,
            f"{name} {verb} from {_bound_text(name, before)} to {_bound_text(name, after)}",
        )


# Patterns every string matches: adding one of these constrains nothing.
_ANY_STRING = frozenset({"", ".*", "^.*$", "^.*", ".*$", "[\\s\\S]*", "^[\\s\\S]*$"})


def pattern_changed(pair: SchemaPair) -> Iterator[Hit]:
    """A pattern replaced by another (whether the new accepts what the old did is undecidable here)."""
    old, new = pair.old, pair.new
    if old.pattern and new.pattern is not None and new.pattern != old.pattern:
        yield Hit(old.pattern_pointer, new.pattern_pointer, f"pattern changed from {old.pattern!r} to {new.pattern!r}")


def pattern_added(pair: SchemaPair) -> Iterator[Hit]:
    """A pattern where there was none (or only an empty one): strings that do not match are refused."""
    old, new = pair.old, pair.new
    if not old.pattern and new.pattern is not None and new.pattern not in _ANY_STRING:
        yield Hit(old.pattern_pointer, new.pattern_pointer, f"pattern {new.pattern!r} added")


# Keywords that describe a schema without constraining it, and those whose keys are names (of
# properties, definitions), not keywords.
_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "$comment", "deprecated", "externalDocs"})
_ANNOTATIONS |= {"xml", "discriminator", "readOnly", "writeOnly", "default", "$id", "$schema", "$anchor"}
_NAMED = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"})
_DEPTH = 24


def essence(document: Any, value: Any, seen: frozenset[str] = frozenset(), depth: int = 0) -> Any:
    """`value` with its local `$ref`s written out and its annotations (descriptions, examples,
    `x-` extensions) left out: two subschemas with equal essences exclude the same values. A
    `$ref` back into itself (a cycle) stays a `$ref`, compared by the name it is written with."""
    if depth > _DEPTH:
        return "..."
    if isinstance(value, list):
        return [essence(document, v, seen, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    ref = value.get("$ref")
    if isinstance(ref, str):
        target = document.resolve(ref)
        if target is None or target[0] in seen:
            return {"$ref": ref}
        inlined = essence(document, target[1], seen | {target[0]}, depth + 1)
        rest = essence(document, {k: v for k, v in value.items() if k != "$ref"}, seen, depth + 1)
        return {"allOf": [inlined, rest]} if rest else inlined
    found: dict[str, Any] = {}
    for key, sub in value.items():
        if key in _ANNOTATIONS or key.startswith("x-"):
            continue
        if key in _NAMED and isinstance(sub, dict):
            found[key] = {name: essence(document, s, seen, depth + 2) for name, s in sub.items()}
        else:
            found[key] = essence(document, sub, seen, depth + 1)
    return found


def _negations(pair: SchemaPair) -> tuple[Node | None, Node | None, bool]:
    """The `not` subschemas of both versions and whether they exclude different values."""
    old, new = pair.old.negated, pair.new.negated
    if old is None or new is None:
        return old, new, old is not new
    changed = essence(pair.old_views.document, old[1]) != essence(pair.new_views.document, new[1])
    return old, new, changed


def negation_narrowed(pair: SchemaPair) -> Iterator[Hit]:
    """A `not` added, or one whose subschema changed: values accepted before may now be excluded."""
    old, new, changed = _negations(pair)
    if new is None or not changed:
        return
    if old is None:
        yield Hit(pair.old.pointer, new[0], "`not` added: values it matches are now refused")
    else:
        yield Hit(old[0], new[0], "`not` subschema changed: values it did not match may now be refused")


def negation_removed(pair: SchemaPair) -> Iterator[Hit]:
    """A `not` removed: what it excluded is now valid."""
    old, new, _ = _negations(pair)
    if old is not None and new is None:
        yield Hit(old[0], pair.new.pointer, "`not` removed: values it matched are now valid")


def negation_widened(pair: SchemaPair) -> Iterator[Hit]:
    """A `not` removed, or one whose subschema changed: values excluded before may now be valid."""
    old, new, changed = _negations(pair)
    if old is None or not changed:
        return
    if new is None:
        yield Hit(old[0], pair.new.pointer, "`not` removed: values it matched may now be sent")
    else:
        yield Hit(old[0], new[0], "`not` subschema changed: values it matched may now be sent")
