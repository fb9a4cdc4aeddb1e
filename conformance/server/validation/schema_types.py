"""Schema lookups for coercion: the types a schema admits, a property's or items' subschema."""

from typing import Any

from spec.index import SpecIndex

SCALARS = frozenset({"string", "integer", "number", "boolean", "null"})


def _deref(index: SpecIndex, schema: Any) -> Any:
    if isinstance(schema, dict) and "$ref" in schema:
        return index.deref("", schema)[1]
    return schema


def admitted_types(index: SpecIndex, schema: Any, depth: int = 0) -> frozenset[str]:
    """The JSON types a schema admits, looking through $ref and combinators; empty = any.

    Only used to decide how to read text (is "20" a number?), so it may over-approximate."""
    schema = _deref(index, schema)
    if not isinstance(schema, dict) or depth > 8:
        return frozenset()
    kind = schema.get("type")
    if isinstance(kind, str):
        found = {kind}
    elif isinstance(kind, list):
        found = {k for k in kind if isinstance(k, str)}
    else:
        found = set()
        for keyword in ("allOf", "anyOf", "oneOf"):
            branches = schema.get(keyword)
            if isinstance(branches, list):
                for branch in branches:
                    found |= admitted_types(index, branch, depth + 1)
        if not found:
            if "properties" in schema:
                found.add("object")
            elif "items" in schema:
                found.add("array")
            elif isinstance(schema.get("enum"), list):
                found |= {json_type(value) for value in schema["enum"]}
    if schema.get("nullable") is True and found:
        found.add("null")
    return frozenset(found)


def json_type(value: Any) -> str:
    """The parsed value's own type, to decide whether it still needs coercing (a float stays
    "number" here; spec.rules.schemas.json_type_of reads 1.0 as JSON Schema's "integer")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


def property_schema(index: SpecIndex, schema: Any, name: str, depth: int = 0) -> Any:
    """The subschema for property `name`, searching combinators; None when undeclared."""
    schema = _deref(index, schema)
    if not isinstance(schema, dict) or depth > 8:
        return None
    properties = schema.get("properties")
    if isinstance(properties, dict) and name in properties:
        return properties[name]
    for keyword in ("allOf", "anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list):
            for branch in branches:
                found = property_schema(index, branch, name, depth + 1)
                if found is not None:
                    return found
    extra = schema.get("additionalProperties")
    return extra if isinstance(extra, dict) else None


def items_schema(index: SpecIndex, schema: Any, depth: int = 0) -> Any:
    schema = _deref(index, schema)
    if not isinstance(schema, dict) or depth > 8:
        return None
    items = schema.get("items")
    if isinstance(items, dict):
        return items
    for keyword in ("allOf", "anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, list):
            for branch in branches:
                found = items_schema(index, branch, depth + 1)
                if found is not None:
                    return found
    return None


def is_binary(index: SpecIndex, schema: Any) -> bool:
    """A file field: `format: binary` (3.0 style) or contentMediaType/contentEncoding (3.1)."""
    schema = _deref(index, schema)
    if not isinstance(schema, dict):
        return False
    return schema.get("format") == "binary" or "contentMediaType" in schema or "contentEncoding" in schema
