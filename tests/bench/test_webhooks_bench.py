"""bench/webhooks_bench.py: its doc section has the markers, the figures and their verdicts, and
replaces only its own section of the benchmarks page."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import webhooks_bench  # noqa: E402 - bench/ is not a package: its scripts import each other as siblings
from harness.docs import update_markdown  # noqa: E402

FIGURES = {
    "send": {"wall": 1.5, "cases": 832, "events": 64, "answer": [0.001, 0.002, 0.003]},
    "sink": {"sink": 9000.0, "floor": 15000.0, "pinned": "pinned to CPU 0", "mean_body": 540.0, "count": 640},
    "http": 1800.0,
}
CONTEXT = {
    "command": "python bench/webhooks_bench.py",
    "date": "2026-01-01 00:00 UTC",
    "machine": {"nproc": "2", "cpu": "cpu", "memory": "1 GiB RAM", "load": "0", "python": "3.11"},
    "spec": "../shared/spec/telnyx.yml",
    "nacl": "1.6.2",
    "jsonschema_rs": "0.60",
}


def test_the_section_reports_the_figures_against_their_targets(tmp_path: Path) -> None:
    section = webhooks_bench.markdown_section(FIGURES, CONTEXT)
    assert section.startswith("<!-- webhooks-bench -->\n") and section.endswith("<!-- /webhooks-bench -->\n")
    assert "| send matrix, whole command | 1.50 s | < 30 s: met |" in section
    assert "| sink verify+validate | 9,000/s | ≥ 2,000/s: met |" in section
    assert "standardwebhooks" in section
    slow = {**FIGURES, "sink": {**FIGURES["sink"], "sink": 1000.0}}
    assert "≥ 2,000/s: NOT met" in webhooks_bench.markdown_section(slow, CONTEXT)
    page = tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\n<!-- other -->\nkept\n<!-- /other -->\n")
    for _ in range(2):
        update_markdown(page, section, webhooks_bench.MARK_START, webhooks_bench.MARK_END)
    text = page.read_text()
    assert text.count("<!-- webhooks-bench -->") == 1 and "kept" in text
