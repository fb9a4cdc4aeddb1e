"""Text to typed values: query, form and header text read by its schema, bracket keys as trees."""

import re
from typing import Any

import orjson

from conformance.server.validation.schema_types import SCALARS, admitted_types, items_schema, json_type, property_schema
from spec.index import SpecIndex

MAX_DEPTH = 16  # bracket segments in one query/form key (`filter[a][b]...`)
_INTEGER = re.compile(r"-?[0-9]{1,4000}")
_NUMBER = re.compile(r"-?[0-9]{1,400}(?:\.[0-9]{1,400})?(?:[eE][+-]?[0-9]{1,4})?")


def coerce(text: str, types: frozenset[str]) -> Any:
    """Read query/form/header text as the schema's type; text that does not read stays text, so
    the validator names the type error instead of the parser guessing."""
    if not types:
        return text
    if "integer" in types and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in types and _NUMBER.fullmatch(text):
        if _INTEGER.fullmatch(text):
            return int(text)
        number = float(text)
        if number not in (float("inf"), float("-inf")):
            return number
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    if "string" in types:
        return text
    if "null" in types and text in ("null", ""):
        return None
    if types & {"object", "array"}:
        if text == "":
            return {} if "object" in types else []  # how an empty object/array is written
        if text[:1] in "{[":
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                return text
            if json_type(value) in types:
                return value
    return text


class Leaf:
    """The raw values sent for one key (several when the key repeats)."""

    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: list[Any] = []


def materialize(index: SpecIndex, node: Any, schema: Any, depth: int = 0, *, empty_object: bool = False) -> Any:
    """Turn a tree of bracket keys into typed values, reading each leaf by its subschema.

    What a bracket means is decided here, by the schema, not by the parser: under an array
    `[0]`, `[1]` are positions and `[]` appends; under an object they are keys like any other
    (`filter[]=x` may be a property named "")."""
    if isinstance(node, Leaf):
        if len(node.values) > 1:
            item_types = admitted_types(index, items_schema(index, schema))
            return [coerce(v, item_types) if isinstance(v, str) else v for v in node.values]
        value = node.values[0]
        if not isinstance(value, str):
            return value
        types = admitted_types(index, schema)
        if empty_object and value == "" and "object" in types:
            return {}
        if "array" in types and not (types & (SCALARS | {"object"})) and not value.startswith("["):
            return [coerce(value, admitted_types(index, items_schema(index, schema)))] if value else []
        return coerce(value, types)
    types = admitted_types(index, schema)
    if "array" in types and "object" not in types and node and all(_is_position(k) for k in node):
        items = items_schema(index, schema)
        result: list[Any] = []
        for key in sorted(node, key=lambda k: int(k) if k else -1):
            child = node[key]
            if key == "" and isinstance(child, Leaf):
                item_types = admitted_types(index, items)
                result.extend(coerce(v, item_types) if isinstance(v, str) else v for v in child.values)
            else:
                result.append(materialize(index, child, items, depth + 1, empty_object=empty_object))
        return result
    return {
        key: materialize(index, child, property_schema(index, schema, key), depth + 1, empty_object=empty_object)
        for key, child in node.items()
    }


def _is_position(key: str) -> bool:
    return key == "" or (key.isdigit() and key.isascii() and len(key) < 10)


def bracket_segments(key: str, start: int) -> list[str] | None:
    """`[a][b][]` from `start` as ["a", "b", ""]; None when the brackets do not parse."""
    segments: list[str] = []
    i, size = start, len(key)
    while i < size:
        if key[i] != "[":
            return None
        j = key.find("]", i + 1)
        if j < 0:
            return None
        segments.append(key[i + 1 : j])
        i = j + 1
    return segments


def insert_value(tree: dict[str, Any], path: list[str], value: Any) -> bool:
    """Put `value` at `path`; False when the key conflicts with another (`a[b]=1`, `a[b][c]=2`)."""
    if not path:
        return False
    node = tree
    for segment in path[:-1]:
        child = node.get(segment)
        if child is None:
            child = node[segment] = {}
        elif not isinstance(child, dict):
            return False
        node = child
    leaf = node.get(path[-1])
    if leaf is None:
        leaf = node[path[-1]] = Leaf()
    elif not isinstance(leaf, Leaf):
        return False
    leaf.values.append(value)
    return True
