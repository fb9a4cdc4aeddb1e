"""Baselines: accept today's findings so CI fails only on new ones.

A fingerprint is built from the rule, the JSON pointer and the message, never the line:
editing an unrelated part of the spec moves lines but keeps pointers, so old findings stay
recognised.
"""

import hashlib
import json
from pathlib import Path

from spec.errors import SpecError
from spec.findings import Finding

FORMAT = "telnyx-conformance-baseline/1"


def fingerprint(finding: Finding) -> str:
    key = "\0".join((finding.rule, finding.pointer, finding.message))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def write_baseline(path: Path, findings: list[Finding], spec_sha256: str) -> None:
    entries = {fingerprint(f): {"rule": f.rule, "pointer": f.pointer} for f in findings}
    write_fingerprints(path, FORMAT, entries, {"spec_sha256": spec_sha256})


def read_baseline(path: Path) -> set[str]:
    return read_fingerprints(path, FORMAT)


def write_fingerprints(path: Path, kind: str, entries: dict[str, dict], extra: dict | None = None) -> None:
    """A baseline file of `kind` (its format tag): fingerprint -> what it stands for."""
    document = {"format": kind, **(extra or {}), "fingerprints": dict(sorted(entries.items()))}
    try:
        path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    except OSError as exc:
        raise SpecError(f"cannot write baseline {path}: {exc.strerror or exc}") from None


def read_fingerprints(path: Path, kind: str) -> set[str]:
    """The fingerprints of a baseline file of `kind`; a one-line SpecError for anything else."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except ValueError:
        raise SpecError(f"baseline {path} is not JSON") from None
    if not isinstance(document, dict) or document.get("format") != kind:
        raise SpecError(f"baseline {path} is not a {kind} file")
    return set(document.get("fingerprints", {}))
