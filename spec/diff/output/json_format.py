"""The diff as JSON: every change with both sides' pointers, lines and columns."""

import orjson

from spec.diff.changes import DiffResult


def _side(model) -> dict:
    spec = model.spec
    return {
        "path": str(model.path),
        "sha256": spec.sha256 if spec is not None else None,
        "version": model.version,
        "operations": len(model.operations),
    }


def as_document(result: DiffResult) -> dict:
    return {
        "old": _side(result.old),
        "new": _side(result.new),
        "matched": result.matched,
        "changes": [c.as_dict() for c in result.changes],
        "summary": {**result.summary(), "baselined": result.baselined},
    }


def render(result: DiffResult) -> str:
    return orjson.dumps(as_document(result), option=orjson.OPT_INDENT_2).decode() + "\n"
