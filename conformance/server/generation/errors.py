"""What generation raises: `GenerationError` to callers, `Unsatisfiable` inside the walk."""

from __future__ import annotations


class GenerationError(ValueError):
    """No valid value could be generated for a schema: the message names its pointer."""


class Unsatisfiable(Exception):
    """Internal: this branch of the walk cannot produce a value; the caller tries another."""
