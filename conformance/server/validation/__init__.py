"""Request parsing and validation for the reference server: pure functions, no sockets.

Given one operation of the spec and the raw parts of an HTTP request, decide whether the request
is valid; when it is not, name the offending part in Telnyx's error envelope (`source.parameter`
as the client spelled it, e.g. `page[size]`, or `source.pointer` into the body). Either way the
parsed values come back coerced to their schema types, because the server filters, paginates
and creates records from them.

Why hand-written rather than a library: the Telnyx spec mixes OpenAPI styles that off-the-shelf
request validators get wrong or crash on (deepObject filters next to parameters literally named
`page[size]`, multipart parts without a Content-Type, non-Latin-1 field names, 3.0 leftovers in a
3.1 document). Every entry point here is total: any bytes, query or header yield a verdict.

Status codes follow what the spec documents, so a conforming client never sees an
undocumented one: malformed syntax (query, JSON, form, multipart) is 400, values that break the
schema 422, each replaced by the other where only the other is documented; an unsupported
Content-Type is 415 where documented (nowhere in the pinned spec), else 400 or 422 likewise.

The package, by layer: `model` (parts, verdict, error table), `validate` (the entry points),
`plan` (what an operation expects, computed once), `parameters` and `body` (each part of the
request), `forms` and `media` (form, multipart and Content-Type parsing), `coercion` and
`schema_types` (text read by its schema), `validators` (compiled schemas), `text` (hygiene).
"""

from conformance.server.validation.model import ERROR_TABLE, ApiError, RequestCheck, RequestParts
from conformance.server.validation.validate import path_value_valid, validate_request

__all__ = ["ERROR_TABLE", "ApiError", "RequestCheck", "RequestParts", "path_value_valid", "validate_request"]
