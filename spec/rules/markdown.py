"""Rules about the prose fields (description, summary, title) that renderers turn into HTML."""

import re
from collections.abc import Iterator
from typing import Any

from spec.index import SpecIndex
from spec.pointer import escape
from spec.rules import rule

TEXT_KEYS = frozenset(("description", "summary", "title"))
# Keywords whose value is data, never prose to render (a `default` response is a name in a
# map of responses, so it is still walked).
_DATA = frozenset(("example", "enum", "const", "default", "value"))
# Keywords whose value maps user-chosen names to objects: a child named `default` or
# `description` is a name there, not a keyword.
_NAMED = frozenset(
    (
        "paths",
        "webhooks",
        "callbacks",
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "dependentSchemas",
        "schemas",
        "responses",
        "parameters",
        "headers",
        "requestBodies",
        "securitySchemes",
        "links",
        "pathItems",
        "content",
        "encoding",
        "variables",
        "examples",
    )
)

_UNSAFE = re.compile(
    r"<\s*script\b"  # script tags
    r"|\beval\s*\("  # eval( calls
    r"|\bjavascript\s*:"  # javascript: URLs in links
    r"|<[a-z][^>]*\son[a-z]+\s*=",  # inline event handlers (<img onerror=...>)
    re.IGNORECASE,
)


# The same patterns, loosened to match the document serialized as lower-case JSON (where a
# newline is the two characters `\n`, so word boundaries and `\s` may not hold): a superset.
_WS = r"(?:\s|\\[nrt])"
_UNSAFE_IN_JSON = re.compile(rf"<{_WS}*script|eval{_WS}*\(|javascript{_WS}*:|<[a-z][^>]*?{_WS}on[a-z]+{_WS}*=")
_STARTS = ("<", "eval", "javascript")


def _might_be_unsafe(index: SpecIndex) -> bool:
    """Every unsafe pattern starts with `<`, `eval` or `javascript`: try the loosened
    patterns only where those occur in the serialized document (~10 ms), and walk the ~80k
    nodes for exact locations only when one matches."""
    import orjson

    try:
        raw = orjson.dumps(index.doc)
    except TypeError:  # not plain JSON data: take the exact path
        return True
    text = _lower(raw)
    match = _UNSAFE_IN_JSON.match
    return any(match(text, start) for start in _occurrences(text, _STARTS))


def _lower(raw: bytes) -> str:
    """`raw.decode().lower()` as far as the (ASCII) loosened patterns can tell, 3x faster:
    lower-casing the bytes changes the ASCII letters only, and the only other characters
    that lower-case to ASCII are 'İ' and the Kelvin sign, whose presence takes the slow way."""
    text = raw.lower().decode()
    if "\u0130" in text or "\u212a" in text:
        text = raw.decode().lower()
    return text


def _occurrences(text: str, needles: tuple[str, ...]) -> Iterator[int]:
    """Where each needle starts in `text`, by `str.find` (a regex alternation would visit
    each of the 2.2M characters in turn: ten times slower)."""
    for needle in needles:
        start = text.find(needle)
        while start != -1:
            yield start
            start = text.find(needle, start + 1)


def text_fields(index: SpecIndex) -> list[tuple[Any, str, str]]:
    """(location, key, text) of every description/summary/title string in the spec's
    structure; `pointer(location, key)` names it. Data (examples, defaults, enums) and
    extensions are not prose and are skipped."""
    found: list[tuple[Any, str, str]] = []
    # Each entry carries its location as a linked (parent, key) chain, turned into a pointer
    # only when needed: far cheaper than building ~80k pointer strings. `is_map` marks a map
    # of user-chosen names (properties, responses, content...), whose keys are not keywords.
    stack: list[tuple[Any, Any, bool]] = [(index.doc, None, False)]
    while stack:
        node, link, is_map = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if is_map:
                    if isinstance(value, dict):
                        stack.append((value, (link, key), False))
                    continue
                if key in TEXT_KEYS and isinstance(value, str):
                    found.append((link, key, value))
                elif isinstance(value, (dict, list)) and key not in _DATA and not key.startswith("x-"):
                    if key == "examples" and isinstance(value, list):
                        continue  # a schema's examples: data
                    stack.append((value, (link, key), key in _NAMED))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    stack.append((value, (link, i), False))
    return found


def pointer(link: Any, key: str) -> str:
    """The JSON pointer of field `key` in the node at `link` (as given by `text_fields`)."""
    tokens: list[str] = [escape(key)]
    while link is not None:
        link, token = link
        tokens.append(escape(token))
    return "".join("/" + token for token in reversed(tokens))


@rule(
    "markdown-unsafe",
    "warning",
    "Prose fields carry no script tags, eval( calls, javascript: URLs or inline event handlers.",
    equivalents=("spectral:no-eval-in-markdown", "spectral:no-script-tags-in-markdown", "redocly:no-unsafe-markdown"),
)
def markdown_unsafe(index: SpecIndex):
    """Descriptions, summaries and titles are rendered as Markdown, which passes raw HTML
    through, by doc portals that often run on the API provider's own domain. Script tags,
    `eval(`, `javascript:` links or `on...=` handlers there are cross-site scripting waiting
    for a renderer that does not sanitize, and a spec that contains them may have been
    tampered with."""
    if not _might_be_unsafe(index):
        return
    search = _UNSAFE.search
    for link, key, text in index.shared(text_fields):
        match = search(text)
        if match:
            yield pointer(link, key), f"{key} contains unsafe markup {match.group(0)!r}"
