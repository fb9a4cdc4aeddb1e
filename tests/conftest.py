"""Shared fixtures: the shared spec (skipped with a reason when absent) and an isolated cache."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_SPEC = ROOT.parent / "shared" / "spec" / "telnyx.yml"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the user's real cache, another test's cache, or their TELNYX_SPEC."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("TELNYX_CONFORMANCE_CACHE", str(cache))
    monkeypatch.delenv("TELNYX_SPEC", raising=False)
    return cache


@pytest.fixture(scope="session")
def shared_spec_path() -> Path:
    if not SHARED_SPEC.is_file():
        pytest.skip(f"the shared Telnyx spec is not at {SHARED_SPEC}")
    return SHARED_SPEC
