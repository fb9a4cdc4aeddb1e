"""Strings for regular expressions (rstr's xeger, reproducible and bounded) and matching."""

from __future__ import annotations

import random
import re
import string
from functools import lru_cache
from re import _parser as sre_parse  # type: ignore[attr-defined]  # what rstr itself parses with
from typing import Any

from rstr.xeger import Xeger

REPEAT_SPAN = 8  # a regex `*`/`+` repeats at most this many times more than its minimum


# rstr builds its "nonword" alphabet from a set, whose order changes with the per-process str hash
# seed: spell it out so patterns like \W generate the same characters in every process.
_NONWORD = "".join(sorted(set(string.printable) - set(string.ascii_letters + string.digits + "_")))


class BoundedXeger(Xeger):
    """rstr's regex-to-string generator, made reproducible across processes and bounded.

    Three rstr behaviours need fixing for our use: negated classes (`[^...]`) choose from a `set`
    (ordered by the salted str hash, so another process picks another character), `*`/`+` repeat
    up to 100 times (strings longer than most maxLengths), and `.` may yield a carriage return,
    which an ECMA-262 `.` does not match. Parsed patterns are cached: parsing is most of the cost."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__(rng, nonword=_NONWORD)
        self._cases = {**self._cases, "any": lambda _: self._random.choice(_PRINTABLE)}

    def xeger(self, string_or_regex: Any) -> str:
        result = self._build_string(_parse_regex(str(string_or_regex)))
        self._cache.clear()
        return result

    def _handle_in(self, value: Any) -> Any:
        candidates = [c for state in value for c in self._handle_state(state)]
        if candidates and candidates[0] is False:
            excluded = set(candidates[1:])
            candidates = [c for c in _PRINTABLE if c not in excluded]
        return self._random.choice(candidates)

    def _handle_repeat(self, start_range: int, end_range: int, value: Any) -> str:
        times = self._random.randint(start_range, min(end_range, start_range + REPEAT_SPAN))
        return "".join("".join(self._handle_state(i) for i in value) for _ in range(times))


_PRINTABLE = "".join(chr(c) for c in range(32, 127))


@lru_cache(maxsize=512)
def _parse_regex(pattern: str) -> Any:
    return sre_parse.parse(pattern)


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str] | None:
    """Python's compilation of an ECMA-262 pattern (the spec's are within the common subset);
    None when Python cannot read it, and the pattern is then left to the validator."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


def pattern_matches(pattern: str, value: str) -> bool:
    compiled = _regex(pattern)
    return compiled is None or compiled.search(value) is not None
