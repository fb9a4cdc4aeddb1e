"""Diff baselines: accept today's changes so CI fails only on new ones (fingerprints carry the
rule, operation, both pointers and the message, never lines)."""

import json
from pathlib import Path

from spec.diff.changes import Change, DiffResult
from spec.errors import SpecError

FORMAT = "telnyx-conformance-diff-baseline/1"


def write_baseline(path: Path, changes: list[Change]) -> None:
    entries = {c.fingerprint(): {"rule": c.rule, "operation": c.operation} for c in changes}
    document = {"format": FORMAT, "fingerprints": dict(sorted(entries.items()))}
    try:
        path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot write baseline {path}: {exc.strerror or exc}") from None


def read_baseline(path: Path) -> set[str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except ValueError:
        raise SpecError(f"baseline {path} is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SpecError(f"baseline {path} is not a {FORMAT} file")
    return set(document.get("fingerprints", {}))


def apply_baseline(result: DiffResult, known: set[str]) -> None:
    kept = [c for c in result.changes if c.fingerprint() not in known]
    result.baselined += len(result.changes) - len(kept)
    result.changes = kept
