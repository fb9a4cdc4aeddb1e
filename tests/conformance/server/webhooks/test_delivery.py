"""The reference server sends signed webhooks when a triggering operation succeeds, and the
`webhooks listen` sink judges them: with no fault every delivery holds every check and at least
five event types arrive, ids match the triggering resource; each webhook fault of the server's
catalogue is flagged under its named sink check; deliveries are retried on non-2xx, bounded, and
go to loopback URLs only.

Both servers run in process on loopback (uvicorn in threads), the spec indexed once."""

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import uvicorn
from nacl.signing import SigningKey

from conformance.server.app import ReferenceServer, ServerConfig
from conformance.server.faults import BY_NAME
from conformance.server.sample_requests import DEFAULT_TOKEN, build_request
from conformance.server.serve import bind
from conformance.server.webhooks.catalogue import catalogue
from conformance.server.webhooks.delivery import FAULTS, Deliverer, DeliveryConfig, Outgoing
from conformance.server.webhooks.triggers import TRIGGERS
from conformance.webhooks import sink
from conformance.webhooks.checks import SinkContext
from spec.index import SpecIndex

KEY = SigningKey(b"DELIVERY" * 4)
TRIGGERING = ("SendMessage", "DialCall", "SendFax", "CreateCustomerServiceRecord")


@pytest.fixture(scope="module")
def index(shared_spec_path: Path) -> SpecIndex:
    from spec.load import load_spec

    return load_spec(str(shared_spec_path)).index()


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """`app` on a free loopback port in a thread; its base URL."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", access_log=False, lifespan="off"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def reference(index: SpecIndex, *faults: str, key: SigningKey = KEY) -> Iterator[tuple[str, ReferenceServer]]:
    app = ReferenceServer(index, ServerConfig(faults=frozenset(faults), webhook_key=key))
    with serving(app) as url:
        yield url + "/v2", app


@contextmanager
def listening(index: SpecIndex) -> Iterator[sink.Running]:
    running = sink.start(SinkContext(index, catalogue(index), KEY.verify_key))
    try:
        yield running
    finally:
        running.stop()


def trigger(index: SpecIndex, base: str, operation_id: str, webhook_url: str | None, **fields: Any) -> dict[str, Any]:
    """Send a valid request of `operation_id` whose body names `webhook_url` (and `fields`; a
    field given None is left out); its answer's body."""
    operation = next(op for op in index.operations if op.operation_id == operation_id)
    request = build_request(index, operation, seed=0, token=DEFAULT_TOKEN)
    body = {**orjson.loads(request.body), "webhook_url": webhook_url, **fields}
    body = {name: value for name, value in body.items() if value is not None}
    url = base.removesuffix("/v2") + request.target
    answer = httpx.post(url, content=orjson.dumps(body), headers=request.all_headers(), timeout=10)
    assert 200 <= answer.status_code < 300, (operation_id, answer.status_code, answer.text[:300])
    return answer.json()


def failed_checks(log: sink.Log) -> set[str]:
    return {r.check for record in log.records for r in record.inspection.results if r.outcome == "failed"}


def test_without_a_fault_every_delivery_holds_and_ids_match_the_resource(index: SpecIndex) -> None:
    with listening(index) as running, reference(index) as (base, app):
        answers = {op: trigger(index, base, op, running.url) for op in TRIGGERING}
        running.settle(quiet=1.0, limit=20)
    log = running.log
    assert log.total >= 7 and log.failed == 0, [r.inspection.results for r in log.records if not r.inspection.ok]
    types = [r.inspection.identified.event_type for r in log.records]
    assert len(set(types)) >= 5, types
    assert types.index("message.sent") < types.index("message.finalized")  # in order, as Telnyx sends them
    assert app.webhooks.counts["delivered"] == log.total and app.webhooks.counts["failed"] == 0
    bodies = {r.inspection.identified.event_type: orjson.loads(r.received.body) for r in log.records}
    assert bodies["message.sent"]["data"]["payload"]["id"] == answers["SendMessage"]["data"]["id"]
    call = answers["DialCall"]["data"]["call_control_id"]
    assert bodies["call.initiated"]["data"]["payload"]["call_control_id"] == call


def test_a_message_without_its_own_url_goes_to_its_profiles_and_a_number_order_too(index: SpecIndex) -> None:
    with listening(index) as running, reference(index) as (base, _):
        profile = trigger(index, base, "CreateMessagingProfile", running.url)["data"]["id"]
        trigger(index, base, "SendMessage", None, messaging_profile_id=profile)
        trigger(index, base, "SendMessage", None, messaging_profile_id=profile, use_profile_webhooks=False)
        trigger(index, base, "CreateNumberOrder", None, messaging_profile_id=profile, connection_id=None)
        trigger(index, base, "SendMessage", None, messaging_profile_id="no-such-profile")
        running.settle(quiet=1.0, limit=20)
    types = [r.inspection.identified.event_type for r in running.log.records]
    assert types == ["message.sent", "message.finalized", "number_order.complete"], types
    assert running.log.failed == 0


def fault_flagged(index: SpecIndex, fault: str, check: str) -> None:
    """With `fault` on, every delivery fails the sink's `check` (and the fault is scoped to the
    operations that send webhooks)."""
    assert BY_NAME[fault].caught_by == f"webhooks.{check}"
    with listening(index) as running, reference(index, fault) as (base, app):
        trigger(index, base, "SendMessage", running.url)
        running.settle(quiet=1.5, limit=30)
    log = running.log
    assert log.total >= 2 and log.failed == log.total
    assert all(r.inspection.result(check).outcome == "failed" for r in log.records), failed_checks(log)
    assert app.webhooks.counts["failed"] == 2  # both events given up after their retries


def test_fault_webhook_bad_signature_is_caught_by_signature(index: SpecIndex) -> None:
    fault_flagged(index, "webhook-bad-signature", "signature")


def test_fault_webhook_stale_timestamp_is_caught_by_timestamp(index: SpecIndex) -> None:
    fault_flagged(index, "webhook-stale-timestamp", "timestamp")


def test_fault_webhook_schema_invalid_is_caught_by_schema(index: SpecIndex) -> None:
    fault_flagged(index, "webhook-schema-invalid", "schema")


def test_fault_webhook_wrong_event_type_is_caught_by_event_type(index: SpecIndex) -> None:
    fault_flagged(index, "webhook-wrong-event-type", "event_type")


def test_fault_webhook_missing_signature_is_caught_by_headers(index: SpecIndex) -> None:
    fault_flagged(index, "webhook-missing-signature", "headers")


def test_every_webhook_fault_is_in_the_catalogue_and_scoped_to_triggering_operations(index: SpecIndex) -> None:
    from conformance.server.faults.scopes import triggers_webhooks

    assert set(FAULTS) <= set(BY_NAME)
    scoped = {op.operation_id for op in index.operations if triggers_webhooks(index, op)}
    assert scoped == set(TRIGGERS)  # every trigger names an operation of the spec


class Flaky:
    """A receiver answering 500 to the first `failures` attempts, then 200; times each attempt."""

    def __init__(self, failures: int) -> None:
        self.failures, self.attempts = failures, []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        self.attempts.append(time.monotonic())
        status = 500 if len(self.attempts) <= self.failures else 200
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def deliver(config: DeliveryConfig, url: str, events: int = 1) -> Deliverer:
    deliverer = Deliverer(config)

    async def main() -> None:
        body = {"data": {"event_type": "x", "id": "1"}}
        deliverer.submit(Outgoing(url, tuple(("x", body) for _ in range(events))))
        assert await deliverer.idle(30)

    asyncio.run(main())
    return deliverer


def test_a_non_2xx_answer_is_retried_with_backoff_then_given_up() -> None:
    config = DeliveryConfig(KEY, attempts=3, backoff=0.1, max_backoff=0.15)
    flaky = Flaky(failures=2)
    with serving(flaky) as url:
        assert deliver(config, url).counts["delivered"] == 1
    gaps = [b - a for a, b in zip(flaky.attempts, flaky.attempts[1:], strict=False)]
    assert len(flaky.attempts) == 3 and gaps[0] >= 0.1 and gaps[1] >= 0.15  # doubled, capped
    always = Flaky(failures=99)
    with serving(always) as url:
        assert deliver(config, url).counts["failed"] == 1
    assert len(always.attempts) == 3  # bounded


def test_a_hanging_receiver_costs_one_timeout_per_attempt() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepts connections, never answers
    try:
        config = DeliveryConfig(KEY, attempts=2, backoff=0.05, timeout=0.3)
        started = time.monotonic()
        found = deliver(config, f"http://127.0.0.1:{listener.getsockname()[1]}/")
        assert found.counts["failed"] == 1 and time.monotonic() - started < 3
    finally:
        listener.close()


def test_only_loopback_urls_get_deliveries_and_the_queue_is_bounded() -> None:
    deliverer = Deliverer(DeliveryConfig(KEY, queue_size=2, workers=1))
    for url in ("http://example.com/hook", "http://10.0.0.1/hook", "ftp://127.0.0.1/", "http://[::1", "not a url"):
        assert not deliverer.accepts(url)
    assert deliverer.accepts("http://127.0.0.1:9/x") and deliverer.accepts("http://localhost/x")
    assert Deliverer(DeliveryConfig(KEY, any_host=True)).accepts("https://example.com/hook")

    async def flood() -> list[bool]:
        return [deliverer.submit(Outgoing("http://127.0.0.1:9/", ())) for _ in range(10)]

    taken = asyncio.run(flood())
    assert sum(taken) <= 3 and deliverer.counts["dropped"] >= 7  # one in a worker's hands, two waiting


def test_a_request_naming_a_remote_url_sends_nothing(index: SpecIndex) -> None:
    with reference(index) as (base, app):
        trigger(index, base, "SendMessage", "https://example.com/telnyx")
        time.sleep(0.3)
    assert app.webhooks.counts["refused-host"] == 1 and app.webhooks.counts["queued"] == 0


def test_the_body_faults_break_every_triggered_event(index: SpecIndex) -> None:
    """Not only the message events of the fault tests: every event some operation sends is
    schema-valid as built, and invalid under webhook-schema-invalid and webhook-wrong-event-type."""
    from conformance.server.webhooks.delivery import SCHEMA_INVALID, WRONG_EVENT_TYPE, faulty_body
    from conformance.server.webhooks.triggers import bodies, event_types

    known = event_types(index)
    assert len(known) >= 9
    for trigger_ in TRIGGERS.values():
        for event_type, body in bodies(index, trigger_, {"id": "7d1f1f5e-0d8e-4d0a-9a8c-2f6f5d0e1a2b"}, time.time()):
            validator = index.schema_validator(known[event_type].schema_pointer)
            assert validator.is_valid(body), event_type
            assert not validator.is_valid(faulty_body(body, frozenset({SCHEMA_INVALID}))), event_type
            renamed = faulty_body(body, frozenset({WRONG_EVENT_TYPE}))
            assert renamed["data"]["event_type"] not in {t for e in catalogue(index).events for t in e.event_types}
