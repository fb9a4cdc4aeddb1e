"""The suite's version, read from the installed package's metadata (pyproject.toml is the one
place it is written); the SARIF report and `--version` both show it."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("telnyx-conformance")
except PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "0+unknown"
