"""Diff baselines: accept today's changes so CI fails only on new ones (fingerprints carry the
rule, operation, both pointers and the message, never lines)."""

from pathlib import Path

from spec.baseline import read_fingerprints, write_fingerprints
from spec.diff.changes import Change, DiffResult

FORMAT = "telnyx-conformance-diff-baseline/1"


def write_baseline(path: Path, changes: list[Change]) -> None:
    write_fingerprints(path, FORMAT, {c.fingerprint(): {"rule": c.rule, "operation": c.operation} for c in changes})


def read_baseline(path: Path) -> set[str]:
    return read_fingerprints(path, FORMAT)


def apply_baseline(result: DiffResult, known: set[str]) -> None:
    kept = [c for c in result.changes if c.fingerprint() not in known]
    result.baselined += len(result.changes) - len(kept)
    result.changes = kept
