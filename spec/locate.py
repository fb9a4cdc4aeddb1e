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
import zlib
from array import array
from itertools import accumulate

from spec.pointer import escape

Position = tuple[int, int]

# A mapping key at the start of a line: quoted, or plain up to the first ": " / ":" at the end.
_KEY = re.compile(
    r"""(?:"(?P<dq>(?:[^"\\]|\\.)*)"|'(?P<sq>(?:[^']|'')*)'|(?P<plain>[^\s#'"\[\]{},&*!|>%@`?-][^\n]*?|-[^\s][^\n]*?))"""
    r"""[ \t]*:(?:[ \t]+|$)"""
)
# A value that only carries node properties (anchor or tag): the node itself follows on later lines.
_PROPS_ONLY = re.compile(r"^(?:[&!][^\s]*\s*)+(?:#.*)?$")


class Locator:
    """Maps a JSON pointer to (line, column), both 1-based, falling back to the closest ancestor.

    `table` is a dict of positions (a fresh parse) or `PackedPositions` (the parse cache's
    form, which loads ten times faster); both answer `get(pointer)`."""

    def __init__(self, table: "dict[str, Position] | PackedPositions") -> None:
        self.table = table

    @property
    def positions(self) -> dict[str, Position]:
        """Every known position, as a dict (unpacked if need be: for tests and tools)."""
        return self.table if isinstance(self.table, dict) else self.table.unpack()

    def locate(self, pointer: str) -> Position:
        get = self.table.get
        while True:
            found = get(pointer)
            if found is not None:
                return found
            if not pointer:
                return (1, 1)
            pointer = pointer[: pointer.rfind("/")]

    def locate_all(self, pointers: "list[str]") -> dict[str, Position]:
        return {pointer: self.locate(pointer) for pointer in pointers}


class LazyLocator:
    """Locates only what is asked, when a parse is not going into the cache (`--no-cache`):
    one pass over the lines that records just the wanted pointers' ancestry and skips every
    other subtree, instead of positioning all ~78k nodes of the Telnyx spec."""

    def __init__(self, text: str) -> None:
        self.text = text

    def locate_all(self, pointers: "list[str]") -> dict[str, Position]:
        if self.text.lstrip().startswith(("{", "[")):
            found = Locator(_index_json(self.text))
        else:
            wanted = {""}
            for pointer in pointers:
                while pointer and pointer not in wanted:
                    wanted.add(pointer)
                    pointer = pointer[: pointer.rfind("/")]
            found = Locator(_index_yaml(self.text, frozenset(wanted)))
        return found.locate_all(pointers)

    def locate(self, pointer: str) -> Position:
        return self.locate_all([pointer])[pointer]


class PackedPositions:
    """The positions of every pointer in four flat buffers, for the parse cache.

    As a dict, the Telnyx spec's 78k positions are 78k pointer strings (5.4 MB) and tuples,
    ~16 ms to unmarshal; as buffers, under 1 ms. A lookup finds the pointer's CRC-32 by
    binary search (`crcs` is sorted) and confirms it by comparing the pointer's bytes, so it
    is exact: pointers whose CRCs collide are neighbours and each is compared in turn.
    """

    def __init__(self, keys: bytes, offsets: array, crcs: array, places: array) -> None:
        # Entry i: pointer keys[offsets[i]:offsets[i + 1]] (UTF-8), CRC crcs[i],
        # line places[2 * i], column places[2 * i + 1].
        if not (len(offsets) == len(crcs) + 1 and len(places) == 2 * len(crcs) and offsets[-1] == len(keys)):
            raise ValueError("inconsistent packed positions")
        self.keys, self.offsets, self.crcs, self.places = keys, offsets, crcs, places

    @classmethod
    def pack(cls, positions: dict[str, Position]) -> "PackedPositions":
        keys = [_utf8(pointer) for pointer in positions]
        crcs = [zlib.crc32(key) for key in keys]
        places = list(positions.values())
        order = sorted(range(len(keys)), key=crcs.__getitem__)
        offsets = array("Q", [0])
        offsets.extend(accumulate(len(keys[i]) for i in order))
        return cls(
            b"".join([keys[i] for i in order]),
            offsets,
            array("I", [crcs[i] for i in order]),
            array("I", [number for i in order for number in places[i]]),
        )

    def state(self) -> tuple[bytes, bytes, bytes, bytes]:
        """Plain bytes, for marshal; `from_state` reverses it (ValueError when inconsistent)."""
        return (self.keys, self.offsets.tobytes(), self.crcs.tobytes(), self.places.tobytes())

    @classmethod
    def from_state(cls, state: tuple[bytes, bytes, bytes, bytes]) -> "PackedPositions":
        keys, offsets, crcs, places = state
        if not isinstance(keys, bytes):
            raise ValueError("packed positions: keys are not bytes")
        return cls(keys, _array("Q", offsets), _array("I", crcs), _array("I", places))

    def get(self, pointer: str) -> Position | None:
        key = _utf8(pointer)
        crc = zlib.crc32(key)
        crcs, offsets = self.crcs, self.offsets
        i = bisect.bisect_left(crcs, crc)
        while i < len(crcs) and crcs[i] == crc:
            if self.keys[offsets[i] : offsets[i + 1]] == key:
                return (self.places[2 * i], self.places[2 * i + 1])
            i += 1
        return None

    def unpack(self) -> dict[str, Position]:
        offsets, places = self.offsets, self.places
        return {
            self.keys[offsets[i] : offsets[i + 1]].decode("utf-8", "surrogatepass"): (places[2 * i], places[2 * i + 1])
            for i in range(len(self.crcs))
        }


def _utf8(pointer: str) -> bytes:
    # surrogatepass: a YAML escape can put a lone surrogate in a key
    return pointer.encode("utf-8", "surrogatepass")


def _array(typecode: str, data: bytes) -> array:
    values = array(typecode)
    values.frombytes(data)  # ValueError when the length is not a multiple of the item size
    return values


def build_locator(text: str) -> Locator:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return Locator(_index_json(text))
    return Locator(_index_yaml(text))


def _yaml_double_quoted(text: str) -> str:
    """A double-quoted YAML key's value: YAML's escapes (`\\x41`, `\\e`, `\\0`, `\\U0001F600`)
    are more than JSON's, so PyYAML reads it; a key no reader accepts stays as written (it is
    then not located, which is no reason to fail)."""
    import yaml

    try:
        value = yaml.safe_load('"' + text + '"')
    except yaml.YAMLError:
        return text
    return value if isinstance(value, str) else text


def _key_text(match: re.Match) -> str:
    if match.group("dq") is not None:
        return _yaml_double_quoted(match.group("dq")) if "\\" in match.group("dq") else match.group("dq")
    if match.group("sq") is not None:
        return match.group("sq").replace("''", "'")
    return match.group("plain").rstrip()


_NOT_PLAIN_START = frozenset("\"'#[]{},&*!|>%@`?-")


def _split_key(content: str) -> tuple[str | None, str]:
    """(key, value text) of a `key: value` line, or (None, "") when it is not one.

    Fast path for the usual plain key (a plain key cannot contain ": ", so the first one ends
    it); quoted keys and other rarities go through the full pattern."""
    if content[0] not in _NOT_PLAIN_START:
        cut = content.find(": ")
        if cut < 0 and content.endswith(":"):
            cut = len(content) - 1
        if cut > 0 and "\t" not in content[:cut]:
            return content[:cut].rstrip(), content[cut + 1 :].lstrip(" ")
    match = _KEY.match(content)
    if match is None:
        return None, ""
    return _key_text(match), content[match.end() :]


def _index_yaml(text: str, wanted: frozenset[str] | None = None) -> dict[str, Position]:
    """Positions of every key and item, or, given `wanted` (pointers and all their
    prefixes), only of those: any other subtree is skipped by its indentation."""
    positions: dict[str, Position] = {"": (1, 1)}
    skip_dash_at: int | None = None  # a pruned key's indentless sequence items sit at its indent
    # Frames: [indent, pointer, is_sequence, next_item_index]
    stack: list[list] = []
    pending: tuple[str, int, bool] | None = None  # (pointer, owner indent, owner is a key)
    skip_above: int | None = None  # skip continuation lines indented more than this

    def handle(indent: int, content: str, line_no: int) -> None:
        nonlocal pending, skip_above, skip_dash_at
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
            if wanted is not None and pointer not in wanted:
                skip_above = indent
                return
            positions[pointer] = (line_no, indent + 1)
            rest = content[1:].lstrip(" ")
            if not rest or rest[0] == "#" or (rest[0] in "&!" and _PROPS_ONLY.match(rest)):
                pending = (pointer, indent, False)
                return
            sub_indent = indent + len(content) - len(rest)
            if rest == "-" or rest.startswith("- ") or _KEY.match(rest):
                stack.append([sub_indent, pointer, rest.startswith("-"), 0])
                handle(sub_indent, rest, line_no)
            else:
                skip_above = indent
            return
        key, value = _split_key(content)
        if key is None:
            return
        pointer = frame[1] + "/" + (escape(key) if "~" in key or "/" in key else key)
        if wanted is not None and pointer not in wanted:
            skip_above = skip_dash_at = indent
            return
        positions[pointer] = (line_no, indent + 1)
        if not value or value[0] == "#" or (value[0] in "&!" and _PROPS_ONLY.match(value)):
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
        if skip_dash_at is not None:
            if indent == skip_dash_at and (content.startswith("- ") or content.rstrip() == "-"):
                skip_above = indent
                continue
            skip_dash_at = None
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
