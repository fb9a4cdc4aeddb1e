"""E.164 phone numbers that are valid for their country's numbering plan.

A regex such as `\\+\\d{8,15}` yields numbers no carrier API accepts (unassigned country codes,
impossible lengths), so a server's validation rejects them and the interesting code behind it
never runs. phonenumbers knows every plan: we start from its example number for each region and
number type, vary the trailing digits, and keep a variant only when it is still valid."""

from functools import cache, lru_cache

import phonenumbers
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from strategies._validation import check_type

# The number types Telnyx sells or routes to; each has an example per region in phonenumbers' metadata.
NUMBER_TYPES = (
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.VOIP,
)
# At most this many trailing digits are varied: enough to spread numbers over a plan's
# ranges, few enough that most variants stay inside a valid range.
MAX_VARIED_DIGITS = 4


@cache
def region_examples(region: str) -> tuple[phonenumbers.PhoneNumber, ...]:
    """phonenumbers' valid example numbers for `region`, one per number type it has."""
    found = []
    for number_type in NUMBER_TYPES:
        example = phonenumbers.example_number_for_type(region, number_type)
        if example is not None and phonenumbers.is_valid_number(example) and example not in found:
            found.append(example)
    return tuple(found)


@lru_cache(maxsize=1)
def supported_regions() -> tuple[str, ...]:
    """The regions (sorted) with at least one valid example number: those `e164` can draw for."""
    return tuple(sorted(region for region in phonenumbers.SUPPORTED_REGIONS if region_examples(region)))


def vary(example: phonenumbers.PhoneNumber, digits: str) -> phonenumbers.PhoneNumber:
    """`example` with its last len(`digits`) national digits replaced, when that is still a valid
    number; else `example` itself (so every draw is valid without a filter that could starve)."""
    national = str(example.national_number)
    if not digits or len(digits) >= len(national):
        return example
    candidate = phonenumbers.PhoneNumber(
        country_code=example.country_code,
        national_number=int(national[: -len(digits)] + digits),
        italian_leading_zero=example.italian_leading_zero,
        number_of_leading_zeros=example.number_of_leading_zeros,
    )
    return candidate if phonenumbers.is_valid_number(candidate) else example


def phone_numbers(region: str | None = None) -> st.SearchStrategy[phonenumbers.PhoneNumber]:
    """Valid `phonenumbers.PhoneNumber`s in `region` (an ISO alpha-2 code as phonenumbers names
    regions), or in any supported region when None."""
    if region is None:
        regions: st.SearchStrategy[str] = st.sampled_from(supported_regions())
    else:
        check_type("region", region, str)
        if region.upper() not in supported_regions():
            raise InvalidArgument(f"region={region!r} is not a region phonenumbers has example numbers for")
        regions = st.just(region.upper())
    examples = regions.flatmap(lambda code: st.sampled_from(region_examples(code)))
    digits = st.text(alphabet="0123456789", max_size=MAX_VARIED_DIGITS)
    return st.builds(vary, examples, digits)


def e164(region: str | None = None) -> st.SearchStrategy[str]:
    """Valid phone numbers as E.164 strings (`+14155550123`), in `region` or any region."""
    return phone_numbers(region).map(
        lambda number: phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    )


def short_codes() -> st.SearchStrategy[str]:
    """SMS short codes (5 or 6 digits, no leading zero): what Telnyx messaging `address` fields
    accept beside E.164 numbers."""
    return st.integers(10_000, 999_999).map(str)
