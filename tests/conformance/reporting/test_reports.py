"""The reports of a real run (issue 6) against the embedded reference server with two faults:
Allure results, JUnit per operation and check, summary.json, the matrix and the audit's SARIF,
none holding the API key; a second, clean run compared with the first (on a terminal, so with
the live progress line); and the Allure HTML rendered by `telnyx-conformance report`.
"""

import json
import os
import pty
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import orjson
import pytest

from conformance.run.embedded import embedded_server

SENTINEL = "sentinel-key-6d1e0a93c7b5"
RUN_TIMEOUT = 120
OPS = ["ListConferences", "FindAddresses", "GetUserBalance"]
FAULTS = ["required-property-dropped:ListConferences", "undocumented-status:FindAddresses"]


def cli(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "conformance.cli", *args]
    return subprocess.run(command, text=True, env=env, timeout=RUN_TIMEOUT, check=False, **kwargs)


def run_args(spec: Path, report: Path) -> list[str]:
    ids = [arg for op in OPS for arg in ("--include-operation-id", op)]
    return ["run", "--spec", str(spec), *ids, "--max-examples", "3", "--seed", "2", "--report-dir", str(report)]


@pytest.fixture(scope="module")
def environ(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    environ = {**os.environ, "TELNYX_CONFORMANCE_CACHE": str(tmp_path_factory.mktemp("reports-cache"))}
    environ.pop("TELNYX_API_KEY", None)
    return environ


@pytest.fixture(scope="module")
def faulty_run(
    shared_spec_path: Path, environ: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    report = tmp_path_factory.mktemp("faulty") / "reports"
    os.environ["TELNYX_CONFORMANCE_CACHE"] = environ["TELNYX_CONFORMANCE_CACHE"]
    with embedded_server(shared_spec_path, SENTINEL, faults=FAULTS) as url:
        args = [*run_args(shared_spec_path, report), "--base-url", url, "--api-key", SENTINEL]
        result = cli(environ, *args, capture_output=True)
    assert result.returncode == 1, result.stdout + result.stderr
    return report, result


def test_a_faulty_target_is_told_it_does_not_conform(faulty_run: tuple[Path, Any]) -> None:
    _, result = faulty_run
    lines = result.stdout.strip().splitlines()[-4:]
    assert lines[0].startswith("target does not conform: ") and " server failures in " in lines[0]
    assert lines[1].startswith("spec defects seen: ") and lines[2].startswith("setup problems: ")


def test_reports_dir_holds_every_report_and_never_the_key(faulty_run: tuple[Path, Any]) -> None:
    report, result = faulty_run
    for name in ("summary.json", "junit.xml", "matrix.html", "matrix.md", "audit.sarif"):
        assert (report / name).is_file(), name
    allure = report / "allure-results"
    stories = {
        label["value"]
        for path in allure.glob("*-result.json")
        for label in json.loads(path.read_text())["labels"]
        if label["name"] == "story"
    }
    assert stories == set(OPS)  # each operation's test (and its pagination test where it paginates)
    assert (allure / "environment.properties").is_file() and (allure / "categories.json").is_file()
    assert list(allure.glob("*-attachment.txt"))  # the failing exchanges
    files = [p for p in report.rglob("*") if p.is_file()]
    assert len(files) > 10
    for path in files:
        assert SENTINEL.encode() not in path.read_bytes(), path
    assert SENTINEL not in result.stdout + result.stderr
    sarif = orjson.loads((report / "audit.sarif").read_bytes())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]


def test_junit_has_one_testcase_per_operation_and_check(faulty_run: tuple[Path, Any]) -> None:
    root = ET.parse(faulty_run[0] / "junit.xml").getroot()
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    failing = cases[("Conference Commands.ListConferences", "response_schema_conformance")]
    (failure,) = failing.findall("failure")
    assert failure.get("type") == "server" and failure.get("message", "").startswith("[server] ")
    status = cases[("Addresses.FindAddresses", "status_code_conformance")]
    assert status.find("failure") is not None
    passing = cases[("Billing.GetUserBalance", "not_a_server_error")]
    assert list(passing) == []  # ran and passed
    assert {name for (cls, name) in cases if cls == "Billing.GetUserBalance"} >= {
        "status_code_conformance",
        "response_schema_conformance",
        "telnyx_rate_limit_headers",
    }
    assert int(root.get("tests", 0)) == len(cases) and int(root.get("failures", 0)) >= 2


def allure_results(report: Path) -> dict[str, dict[str, Any]]:
    """The operations' own tests by operationId (titled "OperationId (METHOD /path)")."""
    results = {}
    for path in (report / "allure-results").glob("*-result.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["name"].endswith(")"):  # not "... — pagination"
            results[data["name"].split(" ", 1)[0]] = data
    return results


def test_allure_results_carry_behaviour_severity_triage_links_and_attachments(faulty_run: tuple[Path, Any]) -> None:
    report = faulty_run[0]
    results = allure_results(report)
    assert set(results) == set(OPS)
    conf = results["ListConferences"]
    labels = {(label["name"], label["value"]) for label in conf["labels"]}
    assert {("epic", "Conference Commands"), ("feature", "Conference Commands"), ("severity", "critical")} <= labels
    assert ("triage", "server") in labels and ("check", "response_schema_conformance") in labels
    (link,) = conf["links"]
    assert re.fullmatch(r"https://github\.com/team-telnyx/openapi/blob/861ec3b/openapi/spec3\.yml#L\d+", link["url"])
    line = int(link["url"].rsplit("#L", 1)[1])
    assert line > 0
    message = conf["statusDetails"]["message"]
    assert message.startswith("[server] response_schema_conformance")
    names = {a["name"]: a["source"] for a in conf["attachments"]}
    prefix = "response_schema_conformance [server]: "
    assert {prefix + "request", prefix + "response", prefix + "curl", "schema error path"} <= set(names)
    response = (report / "allure-results" / names[prefix + "response"]).read_text(encoding="utf-8")
    assert response.startswith("HTTP/1.1 200")
    path = (report / "allure-results" / names["schema error path"]).read_text(encoding="utf-8")
    assert "schema location: /" in path and "required" in path
    request = (report / "allure-results" / names[prefix + "request"]).read_text(encoding="utf-8")
    assert request.startswith("GET http://127.0.0.1:") and "[REDACTED]" in request
    # the first category whose regex matches (as Allure does) is the (class, check) one
    categories = json.loads((report / "allure-results" / "categories.json").read_text(encoding="utf-8"))
    first = next(c for c in categories if re.fullmatch(c["messageRegex"], message))
    assert first["name"] == "server: response_schema_conformance"
    passed = results["GetUserBalance"]
    assert passed["status"] == "passed" and ("severity", "normal") in {
        (x["name"], x["value"]) for x in passed["labels"]
    }
    env = (report / "allure-results" / "environment.properties").read_text(encoding="utf-8")
    assert "seed = 2" in env and "suite.version = " in env and "spec.sha256 = 6a9394d3" in env


def test_matrix_of_the_run_shows_failures_codes_and_findings(faulty_run: tuple[Path, Any]) -> None:
    text = (faulty_run[0] / "matrix.md").read_text(encoding="utf-8")
    assert "`ListConferences` **response_schema_conformance** (server)" in text
    row = next(line for line in text.splitlines() if line.startswith("| `FindAddresses`"))
    assert "failed" in row and "`status_code_conformance` (server)" in row
    assert re.search(r"`GetUserBalance` audit, line \d+: `telnyx-secured-401`", text)
    page = (faulty_run[0] / "matrix.html").read_text(encoding="utf-8")
    assert page.count('<tr data-verdict="failed"') == 2


def test_second_run_compares_and_shows_progress_on_a_terminal(
    faulty_run: tuple[Path, Any], shared_spec_path: Path, environ: dict[str, str], tmp_path: Path
) -> None:
    """Against the clean embedded server both faults are gone: fixed. stdout is a pseudo-terminal,
    so the run draws its live line and ends with the summary table."""
    report = tmp_path / "reports"
    main, child = pty.openpty()
    try:
        args = [*run_args(shared_spec_path, report), "--compare", str(faulty_run[0])]
        result = cli({**environ, "COLUMNS": "200"}, *args, stdout=child, stderr=subprocess.PIPE)
        os.close(child)
        child = -1
        output = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    finally:
        os.close(main)
        if child != -1:
            os.close(child)
    text = output.decode("utf-8", "replace")
    assert result.returncode == 0, text + result.stderr
    assert re.search(r"\d/3 operations · failures: server \d+ spec \d+ setup \d+ · elapsed \d\d:\d\d · ETA", text)
    assert "Conformance run" in text and "passed" in text  # the rich table
    assert "test_operations.py" not in text  # pytest's own lines are off while the live line runs
    md = (report / "matrix.md").read_text(encoding="utf-8")
    assert "- **fixed** (2): `FindAddresses`, `ListConferences`" in md
    assert "- **newly failing** (0): none" in md


def test_quiet_run_prints_only_the_verdict(shared_spec_path: Path, environ: dict[str, str], tmp_path: Path) -> None:
    args = ["run", "--spec", str(shared_spec_path), "--include-operation-id", "GetUserBalance", "--quiet"]
    result = cli(environ, *args, "--max-examples", "2", "--report-dir", str(tmp_path / "r"), capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("seed: ")
    assert lines[1:4] == [
        "target conforms: 0 server failures in 1 operations tested",
        "spec defects seen: 0",
        "setup problems: 0",
    ]
    assert lines[4].startswith("1 operations, ") and lines[4].endswith("/matrix.html")
    assert len(lines) == 5 and "failed" not in result.stdout


def test_a_run_with_only_spec_defects_never_reads_failed(
    shared_spec_path: Path, environ: dict[str, str], tmp_path: Path
) -> None:
    """pytest's own lines (a log, not a terminal) count the spec's defects by that name: the
    target conforms, so nothing says `failed` (Addresses has undocumented status codes)."""
    args = ["run", "--spec", str(shared_spec_path), "--include-tag", "Addresses", "--seed", "1"]
    result = cli(environ, *args, "--max-examples", "2", "--report-dir", str(tmp_path / "r"), capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "failed" not in result.stdout.lower() and "FAILURES" not in result.stdout
    assert re.search(r"\b\d+ with spec defects\b", result.stdout), result.stdout
    assert "target conforms: 0 server failures in 6 operations tested" in result.stdout


def test_report_without_node_says_how_to_get_it(faulty_run: tuple[Path, Any], environ: dict[str, str]) -> None:
    bare = {**environ, "PATH": "/nonexistent"}
    result = cli(bare, "report", "--report-dir", str(faulty_run[0]), capture_output=True)
    assert result.returncode == 2
    assert "Node.js not found" in result.stderr and "npx allure generate" in result.stderr


def test_report_renders_the_allure_html(faulty_run: tuple[Path, Any], environ: dict[str, str], tmp_path: Path) -> None:
    """Allure 3 from npm (installed once into the user cache): skipped when npm cannot fetch it."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: Allure 3 cannot run")
    output = tmp_path / "allure-report"
    result = cli(environ, "report", "--report-dir", str(faulty_run[0]), "--output", str(output), capture_output=True)
    if result.returncode != 0 and "npm install" in result.stderr:
        pytest.skip(f"Allure 3 could not be installed from npm: {result.stderr.strip()[-300:]}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"Allure report: {output / 'index.html'}"
    assert (output / "index.html").is_file()
    rendered = b"".join(p.read_bytes() for p in output.rglob("*") if p.is_file() and p.stat().st_size < 5_000_000)
    assert b"ListConferences" in rendered and SENTINEL.encode() not in rendered
