"""The value-convention checks as schemathesis runs them: one named check per convention
(`conventions.CHECKS`), all reading one judgement of the answer (`conventions.judge`).

schemathesis calls each check with the same answer in turn; the body is parsed and walked
once, for the first of them, and the others read that walk (a one-entry memo on the answer's
identity: never a stale verdict for another answer).

A value the run itself sent is not judged when the target answers it back: the spec let the
client send it (a create's `phone_numbers[].phone_number` is any string there), and a target that
stores and serves it shows the client's value, not a convention of its own. The memory is the
process's: with `--workers`, a value sent by another worker is still judged."""

from collections.abc import Iterator
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
# Strings the run's requests carried (insertion-ordered, bounded): a target that answers one back
# (a create's body, stored and retrieved later) shows the client's value, which the spec let the
# client send; that is the input's question, not the answer's convention.
# Kept as hashes (the process's own str hash): 100,000 long fuzzed strings would cost ~100 MB.
_sent: dict[int, None] = {}
MAX_SENT = 100_000


def breaches_of(response: Any, case: Any) -> list[Breach]:
    """The convention breaches of a 2xx JSON answer to a documented operation (never raises on
    what a server sends: a body that is not JSON, or not an object, has no breach of ours),
    except of values the run itself sent, in this request or an earlier one of this process."""
    global _last
    seen, found = _last
    if seen is response:
        return found
    remember(case)
    found = []
    status = getattr(response, "status_code", 0)
    known = knowledge.of(case)
    operation = known.operations.get(label(case) or "")
    if 200 <= status < 300 and operation is not None and is_json(response.headers) and response.content:
        found = [b for b in judge(known.index, operation, status, response.content) if hash(b.value) not in _sent]
    _last = (response, found)
    return found


def remember(case: Any) -> None:
    """Keep the strings a case's request carries (body, query, path parameters, at any depth)."""
    parts = [getattr(case, name, None) for name in ("body", "query", "path_parameters")]
    for value in _strings(parts, 0):
        _sent[hash(value)] = None
    while len(_sent) > MAX_SENT:
        del _sent[next(iter(_sent))]


def _strings(value: Any, depth: int) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif depth < 32 and isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, depth + 1)
    elif depth < 32 and isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item, depth + 1)


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
