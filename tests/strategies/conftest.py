"""The shared spec's index for the strategy tests, and helpers to find real schemas in it."""

from collections.abc import Callable
from typing import Any

import pytest

from spec.index import SpecIndex


@pytest.fixture(scope="session")
def index(shared_spec_path) -> SpecIndex:  # type: ignore[no-untyped-def]
    """Parsed without the cache: a session fixture runs before the autouse cache isolation."""
    from spec.load import load_spec

    return load_spec(shared_spec_path, use_cache=False).index()


def first_schema(index: SpecIndex, test: Callable[[str, dict[str, Any]], bool]) -> str:
    """The pointer of the first schema in the spec passing `test` (fails the test when none does)."""
    for pointer, schema in index.schemas:
        if test(pointer, schema):
            return pointer
    pytest.fail("the spec has no schema of the kind this test needs")


def assert_valid(index: SpecIndex, pointer: str, value: Any) -> None:
    validator = index.schema_validator(pointer)
    errors = [error.message for error in validator.iter_errors(value)]
    assert not errors, f"{value!r} is not valid for {pointer}: {errors}"
