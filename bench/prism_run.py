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
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import REPO_ROOT, BenchError, resolve_spec, subset_ids, tool_version, venv_tool
from harness.docs import header_lines, machine_info, machine_line, run_facts, update_markdown
from harness.measure import run_timed
from harness.peers import PRISM_PKG, install_prism_cli, installed_version, json_copy
from harness.procs import free_port, tail
from harness.supervise import API_KEY, PRISM_START_S, Relay, Supervisor

MARK_START, MARK_END = "<!-- prism-run:start -->", "<!-- prism-run:end -->"
DEFAULT_MD = REPO_ROOT / "docs" / "prism.md"
DEFAULT_TIMEOUT_S = 3600.0


def say(message: str) -> None:
    print(f"prism_run: {message}", file=sys.stderr)


# --- the run and its report -------------------------------------------------------------------


def install_prism() -> tuple[Path, Path, str]:
    """(prism executable, its npm prefix, its version), installed into the user cache once."""
    installed = install_prism_cli()
    prefix = installed.prefix
    if installed.missing_tool:
        raise BenchError(
            f"{installed.missing_tool} not found on PATH: Prism needs Node.js and npm "
            "(e.g. apt-get install -y nodejs npm)"
        )
    if installed.npm_failure:
        raise BenchError(f"{installed.npm_failure} (is the npm registry reachable?)")
    if installed.missing_bins:
        raise BenchError(f"prism missing under {prefix}/node_modules/.bin after npm install")
    return installed.bins["prism"], prefix, installed_version(prefix, PRISM_PKG) or "?"


@dataclass
class Outcome:
    summary: dict
    wall_s: float
    code: int
    warnings: list[str]
    by_value: list[dict]  # spec failures that only the by-value triage makes the spec's


def judged_by_value(spec_path: Path, summary: dict) -> list[dict]:
    """The `spec` failures of response checks that triage put on the spec by their value: the
    response echoed the spec's own invalid example or default (its reason says so). The spec
    path is kept for the callers' signature; the reasons are in the summary itself."""
    from conformance.triage import RESPONSE_CHECKS, SPEC

    found = []
    for result in summary["operations"]:
        for failure in result["failures"]:
            by_value = "the value is the spec's own" in failure.get("reason", "")
            if failure["classification"] == SPEC and failure["check"] in RESPONSE_CHECKS and by_value:
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
        *header_lines(
            MARK_START,
            "## Measured",
            "Written by `bench/prism_run.py` (`tox -e prism`); do not edit by hand between the markers.",
            context,
        ),
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
            **run_facts(argv, machine, spec),
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
