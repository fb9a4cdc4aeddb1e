"""The old path of request validation, now the package `conformance.server.validation`.

Kept only for code outside the server that still imports it from here (`conformance/wire_check.py`
at the time of the split); new code imports `conformance.server.validation`. Delete this module
once nothing imports it.
"""

from conformance.server.validation import RequestParts, validate_request

__all__ = ["RequestParts", "validate_request"]
