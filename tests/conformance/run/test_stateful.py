"""`run --stateful`: the schema lets schemathesis infer the links of its state machine only when
asked (the Telnyx spec declares none), and the run collects the stateful test only then."""

from pathlib import Path

from conformance.run.options import RunOptions
from conformance.run.schema import build_schema
from conformance.run.session import pytest_args
from conformance.target import Target

TARGET = Target(base_url="http://127.0.0.1:9/v2", api_key="k")


def schema(spec: Path, stateful: bool) -> object:
    from spec.load import load_spec

    data = load_spec(spec).data
    return build_schema(
        data, TARGET, seed=1, max_examples=1, include_tags=[], exclude_tags=[], operation_ids=[], stateful=stateful
    )


def test_links_are_inferred_only_under_stateful(shared_spec_path: Path) -> None:
    """Off, the state machine has no transition (running it raises NoLinksFound, which the suite's
    stateful test turns into a skip); on, schemathesis infers hundreds from the spec."""
    off = schema(shared_spec_path, stateful=False).as_state_machine()  # type: ignore[attr-defined]
    assert len(off.bundles) == 0
    on = schema(shared_spec_path, stateful=True).as_state_machine()  # type: ignore[attr-defined]
    assert len(on.bundles) > 100  # inferred from response schemas and path parameters


def test_the_stateful_test_is_collected_only_when_asked(tmp_path: Path) -> None:
    def modules(options: RunOptions) -> list[str]:
        args = pytest_args(options, TARGET, tmp_path / "spec.yml", 1)
        return [Path(a).name for a in args if a.endswith(".py")]

    assert modules(RunOptions()) == [
        "test_operations.py",
        "test_pagination.py",
        "test_lifecycle.py",
        "test_scenarios.py",
    ]
    assert modules(RunOptions(stateful=True))[-1] == "test_stateful.py"
    args = pytest_args(RunOptions(scenarios=["mine"], no_scenarios=True), TARGET, tmp_path / "spec.yml", 1)
    assert args[args.index("--scenarios") + 1] == "mine" and "--no-scenarios" in args
