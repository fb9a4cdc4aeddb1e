"""Renderers of an audit result: text for terminals, JSON, SARIF 2.1.0 and Markdown."""

from collections.abc import Callable

from spec.audit import AuditResult


def renderer(name: str) -> Callable[[AuditResult], str]:
    """The `render` of format `name`; only that format's module is imported."""
    import importlib

    return importlib.import_module(f"spec.output.{_MODULES[name]}").render


_MODULES = {"text": "text", "json": "json_format", "sarif": "sarif", "markdown": "markdown"}
FORMATS = tuple(_MODULES)
