"""The one send loop of the run: a request, retried with bounded backoff while the target
answers 429 (never judged: the target is only pacing us).

The generated cases (`RunContext.send`) and the pagination and lifecycle phases (`Client`)
both go through `send_with_backoff`, so a target asking for patience gets the same bounded
answer everywhere: each wait is capped (`MAX_SLEEP`), and so are the retries.
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from conformance.checks.http import TOO_MANY_REQUESTS, header

MAX_RETRIES = 3  # retries of a 429 before the case is given up (not judged)
MAX_SLEEP = 5.0  # seconds: a target asking for longer does not stall the run

R = TypeVar("R")


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


def send_with_backoff(
    send: Callable[[], R],
    status_of: Callable[[R], int],
    headers_of: Callable[[R], dict[str, list[str]]],
    *,
    on_rate_limited: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[R, bool]:
    """The first answer that is not a 429, or the last 429 after `MAX_RETRIES` retries;
    the flag says whether the target was still pacing us at the end."""
    for attempt in range(MAX_RETRIES + 1):
        response = send()
        if status_of(response) != TOO_MANY_REQUESTS:
            return response, False
        on_rate_limited()
        if attempt < MAX_RETRIES:
            sleep(backoff_delay(headers_of(response), attempt))
    return response, True
