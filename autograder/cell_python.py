"""A code cell as the Python its IPython kernel runs: IPython's own input transformer, in the grader.

A student's kernel runs a cell through IPython's TransformerManager: `%matplotlib inline` becomes
`get_ipython().run_line_magic(...)`, `!pip list` becomes `get_ipython().system(...)`, and a line
that only looks like one (`    % n)` or `    != 0)` continuing a bracket) stays Python. The grader
does the same, here, because it already reads the notebooks as JSON: the sandbox receives plain
Python and never imports IPython (its start stays as fast as it was). There, `get_ipython()` is a
stand-in whose every method does nothing (sandbox/runner.py), so a shell escape never runs a shell.

A cell magic decides what runs its body. %%time, %%capture and %%prun run it as Python in the
kernel's namespace, so the body (itself transformed) is what is run; any other (%%bash, %%html,
%%script false, %%writefile, %%timeit, whose body runs inside a function) is not Python the kernel
keeps, and the cell is not run at all.

IPython/core/inputtransformer2.py imports only the standard library, and importing the IPython
package costs about a second (its shell, jedi), so the module is loaded from its file alone; an
IPython whose module needs more is imported the ordinary way.
"""
from __future__ import annotations

import ast
import importlib.util
import os
import re
from functools import cache
from typing import Protocol

RUNS_BODY = ("time", "capture", "prun")     # cell magics that run their body as Python in the namespace


class _Transformer(Protocol):
    def transform_cell(self, cell: str) -> str: ...


# The Gradescope bundle's venv has no IPython: the bundle carries the course's copy of this one module here.
BUNDLED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ipython_inputtransformer2.py")


def transformer_file() -> str | None:
    """The installed IPython's core/inputtransformer2.py, without importing IPython; None if absent."""
    spec = importlib.util.find_spec("IPython")
    places = list(spec.submodule_search_locations or []) if spec is not None else []
    path = os.path.join(places[0], "core", "inputtransformer2.py") if places else ""
    return path if os.path.isfile(path) else None


@cache
def _transformer() -> _Transformer:
    path = transformer_file() or (BUNDLED if os.path.isfile(BUNDLED) else None)
    if path is not None:
        alone = importlib.util.spec_from_file_location("_bptt_ipython_inputtransformer2", path)
        if alone is not None and alone.loader is not None:
            module = importlib.util.module_from_spec(alone)
            try:
                alone.loader.exec_module(module)
                manager: _Transformer = module.TransformerManager()
                return manager
            except (ImportError, OSError, AttributeError):
                pass
    from IPython.core.inputtransformer2 import TransformerManager

    fallback: _Transformer = TransformerManager()  # type: ignore[no-untyped-call]  # IPython is untyped
    return fallback


def _cell_magic(python: str) -> tuple[str, str] | None:
    """(magic name, body) if `python` is IPython's form of a whole cell magic, else None."""
    if not python.startswith("get_ipython().run_cell_magic("):
        return None
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr) or not isinstance(tree.body[0].value, ast.Call):
        return None
    args = tree.body[0].value.args
    if len(args) != 3 or not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
        return None
    name, body = args[0], args[2]
    assert isinstance(name, ast.Constant) and isinstance(body, ast.Constant)
    return str(name.value), str(body.value)


# IPython applies one token transform (a magic, a shell escape, `x?`) per pass, and every pass
# tokenizes the whole cell again: a cell of 500 `x = !ls` lines (4 kB) costs the grader 30 s. So
# the lines where a transform may apply are counted first, and a cell whose count times its length
# passes this budget (about a second's work) is not transformed: it runs as a SyntaxError that says why.
TRANSFORM_BUDGET = 100_000
# Where IPython's token transforms may start: a line opening with an escape (! % ? / , ;), an
# assignment of a magic or shell escape (x = !ls, t = %time f()), a line ending in a help `?`.
_SITE = re.compile(r"^[ \t]*[!%?/,;]|=[ \t]*[!%]|\?[ \t]*$", re.M)
_AUTOCALL = re.compile(r"^[ \t]*[/,;]", re.M)
# What IPython's clean-up transforms act on: a first line that is indented or a prompt (>>>, In [1]:, ...:).
_CLEANED = re.compile(r"^(?:[ \t]|>>>|In \[|\.\.\.)")


def too_costly(source: str, sites: int) -> str:
    """A cell that raises, saying why it was not transformed (the load reports it as the cell's error)."""
    why = (f"this cell holds {sites} lines of IPython syntax (magics, shell escapes) in {len(source)} characters: "
           f"more than the grader transforms in one cell; split it")
    return f"raise SyntaxError({why!r})\n"


class Budget:
    """The transform work left for one notebook (cells just under TRANSFORM_BUDGET, a thousand times)."""

    def __init__(self, left: int = 10 * TRANSFORM_BUDGET) -> None:
        self.left = left


def python_source(source: str, budget: Budget | None = None) -> str | None:
    """The Python a kernel runs for a cell's `source`; None when IPython would not run it as Python.

    budget: the notebook's, decreased here (None: this cell's own budget only).
    """
    # Most cells hold none of ! % ?: then only a line opening with / , ; can be one (a quick scan).
    sites = len((_SITE if "!" in source or "%" in source or "?" in source else _AUTOCALL).findall(source))
    if sites == 0 and not _CLEANED.match(source.lstrip("\n")):
        return source          # nothing IPython would change (its transform is not free: ~10 us a character)
    cost = max(1, sites) * len(source)
    if cost > min(TRANSFORM_BUDGET, budget.left if budget is not None else TRANSFORM_BUDGET):
        return too_costly(source, sites)
    if budget is not None:
        budget.left -= cost
    try:
        python = _transformer().transform_cell(source)
    except Exception:     # IPython's own transformer gave up: the kernel would report a SyntaxError
        return source
    magic = _cell_magic(python)
    if magic is None:
        return python
    name, body = magic
    if name not in RUNS_BODY:
        return None
    inner = python_source(body, budget)
    return None if inner is None else "\n" + inner      # the body's lines keep their numbers in the cell
