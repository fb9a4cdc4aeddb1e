"""Loading: the pin, the parse cache (never trusted when corrupt) and bad input."""

import hashlib
from pathlib import Path

import pytest

from spec import cache, parse
from spec.errors import SpecError
from spec.load import load_spec
from spec.pin import PINNED

SMALL = "openapi: 3.1.0\ninfo:\n  title: t\n  version: '1'\npaths: {}\n"


def write(tmp_path: Path, text: str | bytes, name: str = "spec.yml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_the_pinned_spec_loads_and_is_cached(shared_spec_path: Path) -> None:
    first = load_spec(shared_spec_path)
    assert first.pinned and first.sha256 == PINNED.sha256 and first.size == PINNED.size
    assert first.openapi == "3.1.0" and len(first.data["paths"]) == 566
    second = load_spec(shared_spec_path)
    assert second.from_cache and not first.from_cache
    assert second.data == first.data and second.locator.positions == first.locator.positions


def test_an_unpinned_spec_is_refused_naming_both_hashes(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    digest = hashlib.sha256(SMALL.encode()).hexdigest()
    with pytest.raises(SpecError, match=f"{digest}.*{PINNED.sha256}.*--allow-unpinned"):
        load_spec(path)
    loaded = load_spec(path, allow_unpinned=True)
    assert not loaded.pinned
    assert digest in loaded.warnings[0] and PINNED.sha256 in loaded.warnings[0]


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage"])
def test_a_corrupt_cache_is_rebuilt_not_trusted(tmp_path: Path, damage: str) -> None:
    path = write(tmp_path, SMALL)
    load_spec(path, allow_unpinned=True)
    entry = next((cache.cache_dir() / "parsed").glob("*.bin"))
    blob = bytearray(entry.read_bytes())
    if damage == "flip":
        blob[-3] ^= 0xFF
    elif damage == "truncate":
        del blob[len(blob) // 2 :]
    else:
        blob[:] = b"not a cache file"
    entry.write_bytes(bytes(blob))
    reloaded = load_spec(path, allow_unpinned=True)
    assert not reloaded.from_cache and reloaded.data["info"]["title"] == "t"
    assert load_spec(path, allow_unpinned=True).from_cache  # and rewritten


def test_cache_can_be_bypassed(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    load_spec(path, allow_unpinned=True)
    assert not load_spec(path, allow_unpinned=True, use_cache=False).from_cache


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: 3.1.0\ninfo: [a, b\npaths: {}\n", r"spec.yml:3:\d+: YAML syntax error"),
        ('{"openapi": "3.1.0",\n "info": }', r"spec.yml:2:\d+: invalid JSON"),
        ("- just\n- a list\n", "not an OpenAPI document \\(top level is list"),
        ("title: hello\n", "no 'openapi' field"),
        ("swagger: '2.0'\n", "Swagger 2.0 is not supported"),
        ("openapi: 4.0.0\n", "unsupported OpenAPI version"),
        ("   \n", "the file is empty"),
        (b"openapi: 3.1.0\ninfo: \xff\xfe\n", "not UTF-8"),
        ("[" * 500 + "]" * 500, "nested more than"),
        ("".join(f"{' ' * i}k{i}:\n" for i in range(300)) + " " * 300 + "v: 1\n", "nested more than"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, text: str | bytes, message: str) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        load_spec(write(tmp_path, text), allow_unpinned=True)
    assert "\n" not in str(caught.value)


def test_a_huge_file_is_refused_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "MAX_BYTES", 100)
    with pytest.raises(SpecError, match="over the 100-byte limit"):
        load_spec(write(tmp_path, SMALL + "#" * 200), allow_unpinned=True)


def test_yaml_that_only_pyyaml_accepts_still_loads(tmp_path: Path) -> None:
    # duplicate keys: ryaml refuses, PyYAML keeps the last one
    loaded = load_spec(write(tmp_path, SMALL + "x-a: 1\nx-a: 2\n"), allow_unpinned=True)
    assert loaded.data["x-a"] == 2


def test_json_specs_load_with_positions(tmp_path: Path) -> None:
    text = '{\n  "openapi": "3.1.0",\n  "info": {"title": "t", "version": "1"},\n  "paths": {\n    "/a": {}\n  }\n}\n'
    loaded = load_spec(write(tmp_path, text, "spec.json"), allow_unpinned=True)
    assert loaded.locator.locate("/paths/~1a") == (5, 5)
    assert loaded.locator.locate("/info/title") == (3, 12)


def test_unquoted_yaml_keys_are_strings_as_in_json(tmp_path: Path) -> None:
    text = SMALL.replace("paths: {}", "paths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n")
    loaded = load_spec(write(tmp_path, text), allow_unpinned=True)
    assert list(loaded.data["paths"]["/a"]["get"]["responses"]) == ["200"]
    assert loaded.locator.locate("/paths/~1a/get/responses/200") == (9, 9)
