"""`webhooks listen`: a loopback receiver that checks every delivery a target sends it.

An ASGI application under uvicorn (httptools parses the requests; malformed HTTP is answered
400 by it, never reaching the checks). Bounded everywhere: a body is read up to `max_body`
bytes (larger: 413, recorded as a delivery whose body was cut), within `read_timeout`; uvicorn's
`limit_concurrency` answers 503 past that many open requests (a flood waits in the listen
backlog, then is refused, never queued without bound); the records kept for the report stop
at `MAX_RECORDS` (the totals go on counting). Every POST, to any path, is a delivery; other
methods get 405 and are not counted.
"""

import asyncio
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.server.serve import bind
from conformance.webhooks.checks import Inspection, Received, Seen, SinkContext, inspect

MAX_BODY = 1024 * 1024
READ_TIMEOUT = 10.0
MAX_RECORDS = 10_000
MAX_CONCURRENCY = 256


@dataclass(frozen=True)
class Record:
    n: int
    received: Received
    inspection: Inspection
    elapsed: float  # seconds spent checking


@dataclass
class Stop:
    """When the sink stops: after `count` deliveries, after `duration` seconds, or on a signal."""

    count: int | None = None
    duration: float | None = None


@dataclass
class Log:
    """What the sink received: the first MAX_RECORDS records, and counts of all."""

    records: list[Record] = field(default_factory=list)
    total: int = 0
    failed: int = 0
    limit: int = MAX_RECORDS

    def add(self, record: Record) -> None:
        self.total += 1
        self.failed += not record.inspection.ok
        if len(self.records) < self.limit:
            self.records.append(record)


class SinkApp:
    def __init__(
        self,
        context: SinkContext,
        on_record: Callable[[Record], None],
        max_body: int = MAX_BODY,
        read_timeout: float = READ_TIMEOUT,
        limit: int | None = None,
    ) -> None:
        self.context = context
        self.limit = limit  # deliveries taken; those after it are answered 503, not counted
        self.on_record = on_record
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.seen = Seen()
        self.count = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        if scope.get("method") != "POST":
            await _answer(send, 405, b'{"error":"webhooks are POSTed"}', [(b"allow", b"POST")])
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        try:
            async with asyncio.timeout(self.read_timeout):
                body, cut = await _read(receive, self.max_body)
        except TimeoutError:
            await _answer(send, 408, b'{"error":"the body did not arrive in time"}')
            return
        if body is None:
            return  # the client went away
        if self.limit is not None and self.count >= self.limit:
            await _answer(send, 503, b'{"error":"the sink has taken its --count of deliveries"}')
            return
        received = Received(headers, body, time.time(), cut)
        started = time.perf_counter()
        inspection = inspect(received, self.context, self.seen)
        self.count += 1
        self.on_record(Record(self.count, received, inspection, time.perf_counter() - started))
        await _answer(send, inspection.status, b'{"ok":true}' if inspection.ok else _problem(inspection))


async def _read(receive: Any, limit: int) -> tuple[bytes | None, bool]:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None, False
        chunk = message.get("body", b"")
        if size + len(chunk) > limit:
            chunks.append(chunk[: limit - size])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _problem(inspection: Inspection) -> bytes:
    import orjson

    failures = [r.as_dict() | {"check": r.check} for r in inspection.results if r.outcome == "failed"]
    return orjson.dumps({"errors": failures})


async def _answer(send: Any, status: int, body: bytes, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(extra or [])]
    if status in (408, 413):  # the rest of the body is not read: the connection cannot be reused
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def listen(
    context: SinkContext,
    host: str,
    port: int,
    stop: Stop,
    on_ready: Callable[[str], None],
    on_record: Callable[[Record], None],
    max_body: int = MAX_BODY,
) -> Log:
    """Serve until `stop`; the log of what was received. Raises OSError when the address cannot
    be bound. SIGINT and SIGTERM end the sink cleanly (the caller still writes its reports)."""
    sock = bind(host, port)
    log = Log()

    def record(found: Record) -> None:
        log.add(found)
        on_record(found)

    app = SinkApp(context, record, max_body=max_body, limit=stop.count)
    previous = _quiet_signals()
    try:
        asyncio.run(_serve(app, sock, stop, on_ready))
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        sock.close()
    return log


async def _serve(app: SinkApp, sock: Any, stop: Stop, on_ready: Callable[[str], None]) -> None:
    import uvicorn

    config = uvicorn.Config(
        app,
        log_level="critical",
        access_log=False,
        lifespan="off",
        limit_concurrency=MAX_CONCURRENCY,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,
    )
    server = uvicorn.Server(config)

    async def watch() -> None:
        while not server.started and not server.should_exit:
            await asyncio.sleep(0.01)
        if server.started:
            host, port = sock.getsockname()[:2]
            on_ready(f"http://{f'[{host}]' if ':' in host else host}:{port}/")
        deadline = None if stop.duration is None else time.monotonic() + stop.duration
        while not server.should_exit:
            if stop.count is not None and app.count >= stop.count:
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.02)
        server.should_exit = True

    watcher = asyncio.ensure_future(watch())
    try:
        await server.serve(sockets=[sock])
    finally:
        watcher.cancel()


@dataclass
class Running:
    """A sink serving in a thread of its own (the run's): its URL, and what it received so far."""

    url: str
    log: Log
    server: Any  # uvicorn.Server
    thread: threading.Thread

    def settle(self, quiet: float, limit: float) -> None:
        """Wait until no delivery arrived for `quiet` seconds, or `limit` seconds in all."""
        deadline, last, seen = time.monotonic() + limit, time.monotonic(), self.log.total
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if self.log.total != seen:
                last, seen = time.monotonic(), self.log.total
            elif time.monotonic() - last >= quiet:
                return

    def stop(self, timeout: float = 10.0) -> Log:
        self.server.should_exit = True
        self.thread.join(timeout)
        return self.log


def start(context: SinkContext, host: str = "127.0.0.1", port: int = 0, timeout: float = 30.0) -> Running:
    """A sink on `host:port` in a daemon thread, returned once it accepts connections; raises
    OSError when the address cannot be bound or it did not start within `timeout`."""
    import uvicorn

    sock = bind(host, port)
    log = Log()
    app = SinkApp(context, log.add)
    config = uvicorn.Config(
        app, log_level="critical", access_log=False, lifespan="off", limit_concurrency=MAX_CONCURRENCY
    )
    server = uvicorn.Server(config)  # off the main thread, uvicorn leaves the signals to the run

    def main() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        finally:
            sock.close()

    thread = threading.Thread(target=main, name="webhook-sink", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise OSError(f"the webhook sink did not start on {host}:{port}")
        time.sleep(0.01)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    return Running(f"http://{shown}:{bound_port}/", log, server, thread)


def _quiet_signals() -> dict[int, Any]:
    """uvicorn stops on SIGINT/SIGTERM and then raises the signal again against the handler
    installed before it: a no-op there lets `listen` return its log instead of dying."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {number: signal.signal(number, lambda signum, frame: None) for number in (signal.SIGINT, signal.SIGTERM)}
