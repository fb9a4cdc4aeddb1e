"""strategies.ids: id styles valid for the spec's id schemas, and the observed-id pool."""

import re
import threading
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, Unsatisfiable

from strategies.ids import (
    IdPool,
    api_key_ids,
    call_control_ids,
    existing_ids,
    numeric_ids,
    prefixed_ids,
    telnyx_ids,
    uuid_strings,
)
from tests.strategies.conftest import assert_valid, first_schema

SETTINGS = settings(max_examples=50, deadline=None, database=None)


def id_schema(index, fmt: str | None) -> str:  # type: ignore[no-untyped-def]
    return first_schema(
        index, lambda p, s: p.endswith("/properties/id") and s.get("type") == "string" and s.get("format") == fmt
    )


@SETTINGS
@given(value=uuid_strings())
def test_uuids_are_valid_for_uuid_id_schemas(index, value: str) -> None:  # type: ignore[no-untyped-def]
    assert_valid(index, id_schema(index, "uuid"), value)
    assert str(uuid.UUID(value)) == value


@SETTINGS
@given(value=numeric_ids())
def test_numeric_ids_are_valid_for_int64_string_ids(index, value: str) -> None:  # type: ignore[no-untyped-def]
    assert_valid(index, id_schema(index, "int64"), value)
    assert 1 <= int(value) < 2**63 and value == str(int(value))


@SETTINGS
@given(value=telnyx_ids())
def test_every_style_is_valid_for_plain_string_ids(index, value: str) -> None:  # type: ignore[no-untyped-def]
    assert_valid(index, id_schema(index, None), value)


@SETTINGS
@given(value=call_control_ids())
def test_call_control_ids_look_like_the_spec_examples(index, value: str) -> None:  # type: ignore[no-untyped-def]
    pointer = first_schema(index, lambda p, s: p.endswith("/call_control_id") and s.get("type") == "string")
    assert_valid(index, pointer, value)
    assert re.fullmatch(r"v[23]:[A-Za-z0-9_-]{40,}", value)


@SETTINGS
@given(value=api_key_ids(), prefixed=prefixed_ids("assistant-"))
def test_prefixed_styles(value: str, prefixed: str) -> None:
    assert re.fullmatch(r"KEY[0-9A-F]{32}_[A-Za-z0-9_-]+", value)
    assert prefixed.startswith("assistant-") and uuid.UUID(prefixed.removeprefix("assistant-"))


def test_the_pool_collects_ids_from_responses_by_field() -> None:
    pool = IdPool()
    pool.observe({"data": [{"id": "a", "record_type": "x", "connection_id": "7"}, {"id": "b", "nested": {"id": "c"}}]})
    assert set(pool.snapshot("id")) == {"a", "b", "c"}
    assert pool.snapshot("connection_id") == ("7",)
    assert set(pool.snapshot()) == {"a", "b", "c", "7"}


def test_the_pool_is_bounded_and_positions_never_shift() -> None:
    """A replayed draw must pick the same id: seen ids keep their place, and the pool stops
    growing at its bound instead of evicting."""
    pool = IdPool(max_per_field=2)
    for value in ("a", "b", "a", "c"):
        pool.add(value)
    assert pool.snapshot("id") == ("a", "b")


def test_the_pool_is_thread_safe() -> None:
    pool = IdPool(max_per_field=10_000)
    threads = [threading.Thread(target=lambda n=n: [pool.add(f"{n}-{i}") for i in range(500)]) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pool.snapshot("id")) == 4000


def test_existing_ids_draw_only_observed_ids() -> None:
    pool = IdPool()
    pool.observe({"data": {"id": "11111111-1111-4111-8111-111111111111", "other_id": "9"}})

    @SETTINGS
    @given(existing_ids(pool, "id"))
    def check(value: str) -> None:
        assert value == "11111111-1111-4111-8111-111111111111"

    check()


def test_existing_ids_see_ids_added_after_the_strategy_was_built() -> None:
    pool = IdPool()
    strategy = existing_ids(pool, fallback=st.just("fallback"))
    drawn: set[str] = set()

    @SETTINGS
    @given(strategy)
    def collect(value: str) -> None:
        drawn.add(value)

    collect()
    assert drawn == {"fallback"}
    pool.add("late")
    drawn.clear()
    collect()
    assert drawn == {"late"}


def test_an_empty_pool_without_fallback_rejects() -> None:
    @settings(max_examples=5, database=None)
    @given(existing_ids(IdPool()))
    def never(value: str) -> None:
        raise AssertionError(value)

    with pytest.raises(Unsatisfiable):
        never()


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: uuid_strings(7), "version=7"),
        (lambda: uuid_strings("4"), "version='4'"),
        (lambda: numeric_ids(-1), "min_value=-1"),
        (lambda: numeric_ids(5, 2), "min_value=5"),
        (lambda: numeric_ids(max_value=2**64), "max_value="),
        (lambda: numeric_ids(True), "min_value=True"),
        (lambda: prefixed_ids(""), "prefix=''"),
        (lambda: prefixed_ids("x", body="y"), "body='y'"),
        (lambda: call_control_ids(()), "versions=()"),
        (lambda: existing_ids(["a"]), "pool=['a']"),
        (lambda: existing_ids(IdPool(), 3), "field=3"),
        (lambda: existing_ids(IdPool(), fallback="x"), "fallback='x'"),
        (lambda: IdPool(0), "max_per_field=0"),
    ],
)
def test_bad_arguments_are_named(build, name: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument, match=re.escape(name)):
        build()
