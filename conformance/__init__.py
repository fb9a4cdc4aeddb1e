"""The conformance suite: CLI, checks, target configuration and the reference server."""

__version__ = "0.1.0"
