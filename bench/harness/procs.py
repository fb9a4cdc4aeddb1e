"""Servers in their own process group: started, timed to their first 200, stopped with the group."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from _common import BenchError

STARTUP_DEADLINE_S = 90.0  # a server not answering 200 by then counts as failed
POLL_INTERVAL_S = 0.01
STOP_GRACE_S = 10.0
TOKEN = "telnyx-conformance-test-token"  # the reference server's default key (conformance/server/auth.py)


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


def start_server(
    kind: ServerKind, work: Path, tag: str, extra_env: dict[str, str] | None = None, *, token: str = TOKEN
) -> Running:
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
            status = http_status(base_url, kind.list_path, token) if base_url else None
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


def kill_group(pid: int) -> None:
    """SIGKILL a whole process group (a tool past its timeout, or a child left behind)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


# --- what a process said ---------------------------------------------------------------------


def _lines(path: Path) -> list[str] | None:
    """The stripped, non-empty lines of a file; None when it cannot be read."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return None
    return [line for line in lines if line]


def last_line(path: Path) -> str:
    """A server's last stderr line, for a one-line report."""
    lines = _lines(path)
    return (lines or ["(no stderr)"])[-1][:200]


def first_line(path: Path) -> str:
    """The most telling line of a failed tool's stderr, for a one-line report."""
    lines = _lines(path)
    if lines is None:
        return "(no stderr)"
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["(no stderr)"])[0][:200]


def tail(path: Path, lines: int = 1) -> str:
    """The last `lines` non-empty lines of a file, joined on one line."""
    text = _lines(path)
    if text is None:
        return "(no output)"
    shown = text[-lines:] or ["(no output)"]
    return " | ".join(shown)[:300]


def last_text_line(text: str) -> str:
    return ([line.strip() for line in text.splitlines() if line.strip()] or ["(no output)"])[-1][:200]


@contextlib.contextmanager
def reference_server_process(command: list[str], work: Path, start_s: float):
    """`telnyx-conformance serve --port 0 ...` (the `command`) with the default key, its output
    in `work`; yields (base URL with /v2, the process) once it listens, and stops it after."""
    stdout, stderr = work / "server.out", work / "server.err"
    env = {**os.environ, "TELNYX_API_KEY": TOKEN}
    with stdout.open("wb") as out, stderr.open("wb") as err:
        proc = subprocess.Popen(
            command, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True
        )
    try:
        deadline = time.monotonic() + start_s
        base = None
        while base is None:
            if proc.poll() is not None:
                raise BenchError(f"the reference server exited {proc.returncode}: {tail(stderr)}")
            if time.monotonic() > deadline:
                raise BenchError(f"the reference server did not start within {start_s:.0f} s")
            base = listening_url(stdout)
            time.sleep(0.05)
        yield base + "/v2", proc
    finally:
        stop_server(proc)
