"""Every rule has a fixture proving it fires where it should and nowhere else.

A fixture is `fixtures/<rule-id>.yaml` holding `cases`, each an OpenAPI document (`spec`) and
the exact set of JSON pointers (`expect`) where the rule must report. At least one case of
each rule must expect a finding, and the documents should also carry near-misses the rule
must leave alone.
"""

from pathlib import Path

import pytest
import yaml

from spec.index import build_index
from spec.rules import all_rules

FIXTURES = Path(__file__).parent / "fixtures"
RULES = {r.id: r for r in all_rules()}


def load_cases(rule_id: str) -> list[dict]:
    path = FIXTURES / f"{rule_id}.yaml"
    assert path.is_file(), f"rule {rule_id} has no fixture at {path}"
    document = yaml.safe_load(path.read_text())
    cases = document["cases"]
    assert cases and all("spec" in c and "expect" in c for c in cases), f"{path}: malformed"
    return cases


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_fires_exactly_where_expected(rule_id: str) -> None:
    rule = RULES[rule_id]
    cases = load_cases(rule_id)
    assert any(case["expect"] for case in cases), f"{rule_id}: no case proves the rule fires"
    for number, case in enumerate(cases):
        index = build_index(case["spec"])
        found = sorted({pointer for pointer, _ in rule.check(index)}) if rule.applies_to(index) else []
        assert found == sorted(set(case["expect"])), f"{rule_id} case {number}"


def test_rule_metadata_is_complete() -> None:
    for rule in RULES.values():
        assert rule.id == rule.id.strip().lower() and " " not in rule.id
        assert rule.description and rule.description.endswith(".")
        assert rule.rationale and rule.rationale != rule.description, f"{rule.id}: give a rationale docstring"
        for equivalent in rule.equivalents:
            assert equivalent.split(":", 1)[0] in ("spectral", "redocly"), equivalent


def test_every_fixture_belongs_to_a_rule() -> None:
    orphans = sorted(p.stem for p in FIXTURES.glob("*.yaml") if p.stem not in RULES)
    assert not orphans
