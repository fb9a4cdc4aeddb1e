"""Reading an answer as schemathesis hands it to a check: headers as `{lowercase: [values]}`."""

TOO_MANY_REQUESTS = 429  # never judged: the sender backs off and retries (conformance/run/send.py)


def header(headers: dict[str, list[str]], name: str) -> str | None:
    """First value of a header from schemathesis' `{lowercase name: [values]}` mapping."""
    values = headers.get(name.lower())
    return values[0] if values else None


def is_json(headers: dict[str, list[str]]) -> bool:
    media = (header(headers, "content-type") or "").split(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def label(case: object) -> str | None:
    """The "METHOD /path" of the case's operation: the name failures are filed under."""
    return case.operation.label if case is not None else None  # type: ignore[attr-defined]
