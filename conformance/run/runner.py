"""`telnyx-conformance run`: pick (or start) a target, check it is usable, run the pytest
tests of `conformance/suite/` in process, and turn the summary into an exit code.

The embedded reference server runs as a child process (`telnyx-conformance serve --port 0`):
its event loop and signal handling stay out of pytest's way, and it is always stopped, even
when the run fails. The API key reaches the child and pytest through the environment, never
argv, and everything pytest prints is redacted on its way out.
"""

import contextlib
import os
import queue
import secrets
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from conformance.run.context import ENV_KEY
from conformance.target import DEFAULT_TIMEOUT, Target, TargetError, parse_base_url

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_TARGET = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # Ctrl-C: the report holds what was gathered
FAIL_ON = {"server": {"server"}, "spec": {"spec"}, "any": {"server", "spec", "setup"}}
START_TIMEOUT = 60.0
STOP_TIMEOUT = 5.0


class RunError(Exception):
    """A run that cannot start or finish; `code` is the exit code, the message one line."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class RunOptions:
    base_url: str | None = None
    api_key: str | None = None
    spec: str | None = None
    allow_unpinned: bool = False
    include_tags: list[str] = field(default_factory=list)
    exclude_tags: list[str] = field(default_factory=list)
    operation_ids: list[str] = field(default_factory=list)
    max_examples: int = 10
    max_pages: int = 5  # pages walked per list by the pagination checks
    seed: int | None = None
    allow_writes: bool = False
    read_only: bool = False
    timeout: float = DEFAULT_TIMEOUT
    report_dir: str = "reports"
    rate_limit: str | None = None  # "N/s": schemathesis paces the requests (shared out among workers)
    workers: int = 1  # pytest-xdist processes; each runs a share of the operations
    last_failed: bool = False  # only the operations that failed or errored in the report dir's last run
    labels: list[str] = field(default_factory=list)  # "METHOD /path" to run (from --last-failed)
    fail_on: str = "server"
    quiet: bool = False  # no progress line, no per-test output
    compare: str | None = None  # a previous run's report dir, for the matrix


def run(options: RunOptions) -> int:
    from spec.load import load_spec

    spec = load_spec(options.spec, allow_unpinned=options.allow_unpinned)
    index = spec.index()
    _check_operation_ids(options.operation_ids, {op.operation_id for op in index.operations})
    if options.last_failed:
        options.labels, previous_seed = last_failed(options.report_dir)
        if not options.labels:
            print(f"nothing failed in the last run in {options.report_dir}: nothing to rerun")
            return EXIT_OK
        if options.seed is None:
            options.seed = previous_seed
    api_key = options.api_key or os.environ.get(ENV_KEY) or (None if options.base_url else secrets.token_urlsafe(24))
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    with _target_url(options, spec.path, api_key or "", seed) as base_url:
        target = Target(
            base_url=base_url,
            api_key=api_key or "",
            allow_writes=options.allow_writes,
            read_only=options.read_only,
            timeout=options.timeout,
        )
        for warning in _preflight(target, index):
            print(f"telnyx-conformance: warning: {target.redact(warning)}", file=sys.stderr)
        print(f"seed: {seed}", flush=True)
        summary = _run_pytest(options, target, spec.path, seed)
    code = _report(summary, options.fail_on, target)
    if summary.get("interrupted"):
        print(f"telnyx-conformance: interrupted; partial results in {options.report_dir}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return code


def last_failed(report_dir: str) -> tuple[list[str], int | None]:
    """ "METHOD /path" of every operation that failed or errored in the last run written to
    `report_dir` (its summary.json), and that run's seed, so the rerun replays the same cases;
    a usage error when there is no run to read."""
    path = Path(report_dir) / "summary.json"
    try:
        summary = orjson.loads(path.read_bytes())
        operations = summary["operations"]
        labels = [f"{op['method']} {op['path']}" for op in operations if op["status"] in ("failed", "errored")]
        seed = summary.get("seed") if isinstance(summary.get("seed"), int) else None
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        reason = "not found" if isinstance(exc, FileNotFoundError) else "unreadable"
        raise RunError(f"--last-failed: no previous run to read ({path} {reason})", EXIT_USAGE) from None
    return labels, seed


def _check_operation_ids(wanted: list[str], known: set[str | None]) -> None:
    from spec.errors import SpecError

    unknown = sorted(set(wanted) - known)
    if unknown:
        raise SpecError(f"--include-operation-id: no operation with id {', '.join(unknown)} in the spec")


@contextlib.contextmanager
def _target_url(options: RunOptions, spec_path: Path, api_key: str, seed: int) -> Iterator[str]:
    if options.base_url is not None:
        try:
            yield parse_base_url(options.base_url)
        except TargetError as exc:
            raise RunError(str(exc), EXIT_USAGE) from None
        return
    with embedded_server(spec_path, api_key, seed=seed, allow_unpinned=options.allow_unpinned) as url:
        yield url


def _preflight(target: Target, index: Any) -> list[str]:
    """The other developer's preflight when present; a target it calls unusable ends the run (exit 3)."""
    try:
        from conformance.run.preflight import PreflightError, preflight
    except ImportError:
        return []
    try:
        return preflight(target, index)
    except PreflightError as exc:
        for warning in exc.warnings:  # what the target did that is hostile, before why it is unusable
            print(f"telnyx-conformance: warning: {target.redact(warning)}", file=sys.stderr)
        raise RunError(target.redact(str(exc)), EXIT_TARGET) from None


# --- the embedded reference server ----------------------------------------------------------------


@contextlib.contextmanager
def embedded_server(
    spec_path: Path, api_key: str, *, seed: int = 0, allow_unpinned: bool = False, faults: Sequence[str] = ()
) -> Iterator[str]:
    """A reference server on a free loopback port, accepting `api_key`; stopped on exit.
    `faults` (`NAME[:OPID,...]`) are for the suite's own tests: a run never injects any."""
    command = [sys.executable, "-m", "conformance.cli", "serve", "--spec", str(spec_path), "--port", "0"]
    command += ["--seed", str(seed), *(["--allow-unpinned"] if allow_unpinned else [])]
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


# --- pytest ---------------------------------------------------------------------------------------


def pytest_args(options: RunOptions, target: Target, spec_path: Path, seed: int) -> list[str]:
    """The pytest command line of the run (without the key: that goes through the environment)."""
    tests = Path(__file__).parent.parent / "suite" / "test_operations.py"
    report_dir = Path(options.report_dir)
    args = [str(tests), *(str(tests.with_name(name)) for name in ("test_pagination.py", "test_lifecycle.py"))]
    args += ["-q", "-p", "no:cacheprovider", "--rootdir", str(tests.parent.parent.parent)]
    # No assertion rewriting: the run's tests raise typed failures, and rewriting every module of
    # every pytest11 distribution (schemathesis, hypothesis, allure...) costs seconds and memory.
    args += ["--assert=plain"]
    args += ["--base-url", target.base_url, "--spec", str(spec_path), "--seed", str(seed)]
    args += ["--max-examples", str(options.max_examples), "--timeout", str(options.timeout)]
    args += ["--max-pages", str(options.max_pages)]
    if options.rate_limit:
        args += ["--rate-limit", per_worker_rate(options.rate_limit, options.workers)]
    if options.workers > 1:
        args += ["-p", "xdist", "-n", str(options.workers), "--dist", "load"]
    args += ["--report-dir", str(report_dir), "--alluredir", str(report_dir / "allure-results"), "--clean-alluredir"]
    if options.compare:
        args += ["--compare", options.compare]
    if options.quiet or sys.stdout.isatty():  # quiet, or a live progress line instead of pytest's dots
        args = [arg for arg in args if arg != "-q"] + ["-p", "no:terminal"]  # -q is the terminal plugin's
        args += [] if options.quiet else ["--progress"]
    for flag, values in (
        ("--include-tag", options.include_tags),
        ("--exclude-tag", options.exclude_tags),
        ("--include-operation-id", options.operation_ids),
        ("--include-operation", options.labels),
    ):
        for value in values:
            args += [flag, value]
    for flag, on in (
        ("--allow-unpinned", options.allow_unpinned),
        ("--allow-writes", options.allow_writes),
        ("--read-only", options.read_only),
    ):
        if on:
            args.append(flag)
    return args


class _Redacting:
    """A text stream that scrubs the key from whatever pytest (or schemathesis, or a target
    echoing our headers back) writes, before it reaches the terminal."""

    def __init__(self, stream: Any, target: Target) -> None:
        self._stream, self._target = stream, target

    def write(self, text: str) -> int:
        return self._stream.write(self._target.redact(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _keep_compare_base(options: RunOptions, summary_path: Path, args: list[str]) -> Path | None:
    """`--compare` naming the run's own report dir: the previous summary is about to be
    replaced, so compare with a copy of it (removed after the run)."""
    if not options.compare or not summary_path.is_file():
        return None
    named = Path(options.compare)
    if named.resolve() not in (summary_path.parent.resolve(), summary_path.resolve()):
        return None
    handle, name = tempfile.mkstemp(prefix="telnyx-conformance-previous-", suffix=".json")
    with os.fdopen(handle, "wb") as copy:
        copy.write(summary_path.read_bytes())
    args[args.index("--compare") + 1] = name
    return Path(name)


def per_worker_rate(rate: str, workers: int) -> str:
    """Each worker paces itself: the run's N/unit shared out, at least 1/unit each."""
    count, unit = rate.split("/", 1)
    return f"{max(1, int(count) // max(1, workers))}/{unit}"


def _run_pytest(options: RunOptions, target: Target, spec_path: Path, seed: int) -> dict[str, Any]:
    import pytest

    args = pytest_args(options, target, spec_path, seed)
    if not _plugin_registered():
        args = ["-p", "conformance.run.plugin", *args]
    summary_path = Path(options.report_dir) / "summary.json"
    base = _keep_compare_base(options, summary_path, args)
    summary_path.unlink(missing_ok=True)
    saved = os.environ.get(ENV_KEY), sys.stdout, sys.stderr
    os.environ[ENV_KEY] = target.api_key
    sys.stdout, sys.stderr = _Redacting(sys.stdout, target), _Redacting(sys.stderr, target)
    try:
        code = pytest.main(args)
    finally:
        sys.stdout.flush()
        sys.stdout, sys.stderr = saved[1], saved[2]
        if saved[0] is None:
            os.environ.pop(ENV_KEY, None)
        else:
            os.environ[ENV_KEY] = saved[0]
    interrupted = int(code) == int(pytest.ExitCode.INTERRUPTED) and summary_path.is_file()
    if base is not None:
        base.unlink(missing_ok=True)
    if (int(code) in (2, 3, 4) and not interrupted) or not summary_path.is_file():
        raise RunError(f"the test session did not complete (pytest exit code {int(code)})", EXIT_USAGE)
    return orjson.loads(summary_path.read_bytes())


def _plugin_registered() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "conformance.run.plugin" for ep in entry_points(group="pytest11"))


# --- the verdict ----------------------------------------------------------------------------------


def _report(summary: dict[str, Any], fail_on: str, target: Target) -> int:
    totals = summary["totals"]
    classes = totals["by_classification"]
    print(
        f"{totals['operations']} operations: {totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['skipped']} skipped, {totals['errored']} errored; {totals['requests']} requests; "
        f"failures by class: {', '.join(f'{k}={v}' for k, v in classes.items()) or 'none'}"
    )
    ran = totals["operations"] - totals["skipped"]
    if ran and totals["errored"] == ran and set(classes) == {"setup"}:
        first = next(f for op in summary["operations"] for f in op["failures"])
        raise RunError(f"target unusable: {target.redact(first['message'])}", EXIT_TARGET)
    failing = sum(count for cls, count in classes.items() if cls in FAIL_ON[fail_on])
    return EXIT_FAILURES if failing else EXIT_OK
