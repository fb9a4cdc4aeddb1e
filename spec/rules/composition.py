"""Composition rules: allOf/anyOf/oneOf used in ways that can be satisfied and mean something.

The overlap check validates a minimal sample of each member against the others, with the
compiled validators every value rule shares (`ValidatorCache`, `shared_validators`).
"""

from collections.abc import Iterator
from typing import Any

from spec.index import SpecIndex
from spec.rules import rule
from spec.rules.schemas import canonical, declared_types, is_number, shared_validators, short


@rule(
    "composition-illogical",
    "warning",
    "allOf/anyOf/oneOf are used in ways that can be satisfied and mean something.",
    equivalents=("redocly:no-illogical-composition-keywords",),
)
def composition_illogical(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """Composition mistakes survive review because every tool accepts them, yet they change
    what validates:

    - `oneOf`/`anyOf` with a single member is that member with extra indirection (and SDK
      generators emit a pointless union type).
    - `allOf` with a single member is only needed in 3.0, to put siblings beside a `$ref`; in
      3.1 (where `$ref` takes siblings), for an inline member, or with nothing beside it, use
      the member directly.
    - A member repeated verbatim is noise in allOf/anyOf and a bug in oneOf: any value
      matching it matches twice, so oneOf rejects it.
    - allOf members whose declared types share nothing make the schema unsatisfiable.
    - Two oneOf members that accept the same value make that value invalid. This is shown,
      never guessed: a sample value is built for each member (its `example` when valid, else a
      minimal instance) and reported only when it validates against another member too.
    """
    is_31 = index.is_31
    for pointer, schema in index.schemas_with("allOf", "anyOf", "oneOf"):
        for keyword in ("allOf", "anyOf", "oneOf"):
            members = schema.get(keyword)
            if not isinstance(members, list) or not members:
                continue
            if len(members) == 1:
                if keyword != "allOf":
                    yield f"{pointer}/{keyword}", f"{keyword} has a single member: use that schema directly"
                elif is_31 or "$ref" not in _as_dict(members[0]) or set(schema) == {"allOf"}:
                    yield f"{pointer}/allOf", "allOf has a single member: use that schema directly"
                continue
            duplicated = set()
            seen: dict[str, int] = {}
            for i, member in enumerate(members):
                key = canonical(member)
                if key in seen:
                    duplicated.add(i)
                    effect = "any value it accepts fails oneOf" if keyword == "oneOf" else "remove it"
                    yield f"{pointer}/{keyword}/{i}", f"{keyword} member {i} repeats member {seen[key]}: {effect}"
                else:
                    seen[key] = i
            if keyword == "allOf":
                yield from _conflicting_types(index, pointer, schema, members)
            elif keyword == "oneOf":
                yield from _overlapping_members(index, pointer, members, duplicated)


def _as_dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _conflicting_types(index: SpecIndex, pointer: str, schema: dict, members: list) -> Iterator[tuple[str, str]]:
    allowed = declared_types(schema)
    for i, member in enumerate(members):
        _, resolved = index.deref(f"{pointer}/allOf/{i}", member)
        types = declared_types(resolved) if isinstance(resolved, dict) else None
        if not types:
            continue
        widened = types | ({"integer"} if "number" in types else set())
        if allowed is None:
            allowed = widened
            continue
        narrowed = {t for t in allowed if t in widened or (t == "number" and "integer" in widened)}
        if not narrowed:
            yield (
                f"{pointer}/allOf/{i}",
                f"allOf member {i} has type {'/'.join(sorted(types))}, which no earlier member allows: "
                "no value can satisfy allOf",
            )
            return
        allowed = narrowed


def _overlapping_members(index: SpecIndex, pointer: str, members: list, skip: set[int]) -> Iterator[tuple[str, str]]:
    validators = index.shared(shared_validators)
    compiled = {
        i: validator
        for i in range(len(members))
        if i not in skip and (validator := validators.get(f"{pointer}/oneOf/{i}")) is not None
    }
    # One sample per member: the first of its candidates that it accepts itself.
    samples: dict[int, Any] = {}
    for i, validator in compiled.items():
        for sample in _samples(index, members[i]):
            if _valid(validator, sample):
                samples[i] = sample
                break
    # Each member is reported once, against the first earlier member it overlaps with.
    for j in compiled:
        for i in compiled:
            if i >= j:
                break
            shared = next(
                (s for a, b in ((i, j), (j, i)) if a in samples and _valid(compiled[b], s := samples[a])),
                _NO_SAMPLE,
            )
            if shared is not _NO_SAMPLE:
                yield (
                    f"{pointer}/oneOf/{j}",
                    f"oneOf members {i} and {j} both accept {short(shared, 50)}, so oneOf rejects it: "
                    "make them exclusive (e.g. a required discriminating value) or use anyOf",
                )
                break


_NO_SAMPLE = object()


def _valid(validator: Any, value: Any) -> bool:
    try:
        return validator.is_valid(value)
    except Exception:  # a schema the validator cannot evaluate proves nothing
        return False


_FORMAT_SAMPLES = {
    "date-time": "2020-01-01T00:00:00Z",
    "date": "2020-01-01",
    "time": "00:00:00Z",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "email": "user@example.com",
    "uri": "https://example.com/",
    "url": "https://example.com/",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
}


def _samples(index: SpecIndex, schema: Any) -> Iterator[Any]:
    """Values a schema should accept: its example(s) first, then a minimal instance."""
    _, resolved = index.deref("", schema)
    if isinstance(resolved, dict):
        if "example" in resolved:
            yield resolved["example"]
        if isinstance(resolved.get("examples"), list):
            yield from resolved["examples"]
    yield _minimal(index, schema, 0)


def _minimal(index: SpecIndex, schema: Any, depth: int) -> Any:
    _, node = index.deref("", schema)
    if not isinstance(node, dict) or depth > 8:
        return None
    if "const" in node:
        return node["const"]
    if isinstance(node.get("enum"), list) and node["enum"]:
        return node["enum"][0]
    if "example" in node and depth:
        return node["example"]
    if isinstance(node.get("allOf"), list) and node["allOf"]:
        parts = [_minimal(index, m, depth + 1) for m in node["allOf"]]
        if all(isinstance(p, dict) for p in parts):
            merged: dict = {}
            for part in parts:
                merged.update(part)
            if "properties" in node or "required" in node:
                merged.update(_minimal_typed(index, node, depth) or {})
            return merged
        return parts[0]
    for keyword in ("oneOf", "anyOf"):
        if isinstance(node.get(keyword), list) and node[keyword] and "type" not in node:
            return _minimal(index, node[keyword][0], depth + 1)
    return _minimal_typed(index, node, depth)


def _minimal_typed(index: SpecIndex, node: dict, depth: int) -> Any:
    types = node.get("type")
    kind = types if isinstance(types, str) else next((t for t in types or () if t != "null"), None)
    if kind is None:
        kind = "object" if "properties" in node or "required" in node else "array" if "items" in node else None
    if kind == "object":
        properties = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        return {
            name: _minimal(index, properties.get(name, {}), depth + 1)
            for name in node.get("required") or ()
            if isinstance(name, str)
        }
    if kind == "array":
        count = node.get("minItems") if isinstance(node.get("minItems"), int) else 0
        return [_minimal(index, node.get("items", {}), depth + 1) for _ in range(min(count, 3))]
    if kind == "string":
        if node.get("format") in _FORMAT_SAMPLES:
            return _FORMAT_SAMPLES[node["format"]]
        length = node.get("minLength") if isinstance(node.get("minLength"), int) else 1
        return "a" * max(length, 1)
    if kind in ("integer", "number"):
        low = node.get("minimum")
        return low if is_number(low) else 0
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return None


# Where a `$ref` may carry siblings: path items (fields merge with the target's in both versions).
