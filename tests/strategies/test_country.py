"""strategies.country: real ISO 3166-1 / ISO 4217 codes, valid for the spec's fields."""

import re

import phonenumbers
import pycountry
import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from strategies.country import country_codes, currency_codes
from tests.strategies.conftest import assert_valid, first_schema

SETTINGS = settings(max_examples=60, deadline=None, database=None)


@SETTINGS
@given(code=country_codes())
def test_country_codes_are_iso_and_valid_for_the_spec(index, code: str) -> None:  # type: ignore[no-untyped-def]
    patterned = first_schema(index, lambda p, s: p.endswith("/country_code") and s.get("pattern") == "^[A-Z]{2}$")
    sized = first_schema(index, lambda p, s: p.endswith("/country_code") and s.get("maxLength") == 2)
    assert_valid(index, patterned, code)
    assert_valid(index, sized, code)
    assert pycountry.countries.get(alpha_2=code) is not None


@SETTINGS
@given(code=country_codes(dialable=True))
def test_dialable_codes_have_a_numbering_plan(code: str) -> None:
    assert code in phonenumbers.SUPPORTED_REGIONS
    assert pycountry.countries.get(alpha_2=code) is not None


@SETTINGS
@given(code=currency_codes())
def test_currency_codes_are_iso4217(index, code: str) -> None:  # type: ignore[no-untyped-def]
    pointer = first_schema(index, lambda _, s: s.get("format") == "iso4217")
    assert_valid(index, pointer, code)
    assert re.fullmatch("[A-Z]{3}", code)
    assert pycountry.currencies.get(alpha_3=code) is not None


def test_a_bad_dialable_is_named() -> None:
    with pytest.raises(InvalidArgument, match="dialable='yes'"):
        country_codes(dialable="yes")  # type: ignore[arg-type]
