"""Run `telnyx-conformance run` once against every hostile target of the catalogue, and measure.

The catalogue is the test suite's (`tests/conformance/target/hostile_servers.py`): each mode is
a loopback server misbehaving one way (a body dripping a byte a second, a 2 GiB body, a gzip
bomb, a redirect loop, 429 for an hour...), hostile from the first request or only once the
preflight has passed (`@preflight`). Each run is the one `tests/conformance/target/test_hostile.py`
makes (`GET /addresses`, `--max-examples 2 --timeout 2`), as a child process whose peak RSS comes
from the child's own high-water mark (VmHWM). Prints a table (mode, exit code, wall time, peak
RSS, requests the server got, the hostility summary.json recorded, what the operation ended
as) and rewrites the section of docs/reliability.md between its markers.

Usage: python bench/reliability.py [--spec PATH] [--modes M,M...] [--output-md PATH]
Exit codes: 0 every run within the bounds (wall < 60 s, peak RSS < 600 MB, no traceback, the
key nowhere); 1 some run broke one (the table says which); 2 the benchmark could not start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import REPO_ROOT, BenchError, display_path, resolve_spec
from harness.docs import command_line, machine_info, machine_line, update_markdown

sys.path.insert(0, str(REPO_ROOT))  # the catalogue lives with the tests

MARK_START, MARK_END = "<!-- reliability:start -->", "<!-- reliability:end -->"
DEFAULT_MD = REPO_ROOT / "docs" / "reliability.md"
KEY = "reliability-bench-key-5e1d0c"
WALL_LIMIT_S = 60.0
RSS_LIMIT_MB = 600.0


@dataclass
class Row:
    name: str
    description: str
    exit_code: int
    wall: float
    rss_mb: float
    requests: int
    hostility: str
    outcome: str
    broken: list[str]


def measure(mode: str, after_preflight: bool, spec: Path) -> Row:
    import orjson

    from tests.conformance.target.hostile_servers import DESCRIPTIONS, run_measured

    with tempfile.TemporaryDirectory(prefix="telnyx-reliability-") as folder:
        report = Path(folder) / "report"
        env = _environment(Path(folder) / "cache")
        run = run_measured(mode, after_preflight, key=KEY, spec=str(spec), report_dir=str(report), env=env)
        summary_path = report / "summary.json"
        summary = orjson.loads(summary_path.read_bytes()) if summary_path.is_file() else None
        leaked = KEY in run.stdout + run.stderr or any(
            KEY.encode() in path.read_bytes() for path in report.rglob("*") if path.is_file()
        )
    broken = [
        *(["wall"] if run.wall >= WALL_LIMIT_S else []),
        *(["RSS"] if run.peak_rss_mb >= RSS_LIMIT_MB else []),
        *(["traceback"] if "Traceback" in run.stdout + run.stderr else []),
        *(["key leaked"] if leaked else []),
        *(["redirect followed off the host"] if run.stats.recorded else []),
    ]
    return Row(
        run.name,
        DESCRIPTIONS[mode],
        run.exit_code,
        run.wall,
        run.peak_rss_mb,
        run.requests,
        _hostility(summary),
        _outcome(summary, run.stderr),
        broken,
    )


def _environment(cache: Path) -> dict[str, str]:
    import os

    environ = {**os.environ, "TELNYX_CONFORMANCE_CACHE": os.environ.get("TELNYX_CONFORMANCE_CACHE", str(cache))}
    environ.pop("TELNYX_API_KEY", None)
    return environ


def _hostility(summary: dict | None) -> str:
    if summary is None:
        return "(no summary: refused by the preflight)"
    seen = summary.get("hostility") or {}
    return ", ".join(f"{kind} {count}" for kind, count in seen.items()) or "none"


def _outcome(summary: dict | None, stderr: str) -> str:
    if summary is None:
        error = next((line for line in reversed(stderr.splitlines()) if "error:" in line), "exit 3")
        error = re.sub(r"https?://\S+", "URL", error.split("error: ", 1)[-1])
        return "refused: " + re.split(r": [(\[]|: target", error)[0][:90]
    parts = []
    for operation in summary["operations"]:
        checks = sorted({failure["check"] for failure in operation["failures"]})
        parts.append(f"{operation['status']} ({', '.join(checks)})" if checks else operation["status"])
    return "; ".join(parts)


# --- the table -----------------------------------------------------------------------------------


def table(rows: Sequence[Row]) -> list[str]:
    lines = [
        "| mode | exit | wall | peak RSS | requests | hostility recorded | the operation | bounds |",
        "|---|---:|---:|---:|---:|---|---|---|",
    ]
    for row in rows:
        bounds = "broken: " + ", ".join(row.broken) if row.broken else "held"
        lines.append(
            f"| `{row.name}` | {row.exit_code} | {row.wall:.1f} s | {row.rss_mb:.0f} MB | {row.requests:,} "
            f"| {row.hostility} | {row.outcome} | {bounds} |"
        )
    return lines


def section(rows: Sequence[Row], spec: Path, machine: dict[str, str], started: dt.datetime) -> str:
    from tests.conformance.target.hostile_servers import DESCRIPTIONS, RUN_ARGS

    lines = [
        MARK_START,
        "## A run against each hostile target",
        "",
        "Written by `bench/reliability.py` (`tox -e reliability`); do not edit by hand between the markers.",
        "",
        f"- Command: `{command_line(sys.argv)}`",
        f"- Date: {started:%Y-%m-%d %H:%M} UTC",
        f"- Machine: {machine_line(machine)}",
        f"- Spec: `{display_path(spec)}`",
        f"- Each run: `telnyx-conformance run --base-url http://127.0.0.1:PORT/v2 --api-key KEY {' '.join(RUN_ARGS)}`",
        "- `@preflight`: the server answers plausibly until the preflight has passed, then turns hostile",
        "- Requests: what the hostile server received, preflight included; peak RSS: the run process (its VmHWM)",
        f"- Bounds: wall < {WALL_LIMIT_S:g} s, peak RSS < {RSS_LIMIT_MB:g} MB, no traceback, the key in no output",
        "",
        *table(rows),
        "",
        "Modes:",
        "",
        *(f"- `{name}`: {text}" for name, text in DESCRIPTIONS.items()),
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def write(path: Path, text: str) -> None:
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER, encoding="utf-8")
    update_markdown(path, text, MARK_START, MARK_END)


HEADER = """# Reliability against hostile targets

How `telnyx-conformance run` fares against a target that misbehaves at the HTTP level (issue 16):
every answer is bounded in size (on the wire and decoded), in time (one deadline per exchange),
in redirects (5, same host only) and in 429 backoff (15 s per call, then the operation is
reported rate-limited). Exit codes: 3 when the preflight finds the target unusable or nothing
could be tested, 1 when the run reports the target's failures, 0 otherwise.

"""


def main(argv: Sequence[str] | None = None) -> int:
    from tests.conformance.target.hostile_servers import MODES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", help="spec file (default: $TELNYX_SPEC, then ../shared/spec/telnyx.yml)")
    parser.add_argument("--modes", help="comma-separated modes (default: all); a subset only prints")
    parser.add_argument("--output-md", type=Path, help=f"markdown to update (default: {display_path(DEFAULT_MD)})")
    args = parser.parse_args(argv)
    try:
        spec = resolve_spec(args.spec)
        modes = args.modes.split(",") if args.modes else list(MODES)
        unknown = sorted(set(modes) - set(MODES))
        if unknown:
            raise BenchError(f"unknown mode(s): {', '.join(unknown)} (known: {', '.join(MODES)})")
    except BenchError as exc:
        print(f"reliability: {exc}", file=sys.stderr)
        return 2
    started, machine = dt.datetime.now(dt.UTC), machine_info()
    rows = []
    for after_preflight in (False, True):
        for mode in modes:
            rows.append(measure(mode, after_preflight, spec))
            print(f"{rows[-1].name}: exit {rows[-1].exit_code}, {rows[-1].wall:.1f} s", file=sys.stderr, flush=True)
    print("\n".join(table(rows)))
    output = args.output_md or (DEFAULT_MD if not args.modes else None)
    if output is not None:
        write(output, section(rows, spec, machine, started))
        print(f"wrote {display_path(output)}", file=sys.stderr)
    return 1 if any(row.broken for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
