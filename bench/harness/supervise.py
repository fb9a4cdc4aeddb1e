"""A crashing mock kept answering: a supervisor that starts Prism again each time it exits, and a
byte-for-byte loopback TCP relay in front of it, so a request that crashed Prism loses its
connection while the requests after it wait for the restart instead of being refused."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import BenchError

from harness.procs import http_status, stop_server

API_KEY = "prism-accepts-any-key"  # Prism checks that a bearer token is present, not which one
PRISM_START_S = 120.0  # a restart included: Prism parses the 2.8 MB spec each time
RELAY_WAIT_S = 150.0  # how long a connection waits for Prism to come back
MAX_RESTARTS = 200


@dataclass
class Crash:
    at_s: float  # since the run started
    code: int | None
    last_line: str


@dataclass
class Supervisor:
    """Starts Prism on `port`, and starts it again each time it exits until `stop()`."""

    command: list[str]
    port: int
    cwd: Path
    work: Path
    crashes: list[Crash] = field(default_factory=list)
    starts: list[float] = field(default_factory=list)  # seconds each start took to answer
    up: threading.Event = field(default_factory=threading.Event)
    failed: str | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _proc: subprocess.Popen | None = None
    _thread: threading.Thread | None = None
    _t0: float = field(default_factory=time.monotonic)
    _suspected: float = 0.0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def wait_up(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.failed:
            if self.up.wait(0.1):
                return True
        return False

    def stop(self) -> None:
        self._stopping.set()
        if self._proc is not None:
            stop_server(self._proc)
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self) -> None:
        env = {**os.environ, "NO_COLOR": "1"}
        while not self._stopping.is_set():
            number = len(self.starts) + len(self.crashes)
            err_path = self.work / f"prism-{number}.err"
            with (self.work / f"prism-{number}.out").open("wb") as out, err_path.open("wb") as err:
                begun = time.monotonic()
                try:
                    self._proc = subprocess.Popen(
                        self.command, cwd=self.cwd, env=env, stdout=out, stderr=err, start_new_session=True
                    )
                except OSError as exc:
                    self.failed = f"cannot start Prism: {exc.strerror or exc}"
                    return
            if not self._wait_answering(begun):
                return
            self.starts.append(time.monotonic() - begun)
            self.up.set()
            code = self._watch()
            self.up.clear()
            if self._stopping.is_set():
                return
            self.crashes.append(Crash(time.monotonic() - self._t0, code, crash_line(err_path)))
            if len(self.crashes) >= MAX_RESTARTS:
                self.failed = f"Prism crashed {len(self.crashes)} times; not restarted again"
                return

    def suspect(self) -> None:
        """The relay saw Prism drop a request in flight: hold new connections until Prism is
        known to be up again (restarted, or still answering: a false alarm)."""
        self._suspected = time.monotonic()
        self.up.clear()

    def _watch(self) -> int:
        """Wait for Prism to exit; meanwhile lift a suspicion that Prism outlives by a second."""
        assert self._proc is not None
        while True:
            try:
                return self._proc.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                if self.up.is_set() or time.monotonic() - self._suspected < 1.0:
                    continue
                if http_status(f"http://127.0.0.1:{self.port}", "/addresses", API_KEY) is not None:
                    self.up.set()

    def _wait_answering(self, begun: float) -> bool:
        """Until Prism answers HTTP at all (200 or 401 on the list GET): it is up."""
        assert self._proc is not None
        while time.monotonic() - begun < PRISM_START_S:
            if self._stopping.is_set():
                return False
            if self._proc.poll() is not None:
                self.failed = f"Prism exited {self._proc.returncode} while starting"
                return False
            if http_status(f"http://127.0.0.1:{self.port}", "/addresses", API_KEY) is not None:
                return True
            time.sleep(0.1)
        self.failed = f"Prism did not answer within {PRISM_START_S:.0f} s"
        stop_server(self._proc)
        return False


def crash_line(path: Path) -> str:
    """The error Node printed when Prism died (`TypeError [ERR_...]: ...`), else its last line."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return "(no stderr)"
    lines = [line for line in lines if line]
    for line in lines:
        if "Error" in line and not line.startswith("at "):
            return line[:200]
    return (lines or ["(no stderr)"])[-1][:200]


# --- the relay --------------------------------------------------------------------------------


class Relay:
    """A loopback TCP relay in its own thread: bytes in, bytes out, nothing parsed or changed.
    A connection made while Prism is down waits (up to RELAY_WAIT_S) until it is back."""

    def __init__(self, upstream_port: int, supervisor: Supervisor) -> None:
        self.upstream_port, self.supervisor = upstream_port, supervisor
        self.port = 0
        self.connections = 0
        self.waited = 0  # connections that had to wait for a restart
        self.dropped = 0  # requests Prism never answered (it crashed on them)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._server: asyncio.base_events.Server | None = None

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10) or not self.port:
            raise BenchError("the relay in front of Prism did not start")

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
            self.port = self._server.sockets[0].getsockname()[1]
        finally:
            self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        upstream = await self._connect()
        if upstream is None:
            writer.close()
            return
        up_reader, up_writer = upstream
        # A request is in flight from its first byte to the first byte of an answer.
        in_flight = [False]
        requests = asyncio.ensure_future(pump(reader, up_writer, in_flight, True))
        answers = asyncio.ensure_future(pump(up_reader, writer, in_flight, False))
        done, _ = await asyncio.wait([requests, answers], return_when=asyncio.FIRST_COMPLETED)
        if answers in done and in_flight[0]:
            # Prism closed the connection on a request it never answered: it crashed (its
            # listening socket may outlive this by a moment; hold new connections until
            # the supervisor has it back)
            self.dropped += 1
            self.supervisor.suspect()
        for task in (requests, answers):
            task.cancel()
        for stream in (writer, up_writer):
            stream.close()

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        deadline = time.monotonic() + RELAY_WAIT_S
        waited = False
        while time.monotonic() < deadline and not self.supervisor.failed:
            if self.supervisor.up.is_set():
                try:
                    return await asyncio.open_connection("127.0.0.1", self.upstream_port)
                except OSError:
                    pass
            if not waited:
                waited, self.waited = True, self.waited + 1
            await asyncio.sleep(0.05)
        return None


async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter, in_flight: list[bool], ask: bool) -> None:
    """Copy until end of stream; `in_flight[0]` becomes `ask` with each chunk copied."""
    with contextlib.suppress(OSError, asyncio.CancelledError):
        while chunk := await source.read(65536):
            in_flight[0] = ask
            sink.write(chunk)
            await sink.drain()
