"""The package is laid out as the data flow: no module imports from a layer above its own.

Layers, bottom to top (docs/design.md): the package's base modules, ``io``, ``network``,
``engine``, ``analysis``, ``render``, ``maps``, ``cli``. Imports inside functions count
too (a lazy import is still a dependency), and no two modules import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "supplynet"
LAYERS = ("base", "io", "network", "engine", "analysis", "render", "maps", "cli")


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else "base"


def _imports(path: Path) -> set[str]:
    """Return the supplynet modules ``path`` imports (whole-package imports excluded)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("supplynet"):
            assert node.level == 0, f"{path}: relative import; write supplynet.{node.module}"
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names
                         if (PACKAGE.parent / f"{node.module}.{a.name}".replace(".", "/")).with_suffix(".py").exists())
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import (write absolute supplynet.... imports)")
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("supplynet"))
    return found - {"supplynet"}


def _graph() -> dict[str, set[str]]:
    return {_module(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    bad = []
    for module, deps in _graph().items():
        if module == "supplynet":
            continue  # the public API re-exports every layer
        own = LAYERS.index(_layer(module))
        bad += [f"{module} -> {d}" for d in sorted(deps) if LAYERS.index(_layer(d)) > own]
    assert bad == []


def test_no_import_cycles() -> None:
    graph = _graph()
    graph.pop("supplynet")
    cycles = []

    def visit(node: str, path: list[str], done: set[str]) -> None:
        for dep in sorted(graph.get(node, ())):
            if dep in path:
                cycles.append(" -> ".join(path[path.index(dep):] + [dep]))
            elif dep not in done:
                visit(dep, path + [dep], done)
        done.add(node)

    done: set[str] = set()
    for module in sorted(graph):
        if module not in done:
            visit(module, [module], done)
    assert cycles == []


def test_every_folder_is_a_layer() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(LAYERS) - {"base"}
