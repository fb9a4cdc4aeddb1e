"""bench/server_bench.py's figures: the samples of each server, their summary rows, the ratios the
issue targets, the printed table and the section of docs/benchmarks.md (a sibling module: bench/ is
not a package)."""

from __future__ import annotations

import shutil
import statistics
from dataclasses import dataclass, field

from harness.docs import header_lines, machine_line, met, section_tail, spec_text, table_row
from harness.load import LoadResult, LoadSettings, PythonLoad, Wrk
from harness.measure import median_or_none, spread

MARK_START, MARK_END = "<!-- server-bench:start -->", "<!-- server-bench:end -->"
LIST_PATH = "/addresses"  # under /v2 for us; Prism ignores the server's /v2 base path

# Issue targets.
TARGET_WARM_START_S = 1.5
TARGET_THROUGHPUT_RATIO = 10.0


@dataclass
class Measured:
    """All samples of one server; each list has one entry per successful run."""

    key: str
    label: str
    display: str
    startup_s: list[float] = field(default_factory=list)
    loads: list[LoadResult] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    after_load: set[int] = field(default_factory=set)  # statuses of a GET right after a load with non-2xx
    failure: str | None = None


# --- reporting -------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    display: str
    startup: tuple[float, float, float] | None  # median, min, max
    rps: tuple[float, float, float] | None
    p50_ms: float | None
    p99_ms: float | None
    rss_mib: float | None
    non_2xx: int
    socket_errors: int
    after_load: set[int]
    failure: str | None


def summarize(result: Measured) -> Row:
    return Row(
        result.label,
        result.display,
        spread(result.startup_s),
        spread([load.ok_per_s for load in result.loads]),
        median_or_none([load.p50_ms for load in result.loads]),
        median_or_none([load.p99_ms for load in result.loads]),
        statistics.median(result.rss_kb) / 1024 if result.rss_kb else None,
        sum(load.non_2xx for load in result.loads),
        sum(load.errors for load in result.loads),
        result.after_load,
        result.failure,
    )


def fmt_ms(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f} ms" if value < 10 else f"{value:.0f} ms"


def fmt_mib(kb: float | None) -> str:
    return f"{kb / 1024:.0f} MiB" if kb is not None else "?"


def fmt_startup(row: Row) -> tuple[str, str]:
    if row.startup is None:
        return (f"failed: {row.failure}" if row.failure else "not run"), ""
    median, low, high = row.startup
    return f"{median:.2f} s", f"{low:.2f}–{high:.2f} s"


def fmt_rps(row: Row) -> tuple[str, str]:
    if row.rps is None:
        return "", ""
    median, low, high = row.rps
    return f"{median:,.0f}", f"{low:,.0f}–{high:,.0f}"


def ratios(rows: dict[str, Row]) -> list[tuple[str, str, str]]:
    """(what, measured, verdict against the target) for the figures the issue commits to."""
    out: list[tuple[str, str, str]] = []
    warm, cold, prism = rows.get("ours"), rows.get("ours-cold"), rows.get("prism")
    if warm and warm.startup:
        out.append(
            (
                "start to first 200, warm cache",
                f"{warm.startup[0]:.2f} s",
                met(warm.startup[0] < TARGET_WARM_START_S, f"< {TARGET_WARM_START_S:g} s"),
            )
        )
    else:
        out.append(("start to first 200, warm cache", "n/a", "< 1.5 s: not measured"))
    if warm and warm.startup and prism and prism.startup:
        out.append(("start, Prism / ours (warm)", f"{prism.startup[0] / warm.startup[0]:.1f}x", "reported"))
    if cold and cold.startup:
        out.append(("start to first 200, cold cache", f"{cold.startup[0]:.2f} s", "reported"))
    if warm and warm.rps and prism and prism.rps:
        ratio = warm.rps[0] / prism.rps[0]
        out.append(
            (
                "throughput, ours / Prism",
                f"{ratio:.1f}x",
                met(ratio >= TARGET_THROUGHPUT_RATIO, f"≥ {TARGET_THROUGHPUT_RATIO:g}x"),
            )
        )
    else:
        out.append(("throughput, ours / Prism", "n/a", "≥ 10x: Prism not measured"))
    if warm and warm.rss_mib and prism and prism.rss_mib:
        out.append(("peak RSS, ours / Prism", f"{warm.rss_mib / prism.rss_mib:.2f}x", "reported"))
    return out


def text_table(rows: list[Row]) -> str:
    header = (
        f"{'server':<55} {'start (median)':>14} {'min-max':>13} {'2xx req/s':>10} {'min-max':>15} "
        f"{'p50':>9} {'p99':>9} {'peak RSS':>9}"
    )
    lines = [header, "-" * len(header)]
    for row in rows:
        start, start_spread = fmt_startup(row)
        rps, rps_spread = fmt_rps(row)
        rss = f"{row.rss_mib:.0f} MiB" if row.rss_mib is not None else ""
        lines.append(
            f"{row.label:<55} {start:>14} {start_spread.replace('–', '-'):>13} {rps:>10} "
            f"{rps_spread.replace('–', '-'):>15} {fmt_ms(row.p50_ms):>9} {fmt_ms(row.p99_ms):>9} {rss:>9}"
        )
    return "\n".join(lines)


def markdown_section(rows: list[Row], context: dict) -> str:
    settings: LoadSettings = context["settings"]
    threads = f"{settings.threads} thread{'s' if settings.threads > 1 else ''}, " if context["wrk"] else ""
    lines = [
        *header_lines(
            MARK_START,
            "## Reference server against the Prism mock",
            "Written by `bench/server_bench.py` (`tox -e bench-server`); do not edit by hand between the markers.",
            context,
        ),
        f"- Machine: {machine_line(context['machine'])}",
        f"- Spec: {spec_text(context)}",
        f"- Versions: {', '.join(f'{k} {v}' for k, v in context['versions'].items())}",
        f"- Load: {context['load_generator']}, {threads}{settings.connections} connections, "
        f"{settings.duration_s:g} s after a {settings.warmup_s:g} s untimed warm-up, "
        f"`GET {LIST_PATH}` with `Authorization: Bearer ...` (`/v2{LIST_PATH}` on ours: Prism ignores the `/v2` "
        "base path)",
        f"- Runs: median of {context['runs']}, round-robin (one run of each server per round, each on a fresh "
        "process); start is from spawn to the first 200 on the list GET; peak RSS is VmHWM at the end of the load",
        "",
        "| server | start to first 200 | min–max | 2xx req/s | min–max | p50 | p99 | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        start, start_spread = fmt_startup(row)
        rps, rps_spread = fmt_rps(row)
        rss = f"{row.rss_mib:.0f} MiB" if row.rss_mib is not None else ""
        cells = [row.label, start, start_spread, rps, rps_spread, fmt_ms(row.p50_ms), fmt_ms(row.p99_ms), rss]
        lines.append(table_row(cells))
    lines += section_tail(rows, context["ratios"], context["notes"], MARK_END)
    return "\n".join(lines) + "\n"


def notes_for(rows: list[Row], load: Wrk | PythonLoad) -> list[str]:
    notes = []
    if isinstance(load, PythonLoad):
        why = "chosen with --load-generator python" if shutil.which("wrk") else "wrk was not installed"
        notes.append(
            f"Load by the built-in Python generator ({why}): it shares the CPU with the server, so these rates "
            "are lower bounds and do not compare with wrk figures (`apt-get install -y wrk`)."
        )
    for row in rows:
        if row.non_2xx or row.socket_errors:
            notes.append(
                f"{row.label}: {row.non_2xx:,} responses that were not 2xx and {row.socket_errors:,} socket errors "
                "over the timed load runs; the rate counts 2xx answers only (p50/p99 include the others)."
                + after_load_text(row.after_load)
            )
    return notes


def after_load_text(statuses: set[int]) -> str:
    if not statuses:
        return ""
    shown = ", ".join("no answer" if status == 0 else str(status) for status in sorted(statuses))
    hint = "; 429 is the server's rate limit (`serve --rate-limit`)" if 429 in statuses else ""
    return f" A GET right after the load answered {shown}{hint}."
