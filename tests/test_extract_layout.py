"""The layout of sahel.extract: small modules, no import cycle, no private name imported across modules."""
from __future__ import annotations

import ast
from pathlib import Path

import sahel.extract

PACKAGE = Path(sahel.extract.__file__).parent


def _imports() -> dict[str, set[str]]:
    """Module → the sibling modules it imports (``from .x import …``, ``from . import x``)."""
    graph = {}
    for path in PACKAGE.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module} if node.module else {a.name for a in node.names}
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.name} imports private {private} from .{node.module}"
        graph[path.stem] = deps
    return graph


def test_no_import_cycle_and_no_private_imports() -> None:
    graph = _imports()
    done: set[str] = set()

    def visit(module: str, stack: tuple[str, ...]) -> None:
        assert module not in stack, f"import cycle: {' -> '.join(stack + (module,))}"
        if module not in done:
            for dep in graph.get(module, ()):
                visit(dep, stack + (module,))
            done.add(module)

    for module in graph:
        visit(module, ())


def test_modules_are_small_and_say_what_they_hold() -> None:
    for path in PACKAGE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 700, path.name
        doc = " ".join((ast.get_docstring(ast.parse(text)) or "").split())
        assert "What stays out:" in doc, f"{path.name}: the docstring says what stays out"
        classes = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.ClassDef)]
        assert all(sum(isinstance(b, ast.FunctionDef) for b in c.body) < 10 for c in classes), path.name
