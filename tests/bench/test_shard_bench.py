"""bench/shard_bench.py: its options, the figures per shard count and the markdown section (a
narrowed run is labelled a small-selection check); no benchmark run here."""

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import shard_bench  # noqa: E402 - bench/ is not a package: its scripts import each other as siblings
from harness.measure import Timed  # noqa: E402


def test_the_options_and_their_limits() -> None:
    args = shard_bench.parse_args([])
    assert (args.totals, args.max_examples, args.latency_ms) == ([2, 4, 8], 25, 50.0)
    assert shard_bench.parse_args(["--shards", "3"]).totals == [3]
    for bad in (["--shards", "0"], ["--shards", "x"], ["--latency-ms", "-1"]):
        with pytest.raises(SystemExit):
            shard_bench.parse_args(bad)


def test_the_figures_and_the_section(tmp_path: Path) -> None:
    whole = Timed(0, 40.0, 300 * 1024, tmp_path / "o", tmp_path / "e")
    two = shard_bench.Batch(2, 22.0, [21.0, 19.0], [200 * 1024, 190 * 1024], 0.5, 100 * 1024, True)
    broken = shard_bench.Batch(4, failure="n4-k2: exit 2: boom")
    rows = shard_bench.rows(whole.wall_s, [two, broken])
    assert rows[0][:7] == ["2", "21.0, 19.0", "21.0 s", "20.0 s", "1.05x", "1.05x", "22.0 s"]
    assert rows[0][-2:] == ["200 MiB / 390 MiB / 100 MiB", "yes"] and rows[1][1].startswith("failed")
    context = {
        "command": "python bench/shard_bench.py --include-tag Addresses",
        "date": "today",
        "machine": {"nproc": "2", "cpu": "cpu", "memory": "1 GiB RAM", "load": "0"},
        "spec": "spec.yml",
        "spec_size": 1,
        "spec_sha": "0" * 64,
        "tags": ["Addresses"],
        "max_examples": 25,
        "seed": 1,
        "latency_ms": 50.0,
        "packing": "durations",
        "operations": 6,
        "collections": 3,
        "largest": 0.9,
    }
    section = shard_bench.markdown_section(whole, [two], context)
    assert section.startswith(shard_bench.MARK_START) and section.rstrip().endswith(shard_bench.MARK_END)
    assert "small-selection check" in section and "only the operations tagged Addresses" in section
    assert "packed by the unsharded run's `durations.json`" in section
    assert "6 operations in 3 collections" in section and "the largest taking 90%" in section
    assert "small-selection" not in shard_bench.markdown_section(whole, [two], {**context, "tags": []})


def test_a_disagreement_names_the_operations() -> None:
    whole = [("GET /a", "passed", []), ("GET /b", "failed", ["status_code_conformance"])]
    merged = [("GET /a", "passed", []), ("GET /b", "passed", [])]
    assert shard_bench.disagreements(whole, merged) == [
        "GET /b: ('failed', ['status_code_conformance']) unsharded, ('passed', []) merged"
    ]
    assert shard_bench.disagreements(whole, whole) == []
