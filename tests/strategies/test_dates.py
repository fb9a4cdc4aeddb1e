"""strategies.dates: ISO dates and UTC date-times valid for the spec, and ordered ranges."""

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis.errors import InvalidArgument

from strategies.dates import date_ranges, dates, datetime_ranges, datetimes
from tests.strategies.conftest import assert_valid, first_schema

SETTINGS = settings(max_examples=60, deadline=None, database=None)
OCCURRED_AT = "/components/parameters/call-control_FilterConsolidated/schema/properties/occurred_at"


@SETTINGS
@given(value=dates())
def test_dates_are_valid_for_format_date(index, value: str) -> None:  # type: ignore[no-untyped-def]
    assert_valid(index, first_schema(index, lambda _, s: s.get("format") == "date"), value)
    assert dt.date.fromisoformat(value)


@SETTINGS
@given(value=datetimes(), precise=datetimes(timespec="microseconds"))
def test_datetimes_are_utc_and_valid_for_format_date_time(index, value: str, precise: str) -> None:  # type: ignore[no-untyped-def]
    pointer = first_schema(index, lambda _, s: s.get("format") == "date-time")
    for drawn in (value, precise):
        assert_valid(index, pointer, drawn)
        assert drawn.endswith("Z")
        assert dt.datetime.fromisoformat(drawn).utcoffset() == dt.timedelta(0)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value)


@SETTINGS
@given(window=datetime_ranges())
def test_datetime_ranges_are_ordered_and_fit_a_gte_lte_filter(index, window: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    start, end = window
    assert dt.datetime.fromisoformat(start) <= dt.datetime.fromisoformat(end)
    assert_valid(index, OCCURRED_AT, {"gte": start, "lte": end})


@SETTINGS
@given(window=date_ranges(dt.date(2024, 2, 28), dt.date(2024, 3, 1)))
def test_date_ranges_are_ordered_and_within_bounds(index, window: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    start, end = (dt.date.fromisoformat(value) for value in window)
    assert dt.date(2024, 2, 28) <= start <= end <= dt.date(2024, 3, 1)
    pointer = first_schema(index, lambda _, s: s.get("format") == "date")
    for value in window:
        assert_valid(index, pointer, value)


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: dates(dt.date(2025, 1, 2), dt.date(2025, 1, 1)), "min_value=datetime.date(2025, 1, 2)"),
        (lambda: dates("2025-01-01"), "min_value='2025-01-01'"),
        (lambda: date_ranges(max_value=dt.datetime(2025, 1, 1)), "max_value=datetime.datetime"),
        (lambda: datetimes(timespec="hours"), "timespec='hours'"),
        (lambda: datetime_ranges(timespec="nanos"), "timespec='nanos'"),
    ],
)
def test_bad_arguments_are_named(build, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument, match=re.escape(name)):
        build()
