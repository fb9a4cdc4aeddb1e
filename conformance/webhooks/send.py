"""`webhooks send`: deliver every event's variants to a consumer and judge each answer.

Bounded like every sender of the suite: each delivery has a hard deadline (the whole exchange,
not one read), at most `MAX_ANSWER_BYTES` of an answer are read, redirects are never followed
(a 3xx is the answer), and whatever the consumer does (hang, reset, answer garbage) becomes an
`Answer` and then a verdict, never an exception. Deliveries go one at a time, in order: the
replay follows the delivery it repeats.
"""

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
from nacl.signing import SigningKey

from conformance import __version__
from conformance.server.webhooks.catalogue import Event
from conformance.server.webhooks.keys import secret_forms
from conformance.target.curl import curl_command
from conformance.target.redaction import scrub
from conformance.webhooks.report import Case
from conformance.webhooks.variants import BUILDERS, BY_NAME, VARIANTS, Answer, Delivery, Material, judge, valid
from spec.index import SpecIndex

DEFAULT_DEADLINE = 2.0
MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = f"telnyx-conformance/{__version__} (webhooks send)"


@dataclass(frozen=True)
class SendPlan:
    url: str
    key: SigningKey
    events: Sequence[Event]
    examples: int = 1
    deadline: float = DEFAULT_DEADLINE
    variants: Sequence[str] = tuple(v.name for v in VARIANTS)


def run(index: SpecIndex, plan: SendPlan, progress: Callable[[Event, list[Case]], None] | None = None) -> list[Case]:
    """Every case of the plan, in order (event by event, variant by variant)."""
    return asyncio.run(_run(index, plan, progress))


async def _run(index: SpecIndex, plan: SendPlan, progress: Callable[[Event, list[Case]], None] | None) -> list[Case]:
    other = SigningKey.generate()
    cases: list[Case] = []
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(
        follow_redirects=False, timeout=httpx.Timeout(plan.deadline), limits=limits, trust_env=False
    ) as client:
        for event in plan.events:
            material = Material(index, event, plan.key, other, int(time.time()), examples=plan.examples)
            found = await _event_cases(client, plan, material)
            cases += found
            if progress is not None:
                progress(event, found)
    return cases


async def _event_cases(client: httpx.AsyncClient, plan: SendPlan, material: Material) -> list[Case]:
    cases = []
    for name in plan.variants:
        material.now = int(time.time())
        if name == "valid":
            cases.append(await _valid_case(client, plan, material))
            continue
        delivery = BUILDERS[name](material)
        answer = await deliver(client, plan.url, delivery, plan.deadline)
        cases.append(_case(plan, delivery, answer))
    return cases


async def _valid_case(client: httpx.AsyncClient, plan: SendPlan, material: Material) -> Case:
    """The `valid` case over every example: the first that does not pass, else the slowest."""
    worst: Case | None = None
    for example in range(max(1, plan.examples)):
        delivery = valid(material, example)
        if material.first_valid is None:
            material.first_valid = delivery
        case = _case(plan, delivery, await deliver(client, plan.url, delivery, plan.deadline))
        if not case.held:
            return case
        if worst is None or (case.elapsed or 0) > (worst.elapsed or 0):
            worst = case
    assert worst is not None
    if plan.examples > 1:
        return Case(worst.event, worst.case, worst.verdict, worst.status, worst.elapsed, _examples(worst, plan))
    return worst


def _examples(case: Case, plan: SendPlan) -> str:
    return f"{plan.examples} deliveries answered 2xx, the slowest {case.reason.removeprefix('answered ')}"


def _case(plan: SendPlan, delivery: Delivery, answer: Answer) -> Case:
    verdict, reason = judge(BY_NAME[delivery.variant], answer, plan.deadline)
    secrets = secret_forms(plan.key)
    curl = None
    if verdict != "passed":
        curl = curl_command("POST", plan.url, delivery.headers, delivery.body, secrets[0])
        for form in secrets:
            curl = scrub(curl, form)
    for form in secrets:
        reason = scrub(reason, form)
    return Case(delivery.event, delivery.variant, verdict, answer.status, answer.elapsed, reason, curl)


async def deliver(client: httpx.AsyncClient, url: str, delivery: Delivery, deadline: float) -> Answer:
    """POST one delivery; the consumer's status, or why there is none, within `deadline`."""
    started = time.perf_counter()
    headers = {**delivery.headers, "user-agent": USER_AGENT}
    got: list[Answer] = []  # the answer once its status line is in: a body still coming changes nothing
    try:
        async with asyncio.timeout(deadline):
            async with client.stream("POST", url, headers=headers, content=delivery.body) as response:
                location = response.headers.get("location", "")[:200]
                got.append(Answer(response.status_code, time.perf_counter() - started, detail=location))
                if await _drain(response):
                    got[0] = Answer(got[0].status, got[0].elapsed, detail=location, cut=True)
        return got[0]
    except TimeoutError:
        return got[0] if got else Answer(None, time.perf_counter() - started, "timeout", f"{deadline:g} s")
    except httpx.ConnectError as exc:
        return Answer(None, time.perf_counter() - started, "connect", _one_line(exc))
    except httpx.RemoteProtocolError as exc:
        if got:
            return got[0]
        text = _one_line(exc)
        kind = "reset" if "disconnected" in text.lower() or "without sending" in text.lower() else "garbage"
        return Answer(None, time.perf_counter() - started, kind, text)
    except (httpx.TransportError, OSError) as exc:
        return got[0] if got else Answer(None, time.perf_counter() - started, "reset", _one_line(exc))


async def _drain(response: httpx.Response) -> bool:
    """Read at most MAX_ANSWER_BYTES of the answer (the rest is dropped with the connection)."""
    seen = 0
    try:
        async for chunk in response.aiter_raw():
            seen += len(chunk)
            if seen > MAX_ANSWER_BYTES:
                return True
    except (httpx.TransportError, OSError):
        return False  # the status is the answer; a body cut short does not change it
    return False


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
