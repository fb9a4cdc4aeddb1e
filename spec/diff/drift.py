"""A client's drift from a spec: for each operation the client was generated for, `gone`,
`breaking` (with the reasons, read from the client's side: what it sends, what it reads, how
it authenticates) or `compatible`; and the operations of the spec the client lacks.

It is the diff with the client's spec as the old version: a breaking change is exactly one an
old client meets. Warnings are kept beside the verdict; they do not make it breaking.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spec.diff.changes import Change, Level
from spec.diff.engine import diff_models
from spec.model import ApiModel, Operation

CLASSES = ("gone", "breaking", "compatible")


@dataclass
class Verdict:
    operation: Operation  # the client's
    verdict: str  # gone, breaking, compatible
    reasons: list[Change] = field(default_factory=list)  # breaking changes (operation-removed when gone)
    warnings: list[Change] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.operation.name

    def as_dict(self, client: ApiModel) -> dict:
        line = client.locate_all([self.operation.pointer])[self.operation.pointer][0]
        return {
            "name": self.name,
            "operation": self.operation.label,
            "verdict": self.verdict,
            "line": line,
            "reasons": [c.as_dict() for c in self.reasons],
            "warnings": [c.as_dict() for c in self.warnings],
        }


@dataclass
class DriftReport:
    client: ApiModel
    spec: ApiModel
    verdicts: list[Verdict]
    lacking: list[Operation]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(CLASSES, 0)
        for verdict in self.verdicts:
            counts[verdict.verdict] += 1
        counts["lacking"] = len(self.lacking)
        return counts


def drift(client: ApiModel, spec: ApiModel) -> DriftReport:
    result = diff_models(client, spec)
    by_operation: dict[str, list[Change]] = {}
    for change in result.changes:
        by_operation.setdefault(change.operation_key, []).append(change)
    verdicts = []
    for operation in client.operations.values():
        changes = by_operation.get(f"{operation.key[0]} {operation.key[1]}", [])
        breaking = [c for c in changes if c.level == Level.BREAKING]
        warnings = [c for c in changes if c.level == Level.WARNING]
        gone = any(c.rule == "operation-removed" for c in changes)
        verdicts.append(
            Verdict(operation, "gone" if gone else "breaking" if breaking else "compatible", breaking, warnings)
        )
    lacking = [operation for key, operation in spec.operations.items() if key not in client.operations]
    return DriftReport(client, spec, verdicts, lacking)
