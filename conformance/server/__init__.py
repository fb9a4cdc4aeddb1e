"""The embedded reference server: a stateful, spec-driven Telnyx target on loopback."""
