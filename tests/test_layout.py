"""Scaffolding where it belongs: the package holds no test helper, and examples/ and bench/ do not import tests/."""
import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_examples_and_bench_do_not_import_the_tests():
    offenders = [f"{p.relative_to(REPO)}: {m}" for folder in ("examples", "bench", "tools")
                 for p in sorted((REPO / folder).glob("*.py"))
                 for m in imported_modules(p) if m == "tests" or m.startswith("tests.")]
    assert offenders == []


def test_the_package_imports_no_test_scaffolding():
    offenders = [f"{p.relative_to(REPO)}: {m}" for p in sorted((REPO / "autograder").rglob("*.py"))
                 for m in imported_modules(p) if m.split(".")[0] in ("tests", "tools", "pytest")]
    assert offenders == []
