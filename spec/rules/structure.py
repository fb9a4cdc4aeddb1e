"""Structural validity: the verdicts of openapi-spec-validator 0.9, each one located.

All seven rules read one shared pass (`spec.validate.structural_problems`, computed once per
index), so a full audit validates the document once, not once per rule.
"""

from collections.abc import Iterator

from spec.index import SpecIndex
from spec.rules import rule
from spec.validate import structural_problems


def _problems(index: SpecIndex, rule_id: str) -> Iterator[tuple[str, str]]:
    for problem in structural_problems(index):
        if problem.rule_id == rule_id:
            yield problem.pointer, problem.message


@rule(
    "oas-schema",
    "error",
    "The document is valid against the OpenAPI meta-schema of its version.",
    equivalents=("spectral:oas3-schema", "redocly:struct"),
)
def oas_schema(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """The OAS meta-schema is the contract every generator, gateway and validator reads the
    document by; a field of the wrong type or a missing `info` breaks them in tool-specific
    ways. We use the very meta-schema openapi-spec-validator ships, so a spec that passes
    here passes there, and each error is reported at the offending node."""
    return _problems(index, "oas-schema")


@rule(
    "schema-dialect",
    "error",
    "Every Schema Object is valid in its JSON Schema dialect.",
    equivalents=("spectral:oas3-schema", "redocly:struct"),
)
def schema_dialect(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """In OAS 3.1 a schema is JSON Schema 2020-12 (OAS base dialect): a 3.0 habit such as
    `exclusiveMinimum: true` is not a number there, and a validator either rejects the schema
    or silently misreads the bound. Schemas are checked as openapi-spec-validator checks them
    (the top-level schemas it visits, the first error of each), located at the keyword."""
    return _problems(index, "schema-dialect")


@rule(
    "default-valid",
    "error",
    "Every default value is valid against its own schema.",
    equivalents=("spectral:oas3-valid-schema-example",),
)
def default_valid(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """A default is what a server assumes and what generated clients and docs present when
    the field is omitted; `default: null` on a non-nullable string documents a value the API
    would reject. Checked with openapi-spec-validator's semantics (format checks included,
    `nullable: true` excusing a null default), located at the offending part of the value."""
    return _problems(index, "default-valid")


@rule(
    "parameter-unique",
    "error",
    "A parameter list never names the same (name, in) twice.",
    equivalents=("spectral:operation-parameters", "redocly:operation-parameters-unique"),
)
def parameter_unique(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """Two declarations of one parameter leave its schema, requiredness and description
    ambiguous: each tool keeps a different one, and a generated client may get two arguments
    with the same name. The later entry is reported."""
    return _problems(index, "parameter-unique")


@rule(
    "operation-id-unique",
    "error",
    "Every operationId is unique in the document.",
    equivalents=("spectral:operation-operationId-unique", "redocly:operation-operationId-unique"),
)
def operation_id_unique(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """operationIds name SDK methods, link targets and test ids; the OpenAPI specification
    requires them to be unique, and a duplicate makes generators drop or rename a method.
    Every use after the first is reported."""
    return _problems(index, "operation-id-unique")


@rule(
    "path-params",
    "error",
    "Every path template parameter is declared with in: path, and every declared one is in the template.",
    equivalents=("spectral:path-params", "redocly:path-parameters-defined"),
)
def path_params(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """A `{name}` with no declaration cannot be filled in by a client; a declared path
    parameter missing from the template can never be sent. Either way the operation cannot be
    called as documented. An undeclared name is reported at the operation, a stray
    declaration at the parameter."""
    return _problems(index, "path-params")


@rule(
    "tag-unique",
    "error",
    "Tag names in the top-level tags list are unique.",
    equivalents=("spectral:openapi-tags-uniqueness", "redocly:no-duplicated-tag-names"),
)
def tag_unique(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """The top-level `tags` list gives each tag its description and order in rendered docs;
    with a duplicate name, which description wins depends on the renderer. The OpenAPI
    specification requires the names to be unique."""
    return _problems(index, "tag-unique")
