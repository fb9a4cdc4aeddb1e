"""String formats of the Telnyx spec that schemathesis has no generator for, registered with it.

`format` values in the spec (counts of schemas): uuid 559, date-time 383, uri 104, int64 98,
date 80, int32 74, url 49, binary 16, decimal 16, address 15, +E.164 12, iso4217 10,
json-pointer 9, float 9, double 8, email 5, integer 4, mime-type 3, E164 2, boolean 1, e164 1,
E.164 1, +e164 1, byte 1. What each registered format accepts is defined in `spec/formats.py`,
which the reference server validates with.

schemathesis 4 already generates valid uuid, date-time, date, uri, email, binary, byte and
json-pointer values, and for date-time, uri, email and binary it narrows generation to a
schema's min/maxLength; registering a strategy under one of those names would switch that
narrowing off (`format_lengths_for` skips caller-supplied names), so they are left alone.
int32/int64/float/double/integer/boolean are numeric annotations, not string formats.
Unknown to schemathesis, and so drawn as arbitrary text that a server rejects at once, are the
phone-number spellings, `address`, `iso4217`, `decimal`, `url` and `mime-type`: those are
registered here."""

import string
import threading
from decimal import Decimal

from hypothesis import strategies as st

from spec.formats import PHONE_FORMATS
from strategies.country import currency_codes
from strategies.phone import e164, short_codes

MIME_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "audio/mpeg",
    "audio/wav",
    "video/mp4",
    "application/pdf",
    "text/plain",
    "text/vcard",
)
_LABEL = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=10)


def decimal_strings() -> st.SearchStrategy[str]:
    """Non-negative amounts in plain notation (`"0.0051"`, never `"5.1E-3"`), as Telnyx writes
    costs and rates in `format: decimal` strings."""
    amounts = st.decimals(min_value=0, max_value=Decimal("100000"), places=4, allow_nan=False, allow_infinity=False)
    return amounts.map(lambda amount: format(amount, "f"))


def urls() -> st.SearchStrategy[str]:
    """https URLs under `.example.com` (RFC 2606: reserved, so a server that calls a webhook
    URL it was given reaches nobody's host)."""
    path = st.lists(_LABEL, max_size=3).map(lambda parts: "/" + "/".join(parts))
    return st.builds("https://{}.example.com{}".format, _LABEL, path)


def addresses() -> st.SearchStrategy[str]:
    """Messaging addresses: an E.164 number, mostly, or a short code."""
    return st.one_of(e164(), short_codes())


def mime_types() -> st.SearchStrategy[str]:
    """MIME types of the media Telnyx messaging carries."""
    return st.sampled_from(MIME_TYPES)


def telnyx_formats() -> dict[str, st.SearchStrategy[str]]:
    """Format name -> strategy for every format `register_formats` registers."""
    phone = e164()
    return {
        **dict.fromkeys(PHONE_FORMATS, phone),
        "address": addresses(),
        "iso4217": currency_codes(),
        "decimal": decimal_strings(),
        "url": urls(),
        "mime-type": mime_types(),
    }


_lock = threading.Lock()
_registered: dict[str, object] = {}  # name -> the entry schemathesis stored for it


def register_formats() -> tuple[str, ...]:
    """Register `telnyx_formats()` with schemathesis and return the names registered.

    Idempotent: a name whose schemathesis entry is still the one this function stored is not
    registered again, so repeated calls (each test module, each run hook) neither replace
    strategies nor clear schemathesis' strategy caches, which every registration does."""
    import schemathesis
    from schemathesis.specs.openapi.formats import STRING_FORMATS

    with _lock:
        for name, strategy in telnyx_formats().items():
            if name in _registered and STRING_FORMATS.get(name) is _registered[name]:
                continue
            schemathesis.openapi.format(name, strategy)
            _registered[name] = STRING_FORMATS[name]
        return tuple(_registered)
