"""The lint rule catalogue: each rule is one decorated function in a themed module here.

A rule has an id, a default severity, a one-line description, a rationale (its docstring) and
the peer rules it stands for (`spectral:...`, `redocly:...`), so coverage can be compared.
Its check is a pure function of a `SpecIndex` yielding `(pointer, message)` pairs; the audit
adds the rule id, severity and source position.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spec.findings import Severity
from spec.index import SpecIndex

Check = Callable[[SpecIndex], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    description: str
    rationale: str
    equivalents: tuple[str, ...]
    check: Check
    versions: tuple[str, ...] = ("3.0", "3.1")

    def applies_to(self, index: SpecIndex) -> bool:
        return ("3.1" if index.is_31 else "3.0") in self.versions

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "severity": self.severity.label,
            "description": self.description,
            "equivalents": list(self.equivalents),
        }


_REGISTRY: dict[str, Rule] = {}


def rule(
    id: str,
    severity: str,
    description: str,
    equivalents: Iterable[str] = (),
    versions: Iterable[str] = ("3.0", "3.1"),
) -> Callable[[Check], Check]:
    """Register a check; its docstring is the rule's rationale."""

    def register(check: Check) -> Check:
        if id in _REGISTRY and _REGISTRY[id].check is not check:
            raise ValueError(f"duplicate rule id {id!r}")
        _REGISTRY[id] = Rule(
            id=id,
            severity=Severity.parse(severity),
            description=description,
            rationale=inspect.cleandoc(check.__doc__ or description),
            equivalents=tuple(equivalents),
            check=check,
            versions=tuple(versions),
        )
        return check

    return register


def all_rules() -> list[Rule]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return sorted(_REGISTRY.values(), key=lambda r: r.id)
