"""Key files: keygen writes the pair as the Telnyx portal shows it (private.key 0600); a key
file that cannot be used ends any command in one line and exit 2, its content never shown."""

import base64
import stat
from pathlib import Path

import pytest
from nacl.signing import SigningKey, VerifyKey

from conformance.server.webhooks.keys import KeyFileError, read_private, read_public
from conformance.server.webhooks.signing import message, parse_timestamp, sign, signed_headers, verify


def test_keygen_writes_a_usable_pair_with_a_private_file_of_mode_0600(tmp_path: Path, cli) -> None:
    code, out, err = cli("webhooks", "keygen", "--out", str(tmp_path / "k"))
    assert code == 0 and err == ""
    public, private = tmp_path / "k" / "public.key", tmp_path / "k" / "private.key"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE(public.stat().st_mode) == 0o644
    key = read_private(private)
    assert len(base64.b64decode(public.read_text())) == 32
    assert bytes(read_public(public)) == bytes(key.verify_key)
    assert private.read_text().strip() not in out
    code, _, err = cli("webhooks", "keygen", "--out", str(tmp_path / "k"))
    assert code == 2 and "exists" in err and err.count("\n") == 1
    assert cli("webhooks", "keygen", "--out", str(tmp_path / "k"), "--force")[0] == 0
    assert read_private(private) != key


BAD_KEYS = {
    "not-base64.key": b"this is not base64 !!!\n",
    "short.key": base64.b64encode(b"x" * 16) + b"\n",
    "binary.key": bytes(range(256)),
    "mismatch.key": base64.b64encode(b"A" * 32 + b"B" * 32),
    "empty.key": b"",
}


@pytest.mark.parametrize("name", [*BAD_KEYS, "missing.key"])
def test_a_bad_key_file_is_one_line_and_exit_2(tmp_path: Path, cli, name: str) -> None:
    path = tmp_path / name
    if name in BAD_KEYS:
        path.write_bytes(BAD_KEYS[name])
    for argv in (
        ("webhooks", "send", "--url", "http://127.0.0.1:9/", "--private-key", str(path)),
        ("webhooks", "listen", "--port", "0", "--public-key", str(path), "--count", "1"),
    ):
        code, out, err = cli(*argv)
        assert code == 2 and out == ""
        assert err.startswith("telnyx-conformance: error: --") and err.count("\n") == 1, err
        assert str(path) in err
        if name in BAD_KEYS and BAD_KEYS[name].strip():
            assert BAD_KEYS[name].decode("latin-1").strip() not in err  # the content is never shown


def test_a_64_byte_libsodium_secret_key_is_accepted(tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "full.key"
    path.write_bytes(base64.b64encode(bytes(key) + bytes(key.verify_key)))
    assert read_private(path) == key
    with pytest.raises(KeyFileError, match="32-byte Ed25519 public key"):
        read_public(path)


def test_the_signature_is_telnyx_s_scheme() -> None:
    """Ed25519 over `timestamp|raw body`, base64, checked with PyNaCl directly."""
    key = SigningKey.generate()
    body = b'{"data":{"event_type":"call.answered"}}'
    headers = signed_headers(key, "1700000000", body)
    raw = base64.b64decode(headers["telnyx-signature-ed25519"])
    VerifyKey(bytes(key.verify_key)).verify(b"1700000000|" + body, raw)  # raises when wrong
    assert message("1700000000", body) == b"1700000000|" + body
    assert verify(key.verify_key, "1700000000", body, sign(key, "1700000000", body))
    assert not verify(key.verify_key, "1700000001", body, headers["telnyx-signature-ed25519"])
    assert not verify(key.verify_key, "1700000000", body + b" ", headers["telnyx-signature-ed25519"])
    assert not verify(key.verify_key, "1700000000", body, "not base64!")
    assert not verify(key.verify_key, "1700000000", body, base64.b64encode(b"short").decode())


def test_timestamps_are_ascii_digits_only() -> None:
    assert parse_timestamp("1700000000") == 1700000000
    for bad in ("", "-1", "1700000000x", "1.7e9", " 1700000000", "１７００", "9" * 40):
        assert parse_timestamp(bad) is None, bad
