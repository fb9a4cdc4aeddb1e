"""The conformance suite: CLI, run, checks, triage, reporting, target configuration and the
reference server (see docs/architecture.md for the map)."""

from spec.version import VERSION as __version__

__all__ = ["__version__"]
