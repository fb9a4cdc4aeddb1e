"""The engine: the walk over a flattened schema, its attempts, and the `generate` entry point."""

from __future__ import annotations

from typing import Any

from conformance.server.generation.base import Direction, Mode
from conformance.server.generation.branches import BranchWalk
from conformance.server.generation.containers import ContainerWalk
from conformance.server.generation.errors import GenerationError, Unsatisfiable
from conformance.server.generation.flatten import MISSING, Flat
from conformance.server.generation.numbers import random_integer, random_number
from conformance.server.generation.seeds import Rng, root_seed, sub_seed
from conformance.server.generation.values import clone, infer_kind, light_check
from spec.index import SpecIndex
from spec.pointer import get

SOFT_DEPTH = 10  # from this depth on, objects carry only required properties, arrays their minItems
HARD_DEPTH = 40  # a schema that requires itself forever: give up rather than overflow the stack
MAX_RECURSION = 2  # how many times one $ref target may enclose itself before we go minimal


ATTEMPTS = (
    Mode(),
    Mode(examples=False),
    Mode(optional=False),
    Mode(examples=False, optional=False),
    Mode(salt=1),
    Mode(examples=False, salt=2),
    Mode(examples=False, optional=False, salt=3),
)


class Engine(ContainerWalk, BranchWalk):
    """Per (index, direction): the flat and validator caches, and the walk itself."""

    def value(self, flat: Flat, seed: int, depth: int, stack: tuple[str, ...], name: str | None, mode: Mode) -> Any:
        if flat.impossible:
            raise Unsatisfiable("contradictory schema")
        if depth > HARD_DEPTH:
            raise Unsatisfiable("schema nests deeper than the depth limit")
        recursive = any(stack.count(r) >= MAX_RECURSION for r in flat.refs) if flat.refs and stack else False
        if recursive and flat.types is not None and "null" in flat.types:
            return None
        if flat.const is not MISSING:
            return clone(flat.const)
        if mode.examples:
            fixed = self.fixed_values(flat)
            if fixed:
                return clone(fixed[0])
        if flat.groups:
            return self.choose(flat, seed, depth, stack, name, mode)
        if flat.enum is not None:
            return self.enum_value(flat, seed)
        minimal = recursive or depth >= SOFT_DEPTH or not mode.optional
        if flat.nots:
            return self.avoiding(flat, seed, depth, stack, name, mode, minimal)
        return self.by_kind(flat, infer_kind(flat), seed, depth, stack, name, mode, minimal)

    def by_kind(
        self,
        flat: Flat,
        kind: str,
        seed: int,
        depth: int,
        stack: tuple[str, ...],
        name: str | None,
        mode: Mode,
        minimal: bool,
    ) -> Any:
        if kind == "object":
            return self.object(flat, seed, depth, stack + flat.refs, name, mode, minimal)
        if kind == "array":
            return self.array(flat, seed, depth, stack + flat.refs, name, mode, minimal)
        if kind == "string":
            return self.string(flat, Rng(seed), name)
        if kind == "integer":
            return random_integer(flat, Rng(seed))
        if kind == "number":
            return random_number(flat, Rng(seed))
        if kind == "boolean":
            return bool(seed & 1)
        if kind == "null":
            return None
        raise Unsatisfiable(f"unknown type {kind!r}")

    def enum_value(self, flat: Flat, seed: int) -> Any:
        """A seed-chosen enum member among those the whole conjunction accepts (non-null first)."""
        if flat.enum_ok is None:
            valid = [v for v in flat.enum or () if self.accepts(flat, v)]
            flat.enum_ok = [v for v in valid if v is not None] or valid
        if not flat.enum_ok:
            raise Unsatisfiable("no enum member is valid")
        return clone(flat.enum_ok[seed % len(flat.enum_ok)])

    def avoiding(
        self,
        flat: Flat,
        seed: int,
        depth: int,
        stack: tuple[str, ...],
        name: str | None,
        mode: Mode,
        minimal: bool,
    ) -> Any:
        """`not`: generate as if it were absent, and retry with other seeds until it holds."""
        kind = infer_kind(flat)
        for attempt in range(8):
            value = self.by_kind(flat, kind, sub_seed(seed, f"not{attempt}"), depth, stack, name, mode, minimal)
            if not any((v := self.validator(p)) is not None and v.is_valid(value) for p, _ in flat.nots):
                return value
        raise Unsatisfiable("every attempt matched the `not` schema")

    def generate(self, pointer: str, seed: int, overrides: dict[str, Any] | None, examples: bool = True) -> Any:
        node = get(self.index.doc, pointer, MISSING)
        if node is MISSING:
            raise GenerationError(f"no schema at {pointer}")
        flat = self.flat(((pointer, node),))
        validator = self.validator(pointer)
        base = root_seed(pointer, seed)
        reason = "no attempt produced a value"
        for mode in ATTEMPTS if examples else tuple(m for m in ATTEMPTS if not m.examples):
            attempt_seed = base if mode.salt == 0 else sub_seed(base, f"attempt{mode.salt}")
            try:
                value = self.value(flat, attempt_seed, 0, (), None, mode)
            except Unsatisfiable as exc:
                reason = str(exc)
                continue
            except RecursionError:
                reason = "recursion too deep"
                continue
            if validator is None:
                if light_check(flat, value):
                    return self.overridden(flat, value, overrides, None)
                reason = "the light check (schema not compilable) rejected every attempt"
                continue
            if validator.is_valid(value):
                return self.overridden(flat, value, overrides, validator)
            reason = next(iter(validator.iter_errors(value))).message
        raise GenerationError(f"could not generate a valid value for {pointer}: {reason}")

    def overridden(self, flat: Flat, value: Any, overrides: dict[str, Any] | None, validator: Any) -> Any:
        """Put the caller's values on the top-level object where the schema accepts them:
        all at once when that validates, else one by one, keeping those that do."""
        if not overrides or not isinstance(value, dict):
            return value
        allowed = {k: v for k, v in overrides.items() if self.name_allowed(flat, k)}
        if validator is None:
            for key, new in allowed.items():
                facets = flat.properties.get(key)
                if facets is None or light_check(self.child(flat, key, facets), new):
                    value[key] = new
            return value
        trial = {**value, **allowed}
        if validator.is_valid(trial):
            return trial
        for key, new in allowed.items():
            trial = {**value, key: new}
            if validator.is_valid(trial):
                value = trial
        return value


def engine_for(index: SpecIndex, direction: Direction) -> Engine:
    engines = index.memo.setdefault(f"{__name__}._engines", {})
    found = engines.get(direction)
    if found is None:
        validators = index.memo.setdefault(f"{__name__}._validators", {})
        found = engines[direction] = Engine(index, direction, validators)
    return found


def generate(
    index: SpecIndex,
    pointer: str,
    *,
    seed: int,
    direction: Direction = "response",
    overrides: dict[str, Any] | None = None,
    examples: bool = True,
) -> Any:
    """A value valid against the schema at `pointer`, the same for the same (spec, pointer,
    seed, direction, overrides) in any process.

    `examples=False` ignores the spec's examples and defaults, so that different seeds give
    different values (the server's records must differ from one another, ids first).

    The schema's own example is used when it validates; otherwise every property is generated
    (required ones always, optional ones too, for complete-looking responses, minus `writeOnly`
    in responses and `readOnly` in requests), arrays hold 1-3 items unless minItems says more.
    `overrides` set top-level properties (real ids, timestamps) wherever the result stays valid.
    Raises GenerationError, naming the pointer, when no valid value could be found."""
    if direction not in ("response", "request"):
        raise ValueError(f"direction must be 'response' or 'request', not {direction!r}")
    return engine_for(index, direction).generate(pointer, seed, overrides, examples)
