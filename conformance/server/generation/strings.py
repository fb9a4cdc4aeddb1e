"""String makers: formats, telephone numbers, readable free text within length bounds."""

from __future__ import annotations

import base64
import random
import re
import uuid
from functools import lru_cache
from typing import Any

from conformance.server.generation.flatten import Flat

# Property names that, on a plain string, mean a telephone number in Telnyx's API.
PHONE_NAMES = frozenset(
    {"to", "from", "cc", "number", "ani", "dnis", "did", "tn", "caller_id_number", "callee_number", "msisdn"}
)


PHONE_FORMATS = frozenset({"e164", "+e.164", "e.164", "address", "phone", "phone-number"})
_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789"


def random_token(rng: random.Random, length: int = 6) -> str:
    """Lowercase alphanumerics from one draw of random bits (a choice() per character was the
    single largest cost of a typical response)."""
    bits = rng.getrandbits(6 * length)
    chars = []
    for _ in range(length):
        bits, digit = divmod(bits, 36)
        chars.append(_ALPHANUMERIC[digit])
    return "".join(chars)


def phone_number(rng: random.Random) -> str:
    """A North American number in the 555-01XX-style fictional range Telnyx docs use."""
    return f"+1312555{rng.randrange(10000):04d}"


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2020, 2025):04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _time(rng: random.Random) -> str:
    return f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"


FORMATS: dict[str, Any] = {
    "date-time": lambda rng: f"{_date(rng)}T{_time(rng)}",
    "date": _date,
    "time": _time,
    "duration": lambda rng: f"PT{rng.randint(1, 59)}M",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "email": lambda rng: f"user.{random_token(rng)}@example.com",
    "idn-email": lambda rng: f"user.{random_token(rng)}@example.com",
    "uri": lambda rng: f"https://example.com/{random_token(rng)}",
    "url": lambda rng: f"https://example.com/{random_token(rng)}",
    "iri": lambda rng: f"https://example.com/{random_token(rng)}",
    "uri-reference": lambda rng: f"/{random_token(rng)}",
    "iri-reference": lambda rng: f"/{random_token(rng)}",
    "uri-template": lambda rng: f"https://example.com/{random_token(rng)}/{{id}}",
    "hostname": lambda rng: f"host-{random_token(rng)}.example.com",
    "idn-hostname": lambda rng: f"host-{random_token(rng)}.example.com",
    "ipv4": lambda rng: f"192.0.2.{rng.randint(1, 254)}",
    "ipv6": lambda rng: f"2001:db8::{rng.randrange(1, 0xFFFF):x}",
    "byte": lambda rng: base64.b64encode(rng.randbytes(rng.randint(6, 12))).decode(),
    "binary": lambda rng: random_token(rng, 12),
    "json-pointer": lambda rng: f"/data/{random_token(rng, 4)}",
    "relative-json-pointer": lambda rng: f"0/{random_token(rng, 4)}",
    "regex": lambda rng: "^[a-z]+$",
    "decimal": lambda rng: f"{rng.randint(0, 999)}.{rng.randrange(100):02d}",
    "iso4217": lambda rng: rng.choice(("USD", "EUR", "GBP")),
    "mime-type": lambda rng: rng.choice(("application/json", "text/plain", "image/png")),
    "int32": lambda rng: str(rng.randint(1, 100000)),
    "int64": lambda rng: str(rng.randint(1, 10**12)),
}


def plausible(fmt: str | None, value: Any) -> bool:
    """Sanity for formats jsonschema-rs does not check: a spec example of "+E.164" or
    "[Base64 encoded content]" is schema-valid but useless as data, so we generate instead."""
    if not isinstance(value, str) or fmt is None:
        return True
    key = fmt.lower()
    if key == "address":  # messaging: a +E.164 number, a short code or an alphanumeric sender ID
        return re.fullmatch(r"\+?[0-9]{3,15}|[A-Za-z0-9 ]{1,11}", value) is not None
    if key in PHONE_FORMATS:
        return re.fullmatch(r"\+?[1-9][0-9]{6,14}", value) is not None
    if key == "byte":
        try:
            base64.b64decode(value, validate=True)
        except ValueError:
            return False
    if key == "decimal":
        try:
            float(value)
        except ValueError:
            return False
    return True


def looks_like_phone(flat: Flat, name: str | None) -> bool:
    if flat.format and flat.format.lower() in PHONE_FORMATS:
        return True
    if any(p.startswith(("^\\+", "\\+")) for p in flat.patterns):
        return True
    if name is None or flat.format is not None:
        return False
    lowered = name.lower()
    return "phone" in lowered or lowered in PHONE_NAMES or lowered.endswith(("_number", "_phone"))


@lru_cache(maxsize=4096)
def _stem(name: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (name or "string").lower()).strip("-") or "string"


def free_string(rng: random.Random, name: str | None, low: int, high: int | None) -> str:
    """A readable string, "name-x7k2p9", stretched or cut to the length bounds."""
    token = random_token(rng)
    text = f"{_stem(name)}-{token}"
    if high is not None and len(text) > high:
        text = (token + random_token(rng, high))[:high]
    if len(text) < low:
        text += random_token(rng, low - len(text))
    return text
