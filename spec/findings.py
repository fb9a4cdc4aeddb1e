"""What the audit reports: one finding per problem, located by JSON pointer and source line."""

from dataclasses import dataclass, replace
from enum import IntEnum


class Severity(IntEnum):
    """Ordered so that `severity >= threshold` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, name: str) -> "Severity":
        try:
            return _ALIASES[name.strip().lower()]
        except KeyError:
            raise ValueError(f"unknown severity {name!r} (use error, warning or info)") from None

    @property
    def label(self) -> str:
        return self.name.lower()


_ALIASES = {
    "error": Severity.ERROR,
    "warning": Severity.WARNING,
    "warn": Severity.WARNING,
    "info": Severity.INFO,
    "hint": Severity.INFO,
}


@dataclass(frozen=True, order=True)
class Finding:
    line: int
    column: int
    pointer: str
    rule: str
    severity: Severity
    message: str

    def at(self, line: int, column: int) -> "Finding":
        return replace(self, line=line, column=column)

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity.label,
            "message": self.message,
            "pointer": self.pointer,
            "line": self.line,
            "column": self.column,
        }
