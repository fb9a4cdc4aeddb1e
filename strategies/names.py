"""What a property's name says its value is, in the Telnyx API: one table of rules that both
the run's generated requests and the reference server's generated answers follow.

Many Telnyx schemas leave the format out (`created_at: {type: string}`, `country_code: {type:
string}`), so a generator that only reads formats answers `"created_at": "created-at-kuvcbj"`:
schema-valid, and useless, and it lets a checker that validates dates or E.164 pass on garbage
it never saw. A rule here names the kind (`timestamp`, `country`, `phone`, `currency`, `email`,
`url`, `amount`, `uuid`) and makes a value from a seeded `random.Random`, so the server's
answers are stable per seed; `strategy(kind)` draws the same values for Hypothesis.
"""

import random
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import phonenumbers
from hypothesis import strategies as st

from strategies.country import dialable_country_codes, iso_currency_codes
from strategies.phone import region_examples, vary

Maker = Callable[[random.Random], str]
EPOCH = datetime(2021, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 4 * 365 * 24 * 3600  # 2021-2024: past, plausible, and before any "now"
# Regions the rules draw numbers and countries from: where Telnyx sells most numbers (a country
# code and a number drawn together always agree).
COMMON_REGIONS = ("US", "CA", "GB", "DE", "FR", "NL", "AU", "ES", "IE", "BR", "MX", "IT")


def timestamp(rng: random.Random) -> str:
    """An RFC 3339 date-time in UTC, to the second (`2023-05-12T10:11:12Z`)."""
    moment = EPOCH + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def country(rng: random.Random) -> str:
    return rng.choice(COMMON_REGIONS)


def phone(rng: random.Random, region: str | None = None) -> str:
    """An E.164 number valid for `region` (ISO alpha-2), or for a common region."""
    region = (region or country(rng)).upper()
    examples = region_examples(region) if region in _dialable() else ()
    if not examples:
        examples = region_examples("US")
    digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 4)))
    number = vary(rng.choice(examples), digits)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=1)
def _dialable() -> frozenset[str]:
    return frozenset(dialable_country_codes())


def currency(rng: random.Random) -> str:
    return rng.choice(("USD", "EUR", "GBP", "CAD", "AUD")) if rng.random() < 0.9 else rng.choice(iso_currency_codes())


def email(rng: random.Random) -> str:
    return f"{rng.choice(('alex', 'sam', 'kim', 'noor', 'li'))}.{rng.randrange(1000)}@example.com"


def url(rng: random.Random) -> str:
    return f"https://example.com/{rng.choice(('webhooks', 'callbacks', 'events'))}/{rng.randrange(10_000)}"


def amount(rng: random.Random) -> str:
    """A money amount as Telnyx writes it: a decimal string with two places (`"12.50"`)."""
    return f"{rng.randrange(0, 500)}.{rng.randrange(100):02d}"


def numeric_id(rng: random.Random) -> str:
    """An int64 id as a decimal string, as Telnyx writes connection and address ids."""
    return str(rng.randrange(10**17, 10**19 - 1))


def first_name(rng: random.Random) -> str:
    return rng.choice(("Alex", "Maria", "Sam", "Noor", "Kenji", "Ana", "Liam", "Zoe"))


def last_name(rng: random.Random) -> str:
    return rng.choice(("Smith", "Garcia", "Okafor", "Müller", "Tanaka", "Rossi", "Dubois", "Kowalski"))


def business_name(rng: random.Random) -> str:
    return f"{last_name(rng)} {rng.choice(('Telecom', 'Logistics', 'Health', 'Labs', 'Studio'))}"


def locality(rng: random.Random) -> str:
    return rng.choice(("Chicago", "Austin", "Toronto", "London", "Berlin", "Madrid", "Dublin", "Sydney"))


def postal_code(rng: random.Random) -> str:
    return f"{rng.randrange(10000, 99999)}"


def street_address(rng: random.Random) -> str:
    return f"{rng.randrange(1, 999)} {rng.choice(('Main St', 'Market St', 'King St', 'Elm Ave'))}"


def uuid(rng: random.Random) -> str:
    import uuid as uuids

    return str(uuids.UUID(int=rng.getrandbits(128), version=4))


MAKERS: dict[str, Maker] = {
    "timestamp": timestamp,
    "country": country,
    "phone": phone,
    "currency": currency,
    "email": email,
    "url": url,
    "amount": amount,
    "uuid": uuid,
    "numeric_id": numeric_id,
    "first_name": first_name,
    "last_name": last_name,
    "business_name": business_name,
    "locality": locality,
    "postal_code": postal_code,
    "street_address": street_address,
}

# (name pattern, kind), first match wins. Names are Telnyx's own spellings, read off the spec.
RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (r"(^|_)(created|updated|deleted|occurred|started|ended|expires|expired|completed|sent|received"
         r"|requested|scheduled|answered|finalized|last_seen|inserted|modified)_at$", "timestamp"),
        (r"^occurred_at$|_at$", "timestamp"),
        (r"^(iso_)?country_code$|^country$|^(iso_)?country_iso$|^country_iso_alpha2$", "country"),
        (r"(^|_)phone_number$|^(to|from|cc|caller_id_number|callee_number|ani|dnis|msisdn)$", "phone"),
        (r"(^|_)currency$", "currency"),
        (r"(^|_)email$", "email"),
        (r"(^|_)(url|uri|webhook_url)$", "url"),
        (r"(^|_)(amount|cost|price|rate|balance|credit_limit)$", "amount"),
        (r"^(connection|address|emergency_address|outbound_voice_profile|credential_connection|fqdn_connection"
         r"|ip_connection|call_control_application|texml_application)_id$", "numeric_id"),
        (r"^(id|uuid)$|(^|_)uuid$|_id$", "uuid"),
        (r"^first_name$", "first_name"),
        (r"^last_name$", "last_name"),
        (r"^business_name$|^company(_name)?$", "business_name"),
        (r"^(locality|city)$", "locality"),
        (r"^postal_code$|^zip(_code)?$", "postal_code"),
        (r"^street_address$|^address_line_1$", "street_address"),
    )
)  # fmt: skip


def kind_of(name: str | None) -> str | None:
    """The kind a property's name says its value is (None: the name says nothing)."""
    if not name:
        return None
    lowered = name.lower()
    return next((kind for pattern, kind in RULES if pattern.search(lowered)), None)


def make(kind: str, rng: random.Random) -> str:
    return MAKERS[kind](rng)


def strategy(kind: str) -> st.SearchStrategy[str]:
    """The same values for Hypothesis: a seeded Random drawn by Hypothesis, then the rule's maker."""
    if kind not in MAKERS:
        raise ValueError(f"kind={kind!r} must be one of {', '.join(sorted(MAKERS))}")
    return st.randoms(use_true_random=False).map(MAKERS[kind])


def is_timestamp(*values: str) -> bool:
    """Do these strings all read as RFC 3339 date-times (so they compare as text in time order
    when written alike)?"""
    return all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", v) for v in values)


def record_type(schema_name: str) -> str:
    """Telnyx's record_type for a resource schema: its name in snake_case, without the
    request/response wrapping (`MessagingProfile` -> `messaging_profile`), as the value checks
    (`strategies/conventions.py`) accept it."""
    name = re.sub(r"(Response|Request|Body|Object|Schema)$", "", schema_name) or schema_name
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return re.sub(r"[^a-z0-9]+", "_", snake).strip("_") or "record"  # `usage-reports_x`: snake_case too
