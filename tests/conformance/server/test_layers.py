"""The reference server's layering: no import cycles inside `conformance/server` (module-level,
function-level and TYPE_CHECKING imports all count), no private names imported across its
modules, and modules and functions of a readable size."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "conformance" / "server"
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parents[1]).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in MODULES.items()}


def imports(name: str) -> list[tuple[str, str | None]]:
    """(server module imported, the name taken from it or None) for every import, at any depth."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(TREES[name]):
        if isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name in MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in MODULES:
                    found.append((f"{node.module}.{alias.name}", None))
                elif node.module in MODULES:
                    found.append((node.module, alias.name))
    return found


def test_there_is_no_import_cycle() -> None:
    graph = {name: {target for target, _ in imports(name) if target != name} for name in MODULES}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            pytest.fail("import cycle: " + " -> ".join((*path[path.index(name) :], name)))
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, (*path, name))
        done.add(name)

    for name in MODULES:
        visit(name, ())


def test_no_private_name_is_imported_across_modules() -> None:
    private = [(name, target, taken) for name in MODULES for target, taken in imports(name) if taken]
    assert not [entry for entry in private if entry[2].startswith("_")]


def test_modules_and_functions_stay_readable() -> None:
    long_modules = {n: len(p.read_text().splitlines()) for n, p in MODULES.items()}
    assert not {n: lines for n, lines in long_modules.items() if lines > MAX_MODULE_LINES}
    long_functions = [
        (name, node.name, node.end_lineno - node.lineno + 1)
        for name, tree in TREES.items()
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long_functions
