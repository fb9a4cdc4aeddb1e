"""Report files are written whole or not at all, and one failing writer never stops the others."""

from pathlib import Path

import orjson
import pytest

from conformance.reporting.files import atomic_write, write_each
from conformance.reporting.results import OperationResult, Results, summary_problems
from conformance.target import Target


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = atomic_write(tmp_path / "deep" / "x.json", "one")
    atomic_write(path, b"two")
    assert path.read_text() == "two" and [p.name for p in path.parent.iterdir()] == ["x.json"]


def test_a_failing_writer_reports_its_error_and_the_others_still_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise RuntimeError("disk on fire\nsecond line")

    errors = write_each(
        [
            ("first", lambda: atomic_write(tmp_path / "a", "a")),
            ("broken", broken),
            ("last", lambda: atomic_write(tmp_path / "b", "b")),
        ]
    )
    assert errors == ["could not write broken: RuntimeError: disk on fire second line"]
    assert (tmp_path / "a").read_text() == "a" and (tmp_path / "b").read_text() == "b"
    assert capsys.readouterr().err.count("\n") == 1  # one line


def test_summary_is_checked_against_its_schema_and_written_even_when_it_breaks_it(tmp_path: Path) -> None:
    results = Results(Target("http://127.0.0.1:1/v2", "k"), "0" * 64, seed=1)
    results.operations["GET /x"] = OperationResult("X", "GET", "/x")
    assert summary_problems(results.summary()) == []
    results.write(tmp_path)
    assert orjson.loads((tmp_path / "summary.json").read_bytes())["operations"][0]["path"] == "/x"
    results.operations["GET /x"].status = "exploded"  # a writer bug: a status no reader knows
    with pytest.raises(ValueError, match="breaks its schema"):
        results.write(tmp_path)
    assert orjson.loads((tmp_path / "summary.json").read_bytes())["operations"][0]["status"] == "exploded"
