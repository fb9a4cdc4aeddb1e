"""Renderers of an audit result: text for terminals, JSON, SARIF 2.1.0 and Markdown."""

from collections.abc import Callable

from spec.audit import AuditResult


def renderer(name: str) -> Callable[[AuditResult], str]:
    from spec.output import json_format, markdown, sarif, text

    return {"text": text.render, "json": json_format.render, "sarif": sarif.render, "markdown": markdown.render}[name]


FORMATS = ("text", "json", "sarif", "markdown")
