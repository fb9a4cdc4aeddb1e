"""Folding pytest's reports into the operation results: each failure with its check, triage
class and evidence, each skip with its reason, every text redacted of the key."""

from typing import Any

import pytest

from conformance.reporting.results import FailureRecord, classify, one_line
from conformance.run.context import RunContext
from conformance.run.transport_errors import leaves, transport_check


def record(
    context: RunContext, label: str, report: pytest.TestReport, call: pytest.CallInfo[None], *, primary: bool = True
) -> None:
    """Fold one pytest report phase into the operation's result. A test other than the
    operation's own (`primary`: pagination, lifecycle) never marks it skipped, and files each
    failure under the operation the failure names (a lifecycle concerns several)."""
    result = context.results.operations.get(label)
    if result is None:
        return
    if primary and (report.when == "call" or report.skipped):
        context.results.ran.add(label)  # its own test got to run (or to its verdict of skipped)
    if report.skipped and not primary:
        return
    if report.skipped:
        result.status = "skipped"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr or "")
        result.reason = context.target.redact(one_line(reason.removeprefix("Skipped: ")))
        return
    if not report.failed or call.excinfo is None:
        return
    from schemathesis.core.failures import Failure

    failed = False
    for exc in leaves(call.excinfo.value):
        concerned = getattr(exc, "operation", None)
        if isinstance(exc, Failure) and not primary and concerned in context.results.operations:
            context.results.operations[concerned].failures.append(_failure_record(context, concerned, exc))
            context.results.operations[concerned].status = "failed"
        elif isinstance(exc, Failure):
            failed = True
            result.failures.append(_failure_record(context, label, exc))
        else:
            message = context.target.redact(
                one_line(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            )
            check = transport_check(exc)
            verdict = classify(check, error=exc)
            assert verdict is not None  # an exception always has its class
            result.failures.append(FailureRecord(check, verdict.classification, message, None, verdict.reason))
    if failed or any(not isinstance(exc, Failure) for exc in leaves(call.excinfo.value)):
        result.status = "failed" if failed or result.status == "failed" else "errored"


def _failure_record(context: RunContext, label: str, failure: Any) -> FailureRecord:
    evidence = context.results.evidence_for(label, failure)
    checks = type(failure).checks
    check = evidence.check if evidence else (checks[0] if checks else type(failure).__name__)
    message = f"{failure.title}: {failure.message}" if failure.message else failure.title
    verdict = classify(check, evidence.status_code, evidence.sent_key) if evidence else None
    if verdict is None and evidence is not None:
        verdict = evidence.drift  # --client: the pinned spec allows what the client's forbids
    if verdict is None:  # the spec decides: positive evidence at that place, or the target's
        status = evidence.status_code if evidence else None
        operation = context.operations.get(label)
        sent = evidence.sent if evidence else None
        verdict = context.triage().classify(operation, check, message, status, failure=failure, sent=sent)
    return FailureRecord(
        check=check,
        classification=verdict.classification,
        message=context.target.redact(one_line(message)),
        curl=evidence.curl if evidence else None,
        reason=context.target.redact(one_line(verdict.reason)),
    )
