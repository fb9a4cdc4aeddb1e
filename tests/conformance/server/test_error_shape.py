"""Errors in the shape the operation documents: the envelope where the spec allows it, the
documented body (an OAuth `{"error"}`, an HTML page) where it documents another."""

import asyncio

import httpx
import orjson

from conformance.server.app import DEFAULT_TOKEN, ReferenceServer, ServerConfig
from spec.index import SpecIndex, build_index

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}
ENVELOPE = {"$ref": "#/components/schemas/Errors"}
OAUTH_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "error_description": {"type": "string"}},
}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _spec() -> SpecIndex:
    query = [{"name": "n", "in": "query", "required": True, "schema": {"type": "integer"}}]
    return build_index(
        {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "servers": [{"url": "https://api.example.com/v2"}],
            "security": [{"bearer": []}],
            "paths": {
                "/oauth/introspect": {
                    "post": {
                        "security": [],
                        "parameters": query,
                        "responses": {
                            "200": {"description": "ok"},
                            "400": {"description": "bad", **_json(OAUTH_ERROR)},
                        },
                    }
                },
                "/authorize": {
                    "get": {
                        "security": [],
                        "parameters": query,
                        "responses": {
                            "302": {"description": "redirect"},
                            "4XX": {"description": "bad", "content": {"text/html": {"schema": {"type": "string"}}}},
                        },
                    }
                },
                "/things": {
                    "get": {
                        "parameters": query,
                        "responses": {"200": {"description": "ok"}, "default": {"description": "e", **_json(ENVELOPE)}},
                    }
                },
                "/bare": {"get": {"parameters": query, "responses": {"200": {"description": "ok"}}}},
            },
            "components": {
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
                "schemas": {
                    "Errors": {
                        "type": "object",
                        "properties": {"errors": {"type": "array", "items": {"type": "object"}}},
                        "required": ["errors"],
                    }
                },
            },
        }
    )


def _ask(method: str, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    app = ReferenceServer(_spec(), ServerConfig())

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t/v2") as client:
            return await client.request(method, path, headers=headers if headers is not None else AUTH)

    return asyncio.run(go())


def test_a_documented_non_envelope_error_schema_is_answered() -> None:
    response = _ask("POST", "/oauth/introspect?n=x")
    assert response.status_code == 400
    body = orjson.loads(response.content)
    assert isinstance(body.get("error"), str) and "errors" not in body


def test_a_documented_html_error_is_answered_as_html() -> None:
    response = _ask("GET", "/authorize?n=x")
    assert response.status_code in (400, 422)  # both are 4XX: the server's documented choice
    assert response.headers["content-type"].startswith("text/html")


def test_the_envelope_stays_where_the_schema_accepts_it_or_nothing_is_documented() -> None:
    documented = _ask("GET", "/things?n=x")
    assert documented.status_code == 422 and "errors" in orjson.loads(documented.content)
    undocumented = _ask("GET", "/bare?n=x")
    assert undocumented.status_code == 422 and "errors" in orjson.loads(undocumented.content)
    unauthorized = _ask("GET", "/things?n=1", headers={})
    assert unauthorized.status_code == 401 and "errors" in orjson.loads(unauthorized.content)
    assert unauthorized.headers["www-authenticate"] == "Bearer"


def test_the_envelope_check_knows_where_another_body_is_documented() -> None:
    from spec.telnyx import documents_another_error_body

    index = _spec()
    operations = {(op.method, op.path): op for op in index.operations}
    assert documents_another_error_body(index, operations[("post", "/oauth/introspect")], 400)
    assert documents_another_error_body(index, operations[("get", "/authorize")], 404)  # 4XX: text/html
    assert not documents_another_error_body(index, operations[("post", "/oauth/introspect")], 401)  # undocumented
    assert not documents_another_error_body(index, operations[("get", "/things")], 422)  # default: the envelope
    assert not documents_another_error_body(index, operations[("get", "/bare")], 422)
