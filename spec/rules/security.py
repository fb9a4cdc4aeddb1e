"""Rules about security requirements and the schemes they name."""

from collections.abc import Iterator
from typing import Any

from spec.index import SpecIndex
from spec.pointer import escape
from spec.rules import rule


def _requirements(index: SpecIndex) -> Iterator[tuple[str, str, str, Any]]:
    """(pointer of the requirement's key, scheme name, who requires it, scopes) for every
    security requirement: the root's and every operation's (webhooks included)."""
    places: list[tuple[str, str, Any]] = [("", "the document", index.doc.get("security"))]
    for op in (*index.operations, *index.webhook_operations):
        who = f"webhook {op.path!r} {op.method.upper()}" if op.webhook else f"{op.method.upper()} {op.path}"
        places.append((op.pointer, who, op.node.get("security")))
    for base, who, security in places:
        if not isinstance(security, list):
            continue
        for i, requirement in enumerate(security):
            if isinstance(requirement, dict):
                for name, scopes in requirement.items():
                    yield f"{base}/security/{i}/{escape(name)}", name, who, scopes


def _schemes(index: SpecIndex) -> dict[str, Any]:
    components = index.doc.get("components")
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    return schemes if isinstance(schemes, dict) else {}


@rule(
    "security-defined",
    "error",
    "Security requirements name schemes declared in components.securitySchemes.",
    equivalents=("spectral:oas3-operation-security-defined", "redocly:security-defined"),
)
def security_defined(index: SpecIndex):
    """A requirement naming an undeclared scheme tells clients nothing about how to
    authenticate: generated SDKs drop the auth, and consoles send unauthenticated requests.
    It is usually a renamed or misspelled scheme, so the documented auth silently differs
    from the real one."""
    schemes = _schemes(index)
    for pointer, name, who, _ in _requirements(index):
        if name not in schemes:
            yield pointer, f"{who} requires security scheme {name!r}, which is not declared"


@rule(
    "security-scopes-defined",
    "warning",
    "OAuth2 scopes in security requirements are declared by one of the scheme's flows.",
    equivalents=("redocly:security-scopes-defined",),
)
def security_scopes_defined(index: SpecIndex):
    """The scheme's flows are where a scope is defined and explained; a requirement asking
    for an undeclared scope is a typo or a stale name, and clients requesting it get their
    token rejected. Only oauth2 schemes declare scopes, so only they are checked."""
    schemes = _schemes(index)
    for pointer, name, who, scopes in _requirements(index):
        scheme = schemes.get(name)
        if not isinstance(scheme, dict) or scheme.get("type") != "oauth2" or not isinstance(scopes, list):
            continue
        flows = scheme.get("flows")
        declared: set[str] = set()
        if isinstance(flows, dict):
            for flow in flows.values():
                if isinstance(flow, dict) and isinstance(flow.get("scopes"), dict):
                    declared.update(flow["scopes"])
        for i, scope in enumerate(scopes):
            if isinstance(scope, str) and scope not in declared:
                yield f"{pointer}/{i}", f"{who} requires scope {scope!r} that scheme {name!r} does not declare"
