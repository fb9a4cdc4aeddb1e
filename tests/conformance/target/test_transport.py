"""conformance.target.transport: the size limit holds while reading, and redirects never carry the
key to another host. Against real loopback HTTP servers (bounded: small bodies, short timeouts)."""

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conformance.target.transport import BoundedSession, cut_at

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
