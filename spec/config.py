"""Audit settings from `[tool.telnyx-conformance.audit]` in pyproject.toml.

    [tool.telnyx-conformance.audit]
    fail-on = "error"                        # error | warning | never
    severity = { operation-description = "off", unused-component = "info" }
    ignore = [{ rule = "path-ambiguous", pointer = "/paths/~1calls~1*" }]

`pointer` in an ignore is a glob (fnmatch) over JSON pointers; omit it to ignore the rule
everywhere (same as severity "off").
"""

import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from spec.errors import SpecError
from spec.findings import Finding, Severity

FAIL_ON = ("error", "warning", "never")


@dataclass(frozen=True)
class Ignore:
    rule: str
    pointer: str | None = None

    def matches(self, finding: Finding) -> bool:
        if self.rule not in ("*", finding.rule):
            return False
        return self.pointer is None or fnmatchcase(finding.pointer, self.pointer)


@dataclass
class AuditConfig:
    fail_on: str = "error"
    severity: dict[str, Severity | None] = field(default_factory=dict)  # None = off
    ignore: list[Ignore] = field(default_factory=list)
    source: Path | None = None


class ConfigError(SpecError):
    """A malformed configuration: a usage error (exit 2)."""


def find_pyproject(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None, known_rules: set[str]) -> AuditConfig:
    if path is None:
        return AuditConfig()
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from None
    table = document.get("tool", {}).get("telnyx-conformance", {}).get("audit", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.telnyx-conformance.audit] must be a table")
    config = AuditConfig(source=path)
    unknown = set(table) - {"fail-on", "severity", "ignore"}
    if unknown:
        raise ConfigError(f"{path}: unknown audit setting(s): {', '.join(sorted(unknown))}")
    fail_on = table.get("fail-on", "error")
    if fail_on not in FAIL_ON:
        raise ConfigError(f"{path}: fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    config.fail_on = fail_on
    for rule_id, level in dict(table.get("severity", {})).items():
        _known(rule_id, known_rules, path)
        if level == "off":
            config.severity[rule_id] = None
        else:
            try:
                config.severity[rule_id] = Severity.parse(str(level))
            except ValueError as exc:
                raise ConfigError(f"{path}: severity of {rule_id}: {exc}") from None
    for entry in table.get("ignore", []):
        if not isinstance(entry, dict) or "rule" not in entry:
            raise ConfigError(f"{path}: each ignore needs a rule (and optionally a pointer): {entry!r}")
        if entry["rule"] != "*":
            _known(entry["rule"], known_rules, path)
        config.ignore.append(Ignore(rule=entry["rule"], pointer=entry.get("pointer")))
    return config


def _known(rule_id: str, known_rules: set[str], path: Path) -> None:
    if rule_id not in known_rules:
        raise ConfigError(f"{path}: unknown rule id {rule_id!r} (see telnyx-conformance audit --list-rules)")
