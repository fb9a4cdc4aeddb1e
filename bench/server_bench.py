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
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from _common import DEFAULT_MD, REPO_ROOT, BenchError, resolve_spec, tool_version, unpinned, venv_tool
from harness.docs import (
    machine_info,
    print_figures,
    run_facts,
    shown,
    update_markdown,
)
from harness.load import LoadSettings, PythonLoad, Wrk, pick_load_generator
from harness.measure import peak_rss_kb
from harness.peers import PRISM_PKG, install_prism_cli, installed_version, json_copy
from harness.procs import TOKEN, ServerKind, http_status, start_server, stop_server
from server_report import (
    LIST_PATH,
    MARK_END,
    MARK_START,
    Measured,
    Row,
    fmt_mib,
    fmt_ms,
    markdown_section,
    notes_for,
    ratios,
    summarize,
    text_table,
)


def warn(message: str) -> None:
    """One-line notices about skipped or failed parts: the table still gets printed."""
    print(f"server_bench: {message}", file=sys.stderr)


def progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr)


# --- the measurements ------------------------------------------------------------------------


def our_kind(spec: Path, work: Path, extra_args: Sequence[str]) -> tuple[ServerKind, str]:
    """`telnyx-conformance serve --port 0` on the spec, with our own token, in its own cache dir.

    `extra_args` (--server-arg) lets one measure another configuration, e.g. without the rate limit.
    """
    cli = venv_tool("telnyx-conformance")
    if cli is None:
        raise BenchError("telnyx-conformance not found beside this Python nor on PATH; install the project first")
    command = [str(cli), "serve", "--spec", str(spec), "--port", "0", "--token", TOKEN]
    if unpinned(spec):
        command.append("--allow-unpinned")
    command += extra_args
    env = {**os.environ, "TELNYX_CONFORMANCE_CACHE": str(work / "warm-cache")}
    env.pop("TELNYX_API_KEY", None)
    display = shown(command, spec, label=spec_label(spec))
    version = tool_version([str(cli), "--version"]).split()[-1]
    kind = ServerKind("ours", "telnyx-conformance serve", command, display, REPO_ROOT, env, "/v2" + LIST_PATH, True)
    return kind, version


def prism_kind(spec: Path) -> tuple[ServerKind, str] | None:
    """Prism installed into the peers cache, on a JSON copy of the spec; None (skipped) without node/npm."""
    installed = install_prism_cli()
    if installed.problem:
        warn(f"{installed.problem}; skipping Prism")
        return None
    prefix = installed.prefix
    spec_json = json_copy(spec, prefix)
    command = [str(installed.bins["prism"]), "mock", "-h", "127.0.0.1", "-p", "{port}", str(spec_json)]
    version = installed_version(prefix, PRISM_PKG) or "?"
    display = shown(command, spec_json, "SPEC.json: JSON copy of SPEC", label="SPEC.json")
    display = display.replace("'{port}'", "PORT")
    env = {**os.environ, "NO_COLOR": "1"}
    return ServerKind("prism", f"Prism {version} mock", command, display, prefix, env, LIST_PATH, False), version


def spec_label(spec: Path) -> str:
    """How the docs name the spec in a command."""
    return "SPEC.json" if spec.suffix == ".json" else "SPEC"


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
    load = pick_load_generator(args.load_generator, warn)
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
    context = {
        **run_facts(argv, machine, spec),
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
    print_figures(figures, 36, 8)
    output = Path(args.output_md)
    update_markdown(output, markdown_section(rows, context), MARK_START, MARK_END)
    print(f"\nsection written to {output}")
    return 1 if any(row.failure for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
