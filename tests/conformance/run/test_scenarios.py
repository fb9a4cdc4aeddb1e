"""Named scenarios: their files read and refused with one line, each built-in scenario passing
against the conforming reference server and failing at the step its server fault breaks, the
write policy, and a real `telnyx-conformance run` filing a broken scenario in every report."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from conformance.run.embedded import embedded_server
from conformance.run.phases.pagination.walk import Client
from conformance.run.phases.scenarios import BUILTIN, ScenarioError, blocked, scenarios_for
from conformance.run.phases.scenarios.engine import resolve, run_scenario
from conformance.run.phases.scenarios.model import load_scenario, parse_scenario
from conformance.target import Target

KEY = "sentinel-key-scenarios-7c2d"
GOOD = {
    "name": "profile-fetch",
    "steps": [
        {
            "name": "create",
            "request": "POST /messaging_profiles",
            "body": {"name": "x", "whitelisted_destinations": ["US"]},
            "extract": {"profile": "/data"},
        },
        {"operation": "RetrieveMessagingProfile", "path": {"id": "${profile.id}"}, "expect": {"status": 200}},
    ],
}
# (fault served, scenario, the 1-based step it breaks, the operation that step calls)
BROKEN = [
    ("update-ignored:UpdateMessagingProfile", "messaging-profile-lifecycle", 4, "GET /messaging_profiles/{id}"),
    ("created-missing-from-list:ListPhoneNumbers", "order-number-and-message", 4, "GET /phone_numbers"),
    ("delete-in-use-accepted", "voice-profile-in-use", 3, "DELETE /outbound_voice_profiles/{id}"),
]


@pytest.fixture(scope="module")
def index(shared_spec_path: Path) -> Any:
    from spec.load import load_spec

    return load_spec(shared_spec_path).index()


def with_step(**changes: Any) -> dict[str, Any]:
    second = {**GOOD["steps"][1], **changes}
    return {**GOOD, "steps": [GOOD["steps"][0], {k: v for k, v in second.items() if v is not None}]}


# --- files ----------------------------------------------------------------------------------------


def test_a_good_file_parses(index: Any) -> None:
    scenario = parse_scenario(GOOD, index, "good.yaml")
    assert [s.label for s in scenario.steps] == ["POST /messaging_profiles", "GET /messaging_profiles/{id}"]
    assert scenario.steps[0].extract == {"profile": "/data"} and scenario.writes == ["POST"]
    assert scenario.steps[1].status == (200,) and scenario.steps[0].status == ()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1], "expected a mapping with name, steps"),
        ({**GOOD, "name": "Bad Name"}, "name: expected lowercase"),
        ({**GOOD, "steps": []}, "steps: expected a list of 1 to 50"),
        ({**GOOD, "extra": 1}, "unknown key 'extra' in the scenario"),
        (with_step(operation="NoSuchOperation"), "steps[2]: operation 'NoSuchOperation': no such operation"),
        (with_step(request="GET /x"), "give one of request"),
        (with_step(path={}), "path: /messaging_profiles/{id} takes ['id'], given []"),
        (with_step(path={"id": "${order.id}"}), "${order} is not extracted by an earlier step"),
        (with_step(expect={"status": "ok"}), "expect.status: expected an HTTP status"),
        (with_step(expect={"body": {"data/id": 1}}), "expect.body: expected a mapping of JSON pointers"),
        (with_step(expect={"contains": {"where": {}}}), "expect.contains: expected items"),
        (with_step(extract={"x": "data"}), "extract: 'x': expected a name and a JSON pointer"),
        (with_step(whatever=1), "unknown key 'whatever' in a step"),
        (with_step(query={"filter[x]": [1, 2]}), "query: values must be text, numbers or booleans"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_place(index: Any, data: Any, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, index, "bad.yaml")
    text = str(caught.value)
    assert text.startswith("bad.yaml: ") and message in text and "\n" not in text


def test_files_that_are_not_yaml_or_repeat_a_name_are_refused(index: Any, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken.yaml: not valid YAML or JSON at line"):
        load_scenario(broken, index)
    (tmp_path / "a.json").write_bytes(orjson.dumps(GOOD))
    (tmp_path / "b.yaml").write_text(orjson.dumps(GOOD).decode(), encoding="utf-8")
    broken.unlink()
    with pytest.raises(ScenarioError, match=r"b.yaml: scenario name 'profile-fetch' is already used by .*a.json"):
        scenarios_for(index, [str(tmp_path)], builtin=False)
    with pytest.raises(ScenarioError, match=r"--scenarios .*nowhere: no such file or directory"):
        scenarios_for(index, [str(tmp_path / "nowhere")])


def test_yaml_dates_become_text_and_aliases_cannot_explode(index: Any, tmp_path: Path) -> None:
    dated = tmp_path / "dated.yaml"
    body = "{name: x, whitelisted_destinations: [US], note: 2024-01-02}"
    dated.write_text(f"name: dated\nsteps:\n  - request: POST /messaging_profiles\n    body: {body}\n", "utf-8")
    assert load_scenario(dated, index).steps[0].body["note"] == "2024-01-02"
    laughs = ["name: laughs", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    laughs += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(laughs) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bomb.yaml: over 100,000 values"):
        load_scenario(bomb, index)


def test_the_builtin_scenarios_load(index: Any) -> None:
    names = {s.name for s in scenarios_for(index, [])}
    assert names == {"messaging-profile-lifecycle", "order-number-and-message", "voice-profile-in-use"}
    assert len(list(BUILTIN.glob("*.yaml"))) == 3
    assert scenarios_for(index, [], builtin=False) == []


def test_the_documented_example_is_a_valid_scenario(index: Any) -> None:
    import yaml

    page = (Path(__file__).resolve().parents[3] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    example = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = parse_scenario(yaml.safe_load(example), index, "docs/scenarios.md")
    assert scenario.name == "voice-profile-in-use" and len(scenario.steps) == 3 and len(scenario.cleanup) == 1


def test_builtin_scenarios_are_left_out_on_a_spec_without_their_operations(tmp_path: Path) -> None:
    """Another spec (an inline one, an unpinned copy) runs without the Telnyx flows; a user's file
    naming an operation that spec lacks is still an error."""
    from spec.index import build_index

    bare = build_index({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}})
    assert scenarios_for(bare, []) == []
    (tmp_path / "mine.json").write_bytes(orjson.dumps(GOOD))
    with pytest.raises(ScenarioError, match=r"mine.json: steps\[1\]: request 'POST /messaging_profiles': no such"):
        scenarios_for(bare, [str(tmp_path)])


def test_references_keep_types_and_interpolate_text() -> None:
    values = {"order": {"id": 7, "numbers": [{"phone_number": "+13125550100"}]}}
    assert resolve({"id": "${order.id}", "n": "${order.numbers.0.phone_number}"}, values) == {
        "id": 7,
        "n": "+13125550100",
    }
    assert resolve("order ${order.id} placed", values) == "order 7 placed"


# --- the write policy -----------------------------------------------------------------------------


def test_writes_run_only_where_the_target_allows_them(index: Any) -> None:
    scenario = parse_scenario(GOOD, index, "good.yaml")
    selected = set(scenario.labels)
    remote = Target(base_url="https://api.telnyx.com/v2", api_key=KEY)
    assert "--allow-writes" in (blocked(scenario, remote, selected) or "")
    allowed = Target(base_url="https://api.telnyx.com/v2", api_key=KEY, allow_writes=True)
    assert blocked(scenario, allowed, selected) is None
    local = Target(base_url="http://127.0.0.1:9/v2", api_key=KEY)
    assert blocked(scenario, local, selected) is None
    assert "read-only" in (blocked(scenario, Target(base_url="http://127.0.0.1:9/v2", api_key=KEY, read_only=True),
                                   selected) or "")  # fmt: skip
    assert "not selected" in (blocked(scenario, local, {"POST /messaging_profiles"}) or "")


# --- against the reference server -----------------------------------------------------------------


def run_all(spec: Path, index: Any, faults: list[str]) -> dict[str, list[Any]]:
    with embedded_server(spec, KEY, faults=faults) as url:
        client = Client(Target(base_url=url, api_key=KEY), index=index)
        return {s.name: run_scenario(client, s, 5) for s in scenarios_for(index, [])}


def test_every_builtin_scenario_passes_against_the_conforming_server(shared_spec_path: Path, index: Any) -> None:
    assert run_all(shared_spec_path, index, []) == {name: [] for _, name, _, _ in BROKEN}


@pytest.mark.parametrize(("fault", "name", "step", "operation"), BROKEN, ids=[b[1] for b in BROKEN])
def test_each_builtin_scenario_fails_at_the_step_its_fault_breaks(
    shared_spec_path: Path, index: Any, fault: str, name: str, step: int, operation: str
) -> None:
    outcomes = run_all(shared_spec_path, index, [fault])
    (failure,) = outcomes[name]
    assert failure.step == step and failure.operation == operation and failure.check == "telnyx_scenario_step"
    assert f"scenario {name!r}, step {step} " in failure.message
    curls = [line for line in failure.page.curl.splitlines() if line.startswith("curl ")]
    assert len(curls) == step and KEY not in failure.page.curl  # one curl per step sent, key redacted
    assert [line for line in failure.page.curl.splitlines() if line.startswith("#")][-1].startswith(f"# {name}, step")


def test_contains_walks_the_pages_of_a_list(shared_spec_path: Path, index: Any) -> None:
    """45 seeded profiles and the new one, 10 a page: it is on page 5, found within 5 pages and
    not within 2 (with a curl for every page fetched)."""
    listing = {
        "name": "the list has it",
        "request": "GET /messaging_profiles",
        "query": {"page[number]": 1, "page[size]": 10},
        "expect": {"contains": {"where": {"id": "${profile.id}"}, "as": "found"}},
    }
    scenario = parse_scenario({**GOOD, "steps": [GOOD["steps"][0], listing]}, index, "paged.yaml")
    with embedded_server(shared_spec_path, KEY) as url:
        client = Client(Target(base_url=url, api_key=KEY), index=index)
        assert run_scenario(client, scenario, 5) == []
        (failure,) = run_scenario(client, scenario, 2)
    assert failure.step == 2 and "(2 page(s) walked)" in failure.message
    assert "page%5Bnumber%5D=2" in failure.page.curl and failure.page.curl.count("curl -X ") == 3


# --- a real run -----------------------------------------------------------------------------------

VOICE = ["CreateVoiceProfile", "CreateCredentialConnection", "DeleteOutboundVoiceProfile"]
VOICE += ["GetOutboundVoiceProfile", "DeleteCredentialConnection"]


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "conformance.cli", "run", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=180, check=False)


def test_a_broken_scenario_lands_in_every_report_as_a_server_failure(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """delete-in-use-accepted, in a run of the voice scenario's operations: summary.json names the
    scenario and step, files the failure under the delete as `server`, with a curl per step and
    no key; JUnit and the matrix carry it too."""
    report = tmp_path / "report"
    ids = [arg for i in VOICE for arg in ("--include-operation-id", i)]
    with embedded_server(shared_spec_path, KEY, faults=["delete-in-use-accepted"]) as url:
        args = ["--base-url", url, "--api-key", KEY, "--spec", str(shared_spec_path), *ids]
        result = run_cli(env, *args, "--max-examples", "1", "--seed", "1", "--report-dir", str(report))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "scenarios 0 of 1 passed (broken: voice-profile-in-use at step 3)" in result.stdout.splitlines()[-1]
    summary = orjson.loads((report / "summary.json").read_bytes())
    (scenario,) = summary["scenarios"]
    assert (scenario["name"], scenario["status"], scenario["step"]) == ("voice-profile-in-use", "failed", 3)
    (delete,) = [op for op in summary["operations"] if op["operation_id"] == "DeleteOutboundVoiceProfile"]
    (failure,) = [f for f in delete["failures"] if f["check"] == "telnyx_scenario_step"]
    assert failure["classification"] == "server" and delete["status"] == "failed"
    assert "scenario 'voice-profile-in-use', step 3" in failure["message"]
    assert failure["curl"].count("curl -X ") == 3
    for name in ("summary.json", "junit.xml", "matrix.html", "matrix.md"):
        text = (report / name).read_text(encoding="utf-8")
        assert KEY not in text, name
        assert "voice-profile-in-use" in text, name
    import xml.etree.ElementTree as ET

    suite = ET.parse(report / "junit.xml").getroot().find("testsuite[@name='scenarios']")
    assert suite is not None and suite.get("tests") == "1" and suite.get("failures") == "1"
    failed = suite.find("testcase[@name='voice-profile-in-use']/failure")
    assert failed is not None and failed.get("type") == "server" and (failed.text or "").count("curl -X ") == 3
    matrix = (report / "matrix.md").read_text(encoding="utf-8")
    assert "| `voice-profile-in-use` | failed at step 3 of 6: scenario 'voice-profile-in-use', step 3" in matrix


def test_no_scenarios_and_a_bad_scenarios_dir(shared_spec_path: Path, env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "mine"
    bad.mkdir()
    (bad / "typo.yaml").write_text("name: typo\nsteps:\n  - request: GET /nowhere\n", encoding="utf-8")
    args = ["--api-key", KEY, "--spec", str(shared_spec_path), "--report-dir", str(tmp_path / "r")]
    refused = run_cli(env, *args, "--scenarios", str(bad))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    wanted = f"{bad / 'typo.yaml'}: steps[1]: request 'GET /nowhere': no such operation in the spec"
    assert refused.stderr.strip().splitlines() == [f"telnyx-conformance: error: {wanted}"]
    ids = [arg for i in VOICE for arg in ("--include-operation-id", i)]
    quiet = run_cli(env, *args, *ids, "--max-examples", "1", "--seed", "1", "--no-scenarios", "--quiet")
    summary = orjson.loads((tmp_path / "r" / "summary.json").read_bytes())
    assert "scenarios" not in summary and "scenarios" not in summary["totals"]["requests_by_phase"], quiet.stderr


def test_a_users_scenario_runs_beside_no_builtin_one(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """--scenarios DIR with --no-scenarios: the user's file runs (its operations selected), alone."""
    mine = tmp_path / "mine"
    mine.mkdir()
    flow = {
        "name": "voice-fetch",
        "steps": [
            {"request": "POST /outbound_voice_profiles", "body": {"name": "mine"}, "extract": {"p": "/data"}},
            {"request": "GET /outbound_voice_profiles/{id}", "path": {"id": "${p.id}"}, "expect": {"status": 200}},
        ],
        "cleanup": [{"request": "DELETE /outbound_voice_profiles/{id}", "path": {"id": "${p.id}"}}],
    }
    (mine / "voice.json").write_bytes(orjson.dumps(flow))
    ids = [arg for i in VOICE for arg in ("--include-operation-id", i)]
    args = ["--api-key", KEY, "--spec", str(shared_spec_path), "--report-dir", str(tmp_path / "r"), *ids]
    done = run_cli(env, *args, "--max-examples", "1", "--seed", "1", "--no-scenarios", "--scenarios", str(mine))
    summary = orjson.loads((tmp_path / "r" / "summary.json").read_bytes())
    assert summary["scenarios"] == [
        {"name": "voice-fetch", "status": "passed", "steps": 2, "file": str(mine / "voice.json")}
    ], done.stdout
    assert summary["totals"]["requests_by_phase"]["scenarios"] == 3  # two steps and the cleanup
    assert ", scenarios 1 of 1 passed" in done.stdout.splitlines()[-1]
