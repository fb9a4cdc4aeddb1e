"""Ed25519 key files as the Telnyx portal shows them: base64 of the 32-byte verify key
(`public.key`), and base64 of the 32-byte seed (`private.key`, mode 0600).

A key file that cannot be used is a `KeyFileError` naming the file and what is wrong with it,
never its content (a private key must not reach a terminal, a log or a report).
"""

import base64
import binascii
import os
import tempfile
from pathlib import Path

from nacl.signing import SigningKey, VerifyKey

PUBLIC_NAME = "public.key"
PRIVATE_NAME = "private.key"
MAX_KEY_FILE_BYTES = 4096


class KeyFileError(ValueError):
    """A key file that is missing, unreadable or not a base64 Ed25519 key: exit 2."""


def new_key() -> SigningKey:
    return SigningKey.generate()


def encode_private(key: SigningKey) -> str:
    return base64.b64encode(bytes(key)).decode("ascii")


def encode_public(key: VerifyKey) -> str:
    return base64.b64encode(bytes(key)).decode("ascii")


def secret_forms(key: SigningKey) -> tuple[str, ...]:
    """Every spelling of the private key that must never be written: the base64 seed, the
    base64 of libsodium's 64-byte secret key, and their hex."""
    seed = bytes(key)
    full = seed + bytes(key.verify_key)
    return (
        base64.b64encode(seed).decode(),
        base64.b64encode(full).decode(),
        seed.hex(),
        full.hex(),
    )


def _decoded(path: Path, what: str) -> bytes:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_KEY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise KeyFileError(f"{what} {path}: no such file") from None
    except OSError as exc:
        raise KeyFileError(f"{what} {path}: cannot read it ({exc.strerror or type(exc).__name__})") from None
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise KeyFileError(f"{what} {path}: too large for a key file (want one line of base64)")
    try:
        text = raw.decode("ascii").strip()
        return base64.b64decode(text, validate=True)
    except (UnicodeDecodeError, binascii.Error, ValueError):
        raise KeyFileError(f"{what} {path}: not base64 (want the base64 of a 32-byte Ed25519 key)") from None


def read_private(path: Path) -> SigningKey:
    """The signing key of a base64 seed (32 bytes) or libsodium secret key (64 bytes: seed and
    verify key, which must match)."""
    raw = _decoded(path, "--private-key")
    if len(raw) == 64:
        key = SigningKey(raw[:32])
        if bytes(key.verify_key) != raw[32:]:
            raise KeyFileError(f"--private-key {path}: a 64-byte key whose second half is not its public key")
        return key
    if len(raw) != 32:
        raise KeyFileError(f"--private-key {path}: decodes to {len(raw)} bytes, want a 32-byte Ed25519 seed")
    return SigningKey(raw)


def read_public(path: Path) -> VerifyKey:
    raw = _decoded(path, "--public-key")
    if len(raw) != 32:
        raise KeyFileError(f"--public-key {path}: decodes to {len(raw)} bytes, want a 32-byte Ed25519 public key")
    return VerifyKey(raw)


def write_pair(directory: Path, key: SigningKey, *, force: bool = False) -> tuple[Path, Path]:
    """Write `public.key` (0644) and `private.key` (0600) into `directory`; refuses to replace
    an existing key unless `force`. Each file is written to a private temporary sibling and
    renamed into place, so the private key is never readable by others, not even briefly."""
    public, private = directory / PUBLIC_NAME, directory / PRIVATE_NAME
    for path in (public, private):
        if path.exists() and not force:
            raise KeyFileError(f"{path} exists (give --force to replace the key pair)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _write(private, encode_private(key) + "\n", 0o600)
        _write(public, encode_public(key.verify_key) + "\n", 0o644)
    except OSError as exc:
        raise KeyFileError(f"cannot write the key pair to {directory}: {exc.strerror or exc}") from None
    return public, private


def _write(path: Path, text: str, mode: int) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
    try:
        os.fchmod(handle, mode)
        with os.fdopen(handle, "w", encoding="ascii") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
