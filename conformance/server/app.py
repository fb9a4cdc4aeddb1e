"""The reference server as one ASGI application.

A request goes through fixed stages: route -> authenticate -> rate limit -> validate ->
handle (stateful collection or generic, schema-generated response) -> fault transforms.
Every stage is a plain function of the request context; faults switch stages off or
transform what they produce (see faults/), so the pipeline reads the same with or without
them. Nothing a client sends may crash it: any exception becomes a 500 with the envelope.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl

import orjson

from conformance.server import envelope
from conformance.server.auth import DEFAULT_TOKEN, is_authorized
from conformance.server.context import Context, RateWindow
from conformance.server.error_shape import documented_error
from conformance.server.faults import FaultSet
from conformance.server.responses import Response, success_response
from conformance.server.routes import Match, Router
from conformance.server.state import Store, without_page_size
from conformance.server.validation import RequestParts, validate_request
from conformance.server.webhooks.delivery import Deliverer, DeliveryConfig
from conformance.server.webhooks.keys import new_key
from conformance.server.webhooks.triggers import outgoing_webhooks
from spec.index import Operation, SpecIndex

log = logging.getLogger("telnyx_conformance.server")

MAX_BODY_BYTES = 16 * 1024 * 1024
# Advertised per 60 s window when no --rate-limit is set; never enforced then, and large
# enough that `remaining` stays positive under any bounded load test.
NOMINAL_LIMIT = 10_000_000


@dataclass
class ServerConfig:
    token: str = DEFAULT_TOKEN
    seed: int = 0
    faults: frozenset[str] = frozenset()
    rate_limit: float | None = None  # requests per second; None: advertise, never refuse
    db: str = ":memory:"
    max_body_bytes: int = MAX_BODY_BYTES
    hang_seconds: float = 3600.0
    latency_ms: float = 0.0  # added before every answer (`serve --latency-ms`): a remote API's round trip
    webhook_key: Any = None  # nacl SigningKey of the webhooks sent (`serve --webhook-private-key`); None: generated
    webhook_any_host: bool = False  # deliver webhooks beyond loopback (`serve --webhook-any-host`)


class ReferenceServer:
    def __init__(self, index: SpecIndex, config: ServerConfig | None = None) -> None:
        self.index = index
        self.config = config or ServerConfig()
        self.router = Router(index)
        self.faults = FaultSet(index, self.config.faults)
        self.store = Store(index, seed=self.config.seed, db=self.config.db)
        self.webhooks = Deliverer(
            DeliveryConfig(key=self.config.webhook_key or new_key(), any_host=self.config.webhook_any_host)
        )
        per_second = self.config.rate_limit
        self.window = (
            RateWindow(limit=max(1, int(per_second)), seconds=1.0)
            if per_second
            else RateWindow(limit=NOMINAL_LIMIT, seconds=60.0)
        )

    # --- ASGI -----------------------------------------------------------------------------
    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        ctx: Context | None = None
        try:
            ctx, early = await self._read(scope, receive)
            response = early or self.handle(ctx)
        except Exception:  # the server never crashes on a request
            log.exception("unhandled error")
            response = Response(500, envelope.simple(envelope.SERVER_ERROR))
        if self.config.latency_ms > 0:
            await asyncio.sleep(self.config.latency_ms / 1000.0)  # other requests are served meanwhile
        if ctx is not None:
            if ctx.operation is not None and response.status >= 400:
                response = self._documented_error(ctx.operation, response)
            response.headers.update(rate_headers(ctx))
            response = self.faults.transform(ctx, response)
            if ctx.faulty("hang"):
                await asyncio.sleep(self.config.hang_seconds)
            if ctx.faulty("connection-reset"):
                await _send_truncated(send, response)
                return
        await _send(send, response)
        if ctx is not None and 200 <= response.status < 300:
            self._send_webhooks(ctx, response)  # after the answer: a delivery never delays it

    def _send_webhooks(self, ctx: Context, response: Response) -> None:
        try:
            now, store = time.time(), self.store
            outgoing = outgoing_webhooks(ctx, response, now, self.webhooks.accepts, store.stored_fields)
            if outgoing is not None:
                self.webhooks.submit(outgoing)
        except Exception:  # a webhook never costs an answer or the server
            log.exception("building the webhooks of %s failed", ctx.path)

    def _documented_error(self, operation: Operation, response: Response) -> Response:
        try:
            return documented_error(self.index, operation, response, seed=self.config.seed)
        except Exception:  # the envelope is still an answer; never a crash
            log.exception("rendering a documented error failed")
            return response

    async def _read(self, scope: dict, receive: Any) -> tuple[Context, Response | None]:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        raw_query = scope.get("query_string", b"").decode("latin-1")
        query = parse_qsl(raw_query, keep_blank_values=True, encoding="utf-8", errors="replace")
        ctx = Context(
            self.index, self.config.seed, self.faults, scope["method"].upper(), scope["path"], query, headers, b""
        )
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.config.max_body_bytes:
                return ctx, Response(413, envelope.simple(envelope.BODY_TOO_LARGE))
            chunks.append(chunk)
            more = message.get("more_body", False)
        ctx.body = b"".join(chunks)
        return ctx, None

    # --- the stages -----------------------------------------------------------------------
    def handle(self, ctx: Context) -> Response:
        response = self._rate_limited(ctx)
        if response is not None:
            return response
        ctx.match = self.router.match(ctx.path)
        if ctx.match is None:
            return Response(404, envelope.simple(envelope.NOT_FOUND))
        ctx.operation = ctx.match.operation("get" if ctx.method == "HEAD" and _no_head(ctx.match) else ctx.method)
        if ctx.operation is None:
            allowed = ", ".join(sorted(m.upper() for m in ctx.match.route.operations))
            return Response(405, envelope.simple(envelope.METHOD_NOT_ALLOWED), {"allow": allowed})
        if not ctx.faulty("auth-not-enforced") and not is_authorized(
            self.index, ctx.operation, ctx.headers.get("authorization"), self.config.token
        ):
            return Response(401, envelope.simple(envelope.AUTH_REQUIRED), {"www-authenticate": "Bearer"})
        response = self._validate(ctx)
        if response is not None:
            return response
        return self.store.handle(ctx) or success_response(self.index, ctx.operation, seed=self.config.seed)

    def _rate_limited(self, ctx: Context) -> Response | None:
        allowed, remaining, reset = self.window.take(time.monotonic())
        ctx.rate = (self.window.limit, remaining, reset)
        if allowed or self.config.rate_limit is None:
            return None
        return Response(429, envelope.simple(envelope.RATE_LIMITED), {"retry-after": str(reset)})

    def _validate(self, ctx: Context) -> Response | None:
        parts = RequestParts(
            method=ctx.method,
            path_params=ctx.match.path_params if ctx.match else {},
            query=ctx.query,
            headers=ctx.headers,
            content_type=ctx.headers.get("content-type"),
            body=ctx.body,
        )
        check = validate_request(self.index, ctx.operation, parts)
        if check.status is not None and ctx.faulty("page-size-bounds-unchecked"):
            lenient = validate_request(self.index, ctx.operation, replace(parts, query=without_page_size(ctx.query)))
            check = lenient if lenient.status is None else check  # only the page size was refused
        ctx.params, ctx.parsed_body = check.params, check.body
        if check.status is not None and not ctx.faulty("invalid-input-accepted"):
            return Response(check.status, envelope.envelope(*(e.as_dict() for e in check.errors)))
        if check.status is None and ctx.faulty("valid-input-rejected"):
            source = {"pointer": ""}
            body = envelope.envelope(envelope.error("10015", "Invalid request", "The request was rejected.", source))
            return Response(422, body)
        return None


def _no_head(match: Match) -> bool:
    return "head" not in match.route.operations


def rate_headers(ctx: Context) -> dict[str, str]:
    if ctx.rate is None:
        return {}
    limit, remaining, reset = ctx.rate
    return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(remaining), "x-ratelimit-reset": str(reset)}


async def _send(send: Any, response: Response) -> None:
    await send({"type": "http.response.start", "status": response.status, "headers": response.raw_headers()})
    await send({"type": "http.response.body", "body": response.body})


async def _send_truncated(send: Any, response: Response) -> None:
    """Promise the whole body, send half of it, then drop the connection."""
    body = response.body or orjson.dumps({"data": "x" * 64})
    headers = [(k, v) for k, v in response.raw_headers() if k != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
    raise ConnectionResetError("fault connection-reset: dropped mid-body")


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
