"""The HTTP session every request to the target goes through: schemathesis' own session, bounded
so that no answer, however hostile, costs more than the run allows.

- Size: the body is read in chunks, decoded as it comes (gzip, deflate... through urllib3's
  bounded decoder), and cut once either the bytes on the wire or the decoded bytes pass the
  limit: the connection is dropped, the kept prefix is what checks see, and the request is
  marked with the size seen so `response_size_limit` reports it. A decompression bomb never
  expands past the limit in memory.
- Time: one deadline per exchange (connect, response head, body, and any redirect hops), the
  request's timeout: every read from the socket waits at most what is left of it, so neither
  a body dripping a byte a second nor an endless flood of `100 Continue` outlives it. A body
  that misses it raises `requests.ReadTimeout` (its `response` attribute holds the head).
- Redirects: at most `MAX_REDIRECTS`, and only within the host (so the Authorization header
  never reaches another one); a redirect not followed is the answer under test.

What the target did is noted in `conformance.target.hostility`. An event stream asked for as a
stream is left to its reader (schemathesis reads the events as they come, under its own time and
event bounds), its bytes bounded all the same (`BoundedRaw`).
"""

import io
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.client import HTTPException, IncompleteRead, RemoteDisconnected
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.exceptions import InvalidHeader
from schemathesis.transport.requests import ManagedCookiesSession
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    DecodeError,
    HeaderParsingError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from conformance.target import hostility

CHUNK = 64 * 1024
MAX_REDIRECTS = 5  # hops followed per exchange; the answer after the last one is the one judged
FALLBACK_DEADLINE = 30.0  # seconds, for a request sent without any timeout
CUT_AT = "telnyx_conformance_cut_at"  # attribute set on the PreparedRequest of a cut response


@dataclass
class Exchange:
    """One request and its answer, redirects included, on this thread."""

    deadline: float  # time.monotonic() by which the exchange is over
    budget: float  # seconds it was given
    follow: bool  # redirects are followed (not the answer under test)
    hops: int = 0
    expired: bool = False  # a read was refused or timed out because the deadline passed


_LOCAL = threading.local()


def current() -> Exchange | None:
    return getattr(_LOCAL, "exchange", None)


class BoundedSession(ManagedCookiesSession):
    """`max_response_bytes` per answer (on the wire and decoded), `deadline` seconds per exchange
    (None: the request's own timeout), `MAX_REDIRECTS` same-host hops."""

    def __init__(self, max_response_bytes: int, deadline: float | None = None) -> None:
        super().__init__()
        self.max_response_bytes = max_response_bytes
        self.deadline = deadline
        adapter = BoundedAdapter(self)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def send(self, request: Any, **kwargs: Any) -> Any:
        exchange = current()
        if exchange is not None:  # a redirect hop: part of the exchange that led here
            exchange.hops += 1
            return super().send(request, **kwargs)
        budget = self.deadline if self.deadline is not None else _seconds(kwargs.get("timeout"))
        exchange = Exchange(time.monotonic() + budget, budget, follow=kwargs.get("allow_redirects", True))
        _LOCAL.exchange = exchange
        try:
            response = super().send(request, **kwargs)
        finally:
            _LOCAL.exchange = None
        if exchange.follow and response.is_redirect:
            _note_unfollowed(response, exchange)
        return response

    def get_redirect_target(self, resp: Any) -> str | None:
        target = requests.Session.get_redirect_target(self, resp)
        if target is None:
            return None
        # Same rule `requests` uses to decide whether credentials may follow a redirect.
        if self.should_strip_auth(resp.url, urljoin(resp.url, target)):
            return None
        exchange = current()
        if exchange is not None and exchange.hops >= MAX_REDIRECTS:
            return None
        return target


def _note_unfollowed(response: Any, exchange: Exchange) -> None:
    location = urljoin(response.url, response.headers.get("Location", ""))
    if exchange.hops >= MAX_REDIRECTS:
        hostility.note(hostility.REDIRECT_LOOP, f"{exchange.hops} redirects followed, still redirected")
    else:
        hostility.note(hostility.REDIRECT_OFF_HOST, urlsplit(location).netloc or location[:100])


def _seconds(timeout: Any) -> float:
    if isinstance(timeout, int | float):
        return float(timeout)
    if isinstance(timeout, tuple):
        return float(sum(t for t in timeout if isinstance(t, int | float))) or FALLBACK_DEADLINE
    return FALLBACK_DEADLINE


class BoundedAdapter(HTTPAdapter):
    """Connections whose sockets keep the exchange's deadline; every answer read bounded."""

    def __init__(self, session: BoundedSession) -> None:
        self.session = session
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        _use_deadline_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        _use_deadline_pools(manager)
        return manager

    def send(self, request: Any, stream: bool = False, *args: Any, **kwargs: Any) -> Any:
        try:
            response = super().send(request, stream, *args, **kwargs)
        except requests.RequestException as exc:
            _note_failure(exc, head=False)
            raise
        limit = self.session.max_response_bytes
        if stream and _is_event_stream(response):
            # The caller reads the events as they come (schemathesis, under its own time and
            # event bounds): the bytes are bounded as they are read.
            response.raw = BoundedRaw(response.raw, limit, response.request)
            return response
        try:
            read_bounded(response, limit)
        except requests.RequestException as exc:
            _note_failure(exc, head=True)
            raise
        return response


def _use_deadline_pools(manager: Any) -> None:
    if hasattr(manager, "pool_classes_by_scheme"):
        manager.pool_classes_by_scheme = {"http": DeadlineHTTPConnectionPool, "https": DeadlineHTTPSConnectionPool}


def _note_failure(exc: BaseException, *, head: bool) -> None:
    kind = failure_kind(exc, head=head)
    if kind is not None:
        hostility.note(kind, _failure_detail(exc, kind, head))


def failure_kind(exc: BaseException, *, head: bool) -> str | None:
    """What a failed exchange showed of the target (`head`: its response head had arrived), as a
    `conformance.target.hostility` kind; None for an unreachable target (nobody there)."""
    if isinstance(exc, requests.ConnectTimeout):
        return None
    if isinstance(exc, requests.Timeout):
        return hostility.SLOW_BODY if head else hostility.HANG
    causes = list(_causes(exc))
    if any(isinstance(e, NewConnectionError | NameResolutionError) for e in causes):
        return None
    if any(isinstance(e, RemoteDisconnected | ConnectionError | IncompleteRead) for e in causes):
        return hostility.RESET
    if any(isinstance(e, HTTPException | HeaderParsingError | InvalidHeader) for e in causes):
        return hostility.GARBAGE
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        return hostility.RESET
    return None


def _failure_detail(exc: BaseException, kind: str, head: bool) -> str:
    if kind in (hostility.HANG, hostility.SLOW_BODY):
        exchange = current()
        return "deadline" if exchange is not None and exchange.expired else "read timeout"
    if kind == hostility.GARBAGE:
        unreadable = (e for e in _causes(exc) if isinstance(e, HTTPException | HeaderParsingError | InvalidHeader))
        return type(next(unreadable, exc)).__name__
    return "in the body" if head else "before the answer"


def _causes(exc: BaseException, depth: int = 0) -> Iterator[BaseException]:
    """`exc` and what it wraps (requests wraps urllib3's errors, which wrap http.client's)."""
    yield exc
    if depth > 6:
        return
    inner = [*exc.args, getattr(exc, "reason", None), exc.__cause__, exc.__context__]
    for item in inner:
        if isinstance(item, BaseException) and item is not exc:
            yield from _causes(item, depth + 1)


def read_bounded(response: Any, limit: int) -> None:
    """Read the body of a streamed `requests.Response`, decoding as it comes, and stop once the
    bytes read or the bytes decoded pass `limit` (the request is then marked with the size)."""
    if response._content_consumed:
        return
    raw = response.raw
    chunks: list[bytes] = []
    total = 0
    try:
        while chunk := raw.read(CHUNK, decode_content=True):
            total += len(chunk)
            wire = raw.tell()
            if total > limit or wire > limit:
                chunks.append(chunk[: max(0, len(chunk) - (total - limit))])
                setattr(response.request, CUT_AT, max(total, wire))
                encoded = bool(response.headers.get("Content-Encoding")) and wire <= limit
                kind = hostility.DECOMPRESSION_BOMB if encoded else hostility.OVERSIZED
                hostility.note(kind, f"{wire} bytes on the wire, {total} decoded")
                response.close()  # the rest is never read
                break
            chunks.append(chunk)
    except (ReadTimeoutError, TimeoutError) as exc:
        came = raw.tell()
        response.close()
        exchange = current()
        if exchange is not None and exchange.expired:
            message = f"the body did not arrive within the {exchange.budget:g} s deadline ({came} bytes came)"
            raise requests.ReadTimeout(message, request=response.request, response=response) from exc
        raise requests.ReadTimeout(exc, request=response.request, response=response) from exc
    except SSLError as exc:
        response.close()
        raise requests.exceptions.SSLError(exc, request=response.request, response=response) from exc
    except DecodeError as exc:
        response.close()
        raise requests.exceptions.ContentDecodingError(exc, request=response.request, response=response) from exc
    except (ProtocolError, HTTPError, HTTPException, OSError) as exc:
        response.close()
        raise requests.exceptions.ChunkedEncodingError(exc, request=response.request, response=response) from exc
    response._content = b"".join(chunks)
    response._content_consumed = True


class BoundedRaw:
    """A response's raw stream that ends once `limit` bytes (decoded, or on the wire) were read;
    the request is then marked with the size seen, as `read_bounded` does."""

    def __init__(self, raw: Any, limit: int, request: Any) -> None:
        self._raw, self._limit, self._request = raw, limit, request
        self._seen = 0
        self._done = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def read1(self, amt: int | None = None, decode_content: bool | None = None) -> bytes:
        return b"" if self._done else self._bounded(self._raw.read1(amt, decode_content=decode_content))

    def read(self, amt: int | None = None, decode_content: bool | None = None, **kwargs: Any) -> bytes:
        return b"" if self._done else self._bounded(self._raw.read(amt, decode_content=decode_content, **kwargs))

    def stream(self, amt: int | None = CHUNK, decode_content: bool | None = None) -> Iterator[bytes]:
        while data := self.read(amt, decode_content=decode_content):
            yield data

    def _bounded(self, data: bytes) -> bytes:
        self._seen += len(data)
        wire = self._raw.tell()
        if self._seen <= self._limit and wire <= self._limit:
            return data
        self._done = True
        setattr(self._request, CUT_AT, max(self._seen, wire))
        hostility.note(hostility.OVERSIZED, f"{wire} bytes of an event stream")
        self._raw.close()
        return data[: max(0, len(data) - (self._seen - self._limit))]


def cut_at(request: Any) -> int | None:
    """The size at which this request's response was cut, if it was."""
    value = getattr(request, CUT_AT, None)
    return value if isinstance(value, int) else None


def _is_event_stream(response: Any) -> bool:
    return "text/event-stream" in (response.headers.get("Content-Type") or "")


# --- the deadline at the socket ----------------------------------------------------------------------


class _DeadlineSocket:
    """A connection's socket whose every read waits no longer than what is left of the current
    exchange's deadline (and no longer than the socket's own timeout). http.client reads the
    response head and body through `makefile("rb")`, so every byte comes through `recv_into`."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._timeout = sock.gettimeout()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def settimeout(self, value: float | None) -> None:
        self._timeout = value
        self._sock.settimeout(value)

    def gettimeout(self) -> float | None:
        return self._timeout

    def makefile(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode != "rb":
            return self._sock.makefile(mode, *args, **kwargs)
        self._sock._io_refs += 1  # type: ignore[attr-defined]  # as socket.makefile does
        return io.BufferedReader(socket.SocketIO(self, "rb"))  # type: ignore[arg-type]

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        exchange = current()
        if exchange is None:
            return self._sock.recv_into(buffer, nbytes, flags)
        left = exchange.deadline - time.monotonic()
        if left <= 0:
            exchange.expired = True
            raise TimeoutError("the exchange's deadline passed")
        self._sock.settimeout(left if self._timeout is None else min(self._timeout, left))
        try:
            return self._sock.recv_into(buffer, nbytes, flags)
        except TimeoutError:
            if time.monotonic() >= exchange.deadline - 0.05:
                exchange.expired = True
            raise
        finally:
            self._sock.settimeout(self._timeout)


class DeadlineHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        if isinstance(self.sock, socket.socket):
            self.sock = _DeadlineSocket(self.sock)  # type: ignore[assignment]


class DeadlineHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        if isinstance(self.sock, socket.socket):
            self.sock = _DeadlineSocket(self.sock)  # type: ignore[assignment]


class DeadlineHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = DeadlineHTTPConnection


class DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = DeadlineHTTPSConnection


def bound_sessionless_sends(max_response_bytes: int, deadline: float | None) -> Callable[[], None]:
    """Give the run's bounds to the requests schemathesis sends without the run's session.

    Some checks send their own request and strip the session on purpose (`ignored_auth` sends
    its probe without credentials); schemathesis then builds a fresh `SameHostRedirectsSession`
    per request, which reads any body whole. Made a fresh `BoundedSession` with the run's limit
    and deadline instead (still without the run's headers or cookies). Returns the undo."""
    import schemathesis.transport.requests as module

    original = module.SameHostRedirectsSession

    class RunSession(BoundedSession):
        def __init__(self) -> None:
            super().__init__(max_response_bytes, deadline)

    module.SameHostRedirectsSession = RunSession  # type: ignore[misc]

    def undo() -> None:
        module.SameHostRedirectsSession = original  # type: ignore[misc]

    return undo
