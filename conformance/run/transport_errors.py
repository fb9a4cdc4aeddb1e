"""How an exception raised while talking to the target is named in the report."""

from collections.abc import Iterator

# The checks under which an operation is given up for the rest of the run, once met.
STALLED = frozenset({"request_timeout", "connection_error", "rate_limited"})


def transport_check(exc: BaseException) -> str:
    """The name a transport error is reported under: a timeout or a dropped connection on one
    operation, after preflight reached the target, is that operation's misbehaviour; a call
    given up on 429 is `rate_limited` (classified `setup`: the target was pacing us)."""
    import requests

    from conformance.run.send import RateLimited

    chain = [exc, exc.__cause__, exc.__context__]
    if any(isinstance(e, RateLimited) for e in chain):
        return "rate_limited"  # not judged: the operation is errored under the run's own class
    if any(isinstance(e, requests.Timeout) for e in chain):
        return "request_timeout"
    if any(isinstance(e, (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)) for e in chain):
        return "connection_error"
    return "request"


def leaves(exc: BaseException) -> Iterator[BaseException]:
    """The individual exceptions of (nested) exception groups: hypothesis reports several
    distinct bugs as a group, schemathesis several check failures as a FailureGroup."""
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from leaves(inner)
    else:
        yield exc


def again(exc: BaseException) -> BaseException:
    """A fresh copy of `exc` (same type and arguments, no traceback, cause or context): what an
    operation given up earlier raises on each later case."""
    try:
        return type(exc)(*exc.args)
    except Exception:  # an exception type whose constructor wants other arguments
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def failure_text(exc: BaseException) -> str | None:
    """`exc` as the failures it holds, without tracebacks: each leaf's type, message and notes
    (Hypothesis notes the falsifying example). None when some leaf is not the target's doing
    (neither a check's failure nor a transport error), so a bug of the suite shows its frames."""
    import traceback

    from schemathesis.core.failures import Failure, FailureGroup

    def target_did(leaf: BaseException) -> bool:
        return isinstance(leaf, Failure) or transport_check(leaf) != "request"

    if not all(target_did(leaf) for leaf in leaves(exc)):
        return None

    def render(error: BaseException) -> list[str]:
        if isinstance(error, BaseExceptionGroup) and not isinstance(error, FailureGroup):
            parts = [f"{error.message} ({len(error.exceptions)}):"]
            for number, inner in enumerate(error.exceptions, start=1):
                parts += [f"--- {number} of {len(error.exceptions)} ---", *render(inner)]
            return parts
        # A FailureGroup's message already lists each check's failure and the curl that replays it.
        return ["".join(traceback.format_exception_only(error)).rstrip()]

    return "\n".join(render(exc)) + "\n"
