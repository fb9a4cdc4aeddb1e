"""The classes of a failure, and the audit rules and checks triage reads.

A failure is `server` unless there is positive evidence, at the exact place the check judged,
that the spec is at fault (`spec`), or the run could not test the target at all (`setup`). A
run with `--client` adds `drift`: the target answered as the pinned spec says, but not as the
old client's spec says, so that client would break (`conformance/triage/drift.py`).
"""

SERVER, SPEC, SETUP, DRIFT = "server", "spec", "setup", "drift"
CLASSES = (SERVER, SPEC, SETUP, DRIFT)

# Audit rules whose finding at a keyword means that keyword misleads a validator or a server:
# a failure of exactly that keyword (or of the keyword it contradicts, SIBLINGS) is the spec's.
LOCATION_RULES = frozenset(
    {
        "schema-dialect",
        "oas31-legacy-keywords",
        "ref-target-kind",
        "required-property-undefined",
        "composition-illogical",
        "enum-type-match",
        "schema-type-mismatch",
        "parameter-unique",
        "telnyx-error-envelope",  # the spec documents an error body that is not the envelope
        "media-type-valid",  # `content: {"*": ...}`: no Content-Type can match it
    }
)
# Rules found at a schema itself (not at one of its keywords) that make every keyword of it suspect.
WHOLE_SCHEMA_RULES = frozenset({"schema-type-mismatch", "ref-target-kind", "schema-dialect"})
# A keyword that fails because a sibling contradicts it: `type: string` + 3.0's `nullable: true`
# in a 3.1 document rejects the null the author allowed; boolean exclusive bounds, the bound.
SIBLINGS = {
    "type": ("nullable", "enum"),
    "enum": ("type",),
    "minimum": ("exclusiveMinimum",),
    "maximum": ("exclusiveMaximum",),
    "exclusiveMinimum": ("minimum",),
    "exclusiveMaximum": ("maximum",),
    "required": ("required",),
    "oneOf": ("oneOf",),
    "anyOf": ("anyOf",),
}
# Audit rules that flag a value the spec itself gives (an example, a default) that its own
# schema rejects: a failure whose value is that one, at that place, is the spec's.
VALUE_RULES = frozenset(
    {"schema-example-valid", "media-example-valid", "parameter-example-valid", "value-format", "default-valid"}
)
TRIAGE_RULES = LOCATION_RULES | VALUE_RULES
# Checks whose failure says nothing about the target's conformance.
SETUP_CHECKS = frozenset({"setup", "network_error"})
SETUP_MARKERS = ("connection refused", "name or service not known", "ssl", "certificate")
RESPONSE_CHECKS = frozenset(
    {"response_schema_conformance", "content_type_conformance", "response_headers_conformance", "telnyx_error_envelope"}
)
# Answers a conforming server must be able to give (no key, unknown id, invalid input): when
# the operation documents neither the code nor 4XX nor default, answering it is the spec's omission.
STANDARD_CLIENT_ERRORS = frozenset({400, 401, 403, 404, 405, 413, 415, 422})
TEXT_FIELD_MEDIA = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
INPUT_CHECKS = frozenset({"negative_data_rejection", "positive_data_acceptance", "missing_required_header"})
