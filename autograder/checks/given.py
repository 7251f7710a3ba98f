"""The given-helper rule, declared once, and which code is given.

A graded function must compute its answer itself. The instructor declares here which
given functions are BUILDING_BLOCKS a graded function may call (the forward pieces a
student naturally reuses); every other given function computes (part of) an answer or
serves the tests (ANSWER_HELPERS lists them by kind, for the notebooks' text), and a
graded function that runs one earns 0 for its unit, on both grading paths. The same
sentence fails the visible test (bptt_tools.call, generated from this declaration), so
Validate reports it before submission. Default deny: a given function in neither list
is forbidden, and tests/test_given_helpers.py checks that every given function is listed.

- given cells: code cells whose nbgrader metadata is locked, and neither a solution
  nor a test (grade) cell; given modules: the .py files of source/<assignment>/, which
  the release ships and the kernel (or sandbox) imports from its working directory;
- allowed: a top-level given function named in BUILDING_BLOCKS, by its qualified name
  (a function nested in a given function, such as the stand-in `dy_t` inside
  numeric_rnn_rules, is not `dy_t`); given code reached through one is allowed too.

The sandbox learns the given cells' labels and the allowed names from the grader
(grade.py); in a kernel (nbgrader autograde) a code object is matched to a given
cell through the cell text IPython keeps in linecache.

The monitor is the friendly early message, not the guarantee: student code can hide a
call from any monitor in its own process. What the answers show is in RULE_TEXT.
"""
import json
import linecache
import os
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

from .compare import RTOL

if TYPE_CHECKING:
    from .base import Unit

# classify(code) -> "" (not given code), "allowed" (a building block) or "forbidden": which code is given.
Classify = Callable[[CodeType], str]
# A notebook cell as json.loads gives it: its values are whatever the file holds.
JsonCell = dict[str, Any]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = REPO_ROOT / "source" / "bptt"

# Given functions a graded function may call: the forward pieces.
BUILDING_BLOCKS = ("softmax", "one_hot", "phi", "check_shape", "mlp_forward", "rnn_forward", "rnn2_forward")

# Given functions that compute (part of) an answer or serve the tests, by kind.
ANSWER_HELPERS = {
    "the finite differences": ("numerical_gradient", "grad_check", "gradient_table", "local_numeric"),
    "the numerical stand-ins": ("numeric_mlp_rules", "numeric_rnn_rules", "numeric_dh1_t"),
    "the losses the tests differentiate": ("mlp_loss", "rnn_loss", "rnn2_loss", "truncated_loss"),
    "the error measure": ("rel_error",),
    "the problem generators": ("mlp_problem", "rnn_problem", "rnn2_problem", "random_problem"),
    "the tests' and experiments' tools": ("call", "check_example", "swapped_in", "experiment_ready", "probes",
                                          "why_mlp_backward", "why_rnn_backward", "why_rnn2_backward", "why_steps"),
}
TOOL_MODULES = ("trace_tools.py", "charrnn.py", "bptt_experiments.py")     # every function of these, too

HIDDEN_RTOL_TEXT = f"{RTOL:g}"      # the relative error the hidden cases accept, as the text states it


def _code(name: str) -> str:
    return f"`{name}`"


def rule_text() -> str:
    """The given-helper rule as every notebook states it (markdown, generated into the notebooks)."""
    blocks = ", ".join(_code(n) for n in BUILDING_BLOCKS[:4]) + " and the forward passes " + \
        ", ".join(_code(n) for n in BUILDING_BLOCKS[4:])
    kinds = "; ".join(f"{kind} ({', '.join(_code(n) for n in names)})" for kind, names in ANSWER_HELPERS.items())
    return (
        f"**The given-helper rule.** A graded function may call your own functions and these given building "
        f"blocks: {blocks}. Every other given function computes (part of) an answer or serves the tests: {kinds}; "
        f"and everything in {', '.join(_code(m) for m in TOOL_MODULES[:-1])} and {_code(TOOL_MODULES[-1])}. "
        f"A graded function that runs one of them scores 0 for its unit on both grading paths, and its visible "
        f"test fails with the grader's sentence, `<function> calls the given helper <name>; a graded function "
        f"must compute its answer itself`, so Validate shows it before you submit. The answers show the rule "
        f"too: the hidden cases put ReLU pre-activations exactly at 0 and accept a relative error of "
        f"{HIDDEN_RTOL_TEXT}, which finite differences do not reach, so an answer produced by a numerical tool "
        f"fails there for every nonlinear rule; for the rules that are products and sums (where central "
        f"differences are exact up to rounding) the monitor of the call alone enforces it.")


def _meta(cell: JsonCell) -> JsonCell:
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def _text(cell: JsonCell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def normalized(text: str) -> str:
    """Cell text compared line by line without trailing blanks (IPython may add a newline)."""
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip("\n")


@dataclass
class GivenSpec:
    given_ids: list[str | None] = field(default_factory=list)   # grade_ids of the given cells
    given_sources: set[str] = field(default_factory=set)     # their normalized text
    allowed: set[str] = field(default_factory=set)           # BUILDING_BLOCKS (qualified names)
    modules: set[str] = field(default_factory=set)           # file names of the given .py modules


@cache
def given_spec(source_dir: str = str(DEFAULT_SOURCE), blocks: tuple[str, ...] = BUILDING_BLOCKS) -> GivenSpec:
    """The GivenSpec of every notebook of the assignment (allowed names are shared by all)."""
    folder = Path(source_dir)
    spec = GivenSpec(modules={p.name for p in folder.glob("*.py")}, allowed=set(blocks))
    for path in sorted(folder.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            meta = _meta(cell)
            if cell.get("cell_type") != "code":
                continue
            if not meta.get("solution") and meta.get("locked") and not meta.get("grade") and "experiment" not in (cell["metadata"].get("tags") or []):
                spec.given_ids.append(meta.get("grade_id"))
                spec.given_sources.add(normalized(_text(cell)))
    return spec


def directive(stem: str, source_dir: str | Path, units: Iterable["Unit"], blocks: Sequence[str] = BUILDING_BLOCKS) -> str:
    """The sandbox's given-code directive for notebook `stem` (see runner.GIVEN_DIRECTIVE)."""
    spec = given_spec(str(source_dir), tuple(blocks))
    nb = json.loads((Path(source_dir) / f"{stem}.ipynb").read_text())
    ids = {_meta(c).get("grade_id") for c in nb["cells"]} & set(spec.given_ids)
    return json.dumps({"cells": sorted(f"cell {gid!r}" for gid in ids if gid),
                       "allowed": sorted(spec.allowed), "modules": sorted(spec.modules),
                       "arg_names": {u.name: list(u.arg_names) for u in units}})


def allowed_code(code: CodeType, allowed: Set[str]) -> bool:
    """Given code that a graded function may run: a building block (by qualified name) or a
    module's body (a first import inside a graded function only defines names)."""
    return code.co_name == "<module>" or code.co_qualname in allowed


def kernel_classifier(source_dir: str = str(DEFAULT_SOURCE), blocks: Sequence[str] = BUILDING_BLOCKS) -> Classify:
    """classify(code) for the in-kernel check: given cells by their text, given modules by file."""
    spec = given_spec(source_dir, tuple(blocks))
    cwd = os.path.realpath(os.getcwd())

    def classify(code: CodeType) -> str:
        filename = code.co_filename
        if filename.endswith(".py") and os.path.basename(filename) in spec.modules:
            given = os.path.dirname(os.path.realpath(filename)) == cwd
        else:
            entry = linecache.cache.get(filename)
            # A cell's entry holds its text; a 1-tuple is a file's loader, registered lazily (traceback): never a cell.
            given = entry is not None and len(entry) == 4 and normalized("".join(entry[2])) in spec.given_sources
        if not given:
            return ""
        return "allowed" if allowed_code(code, spec.allowed) else "forbidden"

    return classify
