"""The event catalogue holds every webhook of the spec, and every generated body is valid for
its event's schema: the example (realistic) and generated ones, made fresh per delivery."""

import time

import pytest

from conformance.server.webhooks import payloads
from conformance.server.webhooks.catalogue import UnknownEvent, catalogue, event_type_of


def test_every_webhook_of_the_spec_is_in_the_catalogue(index) -> None:
    found = catalogue(index)
    assert len(found) == len(index.doc["webhooks"]) == 64
    for event in found.events:
        assert event.pointer == f"/webhooks/{event.name.replace('/', '~1')}/post"
        assert event.schema_pointer.endswith("/requestBody/content/application~1json/schema")
        assert event.operation_id and event.summary
    answered = next(e for e in found.events if e.name == "callAnswered")
    assert answered.event_types == ("call.answered",) and answered.event_type_source == "enum"
    assert answered.place == ("data",)
    assert next(e for e in found.events if e.name == "deliveryUpdate").event_types == (
        "message.sent",
        "message.finalized",
    )
    assert next(e for e in found.events if e.name == "fax.queued").place == ()  # declared at the top level
    assert {e.name for e in found.untyped()} == {"campaignStatusUpdate", "replacedLinkClick"}
    assert next(e for e in found.events if e.name == "numberOrderStatusUpdate").event_type_source == "example"
    assert {e.name for e in found.by_type("streaming.failed")} == {"callStreamingFailed", "streamingFailed"}


def test_events_are_selected_by_name_operation_id_or_event_type(index) -> None:
    found = catalogue(index)
    assert [e.name for e in found.select(["call.answered"])] == ["callAnswered"]
    assert [e.name for e in found.select(["fax.queued", "CallAIGatherEnded"])] == ["CallAIGatherEnded", "fax.queued"]
    assert len(found.select([])) == 64
    with pytest.raises(UnknownEvent, match=r"call\.answerd.*did you mean call\.answered"):
        found.select(["call.answerd"])


@pytest.mark.parametrize("example", [0, 1, 2])
def test_every_generated_body_is_valid_for_its_event(index, example: int) -> None:
    """All 64 events, each example, before and after the per-delivery fields are made fresh."""
    now = time.time()
    invalid, unnamed = [], []
    for event in catalogue(index).events:
        validator = index.schema_validator(event.schema_pointer)
        body = payloads.document(index, event, example)
        for value in (body, payloads.fresh(index, event, body, now)):
            if not validator.is_valid(value):
                invalid.append(f"{event.name}: {next(iter(validator.iter_errors(value))).message}")
        found = event_type_of(body)
        if event.event_types and (found is None or found[1] not in event.event_types):
            unnamed.append(event.name)
    assert invalid == [] and unnamed == []


def test_the_first_example_is_the_spec_example_and_each_delivery_is_fresh(index) -> None:
    event = catalogue(index).select(["callAnswered"])[0]
    body = payloads.document(index, event, 0)
    assert body["data"]["id"] == "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0"  # the spec's own example
    first, second = (payloads.fresh(index, event, body, time.time()) for _ in range(2))
    assert first["data"]["id"] != second["data"]["id"] != body["data"]["id"]
    assert first["data"]["payload"] == body["data"]["payload"]
    assert payloads.document(index, event, 1) != body  # the other examples are generated


def test_serializations_keep_the_document(index) -> None:
    import orjson

    event = catalogue(index).select(["fax.queued"])[0]
    body = payloads.fresh(index, event, payloads.document(index, event, 0), time.time())
    raw = payloads.compact(body)
    for other in (payloads.unusual(body), payloads.whitespace_changed(body), payloads.keys_reordered(body)):
        assert other != raw and orjson.loads(other) == body
    changed = payloads.byte_changed(raw, body, event)
    assert len(changed) == len(raw) and sum(a != b for a, b in zip(changed, raw, strict=True)) == 1
    assert index.schema_validator(event.schema_pointer).is_valid(orjson.loads(changed))
