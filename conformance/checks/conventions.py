"""The Telnyx value conventions of success bodies: what a field's name says its value is.

Many Telnyx schemas leave the format out (`created_at: {type: string}`), so a body that only
satisfies the schema's types passes response_schema_conformance with `"12/07/2026 10:00"` in a
`created_at` or `"usa"` in a `country_code`: garbage a client's date or ISO parser chokes on.
These checks read the same name rules the reference server generates from and the run's
Hypothesis strategies draw from (`strategies/names.py`), so the three agree on what a value is:

- `telnyx_timestamp_format`: `*_at`/`occurred_at` are RFC 3339 date-times;
- `telnyx_country_code`: `country_code`/`iso_country_code`/... are ISO 3166-1 alpha-2 codes;
- `telnyx_currency_code`: `*currency` fields are ISO 4217 codes;
- `telnyx_phone_number`: `*phone_number` fields are E.164, of the object's `country_code`;
- `telnyx_record_type`: `record_type` is a Telnyx type name, snake_case (`messaging_profile`).

A field is judged only where the spec leaves the question open, so a breach is the target's:
its schema (every schema that applies at that place, through `$ref`, `allOf`, `oneOf`...) has
no `format`, `pattern`, `enum` or `const` of its own (response_schema_conformance judges those,
formats included: judging them again would report one defect twice), and none of the values the
spec documents there (`example`, `examples`, `default`) breaks the convention itself (the spec
then says the field is something else: `start_at` of a number block is a phone number). A
record_type with an enum or const, and any property a discriminator names, is the schema
check's (a discriminator without a mapping wants the schema's name, `ConferenceDetailRecord`).
A record_type is not held to its example: `/connections` documents `ip_connection` and lists
every kind. Undeclared fields and non-strings are not judged, nor an empty string.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from spec.index import Operation, SpecIndex
from spec.pointer import escape, get
from spec.telnyx import documented_status, media_type, response_object
from spec.walk import step_down
from strategies.conventions import (
    COUNTRY,
    CURRENCY,
    PHONE,
    RECORD_TYPE,
    TIMESTAMP,
    Place,
    convention_problem,
    country_mismatch,
    field_kind,
    place_of,
    same_level,
)

CHECKS = {
    TIMESTAMP: "telnyx_timestamp_format",
    COUNTRY: "telnyx_country_code",
    CURRENCY: "telnyx_currency_code",
    PHONE: "telnyx_phone_number",
    RECORD_TYPE: "telnyx_record_type",
}
Pointers = tuple[str, ...]  # schema locations that apply to one value, sorted
MAX_DEPTH = 32
MAX_ITEMS = 100  # items of one array judged: a page of 250 like items says no more than 100
MAX_MEMO = 50_000  # memoized steps: a server inventing keys under additionalProperties cannot grow it without end


@dataclass(frozen=True)
class Breach:
    """One value that breaks its field's convention: `path` in the body, and why."""

    kind: str
    path: tuple[str | int, ...]
    value: str
    why: str

    @property
    def check(self) -> str:
        return CHECKS[self.kind]

    @property
    def where(self) -> str:
        return "/" + "/".join(escape(str(token)) for token in self.path)

    def message(self) -> str:
        return f"{self.where} = {self.value[:120]!r}: {self.why}"


# --- what the spec says at one place --------------------------------------------------------------


class Shape:
    """The schemas of a response body, walked down by its keys and indexes, memoized per spec
    (a page repeats one item schema: it is resolved once)."""

    def __init__(self, index: SpecIndex) -> None:
        self.index = index
        self._children: dict[tuple[Pointers, str | int], tuple[tuple[Pointers, ...], Pointers]] = {}
        self._places: dict[Pointers, Place] = {}
        self._roots: dict[str, Pointers] = {}
        self._discriminated: dict[Pointers, frozenset[str]] = {}

    def root(self, pointer: str) -> Pointers:
        if pointer not in self._roots:
            self._roots[pointer] = same_level(self.index, (pointer,))
        return self._roots[pointer]

    def child(self, pointers: Pointers, token: str | int) -> tuple[tuple[Pointers, ...], Pointers]:
        """(each declaration of `token` with the schemas applying through it, all of them
        together) below the schemas `pointers`."""
        key = (pointers, token)
        if key not in self._children:
            if len(self._children) > MAX_MEMO:
                self._children.clear()
            groups = tuple(same_level(self.index, (p,)) for p in step_down(self.index.doc, pointers, token))
            self._children[key] = (groups, tuple(sorted({p for group in groups for p in group})))
        return self._children[key]

    def discriminated(self, pointers: Pointers) -> frozenset[str]:
        """The properties a discriminator of these schemas names: their values are the schema
        check's (a schema name, or a mapping's key), whatever convention their name says."""
        if pointers not in self._discriminated:
            names = set()
            for pointer in pointers:
                node = get(self.index.doc, pointer, None)
                found = node.get("discriminator") if isinstance(node, dict) else None
                if isinstance(found, dict) and isinstance(found.get("propertyName"), str):
                    names.add(found["propertyName"])
            self._discriminated[pointers] = frozenset(names)
        return self._discriminated[pointers]

    def place(self, group: Pointers) -> Place:
        if group not in self._places:
            self._places[group] = place_of(self.index, group)
        return self._places[group]


def shape(index: SpecIndex) -> Shape:
    return Shape(index)


# --- the walk over a body -------------------------------------------------------------------------


def breaches(index: SpecIndex, root: str, body: Any, documented: tuple[Any, ...] = ()) -> list[Breach]:
    """Every value of `body` (judged against the schema at `root`) that breaks its convention;
    `documented`: the whole bodies the spec shows for it (its media type's examples)."""
    memo: Shape = index.shared(shape)
    return list(_walk(memo, memo.root(root), body, (), documented))


def _walk(memo: Shape, pointers: Pointers, value: Any, path: tuple, shown: tuple[Any, ...]) -> Iterator[Breach]:
    """`shown`: what the spec's examples of enclosing schemas (and of the whole body) show at
    this place; a value the spec shows there is never the target's fault."""
    if len(path) > MAX_DEPTH or not pointers:
        return
    shown = shown + memo.place(pointers).documented
    if isinstance(value, list):
        items = tuple(item for example in shown if isinstance(example, list) for item in example)
        for i, item in enumerate(value[:MAX_ITEMS]):
            if isinstance(item, (dict, list)):
                yield from _walk(memo, memo.child(pointers, 0)[1], item, (*path, i), items)
        return
    if not isinstance(value, dict):
        return
    discriminated = memo.discriminated(pointers)
    for name, item in value.items():
        groups, below = memo.child(pointers, name)
        inner = tuple(e[name] for e in shown if isinstance(e, dict) and name in e) if shown else ()
        if isinstance(item, (dict, list)):
            yield from _walk(memo, below, item, (*path, name), inner)
            continue
        kind = field_kind(name)
        if kind is None or not isinstance(item, str) or not item or not groups or name in discriminated:
            continue
        places = [memo.place(group) for group in groups]
        if any(isinstance(v, str) and convention_problem(kind, v) for v in inner):
            continue  # an enclosing example shows this field otherwise: the spec's convention here
        if all(not place.accepts(kind, item) for place in places):
            yield Breach(kind, (*path, name), item, convention_problem(kind, item) or "")
        elif kind == PHONE and item not in inner and all(p.judged(kind) and item not in p.documented for p in places):
            yield from _other_country(memo, pointers, value, (*path, name), item)


def _other_country(memo: Shape, pointers: Pointers, holder: dict, path: tuple, value: str) -> Iterator[Breach]:
    """A number whose calling code is not its object's `country_code`'s (the same object, a
    country the spec leaves to the convention): a `+44` number of a `"US"` resource."""
    region = holder.get("country_code")
    groups = memo.child(pointers, "country_code")[0]
    if not isinstance(region, str) or not groups or not all(memo.place(g).judged(COUNTRY) for g in groups):
        return
    why = country_mismatch(value, region)
    if why is not None:
        yield Breach(PHONE, path, value, why)


# --- the answer a check is given ------------------------------------------------------------------


def body_schema(index: SpecIndex, operation: Operation, status: int) -> str | None:
    """The pointer of the JSON schema documented for a success status (None: none)."""
    key = documented_status(operation, status)
    if key is None:
        return None
    pointer, node = response_object(index, operation, key)
    kind = media_type(node)
    if kind is None or "json" not in kind or not isinstance(node["content"].get(kind), dict):
        return None
    return f"{pointer}/content/{escape(kind)}/schema" if "schema" in node["content"][kind] else None


def judge(index: SpecIndex, operation: Operation, status: int, content: bytes) -> list[Breach]:
    """The breaches of one 2xx JSON answer (none when its body is not JSON: the schema check
    reports that)."""
    root = body_schema(index, operation, status)
    if root is None:
        return []
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        return []
    return breaches(index, root, body, media_examples(index, root))


def media_examples(index: SpecIndex, root: str) -> tuple[Any, ...]:
    """The whole bodies the media type of the schema at `root` shows: its `example` and each
    `examples` entry's `value` (through a `$ref` to components)."""
    media = get(index.doc, root.rsplit("/", 1)[0], None)
    if not isinstance(media, dict):
        return ()
    found = [media["example"]] if "example" in media else []
    entries = media.get("examples")
    for name, entry in entries.items() if isinstance(entries, dict) else ():
        _, entry = index.deref(f"{root.rsplit('/', 1)[0]}/examples/{escape(str(name))}", entry)
        if isinstance(entry, dict) and "value" in entry:
            found.append(entry["value"])
    return tuple(found)
