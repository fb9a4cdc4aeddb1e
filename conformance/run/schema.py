"""The schemathesis schema a run tests: the target's URL and key, the phases and their budget,
the selection of operations, and the knowledge the suite's checks read from it."""

from typing import Any

from conformance.target import Target


def build_schema(
    data: dict[str, Any],
    target: Target,
    *,
    seed: int,
    max_examples: int,
    include_tags: list[str],
    exclude_tags: list[str],
    operation_ids: list[str],
    labels: list[str] | None = None,
    rate_limit: str | None = None,
    stateful: bool = False,
) -> Any:
    """The schemathesis schema: the target's URL and key, examples + coverage + fuzzing
    phases bounded by `max_examples`, every built-in check (all enabled by default) plus ours;
    `labels` ("METHOD /path") narrow it further, `rate_limit` ("N/s") paces the requests.
    `stateful` (`run --stateful`) lets schemathesis infer the links its state machine follows
    (the Telnyx spec declares none); off, `as_state_machine()` finds no links at all."""
    import schemathesis
    from schemathesis.config import SchemathesisConfig

    import conformance.checks  # noqa: F401 - registers the Telnyx checks
    from strategies.formats import register_formats

    register_formats()  # E.164 numbers, ISO codes, decimals... for the spec's string formats

    config = SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "base-url": target.base_url,
            "headers": target.auth_headers(),
            "request-timeout": target.timeout,
            "generation": {"max-examples": max_examples, "database": "none"},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": stateful},
            },
            **({"rate-limit": rate_limit} if rate_limit else {}),
        }
    )
    schema = schemathesis.openapi.from_dict(data, config=config)
    if operation_ids:
        schema = schema.include(operation_id=operation_ids)
    if labels:
        schema = schema.include(name=labels)
    if include_tags:
        schema = schema.include(tag=include_tags)
    if exclude_tags:
        schema = schema.exclude(tag=exclude_tags)
    return schema
