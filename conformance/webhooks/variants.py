"""The deliveries the sender makes of each event, and how a consumer's answer is judged.

Two valid variants (a consumer must answer 2xx within the deadline) and the hostile ones (it
must refuse: answer, with a status that is not 2xx). Each variant is data (its name, what is
sent, the consumer's mistake it exposes) and one plain builder from the same `Material`: the
event's fresh bodies, the keys, the clock, and the first valid delivery (for the replay).
Every delivery has its own body (a fresh event id), so a receiver's replay guard refuses only
the replay, never another variant in its place.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nacl.signing import SigningKey

from conformance.server.webhooks import payloads
from conformance.server.webhooks.catalogue import Event
from conformance.server.webhooks.signing import JSON, sign, signed_headers
from spec.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER

SKEW = 330  # seconds: past the 300 s tolerance, with room for a consumer's clock being off


@dataclass(frozen=True)
class Variant:
    name: str
    valid: bool
    sent: str  # what the delivery is
    mistake: str  # what a consumer that gets this variant wrong does


VARIANTS = (
    Variant(
        "valid", True, "a correctly signed delivery (compact JSON, as Telnyx sends it)", "refuses correct deliveries"
    ),
    Variant(
        "valid-raw-bytes",
        True,
        "a correctly signed delivery whose JSON has unusual whitespace and key order",
        "verifies a re-serialized body instead of the raw bytes it received",
    ),
    Variant("wrong-key", False, "a delivery signed with another key", "does not verify the signature"),
    Variant(
        "other-body-signature",
        False,
        "a delivery carrying the signature of a different body",
        "does not verify the signature over the body it received",
    ),
    Variant(
        "body-byte-changed",
        False,
        "a delivery with one byte of its body changed after signing",
        "does not verify the raw body",
    ),
    Variant(
        "body-whitespace-changed",
        False,
        "a delivery whose body was re-serialized with other whitespace after signing",
        "verifies a normalized (re-serialized) body instead of the raw bytes",
    ),
    Variant(
        "body-keys-reordered",
        False,
        "a delivery whose body was re-serialized with other key order after signing",
        "verifies a normalized (re-serialized) body instead of the raw bytes",
    ),
    Variant(
        "missing-signature", False, f"a delivery without the {SIGNATURE_HEADER} header", "accepts unsigned deliveries"
    ),
    Variant(
        "missing-timestamp",
        False,
        f"a delivery without the {TIMESTAMP_HEADER} header (signed over an empty timestamp)",
        "does not require the timestamp",
    ),
    Variant(
        "stale-timestamp",
        False,
        f"a correctly signed delivery whose timestamp is {SKEW} s old",
        "skips the timestamp check (an old delivery can be replayed forever)",
    ),
    Variant(
        "future-timestamp",
        False,
        f"a correctly signed delivery whose timestamp is {SKEW} s in the future",
        "checks only that a timestamp is not too old",
    ),
    Variant("replayed", False, "the first valid delivery, sent again byte for byte", "accepts replayed deliveries"),
    Variant(
        "non-numeric-timestamp",
        False,
        "a delivery whose timestamp is not an integer (its Unix seconds and an `x`, signed as sent)",
        "does not parse the timestamp as an integer",
    ),
)
BY_NAME = {v.name: v for v in VARIANTS}


@dataclass(frozen=True)
class Delivery:
    event: str
    variant: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Material:
    """What the builders of one event share."""

    index: Any
    event: Event
    key: SigningKey
    other_key: SigningKey
    now: int
    examples: int = 1
    first_valid: Delivery | None = None
    made: set[bytes] = field(default_factory=set)

    def body(self, example: int = 0) -> dict[str, Any]:
        """A body no other delivery of this event had: a fresh event id where the event has
        one, else (`campaignStatusUpdate`...) one more generated example."""
        seed = example % max(1, self.examples)
        for attempt in range(16):
            base = payloads.document(self.index, self.event, seed, realistic=attempt == 0)
            body = payloads.fresh(self.index, self.event, base, self.now)
            raw = payloads.compact(body)
            if raw not in self.made:
                self.made.add(raw)
                return body
            seed = 1000 + len(self.made) + attempt
        return body


def _signed(m: Material, variant: str, raw: bytes, timestamp: str | None = None) -> Delivery:
    stamp = str(m.now) if timestamp is None else timestamp
    return Delivery(m.event.name, variant, signed_headers(m.key, stamp, raw), raw)


def _tampered(m: Material, variant: str, change: Callable[[bytes, Any], bytes]) -> Delivery:
    body = m.body()
    raw = payloads.compact(body)
    headers = signed_headers(m.key, str(m.now), raw)
    return Delivery(m.event.name, variant, headers, change(raw, body))


def valid(m: Material, example: int = 0) -> Delivery:
    return _signed(m, "valid", payloads.compact(m.body(example)))


def _valid_raw_bytes(m: Material) -> Delivery:
    return _signed(m, "valid-raw-bytes", payloads.unusual(m.body()))


def _wrong_key(m: Material) -> Delivery:
    raw = payloads.compact(m.body())
    return Delivery(m.event.name, "wrong-key", signed_headers(m.other_key, str(m.now), raw), raw)


def _other_body_signature(m: Material) -> Delivery:
    raw, other = payloads.compact(m.body()), payloads.compact(m.body())
    if other == raw:  # an event without an id: sign something else all the same
        other = raw + b" "
    return Delivery(m.event.name, "other-body-signature", signed_headers(m.key, str(m.now), other), raw)


def _without(m: Material, variant: str, header: str, timestamp: str) -> Delivery:
    raw = payloads.compact(m.body())
    headers = {"content-type": JSON, SIGNATURE_HEADER: sign(m.key, timestamp, raw), TIMESTAMP_HEADER: str(m.now)}
    del headers[header]
    return Delivery(m.event.name, variant, headers, raw)


def _replayed(m: Material) -> Delivery:
    first = m.first_valid or valid(m)
    return Delivery(m.event.name, "replayed", dict(first.headers), first.body)


BUILDERS: dict[str, Callable[[Material], Delivery]] = {
    "valid": valid,
    "valid-raw-bytes": _valid_raw_bytes,
    "wrong-key": _wrong_key,
    "other-body-signature": _other_body_signature,
    "body-byte-changed": lambda m: _tampered(
        m, "body-byte-changed", lambda raw, body: payloads.byte_changed(raw, body, m.event)
    ),
    "body-whitespace-changed": lambda m: _tampered(
        m, "body-whitespace-changed", lambda raw, body: payloads.whitespace_changed(body)
    ),
    "body-keys-reordered": lambda m: _tampered(
        m, "body-keys-reordered", lambda raw, body: payloads.keys_reordered(body)
    ),
    "missing-signature": lambda m: _without(m, "missing-signature", SIGNATURE_HEADER, str(m.now)),
    "missing-timestamp": lambda m: _without(m, "missing-timestamp", TIMESTAMP_HEADER, ""),
    "stale-timestamp": lambda m: _signed(m, "stale-timestamp", payloads.compact(m.body()), str(m.now - SKEW)),
    "future-timestamp": lambda m: _signed(m, "future-timestamp", payloads.compact(m.body()), str(m.now + SKEW)),
    "replayed": _replayed,
    "non-numeric-timestamp": lambda m: _signed(m, "non-numeric-timestamp", payloads.compact(m.body()), f"{m.now}x"),
}


@dataclass(frozen=True)
class Answer:
    """What a consumer did with one delivery: a status, or the reason there was none."""

    status: int | None
    elapsed: float
    problem: str = ""  # "" (an HTTP answer came), "timeout", "connect", "reset", "garbage"
    detail: str = ""  # one line: the transport's message, or the redirect's Location
    cut: bool = False  # the answer's body was longer than the read limit


def judge(variant: Variant, answer: Answer, deadline: float) -> tuple[str, str]:
    """(verdict, one-line reason): `passed`, `failed` (the wrong status) or `error` (no answer)."""
    took = f"{answer.elapsed * 1000:.0f} ms"
    if answer.status is None:
        what = {
            "timeout": f"no answer within {deadline:g} s",
            "connect": "could not connect",
            "reset": "the connection was closed without an answer",
            "garbage": "the answer is not HTTP",
        }.get(answer.problem, answer.problem or "no answer")
        need = "a 2xx" if variant.valid else "a refusal (a status that is not 2xx)"
        return "error", _line(f"{what} ({answer.detail}): {need} was due for {variant.sent}")
    status = answer.status
    redirect = f" (a redirect to {answer.detail}, not followed)" if 300 <= status < 400 else ""
    if variant.valid:
        if 200 <= status < 300:
            return "passed", f"answered {status} in {took}"
        return "failed", _line(f"answered {status}{redirect} to {variant.sent}: the consumer {variant.mistake}")
    if 200 <= status < 300:
        return "failed", _line(f"answered {status} to {variant.sent}: the consumer {variant.mistake}")
    return "passed", f"refused with {status}{redirect} in {took}"


def _line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
