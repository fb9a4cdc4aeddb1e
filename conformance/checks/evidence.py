"""What a failure shows: the answer of one request the run's own phases sent (pagination,
lifecycle), with its curl reproduction. Checks judge it; reports cite it."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Page:
    """One answer of a list operation, as the checks need it."""

    status: int
    body: Any
    curl: str
    query: dict[str, str] = field(default_factory=dict)

    @property
    def items(self) -> list[Any]:
        data = self.body.get("data") if isinstance(self.body, dict) else None
        return data if isinstance(data, list) else []

    @property
    def meta(self) -> dict[str, Any]:
        meta = self.body.get("meta") if isinstance(self.body, dict) else None
        return meta if isinstance(meta, dict) else {}

    @property
    def cursors(self) -> dict[str, Any]:
        cursors = self.meta.get("cursors")
        return cursors if isinstance(cursors, dict) else {}

    def link(self, name: str) -> str | None:
        """`next`/`previous`: in meta (Telnyx) or at the top of the body; None when absent or empty."""
        for holder in (self.meta, self.body if isinstance(self.body, dict) else {}):
            value = holder.get(name)
            if isinstance(value, str) and value:
                return value
        return None

    def cursor(self, name: str) -> str | None:
        value = self.cursors.get(name)
        return str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) else None
