"""deploy/Dockerfile: the suite installed, the spec mounted at run time through TELNYX_SPEC and
never copied in. Its instructions are checked here; the image is built only where a Docker
engine runs (`docker build -f deploy/Dockerfile .`), and that test skips with the reason elsewhere."""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, ROOT

DOCKERFILE = DEPLOY / "Dockerfile"
IGNORE = DEPLOY / "Dockerfile.dockerignore"


def instructions() -> list[tuple[str, str]]:
    lines, current = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if raw.strip().startswith("#") or not raw.strip():
            continue
        current += raw.rstrip("\\").strip() + " "
        if not raw.rstrip().endswith("\\"):
            keyword, _, rest = current.strip().partition(" ")
            lines.append((keyword.upper(), rest.strip()))
            current = ""
    return lines


def test_the_spec_is_never_copied_in_and_is_found_through_telnyx_spec() -> None:
    steps = instructions()
    copies = [rest for keyword, rest in steps if keyword in ("COPY", "ADD")]
    assert copies and not any("yml" in c or "yaml" in c or "shared" in c for c in copies)
    for copy in copies:  # every source is the repository's, relative to the build context (its root)
        for source in copy.split()[:-1]:
            assert (ROOT / source).exists(), source
    env = " ".join(rest for keyword, rest in steps if keyword == "ENV")
    assert "TELNYX_SPEC=/spec/telnyx.yml" in env
    assert ("ENTRYPOINT", '["telnyx-conformance"]') in steps
    assert any(keyword == "USER" and rest not in ("root", "0") for keyword, rest in steps)
    ignored = IGNORE.read_text(encoding="utf-8").splitlines()
    assert "**/telnyx.yml" in ignored and ignored[ignored.index("**") + 1 :]  # all out, then the packages back


def _engine() -> str | None:
    """Why no image can be built here, or None when a Docker engine answers."""
    docker = shutil.which("docker")
    if docker is None:
        return "no docker command"
    try:
        done = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"docker info failed: {exc}"
    if done.returncode != 0:
        return "no Docker engine runs here: " + " ".join((done.stderr or done.stdout).split())[:160]
    return None


def test_the_image_builds_and_runs_with_a_mounted_spec(tmp_path: Path, shared_spec_path: Path) -> None:
    reason = _engine()
    if reason is not None:
        pytest.skip(reason)
    tag = "telnyx-conformance:test"
    build = subprocess.run(
        ["docker", "build", "-f", str(DOCKERFILE), "-t", tag, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    listing = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "sh", tag, "-c", "find / -name 'telnyx.yml' -not -path '/proc/*'"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert listing.stdout.strip() == ""  # no spec in the image
    mount = f"{shared_spec_path.parent}:/spec:ro"
    audit = subprocess.run(
        ["docker", "run", "--rm", "-v", mount, tag, "audit", "--format", "json", "--fail-on", "never"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert audit.returncode == 0 and audit.stdout.lstrip().startswith("{"), audit.stderr[-1000:]
