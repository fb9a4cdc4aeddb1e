"""The sink's checks of one received delivery: each a named plain function with a typed result.

`inspect` runs them all in order (headers, signature, timestamp, content_type, json,
event_type, schema, unique_id) over a `Received` delivery and returns an `Inspection`: every
result, what the delivery was, and the status to answer (200 when no check failed, else the
4xx of the first that did). Pure but for `Seen`, the bounded memory of event ids that makes an
identical redelivery a `redelivery` and a reused id a failure.
"""

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from nacl.signing import VerifyKey

from conformance.server.webhooks.catalogue import Catalogue, Event, event_type_of
from conformance.server.webhooks.signing import TOLERANCE, parse_timestamp, verify
from spec.index import SpecIndex
from spec.telnyx import is_json
from spec.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER, value_at

CHECKS = ("headers", "signature", "timestamp", "content_type", "json", "event_type", "schema", "unique_id")
STATUS = {"headers": 400, "signature": 401, "timestamp": 401, "content_type": 415, "json": 400}
STATUS.update({"event_type": 422, "schema": 422, "unique_id": 409})
MAX_SEEN = 100_000


@dataclass(frozen=True)
class Result:
    check: str  # one of CHECKS
    outcome: str  # "held", "failed", "skipped" (a check it needs failed) or "redelivery"
    code: str  # what was found: "ok", "bad-signature", "stale-timestamp", ...
    reason: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"outcome": self.outcome, "code": self.code, "reason": self.reason}


def held(check: str, reason: str = "", code: str = "ok") -> Result:
    return Result(check, "held", code, reason)


def failed(check: str, code: str, reason: str) -> Result:
    return Result(check, "failed", code, reason)


def skipped(check: str, reason: str) -> Result:
    return Result(check, "skipped", "not-checked", reason)


@dataclass(frozen=True)
class Received:
    headers: Mapping[str, str]  # names in lower case
    body: bytes
    at: float  # Unix time of receipt
    cut: bool = False  # the body was longer than the sink reads: `body` is its start


@dataclass(frozen=True)
class Parsed:
    document: Any = None
    error: str = ""  # why the body is not a JSON object ("" when it is)


@dataclass(frozen=True)
class Identified:
    event_type: str | None
    events: tuple[Event, ...]
    how: str  # "event_type", "shape" (an event the spec gives no event_type) or ""
    problem: str = ""  # why none was identified


@dataclass
class Seen:
    """Event id -> digest of the event, for the last MAX_SEEN trusted deliveries."""

    limit: int = MAX_SEEN
    ids: "OrderedDict[str, str]" = field(default_factory=OrderedDict)

    def remember(self, event_id: str, digest: str) -> None:
        self.ids[event_id] = digest
        self.ids.move_to_end(event_id)
        while len(self.ids) > self.limit:
            self.ids.popitem(last=False)


@dataclass(frozen=True)
class SinkContext:
    index: SpecIndex
    catalogue: Catalogue
    key: VerifyKey
    tolerance: float = TOLERANCE


@dataclass(frozen=True)
class Inspection:
    results: tuple[Result, ...]
    identified: Identified
    event_id: str | None
    status: int

    @property
    def ok(self) -> bool:
        return all(r.outcome != "failed" for r in self.results)

    def result(self, check: str) -> Result:
        return next(r for r in self.results if r.check == check)


def check_headers(received: Received) -> Result:
    """A delivery carries both telnyx-signature-ed25519 and telnyx-timestamp: without them no receiver can verify it."""
    missing = [name for name in (SIGNATURE_HEADER, TIMESTAMP_HEADER) if name not in received.headers]
    if missing:
        return failed("headers", "missing-header", f"no {' and no '.join(missing)} header")
    return held("headers")


def check_signature(received: Received, key: VerifyKey) -> Result:
    """The signature is the key's Ed25519 signature of `timestamp|raw body`, the bytes as
    received: anything else is a forgery or a body changed in transit."""
    signature, timestamp = received.headers.get(SIGNATURE_HEADER), received.headers.get(TIMESTAMP_HEADER)
    if signature is None or timestamp is None:
        return skipped("signature", "a signature header is missing")
    if received.cut:
        return skipped("signature", "the body was cut at the size limit")
    if not verify(key, timestamp, received.body, signature):
        return failed("signature", "bad-signature", "not the key's Ed25519 signature of timestamp|raw body")
    return held("signature")


def check_timestamp(received: Received, tolerance: float) -> Result:
    """telnyx-timestamp is Unix seconds within the tolerance (300 s) of now, either way:
    receivers refuse stale deliveries to stop replays."""
    text = received.headers.get(TIMESTAMP_HEADER)
    if text is None:
        return skipped("timestamp", f"no {TIMESTAMP_HEADER} header")
    value = parse_timestamp(text)
    if value is None:
        return failed("timestamp", "non-numeric-timestamp", f"{TIMESTAMP_HEADER} {text[:40]!r} is not Unix seconds")
    age = received.at - value
    if age > tolerance:
        return failed("timestamp", "stale-timestamp", f"{age:.0f} s old, over the {tolerance:g} s tolerance")
    if -age > tolerance:
        return failed(
            "timestamp", "future-timestamp", f"{-age:.0f} s in the future, over the {tolerance:g} s tolerance"
        )
    return held("timestamp")


def check_content_type(received: Received) -> Result:
    value = received.headers.get("content-type")
    if value is None or not is_json(value):
        return failed("content_type", "not-json-content-type", f"Content-Type is {value!r}, not application/json")
    return held("content_type")


def parse_body(received: Received) -> Parsed:
    if received.cut:
        return Parsed(error=f"the body is larger than the sink reads ({len(received.body)} bytes kept)")
    try:
        document = orjson.loads(received.body)
    except orjson.JSONDecodeError as exc:
        return Parsed(error=f"not JSON: {str(exc)[:120]}")
    return Parsed(document) if isinstance(document, dict) else Parsed(error="the body is JSON but not an object")


def check_json(parsed: Parsed) -> Result:
    return failed("json", "not-json", parsed.error) if parsed.error else held("json")


def identify(parsed: Parsed, context: SinkContext) -> Identified:
    """Which webhook(s) a body is: by its event_type, or by shape for the events the spec
    gives none (all its keys declared by the event, and valid against its schema)."""
    if parsed.error:
        return Identified(None, (), "", "the body is not a JSON object")
    found = event_type_of(parsed.document)
    if found is not None:
        value = found[1]
        if not isinstance(value, str):
            return Identified(None, (), "", f"event_type is {type(value).__name__}, not a string")
        events = context.catalogue.by_type(value)
        return Identified(value, events, "event_type", "" if events else f"no webhook of the spec names {value!r}")
    keys = set(parsed.document)
    for event in context.catalogue.untyped():
        if keys and keys <= event.properties and _validator(context, event).is_valid(parsed.document):
            return Identified(None, (event,), "shape")
    return Identified(None, (), "", "no event_type (in data or at the top level), and no webhook without one fits")


def check_event_type(identified: Identified) -> Result:
    """The body's event_type is one a webhook of the spec names (or, for the events that
    declare none, the body fits one by shape)."""
    if identified.events:
        names = ", ".join(e.name for e in identified.events)
        return held("event_type", f"{names} (by {identified.how})")
    code = "unknown-event-type" if identified.event_type is not None else "no-event-type"
    return failed("event_type", code, identified.problem)


def check_schema(parsed: Parsed, identified: Identified, context: SinkContext) -> Result:
    """The body is valid against the schema of the event it names (formats checked)."""
    if not identified.events:
        return skipped("schema", "no webhook to validate against")
    first = None
    for event in identified.events:
        validator = _validator(context, event)
        error = next(iter(validator.iter_errors(parsed.document)), None)
        if error is None:
            return held("schema", event.schema_pointer)
        first = first or (event, error)
    event, error = first
    where = "/" + "/".join(str(p) for p in error.instance_path)
    return failed("schema", "schema-invalid", f"{event.name}: at {where}: {' '.join(error.message.split())[:200]}")


def check_unique_id(parsed: Parsed, identified: Identified, seen: Seen, trusted: bool) -> Result:
    """A new id: held. The same id with the same event (a redelivery, `meta` aside): noted,
    not a failure. The same id for another event: failed. Only trusted deliveries (signature
    and timestamp held) are remembered, so a forgery cannot make a real delivery look reused."""
    if not identified.events:
        return skipped("unique_id", "no webhook identified")
    holder = value_at(parsed.document, _place(parsed.document, identified.events[0]))
    event_id = holder.get("id") if holder else None
    if not isinstance(event_id, str):
        return skipped("unique_id", "the event carries no id")
    content = {k: v for k, v in holder.items() if k != "meta"} if holder is parsed.document else holder
    digest = hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()
    before = seen.ids.get(event_id)
    if before is None:
        if trusted:
            seen.remember(event_id, digest)
        return held("unique_id")
    if before == digest:
        return Result("unique_id", "redelivery", "redelivery", f"id {event_id} delivered before, the same event")
    return failed("unique_id", "id-reused", f"id {event_id} was delivered before with another event")


def inspect(received: Received, context: SinkContext, seen: Seen) -> Inspection:
    parsed = parse_body(received)
    identified = identify(parsed, context)
    results = [
        check_headers(received),
        check_signature(received, context.key),
        check_timestamp(received, context.tolerance),
        check_content_type(received),
        check_json(parsed),
        check_event_type(identified),
        check_schema(parsed, identified, context),
    ]
    trusted = results[1].outcome == "held" and results[2].outcome == "held"
    results.append(check_unique_id(parsed, identified, seen, trusted))
    status = 413 if received.cut else next((STATUS[r.check] for r in results if r.outcome == "failed"), 200)
    holder = value_at(parsed.document, _place(parsed.document, identified.events[0])) if identified.events else None
    event_id = holder.get("id") if holder and isinstance(holder.get("id"), str) else None
    return Inspection(tuple(results), identified, event_id, status)


def _place(document: Any, event: Event) -> tuple[str, ...]:
    found = event_type_of(document)
    if found is not None:
        return found[0]
    return event.place if event.place is not None else ()


def _validator(context: SinkContext, event: Event) -> Any:
    return context.index.schema_validator(event.schema_pointer)
