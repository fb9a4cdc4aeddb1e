"""The embedded reference server of a run without --base-url: a child process
(`telnyx-conformance serve --port 0`), so its event loop and signal handling stay out of
pytest's way; always stopped, even when the run fails. The key reaches it through the
environment, never argv."""

import contextlib
import os
import queue
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from conformance.run.context import ENV_KEY
from conformance.run.options import EXIT_TARGET, RunError

START_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0


@contextlib.contextmanager
def embedded_server(
    spec_path: Path,
    api_key: str,
    *,
    seed: int = 0,
    allow_unpinned: bool = False,
    faults: Sequence[str] = (),
    webhook_key: Path | None = None,
) -> Iterator[str]:
    """A reference server on a free loopback port, accepting `api_key`; stopped on exit.
    `faults` (`NAME[:OPID,...]`) are for the suite's own tests: a run never injects any.
    `webhook_key` is the private key file its webhooks are signed with (run --webhooks)."""
    command = [sys.executable, "-m", "conformance.cli", "serve", "--spec", str(spec_path), "--port", "0"]
    command += ["--seed", str(seed), *(["--allow-unpinned"] if allow_unpinned else [])]
    command += ["--webhook-private-key", str(webhook_key)] if webhook_key is not None else []
    for fault in faults:
        command += ["--fault", fault]
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=errors,
            stdin=subprocess.DEVNULL,
            text=True,
            env={**os.environ, ENV_KEY: api_key},
        )
        try:
            assert process.stdout is not None
            line = first_line(process.stdout, START_TIMEOUT) or ""
            if not line.startswith("listening on "):
                errors.seek(0)
                detail = " ".join(errors.read().split())[-300:] or "no output"
                raise RunError(f"the embedded reference server did not start: {detail}", EXIT_TARGET)
            yield line.removeprefix("listening on ").strip()
        finally:
            stop_process(process)


def first_line(stream: IO[str], timeout: float) -> str | None:
    """A blocking readline with a deadline (in a thread: pipes have no read timeout)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return None


def stop_process(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL if it does not exit in time; never leaves a process behind."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout is not None:
        process.stdout.close()
