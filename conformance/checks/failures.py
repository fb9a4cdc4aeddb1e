"""Every failure type the suite's own checks raise, in one place.

Each is a `schemathesis.core.failures.Failure` subclass whose `checks` names the one check it
belongs to (one type per check), with a stable `code` and title, so reports group by type and
tests assert the kind without parsing messages. The failures of the phases that send their own
requests (pagination, lifecycle) carry the `Page` that shows them, for the curl reproduction.
The catalogue page (`docs/catalogue.md`) is generated from these docstrings.
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from schemathesis.core.failures import Failure, FailureGroup, Severity
from schemathesis.openapi.checks import UseAfterFree

from conformance.checks.evidence import Page


class PageFailure(Failure):
    """A failure shown by one request a phase sent itself (`page`): its check is its one
    check, and failures of one check differ by their message."""

    __slots__ = ("page",)

    @property
    def check(self) -> str:
        return self.checks[0]

    @property
    def _unique_key(self) -> str:
        return self.message


class TelnyxErrorEnvelopeViolation(PageFailure):
    """A 4xx/5xx JSON body that is not Telnyx's `{"errors": [{code, title, detail, source}]}`:
    on any answer the run judges, and on the errors the pagination and lifecycle phases provoke
    (an invalid page size, a page past the end, a deleted resource), then with that `page`."""

    code = "TX101"
    checks = ("telnyx_error_envelope",)
    kind_title = "Malformed Telnyx error envelope"
    __slots__ = ("problems",)

    def __init__(
        self, *, operation: str | None, problems: list[str], message: str | None = None, page: Page | None = None
    ) -> None:
        super().__init__(operation=operation, message=message or "; ".join(problems), severity=Severity.MEDIUM)
        self.problems = problems
        self.page = page


class TelnyxRateLimitViolation(Failure):
    """Missing, non-integer or inconsistent x-ratelimit-* headers."""

    code = "TX102"
    checks = ("telnyx_rate_limit_headers",)
    kind_title = "Invalid Telnyx rate-limit headers"
    __slots__ = ("problems",)

    def __init__(self, *, operation: str | None, problems: list[str]) -> None:
        super().__init__(operation=operation, message="; ".join(problems), severity=Severity.MEDIUM)
        self.problems = problems


class ResponseTooLarge(Failure):
    """A body over the run's maximum response size (`Target.max_response_bytes`)."""

    code = "TX103"
    checks = ("response_size_limit",)
    kind_title = "Response over the size limit"
    __slots__ = ("limit", "size")

    def __init__(self, *, operation: str | None, size: int, limit: int) -> None:
        super().__init__(
            operation=operation, message=f"{size:,} bytes, over the limit of {limit:,}", severity=Severity.MEDIUM
        )
        self.size, self.limit = size, limit


# --- value conventions ---------------------------------------------------------------------------


class ConventionFailure(Failure):
    """Values of a success body that break the Telnyx convention their field's name puts them
    under (`conventions.py`), where the spec says no other: each with its place in the body."""

    code = "TX400"
    kind_title = "Value convention violation"
    __slots__ = ("breaches",)

    def __init__(self, *, operation: str | None, breaches: Sequence[Any]) -> None:
        messages = [breach.message() for breach in breaches[:5]]
        more = f"; and {len(breaches) - 5} more" if len(breaches) > 5 else ""
        super().__init__(operation=operation, message="; ".join(messages) + more, severity=Severity.MEDIUM)
        self.breaches = list(breaches)

    @property
    def _unique_key(self) -> str:
        return self.message


class TimestampFormatViolation(ConventionFailure):
    """A `*_at` or `occurred_at` value that is not an RFC 3339 date-time (`12/07/2026 10:00`)."""

    code = "TX401"
    checks = ("telnyx_timestamp_format",)
    kind_title = "Timestamp not RFC 3339"


class CountryCodeViolation(ConventionFailure):
    """A `country_code`-like value that is not an ISO 3166-1 alpha-2 code (`us`, `USA`)."""

    code = "TX402"
    checks = ("telnyx_country_code",)
    kind_title = "Country code not ISO 3166-1 alpha-2"


class CurrencyCodeViolation(ConventionFailure):
    """A `*currency` value that is not an ISO 4217 code (`usd`, `$`)."""

    code = "TX403"
    checks = ("telnyx_currency_code",)
    kind_title = "Currency not ISO 4217"


class PhoneNumberViolation(ConventionFailure):
    """A `*phone_number` that is not E.164, or whose calling code is not its object's `country_code`'s."""

    code = "TX404"
    checks = ("telnyx_phone_number",)
    kind_title = "Phone number not E.164 of its country"


class RecordTypeViolation(ConventionFailure):
    """A `record_type` other than the values its schema documents (where no enum or const does)."""

    code = "TX405"
    checks = ("telnyx_record_type",)
    kind_title = "Undocumented record_type"


# --- pagination ----------------------------------------------------------------------------------


class PaginationFailure(PageFailure):
    """A failure of one pagination or lifecycle check, with the page (request) that shows it."""

    code = "TX200"
    kind_title = "Pagination violation"
    severity_level: ClassVar[Severity] = Severity.MEDIUM

    def __init__(self, *, operation: str, message: str, page: Page | None = None) -> None:
        super().__init__(operation=operation, message=message, severity=self.severity_level)
        self.page = page


class PageSizeViolation(PaginationFailure):
    """A page holds more items than `page[size]` asked for, or `meta.page_size` does not echo it."""

    code = "TX201"
    checks = ("telnyx_page_size",)
    kind_title = "Page size not honoured"


class PageNumberViolation(PaginationFailure):
    """`meta.page_number` does not echo the page asked for."""

    code = "TX202"
    checks = ("telnyx_page_number",)
    kind_title = "Page number not echoed"


class PageTotalsViolation(PaginationFailure):
    """`total_pages` is not `ceil(total_results / page_size)`, or walking every page does not
    yield `total_results` items."""

    code = "TX203"
    checks = ("telnyx_page_totals",)
    kind_title = "Inconsistent pagination totals"


class PageDuplicatesViolation(PaginationFailure):
    """An item appears on two pages of one walk, or two walks of unchanged data differ."""

    code = "TX204"
    checks = ("telnyx_page_duplicates",)
    kind_title = "Items repeated or lost across pages"


class PastEndViolation(PaginationFailure):
    """A page past the last is neither empty nor a documented error with the error envelope."""

    code = "TX205"
    checks = ("telnyx_page_past_end",)
    kind_title = "Page past the end not empty"


class PageSizeBoundsViolation(PaginationFailure):
    """`page[size]` outside its declared bounds (or not a number) was not refused with a 4xx
    (the envelope of the 4xx is `telnyx_error_envelope`'s to judge)."""

    code = "TX206"
    checks = ("telnyx_page_size_bounds",)
    kind_title = "Invalid page size accepted"


class CursorViolation(PaginationFailure):
    """Following cursors loops, repeats or skips items, or does not end."""

    code = "TX207"
    checks = ("telnyx_cursor_progress",)
    kind_title = "Cursor pagination does not progress"


class FilterViolation(PaginationFailure):
    """An equality filter on an item property returned items that do not match it."""

    code = "TX208"
    checks = ("telnyx_filter_applied",)
    kind_title = "Filter not applied"


class SortViolation(PaginationFailure):
    """`sort=field` / `sort=-field` returned items out of that order."""

    code = "TX209"
    checks = ("telnyx_sort_applied",)
    kind_title = "Sort not applied"


# --- lifecycle -----------------------------------------------------------------------------------


class CreatedNotRetrievable(PaginationFailure):
    """A resource the create answered 2xx for cannot be retrieved."""

    code = "TX301"
    checks = ("telnyx_created_resource_retrievable",)
    kind_title = "Created resource not retrievable"


class CreatedNotEchoed(PaginationFailure):
    """Retrieving a created resource shows other values than were sent for fields it echoes."""

    code = "TX302"
    checks = ("telnyx_created_resource_echo",)
    kind_title = "Created resource differs from what was sent"


class CreatedNotListed(PaginationFailure):
    """A created resource does not appear in its collection's list."""

    code = "TX303"
    checks = ("telnyx_created_resource_listed",)
    kind_title = "Created resource missing from the list"


class UpdateNotReflected(PaginationFailure):
    """Retrieving an updated resource does not show the update."""

    code = "TX304"
    checks = ("telnyx_update_reflected",)
    kind_title = "Update not reflected"


class DeletedNotGone(PaginationFailure):
    """After a successful delete, retrieving the resource answers neither 404 nor 2xx."""

    code = "TX305"
    checks = ("telnyx_deleted_resource_404",)
    kind_title = "Deleted resource not 404"


class DeletedStillListed(PaginationFailure):
    """A deleted resource still appears in its collection's list."""

    code = "TX306"
    checks = ("telnyx_deleted_resource_unlisted",)
    kind_title = "Deleted resource still listed"


class ReferenceUnresolvable(PaginationFailure):
    """A created resource refers to another by id (`billing_group_id`), the run saw that one
    resolve before the create, and retrieving it now answers 404: the reference leads nowhere."""

    code = "TX307"
    checks = ("telnyx_reference_resolves",)
    kind_title = "Referenced resource cannot be resolved"


class DeletedRetrievable(UseAfterFree):
    """schemathesis' use-after-free, found by the lifecycle: the page is the evidence."""

    def __init__(self, *, operation: str, message: str, free: str, usage: str, page: Page) -> None:
        super().__init__(operation=operation, message=message, free=free, usage=usage)
        self.page = page


# --- scenarios -----------------------------------------------------------------------------------


class ScenarioStepFailed(PaginationFailure):
    """A step of a named multi-step scenario (conformance/run/phases/scenarios, docs/scenarios.md)
    did not answer as the flow needs: its status, a value, a list that should hold what an earlier
    step created, or a value to extract for the next steps. The message names the scenario and the
    step; the page's curl replays every step up to the failing one."""

    code = "TX401"
    checks = ("telnyx_scenario_step",)
    kind_title = "Scenario step failed"
    __slots__ = ("step",)

    def __init__(self, *, operation: str, message: str, step: int, page: Page | None = None) -> None:
        super().__init__(operation=operation, message=message, page=page)
        self.step = step  # 1-based, in the scenario's steps


class Failures(FailureGroup, AssertionError):
    """Several failures of one test, reported to pytest as a failed (not errored) test."""


def raise_all(failures: Sequence[Failure]) -> None:
    if len(failures) == 1:
        raise failures[0]
    if failures:
        raise Failures(list(failures), f"{len(failures)} pagination failures")
