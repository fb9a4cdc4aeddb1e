"""Media type names and their parameters (`multipart/form-data; boundary=x`)."""

import codecs
import re


def parse_media_type(raw: str) -> tuple[str, dict[str, str]]:
    """("multipart/form-data", {"boundary": "x"}) from a Content-Type value; quotes removed."""
    media, _, rest = raw.partition(";")
    options: dict[str, str] = {}
    for match in _OPTION.finditer(rest):
        value = match.group(2)
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        options.setdefault(match.group(1).lower(), value)
    return media.strip().lower(), options


_OPTION = re.compile(r"""\s*([^\s=;]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*?)\s*(?:;|$)""")


def is_json_type(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def charset_of(options: dict[str, str]) -> str:
    name = options.get("charset", "utf-8")
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return "utf-8"
