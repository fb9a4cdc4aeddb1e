"""The faults switched on for one server, with their operation scopes resolved lazily."""

from conformance.server.context import Context
from conformance.server.faults.catalogue import BY_NAME, parse_fault
from conformance.server.responses import Response
from spec.index import SpecIndex


def _union(known: frozenset[str] | None, more: frozenset[str] | None) -> frozenset[str] | None:
    """Scopes of one fault given twice: `--fault hang --fault hang:X` is still every operation
    (an unscoped spec must not be narrowed by a scoped one), two scoped specs add up."""
    return None if known is None or more is None else known | more


class FaultSet:
    """The faults switched on for one server, with their operation scopes resolved lazily."""

    def __init__(self, index: SpecIndex, specs: frozenset[str] | tuple[str, ...]) -> None:
        self.index = index
        # name -> the operation ids it is narrowed to; None: every operation in its scope.
        self.enabled: dict[str, frozenset[str] | None] = {}
        for spec in specs:
            name, ids = parse_fault(spec)
            self.enabled[name] = _union(self.enabled.get(name, frozenset()), ids or None)
        self._in_scope: dict[tuple[str, str], bool] = {}

    def active(self, name: str, ctx: Context) -> bool:
        if name not in self.enabled or ctx.operation is None:
            return False
        key = (name, ctx.operation.pointer)
        if key not in self._in_scope:
            ids = self.enabled[name]
            named = ids is None or ctx.operation.operation_id in ids
            self._in_scope[key] = named and BY_NAME[name].scope(self.index, ctx.operation)
        return self._in_scope[key]

    def transform(self, ctx: Context, response: Response) -> Response:
        for name in self.enabled:
            fault = BY_NAME[name]
            if fault.transform is not None and self.active(name, ctx):
                response = fault.transform(ctx, response)
        return response
