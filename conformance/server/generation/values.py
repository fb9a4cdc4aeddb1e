"""Value helpers: the kind to build, a light check for uncompilable schemas, copies."""

from __future__ import annotations

from typing import Any

import orjson

from conformance.server.generation.flatten import MISSING, Flat
from conformance.server.generation.numbers import in_bounds
from conformance.server.generation.patterns import pattern_matches
from conformance.server.generation.strings import FORMATS


def infer_kind(flat: Flat) -> str:
    """The JSON type to build when the schema does not say (or says several)."""
    if flat.types is not None:
        non_null = [t for t in flat.types if t != "null"]
        return non_null[0] if non_null else "null"
    if flat.properties or flat.required or flat.additional or flat.pattern_props or flat.min_props:
        return "object"
    if flat.items or flat.prefix or flat.min_items or flat.contains:
        return "array"
    if flat.patterns or flat.min_len or flat.max_len is not None or flat.format in FORMATS:
        return "string"
    if flat.minimum is not None or flat.maximum is not None or flat.multiple_of:
        return "number"
    return "string"


_TYPE_CHECKS: dict[str, Any] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def light_check(flat: Flat, value: Any) -> bool:
    """A shallow stand-in for a validator that jsonschema-rs could not compile."""
    if value is None:
        return flat.nullable or (flat.types is not None and "null" in flat.types) or None in (flat.enum or ())
    if flat.types is not None and not any(_TYPE_CHECKS.get(t, lambda v: False)(value) for t in flat.types):
        return False
    if flat.const is not MISSING and value != flat.const:
        return False
    if flat.enum is not None and value not in flat.enum:
        return False
    if isinstance(value, str):
        return (
            flat.min_len <= len(value)
            and (flat.max_len is None or len(value) <= flat.max_len)
            and all(pattern_matches(p, value) for p in flat.patterns)
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return in_bounds(flat, value)
    if isinstance(value, dict):
        return all(r in value for r in flat.required)
    return True


def clone(value: Any) -> Any:
    """Values from the spec are shared: hand out copies the caller may mutate."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
