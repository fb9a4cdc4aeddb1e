"""Swagger 2.0 operations into the same model as OpenAPI 3.x.

The mapping: `basePath` is the base path; an `in: body` parameter is the request body, under
each media type of `consumes` (the operation's, else the document's, else JSON); `in: formData`
parameters are one object body (`multipart/form-data` when the operation consumes it or sends a
file, else `application/x-www-form-urlencoded`) whose properties are the parameters; a
response's `schema` is its body under each type of `produces`; a non-body parameter's or
header's own `type`, `format`, `items`, `enum` and bounds are its schema (the parameter object is
read as one); `collectionFormat` is a style; `definitions` are where `$ref`s point, as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from spec.model import common
from spec.model.document import Document
from spec.model.schema import PROPERTY_POINTERS
from spec.model.types import Header, MediaType, Operation, Parameter, RequestBody, Response, template_params
from spec.pointer import escape

# collectionFormat -> (style, explode) for a query parameter (path and header read csv as simple)
_COLLECTION = {
    "csv": ("form", False),
    "multi": ("form", True),
    "ssv": ("spaceDelimited", False),
    "tsv": ("tabDelimited", False),
    "pipes": ("pipeDelimited", False),
}
_JSON = ["application/json"]


def _media(value: Any, fallback: list[str]) -> list[str]:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return fallback


def operations(document: Document) -> Iterator[Operation]:
    data = document.data
    base = str(data.get("basePath") or "").rstrip("/")
    consumes = _media(data.get("consumes"), _JSON)
    produces = _media(data.get("produces"), _JSON)
    schemes, schemes_pointer = common.schemes_of(data, "2.0")
    paths = data.get("paths") if isinstance(data.get("paths"), dict) else {}
    for path, item in paths.items():
        item_pointer = f"/paths/{escape(path)}"
        if not isinstance(item, dict):
            continue
        for method in common.HTTP_METHODS:
            node = item.get(method)
            if not isinstance(node, dict):
                continue
            pointer = f"{item_pointer}/{method}"
            declared = "security" in node
            where = common.full_path(base, path)
            parameters, body = _parameters(document, item_pointer, item, pointer, node, consumes)
            yield Operation(
                method=method,
                path=where,
                pointer=pointer,
                operation_id=node.get("operationId") if isinstance(node.get("operationId"), str) else None,
                parameters=tuple(parameters),
                request_body=body,
                responses=_responses(document, pointer, node, _media(node.get("produces"), produces)),
                security=common.security(
                    node.get("security") if declared else data.get("security"),
                    f"{pointer}/security" if declared else "/security",
                    schemes,
                    schemes_pointer,
                    pointer,
                ),
                deprecated=node.get("deprecated") is True,
                path_params=template_params(where),
            )


def _parameters(
    document: Document, item_pointer: str, item: dict, pointer: str, node: dict, consumes: list[str]
) -> tuple[list[Parameter], RequestBody | None]:
    merged: dict[tuple[str, str], tuple[str, dict]] = {}
    for base, declared in ((item_pointer, item.get("parameters")), (pointer, node.get("parameters"))):
        for i, raw in enumerate(declared if isinstance(declared, list) else []):
            where, value = document.deref(f"{base}/parameters/{i}", raw)
            if isinstance(value, dict) and isinstance(value.get("name"), str):
                merged[(value["name"], str(value.get("in")))] = (where, value)
    consumes = _media(node.get("consumes"), consumes)
    parameters: list[Parameter] = []
    body: RequestBody | None = None
    form: list[tuple[str, dict]] = []
    for where, value in merged.values():
        location = value.get("in")
        if location == "body":
            schema = (f"{where}/schema", value.get("schema"))
            content = {common.media_name(m): MediaType(common.media_name(m), schema, where) for m in consumes}
            body = RequestBody(value.get("required") is True, content, where)
        elif location == "formData":
            form.append((where, value))
        elif location in ("path", "query", "header") and not (
            location == "header" and value["name"].lower() in common.IGNORED_HEADERS
        ):
            style, explode = _COLLECTION.get(str(value.get("collectionFormat", "csv")), ("form", False))
            if location != "query":
                style = "simple"
            parameters.append(
                Parameter(
                    name=value["name"],
                    location=location,
                    required=value.get("required") is True or location == "path",
                    schema=_schema_of(where, value),
                    pointer=where,
                    style=style,
                    explode=explode,
                )
            )
    if form and body is None:
        body = _form_body(pointer, form, consumes)
    return parameters, body


def _schema_of(pointer: str, value: dict) -> tuple[str, Any]:
    """The parameter object itself carries the schema keywords in 2.0; files converted halfway
    (DataFire's Telnyx spec has some) write an OpenAPI 3 `schema` or `content` instead."""
    if isinstance(value.get("schema"), dict):
        return (f"{pointer}/schema", value["schema"])
    content = value.get("content")
    if "type" not in value and isinstance(content, dict) and content:
        media, entry = next(iter(content.items()))
        if isinstance(entry, dict) and isinstance(entry.get("schema"), dict):
            return (f"{pointer}/content/{escape(media)}/schema", entry["schema"])
    return (pointer, value)


def _form_body(pointer: str, form: list[tuple[str, dict]], consumes: list[str]) -> RequestBody:
    """formData parameters as one object schema, each property located at its parameter."""
    files = any(value.get("type") == "file" for _, value in form)
    kinds = [common.media_name(m) for m in consumes if common.media_name(m) in _FORM_TYPES]
    if not kinds:
        kinds = ["multipart/form-data" if files else "application/x-www-form-urlencoded"]
    schema = {
        "type": "object",
        "properties": {value["name"]: value for _, value in form},
        "required": [value["name"] for _, value in form if value.get("required") is True],
        PROPERTY_POINTERS: {value["name"]: where for where, value in form},
    }
    node = (f"{pointer}/parameters", schema)
    content = {kind: MediaType(kind, node, f"{pointer}/parameters") for kind in kinds}
    return RequestBody(any(value.get("required") is True for _, value in form), content, f"{pointer}/parameters")


_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _responses(document: Document, pointer: str, node: dict, produces: list[str]) -> dict[str, Response]:
    found: dict[str, Response] = {}
    responses = node.get("responses") if isinstance(node.get("responses"), dict) else {}
    for status, raw in responses.items():
        where, response = document.deref(f"{pointer}/responses/{escape(status)}", raw)
        if not isinstance(response, dict):
            continue
        content: dict[str, MediaType] = {}
        if "schema" in response:
            schema = (f"{where}/schema", response["schema"])
            content = {common.media_name(m): MediaType(common.media_name(m), schema, where) for m in produces}
        headers = {
            name.lower(): Header(
                name, False, (f"{where}/headers/{escape(name)}", header), f"{where}/headers/{escape(name)}"
            )
            for name, header in (response.get("headers") or {}).items()
            if isinstance(header, dict)
        }
        code = str(status).upper() if str(status).lower() != "default" else "default"
        found[code] = Response(code, content, headers, where)
    return found
