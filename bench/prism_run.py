"""Run the conformance run against the Prism mock of the spec, to the end, and report its triage.

Prism 5.14 (`@stoplight/prism-cli`, installed with npm into the user cache) mocks the spec from a
JSON copy of it, on loopback. Three of its habits are handled here, in the open:

- it serves the spec's paths at its root and ignores the server path `/v2`, so the run's
  `--base-url` is `http://127.0.0.1:PORT`, the path Prism actually serves;
- it answers unknown one- and two-segment paths with 200 through the spec's own catch-all
  storage routes (`/{bucketName}`, `/{bucketName}/{objectName}`): preflight probes an unknown
  path that no template of the spec matches (`conformance.preflight.unknown_path`), where Prism
  answers 404 as it should, so no preflight check is switched off;
- it crashes on some requests (a multipart part without its own Content-Type, a validation
  message with a character outside Latin-1). Prism runs under a supervisor that restarts it,
  behind a byte-for-byte TCP relay on the port the run uses: the request that crashed Prism
  loses its connection (the run records `connection_error` on that operation, the target's
  failure), and requests arriving while Prism restarts wait for it instead of being refused.
  Every crash is counted and reported with Prism's own last line.

Usage: python bench/prism_run.py [--spec PATH] [--max-examples N] [--operations N] [--seed N]
       [--timeout S] [--report-dir DIR] [--output-md PATH]
Exit codes: 0 the run finished (whatever it found: failures are the report); 1 the run did not
finish (it exited 2 or 3, or ran past --timeout); 2 nothing could run (no node/npm, npm install
failed or unreachable, no spec, Prism never started).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _common import (
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
    resolve_spec,
    tool_version,
    update_markdown,
    venv_tool,
)
from run_bench import run_timed, subset_ids, tail
from server_bench import PRISM_PKG, PRISM_VERSION, free_port, http_status, json_copy, stop_server

MARK_START, MARK_END = "<!-- prism-run:start -->", "<!-- prism-run:end -->"
DEFAULT_MD = REPO_ROOT / "docs" / "prism.md"
API_KEY = "prism-accepts-any-key"  # Prism checks that a bearer token is present, not which one
PRISM_START_S = 120.0  # a restart included: Prism parses the 2.8 MB spec each time
RELAY_WAIT_S = 150.0  # how long a connection waits for Prism to come back
MAX_RESTARTS = 200
DEFAULT_TIMEOUT_S = 3600.0


def say(message: str) -> None:
    print(f"prism_run: {message}", file=sys.stderr)


# --- Prism, supervised ------------------------------------------------------------------------


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


# --- the run and its report -------------------------------------------------------------------


def install_prism() -> tuple[Path, Path, str]:
    """(prism executable, its npm prefix, its version), installed into the user cache once."""
    missing = missing_node_tool()
    if missing:
        raise BenchError(
            f"{missing} not found on PATH: Prism needs Node.js and npm (e.g. apt-get install -y nodejs npm)"
        )
    prefix = peers_dir() / "prism"
    failure = npm_install(prefix, {PRISM_PKG: PRISM_VERSION})
    if failure:
        raise BenchError(f"{failure} (is the npm registry reachable?)")
    prism = prefix / "node_modules" / ".bin" / "prism"
    if not prism.exists():
        raise BenchError(f"prism missing under {prefix}/node_modules/.bin after npm install")
    return prism, prefix, installed_version(prefix, PRISM_PKG) or "?"


@dataclass
class Outcome:
    summary: dict
    wall_s: float
    code: int
    warnings: list[str]
    by_value: list[dict]  # spec failures that only the by-value triage makes the spec's


def judged_by_value(spec_path: Path, summary: dict) -> list[dict]:
    """The `spec` failures of response checks on operations whose responses reach no
    spec-breaking location: the spec's by the value the response echoed, nothing else."""
    from conformance.triage import RESPONSE_CHECKS, SPEC, triage_for
    from spec.load import load_spec

    spec = load_spec(spec_path)
    index = spec.index()
    triage = triage_for(index, spec)
    operations = {(op.method.upper(), op.path): op for op in index.operations}
    found = []
    for result in summary["operations"]:
        operation = operations.get((result["method"], result["path"]))
        for failure in result["failures"]:
            if failure["classification"] != SPEC or failure["check"] not in RESPONSE_CHECKS or operation is None:
                continue
            if not triage.responses_have_spec_problem(operation):
                found.append({"operation": f"{result['method']} {result['path']}", **failure})
    return found


def run_against(args: argparse.Namespace, spec: Path, base_url: str, ids: Sequence[str], report: Path) -> Outcome:
    tool = venv_tool("telnyx-conformance")
    if tool is None:
        raise BenchError("telnyx-conformance not found (run from the project's venv or tox)")
    command = [str(tool), "run", "--base-url", base_url, "--api-key", API_KEY, "--spec", str(spec)]
    command += ["--max-examples", str(args.max_examples), "--seed", str(args.seed), "--report-dir", str(report)]
    command += ["--quiet", *(w for op_id in ids for w in ("--include-operation-id", op_id))]
    env = {k: v for k, v in os.environ.items() if k != "TELNYX_API_KEY"}
    say(f"telnyx-conformance run against Prism at {base_url} (--max-examples {args.max_examples}) ...")
    timed = run_timed(command, env, report.parent, "run", args.timeout)
    warnings = [
        line.strip()
        for line in timed.stderr.read_text(encoding="utf-8", errors="replace").splitlines()
        if "warning:" in line
    ]
    if timed.code not in (0, 1):
        raise RunIncomplete(f"the run exited {timed.code}: {tail(timed.stderr)}")
    try:
        summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise RunIncomplete("the run wrote no summary.json") from None
    return Outcome(summary, timed.wall_s, timed.code, warnings, judged_by_value(spec, summary))


class RunIncomplete(Exception):
    """The conformance run did not finish (exit 1 of this script)."""


def check_table(summary: dict) -> list[tuple[str, Counter]]:
    by_check: dict[str, Counter] = {}
    for result in summary["operations"]:
        for failure in result["failures"]:
            by_check.setdefault(failure["check"], Counter())[failure["classification"]] += 1
    return sorted(by_check.items(), key=lambda item: -sum(item[1].values()))


def text_report(outcome: Outcome, supervisor: Supervisor, relay: Relay) -> str:
    totals = outcome.summary["totals"]
    classes = totals["by_classification"]
    lines = [
        f"{totals['operations']} operations: {totals['passed']} passed, {totals['failed']} failed, "
        f"{totals['skipped']} skipped, {totals['errored']} errored; {totals['requests']:,} requests "
        f"in {outcome.wall_s:.0f} s",
        "failures by class: " + (", ".join(f"{k} {v}" for k, v in classes.items()) or "none"),
        f"spec by the value echoed (the spec's own invalid examples): {len(outcome.by_value)}",
        f"Prism crashes: {len(supervisor.crashes)} (restarted; {relay.dropped} requests dropped unanswered, "
        f"{relay.waited} connections waited for a restart)",
        "",
        f"{'check':<34} {'server':>7} {'spec':>7} {'setup':>7}",
    ]
    for check, counts in check_table(outcome.summary):
        lines.append(f"{check:<34} {counts['server']:>7} {counts['spec']:>7} {counts['setup']:>7}")
    return "\n".join(lines)


def markdown_section(outcome: Outcome, supervisor: Supervisor, relay: Relay, context: dict) -> str:
    totals = outcome.summary["totals"]
    classes = totals["by_classification"]
    lines = [
        MARK_START,
        "## Measured",
        "",
        "Written by `bench/prism_run.py` (`tox -e prism`); do not edit by hand between the markers.",
        "",
        f"- Command: `{context['command']}`",
        f"- Date: {context['date']}",
        f"- Machine: {machine_line(context['machine'])}",
        f"- Spec: `{context['spec']}`, {context['scope']}; Prism {context['prism']} on node {context['node']}",
        f"- The run: `{context['run_command']}`",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| operations | {totals['operations']} |",
        f"| passed / failed / skipped / errored | {totals['passed']} / {totals['failed']} / {totals['skipped']} / "
        f"{totals['errored']} |",
        f"| requests | {totals['requests']:,} |",
        f"| wall time | {outcome.wall_s:.0f} s |",
        f"| failures, `server` | {classes.get('server', 0):,} |",
        f"| failures, `spec` | {classes.get('spec', 0):,} |",
        f"| of which the spec's own invalid examples, judged by value | {len(outcome.by_value):,} |",
        f"| failures, `setup` | {classes.get('setup', 0):,} |",
        f"| Prism crashes (restarted) | {len(supervisor.crashes)} |",
        f"| requests Prism dropped unanswered | {relay.dropped} |",
        f"| connections that waited for a restart | {relay.waited} |",
        "",
        "Failures by check and class:",
        "",
        "| check | server | spec | setup |",
        "|---|---:|---:|---:|",
    ]
    for check, counts in check_table(outcome.summary):
        lines.append(f"| `{check}` | {counts['server']} | {counts['spec']} | {counts['setup']} |")
    if supervisor.crashes:
        reasons = Counter(crash.last_line for crash in supervisor.crashes)
        lines += ["", "Prism's crashes, by its last error line:", ""]
        lines += [f"- {count} × `{reason}`" for reason, count in reasons.most_common(5)]
    if outcome.by_value:
        lines += ["", "Some failures judged `spec` by value (the response held the spec's own invalid example):", ""]
        seen: set[str] = set()
        for failure in outcome.by_value:
            if failure["operation"] in seen or len(seen) >= 8:
                continue
            seen.add(failure["operation"])
            lines.append(f"- `{failure['operation']}`: {failure['message'][:220].replace('|', '/')}")
    if outcome.warnings:
        lines += ["", "The run's warnings:", ""]
        lines += [f"- {warning.replace('telnyx-conformance: warning: ', '')}" for warning in outcome.warnings]
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


# --- main ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", metavar="PATH", help="spec (default: $TELNYX_SPEC, then ../shared/spec/telnyx.yml)")
    parser.add_argument("--max-examples", type=int, default=5, metavar="N", help="cases per operation (default: 5)")
    parser.add_argument("--operations", type=int, metavar="N", help="only the spec's first N operations")
    parser.add_argument("--seed", type=int, default=1, metavar="N", help="generation seed (default: 1)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S", help="bound (default 3600)")
    parser.add_argument("--report-dir", metavar="DIR", help="keep the run's reports here (default: a temporary dir)")
    parser.add_argument("--output-md", metavar="PATH", help="markdown to update (default: docs/prism.md, full runs)")
    args = parser.parse_args(argv)
    if args.max_examples < 1 or (args.operations is not None and args.operations < 1) or args.timeout <= 0:
        parser.error("--max-examples and --operations must be at least 1, --timeout positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    machine = machine_info()
    supervisor = relay = None
    try:
        spec = resolve_spec(args.spec)
        ids = subset_ids(spec, args.operations)
        prism, prefix, version = install_prism()
        with tempfile.TemporaryDirectory(prefix="prism-run-") as tmp:
            work = Path(tmp)
            spec_json = json_copy(spec, prefix)
            port = free_port()
            command = [str(prism), "mock", "-h", "127.0.0.1", "-p", str(port), str(spec_json)]
            supervisor = Supervisor(command, port, prefix, work)
            say(f"starting Prism {version} on 127.0.0.1:{port} ...")
            supervisor.start()
            if not supervisor.wait_up(PRISM_START_S):
                raise BenchError(supervisor.failed or f"Prism did not answer within {PRISM_START_S:.0f} s")
            relay = Relay(port, supervisor)
            relay.start()
            base_url = f"http://127.0.0.1:{relay.port}"
            report = Path(args.report_dir).resolve() if args.report_dir else work / "report"
            report.mkdir(parents=True, exist_ok=True)
            try:
                outcome = run_against(args, spec, base_url, ids, report)
            finally:  # before the temporary dir goes: Prism writes its logs there
                relay.stop()
                supervisor.stop()
    except BenchError as exc:
        print(f"prism_run: error: {exc}", file=sys.stderr)
        return 2
    except RunIncomplete as exc:
        print(f"prism_run: the run did not finish: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("prism_run: interrupted", file=sys.stderr)
        return 130
    finally:
        if relay is not None:
            relay.stop()
        if supervisor is not None:
            supervisor.stop()
    print(text_report(outcome, supervisor, relay))
    output = Path(args.output_md) if args.output_md else (None if ids else DEFAULT_MD)
    if output is not None:
        context = {
            "command": command_line([sys.argv[0], *(argv if argv is not None else sys.argv[1:])]),
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine,
            "spec": display_path(spec),
            "scope": f"the first {len(ids)} operations" if ids else "every operation",
            "prism": version,
            "node": tool_version(["node", "--version"]),
            "run_command": (
                f"telnyx-conformance run --base-url http://127.0.0.1:PORT --api-key {API_KEY} --spec SPEC "
                f"--max-examples {args.max_examples} --seed {args.seed} --report-dir DIR --quiet"
            ),
        }
        update_markdown(output, markdown_section(outcome, supervisor, relay, context), MARK_START, MARK_END)
        print(f"\nsection written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
