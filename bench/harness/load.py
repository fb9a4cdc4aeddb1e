"""The HTTP load generators: wrk (what the anchors used), else a bounded asyncio keep-alive client."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from _common import BenchError

from harness.procs import last_text_line

LOAD_SLACK_S = 30.0  # on top of the load's own duration, before the load generator is killed


@dataclass
class LoadSettings:
    threads: int
    connections: int
    duration_s: float
    warmup_s: float
    token: str


@dataclass
class LoadResult:
    requests_per_s: float  # every response, as wrk's Requests/sec
    p50_ms: float | None
    p99_ms: float | None
    requests: int
    non_2xx: int  # wrk counts 3xx here too; none of these servers answers 3xx to this GET
    errors: int
    elapsed_s: float

    @property
    def ok_per_s(self) -> float:
        """2xx answers per second: a server that answers 429 or 500 fast must not look fast."""
        return (self.requests - self.non_2xx) / self.elapsed_s if self.elapsed_s else 0.0


class Wrk:
    """wrk 4 (Debian's `wrk`): what the anchors used, so its figures compare with theirs."""

    name = "wrk"

    def __init__(self, path: str) -> None:
        self.path = path

    def describe(self) -> str:
        """wrk has no real --version: it prints `wrk VERSION [epoll] Copyright ...` above its usage."""
        try:
            done = subprocess.run([self.path, "--version"], capture_output=True, text=True, check=False, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            return "wrk"
        found = re.search(r"^wrk (\S+)", done.stdout + done.stderr, re.MULTILINE)
        return f"wrk {found.group(1)}" if found else "wrk"

    def command(self, url: str, settings: LoadSettings, duration_s: float) -> list[str]:
        return [
            self.path,
            f"-t{settings.threads}",
            f"-c{settings.connections}",
            f"-d{max(1, round(duration_s))}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {settings.token}",
            url,
        ]

    def run(self, url: str, settings: LoadSettings, duration_s: float) -> LoadResult:
        command = self.command(url, settings, duration_s)
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, check=False, timeout=duration_s + LOAD_SLACK_S
            )
        except subprocess.TimeoutExpired:
            raise BenchError(f"wrk ran past {duration_s + LOAD_SLACK_S:.0f} s against {url}") from None
        if done.returncode != 0:
            raise BenchError(f"wrk exited {done.returncode}: {last_text_line(done.stderr or done.stdout)}")
        return parse_wrk(done.stdout)


_WRK_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def wrk_latency_ms(text: str, percentile: str) -> float | None:
    found = re.search(rf"^\s*{re.escape(percentile)}%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.MULTILINE)
    return float(found.group(1)) * _WRK_UNITS_MS[found.group(2)] if found else None


def parse_wrk(text: str) -> LoadResult:
    """The figures of wrk's --latency report; a report without Requests/sec is an error."""
    rate = re.search(r"^Requests/sec:\s*([\d.]+)", text, re.MULTILINE)
    if rate is None:
        raise BenchError(f"cannot read wrk's output: {last_text_line(text)}")
    total = re.search(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m),", text, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return LoadResult(
        float(rate.group(1)),
        wrk_latency_ms(text, "50"),
        wrk_latency_ms(text, "99"),
        int(total.group(1)) if total else 0,
        int(non_2xx.group(1)) if non_2xx else 0,
        sum(int(n) for n in socket_errors.groups()) if socket_errors else 0,
        float(total.group(2)) * _WRK_UNITS_MS[total.group(3)] / 1000 if total else 0.0,
    )


class PythonLoad:
    """A bounded asyncio HTTP/1.1 keep-alive client, for machines without wrk.

    Raw streams rather than httpx: httpx's per-request overhead would cap the rate far below what
    a fast server does. It shares the CPU with the server (the machine has few cores), so its
    figures are lower bounds and do not compare with wrk's.
    """

    name = "python"

    def describe(self) -> str:
        return f"built-in asyncio load generator (Python {sys.version.split()[0]})"

    def run(self, url: str, settings: LoadSettings, duration_s: float) -> LoadResult:
        try:
            return asyncio.run(asyncio.wait_for(self._run(url, settings, duration_s), duration_s + LOAD_SLACK_S))
        except TimeoutError:
            raise BenchError(f"the Python load generator ran past {duration_s + LOAD_SLACK_S:.0f} s") from None

    async def _run(self, url: str, settings: LoadSettings, duration_s: float) -> LoadResult:
        host_port, _, path = url.removeprefix("http://").partition("/")
        host, port = host_port.rsplit(":", 1)
        request = (
            f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nAuthorization: Bearer {settings.token}\r\n"
            "Accept: */*\r\n\r\n"
        ).encode("latin-1")
        latencies: list[float] = []
        counters = {"non_2xx": 0, "errors": 0}
        start = time.perf_counter()
        deadline = start + duration_s
        workers = [
            self._connection(host, int(port), request, deadline, latencies, counters)
            for _ in range(settings.connections)
        ]
        await asyncio.gather(*workers)
        elapsed = time.perf_counter() - start
        latencies.sort()
        return LoadResult(
            len(latencies) / elapsed,
            percentile_ms(latencies, 0.50),
            percentile_ms(latencies, 0.99),
            len(latencies),
            counters["non_2xx"],
            counters["errors"],
            elapsed,
        )

    async def _connection(
        self, host: str, port: int, request: bytes, deadline: float, latencies: list[float], counters: dict[str, int]
    ) -> None:
        """One keep-alive connection sending requests back to back until the deadline."""
        reader = writer = None
        while time.perf_counter() < deadline:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                sent = time.perf_counter()
                writer.write(request)
                status, keep_alive = await read_response(reader)
                latencies.append(time.perf_counter() - sent)
                counters["non_2xx"] += not 200 <= status < 300
                if not keep_alive:
                    writer.close()
                    writer = None
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                counters["errors"] += 1
                if writer is not None:
                    writer.close()
                writer = None
                await asyncio.sleep(0.01)  # a refused connection must not spin the CPU the server needs
        if writer is not None:
            writer.close()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Status and keep-alive of one response whose body has a Content-Length (all ours and Prism's do)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    if "content-length" not in headers:
        raise ValueError("response without Content-Length")
    await reader.readexactly(int(headers["content-length"]))
    return status, headers.get("connection", "").lower() != "close"


def percentile_ms(sorted_seconds: list[float], fraction: float) -> float | None:
    if not sorted_seconds:
        return None
    index = min(len(sorted_seconds) - 1, round(fraction * (len(sorted_seconds) - 1)))
    return sorted_seconds[index] * 1000


def pick_load_generator(choice: str, warn: Callable[[str], None]) -> Wrk | PythonLoad:
    """wrk when installed (or asked for); else say how to get it (`warn`) and use the built-in generator."""
    path = shutil.which("wrk")
    if path and choice in ("auto", "wrk"):
        return Wrk(path)
    if choice == "wrk":
        raise BenchError("wrk not found on PATH; install it with `apt-get install -y wrk` (as root)")
    if choice == "auto":
        warn(
            "wrk not found on PATH; install it with `apt-get install -y wrk` (as root) for figures comparable "
            "with the anchors. Using the built-in Python load generator."
        )
    return PythonLoad()
