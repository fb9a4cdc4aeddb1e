"""Fixtures of the webhook-contract tests: the shared spec indexed once, a key pair on disk,
and the CLI run in process with its output captured."""

import base64
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conformance.server.webhooks.keys import write_pair
from spec.index import SpecIndex

sys.path.insert(0, str(Path(__file__).parent))  # the test consumers (webhook_consumers.py)

# A private key that is easy to find: the seed "SENTINEL" x 4. Its spellings must never be written.
SENTINEL_SEED = b"SENTINEL" * 4


@pytest.fixture(scope="session")
def index(shared_spec_path: Path) -> SpecIndex:
    from spec.load import load_spec

    return load_spec(str(shared_spec_path)).index()


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path, str]:
    """(public.key, private.key, the public key's base64) of the sentinel key."""
    from nacl.signing import SigningKey

    key = SigningKey(SENTINEL_SEED)
    public, private = write_pair(tmp_path / "keys", key)
    return public, private, base64.b64encode(bytes(key.verify_key)).decode()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `telnyx-conformance ARGS...` in process: (exit code, stdout, stderr)."""
    from conformance.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        return code, out, err

    return run
