"""The labelled triage corpus: cases as data (tests/conformance/triage/cases/*.json, in the
style of JSON-Schema-Test-Suite), this runner separate.

Each file holds a spec (inline, or "pinned": the Telnyx spec this suite is pinned to, with its
real audit), the audit findings present (for inline specs), and cases: an operation, what the
run observed (check, status, the failing keyword's place, the value and its path in the body,
what the request sent, the message) and the expected class with a phrase of its reason.
Precision and recall of `spec` over the whole corpus must both be 100%; docs/triage.md quotes
the figures, and a test keeps them current.
"""

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conformance.triage import SPEC, Observed, Triage, triage_for
from spec.index import build_index

CASES = Path(__file__).with_name("cases")
DOC = Path(__file__).resolve().parents[3] / "docs" / "triage.md"


def files() -> list[Path]:
    return sorted(CASES.glob("*.json"))


def cases() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    found = []
    for path in files():
        group = json.loads(path.read_text(encoding="utf-8"))
        for case in group["tests"]:
            found.append((f"{path.stem}: {case['description']}", group, case))
    return found


@cache
def _pinned() -> Triage:
    from spec.load import load_spec

    loaded = load_spec(None)
    return triage_for(loaded.index(), loaded)


def triage_of(group: dict[str, Any]) -> Triage:
    if group["spec"] == "pinned":
        return _pinned()
    index = build_index(group["spec"])
    return Triage.from_findings(index, [tuple(pair) for pair in group.get("findings", [])])


def verdict_of(group: dict[str, Any], case: dict[str, Any]) -> Any:
    triage = triage_of(group)
    method, path = case["operation"].split(" ", 1)
    operation = next(op for op in triage.index.operations if op.method == method.lower() and op.path == path)
    seen = dict(case["observed"])
    if "instance_path" in seen:
        seen["instance_path"] = tuple(seen["instance_path"])
    if "sent" in seen:
        body = seen["sent"]
        seen["sent"] = (body.get("body"), body.get("query"), body.get("path_parameters", {}))
    return triage.judge(operation, Observed(**seen))


@pytest.mark.parametrize(("name", "group", "case"), cases(), ids=[c[0] for c in cases()])
def test_case(name: str, group: dict[str, Any], case: dict[str, Any], shared_spec_path: Path) -> None:
    verdict = verdict_of(group, case)
    expected = case["expected"]
    assert verdict.classification == expected["classification"], verdict.reason
    assert expected["reason"] in verdict.reason, verdict.reason


def scores() -> tuple[int, float, float]:
    """(cases, precision, recall) of the `spec` class over the corpus."""
    true_positive = false_positive = false_negative = 0
    for _, group, case in cases():
        said = verdict_of(group, case).classification == SPEC
        truth = case["expected"]["classification"] == SPEC
        true_positive += said and truth
        false_positive += said and not truth
        false_negative += truth and not said
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else 1.0
    recall = true_positive / (true_positive + false_negative) if true_positive + false_negative else 1.0
    return len(cases()), precision, recall


def test_precision_and_recall_of_spec_are_whole_and_documented(shared_spec_path: Path) -> None:
    size, precision, recall = scores()
    assert size >= 60
    assert (precision, recall) == (1.0, 1.0)
    text = DOC.read_text(encoding="utf-8")
    quoted = re.search(r"corpus of (\d+) cases.*?precision (\d+)%.*?recall (\d+)%", text, re.S)
    assert quoted is not None and quoted.groups() == (str(size), "100", "100"), "update docs/triage.md"


def test_every_evidence_rule_has_a_spec_case_and_every_file_a_server_case(shared_spec_path: Path) -> None:
    from conformance.triage.evidence import RULES

    reasons = [verdict_of(g, c).reason for _, g, c in cases() if c["expected"]["classification"] == SPEC]
    phrases = {
        "spec_example_echoed": "own example",
        "finding_at_keyword": "finding is at",
        "discriminator_contradicts_members": "discriminator at",
        "undocumented_standard_error": "documents no",
        "spec_example_sent": "request carried",
        "duplicated_parameter_sent": "declares twice",
        "text_fields_typed": "wire cannot carry",
        "own_auth_header": "auth-like header",
        "documented_other_error_body": "another error body",
        "media_type_finding": "media-type-valid",
    }
    assert set(phrases) == {rule.__name__ for rule in RULES}
    assert [name for name, phrase in phrases.items() if not any(phrase in r for r in reasons)] == []
    for path in files():
        group = json.loads(path.read_text(encoding="utf-8"))
        assert any(c["expected"]["classification"] != SPEC for c in group["tests"]), path.name
