"""What one request carries through the server's stages, and the server's rate window.

The stages below the application (state, pagination, faults) read a request only through its
`Context`: the spec index, the seed, the switches of the faults and what the earlier stages
found (route, operation, parsed parameters and body). So none of them needs the application.
"""

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

from conformance.server.routes import Match
from spec.index import Operation, SpecIndex


@dataclass
class RateWindow:
    """A fixed-window counter: simple, and its headers are exact."""

    limit: int
    seconds: float
    started: float = 0.0
    count: int = 0

    def take(self, now: float) -> tuple[bool, int, int]:
        """(allowed, remaining, seconds until reset)."""
        if now - self.started >= self.seconds:
            self.started, self.count = now, 0
        self.count += 1
        reset = max(1, math.ceil(self.started + self.seconds - now))
        return self.count <= self.limit, max(0, self.limit - self.count), reset


class FaultSwitches(Protocol):
    """The faults switched on for a server (`faults.FaultSet`), as a request asks them."""

    def active(self, name: str, ctx: "Context") -> bool: ...


@dataclass
class Context:
    """What the stages know about one request."""

    index: SpecIndex
    seed: int
    faults: FaultSwitches
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    match: Match | None = None
    operation: Operation | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    parsed_body: Any = None
    rate: tuple[int, int, int] | None = None  # limit, remaining, seconds to reset

    def faulty(self, name: str) -> bool:
        """Is fault `name` switched on and scoped to this request's operation?"""
        return self.faults.active(name, self)
