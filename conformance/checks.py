"""Telnyx-specific response checks, registered with schemathesis next to its built-ins.

Each check is a plain `(ctx, response, case)` function so schemathesis runs it on every
response it validates, and raises a typed `Failure` subclass so reports can tell our
findings from schemathesis' own (and tests can assert the kind without parsing messages).
A 429 is never judged: the sender backs off and retries instead (`backoff_delay`).
"""

import re
from email.utils import parsedate_to_datetime
from typing import Any

import orjson
import schemathesis
from schemathesis.core.failures import Failure, Severity

from conformance.target import DEFAULT_MAX_RESPONSE_BYTES
from spec.telnyx import envelope_problems

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")
TOO_MANY_REQUESTS = 429
MAX_RETRIES = 3  # retries of a 429 before the case is given up (not judged)
MAX_SLEEP = 5.0  # seconds: a target asking for longer does not stall the run
_INTEGER = re.compile(r"-?[0-9]+")


class TelnyxErrorEnvelopeViolation(Failure):
    """A 4xx/5xx JSON body that is not Telnyx's `{"errors": [{code, title, detail, source}]}`."""

    code = "TX101"
    checks = ("telnyx_error_envelope",)
    kind_title = "Malformed Telnyx error envelope"
    __slots__ = ("problems",)

    def __init__(self, *, operation: str | None, problems: list[str]) -> None:
        super().__init__(operation=operation, message="; ".join(problems), severity=Severity.MEDIUM)
        self.problems = problems


class TelnyxRateLimitViolation(Failure):
    """Missing, non-integer or inconsistent x-ratelimit-* headers."""

    code = "TX102"
    checks = ("telnyx_rate_limit_headers",)
    kind_title = "Invalid Telnyx rate-limit headers"
    __slots__ = ("problems",)

    def __init__(self, *, operation: str | None, problems: list[str]) -> None:
        super().__init__(operation=operation, message="; ".join(problems), severity=Severity.MEDIUM)
        self.problems = problems


class ResponseTooLarge(Failure):
    """A body over the run's maximum response size (`Target.max_response_bytes`)."""

    code = "TX103"
    checks = ("response_size_limit",)
    kind_title = "Response over the size limit"
    __slots__ = ("limit", "size")

    def __init__(self, *, operation: str | None, size: int, limit: int) -> None:
        super().__init__(
            operation=operation, message=f"{size:,} bytes, over the limit of {limit:,}", severity=Severity.MEDIUM
        )
        self.size, self.limit = size, limit


# The run's limit: set by the plugin from --max-response-size (Target.max_response_bytes).
RESPONSE_LIMIT = {"bytes": DEFAULT_MAX_RESPONSE_BYTES}


# --- pure judgements (what the checks and the tests share) ----------------------------------------


def header(headers: dict[str, list[str]], name: str) -> str | None:
    """First value of a header from schemathesis' `{lowercase name: [values]}` mapping."""
    values = headers.get(name.lower())
    return values[0] if values else None


def is_json(headers: dict[str, list[str]]) -> bool:
    media = (header(headers, "content-type") or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


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


def backoff_delay(headers: dict[str, list[str]], attempt: int, cap: float = MAX_SLEEP) -> float:
    """Seconds to wait before retrying a 429: Retry-After (seconds or HTTP date), else
    x-ratelimit-reset, else exponential from 0.5 s; never more than `cap`."""
    retry_after = (header(headers, "retry-after") or "").strip()
    delay: float | None = None
    if retry_after.isdigit():
        delay = float(retry_after)
    elif retry_after:
        try:
            from datetime import UTC, datetime

            delay = (parsedate_to_datetime(retry_after) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            delay = None
    if delay is None:
        reset = (header(headers, "x-ratelimit-reset") or "").strip()
        delay = float(reset) if reset.isdigit() else 0.5 * 2**attempt
    return max(0.0, min(delay, cap))


# --- the checks -----------------------------------------------------------------------------------


def _label(case: Any) -> str | None:
    return case.operation.label if case is not None else None


@schemathesis.check
def telnyx_error_envelope(ctx: Any, response: Any, case: Any) -> None:
    """Every 4xx/5xx JSON answer carries the `errors[]` envelope Telnyx clients parse."""
    if response.status_code < 400 or response.status_code == TOO_MANY_REQUESTS or not is_json(response.headers):
        return None
    if str(getattr(case, "method", "")).upper() == "HEAD":
        return None  # a HEAD answer has no body by definition: its headers describe the GET's
    if _documents_another_error_body(case, response.status_code):
        return None  # response_schema_conformance judges it against what the spec documents
    try:
        body = orjson.loads(response.content or b"")
    except orjson.JSONDecodeError:
        body = None  # not JSON at all: response_schema_conformance reports that; we report the envelope
    problems = envelope_problems(body)
    if problems:
        raise TelnyxErrorEnvelopeViolation(operation=_label(case), problems=problems)
    return None


def _documents_another_error_body(case: Any, status: int) -> bool:
    """The operation documents another error body for this status (OAuth's `{"error"}`)."""
    from conformance.plugin import active
    from spec.telnyx import documents_another_error_body

    context = active()
    operation = context.operations.get(_label(case) or "") if context is not None else None
    return operation is not None and documents_another_error_body(context.index, operation, status)


@schemathesis.check
def telnyx_rate_limit_headers(ctx: Any, response: Any, case: Any) -> None:
    """Every answer tells the client its rate-limit budget, consistently."""
    if response.status_code == TOO_MANY_REQUESTS:
        return None
    problems = rate_limit_problems(response.headers)
    if problems:
        raise TelnyxRateLimitViolation(operation=_label(case), problems=problems)
    return None


@schemathesis.check
def response_size_limit(ctx: Any, response: Any, case: Any) -> None:
    """No answer is larger than the run allows: a client would buffer it all, and a report
    would carry it. The run's session (conformance/transport.py) cuts such a body while
    reading it and marks the request with the size it saw."""
    from conformance.transport import cut_at

    size = cut_at(getattr(response, "request", None)) or len(response.content or b"")
    limit = RESPONSE_LIMIT["bytes"]
    if size > limit:
        raise ResponseTooLarge(operation=_label(case), size=size, limit=limit)
    return None
