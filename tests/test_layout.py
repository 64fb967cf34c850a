"""The package stays thin: module sizes, no import cycles, no private names across modules."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "sahel"
MAX_MODULE_LINES = 700
MAX_PACKAGE_LINES = 7_800
"""A ratchet: what the package is now (7,814 lines); lower it as the package shrinks."""
TARGET_PACKAGE_LINES = 7000
"""Issue 16's target, not reached yet (see test_package_reaches_its_target)."""


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imports(module: str) -> list[tuple[str, str | None]]:
    """(imported module, imported name or None) for every import of ``module``, at any depth."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            for a in node.names:
                sub = f"{base}.{a.name}"
                found.append((sub, None) if sub in MODULES else (base, a.name))
    return [(m, n) for m, n in found if m == "sahel" or m.startswith("sahel.")]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, _ in _imports(module):
            while target not in MODULES and "." in target:
                target = target.rpartition(".")[0]
            if target in MODULES and target != module:
                graph[module].add(target)
    return graph


def _is_package_of(a: str, b: str) -> bool:
    return b.startswith(a + ".")


def test_no_module_over_the_limit():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def test_package_stays_thin():
    total = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in MODULES.values())
    assert total <= MAX_PACKAGE_LINES, f"sahel/ has {total} lines (limit {MAX_PACKAGE_LINES})"


@pytest.mark.xfail(strict=True, reason="issue 16's 7,000-line target is not reached yet")
def test_package_reaches_its_target():
    total = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in MODULES.values())
    assert total <= TARGET_PACKAGE_LINES, f"sahel/ has {total} lines (target {TARGET_PACKAGE_LINES})"


def test_no_import_cycle():
    # a package's __init__ re-exporting its own modules is not a cycle of stages
    graph = {m: {t for t in ts if not _is_package_of(m, t)} for m, ts in _graph().items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                cycle = stack[stack.index(t):] + [t]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_no_private_names_across_modules():
    bad = [f"{m} imports {t}.{n}" for m in MODULES for t, n in _imports(m)
           if n and n.startswith("_") and not n.startswith("__") and t != m]
    assert not bad, bad


def test_the_graph_sees_real_imports():
    # guard against a checker that finds nothing: the CLI imports the pipeline
    assert any(t.startswith("sahel.") for t, _ in _imports("sahel.cli"))
