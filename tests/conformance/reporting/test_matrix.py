"""The conformance matrix over the real spec: rows, coverage, the audit's findings with their
lines, the comparison with a previous run, and both renderings (self-contained HTML, Markdown)."""

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conformance.reporting.matrix import FIXED, NEW, STILL, build, compare, html, markdown
from conformance.reporting.results import OperationResult
from spec.audit import run_audit
from spec.load import load_spec


@pytest.fixture(scope="module")
def loaded(shared_spec_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    return load_spec(shared_spec_path)


def summary_of(ops: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "target": {"base_url": "http://127.0.0.1:1/v2"},
        "spec": {"sha256": "ab" * 32},
        "seed": 7,
        "operations": ops,
    }


def op(operation_id: str, method: str, path: str, status: str, *failures: tuple[str, str]) -> dict[str, Any]:
    return {
        "operation_id": operation_id,
        "method": method,
        "path": path,
        "status": status,
        "failures": [{"check": c, "classification": k, "message": f"{c} broke", "curl": None} for c, k in failures],
    }


@pytest.fixture(scope="module")
def matrix(loaded: Any) -> Any:
    index = loaded.index()
    summary = summary_of(
        [
            op("FindAddresses", "GET", "/addresses", "passed"),
            op("GetUserBalance", "GET", "/balance", "failed", ("response_schema_conformance", "server")),
            op("CreateAddress", "POST", "/addresses", "skipped"),
        ]
    )
    observed = {
        "GET /addresses": OperationResult(
            "FindAddresses",
            "GET",
            "/addresses",
            observed_statuses=Counter({200: 5, 400: 2, 418: 1}),
            properties_seen={"200 data", "200 data[].id", "200 meta", "200 not-documented"},
        ),
        "GET /balance": OperationResult("GetUserBalance", "GET", "/balance", observed_statuses=Counter({200: 3})),
    }
    pointers = [o.pointer for o in index.operations]
    lines = {p: pos[0] for p, pos in loaded.locator.locate_all(pointers).items()}
    return build(summary, observed, index, lines, run_audit(loaded, index=index).findings)


def test_rows_carry_documented_and_observed_codes_and_coverage(matrix: Any) -> None:
    rows = {r.operation_id: r for r in matrix.rows}
    find = rows["FindAddresses"]
    assert find.tag == "Addresses" and find.line > 0
    assert find.documented == ["200", "400", "401", "404"]
    assert find.observed == {200: 5, 400: 2, 418: 1}
    assert find.responses_observed == ["200", "400"]  # 418 matches no documented response
    assert find.properties_seen == 3  # "not-documented" is not a documented property
    assert find.properties_documented > find.properties_seen
    assert rows["CreateAddress"].observed == {} and rows["CreateAddress"].status == "skipped"
    cov = matrix.coverage()
    assert cov["operations"] == 3 and cov["exercised"] == 2
    assert cov["responses_observed"] == 3  # 200, 400 of FindAddresses; 200 of GetUserBalance


def test_audit_findings_are_attached_to_their_operation_with_lines(matrix: Any, loaded: Any) -> None:
    balance = next(r for r in matrix.rows if r.operation_id == "GetUserBalance")
    rules = {f["rule"] for f in balance.findings if f["where"] == "operation"}
    assert "telnyx-secured-401" in rules  # GET /balance documents no 401
    lines = loaded.path.read_text(encoding="utf-8").splitlines()
    for finding in balance.findings:
        assert finding["line"] >= balance.line or finding["where"] == "schema"
        assert lines[finding["line"] - 1].strip()  # a real line of the spec


def test_compare_marks_new_fixed_and_still_failing(matrix: Any) -> None:
    import copy

    previous = summary_of(
        [
            op("FindAddresses", "GET", "/addresses", "failed", ("status_code_conformance", "server")),
            op("GetUserBalance", "GET", "/balance", "failed", ("status_code_conformance", "server")),
        ]
    )
    compared = compare(copy.deepcopy(matrix), previous, "reports-before")
    changes = {kind: [r.operation_id for r in rows] for kind, rows in compared.changes().items()}
    assert changes == {NEW: [], FIXED: ["FindAddresses"], STILL: ["GetUserBalance"]}
    still = next(r for r in compared.rows if r.change == STILL)
    assert still.change_detail == "new: response_schema_conformance; gone: status_code_conformance"
    fresh = compare(copy.deepcopy(matrix), summary_of([]), "empty")
    assert [r.operation_id for r in fresh.changes()[NEW]] == ["GetUserBalance"]


def test_html_is_self_contained_sortable_and_filterable(matrix: Any) -> None:
    page = html.render(matrix)
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", page)
    assert "url(" not in page and "@import" not in page
    assert page.count('<tr data-verdict="') == 3
    assert 'id="filter"' in page and 'id="verdict"' in page and 'id="class"' in page
    assert "th[data-key]" in page and 'data-key="findings"' in page
    assert "response_schema_conformance" in page and 'class="cls c-server"' in page
    assert 'class="undoc"' in page  # the undocumented 418


def test_markdown_lists_failures_and_findings_per_operation(matrix: Any) -> None:
    text = markdown.render(matrix)
    assert "## Addresses" in text and "## Billing" in text
    assert "| operations exercised | 67% | 2 / 3 |" in text
    assert "`GetUserBalance` **response_schema_conformance** (server): response_schema_conformance broke" in text
    assert re.search(r"`GetUserBalance` audit, line \d+: `telnyx-secured-401` warning", text)


def test_the_page_opens_with_the_verdict_in_words(matrix: Any) -> None:
    page, md = html.render(matrix), markdown.render(matrix)
    first = "target does not conform: 1 server failures in 1 of 2 operations tested (response_schema_conformance 1)"
    assert matrix.headline == [first, "spec defects seen: 0", "setup problems: 0"]
    assert page.index(first) < page.index("<table") and f"**{first}**" in md
