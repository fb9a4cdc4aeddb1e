"""deploy/github/conformance.yml and deploy/gitlab/.gitlab-ci.yml: they parse, they hold under
the engines' JSON Schemas (check-jsonschema's vendored copies: no network), every command they
run is one the CLI accepts, and job K of N runs shard K of N."""

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.cli import build_parser
from conformance.run.shards import Shard, resolve
from tests.deploy.conftest import DEPLOY, GITLAB, KUBERNETES, WORKFLOW, invocations, load


def check_jsonschema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    tool = Path(sys.executable).with_name("check-jsonschema")
    if not tool.is_file():
        pytest.skip("check-jsonschema is not installed (pip install -e '.[dev]' brings it)")
    return subprocess.run(
        [str(tool), "--builtin-schema", schema, str(path)], capture_output=True, text=True, timeout=120, check=False
    )


def test_every_yaml_file_of_the_recipes_parses() -> None:
    files = sorted(p for p in DEPLOY.rglob("*") if p.suffix in (".yml", ".yaml"))
    assert set(files) == {WORKFLOW, GITLAB, *KUBERNETES} and len(KUBERNETES) == 3
    for path in files:
        documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
        assert documents and all(isinstance(d, dict) for d in documents), path


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ("vendor.github-workflows", WORKFLOW),
        ("custom.github-workflows-require-timeout", WORKFLOW),  # every job has timeout-minutes
        ("vendor.gitlab-ci", GITLAB),
    ],
)
def test_the_recipes_hold_under_the_engines_schemas(schema: str, path: Path) -> None:
    done = check_jsonschema(schema, path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = load(WORKFLOW)
    del broken["jobs"]["merge"]["runs-on"]
    broken["jobs"]["shard"]["strategy"]["fail-fast"] = "sometimes"
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken), encoding="utf-8")
    assert check_jsonschema("vendor.github-workflows", path).returncode == 1


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job["steps"]


def test_the_workflow_is_a_matrix_of_shards_and_a_merge_that_publishes() -> None:
    workflow = load(WORKFLOW)
    jobs = workflow["jobs"]
    shards = jobs["shard"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, len(shards) + 1)) and jobs["shard"]["strategy"]["fail-fast"] is False
    uploads = [s for s in _steps(jobs["shard"]) if str(s.get("uses", "")).startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["if"] == "always()" and "matrix.shard" in uploads[0]["with"]["name"]
    merge = jobs["merge"]
    assert merge["needs"] == "shard" and merge["if"] == "always()"
    runs = "\n".join(str(s.get("run", "")) for s in _steps(merge))
    assert 'cat reports/matrix.md >> "$GITHUB_STEP_SUMMARY"' in runs
    junit = [s for s in _steps(merge) if "junit" in str(s.get("uses", ""))]
    assert junit and junit[0]["with"]["report_paths"] == "reports/junit.xml"
    downloads = [s for s in _steps(merge) if str(s.get("uses", "")).startswith("actions/download-artifact")]
    assert downloads[0]["with"]["pattern"] == "conformance-shard-*"


def _commands(values: dict[str, str]) -> dict[str, list[list[str]]]:
    """The recipes' commands, with the variables the engines would set (the seed's among them)."""
    values = {"SEED": "7", "CI_PIPELINE_IID": "7", "RUN": "r", **values}
    workflow, gitlab = load(WORKFLOW), load(GITLAB)
    found = {
        "github": [
            argv
            for job in workflow["jobs"].values()
            for step in job["steps"]
            for argv in invocations(str(step.get("run", "")), values)
        ],
        "gitlab": [
            argv
            for job in gitlab.values()
            if isinstance(job, dict)
            for argv in invocations("\n".join(job.get("script", [])), values)
        ],
        "kubernetes": [],
    }
    for path in KUBERNETES:
        manifest = load(path)
        if manifest["kind"] == "Job":
            for container in manifest["spec"]["template"]["spec"]["containers"]:
                found["kubernetes"] += invocations("\n".join(container.get("args", [])), values)
    return found


def test_every_command_of_the_recipes_is_one_the_cli_accepts() -> None:
    values = {"matrix.shard": "2", "strategy.job-total": "4", "CI_NODE_INDEX": "2", "JOB_COMPLETION_INDEX": "1"}
    found = _commands(values)
    parser = build_parser()
    for engine, commands in found.items():
        assert sorted({argv[0] for argv in commands}) == ["merge", "run"], engine
        for argv in commands:
            parser.parse_args(argv)  # exits 2 on an option or a value the CLI does not take
            if argv[0] == "run":
                assert "--seed" in argv, f"{engine}: every shard needs the run's one seed"


def _shard_of(argv: list[str], environ: dict[str, str]) -> Shard | None:
    args = build_parser().parse_args(argv)
    return resolve(args.shard, environ)


def test_job_k_of_n_runs_shard_k_of_n_on_every_engine() -> None:
    total = len(load(WORKFLOW)["jobs"]["shard"]["strategy"]["matrix"]["shard"])
    for k in range(1, total + 1):
        (run,) = [
            a for a in _commands({"matrix.shard": str(k), "strategy.job-total": str(total)})["github"] if a[0] == "run"
        ]
        assert _shard_of(run, {}) == Shard(k, total)
    gitlab_total = load(GITLAB)["conformance"]["parallel"]
    (run,) = [a for a in _commands({})["gitlab"] if a[0] == "run"]
    assert "--shard" not in run  # GitLab's own variables select it
    for k in range(1, gitlab_total + 1):
        assert _shard_of(run, {"CI_NODE_INDEX": str(k), "CI_NODE_TOTAL": str(gitlab_total)}) == Shard(k, gitlab_total)
