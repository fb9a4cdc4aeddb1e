"""ISO 3166-1 alpha-2 country codes and ISO 4217 currency codes, as Telnyx fields carry them.

The official lists come from `pycountry` (ISO's own data): phonenumbers' regions are not the
same set (they add AC, TA and XK, which are not ISO 3166-1 assignments, and lack AQ, BV...)."""

from functools import lru_cache

import phonenumbers
import pycountry
from hypothesis import strategies as st

from strategies._validation import check_type


@lru_cache(maxsize=1)
def iso_country_codes() -> tuple[str, ...]:
    """Every officially assigned ISO 3166-1 alpha-2 code, sorted (so draws shrink to "AD")."""
    return tuple(sorted(country.alpha_2 for country in pycountry.countries))


@lru_cache(maxsize=1)
def dialable_country_codes() -> tuple[str, ...]:
    """The ISO codes that also have a numbering plan in phonenumbers: those a phone number can
    belong to (Telnyx pairs `country_code` with `phone_number` in number searches and orders)."""
    return tuple(code for code in iso_country_codes() if code in phonenumbers.SUPPORTED_REGIONS)


@lru_cache(maxsize=1)
def iso_currency_codes() -> tuple[str, ...]:
    """Every ISO 4217 alphabetic currency code, sorted."""
    return tuple(sorted(currency.alpha_3 for currency in pycountry.currencies))


def country_codes(*, dialable: bool = False) -> st.SearchStrategy[str]:
    """ISO 3166-1 alpha-2 codes; with `dialable=True`, only those phonenumbers has a plan for."""
    check_type("dialable", dialable, bool)
    return st.sampled_from(dialable_country_codes() if dialable else iso_country_codes())


def currency_codes() -> st.SearchStrategy[str]:
    """ISO 4217 alphabetic codes, for `format: iso4217` fields (cost and rate currencies)."""
    return st.sampled_from(iso_currency_codes())
