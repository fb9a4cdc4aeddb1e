"""Fixtures of the tests that run the suite end to end (`telnyx-conformance run` in processes)."""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def spec_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One parse cache for every run process: each would otherwise parse the spec again."""
    return tmp_path_factory.mktemp("run-cache")


@pytest.fixture
def env(spec_cache: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment of a run process: the shared cache, and no key but the one a test gives."""
    monkeypatch.setenv("TELNYX_CONFORMANCE_CACHE", str(spec_cache))  # for servers started in-process
    environ = {**os.environ, "TELNYX_CONFORMANCE_CACHE": str(spec_cache)}
    environ.pop("TELNYX_API_KEY", None)
    for name in ("TELNYX_SHARD", "TELNYX_SHARD_TOTAL", "CI_NODE_INDEX", "CI_NODE_TOTAL", "JOB_COMPLETION_INDEX"):
        environ.pop(name, None)  # a CI engine's shard variables would shard the suite's own runs
    return environ
