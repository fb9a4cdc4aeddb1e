"""The package layout holds: no import cycles, and dependencies pointing one way.

The import graph is read from the source (every `import`, at module level, inside a function
or under `if TYPE_CHECKING:`), so neither a lazy import nor an annotation can hide a cycle. The
layers, from the edge inward: the CLI, the tests pytest collects, the run, then reporting, the
checks and triage, then the reference server, the webhooks and the target, then strategies,
then the spec. A module may import its own package and any lower layer, never a higher one.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("spec", "strategies", "conformance")
SIZED = (*PACKAGES, "bench", "fuzz")  # where modules and functions are kept small
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
# (module prefix, layer): the longest matching prefix decides. Same layer = may not import each other,
# except within one prefix.
LAYERS = (
    ("spec", 0),
    ("strategies", 1),
    ("conformance", 1),  # conformance/__init__.py: the version only
    ("conformance.target", 2),
    ("conformance.server", 3),
    ("conformance.webhooks", 4),
    ("conformance.checks", 4),
    ("conformance.triage", 4),
    ("conformance.reporting", 5),
    ("conformance.run", 6),
    ("conformance.suite", 7),
    ("conformance.cli", 8),
)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports (resolved to modules, not names inside them)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in known else base)
        stack.extend(ast.iter_child_nodes(node))
    return {module for module in found if module in known and module != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports(name, path, known) for name, path in found.items()}


def layer(module: str) -> tuple[str, int]:
    best = max((prefix for prefix, _ in LAYERS if module == prefix or module.startswith(prefix + ".")), key=len)
    return best, dict(LAYERS)[best]


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_cycle() -> None:
    assert cycles(graph()) == []


def test_dependencies_point_one_way() -> None:
    wrong = []
    for module, targets in graph().items():
        prefix, rank = layer(module)
        for target in targets:
            target_prefix, target_rank = layer(target)
            if target_prefix != prefix and target_rank >= rank and not prefix.startswith(target_prefix + "."):
                wrong.append(f"{module} -> {target}")
    assert sorted(wrong) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The finder itself: a two-module loop and a three-module loop are found, a chain is not."""
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": set()}) == [["a", "b"]]
    assert cycles({"x": {"y"}, "y": {"z"}, "z": {"x"}}) == [["x", "y", "z"]]


@pytest.mark.parametrize("folder", SIZED)
def test_no_module_is_over_500_lines(folder: str) -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / folder).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


@pytest.mark.parametrize("folder", SIZED)
def test_no_function_is_over_80_lines(folder: str) -> None:
    long = {}
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = length
    assert long == {}


def test_the_architecture_page_matches_the_tree() -> None:
    """Every package of the tree is on docs/architecture.md, and every path it names exists."""
    import re

    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = {
        str(path.parent.relative_to(ROOT)) + "/"
        for package in PACKAGES
        for path in (ROOT / package).rglob("__init__.py")
        if path.parent != ROOT / package
    }
    missing = [p for p in packages if p not in page and f"`{p.rstrip('/').rsplit('/', 1)[-1]}/`" not in page]
    assert sorted(missing) == []
    named = set(re.findall(r"`((?:conformance|spec|strategies)/[\w/.]+)`", page))
    planned = {"conformance/webhooks/"}  # a room kept for an open issue
    assert sorted(p for p in named - planned if not (ROOT / p.rstrip("/")).exists()) == []
