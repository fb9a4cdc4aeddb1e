"""A curl command that replays a request, with the key redacted where it was sent (the
reader supplies their own: the Authorization header says where)."""

import shlex
from collections.abc import Iterable, Mapping

from conformance.target.redaction import redact_body, redact_headers, redact_url


def curl_command(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | str | None,
    secret: str,
    *,
    skip_headers: Iterable[str] = ("content-length", "host", "user-agent", "accept-encoding", "connection"),
) -> str:
    """Built from its parts, each redacted on its own: the URL (userinfo, path, query values),
    each header value, the body's values; then quoted for a shell."""
    parts = ["curl", "-X", method.upper(), shlex.quote(redact_url(url, secret))]
    skipped = {h.lower() for h in skip_headers}
    for name, value in redact_headers(headers, secret).items():
        if name.lower() not in skipped:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if body:
        parts += ["--data-binary", shlex.quote(redact_body(body, secret) or "")]
    return " ".join(parts)
