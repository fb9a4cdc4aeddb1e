"""The deploy recipes' files (deploy/), read once, and the commands they run."""

import re
import shlex
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
WORKFLOW = DEPLOY / "github" / "conformance.yml"
GITLAB = DEPLOY / "gitlab" / ".gitlab-ci.yml"
KUBERNETES = sorted((DEPLOY / "kubernetes").glob("*.yaml"))


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def invocations(script: str, values: dict[str, str]) -> list[list[str]]:
    """Every `telnyx-conformance ...` command of a shell script, as argv after the program name:
    continuation lines joined, `${{ expr }}`, `$VAR`, `${VAR}` and `"$VAR"` replaced from `values`
    (an unknown name stands for nothing, as an unset variable), `|| ...` and `; ...` cut off."""
    joined = script.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        if "telnyx-conformance " not in line or line.strip().startswith("#"):
            continue
        text = re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: values.get(m.group(1), ""), line)
        text = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: values.get(m.group(1), ""), text)
        text = re.split(r"\s(?:\|\||;|&&)\s", text)[0]
        words = shlex.split(text)
        start = next(i for i, w in enumerate(words) if w.endswith("telnyx-conformance"))
        found.append(words[start + 1 :])
    return found
