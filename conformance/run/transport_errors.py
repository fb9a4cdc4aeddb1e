"""How an exception raised while talking to the target is named in the report."""

from collections.abc import Iterator


def transport_check(exc: BaseException) -> str:
    """The name a transport error is reported under: a timeout or a dropped connection on one
    operation, after preflight reached the target, is that operation's misbehaviour."""
    import requests

    chain = [exc, exc.__cause__, exc.__context__]
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
