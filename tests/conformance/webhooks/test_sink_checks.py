"""The sink's checks, one delivery at a time (no server): each bad kind is flagged under its
named check with its code, and everything else about the delivery is still checked."""

import time

import orjson
import pytest
from nacl.signing import SigningKey

from conformance.server.webhooks import payloads
from conformance.server.webhooks.catalogue import catalogue
from conformance.server.webhooks.signing import signed_headers
from conformance.webhooks.checks import CHECKS, Received, Seen, SinkContext, inspect

KEY = SigningKey(b"k" * 32)


@pytest.fixture(scope="module")
def context(index) -> SinkContext:
    return SinkContext(index, catalogue(index), KEY.verify_key)


def body_of(index, name: str, example: int = 0) -> dict:
    event = catalogue(index).select([name])[0]
    return payloads.fresh(index, event, payloads.document(index, event, example), time.time())


def received(
    body: object, *, key: SigningKey = KEY, at: float | None = None, drop: str = "", **headers: str
) -> Received:
    raw = body if isinstance(body, bytes) else orjson.dumps(body)
    now = int(time.time()) if at is None else int(at)
    found = signed_headers(key, str(now), raw) | headers
    found.pop(drop, None)
    return Received(found, raw, time.time())


def outcomes(inspection) -> dict[str, tuple[str, str]]:
    return {r.check: (r.outcome, r.code) for r in inspection.results}


def test_a_correct_delivery_holds_every_check(index, context) -> None:
    for name in ("callAnswered", "fax.queued", "deliveryUpdate", "campaignStatusUpdate", "replacedLinkClick"):
        inspection = inspect(received(body_of(index, name)), context, Seen())
        assert inspection.ok and inspection.status == 200, (name, outcomes(inspection))
        assert [r.check for r in inspection.results] == list(CHECKS)
        assert name in {e.name for e in inspection.identified.events}


def test_a_bad_signature_is_flagged_under_signature(index, context) -> None:
    inspection = inspect(received(body_of(index, "callAnswered"), key=SigningKey(b"o" * 32)), context, Seen())
    assert outcomes(inspection)["signature"] == ("failed", "bad-signature") and inspection.status == 401
    assert outcomes(inspection)["schema"] == ("held", "ok")  # the rest is still checked


@pytest.mark.parametrize(("offset", "code"), [(-301, "stale-timestamp"), (301, "future-timestamp")])
def test_a_timestamp_out_of_tolerance_is_flagged_under_timestamp(index, context, offset: int, code: str) -> None:
    inspection = inspect(received(body_of(index, "callAnswered"), at=time.time() + offset), context, Seen())
    assert outcomes(inspection)["timestamp"] == ("failed", code)
    assert outcomes(inspection)["signature"] == ("held", "ok") and inspection.status == 401


def test_a_non_numeric_timestamp_is_flagged_under_timestamp(index, context) -> None:
    raw = orjson.dumps(body_of(index, "callAnswered"))
    headers = signed_headers(KEY, "1700000000x", raw)
    inspection = inspect(Received(headers, raw, time.time()), context, Seen())
    assert outcomes(inspection)["timestamp"] == ("failed", "non-numeric-timestamp")


@pytest.mark.parametrize("header", ["telnyx-signature-ed25519", "telnyx-timestamp"])
def test_a_missing_header_is_flagged_under_headers(index, context, header: str) -> None:
    inspection = inspect(received(body_of(index, "callAnswered"), drop=header), context, Seen())
    assert outcomes(inspection)["headers"] == ("failed", "missing-header") and inspection.status == 400
    assert outcomes(inspection)["signature"][0] == "skipped"
    assert header in inspection.result("headers").reason


def test_a_schema_invalid_body_is_flagged_under_schema(index, context) -> None:
    body = body_of(index, "callAnswered")
    body["data"]["payload"] = "not an object"
    inspection = inspect(received(body), context, Seen())
    assert outcomes(inspection)["schema"] == ("failed", "schema-invalid") and inspection.status == 422
    assert "/data/payload" in inspection.result("schema").reason
    assert outcomes(inspection)["signature"] == ("held", "ok")


def test_an_unknown_event_type_is_flagged_under_event_type(index, context) -> None:
    body = body_of(index, "callAnswered")
    body["data"]["event_type"] = "call.teleported"
    inspection = inspect(received(body), context, Seen())
    assert outcomes(inspection)["event_type"] == ("failed", "unknown-event-type") and inspection.status == 422
    assert outcomes(inspection)["schema"][0] == "skipped"
    assert "call.teleported" in inspection.result("event_type").reason


def test_a_body_without_event_type_matching_no_untyped_webhook(context) -> None:
    inspection = inspect(received({"surprise": True}), context, Seen())
    assert outcomes(inspection)["event_type"] == ("failed", "no-event-type")


def test_content_type_and_json(index, context) -> None:
    body = body_of(index, "callAnswered")
    inspection = inspect(received(body, **{"content-type": "text/plain"}), context, Seen())
    assert outcomes(inspection)["content_type"] == ("failed", "not-json-content-type") and inspection.status == 415
    inspection = inspect(received(b"{not json"), context, Seen())
    assert outcomes(inspection)["json"] == ("failed", "not-json") and outcomes(inspection)["signature"] == (
        "held",
        "ok",
    )


def test_an_identical_redelivery_is_noted_and_a_reused_id_fails(index, context) -> None:
    seen = Seen()
    body = body_of(index, "callAnswered")
    assert inspect(received(body), context, seen).ok
    again = body | {"meta": {"attempt": 2}}  # a retry: the same event, another attempt
    second = inspect(received(again), context, seen)
    assert second.ok and second.status == 200 and outcomes(second)["unique_id"] == ("redelivery", "redelivery")
    other = orjson.loads(orjson.dumps(body))
    other["data"]["payload"]["client_state"] = "c29tZXRoaW5nIGVsc2U="
    third = inspect(received(other), context, seen)
    assert outcomes(third)["unique_id"] == ("failed", "id-reused") and third.status == 409


def test_a_forged_delivery_does_not_make_the_real_one_a_redelivery(index, context) -> None:
    seen = Seen()
    body = body_of(index, "callAnswered")
    assert not inspect(received(body, key=SigningKey(b"f" * 32)), context, seen).ok
    assert outcomes(inspect(received(body), context, seen))["unique_id"] == ("held", "ok")


def test_the_memory_of_ids_is_bounded() -> None:
    seen = Seen(limit=3)
    for n in range(10):
        seen.remember(str(n), "d")
    assert list(seen.ids) == ["7", "8", "9"]
