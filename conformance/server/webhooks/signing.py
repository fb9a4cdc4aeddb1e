"""Telnyx's webhook signature: Ed25519 over `f"{timestamp}|{raw_body}"`, base64 in the
`telnyx-signature-ed25519` header, the Unix timestamp in `telnyx-timestamp`.

Pure functions over bytes; PyNaCl (what the official Python SDK uses) does the cryptography.
"""

import base64
import binascii

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from spec.webhooks import SIGNATURE_HEADER, TIMESTAMP_HEADER

TOLERANCE = 300  # seconds, the official SDKs' default
JSON = "application/json"


def message(timestamp: str, body: bytes) -> bytes:
    """What Telnyx signs: the timestamp header's text, a `|`, and the raw body bytes."""
    return timestamp.encode("utf-8") + b"|" + body


def sign(key: SigningKey, timestamp: str, body: bytes) -> str:
    return base64.b64encode(key.sign(message(timestamp, body)).signature).decode("ascii")


def verify(key: VerifyKey, timestamp: str, body: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is `key`'s over `timestamp|body`; never raises."""
    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(raw) != 64:
        return False
    try:
        key.verify(message(timestamp, body), raw)
    except BadSignatureError:
        return False
    return True


def signed_headers(key: SigningKey, timestamp: str, body: bytes) -> dict[str, str]:
    """The headers of a correctly signed delivery of `body` at `timestamp`."""
    return {"content-type": JSON, SIGNATURE_HEADER: sign(key, timestamp, body), TIMESTAMP_HEADER: timestamp}


def parse_timestamp(text: str) -> int | None:
    """The header as Unix seconds: ASCII digits only (no sign, fraction or spaces), else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None
