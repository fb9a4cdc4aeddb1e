"""Rules about reusable components: whether they are used, and how they are named."""

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from spec.index import SpecIndex
from spec.pointer import escape, from_fragment
from spec.rules import rule

_VALID_NAME = re.compile(r"[a-zA-Z0-9.\-_]+")
_SINGULAR = {
    "schemas": "schema",
    "responses": "response",
    "parameters": "parameter",
    "examples": "example",
    "requestBodies": "request body",
    "headers": "header",
    "securitySchemes": "security scheme",
    "links": "link",
    "callbacks": "callback",
    "pathItems": "path item",
}


def _components(index: SpecIndex) -> Iterator[tuple[str, str, str]]:
    """(pointer, kind, name) of every named component."""
    components = index.doc.get("components")
    if not isinstance(components, dict):
        return
    for kind, members in components.items():
        if not isinstance(kind, str) or kind.startswith("x-") or not isinstance(members, dict):
            continue
        for name in members:
            yield f"/components/{escape(kind)}/{escape(name)}", kind, name


def _owner(pointer: str) -> str | None:
    """The component a pointer lies in (`/components/schemas/A/properties/b` -> its `A`)."""
    if not pointer.startswith("/components/"):
        return None
    parts = pointer.split("/", 4)
    return "/".join(parts[:4]) if len(parts) >= 4 else None


def _security_names(index: SpecIndex) -> Iterator[str]:
    requirements: list[Any] = [index.doc.get("security")]
    requirements += [op.node.get("security") for op in (*index.operations, *index.webhook_operations)]
    for security in requirements:
        if isinstance(security, list):
            for requirement in security:
                if isinstance(requirement, dict):
                    yield from requirement


def _mapping_target(value: Any) -> str | None:
    """The pointer a discriminator mapping value names: a local ref or a bare schema name."""
    if not isinstance(value, str):
        return None
    if value.startswith("#"):
        return from_fragment(value)
    if "/" in value or value.endswith((".json", ".yaml", ".yml")):
        return None  # a relative or absolute URI to another document
    return "/components/schemas/" + escape(value)


def _discriminated_parents(index: SpecIndex) -> Iterator[tuple[str, str]]:
    """(component schema, parent) for each `allOf` $ref to a schema with a discriminator."""
    components = index.doc.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    if not isinstance(schemas, dict):
        return
    for name, schema in schemas.items():
        all_of = schema.get("allOf") if isinstance(schema, dict) else None
        if not isinstance(all_of, list):
            continue
        for part in all_of:
            if isinstance(part, dict) and isinstance(part.get("$ref"), str):
                target = index.resolve(part["$ref"])
                if target is not None and isinstance(target[1], dict) and "discriminator" in target[1]:
                    yield f"/components/schemas/{escape(name)}", target[0]


def _ref_targets(index: SpecIndex) -> dict[str, str | None]:
    """The component each $ref lands in (None: outside components, or not a local ref).
    Worked out once per distinct ref: the Telnyx spec's ~4k refs name a few hundred targets."""
    targets: dict[str, str | None] = {}
    for _, ref in index.refs:
        if ref not in targets:
            pointer = from_fragment(ref)
            targets[ref] = _owner(pointer) if pointer is not None else None
    return targets


@rule(
    "unused-component",
    "warning",
    "Every component is reachable from the paths, webhooks or security requirements.",
    equivalents=("spectral:oas3-unused-component", "redocly:no-unused-components"),
)
def unused_component(index: SpecIndex):
    """A component nothing reaches is dead weight: it is still rendered, still generated into
    SDK types and still reviewed, yet no request or response uses it, so it drifts from the
    real API unnoticed. Reachability is transitive: a component referenced only by other
    unreachable components is just as dead. Security schemes count as used when a `security`
    requirement names them; discriminator mappings count as references, and a schema that
    extends a discriminated parent through `allOf` is reached with its parent (it is an
    implicit mapping target)."""
    # Component -> the components it uses; None stands for everything outside components.
    edges: dict[str | None, list[str]] = defaultdict(list)
    targets = _ref_targets(index)
    for holder, ref in index.refs:
        target = targets[ref]
        if target is not None:
            edges[_owner(holder)].append(target)
    for pointer, schema in index.schemas_with("discriminator"):
        discriminator = schema.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        if isinstance(mapping, dict):
            for value in mapping.values():
                target = _mapping_target(value)
                if target is not None and _owner(target) is not None:
                    edges[_owner(pointer)].append(_owner(target))
    # A schema extending a discriminated parent (allOf: [$ref Parent]) is an implicit mapping
    # target: whoever uses the parent may receive it, so the parent reaches it.
    for pointer, parent in _discriminated_parents(index):
        edges[_owner(parent)].append(pointer)
    referenced = {
        target for source, targets in edges.items() if source is not None for target in targets if target != source
    }
    reached: set[str] = set()
    stack = list(edges.get(None, ()))
    stack += [f"/components/securitySchemes/{escape(name)}" for name in _security_names(index)]
    while stack:
        component = stack.pop()
        if component in reached:
            continue
        reached.add(component)
        stack.extend(edges.get(component, ()))
    for pointer, kind, name in _components(index):
        if pointer in reached:
            continue
        label = f"{_SINGULAR.get(kind, kind)} {name!r}"
        how = "is only referenced from unused components" if pointer in referenced else "is never referenced"
        yield pointer, f"{label} {how}"


@rule(
    "component-name-valid",
    "error",
    "Component names use only letters, digits, '.', '-' and '_'.",
    equivalents=("redocly:spec-components-invalid-map-name",),
)
def component_name_valid(index: SpecIndex):
    """OpenAPI restricts component keys to `^[a-zA-Z0-9.\\-_]+$`. Other characters (spaces,
    slashes, `~`) need escaping inside `$ref` pointers, which authors and tools get wrong, and
    they cannot become type or file names in generated code."""
    for pointer, kind, name in _components(index):
        if not _VALID_NAME.fullmatch(str(name)):
            yield pointer, f"{_SINGULAR.get(kind, kind)} name {name!r} has characters outside [a-zA-Z0-9.-_]"
