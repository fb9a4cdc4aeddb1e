"""The suite's own checks, registered with schemathesis next to its built-ins.

One module per check family, each check a plain `(ctx, response, case)` function raising the
one failure type of `failures.py` that names it: `envelope` (telnyx_error_envelope),
`rate_limit` (telnyx_rate_limit_headers), `size` (response_size_limit), `values` (the value
conventions of `conventions`: timestamps, country and currency codes, phone numbers, record
types), and the pure judgements of the pagination and lifecycle phases (`pagination`, `lifecycle`). Importing this
package registers the response checks.
"""

from conformance.checks import envelope, rate_limit, size, values

REGISTERED = (
    envelope.telnyx_error_envelope,
    rate_limit.telnyx_rate_limit_headers,
    size.response_size_limit,
    *values.CHECKS,
)
