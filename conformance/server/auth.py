"""Who may call what: the operation's security requirements against the request's credentials.

A requirement list is an OR of ANDs; an empty requirement (`{}`) or `security: []` lets
anonymous callers in. Bearer schemes accept exactly the configured token; basic schemes
(OAuth client credentials) accept any client id with the token as secret.
"""

import base64
import binascii
from typing import Any

from spec.index import Operation, SpecIndex

DEFAULT_TOKEN = "telnyx-conformance-test-token"  # the bearer token a server accepts unless told another


def requirements(index: SpecIndex, operation: Operation) -> list[dict[str, Any]]:
    declared = operation.node.get("security", index.doc.get("security", []))
    return declared if isinstance(declared, list) else []


def is_authorized(index: SpecIndex, operation: Operation, authorization: str | None, token: str) -> bool:
    options = requirements(index, operation)
    if not options:
        return True
    schemes = index.doc.get("components", {}).get("securitySchemes", {})
    for option in options:
        if not isinstance(option, dict):
            continue
        if all(_satisfies(schemes.get(name), authorization, token) for name in option):
            return True  # includes the empty requirement {}
    return False


def _satisfies(scheme: Any, authorization: str | None, token: str) -> bool:
    if not isinstance(scheme, dict) or not authorization:
        return False
    kind, _, credentials = authorization.strip().partition(" ")
    kind = kind.lower()
    wanted = str(scheme.get("scheme", "")).lower() if scheme.get("type") == "http" else "bearer"
    if kind != wanted:
        return False
    credentials = credentials.strip()
    if kind == "bearer":
        return credentials == token
    if kind == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        _, colon, secret = decoded.partition(":")
        return bool(colon) and secret == token
    return False
