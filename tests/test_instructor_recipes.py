"""The README's "Changing the course" recipes, walked through on a temporary copy of the repository.

Change the points of dh_t: one line of autograder/units.py, then
`python -m autograder release`, which rewrites every generated statement of the
points (autograder/generated.py); the unit audit is then clean, the tests that
state points pass unchanged in the copy, and its grading command gives dh_t its
new points.

Add a hidden case: one more entry in CASE_DIMS (autograder/checks/base.py). Both
grading paths draw their cases from there, so a dh_t that passed every case
before (it slices its answer to Q columns, harmless while H <= Q, as in the
three cases shipped) fails the new case (H > Q). The command
`python -m autograder grade`, run in the copy, must then give that student
exactly dh_t's 2 points less and name the new case; a correct student keeps
full marks.

Add a graded unit (dx_t, which the course does not have; its reference and docs are written
first, as the doc's preconditions): four files by hand (the declaration, the hidden check, the
notebook source, one held-out wrong answer), then `release` and `examples/make_examples.py`; the
copy's whole fast suite then passes, and the new unit grades in the copy.
"""
import json
import re
import shutil
import subprocess
import sys

import pytest

from autograder import units
from autograder.checks import UNITS
from autograder.checks.base import CASE_DIMS
from tools import factory
from tools.factory import REPO_ROOT

pytestmark = pytest.mark.slow   # real releases and sandboxed grading in copies of the repository

# Correct while H <= Q (the slice keeps every column); wrong shape when H > Q.
SLICED_DH_T = '''
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    dh = dy_t @ W_hq.T + dhraw_next @ W_hh.T
    return dh[:, :W_hq.shape[1]]          # meant: keep the H columns; W_hq.shape[1] is Q
'''
CASES_OPEN = "CASE_DIMS: tuple[CaseDims, ...] = (\n"
NEW_CASE = '    CaseDims(T=6, N=5, D=2, H=7, Q=3, C=4, H1=8, H2=9, k=4, activation="relu", seed=404),\n'


def repo_copy(tmp_path):
    """What `python -m autograder grade` needs: the package, source/ and release/, at a new root."""
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in ("autograder", "source", "release"):
        shutil.copytree(REPO_ROOT / name, root / name, ignore=ignore)
    shutil.copy2(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


def copy_also(root, *names):
    for name in names:
        (shutil.copytree if (REPO_ROOT / name).is_dir() else shutil.copy2)(
            REPO_ROOT / name, root / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                              if (REPO_ROOT / name).is_dir() else {}))


def grade(root, submitted, out):
    """Run the grading command of the copy (its own package) and return {student: entry}."""
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out),
                           "--course", str(root), "--jobs", "2", "--quiet"],
                          cwd=root, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads((out / "grades.json").read_text())
    return {s["student"]: s for s in doc["submissions"]}


def dh_t_result(entry):
    return next(t for t in entry["tests"] if t["name"] == "dh_t")


def test_add_a_hidden_case(tmp_path):
    root = repo_copy(tmp_path)
    copy_also(root, "tests", "tools", "bench", "docs", "pyproject.toml")
    submitted = tmp_path / "submitted"
    factory.write_submission(submitted, "ada", stems=["02_rnn_bptt"])
    factory.write_submission(submitted, "sam", {"dh_t": SLICED_DH_T}, stems=["02_rnn_bptt"])
    nb02 = units.notebook_points()["02_rnn_bptt"]                  # 14: only notebook 02 is submitted
    dh_t_points = units.BY_NAME["dh_t"].points                      # 2

    before = grade(root, submitted, tmp_path / "before")
    assert {s: e["score"] for s, e in before.items()} == {"ada": nb02, "sam": nb02}
    assert dh_t_result(before["sam"])["score"] == dh_t_points

    # The recipe's one edit: one more entry in CASE_DIMS, with more hidden units than classes.
    base = root / "autograder" / "checks" / "base.py"
    text = base.read_text()
    assert text.count(CASES_OPEN) == 1
    end = text.index("\n)\n", text.index(CASES_OPEN)) + 1
    base.write_text(text[:end] + NEW_CASE + text[end:])

    # Same submissions, same output folder: the grader's code changed, so nothing is served from its cache.
    after = grade(root, submitted, tmp_path / "before")
    assert {s: e["score"] for s, e in after.items()} == {"ada": nb02, "sam": nb02 - dh_t_points}
    result = dh_t_result(after["sam"])
    assert result["score"] == 0 and result["max_score"] == dh_t_points
    assert result["output"].startswith("dh_t output has the wrong shape: expected (5, 7), got (5, 3)"), result["output"]
    # The new entry follows CASE_DIMS's others; the edge cases (EDGE_DIMS) come after it.
    added, total = len(CASE_DIMS) + 1, len(UNITS["dh_t"].cases()) + 1
    assert f"(case {added} of {total}: T=6, N=5, D=2, H=7, Q=3, activation=relu)" in result["output"]
    assert all(t["score"] == t["max_score"] for t in after["sam"]["tests"]
               if t["notebook"] == "02_rnn_bptt" and t["name"] != "dh_t")
    # The tests that quote whole messages ("(case k of n: sizes)") derive the case part from the
    # units' cases: they pass in the copy, unchanged.
    run_in(root, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_checks.py",
           "tests/test_diagnosis_trace.py", "tests/test_diagnosis_probes.py", "-m", "not slow")
    # The documented entry is a CaseDims: the edited package still passes mypy --strict.
    run_in(root, "-m", "mypy", "--strict", "--cache-dir", "/dev/null", "autograder")


# ---- change the points of dh_t -----------------------------------------------------------------

def audit(root):
    """The unit audit of the copy, run with the copy's own autograder/units.py."""
    code = "from tests.unit_places import disagreements; print('\\n'.join(disagreements('.')))"
    return [line for line in run_in(root, "-c", code).splitlines() if line]


def replace_once(path, pattern, repl):
    text = path.read_text()
    new, n = re.subn(pattern, repl, text, flags=re.M)
    assert n == 1, f"{path.name}: {pattern!r} found {n} times, expected once"
    path.write_text(new)


def run_in(root, *args, timeout=900):
    proc = subprocess.run([sys.executable, *args], cwd=root, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_change_the_points_of_dh_t(tmp_path):
    """The recipe: one line of autograder/units.py, then `python -m autograder release`."""
    root = repo_copy(tmp_path)
    copy_also(root, "notebooks", "jupytext.toml", "README.md", "docs", "tests", "tools", "examples")
    p, n02, total = units.BY_NAME["dh_t"].points, units.notebook_points()["02_rnn_bptt"], units.total_points()

    # 1. The one edit: the declaration.
    replace_once(root / "autograder" / "units.py", r'("dh_t\(dy_t, dhraw_next, W_hq, W_hh\)", )\d+,', rf"\g<1>{p + 1},")
    # 2. The release writes the new points everywhere they are stated.
    run_in(root, "-m", "autograder", "release", "--course", str(root))
    assert run_in(root, "-m", "autograder", "sync", "--check", "--course", str(root)).strip() == ""
    assert audit(root) == []
    text = (root / "notebooks" / "bptt" / "02_rnn_bptt.py").read_text()
    assert f'"grade_id": "test_dh_t", "locked": true, "points": {p + 1},' in text
    assert f"| `dh_t(dy_t, dhraw_next, W_hq, W_hh)` | {p + 1} |" in text
    assert f"**{total + 1} points**" in text and f"02: {n02 + 1} +" in text
    released = json.loads((root / "release" / "bptt" / "02_rnn_bptt.ipynb").read_text())
    header = next(c for c in released["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "test_dh_t")
    assert header["metadata"]["nbgrader"]["points"] == p + 1
    # 3. The tests that state points read them from the declaration: they pass in the copy, unchanged.
    run_in(root, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_units_declared_once.py",
           "tests/test_generated_regions.py")
    # 4. The grading command gives dh_t its new points.
    submitted = tmp_path / "submitted"
    factory.write_submission(submitted, "ada", stems=["02_rnn_bptt"])
    factory.write_submission(submitted, "bob", factory.mistake("dh_t_missing_future"), stems=["02_rnn_bptt"])
    graded = grade(root, submitted, tmp_path / "out")
    assert {s: e["score"] for s, e in graded.items()} == {"ada": n02 + 1, "bob": n02 - p}
    assert (dh_t_result(graded["bob"])["score"], dh_t_result(graded["bob"])["max_score"]) == (0, p + 1)
    assert graded["ada"]["max_score"] == total + 1


# ---- add a new graded unit --------------------------------------------------------------------
# The recipe of docs/changing-the-course.md: dx_t(dhraw_t, W_xh), the gradient at one step's input
# x_t, 1 point in notebook 02, after dh0. The course has no such unit (dX, every step at once, is
# graded), so the doc's preconditions for a unit the reference lacks are written first, before the
# "before" snapshot (add_the_reference): the function in autograder/reference/rnn.py, exported by its
# __init__.py; its finite-difference check in tests/test_reference_rnn.py (dx_t at the last step
# against the numerical gradient at X[T-1], run by the copy's fast suite); its section and row of the
# shapes table in docs/math.md, and its output in tests/test_math_doc.py.

NEW_UNIT = "dx_t"
AFTER = "dh0"                   # the unit the new one follows, in the declaration and in the notebook
REFERENCE = '''

def dx_t(dhraw_t: ArrayLike, W_xh: ArrayLike) -> Array:
    """Input of one step: dhraw_t @ W_xh.T.  dhraw_t (N, H); W_xh (D, H) -> (N, D)."""
    s = Shapes("dx_t")
    dx: Array = s.array("dhraw_t", dhraw_t, "N H") @ s.array("W_xh", W_xh, "D H").T
    return dx
'''
MATH_SECTION = r"""### `dx_t`

One step's input $x_t$ feeds only that step's pre-activation, through $W_{xh}$ (`dX` at one step):

```math
\text{dx\_t} = \text{dhraw}_t\,W_{xh}^\top \qquad (N, D).
```

"""
MATH_ROW = "| `dx_t` | `dhraw_t @ W_xh.T` | (N, D) |\n"
DECLARATION = '    DeclaredUnit("02_rnn_bptt", "dx_t(dhraw_t, W_xh)", 1, returns="(N, D)"),\n'
TRANSPOSED = "returns W_xh @ dhraw_t.T, of shape (D, N): the gradient at x_t has the shape of x_t, (N, D)."
CHECK = '''

def _dx_t(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    dhraw_t = _up(rng, d, params, Y, cache, act)["dhraw"][-1]
    args = (dhraw_t, params["W_xh"])
    return Case(args, R.dx_t(*args), d, [("returns W_xh @ dhraw_t.T, of shape (D, N): the gradient "
                                          "at x_t has the shape of x_t, (N, D).", params["W_xh"] @ dhraw_t.T)])
'''
CHECK_ENTRY = '    Unit("dx_t", _dx_t, dims_used=DIMS, upstream=("dhraw_t",)),\n'
MARKDOWN = '''
# %% [markdown]
# ### 8d. `dx_t` — one step's input (<!-- generated: points dx_t -->1 point<!-- end generated -->)
#
# **Place in the graph.** `X[t] → h_netIn_t → … → loss`: step t's input feeds only its own
# pre-activation, through $W_{xh}$. It meets $dhraw_t$ from above.
#
# | argument / result | shape |
# |---|---|
# | `dhraw_t` | (N, H) |
# | `W_xh` | (D, H) |
# | returns `dx_t` | (N, D), float64 |

# %% nbgrader={"grade": false, "grade_id": "dx_t", "locked": false, "schema_version": 3, "solution": true}
def dx_t(dhraw_t, W_xh):
    """Gradient with respect to one step's input x_t.

    Inputs:
    - dhraw_t: (N, H) gradient at step t's pre-activation
    - W_xh: (D, H) input weights
    Returns:
    - dx_t: (N, D) float64
    """
    ### BEGIN SOLUTION
    return dhraw_t @ W_xh.T
    ### END SOLUTION

'''
VISIBLE_TEST = '''# Tests — read-only: the shape, then finite differences of sum(G * (x @ W)) in x (N = 3, D = 2, H = 5).
from bptt_tools import grad_check

rng = np.random.default_rng(11)
x_, W, G = rng.standard_normal((3, 2)), rng.standard_normal((2, 5)), rng.standard_normal((3, 5))
assert dx_t(G, W).shape == (3, 2), "dx_t must return (N, D)"
assert grad_check(lambda: np.sum(G * (x_ @ W)), x_, dx_t(G, W), "dx_t") < TOL, "dx_t disagrees with finite differences"
'''
WRONG_DX_T = '''
def dx_t(dhraw_t, W_xh):
    return W_xh @ dhraw_t.T
'''
HELDOUT = '''    dict(
        id="dx_t-transposed",
        unit="dx_t",
        kind="wrong",
        cause="The product in the other order: (D, N), the transpose of the gradient at x_t.",
        cause_words=[r"\\(D, N\\)", r"shape of x_t", r"transpos"],
        source=\'\'\'
def dx_t(dhraw_t, W_xh):
    return W_xh @ dhraw_t.T
\'\'\',
    ),
'''


def add_the_reference(root):
    """The preconditions of a unit the reference lacks (docs/changing-the-course.md), not the recipe's edits."""
    rnn = root / "autograder" / "reference" / "rnn.py"
    text = rnn.read_text()
    at = text.index("\n\n\ndef dh0(")
    rnn.write_text(text[:at] + REFERENCE.rstrip("\n") + text[at:])
    init = root / "autograder" / "reference" / "__init__.py"
    replace_once(init, r"\bdX, dhraw_t,", "dX, dx_t, dhraw_t,")
    replace_once(init, r'"dX", "dhraw_t",', '"dX", "dx_t", "dhraw_t",')
    fd_test = root / "tests" / "test_reference_rnn.py"
    replace_once(fd_test, r'"dh0", "dX", ', '"dh0", "dX", "dx_t", ')
    replace_once(fd_test, r'"dX": \(R\.dX\(dhraw, params\["W_xh"\]\), num_X\)\}',
                 '"dX": (R.dX(dhraw, params["W_xh"]), num_X),\n'
                 '           "dx_t": (R.dx_t(dhraw[-1], params["W_xh"]), num_X[-1])}')
    math = root / "docs" / "math.md"
    text = math.read_text()
    assert text.count("### `rnn_backward`\n") == 1
    math.write_text(text.replace("### `rnn_backward`\n", MATH_SECTION + "### `rnn_backward`\n"))
    insert_after_line(math, r"^\| `dX` \|", MATH_ROW)
    replace_once(root / "tests" / "test_math_doc.py", r'dX=R\.dX\(dhraw, rnn\["W_xh"\]\),',
                 'dX=R.dX(dhraw, rnn["W_xh"]), dx_t=R.dx_t(dhraw[-1], rnn["W_xh"]),')


def tracked_copy(tmp_path):
    """Every file of the repository that git knows or would add, as it is on disk, at a new root."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO_ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    root = tmp_path / "repo"
    for rel in filter(None, listed):
        src, dst = REPO_ROOT / rel, root / rel
        if src.is_symlink() or src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst, follow_symlinks=False)     # students/constraints.txt stays a link
    return root


def snapshot(root):
    """{relative path: bytes} of every file under root (no caches)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts and ".pytest_cache" not in p.parts}


def changed_files(before, after):
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def insert_after_line(path, pattern, text):
    """Insert `text` after the one line of `path` matching the regex `pattern`."""
    lines = path.read_text().splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if re.search(pattern, line)]
    assert len(hits) == 1, f"{path.name}: {pattern!r} matched {len(hits)} lines"
    path.write_text("".join(lines[:hits[0] + 1]) + text + "".join(lines[hits[0] + 1:]))


def cell_of(text, grade_id):
    """(start, end) of the jupytext cell whose nbgrader grade_id is `grade_id`."""
    m = re.search(rf'^# %%[^\n]*"grade_id": "{grade_id}"[^\n]*$', text, re.M)
    assert m, f"no cell {grade_id}"
    nxt = re.search(r"^# %%", text[m.end():], re.M)
    return m.start(), (m.end() + nxt.start()) if nxt else len(text)


def new_test_cell(text, model, unit, visible):
    """The test cell of `unit`, made like `model`'s: its header and its hidden part, with the name replaced.

    Copied rather than typed, so the recipe follows whatever form the notebooks' test cells have.
    """
    start, end = cell_of(text, f"test_{model}")
    cell = text[start:end]
    header = cell.split("\n", 1)[0].replace(f'"test_{model}"', f'"test_{unit}"')
    hidden = re.search(r"^### BEGIN HIDDEN TESTS\n.*?^### END HIDDEN TESTS\n", cell, re.M | re.S)
    body = visible + ("\n" + re.sub(rf"\b{model}\b", unit, hidden.group(0)) if hidden else "")
    return f"{header}\n{body}\n"


def add_the_unit_by_hand(root):
    """The four edits an instructor makes; everything else is written by commands."""
    insert_after_line(root / "autograder" / "units.py", rf'^\s*DeclaredUnit\("02_rnn_bptt", "{AFTER}\(', DECLARATION)
    rnn = root / "autograder" / "checks" / "rnn.py"
    text = rnn.read_text()
    at = text.index(f"\n\ndef _{AFTER}(")
    at = text.index("\n\n\n", at + 2) + 1                # the end of the model unit's case function
    rnn.write_text(text[:at] + CHECK + text[at:])
    insert_after_line(rnn, rf'^\s*Unit\("{AFTER}", ', CHECK_ENTRY)
    nb = root / "notebooks" / "bptt" / "02_rnn_bptt.py"
    text = nb.read_text()
    _, end = cell_of(text, f"test_{AFTER}")
    nb.write_text(text[:end] + MARKDOWN.lstrip("\n") + new_test_cell(text, AFTER, NEW_UNIT, VISIBLE_TEST)
                  + text[end:])
    heldout = root / "bench" / "heldout" / "set_02_rnn.py"
    text = heldout.read_text()
    assert text.rstrip().endswith("]")
    heldout.write_text(text.rstrip()[:-1] + HELDOUT + "]\n")


def test_add_a_graded_unit(tmp_path):
    """Four files by hand, then release and the sample class: the fast suite passes and the unit grades."""
    root = tracked_copy(tmp_path)
    assert NEW_UNIT not in units.BY_NAME, f"{NEW_UNIT} is a unit of the course already: pick another for the recipe"
    n02, total = units.notebook_points()["02_rnn_bptt"], units.total_points()
    add_the_reference(root)         # the preconditions, not counted as the recipe's edits
    before = snapshot(root)
    add_the_unit_by_hand(root)
    by_hand = changed_files(before, snapshot(root))
    assert by_hand == ["autograder/checks/rnn.py", "autograder/units.py", "bench/heldout/set_02_rnn.py",
                       "notebooks/bptt/02_rnn_bptt.py"]

    # The commands of the recipe write the rest: the points everywhere, the release, the sample class.
    run_in(root, "-m", "autograder", "release", "--course", str(root))
    run_in(root, "examples/make_examples.py")
    generated = set(changed_files(before, snapshot(root))) - set(by_hand)
    assert "docs/type_rules.md" in generated and "source/bptt/02_rnn_bptt.ipynb" in generated, sorted(generated)
    assert run_in(root, "-m", "autograder", "sync", "--check", "--course", str(root)).strip() == ""
    text = (root / "notebooks" / "bptt" / "02_rnn_bptt.py").read_text()
    assert "| `dx_t(dhraw_t, W_xh)` | 1 |" in text and f"**{total + 1} points**" in text

    # Nothing else needs editing: the copy's own fast suite passes.
    run_in(root, "-m", "pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider", timeout=3600)

    # The new unit grades: a correct answer earns its point, a wrong one is named.
    submitted = tmp_path / "submitted"
    run_in(root, "-c", "from tools import factory; import sys; "
           f"factory.write_submission(sys.argv[1], 'ada', stems=['02_rnn_bptt']); "
           f"factory.write_submission(sys.argv[1], 'bob', {{'dx_t': {WRONG_DX_T!r}}}, stems=['02_rnn_bptt'])",
           str(submitted))
    graded = grade(root, submitted, tmp_path / "out")
    assert {s: e["score"] for s, e in graded.items()} == {"ada": n02 + 1, "bob": n02}
    assert graded["ada"]["max_score"] == total + 1
    new = {s: next(t for t in e["tests"] if t["name"] == NEW_UNIT) for s, e in graded.items()}
    assert (new["ada"]["score"], new["ada"]["max_score"], new["bob"]["score"]) == (1, 1, 0)
    # The catalogued message, its full stop giving way to the case it failed in.
    assert new["bob"]["output"].startswith(f"dx_t output: {TRANSPOSED.rstrip('.')} (case 1 of "), new["bob"]["output"]
