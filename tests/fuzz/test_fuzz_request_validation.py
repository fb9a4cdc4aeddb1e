"""The request-validation fuzz target under plain pytest and Hypothesis: its seeds, then a bounded
run of its own strategy (the long runs belong to the fuzz runner)."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings

FUZZ_FILE = Path(__file__).resolve().parents[2] / "fuzz" / "fuzz_request_validation.py"


def load_target() -> ModuleType:
    """The fuzz module by its path (fuzz/ is no package the project installs)."""
    spec = importlib.util.spec_from_file_location("fuzz_request_validation", FUZZ_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


FUZZ = load_target()


@pytest.fixture(autouse=True)
def spec_present(shared_spec_path: Path) -> None:
    """The target loads the spec as `load_spec(None)` does: skipped with a reason without it."""


def test_the_module_follows_the_fuzz_convention() -> None:
    assert FUZZ.NAME == "request_validation"
    assert FUZZ.SEEDS and all(isinstance(seed, bytes) for seed in FUZZ.SEEDS)
    assert callable(FUZZ.target) and callable(FUZZ.strategy)


def test_the_fuzzed_operations_are_in_the_spec() -> None:
    _, targets = FUZZ.loaded()
    assert all(targets), [route for route, found in zip(FUZZ.OPERATIONS, targets, strict=True) if found is None]


@pytest.mark.parametrize("seed", FUZZ.SEEDS, ids=range(len(FUZZ.SEEDS)))
def test_seeds(seed: bytes) -> None:
    FUZZ.target(seed)


@settings(
    max_examples=200, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=FUZZ.strategy())
def test_hypothesis(data: bytes) -> None:
    FUZZ.target(data)
