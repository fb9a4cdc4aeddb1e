"""Errors in the shape the operation documents for their status.

The server speaks Telnyx's `errors[]` envelope, but a few corners of the spec document other
error bodies: the OAuth endpoints answer `{"error": "invalid_client"}` (RFC 6749) or an HTML
page, and some teams' error schemas differ from the envelope. A conforming server answers
what the operation documents, so an error whose status the operation documents with another
schema or media type is re-rendered from that documentation; an undocumented status, or one
whose schema accepts the envelope, keeps the envelope.
"""

from typing import Any

import orjson

from conformance.server.responses import Response, media_type, render, response_object
from spec.index import Operation, SpecIndex

_KEEP = "keep"


def documented_error(index: SpecIndex, operation: Operation, response: Response, *, seed: int) -> Response:
    """`response` (an error with the envelope), or the documented error body for its status."""
    if response.status < 400:
        return response
    if not documents_another_error_body(index, operation, response.status):
        return response
    status = _documented_status(operation, response.status)
    assert status is not None
    rendered = render(index, operation, status, seed=seed)
    headers = {**rendered.headers, **response.headers}
    return Response(response.status, rendered.body, headers, rendered.content_type)


SAMPLE_ENVELOPE = b'{"errors":[{"code":"10015","title":"Invalid request","detail":"The request was rejected."}]}'


def documents_another_error_body(index: SpecIndex, operation: Operation, status: int) -> bool:
    """Does the operation document, for `status`, an error body other than the envelope (a
    schema that rejects it, or a non-JSON media type)? The envelope check then defers to the
    documentation, which the audit's `telnyx-error-envelope` rule reports."""
    documented = _documented_status(operation, status)
    if documented is None:
        return False
    key = (operation.pointer, documented)
    decision = _decisions(index).get(key)
    if decision is None:
        decision = _decisions(index)[key] = _decide(index, operation, documented, SAMPLE_ENVELOPE)
    return decision != _KEEP


def _documented_status(operation: Operation, status: int) -> str | None:
    responses = operation.node.get("responses")
    if not isinstance(responses, dict):
        return None
    for key in (str(status), f"{status // 100}XX", "default"):
        if key in responses:
            return key
    return None


def _decide(index: SpecIndex, operation: Operation, status: str, envelope: bytes) -> str:
    """`keep` when the envelope is a documented answer for `status` (no content documented,
    or a JSON schema that accepts it), else `render`."""
    pointer, node = response_object(index, operation, status)
    kind = media_type(node)
    if kind is None:
        return _KEEP
    if "json" not in kind:
        return "render"
    media = node["content"][kind]
    if not isinstance(media, dict) or "schema" not in media:
        return _KEEP
    schema_pointer = f"{pointer}/content/{kind.replace('~', '~0').replace('/', '~1')}/schema"
    try:
        validator = index.schema_validator(schema_pointer, validate_formats=False)
    except Exception:
        return _KEEP  # a schema no validator compiles: nothing better to send
    return _KEEP if validator.is_valid(orjson.loads(envelope)) else "render"


def _decisions(index: SpecIndex) -> dict[tuple[str, str], str]:
    return index.shared(_new_decisions)


def _new_decisions(index: SpecIndex) -> dict[tuple[str, str], Any]:
    return {}
