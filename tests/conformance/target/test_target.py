"""Target safety: loopback detection, the write policy, redaction and curl reproductions."""

import shlex

import pytest

from conformance.target import REDACTED, Target, TargetError, curl_command, is_loopback, parse_base_url
from conformance.target.redaction import scrub as redact

KEY = "KEY-sentinel-0123456789"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("api.localhost", True), ("api.telnyx.com", False), ("10.0.0.1", False), ("192.168.1.2", False),
     ("localhost.example.com", False)],
)  # fmt: skip
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("url", "method", "allow_writes", "read_only", "sent"),
    [
        ("http://127.0.0.1:4010/v2", "POST", False, False, True),  # loopback: writes allowed
        ("https://api.telnyx.com/v2", "POST", False, False, False),  # remote: no writes by default
        ("https://api.telnyx.com/v2", "DELETE", True, False, True),  # unless --allow-writes
        ("https://api.telnyx.com/v2", "GET", False, False, True),
        ("http://127.0.0.1:4010/v2", "PATCH", True, True, False),  # --read-only wins everywhere
        ("http://127.0.0.1:4010/v2", "HEAD", False, True, True),
    ],
)
def test_write_policy(url: str, method: str, allow_writes: bool, read_only: bool, sent: bool) -> None:
    target = Target(url, KEY, allow_writes=allow_writes, read_only=read_only)
    assert target.may_send(method) is sent
    if not sent:
        assert method in target.refusal(method)


@pytest.mark.parametrize("url", ["api.telnyx.com/v2", "ftp://x/v2", "http:///v2", "http://x/v2?a=1", "http://x:99999/"])
def test_bad_base_urls_are_refused(url: str) -> None:
    with pytest.raises(TargetError):
        parse_base_url(url)


def test_base_url_keeps_its_path_without_trailing_slash() -> None:
    assert parse_base_url(" http://127.0.0.1:4010/v2/ ") == "http://127.0.0.1:4010/v2"


def test_the_key_is_redacted_everywhere_in_a_curl_reproduction() -> None:
    command = curl_command(
        "post",
        f"http://127.0.0.1:4010/v2/things?token={KEY}",
        {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json", "X-Echo": KEY},
        f'{{"secret": "{KEY}"}}'.encode(),
        KEY,
    )
    assert KEY not in command
    words = shlex.split(command)
    assert words[:3] == ["curl", "-X", "POST"]
    assert f"Authorization: Bearer {REDACTED}" in words
    assert "Content-Type: application/json" in words


def test_redact_leaves_text_without_the_key_alone() -> None:
    assert redact("nothing to see", KEY) == "nothing to see"
    assert redact(f"a {KEY} b {KEY}", KEY) == f"a {REDACTED} b {REDACTED}"
    assert redact("text", "") == "text"
