"""Which operations a fault can touch: each scope is a predicate on (index, operation)."""

from collections.abc import Callable

from conformance.server.auth import requirements
from conformance.server.state import infer_collections
from spec.index import Operation, SpecIndex
from spec.telnyx import JSON, media_type, response_object, success_status

Scope = Callable[[SpecIndex, Operation], bool]


def any_operation(index: SpecIndex, operation: Operation) -> bool:
    return True


def json_success(index: SpecIndex, operation: Operation) -> bool:
    status = success_status(operation)
    if status is None:
        return False
    _, node = response_object(index, operation, status)
    return media_type(node) == JSON


def secured(index: SpecIndex, operation: Operation) -> bool:
    options = requirements(index, operation)
    return bool(options) and all(isinstance(o, dict) and o for o in options)


def undocumented_possible(index: SpecIndex, operation: Operation) -> bool:
    """Only operations without a `default` or `2XX` response: those document every status
    (schemathesis skips status_code_conformance for them), so no answer is undocumented."""
    responses = operation.node.get("responses")
    codes = {str(code).upper() for code in responses} if isinstance(responses, dict) else set()
    return "DEFAULT" not in codes and "2XX" not in codes


def has_input(index: SpecIndex, operation: Operation) -> bool:
    return bool(index.parameters(operation)) or "requestBody" in operation.node


def triggers_webhooks(index: SpecIndex, operation: Operation) -> bool:
    """Operations whose success sends webhooks (conformance/server/webhooks/triggers.py)."""
    from conformance.server.webhooks.triggers import trigger_of

    return trigger_of(operation.operation_id) is not None


def collection_op(*kinds: str) -> Scope:
    def scope(index: SpecIndex, operation: Operation) -> bool:
        collections = index.shared(infer_collections)
        return any(c.operations.get(k) is operation for c in collections.values() for k in kinds)

    return scope
