"""The reference server's answers look like Telnyx's: every 2xx JSON body it generates is valid
against its schema, and no string whose property name says what it is (`*_at`, `country_code`,
`phone_number`, `currency`, ...) is left as a placeholder (`created-at-kuvcbj`)."""

import re
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.server.generation import GenerationError, generate
from conformance.server.generation.strings import free_string
from conformance.triage.observed import response_schema_pointer
from strategies import names

PLACEHOLDER = re.compile(r"^[a-z0-9-]+-[a-z0-9]{6}$")


def strings(value: Any, name: str | None = None) -> Iterator[tuple[str | None, str]]:
    if isinstance(value, str):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, name)


@pytest.fixture(scope="module")
def bodies(shared_spec_path: Any) -> list[tuple[str, Any]]:
    from spec.load import load_spec

    index = load_spec(shared_spec_path).index()
    found = []
    for operation in index.operations:
        for status in (200, 201, 202):
            pointer = response_schema_pointer(index, operation, status)
            if pointer is None or "json" not in pointer:
                continue
            for seed in (1, 2):
                try:
                    found.append((pointer, generate(index, pointer, seed=seed), index))
                except GenerationError:
                    continue
            break
    return found


def test_every_generated_success_body_is_valid(bodies: list[tuple[str, Any, Any]]) -> None:
    invalid, uncompilable = [], []
    for pointer, body, index in bodies:
        try:
            validator = index.schema_validator(pointer)
        except Exception:  # VersionConfig's boolean bounds: no JSON Schema engine compiles it
            uncompilable.append(pointer)
            continue
        if not validator.is_valid(body):
            invalid.append(f"{pointer}: {next(iter(validator.iter_errors(body))).message[:120]}")
    assert len(bodies) > 700 and invalid == []
    assert all("canary-deploys" in pointer for pointer in uncompilable), uncompilable


def test_no_known_name_is_left_a_placeholder(bodies: list[tuple[str, Any, Any]]) -> None:
    left = sorted(
        {
            f"{name}={value}"
            for _, body, _ in bodies
            for name, value in strings(body)
            if (names.kind_of(name) is not None or name == "record_type")
            and PLACEHOLDER.match(value)
            and value.startswith(_stem(name))
        }
    )
    assert left == [], left[:20]


def _stem(name: str | None) -> str:
    return free_string(__import__("random").Random(0), name, 0, None).rsplit("-", 1)[0]


def test_generated_bodies_follow_the_conventions_the_value_checks_judge(bodies: list[tuple[str, Any, Any]]) -> None:
    """The server generates from the name rules the value checks judge by: a clean server's
    answers never fail telnyx_timestamp_format, telnyx_country_code... (one source of rules)."""
    from conformance.checks.conventions import breaches

    found = [
        f"{pointer}: {breach.message()}" for pointer, body, index in bodies for breach in breaches(index, pointer, body)
    ]
    assert found == []
