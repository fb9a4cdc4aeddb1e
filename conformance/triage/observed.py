"""What triage judges: one failure as the run observed it, in the spec's own coordinates.

schemathesis reports a schema failure against its bundled copy of the response schema
(`x-bundled/schema000001/properties/record_type/enum`); triage needs the place in the spec
(`/components/schemas/MessagingProfile/properties/record_type/enum`) to ask whether the spec
has a problem exactly there. `observe` turns a failure into that record; the corpus of
labelled cases (`tests/triage/cases/`) writes the same record by hand.
"""

from dataclasses import dataclass
from typing import Any

from spec.index import Operation, SpecIndex
from spec.pointer import escape
from spec.telnyx import documented_status, media_type, response_object

BUNDLE = "x-bundled"
_ABSENT = object()


@dataclass(frozen=True)
class Observed:
    check: str
    message: str = ""
    status: int | None = None
    keyword_location: str | None = None  # the failing keyword's pointer in the spec
    instance_path: tuple[str | int, ...] | None = None  # where the failing value sits in the body
    instance: Any = _ABSENT  # the failing value itself
    sent: Any = None  # what the request carried: (body, query, path parameters)
    failure_kind: str = ""  # the schemathesis failure's class name (DiscriminatorMismatch, ...)

    @property
    def has_instance(self) -> bool:
        return self.instance is not _ABSENT


def response_schema_pointer(index: SpecIndex, operation: Operation, status: int | None) -> str | None:
    """The pointer of the JSON schema the operation documents for this status."""
    key = documented_status(operation, status) if status is not None else None
    if key is None:
        return None
    pointer, node = response_object(index, operation, key)
    kind = media_type(node)
    if kind is None or not isinstance(node["content"].get(kind), dict) or "schema" not in node["content"][kind]:
        return None
    return f"{pointer}/content/{escape(kind)}/schema"


def keyword_location(failure: Any, root: str | None) -> str | None:
    """The spec pointer of the keyword a schemathesis JsonSchemaError failed on: through the
    bundle's names where the path enters a `$ref`, else under the response schema `root`."""
    path = list(getattr(failure, "schema_path", None) or [])
    if not path:
        return None
    names = getattr(failure, "_name_to_uri", None) or {}
    starts = [i for i in range(len(path) - 1) if path[i] == BUNDLE and path[i + 1] in names]
    if starts:
        start = starts[-1]
        uri = str(names[path[start + 1]])
        fragment = uri.split("#", 1)[1] if "#" in uri else ""
        if not fragment.startswith("/"):
            return None  # another document: not a place in this spec
        return fragment + "".join(f"/{escape(str(token))}" for token in path[start + 2 :])
    if root is None:
        return None
    return root + "".join(f"/{escape(str(token))}" for token in path)


def observe(
    index: SpecIndex | None,
    operation: Operation | None,
    check: str,
    message: str,
    status: int | None = None,
    failure: Any = None,
    sent: Any = None,
) -> Observed:
    location = None
    if failure is not None and index is not None and operation is not None and hasattr(failure, "schema_path"):
        location = keyword_location(failure, response_schema_pointer(index, operation, status))
    instance_path = getattr(failure, "instance_path", None)
    return Observed(
        check=check,
        message=message,
        status=status,
        keyword_location=location,
        instance_path=tuple(instance_path) if isinstance(instance_path, (list, tuple)) else None,
        instance=getattr(failure, "instance", _ABSENT) if failure is not None else _ABSENT,
        sent=sent,
        failure_kind=type(failure).__name__ if failure is not None else "",
    )
