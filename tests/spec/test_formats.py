"""spec.formats: the strict format definitions the server, the audit and the strategies share."""

import pytest

from spec.formats import TELNYX_FORMATS, StrictFormat31, strict_format_ok


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("uri", "https://example.com/a?b=1", ""),
        ("url", "http://example.com/webhooks", "®Kæ"),
        ("url", "https://user@host.example.com", "example.com/no-scheme"),
        ("+E.164", "+18655551234", "+E.164"),
        ("e164", "+442071838750", "18655551234"),
        ("address", "+18655551234", "STOP"),
        ("address", "12345", "0123"),
        ("decimal", "0.0051", "5.1E-3"),
        ("iso4217", "USD", "usd"),
        ("mime-type", "image/jpeg", "jpeg"),
        ("date-time", "2024-01-01T00:00:00Z", "2024-01-01"),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000"),
    ],
)
def test_strict_formats_accept_and_reject(fmt: str, good: str, bad: str) -> None:
    assert strict_format_ok(fmt, good)
    assert not strict_format_ok(fmt, bad)


def test_numbers_keep_the_oas_ranges_and_unknown_formats_accept_anything() -> None:
    assert strict_format_ok("int32", 2**31 - 1) and not strict_format_ok("int32", 2**31)
    assert strict_format_ok("wav", "anything") and strict_format_ok("url", 12)


def test_keyword_plugs_into_jsonschema_rs() -> None:
    import jsonschema_rs

    validator = jsonschema_rs.Draft202012Validator(
        {"type": "string", "format": "url"}, keywords={"format": StrictFormat31}
    )
    assert validator.is_valid("https://a.example.com") and not validator.is_valid("nope")
    assert set(TELNYX_FORMATS) >= {"url", "address", "decimal", "iso4217", "mime-type"}
