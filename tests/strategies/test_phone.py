"""strategies.phone: E.164 numbers valid for their plan and for the spec's phone-number schemas."""

import re

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from strategies.phone import e164, phone_numbers, short_codes, supported_regions
from tests.strategies.conftest import assert_valid, first_schema

SETTINGS = settings(max_examples=60, deadline=None, database=None)


@SETTINGS
@given(number=e164(), data=st.data())
def test_e164_numbers_are_valid_for_the_spec_phone_formats(index, number: str, data) -> None:  # type: ignore[no-untyped-def]
    fmt = data.draw(st.sampled_from(["+E.164", "e164", "E164", "E.164", "address"]))
    pointer = first_schema(index, lambda _, s: s.get("format") == fmt and s.get("type") == "string")
    assert_valid(index, pointer, number)
    parsed = phonenumbers.parse(number)
    assert phonenumbers.is_valid_number(parsed)
    assert number == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@SETTINGS
@given(data=st.data())
def test_region_numbers_belong_to_their_region(data) -> None:  # type: ignore[no-untyped-def]
    region = data.draw(st.sampled_from(supported_regions()))
    number = data.draw(phone_numbers(region))
    assert phonenumbers.is_valid_number_for_region(number, region)


@SETTINGS
@given(number=e164("US"))
def test_nanp_numbers_match_the_spec_nanp_pattern(index, number: str) -> None:  # type: ignore[no-untyped-def]
    pointer = first_schema(index, lambda p, s: p.endswith("/phone_number") and s.get("pattern") == r"^\+1\d{10}$")
    assert_valid(index, pointer, number)


@SETTINGS
@given(code=short_codes())
def test_short_codes_are_five_or_six_digits(code: str) -> None:
    assert re.fullmatch(r"[1-9]\d{4,5}", code)


@SETTINGS
@given(number=e164())
def test_drawn_numbers_vary_beyond_the_examples(number: str) -> None:
    assert re.fullmatch(r"\+[1-9]\d{6,14}", number)


def test_numbers_are_not_only_the_library_examples() -> None:
    examples = {
        phonenumbers.format_number(phonenumbers.example_number_for_type(r, t), phonenumbers.PhoneNumberFormat.E164)
        for r in ["US"]
        for t in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)
    }
    drawn = set()

    @settings(max_examples=40, database=None)
    @given(e164("US"))
    def collect(number: str) -> None:
        drawn.add(number)

    collect()
    assert drawn - examples


@pytest.mark.parametrize(("region", "message"), [("ZZ", "region='ZZ'"), (1, "region=1"), ("", "region=''")])
def test_a_bad_region_is_named(region, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        e164(region).validate()
