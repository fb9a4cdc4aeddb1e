"""The catalogue of changes `diff` reports: each rule is one decorated function in a themed
module here, with an id, a level (breaking, warning, info), a one-line description, a rationale
(its docstring) and a fixture pair under `tests/spec/diff/fixtures/<rule-id>/{old,new}.yaml`.

Two kinds of check:

- `scope="operation"`: `check(pair)` over an `OperationPair` (either side may be None: an
  operation removed or added), yielding `Hit`s;
- `scope="schema"`: `check(pair)` over a `SchemaPair`, one node of a schema in both versions
  (already dereferenced and flattened into a `View`), for one `subject`: `parameter` and
  `request` (what the client sends: the new server must accept what it accepted) or
  `response` (what the client reads: the old client must understand what the server sends).
  The walk calls them at every node and prefixes the place (`response 200 (application/json)
  data.id: ...`).

`side` tells a client what a rule is about: `operation`, `sends`, `reads` or `auth` (`drift`
groups its reasons by it).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from spec.diff.changes import Level

SCOPES = ("operation", "schema")
SUBJECTS = ("parameter", "request", "response")
SIDES = ("operation", "sends", "reads", "auth")


@dataclass(frozen=True)
class Hit:
    """One difference a check found: the pointers on both sides and a one-line message;
    `path` is a property path below the compared node (schema checks only)."""

    old: str
    new: str
    message: str
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class DiffRule:
    id: str
    level: Level
    description: str
    rationale: str
    scope: str
    side: str
    check: Callable[[Any], Iterable[Hit]]
    subject: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level.label,
            "side": self.side,
            "scope": self.scope if self.subject is None else f"schema:{self.subject}",
            "description": self.description,
        }


_REGISTRY: dict[str, DiffRule] = {}


def diff_rule(
    id: str, level: str, description: str, *, side: str, subject: str | None = None
) -> Callable[[Callable], Callable]:
    """Register a check; its docstring is the rule's rationale. A `subject` makes it a schema check."""
    if side not in SIDES or (subject is not None and subject not in SUBJECTS):
        raise ValueError(f"rule {id!r}: bad side {side!r} or subject {subject!r}")

    def register(check: Callable) -> Callable:
        if id in _REGISTRY and _REGISTRY[id].check is not check:
            raise ValueError(f"duplicate diff rule id {id!r}")
        _REGISTRY[id] = DiffRule(
            id=id,
            level=Level.parse(level),
            description=description,
            rationale=inspect.cleandoc(check.__doc__ or description),
            scope="operation" if subject is None else "schema",
            side=side,
            check=check,
            subject=subject,
        )
        return check

    return register


def all_rules() -> list[DiffRule]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return sorted(_REGISTRY.values(), key=lambda r: r.id)
