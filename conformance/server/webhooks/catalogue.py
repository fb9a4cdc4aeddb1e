"""The event catalogue: every webhook of the spec's `webhooks:` section, with its body schema,
its `event_type` value(s) and where a body carries them, and its operationId and summary.

Built once per index (`catalogue(index)`); a pure function of the spec.
"""

from dataclasses import dataclass
from difflib import get_close_matches
from typing import Any

from spec.index import SpecIndex
from spec.telnyx import flat_properties
from spec.webhooks import EVENT_PLACES, body_schema, body_schema_pointer, event_type, value_at


class UnknownEvent(ValueError):
    """An event named on the command line that the spec does not have: exit 2."""


@dataclass(frozen=True)
class Event:
    name: str  # the key under `webhooks:`
    pointer: str  # of the webhook's operation (`/webhooks/<name>/post`)
    schema_pointer: str  # of its JSON body schema (compile a validator from it)
    operation_id: str | None
    summary: str
    event_types: tuple[str, ...]  # the values of `event_type` the schema names
    event_type_source: str  # "enum", "const", "example" or "" (the schema names none)
    place: tuple[str, ...] | None  # where the schema declares event_type: ("data",), (), or None
    properties: frozenset[str]  # the body's top-level properties, as declared

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "operation_id": self.operation_id,
            "summary": self.summary,
            "schema": self.schema_pointer,
            "event_types": list(self.event_types),
            "event_type_source": self.event_type_source,
        }


@dataclass(frozen=True)
class Catalogue:
    events: tuple[Event, ...]

    def __len__(self) -> int:
        return len(self.events)

    def by_type(self, value: str) -> tuple[Event, ...]:
        """The events whose schema names `value` (several webhooks may share one schema)."""
        return tuple(e for e in self.events if value in e.event_types)

    def untyped(self) -> tuple[Event, ...]:
        """The events whose schema names no event_type: recognized by shape only."""
        return tuple(e for e in self.events if not e.event_types)

    def select(self, wanted: list[str] | tuple[str, ...]) -> tuple[Event, ...]:
        """The events named by webhook name, operationId or event_type value, in catalogue order
        (all of them when `wanted` is empty). Raises UnknownEvent for a name none of them has."""
        if not wanted:
            return self.events
        chosen: set[str] = set()
        for name in wanted:
            found = [e for e in self.events if name in (e.name, e.operation_id) or name in e.event_types]
            if not found:
                raise UnknownEvent(_unknown(name, self))
            chosen |= {e.name for e in found}
        return tuple(e for e in self.events if e.name in chosen)


def catalogue(index: SpecIndex) -> Catalogue:
    """Every webhook with a JSON body schema, in the spec's order (memoized on the index)."""
    return index.shared(_build)


def _build(index: SpecIndex) -> Catalogue:
    events = []
    for operation in index.webhook_operations:
        found = body_schema(index, operation)
        pointer = body_schema_pointer(index, operation)
        if found is None or pointer is None:
            continue
        declared = event_type(index, *found)
        events.append(
            Event(
                name=operation.path,
                pointer=operation.pointer,
                schema_pointer=pointer,
                operation_id=operation.operation_id,
                summary=str(operation.node.get("summary") or ""),
                event_types=declared.values if declared else (),
                event_type_source=declared.source if declared else "",
                place=declared.place if declared else None,
                properties=frozenset(flat_properties(index, *found)),
            )
        )
    return Catalogue(tuple(events))


def event_type_of(document: Any) -> tuple[tuple[str, ...], Any] | None:
    """(place, value) of the `event_type` a body carries: in `data` first, then at the top."""
    for place in EVENT_PLACES:
        holder = value_at(document, place)
        if holder is not None and "event_type" in holder:
            return place, holder["event_type"]
    return None


def _unknown(name: str, found: Catalogue) -> str:
    names = sorted({e.name for e in found.events} | {t for e in found.events for t in e.event_types})
    close = get_close_matches(name, names, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"--event {name}: no webhook of the spec has this name, operationId or event_type{hint}"
