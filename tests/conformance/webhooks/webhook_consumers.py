"""Tiny loopback webhook consumers for the tests: one that verifies as it should (PyNaCl over
the raw body, 300 s either way, a replay guard by signature and event id), the same with one
mistake each, and misbehaving ones (hang, reset, garbage, redirect) on raw sockets."""

import base64
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

TOLERANCE = 300
MISTAKES = ("none", "accept-any-signature", "skip-timestamp", "reserialized-body", "accept-replays")


def _event_id(document: object) -> str | None:
    if not isinstance(document, dict):
        return None
    holder = document.get("data") if isinstance(document.get("data"), dict) else document
    value = holder.get("id")
    return value if isinstance(value, str) else None


def _fresh(timestamp: str) -> bool:
    return timestamp.isascii() and timestamp.isdigit() and abs(time.time() - int(timestamp)) <= TOLERANCE


class Verifier:
    def __init__(self, public_key: str, mistake: str = "none") -> None:
        assert mistake in MISTAKES, mistake
        self.key = VerifyKey(base64.b64decode(public_key))
        self.mistake = mistake
        self.signatures: set[str] = set()
        self.ids: set[str] = set()
        self.lock = threading.Lock()

    def status(self, headers: dict[str, str], raw: bytes) -> int:
        signature, timestamp = headers.get("telnyx-signature-ed25519"), headers.get("telnyx-timestamp")
        if signature is None or timestamp is None:
            return 401
        if self.mistake != "skip-timestamp" and not _fresh(timestamp):
            return 401
        try:
            document = json.loads(raw)
        except ValueError:
            return 400
        signed = raw
        if self.mistake == "reserialized-body":
            signed = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        if self.mistake != "accept-any-signature":
            try:
                self.key.verify(timestamp.encode() + b"|" + signed, base64.b64decode(signature))
            except (BadSignatureError, ValueError):
                return 401
        if self.mistake != "accept-replays":
            event_id = _event_id(document)
            with self.lock:
                if signature in self.signatures or (event_id is not None and event_id in self.ids):
                    return 409
                self.signatures.add(signature)
                if event_id is not None:
                    self.ids.add(event_id)
        return 200


@contextmanager
def consumer(public_key: str, mistake: str = "none") -> Iterator[str]:
    verifier = Verifier(public_key, mistake)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = verifier.status({k.lower(): v for k, v in self.headers.items()}, raw)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        yield url


@contextmanager
def _serving(server: ThreadingHTTPServer) -> Iterator[str]:
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


REPLIES = {
    "garbage": b"this is not HTTP at all\r\n\r\n",
    "redirect": b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n\r\n",
    "huge": b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n" + b"x" * (256 * 1024),
}


@contextmanager
def misbehaving(kind: str) -> Iterator[str]:
    """A raw-socket consumer that reads the request head and then stays silent, resets, answers
    garbage, redirects, or starts a 100 MB answer."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.1)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.settimeout(2)
            with suppress(OSError):
                conn.recv(65536)
            if kind == "silent":
                held.append(conn)
                continue
            if kind == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            else:
                with suppress(OSError):
                    conn.sendall(REPLIES[kind])
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        listener.close()
