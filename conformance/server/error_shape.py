"""Errors in the shape the operation documents for their status.

The server speaks Telnyx's `errors[]` envelope, but a few corners of the spec document other
error bodies: the OAuth endpoints answer `{"error": "invalid_client"}` (RFC 6749) or an HTML
page, and some teams' error schemas differ from the envelope. A conforming server answers
what the operation documents, so an error whose status the operation documents with another
schema or media type is re-rendered from that documentation; an undocumented status, or one
whose schema accepts the envelope, keeps the envelope.
"""

from conformance.server.responses import Response, media_type, render, response_object
from spec.index import Operation, SpecIndex

SAMPLE_ENVELOPE = {"errors": [{"code": "10015", "title": "Invalid request", "detail": "The request was rejected."}]}


def documented_error(index: SpecIndex, operation: Operation, response: Response, *, seed: int) -> Response:
    """`response` (an error with the envelope), or the documented error body for its status."""
    status = _other_body_status(index, operation, response.status) if response.status >= 400 else None
    if status is None:
        return response
    rendered = render(index, operation, status, seed=seed)
    headers = {**rendered.headers, **response.headers}
    return Response(response.status, rendered.body, headers, rendered.content_type)


def documents_another_error_body(index: SpecIndex, operation: Operation, status: int) -> bool:
    """Does the operation document, for `status`, an error body other than the envelope (a
    schema that rejects it, or a non-JSON media type)? The envelope check then defers to the
    documentation, which the audit's `telnyx-error-envelope` rule reports."""
    return _other_body_status(index, operation, status) is not None


def _other_body_status(index: SpecIndex, operation: Operation, status: int) -> str | None:
    """The documented response key (`400`, `4XX`, `default`) whose body is not the envelope."""
    documented = _documented_status(operation, status)
    if documented is None:
        return None
    decisions: dict[tuple[str, str], bool] = index.shared(_new_decisions)
    key = (operation.pointer, documented)
    if key not in decisions:
        decisions[key] = _accepts_envelope(index, operation, documented)
    return None if decisions[key] else documented


def _documented_status(operation: Operation, status: int) -> str | None:
    responses = operation.node.get("responses")
    if not isinstance(responses, dict):
        return None
    for key in (str(status), f"{status // 100}XX", "default"):
        if key in responses:
            return key
    return None


def _accepts_envelope(index: SpecIndex, operation: Operation, status: str) -> bool:
    """Is the envelope a documented answer for `status` (no content documented, or a JSON
    schema that accepts it)?"""
    pointer, node = response_object(index, operation, status)
    kind = media_type(node)
    if kind is None:
        return True
    if "json" not in kind:
        return False
    media = node["content"][kind]
    if not isinstance(media, dict) or "schema" not in media:
        return True
    schema_pointer = f"{pointer}/content/{kind.replace('~', '~0').replace('/', '~1')}/schema"
    try:
        validator = index.schema_validator(schema_pointer, validate_formats=False)
    except Exception:
        return True  # a schema no validator compiles: nothing better to send
    return bool(validator.is_valid(SAMPLE_ENVELOPE))


def _new_decisions(index: SpecIndex) -> dict[tuple[str, str], bool]:
    return {}
