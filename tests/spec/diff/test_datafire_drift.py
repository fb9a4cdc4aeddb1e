"""DataFire's generated Telnyx client (Swagger 2.0, 2020) against the pinned spec (OpenAPI 3.1).

Every one of the client's 238 actions (its README's "## Actions") gets a class, fast; and a
sample of verdicts checked by hand against both files is kept here, each with what was seen in
`openapi.json` (old) and `telnyx.yml` (new). Skipped when either file is absent.
"""

import re
import time
from pathlib import Path

import pytest

from spec.diff.drift import drift
from spec.model.pair import load_pair

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
CLIENT = SHARED / "clients" / "datafire-telnyx"

# name: (verdict, rules that must be among the breaking reasons)
HAND_CHECKED = {
    # old: "/telephony_credentials/tags" (openapi.json:13306); new: only /telephony_credentials,
    # /{id} and /{id}/token remain under that prefix.
    "listTags": ("gone", set()),
    # old: POST "/verifications"; new: /verifications/call, /flashcall, /sms, /by_phone_number/...,
    # /{verification_id}, no bare /verifications.
    "createVerification": ("gone", set()),
    # old: "/mobile_operator_networks" (openapi.json:7994); new: no such path.
    "MobileOperatorNetworksGet": ("gone", set()),
    # old: "/reports/mdr_reports" (openapi.json:11797); new: /reports/mdr_usage_reports and
    # /reports/mdrs, but no /reports/mdr_reports.
    "getCdrRequests": ("gone", set()),
    # old: "/conferences/{id}/actions/dial_participant"; new: the conference actions are hold,
    # join, leave, mute, play, record_*, speak, stop, unhold, unmute, update.
    "conferenceDialParticipantIn": ("gone", set()),
    # old: StartForkingRequest.stream_type enum [raw, decrypted]; new: enum [decrypted].
    "callForkStart": ("breaking", {"request-property-enum-narrowed"}),
    # old: Fax.stored_media_url type boolean; new: type string (a link).
    "ListFaxes": ("breaking", {"response-property-type-changed"}),
    # old: path id {type: string, format: uuid}; new: FqdnId {type: string, format: int64}.
    "retrieveFqdn": ("breaking", {"parameter-format-changed"}),
    # old: filter[status] enum [pending, approved, rejected, ported]; new: deepObject filter,
    # property status enum [pending, authorized, ported, rejected, rejected-pending, canceled].
    "listPortoutRequest": ("breaking", {"parameter-enum-narrowed"}),
    # old: path status enum [authorized, rejected], no body; new: enum [authorized,
    # rejected-pending] and a required requestBody (required: [reason]).
    "updatePortoutRequest": ("breaking", {"parameter-enum-narrowed", "request-body-added-required"}),
    # old: CreateFqdnRequest required [fqdn]; new: required [fqdn, dns_record_type, connection_id].
    "createFqdn": ("breaking", {"request-property-became-required"}),
    # old: BillingGroup.deleted_at {type: string, format: date-time}; new: the same with
    # `nullable: true` (a 3.0 keyword in a 3.1 file: read by intent, see docs/diff.md).
    "listBillingGroups": ("breaking", {"response-property-became-nullable"}),
    # old: CallRequest.time_limit_secs {type: integer, format: int32}, no bounds; new: minimum
    # 30, maximum 14400.
    "callDial": ("breaking", {"request-property-bounds-tightened"}),
    # old: phone_numbers items PhoneNumber, no required list; new: items required [phone_number].
    "createNumberOrder": ("breaking", {"request-property-became-required"}),
    # old: SIMCard.status {type: string}; new: $ref SIMCardStatus, an object {value, reason}.
    "SimCardGet": ("breaking", {"response-property-type-changed"}),
    # old: PhoneNumberDetailed has updated_at; new: its properties end at tags, no updated_at.
    "retrievePhoneNumber": ("breaking", {"response-property-removed"}),
    # old: query filter[number_type]; new: deepObject filter "Originally: ... filter[phone_number_type]":
    # the property is phone_number_type, so filter[number_type] is no longer read.
    "listAvailablePhoneNumbers": ("breaking", {"parameter-removed"}),
    # old and new: path call_control_id string; body {client_state, command_id} strings, required;
    # 200 {data: {result: string}}: the same on both sides.
    "callHangup": ("compatible", set()),
    # old and new: path id {string, uuid}, 204 without a body.
    "DeleteFax": ("compatible", set()),
    # old and new: path id uuid; 200 data {connection_id, created_at, id int64, ip_address, port,
    # record_type, updated_at} with the same types (old 400/401 carried no schema).
    "deleteIp": ("compatible", set()),
    # old: flat page[number] (minimum 1), page[size] (1..250); new: deepObject page {number
    # minimum 1, size 1..250}: the same wire names and bounds; 200 data/meta alike.
    "listMessagingUrlDomains": ("compatible", set()),
    # old: path id as `content: {*/*: {schema: {string, uuid}}}` (the converter's OpenAPI 3 form);
    # new: schema {string, uuid}; 200 data alike, new adds result[] carrier_passthrough_fee,
    # message_type, tn_type (additions only).
    "getUsageReport": ("compatible", set()),
    # old and new: 200 data requires call_control_id, call_leg_id, call_session_id, is_alive,
    # record_type; new only adds call_duration, client_state, start_time, end_time.
    "retrieveCallStatus": ("compatible", set()),
}


def _actions() -> list[str]:
    readme = (CLIENT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Actions", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^### (\S+)\s*$", section, re.MULTILINE)


@pytest.fixture(scope="module")
def report(shared_spec_path):
    if not (CLIENT / "openapi.json").is_file():
        pytest.skip(f"DataFire's client is not at {CLIENT}")
    started = time.perf_counter()
    client, spec = load_pair(CLIENT / "openapi.json", shared_spec_path)
    found = drift(client, spec)
    found.seconds = time.perf_counter() - started
    return found


def test_every_action_has_a_class_within_5_seconds(report) -> None:
    assert report.seconds < 5
    names = [v.name for v in report.verdicts]
    assert sorted(names) == sorted(_actions()) and len(names) == 238
    assert {v.verdict for v in report.verdicts} == {"gone", "breaking", "compatible"}
    counts = report.counts()
    assert counts["gone"] + counts["breaking"] + counts["compatible"] == 238
    assert counts["lacking"] == len(report.spec.operations) - (238 - counts["gone"])


def test_breaking_verdicts_carry_reasons_from_both_files(report) -> None:
    for verdict in report.verdicts:
        if verdict.verdict == "breaking":
            assert verdict.reasons and all(r.level.label == "breaking" for r in verdict.reasons)
            assert all(
                r.side in ("sends", "reads", "auth") and r.old.line > 1 and r.new.line > 1 for r in verdict.reasons
            )
        elif verdict.verdict == "compatible":
            assert verdict.reasons == []


@pytest.mark.parametrize("name", sorted(HAND_CHECKED))
def test_hand_checked_verdict(report, name: str) -> None:
    verdict = next(v for v in report.verdicts if v.name == name)
    expected, rules = HAND_CHECKED[name]
    assert verdict.verdict == expected, [r.message for r in verdict.reasons]
    assert rules <= {r.rule for r in verdict.reasons}
