"""The diff and drift commands: exit codes, formats, baselines, rules, bad input, any version."""

import json
from pathlib import Path

import pytest

from conformance.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "spec" / "diff" / "fixtures"
REMOVED = FIXTURES / "operation-removed"
ADDED_OPTIONAL = FIXTURES / "parameter-added-optional"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_exit_codes_follow_fail_on(capsys: pytest.CaptureFixture[str]) -> None:
    old, new = str(REMOVED / "old.yaml"), str(REMOVED / "new.yaml")
    assert run(capsys, "diff", old, new)[0] == 1  # breaking, default --fail-on breaking
    assert run(capsys, "diff", old, new, "--fail-on", "never")[0] == 0
    info_old, info_new = str(ADDED_OPTIONAL / "old.yaml"), str(ADDED_OPTIONAL / "new.yaml")
    assert run(capsys, "diff", info_old, info_new)[0] == 0  # only an info change
    assert run(capsys, "diff", info_old, info_new, "--fail-on", "any")[0] == 1
    code, out, _ = run(capsys, "diff", old, old)
    assert code == 0 and "no changes" in out


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("openapi: 3.1.0\npaths: [\n", "YAML syntax error"),
        ("just: a mapping\n", "not an OpenAPI document"),
        ('swagger: "1.2"\n', "unsupported Swagger version"),
        ("", "empty"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys, content: str, says: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    code, out, err = run(capsys, "diff", str(bad), str(REMOVED / "old.yaml"))
    assert code == 2 and out == "" and says in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "diff", str(tmp_path / "absent.yaml"), str(bad))
    assert code == 2 and "not found" in err


def test_json_and_sarif_name_both_places(capsys: pytest.CaptureFixture[str]) -> None:
    old, new = str(REMOVED / "old.yaml"), str(REMOVED / "new.yaml")
    _, out, _ = run(capsys, "diff", old, new, "--format", "json")
    report = json.loads(out)
    change = next(c for c in report["changes"] if c["rule"] == "operation-removed")
    assert change["level"] == "breaking" and change["operation"] == "GET /calls"
    assert change["old"]["pointer"] == "/paths/~1calls/get" and change["old"]["line"] == 9
    assert change["new"]["pointer"] == "/paths" and change["new"]["line"] == 3
    _, out, _ = run(capsys, "diff", old, new, "--format", "sarif")
    sarif = json.loads(out)
    result = sarif["runs"][0]["results"][0]
    assert result["ruleId"] == "operation-removed" and result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert result["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 9
    _, out, _ = run(capsys, "diff", old, new, "--format", "markdown")
    assert "| `operation-removed` | breaking | 1 |" in out


def test_baseline_hides_known_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = str(REMOVED / "old.yaml"), str(REMOVED / "new.yaml")
    baseline = tmp_path / "baseline.json"
    assert run(capsys, "diff", old, new, "--write-baseline", str(baseline))[0] == 1
    code, out, _ = run(capsys, "diff", old, new, "--baseline", str(baseline))
    assert code == 0 and "(1 baselined)" in out


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "diff", "--list-rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and {"operation-removed", "response-enum-widened"} <= {r["id"] for r in rules}
    assert all(r["level"] in ("breaking", "warning", "info") and r["rationale"] for r in rules)
    code, out, _ = run(capsys, "diff", "--list-rules")
    assert code == 0 and "operation-removed" in out


def test_drift_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    client, spec = str(REMOVED / "old.yaml"), str(REMOVED / "new.yaml")
    code, out, _ = run(capsys, "drift", "--client", client, "--spec", spec, "--format", "json")
    report = json.loads(out)
    assert code == 0 and report["counts"] == {"gone": 1, "breaking": 0, "compatible": 1, "lacking": 0}
    code, out, _ = run(capsys, "drift", "--client", spec, "--spec", client)
    assert "COMPATIBLE" in out and "the client lacks (1):" in out and "GET /calls" in out
    for kind in ("markdown", "html", "text"):
        page = tmp_path / f"drift.{kind}"
        assert run(capsys, "drift", "--client", client, "--spec", spec, "--format", kind, "--output", str(page))[0] == 0
        assert "GET /calls" in page.read_text(encoding="utf-8")
    assert page.read_text().count("GONE") == 1


def test_the_pinned_spec_diffed_with_itself_gives_no_change(shared_spec_path: Path, capsys) -> None:
    from spec.diff import diff_models
    from spec.model import load_model

    code, out, _ = run(capsys, "diff", str(shared_spec_path), str(shared_spec_path), "--format", "json")
    assert code == 0 and json.loads(out)["changes"] == []
    model = load_model(shared_spec_path)
    result = diff_models(model, load_model(shared_spec_path, use_cache=False), fast=False)  # every operation walked
    assert result.changes == [] and result.matched == len(model.operations) == 822
