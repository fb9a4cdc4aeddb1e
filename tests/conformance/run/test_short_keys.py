"""A key that occurs in ordinary text (one letter, a word) is redacted where it was sent and
nowhere else: the run completes, every report is valid, and the verdicts and totals are those
of the same run with a long random key."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.run.test_run import run_cli, summary

LONG = "long-random-key-5b1e0c9d77a2"
SELECTION = ["--include-tag", "Addresses", "--max-examples", "2", "--seed", "3"]


def verdicts(data: dict[str, Any]) -> dict[str, Any]:
    operations = {
        f"{op['method']} {op['path']}": (op["status"], sorted((f["check"], f["classification"]) for f in op["failures"]))  # noqa: E501
        for op in data["operations"]
    }  # fmt: skip
    totals = {k: v for k, v in data["totals"].items() if k not in ("requests", "requests_by_phase", "rate_limited")}
    return {"operations": operations, "totals": totals}


def assert_reports_valid(report: Path, key: str) -> None:
    json.loads((report / "summary.json").read_text())
    json.loads((report / "audit.sarif").read_text())
    ET.parse(report / "junit.xml")
    page = (report / "matrix.html").read_text()
    assert page.lower().startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    for path in (report / "allure-results").glob("*.json"):
        json.loads(path.read_text())
    for op in summary(report)["operations"]:
        for failure in op["failures"]:
            assert f"Bearer {key}'" not in (failure["curl"] or ""), failure["curl"]


@pytest.fixture(scope="module")
def long_key_run(shared_spec_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    import os

    report = tmp_path_factory.mktemp("long") / "report"
    env = {k: v for k, v in os.environ.items() if k != "TELNYX_API_KEY"}
    result = run_cli(env, "--spec", str(shared_spec_path), *SELECTION, "--api-key", LONG, "--report-dir", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    return verdicts(summary(report))


@pytest.mark.parametrize("key", ["e", "k"])
def test_a_short_key_gives_the_same_run_and_valid_reports(
    key: str, long_key_run: dict[str, Any], shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "report"
    result = run_cli(env, "--spec", str(shared_spec_path), *SELECTION, "--api-key", key, "--report-dir", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr  # (stdout has pytest's own report of the failing tests)
    assert_reports_valid(report, key)
    assert verdicts(summary(report)) == long_key_run
