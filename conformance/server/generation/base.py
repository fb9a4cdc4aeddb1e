"""What every part of the walk shares: the attempt policy (`Mode`) and the caches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from conformance.server.generation.flatten import Facet, Flat, flatten
from conformance.server.generation.strings import plausible
from conformance.server.generation.values import light_check
from spec.index import SpecIndex

Direction = Literal["response", "request"]


@dataclass(frozen=True)
class Mode:
    """One attempt's policy; later attempts relax what could have made the first invalid."""

    examples: bool = True  # use the spec's examples/defaults where they validate
    optional: bool = True  # include optional properties
    salt: int = 0  # shifts every seed: another oneOf start, other enum picks


class EngineBase:
    """Per (index, direction): the flat and validator caches, and the checks built on them."""

    def __init__(self, index: SpecIndex, direction: Direction, validators: dict[str, Any]) -> None:
        self.index = index
        self.direction = direction
        self.validators = validators  # shared between directions
        self.flats: dict[tuple[tuple[str, ...], frozenset[str]], Flat] = {}

    def flat(self, facets: tuple[Facet, ...], skip: frozenset[str] = frozenset()) -> Flat:
        key = (tuple(p for p, _ in facets), skip)
        found = self.flats.get(key)
        if found is None:
            found = self.flats[key] = flatten(self.index, facets, skip)
        return found

    def child(self, flat: Flat, key: str, facets: list[Facet] | tuple[Facet, ...]) -> Flat:
        found = flat.children.get(key)
        if found is None:
            found = flat.children[key] = self.flat(tuple(facets))
        return found

    def validator(self, pointer: str) -> Any:
        """The compiled validator for a pointer, or None when jsonschema-rs rejects the schema."""
        if pointer not in self.validators:
            try:
                self.validators[pointer] = self.index.schema_validator(pointer)
            except Exception:  # jsonschema-rs raises ValidationError/ValueError for bad schemas
                self.validators[pointer] = None
        return self.validators[pointer]

    def accepts(self, flat: Flat, value: Any) -> bool:
        """Whether every facet of the conjunction accepts `value` (light check where uncompilable)."""
        for pointer in flat.roots:
            validator = self.validator(pointer)
            if validator is None:
                if not light_check(flat, value):
                    return False
            elif not validator.is_valid(value):
                return False
        return True

    def excluded(self, flat: Flat) -> bool:
        """readOnly properties are not sent in requests, writeOnly ones not returned."""
        return flat.write_only if self.direction == "response" else flat.read_only

    def fixed_values(self, flat: Flat) -> list[Any]:
        """The spec's own values for this schema that validate: examples, then scalar defaults."""
        if flat.fixed is None:
            candidates = list(flat.examples)
            candidates += [d for d in flat.defaults if not isinstance(d, (dict, list))]
            flat.fixed = [
                c
                for c in candidates
                if c is not None and plausible(flat.format, c) and self.direction_ok(flat, c) and self.accepts(flat, c)
            ]
        return flat.fixed

    def direction_ok(self, flat: Flat, value: Any) -> bool:
        """An object example must not carry properties the direction leaves out."""
        if not isinstance(value, dict) or not flat.properties:
            return True
        for name in value:
            facets = flat.properties.get(name)
            if facets is not None and self.excluded(self.child(flat, name, facets)):
                return False
        return True

    def value(self, flat: Flat, seed: int, depth: int, stack: tuple[str, ...], name: str | None, mode: Mode) -> Any:
        """One value of `flat` (the walk itself: see `Engine.value`)."""
        raise NotImplementedError
