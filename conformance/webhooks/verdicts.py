"""From what the sink received to the report: one line per delivery, one case per event and
check (over every delivery of that event), and each delivery as data for summary.json."""

from collections.abc import Callable
from typing import Any

from conformance.target.curl import curl_command
from conformance.webhooks.checks import CHECKS, Result
from conformance.webhooks.report import Case
from conformance.webhooks.sink import Record

UNKNOWN = "(unidentified)"  # the event of a delivery no webhook of the spec fits


def event_of(record: Record) -> str:
    events = record.inspection.identified.events
    return events[0].name if events else UNKNOWN


def event_type_of(record: Record) -> str:
    """The delivery's event_type (several share one webhook: message.sent, message.finalized),
    else its webhook's name."""
    return record.inspection.identified.event_type or event_of(record)


def line(record: Record) -> str:
    """`#3 200 ok call.answered callAnswered id=...`, or the failed checks and their reasons."""
    inspection = record.inspection
    identified = inspection.identified
    what = identified.event_type or "-"
    head = f"#{record.n} {inspection.status} {'ok  ' if inspection.ok else 'FAIL'} {what} {event_of(record)}"
    if inspection.event_id:
        head += f" id={inspection.event_id}"
    notes = [f"{r.check}: {r.reason}" for r in inspection.results if r.outcome == "failed"]
    notes += [f"{r.check}: {r.reason}" for r in inspection.results if r.outcome == "redelivery"]
    return " ".join((head + (" | " + "; ".join(notes) if notes else "")).split())[:600]


def cases(records: list[Record], key: Callable[[Record], str] = event_of) -> list[Case]:
    """Per event (in the order first received; `key` names it) and check: passed when every
    delivery of the event held it (a redelivery holds), failed at the first that did not,
    skipped when none ran it."""
    by_event: dict[str, list[Record]] = {}
    for record in records:
        by_event.setdefault(key(record), []).append(record)
    found = []
    for event, group in by_event.items():
        for check in CHECKS:
            found.append(_case(event, check, group))
    return found


def _case(event: str, check: str, group: list[Record]) -> Case:
    results = [(record, record.inspection.result(check)) for record in group]
    elapsed = sum(r.elapsed for r in group) / len(group)
    bad = next(((record, result) for record, result in results if result.outcome == "failed"), None)
    if bad is not None:
        record, result = bad
        count = sum(1 for _, r in results if r.outcome == "failed")
        reason = f"{result.code}: {result.reason} (delivery #{record.n}; {count} of {len(group)} failed)"
        return Case(event, check, "failed", record.inspection.status, elapsed, reason, _curl(record))
    ran = [(record, result) for record, result in results if result.outcome != "skipped"]
    if not ran:
        return Case(
            event, check, "skipped", group[-1].inspection.status, elapsed, group[-1].inspection.result(check).reason
        )
    again = sum(1 for _, r in ran if r.outcome == "redelivery")
    note = f", {again} redelivered" if again else ""
    return Case(event, check, "passed", ran[-1][0].inspection.status, elapsed, f"held in {len(ran)} deliveries{note}")


def _curl(record: Record) -> str:
    received = record.received
    wanted = ("content-type", "telnyx-signature-ed25519", "telnyx-timestamp")
    headers = {name: received.headers[name] for name in wanted if name in received.headers}
    return curl_command("POST", "http://127.0.0.1:PORT/", headers, received.body[: 64 * 1024], "")


def deliveries(records: list[Record]) -> list[dict[str, Any]]:
    return [_delivery(record) for record in records]


def _delivery(record: Record) -> dict[str, Any]:
    inspection = record.inspection
    checks: dict[str, Result] = {r.check: r for r in inspection.results}
    return {
        "n": record.n,
        "status": inspection.status,
        "ok": inspection.ok,
        "event_type": inspection.identified.event_type,
        "events": [e.name for e in inspection.identified.events],
        "id": inspection.event_id,
        "checks": {name: result.as_dict() for name, result in checks.items()},
    }
