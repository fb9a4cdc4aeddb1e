"""The audit command: exit codes, formats, configuration, baselines and bad input."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cli import main

SPEC = """\
openapi: 3.1.0
info:
  title: Fixture
  version: "1"
  contact: {name: team}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
  /others:
    get:
      operationId: listOthers
      tags: [others]
      responses:
        "200":
          description: ok
"""


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "spec.yml"
    path.write_text(SPEC)
    return path


def audit(*args: str) -> int:
    return main(["audit", "--allow-unpinned", *args])


def test_list_rules_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--list-rules", "--format", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert rules and all(set(r) == {"id", "severity", "description", "equivalents"} for r in rules)
    assert {"unresolved-ref", "operation-tags"} <= {r["id"] for r in rules}


def test_json_report_locates_every_finding(spec_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = audit("--spec", str(spec_file), "--format", "json", "--select", "operation-tags", "--fail-on", "warning")
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert report["spec"] == {"path": str(spec_file), "sha256": report["spec"]["sha256"], "openapi": "3.1.0"}
    assert report["findings"] == [
        {
            "rule": "operation-tags",
            "severity": "warning",
            "message": report["findings"][0]["message"],
            "pointer": "/paths/~1things/get",
            "line": 8,
            "column": 5,
        }
    ]
    assert report["summary"] == {"error": 0, "warning": 1, "info": 0}


@pytest.mark.parametrize(("fail_on", "expected"), [("error", 0), ("warning", 1), ("never", 0)])
def test_fail_on_threshold(spec_file: Path, fail_on: str, expected: int, capsys) -> None:
    assert audit("--spec", str(spec_file), "--select", "operation-tags", "--fail-on", fail_on) == expected


def test_text_report_groups_by_rule_with_counts(spec_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audit("--spec", str(spec_file), "--select", "operation-tags", "--select", "info-license")
    out = capsys.readouterr().out
    assert "WARNING operation-tags (1)" in out and "spec.yml:8:5" in out
    assert out.rstrip().endswith("0 errors, 2 warnings, 0 infos")


def test_markdown_report(spec_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    audit("--spec", str(spec_file), "--format", "markdown", "--select", "operation-tags")
    out = capsys.readouterr().out
    assert out.startswith("# Spec audit") and "| `operation-tags` | warning | 1 |" in out


def test_output_file(spec_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "audit.json"
    audit("--spec", str(spec_file), "--format", "json", "--output", str(target), "--select", "operation-tags")
    assert json.loads(target.read_text())["summary"]["warning"] == 1


def test_config_overrides_severity_and_ignores_by_pointer(spec_file: Path, tmp_path: Path, capsys) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.telnyx-conformance.audit]\n"
        'fail-on = "warning"\n'
        'severity = { operation-tags = "info", info-license = "off" }\n'
        'ignore = [{ rule = "operation-id", pointer = "/paths/~1o*" }]\n'
    )
    args = ["--spec", str(spec_file), "--format", "json", "--config", str(config)]
    code = audit(*args, "--select", "operation-tags", "--select", "info-license")
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 0  # fail-on = warning from the config, and the only finding was lowered to info
    assert [(f["rule"], f["severity"]) for f in findings] == [("operation-tags", "info")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('severity = { no-such-rule = "error" }', "unknown rule id 'no-such-rule'"),
        ('fail-on = "sometimes"', "fail-on must be one of"),
        ('colour = "red"', "unknown audit setting"),
        ("ignore = [{ pointer = '/x' }]", "each ignore needs a rule"),
        ("severity = [", "cannot read configuration"),
    ],
)
def test_bad_config_is_a_usage_error(spec_file: Path, tmp_path: Path, body: str, message: str, capsys) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(f"[tool.telnyx-conformance.audit]\n{body}\n")
    assert audit("--spec", str(spec_file), "--config", str(config)) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_baseline_reports_only_new_findings(spec_file: Path, tmp_path: Path, capsys) -> None:
    baseline = tmp_path / "baseline.json"
    select = ["--select", "operation-tags", "--fail-on", "warning", "--format", "json"]
    assert audit("--spec", str(spec_file), *select, "--write-baseline", str(baseline)) == 1
    capsys.readouterr()
    # unrelated edits move every line; the old finding stays recognised
    spec_file.write_text("# a new header comment\n\n" + SPEC.replace("title: Fixture", "title: Fixture v2"))
    assert audit("--spec", str(spec_file), *select, "--baseline", str(baseline)) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    # a new untagged operation is reported
    spec_file.write_text(SPEC + "  /new:\n    get:\n      responses:\n        '200': {description: ok}\n")
    assert audit("--spec", str(spec_file), *select, "--baseline", str(baseline)) == 1
    assert [f["pointer"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["/paths/~1new/get"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "spec not found"),
        ("openapi: 3.1.0\ninfo: {title: [\n", "YAML syntax error"),
        ("hello: world\n", "not an OpenAPI document"),
        (
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
            "        '200':\n          $ref: '#/components/responses/Gone'\n",
            "spec.yml:8:11: $ref '#/components/responses/Gone' does not resolve",
        ),
    ],
)
def test_bad_spec_is_one_line_and_exit_2(tmp_path: Path, content: str | None, message: str, capsys) -> None:
    path = tmp_path / "spec.yml"
    if content is not None:
        path.write_text(content)
    assert audit("--spec", str(path)) == 2
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if not line.startswith("telnyx-conformance: warning:")]
    assert len(errors) == 1 and message in errors[0] and "Traceback" not in captured.err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert_exit(["audit", "--format", "xml"], 2)
    assert_exit(["audit", "--select", "no-such-rule"], 2)
    assert "unknown rule id" in capsys.readouterr().err


def assert_exit(argv: list[str], code: int) -> None:
    try:
        result = main(argv)
    except SystemExit as exc:
        result = exc.code
    assert result == code


def test_console_script_has_no_traceback_on_missing_spec(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "audit", "--spec", str(tmp_path / "missing.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("telnyx-conformance: error: spec not found")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("pointer", "kept"), [("/paths/~1th*", 0), ("/paths/~1others/*", 1), (None, 0)])
def test_ignores_match_rule_and_pointer_glob(spec_file: Path, tmp_path: Path, pointer, kept: int, capsys) -> None:
    config = tmp_path / "pyproject.toml"
    entry = '{ rule = "operation-tags"' + (f', pointer = "{pointer}"' if pointer else "") + " }"
    config.write_text(f"[tool.telnyx-conformance.audit]\nignore = [{entry}]\n")
    audit("--spec", str(spec_file), "--format", "json", "--config", str(config), "--select", "operation-tags")
    assert len(json.loads(capsys.readouterr().out)["findings"]) == kept


def test_validate_reports_the_69_structural_errors_of_the_shared_spec(shared_spec_path: Path, capsys) -> None:
    assert main(["validate", "--spec", str(shared_spec_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"] == {"error": 69, "warning": 0, "info": 0}
    assert {f["rule"] for f in report["findings"]} == {"default-valid", "parameter-unique", "schema-dialect"}
    assert all(f["line"] > 0 for f in report["findings"])


def test_full_audit_of_the_shared_spec_locates_every_finding(shared_spec_path: Path, capsys) -> None:
    assert main(["audit", "--spec", str(shared_spec_path), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["spec"]["sha256"] == "6a9394d3d3bbe7afc51a0195e6a4e187277326694a47cfc546812d4320690102"
    assert report["summary"]["error"] >= 69
    assert all(f["line"] > 0 and f["column"] > 0 for f in report["findings"])
