"""Argument checks shared by the strategy functions, raising Hypothesis' own `InvalidArgument`.

Hypothesis reports a bad argument at strategy-construction time with `InvalidArgument` naming
the argument; doing the same here means a misuse fails loudly where it is written, not as a
puzzling health-check failure deep inside a run."""

from typing import Any

from hypothesis.errors import InvalidArgument


def check_type(name: str, value: Any, expected: type | tuple[type, ...]) -> None:
    """Raise unless `value` is an instance of `expected` (bools are not accepted as ints)."""
    types = _as_tuple(expected)
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise InvalidArgument(f"{name}={value!r} must be of type {_type_names(expected)}, not {type(value).__name__}")


def check_range(name_low: str, low: Any, name_high: str, high: Any) -> None:
    """Raise unless low <= high: an empty range would make the strategy unsatisfiable."""
    if low > high:
        raise InvalidArgument(f"{name_low}={low!r} must not be greater than {name_high}={high!r}")


def _as_tuple(expected: type | tuple[type, ...]) -> tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def _type_names(expected: type | tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in _as_tuple(expected))
