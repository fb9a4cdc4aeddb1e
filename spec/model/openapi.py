"""OpenAPI 3.0 and 3.1 operations into the model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from spec.model import common
from spec.model.document import Document
from spec.model.schema import Views
from spec.model.types import Header, MediaType, Node, Operation, Parameter, RequestBody, Response, template_params
from spec.pointer import escape

_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}


def operations(document: Document, views: Views) -> Iterator[Operation]:
    data = document.data
    paths = data.get("paths") if isinstance(data.get("paths"), dict) else {}
    base = common.server_base(data.get("servers"))
    schemes, schemes_pointer = common.schemes_of(data, document.version)
    for path, raw_item in paths.items():
        item_pointer, item = document.deref(f"/paths/{escape(path)}", raw_item)
        if not isinstance(item, dict):
            continue
        item_base = common.server_base(item.get("servers"), base)
        for method in common.HTTP_METHODS:
            node = item.get(method)
            if not isinstance(node, dict):
                continue
            pointer = f"{item_pointer}/{method}"
            where = common.full_path(common.server_base(node.get("servers"), item_base), path)
            declared = "security" in node
            yield Operation(
                method=method,
                path=where,
                pointer=pointer,
                operation_id=node.get("operationId") if isinstance(node.get("operationId"), str) else None,
                parameters=tuple(_parameters(document, views, item_pointer, item, pointer, node)),
                request_body=_request_body(document, pointer, node),
                responses=_responses(document, pointer, node),
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
    document: Document, views: Views, item_pointer: str, item: dict, pointer: str, node: dict
) -> Iterator[Parameter]:
    merged: dict[tuple[str, str], tuple[str, dict]] = {}
    for base, declared in ((item_pointer, item.get("parameters")), (pointer, node.get("parameters"))):
        for i, raw in enumerate(declared if isinstance(declared, list) else []):
            where, value = document.deref(f"{base}/parameters/{i}", raw)
            if isinstance(value, dict) and isinstance(value.get("name"), str):
                merged[(value["name"], str(value.get("in")))] = (where, value)
    for where, value in merged.values():
        parameter = parameter_of(where, value)
        if parameter is not None:
            yield from common.expand(views, parameter)


def parameter_of(pointer: str, value: dict[str, Any]) -> Parameter | None:
    location = str(value.get("in", ""))
    name = value["name"]
    if location == "header" and name.lower() in common.IGNORED_HEADERS:
        return None
    schema: Node | None = None
    encoded = ""
    if "schema" in value:
        schema = (f"{pointer}/schema", value["schema"])
    elif isinstance(value.get("content"), dict) and value["content"]:
        media, entry = next(iter(value["content"].items()))
        encoded = common.media_name(str(media))
        if isinstance(entry, dict) and "schema" in entry:
            schema = (f"{pointer}/content/{escape(media)}/schema", entry["schema"])
    style = str(value.get("style") or _DEFAULT_STYLE.get(location, "form"))
    explode = value.get("explode")
    return Parameter(
        name=name,
        location=location,
        required=value.get("required") is True or location == "path",
        schema=schema,
        pointer=pointer,
        style=style,
        explode=explode if isinstance(explode, bool) else style == "form",
        deprecated=value.get("deprecated") is True,
        media=encoded,
    )


def _content(document: Document, pointer: str, content: Any) -> dict[str, MediaType]:
    found: dict[str, MediaType] = {}
    for media, entry in (content if isinstance(content, dict) else {}).items():
        where = f"{pointer}/content/{escape(media)}"
        schema = (f"{where}/schema", entry["schema"]) if isinstance(entry, dict) and "schema" in entry else None
        name = common.media_name(media)
        found.setdefault(name, MediaType(name, schema, where))
    return found


def _request_body(document: Document, pointer: str, node: dict) -> RequestBody | None:
    if "requestBody" not in node:
        return None
    where, body = document.deref(f"{pointer}/requestBody", node["requestBody"])
    if not isinstance(body, dict):
        return None
    return RequestBody(body.get("required") is True, _content(document, where, body.get("content")), where)


def _responses(document: Document, pointer: str, node: dict) -> dict[str, Response]:
    found: dict[str, Response] = {}
    responses = node.get("responses") if isinstance(node.get("responses"), dict) else {}
    for status, raw in responses.items():
        where, response = document.deref(f"{pointer}/responses/{escape(status)}", raw)
        if not isinstance(response, dict):
            continue
        headers: dict[str, Header] = {}
        for name, raw_header in (response.get("headers") or {}).items():
            header_pointer, header = document.deref(f"{where}/headers/{escape(name)}", raw_header)
            if not isinstance(header, dict) or name.lower() == "content-type":
                continue
            schema = (f"{header_pointer}/schema", header["schema"]) if "schema" in header else None
            headers[name.lower()] = Header(name, header.get("required") is True, schema, header_pointer)
        code = str(status).upper() if str(status).lower() != "default" else "default"
        found[code] = Response(code, _content(document, where, response.get("content")), headers, where)
    return found
