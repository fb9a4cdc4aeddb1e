"""Which operations make the reference server send webhooks, and the bodies it sends.

Read off the spec: the operations whose request body carries a webhook URL field and whose
events the `webhooks:` section documents. Telnyx sends a message's delivery updates
(`message.sent`, then `message.finalized`) to the message's `webhook_url`, a dialed call's
`call.initiated` and an answered call's `call.answered` to the command's `webhook_url`, a
fax's progress (`fax.queued`, `fax.sending.started`, `fax.delivered`) to the fax's, and a
customer service record's `customer_service_record.status_changed` to the record's.

A body is the event's schema-valid document (`payloads`) with a fresh event id and time, its
`event_type` set, and the triggering resource's ids copied into its `payload` (the answer's
`data` and the path's parameters: a message's id, a call's call_control_id, a fax's fax_id),
each copy kept only where the body still validates.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.server.context import Context
from conformance.server.responses import Response
from conformance.server.webhooks import payloads
from conformance.server.webhooks.catalogue import Event, catalogue
from conformance.server.webhooks.delivery import FAULTS, Outgoing
from spec.index import SpecIndex
from spec.webhooks import value_at

MESSAGE = (("deliveryUpdate", "message.sent"), ("deliveryUpdate", "message.finalized"))
FAX = (("fax.queued", "fax.queued"), ("fax.sending.started", "fax.sending.started"))
FAX += (("fax.delivered", "fax.delivered"),)
CSR = ("CustomerServiceRecordStatusChanged", "customer_service_record.status_changed")
URL_FIELDS = ("webhook_url", "webhook_event_url")


@dataclass(frozen=True)
class Trigger:
    """An operation's events, in the order sent: (webhook name, event_type) pairs; how the
    triggering resource's fields map onto the event payload's (payload name -> source name);
    whether the body's own URL counts (`own_url`), and the resources whose URL is used when it
    does not name one: (body field holding their id, their collection's path, their URL field)."""

    events: tuple[tuple[str, str], ...]
    renames: tuple[tuple[str, str], ...] = ()
    via: tuple[tuple[str, str, str], ...] = ()
    own_url: bool = True


PROFILE = ("messaging_profile_id", "/messaging_profiles", "webhook_url")
CALL_APP = ("connection_id", "/call_control_applications", "webhook_event_url")
FAX_APP = ("connection_id", "/fax_applications", "webhook_event_url")
ORDER = (("numberOrderStatusUpdate", "number_order.complete"),)


TRIGGERS: dict[str, Trigger] = {
    **{
        op: Trigger(MESSAGE, via=(PROFILE,))
        for op in (
            "SendMessage",
            "CreateLongCodeMessage",
            "CreateNumberPoolMessage",
            "CreateShortCodeMessage",
            "CreateGroupMmsMessage",
        )
    },
    "DialCall": Trigger((("callInitiated", "call.initiated"),), via=(CALL_APP,)),
    "AnswerCall": Trigger((("callAnswered", "call.answered"),)),
    "SendFax": Trigger(FAX, (("fax_id", "id"),), via=(FAX_APP,)),
    "CreateNumberOrder": Trigger(ORDER, via=(PROFILE, CALL_APP), own_url=False),
    "CreateCustomerServiceRecord": Trigger((CSR,)),
}


Lookup = Callable[[str, str], dict[str, Any] | None]  # (collection path, id) -> a stored record's fields


def outgoing_webhooks(
    ctx: Context, response: Response, now: float, accepts: Callable[[str], bool], lookup: Lookup
) -> Outgoing | None:
    """The events a successful request triggers, to the URL its body names (or its profile's or
    application's, read with `lookup`), with the webhook faults switched on for its operation;
    None when it triggers none, or to a URL the sender refuses (`accepts`: checked before any
    body is built)."""
    trigger = trigger_of(ctx.operation.operation_id if ctx.operation else None)
    url = destination(trigger, ctx.parsed_body, lookup) if trigger is not None else None
    if trigger is None or url is None or not accepts(url):
        return None
    source = source_fields(response.body, ctx.match.path_params if ctx.match else {})
    faults = frozenset(name for name in FAULTS if ctx.faulty(name))
    return Outgoing(url, tuple(bodies(ctx.index, trigger, source, now)), faults)


def trigger_of(operation_id: str | None) -> Trigger | None:
    return TRIGGERS.get(operation_id or "")


def webhook_url(body: Any) -> str | None:
    """The URL a request body names for its events (`webhook_url`, else `webhook_event_url`)."""
    if not isinstance(body, dict):
        return None
    for name in URL_FIELDS:
        value = body.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def destination(trigger: Trigger, body: Any, lookup: Lookup) -> str | None:
    """Where a trigger's events go: the body's own webhook URL, else (unless the body says
    `use_profile_webhooks: false`) that of the first resource it names that the server holds."""
    own = webhook_url(body) if trigger.own_url else None
    if own is not None or not isinstance(body, dict) or body.get("use_profile_webhooks") is False:
        return own
    for field_name, path, url_field in trigger.via:
        record_id = body.get(field_name)
        fields = lookup(path, record_id) if isinstance(record_id, str) and record_id else None
        url = fields.get(url_field) if fields else None
        if isinstance(url, str) and url:
            return url
    return None


def event_types(index: SpecIndex) -> dict[str, Event]:
    """event_type -> its webhook, for every event some operation triggers (and the spec has)."""
    found = {}
    events = {e.name: e for e in catalogue(index).events}
    for trigger in TRIGGERS.values():
        for name, value in trigger.events:
            if name in events and value in events[name].event_types:
                found[value] = events[name]
    return found


def bodies(index: SpecIndex, trigger: Trigger, source: dict[str, Any], now: float) -> list[tuple[str, dict[str, Any]]]:
    """(event_type, body) of every event `trigger` sends, for a resource whose fields are `source`."""
    known = index.shared(event_types)  # once per spec, not per request
    found = []
    for _, value in trigger.events:
        event = known.get(value)
        if event is None:
            continue
        body = payloads.fresh(index, event, payloads.document(index, event, 0), now)
        validator = index.schema_validator(event.schema_pointer)
        holder = value_at(body, _place(body, event))
        if holder is not None:
            _keep_valid(validator, body, holder, "event_type", value)
            inner = value_at(holder, ("payload",))
            if inner is not None:
                _copy_ids(validator, body, inner, source, trigger.renames)
        found.append((value, body))
    return found


def _copy_ids(validator: Any, body: Any, payload: dict[str, Any], source: dict[str, Any], renames: Any) -> None:
    """The resource's scalar fields onto the payload's fields of the same name (or renamed)."""
    pairs = [(name, name) for name in payload if name in source]
    pairs += [(to, origin) for to, origin in renames if to in payload and origin in source]
    for to, origin in pairs:
        value = source[origin]
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            _keep_valid(validator, body, payload, to, value)


def _keep_valid(validator: Any, body: Any, holder: dict[str, Any], name: str, value: Any) -> None:
    before = holder.get(name)
    holder[name] = value
    if not validator.is_valid(body):
        holder[name] = before


def _place(body: Any, event: Event) -> tuple[str, ...]:
    """Where the event fields are: in `data` when the body has it, else at the top level."""
    return ("data",) if value_at(body, ("data",)) is not None else (event.place or ())


def source_fields(response_body: bytes, path_params: dict[str, str]) -> dict[str, Any]:
    """The triggering resource's fields: the path's parameters, then the answer's `data`."""
    import orjson

    try:
        document = orjson.loads(response_body) if response_body else None
    except orjson.JSONDecodeError:
        document = None
    data = document.get("data") if isinstance(document, dict) else None
    return {**path_params, **(data if isinstance(data, dict) else {})}
