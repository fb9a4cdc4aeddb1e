"""Run the fuzz targets of this directory, bounded by examples and by time.

Every `fuzz_*.py` beside this file is a target. It defines `NAME: str`, `target(data: bytes) -> None`
(which raises only on a real bug), `SEEDS: list[bytes]` and `strategy()`, a Hypothesis strategy of
bytes. Each target runs its seeds, then generated inputs (Hypothesis, or atheris with `--engine
atheris` when it is installed) until --max-examples or --seconds is reached. A failure is reported
with its reproducing input as hex (`--replay HEX` runs it again with the traceback); the exit code
is 1 when any target failed, 2 on a usage error.

Usage: python fuzz/run.py [--target NAME]... [--max-examples N] [--seconds S] [--engine hypothesis|atheris]
       [--list] [--replay HEX]
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
BATCH = 100  # examples per Hypothesis run: the time bound is checked between and within them
ATHERIS_SLACK_S = 60.0


class UsageError(Exception):
    """A bad argument or target (exit code 2)."""


@dataclass
class Failure:
    error: str  # "ValueError: message"
    data: bytes
    where: str  # "seed 3" or "generated"


@dataclass
class Outcome:
    name: str
    examples: int = 0
    seeds: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    note: str = ""


# --- the targets ---------------------------------------------------------------------------------


def discover(directory: Path) -> list[Path]:
    return sorted(directory.glob("fuzz_*.py"))


def load_target(path: Path) -> ModuleType:
    """Import one target module and check that it follows the convention."""
    for directory in (REPO_ROOT, path.parent):  # the project's packages, and a target's siblings
        if str(directory) not in sys.path:
            sys.path.insert(0, str(directory))
    spec = importlib.util.spec_from_file_location(f"fuzz_targets.{path.stem}", path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{path.name}: cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look a module up by its name
    spec.loader.exec_module(module)
    problems = [
        f"no {what}"
        for what, ok in (
            ("NAME: str", isinstance(getattr(module, "NAME", None), str)),
            ("target(data)", callable(getattr(module, "target", None))),
            ("SEEDS: list[bytes]", all(isinstance(seed, bytes) for seed in getattr(module, "SEEDS", [None]))),
            ("strategy()", callable(getattr(module, "strategy", None))),
        )
        if not ok
    ]
    if problems:
        raise UsageError(f"{path.name} does not follow the fuzz target convention: {', '.join(problems)}")
    return module


def select(paths: list[Path], wanted: Sequence[str]) -> list[tuple[Path, ModuleType | Exception]]:
    """The targets to run: all, or those whose NAME (or file name) is in `wanted`."""
    loaded: list[tuple[Path, ModuleType | Exception]] = []
    for path in paths:
        try:
            loaded.append((path, load_target(path)))
        except Exception as exc:  # a broken target is reported, the others still run
            loaded.append((path, exc))
    if not wanted:
        return loaded
    names = {key: item for item in loaded for key in _names(item)}
    unknown = [name for name in wanted if name not in names]
    if unknown:
        known = ", ".join(sorted(getattr(m, "NAME", p.stem) for p, m in loaded)) or "none"
        raise UsageError(f"unknown target {', '.join(unknown)} (targets: {known})")
    return list({id(names[name]): names[name] for name in wanted}.values())


def _names(item: tuple[Path, ModuleType | Exception]) -> list[str]:
    path, module = item
    names = [path.stem, path.stem.removeprefix("fuzz_")]
    return names + ([module.NAME] if isinstance(module, ModuleType) else [])


def describe(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}" if text else type(error).__name__


# --- Hypothesis ----------------------------------------------------------------------------------


def run_seeds(module: ModuleType, outcome: Outcome) -> None:
    for number, seed in enumerate(module.SEEDS):
        outcome.seeds += 1
        outcome.examples += 1
        try:
            module.target(seed)
        except Exception as exc:
            outcome.failures.append(Failure(describe(exc), seed, f"seed {number}"))
            return


def run_hypothesis(module: ModuleType, max_examples: int, seconds: float, outcome: Outcome) -> None:
    """Generated inputs in batches of BATCH, each a fresh random Hypothesis run, until a bound or
    a failure; the failure is Hypothesis's shrunk example."""
    from hypothesis import HealthCheck, Phase, given, seed, settings

    deadline = time.monotonic() + seconds
    strategy = module.strategy()
    last_failing: list[bytes] = []

    def one(data: bytes) -> None:
        if not last_failing and (time.monotonic() > deadline or outcome.examples >= max_examples):
            return  # out of budget: the rest of this batch is drawn but not run (shrinking still runs)
        outcome.examples += 1
        try:
            module.target(data)
        except Exception:
            last_failing[:] = [data]  # shrinking replays the smallest failing input last
            raise

    while outcome.examples < max_examples and time.monotonic() < deadline:
        batch = settings(
            max_examples=min(BATCH, max_examples - outcome.examples),
            deadline=None,
            database=None,
            derandomize=False,
            phases=[Phase.generate, Phase.shrink],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
            print_blob=False,
        )
        test = seed(random.getrandbits(64))(batch(given(strategy)(one)))
        try:
            test()
        except Exception as exc:
            if last_failing:
                outcome.failures.append(Failure(describe(exc), last_failing[0], "generated"))
            else:  # nothing the target ran failed: the strategy itself did
                outcome.failures.append(Failure(describe(exc), b"", "the strategy"))
            return


# --- atheris -------------------------------------------------------------------------------------

ATHERIS_CHILD = """
import importlib.util, sys
import atheris
spec = importlib.util.spec_from_file_location("fuzz_target", sys.argv[1])
module = sys.modules["fuzz_target"] = importlib.util.module_from_spec(spec)
sys.path.insert(0, sys.argv[2])
with atheris.instrument_imports():
    spec.loader.exec_module(module)
def one(data):
    try:
        module.target(data)
    except Exception:
        with open(sys.argv[3], "wb") as out:
            out.write(data)
        raise
atheris.Setup([sys.argv[0], *sys.argv[4:]], one)
atheris.Fuzz()
"""


def atheris_available() -> bool:
    return importlib.util.find_spec("atheris") is not None


def run_atheris(path: Path, module: ModuleType, max_examples: int, seconds: float, outcome: Outcome) -> None:
    """libFuzzer through atheris in a child process (it exits when done), its seeds as the corpus."""
    with tempfile.TemporaryDirectory(prefix="fuzz-atheris-") as tmp:
        corpus, crash = Path(tmp) / "corpus", Path(tmp) / "crash"
        corpus.mkdir()
        for number, data in enumerate(module.SEEDS):
            (corpus / f"seed-{number}").write_bytes(data)
        flags = [f"-runs={max_examples}", f"-max_total_time={max(1, int(seconds))}", "-print_final_stats=1"]
        flags += [f"-artifact_prefix={tmp}/", str(corpus)]
        command = [sys.executable, "-c", ATHERIS_CHILD, str(path), str(REPO_ROOT), str(crash), *flags]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + ATHERIS_SLACK_S)
        except subprocess.TimeoutExpired:
            outcome.note = f"atheris ran past {seconds + ATHERIS_SLACK_S:.0f} s and was stopped"
            return
        runs = [line for line in done.stderr.splitlines() if "number_of_executed_units" in line]
        outcome.examples = int(runs[-1].split(":")[-1]) if runs else 0
        if done.returncode != 0:
            error = [line for line in done.stderr.splitlines() if "Error" in line or "Exception" in line]
            data = crash.read_bytes() if crash.is_file() else b""
            outcome.failures.append(Failure((error or ["atheris reported a crash"])[-1].strip(), data, "generated"))


# --- the report ----------------------------------------------------------------------------------


def report(outcome: Outcome) -> str:
    generated = outcome.examples - outcome.seeds
    lines = [
        f"{outcome.name}: {outcome.examples} examples ({outcome.seeds} seeds, {generated} generated) "
        f"in {outcome.seconds:.1f} s, {len(outcome.failures)} failure{'s' if len(outcome.failures) != 1 else ''}"
        + (f" ({outcome.note})" if outcome.note else "")
    ]
    for failure in outcome.failures:
        lines.append(f"  FAILED on {failure.where}: {failure.error}")
        lines.append(f"  input ({len(failure.data)} bytes, hex): {failure.data.hex()}")
        lines.append(f"  replay: python fuzz/run.py --target {outcome.name} --replay {failure.data.hex()}")
    return "\n".join(lines)


def replay(module: ModuleType, hex_input: str) -> int:
    try:
        data = bytes.fromhex(hex_input)
    except ValueError:
        raise UsageError("--replay takes the input as a hex string") from None
    try:
        module.target(data)
    except Exception:
        traceback.print_exc()
        return 1
    print(f"{module.NAME}: no failure on this input ({len(data)} bytes)")
    return 0


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", action="append", default=[], metavar="NAME", help="run only this target")
    parser.add_argument("--max-examples", type=int, default=1000, metavar="N", help="per target (default: 1000)")
    parser.add_argument("--seconds", type=float, default=60.0, metavar="S", help="per target (default: 60)")
    parser.add_argument("--engine", choices=("hypothesis", "atheris"), default="hypothesis")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    parser.add_argument("--replay", metavar="HEX", help="run one target on this input and show its traceback")
    parser.add_argument("--targets-dir", type=Path, default=HERE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.max_examples < 1 or args.seconds <= 0:
        parser.error("--max-examples must be at least 1 and --seconds positive")
    if args.replay is not None and len(args.target) != 1:
        parser.error("--replay needs exactly one --target")
    return args


def run_one(path: Path, module: ModuleType, args: argparse.Namespace) -> Outcome:
    outcome = Outcome(module.NAME)
    start = time.monotonic()
    if args.engine == "atheris":
        run_atheris(path, module, args.max_examples, args.seconds, outcome)
    else:
        run_seeds(module, outcome)
        if not outcome.failures:
            remaining = args.seconds - (time.monotonic() - start)
            if remaining > 0 and outcome.examples < args.max_examples:
                run_hypothesis(module, args.max_examples, remaining, outcome)
    outcome.seconds = time.monotonic() - start
    return outcome


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        selected = select(discover(args.targets_dir), args.target)
        if args.list:
            for path, module in selected:
                print(module.NAME if isinstance(module, ModuleType) else f"{path.name}: {describe(module)}")
            return 0
        if args.engine == "atheris" and not atheris_available():
            raise UsageError("atheris is not installed (pip install atheris); the default engine is Hypothesis")
        if not selected:
            raise UsageError(f"no fuzz_*.py targets in {args.targets_dir}")
        if args.replay is not None:
            path, module = selected[0]
            if isinstance(module, Exception):
                raise UsageError(f"{path.name}: {describe(module)}")
            return replay(module, args.replay)
    except UsageError as exc:
        print(f"fuzz: error: {exc}", file=sys.stderr)
        return 2
    failed = False
    for path, module in selected:
        if isinstance(module, Exception):
            print(f"{path.stem}: cannot run: {describe(module)}", flush=True)
            failed = True
            continue
        outcome = run_one(path, module, args)
        print(report(outcome), flush=True)
        failed = failed or bool(outcome.failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
