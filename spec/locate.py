"""Source positions for JSON pointers, without a slow node-building YAML parser.

The fast parser (ryaml) returns plain data with no positions, and PyYAML's composer costs
0.8 s on the 2.8 MB spec. OpenAPI documents are written in block style, so one pass over the
lines, tracking indentation, gives every mapping key and sequence item its line and column.
Anything the scanner does not descend into (flow collections, block scalars) is located at
its nearest located ancestor. `tests/spec/test_locate.py` checks it against PyYAML's marks.
"""

import bisect
import json
import re
from dataclasses import dataclass

from spec.pointer import escape

Position = tuple[int, int]

# A mapping key at the start of a line: quoted, or plain up to the first ": " / ":" at the end.
_KEY = re.compile(
    r"""(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^']|'')*)'|(?P<plain>[^\s#'"\[\]{},&*!|>%@`?-][^\n]*?|-[^\s][^\n]*?))"""
    r"""[ \t]*:(?:[ \t]+|$)"""
)
# A value that only carries node properties (anchor or tag): the node itself follows on later lines.
_PROPS_ONLY = re.compile(r"^(?:[&!][^\s]*\s*)+(?:#.*)?$")


@dataclass
class Locator:
    """Maps a JSON pointer to (line, column), both 1-based, falling back to the closest ancestor."""

    positions: dict[str, Position]

    def locate(self, pointer: str) -> Position:
        positions = self.positions
        while True:
            found = positions.get(pointer)
            if found is not None:
                return found
            if not pointer:
                return (1, 1)
            pointer = pointer[: pointer.rfind("/")]


def build_locator(text: str) -> Locator:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return Locator(_index_json(text))
    return Locator(_index_yaml(text))


def _key_text(match: re.Match) -> str:
    if match.group("dq") is not None:
        return json.loads('"' + match.group("dq") + '"') if "\\" in match.group("dq") else match.group("dq")
    if match.group("sq") is not None:
        return match.group("sq").replace("''", "'")
    return match.group("plain").rstrip()


def _index_yaml(text: str) -> dict[str, Position]:
    positions: dict[str, Position] = {"": (1, 1)}
    # Frames: [indent, pointer, is_sequence, next_item_index]
    stack: list[list] = []
    pending: tuple[str, int, bool] | None = None  # (pointer, owner indent, owner is a key)
    skip_above: int | None = None  # skip continuation lines indented more than this

    def handle(indent: int, content: str, line_no: int) -> None:
        nonlocal pending, skip_above
        is_dash = content == "-" or content.startswith("- ")
        if pending is not None:
            pointer, owner_indent, owner_is_key = pending
            pending = None
            if indent > owner_indent or (is_dash and owner_is_key and indent == owner_indent):
                stack.append([indent, pointer, is_dash, 0])
        while stack and (stack[-1][0] > indent or (stack[-1][0] == indent and stack[-1][2] != is_dash)):
            stack.pop()
        if not stack:
            if positions.get("\0root"):
                return
            positions["\0root"] = (line_no, indent + 1)
            stack.append([indent, "", is_dash, 0])
        frame = stack[-1]
        if frame[0] != indent:
            return
        if is_dash:
            pointer = f"{frame[1]}/{frame[3]}"
            frame[3] += 1
            positions[pointer] = (line_no, indent + 1)
            rest = content[1:].lstrip(" ")
            if not rest or rest.startswith("#") or _PROPS_ONLY.match(rest):
                pending = (pointer, indent, False)
                return
            sub_indent = indent + len(content) - len(rest)
            if rest == "-" or rest.startswith("- ") or _KEY.match(rest):
                stack.append([sub_indent, pointer, rest.startswith("-"), 0])
                handle(sub_indent, rest, line_no)
            else:
                skip_above = indent
            return
        match = _KEY.match(content)
        if match is None:
            return
        pointer = frame[1] + "/" + escape(_key_text(match))
        positions[pointer] = (line_no, indent + 1)
        value = content[match.end() :]
        if not value or value.startswith("#") or _PROPS_ONLY.match(value):
            pending = (pointer, indent, True)
        else:
            skip_above = indent

    for line_no, raw in enumerate(text.split("\n"), 1):
        content = raw.lstrip(" ")
        indent = len(raw) - len(content)
        if skip_above is not None:
            if indent > skip_above or not content.strip():
                continue
            skip_above = None
        content = content.rstrip()
        if not content or content.startswith("#"):
            continue
        if indent == 0 and (content.startswith("%") or content in ("---", "...") or content.startswith("--- ")):
            continue
        handle(indent, content, line_no)
    positions.pop("\0root", None)
    return positions


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def _index_json(text: str) -> dict[str, Position]:
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    positions: dict[str, Position] = {}

    def position(offset: int) -> Position:
        line = bisect.bisect_right(line_starts, offset)
        return (line, offset - line_starts[line - 1] + 1)

    # Frames: [pointer, is_array, index, current_key_pointer, expecting_key]
    stack: list[list] = []

    def value_pointer(offset: int) -> str:
        if not stack:
            positions[""] = position(offset)
            return ""
        frame = stack[-1]
        if frame[1]:
            pointer = f"{frame[0]}/{frame[2]}"
            positions[pointer] = position(offset)
            return pointer
        return frame[3]

    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == "{" or first == "[":
            stack.append([value_pointer(match.start()), first == "[", 0, "", first == "{"])
        elif first == "}" or first == "]":
            if stack:
                stack.pop()
        elif first == ",":
            if stack:
                if stack[-1][1]:
                    stack[-1][2] += 1
                else:
                    stack[-1][4] = True
        elif first == ":":
            continue
        elif first == '"' and stack and not stack[-1][1] and stack[-1][4]:
            frame = stack[-1]
            key = json.loads(token) if "\\" in token else token[1:-1]
            frame[3] = frame[0] + "/" + escape(key)
            frame[4] = False
            positions[frame[3]] = position(match.start())
        else:
            value_pointer(match.start())
    positions.setdefault("", (1, 1))
    return positions
