"""One schemathesis test per selected operation of the spec, against the run's target.

The schema, the target and the checks come from the plugin (`conformance/plugin.py`); this
module only says what a test is: send the generated case (backing off on 429) and let
schemathesis judge the response with its built-in checks and ours.
"""

import pytest

from conformance.plugin import active

RUN = active()
if RUN is None:
    pytest.skip("no target: pass --base-url (see `telnyx-conformance run`)", allow_module_level=True)

schema = RUN.schema


@schema.parametrize()
def test_operation(case) -> None:  # type: ignore[no-untyped-def]
    RUN.send_and_validate(case)
