"""The entry points: `validate_request` (the verdict on one request) and `path_value_valid`."""

from typing import Any

from conformance.server.validation.body import check_body
from conformance.server.validation.model import ERROR_TABLE, MAX_ERRORS, ApiError, RequestCheck, RequestParts
from conformance.server.validation.parameters import check_headers, check_path, check_query
from conformance.server.validation.plan import Plan, build_param, plan_for
from conformance.server.validation.text import detail_text
from spec.index import Operation, SpecIndex


def validate_request(index: SpecIndex, operation: Operation, parts: RequestParts) -> RequestCheck:
    """Parse and validate `parts` against `operation`; never raises.

    The safety net turns an unexpected exception into a 400 of kind "internal" rather than a
    crashed server; the fuzz tests assert it is never reached."""
    try:
        return _validate(index, operation, parts)
    except Exception as exc:  # a bug, not a verdict: keep serving
        error = ApiError(
            "internal", detail_text(f"The request could not be processed ({type(exc).__name__})."), pointer=""
        )
        return RequestCheck(errors=[error], status=400)


def _validate(index: SpecIndex, operation: Operation, parts: RequestParts) -> RequestCheck:
    plan = plan_for(index, operation)
    check = RequestCheck()
    errors = check.errors
    check_path(plan, parts.path_params, check.params["path"], errors)
    check_query(plan, parts.query, check.params["query"], errors)
    check_headers(plan, parts.headers, check.params["header"], errors)
    if plan.body is not None:
        check_body(plan, parts, check, errors)
    if errors:
        check.errors = _one_per_source(errors)
        check.status = _status_for(plan, check.errors)
    return check


def path_value_valid(index: SpecIndex, pointer: str, raw: dict[str, Any], text: str) -> bool:
    """Would a request carrying `text` for this path parameter pass validation? The server's
    state asks before it mints a record id, so that every id it lists can be requested back."""
    param = build_param(index, pointer, raw)
    if param is None:
        return True
    plan = Plan(index, (param,), {}, {}, (), None, semantic_status=422, media_status=400)
    errors: list[ApiError] = []
    try:
        check_path(plan, {param.name: text}, {}, errors)
    except Exception:
        return False
    return not errors


def _one_per_source(errors: list[ApiError]) -> list[ApiError]:
    """The first error for each parameter/pointer (a bad value often breaks both `type` and
    `enum`; one message per field is what a client can act on), at most MAX_ERRORS."""
    seen: set[tuple[str | None, str | None]] = set()
    kept: list[ApiError] = []
    for error in errors:
        key = (error.parameter, error.pointer)
        if key not in seen:
            seen.add(key)
            kept.append(error)
    return kept[:MAX_ERRORS]


def _status_for(plan: "Plan", errors: list[ApiError]) -> int:
    """Media-type problems first, then syntax (400), then schema violations."""
    classes = {ERROR_TABLE[e.kind][2] for e in errors}
    if "media" in classes:
        return plan.media_status
    if "syntax" in classes:
        return plan.syntax_status
    return plan.semantic_status
