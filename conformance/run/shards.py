"""`--shard K/N`: the run's selected operations split into N parts, this process running part K.

The partition is a pure function of the selection, N and the costs, so every machine computes
the same one for the same spec, options and N. Its unit is a collection: the operations of one
path prefix up to its first parameter (`/addresses`, `/addresses/{id}`, `/addresses/{id}/actions/x`
are one), because one process's tests share what they learn within one: schemathesis sends each
unspecified method of a path once per process, and the ids a list answers feed its items' path
parameters (conformance/run/id_feed.py). The collections, heaviest first (ties by name), each go
into the lightest part so far (ties by the lowest index). The cost of an operation is
its measured time in a previous run's durations.json (`--durations FILE`; an operation the file
does not know gets its static estimate, scaled to seconds by the ones it knows), else a static
estimate: examples x (1 + parameters), plus the pages a pagination walk fetches and the steps
of a lifecycle.

Every shard collects every selected operation (so a lifecycle test can file a failure under an
operation another shard runs, and the merged order is the one of an unsharded run) and runs
only its own; at its end it writes its whole part (`shard-results.json`) for the merge, then
reports on its own operations, and on those its tests found failing.

Without a flag, the environment of a CI engine selects the shard: `TELNYX_SHARD=K/N`, GitLab's
`CI_NODE_INDEX`/`CI_NODE_TOTAL` (`parallel:`, 1-based), a Kubernetes Indexed Job's
`JOB_COMPLETION_INDEX` (0-based) with `TELNYX_SHARD_TOTAL`. The flag wins over all of them.
"""

import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

PART = "shard-results.json"  # beside summary.json: the shard's whole results, for `merge`
ENV_GENERIC, ENV_TOTAL = "TELNYX_SHARD", "TELNYX_SHARD_TOTAL"
ENV_GITLAB = ("CI_NODE_INDEX", "CI_NODE_TOTAL")
ENV_K8S = "JOB_COMPLETION_INDEX"
PAGE_REQUESTS = 4  # requests a pagination walk sends per page it is allowed (--max-pages)
LIFECYCLE_REQUESTS = 10  # create, retrieve, list, update, delete, 404, unlisted and their pages


class ShardError(ValueError):
    """A shard that cannot be: a malformed K/N, an index out of range, an unreadable durations file."""


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


def parse_shard(text: str, origin: str = "--shard") -> Shard:
    found = re.fullmatch(r"\s*([0-9]+)\s*/\s*([0-9]+)\s*", text or "")
    if not found:
        raise ShardError(f"{origin} {text!r}: expected K/N, e.g. 2/4")
    return _checked(int(found.group(1)), int(found.group(2)), origin)


def _checked(index: int, total: int, origin: str) -> Shard:
    if total < 1 or not 1 <= index <= total:
        raise ShardError(f"{origin}: shard {index}/{total} does not exist (K runs from 1 to N, N >= 1)")
    return Shard(index, total)


def from_environment(environ: Mapping[str, str]) -> Shard | None:
    """The shard a CI engine's variables name, or None when none does."""
    if environ.get(ENV_GENERIC):
        return parse_shard(environ[ENV_GENERIC], ENV_GENERIC)
    index, total = (environ.get(name, "").strip() for name in ENV_GITLAB)
    if index:
        if not (index.isdigit() and total.isdigit()):
            raise ShardError(f"{ENV_GITLAB[0]}={index!r} {ENV_GITLAB[1]}={total!r}: expected two integers")
        return _checked(int(index), int(total), "CI_NODE_INDEX/CI_NODE_TOTAL")
    completion = environ.get(ENV_K8S, "").strip()
    if completion:
        total = environ.get(ENV_TOTAL, "").strip()
        if not (completion.isdigit() and total.isdigit()):
            raise ShardError(f"{ENV_K8S}={completion!r} needs {ENV_TOTAL}=N (the Job's completions), got {total!r}")
        return _checked(int(completion) + 1, int(total), f"{ENV_K8S}/{ENV_TOTAL}")
    return None


def resolve(flag: str | None, environ: Mapping[str, str]) -> Shard | None:
    """The flag's shard, else the environment's, else None (an unsharded run)."""
    return parse_shard(flag) if flag else from_environment(environ)


# --- costs and the partition ----------------------------------------------------------------


def estimate(operation: Any, max_examples: int, max_pages: int, paging: bool, lifecycle: bool) -> float:
    """Requests an operation's tests send, roughly: examples x (1 + parameters), plus its walk."""
    parameters = len(operation.node.get("parameters") or []) + len(operation.path_item.get("parameters") or [])
    parameters += 1 if operation.node.get("requestBody") else 0
    cost = max_examples * (1 + parameters)
    cost += PAGE_REQUESTS * max_pages if paging else 0
    cost += LIFECYCLE_REQUESTS if lifecycle else 0
    return float(cost)


def costs(estimates: Mapping[str, float], measured: Mapping[str, float] | None) -> dict[str, float]:
    """Each label's cost: its measured seconds, else its estimate scaled by the measured ones."""
    if not measured:
        return dict(estimates)
    known = sorted(label for label in estimates if label in measured)
    scale = math.fsum(measured[label] for label in known) / (math.fsum(estimates[label] for label in known) or 1.0)
    scale = scale if known and scale > 0 else 1.0
    return {label: float(measured[label]) if label in measured else value * scale for label, value in estimates.items()}


def collection(label: str) -> str:
    """The collection an operation belongs to: its path up to the first parameter."""
    path = label.split(" ", 1)[-1]
    return path.split("{", 1)[0].rstrip("/") or "/"


def partition_operations(cost: Mapping[str, float], total: int) -> list[list[str]]:
    """The operations of `cost` in `total` parts, each collection whole in one part."""
    groups: dict[str, list[str]] = {}
    for label in sorted(cost):  # one order on every machine: `cost` may come from a set
        groups.setdefault(collection(label), []).append(label)
    weights = {name: math.fsum(cost[label] for label in labels) for name, labels in groups.items()}
    return [sorted(label for name in part for label in groups[name]) for part in partition(weights, total)]


def partition(cost: Mapping[str, float], total: int) -> list[list[str]]:
    """Greedy longest-first: heaviest first (ties by label) into the lightest part (ties by index)."""
    loads = [0.0] * total
    parts: list[list[str]] = [[] for _ in range(total)]
    for label in sorted(cost, key=lambda label: (-cost[label], label)):
        lightest = min(range(total), key=lambda i: (loads[i], i))
        parts[lightest].append(label)
        loads[lightest] += cost[label]
    return [sorted(part) for part in parts]


def selection_digest(choices: Mapping[str, Any], durations: bytes | None) -> str:
    """What decides the partition, hashed: the selection options (order-free), the budget the
    estimate reads and the durations file. Shards agree on it or the merge refuses them."""
    canonical = {
        key: sorted(value) if isinstance(value, list | tuple) else value for key, value in sorted(choices.items())
    }
    canonical["durations"] = hashlib.sha256(durations).hexdigest() if durations is not None else None
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def partition_digest(parts: list[list[str]]) -> str:
    """The whole partition, hashed: every shard computes all N parts, so shards that agree on
    it run each operation exactly once between them (a different suite version, or a plan
    that depended on the process, would not)."""
    return hashlib.sha256(orjson.dumps(parts)).hexdigest()[:16]


def read_durations(path: str) -> tuple[dict[str, float], bytes]:
    """Seconds per operation from a durations.json (or a report dir holding one), and its bytes."""
    from conformance.reporting.durations import DURATIONS, parse_durations

    file = Path(path) / DURATIONS if Path(path).is_dir() else Path(path)
    try:
        raw = file.read_bytes()
        return parse_durations(raw), raw
    except (OSError, ValueError) as exc:
        detail = "not found" if isinstance(exc, FileNotFoundError) else f"unreadable ({exc})"
        raise ShardError(f"--durations {file}: {detail}") from None


# --- the plan of one shard ------------------------------------------------------------------


@dataclass(frozen=True)
class ShardPlan:
    shard: Shard
    selection: str  # selection_digest
    labels: frozenset[str]  # this shard's operations
    partition: str = ""  # partition_digest of all N parts: shards that planned apart do not merge

    def tag(self) -> dict[str, Any]:
        tag = {"index": self.shard.index, "total": self.shard.total, "selection": self.selection}
        return tag | ({"partition": self.partition} if self.partition else {})


def plan(
    shard: Shard,
    selected: Iterable[str],
    operations: Mapping[str, Any],
    index: Any,
    choices: Mapping[str, Any],
    durations: str | None,
) -> ShardPlan:
    """This shard's operations among `selected`, and the digest its summary is tagged with.
    `choices` holds the selection options, with "max_examples" and "max_pages" among them."""
    from conformance.run.phases.lifecycle import detect_lifecycles
    from conformance.run.phases.pagination.detect import detect

    measured, raw = read_durations(durations) if durations else (None, None)
    paging = {p.label for p in detect(index)[0]}
    lifecycles = {life.label for life in detect_lifecycles(index)}
    examples, pages = int(choices["max_examples"]), int(choices["max_pages"])
    estimates = {
        label: estimate(operations[label], examples, pages, label in paging, label in lifecycles)
        for label in selected
        if label in operations
    }
    parts = partition_operations(costs(estimates, measured), shard.total)
    return ShardPlan(shard, selection_digest(choices, raw), frozenset(parts[shard.index - 1]), partition_digest(parts))


def finish(results: Any, report_dir: Path | None, plan: ShardPlan) -> None:
    """At the shard's end: its whole part for the merge, then its results narrowed to its own
    operations and those its tests found failing (what its own reports show)."""
    from conformance.reporting.files import atomic_write
    from conformance.reporting.parts import dump_results
    from conformance.reporting.results import guarded

    results.shard = plan.tag()
    if report_dir is not None:
        part = {"shard": plan.tag(), "spec": {"sha256": results.spec_sha256}, "seed": results.seed}
        part |= dump_results(results)
        atomic_write(report_dir / PART, orjson.dumps(guarded(part, results.target)))
    results.operations = {label: op for label, op in results.operations.items() if label in plan.labels or op.failures}


def share_rate(rate: str, parts: int) -> str:
    """An N/unit pace shared out among `parts` processes, in a finer unit where it would round
    to nothing (10/s over 12 is 50/m each), at least 1 per unit."""
    count, unit = rate.split("/", 1)
    number = int(count)
    finer = {"s": ("m", 60), "m": ("h", 60), "h": ("d", 24)}
    while parts > 1 and number < parts and unit in finer:
        unit, factor = finer[unit]
        number *= factor
    return f"{max(1, number // max(1, parts))}/{unit}"
