"""The value-convention checks on hand-made bodies of a small spec: each convention caught
where the spec leaves the value to it, and left alone where the spec says otherwise (its own
format, pattern, enum or const, a documented value that breaks the convention, a
discriminator), so a target that follows the spec is never blamed for the spec's choice."""

from types import SimpleNamespace
from typing import Any

import orjson
import pytest
import requests
from schemathesis.core.transport import Response

from conformance.checks import knowledge
from conformance.checks.conventions import breaches, judge
from conformance.checks.failures import PhoneNumberViolation, TimestampFormatViolation
from conformance.checks.values import telnyx_phone_number, telnyx_timestamp_format
from spec.index import build_index
from strategies.conventions import convention_problem, country_mismatch, is_rfc3339

STRING = {"type": "string"}
THING = {
    "type": "object",
    "properties": {
        "created_at": STRING,
        "updated_at": {"type": "string", "format": "date-time"},  # the schema check's
        "start_at": {"type": "string", "example": "+4930244999910"},  # the spec says: a number
        "expires_at": {"type": "integer"},  # epoch seconds: not ours
        "country_code": {"type": "string", "example": "US"},
        "iso_country_code": {"type": "string", "pattern": "^[a-z]{2}$"},  # the schema check's
        "currency": STRING,
        "phone_number": STRING,
        "to": STRING,  # SIP URIs and sender ids too: not judged
        "record_type": {"type": "string", "example": "thing"},
        "nested": {"type": "array", "items": {"$ref": "#/components/schemas/Inner"}},
    },
}
INNER = {"allOf": [{"type": "object", "properties": {"occurred_at": STRING, "record_type": {"enum": ["Inner"]}}}]}
PET = {
    "type": "object",
    "discriminator": {"propertyName": "record_type"},
    "properties": {"record_type": STRING},
}
DOC = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "GetThing",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {"data": {"$ref": "#/components/schemas/Thing"}},
                                }
                            }
                        },
                    }
                },
            }
        }
    },
    "components": {"schemas": {"Thing": THING, "Inner": INNER, "Pet": PET}},
}
INDEX = build_index(DOC)
ROOT = "/paths/~1things/get/responses/200/content/application~1json/schema"
GOOD = {
    "created_at": "2026-12-07T10:00:00Z",
    "updated_at": "not a date",
    "start_at": "+4930244999910",
    "expires_at": "1700000000",
    "country_code": "US",
    "iso_country_code": "usa",
    "currency": "USD",
    "phone_number": "+13125550123",
    "to": "sip:alice@example.com",
    "record_type": "thing",
    "nested": [{"occurred_at": "2026-12-07T10:00:00.123+01:00", "record_type": "Inner"}],
}


def found(body: Any) -> set[tuple[str, tuple]]:
    return {(b.check, b.path) for b in breaches(INDEX, ROOT, {"data": body})}


def test_a_conforming_body_and_what_the_spec_decides_are_left_alone() -> None:
    assert found(GOOD) == set()


@pytest.mark.parametrize(
    ("field", "value", "check"),
    [
        ("created_at", "12/07/2026 10:00", "telnyx_timestamp_format"),
        ("created_at", "2026-13-07T10:00:00Z", "telnyx_timestamp_format"),  # no month 13
        ("created_at", "2026-12-07T10:00:00", "telnyx_timestamp_format"),  # no offset
        ("country_code", "us", "telnyx_country_code"),
        ("country_code", "USA", "telnyx_country_code"),
        ("currency", "usd", "telnyx_currency_code"),
        ("phone_number", "3125550123", "telnyx_phone_number"),
        ("phone_number", "+44 20 7946 0958", "telnyx_phone_number"),
        ("phone_number", "+447946095800", "telnyx_phone_number"),  # a GB number on a US object
        ("record_type", "Thing", "telnyx_record_type"),
        ("record_type", "record-type-zmxe01", "telnyx_record_type"),
    ],
)
def test_each_convention_is_caught(field: str, value: str, check: str) -> None:
    assert found({**GOOD, field: value}) == {(check, ("data", field))}


def test_nested_values_through_refs_and_all_of() -> None:
    body = {**GOOD, "nested": [{"occurred_at": "yesterday", "record_type": "Inner"}, {"occurred_at": "x"}]}
    assert found(body) == {("telnyx_timestamp_format", ("data", "nested", i, "occurred_at")) for i in (0, 1)}


def test_a_discriminator_property_is_the_schema_checks() -> None:
    root = "/components/schemas/Pet"
    assert breaches(INDEX, root, {"record_type": "Pet"}) == []


@pytest.mark.parametrize(
    "body",
    [None, 1, "text", [], [1, [2]], {"data": None}, {"data": [None, "x"]}, {"data": {"created_at": 5}}, {"\x00": {}}],
)
def test_any_json_is_judged_without_raising(body: Any) -> None:
    assert breaches(INDEX, ROOT, body) == []


def test_shared_calling_codes_are_told_apart_by_known_ranges_only() -> None:
    assert "CA" in (country_mismatch("+14162223333", "US") or "")  # Toronto on a US object: both +1
    assert country_mismatch("+14162223333", "CA") is None
    assert country_mismatch("+18002345792", "CA") is None  # toll-free +1 800 serves every NANP country
    assert country_mismatch("+12015550122", "US") is None  # a 555 number: in no range, judged by +1 alone
    assert country_mismatch("+14165550123", "ZZ") is None  # no plan to tell
    assert country_mismatch("+447946095800", "US") is not None
    assert convention_problem("phone", "+999123456") is not None  # no country uses +999


def test_rfc3339_accepts_offsets_fractions_and_lowercase() -> None:
    good = ["2026-12-07T10:00:00Z", "2026-12-07t10:00:00.5z", "2026-12-07T10:00:00-05:00", "2016-12-31T23:59:60Z"]
    assert all(map(is_rfc3339, good))
    bad = ["2026-12-07", "2026-12-07 10:00:00Z", "2026-02-30T10:00:00Z", "2026-12-07T10:00:61Z"]
    assert not any(map(is_rfc3339, bad))


def response(status: int, body: Any, content_type: str = "application/json") -> Response:
    return Response(
        status_code=status,
        headers={"content-type": [content_type]},
        content=body if isinstance(body, bytes) else orjson.dumps(body),
        request=requests.Request("GET", "http://127.0.0.1/things").prepare(),
        elapsed=0.0,
        verify=True,
    )


def case() -> Any:
    """A case as the checks see it: its operation's label, and the schema the run attached
    the knowledge to."""
    schema = SimpleNamespace()
    known = knowledge.Knowledge(index=INDEX, operations={"GET /things": INDEX.operations[0]})
    knowledge.attach(schema, known)
    return SimpleNamespace(operation=SimpleNamespace(label="GET /things", schema=schema))


def test_the_registered_checks_raise_their_own_failure_only() -> None:
    bad = response(200, {"data": {**GOOD, "created_at": "12/07/2026 10:00"}})
    with pytest.raises(TimestampFormatViolation, match="/data/created_at = '12/07/2026 10:00'"):
        telnyx_timestamp_format(None, bad, case())
    assert telnyx_phone_number(None, bad, case()) is None


@pytest.mark.parametrize(
    "resp",
    [
        response(404, {"data": {"created_at": "x"}}),  # not a success: the envelope check's
        response(200, {"data": {"created_at": "x"}}, "text/plain"),  # not JSON
        response(200, b'{"data": {"created_at": "x"'),  # broken JSON: the schema check's
        response(200, b""),
    ],
)
def test_answers_that_are_not_success_json_are_not_judged(resp: Response) -> None:
    assert telnyx_timestamp_format(None, resp, case()) is None


def test_judge_reads_the_documented_body_of_the_status() -> None:
    assert judge(INDEX, INDEX.operations[0], 201, b'{"data": {"created_at": "x"}}') == []  # undocumented
    assert len(judge(INDEX, INDEX.operations[0], 200, b'{"data": {"created_at": "x"}}')) == 1
    assert PhoneNumberViolation.checks == ("telnyx_phone_number",)


def test_a_value_the_run_sent_is_not_judged_when_answered_back() -> None:
    """A create's body carried it (the spec let the client send any string there): the answer,
    and a later one of the same process, show the client's value, not the target's."""
    from conformance.checks.values import remember

    sent = response(200, {"data": {**GOOD, "created_at": "sent-by-the-run-7f3a"}})
    creating = case()
    creating.body = {"nested": [{"created_at": "sent-by-the-run-7f3a"}]}
    assert telnyx_timestamp_format(None, sent, creating) is None
    later = response(200, {"data": {**GOOD, "created_at": "sent-by-the-run-7f3a"}})
    assert telnyx_timestamp_format(None, later, case()) is None
    remember(SimpleNamespace(body=None, query={"q": ["y" * 2000]}, path_parameters=None))
    assert telnyx_timestamp_format(None, response(200, {"data": {**GOOD, "created_at": "y" * 2000}}), case()) is None
    with pytest.raises(TimestampFormatViolation):  # sent by nobody
        telnyx_timestamp_format(None, response(200, {"data": {**GOOD, "created_at": "z" * 2000}}), case())
