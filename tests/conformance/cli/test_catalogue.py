"""docs/catalogue.md is what `telnyx-conformance catalogue` writes, and everything in it is
proven: each fault by a test that runs the reference server with it, each rule by a fixture,
and each of the suite's own checks by a fault of the reference server."""

from conformance.cli.catalogue import ROOT, _proving, _test_texts, render


def test_the_checked_in_catalogue_is_current() -> None:
    page = ROOT / "docs" / "catalogue.md"
    assert page.read_text(encoding="utf-8") == render(), "run: telnyx-conformance catalogue --output docs/catalogue.md"


def test_every_fault_has_a_test_that_runs_it() -> None:
    from conformance.server.faults import CATALOGUE

    tests = _test_texts(ROOT / "tests")
    assert [fault.name for fault in CATALOGUE if not _proving(tests, fault.name)] == []


def test_every_rule_has_its_fixture() -> None:
    from spec.rules import all_rules

    fixtures = ROOT / "tests" / "spec" / "rules" / "fixtures"
    assert [rule.id for rule in all_rules() if not (fixtures / f"{rule.id}.yaml").is_file()] == []


def test_every_own_check_is_proven_by_a_fault() -> None:
    import inspect

    from conformance.checks import failures
    from conformance.server.faults import CATALOGUE

    caught = {fault.caught_by for fault in CATALOGUE}
    own = {
        kind.checks[0]
        for _, kind in inspect.getmembers(failures, inspect.isclass)
        if kind.__module__ == failures.__name__ and len(getattr(kind, "checks", ())) == 1
    }
    assert sorted(own - caught) == []
