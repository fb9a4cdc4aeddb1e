"""Hostile HTTP targets on 127.0.0.1: one small coroutine per way a server can misbehave.

`HostileServer(mode, key=..., after_preflight=...)` serves on a free loopback port from an
asyncio loop in a daemon thread. Until it turns hostile it answers plausibly, like the Telnyx
API would: 404 under the preflight's unknown path, 401 without the key, else a 200 with an
empty list. With `after_preflight` it turns hostile only once the preflight has passed (the
preflight's last probe is the one with a wrong key); without it, from the first request.

Where a hostile answer still has a status line (a dripping or huge body, a gzip bomb...), the
status is the plausible one, so the preflight can pass and the run meets the hostility too.
Nothing big is ever stored: bodies are generated as they are written, and every answer stops
when the client hangs up or after `HOLD` seconds.
"""

import asyncio
import contextlib
import socket
import struct
import threading
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import orjson

HOLD = 90.0  # seconds an answer that never ends is kept up at most
WRONG_KEY_PREFIX = "Bearer telnyx-conformance-wrong-"  # the preflight's refused-key probe
PREFLIGHT_PATH = "telnyx-conformance-preflight"  # the preflight's unknown path
GIB = 1024**3
MIB = 1024**2
LIST = {"data": [], "meta": {"page_number": 1, "page_size": 20, "total_pages": 0, "total_results": 0}}
RATE_HEADERS = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "99", "X-RateLimit-Reset": "60"}
DIES_AFTER = {False: 1, True: 3}  # answers before `dies` dies: from the start, or after the preflight


@dataclass
class Request:
    method: str
    target: str  # the request target: path and query
    headers: dict[str, str]


@dataclass
class Exchange:
    """One request being answered: what hostile coroutines need."""

    server: "HostileServer"
    request: Request
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def plausible(self) -> tuple[int, bytes]:
        """The status and body a conforming target would answer with."""
        if PREFLIGHT_PATH in self.request.target:
            return 404, _error("10005", "Resource not found")
        if self.request.headers.get("authorization") != f"Bearer {self.server.key}":
            return 401, _error("10009", "Authentication failed")
        return 200, orjson.dumps(LIST)

    async def head(self, status: int, headers: dict[str, str] | None = None) -> None:
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Whatever')}"]
        all_headers = {"Content-Type": "application/json", "Connection": "close", **RATE_HEADERS, **(headers or {})}
        lines += [f"{name}: {value}" for name, value in all_headers.items()]
        await self.send(("\r\n".join(lines) + "\r\n\r\n").encode())

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()

    async def hold(self, seconds: float = HOLD) -> None:
        """Keep the connection up, answering nothing, until the client hangs up."""
        with contextlib.suppress(TimeoutError, ConnectionError):
            await asyncio.wait_for(_until_eof(self.reader), seconds)


async def _until_eof(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass


def _error(code: str, title: str) -> bytes:
    return orjson.dumps({"errors": [{"code": code, "title": title, "detail": title}]})


_REASONS = {200: "OK", 302: "Found", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests"}

Mode = Callable[[Exchange], Awaitable[None]]
MODES: dict[str, Mode] = {}
# What each mode does, for the catalogue's docs and the benchmark table.
DESCRIPTIONS: dict[str, str] = {}


def mode(name: str, description: str) -> Callable[[Mode], Mode]:
    def register(function: Mode) -> Mode:
        MODES[name] = function
        DESCRIPTIONS[name] = description
        return function

    return register


@mode("hang_headers", "reads the request, never answers")
async def hang_headers(ex: Exchange) -> None:
    await ex.hold()


@mode("hang_body", "sends the head and 10 of 1,000 body bytes, then nothing")
async def hang_body(ex: Exchange) -> None:
    status, _ = ex.plausible()
    await ex.head(status, {"Content-Length": "1000"})
    await ex.send(b'{"data": [')
    await ex.hold()


@mode("drip", "sends the body at 1 byte/s")
async def drip(ex: Exchange) -> None:
    status, body = ex.plausible()
    body = body[:-1] + b" " * 10_000 + b"}"
    await ex.head(status, {"Content-Length": str(len(body))})
    for position in range(len(body)):
        await ex.send(body[position : position + 1])
        await asyncio.sleep(1.0)


@mode("reset", "reads the request, then resets the connection (RST)")
async def reset(ex: Exchange) -> None:
    sock = ex.writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    ex.writer.transport.abort()


@mode("garbage", "answers bytes that are not HTTP")
async def garbage(ex: Exchange) -> None:
    await ex.send(b"\x16\x03\x01\x02\x00 SSH-2.0-OpenSSH \xff\xfe\x00\r\n\r\n" + bytes(range(256)) * 8)


@mode("huge_body", "a 200 with a 2 GiB body, generated as it is sent")
async def huge_body(ex: Exchange) -> None:
    status, _ = ex.plausible()
    await ex.head(status, {"Content-Length": str(2 * GIB)})
    chunk = b"0" * MIB
    for _ in range(2 * GIB // MIB):
        await ex.send(chunk)


@mode("event_stream_flood", "a text/event-stream of 2 GiB that never completes an event")
async def event_stream_flood(ex: Exchange) -> None:
    status, _ = ex.plausible()
    await ex.head(status, {"Content-Type": "text/event-stream"})  # no length: until the connection ends
    await ex.send(b"data: ")
    chunk = b"x" * MIB
    for _ in range(2 * GIB // MIB):
        await ex.send(chunk)


@mode("length_over", "Content-Length 1,000 and a 12-byte body, then the connection closes")
async def length_over(ex: Exchange) -> None:
    status, _ = ex.plausible()
    await ex.head(status, {"Content-Length": "1000"})
    await ex.send(b'{"data": []}')


@mode("length_under", "Content-Length 10 and a longer body")
async def length_under(ex: Exchange) -> None:
    status, body = ex.plausible()
    await ex.head(status, {"Content-Length": "10"})
    await ex.send(body + b" trailing bytes the length does not count")


async def _body(ex: Exchange, body: bytes) -> None:
    status, plausible = ex.plausible()
    body = body if status == 200 else plausible
    await ex.head(status, {"Content-Length": str(len(body))})
    await ex.send(body)


@mode("invalid_utf8", "a JSON body with bytes that are not UTF-8")
async def invalid_utf8(ex: Exchange) -> None:
    await _body(ex, b'{"data": [{"id": "\xff\xfe\xfd", "record_type": "\xc3\x28"}], "meta": {}}')


@mode("nan", "a JSON body with NaN and Infinity literals")
async def nan(ex: Exchange) -> None:
    await _body(ex, b'{"data": [{"id": NaN, "x": Infinity, "y": -Infinity}], "meta": {"total_results": NaN}}')


@mode("deep_nesting", "a JSON body nested 100,000 deep")
async def deep_nesting(ex: Exchange) -> None:
    await _body(ex, b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")


def gzip_blocks() -> tuple[bytes, bytes]:
    """The first and every later block of a gzip stream of zeros, 1 MiB of them per block. Each
    block ends with a full flush, so the later ones are byte for byte the same: a 10 GiB stream
    is one small block written 10,240 times (its trailer is never reached)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MIB)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    return first, block


@mode("gzip_bomb", "Content-Encoding gzip: ~10 MiB on the wire expanding to 10 GiB")
async def gzip_bomb(ex: Exchange) -> None:
    status, _ = ex.plausible()
    first, block = gzip_blocks()
    await ex.head(status, {"Content-Encoding": "gzip"})  # no length: the body ends when the connection does
    await ex.send(first)
    for _ in range(10 * 1024 - 1):
        await ex.send(block)


@mode("redirect_off_host", "302 to another host (a recorder notes whether the key came along)")
async def redirect_off_host(ex: Exchange) -> None:
    location = f"http://localhost:{ex.server.recorder_port}/v2/addresses"
    await ex.head(302, {"Location": location, "Content-Length": "0"})


@mode("redirect_loop", "302 to itself, forever")
async def redirect_loop(ex: Exchange) -> None:
    path, _, query = ex.request.target.partition("?")
    hop = int(query.rpartition("hop=")[2] or 0) if "hop=" in query else 0
    ex.server.stats.max_hop = max(ex.server.stats.max_hop, hop)
    await ex.head(302, {"Location": f"{path}?hop={hop + 1}", "Content-Length": "0"})


@mode("header_flood", "a 200 with 100,000 headers")
async def header_flood(ex: Exchange) -> None:
    status, body = ex.plausible()
    await ex.send(f"HTTP/1.1 {status} OK\r\nContent-Length: {len(body)}\r\n".encode())
    for start in range(0, 100_000, 5_000):
        await ex.send(b"".join(b"X-Flood-%d: x\r\n" % i for i in range(start, start + 5_000)))
    await ex.send(b"\r\n" + body)


@mode("informational_flood", "100 Continue after 100 Continue, never a final answer")
async def informational_flood(ex: Exchange) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + HOLD
    while loop.time() < end:
        await ex.send(b"HTTP/1.1 100 Continue\r\n\r\n" * 1000)
        await asyncio.sleep(0.01)


@mode("rate_limited", "429 with Retry-After: 3600, always")
async def rate_limited(ex: Exchange) -> None:
    body = _error("10011", "Too many requests")
    await ex.head(429, {"Retry-After": "3600", "Content-Length": str(len(body))})
    await ex.send(body)


@mode("dies", "answers a few requests plausibly, then stops listening and drops every connection")
async def dies(ex: Exchange) -> None:
    if ex.server.dying_answers > 0:
        ex.server.dying_answers -= 1
        status, body = ex.plausible()
        await ex.head(status, {"Content-Length": str(len(body))})
        await ex.send(body)
        return
    ex.server.die()
    ex.writer.transport.abort()


# --- the server ---------------------------------------------------------------------------------------


@dataclass
class Stats:
    requests: int = 0  # every request read, plausible or hostile
    hostile: int = 0  # those answered by the mode
    max_hop: int = 0  # redirect_loop: the most redirects one exchange followed
    recorded: list[dict[str, str]] = field(default_factory=list)  # requests the off-host recorder got


class HostileServer:
    """`with HostileServer("drip", key=KEY, after_preflight=True) as server: server.base_url`"""

    def __init__(self, mode_name: str, *, key: str, after_preflight: bool = False) -> None:
        self.mode = MODES[mode_name]
        self.mode_name = mode_name
        self.key = key
        self.after_preflight = after_preflight
        self.hostile = not after_preflight
        self.dying_answers = DIES_AFTER[after_preflight]
        self.stats = Stats()
        self.port = 0
        self.recorder_port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.Server] = []
        self._writers: set[asyncio.StreamWriter] = set()
        self._dead = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2"

    def __enter__(self) -> "HostileServer":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _start(self) -> None:
        main = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        recorder = await asyncio.start_server(self._record, "127.0.0.1", 0)
        self._servers = [main, recorder]
        self.port = main.sockets[0].getsockname()[1]
        self.recorder_port = recorder.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        for server in self._servers:
            server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def die(self) -> None:
        """Stop listening and drop every connection (from the loop's thread)."""
        self._dead = True
        self._servers[0].close()
        for writer in list(self._writers):
            writer.transport.abort()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            request = await _read_request(reader)
            if request is None or self._dead:
                return
            self.stats.requests += 1
            exchange = Exchange(self, request, reader, writer)
            if self.hostile:
                self.stats.hostile += 1
                await self.mode(exchange)
            else:
                status, body = exchange.plausible()
                await exchange.head(status, {"Content-Length": str(len(body))})
                await exchange.send(body)
                if request.headers.get("authorization", "").startswith(WRONG_KEY_PREFIX):
                    self.hostile = True  # the preflight's last probe: the run starts now
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        except asyncio.CancelledError:  # stopping: end quietly (asyncio 3.11 logs a cancelled handler)
            pass
        finally:
            self._writers.discard(writer)
            writer.transport.abort()

    async def _record(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """The other host of `redirect_off_host`: notes what came, answers 200."""
        try:
            request = await _read_request(reader)
            if request is not None:
                self.stats.recorded.append({"target": request.target, **request.headers})
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            writer.transport.abort()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    """A request head (and its body, read and dropped), or None when the client sent nothing."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = [*lines[0].split(" "), "", ""][:3]
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    if length:
        await reader.readexactly(min(length, 16 * MIB))
    return Request(method, target, headers) if method else None


# --- a run against one of them, measured ------------------------------------------------------------


@dataclass
class Measured:
    """One `telnyx-conformance run` against a hostile server."""

    mode: str
    after_preflight: bool
    exit_code: int
    wall: float  # seconds
    peak_rss_mb: float  # of the run process (ru_maxrss of that one child)
    requests: int  # the server's count, preflight included
    stats: Stats
    stdout: str
    stderr: str

    @property
    def name(self) -> str:
        return f"{self.mode}@preflight" if self.after_preflight else self.mode


RUN_ARGS = ["--include-operation-id", "FindAddresses", "--read-only", "--max-examples", "2", "--timeout", "2"]
RUN_ARGS += ["--seed", "1"]
KILL_AFTER = 170.0  # seconds: a run still going then is killed (and the test fails on its wall time)


def run_measured(
    mode_name: str, after_preflight: bool, *, key: str, spec: str, report_dir: str, env: dict[str, str]
) -> Measured:
    """Start the server, run the suite against it in a child process, and measure that child:
    wall time, and its peak RSS (its own high-water mark, see `_wait`)."""
    import os
    import subprocess
    import sys
    import tempfile
    import time

    with HostileServer(mode_name, key=key, after_preflight=after_preflight) as server:
        command = [sys.executable, "-m", "conformance.cli", "run", "--base-url", server.base_url, "--api-key", key]
        command += ["--spec", spec, *RUN_ARGS, "--report-dir", report_dir]
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            start = time.monotonic()
            process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, text=True)
            status, peak_kib = _wait(process, start + KILL_AFTER)
            wall = time.monotonic() - start
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        return Measured(
            mode_name,
            after_preflight,
            os.waitstatus_to_exitcode(status),
            wall,
            peak_kib / 1024,
            server.stats.requests,
            server.stats,
            stdout,
            stderr,
        )


def _wait(process: "subprocess.Popen[str]", deadline: float) -> tuple[int, float]:  # noqa: F821
    """The child's exit status and its peak RSS in KiB, from the high-water mark the kernel
    keeps for the program it runs (`VmHWM`, sampled until it exits). Not `wait4`'s
    `ru_maxrss`: that counts the pages the child shared with this (large) test process
    between fork and exec."""
    import os
    import signal
    import time

    peak = 0.0
    while True:
        peak = max(peak, _vm_hwm_kib(process.pid))
        pid, status, _ = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return status, peak
        if time.monotonic() > deadline:
            process.send_signal(signal.SIGKILL)
            _, status, _ = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            return status, peak
        time.sleep(0.02)


def _vm_hwm_kib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return 0.0
