"""Our diff rules against a peer's verdicts, one fixture pair at a time.

The peer that installs here is Atlassian's openapi-diff (npm); it refuses the Telnyx spec
itself (see docs/benchmarks.md), so the comparison is on our rule fixtures
(`tests/spec/diff/fixtures/<rule>/{old,new}.yaml`), each given to it as JSON labelled
OpenAPI 3.0.3 when it says 3.1 (it reads 2.0 and 3.0 only). For each rule: our level, and what
the peer says of the same pair (breaking, non-breaking, unclassified, nothing, or why it
refuses the pair). Writes the table into docs/diff.md between its markers; the reasons for
the differences are written by hand below the table.

Usage: python bench/diff_parity.py [--output-md PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from _common import REPO_ROOT, BenchError, peers_dir
from diff_bench import PEER_PKG, PEER_VERSION, run_peer
from harness.docs import update_markdown
from harness.peers import install_peers

FIXTURES = REPO_ROOT / "tests" / "spec" / "diff" / "fixtures"
MARK_START, MARK_END = "<!-- diff-parity -->", "<!-- /diff-parity -->"


def as_peer_json(source: Path, target: Path) -> Path:
    import yaml

    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    if str(data.get("openapi", "")).startswith("3.1"):
        data["openapi"] = "3.0.3"
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def peer_verdict(report: dict | str) -> str:
    if isinstance(report, str):
        return "refused"
    for key, word in (("breakingDifferences", "breaking"), ("unclassifiedDifferences", "unclassified")):
        if report.get(key):
            return f"{word} ({', '.join(sorted({str(d.get('code')) for d in report[key]}))})"
    if report.get("nonBreakingDifferences"):
        codes = sorted({str(d.get("code")) for d in report["nonBreakingDifferences"]})
        return f"non-breaking ({', '.join(codes)})"
    return "nothing"


def compare(binary: Path, work: Path) -> list[tuple[str, str, str]]:
    from spec.diff.rules import all_rules

    rows = []
    for rule in all_rules():
        folder = FIXTURES / rule.id
        old = as_peer_json(folder / "old.yaml", work / f"{rule.id}-old.json")
        new = as_peer_json(folder / "new.yaml", work / f"{rule.id}-new.json")
        _, report = run_peer(binary, old, new, work)
        rows.append((rule.id, rule.level.label, peer_verdict(report)))
        print(f"  {rule.id:<40} {rule.level.label:<9} {rows[-1][2]}", file=sys.stderr)
    return rows


def agrees(ours: str, theirs: str) -> bool:
    if ours == "breaking":
        return theirs.startswith("breaking")
    return not theirs.startswith(("breaking", "refused"))


def section(rows: list[tuple[str, str, str]]) -> str:
    same = sum(agrees(ours, theirs) for _, ours, theirs in rows)
    lines = [
        MARK_START,
        f"Written by `bench/diff_parity.py` (openapi-diff {PEER_VERSION}); do not edit between the markers.",
        "",
        f"On {len(rows)} fixture pairs the two agree on {same} (agree: both call it breaking, or neither does).",
        "",
        "| rule | ours | openapi-diff | agree |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{rule}` | {ours} | {theirs} | {'yes' if agrees(ours, theirs) else 'no'} |" for rule, ours, theirs in rows
    ]
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output-md", metavar="PATH", default=str(REPO_ROOT / "docs" / "diff.md"))
    args = parser.parse_args(argv)
    installed = install_peers(peers_dir() / "openapi-diff", {PEER_PKG: PEER_VERSION}, ["openapi-diff"])
    if installed.problem:
        print(f"diff_parity: error: {installed.problem}", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="diff-parity-") as tmp:
            rows = compare(installed.bins["openapi-diff"], Path(tmp))
    except BenchError as exc:
        print(f"diff_parity: error: {exc}", file=sys.stderr)
        return 2
    text = section(rows)
    print(text)
    update_markdown(Path(args.output_md), text, MARK_START, MARK_END)
    return 0


if __name__ == "__main__":
    sys.exit(main())
