"""Schema-scoped schemathesis hooks of a run: count requests, note what each answer covered,
and keep what each failing check saw (check name, status, a redacted curl) for the summary."""

from typing import Any

from conformance.reporting.results import Evidence
from conformance.run.context import RunContext
from conformance.target import Target


def register_hooks(context: RunContext) -> None:
    """Schema-scoped hooks: count requests, and keep what each failing check saw (check
    name, status, a redacted curl) for the summary; the pytest exception carries only the
    Failure objects."""
    from schemathesis.engine import Status

    results, target = context.results, context.target

    def after_call(ctx: Any, case: Any, response: Any) -> None:
        results.requests += 1
        observe(context, case.operation.label, response)

    def after_validate(ctx: Any, case: Any, response: Any, results_: list[Any]) -> None:
        request = response.request
        curl = _curl(target, request)
        sent_key = bool(target.api_key) and request.headers.get("Authorization") == f"Bearer {target.api_key}"
        operation = results.operations.get(case.operation.label)
        for result in results_:
            if operation is not None:
                operation.checks_run.add(result.name)
            if result.status == Status.FAILURE and result.failure is not None:
                evidence = Evidence(result.name, response.status_code, sent_key, curl)
                evidence.sent = (case.body, case.query, case.path_parameters)  # for by-value triage
                if context.client is not None:  # --client: does the pinned spec allow what failed?
                    evidence.drift = context.client.judge(case, response, result.name)
                if context.allure:
                    from conformance.reporting.allure import describe_request, describe_response

                    evidence.request = describe_request(request, target)
                    evidence.response = describe_response(response, target)
                results.record_evidence(case.operation.label, result.failure, evidence)

    context.schema.hook(after_call)
    context.schema.hook(after_validate)


def observe(context: RunContext, label: str, response: Any) -> None:
    """Status code and documented properties of one answer, for the matrix's coverage."""
    result = context.results.operations.get(label)
    operation = context.operations.get(label)
    if result is None or operation is None:
        return
    result.observed_statuses[response.status_code] += 1
    if b"{" not in response.content[:64]:
        return
    try:
        import orjson

        body = orjson.loads(response.content)
    except ValueError:
        return
    result.properties_seen |= context.coverage().seen(operation, response.status_code, body)


def _curl(target: Target, request: Any) -> str:
    from conformance.target import curl_command

    return curl_command(request.method, request.url, dict(request.headers), request.body, target.api_key)
