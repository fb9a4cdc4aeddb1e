"""The HTTP session every generated request goes through: schemathesis' own session, with
the run's maximum response size enforced while the body is read.

schemathesis reads bodies whole (`stream=True`, then `response.content`), so a target that
answers with gigabytes would be buffered before any check could object. Here the body is read
in chunks and cut at the limit: the connection is dropped, the kept prefix is what checks see,
and the request is marked with the size seen so `response_size_limit` reports it. Redirects
keep schemathesis' rule (followed only within the same host, so the Authorization header never
reaches another one).
"""

from typing import Any

from schemathesis.transport.requests import ManagedCookiesSession

CHUNK = 64 * 1024
CUT_AT = "telnyx_conformance_cut_at"  # attribute set on the PreparedRequest of a cut response


class BoundedSession(ManagedCookiesSession):
    def __init__(self, max_response_bytes: int) -> None:
        super().__init__()
        self.max_response_bytes = max_response_bytes

    def request(self, *args: Any, **kwargs: Any) -> Any:
        response = super().request(*args, **kwargs)
        if kwargs.get("stream") and not _is_event_stream(response):
            read_bounded(response, self.max_response_bytes)
        return response


def read_bounded(response: Any, limit: int) -> None:
    """Read the body of a streamed `requests.Response`, stopping once it passes `limit`."""
    if response._content_consumed:
        return
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_content(CHUNK):
        total += len(chunk)
        if total > limit:
            chunks.append(chunk[: max(0, len(chunk) - (total - limit))])
            setattr(response.request, CUT_AT, total)
            response.close()  # the rest is never read
            break
        chunks.append(chunk)
    response._content = b"".join(chunks)
    response._content_consumed = True


def cut_at(request: Any) -> int | None:
    """The size at which this request's response was cut, if it was."""
    value = getattr(request, CUT_AT, None)
    return value if isinstance(value, int) else None


def _is_event_stream(response: Any) -> bool:
    return "text/event-stream" in (response.headers.get("Content-Type") or "")
