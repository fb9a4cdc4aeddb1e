"""Per-operation results of a conformance run, collected during the pytest session and
written once at its end as `summary.json`.

The report directory is meant to be shared (CI artifacts, bug reports), so the API key must
never reach it: every text that can hold it is redacted when it enters the model (messages,
reasons, curl commands, the target's URL), and the writers serialize the model as it is.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from conformance.target import Target
from conformance.triage import SERVER, SETUP, Verdict

MAX_MESSAGE = 2000
_AUTH_STATUSES = frozenset({401, 403})


def classify(
    check: str, status_code: int | None = None, sent_key: bool = False, error: BaseException | None = None
) -> Verdict | None:
    """Whose problem a failure is, as far as the request and response alone tell: `setup` (the
    run could not test the target: network, our key refused), `server` for a target that hung
    or dropped the connection, or None: conformance.triage decides from the spec."""
    if error is not None:
        # A hang or a dropped connection on one operation, once preflight has reached the
        # target, is that operation's misbehaviour; any other transport error is the run's.
        if check == "request_timeout":
            return Verdict(SERVER, "the target did not answer within the run's timeout")
        if check == "connection_error":
            return Verdict(SERVER, "the target dropped the connection before the answer was complete")
        return Verdict(SETUP, f"the request could not be made ({type(error).__name__})")
    if sent_key and status_code in _AUTH_STATUSES and check != "ignored_auth":
        return Verdict(SETUP, f"a request carrying the run's API key was refused ({status_code}): the key or its scope")
    return None


@dataclass
class FailureRecord:
    check: str
    classification: str
    message: str
    curl: str | None
    reason: str = ""  # why triage chose the class, in words (see conformance.triage)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "classification": self.classification,
            "reason": self.reason,
            "message": self.message,
            "curl": self.curl,
        }


@dataclass
class OperationResult:
    operation_id: str | None
    method: str
    path: str
    status: str = "passed"
    reason: str | None = None
    failures: list[FailureRecord] = field(default_factory=list)
    # For the reports (matrix, JUnit), not summary.json: what the run observed of the operation.
    observed_statuses: Counter[int] = field(default_factory=Counter)  # status code -> answers
    checks_run: set[str] = field(default_factory=set)  # every check that judged an answer
    properties_seen: set[str] = field(default_factory=set)  # "KEY path", see conformance.reporting.coverage
    cost: Counter[str] = field(default_factory=Counter)  # "seconds", "requests" of its tests: durations.json

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "operation_id": self.operation_id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "failures": [f.as_dict() for f in self.failures],
        }
        if self.reason:
            data["reason"] = self.reason
        return data


@dataclass
class Evidence:
    """What the after_validate hook saw for one failing check: enough to name the check,
    classify it and replay it (the last one seen is the shrunk, minimal case)."""

    check: str
    status_code: int
    sent_key: bool  # the request carried the run's key (schemathesis also sends unauthenticated cases)
    curl: str
    request: str | None = None  # the exchange as text, redacted (Allure attachments)
    sent: Any = None  # the case's body, query and path parameters (never written anywhere)
    drift: Verdict | None = None  # --client: `drift` when the pinned spec allows what the client's forbids
    response: str | None = None


@dataclass
class Results:
    target: Target
    spec_sha256: str
    seed: int
    operations: dict[str, OperationResult] = field(default_factory=dict)  # by "METHOD /path"
    evidence: dict[tuple[str, str, str], Evidence] = field(default_factory=dict)  # (label, class, message)
    requests: int = 0
    rate_limited: int = 0
    requests_by_phase: Counter[str] = field(default_factory=Counter)  # of `requests`: pagination, lifecycle, scenarios
    ran: set[str] = field(default_factory=set)  # labels whose own test got to run
    interrupted: bool = False
    hostility: dict[str, int] = field(default_factory=dict)  # conformance.target.hostility: kind -> count
    shard: dict[str, Any] | None = None  # --shard K/N: {"index", "total", "selection"} (conformance/run/shards.py)
    client: dict[str, Any] | None = None  # --client: {"spec", "sha256", "operations"} (conformance/run/client.py)
    # name -> {"status", "steps", "file", and for a failed or skipped one "step" (1-based) / "reason"}
    scenarios: dict[str, dict[str, Any]] = field(default_factory=dict)

    def mark_interrupted(self) -> None:
        """After Ctrl-C: an operation whose test never ran is skipped, not passed."""
        self.interrupted = True
        for label, result in self.operations.items():
            if label not in self.ran and result.status == "passed" and not result.failures:
                result.status, result.reason = "skipped", "not run: the run was interrupted"

    def record_evidence(self, label: str, failure: BaseException, evidence: Evidence) -> None:
        self.evidence[(label, type(failure).__name__, str(getattr(failure, "message", "")))] = evidence
        self.evidence[(label, type(failure).__name__, "")] = evidence

    def evidence_for(self, label: str, failure: BaseException) -> Evidence | None:
        name = type(failure).__name__
        return self.evidence.get((label, name, str(getattr(failure, "message", "")))) or self.evidence.get(
            (label, name, "")
        )

    def totals(self) -> dict[str, Any]:
        statuses = Counter(op.status for op in self.operations.values())
        by_class = Counter(f.classification for op in self.operations.values() for f in op.failures)
        return {
            "operations": len(self.operations),
            **{s: statuses.get(s, 0) for s in ("passed", "failed", "skipped", "errored")},
            "requests": self.requests,
            "requests_by_phase": dict(sorted(self.requests_by_phase.items())),
            "rate_limited": self.rate_limited,
            "by_classification": dict(sorted(by_class.items())),
        }

    def summary(self) -> dict[str, Any]:
        return {
            "target": {"base_url": self.target.redact_url(self.target.base_url)},
            "spec": {"sha256": self.spec_sha256},
            "seed": self.seed,
            **({"shard": self.shard} if self.shard else {}),  # --shard K/N (conformance/run/shards.py)
            **({"client": self.client} if self.client else {}),  # --client (conformance/run/client.py)
            "operations": [op.as_dict() for op in self.operations.values()],
            "totals": self.totals(),
            **({"interrupted": True} if self.interrupted else {}),
            **({"hostility": dict(self.hostility)} if self.hostility else {}),
            **({"scenarios": [{"name": k, **v} for k, v in sorted(self.scenarios.items())]} if self.scenarios else {}),
        }

    def write(self, report_dir: Path) -> Path:
        """summary.json, atomically, once the model has passed its schema (a writer bug shows
        as a one-line error naming the violation; the file is still written, never lost)."""
        from conformance.reporting.files import atomic_write

        summary = guarded(self.summary(), self.target)
        problems = summary_problems(summary)
        path = atomic_write(report_dir / "summary.json", orjson.dumps(summary, option=orjson.OPT_INDENT_2) + b"\n")
        if problems:
            raise ValueError(f"summary.json breaks its schema: {problems[0]}")
        return path


TEXT_FIELDS = ("message", "reason", "curl")  # where a target's echo of the key can be (the rest is the spec's)


def guarded(document: dict[str, Any], target: Target) -> dict[str, Any]:
    """A second guard before writing: the texts that can hold an echoed key, redacted value by
    value (they enter the model redacted already; paths, ids and check names are never touched)."""
    for operation in (
        document.get("operations", {}).values()
        if isinstance(document.get("operations"), dict)
        else (document.get("operations") or [])
    ):
        if operation.get("reason"):
            operation["reason"] = target.redact(operation["reason"])
        for failure in operation.get("failures") or []:
            for name in TEXT_FIELDS:
                if isinstance(failure.get(name), str):
                    failure[name] = target.redact(failure[name])
    scenarios = document.get("scenarios") or []
    for scenario in scenarios.values() if isinstance(scenarios, dict) else scenarios:
        if isinstance(scenario, dict) and isinstance(scenario.get("reason"), str):
            scenario["reason"] = target.redact(scenario["reason"])
    return document


def summary_problems(summary: dict[str, Any]) -> list[str]:
    """Where `summary` breaks `summary_schema.json` (empty: it holds)."""
    import jsonschema_rs

    schema = orjson.loads((Path(__file__).with_name("summary_schema.json")).read_bytes())
    validator = jsonschema_rs.validator_for(schema)
    return [f"{'/'.join(map(str, e.instance_path)) or '/'}: {e.message}" for e in validator.iter_errors(summary)]


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """A message fit for a summary row: whitespace collapsed, bounded."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
