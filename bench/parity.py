"""Rule-by-rule parity of the audit with Redocly and Spectral, from the findings audit_bench saved.

For every peer rule that is on by default (OAS 3.x) in ../shared/anchors/lint-rules.tsv: the anchor's
count, the peer's count in the last benchmark run, and our count for the rule(s) that list it as an
equivalent. `--detail RULE` lists the JSON pointers only one side reports, which is where a parity
document starts. Run bench/audit_bench.py first (it writes the inputs).

Usage: python bench/parity.py [--results DIR] [--rules-tsv PATH] [--detail RULE]...
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import audit_jobs as bench  # audit_bench's commands and saved results (bench/ is not a package)
from _common import REPO_ROOT, venv_tool

DEFAULT_TSV = REPO_ROOT.parent / "shared" / "anchors" / "lint-rules.tsv"
PEERS = ("spectral", "redocly")


class ParityError(Exception):
    """A missing or unreadable input: reported in one line, no traceback."""


@dataclass(frozen=True)
class PeerRule:
    tool: str  # "spectral" or "redocly"
    rule: str
    severity_31: str
    severity_30: str
    anchor_count: str

    @property
    def key(self) -> str:
        return f"{self.tool}:{self.rule}"


@dataclass(frozen=True)
class Hit:
    """One finding reduced to what parity compares: the rule and an RFC 6901 pointer."""

    rule: str
    pointer: str


# --- inputs ----------------------------------------------------------------------------------


def read_peer_rules(path: Path) -> list[PeerRule]:
    """Rules on by default for OAS 3.x ('3.2-only' and 'no' rows are left out: they never fire here)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
    except OSError as exc:
        raise ParityError(f"cannot read {path}: {exc.strerror or exc}") from None
    rules = []
    for row in rows:
        tool = row.get("tool", "").split()[0] if row.get("tool") else ""
        if tool in PEERS and row.get("on_by_default") == "yes":
            rules.append(
                PeerRule(
                    tool,
                    row["rule"],
                    row["severity_oas3_1"],
                    row["severity_oas3_0"],
                    row["findings_on_shared_telnyx_yml"],
                )
            )
    if not rules:
        raise ParityError(f"{path}: no peer rule on by default (is it the anchors' lint-rules.tsv?)")
    return rules


def load_json(path: Path, what: str) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParityError(f"{what} not found at {path}; run bench/audit_bench.py first") from None
    except (OSError, ValueError) as exc:
        raise ParityError(f"cannot read {what} at {path}: {exc}") from None


def our_catalogue(results: Path) -> list[dict]:
    """The catalogue saved with the findings (they match); the live CLI's if none was saved."""
    saved = results / bench.RESULT_OURS_RULES
    if saved.is_file():
        return load_json(saved, "our rule catalogue")  # type: ignore[return-value]
    cli = venv_tool("telnyx-conformance")
    if cli is None:
        raise ParityError("telnyx-conformance not found beside this Python nor on PATH")
    done = subprocess.run(
        [str(cli), "audit", "--list-rules", "--format", "json"], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ParityError(f"telnyx-conformance audit --list-rules failed: {done.stderr.strip()[:200]}")
    return json.loads(done.stdout)


def fragment_pointer(fragment: str) -> str:
    """Redocly's '#/paths/~1a/get' (a URI fragment, possibly percent-encoded) as '/paths/~1a/get'."""
    return unquote(fragment[1:] if fragment.startswith("#") else fragment)


def path_pointer(parts: Iterable[str | int]) -> str:
    """Spectral's ['paths', '/a', 'get'] as '/paths/~1a/get'."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def redocly_hits(results: Path) -> list[Hit]:
    document = load_json(results / bench.RESULT_REDOCLY, "Redocly findings")
    hits = []
    for problem in document["problems"]:  # type: ignore[index]
        locations = problem.get("location") or [{}]
        hits.append(Hit(problem["ruleId"], fragment_pointer(locations[0].get("pointer", "#"))))
    return hits


def spectral_hits(results: Path) -> list[Hit]:
    problems = load_json(results / bench.RESULT_SPECTRAL, "Spectral findings")
    return [Hit(p["code"], path_pointer(p.get("path", []))) for p in problems]  # type: ignore[union-attr]


def our_hits(results: Path) -> list[Hit]:
    document = load_json(results / bench.RESULT_OURS, "our audit findings")
    return [Hit(f["rule"], f["pointer"]) for f in document["findings"]]  # type: ignore[index]


def osv_errors(results: Path) -> int | None:
    verdict = bench.verdict_osv(results / bench.RESULT_OSV)
    return verdict[0] if verdict else None


# --- comparison ------------------------------------------------------------------------------


def equivalents_index(catalogue: list[dict]) -> dict[str, list[str]]:
    """'spectral:oas3-schema' -> our rule ids that claim it as an equivalent."""
    index: dict[str, list[str]] = defaultdict(list)
    for rule in catalogue:
        for peer in rule.get("equivalents", []):
            index[peer].append(rule["id"])
    return index


def parity_rows(
    peer_rules: list[PeerRule], peer_hits: dict[str, list[Hit]], ours: list[Hit], equivalents: dict[str, list[str]]
) -> list[tuple[PeerRule, int | None, int | None, list[str]]]:
    """(peer rule, peer count or None if the peer was not run, our count or None if uncovered, our rules)."""
    peer_counts = {tool: Counter(hit.rule for hit in hits) for tool, hits in peer_hits.items()}
    our_counts = Counter(hit.rule for hit in ours)
    rows = []
    for rule in peer_rules:
        counts = peer_counts.get(rule.tool)
        mine = equivalents.get(rule.key, [])
        ours_count = sum(our_counts[r] for r in mine) if mine else None
        rows.append((rule, counts[rule.rule] if counts is not None else None, ours_count, mine))
    return rows


def print_table(rows: list[tuple[PeerRule, int | None, int | None, list[str]]]) -> None:
    width = max(len(rule.key) for rule, *_ in rows)
    print(f"{'peer rule':<{width}}  {'3.1':<5}  {'anchor':>6}  {'peer':>5}  {'ours':>5}  our rule(s)")
    for rule, peer, ours, mine in rows:
        flag = "" if peer is None or ours is None or peer == ours else "  *"
        print(
            f"{rule.key:<{width}}  {rule.severity_31:<5}  {rule.anchor_count:>6}  {_n(peer):>5}  {_n(ours):>5}  "
            f"{', '.join(mine) or '(not covered)'}{flag}"
        )
    print("\n'-' = peer not run / no rule of ours lists it; '*' = counts differ; 3.1 '-' = rule not applied to OAS 3.1")


def _n(value: int | None) -> str:
    return "-" if value is None else str(value)


def print_extras(
    peer_rules: list[PeerRule], peer_hits: dict[str, list[Hit]], ours: list[Hit], catalogue: list[dict]
) -> None:
    """What the table cannot show: peer codes outside the TSV, our rules with no peer equivalent."""
    listed = {rule.key for rule in peer_rules}
    for tool, hits in peer_hits.items():
        other = Counter(hit.rule for hit in hits if f"{tool}:{hit.rule}" not in listed)
        if other:
            print(f"{tool} codes not in the TSV's default rules: {', '.join(f'{k} {v}' for k, v in other.items())}")
    our_counts = Counter(hit.rule for hit in ours)
    unmatched = [r["id"] for r in catalogue if not any(e in listed for e in r.get("equivalents", []))]
    if unmatched:
        print("our rules with no default-on peer equivalent: " + ", ".join(f"{r} {our_counts[r]}" for r in unmatched))


def resolve_detail(name: str, peer_rules: list[PeerRule], catalogue: list[dict]) -> list[str]:
    """--detail accepts 'tool:rule', a bare peer rule name (every tool that has it) or one of our rule ids."""
    keys = {rule.key for rule in peer_rules}
    if name in keys:
        return [name]
    bare = [rule.key for rule in peer_rules if rule.rule == name]
    if bare:
        return bare
    for rule in catalogue:
        if rule["id"] == name:
            found = [e for e in rule.get("equivalents", []) if e in keys]
            if found:
                return found
            raise ParityError(f"our rule {name} lists no default-on peer rule as an equivalent")
    raise ParityError(f"unknown rule for --detail: {name} (use tool:rule, a peer rule name or one of our rule ids)")


def print_detail(key: str, peer_hits: dict[str, list[Hit]], ours: list[Hit], equivalents: dict[str, list[str]]) -> None:
    """Pointers only one side reports; '~' marks one whose ancestor or descendant the other side reports
    (same problem, different granularity), which is usually not a real disagreement."""
    tool, rule = key.split(":", 1)
    if tool not in peer_hits:
        print(f"\n== {key}: {tool} findings not available (peer skipped in the last run)")
        return
    mine = equivalents.get(key, [])
    theirs = {hit.pointer for hit in peer_hits[tool] if hit.rule == rule}
    our_set = {hit.pointer for hit in ours if hit.rule in mine}
    only_peer, only_ours = sorted(theirs - our_set), sorted(our_set - theirs)
    print(f"\n== {key} vs {', '.join(mine) or '(no rule of ours)'}")
    print(f"   both {len(theirs & our_set)}, only {tool} {len(only_peer)}, only ours {len(only_ours)}")
    for title, pointers, other in ((f"only {tool}", only_peer, our_set), ("only ours", only_ours, theirs)):
        if pointers:
            print(f"   -- {title}:")
            for pointer in pointers:
                print(f"   {'~' if _related(pointer, other) else ' '} {pointer or '(document root)'}")


def _related(pointer: str, others: set[str]) -> bool:
    return any(
        other.startswith(pointer + "/") or pointer.startswith(other + "/") or not other or not pointer
        for other in others
    )


def describe_inputs(results: Path) -> None:
    """Say which runs the inputs come from, and warn when a peer's findings are of another spec."""
    try:
        meta = json.loads((results / bench.RESULT_META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    files = meta.get("files", {})
    ours = files.get(bench.RESULT_OURS, {})
    print(f"inputs: {results} (last benchmark run {meta.get('date')} on {meta.get('spec')})")
    for name, record in sorted(files.items()):
        stale = ours and record.get("spec_sha") != ours.get("spec_sha")
        print(f"  {name:<36} {record.get('date')}{'  WARNING: another spec than our findings' if stale else ''}")
    print()


# --- main ------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--results", metavar="DIR", help="findings saved by audit_bench (default: <cache>/peers/results)"
    )
    parser.add_argument("--rules-tsv", metavar="PATH", default=str(DEFAULT_TSV), help="the anchors' lint-rules.tsv")
    parser.add_argument(
        "--detail", metavar="RULE", action="append", default=[], help="list pointers only one side reports (repeatable)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    results = Path(args.results) if args.results else bench.results_dir()
    try:
        peer_rules = read_peer_rules(Path(args.rules_tsv))
        catalogue = our_catalogue(results)
        ours = our_hits(results)
        peer_hits: dict[str, list[Hit]] = {}
        for tool, reader in (("spectral", spectral_hits), ("redocly", redocly_hits)):
            try:
                peer_hits[tool] = reader(results)
            except ParityError as exc:
                print(f"parity: {exc}; its column shows '-'", file=sys.stderr)
        details = [key for name in args.detail for key in resolve_detail(name, peer_rules, catalogue)]
    except ParityError as exc:
        print(f"parity: error: {exc}", file=sys.stderr)
        return 2
    describe_inputs(results)
    equivalents = equivalents_index(catalogue)
    print_table(parity_rows(peer_rules, peer_hits, ours, equivalents))
    print_extras(peer_rules, peer_hits, ours, catalogue)
    errors = osv_errors(results)
    if errors is not None:
        print(f"openapi-spec-validator (no rule ids): {errors} errors")
    for key in details:
        print_detail(key, peer_hits, ours, equivalents)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `| head` is a normal way to read a long --detail
        sys.exit(0)
