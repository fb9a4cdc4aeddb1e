"""The name rules make values of the kind their name says, for the server (seeded Random) and
for Hypothesis alike."""

import random
from datetime import datetime

import phonenumbers
import pytest
from hypothesis import given, settings

from strategies import names
from strategies.country import iso_country_codes, iso_currency_codes


@pytest.mark.parametrize(
    ("name", "kind"),
    [("created_at", "timestamp"), ("occurred_at", "timestamp"), ("country_code", "country"),
     ("iso_country_code", "country"), ("phone_number", "phone"), ("to", "phone"), ("from", "phone"),
     ("currency", "currency"), ("webhook_url", "url"), ("email", "email"), ("amount", "amount"), ("id", "uuid"),
     ("name", None), ("connection_id", "numeric_id"), ("billing_group_id", "uuid"), ("record_type", None),
     (None, None)],
)  # fmt: skip
def test_names_say_their_kind(name: str | None, kind: str | None) -> None:
    assert names.kind_of(name) == kind


def valid(kind: str, value: str) -> bool:
    if kind == "timestamp":
        return datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None and value.endswith("Z")
    if kind == "phone":
        return phonenumbers.is_valid_number(phonenumbers.parse(value))
    if kind == "country":
        return value in iso_country_codes()
    if kind == "currency":
        return value in iso_currency_codes()
    if kind == "amount":
        return float(value) >= 0 and len(value.split(".")[1]) == 2
    return bool(value)


@pytest.mark.parametrize("kind", sorted(names.MAKERS))
def test_the_server_side_makers_are_valid_and_stable_per_seed(kind: str) -> None:
    values = [names.make(kind, random.Random(seed)) for seed in range(50)]
    assert all(valid(kind, v) for v in values)
    assert values == [names.make(kind, random.Random(seed)) for seed in range(50)]


@settings(max_examples=50, deadline=None)
@given(names.strategy("phone"))
def test_the_hypothesis_strategy_draws_the_same_kind(value: str) -> None:
    assert valid("phone", value)


def test_a_number_for_a_country_belongs_to_it() -> None:
    for region in ("US", "GB", "DE", "BR"):
        number = phonenumbers.parse(names.phone(random.Random(7), region))
        assert phonenumbers.region_code_for_number(number) == region


def test_record_types_are_the_schema_name_in_snake_case() -> None:
    assert names.record_type("MessagingProfile") == "messaging_profile"
    assert names.record_type("PhoneNumberResponse") == "phone_number"


def test_an_unknown_kind_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="kind='nope'"):
        names.strategy("nope")


@pytest.mark.parametrize("kind", ["timestamp", "country", "currency", "phone"])
def test_what_the_rules_make_the_value_checks_accept(kind: str) -> None:
    """The judging side (strategies/conventions.py) accepts every value the making side makes,
    for the server and for Hypothesis: a clean target built on these rules passes the checks."""
    from hypothesis import find
    from hypothesis.errors import NoSuchExample

    from strategies.conventions import convention_problem

    made = [names.make(kind, random.Random(seed)) for seed in range(50)]
    assert [v for v in made if convention_problem(kind, v)] == []
    with pytest.raises(NoSuchExample):  # no draw Hypothesis finds breaks it
        find(names.strategy(kind), lambda v: bool(convention_problem(kind, v)), settings=settings(max_examples=50))


def test_record_types_the_generator_names_are_snake_case() -> None:
    from strategies.conventions import convention_problem

    for schema in ("MessagingProfile", "usage-reports_record_type", "SIMCard", "Detail Record", "---"):
        assert convention_problem("record_type", names.record_type(schema)) is None, schema
