"""Telnyx webhook conventions as the spec documents them: the signature headers, the body
schema of a webhook and where its `event_type` is declared, with the values it may take.

One public module that the audit rules (`spec/rules/webhooks.py`) and the signed-webhook
contract (`conformance/webhooks/`) both read, so the two agree on what a webhook of the spec is.

Read off the spec itself (July 2025 pin): every one of the 64 `webhooks:` entries is a POST with
the headers `telnyx-signature-ed25519` (base64 Ed25519 signature of `f"{timestamp}|{raw_body}"`)
and `telnyx-timestamp` (Unix seconds), and a JSON body. Most bodies are
`{"data": {"event_type", "id", "occurred_at", "payload", "record_type"}, "meta"?}`; the fax events
declare the event fields at the top level (while their examples wrap them in `data`); two
(`campaignStatusUpdate`, `replacedLinkClick`) declare no `event_type` at all, and one
(`numberOrderStatusUpdate`) declares it without an enum.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from spec.index import Operation, SpecIndex
from spec.pointer import escape
from spec.telnyx import flat_properties, is_json

SIGNATURE_HEADER = "telnyx-signature-ed25519"
TIMESTAMP_HEADER = "telnyx-timestamp"
SIGNATURE_HEADERS = (SIGNATURE_HEADER, TIMESTAMP_HEADER)
# Where an event's fields live in a body: wrapped in `data` (most events), or at the top level.
EVENT_PLACES: tuple[tuple[str, ...], ...] = (("data",), ())


@dataclass(frozen=True)
class EventType:
    """Where a webhook body declares `event_type`, and what it may be."""

    place: tuple[str, ...]  # the object holding it: ("data",) or () for the top level
    pointer: str  # of the `event_type` property schema
    values: tuple[str, ...]  # the names it takes
    source: str  # "enum", "const", "example" (documented only by an example) or "" (none)


def json_media(index: SpecIndex, operation: Operation) -> tuple[str, dict[str, Any]] | None:
    """(pointer, media type object) of the webhook's first JSON request body."""
    pointer, body = index.deref(f"{operation.pointer}/requestBody", operation.node.get("requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return None
    for media_type, media in content.items():
        if is_json(media_type) and isinstance(media, dict):
            return f"{pointer}/content/{escape(media_type)}", media
    return None


def body_schema_pointer(index: SpecIndex, operation: Operation) -> str | None:
    """The pointer of the JSON body's `schema` itself (not what its `$ref` points at): the
    place a validator is compiled from and a report names."""
    media = json_media(index, operation)
    return f"{media[0]}/schema" if media and isinstance(media[1].get("schema"), dict) else None


def body_schema(index: SpecIndex, operation: Operation) -> tuple[str, Any] | None:
    """(pointer, schema) of the webhook's JSON request body schema, dereferenced."""
    media = json_media(index, operation)
    if media is None or not isinstance(media[1].get("schema"), dict):
        return None
    return index.deref(f"{media[0]}/schema", media[1]["schema"])


def event_type(index: SpecIndex, pointer: str, schema: Any) -> EventType | None:
    """The first declaration of `event_type` in a body schema (in `data`, else at the top)."""
    top = flat_properties(index, pointer, schema)
    for place in EVENT_PLACES:
        properties = top
        for key in place:
            if key not in properties:
                properties = {}
                break
            properties = flat_properties(index, *index.deref(*properties[key]))
        if "event_type" in properties:
            where, node = index.deref(*properties["event_type"])
            values, source = event_type_values(node)
            return EventType(place, where, values, source)
    return None


def event_type_values(node: Any) -> tuple[tuple[str, ...], str]:
    """The string names an `event_type` schema gives, and from which keyword."""
    if not isinstance(node, dict):
        return (), ""
    if "const" in node and isinstance(node["const"], str):
        return (node["const"],), "const"
    enum = node.get("enum")
    if isinstance(enum, list):
        return tuple(v for v in enum if isinstance(v, str)), "enum"
    if isinstance(node.get("example"), str):
        return (node["example"],), "example"
    return (), ""


def header_parameters(index: SpecIndex, operation: Operation) -> dict[str, tuple[str, dict[str, Any]]]:
    """lower-case name -> (pointer, parameter) of the webhook's header parameters."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for pointer, parameter in index.parameters(operation):
        if parameter.get("in") == "header" and isinstance(parameter.get("name"), str):
            found[parameter["name"].lower()] = (pointer, parameter)
    return found


def body_examples(index: SpecIndex, operation: Operation) -> Iterator[tuple[str, Any]]:
    """(pointer, value) of every example of the webhook's JSON body: the media type's
    `example` and `examples`, and the body schema's own `example`/`examples`."""
    found = json_media(index, operation)
    if found is None:
        return
    base, media = found
    if "example" in media:
        yield f"{base}/example", media["example"]
    examples = media.get("examples")
    if isinstance(examples, dict):
        for name, example in examples.items():
            where, example = index.deref(f"{base}/examples/{escape(name)}", example)
            if isinstance(example, dict) and "value" in example:
                yield f"{where}/value", example["value"]
    schema = body_schema(index, operation)
    if schema is not None and isinstance(schema[1], dict):
        where, node = schema
        if "example" in node:
            yield f"{where}/example", node["example"]
        if isinstance(node.get("examples"), list):
            for i, example in enumerate(node["examples"]):
                yield f"{where}/examples/{i}", example


def value_at(document: Any, place: tuple[str, ...]) -> Any:
    """The object at `place` in a body (None when a step is missing or not an object)."""
    for key in place:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document if isinstance(document, dict) else None
