"""conformance.target.transport: the size limit holds while reading (on the wire and decoded), one
deadline bounds each exchange, redirects are few and never carry the key to another host; the
send loop's backoff is bounded in total. Against real loopback HTTP servers (bounded: small
bodies, short timeouts), the hostile ones of `hostile_servers.py` among them."""

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from conformance.run.send import MAX_SLEEP, MAX_WAIT, send_with_backoff
from conformance.target import hostility
from conformance.target.transport import MAX_REDIRECTS, BoundedSession, cut_at
from tests.conformance.target.hostile_servers import HostileServer

BIG = 4 * 1024 * 1024
LIMIT = 256 * 1024
seen: list[dict[str, str]] = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
        if self.path == "/big":
            self._answer(200, b"x" * BIG)
        elif self.path == "/small":
            self._answer(200, b'{"data": []}')
        elif self.path.startswith("/redirect/"):
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.path.rsplit('/', 1)[1]}/stolen")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._answer(404, b"{}")

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped reading
            self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    seen.clear()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_body_over_the_limit_is_cut_while_reading(server: str) -> None:
    with BoundedSession(LIMIT) as session:
        response = session.request("GET", f"{server}/big", stream=True, timeout=5)
    assert len(response.content) == LIMIT
    assert cut_at(response.request) is not None and cut_at(response.request) > LIMIT


def test_a_body_within_the_limit_is_read_whole(server: str) -> None:
    with BoundedSession(LIMIT) as session:
        response = session.request("GET", f"{server}/small", stream=True, timeout=5)
    assert response.json() == {"data": []} and cut_at(response.request) is None


def test_a_redirect_to_another_host_is_not_followed_with_the_key(server: str) -> None:
    port = server.rsplit(":", 1)[1]  # the same server under another host name: localhost
    with BoundedSession(LIMIT) as session:
        response = session.request(
            "GET", f"{server}/redirect/{port}", headers={"Authorization": "Bearer sentinel"}, stream=True, timeout=5
        )
    assert response.status_code == 302
    assert [request["path"] for request in seen] == [f"/redirect/{port}"]  # /stolen was never asked for


# --- against the hostile servers of the catalogue (tests/conformance/target/hostile_servers.py) -----

KEY = "transport-test-key"


def _get(server: HostileServer, deadline: float = 1.0) -> Any:
    with BoundedSession(LIMIT, deadline) as session:
        return session.get(f"{server.base_url}/addresses", headers={"Authorization": f"Bearer {KEY}"}, timeout=5)


@pytest.mark.parametrize("mode", ["drip", "hang_body"])
def test_a_body_that_does_not_finish_is_cut_at_the_deadline(mode: str) -> None:
    with HostileServer(mode, key=KEY) as server:
        start = time.monotonic()
        with pytest.raises(requests.ReadTimeout) as caught:
            _get(server, deadline=1.0)
        assert time.monotonic() - start < 2.5  # the deadline, not the per-read timeout of 5 s
    assert caught.value.response is not None and caught.value.response.status_code == 200  # the head came
    assert "deadline" in str(caught.value)


def test_a_flood_of_informational_answers_ends_at_the_deadline() -> None:
    with HostileServer("informational_flood", key=KEY) as server:
        start = time.monotonic()
        with pytest.raises(requests.ReadTimeout):
            _get(server, deadline=1.0)
        assert time.monotonic() - start < 2.5


def test_a_gzip_bomb_is_decoded_up_to_the_limit_only() -> None:
    before = hostility.counts().get(hostility.DECOMPRESSION_BOMB, 0)
    with HostileServer("gzip_bomb", key=KEY) as server:
        response = _get(server, deadline=10.0)
    assert len(response.content) == LIMIT
    size = cut_at(response.request)
    assert size is not None and size > LIMIT
    assert hostility.counts()[hostility.DECOMPRESSION_BOMB] == before + 1


def test_a_redirect_loop_is_followed_five_times_then_judged() -> None:
    with HostileServer("redirect_loop", key=KEY) as server:
        response = _get(server)
    assert response.status_code == 302 and len(response.history) == MAX_REDIRECTS
    assert server.stats.max_hop == MAX_REDIRECTS and server.stats.requests == MAX_REDIRECTS + 1


def test_a_redirect_off_the_host_is_not_followed() -> None:
    with HostileServer("redirect_off_host", key=KEY) as server:
        response = _get(server)
    assert response.status_code == 302 and server.stats.recorded == []


def test_the_backoff_gives_up_within_its_budget() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    response, limited = send_with_backoff(
        lambda: 429, lambda r: r, lambda r: {"retry-after": ["3600"]}, sleep=sleep, clock=lambda: now[0]
    )
    assert limited and response == 429
    assert sum(slept) <= MAX_WAIT and all(s <= MAX_SLEEP for s in slept)


def test_the_hostility_record_counts_known_kinds_only() -> None:
    record = hostility.Hostility()
    record.note(hostility.SLOW_BODY, "3 bytes in 2 s")
    record.note(hostility.SLOW_BODY)
    record.note(hostility.HANG)
    assert record.counts() == {"hang": 1, "slow_body": 2}  # in the order of KINDS
    assert record.detail(hostility.SLOW_BODY) == "3 bytes in 2 s"
    assert record.since({"hang": 1}) == {"slow_body": 2}
    with pytest.raises(ValueError, match="unknown"):
        record.note("teapot")


def test_an_event_stream_read_by_its_caller_ends_at_the_limit() -> None:
    """schemathesis reads an event stream itself (`raw.read1`): the bytes are bounded all the same."""
    with HostileServer("event_stream_flood", key=KEY) as server, BoundedSession(LIMIT, 10.0) as session:
        response = session.get(f"{server.base_url}/addresses", headers={"Authorization": f"Bearer {KEY}"}, stream=True)
        total = 0
        while chunk := response.raw.read1(65536, decode_content=True):
            total += len(chunk)
        response.close()
    assert total == LIMIT
    size = cut_at(response.request)
    assert size is not None and size > LIMIT
