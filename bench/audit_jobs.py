"""bench/audit_bench.py's measured commands: our audit cold and warm, our structural validation,
openapi-spec-validator, Redocly and Spectral (installed with npm into the user cache), where each
one's findings are saved for bench/parity.py, and how each one's verdict is read (a sibling module:
bench/ is not a package)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _common import REPO_ROOT, BenchError, peers_dir, tool_version, unpinned, venv_tool
from harness.docs import shown
from harness.measure import Sample
from harness.peers import install_peers, installed_version

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


def warn(message: str) -> None:
    """One-line notices about skipped or failed tools: the table still gets printed."""
    print(f"audit_bench: {message}", file=sys.stderr)


def results_dir() -> Path:
    return peers_dir() / "results"


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


# --- peers installation ----------------------------------------------------------------------


def ensure_peers(prefix: Path) -> dict[str, Path]:
    """Install the pinned Redocly and Spectral CLIs with npm into a private prefix, once.

    A private prefix (no global install) keeps the machine clean and the versions exact; the only
    network used is the npm registry. Returns {} (peers skipped) when node or npm is missing.
    """
    installed = install_peers(
        prefix, {REDOCLY_PKG: REDOCLY_VERSION, SPECTRAL_PKG: SPECTRAL_VERSION}, ["redocly", "spectral"]
    )
    if installed.problem:
        skipped = "peers" if installed.missing_bins else "Redocly and Spectral"
        warn(f"{installed.problem}; skipping {skipped}")
        return {}
    return installed.bins


def write_peer_configs(prefix: Path) -> tuple[Path, Path]:
    """Explicit rulesets, so neither peer picks up a stray config file and both run their defaults."""
    redocly = prefix / "redocly.yaml"
    redocly.write_text("extends:\n  - recommended\n", encoding="utf-8")
    spectral = prefix / "spectral.yaml"
    spectral.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    return redocly, spectral


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
    cli = venv_tool("telnyx-conformance")
    if cli is None:
        raise BenchError("telnyx-conformance not found beside this Python nor on PATH; install the project first")
    rules = our_rules(cli)
    (results / RESULT_OURS_RULES).write_text(json.dumps(rules, indent=2) + "\n", encoding="utf-8")
    versions["telnyx-conformance"] = tool_version([str(cli), "--version"]).split()[-1]
    spec_args = ["--spec", str(spec)]
    if unpinned(spec):
        spec_args.append("--allow-unpinned")
    jobs = our_jobs(cli, spec, spec_args, work, base_env)
    osv = osv_job(spec, base_env, versions)
    if osv is not None:
        jobs.append(osv)
    if use_peers:
        jobs += peer_jobs(spec, base_env, versions)
    return jobs, versions


def our_jobs(cli: Path, spec: Path, spec_args: list[str], work: Path, base_env: dict[str, str]) -> list[Job]:
    """Our audit with a cold cache (a fresh one each run) and a warm one, and our structural validation."""
    results = results_dir()
    audit = [str(cli), "audit", *spec_args, "--format", "json"]
    cold_dirs = work / "cold"
    cold = Job(
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
    warm = Job(
        "warm",
        "telnyx-conformance audit, warm",
        audit,
        shown(audit, spec, "cache filled by an untimed first run"),
        work / "audit-warm.json",
        REPO_ROOT,
        {**base_env, "TELNYX_CONFORMANCE_CACHE": str(work / "warm")},
        verdict_ours,
    )
    command = structural_command(cli, spec_args)
    structural = Job(
        "structural",
        "telnyx-conformance structural validation (validate)",
        command,
        shown(command, spec),
        results / RESULT_VALIDATE,
        REPO_ROOT,
        {**base_env, "TELNYX_CONFORMANCE_CACHE": str(work / "structural")},
        verdict_ours,
    )
    return [cold, warm, structural]


def osv_job(spec: Path, base_env: dict[str, str], versions: dict[str, str]) -> Job | None:
    """openapi-spec-validator reporting all errors; None (a notice) when it is not installed."""
    osv = venv_tool("openapi-spec-validator")
    if osv is None:
        warn("openapi-spec-validator not found; not measured")
        return None
    versions["openapi-spec-validator"] = tool_version([str(osv), "--version"]).split()[-1]
    osv_args = ["--validation-errors", "all", "--subschema-errors", "all", str(spec)]
    return Job(
        "osv",
        f"openapi-spec-validator {versions['openapi-spec-validator']}, all errors",
        [str(osv), *osv_args],
        shown([str(osv), *osv_args], spec),
        results_dir() / RESULT_OSV,
        REPO_ROOT,
        base_env,
        verdict_osv,
    )


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
