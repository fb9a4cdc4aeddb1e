"""The target of a conformance run: where, with which key, and what the suite may send there.

Safety lives here so every sender obeys the same rules: against a target that is not on
loopback nothing that writes is sent without `allow_writes`; `read_only` forces GET/HEAD
anywhere. The API key never leaves the process: it is removed where it can occur, before
anything is serialized (`conformance/target/redaction.py`), never by rewriting a written file.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from conformance.target.curl import curl_command
from conformance.target.redaction import REDACTED, redact_headers, redact_url, redact_value, scrub

__all__ = ["REDACTED", "Target", "TargetError", "curl_command", "is_loopback", "parse_base_url", "redact_headers"]

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
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
        """Free text (a message, a log line) without the key as a whole token."""
        return scrub(text, self.api_key)

    def redact_url(self, url: str) -> str:
        return redact_url(url, self.api_key)

    def redact_value(self, value: object) -> object:
        """A JSON value without the key in its strings (keys of objects stay as they are)."""
        return redact_value(value, self.api_key)

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
    host = host.lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
