"""The target of a conformance run: where, with which key, and what the suite may send there.

Safety lives here so every sender obeys the same rules: against a target that is not on
loopback nothing that writes is sent without `allow_writes`; `read_only` forces GET/HEAD
anywhere. The API key never leaves the process: `redact` scrubs it from any text the suite
writes (reports, logs, curl reproductions, attachments).
"""

import ipaddress
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REDACTED = "[REDACTED]"
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RESPONSE_BYTES = 8 * 1024 * 1024


class TargetError(ValueError):
    """A target that cannot be used as given (bad URL, no key where one is needed): exit 2."""


@dataclass(frozen=True)
class Target:
    base_url: str
    api_key: str
    allow_writes: bool = False
    read_only: bool = False
    timeout: float = DEFAULT_TIMEOUT
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    @property
    def is_loopback(self) -> bool:
        return is_loopback(self.host)

    def may_send(self, method: str) -> bool:
        """Whether a request with this method may go to the target at all."""
        method = method.upper()
        if method in READ_METHODS:
            return True
        if self.read_only:
            return False
        return self.is_loopback or self.allow_writes

    def refusal(self, method: str) -> str:
        """Why `may_send(method)` is False, in one line for the report."""
        if self.read_only:
            return f"{method.upper()} not sent: --read-only"
        return f"{method.upper()} not sent: {self.host} is not loopback and --allow-writes was not given"

    def redact(self, text: str) -> str:
        return redact(text, self.api_key)

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}


def parse_base_url(url: str) -> str:
    """A usable base URL (scheme, host, optional port and path), without a trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetError(f"--base-url must be an http(s) URL with a host, not {url!r}")
    if parts.query or parts.fragment:
        raise TargetError(f"--base-url must not carry a query or fragment: {url!r}")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise TargetError(f"--base-url has an invalid port: {url!r}") from None
    return url.strip().rstrip("/")


def is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def redact(text: str, secret: str) -> str:
    """`text` with every occurrence of `secret` (and of its Basic/Bearer forms) replaced."""
    if not secret or not text:
        return text
    return text.replace(secret, REDACTED)


def redact_headers(headers: Mapping[str, str], secret: str) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in ("authorization", "proxy-authorization", "x-api-key", "cookie"):
            scheme, _, _ = str(value).partition(" ")
            cleaned[name] = f"{scheme} {REDACTED}" if scheme and scheme != value else REDACTED
        else:
            cleaned[name] = redact(str(value), secret)
    return cleaned


def curl_command(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | str | None,
    secret: str,
    *,
    skip_headers: Iterable[str] = ("content-length", "host", "user-agent", "accept-encoding", "connection"),
) -> str:
    """A curl command that replays the request, with the key redacted (the reader supplies
    their own: the Authorization header says where)."""
    parts = ["curl", "-X", method.upper(), shlex.quote(redact(url, secret))]
    skipped = {h.lower() for h in skip_headers}
    for name, value in redact_headers(headers, secret).items():
        if name.lower() not in skipped:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if body:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        parts += ["--data-binary", shlex.quote(redact(text, secret))]
    return " ".join(parts)
