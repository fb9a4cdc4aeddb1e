"""Triage: whose fault is a failure, the target's (`server`), the spec's (`spec`), or the
run's own configuration and network (`setup`), and why.

A failure is the spec's only with positive evidence that the spec itself is at fault at the
exact place the check judged (`evidence.RULES`): the failing value is the spec's own example
or default there; the audit found a schema-breaking problem at the failing keyword (or at the
sibling keyword that contradicts it); the documented answers cannot be honoured (a standard
error the operation does not document, a discriminator its members contradict, an error body
that is not the envelope); the request that the spec calls valid carried the spec's own
invalid example. A finding elsewhere in the same schema, beside it or reached from it excuses
nothing: when in doubt the failure is the target's. Every verdict carries its reason.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance.triage.classes import (
    CLASSES,
    DRIFT,
    RESPONSE_CHECKS,
    SERVER,
    SETUP,
    SETUP_CHECKS,
    SETUP_MARKERS,
    SPEC,
    TRIAGE_RULES,
)
from conformance.triage.evidence import RULES
from conformance.triage.examples import ExampleValues, FlaggedValue, value_key
from conformance.triage.observed import Observed, observe
from conformance.triage.reach import operation_schemas, request_schemas, response_roots, response_schemas
from spec.index import Operation, SpecIndex

__all__ = [
    "CLASSES",
    "DRIFT",
    "RESPONSE_CHECKS",
    "SERVER",
    "SETUP",
    "SPEC",
    "Observed",
    "Triage",
    "Verdict",
    "operation_schemas",
    "triage_for",
]


@dataclass(frozen=True)
class Verdict:
    classification: str
    reason: str


def setup_verdict(check: str, message: str) -> Verdict | None:
    """The run could not test the target: the network, TLS, our own configuration."""
    lowered = message.lower()
    if check in SETUP_CHECKS:
        return Verdict(SETUP, f"the run could not test the target ({check})")
    marker = next((m for m in SETUP_MARKERS if m in lowered), None)
    if marker is not None:
        return Verdict(SETUP, f"the run could not reach the target ({marker})")
    return None


def server_reason(observed: Observed) -> str:
    if observed.keyword_location:
        keyword = observed.keyword_location.rsplit("/", 1)[-1]
        return (
            f"`{keyword}` failed at {observed.keyword_location}: no spec finding at that keyword, not its own example"
        )
    return f"{observed.check} failed: no evidence at this operation that the spec is at fault"


@dataclass
class Triage:
    """Per-run triage over the audit's findings (by pointer) and the spec's invalid values."""

    index: SpecIndex
    findings: dict[str, set[str]] = field(default_factory=dict)  # pointer -> rule ids found there
    examples: ExampleValues = field(default_factory=ExampleValues)
    _response_roots: dict[str, list[str]] = field(default_factory=dict)
    _response_schemas: dict[str, set[str]] = field(default_factory=dict)
    _request_schemas: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_findings(cls, index: SpecIndex, findings: Iterable[tuple[str, str]]) -> "Triage":
        """From (rule id, pointer) pairs of an audit."""
        pairs = list(findings)
        by_pointer: dict[str, set[str]] = {}
        for rule, pointer in pairs:
            by_pointer.setdefault(pointer, set()).add(rule)
        return cls(index, by_pointer, ExampleValues.from_findings(index, pairs))

    def response_roots(self, operation: Operation) -> list[str]:
        if operation.pointer not in self._response_roots:
            self._response_roots[operation.pointer] = response_roots(self.index, operation)
        return self._response_roots[operation.pointer]

    def response_schemas(self, operation: Operation) -> set[str]:
        if operation.pointer not in self._response_schemas:
            self._response_schemas[operation.pointer] = response_schemas(self.index, operation)
        return self._response_schemas[operation.pointer]

    def sent_example(self, operation: Operation, sent: Any) -> FlaggedValue | None:
        """The spec's invalid example (or default) some value of the request carried, for a
        schema this operation's requests are judged against."""
        if not self.examples.by_key or sent is None:
            return None
        if operation.pointer not in self._request_schemas:
            self._request_schemas[operation.pointer] = request_schemas(self.index, operation)
        reached = self._request_schemas[operation.pointer]
        for value in _subvalues(sent):
            for flagged in self.examples.by_key.get(value_key(value), ()):
                if flagged.schema in reached:
                    return flagged
        return None

    def judge(self, operation: Operation | None, observed: Observed) -> Verdict:
        found = setup_verdict(observed.check, observed.message)
        if found is not None:
            return found
        if operation is not None:
            for rule in RULES:
                reason = rule(self, operation, observed)
                if reason is not None:
                    return Verdict(SPEC, reason)
        return Verdict(SERVER, server_reason(observed))

    def classify(
        self,
        operation: Operation | None,
        check: str,
        message: str,
        status_code: int | None = None,
        *,
        failure: Any = None,
        sent: Any = None,
    ) -> Verdict:
        """The verdict on one failure as the run saw it (`failure`: the schemathesis Failure
        when there is one; `sent`: what the request carried)."""
        observed = observe(self.index, operation, check, message, status_code, failure, sent)
        return self.judge(operation, observed)


def _subvalues(value: Any, limit: int = 10_000) -> Iterable[Any]:
    """`value` and every value nested in it (dict values, list items), breadth first, bounded."""
    queue, seen = [value], 0
    while queue and seen < limit:
        current = queue.pop(0)
        seen += 1
        yield current
        if isinstance(current, dict):
            queue.extend(current.values())
        elif isinstance(current, list | tuple):
            queue.extend(current)


def triage_for(index: SpecIndex, spec: object) -> Triage:
    """A Triage from an audit of the loaded spec (the warm audit costs ~0.4 s)."""
    from spec.audit import run_audit
    from spec.rules import all_rules

    rules = [r for r in all_rules() if r.id in TRIAGE_RULES]
    result = run_audit(spec, rules=rules, index=index)  # type: ignore[arg-type]
    return Triage.from_findings(index, [(f.rule, f.pointer) for f in result.findings])
