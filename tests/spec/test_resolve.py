"""Resolution order: --spec, TELNYX_SPEC, ../shared/spec, then the user cache."""

from pathlib import Path

import pytest

from spec import resolve
from spec.errors import SpecError


@pytest.fixture
def no_shared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(resolve, "shared_candidates", lambda: [tmp_path / "absent" / "telnyx.yml"])


def write(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("openapi: 3.1.0\n")
    return path


def test_explicit_path_wins_over_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = write(tmp_path / "a.yml")
    monkeypatch.setenv("TELNYX_SPEC", str(write(tmp_path / "b.yml")))
    assert resolve.locate_spec(explicit) == resolve.SpecLocation(explicit, "--spec")


def test_environment_comes_before_shared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = write(tmp_path / "b.yml")
    monkeypatch.setenv("TELNYX_SPEC", str(env))
    monkeypatch.setattr(resolve, "shared_candidates", lambda: [write(tmp_path / "shared.yml")])
    assert resolve.locate_spec(None) == resolve.SpecLocation(env, "TELNYX_SPEC")


def test_shared_comes_before_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = write(tmp_path / "shared" / "telnyx.yml")
    monkeypatch.setattr(resolve, "shared_candidates", lambda: [shared])
    write(resolve.cached_copy())
    assert resolve.locate_spec(None) == resolve.SpecLocation(shared, "shared")


def test_cache_is_the_last_resort(no_shared: None) -> None:
    cached = write(resolve.cached_copy())
    assert resolve.locate_spec(None) == resolve.SpecLocation(cached, "cache")


def test_nothing_found_says_how_to_fix_it(no_shared: None) -> None:
    with pytest.raises(SpecError, match="--spec PATH, set TELNYX_SPEC"):
        resolve.locate_spec(None)


@pytest.mark.parametrize("origin", ["--spec", "TELNYX_SPEC"])
def test_a_named_file_that_is_missing_is_an_error(origin: str, tmp_path: Path, monkeypatch) -> None:
    missing = tmp_path / "nope.yml"
    if origin == "TELNYX_SPEC":
        monkeypatch.setenv("TELNYX_SPEC", str(missing))
        explicit = None
    else:
        explicit = missing
    with pytest.raises(SpecError, match=f"spec not found: .*nope.yml \\(from {origin}\\)"):
        resolve.locate_spec(explicit)


def test_a_directory_is_not_a_spec(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="not a file"):
        resolve.locate_spec(tmp_path)


def test_the_shared_spec_is_found_from_the_project_root() -> None:
    candidates = resolve.shared_candidates()
    assert candidates[0] == (resolve.PROJECT_ROOT.parent / "shared" / "spec" / "telnyx.yml").resolve()
