"""ISO 8601 dates and UTC date-times, and ordered ranges of them, as Telnyx filters take them.

Telnyx filters pair bounds (`filter[created_at][gte]`/`[lte]`, `start_date`/`end_date`) and
answer an inverted range with a 400 before any query runs: drawing start <= end keeps a test
on the code that searches. Times are UTC with a `Z`, as every Telnyx example writes them."""

import datetime as dt

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from strategies._validation import check_range

# A window around the present that the API's records plausibly span; far dates are valid
# RFC 3339 but only probe date parsing, which the built-in format generators already do.
DEFAULT_MIN_DATE = dt.date(2010, 1, 1)
DEFAULT_MAX_DATE = dt.date(2035, 12, 31)
TIMESPECS = ("seconds", "milliseconds", "microseconds")


def _check_dates(min_value: dt.date, max_value: dt.date) -> None:
    for name, value in (("min_value", min_value), ("max_value", max_value)):
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise InvalidArgument(f"{name}={value!r} must be a datetime.date, not {type(value).__name__}")
    check_range("min_value", min_value, "max_value", max_value)


def _check_timespec(timespec: str) -> None:
    if timespec not in TIMESPECS:
        raise InvalidArgument(f"timespec={timespec!r} must be one of {', '.join(TIMESPECS)}")


def iso_date(value: dt.date) -> str:
    """`2024-02-29`: RFC 3339 full-date, what `format: date` means."""
    return value.isoformat()


def iso_datetime_utc(value: dt.datetime, timespec: str = "seconds") -> str:
    """`2024-02-29T13:05:00Z` for a naive (taken as UTC) or aware datetime."""
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec=timespec) + "Z"


def _datetimes(min_value: dt.date, max_value: dt.date) -> st.SearchStrategy[dt.datetime]:
    """Naive UTC datetimes from the start of `min_value` to the end of `max_value`."""
    return st.datetimes(
        min_value=dt.datetime.combine(min_value, dt.time.min), max_value=dt.datetime.combine(max_value, dt.time.max)
    )


def dates(min_value: dt.date = DEFAULT_MIN_DATE, max_value: dt.date = DEFAULT_MAX_DATE) -> st.SearchStrategy[str]:
    """ISO 8601 dates (`YYYY-MM-DD`) between the bounds, inclusive."""
    _check_dates(min_value, max_value)
    return st.dates(min_value, max_value).map(iso_date)


def datetimes(
    min_value: dt.date = DEFAULT_MIN_DATE, max_value: dt.date = DEFAULT_MAX_DATE, *, timespec: str = "seconds"
) -> st.SearchStrategy[str]:
    """ISO 8601 UTC date-times (`YYYY-MM-DDTHH:MM:SSZ`) on the days between the bounds."""
    _check_dates(min_value, max_value)
    _check_timespec(timespec)
    return _datetimes(min_value, max_value).map(lambda value: iso_datetime_utc(value, timespec))


def _ordered(pair: tuple, render) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    start, end = sorted(pair)
    return render(start), render(end)


def date_ranges(
    min_value: dt.date = DEFAULT_MIN_DATE, max_value: dt.date = DEFAULT_MAX_DATE
) -> st.SearchStrategy[tuple[str, str]]:
    """(start, end) ISO dates with start <= end (equal is allowed: a one-day range)."""
    _check_dates(min_value, max_value)
    day = st.dates(min_value, max_value)
    return st.tuples(day, day).map(lambda pair: _ordered(pair, iso_date))


def datetime_ranges(
    min_value: dt.date = DEFAULT_MIN_DATE, max_value: dt.date = DEFAULT_MAX_DATE, *, timespec: str = "seconds"
) -> st.SearchStrategy[tuple[str, str]]:
    """(start, end) UTC date-times with start <= end, for `gte`/`lte` filter pairs."""
    _check_dates(min_value, max_value)
    _check_timespec(timespec)
    moment = _datetimes(min_value, max_value)
    return st.tuples(moment, moment).map(lambda pair: _ordered(pair, lambda v: iso_datetime_utc(v, timespec)))
