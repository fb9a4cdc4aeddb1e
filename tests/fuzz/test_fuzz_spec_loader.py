"""The spec-loader fuzz target, bounded: its seeds and 200 generated inputs (derandomized, so a CI
run is repeatable), the one bug it has found so far, and the runner (fuzz/run.py) on stand-in targets."""

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"fuzz_under_test.{name}", FUZZ / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


loader = load("fuzz_spec_loader")
runner = load("run")


def test_the_target_follows_the_convention() -> None:
    assert loader.NAME == "spec_loader"
    assert loader.SEEDS and all(isinstance(seed, bytes) for seed in loader.SEEDS)


@pytest.mark.parametrize("seed", loader.SEEDS, ids=[f"seed-{i}" for i in range(len(loader.SEEDS))])
def test_every_seed_passes(seed: bytes) -> None:
    loader.target(seed)


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@given(loader.strategy())
def test_generated_inputs_raise_only_spec_errors(data: bytes) -> None:
    loader.target(data)


@pytest.mark.parametrize("key", ["\\x41", "\\v", "\\0", "\\e", "\\U0001F600", "\\q"])
def test_a_yaml_escape_in_a_quoted_key_is_located(key: str) -> None:
    """Found by this fuzz target (input hex 225c76223a0a6f70656e6170693a20332e21): valid YAML,
    a valid spec, and `telnyx-conformance validate` crashed with a traceback on it (locate.py
    read the quoted key as JSON, whose escapes are fewer than YAML's)."""
    loader.target(f'openapi: 3.1.0\ninfo: {{title: t, version: "1"}}\npaths: {{}}\nx-a:\n  "{key}": 1\n'.encode())


# --- the runner --------------------------------------------------------------------------------

PASSING = """
from hypothesis import strategies as st
NAME = "passing"
SEEDS = [b"", b"a"]
def target(data: bytes) -> None:
    pass
def strategy():
    return st.binary(max_size=8)
"""
FAILING = """
from hypothesis import strategies as st
NAME = "failing"
SEEDS = [b"ok"]
def target(data: bytes) -> None:
    if len(data) >= 3 and data[0] == 0x7B:
        raise ValueError("a brace and two more bytes")
def strategy():
    return st.binary(min_size=1, max_size=16)
"""


def targets(tmp_path: Path, **sources: str) -> Path:
    for name, source in sources.items():
        (tmp_path / f"fuzz_{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return tmp_path


def test_the_runner_reports_examples_and_a_shrunk_failure_as_hex(tmp_path: Path, capsys) -> None:
    directory = targets(tmp_path, passing=PASSING, failing=FAILING)
    code = runner.main(["--targets-dir", str(directory), "--max-examples", "2000", "--seconds", "20"])
    out = capsys.readouterr().out
    assert code == 1
    assert "failing: " in out and "1 failure" in out and "FAILED on generated: ValueError: a brace" in out
    assert "input (3 bytes, hex): 7b0000" in out  # shrunk to the smallest failing input
    assert "passing: 2000 examples (2 seeds, 1998 generated)" in out and "0 failures" in out


def test_the_runner_is_bounded_by_time(tmp_path: Path, capsys) -> None:
    slow = PASSING.replace("    pass", "    import time; time.sleep(0.01)")
    directory = targets(tmp_path, slow=slow)
    assert runner.main(["--targets-dir", str(directory), "--max-examples", "100000", "--seconds", "1"]) == 0
    examples = int(capsys.readouterr().out.split(": ", 1)[1].split()[0])
    assert 2 < examples < 200


def test_a_seed_that_fails_is_reported_and_replayed(tmp_path: Path, capsys) -> None:
    directory = targets(tmp_path, failing=FAILING.replace('SEEDS = [b"ok"]', 'SEEDS = [b"ok", b"{{{"]'))
    assert runner.main(["--targets-dir", str(directory), "--target", "failing", "--seconds", "5"]) == 1
    assert "FAILED on seed 1: ValueError" in capsys.readouterr().out
    argv = ["--targets-dir", str(directory), "--target", "failing", "--replay", b"{{{".hex()]
    assert runner.main(argv) == 1
    assert "ValueError: a brace and two more bytes" in capsys.readouterr().err


def test_unknown_and_broken_targets(tmp_path: Path, capsys) -> None:
    directory = targets(tmp_path, passing=PASSING, broken="NAME = 'broken'\n")
    assert runner.main(["--targets-dir", str(directory), "--target", "nope"]) == 2
    assert "unknown target nope" in capsys.readouterr().err
    assert runner.main(["--targets-dir", str(directory), "--seconds", "2", "--max-examples", "10"]) == 1
    out = capsys.readouterr().out
    assert "broken: cannot run: UsageError: fuzz_broken.py does not follow the fuzz target convention" in out
    assert "passing: 10 examples" in out


def test_the_real_targets_are_discovered(capsys) -> None:
    assert runner.main(["--list"]) == 0
    assert "spec_loader" in capsys.readouterr().out.split()


@pytest.mark.skipif(importlib.util.find_spec("atheris") is not None, reason="atheris is installed")
def test_atheris_when_absent_is_one_line(capsys) -> None:
    assert runner.main(["--engine", "atheris", "--seconds", "1"]) == 2
    assert capsys.readouterr().err.strip() == (
        "fuzz: error: atheris is not installed (pip install atheris); the default engine is Hypothesis"
    )


def test_the_runner_runs_as_a_script(tmp_path: Path) -> None:
    import subprocess

    directory = targets(tmp_path, passing=PASSING)
    done = subprocess.run(
        [sys.executable, str(FUZZ / "run.py"), "--targets-dir", str(directory), "--max-examples", "5"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("passing: 5 examples (2 seeds, 3 generated) in ")
