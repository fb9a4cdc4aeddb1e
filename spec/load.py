"""Read, pin-check, parse (or take from cache) and locate a spec: the entry point of `spec/`."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spec import cache
from spec.errors import SpecError
from spec.index import SpecIndex, Structure, build_index, walk_structure
from spec.locate import LazyLocator, Locator, PackedPositions, build_locator
from spec.pin import PINNED
from spec.resolve import SpecLocation, locate_spec, remember_pinned


@dataclass
class LoadedSpec:
    path: Path
    sha256: str
    size: int
    data: dict[str, Any]
    locator: Locator | LazyLocator
    pinned: bool
    from_cache: bool
    warnings: list[str] = field(default_factory=list)
    structure: Structure | None = field(default=None, repr=False)  # `walk_structure(data)`, when known

    def index(self) -> SpecIndex:
        """A new index of the spec, without walking it again when the walk is known."""
        return build_index(self.data, self.structure)

    @property
    def openapi(self) -> str:
        return str(self.data.get("openapi", ""))

    @property
    def is_31(self) -> bool:
        return self.openapi.startswith("3.1") or self.openapi.startswith("3.2")


def load_spec(spec: str | Path | None = None, *, allow_unpinned: bool = False, use_cache: bool = True) -> LoadedSpec:
    location = locate_spec(spec)
    return load_location(location, allow_unpinned=allow_unpinned, use_cache=use_cache)


def load_any(spec: str | Path | None, *, use_cache: bool = True) -> LoadedSpec:
    """Any version of any API (Swagger 2.0, OpenAPI 3.0, 3.1), pinned or not and without a
    warning: what `diff` and `drift` compare is two versions, neither of which need be the pin."""
    return load_location(
        locate_spec(spec),
        allow_unpinned=True,
        use_cache=use_cache,
        check_pin=False,
        accept_swagger=True,
    )


def load_location(
    location: SpecLocation,
    *,
    allow_unpinned: bool,
    use_cache: bool,
    check_pin: bool = True,
    accept_swagger: bool = False,
) -> LoadedSpec:
    path = location.path
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read spec {path}: {exc.strerror or exc}") from None
    sha256 = hashlib.sha256(raw).hexdigest()
    warnings: list[str] = []
    pinned = sha256 == PINNED.sha256
    if not pinned and check_pin:
        message = (
            f"spec {path} has sha256 {sha256}, but the suite is pinned to {PINNED.sha256} "
            f"({PINNED.repository}@{PINNED.commit} {PINNED.path})"
        )
        if not allow_unpinned:
            raise SpecError(message + "; pass --allow-unpinned to use it anyway")
        warnings.append(message)

    cached = _from_cache(sha256) if use_cache else None
    structure = None
    if cached is not None:
        data, locator, structure = cached
    else:
        from spec.parse import parse_document  # only on a cache miss: it loads the YAML parsers

        data, text = parse_document(raw, str(path))
        _check_openapi(data, path, accept_swagger)
        if use_cache:
            locator = build_locator(text)
            structure = walk_structure(data)
            cache.store(sha256, (data, PackedPositions.pack(locator.positions).state(), structure))
        else:
            locator = LazyLocator(text)
    _check_openapi(data, path, accept_swagger)
    if pinned and location.origin != "cache":
        remember_pinned(path)
    return LoadedSpec(
        path=path,
        sha256=sha256,
        size=len(raw),
        data=data,
        locator=locator,
        pinned=pinned,
        from_cache=cached is not None,
        warnings=warnings,
        structure=structure,
    )


def _from_cache(sha256: str) -> tuple[Any, Locator, Structure] | None:
    """(data, locator, structure) from the parse cache; None when absent or not of the
    expected shape (a checksum only proves the file is what some version wrote)."""
    try:
        data, packed, (schemas, refs) = cache.load(sha256)
        locator = Locator(PackedPositions.from_state(packed))
    except (TypeError, ValueError):  # None, or the wrong shape
        return None
    if not (isinstance(data, dict) and isinstance(schemas, list) and isinstance(refs, list)):
        return None
    return data, locator, (schemas, refs)


def _check_openapi(data: Any, path: Path, accept_swagger: bool = False) -> None:
    if not isinstance(data, dict):
        raise SpecError(f"{path}: not an OpenAPI document (top level is {type(data).__name__}, not a mapping)")
    version = data.get("openapi")
    if version is None:
        if accept_swagger and str(data.get("swagger")) == "2.0":
            return
        if accept_swagger and "swagger" in data:
            raise SpecError(f"{path}: unsupported Swagger version {data['swagger']!r} (2.0 is supported)")
        if "swagger" in data:
            raise SpecError(f"{path}: Swagger {data['swagger']} is not supported; convert it to OpenAPI 3.x")
        raise SpecError(f"{path}: not an OpenAPI document (no 'openapi' field)")
    if not isinstance(version, str) or not version.startswith("3."):
        raise SpecError(f"{path}: unsupported OpenAPI version {version!r} (3.0 and 3.1 are supported)")
