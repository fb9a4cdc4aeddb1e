"""Rules about Schema Objects: types, enums, required lists, `$ref` siblings (composition: composition.py).

Every check walks `index.schemas` (each syntactic schema once) and never follows a `$ref` further
than it needs to, so one rule costs a few milliseconds on the Telnyx spec.
"""

import json
import re
from collections.abc import Iterator
from json.encoder import encode_basestring_ascii
from typing import Any

from spec.index import SpecIndex
from spec.pointer import get
from spec.rules import rule

# Keywords that only constrain instances of one JSON type (JSON Schema 2020-12 validation vocabulary).
# `format` is left out on purpose: OpenAPI formats exist for strings and numbers alike.
KEYWORD_TYPE = {
    **dict.fromkeys(
        ("items", "prefixItems", "minItems", "maxItems", "uniqueItems", "contains", "minContains", "maxContains"),
        "array",
    ),
    **dict.fromkeys(
        (
            "properties",
            "additionalProperties",
            "patternProperties",
            "required",
            "minProperties",
            "maxProperties",
            "propertyNames",
            "dependentRequired",
        ),
        "object",
    ),
    **dict.fromkeys(("minLength", "maxLength", "pattern"), "string"),
    **dict.fromkeys(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"), "number"),
}

# Pointer suffixes whose subschema applies to the same instance as its parent schema.
_SAME_INSTANCE = re.compile(r"^(.*)/(?:(?:allOf|anyOf|oneOf)/\d+|not|if|then|else|dependentSchemas/[^/]+)$")


def declared_types(schema: dict[str, Any]) -> set[str] | None:
    """The JSON types a schema's own `type` allows (None when it declares none); `nullable: true`
    adds "null", because that is what its author meant in either version (the 3.1 misuse of the
    keyword is reported once, by `oas31-legacy-keywords`)."""
    value = schema.get("type")
    if isinstance(value, str):
        types = {value}
    elif isinstance(value, list) and value and all(isinstance(t, str) for t in value):
        types = set(value)
    else:
        return None
    if schema.get("nullable") is True:
        types.add("null")
    return types


def json_type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def matches_types(value: Any, types: set[str]) -> bool:
    kind = json_type_of(value)
    return kind in types or (kind == "integer" and "number" in types)


def canonical(value: Any) -> str:
    """A key equal for JSON-equal values (1 == 1.0, key order ignored, true != 1)."""
    if type(value) is str:  # most enum values: what json.dumps returns, minus its overhead
        return encode_basestring_ascii(value)

    def norm(v: Any) -> Any:
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        return v

    return json.dumps(norm(value), sort_keys=True, default=str)


def short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@rule(
    "array-items",
    "error",
    "A schema of type array declares `items`.",
    equivalents=("spectral:array-items",),
)
def array_items(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """An array schema without `items` accepts arrays of anything: code generators emit
    `list[Any]`, mock servers invent elements of random types and response validation can no
    longer catch a server that returns the wrong element shape. Nearly always `items` was
    forgotten. A 3.1 tuple (`prefixItems`), a `$ref` sibling or an `allOf` member supplying
    `items` counts as declaring it."""
    for pointer, schema in index.schemas:
        types = declared_types(schema)
        if not types or "array" not in types or "items" in schema or "prefixItems" in schema:
            continue
        if "$ref" in schema or any("items" in member for member in _resolved_members(index, schema, "allOf")):
            continue
        yield pointer + "/type", "array schema has no `items`: declare the element schema"


@rule(
    "enum-unique",
    "warning",
    "An `enum` lists each value once.",
    equivalents=("spectral:duplicated-entry-in-enum", "redocly:no-duplicated-enum-values"),
)
def enum_unique(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """A repeated enum value is harmless to validation but a sign of a copy-paste slip (often
    a value that should have been a different one), and generated SDK enums fail to compile or
    silently drop a member when two constants collide. Values are compared as JSON: 1 and 1.0
    are the same value, `true` and 1 are not."""
    for pointer, schema in index.schemas_with("enum"):
        values = schema.get("enum")
        if not isinstance(values, list):
            continue
        seen: dict[str, int] = {}
        for i, value in enumerate(values):
            key = canonical(value)
            if key in seen:
                yield f"{pointer}/enum/{i}", f"enum value {short(value)} repeats enum[{seen[key]}]"
            else:
                seen[key] = i


@rule(
    "enum-type-match",
    "error",
    "Every `enum` value is of the schema's declared type.",
    equivalents=("spectral:typed-enum", "redocly:no-enum-type-mismatch"),
)
def enum_type_match(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """An enum value the schema's own `type` rejects can never be sent or received: the
    schema accepts nothing for it, so the enum documents a value that does not exist (typically
    `"1"` for an integer, or `null` without a nullable type). `null` is accepted when the type
    allows it (`type: [..., "null"]`, or `nullable: true`, whose 3.1 misuse is reported by
    `oas31-legacy-keywords` rather than here)."""
    for pointer, schema in index.schemas_with("enum"):
        values = schema.get("enum")
        types = declared_types(schema)
        if not isinstance(values, list) or not types:
            continue
        for i, value in enumerate(values):
            if not matches_types(value, types):
                expected = " or ".join(sorted(types))
                yield f"{pointer}/enum/{i}", f"enum value {short(value)} is {json_type_of(value)}, not {expected}"


@rule(
    "number-range-mixed",
    "warning",
    "A schema does not combine `minimum` with a numeric `exclusiveMinimum` (or the maximum pair).",
    equivalents=("redocly:no-mixed-number-range-constraints",),
    versions=("3.1",),
)
def number_range_mixed(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """In 3.1 `exclusiveMinimum` is a bound of its own, not a modifier of `minimum`. Having
    both means two lower bounds of which only the tighter one matters; readers (and generators
    that translate one of them) take the wrong one. It usually comes from a half-done 3.0
    migration (`minimum: 0, exclusiveMinimum: 0`). Boolean exclusive bounds are reported by
    `oas31-legacy-keywords` instead."""
    for pointer, schema in index.schemas_with("exclusiveMinimum", "exclusiveMaximum"):
        for inclusive, exclusive in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
            bound, strict = schema.get(inclusive), schema.get(exclusive)
            if is_number(bound) and is_number(strict):
                yield (
                    f"{pointer}/{exclusive}",
                    f"both {inclusive}: {bound} and {exclusive}: {strict}: keep one bound",
                )


def _resolved_members(index: SpecIndex, schema: dict, keyword: str) -> list[dict]:
    members = schema.get(keyword)
    if not isinstance(members, list):
        return []
    resolved = (index.deref("", member)[1] for member in members)
    return [member for member in resolved if isinstance(member, dict)]


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@rule(
    "oas31-legacy-keywords",
    "error",
    "A 3.1 document uses no 3.0-only schema keywords (`nullable`, boolean exclusive bounds).",
    # Both peers catch these only as schema-structure errors ("nullable not expected here").
    equivalents=("spectral:oas3-schema", "redocly:struct"),
    versions=("3.1",),
)
def oas31_legacy_keywords(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """OpenAPI 3.1 schemas are JSON Schema 2020-12, where `nullable` does not exist (it is an
    unknown keyword every validator ignores, so `null` is rejected) and `exclusiveMinimum`/
    `exclusiveMaximum` are numbers; a boolean there makes the schema invalid and stops strict
    validators from compiling it at all. Telnyx publishes 3.1, so 3.0 spellings are errors:
    write `type: [X, "null"]` and `exclusiveMinimum: <bound>`."""
    for pointer, schema in index.schemas_with("nullable", "exclusiveMinimum", "exclusiveMaximum"):
        if "nullable" in schema:
            value = schema["nullable"]
            if value is True:
                types = schema.get("type")
                if isinstance(types, str):
                    fix = f'type: ["{types}", "null"]'
                elif isinstance(types, list):
                    fix = "type: [" + ", ".join(f'"{t}"' for t in [*types, "null"]) + "]"
                else:
                    fix = 'anyOf: [<this schema>, {type: "null"}]'
                message = f"`nullable` is not a 3.1 keyword and is ignored: write {fix}"
            else:
                message = "`nullable` is not a 3.1 keyword: remove it"
            yield pointer + "/nullable", message
        for keyword, bound in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            value = schema.get(keyword)
            if isinstance(value, bool):
                if value and is_number(schema.get(bound)):
                    fix = f"write {keyword}: {schema[bound]} and drop {bound}"
                elif value:
                    fix = f"write {keyword}: <number>"
                else:
                    fix = "remove it (bounds are inclusive by default)"
                yield f"{pointer}/{keyword}", f"boolean {keyword} is 3.0 syntax; in 3.1 it is a number: {fix}"


@rule(
    "nullable-type-sibling",
    "error",
    "In 3.0, `nullable` appears only beside `type`.",
    equivalents=("redocly:nullable-type-sibling",),
    versions=("3.0",),
)
def nullable_type_sibling(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """OpenAPI 3.0.3 defines `nullable` as widening the schema's `type` to include null; with
    no `type` beside it the keyword has nothing to widen and tools disagree (some ignore it,
    some make the whole schema accept only null). Beside a `$ref` it is ignored altogether."""
    for pointer, schema in index.schemas_with("nullable"):
        if "nullable" in schema and "type" not in schema:
            yield pointer + "/nullable", "`nullable` without a sibling `type` has no defined meaning"


@rule(
    "schema-type-mismatch",
    "error",
    "A schema uses no keyword that only applies to a type it excludes.",
    equivalents=("redocly:no-schema-type-mismatch",),
)
def schema_type_mismatch(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """A keyword for another type is silently ignored by validators: `items` on an object,
    `properties` on an array or `maxLength` on an integer constrains nothing, so the author's
    intent (often the type itself is wrong) never reaches clients or servers. Only schemas that
    declare `type` are checked; `integer` counts as a `number`."""
    for pointer, schema in index.schemas_with(*KEYWORD_TYPE):
        types = declared_types(schema)
        if not types:
            continue
        if "integer" in types:
            types.add("number")
        for keyword in sorted(schema.keys() & KEYWORD_TYPE.keys()):
            applies_to = KEYWORD_TYPE[keyword]
            if applies_to not in types:
                declared = schema["type"] if isinstance(schema["type"], str) else "/".join(schema["type"])
                yield f"{pointer}/{keyword}", f"`{keyword}` only applies to {applies_to}s but the type is {declared}"


@rule(
    "required-property-undefined",
    "warning",
    "Every name in `required` is a property the schema (or its allOf members) defines.",
    equivalents=("redocly:no-required-schema-properties-undefined",),
)
def required_property_undefined(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """A required name no schema defines is almost always a typo or a renamed property: the
    validator then demands a field nobody documents, and generated models cannot satisfy it.
    Properties count when defined by the schema itself, its `$ref` target, any allOf/anyOf/
    oneOf member (followed through $refs), a matching `patternProperties`, or, for a schema
    that is itself a composition member (`allOf: [{$ref: Base}, {required: [id]}]`), by the
    enclosing schema and its other members."""
    schema_pointers = index.shared(_schema_pointers)
    for pointer, schema in index.schemas_with("required"):
        required = schema.get("required")
        if not isinstance(required, list) or not required:
            continue
        names, patterns = _defined_properties(index, schema)
        scope = pointer
        while (match := _SAME_INSTANCE.match(scope)) and match.group(1) in schema_pointers:
            scope = match.group(1)
            more_names, more_patterns = _defined_properties(index, get(index.doc, scope))
            names |= more_names
            patterns += more_patterns
        for i, name in enumerate(required):
            if not isinstance(name, str) or name in names:
                continue
            if any(_search(pattern, name) for pattern in patterns):
                continue
            yield (
                f"{pointer}/required/{i}",
                f"required property {name!r} is not among the properties the schema defines",
            )


def _schema_pointers(index: SpecIndex) -> set[str]:
    return {pointer for pointer, _ in index.schemas}


def _search(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return True  # an unparsable pattern cannot prove the name undefined


def _defined_properties(index: SpecIndex, schema: Any) -> tuple[set[str], list[str]]:
    """Property names and patternProperties a schema defines, through $ref and compositions."""
    names: set[str] = set()
    patterns: list[str] = []
    stack = [(schema, 0)]
    seen: set[int] = set()
    while stack:
        node, level = stack.pop()
        if not isinstance(node, dict) or id(node) in seen or level > 32:
            continue
        seen.add(id(node))
        if isinstance(node.get("$ref"), str):
            target = index.resolve(node["$ref"])
            if target is not None:
                stack.append((target[1], level + 1))
        if isinstance(node.get("properties"), dict):
            names.update(node["properties"])
        if isinstance(node.get("patternProperties"), dict):
            patterns.extend(p for p in node["patternProperties"] if isinstance(p, str))
        for keyword in ("allOf", "anyOf", "oneOf"):
            members = node.get(keyword)
            if isinstance(members, list):
                stack.extend((member, level + 1) for member in members)
    return names, patterns


_PATH_ITEM = re.compile(r"^(?:/paths/[^/]+|/webhooks/[^/]+|/components/pathItems/[^/]+|.*/callbacks/[^/]+/[^/]+)$")


@rule(
    "ref-siblings",
    "warning",
    "Nothing stands beside a `$ref` that the OpenAPI version would ignore.",
    equivalents=("spectral:no-$ref-siblings", "redocly:spec-ref-siblings"),
)
def ref_siblings(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """In 3.0 a Reference Object replaces itself with its target: every key beside `$ref` is
    dropped without a word, so a `description`, `nullable` or `example` written there never
    reaches a reader or a tool. In 3.1 Schema Objects may carry siblings (they apply together
    with the target) and other Reference Objects only `summary`/`description`. Path Item `$ref`
    siblings are allowed in both. The severity is a warning, not the error Spectral uses for
    3.0: the document stays valid, only the sibling is lost, and one severity must fit both
    versions, in the second of which most siblings are legal."""
    schema_pointers = index.shared(_schema_pointers)
    is_31 = index.is_31
    for pointer, _ in index.refs:
        if _PATH_ITEM.match(pointer):
            continue
        is_schema = pointer in schema_pointers
        if is_31 and is_schema:
            continue
        holder = get(index.doc, pointer, None)
        if not isinstance(holder, dict):
            continue
        for key in holder:
            if key == "$ref" or (is_31 and key in ("summary", "description")):
                continue
            if is_31:
                message = f"`{key}` beside `$ref` is ignored: a 3.1 reference takes only summary and description"
            else:
                message = f"`{key}` beside `$ref` is ignored in OpenAPI 3.0"
                if is_schema:
                    message += ": wrap the reference in allOf to add it"
            yield f"{pointer}/{key}", message


def shared_validators(index: SpecIndex) -> "ValidatorCache":
    return ValidatorCache(index)


class ValidatorCache:
    """One compiled validator per schema pointer, shared by every rule that validates values.

    `get` returns None for a schema jsonschema-rs cannot compile (e.g. a boolean
    `exclusiveMinimum` somewhere under a 3.1 schema): the rules about the broken keyword
    report it, and nothing can be validated against it."""

    def __init__(self, index: SpecIndex) -> None:
        self.index = index
        self.validators: dict[str, Any] = {}

    def get(self, pointer: str, schema: Any = None) -> Any:
        """The validator of the schema at `pointer`; `schema`, that node when the caller has it."""
        if pointer not in self.validators:
            try:
                self.validators[pointer] = self.index.schema_validator(pointer, schema=schema)
            except Exception:
                self.validators[pointer] = None
        return self.validators[pointer]
