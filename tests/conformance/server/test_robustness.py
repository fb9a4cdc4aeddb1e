"""Nothing a client sends crashes or wedges the reference server.

The app is driven through raw ASGI calls rather than an HTTP client: that way the fuzz can send
what clients cannot easily produce (invalid UTF-8 in paths and queries, non-Latin-1 header bytes,
bodies split across many chunks). Each call has a deadline; each answer must be a well-formed
ASGI response (one start, a status < 600, lower-case byte headers, a body whose length matches
Content-Length), and every JSON error carries Telnyx's envelope. A 500 counts as a crash: it
means an exception escaped to the server's last-resort handler.
"""

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.server.app import DEFAULT_TOKEN, ReferenceServer, ServerConfig
from conformance.server.sample_requests import BOUNDARY, build_request, store_path_values
from spec.index import SpecIndex
from spec.telnyx import documents_another_error_body

WEDGE_SECONDS = 10.0  # far above any real answer (milliseconds); a hang fails instead of stalling CI
AUTH = (b"authorization", f"Bearer {DEFAULT_TOKEN}".encode())
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")
MEDIA_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    f"multipart/form-data; boundary={BOUNDARY}",
    'multipart/form-data; boundary="un closed',
    "text/xml",
    "application/octet-stream",
    "text/plain; charset=no-such-charset",
    "application/vnd.api+json",
    "*/*",
    "",
)


# --- a raw ASGI client ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[bytes, bytes]
    body: bytes

    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass(frozen=True)
class Raw:
    """A request as the ASGI server would hand it over (path decoded, query raw bytes)."""

    method: str
    path: str
    query: bytes = b""
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    chunk: int = 0  # split the body into chunks of this size (0: one message)


def _chunks(body: bytes, size: int) -> Iterator[bytes]:
    if size <= 0 or not body:
        yield body
        return
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def call(app: ReferenceServer, request: Raw) -> Reply:
    """Run one request through the app and return its checked, well-formed reply."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "http",
        "path": request.path,
        "raw_path": quote(request.path, safe="/", errors="surrogatepass").encode(),
        "query_string": request.query,
        "root_path": "",
        "headers": list(request.headers),
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 4010),
    }
    pending = list(_chunks(request.body, request.chunk))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if pending:
            body = pending.pop(0)
            return {"type": "http.request", "body": body, "more_body": bool(pending)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await asyncio.wait_for(app(scope, receive, send), WEDGE_SECONDS)
    return well_formed(sent)


def well_formed(sent: list[dict[str, Any]]) -> Reply:
    """The reply the messages make up, asserting ASGI's rules for a complete HTTP response."""
    assert sent and sent[0]["type"] == "http.response.start", sent[:1]
    status = sent[0]["status"]
    assert isinstance(status, int) and 100 <= status < 600, status
    headers: dict[bytes, bytes] = {}
    for name, value in sent[0].get("headers", []):
        assert isinstance(name, bytes) and isinstance(value, bytes) and name == name.lower(), (name, value)
        assert b"\r" not in value and b"\n" not in value, (name, value)
        headers[name] = value
    bodies = sent[1:]
    assert bodies and all(m["type"] == "http.response.body" for m in bodies), [m["type"] for m in bodies]
    assert all(m.get("more_body", False) for m in bodies[:-1]) and not bodies[-1].get("more_body", False)
    body = b"".join(m.get("body", b"") for m in bodies)
    if b"content-length" in headers:
        assert int(headers[b"content-length"]) == len(body), (headers, len(body))
    return Reply(status, headers, body)


def assert_envelope(reply: Reply) -> list[dict[str, Any]]:
    """A 4xx/5xx JSON answer is `{"errors": [{"code": "digits", "title", "detail"}...]}`."""
    body = reply.json()
    assert isinstance(body, dict) and isinstance(body.get("errors"), list) and body["errors"], body
    for error in body["errors"]:
        assert isinstance(error.get("code"), str) and error["code"].isdigit(), error
        assert isinstance(error.get("title"), str) and isinstance(error.get("detail"), str), error
    return body["errors"]


def assert_robust(reply: Reply, app: ReferenceServer, request: Raw, checker: Any) -> None:
    """No crash (500), and every error is JSON in the envelope, or the error body the
    operation documents for that status where it documents another (OAuth's `{"error"}`)."""
    assert reply.status != 500, reply.body[:500]
    if reply.status < 400:
        return
    assert b"could not be processed" not in reply.body, reply.body[:500]  # request validation's safety net
    content_type = reply.headers.get(b"content-type", b"").decode()
    match = app.router.match(request.path)
    operation = match.operation(request.method.lower()) if match else None
    documented_otherwise = operation is not None and documents_another_error_body(app.index, operation, reply.status)
    if (
        "json" in content_type
        and isinstance(reply.json(), dict)
        and "errors" in reply.json()
        and not documented_otherwise
    ):
        assert_envelope(reply)
        return
    # the error body the operation documents for that status (siprec's integer codes, OAuth's {"error"})
    assert operation is not None, (request.method, request.path, reply.body[:300])
    verdict = checker.check(operation, reply.status, content_type, reply.body)
    assert verdict.ok, str(verdict)


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """One event loop for the module: hundreds of `asyncio.run`s would each build a new one."""
    event_loop = asyncio.new_event_loop()
    yield event_loop
    event_loop.close()


@pytest.fixture(scope="module")
def app(spec_index: SpecIndex) -> ReferenceServer:
    """One server for the whole module: state left by the fuzz is what the last test reads."""
    return ReferenceServer(spec_index, ServerConfig(seed=0))


def run(loop: asyncio.AbstractEventLoop, app: ReferenceServer, request: Raw) -> Reply:
    return loop.run_until_complete(call(app, request))


# --- the fuzz --------------------------------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24)
NASTY = st.sampled_from(["", " ", "%", "%ff", "..", "漢字é", "\x00", "[", "]", "[]", "a[b][c]", "null", "-1", "1e999"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
BRACKETS = st.sampled_from(["filter", "page", "sort", "page[size]", "page[number]", "filter[status][eq]", "filter[]"])


def _segment(template_part: str) -> st.SearchStrategy[str]:
    if template_part.startswith("{"):
        return st.one_of(NASTY, TEXT.filter(lambda s: "/" not in s), st.uuids().map(str))
    return st.just(template_part)


def _often(draw: st.DrawFn, percent: int) -> bool:
    return draw(st.integers(0, 99)) < percent


@dataclass(frozen=True)
class Target:
    """What the fuzz aims at; a short repr keeps Hypothesis from printing the whole spec."""

    index: SpecIndex
    store: Any

    def __repr__(self) -> str:
        return "Target(<shared spec>)"


@st.composite
def fuzz_requests(draw: st.DrawFn, target: Target) -> Raw:
    """A valid sample request (real route, existing ids, a body of the declared type), each of
    whose parts is replaced by something hostile with some probability: most requests get as far
    as parameter and body parsing, which is where malformed input does its damage."""
    operation = draw(st.sampled_from(target.index.operations))
    values = store_path_values(target.store, operation)
    sample = build_request(target.index, operation, seed=draw(st.integers(0, 3)), path_values=values)
    return Raw(
        _fuzz_method(draw, sample.method),
        _fuzz_path(draw, unquote(sample.path), operation.path),
        _fuzz_query(draw, sample.query_string),
        tuple(_fuzz_headers(draw, sample.headers, sample.content_type)),
        _fuzz_body(draw, sample.body),
        draw(st.sampled_from([0, 0, 1, 7])),
    )


def _fuzz_method(draw: st.DrawFn, method: str) -> str:
    if _often(draw, 85):
        return method
    return draw(st.one_of(st.sampled_from(METHODS), st.text("ABCXYZ", max_size=8)))


def _fuzz_path(draw: st.DrawFn, path: str, template: str) -> str:
    choice = draw(st.integers(0, 9))
    if choice < 6:
        return path
    if choice < 9:
        return "/v2" + "".join("/" + draw(_segment(part)) for part in template.strip("/").split("/"))
    return "/v2/" + "/".join(draw(st.lists(st.one_of(NASTY, TEXT), max_size=5)))


def _fuzz_query(draw: st.DrawFn, query: str) -> bytes:
    kept = query if _often(draw, 60) else ""
    pairs = draw(st.lists(st.tuples(st.one_of(BRACKETS, NASTY, TEXT), st.one_of(NASTY, TEXT)), max_size=5))
    hostile = "&".join(f"{quote(k, safe='[]')}={quote(v)}" for k, v in pairs)
    raw = draw(st.sampled_from([b"", b"", b"&%ff=%fe", b"&&=&", b"&filter[a][b]=%E6%BC%A2", b"&page[size]=-1"]))
    return "&".join(part for part in (kept, hostile) if part).encode() + raw


def _fuzz_headers(draw: st.DrawFn, headers: dict[str, str], content_type: str | None) -> list[tuple[bytes, bytes]]:
    out = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if not _often(draw, 95):
        out = [h for h in out if h[0] != b"authorization"]
    if _often(draw, 70) and content_type:
        out.append((b"content-type", content_type.encode()))
    else:
        media = draw(st.one_of(st.sampled_from(MEDIA_TYPES), TEXT))
        if media:
            out.append((b"content-type", media.encode()))
    extra = st.tuples(st.sampled_from([b"accept", b"x-trace", b"content-length", b"expect"]), _header_bytes())
    out.extend(draw(st.lists(extra, max_size=3)))
    return out


def _fuzz_body(draw: st.DrawFn, body: bytes) -> bytes:
    choice = draw(st.integers(0, 9))
    if choice < 3:
        return body
    if choice < 5 and body:
        cut = draw(st.integers(0, len(body)))
        return body[:cut] + draw(st.binary(max_size=8))  # truncated, with some junk after
    if choice < 7 and body.startswith(b"{"):
        return _replace_field(draw, body)
    return draw(_bodies())


def _replace_field(draw: st.DrawFn, body: bytes) -> bytes:
    """The JSON body with one top-level field set to an arbitrary JSON value."""
    value = orjson.loads(body)
    if not isinstance(value, dict) or not value:
        return body
    key = draw(st.sampled_from(sorted(value)))
    value[key] = draw(JSON_VALUES)
    return _json_text(value)


def _header_bytes() -> st.SearchStrategy[bytes]:
    return st.binary(max_size=30).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))


def _json_text(value: Any) -> bytes:
    """JSON via the stdlib: unlike orjson it writes integers beyond 64 bits and `Infinity`,
    two more things a hostile client may send."""
    return json.dumps(value).encode()


def _bodies() -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.just(b""),
        st.binary(max_size=200),
        JSON_VALUES.map(_json_text),
        st.lists(st.tuples(TEXT, TEXT), max_size=5).map(lambda p: "&".join(f"{k}={v}" for k, v in p).encode()),
        st.lists(st.tuples(TEXT, st.binary(max_size=20), st.booleans()), max_size=4).map(_multipart),
    )


def _multipart(parts: list[tuple[str, bytes, bool]]) -> bytes:
    """Multipart with our boundary; parts with and without their own Content-Type."""
    out = b""
    for name, data, typed in parts:
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n'.encode()
        out += b"Content-Type: application/octet-stream\r\n" if typed else b""
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


FUZZ = settings(  # the same 300 requests on every run (CI repeats); new ones come from tox -e fuzz
    max_examples=300,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_fuzz_never_crashes_or_wedges(
    spec_index: SpecIndex, app: ReferenceServer, loop: asyncio.AbstractEventLoop, response_checker: Any
) -> None:
    """300 hostile requests, then normal ones to the same server: the check that it is not left
    broken runs in this test rather than a later one, so no test order (or xdist) can split them."""
    target = Target(spec_index, app.store)

    @FUZZ
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        request = data.draw(fuzz_requests(target), label="request")
        assert_robust(run(loop, app, request), app, request, response_checker)

    fuzz()
    assert_normal_requests_succeed(spec_index, app, loop, response_checker)


# --- the requests that crash Prism, and the body limit ----------------------------------------------------


def _operation(index: SpecIndex, method: str, path: str) -> Any:
    return next(o for o in index.operations if o.method == method and o.path == path)


def test_multipart_parts_without_content_type_are_accepted(
    spec_index: SpecIndex, app: ReferenceServer, loop: asyncio.AbstractEventLoop
) -> None:
    """Prism crashes on a multipart part without its own Content-Type; RFC 7578 makes it text/plain."""
    operation = _operation(spec_index, "post", "/messaging_hosted_number_orders/{id}/actions/file_upload")
    request = build_request(spec_index, operation, path_values=store_path_values(app.store, operation))
    assert request.body.count(b"Content-Type: application/pdf") == 2  # the two documented file parts
    body = b"\r\n".join(line for line in request.body.split(b"\r\n") if not line.lower().startswith(b"content-type:"))
    assert b'filename="' in body and b"Content-Type" not in body
    headers = tuple((k.lower().encode(), v.encode()) for k, v in request.all_headers().items())
    reply = run(loop, app, Raw("POST", request.path, b"", headers, body))
    assert 200 <= reply.status < 300, reply.body[:500]


def test_non_latin1_in_a_validation_message(
    spec_index: SpecIndex, app: ReferenceServer, loop: asyncio.AbstractEventLoop
) -> None:
    """Prism crashes when the offending value (quoted in the message) is not Latin-1."""
    query = f"page[size]={quote('漢字é')}".encode()
    reply = run(loop, app, Raw("GET", "/v2/addresses", query, (AUTH,)))
    assert reply.status in (400, 422), reply.body
    errors = assert_envelope(reply)
    assert errors[0]["source"] == {"parameter": "page[size]"}
    assert "漢字é" in errors[0]["detail"]


@pytest.mark.parametrize("chunk", [0, 1 << 20], ids=["one-message", "1MiB-chunks"])
def test_body_over_the_limit_is_413(
    spec_index: SpecIndex, app: ReferenceServer, loop: asyncio.AbstractEventLoop, chunk: int
) -> None:
    limit = app.config.max_body_bytes
    headers = (AUTH, (b"content-type", b"application/json"))
    reply = run(loop, app, Raw("POST", "/v2/addresses", b"", headers, b" " * (limit + 1), chunk))
    assert reply.status == 413
    assert [e["code"] for e in assert_envelope(reply)] == ["10007"]


def test_body_at_a_small_configured_limit(spec_index: SpecIndex, loop: asyncio.AbstractEventLoop) -> None:
    small = ReferenceServer(spec_index, ServerConfig(max_body_bytes=64))
    headers = (AUTH, (b"content-type", b"application/json"))
    assert run(loop, small, Raw("POST", "/v2/addresses", b"", headers, b"{" + b" " * 64 + b"}", 8)).status == 413
    assert run(loop, small, Raw("POST", "/v2/addresses", b"", headers, b"{}")).status != 413


@pytest.mark.parametrize(
    "request_",
    [
        Raw("GET", unquote("/v2/addresses/%ff%00")),  # what servers hand over for invalid UTF-8
        Raw("GET", "/v2/addresses", b"page[size]=%ff%fe&filter" + b"[a]" * 200 + b"=1"),
        Raw("GET", "/v2/addresses", b"&".join(b"filter[x%d]=1" % i for i in range(2000))),
        Raw("POST", "/v2/addresses", b"", ((b"content-type", b"application/json"),), b'{"a": [' * 5000),
        Raw("POST", "/v2/addresses", b"", ((b"content-type", b"application/json; charset=\xff\xfe"),), b"{}"),
        Raw("POST", "/v2/media", b"", ((b"content-type", b"multipart/form-data; boundary=x"),), b"--x\r\nbroken"),
        Raw("POST", "/v2/oauth/token", b"", ((b"content-type", b"application/x-www-form-urlencoded"),), b"\xff=\xfe"),
        Raw("GET", "/v2/" + "a/" * 500),
    ],
    ids=[
        "invalid-utf8-path",
        "deep-filter",
        "2000-params",
        "deep-json",
        "bad-charset",
        "cut-multipart",
        "bad-form",
        "long",
    ],
)
def test_hostile_requests(
    app: ReferenceServer, loop: asyncio.AbstractEventLoop, request_: Raw, response_checker: Any
) -> None:
    request = Raw(request_.method, request_.path, request_.query, (AUTH, *request_.headers), request_.body)
    assert_robust(run(loop, app, request), app, request, response_checker)


def assert_normal_requests_succeed(
    index: SpecIndex, app: ReferenceServer, loop: asyncio.AbstractEventLoop, checker: Any
) -> None:
    """A list, a fetch of an existing record and a create still get conforming 2xx answers."""
    for method, path in (("get", "/addresses"), ("get", "/addresses/{id}"), ("post", "/addresses")):
        operation = _operation(index, method, path)
        request = build_request(index, operation, path_values=store_path_values(app.store, operation))
        headers = tuple((k.lower().encode(), v.encode()) for k, v in request.all_headers().items())
        reply = run(loop, app, Raw(request.method, request.path, request.query_string.encode(), headers, request.body))
        assert 200 <= reply.status < 300, reply.body[:500]
        verdict = checker.check(operation, reply.status, reply.headers[b"content-type"].decode(), reply.body)
        assert verdict.ok, verdict
