"""SpecIndex.schema_validator: equal schemas share one compiled validator, and only those."""

import jsonschema_rs
import pytest

from spec.index import build_index, schema_key

DOC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "A": {"type": "string", "maxLength": 3, "description": "a"},
            "B": {"description": "b", "type": "string", "example": "zz", "maxLength": 3, "x-note": 1},
            "C": {"type": "string", "maxLength": 4, "description": "a"},
            "FloatBound": {"type": "string", "maxLength": 3.0},
            "BadAnnotation": {"type": "string", "maxLength": 3, "description": 5},
            "Broken": {"type": "number", "exclusiveMaximum": True},
            "AlsoBroken": {"type": "number", "exclusiveMaximum": True, "title": "t"},
            "List": {"type": "array", "items": {"$ref": "#/components/schemas/A"}},
        }
    },
}
SCHEMAS = DOC["components"]["schemas"]


def pointer(name: str) -> str:
    return f"/components/schemas/{name}"


def test_the_key_ignores_annotations_but_not_their_type_nor_any_constraint() -> None:
    assert schema_key(SCHEMAS["A"]) == schema_key(SCHEMAS["B"])
    assert schema_key(SCHEMAS["A"]) != schema_key(SCHEMAS["C"])
    assert schema_key(SCHEMAS["A"]) != schema_key(SCHEMAS["FloatBound"])  # 3 and 3.0: not the same JSON
    assert schema_key(SCHEMAS["A"]) != schema_key(SCHEMAS["BadAnnotation"])  # a meta-schema error
    assert schema_key(True) is None


def test_schemas_of_equal_key_share_one_validator_per_options() -> None:
    index = build_index(DOC)
    shared = index.schema_validator(pointer("A"))
    assert index.schema_validator(pointer("B")) is shared
    assert index.schema_validator(pointer("C")) is not shared
    assert index.schema_validator(pointer("A"), validate_formats=False) is not shared
    assert shared.is_valid("abc") and not shared.is_valid("abcd")


def test_a_compile_error_is_kept_and_raised_for_every_schema_sharing_it() -> None:
    index = build_index(DOC)
    for name in ("Broken", "AlsoBroken", "Broken"):
        with pytest.raises(jsonschema_rs.ValidationError):
            index.schema_validator(pointer(name))


def test_references_resolve_in_the_document() -> None:
    validator = build_index(DOC).schema_validator(pointer("List"))
    assert validator.is_valid(["abc"]) and not validator.is_valid(["abcd"])
