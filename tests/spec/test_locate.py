"""The line scanner agrees with PyYAML's node marks, on the shared spec and on tricky YAML."""

from pathlib import Path

import pytest
import yaml

from spec.locate import build_locator
from spec.pointer import escape


def pyyaml_positions(text: str) -> dict[str, tuple[int, int]]:
    """Oracle: line of every mapping key and sequence item, from PyYAML's composer."""
    positions: dict[str, tuple[int, int]] = {}
    stack = [(yaml.compose(text, Loader=yaml.SafeLoader), "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{pointer}/{escape(key.value)}"
                positions[child] = (key.start_mark.line + 1, key.start_mark.column + 1)
                stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode) and not node.flow_style:
            for i, value in enumerate(node.value):
                child = f"{pointer}/{i}"
                # the item's dash sits two columns before a block item's content
                positions[child] = (value.start_mark.line + 1, value.start_mark.column - 1)
                stack.append((value, child))
    return positions


def test_every_node_of_the_shared_spec_is_where_pyyaml_says(shared_spec_path: Path) -> None:
    text = shared_spec_path.read_text()
    oracle = pyyaml_positions(text)
    ours = build_locator(text).positions
    mismatched = {p: (ours.get(p), oracle[p]) for p in oracle if ours.get(p) != oracle[p]}
    assert len(oracle) > 78_000
    assert not mismatched, list(mismatched.items())[:5]


TRICKY = """\
%YAML 1.2
---
# a comment
openapi: 3.1.0
"quoted key": 1
'single ''quoted''': 2
description: |
  not: a key
  - not an item
    deeper: still text
folded: >-
  text
plain multi: first line
  continued line
list:
- a
- key: v
  other: w
-
  nested: x
- - inner
  - inner2
anchor: &a
  k: v
empty:
after: 1
"""


def test_tricky_block_yaml_matches_pyyaml() -> None:
    oracle = pyyaml_positions(TRICKY)
    ours = build_locator(TRICKY).positions
    # A lone dash whose item starts on the next line: we point at the dash, PyYAML at the content.
    assert ours.pop("/list/2") == (19, 1) and oracle.pop("/list/2") == (20, 1)
    assert {p: ours.get(p) for p in oracle} == oracle


def test_flow_collections_resolve_to_their_parent_line() -> None:
    text = "a:\n  b: {c: 1, d: [1, 2]}\n  e: [x, y]\n"
    locator = build_locator(text)
    assert locator.locate("/a/b/d/1") == (2, 3)
    assert locator.locate("/a/e/0") == (3, 3)


def test_unknown_pointer_falls_back_to_nearest_ancestor() -> None:
    locator = build_locator("a:\n  b: 1\n")
    assert locator.locate("/a/b/zz/yy") == (2, 3)
    assert locator.locate("/nothing") == (1, 1)


@pytest.mark.parametrize("key", ["/paths/{id}", "application/json", "a~b", "x: y"])
def test_keys_are_escaped_like_json_pointers(key: str) -> None:
    text = f"root:\n  {yaml.safe_dump(key).strip().removesuffix('...').strip()}: 1\n"
    assert build_locator(text).locate(f"/root/{escape(key)}") == (2, 3)


def test_targeted_locating_agrees_with_the_full_scan(shared_spec_path: Path) -> None:
    from spec.locate import LazyLocator

    text = shared_spec_path.read_text()
    full = build_locator(text)
    pointers = [*sorted(full.positions)[::97], "/paths/~1addresses/get/parameters/0/schema/nowhere", "/nope"]
    assert LazyLocator(text).locate_all(pointers) == full.locate_all(pointers)


@pytest.mark.parametrize("step", [1, 2, 3, 5])
def test_targeted_locating_on_tricky_yaml(step: int) -> None:
    from spec.locate import LazyLocator

    full = build_locator(TRICKY)
    pointers = [*sorted(full.positions)[::step], "/list/3/1", "/description/not"]
    assert LazyLocator(TRICKY).locate_all(pointers) == full.locate_all(pointers)


def test_targeted_locating_skips_a_pruned_keys_indentless_sequence() -> None:
    from spec.locate import LazyLocator

    text = "a:\n- x: 1\n- y: 2\nb:\n  c: 3\n"
    assert LazyLocator(text).locate_all(["/b/c"]) == {"/b/c": (5, 3)}
