"""The parse cache's payload: packed positions, the index walk, and what happens when they are wrong."""

import hashlib
from pathlib import Path

import pytest

from spec import cache
from spec.index import build_index, walk_structure
from spec.load import load_spec
from spec.locate import PackedPositions, build_locator

SPEC = """\
openapi: 3.1.0
info:
  title: t
  version: '1'
paths:
  /pets/{id}:
    get:
      parameters:
      - $ref: '#/components/parameters/Id'
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Pet'
components:
  parameters:
    Id: {name: id, in: path, required: true, schema: {type: string}}
  schemas:
    Pet:
      type: object
      properties:
        name: {type: string}
        tags:
          type: array
          items: {$ref: '#/components/schemas/Tag'}
    Tag: {type: string}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yml"
    path.write_text(text)
    return path


def test_a_warm_load_gives_the_cold_index_and_positions(tmp_path: Path) -> None:
    path = write(tmp_path, SPEC)
    cold = load_spec(path, allow_unpinned=True)
    warm = load_spec(path, allow_unpinned=True)
    assert warm.from_cache and not cold.from_cache
    cold_index, warm_index = cold.index(), warm.index()
    assert [p for p, _ in warm_index.schemas] == [p for p, _ in cold_index.schemas]
    assert warm_index.refs == cold_index.refs == walk_structure(warm.data)[1]
    # the cached walk points into the cached data itself, not into a copy of it
    fresh = build_index(warm.data)
    assert all(a is b for (_, a), (_, b) in zip(warm_index.schemas, fresh.schemas, strict=True))
    assert warm.locator.positions == cold.locator.positions


@pytest.mark.parametrize(
    "payload",
    [
        ("wrong", "shape"),
        ({"openapi": "3.1.0"}, (b"", b"", b"", b"x"), ([], [])),  # packed positions of the wrong length
        ({"openapi": "3.1.0"}, (b"", b"\0" * 8, b"", b""), "not a walk"),
    ],
)
def test_a_well_checksummed_entry_of_the_wrong_shape_is_rebuilt(tmp_path: Path, payload: tuple) -> None:
    path = write(tmp_path, SPEC)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    cache.store(sha256, payload)
    loaded = load_spec(path, allow_unpinned=True)
    assert not loaded.from_cache and loaded.data["info"]["title"] == "t"
    assert load_spec(path, allow_unpinned=True).from_cache  # and rewritten


def test_packed_positions_answer_exactly_what_the_dict_does() -> None:
    positions = build_locator(SPEC).positions
    # Two pointers with the same CRC-32: each must still find its own position.
    positions["/paths/p29685295"] = (100, 1)
    positions["/paths/p32060020"] = (200, 2)
    packed = PackedPositions.from_state(PackedPositions.pack(positions).state())
    assert all(packed.get(pointer) == place for pointer, place in positions.items())
    assert packed.unpack() == positions
    assert packed.get("/components/schemas/Nope") is None
    del positions["/paths/p32060020"]
    assert PackedPositions.pack(positions).get("/paths/p32060020") is None


def test_shared_strings_keep_the_data_equal() -> None:
    first, second = "".join(["ty", "pe"]), "".join(["t", "ype"])
    value = ({first: [second, {second: first}]}, ["x"])
    cache.share_strings(value)
    data = value[0]
    assert data == {"type": ["type", {"type": "type"}]}
    key = next(iter(data))
    assert data[key][0] is key and next(iter(data[key][1])) is key
