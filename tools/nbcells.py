"""Cell constructors and the given code shared by the instructor notebooks 01-03.

Used only by tools/build_notebooks.py; the committed .ipynb files are the truth.
Each notebook runs in its own kernel, so the given helpers are repeated in every
notebook rather than imported from a module.
"""
import textwrap

import nbformat

ASSIGNMENT_TOTAL = 41
NOTEBOOK_POINTS = {"01_mlp_backprop": 12, "02_rnn_bptt": 14, "03_two_layer_rnn": 7, "04_long_histories": 8}


def _src(text):
    return textwrap.dedent(text).strip("\n")


def _meta(**nbgrader):
    return {"nbgrader": dict(nbgrader, schema_version=3)}


def md(text, grade_id=None):
    """Markdown cell; locked (read-only) when it has a grade_id."""
    cell = nbformat.v4.new_markdown_cell(_src(text))
    if grade_id:
        cell.metadata.update(_meta(grade=False, solution=False, locked=True, grade_id=grade_id))
    return cell


def title(text, stem, units):
    """Locked title cell: `text` with {how_to_work} and {points} filled in after dedenting."""
    body = _src(text).format(how_to_work=_src(HOW_TO_WORK), points=points_table(stem, units))
    return md(body, "title")


def given(text, grade_id, experiment=False):
    """Locked code cell of given code. Experiment cells are tagged `experiment`."""
    cell = nbformat.v4.new_code_cell(_src(text))
    cell.metadata.update(_meta(grade=False, solution=False, locked=True, grade_id=grade_id))
    if experiment:
        cell.metadata["tags"] = ["experiment"]
    return cell


def solution(text, name):
    """Solution cell of graded unit `name` (grade_id = name)."""
    cell = nbformat.v4.new_code_cell(_src(text))
    cell.metadata.update(_meta(grade=False, solution=True, locked=False, grade_id=name))
    return cell


def test(text, name, points):
    """Grade cell of unit `name`: visible tests, then the hidden section of the conventions."""
    hidden = ("### BEGIN HIDDEN TESTS\nfrom autograder.checks import check\n"
              f'check("{name}", {name})\n### END HIDDEN TESTS')
    cell = nbformat.v4.new_code_cell(_src(text) + "\n\n" + hidden)
    cell.metadata.update(_meta(grade=True, solution=False, locked=True, points=points,
                               grade_id=f"test_{name}"))
    return cell


def notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    # Stable cell ids (nbformat would draw random ones), so a rebuild is byte-identical.
    for i, cell in enumerate(cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell.id = grade_id.replace("_", "-") if grade_id else f"cell-{i:02d}"
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python", "version": "3.11"},
    }
    return nb


def points_table(stem, units):
    """Markdown table of the graded units of one notebook and the assignment overview."""
    rows = "\n".join(f"| `{sig}` | {pts} |" for sig, pts in units)
    total = sum(p for _, p in units)
    assert total == NOTEBOOK_POINTS[stem], (stem, total)
    overview = " + ".join(f"{s[:2]}: {p}" for s, p in NOTEBOOK_POINTS.items())
    return (f"| graded function | points |\n|---|---|\n{rows}\n| **this notebook** | **{total}** |\n\n"
            f"The whole assignment has **{ASSIGNMENT_TOTAL} points** across four notebooks ({overview}).")


HOW_TO_WORK = """
**How to work.** Write your code only between the lines `# YOUR CODE HERE` and the
`raise NotImplementedError()` below it (delete that line). Cells with a lock are given code:
read them, do not edit them. Run the notebook from the top (*Kernel → Restart & Run All*)
before you submit. Each graded function is followed by a test cell: the tests you see are
the ones you can learn from (shapes, a tiny case worked by hand in the text above it, and
a finite-difference check); the grader adds hidden tests on other inputs. A test cell
that prints a warning to stderr scores 0 even when it passes, so keep your code free of
NumPy warnings (no `log(0)`, no division by zero).

Conventions (as in the lecture's MLP code `X @ y_wts`): **row vectors**, the batch is the
first axis within a step, sequences are **time-major** `(T, N, D)`, everything float64.
"""

SETUP = '''
import os
from contextlib import contextmanager

import numpy as np

np.set_printoptions(precision=4, suppress=True)
# Set to "1" by the grader: experiment cells then skip themselves.
GRADING = os.environ.get("BPTT_GRADING") == "1"


def check_shape(where, name, value, expected):
    """Raise a ValueError naming `where`, the argument and its expected shape.

    expected: tuple of (name, size) pairs, size None when any size is allowed.
    """
    value = np.asarray(value)
    want = "(" + ", ".join(n if s is None else f"{n}={s}" for n, s in expected) + ")"
    if value.ndim != len(expected) or any(s is not None and s != v for (_, s), v in zip(expected, value.shape)):
        raise ValueError(f"{where}: {name} must have shape {want}, got {value.shape}")
    return value


def softmax(logits):
    """Row-wise softmax over the last axis; subtracting the row maximum avoids overflow."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def one_hot(labels, n_classes):
    """Integer labels of any shape (...) -> float64 array (..., n_classes) with a single 1 per row."""
    return np.eye(n_classes)[labels]
'''

GRADCHECK = '''
def rel_error(a, b):
    """max|a - b| / max(|a|, |b|): scale-free, and safe when some entries are 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12))


def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar f() with respect to every entry of x.

    f takes no arguments and reads x, which is changed in place and restored.
    Error O(eps**2) per entry, so in float64 it agrees with a correct analytic
    gradient to about 1e-9 (relative).
    """
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f()
        x[i] = old - eps
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


TOL = 1e-6


def _row(name, shape, err):
    result = "OK" if err < TOL else "FAIL"
    return f"{name:<16}{str(shape):<14}{err:>11.1e}   {result}"


def grad_check(f, x, analytic, name="gradient"):
    """Compare an analytic gradient with central differences of f() in x.

    - f: function of no arguments returning a scalar; it must read x
    - x: the float64 array to differentiate with respect to (changed in place, restored)
    - analytic: your gradient, same shape as x
    Prints one line and returns the relative error (correct code: below 1e-7).
    """
    analytic = np.asarray(analytic, dtype=float)
    if analytic.shape != x.shape:
        raise AssertionError(f"{name}: your gradient has shape {analytic.shape}, but the quantity "
                             f"it is the gradient of has shape {x.shape}")
    err = rel_error(analytic, numerical_gradient(f, x))
    print(_row(name, x.shape, err))
    return err


def gradient_table(checks):
    """Print the gradient-check table: derivative, shape, relative error, OK/FAIL.

    checks: list of (name, f, x, compute_analytic) where compute_analytic() returns
    your gradient; an exception (e.g. NotImplementedError) is shown in its row.
    Returns True when every row is OK.
    """
    print(f"{'derivative':<16}{'shape':<14}{'rel. error':>11}   result")
    all_ok = True
    for name, f, x, compute in checks:
        try:
            analytic = np.asarray(compute(), dtype=float)
            if analytic.shape != x.shape:
                raise ValueError(f"shape {analytic.shape} != {x.shape}")
            err = rel_error(analytic, numerical_gradient(f, x))
            print(_row(name, x.shape, err))
            all_ok &= err < TOL
        except Exception as exc:
            print(f"{name:<16}{str(x.shape):<14}{'-':>11}   {type(exc).__name__}: {exc}")
            all_ok = False
    return all_ok


def local_numeric(forward, x, upstream):
    """What every local backprop rule computes, numerically: d sum(upstream * forward(x)) / dx.

    'Meets G from above and x from below' means exactly this: the gradient G
    arriving from above, pulled back through the local function forward(x).
    """
    x = np.array(x, dtype=float)
    return numerical_gradient(lambda: np.sum(upstream * forward(x)), x)


@contextmanager
def swapped_in(namespace, functions):
    """Temporarily replace functions in `namespace` (pass globals()), restoring them afterwards."""
    saved = {name: namespace[name] for name in functions if name in namespace}
    namespace.update(functions)
    try:
        yield
    finally:
        for name in functions:
            if name in saved:
                namespace[name] = saved[name]
            else:
                namespace.pop(name, None)
'''
