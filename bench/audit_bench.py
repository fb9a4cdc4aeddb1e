"""Benchmark the spec audit against its peers, side by side, on the same machine and spec.

Measures wall time (median of --runs) and peak RSS of: our audit cold (empty cache) and warm,
our structural validation, openapi-spec-validator's full pass, `redocly lint` (recommended) and
`spectral lint` (spectral:oas). Prints a table and the ratios the project targets, saves every
tool's machine-readable findings for `bench/parity.py`, and rewrites the benchmark section of
docs/benchmarks.md.

Usage: python bench/audit_bench.py [--spec PATH] [--runs N] [--no-peers] [--output-md PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import DEFAULT_MD, BenchError, resolve_spec
from audit_jobs import RESULT_META, RESULT_OURS_RULES, Job, build_jobs, results_dir, verdict_ours, warn
from harness.docs import (
    header_lines,
    machine_info,
    machine_line,
    met,
    print_figures,
    run_facts,
    section_tail,
    spec_text,
    update_markdown,
)
from harness.measure import run_measured
from harness.procs import first_line

MARK_START, MARK_END = "<!-- audit-bench:start -->", "<!-- audit-bench:end -->"
RUN_TIMEOUT_S = 900
OK_EXIT_CODES = (0, 1)  # every tool here exits 1 when it has findings: that is a result, not a failure


# --- running ---------------------------------------------------------------------------------


def prime_warm_cache(job: Job, work: Path) -> None:
    """The warm runs need a cache that one earlier run filled; that run is not timed."""
    sample = run_measured(
        job.command,
        cwd=job.cwd,
        env=job.env,
        stdout=work / "prime.out",
        stderr=work / "prime.err",
        timeout_s=RUN_TIMEOUT_S,
    )
    if sample.returncode not in OK_EXIT_CODES:
        job.failure = f"priming run exited {sample.returncode}: {first_line(work / 'prime.err')}"


def run_all(jobs: list[Job], runs: int, work: Path) -> None:
    """Round-robin (one run of each tool per round), so background load spreads over all tools."""
    warm = next((job for job in jobs if job.key == "warm"), None)
    if warm is not None:
        prime_warm_cache(warm, work)
    for round_no in range(runs):
        for job in jobs:
            if job.failure:
                continue
            env = {**job.env, **(job.prepare(round_no) if job.prepare else {})}
            stderr = work / f"{job.key}.stderr"
            sample = run_measured(
                job.command, cwd=job.cwd, env=env, stdout=job.stdout_path, stderr=stderr, timeout_s=RUN_TIMEOUT_S
            )
            if sample.returncode not in OK_EXIT_CODES:
                job.failure = f"exited {sample.returncode}: {first_line(stderr)}"
                warn(f"{job.label} failed ({job.failure})")
                continue
            job.samples.append(sample)
            print(f"  round {round_no + 1}/{runs}  {job.label:<58} {sample.wall_s:7.2f} s", file=sys.stderr)


# --- reporting -------------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    display: str
    wall_s: float | None
    wall_min: float | None
    wall_max: float | None
    rss_mib: float | None
    verdict: tuple[int, int] | None
    failure: str | None


def summarize(job: Job) -> Row:
    walls = [s.wall_s for s in job.samples]
    rss = [s.rss_kb for s in job.samples if s.rss_kb is not None]
    return Row(
        job.key,
        job.label,
        job.display,
        statistics.median(walls) if walls else None,
        min(walls) if walls else None,
        max(walls) if walls else None,
        statistics.median(rss) / 1024 if rss else None,
        job.verdict(job.stdout_path) if job.samples else None,
        job.failure,
    )


def fmt_wall(row: Row) -> str:
    if row.wall_s is None:
        return f"failed: {row.failure}" if row.failure else "not run"
    return f"{row.wall_s:.2f} s"


def fmt_verdict(verdict: tuple[int, int] | None) -> str:
    if verdict is None:
        return "?"
    errors, warnings = verdict
    return f"{errors:,} errors, {warnings:,} warnings"


def ratios(rows: dict[str, Row]) -> list[tuple[str, str, str]]:
    """(what, measured, verdict against the target) for the three figures the project commits to."""
    out: list[tuple[str, str, str]] = []
    cold, warm, redocly = rows.get("cold"), rows.get("warm"), rows.get("redocly")
    structural, osv = rows.get("structural"), rows.get("osv")
    if cold and cold.wall_s and redocly and redocly.wall_s:
        ratio = cold.wall_s / redocly.wall_s
        out.append(("cold audit / Redocly lint (wall)", f"{ratio:.2f}x", met(ratio <= 0.5, "≤ 0.5x")))
    else:
        out.append(("cold audit / Redocly lint (wall)", "n/a", "≤ 0.5x: Redocly not measured"))
    if warm and warm.wall_s:
        out.append(("warm audit (wall)", f"{warm.wall_s:.2f} s", met(warm.wall_s < 0.5, "< 0.5 s")))
    else:
        out.append(("warm audit (wall)", "n/a", "< 0.5 s: not measured"))
    if structural and structural.wall_s and osv and osv.wall_s:
        speedup = osv.wall_s / structural.wall_s
        out.append(("structural validation speed-up over osv", f"{speedup:.1f}x", met(speedup >= 10, "≥ 10x")))
    else:
        missing = (
            "no structural rules or `validate` yet" if not (structural and structural.wall_s) else "osv not measured"
        )
        out.append(("structural validation speed-up over osv", "n/a", f"≥ 10x: {missing}"))
    return out


def text_table(rows: list[Row]) -> str:
    header = f"{'tool':<58} {'wall (median)':>14} {'min-max':>13} {'peak RSS':>10}  verdict"
    lines = [header, "-" * len(header)]
    for row in rows:
        spread = f"{row.wall_min:.2f}-{row.wall_max:.2f}" if row.wall_min is not None else ""
        rss = f"{row.rss_mib:.0f} MiB" if row.rss_mib is not None else ""
        lines.append(f"{row.label:<58} {fmt_wall(row):>14} {spread:>13} {rss:>10}  {fmt_verdict(row.verdict)}")
    return "\n".join(lines)


def markdown_section(rows: list[Row], context: dict) -> str:
    lines = [
        *header_lines(
            MARK_START,
            "## Spec audit against its peers",
            "Written by `bench/audit_bench.py`; do not edit by hand between the markers. Provisional while the "
            f"audit's rule set grows ({context['rule_count']} rules when measured): re-run to refresh.",
            context,
        ),
        f"- Machine: {machine_line(context['machine'])}",
        f"- Spec: {spec_text(context)}",
        f"- Runs: median of {context['runs']}, round-robin (one run of each tool per round); "
        "peak RSS is the median of the runs' maxima",
        f"- Versions: {', '.join(f'{k} {v}' for k, v in context['versions'].items())}",
        "",
        "| tool | wall (median) | min–max | peak RSS | verdict |",
        "|---|---:|---:|---:|---|",
    ]
    for row in rows:
        spread = f"{row.wall_min:.2f}–{row.wall_max:.2f} s" if row.wall_min is not None else ""
        rss = f"{row.rss_mib:.0f} MiB" if row.rss_mib is not None else ""
        lines.append(f"| {row.label} | {fmt_wall(row)} | {spread} | {rss} | {fmt_verdict(row.verdict)} |")
    lines += section_tail(rows, context["ratios"], context["notes"], MARK_END)
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--spec", metavar="PATH", help="spec file (default: $TELNYX_SPEC, then ../shared/spec/telnyx.yml)"
    )
    parser.add_argument("--runs", type=int, default=3, metavar="N", help="timed runs per tool (default: 3)")
    parser.add_argument("--no-peers", action="store_true", help="skip Redocly and Spectral (no npm)")
    parser.add_argument("--output-md", metavar="PATH", default=str(DEFAULT_MD), help="markdown file to update")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        spec = resolve_spec(args.spec)
        with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
            jobs, versions = build_jobs(spec, Path(tmp), use_peers=not args.no_peers)
            machine = machine_info()
            print(f"spec {spec}; {len(jobs)} tools x {args.runs} runs", file=sys.stderr)
            run_all(jobs, args.runs, Path(tmp))
            rows = [summarize(job) for job in jobs]
            warm_findings = verdict_ours(Path(tmp) / "audit-warm.json")
    except BenchError as exc:
        print(f"audit_bench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("audit_bench: interrupted", file=sys.stderr)
        return 130
    by_key = {row.key: row for row in rows}
    notes = consistency_notes(by_key, warm_findings)
    for note in notes:
        warn(note)
    figures = ratios(by_key)
    context = {
        **run_facts(argv, machine, spec),
        "runs": args.runs,
        "versions": versions,
        "ratios": figures,
        "rule_count": len(json.loads((results_dir() / RESULT_OURS_RULES).read_text(encoding="utf-8"))),
        "notes": notes,
    }
    write_meta(
        context, [job.stdout_path.name for job in jobs if job.samples and job.stdout_path.parent == results_dir()]
    )
    print(text_table(rows))
    print()
    print_figures(figures, 42, 8)
    output = Path(args.output_md)
    update_markdown(output, markdown_section(rows, context), MARK_START, MARK_END)
    print(f"\nfindings saved under {results_dir()}; section written to {output}")
    return 1 if any(row.failure for row in rows) else 0


def consistency_notes(rows: dict[str, Row], warm_findings: tuple[int, int] | None) -> list[str]:
    """A warm run that reports something else than the cold one means the cache is wrong: say so."""
    cold = rows.get("cold")
    if cold and cold.verdict and warm_findings and cold.verdict != warm_findings:
        return [f"warning: warm audit found {fmt_verdict(warm_findings)}, cold {fmt_verdict(cold.verdict)}"]
    return []


def write_meta(context: dict, produced: list[str]) -> None:
    """Which run and spec each saved result comes from, merged with earlier runs' records.

    A --no-peers run leaves the peers' older results in place; parity.py uses these records to
    warn when they were made on another spec than our findings.
    """
    path = results_dir() / RESULT_META
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    files = meta.get("files", {}) if isinstance(meta.get("files"), dict) else {}
    for name in produced:
        files[name] = {"date": context["date"], "spec_sha": context["spec_sha"]}
    meta = {key: context[key] for key in ("date", "spec", "spec_sha", "versions", "command")}
    meta["files"] = files
    path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
