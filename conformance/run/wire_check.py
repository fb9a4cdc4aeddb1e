"""Is a request that schemathesis built as invalid still invalid once it is on the wire?

`negative_data_rejection` fails a target that accepts a request schemathesis generated to be
invalid. But serialization can erase the violation: a deepObject key that holds brackets
(`{"name[contains]": "x"}` under `filter`) is written `filter[name][contains]=x`, which is the
valid nested value; a multipart field of the wrong JSON type is the same text. Accepting such
a request is right, so the failure is dropped, after the request, as sent, is checked with the
reference server's own request validation (the one that decides what the embedded server
rejects). A request the validator cannot place (a target under another base path, an unknown
route) keeps its failure.
"""

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from conformance.server.routes import Router, base_path
from conformance.server.validation import RequestParts, validate_request
from spec.index import Operation, SpecIndex

NEGATIVE_CHECK = "negative_data_rejection"


def valid_on_the_wire(index: SpecIndex, router: Router, target_base: str, operation: Operation, request: Any) -> bool:
    """Does the prepared request `request` (sent to `target_base`) satisfy `operation`?"""
    parts = wire_parts(index, router, target_base, operation, request)
    return parts is not None and validate_request(index, operation, parts).status is None


def wire_parts(
    index: SpecIndex, router: Router, target_base: str, operation: Operation, request: Any
) -> RequestParts | None:
    """The prepared request `request` as the reference server reads it, when it routes to
    `operation` (None: under another base path, or another route)."""
    url = urlsplit(str(request.url))
    prefix = urlsplit(target_base).path.rstrip("/")
    raw_path = url.path
    if prefix and not raw_path.startswith(prefix + "/"):
        return None
    path = base_path(index) + raw_path[len(prefix) :]
    match = router.match(unquote(path))
    if match is None or match.operation(operation.method) is not operation:
        return None
    headers = {str(k).lower(): str(v) for k, v in (request.headers or {}).items()}
    body = request.body or b""
    return RequestParts(
        method=str(request.method).upper(),
        path_params=match.path_params,
        query=parse_qsl(url.query, keep_blank_values=True, encoding="utf-8", errors="replace"),
        headers=headers,
        content_type=headers.get("content-type"),
        body=body.encode("utf-8") if isinstance(body, str) else bytes(body),
    )


def register(schema: Any, index: SpecIndex, operations: dict[str, Operation], target_base: str) -> None:
    """A schemathesis `filter_failure` hook dropping negative_data_rejection failures whose
    request is valid as sent."""
    routers: list[Router] = []

    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        if NEGATIVE_CHECK not in getattr(type(failure), "checks", ()):
            return True
        operation = operations.get(case.operation.label)
        request = getattr(response, "request", None)
        if operation is None or request is None:
            return True
        if not routers:
            routers.append(Router(index))
        try:
            return not valid_on_the_wire(index, routers[0], target_base, operation, request)
        except Exception:  # the validator must never cost a real failure
            return True

    schema.hook(filter_failure)
