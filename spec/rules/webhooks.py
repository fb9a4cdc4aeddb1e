"""Rules about Telnyx webhooks: what a receiver needs from the spec to verify and route a
delivery (a JSON body, an `event_type` naming the event, the two signature headers), and
examples that show a delivery as it is declared. The conventions live in `spec/webhooks.py`.
"""

from collections.abc import Iterator

from spec.index import SpecIndex
from spec.rules import rule
from spec.webhooks import SIGNATURE_HEADERS, body_examples, body_schema, event_type, header_parameters, value_at


def _label(operation) -> str:
    return f"webhook {operation.path!r}"


@rule("webhook-json-body", "error", "Every webhook declares a JSON request body with a schema.")
def webhook_json_body(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """A receiver verifies the signature over the raw body and then parses it: without a
    declared JSON body schema there is nothing to generate a test delivery from, nothing to
    validate a received one against, and SDKs generate an untyped handler."""
    for operation in index.webhook_operations:
        if "requestBody" not in operation.node:
            yield operation.pointer, f"{_label(operation)} declares no request body"
        elif body_schema(index, operation) is None:
            yield f"{operation.pointer}/requestBody", f"{_label(operation)} has no JSON request body schema"


@rule(
    "webhook-event-type",
    "warning",
    "A webhook body declares `event_type` with an enum or const naming its event.",
)
def webhook_event_type(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """Receivers route a delivery by its `event_type` (in `data`, or at the top level of the
    older fax events). Without the property a receiver cannot tell one event from another;
    without an enum or const naming the value, generated handlers and contract tests cannot
    know which value belongs to which webhook, and a typo in a delivery goes unnoticed."""
    seen: set[str] = set()
    for operation in index.webhook_operations:
        found = body_schema(index, operation)
        if found is None:
            continue
        declared = event_type(index, *found)
        where = found[0] if declared is None else declared.pointer
        if where in seen:
            continue
        seen.add(where)
        if declared is None:
            yield where, f"{_label(operation)}: the body declares no `event_type` (in `data` or at the top level)"
        elif declared.source not in ("enum", "const") or not declared.values:
            shown = f" (only an example: {declared.values[0]!r})" if declared.source == "example" else ""
            yield where, f"{_label(operation)}: `event_type` has no enum or const naming the event{shown}"


@rule(
    "webhook-signature-headers",
    "warning",
    "Every webhook declares the required `telnyx-signature-ed25519` and `telnyx-timestamp` headers.",
)
def webhook_signature_headers(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """Telnyx signs `timestamp|raw body` with Ed25519 and sends the signature and the
    timestamp in these two headers; a receiver that does not check both can be sent forged or
    replayed events. Declared (and required) on every webhook, they tell SDK generators and
    readers that verification is part of handling the event."""
    for operation in index.webhook_operations:
        headers = header_parameters(index, operation)
        for name in SIGNATURE_HEADERS:
            if name not in headers:
                yield f"{operation.pointer}/parameters", f"{_label(operation)} does not declare the header {name}"
            elif headers[name][1].get("required") is not True:
                yield headers[name][0], f"{_label(operation)}: the header {name} is not required"


@rule(
    "webhook-example-event-type",
    "warning",
    "A webhook body example carries an `event_type` its schema names, where the schema declares it.",
)
def webhook_example_event_type(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """Whether an example validates is what `schema-example-valid` and `media-example-valid`
    report; Telnyx event schemas declare few required properties, so an example can validate
    and still show another delivery than the schema's (its event fields wrapped in `data`
    while the schema declares them at the top level, or another event's name). Receivers are
    written from these examples: the example must put `event_type` where the schema does,
    with a value the schema names."""
    seen: set[str] = set()
    for operation in index.webhook_operations:
        found = body_schema(index, operation)
        declared = event_type(index, *found) if found else None
        if declared is None:
            continue
        where = "top level" if not declared.place else ".".join(declared.place)
        for pointer, example in body_examples(index, operation):
            if pointer in seen:
                continue
            seen.add(pointer)
            holder = value_at(example, declared.place)
            if holder is None or "event_type" not in holder:
                message = f"the example has no `event_type` at the {where}, where the schema declares it"
                yield pointer, f"{_label(operation)}: {message}"
            elif declared.values and holder["event_type"] not in declared.values:
                named = ", ".join(repr(v) for v in declared.values)
                yield pointer, f"{_label(operation)}: the example's event_type {holder['event_type']!r} is not {named}"
