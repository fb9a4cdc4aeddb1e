"""The catalogue as data: one `Fault` per entry, with its name, what it breaks, the operations it
may touch (`scopes`), the check of the suite that must catch it, and its response rewrite
(`rewrites`) when it acts on the finished response; `parse_fault` reads `NAME[:opId,...]`."""

from collections.abc import Callable
from dataclasses import dataclass

from conformance.server.context import Context
from conformance.server.faults.rewrites import (
    drop_required,
    error_on_edge_input,
    inconsistent_rate_headers,
    invalid_json,
    malformed_envelope,
    missing_content_type,
    no_rate_headers,
    null_non_nullable,
    oversized,
    rewrite,
    undocumented_status,
    with_rewrite,
    wrong_content_type,
    wrong_type,
)
from conformance.server.faults.scopes import (
    Scope,
    any_operation,
    collection_op,
    has_input,
    json_success,
    secured,
    triggers_webhooks,
    undocumented_possible,
)
from conformance.server.faults.values import (
    e164_wrong_country,
    invalid_country_code,
    invalid_currency_code,
    non_rfc3339_timestamp,
    record_type_malformed,
)
from conformance.server.responses import Response


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    caught_by: str
    scope: Scope = any_operation
    transform: Callable[[Context, Response], Response] | None = None

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "description": self.description, "caught_by": self.caught_by}


CATALOGUE: tuple[Fault, ...] = (
    Fault("required-property-dropped", "drops a required property from success bodies",
          "response_schema_conformance", json_success, lambda c, r: rewrite(c, r, drop_required)),
    Fault("wrong-property-type", "sends a property with the wrong JSON type (a string as a number, ...)",
          "response_schema_conformance", json_success, with_rewrite(wrong_type)),
    Fault("null-in-non-nullable", "sends null in a property whose schema does not allow null",
          "response_schema_conformance", json_success, with_rewrite(null_non_nullable)),
    Fault("undocumented-status", "answers success with a 2xx code the operation does not document "
          "(operations without a default or 2XX response)",
          "status_code_conformance", undocumented_possible, undocumented_status),
    Fault("wrong-content-type", "labels JSON success bodies text/html",
          "content_type_conformance", json_success, wrong_content_type),
    # schemathesis raises the same MissingContentType failure from its schema check and its
    # content-type check, and reports it once, under the schema check that runs first.
    Fault("missing-content-type", "sends success bodies without a Content-Type header",
          "response_schema_conformance", json_success, missing_content_type),
    Fault("malformed-error-envelope", "sends errors as {\"error\": ...} instead of the errors[] envelope",
          "telnyx_error_envelope", any_operation, malformed_envelope),
    Fault("auth-not-enforced", "accepts requests without a valid bearer token",
          "ignored_auth", secured),
    Fault("invalid-input-accepted", "answers 2xx to requests that break the spec's parameter or body schemas",
          "negative_data_rejection", has_input),
    Fault("valid-input-rejected", "answers 422 to requests that conform to the spec",
          "positive_data_acceptance", any_operation),
    Fault("server-error-on-edge-input", "answers 500 when a string input is empty or over 255 characters",
          "not_a_server_error", has_input, error_on_edge_input),
    Fault("page-size-ignored", "ignores page[size] and always returns the default page size",
          "telnyx_page_size", collection_op("list")),
    Fault("wrong-totals", "reports total_results one higher than the items that exist",
          "telnyx_page_totals", collection_op("list")),
    Fault("duplicates-across-pages", "repeats the last item of a page at the start of the next",
          "telnyx_page_duplicates", collection_op("list")),
    Fault("cursor-loop", "in cursor mode (page[after]) returns a meta.cursors.after that points back "
          "into the first page, so following cursors never ends",
          "telnyx_cursor_progress", collection_op("list")),
    Fault("filter-ignored", "returns unfiltered lists whatever filter[...] asks",
          "telnyx_filter_applied", collection_op("list")),
    Fault("sort-ignored", "returns lists in insertion order whatever sort asks",
          "telnyx_sort_applied", collection_op("list")),
    Fault("page-number-zero-based", "echoes meta.page_number zero-based, one less than the page[number] served",
          "telnyx_page_number", collection_op("list")),
    Fault("past-end-not-empty", "answers a page[number] past the last page with the last page's items again",
          "telnyx_page_past_end", collection_op("list")),
    Fault("page-size-bounds-unchecked", "answers 200 (at the default page size) to a page[size] its bounds "
          "refuse (0, -1, 251, \"abc\") instead of a 4xx",
          "telnyx_page_size_bounds", collection_op("list")),
    Fault("deleted-resource-retrievable", "answers DELETE but keeps the resource retrievable",
          "use_after_free", collection_op("delete")),
    Fault("created-missing-from-list", "creates resources that never appear in the list",
          "telnyx_created_resource_listed", collection_op("list", "create")),
    Fault("created-not-retrievable", "answers 404 to GET /{id} of a resource it created (seeded ones are served)",
          "telnyx_created_resource_retrievable", collection_op("get")),
    Fault("created-fields-not-stored", "creates resources without the fields sent: retrieving one shows "
          "generated values instead", "telnyx_created_resource_echo", collection_op("create")),
    Fault("unresolvable-reference-id", "on a create whose body refers to another resource by id "
          "(`billing_group_id`), moves that resource out of the caller's reach: the reference stays, "
          "GET of it answers 404", "telnyx_reference_resolves", collection_op("create")),
    Fault("update-ignored", "answers PATCH/PUT 2xx but changes nothing",
          "telnyx_update_reflected", collection_op("patch", "put")),
    Fault("deleted-resource-server-error", "answers 500 (neither 404 nor 2xx) to GET /{id} of a resource it deleted",
          "telnyx_deleted_resource_404", collection_op("get")),
    Fault("deleted-resource-still-listed", "keeps deleted resources in the list, though GET /{id} of one answers 404",
          "telnyx_deleted_resource_unlisted", collection_op("list")),
    Fault("delete-in-use-accepted", "deletes a record another record still refers to by a `*_id` field "
          "(an outbound voice profile a credential connection uses) instead of the documented error",
          "telnyx_scenario_step", collection_op("delete")),
    Fault("missing-rate-limit-headers", "omits the x-ratelimit-* headers",
          "telnyx_rate_limit_headers", any_operation, no_rate_headers),
    Fault("inconsistent-rate-limit-headers", "sends x-ratelimit-remaining above the limit and a negative reset",
          "telnyx_rate_limit_headers", any_operation, inconsistent_rate_headers),
    Fault("invalid-json-body", "sends success bodies that are not valid JSON",
          "response_schema_conformance", json_success, invalid_json),
    Fault("hang", "never answers (sleeps past any client timeout)",
          "request_timeout", any_operation),
    Fault("connection-reset", "drops the connection halfway through the response body",
          "connection_error", any_operation),
    # The value conventions: each body stays valid against its schema, only the value checks see them.
    Fault("non-rfc3339-timestamp", "writes a `*_at` field the spec leaves to the convention as \"12/07/2026 10:00\"",
          "telnyx_timestamp_format", json_success, with_rewrite(non_rfc3339_timestamp)),
    Fault("invalid-country-code", "writes a `country_code`-like field as ISO alpha-3 (`USA`) instead of alpha-2",
          "telnyx_country_code", json_success, with_rewrite(invalid_country_code)),
    Fault("invalid-currency-code", "writes a `*currency` field in lowercase (`usd`), not as its ISO 4217 code",
          "telnyx_currency_code", json_success, with_rewrite(invalid_currency_code)),
    Fault("e164-wrong-country", "answers a `*phone_number` that is valid E.164, but of another country than "
          "its object's `country_code` (a +44 number on a US address)",
          "telnyx_phone_number", json_success, with_rewrite(e164_wrong_country)),
    Fault("record-type-malformed", "writes a `record_type` without enum or const as a class name "
          "(`MessagingProfile`), not Telnyx's snake_case type name",
          "telnyx_record_type", json_success, with_rewrite(record_type_malformed)),
    Fault("oversized-body", "answers success with a 64 MiB body",
          "response_size_limit", json_success, oversized),
    # Webhook faults act on the deliveries an operation triggers (conformance/server/webhooks), and
    # are caught by the checks of `webhooks listen` (conformance/webhooks/checks.py), not of the run.
    Fault("webhook-bad-signature", "signs webhook deliveries over another body than the one sent",
          "webhooks.signature", triggers_webhooks),
    Fault("webhook-stale-timestamp", "sends webhook deliveries with a telnyx-timestamp 600 s old (signed as sent)",
          "webhooks.timestamp", triggers_webhooks),
    Fault("webhook-schema-invalid", "sends webhook bodies whose event id and occurred_at are numbers",
          "webhooks.schema", triggers_webhooks),
    Fault("webhook-wrong-event-type", "sends webhook bodies with an event_type no webhook of the spec has",
          "webhooks.event_type", triggers_webhooks),
    Fault("webhook-missing-signature", "sends webhook deliveries without the telnyx-signature-ed25519 header",
          "webhooks.headers", triggers_webhooks),
)  # fmt: skip


BY_NAME = {fault.name: fault for fault in CATALOGUE}


def parse_fault(spec: str) -> tuple[str, frozenset[str]]:
    """`NAME` or `NAME:opId,opId` -> (name, operation ids; empty = every operation in scope)."""
    name, _, ids = spec.partition(":")
    if name not in BY_NAME:
        raise ValueError(f"unknown fault {name!r} (see --list-faults)")
    return name, frozenset(i for i in ids.split(",") if i)
