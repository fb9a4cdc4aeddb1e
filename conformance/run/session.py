"""The pytest session of a run, in process: its command line, the key through the
environment, everything printed redacted on its way out, and the results taken from memory
when it ends (never re-read from a report file that a writer may have failed to write)."""

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from conformance.run.context import ENV_KEY, active
from conformance.run.options import EXIT_USAGE, RunError, RunOptions
from conformance.target import Target


def pytest_args(
    options: RunOptions, target: Target, spec_path: Path, seed: int, webhook_url: str | None = None
) -> list[str]:
    """The pytest command line of the run (without the key: that goes through the environment)."""
    tests = Path(__file__).parent.parent / "suite" / "test_operations.py"
    report_dir = Path(options.report_dir)
    modules = ["test_pagination.py", "test_lifecycle.py", "test_scenarios.py"]
    modules += ["test_stateful.py"] if options.stateful else []
    args = [str(tests), *(str(tests.with_name(name)) for name in modules)]
    if options.client:  # the client's operations only: the walks, lifecycles and scenarios are the pinned spec's
        args = [str(tests), "--client", options.client]
    args += ["-q", "-p", "no:cacheprovider", "--rootdir", str(tests.parent.parent.parent)]
    # No assertion rewriting: the run's tests raise typed failures, and rewriting every module of
    # every pytest11 distribution (schemathesis, hypothesis, allure...) costs seconds and memory.
    args += ["--assert=plain"]
    args += ["--base-url", target.base_url, "--spec", str(spec_path), "--seed", str(seed)]
    args += ["--max-examples", str(options.max_examples), "--timeout", str(options.timeout)]
    args += ["--max-pages", str(options.max_pages)]
    shards = options.shard.total if options.shard is not None and options.rate_limit_scope == "total" else 1
    if options.rate_limit:
        args += ["--rate-limit", per_worker_rate(options.rate_limit, options.workers * shards)]
    if options.shard is not None:
        args += ["--shard", str(options.shard)]
    if options.durations:
        args += ["--shard-durations", options.durations]
    if webhook_url is not None:
        args += ["--webhook-url", webhook_url]
    if options.workers > 1:
        args += ["-p", "xdist", "-n", str(options.workers), "--dist", "load"]
    args += ["--report-dir", str(report_dir), "--alluredir", str(report_dir / "allure-results"), "--clean-alluredir"]
    if options.compare:
        args += ["--compare", options.compare]
    if options.quiet or sys.stdout.isatty():  # quiet, or a live progress line instead of pytest's dots
        args = [arg for arg in args if arg != "-q"] + ["-p", "no:terminal"]  # -q is the terminal plugin's
        args += [] if options.quiet else ["--progress"]
    for flag, values in (
        ("--scenarios", options.scenarios),
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
        ("--no-scenarios", options.no_scenarios),
        ("--stateful", options.stateful),
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
    """Each process paces itself: the run's N/unit shared out among them (the workers, times the
    shards when the rate is the total of all shards), in a finer unit where it would round to 0."""
    from conformance.run.shards import share_rate

    return share_rate(rate, workers)


class _Collector:
    """A pytest plugin that keeps the run's summary once the conformance plugin has folded
    every result in (trylast: after the workers' parts are merged)."""

    def __init__(self) -> None:
        self.summary: dict[str, Any] | None = None

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        context = active()
        if context is not None and getattr(session.config, "workerinput", None) is None:
            self.summary = context.results.summary()


def run_pytest(
    options: RunOptions, target: Target, spec_path: Path, seed: int, webhook_url: str | None = None
) -> dict[str, Any]:
    """The session's summary, from memory. A run that ended without one (pytest could not
    start it) is a usage error; a Ctrl-C keeps what was gathered."""
    args = pytest_args(options, target, spec_path, seed, webhook_url)
    if not _plugin_registered():
        args = ["-p", "conformance.run.plugin", *args]
    summary_path = Path(options.report_dir) / "summary.json"
    base = _keep_compare_base(options, summary_path, args)
    summary_path.unlink(missing_ok=True)
    collector = _Collector()
    saved = os.environ.get(ENV_KEY), sys.stdout, sys.stderr
    os.environ[ENV_KEY] = target.api_key
    sys.stdout, sys.stderr = _Redacting(sys.stdout, target), _Redacting(sys.stderr, target)
    try:
        try:
            code = pytest.main(args, plugins=[collector])
        except Exception:
            # pytest can fail while reporting a Ctrl-C (formatting an interrupted frame's traceback);
            # the session still finished and the results were marked interrupted: keep them.
            if collector.summary is None or not collector.summary.get("interrupted"):
                raise RunError("the test session failed inside pytest", EXIT_USAGE) from None
            code = pytest.ExitCode.INTERRUPTED
    finally:
        sys.stdout.flush()
        sys.stdout, sys.stderr = saved[1], saved[2]
        if saved[0] is None:
            os.environ.pop(ENV_KEY, None)
        else:
            os.environ[ENV_KEY] = saved[0]
    if base is not None:
        base.unlink(missing_ok=True)
    interrupted = int(code) == int(pytest.ExitCode.INTERRUPTED) and collector.summary is not None
    if (int(code) in (2, 3, 4) and not interrupted) or collector.summary is None:
        raise RunError(f"the test session did not complete (pytest exit code {int(code)})", EXIT_USAGE)
    return collector.summary


def _plugin_registered() -> bool:
    from importlib.metadata import entry_points

    return any(ep.value == "conformance.run.plugin" for ep in entry_points(group="pytest11"))
