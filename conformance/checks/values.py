"""The value-convention checks as schemathesis runs them: one named check per convention
(`conventions.CHECKS`), all reading one judgement of the answer (`conventions.judge`).

schemathesis calls each check with the same answer in turn; the body is parsed and walked
once, for the first of them, and the others read that walk (a one-entry memo on the answer's
identity: never a stale verdict for another answer)."""

from typing import Any

import schemathesis

from conformance.checks import knowledge
from conformance.checks.conventions import COUNTRY, CURRENCY, PHONE, RECORD_TYPE, TIMESTAMP, Breach, judge
from conformance.checks.failures import (
    ConventionFailure,
    CountryCodeViolation,
    CurrencyCodeViolation,
    PhoneNumberViolation,
    RecordTypeViolation,
    TimestampFormatViolation,
)
from conformance.checks.http import is_json, label

_last: tuple[Any, list[Breach]] = (None, [])


def breaches_of(response: Any, case: Any) -> list[Breach]:
    """The convention breaches of a 2xx JSON answer to a documented operation (never raises on
    what a server sends: a body that is not JSON, or not an object, has no breach of ours)."""
    global _last
    seen, found = _last
    if seen is response:
        return found
    found = []
    status = getattr(response, "status_code", 0)
    known = knowledge.of(case)
    operation = known.operations.get(label(case) or "")
    if 200 <= status < 300 and operation is not None and is_json(response.headers) and response.content:
        found = judge(known.index, operation, status, response.content)
    _last = (response, found)
    return found


def _raise(kind: str, failure: type[ConventionFailure], response: Any, case: Any) -> None:
    mine = [breach for breach in breaches_of(response, case) if breach.kind == kind]
    if mine:
        raise failure(operation=label(case), breaches=mine)


@schemathesis.check
def telnyx_timestamp_format(ctx: Any, response: Any, case: Any) -> None:
    """`*_at` and `occurred_at` fields are RFC 3339 date-times where the spec says no other."""
    _raise(TIMESTAMP, TimestampFormatViolation, response, case)


@schemathesis.check
def telnyx_country_code(ctx: Any, response: Any, case: Any) -> None:
    """`country_code`, `iso_country_code`... are ISO 3166-1 alpha-2 codes where the spec says no other."""
    _raise(COUNTRY, CountryCodeViolation, response, case)


@schemathesis.check
def telnyx_currency_code(ctx: Any, response: Any, case: Any) -> None:
    """`*currency` fields are ISO 4217 codes where the spec says no other."""
    _raise(CURRENCY, CurrencyCodeViolation, response, case)


@schemathesis.check
def telnyx_phone_number(ctx: Any, response: Any, case: Any) -> None:
    """`*phone_number` fields are E.164 numbers, of the object's `country_code` when it has one."""
    _raise(PHONE, PhoneNumberViolation, response, case)


@schemathesis.check
def telnyx_record_type(ctx: Any, response: Any, case: Any) -> None:
    """`record_type` is one of the values the spec documents for it (the example Telnyx
    documents a resource's record type by, where no enum or const says it)."""
    _raise(RECORD_TYPE, RecordTypeViolation, response, case)


CHECKS = (telnyx_timestamp_format, telnyx_country_code, telnyx_currency_code, telnyx_phone_number, telnyx_record_type)
