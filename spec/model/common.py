"""What both builders share: base paths, media type names, security, wire parameter names."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from spec.model.schema import Views
from spec.model.types import Credential, Node, Parameter, Requirement, Security
from spec.pointer import escape

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Header parameters OpenAPI says to ignore: the media types and security say them.
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
MAX_WIRE_DEPTH = 4


def media_name(name: str) -> str:
    """`Application/JSON; charset=utf-8` -> `application/json`."""
    return name.split(";", 1)[0].strip().lower()


def media_covers(accepting: str, sent: str) -> bool:
    """Does a declared media type `accepting` (maybe a wildcard) take `sent`?"""
    if accepting == sent or accepting == "*/*":
        return True
    if accepting.endswith("/*"):
        return sent.split("/", 1)[0] == accepting[:-2]
    return False


def server_base(servers: Any, fallback: str = "") -> str:
    """The path part of the first server URL (its variables at their defaults), no trailing /."""
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return fallback
    server = servers[0]
    url = server.get("url")
    if not isinstance(url, str):
        return fallback
    variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}

    def default(match: re.Match) -> str:
        variable = variables.get(match.group(1))
        return str(variable.get("default", "")) if isinstance(variable, dict) else ""

    url = re.sub(r"\{([^}]*)\}", default, url)
    try:
        path = urlsplit(url).path if "://" in url or url.startswith("//") else _relative_path(url)
    except ValueError:
        return fallback
    return path.rstrip("/")


# A host name (with a dot before an alphabetic top-level label), localhost or an IPv4 address, maybe a port.
_HOST = re.compile(r"(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?|localhost(?::\d+)?|\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?")


def _relative_path(url: str) -> str:
    """The path of a server URL without a scheme. `/v2` is a path; `api.example.com/v2` and
    `tufin.com` are written-out hosts missing their `https://` (a common slip, which no
    client reads as a path segment), so only what follows the host is the path."""
    if url.startswith("/"):
        return url
    head, _, rest = url.partition("/")
    return "/" + rest if _HOST.fullmatch(head) else "/" + url


def full_path(base: str, path: str) -> str:
    if not base:
        return path
    return base.rstrip("/") + (path if path.startswith("/") else "/" + path)


def credential(schemes: dict[str, Any], name: str, schemes_pointer: str) -> Credential:
    pointer = f"{schemes_pointer}/{escape(name)}"
    scheme = schemes.get(name)
    if not isinstance(scheme, dict):
        return Credential(name, "undeclared", "", "", None, pointer)
    kind = str(scheme.get("type", ""))
    if kind == "apiKey":
        location = str(scheme.get("in", ""))
        key = str(scheme.get("name", ""))
        return Credential(name, kind, location, key.lower() if location == "header" else key, None, pointer)
    if kind == "http":
        return Credential(name, kind, "header", "authorization", str(scheme.get("scheme", "")).lower(), pointer)
    if kind == "basic":
        return Credential(name, kind, "header", "authorization", "basic", pointer)
    if kind in ("oauth2", "openIdConnect"):
        return Credential(name, kind, "header", "authorization", "bearer", pointer)
    return Credential(name, kind or "undeclared", kind, name, None, pointer)


def security(
    declared: Any, pointer: str, schemes: dict[str, Any], schemes_pointer: str, fallback_pointer: str
) -> Security:
    """The alternatives of a `security` list (absent: anonymous access)."""
    if not isinstance(declared, list):
        return Security(((),), fallback_pointer)
    alternatives: list[Requirement] = []
    for requirement in declared:
        if not isinstance(requirement, dict):
            continue
        alternatives.append(
            tuple(
                (credential(schemes, name, schemes_pointer), frozenset(s for s in (scopes or []) if isinstance(s, str)))
                for name, scopes in requirement.items()
            )
        )
    return Security(tuple(alternatives) or ((),), pointer)


def wire_parameters(
    views: Views, name: str, node: Node, required: bool, pointer: str, depth: int = 0
) -> list[tuple[str, Node, bool, str]]:
    """A deepObject query parameter as the wire names it sends: `filter` with property `tag`
    is `filter[tag]`, nested objects nest (`filter[created_at][gt]`); a property that may also
    be a scalar (a `oneOf` of both) is sent under its own name too. (name, schema, required, pointer)."""
    view = views.view(node)
    if not view.properties or depth >= MAX_WIRE_DEPTH:
        return [(name, node, required, pointer)]
    found: list[tuple[str, Node, bool, str]] = []
    for prop, sub in view.properties.items():
        wire = f"{name}[{prop}]"
        sub_required = required and prop in view.required
        sub_view = views.view(sub)
        if sub_view.properties:
            found += wire_parameters(views, wire, sub, sub_required, sub[0], depth + 1)
        if not sub_view.properties or sub_view.types is None or sub_view.types - {"object", "null"}:
            found.append((wire, sub, sub_required, sub[0]))
    return found


def expand(views: Views, parameter: Parameter) -> list[Parameter]:
    """`parameter`, or its wire parameters when it is a deepObject query parameter."""
    if parameter.location != "query" or parameter.style != "deepObject" or parameter.schema is None:
        return [parameter]
    return [
        Parameter(wire, "query", required, node, pointer, "deepObject", parameter.explode, parameter.deprecated)
        for wire, node, required, pointer in wire_parameters(
            views, parameter.name, parameter.schema, parameter.required, parameter.pointer
        )
    ]


def schemes_of(data: dict[str, Any], version: str) -> tuple[dict[str, Any], str]:
    if version == "2.0":
        found = data.get("securityDefinitions")
        return (found if isinstance(found, dict) else {}), "/securityDefinitions"
    components = data.get("components") if isinstance(data.get("components"), dict) else {}
    found = components.get("securitySchemes")
    return (found if isinstance(found, dict) else {}), "/components/securitySchemes"
