"""bench/reliability.py: the table, the markdown section between its markers, and an unknown mode
refused with one line; no run (the runs themselves are tests/conformance/target/test_hostile.py)."""

import datetime as dt
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import reliability  # noqa: E402 - bench/ is not a package: its scripts import each other as siblings

ROWS = [
    reliability.Row("drip", "1 byte/s", 1, 4.2, 250.0, 4, "slow_body 1", "errored (request_timeout)", []),
    reliability.Row("huge_body@preflight", "2 GiB", 1, 2.2, 640.0, 7, "oversized 4", "failed", ["RSS"]),
]


def test_the_table_has_a_row_per_run_with_its_bounds() -> None:
    lines = reliability.table(ROWS)
    assert lines[0].startswith("| mode | exit | wall | peak RSS | requests |")
    assert "| `drip` | 1 | 4.2 s | 250 MB | 4 | slow_body 1 | errored (request_timeout) | held |" in lines
    assert lines[-1].endswith("| broken: RSS |")


def test_the_section_replaces_only_its_markers(tmp_path: Path) -> None:
    doc = tmp_path / "reliability.md"
    doc.write_text("# Title\n\nkept\n\n<!-- reliability:start -->\nold\n<!-- reliability:end -->\n\nalso kept\n")
    text = reliability.section(ROWS, tmp_path / "spec.yml", _machine(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    reliability.write(doc, text)
    written = doc.read_text()
    assert "kept" in written and "also kept" in written and "old" not in written
    assert written.count(reliability.MARK_START) == 1 and "| `drip` | 1 |" in written


def test_an_unknown_mode_is_refused_with_one_line(capsys) -> None:  # type: ignore[no-untyped-def]
    assert reliability.main(["--modes", "teapot"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0


def _machine() -> dict[str, str]:
    return {"nproc": "2", "cpu": "cpu", "memory": "1 GiB RAM", "load": "0 / 0 / 0", "python": "3.11"}
