"""What a run is asked to do (the CLI's options, as one record) and how it ends (exit codes)."""

from dataclasses import dataclass, field
from typing import Any

from conformance.target import DEFAULT_TIMEOUT

EXIT_OK, EXIT_FAILURES, EXIT_USAGE, EXIT_TARGET = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # Ctrl-C: the report holds what was gathered
# --fail-on: the failure classes that exit 1 (`drift` only exists in a run with --client)
FAIL_ON = {"server": {"server"}, "spec": {"spec"}, "drift": {"drift"}, "any": {"server", "spec", "setup", "drift"}}


class RunError(Exception):
    """A run that cannot start or finish; `code` is the exit code, the message one line."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class RunOptions:
    base_url: str | None = None
    api_key: str | None = None
    spec: str | None = None
    allow_unpinned: bool = False
    include_tags: list[str] = field(default_factory=list)
    exclude_tags: list[str] = field(default_factory=list)
    operation_ids: list[str] = field(default_factory=list)
    max_examples: int = 10
    max_pages: int = 5  # pages walked per list by the pagination checks
    seed: int | None = None
    allow_writes: bool = False
    read_only: bool = False
    timeout: float = DEFAULT_TIMEOUT
    report_dir: str = "reports"
    rate_limit: str | None = None  # "N/s": schemathesis paces the requests (shared out among workers)
    workers: int = 1  # pytest-xdist processes; each runs a share of the operations
    last_failed: bool = False  # only the operations that failed or errored in the report dir's last run
    labels: list[str] = field(default_factory=list)  # "METHOD /path" to run (from --last-failed)
    fail_on: str = "server"
    quiet: bool = False  # no progress line, no per-test output
    compare: str | None = None  # a previous run's report dir, for the matrix
    shard: Any = None  # conformance.run.shards.Shard: run part K of N (the runner resolves flag or environment)
    durations: str | None = None  # a previous run's durations.json: shards packed by measured time
    scenarios: list[str] = field(default_factory=list)  # --scenarios DIR: the user's scenario files
    no_scenarios: bool = False  # not even the built-in scenarios
    stateful: bool = False  # schemathesis' stateful phase (links inferred from the spec)
    rate_limit_scope: str = "total"  # --rate-limit is the total over all shards ("total") or each shard's
    webhooks: bool = False  # receive the target's webhooks and judge them (conformance/run/webhooks.py)
    webhook_public_url: str | None = None  # where a remote target reaches the sink (a tunnel)
    webhook_public_key: str | None = None  # a remote target's webhook public key file
    webhook_port: int = 0  # the sink's loopback port (0: a free one)
    webhook_grace: float = 10.0  # seconds waited at most for late deliveries
    client: str | None = None  # an old client's spec: its operations, its requests, its expectations
