"""The import graph of a package, read from its source (nothing is imported), and its circles.

    python tools/import_layers.py [PACKAGE_DIR]      (default: autograder/)

Prints every import circle (a strongly connected set of modules, with the imports that close it)
and exits 1 if there is one. tests/test_import_layers.py keeps autograder/ free of them.

Every import counts, wherever it is written: at the top, inside a function (a late import that
only hides a circle is still one), or under `if TYPE_CHECKING:` (a type that points up is still
a layer pointing up). `from . import name` is an import of the submodule `name` when there is
one, else of the package's __init__. A package's __init__ is its own node (`pkg`); importing
`pkg.mod` is an edge to `pkg.mod` only: Python runs pkg/__init__ first, but that is the
package's facade, never a layer below its own modules.
"""
from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from pathlib import Path

Edge = tuple[str, str]


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py under package_dir (the package's __init__ named as the package)."""
    root = package_dir.resolve()
    names: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _resolve(module: str, is_package: bool, level: int, target: str | None) -> str:
    """The absolute name of `from <level dots><target> import ...` written in `module`."""
    if level == 0:
        return target or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join(base + ([target] if target else []))


def imports(module: str, path: Path, known: Iterable[str]) -> dict[str, int]:
    """The modules of `known` that `module` imports -> the line of its first such import."""
    known = set(known)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: dict[str, int] = {}

    def add(name: str, line: int) -> None:
        while name and name not in known:       # `import a.b.c` where c is a function: a.b
            name = name.rpartition(".")[0]
        if name and name != module:
            found.setdefault(name, line)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node.level, node.module)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                add(sub if sub in known else base, node.lineno)
    return found


def graph(package_dir: Path) -> tuple[dict[str, dict[str, int]], dict[str, Path]]:
    """(module -> {imported module: line}, module -> file) for the package at package_dir."""
    names = module_names(package_dir)
    return {m: imports(m, p, names) for m, p in names.items()}, names


def circles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected sets of more than one module (Tarjan's algorithm, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterable[str]]] = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        m = stack.pop()
                        on_stack.discard(m)
                        members.append(m)
                        if m == node:
                            break
                    if len(members) > 1:
                        found.append(sorted(members))
    return found


def describe(edges: dict[str, dict[str, int]], files: dict[str, Path], members: list[str]) -> str:
    """One circle: its modules and every import between them (file:line -> module)."""
    inside = set(members)
    lines = [f"circle of {len(members)} modules: {', '.join(members)}"]
    for m in members:
        for target, line in sorted(edges[m].items()):
            if target in inside:
                lines.append(f"  {m} (line {line}) imports {target}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    package_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "autograder"
    edges, files = graph(package_dir)
    found = circles(edges)
    for members in found:
        print(describe(edges, files, members))
    print(f"{len(files)} modules, {sum(len(e) for e in edges.values())} imports, {len(found)} circle(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
