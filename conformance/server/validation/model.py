"""The data of request validation: the request as received (`RequestParts`), the verdict
(`RequestCheck`) and its errors (`ApiError`, one row of `ERROR_TABLE` each)."""

from dataclasses import dataclass, field
from typing import Any

# One row per kind of problem: (Telnyx code, title, HTTP status class). Codes and titles are
# Telnyx's documented API error codes (developers.telnyx.com/docs/overview/errors): 10004 is
# "Missing required parameter", 10015 "Bad Request" (the code the spec's own 400/422 examples
# use for invalid values, with `source.pointer`), 10014 "Unsupported Media Type", 10023
# "Invalid JSON". The status class is resolved per operation by `validate_request`.
ERROR_TABLE: dict[str, tuple[str, str, str]] = {
    "missing_parameter": ("10004", "Missing required parameter", "semantic"),
    "invalid_parameter": ("10015", "Invalid parameter", "semantic"),
    "invalid_value": ("10015", "Invalid value", "semantic"),
    "malformed_request": ("10015", "Bad Request", "syntax"),
    "invalid_json": ("10023", "Invalid JSON", "syntax"),
    "unsupported_media_type": ("10014", "Unsupported Media Type", "media"),
    # Only reached if a bug slips past the parsers: the safety net of `validate_request`.
    "internal": ("10015", "Bad Request", "syntax"),
}


ERROR_DOCS_URL = "https://developers.telnyx.com/docs/overview/errors/"
MAX_ERRORS = 20  # per request: enough to fix a request, bounded against pathological bodies


@dataclass(frozen=True)
class ApiError:
    """One item of Telnyx's `errors` array; `kind` is the row of `ERROR_TABLE` it came from."""

    kind: str
    detail: str
    pointer: str | None = None
    parameter: str | None = None

    @property
    def code(self) -> str:
        return ERROR_TABLE[self.kind][0]

    @property
    def title(self) -> str:
        return ERROR_TABLE[self.kind][1]

    @property
    def source(self) -> dict[str, str]:
        if self.parameter is not None:
            return {"parameter": self.parameter}
        if self.pointer is not None:
            return {"pointer": self.pointer}
        return {}

    def as_dict(self) -> dict[str, Any]:
        item: dict[str, Any] = {"code": self.code, "title": self.title, "detail": self.detail}
        source = self.source
        if source:
            item["source"] = source
        item["meta"] = {"url": ERROR_DOCS_URL + self.code}
        return item


@dataclass(frozen=True)
class RequestParts:
    """The raw request as the server received it; `query` is decoded, in order, repeats kept."""

    method: str
    path_params: dict[str, str]
    query: list[tuple[str, str]]
    headers: dict[str, str]  # lower-case names
    content_type: str | None
    body: bytes


@dataclass
class RequestCheck:
    """The verdict (`status` None when valid) and the parsed, type-coerced values."""

    errors: list[ApiError] = field(default_factory=list)
    status: int | None = None
    params: dict[str, dict[str, Any]] = field(default_factory=lambda: {"path": {}, "query": {}, "header": {}})
    body: Any = None
    media_type: str | None = None  # the declared request media type the body was matched to

    @property
    def ok(self) -> bool:
        return self.status is None
