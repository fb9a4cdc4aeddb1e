"""Numbers within bounds: minimum/maximum (exclusive too), int32/int64, multipleOf."""

from __future__ import annotations

import math
import random
from decimal import Decimal

from conformance.server.generation.errors import Unsatisfiable
from conformance.server.generation.flatten import Flat


def _numeric_bounds(flat: Flat, integer: bool) -> tuple[float, float]:
    """Inclusive bounds (as integers when `integer`), with exclusive and int32/int64 folded in."""
    low, high = flat.minimum, flat.maximum
    if integer:
        low = None if low is None else math.ceil(low)
        high = None if high is None else math.floor(high)
        if flat.ex_min is not None:
            low = max(low if low is not None else -math.inf, math.floor(flat.ex_min) + 1)
        if flat.ex_max is not None:
            high = min(high if high is not None else math.inf, math.ceil(flat.ex_max) - 1)
        span = {"int32": 2**31, "int64": 2**63}.get(flat.format or "")
        if span is not None:
            low = max(low if low is not None else -span, -span)
            high = min(high if high is not None else span - 1, span - 1)
    else:
        if flat.ex_min is not None and (low is None or flat.ex_min >= low):
            low = flat.ex_min
        if flat.ex_max is not None and (high is None or flat.ex_max <= high):
            high = flat.ex_max
    if low is None and high is None:
        return (1, 1000)
    if low is None:
        return (1 if high >= 1 else high - 1000, high)
    if high is None:
        return (low, max(low, 0) + 1000)
    return (low, high)


def in_bounds(flat: Flat, value: float) -> bool:
    return (
        (flat.minimum is None or value >= flat.minimum)
        and (flat.maximum is None or value <= flat.maximum)
        and (flat.ex_min is None or value > flat.ex_min)
        and (flat.ex_max is None or value < flat.ex_max)
    )


def _is_multiple(value: float, multiples: list[float]) -> bool:
    for m in multiples:
        quotient = value / m
        # relative tolerance: 537624.44 / 0.01 is 53762444.000000004 in floats
        if abs(quotient - round(quotient)) > 1e-9 * max(1.0, abs(quotient)):
            return False
    return True


def random_integer(flat: Flat, rng: random.Random) -> int:
    low, high = _numeric_bounds(flat, integer=True)
    step = 1
    for m in flat.multiple_of:
        if float(m).is_integer():
            step = math.lcm(step, int(m))
    k_low, k_high = math.ceil(low / step), math.floor(high / step)
    if k_low > k_high:
        raise Unsatisfiable(f"no integer multiple of {step} in [{low}, {high}]")
    value = int(min(k_high, k_low + rng.randrange(min(k_high - k_low + 1, 10**6)))) * step
    if not _is_multiple(value, flat.multiple_of):
        raise Unsatisfiable("multipleOf is not satisfiable by an integer here")
    return value


def random_number(flat: Flat, rng: random.Random) -> float | int:
    low, high = _numeric_bounds(flat, integer=False)
    if low > high:
        raise Unsatisfiable(f"empty range [{low}, {high}]")
    if flat.multiple_of:
        m = flat.multiple_of[0]
        k_low, k_high = math.ceil(low / m), math.floor(high / m)
        for k in range(k_low, min(k_high, k_low + 50) + 1):
            # k * m in decimal: float products such as 81859208 * 0.01 land on 818592.0800000001,
            # which is not a multiple of 0.01 to a validator.
            value = float(Decimal(k) * Decimal(repr(m)))
            value = int(value) if value.is_integer() else value
            if in_bounds(flat, value) and _is_multiple(value, flat.multiple_of):
                return value
        raise Unsatisfiable("multipleOf is not satisfiable in range")
    value = round(low + (high - low) * rng.random(), 2)
    if not in_bounds(flat, value):
        value = (low + high) / 2
    if not in_bounds(flat, value):
        raise Unsatisfiable(f"empty range ({low}, {high})")
    return value
