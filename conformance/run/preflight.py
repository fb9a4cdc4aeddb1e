"""Preflight: is the target usable at all, before any generated request is sent?

Four probes, each answering one question a user would otherwise learn from a thousand
identical failures: does it answer, is the base path right, is our key accepted, and is a
bad key refused. Unusable targets raise `PreflightError` (one line; the run exits 3); doubtful
ones produce warnings that the run prints and keeps.
"""

import secrets
from dataclasses import dataclass

import httpx

from conformance.target import Target
from spec.index import Operation, SpecIndex


class PreflightError(Exception):
    """The target cannot be tested as configured; the message is one line."""


@dataclass(frozen=True)
class Probe:
    operation: Operation
    url: str


def probe_operation(index: SpecIndex, base_url: str) -> Probe | None:
    """A GET with no path or required parameters that needs auth: the cheapest request that
    proves routing and authentication (`GET /addresses` on the Telnyx spec)."""
    doc_security = index.doc.get("security")
    candidates = []
    for operation in index.operations:
        if operation.method != "get" or "{" in operation.path:
            continue
        if any(p.get("required") for _, p in index.parameters(operation)):
            continue
        security = operation.node.get("security", doc_security)
        if not security or any(isinstance(r, dict) and not r for r in security):
            continue
        candidates.append(operation)
    if not candidates:
        return None
    chosen = min(candidates, key=lambda o: (o.path.count("/"), o.path))
    return Probe(chosen, base_url + chosen.path)


def unknown_path(index: SpecIndex) -> str:
    """A path that no template of the spec matches. A spec can document success on any path of
    one or two segments (Telnyx's storage routes `/{bucketName}` and `/{bucketName}/{objectName}`):
    a server answering 200 there conforms, so the probe goes deeper than such templates reach."""
    from conformance.server.routes import compile_routes

    routes = compile_routes(index)
    segments = [f"telnyx-conformance-preflight-{secrets.token_hex(4)}"]
    while len(segments) < 32 and any(route.pattern.match("/" + "/".join(segments)) for route in routes):
        segments.append("unknown")
    return "/" + "/".join(segments)


def _get(client: httpx.Client, url: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.get(url, headers=headers)


def preflight(target: Target, index: SpecIndex) -> list[str]:
    """Warnings about the target; raises PreflightError when it cannot be tested."""
    warnings: list[str] = []
    with httpx.Client(timeout=target.timeout, follow_redirects=False) as client:
        unknown = target.base_url + unknown_path(index)
        try:
            answer = _get(client, unknown, target.api_key)
        except httpx.TimeoutException:
            raise PreflightError(f"target {target.base_url} did not answer within {target.timeout:g} s") from None
        except httpx.HTTPError as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise PreflightError(f"target {target.base_url} is unreachable: {target.redact(reason)}") from None
        if 200 <= answer.status_code < 300:
            raise PreflightError(
                f"GET {unknown} answered {answer.status_code}: the target answers unknown paths with success "
                "(a catch-all route, or the wrong base URL)"
            )
        probe = probe_operation(index, target.base_url)
        if probe is None:
            warnings.append("no parameterless secured GET in the spec: routing and auth not probed")
            return warnings
        try:
            good = _get(client, probe.url, target.api_key)
            bad = _get(client, probe.url, "telnyx-conformance-wrong-" + secrets.token_hex(8))
        except httpx.HTTPError as exc:
            raise PreflightError(f"GET {probe.url} failed: {target.redact(str(exc) or type(exc).__name__)}") from None
        if good.status_code == 404:
            raise PreflightError(
                f"GET {probe.url} answered 404: the base URL looks wrong (the spec's server path is "
                f"{_server_path(index) or '/'})"
            )
        if good.status_code in (401, 403):
            raise PreflightError(f"GET {probe.url} answered {good.status_code} with the API key: the key was refused")
        if not 400 <= bad.status_code < 500 or bad.status_code == 404:
            warnings.append(
                f"GET {probe.url} with a wrong API key answered {bad.status_code}: the target does not check "
                "authentication (the run's auth checks will report it)"
            )
    return warnings


def _server_path(index: SpecIndex) -> str:
    from conformance.server.routes import base_path

    return base_path(index)
