"""Structural redaction: the key is removed where it occurs, as a whole token, and nothing
else is rewritten, whatever the key (one letter, a word of the spec, a check name)."""

import json
import shlex
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conformance.target.curl import curl_command
from conformance.target.redaction import REDACTED, contains, redact_body, redact_headers, redact_url, scrub


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        ("operations check method", "e", "operations check method"),  # inside words: not the key
        ("Bearer e", "e", f"Bearer {REDACTED}"),
        ("token e. end", "e", f"token {REDACTED}. end"),  # sentence punctuation ends a token
        ("/v2/things/KEY1/x", "KEY1", f"/v2/things/{REDACTED}/x"),
        ("a KEY1b", "KEY1", "a KEY1b"),  # a longer word that starts like the key
        ("x=%2Bab%2F", "+ab/", f"x={REDACTED}"),  # the URL-encoded form
        ("-- a-b --", "--", f"{REDACTED} a-b {REDACTED}"),  # a key without word characters at its edges
    ],
)
def test_scrub_replaces_whole_tokens_only(text: str, key: str, expected: str) -> None:
    assert scrub(text, key) == expected


def test_credential_headers_lose_their_value_and_others_only_the_key() -> None:
    headers = {"Authorization": "Bearer k", "Cookie": "s=1", "X-Echo": "k", "Accept": "application/json"}
    assert redact_headers(headers, "k") == {
        "Authorization": f"Bearer {REDACTED}",
        "Cookie": REDACTED,
        "X-Echo": REDACTED,
        "Accept": "application/json",
    }


def test_urls_are_redacted_by_part_and_parameter_names_survive() -> None:
    url = "http://user:pw@127.0.0.1:4010/v2/e?e=e&filter[e]=1"
    expected = f"http://user:{REDACTED}@127.0.0.1:4010/v2/{REDACTED}?e={REDACTED}&filter[e]=1"
    assert redact_url(url, "e") == expected  # a path segment equal to the key counts as the key


def test_json_bodies_keep_their_keys_and_stay_json() -> None:
    body = redact_body(b'{"e": "e", "list": ["Bearer e", 1], "other": "level"}', "e")
    assert json.loads(body) == {"e": REDACTED, "list": [f"Bearer {REDACTED}", 1], "other": "level"}


def test_a_curl_reproduction_stays_a_valid_command_whatever_the_key() -> None:
    command = curl_command("post", "http://127.0.0.1/v2/x?q='", {"Authorization": "Bearer '"}, b'{"a": "\'"}', "'")
    words = shlex.split(command)  # still parses as a shell command
    assert f"Authorization: Bearer {REDACTED}" in words and not contains(" ".join(words), "'")


# --- the property: a report is the run without the key, except where the key was ---------------

VOCABULARY = (
    "operations check method status failures telnyx_error_envelope response_schema_conformance",
    "GET /addresses FindAddresses Undocumented status code: Received: 401 Documented: 200, 422",
    "string description test record_type phone_number",
)
WORDS = [word for line in VOCABULARY for word in line.split(" ")]
KEYS = st.one_of(
    st.sampled_from([w[i:j] for w in WORDS for i in range(len(w)) for j in range(i + 1, min(len(w), i + 8) + 1)]),
    st.text(min_size=1, max_size=64),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
)


def model(key: str) -> dict:
    """A summary-shaped document with the key where a run puts or meets it: the Authorization
    header and a query value of a curl, a body value echoed in a message."""
    curl = curl_command(
        "GET",
        f"http://127.0.0.1:4010/v2/addresses?filter[x]={quote(key, safe='')}",  # as the wire has it
        {"Authorization": f"Bearer {key}", "Accept": "application/json"},
        json.dumps({"note": key}),
        key,
    )
    return {
        "operations": [
            {
                "method": "GET",
                "path": "/addresses",
                "status": "failed",
                "failures": [
                    {
                        "check": "response_schema_conformance",
                        "classification": "server",
                        "message": scrub(f"Response violates schema: '{key}' is not one of 'status'", key),
                        "curl": curl,
                    }
                ],
            }
        ]
    }


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.filter_too_much])
@given(KEYS)
def test_reports_equal_the_run_without_a_key_except_where_the_key_was(key: str) -> None:
    background = " ".join(WORDS) + " Response violates schema: '' is not one of 'status' 127.0.0.1:4010/v2"
    assume(key.strip() == key and key and not contains(background, key) and "REDACTED" not in key)
    assume(not contains("Accept: application/json note filter[x] Bearer Authorization", key))
    redacted = json.dumps(model(key), indent=2)
    placeholder = json.dumps(model("PLACEHOLDER-not-a-key"), indent=2).replace("PLACEHOLDER-not-a-key", REDACTED)
    assert json.loads(redacted) is not None  # valid
    assert redacted == placeholder.replace("%5BREDACTED%5D", REDACTED)
    assert not contains(redacted, key) or contains(json.dumps(model("PLACEHOLDER-not-a-key")), key)
