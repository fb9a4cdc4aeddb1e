"""bench/growth_bench.py: the table and its verdict against the 1.2x target, and the refusal
to start without a baseline; no benchmark run here."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import growth_bench  # noqa: E402 - bench/ is not a package: its scripts import each other as siblings


def context() -> dict:
    return {
        "command": "python bench/growth_bench.py --baseline-tool ../base/.venv/bin/telnyx-conformance",
        "date": "today",
        "machine": {"nproc": "2", "cpu": "cpu", "memory": "1 GiB RAM", "load": "0"},
        "spec": "spec.yml",
        "spec_size": 1,
        "spec_sha": "0" * 64,
        "tags": [],
        "max_examples": 10,
        "seed": 7,
        "baseline": "../base/.venv/bin/telnyx-conformance",
    }


def test_the_section_compares_each_run_with_the_baseline() -> None:
    verdict = ["target conforms: 0 server failures in 822 operations tested"]
    rows = [
        growth_bench.Row("baseline", 100.0, 500 * 1024, 40000, verdict),
        growth_bench.Row("this checkout", 110.0, 510 * 1024, 40025, verdict),
        growth_bench.Row("this checkout --stateful", 125.0, 520 * 1024, 40100, verdict),
    ]
    section = growth_bench.markdown_section(rows, context())
    assert section.startswith(growth_bench.MARK_START) and section.rstrip().endswith(growth_bench.MARK_END)
    assert "| this checkout | 110.0 s | 1.10x | 40,025 | 510 MiB |" in section
    assert "1.25x (target <= 1.2x: NOT met)" in section
    rows[2].wall_s = 119.0
    assert "1.19x (target <= 1.2x: met)" in growth_bench.markdown_section(rows, context())


def test_no_baseline_is_exit_2(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert growth_bench.main(["--baseline-tool", str(tmp_path / "missing")]) == 2
    assert "growth_bench: error:" in capsys.readouterr().err
