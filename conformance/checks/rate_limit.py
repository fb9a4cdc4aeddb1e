"""`telnyx_rate_limit_headers`: every answer tells the client its rate-limit budget."""

import re
from typing import Any

import schemathesis

from conformance.checks.failures import TelnyxRateLimitViolation
from conformance.checks.http import TOO_MANY_REQUESTS, header, label

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")
_INTEGER = re.compile(r"-?[0-9]+")


def rate_limit_problems(headers: dict[str, list[str]]) -> list[str]:
    """Why the x-ratelimit-* headers are unusable to a client (empty list: they are fine)."""
    missing = [name for name in RATE_HEADERS if header(headers, name) is None]
    if missing:
        return [f"missing header(s): {', '.join(missing)}"]
    values: dict[str, int] = {}
    problems: list[str] = []
    for name in RATE_HEADERS:
        raw = (header(headers, name) or "").strip()
        if _INTEGER.fullmatch(raw):
            values[name] = int(raw)
        else:
            problems.append(f"{name} is not an integer: {raw!r}")
    if problems:
        return problems
    limit, remaining, reset = (values[name] for name in RATE_HEADERS)
    if remaining > limit:
        problems.append(f"x-ratelimit-remaining ({remaining}) exceeds x-ratelimit-limit ({limit})")
    if reset < 0:
        problems.append(f"x-ratelimit-reset is negative ({reset})")
    return problems


@schemathesis.check
def telnyx_rate_limit_headers(ctx: Any, response: Any, case: Any) -> None:
    """Every answer tells the client its rate-limit budget, consistently."""
    if response.status_code == TOO_MANY_REQUESTS:
        return None
    problems = rate_limit_problems(response.headers)
    if problems:
        raise TelnyxRateLimitViolation(operation=label(case), problems=problems)
    return None
