"""The one send loop of the run: a request, retried with bounded backoff while the target
answers 429 (never judged: the target is only pacing us).

The generated cases (`RunContext.send`) and the pagination and lifecycle phases (`Client`)
both go through `send_with_backoff`, so a target asking for patience gets the same bounded
answer everywhere: each wait is capped (`MAX_SLEEP`), so are the retries (`MAX_RETRIES`), and
so is the whole call (`MAX_WAIT` seconds, requests included). A call still answered 429 at
the end is given up: the caller reports its operation as rate-limited (`RateLimited`), and a
target asking for an hour (`Retry-After: 3600`) costs the run `MAX_WAIT` seconds, not an hour.
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from conformance.checks.http import TOO_MANY_REQUESTS, header
from conformance.target import hostility

MAX_RETRIES = 3  # retries of a 429 before the case is given up (not judged)
MAX_SLEEP = 5.0  # seconds: a target asking for longer does not stall the run
MAX_WAIT = 15.0  # seconds: one call, its retries and their waits, in total

R = TypeVar("R")


class RateLimited(Exception):
    """The target still answered 429 when the call's backoff budget ran out: the operation is
    not judged (the target is pacing us, not failing), and not retried for the rest of the run."""


def backoff_delay(headers: dict[str, list[str]], attempt: int, cap: float = MAX_SLEEP) -> float:
    """Seconds to wait before retrying a 429: Retry-After (seconds or HTTP date), else
    x-ratelimit-reset, else exponential from 0.5 s; never more than `cap`."""
    retry_after = (header(headers, "retry-after") or "").strip()
    delay: float | None = None
    if retry_after.isdigit():
        delay = float(retry_after)
    elif retry_after:
        try:
            delay = (parsedate_to_datetime(retry_after) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            delay = None
    if delay is None:
        reset = (header(headers, "x-ratelimit-reset") or "").strip()
        delay = float(reset) if reset.isdigit() else 0.5 * 2**attempt
    return max(0.0, min(delay, cap))


def asked_for(headers: dict[str, list[str]]) -> str:
    """What a 429 asked for, for the report: " (Retry-After: 3600)", or nothing."""
    retry_after = (header(headers, "retry-after") or "").strip()
    return f" (Retry-After: {retry_after[:40]})" if retry_after else ""


def send_with_backoff(
    send: Callable[[], R],
    status_of: Callable[[R], int],
    headers_of: Callable[[R], dict[str, list[str]]],
    *,
    on_rate_limited: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    budget: float = MAX_WAIT,
) -> tuple[R, bool]:
    """The first answer that is not a 429, or the last 429 once `MAX_RETRIES` retries or
    `budget` seconds are spent; the flag says whether the target was still pacing us at the end."""
    end = clock() + budget
    for attempt in range(MAX_RETRIES + 1):
        response = send()
        if status_of(response) != TOO_MANY_REQUESTS:
            return response, False
        on_rate_limited()
        delay = backoff_delay(headers_of(response), attempt)
        if attempt == MAX_RETRIES or clock() + delay > end:
            break
        sleep(delay)
    hostility.note(hostility.RATE_LIMITED, asked_for(headers_of(response)).strip(" ()") or None)
    return response, True


def given_up(what: str, headers: dict[str, list[str]], budget: float = MAX_WAIT) -> RateLimited:
    """The error of a call `send_with_backoff` gave up on."""
    return RateLimited(f"{what} still answered 429 when its {budget:g} s backoff budget ran out{asked_for(headers)}")
