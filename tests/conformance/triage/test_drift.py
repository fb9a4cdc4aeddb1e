"""The decision table of `drift` triage (conformance/triage/drift.py): `drift` only when the
pinned spec, asked about the same exchange, allows what the client's spec forbids; an answer
both reject stays `server`; anything else is left to the ordinary triage (None)."""

import pytest

from conformance.triage.drift import PinnedView, drift_verdict

CLIENT, PINNED = "SimCardsGet (GET /sim_cards)", "GET /sim_cards"


def view(**facts: object) -> PinnedView:
    return PinnedView(CLIENT, PINNED, **facts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "check",
    ["response_schema_conformance", "status_code_conformance", "content_type_conformance"],
)
def test_an_answer_the_pinned_spec_accepts_is_drift(check: str) -> None:
    verdict = drift_verdict(check, view(answer_ok=True))
    assert verdict is not None and verdict.classification == "drift"
    assert PINNED in verdict.reason and CLIENT in verdict.reason and "would break" in verdict.reason


def test_an_answer_both_specs_reject_stays_server() -> None:
    verdict = drift_verdict("response_schema_conformance", view(answer_ok=False))
    assert verdict is not None and verdict.classification == "server" and "both specs" in verdict.reason


@pytest.mark.parametrize("check", ["status_code_conformance", "content_type_conformance", "unsupported_method"])
def test_other_answers_the_pinned_spec_rejects_go_to_the_ordinary_triage(check: str) -> None:
    assert drift_verdict(check, view(answer_ok=False)) is None


@pytest.mark.parametrize("check", ["unsupported_method", "allow_header_conformance"])
def test_methods_the_pinned_spec_declares_are_drift(check: str) -> None:
    verdict = drift_verdict(check, view(answer_ok=True))
    assert verdict is not None and verdict.classification == "drift" and "added since" in verdict.reason


def test_a_refused_request_is_drift_only_when_the_pinned_spec_refuses_it() -> None:
    refused = drift_verdict("positive_data_acceptance", view(request_problem="'filter[status]' is invalid"))
    assert refused is not None and refused.classification == "drift" and "'filter[status]'" in refused.reason
    assert drift_verdict("positive_data_acceptance", view(request_problem="")) is None  # both call it valid
    assert drift_verdict("positive_data_acceptance", view(request_problem=None)) is None  # could not route it


@pytest.mark.parametrize("check", ["not_a_server_error", "telnyx_error_envelope", "negative_data_rejection"])
def test_checks_outside_the_table_are_never_drift(check: str) -> None:
    assert drift_verdict(check, view(answer_ok=True, request_problem="x")) is None
