"""The catalogue of server faults the reference server can inject, and their mechanics.

The catalogue is data (like JSON-Schema-Test-Suite's cases): each fault has a name, what it
breaks, which operations it touches, and the check of the suite that must catch it. Faults
act in one of three ways: as a flag a pipeline stage consults (`ctx.faulty(name)`: auth,
validation, pagination, lifecycle), as a transform of the finished response, or on the
connection (hang, reset). `--fault NAME:opId[,opId]` narrows a fault to given operations.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from conformance.server.responses import JSON, Response, media_type, response_object, success_status
from spec.index import Operation, SpecIndex
from spec.pointer import escape

if TYPE_CHECKING:
    from conformance.server.app import Context

Scope = Callable[[SpecIndex, Operation], bool]


def _any(index: SpecIndex, operation: Operation) -> bool:
    return True


def _json_success(index: SpecIndex, operation: Operation) -> bool:
    status = success_status(operation)
    if status is None:
        return False
    _, node = response_object(index, operation, status)
    return media_type(node) == JSON


def _secured(index: SpecIndex, operation: Operation) -> bool:
    from conformance.server.auth import requirements

    options = requirements(index, operation)
    return bool(options) and all(isinstance(o, dict) and o for o in options)


def _undocumented_possible(index: SpecIndex, operation: Operation) -> bool:
    """Only operations without a `default` or `2XX` response: those document every status
    (schemathesis skips status_code_conformance for them), so no answer is undocumented."""
    responses = operation.node.get("responses")
    codes = {str(code).upper() for code in responses} if isinstance(responses, dict) else set()
    return "DEFAULT" not in codes and "2XX" not in codes


def _has_input(index: SpecIndex, operation: Operation) -> bool:
    return bool(index.parameters(operation)) or "requestBody" in operation.node


def _collection_op(*kinds: str) -> Scope:
    def scope(index: SpecIndex, operation: Operation) -> bool:
        from conformance.server.state import infer_collections

        collections = index.shared(infer_collections)
        return any(c.operations.get(k) is operation for c in collections.values() for k in kinds)

    return scope


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    caught_by: str
    scope: Scope = _any
    transform: Callable[["Context", Response], Response] | None = None

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "description": self.description, "caught_by": self.caught_by}


# --- response transforms -------------------------------------------------------------------
def _is_success(response: Response) -> bool:
    return 200 <= response.status < 300


def _json_body(response: Response) -> Any:
    try:
        return orjson.loads(response.body) if response.body else None
    except orjson.JSONDecodeError:
        return None


def _body_schema(ctx: "Context") -> dict[str, Any] | None:
    """The merged schema of the JSON success body, or None when the operation has none."""
    index, operation = ctx.server.index, ctx.operation
    if operation is None or not _json_success(index, operation):
        return None
    pointer, node = response_object(index, operation, success_status(operation) or "200")
    _, schema = index.deref(f"{pointer}/content/{escape(JSON)}/schema", node["content"][JSON].get("schema"))
    return _merged(index, schema)


def _focuses(ctx: "Context", body: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(object, merged schema) pairs a rewrite may change, most specific first: the `data`
    object, else the first item of a `data` list (list operations carry their required
    properties on the items), then the body itself."""
    top = _body_schema(ctx)
    if top is None or not isinstance(body, dict):
        return []
    index = ctx.server.index
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


def _rewrite(ctx: "Context", response: Response, change: Callable[[dict, dict, dict], bool]) -> Response:
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


def _drop_required(target: dict, schema: dict, properties: dict) -> bool:
    for name in schema["required"]:
        if name in target:
            del target[name]
            return True
    return False


def _property_type(index: SpecIndex, prop: Any) -> Any:
    _, prop = index.deref("", prop)
    return prop.get("type") if isinstance(prop, dict) else None


def _wrong_type(ctx: "Context") -> Callable[[dict, dict, dict], bool]:
    def change(target: dict, schema: dict, properties: dict) -> bool:
        for name, prop in properties.items():
            kind = _property_type(ctx.server.index, prop)
            if name in target and kind == "string":
                target[name] = 12345
                return True
            if name in target and kind in ("integer", "number", "boolean"):
                target[name] = "not-a-" + kind
                return True
        return False

    return change


def _null_non_nullable(ctx: "Context") -> Callable[[dict, dict, dict], bool]:
    def change(target: dict, schema: dict, properties: dict) -> bool:
        for name, prop in properties.items():
            _, resolved = ctx.server.index.deref("", prop)
            if not isinstance(resolved, dict) or name not in target or target[name] is None:
                continue
            kind = resolved.get("type")
            nullable = resolved.get("nullable") is True or (isinstance(kind, list) and "null" in kind)
            if isinstance(kind, str) and not nullable and "oneOf" not in resolved and "anyOf" not in resolved:
                target[name] = None
                return True
        return False

    return change


def _undocumented_status(ctx: "Context", response: Response) -> Response:
    if _is_success(response):
        documented = {str(c) for c in (ctx.operation.node.get("responses") or {})} if ctx.operation else set()
        for candidate in (299, 209, 218):
            if str(candidate) not in documented:
                response.status = candidate
                break
    return response


def _wrong_content_type(ctx: "Context", response: Response) -> Response:
    if _is_success(response) and response.body:
        response.content_type = "text/html; charset=utf-8"
    return response


def _missing_content_type(ctx: "Context", response: Response) -> Response:
    if _is_success(response) and response.body:
        response.content_type = None
        response.headers.pop("content-type", None)
    return response


def _malformed_envelope(ctx: "Context", response: Response) -> Response:
    if response.status >= 400:
        response.body = orjson.dumps({"error": "something went wrong", "status": response.status})
        response.content_type = JSON
    return response


def _invalid_json(ctx: "Context", response: Response) -> Response:
    if _is_success(response) and response.body and response.content_type == JSON:
        response.body = response.body[:-1] + b",}"
    return response


def _oversized(ctx: "Context", response: Response) -> Response:
    if _is_success(response) and response.content_type == JSON:
        response.body = orjson.dumps({"data": [], "padding": "x" * (64 * 1024 * 1024)})
    return response


def _no_rate_headers(ctx: "Context", response: Response) -> Response:
    for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        response.headers.pop(name, None)
    return response


def _inconsistent_rate_headers(ctx: "Context", response: Response) -> Response:
    if "x-ratelimit-limit" in response.headers:
        limit = int(response.headers["x-ratelimit-limit"])
        response.headers["x-ratelimit-remaining"] = str(limit + 5)
        response.headers["x-ratelimit-reset"] = "-1"
    return response


def _error_on_edge_input(ctx: "Context", response: Response) -> Response:
    """A 500 when any string input is empty or longer than 255 characters: the edge values
    property-based generation reaches early and handwritten tests rarely try."""
    if any(v == "" or len(v) > 255 for v in _strings([ctx.params, ctx.parsed_body])):
        from conformance.server import envelope

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


def _with_rewrite(factory: Callable[["Context"], Callable[[dict, dict, dict], bool]]):
    return lambda ctx, response: _rewrite(ctx, response, factory(ctx))


CATALOGUE: tuple[Fault, ...] = (
    Fault("required-property-dropped", "drops a required property from success bodies",
          "response_schema_conformance", _json_success, lambda c, r: _rewrite(c, r, _drop_required)),
    Fault("wrong-property-type", "sends a property with the wrong JSON type (a string as a number, ...)",
          "response_schema_conformance", _json_success, _with_rewrite(_wrong_type)),
    Fault("null-in-non-nullable", "sends null in a property whose schema does not allow null",
          "response_schema_conformance", _json_success, _with_rewrite(_null_non_nullable)),
    Fault("undocumented-status", "answers success with a 2xx code the operation does not document "
          "(operations without a default or 2XX response)",
          "status_code_conformance", _undocumented_possible, _undocumented_status),
    Fault("wrong-content-type", "labels JSON success bodies text/html",
          "content_type_conformance", _json_success, _wrong_content_type),
    # schemathesis raises the same MissingContentType failure from its schema check and its
    # content-type check, and reports it once, under the schema check that runs first.
    Fault("missing-content-type", "sends success bodies without a Content-Type header",
          "response_schema_conformance", _json_success, _missing_content_type),
    Fault("malformed-error-envelope", "sends errors as {\"error\": ...} instead of the errors[] envelope",
          "telnyx_error_envelope", _any, _malformed_envelope),
    Fault("auth-not-enforced", "accepts requests without a valid bearer token",
          "ignored_auth", _secured),
    Fault("invalid-input-accepted", "answers 2xx to requests that break the spec's parameter or body schemas",
          "negative_data_rejection", _has_input),
    Fault("valid-input-rejected", "answers 422 to requests that conform to the spec",
          "positive_data_acceptance", _any),
    Fault("server-error-on-edge-input", "answers 500 when a string input is empty or over 255 characters",
          "not_a_server_error", _has_input, _error_on_edge_input),
    Fault("page-size-ignored", "ignores page[size] and always returns the default page size",
          "telnyx_page_size", _collection_op("list")),
    Fault("wrong-totals", "reports total_results one higher than the items that exist",
          "telnyx_page_totals", _collection_op("list")),
    Fault("duplicates-across-pages", "repeats the last item of a page at the start of the next",
          "telnyx_page_duplicates", _collection_op("list")),
    Fault("cursor-loop", "in cursor mode (page[after]) returns a meta.cursors.after that points back "
          "into the first page, so following cursors never ends",
          "telnyx_cursor_progress", _collection_op("list")),
    Fault("filter-ignored", "returns unfiltered lists whatever filter[...] asks",
          "telnyx_filter_applied", _collection_op("list")),
    Fault("sort-ignored", "returns lists in insertion order whatever sort asks",
          "telnyx_sort_applied", _collection_op("list")),
    Fault("deleted-resource-retrievable", "answers DELETE but keeps the resource retrievable",
          "use_after_free", _collection_op("delete")),
    Fault("created-missing-from-list", "creates resources that never appear in the list",
          "telnyx_created_resource_listed", _collection_op("list", "create")),
    Fault("missing-rate-limit-headers", "omits the x-ratelimit-* headers",
          "telnyx_rate_limit_headers", _any, _no_rate_headers),
    Fault("inconsistent-rate-limit-headers", "sends x-ratelimit-remaining above the limit and a negative reset",
          "telnyx_rate_limit_headers", _any, _inconsistent_rate_headers),
    Fault("invalid-json-body", "sends success bodies that are not valid JSON",
          "response_schema_conformance", _json_success, _invalid_json),
    Fault("hang", "never answers (sleeps past any client timeout)",
          "request_timeout", _any),
    Fault("connection-reset", "drops the connection halfway through the response body",
          "connection_error", _any),
    Fault("oversized-body", "answers success with a 64 MiB body",
          "response_size_limit", _json_success, _oversized),
)  # fmt: skip

BY_NAME = {fault.name: fault for fault in CATALOGUE}


def parse_fault(spec: str) -> tuple[str, frozenset[str]]:
    """`NAME` or `NAME:opId,opId` -> (name, operation ids; empty = every operation in scope)."""
    name, _, ids = spec.partition(":")
    if name not in BY_NAME:
        raise ValueError(f"unknown fault {name!r} (see --list-faults)")
    return name, frozenset(i for i in ids.split(",") if i)


def _union(known: frozenset[str] | None, more: frozenset[str] | None) -> frozenset[str] | None:
    """Scopes of one fault given twice: `--fault hang --fault hang:X` is still every operation
    (an unscoped spec must not be narrowed by a scoped one), two scoped specs add up."""
    return None if known is None or more is None else known | more


class FaultSet:
    """The faults switched on for one server, with their operation scopes resolved lazily."""

    def __init__(self, index: SpecIndex, specs: frozenset[str] | tuple[str, ...]) -> None:
        self.index = index
        # name -> the operation ids it is narrowed to; None: every operation in its scope.
        self.enabled: dict[str, frozenset[str] | None] = {}
        for spec in specs:
            name, ids = parse_fault(spec)
            self.enabled[name] = _union(self.enabled.get(name, frozenset()), ids or None)
        self._in_scope: dict[tuple[str, str], bool] = {}

    def active(self, name: str, ctx: "Context") -> bool:
        if name not in self.enabled or ctx.operation is None:
            return False
        key = (name, ctx.operation.pointer)
        if key not in self._in_scope:
            ids = self.enabled[name]
            named = ids is None or ctx.operation.operation_id in ids
            self._in_scope[key] = named and BY_NAME[name].scope(self.index, ctx.operation)
        return self._in_scope[key]

    def transform(self, ctx: "Context", response: Response) -> Response:
        for name in self.enabled:
            fault = BY_NAME[name]
            if fault.transform is not None and self.active(name, ctx):
                response = fault.transform(ctx, response)
        return response
