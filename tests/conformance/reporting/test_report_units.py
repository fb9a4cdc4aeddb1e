"""The pure parts of the reports: property coverage, JUnit per check, Allure labels and
categories, the progress line, and the example CI workflow's commands."""

import re
import shlex
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from conformance.reporting import allure as allure_labels
from conformance.reporting import junit, progress
from conformance.reporting.coverage import (
    Coverage,
    body_properties,
    response_key,
    responses_observed,
    schema_properties,
)
from conformance.reporting.results import FailureRecord, OperationResult
from conformance.target import Target
from spec.index import build_index

ROOT = Path(__file__).resolve().parents[3]
DOC = {
    "openapi": "3.1.0",
    "paths": {
        "/things": {
            "get": {
                "operationId": "ListThings",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/List"}}},
                    },
                    "4XX": {"description": "error"},
                },
            }
        }
    },
    "components": {
        "schemas": {
            "List": {
                "type": "object",
                "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}},
                "allOf": [{"properties": {"meta": {"type": "object", "properties": {"total": {"type": "integer"}}}}}],
            },
            "Thing": {
                "type": "object",
                "properties": {"id": {"type": "string"}, "parent": {"$ref": "#/components/schemas/Thing"}},
            },
        }
    },
}


def test_documented_properties_follow_refs_items_and_allof_without_looping() -> None:
    index = build_index(DOC)
    (operation,) = index.operations
    schema = DOC["paths"]["/things"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    found = schema_properties(index, "/x", schema)
    assert found == {"data", "data[].id", "data[].parent", "meta", "meta.total"}  # Thing in Thing: cut once
    coverage = Coverage(index)
    body = {"data": [{"id": "a", "extra": 1}], "meta": {"total": 1}, "other": True}
    assert coverage.seen(operation, 200, body) == {"200 data", "200 data[].id", "200 meta", "200 meta.total"}
    assert coverage.seen(operation, 404, {"errors": []}) == set()  # 4XX documents no body
    assert coverage.seen(operation, 500, body) == set()  # nothing documented for 5xx
    assert body_properties({"data": [{"id": 1}]}, frozenset({"data[].id"})) == {"data[].id"}


def test_response_key_prefers_the_code_then_its_range_then_default() -> None:
    assert response_key(200, ["200", "default"]) == "200"
    assert response_key(404, ["200", "4XX", "default"]) == "4XX"
    assert response_key(404, ["200", "4xx"]) == "4xx"
    assert response_key(500, ["200", "default"]) == "default"
    assert response_key(500, ["200"]) is None
    assert responses_observed(["200", "4XX", "default"], [200, 404, 422]) == {"200", "4XX"}


def test_junit_has_a_testcase_per_check_with_triage_as_failure_type() -> None:
    failing = OperationResult("ListThings", "GET", "/things", status="failed")
    failing.checks_run = {"not_a_server_error", "response_schema_conformance"}
    failing.failures = [FailureRecord("response_schema_conformance", "server", "bad body", "curl -X GET x")]
    skipped = OperationResult("CreateThing", "POST", "/things", status="skipped", reason="POST not sent: --read-only")
    errored = OperationResult("GetThing", "GET", "/things/{id}", status="errored")
    errored.failures = [FailureRecord("request_timeout", "server", "ReadTimeout: slow", None)]
    root = ET.fromstring(junit.render([("Things", failing), ("Things", skipped), ("Other", errored)]).split("\n", 1)[1])
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    assert set(cases) == {
        ("Things.ListThings", "not_a_server_error"),
        ("Things.ListThings", "response_schema_conformance"),
        ("Things.CreateThing", "(operation)"),
        ("Other.GetThing", "request_timeout"),
    }
    failure = cases[("Things.ListThings", "response_schema_conformance")].find("failure")
    assert failure is not None and failure.get("type") == "server" and "reproduce: curl -X GET x" in failure.text
    assert list(cases[("Things.ListThings", "not_a_server_error")]) == []
    assert cases[("Things.CreateThing", "(operation)")].find("skipped").get("message") == "POST not sent: --read-only"
    assert cases[("Other.GetThing", "request_timeout")].find("error") is not None
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("4", "1", "1", "1")


def test_severity_is_the_worst_failing_check() -> None:
    assert allure_labels.severity([]) == "normal"
    assert allure_labels.severity(["telnyx_rate_limit_headers"]) == "minor"
    assert allure_labels.severity(["telnyx_rate_limit_headers", "response_schema_conformance"]) == "critical"
    assert allure_labels.severity(["status_code_conformance", "ignored_auth"]) == "blocker"


def test_categories_match_class_and_check_first_then_class() -> None:
    categories = allure_labels.categories(["status_code_conformance", "response_schema_conformance"])

    def category(message: str) -> str | None:  # Allure: the first category whose regex matches the whole message
        return next((c["name"] for c in categories if re.fullmatch(c["messageRegex"], message)), None)

    prefix = allure_labels.status_prefix([("spec", "status_code_conformance"), ("spec", "status_code_conformance")])
    assert prefix == "[spec] status_code_conformance"
    assert category(prefix + "\nFailureGroup: ...\nmore") == "spec: status_code_conformance"
    assert category("[server] telnyx_error_envelope\nx") == allure_labels.CLASS_TITLES["server"]
    assert category("AssertionError: something else") is None
    assert category("[server] status_code_conformance_extra\n") == allure_labels.CLASS_TITLES["server"]


def test_environment_properties_escape_like_java_properties() -> None:
    text = allure_labels.environment_properties({"target": "http://h:1/v2", "seed": "7", "path": "a=b"})
    assert text == "target = http\\://h\\:1/v2\nseed = 7\npath = a\\=b\n"


def test_attachments_redact_the_key_and_truncate_bodies() -> None:
    target = Target("http://127.0.0.1:1/v2", "sentinel-unit-key")
    request = SimpleNamespace(
        method="POST",
        url="http://127.0.0.1:1/v2/x?token=sentinel-unit-key",
        headers={"Authorization": "Bearer sentinel-unit-key", "Content-Type": "application/json"},
        body=b'{"echo": "sentinel-unit-key"}',
    )
    text = allure_labels.describe_request(request, target)
    assert "sentinel-unit-key" not in text and "Authorization: Bearer [REDACTED]" in text
    big = b"x" * (allure_labels.MAX_BODY + 10)
    response = SimpleNamespace(
        http_version="1.1",
        status_code=200,
        message="OK",
        headers={"x-echo": ["sentinel-unit-key"]},
        content=big,
        content_size=len(big) + 100,
    )
    text = allure_labels.describe_response(response, target)
    assert text.startswith("HTTP/1.1 200 OK") and "sentinel-unit-key" not in text
    assert text.endswith(f"[110 more bytes not shown; {len(big) + 100} in all]")


def test_redacting_logger_scrubs_results_and_attachments(tmp_path: Path) -> None:
    from allure_commons.model2 import Label, StatusDetails, TestResult

    target = Target("http://127.0.0.1:1/v2", "sentinel-unit-key")
    logger = allure_labels._redacting_logger(tmp_path, target)
    result = TestResult(uuid="u1", name="t", labels=[Label("story", "X")])
    result.statusDetails = StatusDetails(message="curl -H 'Authorization: Bearer sentinel-unit-key'", trace="t")
    allure_labels.PREFIXES["u1"] = "[server] response_schema_conformance"
    logger.report_result(result)
    logger.report_attached_data("key sentinel-unit-key", "a-attachment.txt")
    written = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert all("sentinel-unit-key" not in text for text in written.values())
    (result_text,) = [t for n, t in written.items() if n.endswith("-result.json")]
    assert '"message": "[server] response_schema_conformance\\ncurl' in result_text
    assert written["a-attachment.txt"] == "key [REDACTED]"


def test_spec_link_points_at_the_pinned_commit_or_the_file(tmp_path: Path) -> None:
    from spec.pin import PINNED

    assert allure_labels.spec_link(tmp_path / "s.yml", PINNED.sha256, 12).endswith(f"/{PINNED.path}#L12")
    assert allure_labels.spec_link(tmp_path / "s.yml", "0" * 64, 12) == f"{(tmp_path / 's.yml').as_uri()}#L12"


def test_progress_line_counts_classes_and_estimates() -> None:
    assert progress.eta(10.0, 0, 5) is None
    assert progress.eta(10.0, 2, 6) == pytest.approx(20.0)
    assert progress.clock(None) == "--:--" and progress.clock(75) == "01:15" and progress.clock(3725) == "1:02:05"
    text = progress.line(2, 6, Counter({"server": 3}), 10.0)
    assert text == "2/6 operations · failures: server 3 spec 0 setup 0 · elapsed 00:10 · ETA 00:20"


def test_summary_table_renders_totals() -> None:
    from rich.console import Console

    console = Console(width=160, record=True, color_system=None)
    totals = {
        "operations": 3,
        "passed": 1,
        "failed": 1,
        "errored": 0,
        "skipped": 1,
        "requests": 40,
        "by_classification": {"server": 2},
    }
    console.print(progress.summary_table(totals))
    text = console.export_text()
    assert "Conformance run" in text and "server failures" in text
    assert re.search(r"3\s+│\s+1\s+│\s+1\s+│\s+0\s+│\s+1\s+│\s+40\s+│\s+2\s+│\s+0\s+│\s+0", text)


def test_ci_example_runs_commands_the_cli_accepts() -> None:
    from conformance.cli import build_parser

    workflow = yaml.safe_load((ROOT / "docs" / "ci-example.yml").read_text(encoding="utf-8"))
    commands = [
        line.strip()
        for step in workflow["jobs"]["conformance"]["steps"]
        for line in str(step.get("run", "")).splitlines()
        if line.strip().startswith(".venv/bin/telnyx-conformance")
    ]
    assert {c.split()[1] for c in commands} == {"audit", "run", "report"}
    parser = build_parser()
    for command in commands:
        argv = shlex.split(command.split(" || ")[0].replace("$compare", ""))[1:]
        parser.parse_args(argv)  # exits 2 on an option the CLI does not have
