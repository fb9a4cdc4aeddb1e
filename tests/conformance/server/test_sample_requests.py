"""The sample-request builder: Telnyx serialization of each parameter style and body format on a
small hand-written spec (values pinned by single-value enums), round trips through the server's
own request parser, and, on the shared spec, one buildable request per operation whose JSON body
the independent validator accepts."""

import base64
from typing import Any
from urllib.parse import parse_qsl, unquote

import orjson
import pytest

from conformance.server.routes import Router
from conformance.server.sample_requests import (
    SampleRequest,
    bracket_pairs,
    build_all,
    build_request,
    query_pairs,
    scalar_text,
    simple_text,
    store_path_values,
    sweep_order,
)
from conformance.server.state import Store
from conformance.server.validation import RequestParts, validate_request
from spec.index import Operation, SpecIndex, build_index

# JSON bodies the spec makes impossible to validate literally (see test_sweep.SPEC_EXCEPTIONS).
BODY_EXCEPTIONS: dict[str, str] = {
    "PUT /ai/assistants/{assistant_id}/canary-deploys": "VersionConfig.percentage: boolean exclusive bounds (OAS 3.0)",
    "POST /ai/assistants/{assistant_id}/canary-deploys": "VersionConfig.percentage: boolean exclusive bounds (OAS 3.0)",
}

OK = {"200": {"description": "ok"}}
FILTER = {
    "type": "object",
    "properties": {
        "status": {"type": "object", "properties": {"eq": {"enum": ["active"]}}, "required": ["eq"]},
        "tags": {"type": "array", "items": {"enum": ["a"]}, "minItems": 2, "maxItems": 2},
    },
    "required": ["status", "tags"],
    "additionalProperties": False,
}
TWO = {"minItems": 2, "maxItems": 2}


def _doc() -> dict[str, Any]:
    """A spec with one operation per serialization case."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "servers": [{"url": "https://api.example.com/v2"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            }
        },
        "paths": {
            "/things/{thing_id}": {"get": {"parameters": _thing_params(), "responses": OK}},
            "/slashy/{name}": {"get": {"parameters": [_path("name", {"enum": ["a/b"]})], "responses": OK}},
            "/forms": {"post": {"requestBody": _body("application/x-www-form-urlencoded", _form()), "responses": OK}},
            "/uploads": {"post": {"requestBody": _upload(), "responses": OK}},
            "/xml": {"put": {"requestBody": _body("text/xml", _xml()), "responses": OK}},
            "/raw": {"put": {"requestBody": _body("*/*", {"type": "string", "format": "binary"}), "responses": OK}},
            "/public": {"get": {"security": [], "responses": OK}},
            "/basic": {"get": {"security": [{"basic": []}], "responses": OK}},
            "/records": {"get": {"responses": _list_response()}, "post": {"responses": OK}},
            "/records/{id}": {
                "get": {"parameters": [_path("id", {"type": "string", "format": "uuid"})], "responses": OK},
                "delete": {"parameters": [_path("id", {"type": "string", "format": "uuid"})], "responses": OK},
            },
        },
    }


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _thing_params() -> list[dict[str, Any]]:
    return [
        _path("thing_id", {"type": "string", "format": "uuid"}),
        {"name": "filter", "in": "query", "style": "deepObject", "explode": True, "required": True, "schema": FILTER},
        {"name": "page[size]", "in": "query", "required": True, "schema": {"type": "integer", "enum": [5]}},
        {"name": "ids", "in": "query", "required": True, "schema": {"type": "array", "items": {"enum": [7]}, **TWO}},
        {
            "name": "csv",
            "in": "query",
            "required": True,
            "explode": False,
            "schema": {"type": "array", "items": {"enum": ["x"]}, **TWO},
        },
        {"name": "flag", "in": "query", "required": True, "schema": {"type": "boolean", "enum": [True]}},
        {"name": "optional", "in": "query", "schema": {"type": "string", "enum": ["o"]}},
        {"name": "X-Trace", "in": "header", "required": True, "schema": {"type": "string", "enum": ["t1"]}},
    ]


def _body(media: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {media: {"schema": schema}}}


def _form() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "To": {"enum": ["+15550001111"]},
            "Nested": {
                "type": "object",
                "properties": {"Level": {"type": "integer", "enum": [2]}},
                "required": ["Level"],
            },
            "Events": {"type": "array", "items": {"enum": ["answered"]}, **TWO},
        },
        "required": ["To", "Nested", "Events"],
        "additionalProperties": False,
    }


def _upload() -> dict[str, Any]:
    schema = {
        "type": "object",
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "note": {"type": "string", "enum": ["hello"]},
            "tags": {"type": "array", "items": {"enum": ["t"]}, **TWO},
        },
        "required": ["file", "note", "tags"],
        "additionalProperties": False,
    }
    media = {"schema": schema, "encoding": {"file": {"contentType": "application/pdf"}}}
    return {"required": True, "content": {"multipart/form-data": media}}


def _xml() -> dict[str, Any]:
    return {
        "type": "object",
        "xml": {"name": "Config"},
        "properties": {"Region": {"enum": ["eu"]}},
        "required": ["Region"],
    }


def _list_response() -> dict[str, Any]:
    item = {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}, "required": ["id"]}
    schema = {"type": "object", "properties": {"data": {"type": "array", "items": item}}, "required": ["data"]}
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


@pytest.fixture(scope="module")
def small() -> SpecIndex:
    return build_index(_doc())


def op(index: SpecIndex, method: str, path: str) -> Operation:
    return next(o for o in index.operations if o.method == method and o.path == path)


def server_check(index: SpecIndex, request: SampleRequest) -> Any:
    """What the server's own request validation makes of a sample request."""
    match = Router(index).match(unquote(request.path))
    assert match is not None and match.route.template == request.operation.path, request.path
    parts = RequestParts(
        method=request.method,
        path_params=match.path_params,
        query=request.query,
        headers={k.lower(): v for k, v in request.all_headers().items()},
        content_type=request.content_type,
        body=request.body,
    )
    return validate_request(index, request.operation, parts)


# --- text and query serialization ------------------------------------------------------------------


def test_scalars_are_written_the_way_telnyx_reads_them() -> None:
    assert [scalar_text(v) for v in (True, False, None, 3, 2.5, "x")] == ["true", "false", "", "3", "2.5", "x"]
    assert scalar_text({"a": [1]}) == '{"a":[1]}'
    assert simple_text([1, "b"]) == "1,b"
    assert simple_text({"a": 1, "b": True}) == "a,1,b,true"
    assert simple_text({"a": 1}, explode=True) == "a=1"


def test_deep_objects_nest_in_brackets_and_repeat_arrays() -> None:
    param = {"name": "filter", "in": "query", "style": "deepObject", "explode": True}
    value = {"status": {"eq": "x"}, "tags": ["a", "b"], "n": 1}
    expected = [("filter[status][eq]", "x"), ("filter[tags]", "a"), ("filter[tags]", "b"), ("filter[n]", "1")]
    assert query_pairs(param, value) == expected
    assert bracket_pairs("f", [{"a": 1}, {"a": 2}]) == [("f[0][a]", "1"), ("f[1][a]", "2")]


def test_form_style_query_parameters() -> None:
    assert query_pairs({"name": "page[size]", "in": "query"}, 20) == [("page[size]", "20")]
    assert query_pairs({"name": "ids", "in": "query"}, [1, 2]) == [("ids", "1"), ("ids", "2")]
    assert query_pairs({"name": "ids", "in": "query", "explode": False}, [1, 2]) == [("ids", "1,2")]
    piped = {"name": "ids", "in": "query", "style": "pipeDelimited", "explode": False}
    assert query_pairs(piped, [1, 2]) == [("ids", "1|2")]
    assert query_pairs({"name": "o", "in": "query"}, {"a": 1, "b": 2}) == [("a", "1"), ("b", "2")]
    assert query_pairs({"name": "o", "in": "query", "explode": False}, {"a": 1}) == [("o", "a,1")]
    assert query_pairs({"name": "j", "in": "query", "content": {"application/json": {}}}, {"a": 1}) == [
        ("j", '{"a":1}')
    ]


# --- whole requests on the small spec ----------------------------------------------------------------


def test_required_parameters_in_every_style(small: SpecIndex) -> None:
    request = build_request(small, op(small, "get", "/things/{thing_id}"))
    assert request.method == "GET" and request.path.startswith("/v2/things/")
    assert request.query == [
        ("filter[status][eq]", "active"),
        ("filter[tags]", "a"),
        ("filter[tags]", "a"),
        ("page[size]", "5"),
        ("ids", "7"),
        ("ids", "7"),
        ("csv", "x,x"),
        ("flag", "true"),
    ]
    assert "filter[status][eq]=active" in request.query_string  # brackets stay literal
    assert request.headers == {"X-Trace": "t1", "Authorization": "Bearer telnyx-conformance-test-token"}
    assert request.body == b"" and request.content_type is None
    assert server_check(small, request).ok


def test_optional_parameters_only_on_request(small: SpecIndex) -> None:
    thing = op(small, "get", "/things/{thing_id}")
    assert ("optional", "o") not in build_request(small, thing).query
    assert ("optional", "o") in build_request(small, thing, include_optional=True).query


def test_path_values_are_given_or_generated_and_encoded(small: SpecIndex) -> None:
    thing = op(small, "get", "/things/{thing_id}")
    assert build_request(small, thing, path_values={"thing_id": "a b/c"}).path == "/v2/things/a%20b%2Fc"
    slashy = build_request(small, op(small, "get", "/slashy/{name}"))
    assert slashy.path == "/v2/slashy/a-b"  # a decoded `/` would route elsewhere: never sent


def test_requests_are_deterministic_per_seed(small: SpecIndex) -> None:
    thing = op(small, "get", "/things/{thing_id}")
    assert build_request(small, thing, seed=3) == build_request(small, thing, seed=3)
    assert build_request(small, thing, seed=3).path != build_request(small, thing, seed=4).path


def test_credentials_follow_the_security_requirement(small: SpecIndex) -> None:
    assert "Authorization" not in build_request(small, op(small, "get", "/public")).headers
    basic = build_request(small, op(small, "get", "/basic"), token="tok").headers["Authorization"]
    kind, _, encoded = basic.partition(" ")
    assert kind == "Basic" and base64.b64decode(encoded).decode().endswith(":tok")
    assert server_check(small, build_request(small, op(small, "get", "/basic"))).ok


def test_form_bodies_nest_and_repeat(small: SpecIndex) -> None:
    request = build_request(small, op(small, "post", "/forms"))
    assert request.content_type == "application/x-www-form-urlencoded"
    pairs = parse_qsl(request.body.decode())
    assert pairs == [("To", "+15550001111"), ("Nested[Level]", "2"), ("Events", "answered"), ("Events", "answered")]
    check = server_check(small, request)
    assert check.ok and check.body == {"To": "+15550001111", "Nested": {"Level": 2}, "Events": ["answered"] * 2}


def test_multipart_bodies_have_file_and_plain_parts(small: SpecIndex) -> None:
    request = build_request(small, op(small, "post", "/uploads"))
    assert request.content_type is not None and request.content_type.startswith("multipart/form-data; boundary=")
    text = request.body.decode()
    assert 'name="file"; filename="file.bin"\r\nContent-Type: application/pdf\r\n' in text
    assert 'name="note"\r\n\r\nhello\r\n' in text  # a text part without its own Content-Type
    assert text.count('name="tags"') == 2
    check = server_check(small, request)
    assert check.ok and check.body["note"] == "hello" and check.body["tags"] == ["t", "t"]


def test_xml_and_raw_bodies(small: SpecIndex) -> None:
    xml = build_request(small, op(small, "put", "/xml"))
    assert xml.content_type == "text/xml"
    assert xml.body.endswith(b"<Config><Region>eu</Region></Config>")
    raw = build_request(small, op(small, "put", "/raw"))
    assert raw.content_type == "application/octet-stream" and raw.body
    assert server_check(small, raw).ok


def test_item_paths_use_records_that_exist(small: SpecIndex) -> None:
    store = Store(small, seed=0)
    get_one = op(small, "get", "/records/{id}")
    ids = [record[0] for record in store.records(store.collections["/records"])]
    assert store_path_values(store, get_one) == {"id": ids[0]}
    assert store_path_values(store, get_one, last=True) == {"id": ids[-1]}
    assert build_request(small, get_one, path_values=store_path_values(store, get_one)).path == f"/v2/records/{ids[0]}"


def test_sweep_order_puts_deletes_last_deepest_first(small: SpecIndex) -> None:
    ordered = sweep_order(small.operations)
    assert ordered[-1].method == "delete" and {o.pointer for o in ordered} == {o.pointer for o in small.operations}
    doc = _doc()
    doc["paths"]["/records/{id}/notes/{note_id}"] = {
        "delete": {"parameters": [_path("id", {}), _path("note_id", {})], "responses": OK}
    }
    deletes = [o.path for o in sweep_order(build_index(doc).operations) if o.method == "delete"]
    assert deletes == ["/records/{id}/notes/{note_id}", "/records/{id}"]


# --- the shared spec -----------------------------------------------------------------------------------


@pytest.mark.parametrize("include_optional", [False, True], ids=["required", "optional"])
def test_every_operation_gets_a_request(spec_index: SpecIndex, include_optional: bool) -> None:
    built = list(build_all(spec_index, Store(spec_index, seed=0), include_optional=include_optional))
    failures = [str(b) for b in built if not isinstance(b, SampleRequest)]
    assert not failures, failures
    assert len(built) == len(spec_index.operations)
    for request in built:
        assert isinstance(request, SampleRequest)
        assert request.path.count("/") == request.operation.path.count("/") + 1  # + the /v2 base
        assert "{" not in request.path


def test_json_bodies_pass_the_independent_validator(spec_index: SpecIndex, response_checker: Any) -> None:
    """Request bodies judged by Python jsonschema, not by the engine that generated them."""
    problems = []
    for request in build_all(spec_index, include_optional=True):
        assert isinstance(request, SampleRequest)
        key = f"{request.method} {request.operation.path}"
        if request.content_type != "application/json" or key in BODY_EXCEPTIONS:
            continue
        pointer, body = spec_index.deref(
            f"{request.operation.pointer}/requestBody", request.operation.node["requestBody"]
        )
        if "application/json" not in body["content"]:
            continue  # a `*/*` body sent as JSON
        validator = response_checker.validator(f"{pointer}/content/application~1json/schema")
        errors = [e.message[:200] for e in validator.iter_errors(orjson.loads(request.body))]
        if errors:
            problems.append(f"{key}: {errors[:2]}")
    assert not problems, "\n".join(problems)
