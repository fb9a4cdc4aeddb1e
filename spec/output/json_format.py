"""The audit as JSON: the shape other tools and the conformance report consume."""

import orjson

from spec.audit import AuditResult


def as_document(result: AuditResult) -> dict:
    spec = result.spec
    return {
        "spec": {"path": str(spec.path), "sha256": spec.sha256, "openapi": spec.openapi},
        "findings": [f.as_dict() for f in result.findings],
        "summary": result.summary(),
    }


def render(result: AuditResult) -> str:
    return orjson.dumps(as_document(result), option=orjson.OPT_INDENT_2).decode() + "\n"
