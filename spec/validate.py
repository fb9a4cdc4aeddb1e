"""Structural validation with openapi-spec-validator 0.9's verdicts, located and fast.

openapi-spec-validator (osv) is the reference for "is this a valid OpenAPI document", but it
takes ~4 s on the Telnyx spec, gives no locations, and its import alone is slow. This module
reproduces its checks over a `SpecIndex` with jsonschema-rs doing every JSON Schema job:

1. the document against the OAS meta-schema osv ships (`oas-schema`);
2. osv's SchemaValidator walk, with the same visiting order and identity-based dedupe: schemas
   reached from path-level and operation parameters, response content, then
   `components/schemas`, descending allOf/anyOf/oneOf/not/items/properties, `$ref`s resolved
   as jsonschema-path does (a `$ref` node *is* its target; siblings are ignored):
   - each top-level schema is meta-checked once against the JSON Schema dialect
     (`schema-dialect`); a failure stops the descent into that schema, as in osv;
   - each `default` is validated against its schema (`default-valid`), with osv's format
     checker and its exception for `default: null` next to `nullable: true`;
3. osv's own checks: duplicate parameters, duplicate operationIds, path template parameters,
   duplicate tag names (`parameter-unique`, `operation-id-unique`, `path-params`,
   `tag-unique`).

osv's "Required list has not defined properties" is not reproduced here: the broader lint
rule `required-property-undefined` covers it.

The pieces live in `spec.validation` (`problems`, `keywords`, `meta`, `defaults`, `walk`); this
module is their public face: import from here.

Every problem carries a `signature`, the normalized form the differential tests compare with
osv's errors (which have no locations), e.g. ("type", None, "string").
"""

from spec.index import SpecIndex
from spec.validation.defaults import default_problems
from spec.validation.keywords import OasFormat30, OasFormat31, format_ok
from spec.validation.meta import (
    DIALECT_NAMES,
    DRAFT3_DIALECT,
    KNOWN_DIALECTS,
    OAS30_DIALECT,
    OAS31_DIALECT,
    OAS32_DIALECT,
    document_problems,
    oas_version_dir,
)
from spec.validation.problems import STRUCTURAL_RULES, Problem, jsonable, show, signature
from spec.validation.walk import OPERATION_KEYS, template_names, walk_document

__all__ = [
    "DIALECT_NAMES",
    "DRAFT3_DIALECT",
    "KNOWN_DIALECTS",
    "OAS30_DIALECT",
    "OAS31_DIALECT",
    "OAS32_DIALECT",
    "OPERATION_KEYS",
    "STRUCTURAL_RULES",
    "OasFormat30",
    "OasFormat31",
    "Problem",
    "default_problems",
    "document_problems",
    "format_ok",
    "jsonable",
    "oas_version_dir",
    "show",
    "signature",
    "structural_problems",
    "template_names",
    "validate_structure",
]


def structural_problems(index: SpecIndex) -> list[Problem]:
    """The structural problems of the indexed document, computed once per index."""
    return index.shared(validate_structure)


def validate_structure(index: SpecIndex) -> list[Problem]:
    """Document vs meta-schema, then osv's walk; in osv's order."""
    problems = list(document_problems(index.doc))
    problems.extend(walk_document(index))
    return problems
