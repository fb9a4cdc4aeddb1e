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
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from _common import (
    DEFAULT_MD,
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
    pinned_sha256,
    resolve_spec,
    section_tail,
    tool_version,
    update_markdown,
    venv_tool,
)

MARK_START, MARK_END = "<!-- audit-bench:start -->", "<!-- audit-bench:end -->"

REDOCLY_PKG, REDOCLY_VERSION = "@redocly/cli", "2.77.0"
SPECTRAL_PKG, SPECTRAL_VERSION = "@stoplight/spectral-cli", "6.16.3"


# File names under <cache>/peers/results/, shared with bench/parity.py.
RESULT_OURS = "telnyx-conformance.json"
RESULT_OURS_RULES = "telnyx-conformance-rules.json"
RESULT_VALIDATE = "telnyx-conformance-validate.json"
RESULT_REDOCLY = "redocly.json"
RESULT_SPECTRAL = "spectral.json"
RESULT_OSV = "openapi-spec-validator.txt"
RESULT_META = "meta.json"

RUN_TIMEOUT_S = 900
GNU_TIME = Path("/usr/bin/time")  # its %M is the peak RSS of one child; os.wait4 is the fallback
OK_EXIT_CODES = (0, 1)  # every tool here exits 1 when it has findings: that is a result, not a failure


def warn(message: str) -> None:
    """One-line notices about skipped or failed tools: the table still gets printed."""
    print(f"audit_bench: {message}", file=sys.stderr)


# --- locations -------------------------------------------------------------------------------


def results_dir() -> Path:
    return peers_dir() / "results"


# --- peers installation ----------------------------------------------------------------------


def ensure_peers(prefix: Path) -> dict[str, Path]:
    """Install the pinned Redocly and Spectral CLIs with npm into a private prefix, once.

    A private prefix (no global install) keeps the machine clean and the versions exact; the only
    network used is the npm registry. Returns {} (peers skipped) when node or npm is missing.
    """
    missing_tool = missing_node_tool()
    if missing_tool:
        warn(f"{missing_tool} not found on PATH; skipping Redocly and Spectral")
        return {}
    failure = npm_install(prefix, {REDOCLY_PKG: REDOCLY_VERSION, SPECTRAL_PKG: SPECTRAL_VERSION})
    if failure:
        warn(f"{failure}; skipping Redocly and Spectral")
        return {}
    bins = {
        "redocly": prefix / "node_modules" / ".bin" / "redocly",
        "spectral": prefix / "node_modules" / ".bin" / "spectral",
    }
    missing = [name for name, path in bins.items() if not path.exists()]
    if missing:
        warn(f"{', '.join(missing)} missing under {prefix}/node_modules/.bin after install; skipping peers")
        return {}
    return bins


def write_peer_configs(prefix: Path) -> tuple[Path, Path]:
    """Explicit rulesets, so neither peer picks up a stray config file and both run their defaults."""
    redocly = prefix / "redocly.yaml"
    redocly.write_text("extends:\n  - recommended\n", encoding="utf-8")
    spectral = prefix / "spectral.yaml"
    spectral.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    return redocly, spectral


# --- measuring one process -------------------------------------------------------------------


@dataclass
class Sample:
    wall_s: float
    rss_kb: int | None
    returncode: int


@dataclass
class Job:
    """One tool invocation: measured `runs` times, round-robin with the others."""

    key: str
    label: str
    command: list[str]
    display: str
    stdout_path: Path
    cwd: Path
    env: dict[str, str]
    verdict: Callable[[Path], tuple[int, int] | None]
    prepare: Callable[[int], dict[str, str]] | None = None  # per-run extra environment
    samples: list[Sample] = field(default_factory=list)
    failure: str | None = None


def _kill_group(pid: int) -> None:
    """A tool past RUN_TIMEOUT_S is killed with its whole process group (it was started in its own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def run_measured(command: Sequence[str], *, cwd: Path, env: dict[str, str], stdout: Path, stderr: Path) -> Sample:
    """Wall time and peak RSS of one child.

    RUSAGE_CHILDREN only ever grows (it is the max over all children so far), so it cannot give
    one run's peak: use GNU time's %M when installed, else the rusage that os.wait4 returns for
    this very child.
    """
    gnu_time = GNU_TIME
    rss_file = None
    full = list(command)
    if gnu_time.is_file() and os.access(gnu_time, os.X_OK):
        fd, name = tempfile.mkstemp(prefix="audit-bench-rss-")
        os.close(fd)
        rss_file = Path(name)
        full = [str(gnu_time), "-f", "%M", "-o", str(rss_file), *full]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        timer = threading.Timer(RUN_TIMEOUT_S, _kill_group, (proc.pid,))
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    rss_kb: int | None = usage.ru_maxrss
    if rss_file is not None:
        rss_kb = _read_gnu_time(rss_file) or rss_kb
        rss_file.unlink(missing_ok=True)
    return Sample(wall, rss_kb, proc.returncode)


def _read_gnu_time(path: Path) -> int | None:
    """GNU time writes 'Command exited with non-zero status N' before the format: take the last line."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").split()
        return int(lines[-1]) if lines else None
    except (OSError, ValueError):
        return None


def first_line(path: Path) -> str:
    """The most telling line of a failed tool's stderr, for a one-line report."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return "(no stderr)"
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or [line for line in lines if line] or ["(no stderr)"])[0][:200]


# --- verdicts --------------------------------------------------------------------------------


def verdict_ours(path: Path) -> tuple[int, int] | None:
    """The report's summary; counted from its findings when a command's JSON has no summary."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        summary = document.get("summary") or Counter(f.get("severity") for f in document["findings"])
        return int(summary.get("error", 0)), int(summary.get("warning", 0))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def verdict_redocly(path: Path) -> tuple[int, int] | None:
    try:
        totals = json.loads(path.read_text(encoding="utf-8"))["totals"]
        return int(totals["errors"]), int(totals["warnings"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def verdict_spectral(path: Path) -> tuple[int, int] | None:
    """Spectral severities: 0 error, 1 warning, 2 info, 3 hint (the last two are not counted)."""
    try:
        problems = json.loads(path.read_text(encoding="utf-8"))
        return sum(p["severity"] == 0 for p in problems), sum(p["severity"] == 1 for p in problems)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def verdict_osv(path: Path) -> tuple[int, int] | None:
    """osv reports only errors: one 'Validation Error' header per error, or 'OK' for a valid spec."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    found = re.search(r"(\d+) validation errors? found", text)
    if found:
        return int(found.group(1)), 0
    headers = len(re.findall(r": Validation Error: ", text))
    if headers or re.search(r": OK\s*$", text):
        return headers, 0
    return None


# --- the jobs --------------------------------------------------------------------------------


def our_rules(cli: Path) -> list[dict]:
    done = subprocess.run(
        [str(cli), "audit", "--list-rules", "--format", "json"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"telnyx-conformance audit --list-rules failed: {done.stderr.strip()[:200]}")
    return json.loads(done.stdout)


def structural_command(cli: Path, spec_args: list[str]) -> list[str]:
    """`validate` on a fresh parse (--no-cache: osv has no cache either), JSON for the verdict."""
    extra = [arg for arg in spec_args if arg.startswith("--") and arg != "--spec"]
    return [str(cli), "validate", "--spec", spec_args[1], *extra, "--no-cache", "--format", "json"]


def build_jobs(spec: Path, work: Path, use_peers: bool) -> tuple[list[Job], dict[str, str]]:
    """Every measured command, with where its findings go and how its verdict is read."""
    results = results_dir()
    results.mkdir(parents=True, exist_ok=True)
    base_env = dict(os.environ)
    versions: dict[str, str] = {}
    jobs: list[Job] = []

    cli = venv_tool("telnyx-conformance")
    if cli is None:
        raise BenchError("telnyx-conformance not found beside this Python nor on PATH; install the project first")
    rules = our_rules(cli)
    (results / RESULT_OURS_RULES).write_text(json.dumps(rules, indent=2) + "\n", encoding="utf-8")
    versions["telnyx-conformance"] = tool_version([str(cli), "--version"]).split()[-1]
    spec_args = ["--spec", str(spec)]
    pin = pinned_sha256()
    if pin and hashlib.sha256(spec.read_bytes()).hexdigest() != pin:
        spec_args.append("--allow-unpinned")
    audit = [str(cli), "audit", *spec_args, "--format", "json"]

    cold_dirs = work / "cold"
    jobs.append(
        Job(
            "cold",
            "telnyx-conformance audit, cold",
            audit,
            shown(audit, spec, "fresh empty TELNYX_CONFORMANCE_CACHE each run"),
            results / RESULT_OURS,
            REPO_ROOT,
            base_env,
            verdict_ours,
            prepare=lambda i: {"TELNYX_CONFORMANCE_CACHE": str(cold_dirs / f"run-{i}")},
        )
    )
    warm_env = {**base_env, "TELNYX_CONFORMANCE_CACHE": str(work / "warm")}
    jobs.append(
        Job(
            "warm",
            "telnyx-conformance audit, warm",
            audit,
            shown(audit, spec, "cache filled by an untimed first run"),
            work / "audit-warm.json",
            REPO_ROOT,
            warm_env,
            verdict_ours,
        )
    )
    command = structural_command(cli, spec_args)
    jobs.append(
        Job(
            "structural",
            "telnyx-conformance structural validation (validate)",
            command,
            shown(command, spec),
            results / RESULT_VALIDATE,
            REPO_ROOT,
            {**base_env, "TELNYX_CONFORMANCE_CACHE": str(work / "structural")},
            verdict_ours,
        )
    )

    osv = venv_tool("openapi-spec-validator")
    if osv is None:
        warn("openapi-spec-validator not found; not measured")
    else:
        versions["openapi-spec-validator"] = tool_version([str(osv), "--version"]).split()[-1]
        osv_args = ["--validation-errors", "all", "--subschema-errors", "all", str(spec)]
        jobs.append(
            Job(
                "osv",
                f"openapi-spec-validator {versions['openapi-spec-validator']}, all errors",
                [str(osv), *osv_args],
                shown([str(osv), *osv_args], spec),
                results / RESULT_OSV,
                REPO_ROOT,
                base_env,
                verdict_osv,
            )
        )
    if use_peers:
        jobs += peer_jobs(spec, base_env, versions)
    return jobs, versions


def peer_jobs(spec: Path, base_env: dict[str, str], versions: dict[str, str]) -> list[Job]:
    prefix = peers_dir()
    bins = ensure_peers(prefix)
    if not bins:
        return []
    redocly_cfg, spectral_cfg = write_peer_configs(prefix)
    versions["node"] = tool_version(["node", "--version"])
    versions["redocly"] = installed_version(prefix, REDOCLY_PKG) or "?"
    versions["spectral"] = installed_version(prefix, SPECTRAL_PKG) or "?"
    # Telemetry and update checks would be network traffic outside the npm registry, and noise.
    node_env = {**base_env, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}
    results = results_dir()
    redocly = [str(bins["redocly"]), "lint", "--config", str(redocly_cfg), "--format", "json"]
    redocly += ["--max-problems", "1000000", str(spec)]  # the default (100) would truncate the JSON
    spectral = [str(bins["spectral"]), "lint", "--ruleset", str(spectral_cfg), "--format", "json", str(spec)]
    return [
        Job(
            "redocly",
            f"Redocly CLI {versions['redocly']} lint (recommended)",
            redocly,
            shown(redocly, spec, "redocly.yaml: extends: [recommended]"),
            results / RESULT_REDOCLY,
            prefix,
            node_env,
            verdict_redocly,
        ),
        Job(
            "spectral",
            f"Spectral {versions['spectral']} lint (spectral:oas)",
            spectral,
            shown(spectral, spec, 'spectral.yaml: extends: ["spectral:oas"]'),
            results / RESULT_SPECTRAL,
            prefix,
            node_env,
            verdict_spectral,
        ),
    ]


def shown(command: Sequence[str], spec: Path, comment: str = "") -> str:
    """A command as the docs show it: tool names instead of install paths, SPEC for the spec."""
    words = [Path(command[0]).name]
    words += ["SPEC" if word == str(spec) else (Path(word).name if os.sep in word else word) for word in command[1:]]
    return shlex.join(words).replace("'SPEC'", "SPEC") + (f"  # {comment}" if comment else "")


# --- running ---------------------------------------------------------------------------------


def prime_warm_cache(job: Job, work: Path) -> None:
    """The warm runs need a cache that one earlier run filled; that run is not timed."""
    sample = run_measured(job.command, cwd=job.cwd, env=job.env, stdout=work / "prime.out", stderr=work / "prime.err")
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
            sample = run_measured(job.command, cwd=job.cwd, env=env, stdout=job.stdout_path, stderr=stderr)
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
        out.append(("cold audit / Redocly lint (wall)", f"{ratio:.2f}x", _met(ratio <= 0.5, "≤ 0.5x")))
    else:
        out.append(("cold audit / Redocly lint (wall)", "n/a", "≤ 0.5x: Redocly not measured"))
    if warm and warm.wall_s:
        out.append(("warm audit (wall)", f"{warm.wall_s:.2f} s", _met(warm.wall_s < 0.5, "< 0.5 s")))
    else:
        out.append(("warm audit (wall)", "n/a", "< 0.5 s: not measured"))
    if structural and structural.wall_s and osv and osv.wall_s:
        speedup = osv.wall_s / structural.wall_s
        out.append(("structural validation speed-up over osv", f"{speedup:.1f}x", _met(speedup >= 10, "≥ 10x")))
    else:
        missing = (
            "no structural rules or `validate` yet" if not (structural and structural.wall_s) else "osv not measured"
        )
        out.append(("structural validation speed-up over osv", "n/a", f"≥ 10x: {missing}"))
    return out


def _met(ok: bool, target: str) -> str:
    return f"{target}: {'met' if ok else 'NOT met'}"


def text_table(rows: list[Row]) -> str:
    header = f"{'tool':<58} {'wall (median)':>14} {'min-max':>13} {'peak RSS':>10}  verdict"
    lines = [header, "-" * len(header)]
    for row in rows:
        spread = f"{row.wall_min:.2f}-{row.wall_max:.2f}" if row.wall_min is not None else ""
        rss = f"{row.rss_mib:.0f} MiB" if row.rss_mib is not None else ""
        lines.append(f"{row.label:<58} {fmt_wall(row):>14} {spread:>13} {rss:>10}  {fmt_verdict(row.verdict)}")
    return "\n".join(lines)


def markdown_section(rows: list[Row], context: dict) -> str:
    machine = context["machine"]
    lines = [
        MARK_START,
        "## Spec audit against its peers",
        "",
        "Written by `bench/audit_bench.py`; do not edit by hand between the markers. Provisional while the "
        f"audit's rule set grows ({context['rule_count']} rules when measured): re-run to refresh.",
        "",
        f"- Command: `{context['command']}`",
        f"- Date: {context['date']}",
        f"- Machine: {machine_line(machine)}",
        f"- Spec: `{context['spec']}` ({context['spec_size']:,} bytes, sha256 `{context['spec_sha'][:12]}`)",
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
    spec_bytes = spec.read_bytes()
    context = {
        "command": command_line([sys.argv[0], *(argv if argv is not None else sys.argv[1:])]),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine,
        "spec": display_path(spec),
        "spec_size": len(spec_bytes),
        "spec_sha": hashlib.sha256(spec_bytes).hexdigest(),
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
    for what, value, verdict in figures:
        print(f"{what:<42} {value:>8}   {verdict}")
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
