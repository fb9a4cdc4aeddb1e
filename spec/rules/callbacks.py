"""Rules about callbacks: where OpenAPI lets them appear, and where it makes no sense."""

from collections.abc import Iterator
from typing import Any

from spec.index import HTTP_METHODS, SpecIndex
from spec.pointer import escape
from spec.rules import rule


def _callback_operations(index: SpecIndex, callbacks: Any, base: str) -> Iterator[tuple[str, str, dict]]:
    """(pointer, label, operation) of every operation inside a Callbacks map."""
    if not isinstance(callbacks, dict):
        return
    for name, callback in callbacks.items():
        pointer, callback = index.deref(f"{base}/{escape(name)}", callback)
        if not isinstance(callback, dict):
            continue
        for expression, item in callback.items():
            if expression.startswith("x-"):
                continue
            item_pointer, item = index.deref(f"{pointer}/{escape(expression)}", item)
            if not isinstance(item, dict):
                continue
            for method in HTTP_METHODS:
                operation = item.get(method)
                if isinstance(operation, dict):
                    yield f"{item_pointer}/{method}", f"callback {name!r} {method.upper()} {expression}", operation


@rule(
    "callbacks-in-callbacks",
    "warning",
    "Operations inside a callback define no callbacks of their own.",
    equivalents=("spectral:oas3-callbacks-in-callbacks",),
)
def callbacks_in_callbacks(index: SpecIndex):
    """A callback is a request the API sends to the consumer; a callback of that callback
    would be a request the consumer's server sends back to someone, which the API cannot
    promise or document. Tools do not support the nesting, and it is usually a misplaced
    indentation level."""
    sources: list[tuple[Any, str]] = [
        (op.node.get("callbacks"), f"{op.pointer}/callbacks") for op in (*index.operations, *index.webhook_operations)
    ]
    components = index.doc.get("components")
    if isinstance(components, dict):
        sources.append((components.get("callbacks"), "/components/callbacks"))
    seen: set[str] = set()
    for callbacks, base in sources:
        for pointer, label, operation in _callback_operations(index, callbacks, base):
            if "callbacks" in operation and pointer not in seen:
                seen.add(pointer)
                yield f"{pointer}/callbacks", f"{label} defines callbacks inside a callback"


@rule(
    "webhook-callbacks",
    "warning",
    "Webhook operations define no callbacks.",
    equivalents=("spectral:oas3_1-callbacks-in-webhook",),
    versions=("3.1",),
)
def webhook_callbacks(index: SpecIndex):
    """A webhook is already a request the API sends out; callbacks hanging off it would be
    requests the consumer's receiver makes, which the provider cannot describe or
    guarantee. Tools ignore them, and readers are misled about what the API does."""
    for operation in index.webhook_operations:
        if "callbacks" in operation.node:
            yield (
                f"{operation.pointer}/callbacks",
                f"webhook {operation.path!r} {operation.method.upper()} defines callbacks",
            )
