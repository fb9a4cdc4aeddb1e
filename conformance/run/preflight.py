"""Preflight: is the target usable at all, before any generated request is sent?

Four probes, each answering one question a user would otherwise learn from a thousand
identical failures: does it answer, is the base path right, is our key accepted, and is a
bad key refused. Unusable targets raise `PreflightError` (one line; the run exits 3); doubtful
ones produce warnings that the run prints and keeps.

The probes go through the run's own session (`conformance.target.transport.BoundedSession`),
so they get its bounds: the response size (on the wire and decoded), one deadline per
exchange, at most a few same-host redirects. What the target did that is hostile (a dripping
body, a decompression bomb, a redirect loop, 429 for an hour...) is named in one warning line.
"""

import secrets
from dataclasses import dataclass
from typing import Any

import requests

from conformance.checks.http import TOO_MANY_REQUESTS
from conformance.run.send import MAX_WAIT
from conformance.target import Target, hostility
from conformance.target.transport import MAX_REDIRECTS, BoundedSession, failure_kind
from spec.index import Operation, SpecIndex


class PreflightError(Exception):
    """The target cannot be tested as configured; the message is one line. `warnings` name what
    the target did that is hostile, for the run to print before the error."""

    warnings: list[str]

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind  # the hostility that made the target unusable (named by the message itself)
        self.warnings = []


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


def _get(session: BoundedSession, target: Target, url: str, token: str | None, *, follow: bool = True) -> Any:
    """One probe, under the run's own bounds (size, deadline, redirects). A body cut at the
    deadline or dropped midway still has its status: that is all a probe asks."""
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    session.cookies.clear()
    try:
        answer = session.get(url, headers=headers, timeout=target.timeout, allow_redirects=follow)
    except (requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
        if exc.response is None:
            raise
        answer = exc.response
    if answer.status_code == TOO_MANY_REQUESTS:  # not retried here: the run's send loop will be
        retry_after = answer.headers.get("Retry-After")
        hostility.note(hostility.RATE_LIMITED, f"Retry-After: {retry_after[:40]}" if retry_after else None)
    return answer


def preflight(target: Target, index: SpecIndex) -> list[str]:
    """Warnings about the target; raises PreflightError when it cannot be tested. What the target
    did that is hostile (conformance.target.hostility) comes first, in one line, either way."""
    before = hostility.counts()
    try:
        warnings = _probe(target, index)
    except PreflightError as exc:
        exc.warnings = hostility_warnings(target, before, besides=exc.kind)
        raise
    return hostility_warnings(target, before) + warnings


def _probe(target: Target, index: SpecIndex) -> list[str]:
    warnings: list[str] = []
    with BoundedSession(target.max_response_bytes, target.timeout) as session:
        unknown = target.base_url + unknown_path(index)
        try:
            answer = _get(session, target, unknown, target.api_key, follow=False)
        except requests.RequestException as exc:
            raise _unusable(f"target {target.base_url}", target, exc) from None
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
            good = _get(session, target, probe.url, target.api_key)
            bad = _get(session, target, probe.url, "telnyx-conformance-wrong-" + secrets.token_hex(8))
        except requests.RequestException as exc:
            raise _unusable(f"GET {probe.url} failed:", target, exc) from None
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


def _unusable(what: str, target: Target, exc: BaseException) -> PreflightError:
    """A probe that got no answer: what the target did (or that it is unreachable), in one line."""
    text = target.redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    kind = failure_kind(exc, head=getattr(exc, "response", None) is not None)
    if isinstance(exc, requests.Timeout):
        return PreflightError(f"{what} did not answer within {target.timeout:g} s", kind)
    if kind == hostility.RESET:
        return PreflightError(f"{what} dropped the connection after the request: {text}", kind)
    if kind == hostility.GARBAGE:
        return PreflightError(f"{what} answered with something that is not HTTP: {text}", kind)
    return PreflightError(f"{what} is unreachable: {text}", kind)


def hostility_warnings(target: Target, before: dict[str, int], besides: str | None = None) -> list[str]:
    """One line naming what the target did that is hostile since `before` (but `besides`), or none."""
    seen = hostility.RECORD.since(before)
    parts = [_describe(kind, target) for kind in hostility.KINDS if kind in seen and kind != besides]
    return ["; ".join(parts)] if parts else []


def _describe(kind: str, target: Target) -> str:
    detail = hostility.RECORD.detail(kind)
    limit = f"{target.max_response_bytes / 1024 / 1024:g} MiB"
    return {
        hostility.HANG: f"the target sends no answer within {target.timeout:g} s",
        hostility.SLOW_BODY: f"the target drips or stalls its body: responses cut at the {target.timeout:g} s deadline",
        hostility.RESET: "the target drops the connection after the request",
        hostility.GARBAGE: f"the target answers with something that is not HTTP ({detail or 'unreadable'})",
        hostility.OVERSIZED: f"the target sends bodies over the {limit} limit: read up to the limit, then cut",
        hostility.DECOMPRESSION_BOMB: (
            f"the target sends a compressed body that expands past the {limit} limit (a decompression bomb): "
            "decoding stopped at the limit"
        ),
        hostility.REDIRECT_LOOP: f"the target redirects in a loop: at most {MAX_REDIRECTS} redirects followed",
        hostility.REDIRECT_OFF_HOST: (
            f"the target redirects to another host ({detail or '?'}): not followed, the API key stays on the target"
        ),
        hostility.RATE_LIMITED: (
            f"the target answers 429 ({detail or 'no Retry-After'}): each request is retried for at most "
            f"{MAX_WAIT:g} s, then its operation is reported rate-limited"
        ),
    }[kind]


def _server_path(index: SpecIndex) -> str:
    from conformance.server.routes import base_path

    return base_path(index)
