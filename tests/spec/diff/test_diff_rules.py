"""Every diff rule has a fixture pair that triggers it, reported with both locations.

`fixtures/<rule-id>/old.yaml` and `new.yaml` are two versions of a small API differing by the
change the rule names; the diff of the pair must report the rule, each report's pointers must
name a place that exists in its own file (with its line), and each file diffed with itself
must give no change at all.
"""

from pathlib import Path

import pytest

from spec.diff import diff_models
from spec.diff.rules import all_rules
from spec.model import load_model
from spec.pointer import get

FIXTURES = Path(__file__).parent / "fixtures"
RULES = {r.id: r for r in all_rules()}
_MISSING = object()


def _pair(rule_id: str):
    folder = FIXTURES / rule_id
    assert (folder / "old.yaml").is_file() and (folder / "new.yaml").is_file(), f"{rule_id}: no fixture pair"
    return load_model(folder / "old.yaml", use_cache=False), load_model(folder / "new.yaml", use_cache=False)


@pytest.mark.parametrize("rule_id", sorted(RULES))
@pytest.mark.parametrize("fast", [True, False], ids=["shortcut", "full-walk"])
def test_the_fixture_pair_triggers_the_rule_with_both_locations(rule_id: str, fast: bool) -> None:
    old, new = _pair(rule_id)
    found = [c for c in diff_models(old, new, fast=fast).changes if c.rule == rule_id]
    assert found, f"{rule_id}: its fixture pair does not trigger it"
    for change in found:
        assert change.level == RULES[rule_id].level and change.message and change.operation
        assert get(old.document.data, change.old.pointer, _MISSING) is not _MISSING, change
        assert get(new.document.data, change.new.pointer, _MISSING) is not _MISSING, change
        assert change.old.line >= 1 and change.new.line >= 1
        assert (change.old.line, change.old.column) == old.locate_all([change.old.pointer])[change.old.pointer]
        assert (change.new.line, change.new.column) == new.locate_all([change.new.pointer])[change.new.pointer]


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_identical_specs_give_no_change(rule_id: str) -> None:
    for name in ("old.yaml", "new.yaml"):
        first = load_model(FIXTURES / rule_id / name, use_cache=False)
        again = load_model(FIXTURES / rule_id / name, use_cache=False)
        assert diff_models(first, again, fast=False).changes == []


def test_rule_metadata_is_complete() -> None:
    for rule in RULES.values():
        assert rule.id == rule.id.strip().lower() and " " not in rule.id
        assert rule.description.endswith("."), rule.id
        assert rule.rationale and rule.rationale != rule.description, f"{rule.id}: give a rationale docstring"


def test_every_fixture_belongs_to_a_rule() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.name not in RULES) == []


def test_the_main_breaking_checks_are_covered() -> None:
    """oasdiff's main breaking checks, each with a rule of ours at the level we give it."""
    wanted = {
        "operation-removed": "breaking",
        "path-parameter-renamed": "warning",  # the wire request is unchanged: see its rationale
        "parameter-removed": "breaking",
        "parameter-added-required": "breaking",
        "parameter-became-required": "breaking",
        "parameter-type-changed": "breaking",
        "parameter-format-changed": "breaking",
        "parameter-enum-narrowed": "breaking",
        "parameter-bounds-tightened": "breaking",
        "parameter-location-changed": "breaking",
        "request-body-added-required": "breaking",
        "request-property-became-required": "breaking",
        "request-property-type-changed": "breaking",
        "request-property-enum-narrowed": "breaking",
        "request-additional-properties-closed": "breaking",
        "response-status-removed": "breaking",
        "response-property-removed": "breaking",
        "response-property-type-changed": "breaking",
        "response-property-became-nullable": "breaking",
        "response-enum-widened": "warning",
        "request-media-type-removed": "breaking",
        "response-media-type-removed": "breaking",
        "security-requirement-added": "breaking",
        "security-scopes-added": "breaking",
        "operation-added": "info",
        "parameter-added-optional": "info",
        "response-property-added": "info",
    }
    assert {rule: RULES[rule].level.label for rule in wanted if rule in RULES} == wanted


def test_docs_list_every_rule() -> None:
    """docs/diff.md's rule table names every rule with its level (regenerate it from --list-rules)."""
    page = (Path(__file__).resolve().parents[3] / "docs" / "diff.md").read_text(encoding="utf-8")
    missing = [r.id for r in RULES.values() if f"| `{r.id}` | {r.level.label} | {r.side} |" not in page]
    assert missing == []
