"""A run's results as a plain document, and several partial results folded into one.

Two kinds of partial run share this: the pytest-xdist workers of one run (`--workers`,
conformance/run/workers.py) and the shards of a run spread over machines (`--shard K/N`,
conformance/reporting/merge.py). Each part holds every operation its process collected, and
`ran`, the operations whose own test it ran. Folding is by operation: the status comes from
the part that ran the operation's own test (failures found by another part's pagination or
lifecycle test still fail it), failures are concatenated, counters summed and sets joined.
"""

import dataclasses
from collections import Counter
from collections.abc import Iterable
from typing import Any

from conformance.reporting.results import FailureRecord, OperationResult, Results

_RANK = {"passed": 0, "skipped": 1, "errored": 2, "failed": 3}


def dump_results(results: Results) -> dict[str, Any]:
    """The part of one process: every operation with what it observed (its texts are redacted
    already: they enter the model so), the run's counters and `ran`."""
    return {
        "operations": {label: dump_operation(op) for label, op in results.operations.items()},
        "ran": sorted(results.ran),
        "requests": results.requests,
        "rate_limited": results.rate_limited,
        "requests_by_phase": dict(results.requests_by_phase),
        "hostility": dict(results.hostility),
        "scenarios": dict(results.scenarios),
        **({"interrupted": True} if results.interrupted else {}),
        **({"client": results.client} if results.client else {}),  # --client: which client, drift's counts
    }


def fold(results: Results, parts: Iterable[dict[str, Any]]) -> None:
    """Fold `parts` into `results` (empty of operations): the operations in the order the first
    part that has each lists it (every part collected the same operations, in one order)."""
    parts = list(parts)
    for part in parts:
        results.requests += part["requests"]
        results.rate_limited += part["rate_limited"]
        results.requests_by_phase.update(part["requests_by_phase"])
        results.ran.update(part["ran"])
        for kind, count in part.get("hostility", {}).items():
            results.hostility[kind] = results.hostility.get(kind, 0) + count
        results.interrupted = results.interrupted or bool(part.get("interrupted"))
        results.client = results.client or part.get("client")
        for name, outcome in part.get("scenarios", {}).items():  # each scenario runs in one part
            if outcome.get("status") != "skipped" or name not in results.scenarios:
                results.scenarios[name] = outcome
    seen: dict[str, list[tuple[OperationResult, bool]]] = {}
    for part in parts:
        for label, raw in part["operations"].items():
            seen.setdefault(label, []).append((load_operation(raw), label in part["ran"]))
    for label, copies in seen.items():
        results.operations[label] = merged(copies)


def merged(copies: list[tuple[OperationResult, bool]]) -> OperationResult:
    """One operation's result from every part's copy of it. The status is that of the copy
    whose part ran the operation's own test (the others only collected it), made worse by any
    copy that failed or errored (another part's pagination or lifecycle test)."""
    primary = next((op for op, ran in copies if ran), None)
    if primary is None:  # no part ran its test: a part's own verdict of it (skipped), never a pass
        primary = next((op for op, _ in copies if op.status != "passed"), copies[0][0])
        primary = primary if primary.status != "passed" else dataclasses.replace(primary, status="skipped")
        primary.reason = primary.reason or "not run: no part ran its test"
    result = dataclasses.replace(primary)
    for spec in dataclasses.fields(OperationResult):
        value = getattr(primary, spec.name)
        if isinstance(value, Counter | set | list):
            setattr(result, spec.name, type(value)())
    for op, _ in copies:
        for spec in dataclasses.fields(OperationResult):
            mine, theirs = getattr(result, spec.name), getattr(op, spec.name)
            if isinstance(mine, Counter | set):
                mine.update(theirs)
            elif isinstance(mine, list):
                mine.extend(theirs)
        if op.status in ("failed", "errored") and _RANK[op.status] > _RANK[result.status]:
            result.status, result.reason = op.status, op.reason
    return result


def dump_operation(op: OperationResult) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for spec in dataclasses.fields(OperationResult):
        value = getattr(op, spec.name)
        if isinstance(value, Counter):
            data[spec.name] = {"counter": [[key, count] for key, count in value.items()]}
        elif isinstance(value, set):
            data[spec.name] = {"set": sorted(value, key=str)}
        elif spec.name == "failures":
            data[spec.name] = [dataclasses.asdict(failure) for failure in value]
        else:
            data[spec.name] = value
    return data


def load_operation(data: dict[str, Any]) -> OperationResult:
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(OperationResult):
        if spec.name not in data:
            continue
        value = data[spec.name]
        if isinstance(value, dict) and "counter" in value:
            value = Counter({key: count for key, count in value["counter"]})
        elif isinstance(value, dict) and "set" in value:
            value = set(value["set"])
        elif spec.name == "failures":
            value = [FailureRecord(**failure) for failure in value]
        values[spec.name] = value
    return OperationResult(**values)
