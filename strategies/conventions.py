"""Whether a value follows the Telnyx convention its field's name puts it under: the judging
side of `names.py`, which makes such values. The reference server's faults break these
conventions, and the run's value checks (`conformance/checks/conventions.py`) judge answers by
them: one definition, so what the server generates, what Hypothesis draws and what a check
accepts cannot drift apart.

`Place` is what the spec says of one value's place (`place_of`, `place_of_schema`): a field is
held to its convention only where the spec leaves it there (no format, pattern, enum or const of
its own, no documented value that breaks the convention). The server's faults break a value
only at such a place, and the checks judge only there."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import phonenumbers

from spec.index import SpecIndex
from spec.pointer import get
from spec.telnyx import types_of
from spec.walk import walk
from strategies.country import iso_country_codes, iso_currency_codes
from strategies.names import kind_of

TIMESTAMP, COUNTRY, CURRENCY, PHONE, RECORD_TYPE = "timestamp", "country", "currency", "phone", "record_type"
JUDGED_KINDS = (TIMESTAMP, COUNTRY, CURRENCY, PHONE)
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")
_E164 = re.compile(r"\+[1-9]\d{1,14}")
_SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
# Not ISO 3166-1, but the code Kosovo is given by the EU, libphonenumber and carriers alike.
USER_ASSIGNED_COUNTRIES = frozenset({"XK"})
# Keywords that make a schema stricter than the name's convention (or other than it): the
# schema check judges the value against them.
OWN_RULES = ("format", "pattern", "enum", "const")


@lru_cache(maxsize=4096)
def field_kind(name: str) -> str | None:
    """The convention a field's name puts its value under (None: none judged). Of the phone
    names, only `*phone_number`: `to`/`from` also carry SIP URIs and alphanumeric sender ids."""
    if name == "record_type":
        return RECORD_TYPE
    kind = kind_of(name)
    if kind == PHONE and not name.lower().endswith("phone_number"):
        return None
    return kind if kind in JUDGED_KINDS else None


def is_rfc3339(value: str) -> bool:
    """`2026-12-07T10:00:00Z`, `...10:00:00.5+01:00`: an RFC 3339 date-time, a real one."""
    if not _RFC3339.fullmatch(value):
        return False
    text = value.upper().replace("Z", "+00:00")
    if text[17:19] == "60":  # a leap second, which RFC 3339 allows and datetime cannot hold
        text = text[:17] + "59" + text[19:]
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False  # month 13, hour 25...
    return True


@lru_cache(maxsize=1)
def countries() -> frozenset[str]:
    return frozenset(iso_country_codes()) | USER_ASSIGNED_COUNTRIES


@lru_cache(maxsize=1)
def currencies() -> frozenset[str]:
    return frozenset(iso_currency_codes())


def e164(value: str) -> phonenumbers.PhoneNumber | None:
    """The number an E.164 string is, of a country calling code in use; else None. Not held to
    libphonenumber's ranges: a plan's new range is still a number a client must accept."""
    if not _E164.fullmatch(value):
        return None
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.region_code_for_country_code(number.country_code) != "ZZ" else None


@lru_cache(maxsize=4096)
def convention_problem(kind: str, value: str) -> str | None:
    """Why `value` breaks the convention of `kind` (None: it follows it)."""
    if kind == TIMESTAMP and not is_rfc3339(value):
        return "not an RFC 3339 date-time (`2026-12-07T10:00:00Z`)"
    if kind == COUNTRY and value not in countries():
        return "not an ISO 3166-1 alpha-2 country code (`US`, `DE`)"
    if kind == CURRENCY and value not in currencies():
        return "not an ISO 4217 currency code (`USD`, `EUR`)"
    if kind == PHONE and e164(value) is None:
        return "not an E.164 number of a country calling code in use (`+13125550123`)"
    if kind == RECORD_TYPE and not _SNAKE.fullmatch(value):
        return "not a Telnyx type name in snake_case (`messaging_profile`)"
    return None


def country_mismatch(number: str, region: str) -> str | None:
    """Why an E.164 `number` cannot belong to the country `region` (None: it can, or the
    region has no numbering plan to tell): its calling code is another country's, or, within a
    shared code (+1: US, CA, PR...), a range libphonenumber knows for another country only. A
    number in no range it knows is judged by its calling code alone: plans grow new ranges."""
    parsed = e164(number)
    expected = phonenumbers.country_code_for_region(region) if region in phonenumbers.SUPPORTED_REGIONS else 0
    if parsed is None or not expected:
        return None
    if parsed.country_code != expected:
        return f"a +{parsed.country_code} number, but the object's country_code is {region} (+{expected})"
    if phonenumbers.is_valid_number(parsed) and not phonenumbers.is_valid_number_for_region(parsed, region):
        owner = phonenumbers.region_code_for_number(parsed)
        return f"a number of {owner} (+{expected} is shared), but the object's country_code is {region}"
    return None


# --- where the spec leaves a value to the convention ---------------------------------------------


@dataclass(frozen=True)
class Place:
    """What one property's schema (and every schema applying through it) says of its value."""

    own_rules: bool  # format, pattern, enum or const, or no string type: the schema check's to judge
    documented: tuple[Any, ...]  # example, examples, default
    _judged: dict[str, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def judged(self, kind: str) -> bool:
        """Does the convention of `kind` govern this place (the spec says nothing else here)?"""
        if kind not in self._judged:
            self._judged[kind] = not self.own_rules and all(
                not isinstance(v, str) or convention_problem(kind, v) is None for v in self.documented
            )
        return self._judged[kind]

    def accepts(self, kind: str, value: str) -> bool:
        return not self.judged(kind) or convention_problem(kind, value) is None


def same_level(index: SpecIndex, pointers: tuple[str, ...]) -> tuple[str, ...]:
    """These schemas and every schema applying to the same value through them ($ref, allOf,
    anyOf, oneOf), sorted."""
    found = walk(index, pointers, lists=("allOf", "anyOf", "oneOf"), limit=500)
    return tuple(sorted({pointer for pointer, _ in found}))


def place_of(index: SpecIndex, pointers: tuple[str, ...]) -> Place:
    """What the schemas at `pointers` (one value's, `same_level`) say of it."""
    return place_from(get(index.doc, pointer, None) for pointer in pointers)


def place_of_schema(index: SpecIndex, schema: Any) -> Place:
    """What a property's schema (as a node: a `$ref` or inline) says of its value."""
    found = walk(index, [("#property", schema)], lists=("allOf", "anyOf", "oneOf"), limit=500)
    return place_from(node for _, node in found)


def place_from(nodes: Iterable[Any]) -> Place:
    own, documented = False, []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        own = own or any(keyword in node for keyword in OWN_RULES)
        own = own or (bool(types_of(node)) and "string" not in types_of(node))
        for keyword in ("example", "default"):
            if keyword in node:
                documented.append(node[keyword])
        if isinstance(node.get("examples"), list):
            documented += node["examples"]
    return Place(own, tuple(documented))
