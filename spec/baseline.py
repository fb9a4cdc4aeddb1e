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
    document = {"format": FORMAT, "spec_sha256": spec_sha256, "fingerprints": dict(sorted(entries.items()))}
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
