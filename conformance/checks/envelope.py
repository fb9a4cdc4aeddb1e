"""`telnyx_error_envelope`: every 4xx/5xx JSON answer carries the `errors[]` envelope Telnyx
clients parse. What the envelope is lives in `spec/telnyx.py` (the audit rule and the
reference server read the same definition)."""

from typing import Any

import orjson
import schemathesis

from conformance.checks import knowledge
from conformance.checks.failures import TelnyxErrorEnvelopeViolation
from conformance.checks.http import TOO_MANY_REQUESTS, is_json, label
from spec.telnyx import documents_another_error_body, envelope_problems


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
        raise TelnyxErrorEnvelopeViolation(operation=label(case), problems=problems)
    return None


def _documents_another_error_body(case: Any, status: int) -> bool:
    """The operation documents another error body for this status (OAuth's `{"error"}`)."""
    known = knowledge.of(case)
    operation = known.operations.get(label(case) or "")
    return operation is not None and documents_another_error_body(known.index, operation, status)
