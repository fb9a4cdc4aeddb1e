"""Differential tests: spec.validate must reach openapi-spec-validator 0.9's verdicts.

osv's errors carry no location, so both sides are compared as multisets of signatures,
e.g. ("type", None, "string") for "default null is not a string", ("duplicate-parameter",
"filter"); `spec.validate.signature` normalizes osv's errors and ours the same way.
"""

import ast
import copy
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from spec.index import build_index
from spec.load import load_spec
from spec.pointer import get
from spec.rules import all_rules
from spec.validate import STRUCTURAL_RULES, Problem, format_ok, signature, structural_problems, template_names

SHARED_SPEC = Path(__file__).parents[2].parent / "shared/spec/telnyx.yml"
EXTRA_PARAMETERS_RULE = "required-property-undefined"


# --- osv as the oracle -----------------------------------------------------------------------


def run_osv(doc: dict) -> tuple[list[Any], Exception | None]:
    """osv's errors, and the exception it crashed with, if any (it asserts on some bad input)."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    cls = OpenAPIV30SpecValidator if str(doc.get("openapi", "")).startswith("3.0") else OpenAPIV31SpecValidator
    errors: list[Any] = []
    try:
        for error in cls(doc).iter_errors():
            errors.append(error)
    except Exception as exc:  # the oracle's own crash is part of its verdict
        return errors, exc
    return errors, None


def osv_signature(error: Any) -> tuple | None:
    """An osv error as (kind, offending value, expected); None for ExtraParametersError."""
    from openapi_spec_validator.validation import exceptions as osv

    message = error.message
    if isinstance(error, osv.ExtraParametersError):
        return None  # the lint rule required-property-undefined covers it
    if isinstance(error, osv.ParameterDuplicateError):
        return ("duplicate-parameter", re.fullmatch(r"Duplicate parameter '(.*)'", message).group(1))
    if isinstance(error, osv.DuplicateOperationIDError):
        return ("duplicate-operation-id", re.match(r"Operation ID '(.*)' for '", message).group(1))
    if isinstance(error, osv.UnresolvableParameterError):
        return ("unresolved-path-param", re.match(r"Path parameter '(.*)' for '", message).group(1))
    if found := re.fullmatch(r"Duplicate tag name '(.*)'", message):
        return ("duplicate-tag", found.group(1))
    if found := re.fullmatch(r"Unknown JSON Schema dialect: (.*)", message):
        return ("unknown-dialect", ast.literal_eval(found.group(1)))
    if not isinstance(error.validator, str):
        if found := re.fullmatch(r"(.*) is not of type 'object', 'boolean'", message):
            return signature("type", ast.literal_eval(found.group(1)), ["object", "boolean"])
        return ("oas-schema", tuple(error.path))  # the document against the OAS meta-schema
    return signature(error.validator, error.instance, error.validator_value)


def osv_verdict(doc: dict) -> tuple[Counter, Exception | None]:
    errors, crash = run_osv(doc)
    signatures = Counter(osv_signature(error) for error in errors)
    signatures.pop(None, None)
    return signatures, crash


def our_verdict(problems: list[Problem]) -> Counter:
    return Counter(problem.signature for problem in problems)


# --- the shared spec ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The shared spec loaded, indexed and validated once, by us and by osv."""
    if not SHARED_SPEC.is_file():
        pytest.skip(f"the shared Telnyx spec is not at {SHARED_SPEC}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TELNYX_CONFORMANCE_CACHE", str(tmp_path_factory.mktemp("cache")))
        loaded = load_spec(SHARED_SPEC, allow_unpinned=True, use_cache=False)
    index = build_index(loaded.data)
    osv_errors, crash = run_osv(loaded.data)
    return {"loaded": loaded, "index": index, "ours": structural_problems(index), "osv": osv_errors, "crash": crash}


def test_shared_spec_verdicts_equal_osv(shared: dict[str, Any]) -> None:
    assert shared["crash"] is None
    theirs = Counter(osv_signature(error) for error in shared["osv"])
    theirs.pop(None, None)
    ours = our_verdict(shared["ours"])
    assert ours == theirs, f"only osv: {theirs - ours}; only ours: {ours - theirs}"
    assert sum(ours.values()) == 69  # the pinned spec: 55 null defaults, 9 duplicate filters, ...


def test_shared_spec_findings_by_rule(shared: dict[str, Any]) -> None:
    counts = Counter(problem.rule_id for problem in shared["ours"])
    assert counts == {"default-valid": 56, "parameter-unique": 9, "schema-dialect": 4}


def test_shared_spec_findings_are_located(shared: dict[str, Any]) -> None:
    missing = object()
    loaded = shared["loaded"]
    for problem in shared["ours"]:
        assert get(loaded.data, problem.pointer, missing) is not missing, problem
        line, _ = loaded.locator.locate(problem.pointer)
        assert line > 0, problem
        assert "\n" not in problem.message and problem.message


def test_shared_spec_extra_parameters_errors_are_linted(shared: dict[str, Any]) -> None:
    assert_extra_parameters_covered(shared["osv"], shared["index"])


def assert_extra_parameters_covered(osv_errors: list[Any], index: Any) -> None:
    """osv's "Required list has not defined properties" names are all reported by the lint rule."""
    from openapi_spec_validator.validation.exceptions import ExtraParametersError

    rules = {rule.id: rule for rule in all_rules()}
    if EXTRA_PARAMETERS_RULE not in rules:
        pytest.skip(f"the lint rule {EXTRA_PARAMETERS_RULE} is not registered")
    messages = [message for _, message in rules[EXTRA_PARAMETERS_RULE].check(index)]
    for error in osv_errors:
        if isinstance(error, ExtraParametersError):
            names = ast.literal_eval(error.message.split(": ", 1)[1])
            for name in names:
                assert any(repr(name) in message for message in messages), (name, messages)


# --- small documents, 3.0 and 3.1 -----------------------------------------------------------


def base(version: str) -> dict:
    """A valid document touching everything osv visits."""
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "tags": [{"name": "a"}, {"name": "b"}],
        "paths": {
            "/items/{id}": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {
                    "operationId": "getItem",
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 10, "minimum": 1}},
                        {"$ref": "#/components/parameters/Page"},
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
                        }
                    },
                },
            }
        },
        "components": {
            "parameters": {"Page": {"name": "page", "in": "query", "schema": {"type": "integer", "default": 1}}},
            "schemas": {
                "Item": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid", "default": "6f1c1b3e-8d5e-4a7e-9a57-3f3c2b1a0d9e"},
                        "size": {"type": "integer", "format": "int32", "default": 5},
                    },
                }
            },
        },
    }


def variant(version: str, name: str) -> dict:
    doc = copy.deepcopy(base(version))
    item = doc["paths"]["/items/{id}"]
    properties = doc["components"]["schemas"]["Item"]["properties"]
    ok = {"200": {"description": "ok"}}
    if name == "invalid-default":
        properties["size"]["default"] = "five"
        properties["obj"] = {
            "type": "object",
            "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
            "required": ["b"],
            "default": {"a": 1},
        }
    elif name == "format-defaults":
        properties.update(
            {
                "i32": {"type": "integer", "format": "int32", "default": 2**40},
                "email": {"type": "string", "format": "email", "default": "nope"},
                "ipv4": {"type": "string", "format": "ipv4", "default": "1.2.3"},
                "date": {"type": "string", "format": "date", "default": "2020-13-01"},
                "when": {"type": "string", "format": "date-time", "default": "yesterday"},
                "uri": {"type": "string", "format": "uri", "default": "::"},  # not checked by osv here
                "regex": {"type": "string", "format": "regex", "default": "(("},
                "pattern": {"type": "string", "pattern": "^a+$", "default": "b"},
                "enum": {"type": "string", "enum": ["a"], "default": "b"},
            }
        )
    elif name == "bool-exclusive-minimum":
        properties["size"].update({"minimum": 0, "exclusiveMinimum": True})  # an error in 3.1 only
    elif name == "number-exclusive-minimum":
        properties["size"].update({"exclusiveMinimum": 0})  # an error in 3.0 only
    elif name == "duplicate-parameter":
        item["get"]["parameters"].append({"name": "limit", "in": "query", "schema": {"type": "string"}})
    elif name == "duplicate-operation-id":
        doc["paths"]["/other"] = {"post": {"operationId": "getItem", "responses": ok}}
    elif name == "missing-path-param":
        del item["parameters"]
    elif name == "extra-path-param":
        item["get"]["parameters"].append(
            {"name": "extra", "in": "path", "required": True, "schema": {"type": "string"}}
        )
    elif name == "duplicate-tag":
        doc["tags"].append({"name": "a", "description": "again"})
    elif name == "missing-info":
        del doc["info"]
    elif name == "paths-wrong-type":
        doc["paths"] = ["/a"]
        del doc["components"]["schemas"]
    elif name == "nullable-default":
        properties["nullable"] = {"type": "string", "nullable": True, "default": None}
        properties["plain"] = {"type": "string", "default": None}
    elif name == "ref-to-invalid-schema":
        # jsonschema-rs cannot compile a schema reaching an invalid one: the Python fallback runs
        bad = {"exclusiveMinimum": True, "minimum": 0} if version.startswith("3.1") else {"exclusiveMinimum": 5}
        doc["components"]["schemas"]["Bad"] = {"type": "object", "properties": {"n": {"type": "integer", **bad}}}
        properties["bad"] = {"$ref": "#/components/schemas/Bad"}
        properties["holder"] = {
            "type": "object",
            "properties": {"b": {"$ref": "#/components/schemas/Bad"}},
            "default": {"b": {"n": "x"}},
        }
    elif name == "not-a-schema":
        properties["s"] = "string"
    elif name == "unvisited":
        # osv looks at neither request bodies nor response headers
        item["post"] = {
            "requestBody": {"content": {"application/json": {"schema": {"type": "string", "default": 3}}}},
            "responses": {"200": {"description": "d", "headers": {"X": {"schema": {"type": "string", "default": 4}}}}},
        }
    elif name == "discriminator-default":
        doc["components"]["schemas"]["Pet"] = {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}],
            "discriminator": {"propertyName": "kind"},
            "default": {"kind": "Cat"},
        }
        doc["components"]["schemas"]["Cat"] = {
            "type": "object",
            "required": ["meow"],
            "properties": {"kind": {"type": "string"}, "meow": {"type": "boolean"}},
        }
    elif name == "dialects" and version.startswith("3.1"):
        doc["components"]["schemas"].update(
            {
                "D7": {"$schema": "http://json-schema.org/draft-07/schema#", "exclusiveMinimum": True},
                "D4": {"$schema": "http://json-schema.org/draft-04/schema#", "exclusiveMinimum": True, "minimum": 1},
                "Unknown": {"$schema": "https://example.com/mine", "type": "string"},
                "Disc": {"oneOf": [{"type": "string"}], "discriminator": {"propertyName": 3}},
                "Bool": True,
            }
        )
    elif name == "extra-required":
        doc["components"]["schemas"]["Sub"] = {
            "allOf": [{"$ref": "#/components/schemas/Item"}],
            "required": ["id", "ghost"],
            "properties": {"x": {"type": "string"}},
        }
    elif name != "valid":
        raise AssertionError(name)
    return doc


NAMES = (
    "valid",
    "invalid-default",
    "format-defaults",
    "bool-exclusive-minimum",
    "number-exclusive-minimum",
    "duplicate-parameter",
    "duplicate-operation-id",
    "missing-path-param",
    "extra-path-param",
    "duplicate-tag",
    "missing-info",
    "paths-wrong-type",
    "nullable-default",
    "ref-to-invalid-schema",
    "not-a-schema",
    "unvisited",
    "discriminator-default",
    "extra-required",
)
CASES = [(v, n) for v in ("3.0.3", "3.1.0") for n in NAMES] + [("3.1.0", "dialects")]


@pytest.mark.parametrize(("version", "name"), CASES, ids=[f"{v[:3]}-{n}" for v, n in CASES])
def test_small_documents_verdicts_equal_osv(version: str, name: str) -> None:
    doc = variant(version, name)
    theirs, crash = osv_verdict(doc)
    problems = structural_problems(build_index(doc))
    ours = our_verdict(problems)
    if name == "paths-wrong-type":
        # osv reports the meta-schema error, then its walk asserts `paths` is a mapping
        assert isinstance(crash, AssertionError)
    else:
        assert crash is None, repr(crash)
    assert ours == theirs, f"only osv: {theirs - ours}; only ours: {ours - theirs}"
    assert bool(problems) == (name not in CLEAN and (name, version[:3]) not in CLEAN), problems
    if name == "extra-required":
        assert_extra_parameters_covered(run_osv(doc)[0], build_index(doc))


# Where osv (and we) find nothing structural: a 3.0 boolean exclusiveMinimum is draft-04, a 3.1
# number is 2020-12; request bodies are not visited; an undefined required name is a lint matter.
CLEAN = {"valid", "unvisited", "extra-required", ("bool-exclusive-minimum", "3.0"), ("number-exclusive-minimum", "3.1")}


# --- the pieces -----------------------------------------------------------------------------


def test_validation_is_shared_once_per_index() -> None:
    index = build_index(variant("3.1.0", "duplicate-tag"))
    first = structural_problems(index)
    assert structural_problems(index) is first
    assert [p.rule_id for p in first] == ["tag-unique"] and first[0].pointer == "/tags/2/name"


def test_every_structural_rule_is_registered() -> None:
    registered = {rule.id for rule in all_rules() if rule.check.__module__ == "spec.rules.structure"}
    assert registered == set(STRUCTURAL_RULES)


def test_findings_are_located_precisely() -> None:
    problems = structural_problems(build_index(variant("3.1.0", "invalid-default")))
    assert sorted(p.pointer for p in problems) == [
        "/components/schemas/Item/properties/obj/default",
        "/components/schemas/Item/properties/obj/default/a",
        "/components/schemas/Item/properties/size/default",
    ]
    by_pointer = {p.pointer: p.message for p in problems}
    assert by_pointer["/components/schemas/Item/properties/size/default"] == "default \"five\" is not of type 'integer'"


def test_template_names_read_as_osv_reads_them() -> None:
    assert template_names("/a/{id}/b/{b_id}") == {"id", "b_id"}
    assert template_names("/a/{id:x}") == {"id"}
    assert template_names("/plain") == set()


@pytest.mark.parametrize(
    ("fmt", "value", "oas30", "ok"),
    [
        ("int32", 2**31 - 1, False, True),
        ("int32", 2**31, False, False),
        ("int32", True, False, True),
        ("int64", -(2**63), False, True),
        ("date-time", "2024-01-01T00:00:00Z", False, True),
        ("date-time", "2024-01-01", False, False),
        ("uuid", "6f1c1b3e8d5e4a7e9a573f3c2b1a0d9e", False, False),
        ("byte", "!!", True, False),
        ("byte", "!!", False, True),
        ("uri", "::", False, True),
        ("time", "10:00:00", False, True),
    ],
)
def test_format_checks_follow_osv(fmt: str, value: Any, oas30: bool, ok: bool) -> None:
    assert format_ok(fmt, value, oas30=oas30) is ok
