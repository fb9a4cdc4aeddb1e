"""Per-operation results of a conformance run, collected during the pytest session and
written once at its end as `summary.json`.

Everything written passes through `Target.redact`: the report directory is meant to be
shared (CI artifacts, bug reports), so the API key must never reach it.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from conformance.target import Target
from conformance.triage import SERVER, SETUP

MAX_MESSAGE = 2000
_AUTH_STATUSES = frozenset({401, 403})


def classify(
    check: str, status_code: int | None = None, sent_key: bool = False, error: BaseException | None = None
) -> str:
    """Whose problem a failure is, as far as the request and response tell: `setup` (the
    run could not test the target: network, timeout, our key refused) or `server`. Whether a
    `server` failure is really the spec's is decided by conformance.triage."""
    if error is not None:
        # A hang or a dropped connection on one operation, once preflight has reached the
        # target, is that operation's misbehaviour; any other transport error is the run's.
        return SERVER if check in ("request_timeout", "connection_error") else SETUP
    if sent_key and status_code in _AUTH_STATUSES and check != "ignored_auth":
        return SETUP  # a request carrying our key refused: the key or its scope is wrong
    return SERVER


@dataclass
class FailureRecord:
    check: str
    classification: str
    message: str
    curl: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "classification": self.classification, "message": self.message, "curl": self.curl}


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
    requests_by_phase: Counter[str] = field(default_factory=Counter)  # of `requests`: pagination, lifecycle
    ran: set[str] = field(default_factory=set)  # labels whose own test got to run
    interrupted: bool = False
    hostility: dict[str, int] = field(default_factory=dict)  # conformance.target.hostility: kind -> count

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
            "target": {"base_url": self.target.base_url},
            "spec": {"sha256": self.spec_sha256},
            "seed": self.seed,
            "operations": [op.as_dict() for op in self.operations.values()],
            "totals": self.totals(),
            **({"interrupted": True} if self.interrupted else {}),
            **({"hostility": dict(self.hostility)} if self.hostility else {}),
        }

    def write(self, report_dir: Path) -> Path:
        report_dir.mkdir(parents=True, exist_ok=True)
        path = report_dir / "summary.json"
        text = orjson.dumps(self.summary(), option=orjson.OPT_INDENT_2).decode()
        path.write_text(self.target.redact(text) + "\n", encoding="utf-8")
        return path


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """A message fit for a summary row: whitespace collapsed, bounded."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
