"""`serve --latency-ms`: every answer waits that long (a remote API's round trip, for the shard
benchmark), while other requests are served meanwhile; 0, the default, adds nothing."""

import asyncio
import time

import httpx

from conformance.server.app import ReferenceServer, ServerConfig
from conformance.server.sample_requests import DEFAULT_TOKEN
from spec.index import SpecIndex

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def _timed(app: ReferenceServer, count: int) -> tuple[float, list[int]]:
    async def go() -> tuple[float, list[int]]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t/v2") as client:
            start = time.perf_counter()
            answers = await asyncio.gather(*(client.get("/balance", headers=AUTH) for _ in range(count)))
            return time.perf_counter() - start, [a.status_code for a in answers]

    return asyncio.run(go())


def test_every_answer_waits_the_latency_and_requests_overlap(spec_index: SpecIndex) -> None:
    slow = ReferenceServer(spec_index, ServerConfig(latency_ms=200))
    elapsed, statuses = _timed(slow, 5)
    assert statuses == [200] * 5
    assert 0.2 <= elapsed < 0.9  # five concurrent requests wait about 0.2 s together, not 1 s
    fast = ReferenceServer(spec_index, ServerConfig())
    elapsed, statuses = _timed(fast, 5)
    assert statuses == [200] * 5 and elapsed < 0.2


def test_serve_refuses_a_latency_out_of_range() -> None:
    from conformance.cli import main

    assert main(["serve", "--latency-ms", "-1", "--port", "0"]) == 2
