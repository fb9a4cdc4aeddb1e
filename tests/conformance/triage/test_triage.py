"""Triage: server, spec or setup, proven on small specs and on the Telnyx spec's known
contradictions (VersionConfig's boolean exclusive bounds, null defaults)."""

from pathlib import Path

import pytest

from conformance.triage import SERVER, SETUP, SPEC, Observed, Triage, operation_schemas, setup_verdict, triage_for
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


def _classification(self, *args, **kwargs) -> str:
    return self.classify(*args, **kwargs).classification


Triage.classify_ = _classification  # the class alone, for the assertions below


def test_operation_schemas_follow_refs_into_components() -> None:
    index = build_index(SMALL)
    reached = operation_schemas(index, ops(index)["/bad"])
    assert "/components/schemas/Inner" in reached and "/components/schemas/Good" not in reached


def test_a_finding_elsewhere_in_the_reached_schemas_excuses_nothing() -> None:
    """/bad reaches Inner, whose `default: null` is invalid: that is no evidence about any
    other failure of /bad (a missing property, a wrong type elsewhere)."""
    index = build_index(SMALL)
    triage = Triage.from_findings(index, [("default-valid", "/components/schemas/Inner/default")])
    assert triage.classify_(ops(index)["/bad"], "response_schema_conformance", "boom") == SERVER
    verdict = triage.judge(
        ops(index)["/bad"],
        Observed("response_schema_conformance", keyword_location="/components/schemas/Bad/properties/inner/type"),
    )
    assert verdict.classification == SERVER and "no spec finding" in verdict.reason


def test_the_failing_keywords_own_finding_is_the_specs() -> None:
    index = build_index(SMALL)
    triage = Triage.from_findings(index, [("enum-type-match", "/components/schemas/Good/properties/name/enum")])
    at = Observed("response_schema_conformance", keyword_location="/components/schemas/Good/properties/name/enum")
    beside = Observed("response_schema_conformance", keyword_location="/components/schemas/Good/properties/name/type")
    below = Observed("response_schema_conformance", keyword_location="/components/schemas/Good/properties/enum")
    assert triage.judge(ops(index)["/good"], at).classification == SPEC
    assert triage.judge(ops(index)["/good"], beside).classification == SPEC  # `type` and `enum` contradict
    assert triage.judge(ops(index)["/good"], below).classification == SERVER


def test_findings_of_style_rules_do_not_excuse_the_server() -> None:
    index = build_index(SMALL)
    triage = Triage.from_findings(index, [("operation-description", "/components/schemas/Inner")])
    assert triage.classify_(ops(index)["/bad"], "response_schema_conformance", "x") == SERVER


def test_an_undocumented_standard_client_error_is_the_specs() -> None:
    """A server must answer 401 without a key, 404 for an unknown id, 422 for invalid input:
    when the operation documents none of them, answering one is the spec's omission."""
    index = build_index(SMALL)
    good = ops(index)["/good"]
    triage = Triage(index)
    assert triage.classify_(good, "status_code_conformance", "Received: 401", 401) == SPEC
    assert triage.classify_(good, "status_code_conformance", "Received: 422", 422) == SPEC
    assert triage.classify_(good, "status_code_conformance", "Received: 418", 418) == SERVER
    assert triage.classify_(good, "status_code_conformance", "Received: 299", 299) == SERVER


def test_a_documented_4xx_range_leaves_undocumented_codes_to_the_server() -> None:
    spec = {
        **SMALL,
        "paths": {"/r": {"get": {"responses": {"200": {"description": "ok"}, "4XX": {"description": "x"}}}}},
    }
    index = build_index(spec)
    assert Triage(index).classify_(ops(index)["/r"], "status_code_conformance", "x", 404) == SERVER


def test_a_response_problem_does_not_excuse_input_checks() -> None:
    index = build_index(SMALL)
    triage = Triage.from_findings(index, [("default-valid", "/components/schemas/Inner/default")])
    assert triage.classify_(ops(index)["/bad"], "negative_data_rejection", "x") == SERVER


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
    triage = Triage(index)
    assert triage.classify_(ops(index)["/own"], "ignored_auth", "accepted", 201) == SPEC
    assert triage.classify_(ops(index)["/plain"], "ignored_auth", "accepted", 201) == SERVER


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
    triage = Triage(index)
    types_only = (
        "Schema-violating request accepted: Invalid component: in body - violates `type` at /properties/ttl "
        "(was integer, became string) - violates `type` at /properties/name (was string, became object)"
    )
    assert triage.classify_(ops(index)["/media"], "negative_data_rejection", types_only, 201) == SPEC
    assert triage.classify_(ops(index)["/json"], "negative_data_rejection", types_only, 201) == SERVER
    with_a_bound = types_only + " - violates `maxLength` at /properties/name"
    assert triage.classify_(ops(index)["/media"], "negative_data_rejection", with_a_bound, 201) == SERVER


def test_format_mutations_of_file_parts_are_the_specs_and_others_the_servers() -> None:
    """Any bytes are `format: binary`: a file part cannot violate it on the wire."""
    form = {
        "type": "object",
        "properties": {"loa": {"$ref": "#/components/schemas/File"}, "email": {"type": "string", "format": "email"}},
    }
    spec = {
        **SMALL,
        "paths": {
            "/upload": {"post": {"requestBody": {"content": {"multipart/form-data": {"schema": form}}},
                                 "responses": {"201": {"description": "ok"}}}},
        },
        "components": {"schemas": {**SMALL["components"]["schemas"],
                                   "File": {"type": "string", "format": "binary"}}},
    }  # fmt: skip
    index = build_index(spec)
    triage = Triage(index)
    prefix = "Schema-violating request accepted: Invalid component: in body - "
    upload = ops(index)["/upload"]
    assert triage.classify_(upload, "negative_data_rejection", prefix + "violates `format` at /properties/loa") == SPEC
    assert (
        triage.classify_(upload, "negative_data_rejection", prefix + "violates `format` at /properties/email") == SERVER
    )


def test_a_malformed_media_type_makes_content_failures_the_specs() -> None:
    spec = {
        **SMALL,
        "paths": {"/doc": {"get": {"responses": {"200": {"description": "ok", "content": {
            "*": {"schema": {"type": "string"}}}}}}}},
    }  # fmt: skip
    index = build_index(spec)
    triage = Triage.from_findings(index, [("media-type-valid", "/paths/~1doc/get/responses/200/content/*")])
    assert triage.classify_(ops(index)["/doc"], "content_type_conformance", "Malformed media type", 200) == SPEC


def test_a_server_error_is_never_the_specs() -> None:
    index = build_index(SMALL)
    triage = Triage.from_findings(index, [("default-valid", "/components/schemas/Inner/default")])
    assert triage.classify_(ops(index)["/bad"], "not_a_server_error", "500") == SERVER


@pytest.mark.parametrize(
    ("check", "message"),
    [("setup", "x"), ("network_error", "x"), ("response_schema_conformance", "Connection refused")],
)
def test_network_and_timeouts_are_setup(check: str, message: str) -> None:
    verdict = setup_verdict(check, message)
    assert verdict is not None and verdict.classification == SETUP


def test_the_telnyx_specs_own_contradictions_are_found(shared_spec_path: Path) -> None:
    spec = load_spec(shared_spec_path)
    index = spec.index()
    triage = triage_for(index, spec)
    by_path = {(op.method, op.path): op for op in index.operations}
    canary = by_path[("get", "/ai/assistants/{assistant_id}/canary-deploys")]
    bound = "/components/schemas/VersionConfig/properties/percentage/exclusiveMaximum"  # a 3.0 boolean bound
    verdict = triage.judge(canary, Observed("response_schema_conformance", keyword_location=bound))
    assert verdict.classification == SPEC and "oas31-legacy-keywords" in verdict.reason
    beside = "/components/schemas/VersionConfig/properties/percentage/type"  # its type: nothing wrong there
    assert (
        triage.judge(canary, Observed("response_schema_conformance", keyword_location=beside)).classification == SERVER
    )
    clean = by_path[("get", "/addresses")]
    assert triage.classify_(clean, "response_schema_conformance", "missing property") == SERVER


# --- the spec's own invalid examples, judged by value ------------------------------------------

ECHO = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}},
        "/counts": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Count"},
            "examples": {"bad": {"value": {"data": {"count": "three", "unit": "kg"}}}}}}}}}},
        "/plain": {"get": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Plain"}}}}}}},
    },
    "components": {"schemas": {
        "Thing": {"type": "object", "properties": {"data": {"type": "object", "properties": {
            "created_at": {"type": "string", "format": "date-time", "example": "2025-08-06"},
            "updated_at": {"type": "string", "format": "date-time"}}}}},
        "Count": {"type": "object", "properties": {"data": {"type": "object", "properties": {
            "count": {"type": "integer"}, "unit": {"type": "string"}}}}},
        "Plain": {"type": "object", "properties": {"data": {"type": "object", "properties": {
            "created_at": {"type": "string", "format": "date-time"}}}}},
    }},
}  # fmt: skip


@pytest.fixture(scope="module")
def echo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Triage, dict]:
    """A real audit of ECHO (its two invalid examples), and its operations by path."""
    import json

    path = tmp_path_factory.mktemp("echo") / "echo.json"
    path.write_text(json.dumps(ECHO), encoding="utf-8")
    spec = load_spec(path, allow_unpinned=True, use_cache=False)
    index = spec.index()
    return triage_for(index, spec), ops(index)


def schema_failure(path: str, body: dict):
    """The failure schemathesis' own response_schema_conformance raises for `body`, as the
    plugin receives it (a JsonSchemaError with the failing instance and its path)."""
    import requests
    import schemathesis
    from schemathesis.core.transport import Response
    from schemathesis.openapi.checks import JsonSchemaError

    case = schemathesis.openapi.from_dict(ECHO)[path]["GET"].Case()
    raw = requests.Response()
    raw.status_code, raw._content, raw.url = 200, json_bytes(body), f"http://127.0.0.1{path}"
    raw.headers["Content-Type"] = "application/json"
    raw.request = requests.Request("GET", raw.url).prepare()
    with pytest.raises(BaseException) as caught:  # a FailureGroup, inspected below
        case.validate_response(Response.from_requests(raw, verify=True))
    leaves = caught.value.exceptions if isinstance(caught.value, BaseExceptionGroup) else (caught.value,)
    found = [leaf for leaf in leaves if isinstance(leaf, JsonSchemaError)]
    assert len(found) == 1, leaves
    return found[0]


def json_bytes(body: dict) -> bytes:
    import json

    return json.dumps(body).encode()


def test_the_audit_feeds_the_invalid_examples_to_triage(echo) -> None:
    triage, _ = echo
    sites = {
        (flagged.site, flagged.path, flagged.value) for found in triage.examples.by_key.values() for flagged in found
    }
    assert ("/components/schemas/Thing/properties/data/properties/created_at/example", (), "2025-08-06") in sites
    media = "/paths/~1counts/get/responses/200/content/application~1json/examples/bad/value"
    assert (media, ("data", "count"), "three") in sites
    assert not any(value == "kg" for _, _, value in sites)  # the valid part of an example is not flagged


def test_a_response_echoing_an_invalid_schema_example_is_the_specs(echo) -> None:
    triage, by_path = echo
    failure = schema_failure("/things", {"data": {"created_at": "2025-08-06"}})
    assert triage.classify_(by_path["/things"], "response_schema_conformance", "x", 200, failure=failure) == SPEC


def test_a_different_invalid_value_is_still_the_servers(echo) -> None:
    triage, by_path = echo
    failure = schema_failure("/things", {"data": {"created_at": "yesterday"}})
    assert triage.classify_(by_path["/things"], "response_schema_conformance", "x", 200, failure=failure) == SERVER


def test_the_example_value_elsewhere_in_the_body_is_the_servers(echo) -> None:
    """`updated_at` has no example: the same string there was not copied from the spec."""
    triage, by_path = echo
    failure = schema_failure("/things", {"data": {"updated_at": "2025-08-06"}})
    assert triage.classify_(by_path["/things"], "response_schema_conformance", "x", 200, failure=failure) == SERVER


def test_the_example_value_on_an_operation_without_that_example_is_the_servers(echo) -> None:
    """`/plain` has the same shape but its schema carries no invalid example."""
    triage, by_path = echo
    failure = schema_failure("/plain", {"data": {"created_at": "2025-08-06"}})
    assert triage.classify_(by_path["/plain"], "response_schema_conformance", "x", 200, failure=failure) == SERVER


def test_an_echoed_media_example_is_the_specs_at_its_own_place_only(echo) -> None:
    triage, by_path = echo
    counts = by_path["/counts"]
    echoed = schema_failure("/counts", {"data": {"count": "three", "unit": "kg"}})
    assert triage.classify_(counts, "response_schema_conformance", "x", 200, failure=echoed) == SPEC
    other = schema_failure("/counts", {"data": {"count": "four", "unit": "kg"}})
    assert triage.classify_(counts, "response_schema_conformance", "x", 200, failure=other) == SERVER


def test_without_the_failure_an_invalid_example_excuses_nothing(echo) -> None:
    """Judged by value only: the location of an invalid example alone is not the spec's."""
    triage, by_path = echo
    assert triage.classify_(by_path["/things"], "response_schema_conformance", "x", 200) == SERVER
    failure = schema_failure("/things", {"data": {"created_at": "2025-08-06"}})
    assert triage.classify_(by_path["/things"], "not_a_server_error", "x", 500, failure=failure) == SERVER


def test_example_values_compare_by_json_type() -> None:
    from conformance.triage.examples import value_key

    assert len({value_key(v) for v in (1, 1.0, True, "1", None, [1], {"a": 1})}) == 7
    assert value_key({"b": 1, "a": 2}) == value_key({"a": 2, "b": 1})
    import datetime

    assert value_key(datetime.date(2020, 5, 5)) != value_key("2020-05-05")  # a YAML date is no JSON value


def test_the_telnyx_specs_invalid_examples_are_judged_by_value(shared_spec_path: Path) -> None:
    """DynamicEmergencyAddress documents `house_number: {type: string, example: 600}`: a
    response with 600 there is the spec's example echoed, 601 is the server's own mistake."""
    from schemathesis.openapi.checks import JsonSchemaError

    from conformance.triage.reach import response_roots

    spec = load_spec(shared_spec_path)
    index = spec.index()
    triage = triage_for(index, spec)
    operation = {(op.method, op.path): op for op in index.operations}[("get", "/dynamic_emergency_addresses/{id}")]
    (schema,) = response_roots(index, operation)  # its 200 (its 4xx are documented without a body)
    validator = index.schema_validator(schema)

    def classified(house_number: object) -> str:
        body = {"data": {"house_number": house_number}}
        (error,) = [e for e in validator.iter_errors(body) if list(e.instance_path) == ["data", "house_number"]]
        failure = JsonSchemaError(operation="GET /dynamic_emergency_addresses/{id}", exc=error, root_schema={})
        return triage.classify_(operation, "response_schema_conformance", "x", 200, failure=failure)

    assert classified(600) == SPEC
    assert classified(601) == SERVER


def test_a_format_finding_on_a_default_or_an_example_is_judged_by_value() -> None:
    """`default: ""` on a URI misleads a server that fills defaults; `example: ""` one that
    echoes: in both cases only the failing value that *is* that one is the spec's."""
    from conformance.triage.examples import value_key

    spec = {**SMALL, "components": {"schemas": {
        "A": {"type": "string", "format": "uri", "default": ""},
        "B": {"type": "string", "format": "uri", "example": ""},
    }}}  # fmt: skip
    index = build_index(spec)
    triage = Triage.from_findings(
        index, [("value-format", "/components/schemas/A/default"), ("value-format", "/components/schemas/B/example")]
    )
    assert {f.site for f in triage.examples.by_key[value_key("")]} == {
        "/components/schemas/A/default",
        "/components/schemas/B/example",
    }
    assert triage.findings["/components/schemas/A/default"] == {"value-format"}


def test_a_rejected_request_carrying_the_specs_invalid_example_is_the_specs(shared_spec_path: Path) -> None:
    """The examples phase sends the spec's examples as valid data: `ToNumber` documents
    `example: "+E.164"`, which no E.164 check accepts, so a server rejecting it is right; the
    same rejection of a real number is the server's."""
    spec = load_spec(shared_spec_path)
    index = spec.index()
    triage = triage_for(index, spec)
    operation = {(op.method, op.path): op for op in index.operations}[("post", "/messages/group_mms")]
    example = ({"from": "+13125551234", "to": ["+E.164"], "text": "hi"}, None, {})
    real = ({"from": "+13125551234", "to": ["+13125550000"], "text": "hi"}, None, {})
    rejected = "Schema-valid request rejected"
    assert triage.classify_(operation, "positive_data_acceptance", rejected, 422, sent=example) == SPEC
    assert triage.classify_(operation, "positive_data_acceptance", rejected, 422, sent=real) == SERVER
    # an example value only excuses the check that sends it as valid data
    assert triage.classify_(operation, "negative_data_rejection", "accepted", 200, sent=example) == SERVER
