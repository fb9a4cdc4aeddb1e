"""The reference server's contract, operation by operation: one valid request for every
operation of the spec, each answered with a documented status, Content-Type and body.

Requests come from `conformance.server.sample_requests` (ids of records that exist, required
parameters in Telnyx's serialization, bodies in their declared media type); responses are judged
by the independent `ResponseChecker` of conftest.py (Python `jsonschema`, not the jsonschema-rs
engine the server generates with). The sweep runs in-process over the ASGI transport: ~3 s per
pass for 822 operations. Two passes: seed 0 with required parameters only, and seed 1 with every
optional parameter too (filters, sorting, paging reach the stateful list handlers).
"""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from conformance.server.app import ReferenceServer, ServerConfig
from conformance.server.generation import GenerationError
from conformance.server.sample_requests import SampleRequest, build_all
from spec.index import Operation, SpecIndex

# Operations where the spec itself makes a conforming response impossible to judge, one reason each.
SPEC_EXCEPTIONS: dict[str, str] = {
    "GET /ai/assistants/{assistant_id}/canary-deploys": (
        "VersionConfig.percentage has OAS 3.0 boolean exclusiveMinimum/exclusiveMaximum in a 3.1 "
        "document: invalid JSON Schema 2020-12, which jsonschema reads as 1 < x < 1 (no percentage conforms)"
    ),
    "PUT /ai/assistants/{assistant_id}/canary-deploys": "as GET: its 200 body is the same CanaryDeployResponse",
    "POST /ai/assistants/{assistant_id}/canary-deploys": "as GET: its 200 body is the same CanaryDeployResponse",
}

PASSES = {"required-only": (0, False), "all-parameters": (1, True)}


@dataclass(frozen=True)
class Outcome:
    """One operation's request and what the server answered."""

    operation: Operation
    request: SampleRequest | None
    status: int
    problems: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.operation.method.upper()} {self.operation.path}"

    def describe(self) -> str:
        return f"{self.key} -> {self.status}: " + "; ".join(self.problems)


@dataclass(frozen=True)
class Sweep:
    outcomes: list[Outcome]
    seconds: float


async def _sweep(index: SpecIndex, checker: Any, seed: int, include_optional: bool) -> list[Outcome]:
    """Send every operation's request, in sweep order, to a fresh in-process server."""
    app = ReferenceServer(index, ServerConfig(seed=seed))
    outcomes: list[Outcome] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://conformance.test") as client:
        for built in build_all(index, app.store, seed=seed, include_optional=include_optional):
            if isinstance(built, GenerationError):
                operation = _operation_named_in(index, str(built))
                outcomes.append(Outcome(operation, None, 0, (f"no request could be built: {built}",)))
                continue
            response = await client.request(built.method, built.target, headers=built.all_headers(), content=built.body)
            verdict = checker.check(
                built.operation, response.status_code, response.headers.get("content-type"), response.content
            )
            problems = verdict.problems
            if response.status_code >= 400:
                problems = (f"the valid request was refused: {response.text[:300]}", *problems)
            outcomes.append(Outcome(built.operation, built, response.status_code, problems))
    return outcomes


def _operation_named_in(index: SpecIndex, message: str) -> Operation:
    """The operation whose schema a GenerationError names (its pointer starts the message's)."""
    for operation in index.operations:
        if operation.pointer in message:
            return operation
    return index.operations[0]


@pytest.fixture(scope="module", params=list(PASSES), ids=list(PASSES))
def sweep(request: pytest.FixtureRequest, spec_index: SpecIndex, response_checker: Any) -> Sweep:
    seed, include_optional = PASSES[request.param]
    started = time.perf_counter()
    outcomes = asyncio.run(_sweep(spec_index, response_checker, seed, include_optional))
    return Sweep(outcomes, time.perf_counter() - started)


def test_every_operation_is_swept_once(sweep: Sweep, spec_index: SpecIndex) -> None:
    swept = [o.operation.pointer for o in sweep.outcomes]
    assert len(swept) == len(set(swept)) == len(spec_index.operations)
    unbuilt = [o.describe() for o in sweep.outcomes if o.request is None]
    assert not unbuilt, "\n".join(unbuilt)


def test_no_nonconforming_response(sweep: Sweep, record_property: Callable[[str, object], None]) -> None:
    """Every response conforms, except the named spec exceptions; the numbers go to the report."""
    failing = [o for o in sweep.outcomes if o.problems and o.key not in SPEC_EXCEPTIONS]
    conforming = sum(1 for o in sweep.outcomes if not o.problems)
    summary = (
        f"{len(sweep.outcomes)} operations, {conforming} conforming, "
        f"{len(sweep.outcomes) - conforming} spec exceptions, {sweep.seconds:.1f} s"
    )
    record_property("sweep", summary)
    print(summary)
    assert not failing, f"{len(failing)} non-conforming responses:\n" + "\n".join(o.describe() for o in failing)


def test_spec_exceptions_are_still_needed(sweep: Sweep) -> None:
    """An exception whose operation now conforms (spec fixed, server changed) must be dropped."""
    by_key = {o.key: o for o in sweep.outcomes}
    unknown = [key for key in SPEC_EXCEPTIONS if key not in by_key]
    assert not unknown, f"exceptions naming no operation: {unknown}"
    stale = [key for key in SPEC_EXCEPTIONS if not by_key[key].problems]
    assert not stale, f"these operations conform now; remove their exceptions: {stale}"


def test_spec_exceptions_fail_only_for_their_reason(sweep: Sweep) -> None:
    """The excepted operations are still answered (2xx) and fail only on the named schema."""
    for key in SPEC_EXCEPTIONS:
        outcome = next(o for o in sweep.outcomes if o.key == key)
        assert 200 <= outcome.status < 300, outcome.describe()
        assert all("percentage" in p for p in outcome.problems), outcome.describe()
