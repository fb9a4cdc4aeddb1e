"""What a check needs to know about the run besides the answer: the spec's index, its
operations by label, and the run's response size limit.

schemathesis calls a check with `(ctx, response, case)` only, so the run attaches this record
to the schemathesis schema it builds (`attach`), and a check reads it back from the case it is
given (`of`): the knowledge travels with the data, and no check reaches into the runner.
"""

from dataclasses import dataclass, field
from typing import Any

from conformance.target import DEFAULT_MAX_RESPONSE_BYTES

ATTRIBUTE = "telnyx_knowledge"


@dataclass(frozen=True)
class Knowledge:
    index: Any = None  # spec.index.SpecIndex: its memo holds compiled validators, shared
    operations: dict[str, Any] = field(default_factory=dict)  # "METHOD /path" -> spec.index.Operation
    response_limit: int = DEFAULT_MAX_RESPONSE_BYTES


DEFAULT = Knowledge()


def attach(schema: Any, knowledge: Knowledge) -> None:
    setattr(schema, ATTRIBUTE, knowledge)


def of(case: Any) -> Knowledge:
    """The knowledge attached to the case's schema (the defaults when it has none)."""
    schema = getattr(getattr(case, "operation", None), "schema", None)
    found = getattr(schema, ATTRIBUTE, None)
    return found if isinstance(found, Knowledge) else DEFAULT
