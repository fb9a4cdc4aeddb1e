"""What every diff renderer shows of the two versions."""

from typing import Any

_VERSION = {"2.0": "Swagger 2.0", "3.0": "OpenAPI 3.0", "3.1": "OpenAPI 3.1"}


def describe(model: Any) -> str:
    spec = model.spec
    sha = f", sha256 {spec.sha256[:12]}" if spec is not None else ""
    return f"{model.path} ({_VERSION.get(model.version, model.version)}, {len(model.operations)} operations{sha})"


def version_name(model: Any) -> str:
    return _VERSION.get(model.version, model.version)


def totals(result: Any) -> str:
    summary = result.summary()
    text = f"{summary['breaking']} breaking, {summary['warning']} warnings, {summary['info']} infos"
    return text + (f" ({result.baselined} baselined)" if result.baselined else "")
