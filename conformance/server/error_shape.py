"""Errors in the shape the operation documents for their status.

The server speaks Telnyx's `errors[]` envelope, but a few corners of the spec document other
error bodies: the OAuth endpoints answer `{"error": "invalid_client"}` (RFC 6749) or an HTML
page, and some teams' error schemas differ from the envelope. A conforming server answers
what the operation documents, so an error whose status the operation documents with another
schema or media type is re-rendered from that documentation; an undocumented status, or one
whose schema accepts the envelope, keeps the envelope.
"""

from conformance.server.responses import Response, render
from spec.index import Operation, SpecIndex
from spec.telnyx import other_error_body_status


def documented_error(index: SpecIndex, operation: Operation, response: Response, *, seed: int) -> Response:
    """`response` (an error with the envelope), or the documented error body for its status."""
    status = other_error_body_status(index, operation, response.status) if response.status >= 400 else None
    if status is None:
        return response
    rendered = render(index, operation, status, seed=seed)
    headers = {**rendered.headers, **response.headers}
    return Response(response.status, rendered.body, headers, rendered.content_type)
