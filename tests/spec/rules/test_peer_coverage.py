"""Every OAS 3.x rule Spectral (spectral:oas) or Redocly (recommended) turns on by default has
an equivalent in our catalogue, read from the peers' rule list in ../shared/anchors."""

import csv
from pathlib import Path

import pytest

from spec.rules import all_rules

ANCHORS = Path(__file__).resolve().parents[3].parent / "shared" / "anchors" / "lint-rules.tsv"


def default_on_peer_rules() -> set[str]:
    if not ANCHORS.is_file():
        pytest.skip(f"the peers' rule list is not at {ANCHORS}")
    rules = set()
    with ANCHORS.open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["on_by_default"] != "yes":
                continue
            tool = "spectral" if row["tool"].startswith("spectral") else "redocly"
            rules.add(f"{tool}:{row['rule']}")
    return rules


def test_every_default_on_peer_rule_has_an_equivalent() -> None:
    peers = default_on_peer_rules()
    covered = {equivalent for rule in all_rules() for equivalent in rule.equivalents}
    assert len(peers) > 70
    assert sorted(peers - covered) == []


def test_equivalents_name_real_peer_rules() -> None:
    peers = default_on_peer_rules()
    named = {equivalent for rule in all_rules() for equivalent in rule.equivalents}
    assert sorted(named - peers) == []
