"""The Telnyx error envelope, the one body shape of every error the server sends."""

from typing import Any

import orjson

# One table for the codes the server itself emits (request validation has its own, see
# validation/model.py); codes are strings of digits, as Telnyx sends them.
AUTH_REQUIRED = ("10009", "Authentication failed", "The request could not be authenticated.")
NOT_FOUND = ("10005", "Resource not found", "The requested resource or URL could not be found.")
METHOD_NOT_ALLOWED = ("10006", "Method not allowed", "The method is not allowed for this resource.")
RATE_LIMITED = ("10011", "Too many requests", "The rate limit was exceeded; retry after the reset.")
BODY_TOO_LARGE = ("10007", "Request body too large", "The request body exceeds the server's limit.")
IN_USE = ("10020", "Resource in use", "The resource is in use by another resource; remove that first.")
SERVER_ERROR = ("10000", "Internal server error", "The server failed to handle the request.")


def error(code: str, title: str, detail: str, source: dict[str, str] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"code": code, "title": title, "detail": detail}
    if source:
        item["source"] = source
    return item


def envelope(*errors: dict[str, Any]) -> bytes:
    return orjson.dumps({"errors": list(errors)})


def simple(kind: tuple[str, str, str], detail: str | None = None) -> bytes:
    code, title, default_detail = kind
    return envelope(error(code, title, detail or default_detail))
