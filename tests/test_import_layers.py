"""autograder/ is layered: no import circle between its modules, and none between its packages.

The graph is read from the source with ast (tools/import_layers.py): every import statement
counts, including one inside a function and one under `if TYPE_CHECKING:`, so a circle cannot
hide behind a late import. A failure names the modules of the circle and the lines that close it.
"""
from pathlib import Path

from tools.import_layers import circles, describe, graph

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"
EDGES, FILES = graph(PACKAGE)


def _package(module: str) -> str:
    """The layer a module belongs to: its subpackage (autograder.checks, autograder.sandbox...), or itself."""
    parts = module.split(".")
    return ".".join(parts[:2])


def test_no_import_circle_between_modules() -> None:
    found = circles(EDGES)
    assert not found, "import circles in autograder/:\n" + "\n".join(describe(EDGES, FILES, c) for c in found)


def test_no_import_circle_between_packages() -> None:
    # A subpackage that reaches up to a module of autograder/ which imports the subpackage back
    # is a circle of layers even when no two modules import each other.
    layers: dict[str, dict[str, int]] = {}
    why: dict[tuple[str, str], str] = {}
    for module, targets in EDGES.items():
        layers.setdefault(_package(module), {})
        for target, line in targets.items():
            a, b = _package(module), _package(target)
            layers.setdefault(b, {})
            if a != b:
                layers[a].setdefault(b, line)
                why.setdefault((a, b), f"{module} (line {line}) imports {target}")
    found = circles(layers)
    lines = [f"{a} -> {b}: {why[a, b]}" for c in found for a in c for b in layers[a] if b in c]
    assert not found, "import circles between the packages of autograder/:\n" + "\n".join(lines)


def test_no_module_imports_its_own_package_facade() -> None:
    # `from . import UNITS` in a package's own module points up at the facade that imports the module.
    upward = [f"{m} (line {line}) imports its package {t}" for m, targets in EDGES.items() for t, line in targets.items()
              if FILES[t].name == "__init__.py" and m.startswith(t + ".")]
    assert not upward, "\n".join(upward)


def test_the_checker_finds_a_circle_and_names_it(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from ..a import g\n")        # late: still a circle
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n")
    edges, files = graph(pkg)
    assert edges["pkg.a"] == {"pkg.sub.b": 1} and edges["pkg.sub.b"] == {"pkg.a": 2} and edges["pkg.c"] == {"pkg.a": 3}
    found = circles(edges)
    assert found == [["pkg.a", "pkg.sub.b"]]
    assert describe(edges, files, found[0]).splitlines() == [
        "circle of 2 modules: pkg.a, pkg.sub.b", "  pkg.a (line 1) imports pkg.sub.b", "  pkg.sub.b (line 2) imports pkg.a"]
