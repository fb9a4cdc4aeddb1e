"""`telnyx-conformance merge`: the report dirs of the N shards of one run (`run --shard K/N`)
made into the report dir one unsharded run would have written.

Each shard dir holds its summary.json, tagged `"shard": {"index", "total", "selection"}` with
the seed and the spec's sha256, and its whole part, `shard-results.json` (every operation it
collected, what it observed, which operations it ran; conformance/run/shards.py). The merge
refuses, in one line, shards of different specs, seeds, selections, partitions or N, shards
missing or given twice (naming them), and shards whose own tests ran an operation twice or not at
all: nothing is ever dropped silently, nor passed without having run. It then folds the parts the way the
workers of one run are folded (conformance/reporting/parts.py) and writes summary.json,
durations.json, junit.xml, matrix.html/.md, audit.sarif and allure-results/ (the shards' result
files copied, the frame written once) with the same writers a run uses.
"""

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from conformance.reporting.parts import fold
from conformance.reporting.results import Results
from conformance.target import Target

SUMMARY, PART, ALLURE_DIR = "summary.json", "shard-results.json", "allure-results"


class MergeError(ValueError):
    """Shards that cannot be merged into one run: one line, exit 2."""


@dataclass
class ShardDir:
    path: Path
    summary: dict[str, Any]
    part: dict[str, Any]

    @property
    def index(self) -> int:
        return int(self.summary["shard"]["index"])

    @property
    def total(self) -> int:
        return int(self.summary["shard"]["total"])


@dataclass
class MergedRun:
    """What the report writers read of a run (conformance.reporting.artifacts.write_all)."""

    target: Target
    results: Results
    loaded: Any
    index: Any
    operations: dict[str, Any] = field(default_factory=dict)  # "METHOD /path" -> Operation
    allure: bool = False


def read_shard(path: Path) -> ShardDir:
    def load(name: str, what: str) -> dict[str, Any]:
        try:
            data = orjson.loads((path / name).read_bytes())
        except FileNotFoundError:
            raise MergeError(f"{path}: no {name} ({what})") from None
        except (OSError, orjson.JSONDecodeError) as exc:
            raise MergeError(f"{path}/{name}: unreadable ({type(exc).__name__})") from None
        if not isinstance(data, dict):
            raise MergeError(f"{path}/{name}: not an object")
        return data

    summary = load(SUMMARY, "not a run's report dir")
    if not isinstance(summary.get("shard"), dict):
        raise MergeError(f"{path}: not a shard (its summary.json has no shard tag: run it with --shard K/N)")
    part = load(PART, "a shard writes it beside summary.json")
    return ShardDir(path, summary, part)


def check_shards(shards: list[ShardDir]) -> None:
    """One run's shards, each once: the same spec, seed, selection and N, every index 1..N."""
    if not shards:
        raise MergeError("no shard dirs given")
    agree = (
        ("specs", lambda s: s.summary.get("spec", {}).get("sha256")),
        ("seeds", lambda s: s.summary.get("seed")),
        ("selections", lambda s: s.summary["shard"].get("selection")),
        ("partitions (suite versions or --durations files)", lambda s: s.summary["shard"].get("partition")),
        ("shard counts (N)", lambda s: s.total),
    )
    for what, value in agree:
        values = {str(value(s)) for s in shards}
        if len(values) > 1:
            shown = ", ".join(f"{s.path}: {str(value(s))[:16]}" for s in shards)
            raise MergeError(f"shards of different {what}, not one run: {shown}")
    total = shards[0].total
    by_index: dict[int, list[Path]] = {}
    for shard in shards:
        by_index.setdefault(shard.index, []).append(shard.path)
    missing = [f"{k}/{total}" for k in range(1, total + 1) if k not in by_index]
    twice = [f"{k}/{total} in {', '.join(map(str, paths))}" for k, paths in sorted(by_index.items()) if len(paths) > 1]
    problems = ([f"missing shard {', '.join(missing)}"] if missing else []) + [f"shard {t} twice" for t in twice]
    if problems:
        raise MergeError(f"{len(shards)} shard dirs are not the {total} shards of one run: {'; '.join(problems)}")


def check_coverage(shards: list[ShardDir]) -> None:
    """Each operation's own test ran in exactly one shard. Two shards running one operation, or
    none running one that no shard skipped or was interrupted before, means they planned apart:
    their merge would count an operation twice, or call one that never ran passed."""
    total = shards[0].total
    runs: dict[str, list[int]] = {}
    for shard in sorted(shards, key=lambda s: s.index):
        for label in shard.part.get("ran", []):
            runs.setdefault(label, []).append(shard.index)
    twice = sorted((label, indexes) for label, indexes in runs.items() if len(indexes) > 1)
    if twice:
        label, indexes = twice[0]
        where = " and ".join(f"{k}/{total}" for k in indexes)
        raise MergeError(f"{len(twice)} operations ran in more than one shard (e.g. {label} in {where}): not one plan")
    if any(shard.part.get("interrupted") for shard in shards):
        return  # what an interrupted shard did not run is reported skipped, not missing
    never = sorted(
        label
        for shard in shards
        for label, raw in shard.part.get("operations", {}).items()
        if label not in runs and raw.get("status") == "passed" and not raw.get("failures")
    )
    if never:
        raise MergeError(f"{len(set(never))} operations ran in no shard (e.g. {never[0]}): not one plan")


def merge_results(shards: list[ShardDir], api_key: str = "") -> Results:
    """The results of the whole run: the shards' parts folded, in shard order."""
    ordered = sorted(shards, key=lambda s: s.index)
    first = ordered[0].summary
    target = Target(base_url=first.get("target", {}).get("base_url", ""), api_key=api_key)
    results = Results(target=target, spec_sha256=first["spec"]["sha256"], seed=int(first["seed"]))
    fold(results, [shard.part for shard in ordered])
    return results


def merge(
    directories: list[Path], out: Path, loaded: Any, api_key: str = "", previous: tuple[str, Any] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Merge the shard dirs into `out`: the merged summary, and the writers' one-line errors."""
    resolved = {d.resolve() for d in directories}
    if out.resolve() in resolved:
        raise MergeError(f"--report-dir {out} is one of the shard dirs: merge into a dir of its own")
    shards = [read_shard(d) for d in directories]
    check_shards(shards)
    check_coverage(shards)
    sha = shards[0].summary["spec"]["sha256"]
    if loaded.sha256 != sha:
        raise MergeError(f"the spec at {loaded.path} (sha256 {loaded.sha256[:12]}) is not the shards' ({sha[:12]})")
    results = merge_results(shards, api_key)
    index = loaded.index()
    run = MergedRun(
        results.target, results, loaded, index, {f"{op.method.upper()} {op.path}": op for op in index.operations}
    )
    summary, errors = results.summary(), write_merged(run, out, shards, previous)
    ordered = sorted(shards, key=lambda s: s.index)
    hooks = [(f"{s.index}/{s.total}", s.summary.get("webhooks")) for s in ordered]
    hooks = [(shard, doc) for shard, doc in hooks if isinstance(doc, dict)]
    if hooks:  # run --webhooks --shard: each shard's sink judged its deliveries
        from conformance.reporting.webhooks import fold_sections, write_section

        document, found = fold_sections(hooks)
        summary["webhooks"] = document
        errors += write_section(out, document, found)
    return summary, errors


def write_merged(run: MergedRun, out: Path, shards: list[ShardDir], previous: tuple[str, Any] | None) -> list[str]:
    from conformance.reporting.artifacts import write_all
    from conformance.reporting.durations import write_durations
    from conformance.reporting.files import write_each

    out.mkdir(parents=True, exist_ok=True)
    (out / PART).unlink(missing_ok=True)  # the merged dir is no shard
    errors = write_each(
        [
            (SUMMARY, lambda: run.results.write(out)),
            ("durations.json", lambda: write_durations(run.results, out)),
        ]
    )
    sources = [s.path / ALLURE_DIR for s in sorted(shards, key=lambda s: s.index) if (s.path / ALLURE_DIR).is_dir()]
    allure_dir = out / ALLURE_DIR if sources else None
    if allure_dir is not None:
        errors += write_each([(ALLURE_DIR, lambda: copy_allure(sources, allure_dir))])
    return errors + write_all(run, out, previous, allure_dir)


def copy_allure(sources: list[Path], destination: Path) -> int:
    """The shards' Allure result files in one dir (emptied first, as a run's --clean-alluredir);
    their names are unique per test (uuids), the frame (environment, categories) is written after."""
    if destination.is_dir():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    copied = 0
    for source in sources:
        for file in sorted(source.iterdir()):
            if file.is_file():
                shutil.copy2(file, destination / file.name)
                copied += 1
    return copied
