"""The run context: everything the phases, the hooks and the report writers of one session
share, in one explicit object.

The pytest plugin builds it (`conformance/run/plugin.py`) and hands it to each phase; the test
modules pytest collects (`conformance/suite/`) read it with `active()`, since pytest imports
them and cannot pass it. Nothing below the run reaches for it: the checks get what they need
from the schema they are given (`conformance.checks.knowledge`).
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.reporting.results import Results
from conformance.run.send import given_up, send_with_backoff
from conformance.run.transport_errors import STALLED, again, transport_check
from conformance.target import Target

ENV_KEY = "TELNYX_API_KEY"
OPERATION_MARK = "telnyx_operation"  # marks a test that concerns an operation: @telnyx_operation("GET /x")


@dataclass
class RunContext:
    """Everything the tests and the hooks of one session share."""

    target: Target
    schema: Any  # schemathesis BaseSchema, filtered to the selected operations
    results: Results
    report_dir: Path | None
    operation_ids: dict[str, str | None]  # "METHOD /path" -> operationId
    loaded: Any = None  # the LoadedSpec, for triage
    index: Any = None  # the one SpecIndex of the run: its memo holds compiled validators, share it
    operations: dict[str, Any] = field(default_factory=dict)  # "METHOD /path" -> Operation
    _triage: Any = None
    session: Any = None  # conformance.target.transport.BoundedSession: size, deadline and redirects bounded
    unresponsive: dict[str, BaseException] = field(default_factory=dict)  # label -> first timeout/reset/429 give-up
    max_pages: int = 5  # --max-pages: pages walked per list by the pagination checks
    allure: bool = False  # Allure results are written (labels and attachments are added)
    previous: tuple[str, dict[str, Any]] | None = None  # --compare: (dir, its summary.json)
    _coverage: Any = None
    write_errors: list[str] = field(default_factory=list)  # report writers that failed, one line each
    shard: Any = None  # conformance.run.shards.ShardPlan under --shard K/N: this shard's operations
    webhook_url: str | None = None  # run --webhooks: the sink's URL, named in positive request bodies
    client: Any = None  # conformance.run.client.ClientPlan under --client: the old client's operations
    scenarios: list[Any] = field(default_factory=list)  # conformance.run.phases.scenarios.Scenario, checked

    def coverage(self) -> Any:
        if self._coverage is None:
            from conformance.reporting.coverage import Coverage

            self._coverage = Coverage(self.index)
        return self._coverage

    def triage(self) -> Any:
        """The run's triage, built on the first failure (an audit of the spec, ~0.3 s)."""
        if self._triage is None:
            from conformance.triage import triage_for

            self._triage = triage_for(self.index, self.loaded)
        return self._triage

    def point(self, case: Any) -> None:
        """Under run --webhooks, name the sink in the webhook URL fields of a positive body."""
        if self.webhook_url is not None:
            from conformance.run.webhooks import point

            point(case, self.operations.get(case.operation.label), self.index, self.webhook_url)

    def send(self, case: Any) -> Any:
        """Send `case`, backing off on 429 (never judged: the target is only pacing us).
        Raises `RateLimited` when the target kept answering 429 for the whole backoff budget."""
        label = case.operation.label
        self.point(case)
        if label not in self.unresponsive:
            try:
                response, still_limited = send_with_backoff(
                    lambda: case.call(session=self.session),
                    lambda r: r.status_code,
                    lambda r: r.headers,
                    on_rate_limited=self._count_rate_limited,
                )
            except Exception as exc:
                if transport_check(exc) not in STALLED:
                    raise
                self.unresponsive[label] = exc
            else:
                if not still_limited:
                    return response
                self.unresponsive[label] = given_up(label, response.headers)
        # A timeout, a dropped connection or a call given up on 429 is recorded once per
        # operation: Hypothesis replays a failing example many times while shrinking, and each
        # replay would wait the whole timeout (or backoff budget) again. Raised from this one
        # line, first time and every replay, outside any `except`: one failure, not one per replay.
        raise again(self.unresponsive[label])

    def _count_rate_limited(self) -> None:
        self.results.rate_limited += 1

    def stalled(self, label: str) -> BaseException | None:
        """The timeout, dropped connection or 429 give-up this operation already met, if any."""
        return self.unresponsive.get(label)

    def send_and_validate(self, case: Any) -> None:
        case.validate_response(self.send(case))


_ACTIVE: list[RunContext] = []


def active() -> RunContext | None:
    """The session's context, for the test modules pytest imports (None: no --base-url)."""
    return _ACTIVE[-1] if _ACTIVE else None


def activate(context: RunContext | None) -> None:
    _ACTIVE.clear()
    if context is not None:
        _ACTIVE.append(context)
