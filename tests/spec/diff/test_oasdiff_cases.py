"""Faults of ours that oasdiff's own test cases showed (bench/oasdiff_parity.py), each fixed and
kept here as a fixture pair under the rule it concerns: `fixtures/<rule>/<case>/{old,new}.yaml`."""

from pathlib import Path

import pytest

from spec.diff import diff_models
from spec.model import load_model

FIXTURES = Path(__file__).parent / "fixtures"


def _changes(rule: str, case: str, fast: bool = True):
    folder = FIXTURES / rule / case
    old, new = load_model(folder / "old.yaml", use_cache=False), load_model(folder / "new.yaml", use_cache=False)
    return diff_models(old, new, fast=fast).changes


@pytest.mark.parametrize("fast", [True, False], ids=["shortcut", "full-walk"])
def test_bounds_tightened_inside_then_else_and_prefix_items_are_breaking(fast: bool) -> None:
    """oasdiff's sub_schema_traversal pair: a stricter `then`, `else` or `prefixItems` member
    refuses bodies the old version accepted; the walk used to stop at properties and items."""
    changes = _changes("request-property-bounds-tightened", "conditional-subschemas", fast)
    found = {c.message: c for c in changes if c.rule == "request-property-bounds-tightened"}
    assert set(found) == {
        "request body (application/json) data.(then).value: minimum tightened from 0 to 5",
        "request body (application/json) data.(else).value: minLength tightened from 1 to 3",
        "request body (application/json) data.(prefixItems/0): minLength tightened from 1 to 3",
    }
    change = found["request body (application/json) data.(then).value: minimum tightened from 0 to 5"]
    assert change.rule == "request-property-bounds-tightened" and change.level.label == "breaking"
    assert change.new.pointer.endswith("/properties/data/then/properties/value/minimum") and change.new.line > 1


def test_a_changed_not_is_one_breaking_change_and_its_inside_is_not_walked() -> None:
    """`not` inverts: a shorter maxLength inside it excludes fewer bodies, so the facet rules
    would read it backwards. They are not applied inside it; the `not` is compared whole
    (oasdiff's not_base -> not_revision pair, breaking for both of us)."""
    changes = _changes("request-property-bounds-tightened", "conditional-subschemas")
    assert not any("(not)" in c.message for c in changes)
    found = [c for c in changes if c.rule == "request-not-schema-changed"]
    assert [c.message for c in found] == [
        "request body (application/json) data: `not` subschema changed: values it did not match may now be refused"
    ]
    assert found[0].level.label == "breaking" and found[0].new.pointer.endswith("/properties/data/not")


def _with_not(tmp_path: Path, old_not: str, new_not: str, components: tuple[str, str] = ("", "")) -> list:
    """request-not-schema-removed's old fixture with `not` set to `old_not`, then `new_not`."""
    text = (FIXTURES / "request-not-schema-removed" / "old.yaml").read_text(encoding="utf-8")
    assert "not: {enum: [internal]}" in text
    models = []
    for name, negated, tail in (("old.yaml", old_not, components[0]), ("new.yaml", new_not, components[1])):
        (tmp_path / name).write_text(text.replace("{enum: [internal]}", negated) + tail, encoding="utf-8")
        models.append(load_model(tmp_path / name, use_cache=False))
    return diff_models(*models, fast=False).changes


def test_a_not_differing_only_in_annotations_is_no_change(tmp_path: Path) -> None:
    old = "{enum: [internal], description: reserved}"
    new = "{enum: [internal], description: reserved tags, x-note: 1, examples: [internal]}"
    assert _with_not(tmp_path, old, new) == []


def test_a_not_is_compared_through_its_refs(tmp_path: Path) -> None:
    """The same `$ref` in both versions, its target changed: what `not` excludes changed."""
    ref = "{$ref: '#/components/schemas/Reserved'}"
    reserved = "components:\n  schemas:\n    Reserved: {enum: [%s]}\n"
    assert _with_not(tmp_path, ref, ref, (reserved % "internal", reserved % "internal")) == []
    changes = _with_not(tmp_path, ref, ref, (reserved % "internal", reserved % "internal, test"))
    assert [(c.rule, c.new.pointer) for c in changes] == [
        (
            "request-not-schema-changed",
            "/paths/~1numbers/post/requestBody/content/application~1json/schema/properties/tag/not",
        )
    ]


def test_a_server_host_written_without_its_scheme_is_not_a_path() -> None:
    """oasdiff's openapi-test1.yaml has `servers: [{url: tufin.com}]`; read as a path segment,
    dropping it made every operation look removed and added again."""
    changes = _changes("operation-removed", "scheme-less-server")
    assert changes == []


def test_a_pattern_every_string_matches_is_not_a_pattern_added(tmp_path: Path) -> None:
    """oasdiff's pattern-added pairs are breaking for us too (parameter-pattern-added,
    request-property-pattern-added); `.*` constrains nothing and is not reported."""
    folder = FIXTURES / "parameter-pattern-added"
    text = (folder / "new.yaml").read_text(encoding="utf-8").replace("'^\\\\+[0-9]+$'", "'.*'")
    assert "'.*'" in text
    (tmp_path / "new.yaml").write_text(text, encoding="utf-8")
    old, new = load_model(folder / "old.yaml", use_cache=False), load_model(tmp_path / "new.yaml", use_cache=False)
    assert diff_models(old, new).changes == []


def test_a_parameter_leaving_its_json_content_is_a_serialization_change_not_a_type_change() -> None:
    """oasdiff's openapi-test1 -> 5: header `user` was JSON text of an object (`content:
    application/json`) and is now a plain string. On the wire both are strings, and any string
    is valid now; the old schema describes the decoded JSON, not the header, so comparing the two
    schemas (object vs string) called it breaking. Cookie `test` stays JSON and its decoded type
    narrows (object to string): still breaking."""
    found = {(c.rule, c.message) for c in _changes("parameter-serialization-changed", "content-to-plain")}
    assert found == {
        (
            "parameter-serialization-changed",
            "header parameter 'user' serialization changed from application/json content to simple",
        ),
        ("parameter-type-changed", "cookie parameter 'test': type changed from object to string"),
    }


def test_a_not_added_to_a_response_is_not_reported() -> None:
    """In a response a new `not` only narrows what may come (response-not-schema-changed's
    fixture read backwards: `region` gains one); a changed `not` is still reported."""
    folder = FIXTURES / "response-not-schema-changed"
    old, new = load_model(folder / "new.yaml", use_cache=False), load_model(folder / "old.yaml", use_cache=False)
    found = [(c.rule, c.message) for c in diff_models(old, new, fast=False).changes]
    assert found == [
        (
            "response-not-schema-changed",
            "response 200 (application/json) status: `not` subschema changed: values it matched may now be sent",
        )
    ]
