"""Benchmark a sharded conformance run: one process against N shards as local processes.

Starts a reference server (`telnyx-conformance serve --latency-ms MS`: every answer waits MS,
as a remote API's round trip would), times the whole selection unsharded, then N shards at once
(`run --shard K/N`, each its own process and report dir) for each N, and `merge` of their dirs.
Each of those runs (the unsharded one, each N's shards together) gets a fresh server of its own:
the same seeded records to start from, so their verdicts can be compared.
Prints, per N: each shard's wall time, the slowest shard against the unsharded wall / N (the
ideal), the wall time of the N together, the merge's time, peak RSS (per shard and summed, the
merge's), and whether the merge says what the unsharded run says, operation by operation.
Rewrites its section of docs/benchmarks.md (a run narrowed with --include-tag is labelled a
small-selection check there; it only prints unless --output-md is given).

Every shard and the unsharded run send to 127.0.0.1 only, with the same seed. On a machine with
fewer cores than shards the shards share the cores: the latency makes the run wait on the
network, which is what sharding over machines buys back.

Usage: python bench/shard_bench.py [--spec PATH] [--max-examples N] [--shards 2,4,8] [--latency-ms MS]
       [--seed N] [--include-tag T ...] [--timeout S] [--output-md PATH]
Exit codes: 0 measured; 1 a run or the merge did not complete; 2 the benchmark could not start.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from _common import DEFAULT_MD, BenchError, resolve_spec, unpinned, venv_tool
from harness.docs import header_lines, machine_info, machine_line, run_facts, spec_text, table_row, update_markdown
from harness.measure import Timed, run_timed
from harness.procs import TOKEN, reference_server_process, tail

MARK_START, MARK_END = "<!-- shard-bench -->", "<!-- /shard-bench -->"
SERVER_START_S = 90.0
DEFAULT_TIMEOUT_S = 7200.0


def warn(message: str) -> None:
    print(f"shard_bench: {message}", file=sys.stderr)


@dataclass
class Batch:
    """One N: its shards' times and peaks, the merge's, and whether the merge agrees."""

    total: int
    wall_s: float = 0.0  # the N shards started together, until the last ended
    shard_walls: list[float] = field(default_factory=list)
    shard_rss_kb: list[int] = field(default_factory=list)
    merge_s: float | None = None
    merge_rss_kb: int | None = None
    agrees: bool | None = None
    failure: str | None = None

    def slowest(self) -> float:
        return max(self.shard_walls) if self.shard_walls else 0.0

    def mean(self) -> float:
        return sum(self.shard_walls) / len(self.shard_walls) if self.shard_walls else 0.0


@dataclass
class Bench:
    tool: Path
    spec: Path
    work: Path
    seed: int
    latency_ms: float
    common: list[str]  # the options every run shares (budget, seed, selection)
    timeout: float
    known_durations: bool = True  # shards packed by the unsharded run's durations.json, as CI does with a cached one


# --- the processes ---------------------------------------------------------------------------


@contextlib.contextmanager
def reference_server(tool: Path, spec: Path, seed: int, latency_ms: float, work: Path) -> Iterator[str]:
    """`telnyx-conformance serve --port 0 --latency-ms MS` with the default key; yields its base URL."""
    command = [str(tool), "serve", "--spec", str(spec), "--port", "0", "--seed", str(seed)]
    command += ["--latency-ms", f"{latency_ms:g}", *(["--allow-unpinned"] if unpinned(spec) else [])]
    with reference_server_process(command, work, SERVER_START_S) as (base, _):
        yield base


@contextlib.contextmanager
def fresh_server(bench: Bench, name: str) -> Iterator[str]:
    """A reference server of its own for one run or one batch of shards: the records an earlier
    run created or deleted would otherwise change what the next one's lists and deletes answer."""
    work = bench.work / f"server-{name}"
    work.mkdir(parents=True, exist_ok=True)
    with reference_server(bench.tool, bench.spec, bench.seed, bench.latency_ms, work) as url:
        yield url


def run_command(bench: Bench, base_url: str, report: Path, *extra: str) -> list[str]:
    command = [str(bench.tool), "run", "--base-url", base_url, "--api-key", TOKEN, "--spec", str(bench.spec)]
    return [*command, *bench.common, *extra, "--report-dir", str(report), "--quiet"]


def environment() -> dict[str, str]:
    """The runs' environment: no key of the user's, no CI engine's shard variables."""
    drop = ("TELNYX_API_KEY", "TELNYX_SHARD", "TELNYX_SHARD_TOTAL", "CI_NODE_INDEX", "CI_NODE_TOTAL")
    return {k: v for k, v in os.environ.items() if k not in (*drop, "JOB_COMPLETION_INDEX")}


def timed_run(bench: Bench, command: list[str], tag: str) -> Timed:
    timed = run_timed(command, environment(), bench.work, tag, bench.timeout)
    if timed.code not in (0, 1):
        raise BenchError(f"{tag}: exit {timed.code}: {tail(timed.stderr)}")
    return timed


def verdicts(report: Path) -> list[tuple[str, str, list[str]]]:
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    return [
        (f"{op['method']} {op['path']}", op["status"], sorted(f["check"] for f in op["failures"]))
        for op in summary["operations"]
    ]


def scope(report: Path) -> tuple[int, int, float]:
    """Operations, collections (a shard's unit) and the largest collection's share of the time."""
    from conformance.run.shards import collection

    durations = json.loads((report / "durations.json").read_text(encoding="utf-8"))["operations"]
    by_collection: dict[str, float] = {}
    for label, entry in durations.items():
        by_collection[collection(label)] = by_collection.get(collection(label), 0.0) + entry["seconds"]
    total = sum(by_collection.values()) or 1.0
    return len(durations), len(by_collection), max(by_collection.values(), default=0.0) / total


def run_batch(bench: Bench, total: int, whole: Path) -> Batch:
    """N shards at once, then their merge."""
    batch = Batch(total)
    dirs = [bench.work / f"n{total}-k{k}" for k in range(1, total + 1)]
    packing = ["--durations", str(whole / "durations.json")] if bench.known_durations else []
    print(f"timing {total} shards ...", file=sys.stderr)
    try:
        with fresh_server(bench, f"n{total}") as url:
            commands = [run_command(bench, url, d, "--shard", f"{k}/{total}", *packing) for k, d in enumerate(dirs, 1)]
            start = time.perf_counter()
            with ThreadPoolExecutor(max_workers=total) as pool:
                run = lambda kc: timed_run(bench, kc[1], f"n{total}-k{kc[0]}")  # noqa: E731
                timings = list(pool.map(run, enumerate(commands, 1)))
            batch.wall_s = time.perf_counter() - start
    except BenchError as exc:
        batch.failure = str(exc)
        return batch
    batch.shard_walls = [t.wall_s for t in timings]
    batch.shard_rss_kb = [t.rss_kb for t in timings]
    merged = bench.work / f"merged-{total}"
    command = [str(bench.tool), "merge", *map(str, dirs), "--report-dir", str(merged), "--spec", str(bench.spec)]
    command += ["--allow-unpinned"] if unpinned(bench.spec) else []
    try:
        timed = timed_run(bench, command, f"merge-{total}")
    except BenchError as exc:
        batch.failure = str(exc)
        return batch
    batch.merge_s, batch.merge_rss_kb = timed.wall_s, timed.rss_kb
    batch.agrees = verdicts(merged) == verdicts(whole)
    if not batch.agrees:  # say where, before the temporary dirs go
        for line in disagreements(verdicts(whole), verdicts(merged))[:10]:
            warn(f"{total} shards: {line}")
    return batch


def disagreements(whole: list[tuple[str, str, list[str]]], merged: list[tuple[str, str, list[str]]]) -> list[str]:
    """The operations whose verdict differs: status and failing checks, unsharded -> merged."""
    before = {label: (status, checks) for label, status, checks in whole}
    after = {label: (status, checks) for label, status, checks in merged}
    return [
        f"{label}: {before.get(label)} unsharded, {after.get(label)} merged"
        for label in sorted(set(before) | set(after))
        if before.get(label) != after.get(label)
    ]


# --- the figures -----------------------------------------------------------------------------


def mib(kb: int | None) -> str:
    return f"{kb / 1024:.0f} MiB" if kb is not None else "n/a"


def rows(whole_s: float, batches: Sequence[Batch]) -> list[list[str]]:
    """One row per N: shards' walls, slowest vs ideal, the N together, merge, RSS, agreement."""
    out = []
    for batch in batches:
        if batch.failure:
            out.append([str(batch.total), f"failed: {batch.failure}", *["n/a"] * (len(COLUMNS) - 2)])
            continue
        ideal = whole_s / batch.total
        walls = ", ".join(f"{w:.1f}" for w in batch.shard_walls)
        out.append(
            [
                str(batch.total),
                walls,
                f"{batch.slowest():.1f} s",
                f"{ideal:.1f} s",
                f"{batch.slowest() / ideal:.2f}x" if ideal else "n/a",
                f"{batch.slowest() / batch.mean():.2f}x" if batch.mean() else "n/a",
                f"{batch.wall_s:.1f} s",
                f"{batch.merge_s:.2f} s" if batch.merge_s is not None else "n/a",
                f"{mib(max(batch.shard_rss_kb))} / {mib(sum(batch.shard_rss_kb))} / {mib(batch.merge_rss_kb)}",
                {True: "yes", False: "NO", None: "n/a"}[batch.agrees],
            ]
        )
    return out


COLUMNS = [
    "shards (N)",
    "wall per shard (s)",
    "slowest shard",
    "unsharded / N",
    "slowest / ideal",
    "slowest / mean",
    "N together",
    "merge",
    "peak RSS: shard max / shards summed / merge",
    "merge = unsharded",
]


def text_table(whole: Timed, batches: Sequence[Batch]) -> str:
    lines = [f"unsharded: {whole.wall_s:.1f} s, peak RSS {mib(whole.rss_kb)}", ""]
    lines.append(" | ".join(COLUMNS))
    lines += [" | ".join(row) for row in rows(whole.wall_s, batches)]
    return "\n".join(lines)


def markdown_section(whole: Timed, batches: Sequence[Batch], context: dict) -> str:
    small = context["tags"]
    title = "## Sharded run (small-selection check)" if small else "## Sharded run: N shards against one run"
    lines = [
        *header_lines(
            MARK_START,
            title,
            "Written by `bench/shard_bench.py` (`tox -e bench-shard`); do not edit by hand between the markers.",
            context,
        ),
        f"- Machine: {machine_line(context['machine'])}",
        f"- Spec: {spec_text(context)}, "
        + (
            f"**only the operations tagged {', '.join(small)}** (a check that the bench works)"
            if small
            else "every operation"
        ),
        f"- Budget: `--max-examples {context['max_examples']}`, seed {context['seed']}, a reference server on "
        f"loopback answering after `--latency-ms {context['latency_ms']:g}`, started afresh for the unsharded run "
        "and for each N (the N shards share it); the N shards run as N local processes "
        "at once, each with its own report dir, then `telnyx-conformance merge`; shards packed by "
        + (
            "the unsharded run's `durations.json` (`--durations`, as CI does with a cached one)"
            if context["packing"] == "durations"
            else "the static estimate (no durations known)"
        ),
        f"- Unsharded: {whole.wall_s:.1f} s, peak RSS {mib(whole.rss_kb)} (the run's process tree); "
        f"{context['operations']} operations in {context['collections']} collections (a shard's unit), the largest "
        f"taking {context['largest']:.0%} of the tests' time: no shard can be faster than that one",
        "- Peak RSS: VmHWM of each process tree, sampled every 0.5 s; 'summed' adds the N shards (they run at once)",
        "",
        table_row(COLUMNS),
        "|" + "---:|" * len(COLUMNS),
        *(table_row(row) for row in rows(whole.wall_s, batches)),
    ]
    if small:
        lines += [
            "",
            "A small-selection check that the bench works, not its figures: the selection has few collections "
            "(the unit a shard takes whole) and one holds most of the time, so the slowest shard is that "
            "collection's and 'slowest / ideal' measures the selection, not sharding; the other shards run one "
            "small collection or none, and their seconds are start-up (the spec, pytest) with N processes "
            "sharing 2 cores. Run `tox -e bench-shard` (the whole spec at 25 examples, hundreds of collections) "
            "for the figures.",
        ]
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", metavar="PATH", help="spec file (default: $TELNYX_SPEC, ../shared/spec/telnyx.yml)")
    parser.add_argument("--max-examples", type=int, default=25, metavar="N", help="cases per operation (default: 25)")
    parser.add_argument("--shards", default="2,4,8", metavar="N,N", help="shard counts to time (default: 2,4,8)")
    parser.add_argument("--latency-ms", type=float, default=50.0, metavar="MS", help="server latency (default: 50)")
    parser.add_argument("--seed", type=int, default=1, metavar="N", help="generation seed of every run (default: 1)")
    parser.add_argument("--include-tag", action="append", default=[], metavar="T", help="only these tags (a check)")
    parser.add_argument(
        "--packing",
        choices=("durations", "estimate"),
        default="durations",
        help="pack shards by the unsharded run's durations.json (default, as CI does) or the static estimate",
    )
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S", help="per process")
    parser.add_argument(
        "--output-md", metavar="PATH", help="markdown to update (default: docs/benchmarks.md, full runs)"
    )
    args = parser.parse_args(argv)
    try:
        args.totals = [int(n) for n in args.shards.split(",") if n.strip()]
    except ValueError:
        parser.error(f"--shards {args.shards!r}: expected numbers, e.g. 2,4,8")
    if not args.totals or min(args.totals) < 1 or args.max_examples < 1 or args.latency_ms < 0:
        parser.error("--shards, --max-examples must be at least 1, --latency-ms at least 0")
    return args


def measure(args: argparse.Namespace, spec: Path, work: Path) -> tuple[Timed, list[Batch]]:
    tool = venv_tool("telnyx-conformance")
    if tool is None:
        raise BenchError("telnyx-conformance not found (run from the project's venv or tox)")
    common = ["--max-examples", str(args.max_examples), "--seed", str(args.seed)]
    common += [word for tag in args.include_tag for word in ("--include-tag", tag)]
    common += ["--allow-unpinned"] if unpinned(spec) else []
    bench = Bench(tool, spec, work, args.seed, args.latency_ms, common, args.timeout, args.packing == "durations")
    print("timing the unsharded run ...", file=sys.stderr)
    with fresh_server(bench, "whole") as url:
        whole = timed_run(bench, run_command(bench, url, work / "whole"), "whole")
    batches = [run_batch(bench, total, work / "whole") for total in args.totals]
    return whole, batches


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    machine = machine_info()
    try:
        spec = resolve_spec(args.spec)
        with tempfile.TemporaryDirectory(prefix="shard-bench-") as tmp:
            whole, batches = measure(args, spec, Path(tmp))
            counts = scope(Path(tmp) / "whole")
    except BenchError as exc:
        print(f"shard_bench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("shard_bench: interrupted", file=sys.stderr)
        return 130
    print(text_table(whole, batches))
    output = Path(args.output_md) if args.output_md else (None if args.include_tag else DEFAULT_MD)
    if output is not None:
        context = {
            **run_facts(argv, machine, spec),
            "tags": args.include_tag,
            "max_examples": args.max_examples,
            "seed": args.seed,
            "latency_ms": args.latency_ms,
            "packing": args.packing,
            **dict(zip(("operations", "collections", "largest"), counts, strict=True)),
        }
        update_markdown(output, markdown_section(whole, batches, context), MARK_START, MARK_END)
    failed = [b for b in batches if b.failure or b.agrees is False]
    for batch in failed:
        warn(f"{batch.total} shards: {batch.failure or 'the merge does not say what the unsharded run says'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
