"""One normalized model of an API's operations from Swagger 2.0, OpenAPI 3.0 or 3.1.

`load_model(path)` reads any version (pinned or not), `build_model(spec)` maps a loaded one:
method, path template (base path in front), parameters by location with their schemas, the
request body and each response per media type, response headers, security, every element
with the JSON pointer of where it is written (`ApiModel.locate_all` gives lines).
"""

from __future__ import annotations

from pathlib import Path

from spec.errors import SpecError
from spec.load import LoadedSpec, load_any
from spec.model import openapi, swagger
from spec.model.document import Document
from spec.model.schema import View, Views
from spec.model.types import (
    ApiModel,
    Credential,
    Header,
    MediaType,
    Node,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Security,
    template_key,
)

__all__ = [
    "ApiModel",
    "Credential",
    "Document",
    "Header",
    "MediaType",
    "Node",
    "Operation",
    "Parameter",
    "RequestBody",
    "Response",
    "Security",
    "View",
    "Views",
    "build_model",
    "load_model",
    "template_key",
]


def version_of(data: dict) -> str:
    if "swagger" in data and "openapi" not in data:
        return "2.0"
    return "3.0" if str(data.get("openapi", "")).startswith("3.0") else "3.1"


def load_model(path: str | Path | None, *, use_cache: bool = True) -> ApiModel:
    return build_model(load_any(path, use_cache=use_cache))


def build_model(spec: LoadedSpec) -> ApiModel:
    data = spec.data
    if not isinstance(data.get("paths", {}), dict):
        raise SpecError(f"{spec.path}: 'paths' is not a mapping")
    version = version_of(data)
    refs = sorted(spec.structure[1]) if spec.structure is not None else None
    document = Document(data, spec.locator, version, refs)
    views = Views(document)
    found = swagger.operations(document) if version == "2.0" else openapi.operations(document, views)
    operations: dict[tuple[str, str], Operation] = {}
    duplicates: list[Operation] = []
    for operation in found:
        if operation.key in operations:
            duplicates.append(operation)
        else:
            operations[operation.key] = operation
    return ApiModel(spec.path, version, operations, document, duplicates, views, spec)
