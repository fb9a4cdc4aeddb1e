"""The response rewrites of the faults that act on the finished response: bodies that break
their schema, undocumented statuses and content types, broken envelopes and rate headers."""

from collections.abc import Callable, Iterator
from typing import Any

import orjson

from conformance.server import envelope
from conformance.server.context import Context
from conformance.server.faults.scopes import json_success
from conformance.server.responses import Response
from spec.index import SpecIndex
from spec.pointer import escape
from spec.telnyx import JSON, response_object, success_status


def _is_success(response: Response) -> bool:
    return 200 <= response.status < 300


def _json_body(response: Response) -> Any:
    try:
        return orjson.loads(response.body) if response.body else None
    except orjson.JSONDecodeError:
        return None


def _body_schema(ctx: Context) -> dict[str, Any] | None:
    """The merged schema of the JSON success body, or None when the operation has none."""
    index, operation = ctx.index, ctx.operation
    if operation is None or not json_success(index, operation):
        return None
    pointer, node = response_object(index, operation, success_status(operation) or "200")
    _, schema = index.deref(f"{pointer}/content/{escape(JSON)}/schema", node["content"][JSON].get("schema"))
    return _merged(index, schema)


def _focuses(ctx: Context, body: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(object, merged schema) pairs a rewrite may change, most specific first: the `data`
    object, else the first item of a `data` list (list operations carry their required
    properties on the items), then the body itself."""
    top = _body_schema(ctx)
    if top is None or not isinstance(body, dict):
        return []
    index = ctx.index
    found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    _, data_schema = index.deref("", top["properties"].get("data"))
    data = body.get("data")
    if isinstance(data, dict) and isinstance(data_schema, dict):
        found.append((data, _merged(index, data_schema)))
    elif isinstance(data, list) and data and isinstance(data[0], dict) and isinstance(data_schema, dict):
        found.append((data[0], _merged(index, data_schema.get("items"))))
    found.append((body, top))
    return [(target, schema) for target, schema in found if schema["properties"] or schema["required"]]


def _merged(index: SpecIndex, schema: Any, depth: int = 0) -> dict[str, Any]:
    """Properties and required names of a schema, allOf members and $refs folded in."""
    _, schema = index.deref("", schema)
    result: dict[str, Any] = {"properties": {}, "required": []}
    if not isinstance(schema, dict) or depth > 8:
        return result
    for member in schema.get("allOf", []) if isinstance(schema.get("allOf"), list) else []:
        inner = _merged(index, member, depth + 1)
        result["properties"].update(inner["properties"])
        result["required"] += inner["required"]
    if isinstance(schema.get("properties"), dict):
        result["properties"].update(schema["properties"])
    if isinstance(schema.get("required"), list):
        result["required"] += schema["required"]
    return result


def rewrite(ctx: Context, response: Response, change: Callable[[dict, dict, dict], bool]) -> Response:
    """Apply `change(target, schema, properties)` to the first part of the success body that
    it accepts (see `_focuses`); the response is unchanged when every part declines."""
    if not _is_success(response):
        return response
    body = _json_body(response)
    for target, schema in _focuses(ctx, body):
        if change(target, schema, schema["properties"]):
            response.body = orjson.dumps(body)
            break
    return response


def drop_required(target: dict, schema: dict, properties: dict) -> bool:
    for name in schema["required"]:
        if name in target:
            del target[name]
            return True
    return False


def _property_type(index: SpecIndex, prop: Any) -> Any:
    _, prop = index.deref("", prop)
    return prop.get("type") if isinstance(prop, dict) else None


def wrong_type(ctx: Context) -> Callable[[dict, dict, dict], bool]:
    def change(target: dict, schema: dict, properties: dict) -> bool:
        for name, prop in properties.items():
            kind = _property_type(ctx.index, prop)
            if name in target and kind == "string":
                target[name] = 12345
                return True
            if name in target and kind in ("integer", "number", "boolean"):
                target[name] = "not-a-" + kind
                return True
        return False

    return change


def null_non_nullable(ctx: Context) -> Callable[[dict, dict, dict], bool]:
    def change(target: dict, schema: dict, properties: dict) -> bool:
        for name, prop in properties.items():
            _, resolved = ctx.index.deref("", prop)
            if not isinstance(resolved, dict) or name not in target or target[name] is None:
                continue
            kind = resolved.get("type")
            nullable = resolved.get("nullable") is True or (isinstance(kind, list) and "null" in kind)
            if isinstance(kind, str) and not nullable and "oneOf" not in resolved and "anyOf" not in resolved:
                target[name] = None
                return True
        return False

    return change


def undocumented_status(ctx: Context, response: Response) -> Response:
    if _is_success(response):
        documented = {str(c) for c in (ctx.operation.node.get("responses") or {})} if ctx.operation else set()
        for candidate in (299, 209, 218):
            if str(candidate) not in documented:
                response.status = candidate
                break
    return response


def wrong_content_type(ctx: Context, response: Response) -> Response:
    if _is_success(response) and response.body:
        response.content_type = "text/html; charset=utf-8"
    return response


def missing_content_type(ctx: Context, response: Response) -> Response:
    if _is_success(response) and response.body:
        response.content_type = None
        response.headers.pop("content-type", None)
    return response


def malformed_envelope(ctx: Context, response: Response) -> Response:
    if response.status >= 400:
        response.body = orjson.dumps({"error": "something went wrong", "status": response.status})
        response.content_type = JSON
    return response


def invalid_json(ctx: Context, response: Response) -> Response:
    if _is_success(response) and response.body and response.content_type == JSON:
        response.body = response.body[:-1] + b",}"
    return response


def oversized(ctx: Context, response: Response) -> Response:
    if _is_success(response) and response.content_type == JSON:
        response.body = orjson.dumps({"data": [], "padding": "x" * (64 * 1024 * 1024)})
    return response


def no_rate_headers(ctx: Context, response: Response) -> Response:
    for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        response.headers.pop(name, None)
    return response


def inconsistent_rate_headers(ctx: Context, response: Response) -> Response:
    if "x-ratelimit-limit" in response.headers:
        limit = int(response.headers["x-ratelimit-limit"])
        response.headers["x-ratelimit-remaining"] = str(limit + 5)
        response.headers["x-ratelimit-reset"] = "-1"
    return response


def error_on_edge_input(ctx: Context, response: Response) -> Response:
    """A 500 when any string input is empty or longer than 255 characters: the edge values
    property-based generation reaches early and handwritten tests rarely try."""
    if any(v == "" or len(v) > 255 for v in _strings([ctx.params, ctx.parsed_body])):
        return Response(500, envelope.simple(envelope.SERVER_ERROR))
    return response


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a parsed input, at any depth: deepObject filters and request bodies
    nest the values a generator makes empty (`filter[name][eq]=`), not only top-level ones."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def with_rewrite(factory: Callable[[Context], Callable[[dict, dict, dict], bool]]):
    return lambda ctx, response: rewrite(ctx, response, factory(ctx))
