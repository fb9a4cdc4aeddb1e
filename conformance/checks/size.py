"""`response_size_limit`: no answer is larger than the run allows."""

from typing import Any

import schemathesis

from conformance.checks import knowledge
from conformance.checks.failures import ResponseTooLarge
from conformance.checks.http import label
from conformance.target.transport import cut_at


@schemathesis.check
def response_size_limit(ctx: Any, response: Any, case: Any) -> None:
    """No answer is larger than the run allows: a client would buffer it all, and a report
    would carry it. The run's session (conformance/target/transport.py) cuts such a body while
    reading it and marks the request with the size it saw."""
    size = cut_at(getattr(response, "request", None)) or len(response.content or b"")
    limit = knowledge.of(case).response_limit
    if size > limit:
        raise ResponseTooLarge(operation=label(case), size=size, limit=limit)
    return None
