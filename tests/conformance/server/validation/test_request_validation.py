"""Request parsing and validation of the reference server: each parsing rule and error kind on a
small inline spec, the real cases on the shared Telnyx spec, and a fuzz test that it never raises."""

import time
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.server.validation import (
    ERROR_TABLE,
    ApiError,
    RequestCheck,
    RequestParts,
    validate_request,
)
from spec.index import Operation, SpecIndex, build_index
from spec.load import load_spec

SHARED_SPEC = Path(__file__).parents[4].parent / "shared/spec/telnyx.yml"

INT = {"type": "integer"}
PAGE = {
    "name": "page",
    "in": "query",
    "style": "deepObject",
    "explode": True,
    "schema": {
        "type": "object",
        "properties": {
            "number": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 1, "maximum": 250},
        },
    },
}
FILTER = {
    "name": "filter",
    "in": "query",
    "style": "deepObject",
    "explode": True,
    "schema": {
        "type": "object",
        "properties": {
            "status": {"type": "object", "properties": {"eq": {"type": "string", "enum": ["active", "gone"]}}},
            "tags": {"type": "array", "items": {"type": "string"}},
            "codes": {"oneOf": [INT, {"type": "array", "items": INT}]},
            "count": {"$ref": "#/components/schemas/Count"},
        },
    },
}
ITEM = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "count": {"$ref": "#/components/schemas/Count"},
        "note": {"type": "string", "nullable": True},  # a 3.0 leftover in a 3.1 document
        "percent": {"type": "number", "minimum": 0, "exclusiveMinimum": True},  # idem, does not compile as is
        "nested": {"type": "object", "properties": {"flag": {"type": "boolean"}}},
    },
}
FORM = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "count": INT,
        "flag": {"type": "boolean"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "levels[]": {"type": "string"},
        "meta": {"type": "object", "properties": {"a": INT}},
    },
}
UPLOAD = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary"},
        "raw": {"type": "string", "format": "binary"},
        "title": {"type": "string"},
        "count": INT,
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}


def _ok(description: str = "ok") -> dict[str, Any]:
    return {"description": description}


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "fixture", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "parameters": [
                    PAGE,
                    FILTER,
                    {"name": "page[limit]", "in": "query", "schema": INT},
                    {
                        "name": "ids",
                        "in": "query",
                        "style": "form",
                        "explode": False,
                        "schema": {"type": "array", "items": INT},
                    },
                    {"name": "tags", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}},
                    {"name": "active", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "ratio", "in": "query", "schema": {"type": "number"}},
                    {
                        "name": "delete",
                        "in": "query",
                        "allowEmptyValue": True,
                        "schema": {"type": "boolean", "enum": [True]},
                    },
                    {"name": "X-Request-Id", "in": "header", "schema": INT},
                    {"name": "Content-Type", "in": "header", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {"200": _ok(), "422": _ok()},
            }
        },
        "/things/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": INT}],
            "get": {"responses": {"200": _ok(), "422": _ok()}},
        },
        "/reports": {
            "get": {
                "parameters": [{"name": "start", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _ok(), "422": _ok()},
            }
        },
        "/legacy": {
            "get": {
                "parameters": [{"name": "size", "in": "query", "required": True, "schema": INT}],
                "responses": {"200": _ok(), "400": _ok()},
            }
        },
        "/items": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
                },
                "responses": {"201": _ok(), "422": _ok()},
            }
        },
        "/strict": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"201": _ok(), "415": _ok()},
            }
        },
        "/forms": {
            "post": {
                "requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": FORM}}},
                "responses": {"200": _ok()},
            }
        },
        "/uploads": {
            "post": {
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": UPLOAD}}},
                "responses": {"200": _ok()},
            }
        },
        "/blobs": {
            "put": {
                "requestBody": {"content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
                "responses": {"200": _ok()},
            }
        },
        "/required-form": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {"application/x-www-form-urlencoded": {"schema": {**FORM, "required": ["name"]}}},
                },
                "responses": {"200": _ok(), "422": _ok()},
            }
        },
        "/required-blob": {
            "put": {
                "requestBody": {
                    "required": True,
                    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
                },
                "responses": {"200": _ok()},
            }
        },
        "/broken": {
            "get": {
                "parameters": [{"name": "code", "in": "query", "schema": {"type": "string", "pattern": "(["}}],
                "responses": {"200": _ok()},
            }
        },
    },
    "components": {"schemas": {"Count": {"type": "integer", "minimum": 0}, "Item": ITEM}},
}


@pytest.fixture(scope="module")
def index() -> SpecIndex:
    return build_index(SPEC)


def op(index: SpecIndex, method: str, path: str) -> Operation:
    return next(o for o in index.operations if o.method == method and o.path == path)


def check(
    index: SpecIndex,
    method: str,
    path: str,
    query: list[tuple[str, str]] | None = None,
    *,
    path_params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    content_type: str | None = None,
    body: bytes = b"",
) -> RequestCheck:
    parts = RequestParts(method.upper(), path_params or {}, query or [], headers or {}, content_type, body)
    result = validate_request(index, op(index, method, path), parts)
    assert (result.status is None) == (not result.errors)
    for error in result.errors:
        orjson.dumps(error.as_dict())  # plain, serializable text
        assert error.kind != "internal", error
    return result


def only_error(result: RequestCheck) -> ApiError:
    assert len(result.errors) == 1, [e.as_dict() for e in result.errors]
    return result.errors[0]


# --- query parameters ------------------------------------------------------------------------------


def test_deep_object_nests_and_coerces(index: SpecIndex) -> None:
    result = check(
        index, "get", "/things", [("page[number]", "2"), ("page[size]", "20"), ("filter[status][eq]", "active")]
    )
    assert result.status is None
    assert result.params["query"] == {"page": {"number": 2, "size": 20}, "filter": {"status": {"eq": "active"}}}


def test_deep_object_error_names_the_key_as_sent(index: SpecIndex) -> None:
    error = only_error(result := check(index, "get", "/things", [("filter[status][eq]", "nope")]))
    assert result.status == 422
    assert (error.code, error.parameter, error.kind) == ("10015", "filter[status][eq]", "invalid_parameter")
    error = only_error(check(index, "get", "/things", [("page[size]", "abc")]))
    assert error.parameter == "page[size]"
    assert '"abc" is not of type "integer"' in error.detail


def test_deep_object_arrays_from_repeats_brackets_and_indexes(index: SpecIndex) -> None:
    for query in (
        [("filter[tags]", "a"), ("filter[tags]", "b")],
        [("filter[tags][]", "a"), ("filter[tags][]", "b")],
        [("filter[tags][0]", "a"), ("filter[tags][1]", "b")],
    ):
        assert check(index, "get", "/things", query).params["query"]["filter"] == {"tags": ["a", "b"]}
    assert check(index, "get", "/things", [("filter[tags]", "a")]).params["query"]["filter"] == {"tags": ["a"]}
    assert check(index, "get", "/things", [("filter[tags]", "")]).params["query"]["filter"] == {"tags": []}
    # oneOf integer | array of integers: one value stays a scalar, repeats form the array
    assert check(index, "get", "/things", [("filter[codes]", "7")]).params["query"]["filter"] == {"codes": 7}
    repeated = check(index, "get", "/things", [("filter[codes]", "7"), ("filter[codes]", "8")])
    assert repeated.params["query"]["filter"] == {"codes": [7, 8]}


def test_deep_object_ref_leaf_is_coerced(index: SpecIndex) -> None:
    assert check(index, "get", "/things", [("filter[count]", "3")]).params["query"]["filter"] == {"count": 3}
    error = only_error(check(index, "get", "/things", [("filter[count]", "-1")]))
    assert error.parameter == "filter[count]"


def test_deep_object_conflicting_keys_are_malformed(index: SpecIndex) -> None:
    result = check(index, "get", "/things", [("filter[status]", "x"), ("filter[status][eq]", "active")])
    # syntax wins over the schema error the kept value also gets; /things documents 422, not 400
    assert result.status == 422
    error = result.errors[0]
    assert (error.kind, error.code, error.parameter) == ("malformed_request", "10015", "filter[status][eq]")


def test_deep_object_sent_as_a_plain_value_is_invalid(index: SpecIndex) -> None:
    error = only_error(result := check(index, "get", "/things", [("page", "5")]))
    assert result.status == 422
    assert error.parameter == "page"
    # Not even empty: an empty deepObject is sent as no key at all; nested, "" is an empty object
    assert only_error(check(index, "get", "/things", [("page", "")])).parameter == "page"
    assert check(index, "get", "/things", [("filter[status]", "")]).params["query"]["filter"] == {"status": {}}


def test_literal_bracket_name_wins_over_deep_object(index: SpecIndex) -> None:
    result = check(index, "get", "/things", [("page[limit]", "5"), ("page[size]", "10")])
    assert result.status is None
    assert result.params["query"] == {"page[limit]": 5, "page": {"size": 10}}
    error = only_error(check(index, "get", "/things", [("page[limit]", "many")]))
    assert error.parameter == "page[limit]"


def test_arrays_repeated_comma_and_bracketed(index: SpecIndex) -> None:
    result = check(index, "get", "/things", [("tags", "a"), ("tags", "b,c"), ("ids", "1,2,3")])
    assert result.params["query"] == {"tags": ["a", "b,c"], "ids": [1, 2, 3]}
    assert check(index, "get", "/things", [("tags[]", "a")]).params["query"] == {"tags": ["a"]}
    assert check(index, "get", "/things", [("ids", "")]).params["query"] == {"ids": []}
    error = only_error(check(index, "get", "/things", [("ids", "1,x")]))
    assert error.parameter == "ids"


def test_booleans_and_numbers(index: SpecIndex) -> None:
    result = check(index, "get", "/things", [("active", "true"), ("ratio", "1.5")])
    assert result.params["query"] == {"active": True, "ratio": 1.5}
    assert check(index, "get", "/things", [("active", "false"), ("ratio", "2")]).params["query"] == {
        "active": False,
        "ratio": 2,
    }
    assert only_error(check(index, "get", "/things", [("active", "yes")])).parameter == "active"
    assert only_error(check(index, "get", "/things", [("ratio", "1e999")])).parameter == "ratio"


def test_allow_empty_value(index: SpecIndex) -> None:
    assert check(index, "get", "/things", [("delete", "")]).params["query"] == {"delete": ""}
    assert check(index, "get", "/things", [("delete", "true")]).params["query"] == {"delete": True}
    assert only_error(check(index, "get", "/things", [("delete", "no")])).parameter == "delete"


def test_repeated_scalar_is_rejected(index: SpecIndex) -> None:
    error = only_error(check(index, "get", "/things", [("active", "true"), ("active", "false")]))
    assert error.parameter == "active"


def test_unknown_query_parameters_are_ignored(index: SpecIndex) -> None:
    result = check(index, "get", "/things", [("nope", "1"), ("other[x]", "2"), ("filter[unclosed", "3"), ("", "")])
    assert result.status is None
    assert result.params["query"] == {}


def test_empty_brackets_under_an_object_are_a_key(index: SpecIndex) -> None:
    """`filter[]=x` appends only where the schema says array; under an object "" is a property
    name (schemathesis writes additional properties named "" that way)."""
    assert check(index, "get", "/things", [("filter[]", "x")]).params["query"]["filter"] == {"": "x"}


def test_missing_required_query_parameter(index: SpecIndex) -> None:
    result = check(index, "get", "/reports")
    assert result.status == 422
    error = only_error(result)
    assert (error.code, error.title, error.parameter) == ("10004", "Missing required parameter", "start")


def test_semantic_status_follows_the_documented_responses(index: SpecIndex) -> None:
    """An operation documenting 400 but not 422 gets 400 for schema violations."""
    assert check(index, "get", "/legacy").status == 400
    assert check(index, "get", "/legacy", [("size", "x")]).status == 400
    assert check(index, "get", "/legacy", [("size", "3")]).params["query"] == {"size": 3}


def test_uncompilable_schema_is_checked_leniently(index: SpecIndex) -> None:
    result = check(index, "get", "/broken", [("code", "anything")])
    assert result.status is None
    assert result.params["query"] == {"code": "anything"}


# --- headers and path ------------------------------------------------------------------------------


def test_header_parameters(index: SpecIndex) -> None:
    result = check(index, "get", "/things", headers={"x-request-id": " 12 "})
    assert result.params["header"] == {"X-Request-Id": 12}  # Content-Type as a header parameter is ignored
    error = only_error(check(index, "get", "/things", headers={"x-request-id": "abc"}))
    assert (error.parameter, error.code) == ("X-Request-Id", "10015")


def test_path_parameters(index: SpecIndex) -> None:
    assert check(index, "get", "/things/{id}", path_params={"id": "5"}).params["path"] == {"id": 5}
    error = only_error(result := check(index, "get", "/things/{id}", path_params={"id": "abc"}))
    assert (result.status, error.parameter) == (422, "id")
    assert only_error(check(index, "get", "/things/{id}")).kind == "missing_parameter"


# --- JSON bodies -----------------------------------------------------------------------------------


def test_valid_json_body(index: SpecIndex) -> None:
    body = orjson.dumps({"name": "x", "count": 2, "note": None, "percent": 0.5})
    result = check(index, "post", "/items", content_type="application/json; charset=utf-8", body=body)
    assert result.status is None
    assert result.body == {"name": "x", "count": 2, "note": None, "percent": 0.5}
    assert result.media_type == "application/json"


def test_normalized_exclusive_minimum_applies(index: SpecIndex) -> None:
    error = only_error(
        check(index, "post", "/items", content_type="application/json", body=b'{"name":"x","percent":0}')
    )
    assert error.pointer == "/percent"


def test_json_body_that_is_not_json(index: SpecIndex) -> None:
    for body in (b'{"name":', b"\xff\xfe", b"NaN", b"[" * 2000):
        result = check(index, "post", "/items", content_type="application/json", body=body)
        assert result.status == 422  # /items documents 422 only: bad input gets the documented code
        error = only_error(result)
        assert (error.code, error.title, error.pointer) == ("10023", "Invalid JSON", "")
        assert "b'" not in error.detail


def test_missing_body_and_missing_property(index: SpecIndex) -> None:
    error = only_error(result := check(index, "post", "/items", content_type="application/json"))
    assert (result.status, error.code, error.pointer) == (422, "10004", "")
    error = only_error(check(index, "post", "/items", content_type="application/json", body=b"{}"))
    assert (error.code, error.pointer) == ("10004", "/name")


def test_body_values_breaking_the_schema(index: SpecIndex) -> None:
    body = b'{"name": "x", "count": "two", "nested": {"flag": "yes"}}'
    result = check(index, "post", "/items", content_type="application/json", body=body)
    assert result.status == 422
    assert {e.pointer for e in result.errors} == {"/count", "/nested/flag"}
    assert {e.code for e in result.errors} == {"10015"}


def test_content_type_matching(index: SpecIndex) -> None:
    body = b'{"name": "x"}'
    assert check(index, "post", "/items", body=body).status is None  # no Content-Type: JSON assumed
    assert check(index, "post", "/items", content_type="application/vnd.api+json", body=body).status is None
    assert check(index, "post", "/items", headers={"content-type": "application/json"}, body=body).status is None


def test_unsupported_media_type(index: SpecIndex) -> None:
    result = check(index, "post", "/items", content_type="text/plain", body=b"name=x")
    assert result.status == 422  # no 415 documented, nor 400: the documented 422
    error = only_error(result)
    assert (error.code, error.parameter) == ("10014", "Content-Type")
    assert check(index, "post", "/strict", content_type="text/plain", body=b"x").status == 415


def test_wildcard_body_keeps_bytes(index: SpecIndex) -> None:
    result = check(index, "put", "/blobs", content_type="application/json", body=b'{"a": 1}')
    assert result.status is None
    assert result.body == b'{"a": 1}'


# --- form and multipart bodies ----------------------------------------------------------------------


def test_form_body_coerces_by_schema(index: SpecIndex) -> None:
    body = b"name=caf%C3%A9+%E6%BC%A2&count=3&flag=true&tags=a&tags=b&levels%5B%5D=x&meta%5Ba%5D=4&extra=1"
    result = check(index, "post", "/forms", content_type="application/x-www-form-urlencoded", body=body)
    assert result.status is None
    assert result.body == {
        "name": "café 漢",
        "count": 3,
        "flag": True,
        "tags": ["a", "b"],
        "levels[]": "x",
        "meta": {"a": 4},
        "extra": "1",
    }


def test_empty_bodies(index: SpecIndex) -> None:
    """Empty JSON is no body; an empty form is the empty object; an empty upload is an empty file."""
    assert check(index, "post", "/items", content_type="application/json").status == 422
    result = check(index, "post", "/required-form", content_type="application/x-www-form-urlencoded")
    assert (result.status, result.body, only_error(result).pointer) == (422, {}, "/name")
    assert check(index, "put", "/required-blob", content_type="application/octet-stream").body == b""
    assert check(index, "post", "/forms", content_type="application/x-www-form-urlencoded").body is None


def test_form_body_errors(index: SpecIndex) -> None:
    content_type = "application/x-www-form-urlencoded"
    error = only_error(result := check(index, "post", "/forms", content_type=content_type, body=b"count=x"))
    assert (result.status, error.pointer) == (422, "/count")
    error = only_error(result := check(index, "post", "/forms", content_type=content_type, body=b"name=\xff"))
    assert (result.status, error.code, error.pointer) == (400, "10015", "")


def multipart(*parts: tuple[bytes, bytes], boundary: bytes = b"XyZ") -> bytes:
    chunks = [b"--" + boundary + b"\r\n" + headers + b"\r\n\r\n" + data + b"\r\n" for headers, data in parts]
    return b"".join(chunks) + b"--" + boundary + b"--\r\n"


RAW = b"\xff\xfe no filename, but a binary property"


def test_multipart_without_part_content_types_and_non_latin1(index: SpecIndex) -> None:
    body = multipart(
        (b'Content-Disposition: form-data; name="title"', "é 漢字".encode()),
        ('Content-Disposition: form-data; name="漢字"'.encode(), "ünï".encode()),
        (b'Content-Disposition: form-data; name="count"', b"3"),
        (b'Content-Disposition: form-data; name="tags"', b"a"),
        (b'Content-Disposition: form-data; name="tags"', b"b"),
        (
            'Content-Disposition: form-data; name="file"; filename="naïve 漢.png"\r\nContent-Type: image/png'.encode(),
            b"\x89PNG\x00",
        ),
        (b'Content-Disposition: form-data; name="raw"', RAW),
    )
    result = check(index, "post", "/uploads", content_type='multipart/form-data; boundary="XyZ"', body=body)
    assert result.status is None, [e.as_dict() for e in result.errors]
    assert result.body["title"] == "é 漢字"
    assert result.body["漢字"] == "ünï"
    assert result.body["count"] == 3
    assert result.body["tags"] == ["a", "b"]
    assert result.body["file"] == {"filename": "naïve 漢.png", "content_type": "image/png", "size": 5}
    assert result.body["raw"]["size"] == len(RAW) and result.body["raw"]["filename"] is None


def test_multipart_rfc5987_and_latin1_names(index: SpecIndex) -> None:
    body = multipart(
        (b"Content-Disposition: form-data; name*=UTF-8''%E6%BC%A2", b"x"),
        ('Content-Disposition: form-data; name="caf\u00e9"'.encode("latin-1"), b"\xe9t\xe9"),
        (b'Content-Disposition: form-data; name="file"; filename="f"', b""),
    )
    result = check(index, "post", "/uploads", content_type="multipart/form-data; boundary=XyZ", body=body)
    assert result.status is None
    assert result.body["漢"] == "x"
    assert result.body["café"] == "\ufffdt\ufffd"  # undecodable text is replaced, never a bytes repr


def test_multipart_errors(index: SpecIndex) -> None:
    content_type = "multipart/form-data; boundary=XyZ"
    title_only = multipart((b'Content-Disposition: form-data; name="title"', b"t"))
    error = only_error(result := check(index, "post", "/uploads", content_type=content_type, body=title_only))
    assert (result.status, error.code, error.pointer) == (422, "10004", "/file")
    for ctype, body in (
        ("multipart/form-data", title_only),  # no boundary
        (content_type, title_only[:30]),  # truncated
        (content_type, b"garbage without any boundary"),
    ):
        error = only_error(result := check(index, "post", "/uploads", content_type=ctype, body=body))
        assert (result.status, error.code, error.pointer) == (400, "10015", "")
        assert error.detail.startswith("The multipart body is malformed")


# --- error shape and speed -------------------------------------------------------------------------


def test_error_envelope_item_shape(index: SpecIndex) -> None:
    item = only_error(check(index, "get", "/things", [("page[size]", "0")])).as_dict()
    assert item == {
        "code": "10015",
        "title": "Invalid parameter",
        "detail": "The query parameter 'page[size]' is invalid: 0 is less than the minimum of 1",
        "source": {"parameter": "page[size]"},
        "meta": {"url": "https://developers.telnyx.com/docs/overview/errors/10015"},
    }
    assert all(code.isdigit() for code, _, _ in ERROR_TABLE.values())


def test_simple_get_is_fast(index: SpecIndex) -> None:
    """The server validates every request: a GET with two query params takes microseconds
    (~8 µs measured); the bound is loose for a loaded machine."""
    operation = op(index, "get", "/things")
    parts = RequestParts("GET", {}, [("page[number]", "2"), ("page[size]", "20")], {}, None, b"")
    validate_request(index, operation, parts)
    start = time.perf_counter()
    for _ in range(500):
        validate_request(index, operation, parts)
    assert (time.perf_counter() - start) / 500 < 0.001


# --- the shared Telnyx spec ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def telnyx(tmp_path_factory: pytest.TempPathFactory) -> SpecIndex:
    if not SHARED_SPEC.is_file():
        pytest.skip(f"the shared Telnyx spec is not at {SHARED_SPEC}")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TELNYX_CONFORMANCE_CACHE", str(tmp_path_factory.mktemp("cache")))
        loaded = load_spec(SHARED_SPEC, allow_unpinned=True, use_cache=False)
    return build_index(loaded.data)


def test_telnyx_addresses_pagination(telnyx: SpecIndex) -> None:
    result = check(telnyx, "get", "/addresses", [("page[number]", "2"), ("page[size]", "20")])
    assert result.status is None
    assert result.params["query"]["page"] == {"number": 2, "size": 20}
    result = check(telnyx, "get", "/addresses", [("page[size]", "abc")])
    # GET /addresses documents 400 ("Bad request") and no 422, so schema violations are 400 here
    assert result.status == 400
    error = only_error(result)
    assert (error.code, error.parameter) == ("10015", "page[size]")
    assert only_error(check(telnyx, "get", "/addresses", [("page[size]", "251")])).parameter == "page[size]"


def test_telnyx_deep_object_filter(telnyx: SpecIndex) -> None:
    query = [("filter[customer_reference][eq]", "ref"), ("filter[street_address][contains]", "Main")]
    result = check(telnyx, "get", "/addresses", query)
    assert result.status is None
    assert result.params["query"]["filter"] == {
        "customer_reference": {"eq": "ref"},
        "street_address": {"contains": "Main"},
    }
    result = check(
        telnyx, "get", "/available_phone_numbers", [("filter[features]", "sms"), ("filter[features]", "fax")]
    )
    assert result.params["query"]["filter"] == {"features": ["sms", "fax"]}
    error = only_error(check(telnyx, "get", "/available_phone_numbers", [("filter[features]", "pigeon")]))
    assert error.parameter == "filter[features]"


def test_telnyx_json_body(telnyx: SpecIndex) -> None:
    address = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "business_name": "Engines",
        "street_address": "1 Main St",
        "locality": "London",
        "country_code": "GB",
    }
    result = check(telnyx, "post", "/addresses", content_type="application/json", body=orjson.dumps(address))
    assert result.status is None
    assert result.body == address
    del address["street_address"]
    address["first_name"] = 7  # type: ignore[assignment]
    result = check(telnyx, "post", "/addresses", content_type="application/json", body=orjson.dumps(address))
    assert result.status == 422  # POST /addresses documents 422
    assert {(e.code, e.pointer) for e in result.errors} == {("10004", "/street_address"), ("10015", "/first_name")}
    result = check(telnyx, "post", "/addresses", content_type="application/json", body=b"{not json")
    assert (result.status, only_error(result).pointer) == (422, "")  # POST /addresses documents no 400


def test_telnyx_multipart(telnyx: SpecIndex) -> None:
    body = multipart(
        (b'Content-Disposition: form-data; name="media"; filename="photo.jpg"', b"\xff\xd8\xff\xe0"),
        (b'Content-Disposition: form-data; name="media_name"', "é 漢字".encode()),
        (b'Content-Disposition: form-data; name="ttl_secs"', b"86400"),
        ('Content-Disposition: form-data; name="漢字"'.encode(), "値".encode()),
    )
    result = check(telnyx, "post", "/media", content_type="multipart/form-data; boundary=XyZ", body=body)
    assert result.status is None, [e.as_dict() for e in result.errors]
    assert result.body["media_name"] == "é 漢字"
    assert result.body["ttl_secs"] == 86400
    assert result.body["media"]["filename"] == "photo.jpg"
    assert result.body["漢字"] == "値"
    missing = multipart((b'Content-Disposition: form-data; name="media_name"', b"x"))
    result = check(telnyx, "post", "/media", content_type="multipart/form-data; boundary=XyZ", body=missing)
    assert only_error(result).pointer == "/media"


def test_telnyx_form_body(telnyx: SpecIndex) -> None:
    content_type = "application/x-www-form-urlencoded"
    result = check(telnyx, "post", "/oauth/token", content_type=content_type, body=b"grant_type=client_credentials")
    assert (result.status, result.body) == (None, {"grant_type": "client_credentials"})
    assert (
        only_error(check(telnyx, "post", "/oauth/token", content_type=content_type, body=b"x=1")).pointer
        == "/grant_type"
    )


def test_telnyx_every_operation_has_a_plan(telnyx: SpecIndex) -> None:
    for operation in telnyx.operations:
        parts = RequestParts(operation.method.upper(), {}, [], {}, None, b"")
        result = validate_request(telnyx, operation, parts)
        assert all(e.kind != "internal" for e in result.errors), operation.pointer


# --- fuzz --------------------------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)  # lone surrogates included
CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=XyZ",
            "multipart/form-data",
            "text/xml",
            "*/*",
            "",
        ]
    ),
    ANY_TEXT,
    st.none(),
)
MULTIPART_BODIES = st.lists(st.tuples(st.binary(max_size=40), st.binary(max_size=40)), max_size=4).map(
    lambda parts: multipart(*((b"Content-Disposition: form-data; name=" + h, d) for h, d in parts))
)
BODIES = st.one_of(
    st.binary(max_size=200), ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")), MULTIPART_BODIES
)


def _sample(index: SpecIndex) -> list[Operation]:
    """Every 9th operation plus every one with a non-JSON body: a spread of styles and bodies."""
    chosen = [o for i, o in enumerate(index.operations) if i % 9 == 0]
    for operation in index.operations:
        content = (operation.node.get("requestBody") or {}).get("content") or {}
        if any(m != "application/json" for m in content) and operation not in chosen:
            chosen.append(operation)
    return chosen


def _keys_of(index: SpecIndex, operation: Operation) -> list[str]:
    names = [str(p.get("name")) for _, p in index.parameters(operation)]
    return names + [f"{n}[{suffix}]" for n in names for suffix in ("number", "size", "status][eq", "", "0")]


@st.composite
def requests(draw: st.DrawFn, index: SpecIndex) -> tuple[Operation, RequestParts]:
    operation = draw(st.sampled_from(_sample(index)))
    keys = st.one_of(st.sampled_from(_keys_of(index, operation) or ["x"]), ANY_TEXT)
    query = draw(st.lists(st.tuples(keys, ANY_TEXT), max_size=6))
    headers = draw(st.dictionaries(st.one_of(keys.map(str.lower), ANY_TEXT), ANY_TEXT, max_size=4))
    path_params = draw(st.dictionaries(keys, ANY_TEXT, max_size=3))
    content_type = draw(CONTENT_TYPES)
    parts = RequestParts(draw(ANY_TEXT), path_params, query, headers, content_type, draw(BODIES))
    return operation, parts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_fuzz_never_raises(telnyx: SpecIndex, data: st.DataObject) -> None:
    operation, parts = data.draw(requests(telnyx))
    result = validate_request(telnyx, operation, parts)
    assert isinstance(result, RequestCheck)
    if result.errors:
        assert result.status is not None and 400 <= result.status < 500
    else:
        assert result.status is None
    for error in result.errors:
        assert error.kind != "internal", error.detail
        item = orjson.loads(orjson.dumps(error.as_dict()))  # raises on lone surrogates: text must be plain
        assert item["code"].isdigit() and isinstance(item["detail"], str)
        assert set(item.get("source", {})) <= {"pointer", "parameter"}


def test_telnyx_strict_formats_reject_what_schemathesis_calls_invalid(telnyx: SpecIndex) -> None:
    """`uri` (unchecked by openapi-spec-validator) and the Telnyx formats (`url`, `address`)
    are asserted: these were accepted before, and schemathesis' negative cases caught it."""
    sms = {"from": "+13125550001", "to": ["+13125550002"], "media_urls": ["\u00aeK\u00e6"]}
    result = check(telnyx, "post", "/messages/group_mms", content_type="application/json", body=orjson.dumps(sms))
    assert only_error(result).pointer == "/media_urls/0"
    sms["media_urls"] = ["https://media.example.com/a.png"]
    result = check(telnyx, "post", "/messages/group_mms", content_type="application/json", body=orjson.dumps(sms))
    assert result.status is None
    client = {"client_name": "app", "tos_uri": ""}
    result = check(telnyx, "post", "/oauth/register", content_type="application/json", body=orjson.dumps(client))
    assert only_error(result).pointer == "/tos_uri"


def test_telnyx_wildcard_body_of_an_object_schema_is_required(telnyx: SpecIndex) -> None:
    """`*/*` with an object schema and `required: true`: no bytes are no data, not an empty file."""
    result = check(telnyx, "post", "/reports/mdr_usage_reports")
    assert result.status is not None and only_error(result).code == "10004"


def test_telnyx_empty_deep_object_leaf_reads_as_an_empty_object(telnyx: SpecIndex) -> None:
    """`filters[available_services]=` is how `{"available_services": {}}` is written; the
    schema (an enum string or an object) rejects "", so the object reading is taken."""
    result = check(telnyx, "get", "/network_coverage", [("filters[available_services]", "")])
    assert result.status is None
    assert result.params["query"]["filters"] == {"available_services": {}}
    result = check(telnyx, "get", "/network_coverage", [("filters[available_services]", "pigeon")])
    assert only_error(result).parameter == "filters[available_services]"
