"""Benchmark a whole-spec conformance run against bare schemathesis, side by side, on one machine.

Times `telnyx-conformance run` (which starts the embedded reference server itself) and the
schemathesis CLI `st run` with the same budget (`--max-examples`, phases examples, coverage and
fuzzing, no example database, one worker) against a reference server started the same way, and
reports for each: wall time, requests sent, and peak RSS of the process tree (ours includes its
embedded server; for st the separately started server is added). Prints a table and the ratios
the issue targets, and rewrites the run section of docs/benchmarks.md (a subset run, with
`--operations`, only prints unless `--output-md` is given).

Requests are counted the same way for both tools: by schemathesis' `after_call` hook, once per
response received. Ours counts in its pytest plugin (`totals.requests` of summary.json); for
`st run` a hooks file (SCHEMATHESIS_HOOKS) with the same one-line hook writes its count at exit.

Usage: python bench/run_bench.py [--spec PATH] [--max-examples N] [--operations N] [--seed N]
       [--timeout S] [--no-st] [--output-md PATH]
Exit codes: 0 measured; 1 a tool did not complete (crashed, usage error, timed out);
2 the benchmark could not start (no spec, no st, bad arguments).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _common import DEFAULT_MD, BenchError, resolve_spec, subset_ids, venv_tool
from harness.docs import (
    header_lines,
    machine_info,
    machine_line,
    met,
    print_figures,
    run_facts,
    section_tail,
    spec_text,
    table_row,
    update_markdown,
)
from harness.measure import process_tree, run_timed, vm_hwm_kb
from harness.procs import TOKEN, reference_server_process, tail

MARK_START, MARK_END = "<!-- run-bench:start -->", "<!-- run-bench:end -->"
PHASES = "examples,coverage,fuzzing"  # what conformance.plugin.build_schema enables (stateful off)
SERVER_START_S = 90.0
DEFAULT_TIMEOUT_S = 1800.0

# Issue targets.
TARGET_WALL_S = 300.0
TARGET_RATIO = 1.2
TARGET_RSS_MIB = 600.0

# The hooks file given to `st run`: the same count as our plugin's `after_call` hook.
COUNT_HOOK = """\
import atexit
import os

import schemathesis

_calls = [0]


@schemathesis.hook
def after_call(ctx, case, response):
    _calls[0] += 1


@atexit.register
def _write():
    with open(os.environ["RUN_BENCH_COUNT_FILE"], "w", encoding="utf-8") as out:
        out.write(str(_calls[0]))
"""


def warn(message: str) -> None:
    print(f"run_bench: {message}", file=sys.stderr)


# --- the two tools ---------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    display: str
    wall_s: float | None = None
    requests: int | None = None
    rss_kb: int | None = None
    rss_note: str = ""
    detail: str = ""  # what was tested, from the tool's own report
    failure: str | None = None
    load: str = ""  # the 1-minute load average when the tool started and ended
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def rss_mib(self) -> float | None:
        return self.rss_kb / 1024 if self.rss_kb is not None else None


def id_args(ids: Sequence[str]) -> list[str]:
    return [word for op_id in ids for word in ("--include-operation-id", op_id)]


def run_ours(args: argparse.Namespace, spec: Path, ids: Sequence[str], work: Path) -> Result:
    tool = venv_tool("telnyx-conformance")
    if tool is None:
        raise BenchError("telnyx-conformance not found (run from the project's venv or tox)")
    report = work / "ours-report"
    command = [str(tool), "run", "--spec", str(spec), "--max-examples", str(args.max_examples)]
    command += ["--seed", str(args.seed), "--report-dir", str(report), "--quiet", *id_args(ids)]
    display = "telnyx-conformance run --spec SPEC --max-examples {n} --seed {seed} --report-dir DIR --quiet"
    result = Result("telnyx-conformance run (embedded server)", display.format(n=args.max_examples, seed=args.seed))
    print("timing telnyx-conformance run ...", file=sys.stderr)
    env = {k: v for k, v in os.environ.items() if k != "TELNYX_API_KEY"}  # a random key, as a user's run
    before = os.getloadavg()[0]
    timed = run_timed(command, env, work, "ours", args.timeout)
    result.load = f"{before:.2f} → {os.getloadavg()[0]:.2f}"
    result.wall_s, result.rss_kb = timed.wall_s, timed.rss_kb
    result.rss_note = "run + its embedded server"
    if timed.code not in (0, 1):
        result.failure = f"exit {timed.code}: {tail(timed.stderr)}"
        return result
    try:
        summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
        totals = summary["totals"]
    except (OSError, ValueError, KeyError):
        result.failure = "no summary.json after the run"
        return result
    result.requests = int(totals["requests"])
    tested = totals["operations"] - totals["skipped"]
    classes = ", ".join(f"{k} {v}" for k, v in totals.get("by_classification", {}).items()) or "none"
    result.detail = f"{tested} operations tested, {totals['failed']} failed (failures by class: {classes})"
    return result


@contextlib.contextmanager
def reference_server(spec: Path, seed: int, work: Path):
    """`telnyx-conformance serve --port 0` with the default key; yields (base URL, process)."""
    tool = venv_tool("telnyx-conformance")
    if tool is None:
        raise BenchError("telnyx-conformance not found (run from the project's venv or tox)")
    command = [str(tool), "serve", "--spec", str(spec), "--port", "0", "--seed", str(seed)]
    with reference_server_process(command, work, SERVER_START_S) as (base, proc):
        yield base, proc


def run_st(args: argparse.Namespace, spec: Path, ids: Sequence[str], work: Path) -> Result:
    st = venv_tool("st") or venv_tool("schemathesis")
    if st is None:
        raise BenchError("the schemathesis CLI (st) is not installed in this environment")
    hooks, counted = work / "st_count_hook.py", work / "st-requests.txt"
    hooks.write_text(COUNT_HOOK, encoding="utf-8")
    result = Result("schemathesis st run (reference server)", "")
    with reference_server(spec, args.seed, work) as (base_url, server):
        command = [str(st), "run", str(spec), "--url", base_url, "--header", f"Authorization: Bearer {TOKEN}"]
        command += ["--max-examples", str(args.max_examples), "--phases", PHASES, "--seed", str(args.seed)]
        command += ["--generation-database", "none", "--workers", "1", "--no-color"]
        command += ["--report", "json", "--report-dir", str(work / "st-report"), *id_args(ids)]
        result.display = shlex.join(
            [
                "st",
                "run",
                "SPEC",
                "--url",
                "http://127.0.0.1:PORT/v2",
                "--header",
                "Authorization: Bearer KEY",
                *command[command.index("--max-examples") : command.index("--report")],
            ]
        )
        result.display += f"  # server: telnyx-conformance serve --spec SPEC --port 0 --seed {args.seed}"
        env = {**os.environ, "SCHEMATHESIS_HOOKS": str(hooks), "RUN_BENCH_COUNT_FILE": str(counted)}
        print("timing st run ...", file=sys.stderr)
        before = os.getloadavg()[0]
        timed = run_timed(command, env, work, "st", args.timeout)
        result.load = f"{before:.2f} → {os.getloadavg()[0]:.2f}"
        server_kb = sum(vm_hwm_kb(pid) or 0 for pid in process_tree(server.pid))
    result.wall_s = timed.wall_s
    result.rss_kb = timed.rss_kb + server_kb
    result.rss_note = f"st {timed.rss_kb / 1024:.0f} MiB + its server {server_kb / 1024:.0f} MiB"
    result.extra["st_only_rss_kb"] = str(timed.rss_kb)
    if timed.code not in (0, 1):
        result.failure = f"exit {timed.code}: {tail(timed.stdout, 3)}"
        return result
    try:
        result.requests = int(counted.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result.failure = "the request-count hook wrote nothing"
    reports = sorted((work / "st-report").glob("*.json"))
    if reports:
        with contextlib.suppress(OSError, ValueError, KeyError):
            report = json.loads(reports[-1].read_text(encoding="utf-8"))
            ops, cases = report["operations"], report["test_cases"]
            result.detail = (
                f"{ops['tested']} operations tested, {cases['generated']:,} test cases, "
                f"{sum(f['count'] for f in report['failures'])} unique failures"
            )
    return result


# --- reporting -------------------------------------------------------------------------------


def ratios(ours: Result, st: Result | None, subset: bool) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    scope = "subset: target is for the whole spec" if subset else None
    if ours.wall_s is not None and not ours.failure:
        verdict = scope or met(ours.wall_s < TARGET_WALL_S, f"< {TARGET_WALL_S / 60:.0f} min")
        out.append(("wall time, telnyx-conformance run", f"{ours.wall_s:.1f} s", verdict))
    if ours.rss_mib is not None and not ours.failure:
        out.append(
            (
                "peak RSS, run + embedded server",
                f"{ours.rss_mib:.0f} MiB",
                met(ours.rss_mib < TARGET_RSS_MIB, "< 600 MB"),
            )
        )
    if st is not None and st.wall_s and ours.wall_s and not (st.failure or ours.failure):
        ratio = ours.wall_s / st.wall_s
        out.append(("wall time, ours / bare st", f"{ratio:.2f}x", met(ratio <= TARGET_RATIO, f"≤ {TARGET_RATIO:g}x")))
        if st.requests and ours.requests:
            ours_rate, st_rate = ours.requests / ours.wall_s, st.requests / st.wall_s
            out.append(("requests/s, ours / bare st", f"{ours_rate:.0f} / {st_rate:.0f}", "reported"))
    return out


def fmt(value: float | None, pattern: str) -> str:
    return pattern.format(value) if value is not None else "n/a"


def text_table(rows: list[Result]) -> str:
    header = f"{'tool':<44} {'wall':>9} {'requests':>10} {'req/s':>7} {'peak RSS':>10}  detail"
    lines = [header, "-" * len(header)]
    for row in rows:
        rate = row.requests / row.wall_s if row.requests and row.wall_s else None
        detail = (row.failure and f"FAILED: {row.failure}") or row.detail
        lines.append(
            f"{row.label:<44} {fmt(row.wall_s, '{:.1f} s'):>9} {fmt(row.requests, '{:,}'):>10} "
            f"{fmt(rate, '{:.0f}'):>7} {fmt(row.rss_mib, '{:.0f} MiB'):>10}  {detail}"
        )
    return "\n".join(lines)


def markdown_section(rows: list[Result], context: dict) -> str:
    lines = [
        *header_lines(
            MARK_START,
            "## Conformance run against bare schemathesis",
            "Written by `bench/run_bench.py` (`tox -e bench-run`); do not edit by hand between the markers.",
            context,
        ),
        f"- Machine: {machine_line(context['machine'])}; load average {context['load_end']} at the end",
        f"- Spec: {spec_text(context)}, {context['scope']}",
        f"- Budget, both tools: `--max-examples {context['max_examples']}`, phases {PHASES.replace(',', ', ')} "
        f"(stateful off, as the plugin's `build_schema`), no example database, one worker, seed {context['seed']}, "
        "against the embedded reference server on loopback",
        f"- Versions: {context['versions']}",
        "- Requests: counted by schemathesis' `after_call` hook, once per response, for both tools: our plugin's "
        "own hook (`totals.requests` in summary.json), and for `st run` a hooks file (`SCHEMATHESIS_HOOKS`) with "
        "the same one-line hook that writes its count at exit",
        "- Peak RSS: VmHWM of every process of the tree, sampled every 0.5 s (the root's from `wait4`), summed; "
        "ours includes the embedded server it starts, st's row adds the reference server it was run against",
        "- One run of each, ours first (a single full-spec run takes minutes: re-run to see the spread); the "
        "load column is the 1-minute load average as each tool started and ended (each tool alone makes about 1)",
        "",
        "| tool | wall | requests | requests/s | peak RSS | load, start → end | what ran |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        rate = row.requests / row.wall_s if row.requests and row.wall_s else None
        what = f"failed: {row.failure}" if row.failure else row.detail
        rss = fmt(row.rss_mib, "{:.0f} MiB") + (f" ({row.rss_note})" if row.rss_note else "")
        cells = [row.label, fmt(row.wall_s, "{:.1f} s"), fmt(row.requests, "{:,}"), fmt(rate, "{:.0f}"), rss]
        cells += [row.load or "n/a", what]
        lines.append(table_row(cells))
    lines += section_tail(rows, context["ratios"], context["notes"], MARK_END)
    return "\n".join(lines) + "\n"


def shared_machine_notes(load_start: tuple[float, float, float], rows: list[Result]) -> list[str]:
    """A note when other jobs shared the machine while the tools ran."""
    # Each tool keeps about one core busy (its server is mostly idle): a 1-minute load well above 1
    # when a tool starts or ends means other jobs shared the 2 cores (a job that ended just before
    # leaves a decaying load below that).
    loads = [float(x) for r in rows if r.load for x in r.load.split(" → ")]
    if load_start[0] > 1.5 or any(load > 1.5 for load in loads):
        return [
            "The machine was shared while this was measured (see the load averages: other jobs used the "
            "same 2 cores), so the wall times are inflated, and the ratio too when one tool ran under more "
            "load than the other; re-run on a quiet machine for absolute times."
        ]
    return []


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("telnyx-conformance", "schemathesis", "hypothesis", "pytest"):
        with contextlib.suppress(PackageNotFoundError):
            found.append(f"{name} {version(name)}")
    found.append(f"python {sys.version.split()[0]}")
    return ", ".join(found)


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--spec", metavar="PATH", help="spec file (default: $TELNYX_SPEC, then ../shared/spec/telnyx.yml)"
    )
    parser.add_argument("--max-examples", type=int, default=25, metavar="N", help="cases per operation (default: 25)")
    parser.add_argument(
        "--operations", type=int, metavar="N", help="only the spec's first N operations (a quick check)"
    )
    parser.add_argument("--seed", type=int, default=1, metavar="N", help="generation seed of both tools (default: 1)")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_S,
        metavar="S",
        help="kill a tool past S seconds (default: 1800)",
    )
    parser.add_argument("--no-st", action="store_true", help="time our run only")
    parser.add_argument(
        "--output-md", metavar="PATH", help="markdown file to update (default: docs/benchmarks.md, full runs)"
    )
    args = parser.parse_args(argv)
    if args.max_examples < 1:
        parser.error("--max-examples must be at least 1")
    if args.operations is not None and args.operations < 1:
        parser.error("--operations must be at least 1")
    if args.timeout <= 0:
        parser.error("--timeout must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    machine = machine_info()
    load_start = os.getloadavg()
    try:
        spec = resolve_spec(args.spec)
        ids = subset_ids(spec, args.operations)
        with tempfile.TemporaryDirectory(prefix="run-bench-") as tmp:
            work = Path(tmp)
            ours = run_ours(args, spec, ids, work)
            st = None if args.no_st else run_st(args, spec, ids, work)
    except BenchError as exc:
        print(f"run_bench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("run_bench: interrupted", file=sys.stderr)
        return 130
    rows = [ours] + ([st] if st else [])
    figures = ratios(ours, st, subset=bool(ids))
    print(text_table(rows))
    print()
    print_figures(figures, 36, 12)
    output = Path(args.output_md) if args.output_md else (None if ids else DEFAULT_MD)
    if output is not None:
        context = {
            **run_facts(argv, machine, spec),
            "load_end": " / ".join(f"{x:.2f}" for x in os.getloadavg()),
            "scope": f"the first {len(ids)} operations" if ids else "every operation",
            "max_examples": args.max_examples,
            "seed": args.seed,
            "versions": versions(),
            "ratios": figures,
            "notes": shared_machine_notes(load_start, rows),
        }
        update_markdown(output, markdown_section(rows, context), MARK_START, MARK_END)
        print(f"\nsection written to {output}")
    return 1 if any(row.failure for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
