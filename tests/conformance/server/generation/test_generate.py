"""Schema-valid value generation: every documented JSON response of the shared spec, determinism
across processes, and one small hand-written schema per keyword family."""

import base64
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.server.generation import GenerationError, generate
from spec.index import SpecIndex, build_index
from spec.pointer import escape

SHARED_SPEC = Path(__file__).resolve().parents[4].parent / "shared/spec/telnyx.yml"
ROOT = Path(__file__).resolve().parents[4]
SEEDS = settings(max_examples=40, deadline=None)


# --- helpers ----------------------------------------------------------------------------------


def make_index(schemas: dict[str, Any], openapi: str = "3.1.0") -> SpecIndex:
    """A minimal document holding `schemas` under components, indexed like the real spec."""
    doc = {"openapi": openapi, "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}
    return build_index(doc)


def pointer_of(name: str) -> str:
    return f"/components/schemas/{escape(name)}"


def generated(index: SpecIndex, name: str, seed: int = 0, **options: Any) -> Any:
    """Generate for a component schema and assert its own validator accepts the result."""
    value = generate(index, pointer_of(name), seed=seed, **options)
    validator = index.schema_validator(pointer_of(name))
    errors = [e.message for e in validator.iter_errors(value)]
    assert not errors, (value, errors)
    return value


# --- the shared spec --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_index() -> SpecIndex:
    """The shared spec, loaded once for the module (no parse cache: the per-test isolated cache
    is not in place yet at module scope, and the user's real one must stay untouched)."""
    if not SHARED_SPEC.is_file():
        pytest.skip(f"the shared Telnyx spec is not at {SHARED_SPEC}")
    from spec.load import load_spec

    return build_index(load_spec(SHARED_SPEC, use_cache=False).data)


def json_schemas(index: SpecIndex, where: str) -> list[tuple[str, str, str]]:
    """(operation pointer, status or "request", schema pointer) of every application/json
    schema in the operations' responses (where="responses") or request bodies."""
    found: list[tuple[str, str, str]] = []
    for op in index.operations:
        if where == "responses":
            places = [
                (status, f"{op.pointer}/responses/{escape(status)}", r) for status, r in op.node["responses"].items()
            ]
        else:
            body = op.node.get("requestBody")
            places = [("request", f"{op.pointer}/requestBody", body)] if body is not None else []
        for label, pointer, node in places:
            pointer, node = index.deref(pointer, node)
            media = ((node or {}).get("content") or {}).get("application/json")
            if isinstance(media, dict) and "schema" in media:
                found.append((op.pointer, label, f"{pointer}/content/application~1json/schema"))
    return found


def sweep(index: SpecIndex, targets: list[tuple[str, str, str]], direction: str) -> tuple[int, int, list[str]]:
    """(validated, skipped as uncompilable, failures) over `targets`, for two seeds each."""
    validated, skipped, failures = 0, 0, []
    for op_pointer, label, pointer in targets:
        try:
            validator = index.schema_validator(pointer)
        except Exception:
            skipped += 1
            continue
        for seed in (0, 1):
            try:
                value = generate(index, pointer, seed=seed, direction=direction)
            except GenerationError as exc:
                failures.append(f"{op_pointer} {label} seed={seed}: {exc}")
                continue
            if not validator.is_valid(value):
                error = next(iter(validator.iter_errors(value)))
                failures.append(f"{op_pointer} {label} seed={seed}: {error.message} at {error.instance_path}")
        validated += 1
    return validated, skipped, failures


def test_every_documented_json_response_is_generated_valid(shared_index: SpecIndex) -> None:
    targets = json_schemas(shared_index, "responses")
    validated, skipped, failures = sweep(shared_index, targets, "response")
    summary = f"{validated} validated, {skipped} skipped, {len(failures)} failed"
    print(f"\nresponses: {len(targets)} (operation, status) pairs: {summary}")
    assert not failures, "\n".join(failures[:20])
    assert validated >= 1500 and skipped <= 5  # 1,547 pairs in the pinned spec, 3 uncompilable


def test_every_json_request_body_is_generated_valid(shared_index: SpecIndex) -> None:
    targets = json_schemas(shared_index, "requestBody")
    validated, skipped, failures = sweep(shared_index, targets, "request")
    print(f"\nrequest bodies: {len(targets)}: {validated} validated, {skipped} skipped, {len(failures)} failed")
    assert not failures, "\n".join(failures[:20])
    assert validated >= 250


def test_uncompilable_response_schemas_still_get_a_best_effort_value(shared_index: SpecIndex) -> None:
    """VersionConfig carries a 3.0 boolean exclusiveMaximum: jsonschema-rs refuses it, yet the
    generated percentage respects the bounds that schema meant, (0, 100)."""
    for seed in range(10):
        value = generate(shared_index, "/components/schemas/VersionConfig", seed=seed)
        assert 0 < value["percentage"] < 100 and isinstance(value["version_id"], str)


def test_generation_is_fast_on_the_shared_spec(shared_index: SpecIndex) -> None:
    """Warm (caches filled), a response body takes well under a millisecond on average; the
    bound here is loose because the machine is shared."""
    pointers = sorted({p for _, _, p in json_schemas(shared_index, "responses")})
    for pointer in pointers:
        generate(shared_index, pointer, seed=0)
    start = time.perf_counter()
    for pointer in pointers:
        generate(shared_index, pointer, seed=99)
    mean = (time.perf_counter() - start) / len(pointers)
    assert mean < 0.005, f"mean generation time {mean * 1e6:.0f} µs"


# --- determinism ------------------------------------------------------------------------------

FREE = {
    "type": "object",
    "required": ["id", "name"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "name": {"type": "string"},
        "code": {"type": "string", "pattern": "^[^a-z]{3}\\W\\w{2,}$"},
        "phone_number": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "count": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}
SUBPROCESS = """
import orjson, sys
from spec.index import build_index
from conformance.server.generation import generate
doc = orjson.loads(sys.stdin.buffer.read())
index = build_index(doc["doc"])
sys.stdout.buffer.write(orjson.dumps([generate(index, p, seed=s) for p, s in doc["calls"]]))
"""


def test_same_seed_same_value_and_fresh_copies() -> None:
    index = make_index({"Free": FREE})
    first = generated(index, "Free", seed=5)
    first["name"] = "mutated by the caller"
    assert generated(index, "Free", seed=5) != first  # the caller's mutation did not leak back
    assert generated(index, "Free", seed=5) == generated(index, "Free", seed=5)


def test_different_seeds_give_different_values() -> None:
    index = make_index({"Free": FREE})
    values = [json.dumps(generated(index, "Free", seed=s), sort_keys=True) for s in range(20)]
    assert len(set(values)) == 20


def test_values_are_identical_in_another_process_with_another_hash_seed() -> None:
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": {"Free": FREE}},
    }
    calls = [(pointer_of("Free"), s) for s in (0, 1, 2, 123456789, -7)]
    index = build_index(doc)
    here = [generate(index, p, seed=s) for p, s in calls]
    payload = json.dumps({"doc": doc, "calls": calls}).encode()
    for hash_seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run(
            [sys.executable, "-c", SUBPROCESS], input=payload, capture_output=True, check=True, cwd=ROOT, env=env
        )
        assert json.loads(out.stdout) == here


def test_shared_spec_values_are_identical_in_another_process(shared_index: SpecIndex) -> None:
    pointers = sorted({p for _, _, p in json_schemas(shared_index, "responses")})[::40]
    calls = [(p, 11) for p in pointers]
    here = [generate(shared_index, p, seed=s) for p, s in calls]
    code = (
        "import orjson, sys\nfrom pathlib import Path\nfrom spec.load import load_spec\n"
        "from spec.index import build_index\nfrom conformance.server.generation import generate\n"
        f"index = build_index(load_spec(Path({str(SHARED_SPEC)!r}), use_cache=False).data)\n"
        "calls = orjson.loads(sys.stdin.buffer.read())\n"
        "sys.stdout.buffer.write(orjson.dumps([generate(index, p, seed=s) for p, s in calls]))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "99"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(calls).encode(),
        capture_output=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    assert json.loads(out.stdout) == here


# --- composition --------------------------------------------------------------------------------

COMPOSED = make_index(
    {
        "Base": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string", "format": "uuid"}, "size": {"type": "integer", "minimum": 0}},
        },
        "Merged": {
            "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {"kind": {"enum": ["a", "b"]}, "size": {"maximum": 3}},
                },
            ]
        },
        # Branch 1 is a subset of branch 0: only strings longer than 5 match exactly one.
        "Overlap": {"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 5}]},
        # Every integer is also a number: only non-integral numbers are valid.
        "NumberNotInteger": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
        # No required, no additionalProperties: every object matches both branches as written.
        "LooseObjects": {
            "oneOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}},
                {"type": "object", "properties": {"b": {"type": "string"}}},
            ]
        },
        "AnyOf": {"anyOf": [{"type": "integer", "minimum": 10}, {"type": "string", "format": "email"}]},
        "Not": {"type": "string", "not": {"enum": ["string-a"]}, "minLength": 1},
        "Nested": {
            "type": "object",
            "properties": {"inner": {"allOf": [{"$ref": "#/components/schemas/Merged"}], "description": "sibling"}},
        },
    }
)


@SEEDS
@given(seed=st.integers())
def test_allof_merges_properties_required_and_constraints(seed: int) -> None:
    value = generated(COMPOSED, "Merged", seed)
    assert {"id", "kind", "size"} <= value.keys()
    assert 0 <= value["size"] <= 3


@SEEDS
@given(seed=st.integers())
def test_oneof_values_match_exactly_one_branch(seed: int) -> None:
    assert len(generated(COMPOSED, "Overlap", seed)) > 5
    assert not float(generated(COMPOSED, "NumberNotInteger", seed)).is_integer()
    generated(COMPOSED, "LooseObjects", seed)  # the validator's oneOf check is the assertion


@SEEDS
@given(seed=st.integers())
def test_anyof_not_and_nested_refs(seed: int) -> None:
    generated(COMPOSED, "AnyOf", seed)
    assert generated(COMPOSED, "Not", seed) != "string-a"
    assert "kind" in generated(COMPOSED, "Nested", seed)["inner"]


def test_oneof_branch_varies_with_the_seed() -> None:
    values = {type(generate(COMPOSED, pointer_of("AnyOf"), seed=s)) for s in range(10)}
    assert values == {int, str}


def test_contradictions_raise_an_error_naming_the_pointer() -> None:
    index = make_index(
        {"Never": {"allOf": [{"type": "string"}, {"type": "integer"}]}, "NoEnum": {"type": "string", "enum": [1, 2]}}
    )
    for name in ("Never", "NoEnum"):
        with pytest.raises(GenerationError, match=re.escape(pointer_of(name))):
            generate(index, pointer_of(name), seed=0)
    with pytest.raises(GenerationError, match="no schema at"):
        generate(index, "/components/schemas/Missing", seed=0)
    with pytest.raises(ValueError, match="direction"):
        generate(index, pointer_of("Never"), seed=0, direction="sideways")  # type: ignore[arg-type]


# --- recursion --------------------------------------------------------------------------------

RECURSIVE = make_index(
    {
        "Tree": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
            },
        },
        # Each node *requires* a next one: only the null branch ends the chain.
        "Chain": {
            "type": "object",
            "required": ["next"],
            "properties": {"next": {"oneOf": [{"$ref": "#/components/schemas/Chain"}, {"type": "null"}]}},
        },
        "Linked": {
            "type": ["object", "null"],
            "required": ["next"],
            "properties": {"next": {"$ref": "#/components/schemas/Linked"}},
        },
    }
)


def depth_of(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


@SEEDS
@given(seed=st.integers())
def test_recursive_schemas_stop_at_a_small_depth(seed: int) -> None:
    assert depth_of(generated(RECURSIVE, "Tree", seed)) <= 8
    assert depth_of(generated(RECURSIVE, "Chain", seed)) <= 4
    assert depth_of(generated(RECURSIVE, "Linked", seed)) <= 4


# --- strings ----------------------------------------------------------------------------------

STRINGS = make_index(
    {
        "Patterned": {"type": "string", "pattern": "^[A-Z]{2}-\\d{3}(?:-[a-f0-9]{4})?$"},
        "Unanchored": {"type": "string", "pattern": "[0-9]{3}", "maxLength": 6},
        "Negated": {"type": "string", "pattern": "^[^A-Za-z0-9]{4}\\W$"},
        "Phoneish": {"type": "string", "pattern": "^\\+\\d{7,15}$"},
        "Bounded": {"type": "string", "minLength": 30, "maxLength": 32},
        "Tiny": {"type": "string", "maxLength": 2},
        "Formats": {
            "type": "object",
            "properties": {
                name: {"type": "string", "format": name}
                for name in (
                    "date-time",
                    "date",
                    "time",
                    "uuid",
                    "email",
                    "uri",
                    "url",
                    "hostname",
                    "ipv4",
                    "ipv6",
                    "byte",
                    "binary",
                    "json-pointer",
                    "duration",
                )
            },
        },
        "Phones": {
            "type": "object",
            "properties": {
                "phone_number": {"type": "string"},
                "to": {"type": "string"},
                "e164": {"type": "string", "format": "E.164"},
                "address": {"type": "string", "format": "address", "example": "+E.164"},
            },
        },
    }
)


@SEEDS
@given(seed=st.integers())
def test_patterns_and_lengths(seed: int) -> None:
    assert re.fullmatch(r"[A-Z]{2}-\d{3}(-[a-f0-9]{4})?", generated(STRINGS, "Patterned", seed))
    assert len(generated(STRINGS, "Unanchored", seed)) <= 6
    generated(STRINGS, "Negated", seed)
    assert 30 <= len(generated(STRINGS, "Bounded", seed)) <= 32
    assert len(generated(STRINGS, "Tiny", seed)) <= 2


def valid_e164(value: str) -> bool:
    import phonenumbers

    return value.startswith("+") and phonenumbers.is_valid_number(phonenumbers.parse(value))


def test_phone_numbers_are_valid_e164_numbers() -> None:
    assert valid_e164(generated(STRINGS, "Phoneish", 1))
    value = generated(STRINGS, "Phones", 1)
    assert all(valid_e164(value[k]) for k in ("phone_number", "to", "e164", "address")), value


def test_plain_strings_named_like_a_number_are_phone_numbers() -> None:
    """A name ending in `_number` (`fax_number`) means a telephone number, without saying "phone"."""
    index = make_index({"Numbers": {"type": "object", "properties": {"fax_number": {"type": "string"}}}})
    assert valid_e164(generated(index, "Numbers", 2)["fax_number"])


@SEEDS
@given(seed=st.integers())
def test_formats_pass_the_format_checking_validator(seed: int) -> None:
    value = generated(STRINGS, "Formats", seed)  # the validator checks formats
    assert set(value) == set(STRINGS.doc["components"]["schemas"]["Formats"]["properties"])
    base64.b64decode(value["byte"], validate=True)


# --- numbers ----------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    low=st.integers(-(10**6), 10**6),
    span=st.integers(0, 10**4),
    multiple=st.sampled_from([None, 1, 2, 5, 7, 10]),
    exclusive=st.booleans(),
    seed=st.integers(),
)
def test_integer_bounds_and_multiples(low: int, span: int, multiple: int | None, exclusive: bool, seed: int) -> None:
    schema: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": low + span + (2 if exclusive else 0)}
    if exclusive:
        schema["exclusiveMinimum"], schema["exclusiveMaximum"] = schema.pop("minimum"), schema.pop("maximum")
    if multiple is not None:
        schema["multipleOf"] = multiple
        schema["maximum" if not exclusive else "exclusiveMaximum"] += multiple
    value = generated(make_index({"N": schema}), "N", seed)
    assert isinstance(value, int) and (multiple is None or value % multiple == 0)


@settings(max_examples=40, deadline=None)
@given(
    low=st.floats(-1e6, 1e6, allow_nan=False),
    span=st.floats(0.001, 1e4),
    multiple=st.sampled_from([None, 0.5, 0.25, 0.01]),
    seed=st.integers(),
)
def test_number_bounds_and_multiples(low: float, span: float, multiple: float | None, seed: int) -> None:
    schema: dict[str, Any] = {"type": "number", "exclusiveMinimum": low, "maximum": low + span + (multiple or 0) * 2}
    if multiple is not None:
        schema["multipleOf"] = multiple
    generated(make_index({"N": schema}), "N", seed)


def test_integer_formats_stay_in_range() -> None:
    index = make_index(
        {
            "I32": {"type": "integer", "format": "int32", "minimum": 2**31 - 5},
            "I64": {"type": "integer", "format": "int64", "maximum": -(2**63) + 3},
        }
    )
    assert 2**31 - 5 <= generated(index, "I32") <= 2**31 - 1
    assert -(2**63) <= generated(index, "I64") <= -(2**63) + 3


def test_openapi_30_boolean_exclusive_bounds_and_nullable() -> None:
    """A 3.0 document validates with draft 4, where exclusiveMinimum is a boolean flag."""
    schemas = {
        "Pct": {"type": "number", "minimum": 0, "maximum": 1, "exclusiveMinimum": True, "exclusiveMaximum": True},
        "Opt": {"type": "string", "nullable": True, "maxLength": 3},
        "Count": {"type": "integer", "minimum": 1, "maximum": 2, "exclusiveMinimum": True},
    }
    index = make_index(schemas, openapi="3.0.3")
    assert 0 < generated(index, "Pct") < 1
    assert isinstance(generated(index, "Opt"), str)
    assert generated(index, "Count") == 2


def test_31_schemas_with_30_leftovers_get_best_effort_values() -> None:
    """jsonschema-rs refuses a boolean exclusiveMinimum under 2020-12: no validator, but the
    value still honours what the author meant."""
    index = make_index({"Pct": {"type": "number", "minimum": 0, "maximum": 100, "exclusiveMinimum": True}})
    with pytest.raises(Exception):  # noqa: B017 - whatever jsonschema-rs raises for it
        index.schema_validator(pointer_of("Pct"))
    for seed in range(20):
        assert 0 < generate(index, pointer_of("Pct"), seed=seed) <= 100


# --- examples, defaults, const, enum -----------------------------------------------------------


def test_examples_defaults_const_and_enum() -> None:
    index = make_index(
        {
            "Good": {"type": "string", "format": "uuid", "example": "3fa85f64-5717-4562-b3fc-2c963f66afa6"},
            "BadExample": {"type": "string", "format": "date", "example": "yesterday"},
            "NullDefault": {"type": "integer", "default": None, "minimum": 5, "maximum": 5},
            "Default": {"type": "integer", "default": 42},
            "Const": {"const": "fixed", "type": "string"},
            "Enum": {"type": "string", "enum": ["x", "y", None]},
            "Examples31": {"type": "integer", "examples": [7, 8]},
            "NullFirst": {"type": ["null", "string"], "format": "date"},
            "ObjectExample": {
                "type": "object",
                "properties": {"a": {"type": "integer"}},
                "example": {"a": 1},
            },
            "BadObjectExample": {
                "type": "object",
                "required": ["a"],
                "properties": {"a": {"type": "integer", "example": 3}},
                "example": {"a": "one"},
            },
        }
    )
    assert generated(index, "Good") == "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert generated(index, "BadExample") != "yesterday"
    assert generated(index, "NullDefault") == 5
    assert generated(index, "Default") == 42
    assert generated(index, "Const") == "fixed"
    assert {generated(index, "Enum", seed=s) for s in range(10)} == {"x", "y"}
    assert generated(index, "Examples31") == 7
    assert all(isinstance(generated(index, "NullFirst", seed=s), str) for s in range(5))
    assert generated(index, "ObjectExample") == {"a": 1}
    assert generated(index, "BadObjectExample") == {"a": 3}


def test_an_example_valid_alone_but_not_in_its_parent_is_regenerated() -> None:
    """The property's example breaks the parent's allOf constraint: a later attempt drops examples."""
    index = make_index(
        {
            "Parent": {
                "allOf": [
                    {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "example": 50}}},
                    {"properties": {"n": {"maximum": 10}}},
                ]
            }
        }
    )
    assert generated(index, "Parent")["n"] <= 10


# --- objects and arrays -------------------------------------------------------------------------

SHAPES = make_index(
    {
        "Map": {"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 2},
        "Patterned": {
            "type": "object",
            "patternProperties": {"^x-[a-z]{3}$": {"type": "boolean"}},
            "additionalProperties": False,
        },
        "Closed": {
            "allOf": [
                {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
                {"properties": {"b": {"type": "string"}}},
            ]
        },
        "RequiredOnly": {"type": "object", "required": ["extra"], "properties": {}},
        "Many": {"type": "array", "items": {"type": "string"}, "minItems": 5, "maxItems": 6},
        "Few": {"type": "array", "items": {"type": "integer"}, "maxItems": 1},
        "Unique": {"type": "array", "items": {"enum": ["a", "b"]}, "minItems": 2, "uniqueItems": True},
        "UniqueExample": {
            "type": "array",
            "items": {"type": "string", "example": "same"},
            "minItems": 3,
            "uniqueItems": True,
        },
        "Contains": {"type": "array", "items": {"type": "integer"}, "contains": {"const": 7}},
        "Tuple": {
            "type": "array",
            "prefixItems": [{"type": "string"}, {"type": "integer"}],
            "items": {"type": "boolean"},
        },
        "Untyped": {"properties": {"p": {}}},
    }
)


@SEEDS
@given(seed=st.integers())
def test_object_and_array_shapes(seed: int) -> None:
    assert len(generated(SHAPES, "Map", seed)) >= 2
    assert all(re.fullmatch("x-[a-z]{3}", k) for k in generated(SHAPES, "Patterned", seed))
    assert set(generated(SHAPES, "Closed", seed)) <= {"a"}
    assert "extra" in generated(SHAPES, "RequiredOnly", seed)
    assert 5 <= len(generated(SHAPES, "Many", seed)) <= 6
    assert len(generated(SHAPES, "Few", seed)) <= 1
    assert sorted(generated(SHAPES, "Unique", seed)) == ["a", "b"]
    assert len(set(generated(SHAPES, "UniqueExample", seed))) == 3
    assert 7 in generated(SHAPES, "Contains", seed)
    generated(SHAPES, "Tuple", seed)
    generated(SHAPES, "Untyped", seed)


def test_arrays_hold_at_most_three_items_by_default() -> None:
    index = make_index({"List": {"type": "array", "items": {"type": "integer"}}})
    assert {len(generated(index, "List", seed=s)) for s in range(30)} == {1, 2, 3}


# --- direction and overrides --------------------------------------------------------------------

USER = make_index(
    {
        "User": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "id": {"type": "string", "format": "uuid", "readOnly": True},
                "name": {"type": "string"},
                "password": {"type": "string", "writeOnly": True},
                "status": {"type": "string", "enum": ["active", "disabled"]},
                "created_at": {"type": "string", "format": "date-time", "readOnly": True},
            },
            "additionalProperties": False,
        },
        "WithExample": {
            "type": "object",
            "properties": {"secret": {"type": "string", "writeOnly": True}, "v": {"type": "integer"}},
            "example": {"secret": "s3cr3t", "v": 1},
        },
    }
)


def test_read_only_and_write_only_follow_the_direction() -> None:
    response = generated(USER, "User", direction="response")
    request = generated(USER, "User", direction="request")
    assert {"id", "created_at"} <= response.keys() and "password" not in response
    assert "password" in request and not {"id", "created_at"} & request.keys()
    assert "secret" not in generated(USER, "WithExample", direction="response")  # the example carries it


def test_overrides_apply_where_they_stay_valid() -> None:
    record_id = "8a6d9c5e-3e2f-4b1a-9c7d-0e1f2a3b4c5d"
    value = generated(
        USER,
        "User",
        seed=2,
        overrides={"id": record_id, "status": "disabled", "created_at": "not a date", "unknown": 1, "name": "Ada"},
    )
    assert value["id"] == record_id and value["status"] == "disabled" and value["name"] == "Ada"
    assert value["created_at"] != "not a date" and "unknown" not in value


def test_overrides_on_an_open_object_and_on_a_non_object() -> None:
    index = make_index(
        {"Open": {"type": "object", "properties": {"a": {"type": "integer"}}}, "List": {"type": "array"}}
    )
    assert generated(index, "Open", overrides={"b": [1, 2]})["b"] == [1, 2]
    assert isinstance(generated(index, "List", overrides={"b": 1}), list)


@SEEDS
@given(seed=st.integers(), name=st.text(min_size=1, max_size=20))
def test_any_override_leaves_the_value_valid(seed: int, name: str) -> None:
    generated(USER, "User", seed, overrides={"name": name, "status": name, "id": name})
