"""The audit as SARIF 2.1.0, the format code-scanning services ingest."""

import os
from pathlib import Path

import orjson

from spec.audit import AuditResult
from spec.baseline import fingerprint
from spec.findings import Severity

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def artifact_uri(path: Path) -> str:
    """Relative to the working directory when the spec lives under it (what code scanning
    maps onto the repository), an absolute file URI otherwise."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return resolved.as_uri() if os.path.isabs(resolved) else resolved.as_posix()


def rule_name(rule_id: str) -> str:
    """SARIF wants `name` readable and different from the opaque `id`: "path-params" -> "PathParams"."""
    return "".join(part.capitalize() for part in rule_id.replace("_", "-").split("-") if part) or rule_id


def as_document(result: AuditResult) -> dict:
    from spec.version import VERSION as __version__

    rules = [r for r in result.rules]
    rule_index = {r.id: i for i, r in enumerate(rules)}
    uri = artifact_uri(result.spec.path)
    results = []
    for finding in result.findings:
        entry = {
            "ruleId": finding.rule,
            "level": _LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri, "index": 0},
                        "region": {"startLine": finding.line, "startColumn": finding.column},
                    },
                    "logicalLocations": [{"fullyQualifiedName": finding.pointer, "kind": "member"}],
                }
            ],
            "partialFingerprints": {"telnyxConformanceFinding/v1": fingerprint(finding)},
        }
        if finding.rule in rule_index:
            entry["ruleIndex"] = rule_index[finding.rule]
        results.append(entry)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "telnyx-conformance",
                        "version": __version__,
                        "informationUri": "https://github.com/team-telnyx/openapi",
                        "rules": [
                            {
                                "id": r.id,
                                "name": rule_name(r.id),
                                "shortDescription": {"text": r.description},
                                "fullDescription": {"text": r.rationale},
                                "help": {"text": r.rationale},
                                "defaultConfiguration": {"level": _LEVEL[r.severity]},
                                "properties": {"equivalents": list(r.equivalents)},
                            }
                            for r in rules
                        ],
                    }
                },
                "artifacts": [
                    {"location": {"uri": uri}, "length": result.spec.size, "hashes": {"sha-256": result.spec.sha256}}
                ],
                "results": results,
            }
        ],
    }


def render(result: AuditResult) -> str:
    return orjson.dumps(as_document(result), option=orjson.OPT_INDENT_2).decode() + "\n"
