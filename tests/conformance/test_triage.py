"""Triage: server, spec or setup, proven on small specs and on the Telnyx spec's known
contradictions (VersionConfig's boolean exclusive bounds, null defaults)."""

from pathlib import Path

import pytest

from conformance.triage import SERVER, SETUP, SPEC, SpecProblems, Triage, classify, operation_schemas, triage_for
from spec.index import build_index
from spec.load import load_spec

SMALL = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/good": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Good"}}}}}}},
        "/bad": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Bad"}}}}}}},
    },
    "components": {"schemas": {
        "Good": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Bad": {"type": "object", "properties": {"inner": {"$ref": "#/components/schemas/Inner"}}},
        "Inner": {"type": "string", "default": None},
    }},
}  # fmt: skip


def ops(index):
    return {op.path: op for op in index.operations}


def test_operation_schemas_follow_refs_into_components() -> None:
    index = build_index(SMALL)
    reached = operation_schemas(index, ops(index)["/bad"])
    assert "/components/schemas/Inner" in reached and "/components/schemas/Good" not in reached


def test_a_failure_where_the_spec_contradicts_itself_is_the_specs() -> None:
    index = build_index(SMALL)
    problems = SpecProblems.from_findings([("default-valid", "/components/schemas/Inner/default")])
    triage = Triage(index, problems)
    assert triage.classify(ops(index)["/bad"], "response_schema_conformance", "boom") == SPEC
    assert triage.classify(ops(index)["/good"], "response_schema_conformance", "boom") == SERVER


def test_findings_of_style_rules_do_not_excuse_the_server() -> None:
    index = build_index(SMALL)
    problems = SpecProblems.from_findings([("operation-description", "/components/schemas/Inner")])
    assert Triage(index, problems).classify(ops(index)["/bad"], "response_schema_conformance", "x") == SERVER


def test_an_undocumented_standard_client_error_is_the_specs() -> None:
    """A server must answer 401 without a key, 404 for an unknown id, 422 for invalid input:
    when the operation documents none of them, answering one is the spec's omission."""
    index = build_index(SMALL)
    good = ops(index)["/good"]
    triage = Triage(index, SpecProblems())
    assert triage.classify(good, "status_code_conformance", "Received: 401", 401) == SPEC
    assert triage.classify(good, "status_code_conformance", "Received: 422", 422) == SPEC
    assert triage.classify(good, "status_code_conformance", "Received: 418", 418) == SERVER
    assert triage.classify(good, "status_code_conformance", "Received: 299", 299) == SERVER


def test_a_documented_4xx_range_leaves_undocumented_codes_to_the_server() -> None:
    spec = {
        **SMALL,
        "paths": {"/r": {"get": {"responses": {"200": {"description": "ok"}, "4XX": {"description": "x"}}}}},
    }
    index = build_index(spec)
    assert Triage(index, SpecProblems()).classify(ops(index)["/r"], "status_code_conformance", "x", 404) == SERVER


def test_a_response_problem_does_not_excuse_input_checks() -> None:
    index = build_index(SMALL)
    problems = SpecProblems.from_findings([("default-valid", "/components/schemas/Inner/default")])
    assert Triage(index, problems).classify(ops(index)["/bad"], "negative_data_rejection", "x") == SERVER


def test_ignored_auth_is_the_specs_where_it_declares_an_auth_like_header() -> None:
    spec = {
        **SMALL,
        "paths": {
            "/own": {"post": {"parameters": [{"name": "authorization_bearer", "in": "header", "schema": {}}],
                              "responses": {"201": {"description": "ok"}}}},
            "/plain": {"post": {"responses": {"201": {"description": "ok"}}}},
        },
    }  # fmt: skip
    index = build_index(spec)
    triage = Triage(index, SpecProblems())
    assert triage.classify(ops(index)["/own"], "ignored_auth", "accepted", 201) == SPEC
    assert triage.classify(ops(index)["/plain"], "ignored_auth", "accepted", 201) == SERVER


def test_type_only_mutations_of_text_fields_are_the_specs() -> None:
    """Form and multipart fields are text on the wire: `3` and `"3"` are the same bytes."""
    body = {"type": "object", "properties": {"ttl": {"type": "integer"}, "name": {"type": "string"}}}
    spec = {
        **SMALL,
        "paths": {
            "/media": {"post": {"requestBody": {"content": {"multipart/form-data": {"schema": body}}},
                                "responses": {"201": {"description": "ok"}}}},
            "/json": {"post": {"requestBody": {"content": {"application/json": {"schema": body}}},
                               "responses": {"201": {"description": "ok"}}}},
        },
    }  # fmt: skip
    index = build_index(spec)
    triage = Triage(index, SpecProblems())
    types_only = (
        "Schema-violating request accepted: Invalid component: in body - violates `type` at /properties/ttl "
        "(was integer, became string) - violates `type` at /properties/name (was string, became object)"
    )
    assert triage.classify(ops(index)["/media"], "negative_data_rejection", types_only, 201) == SPEC
    assert triage.classify(ops(index)["/json"], "negative_data_rejection", types_only, 201) == SERVER
    with_a_bound = types_only + " - violates `maxLength` at /properties/name"
    assert triage.classify(ops(index)["/media"], "negative_data_rejection", with_a_bound, 201) == SERVER


def test_a_server_error_is_never_the_specs() -> None:
    index = build_index(SMALL)
    problems = SpecProblems.from_findings([("default-valid", "/components/schemas/Inner/default")])
    assert Triage(index, problems).classify(ops(index)["/bad"], "not_a_server_error", "500") == SERVER


@pytest.mark.parametrize(
    ("check", "message"),
    [("setup", "x"), ("network_error", "x"), ("response_schema_conformance", "Connection refused")],
)
def test_network_and_timeouts_are_setup(check: str, message: str) -> None:
    assert classify(check, message, spec_problem=True) == SETUP


def test_the_telnyx_specs_own_contradictions_are_found(shared_spec_path: Path) -> None:
    spec = load_spec(shared_spec_path)
    index = spec.index()
    triage = triage_for(index, spec)
    by_path = {(op.method, op.path): op for op in index.operations}
    canary = by_path[("get", "/ai/assistants/{assistant_id}/canary-deploys")]
    assert triage.operation_has_spec_problem(canary)  # VersionConfig: boolean exclusive bounds
    assert triage.classify(canary, "response_schema_conformance", "percentage out of range") == SPEC
    clean = by_path[("get", "/addresses")]
    assert not triage.operation_has_spec_problem(clean)
    assert triage.classify(clean, "response_schema_conformance", "missing property") == SERVER
