"""Run control end to end: `--last-failed` reruns what failed with the same seed, Ctrl-C
keeps what was gathered (exit 130), `--rate-limit` is validated. Real processes against the
embedded reference server, each bounded to a few operations and seconds."""

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.run.embedded import embedded_server
from tests.conformance.run.test_run import SENTINEL, SMALL, run_cli, summary

ONE_FAILS = ["--include-operation-id", "FindAddresses", "--include-operation-id", "GetUserBalance"]


def test_last_failed_reruns_only_the_failures_with_their_seed(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "report"
    with embedded_server(shared_spec_path, SENTINEL, faults=["undocumented-status:FindAddresses"]) as url:
        base = ["--base-url", url, "--api-key", SENTINEL, "--spec", str(shared_spec_path), "--report-dir", str(report)]
        first = run_cli(env, *base, *ONE_FAILS, *SMALL)
        assert first.returncode == 1, first.stdout + first.stderr
        statuses = {op["operation_id"]: op["status"] for op in summary(report)["operations"]}
        assert statuses == {"FindAddresses": "failed", "GetUserBalance": "passed"}
        again = run_cli(env, *base, "--last-failed", "--max-examples", "3")
    assert again.returncode == 1, again.stdout + again.stderr
    rerun = summary(report)
    assert [op["operation_id"] for op in rerun["operations"]] == ["FindAddresses"]
    assert rerun["seed"] == 1 and "seed: 1" in again.stdout


def test_last_failed_after_a_clean_run_has_nothing_to_do(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    report = tmp_path / "report"
    args = ["--spec", str(shared_spec_path), "--report-dir", str(report)]
    assert run_cli(env, *args, "--include-operation-id", "GetUserBalance", *SMALL).returncode == 0
    result = run_cli(env, *args, "--last-failed")
    assert result.returncode == 0 and "nothing to rerun" in result.stdout


def test_last_failed_without_a_previous_run_is_a_usage_error(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli(env, "--spec", str(shared_spec_path), "--report-dir", str(tmp_path / "none"), "--last-failed")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no previous run" in result.stderr


@pytest.mark.parametrize("rate", ["10", "x/s", "0/s", "5/w"])
def test_a_malformed_rate_limit_is_a_usage_error(rate: str, env: dict[str, str]) -> None:
    result = run_cli(env, "--rate-limit", rate)
    assert result.returncode == 2 and "--rate-limit" in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_keeps_what_was_gathered(shared_spec_path: Path, env: dict[str, str], tmp_path: Path) -> None:
    report = tmp_path / "report"
    command = [sys.executable, "-m", "conformance.cli", "run", "--spec", str(shared_spec_path)]
    command += ["--include-tag", "Addresses", "--include-tag", "Billing", "--max-examples", "100", "--seed", "1"]
    command += ["--report-dir", str(report)]
    # A job started in the background by a non-interactive shell (`cmd &`) inherits SIGINT ignored,
    # and Python then leaves it ignored. A handler (not SIG_IGN) in this process becomes SIG_DFL in
    # the child at exec, so the run gets KeyboardInterrupt as from a terminal.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        while line and not line.startswith("seed:"):
            line = process.stdout.readline()
        assert line.startswith("seed:"), "the run never started"
        outcome = process.stdout.read(1)  # pytest's first result character: one operation done
        while outcome and outcome not in ".FEs":
            outcome = process.stdout.read(1)
        assert outcome, "no operation finished"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, stdout + stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    data = summary(report)
    assert data["interrupted"] is True and data["totals"]["requests"] > 0
    statuses = [op["status"] for op in data["operations"]]
    assert any(status != "skipped" for status in statuses), statuses
    not_run = [op for op in data["operations"] if op.get("reason") == "not run: the run was interrupted"]
    assert not_run and all(op["status"] == "skipped" for op in not_run)


def test_compare_with_the_runs_own_report_dir(shared_spec_path: Path, env: dict[str, str], tmp_path: Path) -> None:
    """The previous summary is replaced by the run: it is compared with a copy taken first."""
    report = tmp_path / "report"
    args = ["--spec", str(shared_spec_path), "--include-operation-id", "GetUserBalance", *SMALL]
    assert run_cli(env, *args, "--report-dir", str(report)).returncode == 0
    again = run_cli(env, *args, "--report-dir", str(report), "--compare", str(report))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "## Compared with" in (report / "matrix.md").read_text()
    assert summary(report)["totals"]["operations"] == 1


def test_the_session_runs_without_the_runners_copy_of_the_spec(
    shared_spec_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The session loads the spec and builds its own index; the runner's (loaded for the
    preflight) must not stay alive beside it (about 16 MiB on a small run, more on the whole
    spec: it was held by the webhooks context's frame even without --webhooks)."""
    import gc

    import conformance.run.runner as runner
    from conformance.run.options import RunOptions
    from spec.index import SpecIndex
    from spec.load import LoadedSpec

    def alive() -> list[object]:
        gc.collect()
        return [o for o in gc.get_objects() if isinstance(o, LoadedSpec | SpecIndex)]

    earlier = alive()  # other tests' (fixtures, caches in this process): held, so no id is reused
    seen: list[int] = []

    def session(*_: object) -> dict[str, object]:
        seen.append(sum(id(o) not in {id(e) for e in earlier} for o in alive()))
        raise KeyboardInterrupt  # no session: the count is all this test wants

    monkeypatch.setattr(runner, "run_pytest", session)
    monkeypatch.setenv("TELNYX_API_KEY", SENTINEL)
    options = RunOptions(spec=str(shared_spec_path), include_tags=["Billing"], seed=1, report_dir=str(tmp_path))
    with pytest.raises(KeyboardInterrupt):
        runner.run(options)
    assert seen == [0]
