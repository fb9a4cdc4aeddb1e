"""Benchmark the reference server against the Prism mock, side by side, on the same machine and spec.

Measures, for `telnyx-conformance serve` and `prism mock`: the time from spawning the server to
its first 200 on `GET /v2/addresses` (ours with a warm and a cold spec cache), the throughput and
latency of an authenticated list GET under the same load (wrk, else a small built-in asyncio load
generator), and the server's peak RSS (VmHWM) at the end of the load. Prints a table and the
ratios the issue targets, and rewrites the server section of docs/benchmarks.md.

Usage: python bench/server_bench.py [--spec PATH] [--runs N] [--duration S] [--connections C]
       [--threads T] [--warmup S] [--load-generator auto|wrk|python] [--no-prism] [--server-arg ARG]...
       [--output-md PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import http.client
import os
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _common import (
    DEFAULT_MD,
    REPO_ROOT,
    BenchError,
    command_line,
    display_path,
    installed_version,
    machine_info,
    machine_line,
    missing_node_tool,
    npm_install,
    peers_dir,
    pinned_sha256,
    resolve_spec,
    section_tail,
    tool_version,
    update_markdown,
    venv_tool,
)

MARK_START, MARK_END = "<!-- server-bench:start -->", "<!-- server-bench:end -->"
PRISM_PKG, PRISM_VERSION = "@stoplight/prism-cli", "5.14.2"
TOKEN = "telnyx-conformance-test-token"
LIST_PATH = "/addresses"  # under /v2 for us; Prism ignores the server's /v2 base path

STARTUP_DEADLINE_S = 90.0  # a server not answering 200 by then counts as failed
POLL_INTERVAL_S = 0.01
STOP_GRACE_S = 10.0
LOAD_SLACK_S = 30.0  # on top of the load's own duration, before the load generator is killed

# Issue targets.
TARGET_WARM_START_S = 1.5
TARGET_THROUGHPUT_RATIO = 10.0


def warn(message: str) -> None:
    """One-line notices about skipped or failed parts: the table still gets printed."""
    print(f"server_bench: {message}", file=sys.stderr)


def progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr)


# --- servers ---------------------------------------------------------------------------------


@dataclass
class ServerKind:
    """How to start one server and where its list endpoint is once it runs."""

    key: str
    label: str
    command: list[str]  # may contain {port}
    display: str
    cwd: Path
    env: dict[str, str]
    list_path: str
    port_from_stdout: bool  # ours prints `listening on URL` (--port 0); Prism gets a port we chose


@dataclass
class Running:
    proc: subprocess.Popen
    base_url: str  # http://127.0.0.1:PORT, without the base path
    startup_s: float
    stdout: Path
    stderr: Path


def free_port() -> int:
    """A loopback port free right now, for Prism (which has no --port 0 that it reports)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_status(base_url: str, path: str, token: str, timeout: float = 2.0) -> int | None:
    """Status of one authenticated GET, or None when nothing accepts the connection yet."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def listening_url(stdout: Path) -> str | None:
    """Our server's first stdout line, `listening on http://127.0.0.1:PORT/v2`, as http://HOST:PORT."""
    try:
        text = stdout.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = re.search(r"listening on (http://[^/\s]+)", text)
    return found.group(1) if found else None


def start_server(kind: ServerKind, work: Path, tag: str, extra_env: dict[str, str] | None = None) -> Running:
    """Spawn the server and time it until the list GET answers 200: what a test run waits for."""
    port = 0 if kind.port_from_stdout else free_port()
    command = [word.replace("{port}", str(port)) for word in kind.command]
    stdout, stderr = work / f"{kind.key}-{tag}.out", work / f"{kind.key}-{tag}.err"
    env = {**kind.env, **(extra_env or {})}
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(command, cwd=kind.cwd, env=env, stdout=out, stderr=err, start_new_session=True)
    base_url = None if kind.port_from_stdout else f"http://127.0.0.1:{port}"
    status = None
    try:
        while time.perf_counter() - start < STARTUP_DEADLINE_S:
            if proc.poll() is not None:
                raise BenchError(f"{kind.label} exited {proc.returncode} while starting: {last_line(stderr)}")
            base_url = base_url or listening_url(stdout)
            status = http_status(base_url, kind.list_path, TOKEN) if base_url else None
            if status == 200:
                return Running(proc, base_url, time.perf_counter() - start, stdout, stderr)
            time.sleep(POLL_INTERVAL_S)
        last = f"last answer {status}" if status is not None else "no answer"
        raise BenchError(
            f"{kind.label} did not answer 200 on {kind.list_path} within {STARTUP_DEADLINE_S:.0f} s ({last})"
        )
    except BaseException:
        stop_server(proc)
        raise


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (it was started in its own), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_GRACE_S)


def last_line(path: Path) -> str:
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return "(no stderr)"
    return ([line for line in lines if line] or ["(no stderr)"])[-1][:200]


def process_tree(pid: int) -> list[int]:
    """The process and its descendants: a server that forks workers is measured whole."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def peak_rss_kb(pid: int) -> int | None:
    """VmHWM (the kernel's high-water mark of resident memory), summed over the process tree."""
    total, seen = 0, False
    for member in process_tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text(encoding="utf-8")
        except OSError:
            continue
        found = re.search(r"^VmHWM:\s*(\d+) kB", status, re.MULTILINE)
        if found:
            total, seen = total + int(found.group(1)), True
    return total if seen else None


# --- load generation -------------------------------------------------------------------------


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


def last_text_line(text: str) -> str:
    return ([line.strip() for line in text.splitlines() if line.strip()] or ["(no output)"])[-1][:200]


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


def pick_load_generator(choice: str) -> Wrk | PythonLoad:
    """wrk when installed (or asked for); else say how to get it and use the built-in generator."""
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


# --- the measurements ------------------------------------------------------------------------


@dataclass
class Measured:
    """All samples of one server; each list has one entry per successful run."""

    key: str
    label: str
    display: str
    startup_s: list[float] = field(default_factory=list)
    loads: list[LoadResult] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    after_load: set[int] = field(default_factory=set)  # statuses of a GET right after a load with non-2xx
    failure: str | None = None


def our_kind(spec: Path, work: Path, extra_args: Sequence[str]) -> tuple[ServerKind, str]:
    """`telnyx-conformance serve --port 0` on the spec, with our own token, in its own cache dir.

    `extra_args` (--server-arg) lets one measure another configuration, e.g. without the rate limit.
    """
    cli = venv_tool("telnyx-conformance")
    if cli is None:
        raise BenchError("telnyx-conformance not found beside this Python nor on PATH; install the project first")
    command = [str(cli), "serve", "--spec", str(spec), "--port", "0", "--token", TOKEN]
    pin = pinned_sha256()
    if pin and hashlib.sha256(spec.read_bytes()).hexdigest() != pin:
        command.append("--allow-unpinned")
    command += extra_args
    env = {**os.environ, "TELNYX_CONFORMANCE_CACHE": str(work / "warm-cache")}
    env.pop("TELNYX_API_KEY", None)
    display = shown(command, spec)
    version = tool_version([str(cli), "--version"]).split()[-1]
    return ServerKind("ours", "telnyx-conformance serve", command, display, REPO_ROOT, env, "/v2" + LIST_PATH, True), (
        version
    )


def prism_kind(spec: Path) -> tuple[ServerKind, str] | None:
    """Prism installed into the peers cache, on a JSON copy of the spec; None (skipped) without node/npm."""
    missing = missing_node_tool()
    if missing:
        warn(f"{missing} not found on PATH; skipping Prism")
        return None
    prefix = peers_dir() / "prism"  # its own prefix: its @stoplight packages must not move Spectral's
    failure = npm_install(prefix, {PRISM_PKG: PRISM_VERSION})
    if failure:
        warn(f"{failure}; skipping Prism")
        return None
    prism = prefix / "node_modules" / ".bin" / "prism"
    if not prism.exists():
        warn(f"prism missing under {prefix}/node_modules/.bin after install; skipping Prism")
        return None
    spec_json = json_copy(spec, prefix)
    command = [str(prism), "mock", "-h", "127.0.0.1", "-p", "{port}", str(spec_json)]
    version = installed_version(prefix, PRISM_PKG) or "?"
    display = shown(command, spec_json, "SPEC.json: JSON copy of SPEC").replace("'{port}'", "PORT")
    env = {**os.environ, "NO_COLOR": "1"}
    return ServerKind("prism", f"Prism {version} mock", command, display, prefix, env, LIST_PATH, False), version


def json_copy(spec: Path, prefix: Path) -> Path:
    """Prism parses JSON much faster than YAML (the anchors measured it so): convert once, keyed by sha."""
    raw = spec.read_bytes()
    target = prefix / f"spec-{hashlib.sha256(raw).hexdigest()[:16]}.json"
    if target.is_file():
        return target
    import orjson

    from spec.parse import parse_document

    data, _ = parse_document(raw, spec.name)
    partial = target.with_suffix(".tmp")
    partial.write_bytes(orjson.dumps(data))
    partial.replace(target)
    return target


def shown(command: Sequence[str], spec: Path, comment: str = "") -> str:
    """A command as the docs show it: tool names instead of install paths, SPEC for the spec."""
    label = "SPEC.json" if spec.suffix == ".json" else "SPEC"
    words = [Path(command[0]).name]
    words += [label if word == str(spec) else (Path(word).name if os.sep in word else word) for word in command[1:]]
    return shlex.join(words) + (f"  # {comment}" if comment else "")


def measure_cold_starts(kind: ServerKind, runs: int, work: Path, result: Measured) -> None:
    """Start-up with a fresh, empty spec cache each run: the first run on a machine."""
    for run in range(runs):
        cache = work / f"cold-cache-{run}"
        try:
            running = start_server(kind, work, f"cold-{run}", {"TELNYX_CONFORMANCE_CACHE": str(cache)})
        except BenchError as exc:
            result.failure = str(exc)
            warn(f"{result.label} failed ({exc})")
            return
        stop_server(running.proc)
        result.startup_s.append(running.startup_s)
        progress(f"cold {run + 1}/{runs}  {result.label:<48} start {running.startup_s:6.2f} s")


def measure_round(
    kind: ServerKind, load: Wrk | PythonLoad, settings: LoadSettings, work: Path, result: Measured
) -> None:
    """One run: timed start, untimed warm-up load, timed load, then the peak RSS, then stop."""
    tag = f"run-{len(result.startup_s)}"
    running = start_server(kind, work, tag)
    try:
        url = running.base_url + kind.list_path
        if settings.warmup_s > 0:
            load.run(url, settings, settings.warmup_s)
        outcome = load.run(url, settings, settings.duration_s)
        rss = peak_rss_kb(running.proc.pid)
        if outcome.non_2xx:  # wrk does not say which statuses: one more GET tells what the load got
            status = http_status(running.base_url, kind.list_path, settings.token)
            result.after_load.add(status if status is not None else 0)
    finally:
        stop_server(running.proc)
    result.startup_s.append(running.startup_s)
    result.loads.append(outcome)
    if rss is not None:
        result.rss_kb.append(rss)
    progress(
        f"run {len(result.loads)}  {result.label:<48} start {running.startup_s:6.2f} s  "
        f"{outcome.ok_per_s:9.0f} 2xx/s  p50 {fmt_ms(outcome.p50_ms)}  RSS {fmt_mib(rss)}"
    )
    if outcome.non_2xx or outcome.errors:
        warn(
            f"{result.label}: {outcome.non_2xx} of {outcome.requests} responses were not 2xx, "
            f"{outcome.errors} socket errors (only 2xx count in the rate)"
        )


def run_rounds(
    kinds: list[ServerKind],
    results: dict[str, Measured],
    load: Wrk | PythonLoad,
    settings: LoadSettings,
    runs: int,
    work: Path,
) -> None:
    """Round-robin (one run of each server per round), so background load spreads over both."""
    for _ in range(runs):
        for kind in kinds:
            result = results[kind.key]
            if result.failure:
                continue
            try:
                measure_round(kind, load, settings, work, result)
            except BenchError as exc:
                result.failure = str(exc)
                warn(f"{result.label} failed ({exc})")


def fill_warm_cache(kind: ServerKind, work: Path) -> None:
    """The warm figures need a spec cache that an earlier start filled; that start is not timed."""
    running = start_server(kind, work, "prime")
    stop_server(running.proc)


# --- reporting -------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    display: str
    startup: tuple[float, float, float] | None  # median, min, max
    rps: tuple[float, float, float] | None
    p50_ms: float | None
    p99_ms: float | None
    rss_mib: float | None
    non_2xx: int
    socket_errors: int
    after_load: set[int]
    failure: str | None


def spread(values: Sequence[float]) -> tuple[float, float, float] | None:
    return (statistics.median(values), min(values), max(values)) if values else None


def median_or_none(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def summarize(result: Measured) -> Row:
    return Row(
        result.label,
        result.display,
        spread(result.startup_s),
        spread([load.ok_per_s for load in result.loads]),
        median_or_none([load.p50_ms for load in result.loads]),
        median_or_none([load.p99_ms for load in result.loads]),
        statistics.median(result.rss_kb) / 1024 if result.rss_kb else None,
        sum(load.non_2xx for load in result.loads),
        sum(load.errors for load in result.loads),
        result.after_load,
        result.failure,
    )


def fmt_ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f} ms" if value < 10 else f"{value:.0f} ms"


def fmt_mib(kb: float | None) -> str:
    return f"{kb / 1024:.0f} MiB" if kb is not None else "?"


def fmt_startup(row: Row) -> tuple[str, str]:
    if row.startup is None:
        return (f"failed: {row.failure}" if row.failure else "not run"), ""
    median, low, high = row.startup
    return f"{median:.2f} s", f"{low:.2f}–{high:.2f} s"


def fmt_rps(row: Row) -> tuple[str, str]:
    if row.rps is None:
        return "", ""
    median, low, high = row.rps
    return f"{median:,.0f}", f"{low:,.0f}–{high:,.0f}"


def ratios(rows: dict[str, Row]) -> list[tuple[str, str, str]]:
    """(what, measured, verdict against the target) for the figures the issue commits to."""
    out: list[tuple[str, str, str]] = []
    warm, cold, prism = rows.get("ours"), rows.get("ours-cold"), rows.get("prism")
    if warm and warm.startup:
        out.append(
            (
                "start to first 200, warm cache",
                f"{warm.startup[0]:.2f} s",
                _met(warm.startup[0] < TARGET_WARM_START_S, f"< {TARGET_WARM_START_S:g} s"),
            )
        )
    else:
        out.append(("start to first 200, warm cache", "n/a", "< 1.5 s: not measured"))
    if warm and warm.startup and prism and prism.startup:
        out.append(("start, Prism / ours (warm)", f"{prism.startup[0] / warm.startup[0]:.1f}x", "reported"))
    if cold and cold.startup:
        out.append(("start to first 200, cold cache", f"{cold.startup[0]:.2f} s", "reported"))
    if warm and warm.rps and prism and prism.rps:
        ratio = warm.rps[0] / prism.rps[0]
        out.append(
            (
                "throughput, ours / Prism",
                f"{ratio:.1f}x",
                _met(ratio >= TARGET_THROUGHPUT_RATIO, f"≥ {TARGET_THROUGHPUT_RATIO:g}x"),
            )
        )
    else:
        out.append(("throughput, ours / Prism", "n/a", "≥ 10x: Prism not measured"))
    if warm and warm.rss_mib and prism and prism.rss_mib:
        out.append(("peak RSS, ours / Prism", f"{warm.rss_mib / prism.rss_mib:.2f}x", "reported"))
    return out


def _met(ok: bool, target: str) -> str:
    return f"{target}: {'met' if ok else 'NOT met'}"


def text_table(rows: list[Row]) -> str:
    header = (
        f"{'server':<55} {'start (median)':>14} {'min-max':>13} {'2xx req/s':>10} {'min-max':>15} "
        f"{'p50':>9} {'p99':>9} {'peak RSS':>9}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        start, start_spread = fmt_startup(row)
        rps, rps_spread = fmt_rps(row)
        rss = f"{row.rss_mib:.0f} MiB" if row.rss_mib is not None else ""
        lines.append(
            f"{row.label:<55} {start:>14} {start_spread.replace('–', '-'):>13} {rps:>10} "
            f"{rps_spread.replace('–', '-'):>15} {fmt_ms(row.p50_ms):>9} {fmt_ms(row.p99_ms):>9} {rss:>9}"
        )
    return "\n".join(lines)


def markdown_section(rows: list[Row], context: dict) -> str:
    settings: LoadSettings = context["settings"]
    threads = f"{settings.threads} thread{'s' if settings.threads > 1 else ''}, " if context["wrk"] else ""
    lines = [
        MARK_START,
        "## Reference server against the Prism mock",
        "",
        "Written by `bench/server_bench.py` (`tox -e bench-server`); do not edit by hand between the markers.",
        "",
        f"- Command: `{context['command']}`",
        f"- Date: {context['date']}",
        f"- Machine: {machine_line(context['machine'])}",
        f"- Spec: `{context['spec']}` ({context['spec_size']:,} bytes, sha256 `{context['spec_sha'][:12]}`)",
        f"- Versions: {', '.join(f'{k} {v}' for k, v in context['versions'].items())}",
        f"- Load: {context['load_generator']}, {threads}{settings.connections} connections, "
        f"{settings.duration_s:g} s after a {settings.warmup_s:g} s untimed warm-up, "
        f"`GET {LIST_PATH}` with `Authorization: Bearer ...` (`/v2{LIST_PATH}` on ours: Prism ignores the `/v2` "
        "base path)",
        f"- Runs: median of {context['runs']}, round-robin (one run of each server per round, each on a fresh "
        "process); start is from spawn to the first 200 on the list GET; peak RSS is VmHWM at the end of the load",
        "",
        "| server | start to first 200 | min–max | 2xx req/s | min–max | p50 | p99 | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        start, start_spread = fmt_startup(row)
        rps, rps_spread = fmt_rps(row)
        rss = f"{row.rss_mib:.0f} MiB" if row.rss_mib is not None else ""
        cells = [row.label, start, start_spread, rps, rps_spread, fmt_ms(row.p50_ms), fmt_ms(row.p99_ms), rss]
        lines.append("| " + " | ".join(cells) + " |")
    lines += section_tail(rows, context["ratios"], context["notes"], MARK_END)
    return "\n".join(lines) + "\n"


def notes_for(rows: list[Row], load: Wrk | PythonLoad) -> list[str]:
    notes = []
    if isinstance(load, PythonLoad):
        why = "chosen with --load-generator python" if shutil.which("wrk") else "wrk was not installed"
        notes.append(
            f"Load by the built-in Python generator ({why}): it shares the CPU with the server, so these rates "
            "are lower bounds and do not compare with wrk figures (`apt-get install -y wrk`)."
        )
    for row in rows:
        if row.non_2xx or row.socket_errors:
            notes.append(
                f"{row.label}: {row.non_2xx:,} responses that were not 2xx and {row.socket_errors:,} socket errors "
                "over the timed load runs; the rate counts 2xx answers only (p50/p99 include the others)."
                + after_load_text(row.after_load)
            )
    return notes


def after_load_text(statuses: set[int]) -> str:
    if not statuses:
        return ""
    shown = ", ".join("no answer" if status == 0 else str(status) for status in sorted(statuses))
    hint = "; 429 is the server's rate limit (`serve --rate-limit`)" if 429 in statuses else ""
    return f" A GET right after the load answered {shown}{hint}."


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--spec", metavar="PATH", help="spec file (default: $TELNYX_SPEC, then ../shared/spec/telnyx.yml)"
    )
    parser.add_argument("--runs", type=int, default=3, metavar="N", help="runs per server (default: 3)")
    parser.add_argument("--duration", type=float, default=10.0, metavar="S", help="timed load, seconds (default: 10)")
    parser.add_argument("--warmup", type=float, default=1.0, metavar="S", help="untimed load first (default: 1)")
    parser.add_argument("--connections", type=int, default=8, metavar="C", help="open connections (default: 8)")
    parser.add_argument("--threads", type=int, default=1, metavar="T", help="wrk threads (default: 1)")
    parser.add_argument(
        "--load-generator", choices=("auto", "wrk", "python"), default="auto", help="default: wrk when installed"
    )
    parser.add_argument("--no-prism", action="store_true", help="measure our server only (no npm)")
    parser.add_argument(
        "--server-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for `telnyx-conformance serve` (repeatable), e.g. --server-arg=--rate-limit=1e6/s",
    )
    parser.add_argument("--output-md", metavar="PATH", default=str(DEFAULT_MD), help="markdown file to update")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.connections < 1 or args.threads < 1:
        parser.error("--runs, --connections and --threads must be at least 1")
    if not 1 <= args.duration <= 600 or not 0 <= args.warmup <= 60:
        parser.error("--duration must be 1 to 600 s and --warmup 0 to 60 s (every load run is bounded)")
    if args.threads > args.connections:
        parser.error("--threads must not exceed --connections (wrk needs a connection per thread)")
    return args


def measure(
    args: argparse.Namespace, spec: Path, work: Path
) -> tuple[dict[str, Row], dict[str, str], Wrk | PythonLoad]:
    """Every measurement: warm-cache fill, cold starts, then the round-robin load runs."""
    load = pick_load_generator(args.load_generator)
    settings = LoadSettings(args.threads, args.connections, args.duration, args.warmup, TOKEN)
    ours, our_version = our_kind(spec, work, args.server_arg)
    versions = {"telnyx-conformance": our_version, "python": sys.version.split()[0]}
    kinds = [ours]
    results = {"ours": Measured("ours", "telnyx-conformance serve, warm spec cache", ours.display)}
    results["ours"].display += "  # spec cache filled by an untimed start"
    prism = None if args.no_prism else prism_kind(spec)
    if prism is not None:
        kind, versions["prism"] = prism
        versions["node"] = tool_version(["node", "--version"])
        kinds.append(kind)
        results["prism"] = Measured("prism", kind.label, kind.display)
    versions["load generator"] = load.describe()
    cold = Measured("ours-cold", "telnyx-conformance serve, cold spec cache (start only)", ours.display)
    cold.display += "  # fresh empty TELNYX_CONFORMANCE_CACHE each run"
    print(f"spec {spec}; {len(kinds)} servers x {args.runs} runs; load by {load.describe()}", file=sys.stderr)
    fill_warm_cache(ours, work)
    measure_cold_starts(ours, args.runs, work, cold)
    run_rounds(kinds, results, load, settings, args.runs, work)
    rows = {"ours": summarize(results["ours"]), "ours-cold": summarize(cold)}
    if "prism" in results:
        rows["prism"] = summarize(results["prism"])
    return rows, versions, load


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    machine = machine_info()
    try:
        spec = resolve_spec(args.spec)
        with tempfile.TemporaryDirectory(prefix="server-bench-") as tmp:
            by_key, versions, load = measure(args, spec, Path(tmp))
    except BenchError as exc:
        print(f"server_bench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("server_bench: interrupted", file=sys.stderr)
        return 130
    rows = list(by_key.values())
    figures = ratios(by_key)
    spec_bytes = spec.read_bytes()
    context = {
        "command": command_line([sys.argv[0], *(argv if argv is not None else sys.argv[1:])]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "spec": display_path(spec),
        "spec_size": len(spec_bytes),
        "spec_sha": hashlib.sha256(spec_bytes).hexdigest(),
        "versions": versions,
        "settings": LoadSettings(args.threads, args.connections, args.duration, args.warmup, TOKEN),
        "load_generator": load.describe(),
        "wrk": isinstance(load, Wrk),
        "runs": args.runs,
        "ratios": figures,
        "notes": notes_for(rows, load),
    }
    print(text_table(rows))
    print()
    for what, value, verdict in figures:
        print(f"{what:<36} {value:>8}   {verdict}")
    output = Path(args.output_md)
    update_markdown(output, markdown_section(rows, context), MARK_START, MARK_END)
    print(f"\nsection written to {output}")
    return 1 if any(row.failure for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
