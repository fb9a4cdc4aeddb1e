"""osv's format checker and the OAS 3.0 keywords, as jsonschema-rs custom keywords.

osv's checkers are `jsonschema.FormatChecker()` (every format jsonschema registers globally,
some only when an optional package is installed) plus the OAS formats. jsonschema-rs checks
other formats, and only on strings (int32 is about integers), so `format` is ours, mirroring
jsonschema 4's checks. hostname, uri, iri, json-pointer, uri-template and duration need
packages absent here (fqdn, rfc3987, jsonpointer, uri-template, isoduration): osv does not
check them, and neither do we.
"""

import base64
import binascii
import re
from collections.abc import Iterator
from typing import Any

from spec.validation.problems import show, types_text


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return False
    return True


def _ipv4(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def _ipv6(text: str) -> bool:
    import ipaddress

    try:
        return not getattr(ipaddress.IPv6Address(text), "scope_id", "")
    except ValueError:
        return False


def _date(text: str) -> bool:
    import datetime

    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII) and datetime.date.fromisoformat(text))
    except ValueError:
        return False


def _time(text: str) -> bool:
    """jsonschema's class-level "time" checker is its draft-3 one: %H:%M:%S."""
    import datetime

    try:
        datetime.datetime.strptime(text, "%H:%M:%S")
    except ValueError:
        return False
    return True


def _date_time(text: str) -> bool:
    try:
        from rfc3339_validator import validate_rfc3339
    except ImportError:  # jsonschema registers no date-time check without it
        return True
    return bool(validate_rfc3339(text.upper()))


def _idn_hostname(text: str) -> bool:
    try:
        import idna
    except ImportError:  # jsonschema registers no idn-hostname check without it
        return True
    try:
        idna.encode(text)
    except (idna.IDNAError, UnicodeError):
        return False
    return True


def _uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return all(text[position] == "-" for position in (8, 13, 18, 23))


def _byte(text: str | bytes) -> bool:
    try:
        base64.b64decode(text.encode("ascii") if isinstance(text, str) else text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


_STRING_FORMATS = {
    "email": lambda text: "@" in text,
    "idn-email": lambda text: "@" in text,
    "ipv4": _ipv4,
    "ipv6": _ipv6,
    "date": _date,
    "time": _time,
    "date-time": _date_time,
    "idn-hostname": _idn_hostname,
    "uuid": _uuid,
    "regex": _compiles,
}


def format_ok(fmt: str, value: Any, *, oas30: bool) -> bool:
    """osv's format checker (oas30 or oas31) on one value."""
    if fmt in ("int32", "int64"):
        bits = 31 if fmt == "int32" else 63
        return not _is_int(value) or -(1 << bits) <= value < (1 << bits)
    if fmt == "byte" and oas30:
        return not isinstance(value, (str, bytes)) or _byte(value)
    check = _STRING_FORMATS.get(fmt)
    return check is None or not isinstance(value, str) or check(value)


class OasFormat31:
    """`format` as osv's OAS 3.1 format checker asserts it (subclasses swap `check`)."""

    oas30 = False
    check = staticmethod(format_ok)

    def __init__(self, parent: dict, value: Any, path: list) -> None:
        self.format = value

    def validate(self, instance: Any) -> None:
        if isinstance(self.format, str) and not self.check(self.format, instance, oas30=self.oas30):
            raise ValueError(f"{show(instance)} is not a valid '{self.format}'")


class OasFormat30(OasFormat31):
    """`format` as osv's OAS 3.0 format checker asserts it (also `byte`)."""

    oas30 = True

    def validate(self, instance: Any) -> None:
        if instance is not None:
            super().validate(instance)


class Pattern:
    """`pattern` with Python's `re.search`, as openapi-schema-validator runs it."""

    def __init__(self, parent: dict, value: Any, path: list) -> None:
        self.pattern = value

    def validate(self, instance: Any) -> None:
        if not isinstance(instance, str) or not isinstance(self.pattern, str):
            return
        try:
            found = re.search(self.pattern, instance)
        except (re.error, RecursionError, OverflowError):
            return
        if found is None:
            raise ValueError(f"{show(instance)} does not match {self.pattern!r}")


_OAS30_TYPES = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": _is_int,
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


class Type30:
    """OAS 3.0 `type`: `nullable: true` admits null; otherwise null fails twice, as in osv."""

    def __init__(self, parent: dict, value: Any, path: list) -> None:
        self.type = value
        self.nullable = parent.get("nullable") is True

    def iter_errors(self, instance: Any) -> Iterator[Exception]:
        if instance is None:
            if self.nullable:
                return
            yield ValueError("null is not allowed: the schema is not nullable")
        names = self.type if isinstance(self.type, list) else [self.type]
        if not any(_OAS30_TYPES.get(name, lambda v: True)(instance) for name in names):
            yield ValueError(f"{show(instance)} is not of type {types_text(self.type)}")

    def validate(self, instance: Any) -> None:
        for error in self.iter_errors(instance):
            raise error


class Required30:
    """OAS 3.0 `required`: a readOnly or writeOnly property may be absent (osv's default)."""

    def __init__(self, parent: dict, value: Any, path: list) -> None:
        properties = parent.get("properties")
        properties = properties if isinstance(properties, dict) else {}
        self.required = [
            name for name in (value if isinstance(value, list) else []) if not _read_or_write_only(properties.get(name))
        ]

    def iter_errors(self, instance: Any) -> Iterator[Exception]:
        if isinstance(instance, dict):
            for name in self.required:
                if name not in instance:
                    yield ValueError(f"{name!r} is a required property")

    def validate(self, instance: Any) -> None:
        for error in self.iter_errors(instance):
            raise error


def _read_or_write_only(schema: Any) -> bool:
    return isinstance(schema, dict) and bool(schema.get("readOnly") or schema.get("writeOnly"))
