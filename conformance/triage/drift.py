"""Triage of a failure in a run with `--client`: `drift` when the target did what today's
(pinned) spec says and the old client's spec says otherwise, so that client would break.

The checks judged the exchange by the client's spec. `drift` needs positive evidence from the
pinned spec at the same place: the same answer conforms to the pinned operation (its status is
documented there, its media type, its body's schema), or the same request on the wire is
invalid by the pinned operation (so refusing it is what today's API does). When the pinned spec
condemns the exchange too, the server violates both specs: no `drift`. It stays `server` for a
response schema (the failure's pointers are the client's document, not the pinned one, so the
pinned spec's findings cannot be read at them); other checks go to the ordinary triage, whose
operation-level evidence reads the pinned operation (`server`, or `spec` with its evidence).
"""

from dataclasses import dataclass

from conformance.triage import Verdict
from conformance.triage.classes import DRIFT, SERVER

# Checks that judge the answer against what the client reads (the pinned spec can judge it again).
ANSWER_CHECKS = frozenset(
    {
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
        "unsupported_method",  # a method the client's spec lacks at the path, today's declares
        "allow_header_conformance",
    }
)
# Checks that judge whether the target accepts what the client sends.
# (A negative case the pinned spec accepts never fails: `conformance/run/wire_check.py` drops it, as in every run.)
REQUEST_CHECKS = frozenset({"positive_data_acceptance"})
DRIFT_CHECKS = ANSWER_CHECKS | REQUEST_CHECKS
METHOD_CHECKS = frozenset({"unsupported_method", "allow_header_conformance"})


@dataclass(frozen=True)
class PinnedView:
    """What the pinned spec says of the exchange a failure came from; None where it was not asked."""

    client: str  # the client's operation, as "name (METHOD /path)"
    pinned: str  # the pinned operation it was matched to, same form
    answer_ok: bool | None = None  # the answer conforms to the pinned operation, for this check
    request_problem: str | None = None  # why the pinned operation refuses the request; "" it accepts it


def drift_verdict(check: str, view: PinnedView) -> Verdict | None:
    """`drift` with its reason; `server` for an answer both specs reject; None: the ordinary triage decides."""
    if check in METHOD_CHECKS and view.answer_ok:
        return Verdict(
            DRIFT,
            f"the pinned spec declares the methods the target serves at the path of {view.pinned}; the client's "
            f"{view.client} knows fewer ({check}): operations added since the client was generated",
        )
    if check in ANSWER_CHECKS and view.answer_ok:
        return Verdict(
            DRIFT,
            f"the pinned spec's {view.pinned} accepts this answer ({check} holds there); the client's "
            f"{view.client} does not: the old client would break on it",
        )
    if check == "response_schema_conformance" and view.answer_ok is False:
        return Verdict(
            SERVER,
            f"the pinned spec's {view.pinned} rejects this answer too: the target violates both specs",
        )
    if check == "positive_data_acceptance" and view.request_problem:
        return Verdict(
            DRIFT,
            f"the request the client's {view.client} calls valid is invalid by the pinned spec's {view.pinned} "
            f"({view.request_problem}): the target refused it as today's spec says, the old client would break",
        )
    return None
