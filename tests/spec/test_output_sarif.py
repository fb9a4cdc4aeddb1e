"""SARIF output that code scanning accepts: valid against the SARIF 2.1.0 schema, and clean
under Microsoft's SARIF Multitool `validate` (fetched from npm into the user cache)."""

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import jsonschema_rs
import platformdirs
import pytest

from conformance.cli import main

MULTITOOL = "@microsoft/sarif-multitool-linux@5.7.0"
SPEC = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200": {description: ok}
"""


@pytest.fixture(scope="module")
def multitool() -> Path:
    """The unpacked npm package (the schema file and the validator binary)."""
    folder = Path(platformdirs.user_cache_dir("telnyx-conformance")) / "tools" / "sarif-multitool-5.7.0"
    package = folder / "package"
    if not (package / "sarif-2.1.0.json").is_file():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: cannot fetch the SARIF schema and validator")
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["npm", "pack", MULTITOOL, "--silent"], cwd=folder, capture_output=True, text=True, timeout=600
        )
        if done.returncode != 0:
            pytest.skip(f"npm could not fetch {MULTITOOL}: {done.stderr.strip().splitlines()[-1:]}")
        with tarfile.open(folder / done.stdout.strip().splitlines()[-1]) as archive:
            archive.extractall(folder, filter="data")
    (package / "Sarif.Multitool").chmod(0o755)
    return package


@pytest.fixture
def sarif_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    spec = tmp_path / "spec.yml"
    spec.write_text(SPEC)
    out = tmp_path / "audit.sarif"
    monkeypatch.chdir(tmp_path)
    main(["audit", "--allow-unpinned", "--spec", str(spec), "--format", "sarif", "--output", str(out)])
    return out


def test_sarif_is_valid_against_the_schema(sarif_file: Path, multitool: Path) -> None:
    schema = json.loads((multitool / "sarif-2.1.0.json").read_text(encoding="utf-8-sig"))
    document = json.loads(sarif_file.read_text())
    errors = [e.message for e in jsonschema_rs.validator_for(schema).iter_errors(document)]
    assert errors == []
    run = document["runs"][0]
    assert run["results"], "the fixture must produce findings"
    result = run["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "spec.yml"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_passes_the_sarif_multitool(sarif_file: Path, multitool: Path, tmp_path: Path) -> None:
    log = tmp_path / "validation.sarif"
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}
    done = subprocess.run(
        [
            str(multitool / "Sarif.Multitool"),
            "validate",
            str(sarif_file),
            "-j",
            str(multitool / "sarif-2.1.0.json"),
            "-o",
            str(log),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    problems = [
        (r.get("ruleId"), r.get("level", "warning"), r["message"].get("text") or r["message"].get("arguments"))
        for r in json.loads(log.read_text())["runs"][0].get("results", [])
    ]
    assert [p for p in problems if p[1] == "error"] == []
    assert problems == [], problems  # no warnings either
