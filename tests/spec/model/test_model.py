"""The normalized model: Swagger 2.0, OpenAPI 3.0 and 3.1 describing one API give one model."""

from pathlib import Path

import pytest

from spec.diff import diff_models
from spec.model import load_model

SWAGGER = """\
swagger: "2.0"
info: {title: t, version: "1"}
basePath: /v2
consumes: [application/json]
produces: [application/json]
securityDefinitions:
  bearer: {type: apiKey, in: header, name: Authorization}
security: [{bearer: []}]
paths:
  /numbers/{id}:
    parameters:
      - {name: id, in: path, required: true, type: string, format: uuid}
    patch:
      operationId: updateNumber
      parameters:
        - {name: tags, in: query, type: array, items: {type: string}, collectionFormat: multi}
        - {name: body, in: body, required: true, schema: {$ref: "#/definitions/Number"}}
      responses:
        "200":
          description: ok
          headers: {X-Count: {type: integer}}
          schema: {$ref: "#/definitions/Number"}
  /numbers/{id}/files:
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: id, in: path, required: true, type: string, format: uuid}
        - {name: loa, in: formData, required: true, type: file}
      responses:
        "204": {description: done}
definitions:
  Number:
    type: object
    required: [phone_number]
    properties:
      phone_number: {type: string}
      tag: {type: string, x-nullable: true}
"""

OPENAPI_30 = """\
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "https://api.example.test/v2"}]
security: [{bearer: []}]
paths:
  /numbers/{number_id}:
    parameters:
      - {name: number_id, in: path, required: true, schema: {type: string, format: uuid}}
    patch:
      operationId: updateNumber
      parameters:
        - {name: tags, in: query, schema: {type: array, items: {type: string}}}
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Number"}}}
      responses:
        "200":
          description: ok
          headers: {X-Count: {schema: {type: integer}}}
          content: {application/json: {schema: {$ref: "#/components/schemas/Number"}}}
  /numbers/{number_id}/files:
    post:
      parameters:
        - {name: number_id, in: path, required: true, schema: {type: string, format: uuid}}
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [loa]
              properties: {loa: {type: string, format: binary}}
      responses:
        "204": {description: done}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
  schemas:
    Number:
      type: object
      required: [phone_number]
      properties:
        phone_number: {type: string}
        tag: {type: string, nullable: true}
"""

OPENAPI_31 = OPENAPI_30.replace("openapi: 3.0.3", "openapi: 3.1.0").replace(
    "tag: {type: string, nullable: true}", "tag: {type: [string, 'null']}"
)


@pytest.fixture
def models(tmp_path: Path):
    found = {}
    for name, text in (("swagger", SWAGGER), ("oas30", OPENAPI_30), ("oas31", OPENAPI_31)):
        path = tmp_path / f"{name}.yaml"
        path.write_text(text)
        found[name] = load_model(path, use_cache=False)
    return found


def test_swagger_maps_onto_the_model(models) -> None:
    model = models["swagger"]
    assert model.version == "2.0"
    operation = model.operations[("patch", "/v2/numbers/{}")]
    assert operation.path == "/v2/numbers/{id}" and operation.operation_id == "updateNumber"
    (path_param,) = [p for p in operation.parameters if p.location == "path"]
    assert path_param.schema == ("/paths/~1numbers~1{id}/parameters/0", path_param.schema[1])
    tags = next(p for p in operation.parameters if p.name == "tags")
    assert (tags.style, tags.explode) == ("form", True)  # collectionFormat multi
    body = operation.request_body
    assert body.required and list(body.content) == ["application/json"]
    assert body.content["application/json"].schema[1] == {"$ref": "#/definitions/Number"}
    response = operation.responses["200"]
    assert list(response.content) == ["application/json"] and list(response.headers) == ["x-count"]
    ((credential, scopes),) = operation.security.alternatives[0]
    assert (credential.location, credential.name, credential.kind, scopes) == (
        "header",
        "authorization",
        "apiKey",
        frozenset(),
    )
    upload = model.operations[("post", "/v2/numbers/{}/files")].request_body
    assert upload.required and list(upload.content) == ["multipart/form-data"]
    view = model.views.view(upload.content["multipart/form-data"].schema)
    assert view.required == {"loa"} and view.properties["loa"][0] == "/paths/~1numbers~1{id}~1files/post/parameters/1"
    assert model.views.view(view.properties["loa"]).format == "binary"


def test_the_three_versions_of_one_api_have_no_difference(models) -> None:
    """Only the scheme kind (an apiKey in Authorization vs http bearer) and the path parameter's
    name differ; every schema reads the same, nullable written three ways included."""
    for old, new in (("swagger", "oas30"), ("oas30", "oas31"), ("swagger", "oas31")):
        changes = diff_models(models[old], models[new], fast=False).changes
        rules = sorted({c.rule for c in changes})
        assert rules == ([] if old == "oas30" else ["path-parameter-renamed", "security-scheme-changed"]), (old, new)


def test_every_element_is_located(models) -> None:
    model = models["oas30"]
    operation = model.operations[("patch", "/v2/numbers/{}")]
    places = model.locate_all([operation.pointer, operation.request_body.pointer, operation.responses["200"].pointer])
    assert places[operation.pointer] == (9, 5)
    assert places[operation.request_body.pointer] == (13, 7)
    assert places[operation.responses["200"].pointer] == (17, 9)


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://api.telnyx.com/v2", "/v2"),
        ("//api.telnyx.com/v2/", "/v2"),
        ("/v2", "/v2"),
        ("v2", "/v2"),
        ("tufin.com", ""),  # oasdiff's openapi-test1.yaml: a host without its scheme, not a path
        ("api.example.com/v1.0", "/v1.0"),
        ("localhost:8080/api", "/api"),
        ("127.0.0.1:9080/x", "/x"),
        ("v1.0/api", "/v1.0/api"),  # no alphabetic top-level label: a relative path
    ],
)
def test_the_base_path_of_a_server_url(url: str, base: str) -> None:
    from spec.model.common import server_base

    assert server_base([{"url": url}]) == base
