"""The conformance matrix: per tag and operation, what a run found, in one table a team can act on.

`build` turns a run's results (the summary.json shape plus what the run observed), the spec
and the audit's findings into plain rows; `compare` sets each row against a previous run's
summary.json; `conformance.reporting.matrix.html` and `conformance.reporting.matrix.markdown` render them.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.reporting.coverage import Coverage, documented_statuses, responses_observed
from spec.findings import Finding
from spec.index import Operation, SpecIndex

FAILING = frozenset({"failed", "errored"})
NEW, FIXED, STILL = "newly failing", "fixed", "still failing"


FAILURE_FIELDS = ("check", "classification", "reason", "message")


@dataclass
class Row:
    tag: str
    operation_id: str | None
    method: str
    path: str
    status: str
    line: int  # of the operation in the spec
    reason: str | None = None
    failures: list[dict[str, Any]] = field(default_factory=list)  # check, classification, reason, message
    documented: list[str] = field(default_factory=list)  # response keys: "200", "4XX", "default"
    observed: dict[int, int] = field(default_factory=dict)  # status code -> answers
    responses_observed: list[str] = field(default_factory=list)  # documented keys some answer matched
    properties_documented: int = 0
    properties_seen: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)  # the audit's, located
    change: str | None = None  # against --compare
    change_detail: str = ""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def key(self) -> str:
        return self.operation_id or self.label

    @property
    def failing(self) -> bool:
        return self.status in FAILING

    def failed_checks(self) -> list[tuple[str, str]]:
        """(check, class) pairs, each once, in order of appearance."""
        return list(dict.fromkeys((f["check"], f["classification"]) for f in self.failures))


@dataclass
class Matrix:
    target: str
    spec_sha256: str
    seed: int
    rows: list[Row]
    compared_with: str | None = None
    headline: list[str] = field(default_factory=list)  # the verdict in words (reporting/headline.py)
    scenarios: list[dict[str, Any]] = field(default_factory=list)  # summary.json's `scenarios`

    def coverage(self) -> dict[str, Any]:
        ran = [r for r in self.rows if r.status != "skipped" and r.observed]
        documented = sum(len(r.documented) for r in self.rows)
        seen = sum(len(r.responses_observed) for r in self.rows)
        props = sum(r.properties_documented for r in self.rows)
        props_seen = sum(r.properties_seen for r in self.rows)
        return {
            "operations": len(self.rows),
            "exercised": len(ran),
            "responses_documented": documented,
            "responses_observed": seen,
            "properties_documented": props,
            "properties_seen": props_seen,
        }

    def verdicts(self) -> Counter[str]:
        return Counter(r.status for r in self.rows)

    def classes(self) -> Counter[str]:
        return Counter(f["classification"] for r in self.rows for f in r.failures)

    def changes(self) -> dict[str, list[Row]]:
        return {kind: [r for r in self.rows if r.change == kind] for kind in (NEW, FIXED, STILL)}

    def by_tag(self) -> dict[str, list[Row]]:
        tags: dict[str, list[Row]] = {}
        for row in sorted(self.rows, key=lambda r: (r.tag.lower(), r.path, r.method)):
            tags.setdefault(row.tag, []).append(row)
        return tags


def scenario_line(scenario: Mapping[str, Any]) -> str:
    """One scenario's outcome in words: `passed (7 steps)`, `failed at step 3 of 6: why`."""
    steps = scenario.get("steps", 0)
    if scenario.get("status") == "failed":
        return f"failed at step {scenario.get('step')} of {steps}: {scenario.get('reason', '')}"
    reason = f": {scenario['reason']}" if scenario.get("reason") else ""
    return f"{scenario.get('status')} ({steps} steps){reason}"


def share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def operation_tag(operation: Operation | None) -> str:
    tags = operation.node.get("tags") if operation is not None else None
    return str(tags[0]) if isinstance(tags, list) and tags else "(untagged)"


def findings_by_operation(
    index: SpecIndex, operations: Iterable[Operation], findings: Iterable[Finding]
) -> dict[str, list[dict[str, Any]]]:
    """Per operation pointer, the audit's findings in the operation itself or its path item's
    parameters (`where: operation`) and in the schemas elsewhere that its requests and responses
    reach (`where: schema`), in the audit's order."""
    from conformance.triage import operation_schemas

    findings = list(findings)
    under: dict[str, list[int]] = {}  # every ancestor pointer of a finding -> finding positions
    for i, finding in enumerate(findings):
        pointer = finding.pointer
        while pointer:
            under.setdefault(pointer, []).append(i)
            pointer = pointer.rsplit("/", 1)[0]
    result: dict[str, list[dict[str, Any]]] = {}
    for operation in operations:
        path_item = operation.pointer.rsplit("/", 1)[0]
        own = set(under.get(operation.pointer, ())) | set(under.get(path_item + "/parameters", ()))
        reached: set[int] = set()
        for pointer in operation_schemas(index, operation):
            if not pointer.startswith(path_item + "/"):
                reached.update(under.get(pointer, ()))
        result[operation.pointer] = [
            {**findings[i].as_dict(), "where": "operation" if i in own else "schema"} for i in sorted(own | reached)
        ]
    return result


def build(
    summary: Mapping[str, Any],
    observed: Mapping[str, Any],
    index: SpecIndex,
    lines: Mapping[str, int],
    findings: Iterable[Finding] = (),
    operations: Mapping[str, Operation] | None = None,
) -> Matrix:
    """The matrix of one run.

    `summary` has the summary.json shape; `observed` maps "METHOD /path" to that operation's
    OperationResult (for observed_statuses and properties_seen); `lines` maps operation pointers
    to their line in the spec; `operations` maps other labels to the spec's operations (a
    `--client` run's labels are the client's paths)."""
    operations = {f"{op.method.upper()} {op.path}": op for op in index.operations} | dict(operations or {})
    run_ops = [operations.get(f"{op['method']} {op['path']}") for op in summary["operations"]]
    by_pointer = findings_by_operation(index, [op for op in run_ops if op is not None], findings)
    coverage = Coverage(index)
    rows = []
    for data, operation in zip(summary["operations"], run_ops, strict=True):
        label = f"{data['method']} {data['path']}"
        seen = observed.get(label)
        statuses = dict(sorted((getattr(seen, "observed_statuses", None) or {}).items()))
        documented = documented_statuses(operation) if operation is not None else []
        props = coverage.all_documented(operation) if operation is not None else set()
        props_seen = set(getattr(seen, "properties_seen", None) or ()) & props
        rows.append(
            Row(
                tag=operation_tag(operation),
                operation_id=data.get("operation_id"),
                method=data["method"],
                path=data["path"],
                status=data["status"],
                line=lines.get(operation.pointer, 0) if operation is not None else 0,
                reason=data.get("reason"),
                failures=[
                    {k: f.get(k, "") for k in ("check", "classification", "reason", "message")}
                    for f in data["failures"]
                ],
                documented=documented,
                observed=statuses,
                responses_observed=sorted(responses_observed(documented, statuses)),
                properties_documented=len(props),
                properties_seen=len(props_seen),
                findings=by_pointer.get(operation.pointer, []) if operation is not None else [],
            )
        )
    from conformance.reporting.headline import lines

    headline = lines(summary)[:-1]  # conforms or not, the spec's defects, setup, a client's drift
    target, sha, seed = summary["target"]["base_url"], summary["spec"]["sha256"], summary["seed"]
    return Matrix(target, sha, seed, rows, headline=headline, scenarios=list(summary.get("scenarios") or []))


def compare(matrix: Matrix, previous: Mapping[str, Any], name: str) -> Matrix:
    """Mark each row newly failing, fixed or still failing against a previous summary.json."""
    before = {op.get("operation_id") or f"{op['method']} {op['path']}": op for op in previous.get("operations", [])}
    matrix.compared_with = name
    for row in matrix.rows:
        old = before.get(row.key)
        was_failing = old is not None and old.get("status") in FAILING
        if row.failing and not was_failing:
            row.change = NEW
        elif row.failing and was_failing:
            row.change = STILL
            old_checks = {f["check"] for f in old.get("failures", [])}
            now_checks = {f["check"] for f in row.failures}
            parts = []
            if now_checks - old_checks:
                parts.append("new: " + ", ".join(sorted(now_checks - old_checks)))
            if old_checks - now_checks:
                parts.append("gone: " + ", ".join(sorted(old_checks - now_checks)))
            row.change_detail = "; ".join(parts)
        elif was_failing and row.status == "passed":
            row.change = FIXED
    return matrix
