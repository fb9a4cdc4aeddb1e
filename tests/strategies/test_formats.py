"""strategies.formats: registration with schemathesis is idempotent and changes what it generates."""

import phonenumbers
import pycountry
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi import unregister_string_format
from schemathesis.specs.openapi.formats import STRING_FORMATS, _invalidate_caches

from strategies.formats import PHONE_FORMATS, register_formats, telnyx_formats
from tests.strategies.conftest import assert_valid, first_schema


@pytest.fixture(autouse=True)
def restore_schemathesis_formats():  # type: ignore[no-untyped-def]
    """Registration is process-wide: leave schemathesis as found, for the rest of the suite."""
    saved = dict(STRING_FORMATS)
    yield
    STRING_FORMATS.clear()
    STRING_FORMATS.update(saved)
    _invalidate_caches()


RAW = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/messages": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["to", "phone", "currency", "amount", "webhook_url"],
                                "properties": {
                                    "to": {"type": "string", "format": "address"},
                                    "phone": {"type": "string", "format": "+E.164"},
                                    "currency": {"type": "string", "format": "iso4217"},
                                    "amount": {"type": "string", "format": "decimal"},
                                    "webhook_url": {"type": "string", "format": "url"},
                                },
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def test_registration_is_idempotent() -> None:
    names = register_formats()
    entries = {name: STRING_FORMATS[name] for name in names}
    assert register_formats() == names
    assert {name: STRING_FORMATS[name] for name in names} == entries  # the very same objects: nothing re-registered
    assert set(names) == set(telnyx_formats()) >= {*PHONE_FORMATS, "address", "iso4217"}


def test_registration_survives_an_unregistration() -> None:
    register_formats()
    unregister_string_format("iso4217")
    assert "iso4217" in register_formats()
    assert "iso4217" in STRING_FORMATS


def test_schemathesis_generates_the_registered_formats(index) -> None:  # type: ignore[no-untyped-def]
    register_formats()
    operation = schemathesis.openapi.from_dict(RAW)["/messages"]["POST"]
    e164_pointer = first_schema(index, lambda _, s: s.get("format") == "+E.164")
    currency_pointer = first_schema(index, lambda _, s: s.get("format") == "iso4217")

    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(operation.as_strategy())
    def check(case) -> None:  # type: ignore[no-untyped-def]
        body = case.body
        assert phonenumbers.is_valid_number(phonenumbers.parse(body["phone"]))
        assert_valid(index, e164_pointer, body["phone"])
        assert body["to"].isdigit() or phonenumbers.is_valid_number(phonenumbers.parse(body["to"]))
        assert pycountry.currencies.get(alpha_3=body["currency"]) is not None
        assert_valid(index, currency_pointer, body["currency"])
        assert float(body["amount"]) >= 0 and "E" not in body["amount"]
        assert body["webhook_url"].startswith("https://")

    check()


@pytest.mark.parametrize("name", sorted(telnyx_formats()))
def test_every_registered_strategy_satisfies_the_format_definition(name: str) -> None:
    """What schemathesis generates for a Telnyx format is what the reference server (and any
    strict server) accepts for it: `spec/formats.py` defines both sides."""
    from spec.formats import TELNYX_FORMATS

    check_format = TELNYX_FORMATS[name]

    @settings(max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(telnyx_formats()[name])
    def check(value: str) -> None:
        assert check_format(value), value

    check()
