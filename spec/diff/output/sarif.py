"""The diff as SARIF 2.1.0: each change located in the new version, the old place related."""

import orjson

from spec.diff.changes import DiffResult, Level
from spec.output.sarif import SCHEMA_URI, artifact_uri, rule_name

_LEVEL = {Level.BREAKING: "error", Level.WARNING: "warning", Level.INFO: "note"}


def _location(uri: str, index: int, side, label: str | None = None) -> dict:
    location = {
        "physicalLocation": {
            "artifactLocation": {"uri": uri, "index": index},
            "region": {"startLine": side.line, "startColumn": side.column},
        },
        "logicalLocations": [{"fullyQualifiedName": side.pointer, "kind": "member"}],
    }
    if label:
        location["id"] = 1
        location["message"] = {"text": label}
    return location


def as_document(result: DiffResult) -> dict:
    from spec.version import VERSION

    rules = result.rules
    rule_index = {r.id: i for i, r in enumerate(rules)}
    old_uri, new_uri = artifact_uri(result.old.path), artifact_uri(result.new.path)
    results = []
    for change in result.changes:
        entry = {
            "ruleId": change.rule,
            "level": _LEVEL[change.level],
            "message": {"text": f"{change.operation}: {change.message}"},
            "locations": [_location(new_uri, 1, change.new)],
            "relatedLocations": [_location(old_uri, 0, change.old, "in the old version")],
            "partialFingerprints": {"telnyxConformanceChange/v1": change.fingerprint()},
            "properties": {"operation": change.operation, "side": change.side},
        }
        if change.rule in rule_index:
            entry["ruleIndex"] = rule_index[change.rule]
        results.append(entry)
    artifacts = []
    for model in (result.old, result.new):
        artifact = {"location": {"uri": artifact_uri(model.path)}}
        if model.spec is not None:
            artifact |= {"length": model.spec.size, "hashes": {"sha-256": model.spec.sha256}}
        artifacts.append(artifact)
    driver = {
        "name": "telnyx-conformance diff",
        "version": VERSION,
        "rules": [
            {
                "id": r.id,
                "name": rule_name(r.id),
                "shortDescription": {"text": r.description},
                "fullDescription": {"text": r.rationale},
                "help": {"text": r.rationale},
                "defaultConfiguration": {"level": _LEVEL[r.level]},
                "properties": {"side": r.side},
            }
            for r in rules
        ],
    }
    run = {"tool": {"driver": driver}, "artifacts": artifacts, "results": results}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: DiffResult) -> str:
    return orjson.dumps(as_document(result), option=orjson.OPT_INDENT_2).decode() + "\n"
