"""The rewrites of the faults that break a Telnyx value convention where the spec leaves the
value to it: a body that stays valid against its schema (so response_schema_conformance passes
it) and is still wrong to every Telnyx client, which only the value checks see.

Each changes the first field of the success body's `data` object (or first item) that the
convention governs there, as `strategies/conventions.py` decides it: no `format`, `pattern`,
`enum` or `const` of its own, no documented value that breaks the convention, no discriminator.
"""

import random
from collections.abc import Callable

import phonenumbers
import pycountry

from conformance.server.context import Context
from spec.index import SpecIndex
from strategies import names
from strategies.conventions import COUNTRY, CURRENCY, PHONE, RECORD_TYPE, TIMESTAMP, field_kind, place_of_schema

Change = Callable[[dict, dict, dict], bool]


def _governed(index: SpecIndex, target: dict, properties: dict, kind: str) -> list[str]:
    """The fields of `target` the convention of `kind` governs, in body order."""
    return [
        name
        for name, value in target.items()
        if isinstance(value, str)
        and value
        and field_kind(name) == kind
        and name in properties
        and place_of_schema(index, properties[name]).judged(kind)
    ]


def _first(kind: str, replace: Callable[[str], str | None]) -> Callable[[Context], Change]:
    """A rewrite factory: the first governed field of `kind` gets `replace(value)` (a field it
    has no replacement for, None, is left for the next)."""

    def factory(ctx: Context) -> Change:
        def change(target: dict, schema: dict, properties: dict) -> bool:
            for name in _governed(ctx.index, target, properties, kind):
                replaced = replace(target[name])
                if replaced is not None and replaced != target[name]:
                    target[name] = replaced
                    return True
            return False

        return change

    return factory


def _alpha3(code: str) -> str:
    """The same country, as a 3-letter code (`US` -> `USA`): ISO 3166-1 alpha-3, not alpha-2."""
    country = pycountry.countries.get(alpha_2=code.upper())
    return country.alpha_3 if country is not None else "USA"


def _camel(value: str) -> str:
    """`messaging_profile` -> `MessagingProfile`: a class name where Telnyx writes a type name."""
    return "".join(part[:1].upper() + part[1:] for part in value.replace("-", "_").split("_")) or "Record"


# 12/07/2026 10:00: the US locale's way, which parses as July 12th in most others.
non_rfc3339_timestamp = _first(TIMESTAMP, lambda value: "12/07/2026 10:00")
invalid_country_code = _first(COUNTRY, _alpha3)
invalid_currency_code = _first(CURRENCY, lambda value: value.lower() if value.lower() != value else "usd")
record_type_malformed = _first(RECORD_TYPE, _camel)


def e164_wrong_country(ctx: Context) -> Change:
    """A valid E.164 number of another country than the object's `country_code`: a +44 number
    on a US address (each valid on its own, so no format can tell)."""

    def change(target: dict, schema: dict, properties: dict) -> bool:
        region = target.get("country_code")
        if not isinstance(region, str) or region not in phonenumbers.SUPPORTED_REGIONS:
            return False
        if "country_code" not in _governed(ctx.index, target, properties, COUNTRY):
            return False
        other = "DE" if phonenumbers.country_code_for_region(region) == 44 else "GB"
        for name in _governed(ctx.index, target, properties, PHONE):
            target[name] = names.phone(random.Random(len(target)), other)
            return True
        return False

    return change
