"""Named multi-step scenarios: Telnyx flows across resources, as data files (`model`), run by
`engine`. This module joins them to a run: which scenarios it runs (the built-in set unless
`--no-scenarios`, plus every `--scenarios DIR`), and which of them the selection and the
target's write policy let run.

The lifecycle phase proves one collection at a time; a scenario proves what only shows across
resources (a number ordered appears among the account's numbers, a profile in use by a
connection cannot be deleted), which is where a server's relations break.
"""

from pathlib import Path
from typing import TYPE_CHECKING

from conformance.run.phases.scenarios.model import BUILTIN, Scenario, ScenarioError, load_scenarios

if TYPE_CHECKING:
    from conformance.target import Target
    from spec.index import SpecIndex

__all__ = ["BUILTIN", "Scenario", "ScenarioError", "blocked", "scenarios_for"]


def scenarios_for(index: "SpecIndex", folders: list[str], *, builtin: bool = True) -> list[Scenario]:
    """The run's scenarios: the built-in ones (unless turned off; those whose operations the spec
    lacks are left out, a spec other than Telnyx's has none), then the user's folders."""
    paths = ([BUILTIN] if builtin else []) + [Path(folder) for folder in folders]
    return load_scenarios(paths, index, lenient=(BUILTIN,))


def blocked(scenario: Scenario, target: "Target", selected: set[str]) -> str | None:
    """Why the scenario cannot run here (None: it can): an operation outside the run's
    selection, or a write the target's policy refuses (a non-loopback target without
    --allow-writes, or --read-only)."""
    outside = [label for label in scenario.labels if label not in selected]
    if outside:
        return f"scenario {scenario.name!r} not run: {outside[0]} is not selected"
    refused = [method for method in scenario.writes if not target.may_send(method)]
    if refused:
        return f"scenario {scenario.name!r} not run: {target.refusal(refused[0])}"
    return None
