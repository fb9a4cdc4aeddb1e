"""What the run's new phases cost: the whole-spec run of this checkout against a baseline
checkout's, at the same budget and seed, against each one's own embedded reference server.

Issue 15 asks that the run with the scenarios (and the stateful phase) stays within 1.2x of the
run before them. A baseline is another checkout's `telnyx-conformance` (e.g. a worktree of the
commit before, with its own venv: `git worktree add ../base REV`, then `pip install -e ../base`
into a venv there), given by `--baseline-tool`. Runs, in order: the baseline, this checkout's
default run (scenarios on, stateful off), and this checkout with `--stateful`; each row has its
wall time, requests, peak RSS of the process tree (run plus embedded server) and its verdict's
first lines, so a faster run that tested less would show.

Usage: python bench/growth_bench.py --baseline-tool PATH [--spec PATH] [--max-examples N] [--seed N]
       [--include-tag T ...] [--no-stateful] [--timeout S] [--output-md PATH]
Exit codes: 0 measured; 1 a run did not complete; 2 the benchmark could not start.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import DEFAULT_MD, BenchError, resolve_spec, unpinned, venv_tool
from harness.docs import header_lines, machine_info, machine_line, run_facts, spec_text, table_row, update_markdown
from harness.measure import run_timed

MARK_START, MARK_END = "<!-- growth-bench -->", "<!-- /growth-bench -->"
TARGET_RATIO = 1.2
DEFAULT_TIMEOUT_S = 3600.0


@dataclass
class Row:
    label: str
    wall_s: float
    rss_kb: int
    requests: int
    verdict: list[str]  # the run's last lines that say what it found


def measure(label: str, command: list[str], work: Path, timeout: float) -> Row:
    """One run, its figures read from its own summary.json and its printed verdict."""
    report = work / label.replace(" ", "-")
    env = {k: v for k, v in os.environ.items() if k not in ("TELNYX_API_KEY", "TELNYX_SHARD", "CI_NODE_INDEX")}
    print(f"timing {label} ...", file=sys.stderr)
    timed = run_timed([*command, "--report-dir", str(report)], env, work, label.replace(" ", "-"), timeout)
    if timed.code not in (0, 1):
        raise BenchError(f"{label}: exit {timed.code}: {timed.stderr.read_text(errors='replace')[-300:]}")
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    out = timed.stdout.read_text(encoding="utf-8", errors="replace").splitlines()
    verdict = [line for line in out if line.startswith(("target ", "spec defects", "setup problems"))]
    return Row(label, timed.wall_s, timed.rss_kb or 0, int(summary["totals"]["requests"]), verdict)


def warm_up(tools: Sequence[str], common: list[str], work: Path, timeout: float) -> None:
    """One tiny run of each tool first: the first run of a checkout builds its parsed-spec cache
    and byte-compiles its modules, which would be charged to whichever run comes first."""
    for n, tool in enumerate(tools):
        tiny = [tool, *common, "--include-operation-id", "ListAddresses", "--max-examples", "1"]
        run_timed([*tiny, "--report-dir", str(work / f"warm-{n}")], dict(os.environ), work, f"warm-{n}", timeout)


def rows_md(rows: Sequence[Row]) -> list[str]:
    base = rows[0].wall_s
    lines = [table_row(["run", "wall", "vs baseline", "requests", "peak RSS (run + server)", "verdict"])]
    lines.append("|---|---:|---:|---:|---:|---|")
    for row in rows:
        lines.append(
            table_row(
                [
                    row.label,
                    f"{row.wall_s:.1f} s",
                    f"{row.wall_s / base:.2f}x",
                    f"{row.requests:,}",
                    f"{row.rss_kb / 1024:.0f} MiB",
                    " / ".join(row.verdict) or "n/a",
                ]
            )
        )
    return lines


def markdown_section(rows: Sequence[Row], context: dict) -> str:
    worst = max(row.wall_s for row in rows[1:]) / rows[0].wall_s
    verdict = "met" if worst <= TARGET_RATIO else "NOT met"
    lines = [
        *header_lines(
            MARK_START,
            "## What the run's new phases cost (scenarios, stateful)",
            "Written by `bench/growth_bench.py` (`tox -e bench-growth`); do not edit by hand between the markers.",
            context,
        ),
        f"- Machine: {machine_line(context['machine'])}",
        f"- Spec: {spec_text(context)}; "
        + (f"tags {', '.join(context['tags'])}" if context["tags"] else "every operation"),
        f"- Budget: `--max-examples {context['max_examples']}`, seed {context['seed']}, each run against its own "
        f"embedded server, one after the other; baseline: `{context['baseline']}`",
        "",
        *rows_md(rows),
        "",
        f"Slowest of this checkout's runs against the baseline: {worst:.2f}x (target <= {TARGET_RATIO}x: {verdict}).",
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline-tool", required=True, metavar="PATH", help="another checkout's telnyx-conformance")
    parser.add_argument("--spec", metavar="PATH", help="spec file (default: $TELNYX_SPEC, ../shared/spec/telnyx.yml)")
    parser.add_argument("--max-examples", type=int, default=10, metavar="N", help="cases per operation (default: 10)")
    parser.add_argument("--seed", type=int, default=7, metavar="N", help="generation seed (default: 7)")
    parser.add_argument("--include-tag", action="append", default=[], metavar="T", help="only these tags (a check)")
    parser.add_argument("--no-stateful", action="store_true", help="leave out the --stateful run")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S", help="per run")
    parser.add_argument("--output-md", metavar="PATH", help="markdown to update (default: docs/benchmarks.md)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    machine = machine_info()
    tool, baseline = venv_tool("telnyx-conformance"), Path(args.baseline_tool)
    if tool is None or not baseline.is_file():
        print(f"growth_bench: error: need this venv's telnyx-conformance and {baseline}", file=sys.stderr)
        return 2
    try:
        spec = resolve_spec(args.spec)
        common = ["run", "--spec", str(spec), "--max-examples", str(args.max_examples), "--seed", str(args.seed)]
        common += [w for tag in args.include_tag for w in ("--include-tag", tag)] + ["--quiet"]
        common += ["--allow-unpinned"] if unpinned(spec) else []
        runs = [("baseline", [str(baseline), *common]), ("this checkout", [str(tool), *common])]
        runs += [] if args.no_stateful else [("this checkout --stateful", [str(tool), *common, "--stateful"])]
        with tempfile.TemporaryDirectory(prefix="growth-bench-") as tmp:
            warm_up([str(baseline), str(tool)], common, Path(tmp), args.timeout)
            rows = [measure(label, command, Path(tmp), args.timeout) for label, command in runs]
    except BenchError as exc:
        print(f"growth_bench: error: {exc}", file=sys.stderr)
        return 1
    print("\n".join(rows_md(rows)))
    context = {
        **run_facts(argv, machine, spec),
        "tags": args.include_tag,
        "max_examples": args.max_examples,
        "seed": args.seed,
        "baseline": str(baseline),
    }
    update_markdown(
        Path(args.output_md) if args.output_md else DEFAULT_MD, markdown_section(rows, context), MARK_START, MARK_END
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
