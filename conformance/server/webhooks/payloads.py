"""Schema-valid webhook bodies: the reference server's generator, made fresh per delivery.

Example 0 of an event is realistic: the spec's own example where it validates (Telnyx's values,
as the docs show them), else a generated value; the others are generated from the schema alone
(`examples=False`, one seed each), so several examples differ. Each delivery then gets a fresh
event `id` and `occurred_at` (a receiver's replay guard must not mistake two deliveries for one)
and an `event_type` the schema names; every change is kept only where the body still validates.

The bytes: `compact` is what Telnyx sends (orjson, no whitespace, the document's key order);
`unusual` is the same document as no serializer writes it (tabs, ` : ` separators, keys in
reverse order, escaped non-ASCII, CRLF at the end), for the variant proving a receiver verifies
the raw bytes it received.
"""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson

from conformance.server.generation import generate
from conformance.server.webhooks.catalogue import Event, event_type_of
from spec.index import SpecIndex
from spec.webhooks import value_at


def document(index: SpecIndex, event: Event, example: int = 0, *, realistic: bool = True) -> dict[str, Any]:
    """The body of example `example` of `event` (the same for the same spec and example),
    without the per-delivery fields: see `fresh`."""
    memo = index.memo.setdefault(f"{__name__}.documents", {})
    key = (event.name, example, realistic)
    if key not in memo:
        use_examples = realistic and example == 0
        value = generate(index, event.schema_pointer, seed=example, direction="request", examples=use_examples)
        memo[key] = orjson.dumps(_named(index, event, value, example))
    return orjson.loads(memo[key])


def fresh(index: SpecIndex, event: Event, body: dict[str, Any], now: float) -> dict[str, Any]:
    """`body` with a new event id and the current `occurred_at`, where it has them and the
    schema accepts the new values."""
    validator = index.schema_validator(event.schema_pointer)
    holder_place = _holder(body, event)
    updated = orjson.loads(orjson.dumps(body))
    holder = value_at(updated, holder_place)
    if holder is None:
        return updated
    stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    for name, value in (("id", str(uuid.uuid4())), ("occurred_at", stamp)):
        if name in holder:
            before = holder[name]
            holder[name] = value
            if not validator.is_valid(updated):
                holder[name] = before
    return updated


def event_id(body: Any, event: Event | None = None) -> str | None:
    """The event id a body carries (in `data`, or at the top level), if it is a string."""
    holder = value_at(body, _holder(body, event))
    value = holder.get("id") if holder else None
    return value if isinstance(value, str) else None


def compact(body: Any) -> bytes:
    return orjson.dumps(body)


def unusual(body: Any) -> bytes:
    """The same JSON document in bytes no serializer produces by default."""
    return (json.dumps(_reversed(body), indent="\t", separators=(",", " : "), ensure_ascii=True) + "\r\n").encode()


def whitespace_changed(body: Any) -> bytes:
    """The same document and key order as `compact`, with Python's default separators."""
    return json.dumps(body, ensure_ascii=False).encode()


def keys_reordered(body: Any) -> bytes:
    """The same document, compact, with every object's keys in reverse order."""
    return orjson.dumps(_reversed(body))


def byte_changed(raw: bytes, body: Any, event: Event | None = None) -> bytes:
    """`raw` with one byte changed inside a string value (the event id where there is one),
    so that it is still JSON and still valid: only the signature can tell."""
    target = event_id(body, event)
    if target:
        at = raw.find(target.encode())
        if at >= 0:
            position = at + len(target) - 1
            swapped = b"0" if raw[position : position + 1] != b"0" else b"1"
            return raw[:position] + swapped + raw[position + 1 :]
    at = raw.find(b'":"')  # the first string value of a compact body
    if at >= 0 and raw[at + 3 : at + 4] not in (b'"', b"\\", b""):
        position = at + 3
        swapped = b"x" if raw[position : position + 1] != b"x" else b"y"
        return raw[:position] + swapped + raw[position + 1 :]
    return raw[:-1] + b" " if raw.endswith(b"}") else raw + b" "


def _named(index: SpecIndex, event: Event, value: Any, example: int) -> Any:
    """`value` with an `event_type` the schema names (a generated string otherwise)."""
    if not event.event_types:
        return value
    found = event_type_of(value)
    place = found[0] if found else event.place
    holder = value_at(value, place or ())
    if holder is None or holder.get("event_type") in event.event_types:
        return value
    before = holder.get("event_type")
    holder["event_type"] = event.event_types[example % len(event.event_types)]
    if not index.schema_validator(event.schema_pointer).is_valid(value):
        holder["event_type"] = before
    return value


def _holder(body: Any, event: Event | None) -> tuple[str, ...]:
    """Where the event fields of this body are: with its event_type, else in `data` when the
    body has a `data` object, else the top level."""
    found = event_type_of(body)
    if found:
        return found[0]
    if event is not None and event.place is not None and value_at(body, event.place) is not None:
        return event.place
    return ("data",) if value_at(body, ("data",)) is not None else ()


def _reversed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reversed(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed(item) for item in value]
    return value
