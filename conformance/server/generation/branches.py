"""`oneOf`/`anyOf`: choosing a branch, and making a oneOf value match that branch alone."""

from __future__ import annotations

from typing import Any

from conformance.server.generation.base import EngineBase, Mode
from conformance.server.generation.errors import Unsatisfiable
from conformance.server.generation.flatten import MISSING, BranchGroup, Facet, Flat
from spec.pointer import get

SPOILERS = (None, 0, "", False)  # values that break a property's schema, to disqualify a oneOf branch


class BranchWalk(EngineBase):
    """`oneOf`/`anyOf`: a branch chosen by seed, made to match that branch alone for oneOf."""

    def choose(self, flat: Flat, seed: int, depth: int, stack: tuple[str, ...], name: str | None, mode: Mode) -> Any:
        """Resolve the first oneOf/anyOf by adding a branch (seed picks where to start); for
        oneOf the value must match exactly that branch, else the next one is tried."""
        group = flat.groups[0]
        count = len(group.branches)
        order = [group.branches[(seed + k) % count] for k in range(count)]
        if stack:  # inside a recursion: branches that do not enter it again come first
            order.sort(key=lambda b: any(r in stack for r in set(self.branch(flat, group, b).refs) - set(flat.refs)))
        reasons: list[str] = []
        for branch in order:
            sub = self.branch(flat, group, branch)
            if sub.impossible:
                continue
            try:
                value = self.value(sub, seed, depth, stack, name, mode)
            except Unsatisfiable as exc:
                reasons.append(str(exc))
                continue
            value = self.discriminated(group, branch, value)
            if group.kind == "oneOf" and not self.exclusive(group, branch, value):
                value = self.disambiguate(group, branch, value)
                if value is MISSING:
                    reasons.append(f"value matches more than one branch of {group.owner}")
                    continue
            return value
        raise Unsatisfiable(f"no branch of {group.owner} works: {'; '.join(reasons[:3])}")

    def discriminated(self, group: BranchGroup, branch: Facet, value: Any) -> Any:
        """An object of a branch under a `discriminator` names that branch in the discriminator
        property: the mapping key that points at it, else its schema name (what a client reads
        to pick the type). Kept as generated when the branch itself forbids that value (a spec
        whose member enum contradicts its implicit mapping: no answer can satisfy both)."""
        owner = get(self.index.doc, group.owner.rsplit("/", 1)[0], None)
        discriminator = owner.get("discriminator") if isinstance(owner, dict) else None
        ref = branch[1].get("$ref") if isinstance(branch[1], dict) else None
        if not isinstance(value, dict) or not isinstance(discriminator, dict) or not isinstance(ref, str):
            return value
        name = discriminator.get("propertyName")
        mapping = discriminator.get("mapping") if isinstance(discriminator.get("mapping"), dict) else {}
        keys = [key for key, target in mapping.items() if target == ref or target == ref.rsplit("/", 1)[-1]]
        wanted = keys[0] if keys else ref.rsplit("/", 1)[-1]
        if not isinstance(name, str) or value.get(name) == wanted:
            return value
        trial = {**value, name: wanted}
        validator = self.validator(branch[0])
        return trial if validator is None or validator.is_valid(trial) else value

    def branch(self, flat: Flat, group: BranchGroup, branch: Facet) -> Flat:
        """The conjunction with one branch added and its group marked resolved."""
        key = f"\x00branch {branch[0]}"
        found = flat.children.get(key)
        if found is None:
            found = flat.children[key] = self.flat((*flat.facets, branch), flat.skip | {group.owner})
        return found

    def exclusive(self, group: BranchGroup, chosen: Facet, value: Any) -> bool:
        for branch in group.branches:
            if branch is chosen:
                continue
            validator = self.validator(branch[0])
            if validator is not None and validator.is_valid(value):
                return False
        return True

    def disambiguate(self, group: BranchGroup, chosen: Facet, value: Any) -> Any:
        """Make an object match only `chosen` when the branches overlap (no `required`, no
        `additionalProperties: false`: every object matches them all): give each other matching
        branch one of its own properties, absent from the value, with a value it rejects but
        `chosen` tolerates. MISSING when that is not possible."""
        if not isinstance(value, dict):
            return MISSING
        chosen_validator = self.validator(chosen[0])
        for other in group.branches:
            other_validator = self.validator(other[0])
            if other is chosen or other_validator is None or not other_validator.is_valid(value):
                continue
            value = self.spoil(value, self.flat((other,)), other_validator, chosen_validator)
            if value is MISSING:
                return MISSING
        return value if self.exclusive(group, chosen, value) else MISSING

    @staticmethod
    def spoil(value: dict[str, Any], other: Flat, other_validator: Any, chosen_validator: Any) -> Any:
        for prop in other.properties:
            if prop in value:
                continue
            for wrong in SPOILERS:
                trial = {**value, prop: wrong}
                if not other_validator.is_valid(trial) and (
                    chosen_validator is None or chosen_validator.is_valid(trial)
                ):
                    return trial
        return MISSING
