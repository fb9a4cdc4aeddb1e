"""The pagination and lifecycle faults of the catalogue, each caught by the check it names,
in a real `telnyx-conformance run` against a faulty embedded server (as tests/conformance/
test_run.py does for the other faults), and the same runs passing against a clean server.

Runs are limited to the operations a fault touches and one example per phase, so each stays
a few seconds. The cursor fault runs on a small inline spec: no Telnyx list can be walked by
cursor end to end (see tests/conformance/server/faults/test_faults.py, CURSOR_SPEC).
"""

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from conformance.run.embedded import embedded_server

KEY = "sentinel-key-pagination-5a1e"
SMALL = ["--max-examples", "1", "--seed", "1", "--max-pages", "5"]
ADDRESSES = ["FindAddresses"]
LIFECYCLE = ["CreateAddress", "FindAddresses", "GetAddress"]
# Addresses declare no update: the update step runs on billing groups (PATCH /billing_groups/{id}).
UPDATE = ["CreateBillingGroup", "ListBillingGroups", "GetBillingGroup", "UpdateBillingGroup"]
# Outbound voice profiles refer to a billing group (`billing_group_id`): the reference step.
PROFILES = ["CreateVoiceProfile", "ListOutboundVoiceProfiles", "GetOutboundVoiceProfile", "DeleteOutboundVoiceProfile"]


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "conformance.cli", "run", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def summary(report: Path) -> dict[str, Any]:
    return orjson.loads((report / "summary.json").read_bytes())


def failures(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """check -> the failures of that check, each with the operation it was filed under."""
    found: dict[str, list[dict[str, Any]]] = {}
    for op in data["operations"]:
        for failure in op["failures"]:
            found.setdefault(failure["check"], []).append({**failure, "operation": f"{op['method']} {op['path']}"})
    return found


def ids_args(ids: list[str]) -> list[str]:
    return [arg for i in ids for arg in ("--include-operation-id", i)]


# (faults served together, operations run, {check the catalogue names: operation it is filed under}).
# Faults share a run where they cannot hide each other (a wrong total does not change a filter).
# Apart: a wrong page number (the page past the end is only asked when the walk found nothing
# wrong) and a created resource that cannot be retrieved (its fields are then never compared).
GROUPS = [
    (["page-size-ignored:FindAddresses"], ADDRESSES, {"telnyx_page_size": "GET /addresses"}),
    (
        ["wrong-totals:FindAddresses", "filter-ignored:FindAddresses", "sort-ignored:FindAddresses"],
        ADDRESSES,
        {
            "telnyx_page_totals": "GET /addresses",
            "telnyx_filter_applied": "GET /addresses",
            "telnyx_sort_applied": "GET /addresses",
        },
    ),
    (["duplicates-across-pages:FindAddresses"], ADDRESSES, {"telnyx_page_duplicates": "GET /addresses"}),
    (["page-number-zero-based:FindAddresses"], ADDRESSES, {"telnyx_page_number": "GET /addresses"}),
    (
        ["past-end-not-empty:FindAddresses", "page-size-bounds-unchecked:FindAddresses"],
        ADDRESSES,
        {"telnyx_page_past_end": "GET /addresses", "telnyx_page_size_bounds": "GET /addresses"},
    ),
    (
        ["deleted-resource-retrievable:DeleteAddress", "created-missing-from-list:FindAddresses"],
        LIFECYCLE,
        {"use_after_free": "GET /addresses/{id}", "telnyx_created_resource_listed": "GET /addresses"},
    ),
    (["created-not-retrievable:GetAddress"], LIFECYCLE, {"telnyx_created_resource_retrievable": "GET /addresses/{id}"}),
    (
        [
            "created-fields-not-stored:CreateAddress",
            "deleted-resource-server-error:GetAddress",
            "deleted-resource-still-listed:FindAddresses",
        ],
        LIFECYCLE,
        {
            "telnyx_created_resource_echo": "GET /addresses/{id}",
            "telnyx_deleted_resource_404": "GET /addresses/{id}",
            "telnyx_deleted_resource_unlisted": "GET /addresses",
        },
    ),
    (["update-ignored:UpdateBillingGroup"], UPDATE, {"telnyx_update_reflected": "PATCH /billing_groups/{id}"}),
    (
        ["unresolvable-reference-id:CreateVoiceProfile"],
        PROFILES,
        {"telnyx_reference_resolves": "GET /outbound_voice_profiles/{id}"},
    ),
]


def test_groups_agree_with_the_catalogue() -> None:
    """Every pagination and lifecycle fault is proven here, under the check its entry names."""
    from conformance.server.faults import BY_NAME

    proven = {}
    for faults, _, checks in GROUPS:
        for fault in faults:
            name = fault.split(":")[0]
            assert BY_NAME[name].caught_by in checks, fault
            proven[name] = BY_NAME[name].caught_by
    proven["cursor-loop"] = "telnyx_cursor_progress"  # test_cursor_loop_is_caught_by_telnyx_cursor_progress
    assert BY_NAME["cursor-loop"].caught_by == proven["cursor-loop"]
    assert len(proven) == 17


@pytest.mark.parametrize(
    ("faults", "ids", "checks"), GROUPS, ids=["+".join(f.split(":")[0] for f in g[0]) for g in GROUPS]
)
def test_fault_is_caught_by_its_check(
    faults: list[str],
    ids: list[str],
    checks: dict[str, str],
    shared_spec_path: Path,
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    report = tmp_path / "report"
    with embedded_server(shared_spec_path, KEY, faults=faults) as url:
        args = ["--base-url", url, "--api-key", KEY, "--spec", str(shared_spec_path), *ids_args(ids)]
        result = run_cli(env, *args, *SMALL, "--report-dir", str(report))
    assert result.returncode == 1, result.stdout + result.stderr
    data = summary(report)
    statuses = {f"{op['method']} {op['path']}": op["status"] for op in data["operations"]}
    for check, operation in checks.items():
        caught = [f for f in failures(data).get(check, []) if f["operation"] == operation]
        assert caught, (check, failures(data))
        assert caught[0]["classification"] == "server"
        assert caught[0]["curl"].startswith("curl -X GET ") and KEY not in caught[0]["curl"]
        assert statuses[operation] == "failed"
    assert data["totals"]["requests_by_phase"]["pagination"] > 0


def test_clean_server_passes_pagination_and_lifecycle(
    shared_spec_path: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """The same operations (the list, the lifecycles of /addresses, for the update step
    /billing_groups, and for the reference step /outbound_voice_profiles) against a clean server."""
    report = tmp_path / "report"
    ids = [*LIFECYCLE, "DeleteAddress", *UPDATE, *PROFILES]
    args = ["--api-key", KEY, "--spec", str(shared_spec_path), *ids_args(ids)]
    result = run_cli(env, *args, *SMALL, "--report-dir", str(report))
    data = summary(report)
    ours = {check for check in failures(data) if check.startswith("telnyx_") or check == "use_after_free"}
    assert not ours & {check for group in GROUPS for check in group[2]}, failures(data)
    phases = data["totals"]["requests_by_phase"]
    assert phases["pagination"] > 10 and phases["lifecycle"] >= 6, phases
    assert "passed" in result.stdout or result.returncode in (0, 1)
    assert {op["status"] for op in data["operations"] if op["operation_id"] == "FindAddresses"} == {"passed"}
    assert phases["lifecycle"] >= 14, phases  # both lifecycles ran, the update step included


# --- cursors, on an inline spec -------------------------------------------------------------------


def cursor_spec(path: Path) -> Path:
    from tests.conformance.server.faults.test_faults import CURSOR_SPEC

    path.write_bytes(orjson.dumps(CURSOR_SPEC))
    return path


@pytest.mark.parametrize("faulty", [False, True], ids=["clean", "cursor-loop"])
def test_cursor_loop_is_caught_by_telnyx_cursor_progress(faulty: bool, env: dict[str, str], tmp_path: Path) -> None:
    spec = cursor_spec(tmp_path / "calls.json")
    report = tmp_path / "report"
    with embedded_server(spec, KEY, allow_unpinned=True, faults=["cursor-loop"] if faulty else []) as url:
        args = ["--base-url", url, "--api-key", KEY, "--spec", str(spec), "--allow-unpinned"]
        result = run_cli(env, *args, *SMALL, "--report-dir", str(report))
    data = summary(report)
    caught = failures(data).get("telnyx_cursor_progress", [])
    if faulty:
        assert result.returncode == 1, result.stdout + result.stderr
        assert caught and caught[0]["operation"] == "GET /calls" and caught[0]["classification"] == "server"
        assert "page%5Bafter%5D=" in caught[0]["curl"]  # the request that followed the looping cursor
    else:
        assert not caught, failures(data)
        assert data["totals"]["requests_by_phase"]["pagination"] >= 5  # the walk went several pages deep
