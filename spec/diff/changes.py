"""What `diff` reports: one change per difference, with a rule, a level and both places."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Level(IntEnum):
    """Ordered so that `level >= threshold` reads naturally."""

    INFO = 1
    WARNING = 2
    BREAKING = 3

    @classmethod
    def parse(cls, name: str) -> Level:
        try:
            return _ALIASES[name.strip().lower()]
        except KeyError:
            raise ValueError(f"unknown level {name!r} (use breaking, warning or info)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


_ALIASES = {"breaking": Level.BREAKING, "warning": Level.WARNING, "warn": Level.WARNING, "info": Level.INFO}
FAIL_ON = ("breaking", "any", "never")


@dataclass(frozen=True)
class Side:
    """One side of a change: the pointer in that version's file and its line and column."""

    pointer: str
    line: int = 1
    column: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {"pointer": self.pointer, "line": self.line, "column": self.column}


@dataclass(frozen=True)
class Change:
    rule: str
    level: Level
    operation: str  # "GET /v2/calls/{call_control_id}" as the old version writes it (new when added)
    operation_key: str  # "get /v2/calls/{}": what matched the two versions
    message: str
    old: Side
    new: Side
    side: str = "operation"  # what it touches for a client: operation, sends, reads, auth
    operation_id: str | None = None

    def fingerprint(self) -> str:
        """Stable across unrelated edits: no lines, only the rule, operation, pointers and message."""
        key = "\0".join((self.rule, self.operation_key, self.old.pointer, self.new.pointer, self.message))
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]

    def sort_key(self) -> tuple:
        return (-self.level, self.operation_key, self.rule, self.old.pointer, self.new.pointer, self.message)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "level": self.level.label,
            "operation": self.operation,
            "operation_id": self.operation_id,
            "side": self.side,
            "message": self.message,
            "old": self.old.as_dict(),
            "new": self.new.as_dict(),
        }


@dataclass
class DiffResult:
    old: Any  # spec.model.ApiModel
    new: Any
    changes: list[Change]
    rules: list[Any]  # spec.diff.rules.DiffRule
    matched: int = 0  # operations in both versions
    baselined: int = 0
    skipped: int = 0  # matched operations proven unchanged without a walk
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        counts = {"breaking": 0, "warning": 0, "info": 0}
        for change in self.changes:
            counts[change.level.label] += 1
        return counts

    def fails(self, fail_on: str) -> bool:
        if fail_on == "never":
            return False
        threshold = Level.INFO if fail_on == "any" else Level.BREAKING
        return any(change.level >= threshold for change in self.changes)
