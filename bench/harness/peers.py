"""The peer tools, installed with npm at exact versions into a private prefix of the user cache."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from _common import peers_dir

NPM_INSTALL_TIMEOUT_S = 600
PRISM_PKG, PRISM_VERSION = "@stoplight/prism-cli", "5.14.2"


def installed_version(prefix: Path, package: str) -> str | None:
    try:
        manifest = json.loads((prefix / "node_modules" / package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest.get("version")


def missing_node_tool() -> str | None:
    """'node' or 'npm' when one is not on PATH (the peers are then skipped), else None."""
    for name in ("node", "npm"):
        if not shutil.which(name):
            return name
    return None


def npm_install(prefix: Path, wanted: dict[str, str]) -> str | None:
    """Install exact versions into a private prefix unless already there; None, or a one-line error.

    A private prefix (no global install) keeps the machine clean and the versions exact; the only
    network used is the npm registry.
    """
    if all(installed_version(prefix, pkg) == version for pkg, version in wanted.items()):
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found on PATH"
    print(f"installing {', '.join(f'{p}@{v}' for p, v in wanted.items())} into {prefix} ...", file=sys.stderr)
    prefix.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--prefix", str(prefix), "--save-exact", "--no-audit", "--no-fund"]
    command += ["--loglevel=error", *(f"{p}@{v}" for p, v in wanted.items())]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=prefix, check=False, timeout=NPM_INSTALL_TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        return f"npm install took over {NPM_INSTALL_TIMEOUT_S} s"
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or ["(no message)"]
        return f"npm install failed ({lines[-1].strip()})"
    return None


@dataclass
class Installed:
    """The outcome of `install_peers`: the executables, or the one reason there are none."""

    prefix: Path
    bins: dict[str, Path] = field(default_factory=dict)
    missing_tool: str | None = None  # node or npm is not on PATH
    npm_failure: str | None = None  # npm_install's one-line error
    missing_bins: list[str] = field(default_factory=list)  # installed, yet not under node_modules/.bin

    @property
    def problem(self) -> str | None:
        """Why there are no executables, in one line (the callers add what they skip), or None."""
        if self.missing_tool:
            return f"{self.missing_tool} not found on PATH"
        if self.npm_failure:
            return self.npm_failure
        if self.missing_bins:
            return f"{', '.join(self.missing_bins)} missing under {self.prefix}/node_modules/.bin after install"
        return None


def install_peers(prefix: Path, wanted: dict[str, str], bin_names: list[str]) -> Installed:
    """node and npm present, `wanted` installed into `prefix` (once), and its `bin_names` there."""
    missing_tool = missing_node_tool()
    if missing_tool:
        return Installed(prefix, missing_tool=missing_tool)
    failure = npm_install(prefix, wanted)
    if failure:
        return Installed(prefix, npm_failure=failure)
    bins = {name: prefix / "node_modules" / ".bin" / name for name in bin_names}
    missing = [name for name, path in bins.items() if not path.exists()]
    if missing:
        return Installed(prefix, missing_bins=missing)
    return Installed(prefix, bins=bins)


def install_prism_cli() -> Installed:
    """Prism into its own prefix of the peers cache: its @stoplight packages must not move Spectral's."""
    return install_peers(peers_dir() / "prism", {PRISM_PKG: PRISM_VERSION}, ["prism"])


def json_copy(spec: Path, prefix: Path) -> Path:
    """Prism parses JSON much faster than YAML (the anchors measured it so): convert once, keyed by sha."""
    raw = spec.read_bytes()
    target = prefix / f"spec-{hashlib.sha256(raw).hexdigest()[:16]}.json"
    if target.is_file():
        return target
    import orjson

    from spec.parse import parse_document

    data, _ = parse_document(raw, spec.name)
    partial = target.with_suffix(".tmp")
    partial.write_bytes(orjson.dumps(data))
    partial.replace(target)
    return target
