"""The three classes of a failure, and the checks and messages that decide `setup`."""

SERVER, SPEC, SETUP = "server", "spec", "setup"
CLASSES = (SERVER, SPEC, SETUP)

# Audit rules whose findings mean "a conforming server can still fail here": the schema
# itself misleads a validator or a server. (Invalid examples only mislead a server that
# echoes them, like a mock: that is judged by value, not by location.)
SPEC_BREAKING_RULES = frozenset(
    {
        "default-valid",
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
# Audit rules that flag an invalid example (or, for `value-format`, also a default: a default
# that a strict validator rejects, `default: ""` on a URI, is judged by location like
# `default-valid`).
EXAMPLE_RULES = frozenset({"schema-example-valid", "media-example-valid", "parameter-example-valid", "value-format"})
# Checks whose failure says nothing about the target's conformance.
SETUP_CHECKS = frozenset({"setup", "network_error"})
SETUP_MARKERS = ("connection refused", "name or service not known", "ssl", "certificate")


RESPONSE_CHECKS = frozenset(
    {"response_schema_conformance", "content_type_conformance", "response_headers_conformance", "telnyx_error_envelope"}
)
# Answers a conforming server must be able to give (no key, unknown id, invalid input): when
# the operation documents neither the code nor 4XX, answering it is the spec's omission.
STANDARD_CLIENT_ERRORS = frozenset({400, 401, 403, 404, 405, 413, 415, 422})
TEXT_FIELD_MEDIA = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
INPUT_CHECKS = frozenset({"negative_data_rejection", "positive_data_acceptance", "missing_required_header"})


def breaks_schema(rule: str, pointer: str) -> bool:
    """Is this finding a place where a conforming server can still fail (judged by location)?"""
    return rule in SPEC_BREAKING_RULES or (rule == "value-format" and pointer.endswith("/default"))
