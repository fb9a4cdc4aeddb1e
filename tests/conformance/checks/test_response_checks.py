"""The Telnyx checks called directly on hand-made responses: a conforming response passes,
each kind of violation raises the check's typed failure, and a 429 is never judged."""

from typing import Any

import orjson
import pytest
import requests
from schemathesis.core.transport import Response

from conformance.checks.envelope import telnyx_error_envelope
from conformance.checks.failures import TelnyxErrorEnvelopeViolation, TelnyxRateLimitViolation
from conformance.checks.rate_limit import telnyx_rate_limit_headers
from conformance.run.send import backoff_delay

RATE = {"x-ratelimit-limit": ["100"], "x-ratelimit-remaining": ["99"], "x-ratelimit-reset": ["60"]}
GOOD_ERROR = {"errors": [{"code": "10015", "title": "Bad Request", "detail": "bad", "source": {"pointer": "/to"}}]}


def response(status: int, body: Any = None, headers: dict[str, list[str]] | None = None) -> Response:
    content = orjson.dumps(body) if body is not None else b""
    base = {"content-type": ["application/json"]} if body is not None else {}
    return Response(
        status_code=status,
        headers={**base, **(headers if headers is not None else RATE)},
        content=content,
        request=requests.Request("GET", "http://127.0.0.1/v2/x").prepare(),
        elapsed=0.0,
        verify=True,
    )


@pytest.mark.parametrize(
    "resp",
    [
        response(422, GOOD_ERROR),
        response(404, {"errors": [{"code": "10005", "title": "Not found", "detail": "none"}]}),
        response(200, {"data": {}}),  # success bodies are not envelopes
        response(500, None, {"content-type": ["text/html"]}),  # not JSON: not judged
        response(429, {"error": "slow down"}),  # rate limited: never a failure
    ],
)
def test_error_envelope_accepts(resp: Response) -> None:
    assert telnyx_error_envelope(None, resp, None) is None


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"error": "nope"}, "no `errors` member"),
        ({"errors": []}, "non-empty array"),
        ({"errors": ["oops"]}, "not an object"),
        ({"errors": [{"code": 10015, "title": "t", "detail": "d"}]}, "code is not a numeric string"),
        ({"errors": [{"code": "E15", "title": "t", "detail": "d"}]}, "code is not a numeric string"),
        ({"errors": [{"code": "1", "detail": "d"}]}, "title is missing"),
        ({"errors": [{"code": "1", "title": "t"}]}, "detail is missing"),
        ({"errors": [{"code": "1", "title": "t", "detail": "d", "source": {"pointer": "to"}}]}, "not a JSON pointer"),
        ({"errors": [{"code": "1", "title": "t", "detail": "d", "source": {"pointer": "/a~2"}}]}, "not a JSON pointer"),
        ({"errors": [{"code": "1", "title": "t", "detail": "d", "source": "x"}]}, "source is not an object"),
    ],
)
def test_error_envelope_violations(body: Any, fragment: str) -> None:
    with pytest.raises(TelnyxErrorEnvelopeViolation) as caught:
        telnyx_error_envelope(None, response(400, body), None)
    assert fragment in caught.value.message
    assert caught.value.code == "TX101"


def test_error_envelope_is_not_asked_of_a_head_answer() -> None:
    """A HEAD answer has no body; a run flagged HEAD /{bucketName} 404s before this rule."""
    from types import SimpleNamespace

    bodiless = response(404, None, {"content-type": ["application/json"], **RATE})
    assert telnyx_error_envelope(None, bodiless, SimpleNamespace(method="HEAD")) is None
    with pytest.raises(TelnyxErrorEnvelopeViolation):
        telnyx_error_envelope(None, bodiless, SimpleNamespace(method="GET", operation=SimpleNamespace(label="GET /x")))


def test_error_envelope_invalid_json_is_a_violation() -> None:
    bad = response(500, {"x": 1})
    bad.content = b"{not json"
    with pytest.raises(TelnyxErrorEnvelopeViolation):
        telnyx_error_envelope(None, bad, None)


@pytest.mark.parametrize(
    "headers",
    [RATE, {**RATE, "x-ratelimit-remaining": ["100"]}, {**RATE, "x-ratelimit-reset": ["0"]}],
)
def test_rate_limit_headers_accepts(headers: dict[str, list[str]]) -> None:
    assert telnyx_rate_limit_headers(None, response(200, {"data": {}}, headers), None) is None


def test_rate_limit_not_judged_on_429() -> None:
    assert telnyx_rate_limit_headers(None, response(429, None, {}), None) is None


@pytest.mark.parametrize(
    ("headers", "fragment"),
    [
        ({}, "missing header(s): x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset"),
        ({k: v for k, v in RATE.items() if k != "x-ratelimit-reset"}, "missing header(s): x-ratelimit-reset"),
        ({**RATE, "x-ratelimit-limit": ["many"]}, "x-ratelimit-limit is not an integer"),
        ({**RATE, "x-ratelimit-remaining": ["1.5"]}, "x-ratelimit-remaining is not an integer"),
        ({**RATE, "x-ratelimit-remaining": ["101"]}, "exceeds x-ratelimit-limit"),
        ({**RATE, "x-ratelimit-reset": ["-1"]}, "x-ratelimit-reset is negative"),
    ],
)
def test_rate_limit_violations(headers: dict[str, list[str]], fragment: str) -> None:
    with pytest.raises(TelnyxRateLimitViolation) as caught:
        telnyx_rate_limit_headers(None, response(200, {"data": {}}, headers), None)
    assert fragment in caught.value.message
    assert caught.value.code == "TX102"


@pytest.mark.parametrize(
    ("headers", "attempt", "expected"),
    [
        ({"retry-after": ["2"]}, 0, 2.0),
        ({"retry-after": ["3600"]}, 0, 5.0),  # capped
        ({"x-ratelimit-reset": ["1"]}, 0, 1.0),
        ({}, 0, 0.5),
        ({}, 2, 2.0),
        ({"retry-after": ["Wed, 21 Oct 2015 07:28:00 GMT"]}, 0, 0.0),  # a date in the past: no wait
    ],
)
def test_backoff_delay(headers: dict[str, list[str]], attempt: int, expected: float) -> None:
    assert backoff_delay(headers, attempt) == expected


def test_response_size_limit_judges_the_body_against_the_runs_limit() -> None:
    from types import SimpleNamespace

    from conformance.checks import knowledge
    from conformance.checks.failures import ResponseTooLarge
    from conformance.checks.size import response_size_limit

    schema = SimpleNamespace()
    knowledge.attach(schema, knowledge.Knowledge(response_limit=64))
    case = SimpleNamespace(operation=SimpleNamespace(label="GET /x", schema=schema))
    assert response_size_limit(None, response(200, {"data": "x" * 10}), case) is None
    with pytest.raises(ResponseTooLarge) as caught:
        response_size_limit(None, response(200, {"data": "x" * 100}), case)
    assert caught.value.code == "TX103" and "over the limit of 64" in caught.value.message


def test_transport_errors_are_named_by_what_happened() -> None:
    from conformance.run.transport_errors import transport_check

    def wrapped(inner: BaseException) -> BaseException:
        try:
            raise RuntimeError("call failed") from inner
        except RuntimeError as exc:
            return exc

    assert transport_check(requests.ReadTimeout("slow")) == "request_timeout"
    assert transport_check(wrapped(requests.ConnectTimeout("slow"))) == "request_timeout"
    assert transport_check(requests.exceptions.ChunkedEncodingError("cut")) == "connection_error"
    assert transport_check(wrapped(requests.ConnectionError("reset"))) == "connection_error"
    assert transport_check(ValueError("a generation error")) == "request"
