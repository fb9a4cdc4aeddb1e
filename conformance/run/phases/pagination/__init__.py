"""Pagination conformance: detection from the spec (`detect`), pure judgements (`checks`),
and the walks that fetch pages (`walk`). This module joins them to a run (`RunContext`):
which operations are selected, a client counting its requests, and failures filed with the
evidence (check, status, curl) the summary reports."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.run.context import RunContext
    from conformance.run.phases.pagination.walk import Client


def selected_labels(context: "RunContext") -> set[str]:
    """The "METHOD /path" labels the run selected (tags, operation ids)."""
    return {result.ok().label for result in context.schema.get_all_operations() if _is_ok(result)}


def _is_ok(result: Any) -> bool:
    try:
        result.ok()
    except Exception:
        return False
    return True


def client_for(context: "RunContext", phase: str) -> "Client":
    """A client of the run's target whose requests count in the run's totals, under `phase`."""
    from conformance.run.phases.pagination.walk import Client

    def in_phase() -> None:
        context.results.requests_by_phase[phase] += 1

    def counted() -> None:
        context.results.requests += 1
        in_phase()

    return Client(context.target, counted, context.index, in_phase, stalled=context.unresponsive)


def raise_with_evidence(context: "RunContext", failures: Sequence[Any]) -> None:
    """Keep each failure's evidence (its check, the status and curl of the request that shows
    it) where the plugin looks for it, then raise them for pytest."""
    from conformance.checks.failures import raise_all
    from conformance.reporting.results import Evidence

    for failure in failures:
        page = getattr(failure, "page", None)
        if page is not None:
            evidence = Evidence(type(failure).checks[0], page.status, bool(context.target.api_key), page.curl)
            context.results.record_evidence(failure.operation, failure, evidence)
    raise_all(failures)
