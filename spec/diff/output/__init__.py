"""Renderers of a diff (text, JSON, Markdown, SARIF 2.1.0) and of a drift report (text, JSON,
Markdown, HTML); only the asked format's module is imported."""

from collections.abc import Callable
from typing import Any

_DIFF = {"text": "text", "json": "json_format", "markdown": "markdown", "sarif": "sarif"}
DIFF_FORMATS = tuple(_DIFF)
DRIFT_FORMATS = ("text", "json", "markdown", "html")


def renderer(name: str) -> Callable[[Any], str]:
    import importlib

    return importlib.import_module(f"spec.diff.output.{_DIFF[name]}").render


def drift_renderer(name: str) -> Callable[[Any], str]:
    import importlib

    module = importlib.import_module("spec.diff.output.drift_html" if name == "html" else "spec.diff.output.drift")
    return getattr(module, f"render_{name}")
