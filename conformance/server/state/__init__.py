"""The server's state: resource collections inferred from the spec, their records in SQLite, and
the server-side pagination of their lists.

By layer: `collections` (which paths form a collection), `pagination` (filter, sort and page a
list, with a truthful `meta`), `store` (records, their views, and the stateful answers).
"""

from conformance.server.state.collections import Collection, infer_collections, infer_lists, reference_fields
from conformance.server.state.pagination import paginate, without_page_size
from conformance.server.state.store import SEED_RECORDS, Store

__all__ = [
    "SEED_RECORDS",
    "Collection",
    "Store",
    "infer_collections",
    "infer_lists",
    "paginate",
    "reference_fields",
    "without_page_size",
]
