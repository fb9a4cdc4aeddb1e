"""Loading, pinning, caching, validation and lint of the Telnyx OpenAPI spec.

Everything here is a pure function over parsed data except `resolve`, `load` and `cache`,
which touch the file system; the CLI in `conformance.cli` sits at the edge.
"""
