"""Meta-validation: the document against the OAS meta-schema osv ships (`oas-schema`), and each
top-level schema against its JSON Schema dialect (`schema-dialect`), both with jsonschema-rs."""

import importlib.util
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from spec.pointer import escape
from spec.validation.keywords import OasFormat31
from spec.validation.problems import Problem, error_text, kind_expected, schema_errors, show, signature

OAS31_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"
OAS32_DIALECT = "https://spec.openapis.org/oas/3.2/dialect/2025-09-17"
OAS30_DIALECT = "oas30"  # osv meta-checks 3.0 schemas against draft-04, whatever they say


# --- 1. the document against the OAS meta-schema -------------------------------------------


def package_dir(name: str) -> Path:
    """A package's directory without importing it (openapi_spec_validator's import is slow)."""
    found = importlib.util.find_spec(name)
    if found is None or not found.submodule_search_locations:
        raise RuntimeError(f"package {name} is not installed")
    return Path(next(iter(found.submodule_search_locations)))


def oas_version_dir(openapi: str) -> str:
    """Which of osv's meta-schemas applies: v3.0, v3.1 or v3.2 (3.1 for anything unknown)."""
    for prefix in ("3.0", "3.1", "3.2"):
        if openapi.startswith(prefix):
            return f"v{prefix}"
    return "v3.1"


@cache
def _oas_document_validator(version_dir: str) -> Any:
    """osv's own construction: `validator_cls_for(schema)(schema)`, no registry, no options."""
    import jsonschema_rs

    path = package_dir("openapi_spec_validator") / "resources" / "schemas" / version_dir / "schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_cls_for(schema)(schema)


def document_problems(doc: Any) -> Iterator[Problem]:
    """Every meta-schema error, located at its instance path."""
    openapi = str(doc.get("openapi", "")) if isinstance(doc, dict) else ""
    validator = _oas_document_validator(oas_version_dir(openapi))
    for error in schema_errors(validator, doc):
        path = tuple(error.instance_path)
        pointer = "".join("/" + escape(part) for part in path)
        yield Problem("oas-schema", pointer, error_text(error), ("oas-schema", path))


# --- meta-schemas of the JSON Schema dialects -----------------------------------------------


@cache
def _dialect_resources() -> dict[str, Any]:
    """Every meta-schema osv's dialect check can use, by `$id` (trailing '#' dropped)."""
    resources: dict[str, Any] = {}
    roots = [
        package_dir("jsonschema_specifications") / "schemas",
        package_dir("openapi_schema_validator") / "schemas",
    ]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.name.startswith(".") and "draft3" not in path.parts:
                contents = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(contents, dict) and isinstance(contents.get("$id", contents.get("id")), str):
                    resources[contents.get("$id", contents.get("id")).rstrip("#")] = contents
    return resources


# The dialects Python jsonschema's `validator_for` knows once openapi-schema-validator is
# imported (draft-03 too, which jsonschema-rs cannot run: such schemas go unchecked).
KNOWN_DIALECTS = (
    "http://json-schema.org/draft-04/schema",
    "http://json-schema.org/draft-06/schema",
    "http://json-schema.org/draft-07/schema",
    "https://json-schema.org/draft/2019-09/schema",
    "https://json-schema.org/draft/2020-12/schema",
    OAS31_DIALECT,
    OAS32_DIALECT,
)
DRAFT3_DIALECT = "http://json-schema.org/draft-03/schema"
DIALECT_NAMES = {
    OAS31_DIALECT: "OAS 3.1 schema (base dialect)",
    OAS32_DIALECT: "OAS 3.2 schema (dialect 2025-09-17)",
    "https://json-schema.org/draft/2020-12/schema": "JSON Schema 2020-12 schema",
    "https://json-schema.org/draft/2019-09/schema": "JSON Schema 2019-09 schema",
    "http://json-schema.org/draft-07/schema": "JSON Schema draft-07 schema",
    "http://json-schema.org/draft-06/schema": "JSON Schema draft-06 schema",
    "http://json-schema.org/draft-04/schema": "JSON Schema draft-04 schema",
}


@cache
def dialect_validator(dialect: str) -> Any:
    """The compiled meta-schema for a dialect id (compiled once per process); None if unknown."""
    import jsonschema_rs

    key = KNOWN_DIALECTS[0] if dialect == OAS30_DIALECT else dialect.rstrip("#")
    resources = _dialect_resources()
    if key not in KNOWN_DIALECTS or key not in resources:
        return None
    registry = jsonschema_rs.Registry(list(resources.items()))
    return jsonschema_rs.validator_for(resources[key], registry=registry, keywords={"format": OasFormat31})


def default_dialect(doc: dict, is_31: bool) -> str:
    """The dialect of a schema without `$schema`: the root's jsonSchemaDialect, else the OAS one."""
    if not is_31:
        return OAS30_DIALECT
    declared = doc.get("jsonSchemaDialect")
    if isinstance(declared, str):
        return declared
    return OAS32_DIALECT if str(doc.get("openapi", "")).startswith("3.2") else OAS31_DIALECT


def meta_problem(pointer: str, schema: dict | bool, *, oas30: bool, fallback_dialect: str) -> Problem | None:
    """The first meta-schema error of a top-level schema, as osv's check_schema raises it."""
    if oas30:
        dialect: Any = OAS30_DIALECT
    elif isinstance(schema, dict) and "$schema" in schema:
        dialect = schema["$schema"]
    else:
        dialect = fallback_dialect
    key = dialect.rstrip("#") if isinstance(dialect, str) else ""
    if key == DRAFT3_DIALECT:
        return None
    validator = dialect_validator(dialect) if isinstance(dialect, str) else None
    if validator is None:
        where = f"{pointer}/$schema" if isinstance(schema, dict) and "$schema" in schema else pointer
        return Problem(
            "schema-dialect", where, f"unknown JSON Schema dialect {show(dialect)}", ("unknown-dialect", dialect)
        )
    errors = schema_errors(validator, schema)
    if not errors:
        return None
    first = errors[0]
    keyword = first.schema_path[-1] if first.schema_path else first.kind.name
    where = pointer + "".join("/" + escape(part) for part in first.instance_path)
    more = f" (and {len(errors) - 1} more in this schema)" if len(errors) > 1 else ""
    dialect_name = "OAS 3.0 schema (JSON Schema draft-04)" if oas30 else DIALECT_NAMES.get(key, key)
    return Problem(
        "schema-dialect",
        where,
        f"not a valid {dialect_name}: {error_text(first)}{more}",
        signature(str(keyword), first.instance, kind_expected(first)),
    )
