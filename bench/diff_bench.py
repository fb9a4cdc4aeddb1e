"""Benchmark `telnyx-conformance diff`: the pinned spec against a copy edited at run time.

The copy is the spec with a handful of edits, each one a change a rule must report (an
operation removed, a parameter made required, a property's type changed, an enum narrowed, a
success status removed); it is written to a temporary folder, never committed. Times the diff
cold (a fresh, empty parse cache each run: both files parsed) and with both parses cached,
checks the expected changes are found, and runs the peers that install here: Atlassian's
openapi-diff (npm; OpenAPI 3.0 and Swagger 2.0 only, so it is given 3.0 copies). pb33f's
openapi-changes and oasdiff do not install here (see docs/benchmarks.md). Writes its section
of docs/benchmarks.md.

Usage: python bench/diff_bench.py [--spec PATH] [--runs N] [--no-peers] [--output-md PATH]
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from _common import DEFAULT_MD, REPO_ROOT, BenchError, peers_dir, resolve_spec, venv_tool
from harness.docs import header_lines, machine_info, machine_line, met, run_facts, spec_text, update_markdown
from harness.measure import run_measured
from harness.peers import install_peers
from harness.procs import first_line

MARK_START, MARK_END = "<!-- diff-bench -->", "<!-- /diff-bench -->"
PEER_PKG, PEER_VERSION = "openapi-diff", "0.24.1"
RUN_TIMEOUT_S = 600

# (what is edited, the rule that must report it); the edits are made by `edit` below
EXPECTED = (
    ("POST /calls/{call_control_id}/actions/answer removed", "operation-removed"),
    (
        "the first optional query parameter of components/parameters an operation uses made required",
        "parameter-became-required",
    ),
    ("BillingGroup.name type string -> integer", "response-property-type-changed"),
    ("StartForkingRequest.stream_type enum [decrypted] -> [encrypted]", "request-property-enum-narrowed"),
    ("GET /balance 200 response -> 203", "response-status-removed"),
)


def edit(data: dict) -> dict:
    """The pinned spec with the edits of EXPECTED (on a deep copy)."""
    new = copy.deepcopy(data)
    del new["paths"]["/calls/{call_control_id}/actions/answer"]["post"]
    new["components"]["parameters"][_used_query_parameter(new)]["required"] = True
    new["components"]["schemas"]["BillingGroup"]["properties"]["name"]["type"] = "integer"
    new["components"]["schemas"]["StartForkingRequest"]["properties"]["stream_type"]["enum"] = ["encrypted"]
    responses = new["paths"]["/balance"]["get"]["responses"]
    responses["203"] = responses.pop("200")
    return new


def _used_query_parameter(data: dict) -> str:
    used = json.dumps(data["paths"])
    for name, parameter in data["components"]["parameters"].items():
        plain = parameter.get("in") == "query" and parameter.get("style") != "deepObject"
        if plain and not parameter.get("required") and f'"#/components/parameters/{name}"' in used:
            return name
    raise BenchError("no optional query parameter in components/parameters is used")


def peer_report(text: str) -> dict | None:
    """openapi-diff prints a line, then its JSON report; None when there is no report."""
    start = text.find("{")
    try:
        report = json.loads(text[start:]) if start >= 0 else None
    except ValueError:
        return None
    return report if isinstance(report, dict) else None


def run_peer(binary: Path, old: Path, new: Path, work: Path) -> tuple[float, dict | str]:
    """(wall, the report or why there is none)."""
    out, err = work / "peer.out", work / "peer.err"
    sample = run_measured(
        [str(binary), str(old), str(new)], cwd=work, env={}, stdout=out, stderr=err, timeout_s=RUN_TIMEOUT_S
    )
    printed = out.read_text(encoding="utf-8", errors="replace")
    report = {} if printed.startswith("No changes found") else peer_report(printed)
    if report is not None:
        return sample.wall_s, report
    text = (
        out.read_text(encoding="utf-8", errors="replace") + err.read_text(encoding="utf-8", errors="replace")
    ).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    reason = " ".join(lines[:2]).replace(f"{old.parent}/", "") if lines else f"exit {sample.returncode}"
    return sample.wall_s, reason[:300]


def as_30(data: dict) -> dict:
    """A 3.0 label on the same content, for a peer that refuses 3.1 (what it says on 3.1-only
    keywords is then its own business: both sides carry them alike)."""
    return {**data, "openapi": "3.0.3"}


def write_copies(spec: Path, work: Path) -> dict[str, Path]:
    import ryaml

    from spec.parse import parse_document

    data, _ = parse_document(spec.read_bytes(), spec.name)
    edited = edit(data)
    paths = {
        "new": work / "telnyx-edited.yml",
        "old30": work / "telnyx-3.0.json",
        "new30": work / "telnyx-edited-3.0.json",
    }
    paths["new"].write_text(ryaml.dumps(edited), encoding="utf-8")
    paths["old30"].write_text(json.dumps(as_30(data)), encoding="utf-8")
    paths["new30"].write_text(json.dumps(as_30(edited)), encoding="utf-8")
    return paths


def ours(spec: Path, new: Path, work: Path, runs: int) -> dict[str, object]:
    tool = venv_tool("telnyx-conformance")
    if tool is None:
        raise BenchError("telnyx-conformance is not installed in this venv (pip install -e .)")
    command = [str(tool), "diff", str(spec), str(new), "--format", "json", "--fail-on", "never"]
    found: dict[str, object] = {"command": command}
    warm_cache = work / "cache-warm"
    for kind in ("cold", "cached"):
        walls = []
        for i in range(runs + (1 if kind == "cached" else 0)):
            cache = work / f"cache-cold-{i}" if kind == "cold" else warm_cache
            env = {"TELNYX_CONFORMANCE_CACHE": str(cache)}
            sample = run_measured(
                command,
                cwd=REPO_ROOT,
                env=env,
                stdout=work / f"{kind}.json",
                stderr=work / "err",
                timeout_s=RUN_TIMEOUT_S,
            )
            if sample.returncode != 0:
                raise BenchError(f"diff exited {sample.returncode}: {first_line(work / 'err')}")
            if kind == "cached" and i == 0:
                continue  # fills the cache, untimed
            walls.append(sample.wall_s)
            print(f"  {kind:<7} run {len(walls)}/{runs} {sample.wall_s:6.2f} s", file=sys.stderr)
        found[kind] = walls
    report = json.loads((work / "cached.json").read_text(encoding="utf-8"))
    found["summary"] = report["summary"]
    found["rules"] = sorted({c["rule"] for c in report["changes"]})
    found["missing"] = [rule for _, rule in EXPECTED if rule not in found["rules"]]
    return found


def peer(paths: dict[str, Path], work: Path, runs: int) -> dict[str, object]:
    installed = install_peers(peers_dir() / "openapi-diff", {PEER_PKG: PEER_VERSION}, ["openapi-diff"])
    if installed.problem:
        return {"problem": installed.problem}
    walls = []
    for _ in range(runs):
        wall, report = run_peer(installed.bins["openapi-diff"], paths["old30"], paths["new30"], work)
        if isinstance(report, str):
            return {"problem": f"openapi-diff {PEER_VERSION} refuses the spec: {report}", "bin": installed.bins}
        walls.append(wall)
        print(f"  peer    run {len(walls)}/{runs} {wall:6.2f} s", file=sys.stderr)
    codes = sorted({str(item.get("code")) for item in report.get("breakingDifferences", [])})
    return {
        "walls": walls,
        "breaking": len(report.get("breakingDifferences", [])),
        "codes": codes,
        "bin": installed.bins,
    }


def section(context: dict, found: dict, peer_found: dict) -> str:
    cold, cached = statistics.median(found["cold"]), statistics.median(found["cached"])
    summary = found["summary"]
    lines = [
        *header_lines(
            MARK_START,
            "## Diff: the pinned spec against an edited copy",
            "Written by `bench/diff_bench.py`; do not edit by hand between the markers.",
            context,
        ),
        f"- Machine: {machine_line(context['machine'])}",
        f"- Spec: {spec_text(context)}; the copy is made at run time with {len(EXPECTED)} edits "
        f"({'; '.join(what for what, _ in EXPECTED)})",
        f"- Runs: median of {len(found['cold'])}; cold = a fresh empty parse cache each run (both files parsed, "
        "in parallel), cached = both parses in the cache",
        "",
        "| tool | wall (median) | min–max | result |",
        "|---|---:|---:|---|",
        f"| telnyx-conformance diff, cold | {cold:.2f} s | {min(found['cold']):.2f}–{max(found['cold']):.2f} s | "
        f"{summary['breaking']} breaking, {summary['warning']} warnings, {summary['info']} infos |",
        f"| telnyx-conformance diff, cached | {cached:.2f} s | {min(found['cached']):.2f}–{max(found['cached']):.2f} s"
        f" | the same |",
    ]
    if "walls" in peer_found:
        walls = peer_found["walls"]
        lines.append(
            f"| openapi-diff {PEER_VERSION} (3.0 copies) | {statistics.median(walls):.2f} s | "
            f"{min(walls):.2f}–{max(walls):.2f} s | {peer_found['breaking']} breaking differences "
            f"({', '.join(peer_found['codes']) or 'none'}) |"
        )
    lines += [
        "",
        "| figure | measured | target |",
        "|---|---:|---|",
        f"| cold diff | {cold:.2f} s | {met(cold < 2, '< 2 s')} |",
        f"| cached diff | {cached:.2f} s | {met(cached < 0.5, '< 0.5 s')} |",
        f"| expected changes found | {len(EXPECTED) - len(found['missing'])} of {len(EXPECTED)} | all |",
        "",
        "Peers: pb33f's openapi-changes does not install here (its npm postinstall downloads the binary from "
        "GitHub, which this machine cannot reach), nor does oasdiff (`go install` needs the Go module proxy or "
        "GitHub, neither reachable; Debian's golang-go is 1.19, older than oasdiff needs)."
        + ("" if "walls" in peer_found else f" openapi-diff: {peer_found.get('problem')}."),
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", metavar="PATH", help="spec file (default: $TELNYX_SPEC, then ../shared/spec)")
    parser.add_argument("--runs", type=int, default=3, metavar="N")
    parser.add_argument("--no-peers", action="store_true", help="skip openapi-diff (no npm)")
    parser.add_argument("--output-md", metavar="PATH", default=str(DEFAULT_MD))
    args = parser.parse_args(argv)
    try:
        spec = resolve_spec(args.spec)
        machine = machine_info()
        with tempfile.TemporaryDirectory(prefix="diff-bench-") as tmp:
            work = Path(tmp)
            paths = write_copies(spec, work)
            found = ours(spec, paths["new"], work, max(1, args.runs))
            peer_found = {"problem": "skipped (--no-peers)"} if args.no_peers else peer(paths, work, max(1, args.runs))
    except BenchError as exc:
        print(f"diff_bench: error: {exc}", file=sys.stderr)
        return 2
    context = run_facts(argv, machine, spec)
    text = section(context, found, peer_found)
    print(text)
    update_markdown(Path(args.output_md), text, MARK_START, MARK_END)
    if found["missing"]:
        print(f"diff_bench: expected changes not found: {', '.join(found['missing'])}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
