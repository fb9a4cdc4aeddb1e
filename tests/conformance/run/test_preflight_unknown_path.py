"""Preflight's unknown-path probe against a spec whose own templates catch every short path
(Telnyx's storage routes `/{bucketName}`, `/{bucketName}/{objectName}`): a server answering 200
there conforms (Prism does), a server answering 200 everywhere is still refused."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conformance.run.preflight import PreflightError, preflight, unknown_path
from conformance.server.routes import compile_routes
from conformance.target import Target
from spec.index import build_index

OK = {"200": {"description": "ok"}}
STORAGE = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "servers": [{"url": "https://api.example.com/v2"}],
    "security": [{"bearer": []}],
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    "paths": {
        "/addresses": {"get": {"responses": OK}},
        "/{bucketName}": {"get": {"parameters": [{"name": "bucketName", "in": "path", "required": True}],
                                  "responses": OK}},
        "/{bucketName}/{objectName}": {"get": {"responses": OK}},
    },
}  # fmt: skip


def test_the_unknown_path_is_one_no_template_of_the_spec_matches() -> None:
    index = build_index(STORAGE)
    path = unknown_path(index)
    assert path.count("/") == 3 and path.startswith("/telnyx-conformance-preflight-")
    assert not any(route.pattern.match(path) for route in compile_routes(index))
    literal_only = build_index({**STORAGE, "paths": {"/addresses": {"get": {"responses": OK}}}})
    assert unknown_path(literal_only).count("/") == 1


@contextmanager
def serving(answer_200) -> Iterator[str]:
    """A loopback server answering 200 where `answer_200(path)` says so, else 404; yields its root."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            wrong_key = "wrong" in self.headers.get("Authorization", "")
            status = 401 if wrong_key else 200 if answer_200(self.path.split("?")[0]) else 404
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def test_a_server_answering_the_specs_own_catch_all_routes_passes() -> None:
    """Like Prism at its root: 200 on every path a template of the spec matches, 404 elsewhere."""
    index = build_index(STORAGE)
    routes = compile_routes(index)
    with serving(lambda path: any(route.pattern.match(path) for route in routes)) as root:
        assert preflight(Target(root, "key", timeout=5), index) == []


def test_a_server_answering_everything_is_still_refused() -> None:
    index = build_index(STORAGE)
    with serving(lambda path: True) as root, pytest.raises(PreflightError, match="unknown paths with success"):
        preflight(Target(root, "key", timeout=5), index)
