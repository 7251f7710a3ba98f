"""Which code is given: locked given cells of the source notebooks and the assignment's .py modules.

A graded function must compute its answer itself: one that runs given code which the
instructor's own solutions never call (finite differences, numerical gradients, the
problem generators, rel_error...) earns 0 for its unit, on both grading paths. The rule
is by code object, read from the notebooks themselves, so it needs no list of names:

- given cells: code cells whose nbgrader metadata is locked, and neither a solution
  nor a test (grade) cell; given modules: the .py files of source/<assignment>/, which
  the release ships and the kernel (or sandbox) imports from its working directory;
- allowed: the names the solution cells of the source notebooks use (one_hot,
  softmax, check_shape...): given code reached through them is part of the
  conventions, not a stand-in for the answer.

The sandbox learns the given cells' labels and the allowed names from the grader
(grade.py); in a kernel (nbgrader autograde) a code object is matched to a given
cell through the cell text IPython keeps in linecache.
"""
import ast
import json
import linecache
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = REPO_ROOT / "source" / "bptt"


def _meta(cell):
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def _text(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def normalized(text):
    """Cell text compared line by line without trailing blanks (IPython may add a newline)."""
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip("\n")


@dataclass
class GivenSpec:
    given_ids: list = field(default_factory=list)       # grade_ids of the given cells
    given_sources: set = field(default_factory=set)     # their normalized text
    allowed: set = field(default_factory=set)           # given names the solutions use
    modules: set = field(default_factory=set)           # file names of the given .py modules


def _used_names(source):
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return names | {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}


@cache
def given_spec(source_dir=str(DEFAULT_SOURCE)):
    """The GivenSpec of every notebook of the assignment (allowed names are shared by all)."""
    source_dir = Path(source_dir)
    spec = GivenSpec(modules={p.name for p in source_dir.glob("*.py")})
    for path in sorted(source_dir.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            meta = _meta(cell)
            if cell.get("cell_type") != "code":
                continue
            if meta.get("solution"):
                spec.allowed |= _used_names(_text(cell))
            elif meta.get("locked") and not meta.get("grade") and "experiment" not in (cell["metadata"].get("tags") or []):
                spec.given_ids.append(meta.get("grade_id"))
                spec.given_sources.add(normalized(_text(cell)))
    return spec


def directive(stem, source_dir, units):
    """The sandbox's given-code directive for notebook `stem` (see runner.GIVEN_DIRECTIVE)."""
    spec = given_spec(str(source_dir))
    nb = json.loads((Path(source_dir) / f"{stem}.ipynb").read_text())
    ids = {_meta(c).get("grade_id") for c in nb["cells"]} & set(spec.given_ids)
    return json.dumps({"cells": sorted(f"cell {gid!r}" for gid in ids if gid),
                       "allowed": sorted(spec.allowed), "modules": sorted(spec.modules),
                       "arg_names": {u.name: list(u.arg_names) for u in units}})


def kernel_classifier(source_dir=str(DEFAULT_SOURCE)):
    """classify(code) for the in-kernel check: given cells by their text, given modules by file."""
    spec = given_spec(source_dir)
    cwd = os.path.realpath(os.getcwd())

    def classify(code):
        filename = code.co_filename
        if filename.endswith(".py") and os.path.basename(filename) in spec.modules:
            given = os.path.dirname(os.path.realpath(filename)) == cwd
        else:
            lines = linecache.cache.get(filename)
            given = bool(lines) and normalized("".join(lines[2])) in spec.given_sources
        if not given:
            return ""
        # A module's own body only defines names (a first import inside a graded function).
        return "allowed" if code.co_name in spec.allowed or code.co_name == "<module>" else "forbidden"

    return classify
