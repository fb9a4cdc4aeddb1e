"""The reference server's webhook sender: signed deliveries in the background, bounded.

An operation that triggers events (`triggers`) hands them to `Deliverer.submit` after its answer
is ready; the answer never waits for a delivery. Like Telnyx: each event is POSTed with the
`telnyx-signature-ed25519` and `telnyx-timestamp` headers (Ed25519 over `timestamp|raw body`,
signed afresh per attempt), a non-2xx answer or no answer is retried with exponential backoff,
and a trigger's events go out in order (a message's `sent` before its `finalized`).

Bounded everywhere: at most `queue_size` triggers wait (more are dropped and counted), `workers`
deliver at once, an attempt gets `timeout` seconds and at most `attempts` tries with backoff
capped at `max_backoff`, redirects are not followed and answers are not read past their status.
Only loopback URLs (127.0.0.0/8, ::1, localhost) are delivered to unless `any_host` is set: a
fuzzed `webhook_url` must not make a test server post to the internet.

The webhook faults of the fault catalogue act here, on the headers and bodies sent.
"""

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson
from nacl.signing import SigningKey

from conformance.server.webhooks.signing import sign, signed_headers
from conformance.target import is_loopback
from spec.webhooks import SIGNATURE_HEADER, value_at

log = logging.getLogger("telnyx_conformance.server.webhooks")

# The fault names this module acts on (the catalogue's entries, conformance/server/faults).
BAD_SIGNATURE = "webhook-bad-signature"
STALE_TIMESTAMP = "webhook-stale-timestamp"
SCHEMA_INVALID = "webhook-schema-invalid"
WRONG_EVENT_TYPE = "webhook-wrong-event-type"
MISSING_SIGNATURE = "webhook-missing-signature"
FAULTS = (BAD_SIGNATURE, STALE_TIMESTAMP, SCHEMA_INVALID, WRONG_EVENT_TYPE, MISSING_SIGNATURE)
STALE_SECONDS = 600  # twice the official SDKs' 300 s tolerance
UNKNOWN_EVENT_TYPE = "conformance.unknown_event"


@dataclass(frozen=True)
class DeliveryConfig:
    key: SigningKey
    any_host: bool = False  # deliver to any host, not only loopback (`serve --webhook-any-host`)
    attempts: int = 4  # tries per event, the first included
    backoff: float = 0.25  # seconds before the first retry, doubled each time
    max_backoff: float = 4.0
    timeout: float = 5.0  # seconds per attempt, connect to status
    queue_size: int = 1000  # triggers waiting; more are dropped
    workers: int = 4


@dataclass(frozen=True)
class Outgoing:
    """One trigger's events, in order: (event_type, body), all to `url`, with the faults on."""

    url: str
    events: tuple[tuple[str, dict[str, Any]], ...]
    faults: frozenset[str] = frozenset()


@dataclass
class Deliverer:
    config: DeliveryConfig
    counts: Counter[str] = field(default_factory=Counter)  # queued, delivered, failed, dropped, refused-host
    _queue: "asyncio.Queue[Outgoing] | None" = None
    _tasks: set["asyncio.Task[None]"] = field(default_factory=set)

    def accepts(self, url: str) -> bool:
        """Whether `url` is one this server delivers to (http(s), loopback unless any_host)."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            host = None
        if not host or parts.scheme not in ("http", "https"):
            self.counts["refused-host"] += 1
            return False
        found = self.config.any_host or is_loopback(host)
        self.counts["refused-host"] += not found
        return found

    def submit(self, outgoing: Outgoing) -> bool:
        """Queue a trigger's events (never waits): False when the URL is refused or the queue is
        full. Call from the server's event loop."""
        if not self.accepts(outgoing.url):
            return False
        if self._queue is None:
            self._queue = asyncio.Queue(self.config.queue_size)
            for _ in range(self.config.workers):
                task = asyncio.get_running_loop().create_task(self._work())
                self._tasks.add(task)
        try:
            self._queue.put_nowait(outgoing)
        except asyncio.QueueFull:
            self.counts["dropped"] += 1
            return False
        self.counts["queued"] += 1
        return True

    async def _work(self) -> None:
        import httpx

        timeout = httpx.Timeout(self.config.timeout)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            while True:
                assert self._queue is not None
                outgoing = await self._queue.get()
                try:
                    for _, body in outgoing.events:
                        delivered = await self._deliver(client, outgoing, body)
                        self.counts["delivered" if delivered else "failed"] += 1
                except Exception:  # a delivery never stops the sender
                    log.exception("delivering %s failed", outgoing.url)
                finally:
                    self._queue.task_done()

    async def _deliver(self, client: Any, outgoing: Outgoing, body: dict[str, Any]) -> bool:
        raw = orjson.dumps(faulty_body(body, outgoing.faults))
        for attempt in range(self.config.attempts):
            if attempt:
                await asyncio.sleep(min(self.config.backoff * 2 ** (attempt - 1), self.config.max_backoff))
            headers = faulty_headers(self.config.key, raw, outgoing.faults, time.time())
            try:
                async with client.stream("POST", outgoing.url, content=raw, headers=headers) as answer:
                    if 200 <= answer.status_code < 300:
                        return True
            except Exception as exc:  # no answer: a refused connection, a timeout, a reset
                log.debug("webhook attempt %d to %s: %s", attempt + 1, outgoing.url, type(exc).__name__)
        return False

    async def idle(self, timeout: float) -> bool:
        """Wait until every queued trigger is delivered or given up (True), or `timeout` passes."""
        if self._queue is None:
            return True
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except TimeoutError:
            return False
        return True


def faulty_headers(key: SigningKey, raw: bytes, faults: frozenset[str], now: float) -> dict[str, str]:
    """The headers of one attempt: correctly signed, unless a header fault is on."""
    timestamp = str(int(now) - (STALE_SECONDS if STALE_TIMESTAMP in faults else 0))
    headers = signed_headers(key, timestamp, raw)
    if BAD_SIGNATURE in faults:
        headers[SIGNATURE_HEADER] = sign(key, timestamp, raw + b" ")  # the signature of another body
    if MISSING_SIGNATURE in faults:
        del headers[SIGNATURE_HEADER]
    return headers


def faulty_body(body: dict[str, Any], faults: frozenset[str]) -> dict[str, Any]:
    """The body as sent: an event_type no webhook has, or a body its schema refuses (the event
    id and occurred_at given as numbers, where every event schema declares strings), when those
    faults are on. The numbers go in `data` and at the top level alike: the fax events' schemas
    declare their fields at the top level while the bodies (as their examples) wrap them in `data`."""
    if not faults & {SCHEMA_INVALID, WRONG_EVENT_TYPE}:
        return body
    changed = orjson.loads(orjson.dumps(body))
    holder = value_at(changed, ("data",)) if value_at(changed, ("data",)) is not None else changed
    if WRONG_EVENT_TYPE in faults and "event_type" in holder:
        holder["event_type"] = UNKNOWN_EVENT_TYPE
    if SCHEMA_INVALID in faults:
        for target in {id(holder): holder, id(changed): changed}.values():
            target["id"] = 12345
            target["occurred_at"] = 12345
    return changed
