"""`format` as a strict client asserts it, for the spec's string formats.

The structural validation keeps openapi-spec-validator's lenient format checker (it does not
check `uri`, and knows no Telnyx format). A contract test is stricter: schemathesis treats a
value as invalid when jsonschema-rs (with format validation on) rejects it, and treats any
value of a format registered with it (the Telnyx formats of `strategies/formats.py`) as
invalid once the format is mutated. A conforming server must reject those values and accept
the rest, and a spec whose own defaults or examples break their format misleads both. One
definition serves the reference server, the audit and the strategies' tests.
"""

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from spec.validate import OasFormat30, OasFormat31
from spec.validate import format_ok as lenient_format_ok

_E164 = re.compile(r"\+[1-9][0-9]{1,14}")
_SHORT_CODE = re.compile(r"[1-9][0-9]{4,5}")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@]+(@[^\s/?#]+)?([/?#][^\s]*)?")
_MIME = re.compile(r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?")

# Names under which Telnyx writes phone numbers (the spec spells E.164 five ways).
PHONE_FORMATS = ("+E.164", "E.164", "E164", "e164", "+e164")


def is_e164(text: str) -> bool:
    return _E164.fullmatch(text) is not None


def is_address(text: str) -> bool:
    """A messaging address: an E.164 number or an SMS short code."""
    return is_e164(text) or _SHORT_CODE.fullmatch(text) is not None


def is_decimal(text: str) -> bool:
    """An amount in plain notation, as Telnyx writes costs (`"0.0051"`)."""
    return _DECIMAL.fullmatch(text) is not None


def is_url(text: str) -> bool:
    """An absolute URL: a scheme, `://` and a host."""
    return _URL.fullmatch(text) is not None


def is_mime_type(text: str) -> bool:
    return _MIME.fullmatch(text) is not None


@cache
def _currencies() -> frozenset[str]:
    import pycountry

    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def is_currency(text: str) -> bool:
    return text in _currencies()


TELNYX_FORMATS: dict[str, Callable[[str], bool]] = {
    **dict.fromkeys(PHONE_FORMATS, is_e164),
    "address": is_address,
    "iso4217": is_currency,
    "decimal": is_decimal,
    "url": is_url,
    "mime-type": is_mime_type,
}


@cache
def _standard(name: str) -> Callable[[Any], bool]:
    """jsonschema-rs' own check of a JSON Schema format (unknown names accept anything)."""
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator({"format": name}, validate_formats=True).is_valid


def strict_format_ok(fmt: str, value: Any, *, oas30: bool = False) -> bool:
    """Does `value` satisfy `fmt` as a strict client checks it? OAS number formats (int32,
    int64) and `byte` as openapi-spec-validator checks them; Telnyx formats by their
    definitions here; every other string format as jsonschema-rs asserts it."""
    if not isinstance(value, str):
        return lenient_format_ok(fmt, value, oas30=oas30)
    if fmt == "byte":
        return lenient_format_ok(fmt, value, oas30=oas30)
    check = TELNYX_FORMATS.get(fmt)
    if check is not None:
        return check(value)
    return _standard(fmt)(value)


class StrictFormat31(OasFormat31):
    """The `format` keyword for jsonschema-rs, checking `strict_format_ok`."""

    check = staticmethod(strict_format_ok)


class StrictFormat30(OasFormat30):
    """As StrictFormat31; 3.0 `nullable` lets null through every format."""

    check = staticmethod(strict_format_ok)
