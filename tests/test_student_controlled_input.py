"""What a student controls besides their code, read by the grader without trusting its shape.

Folder trees of any depth (autograder/tree.py: the submission scan, the Gradescope upload, the
sandbox's clean-up), names that clash with the outputs (outputs.reserve), cells written with
IPython's syntax (autograder/cell_python.py), notebooks saved with their figures
(submission.MAX_NOTEBOOK_BYTES), and the number of helper calls an assembly makes per case
(checks/trace.Trace). The full class, graded under both isolations: tests/test_grade_unusual_class.py.
"""
import json
import os
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from autograder import tree
from autograder.cell_python import TRANSFORM_BUDGET, Budget, python_source
from autograder.checks import UNITS
from autograder.checks.trace import MAX_TRACE_CALLS, RIGHT_CALLS, Trace, diagnose, recorder
from autograder.gradescope.bundle import bundle_entries
from autograder.gradescope.run import stage_upload
from autograder.grade import load_plan, oracle_answerer
from autograder.outputs import reserved_names, top_level
from autograder.reference import rnn as R
from autograder.submission import MAX_NOTEBOOK_BYTES, UnusableNotebook, cells_to_run, discover
from tests.adversarial import unusual_class
from tools import factory

REPO = Path(__file__).resolve().parent.parent


def deep(top, depth, name="d"):
    """`depth` folders below `top`, made one level at a time (the whole path may pass PATH_MAX)."""
    here = os.getcwd()
    os.makedirs(top, exist_ok=True)
    try:
        os.chdir(top)
        for _ in range(depth):
            os.mkdir(name)
            os.chdir(name)
        Path("answers.ipynb").write_text("{}")
    finally:
        os.chdir(here)


@pytest.fixture(autouse=True)
def _remove_deep_trees(tmp_path):
    yield
    tree.remove_tree(tmp_path)      # pytest's own clean-up recurses, and these trees are deeper than its stack


# ---- trees ---------------------------------------------------------------------------------------

def test_a_tree_of_any_depth_and_path_length_is_removed(tmp_path):
    deep(tmp_path / "home", 3000, "x" * 40)          # 3000 levels, a 123 kB path: past PATH_MAX and the stack
    deep(tmp_path / "home" / "wide", 3)
    for i in range(200):
        (tmp_path / "home" / f"f{i}").write_text("x")
    assert tree.remove_tree(tmp_path / "home") == []
    assert not (tmp_path / "home").exists()
    assert tree.remove_tree(tmp_path / "home") == []        # gone already: nothing to say


def test_a_walk_is_bounded_in_depth_and_count_and_says_so(tmp_path):
    deep(tmp_path / "a", 1500)
    walked = tree.walk(tmp_path / "a")
    assert len(walked.entries) == tree.MAX_DEPTH + 1
    assert walked.problems == ["d/" * (tree.MAX_DEPTH) + "d/: folders nested more than 32 deep were not searched"]
    for i in range(30):
        (tmp_path / "b" / str(i)).mkdir(parents=True)
    walked = tree.walk(tmp_path / "b", max_entries=10)
    assert [e.rel for e in walked.entries] == sorted(str(i) for i in range(30))[:10]
    assert walked.problems == ["b/: more than 10 files and folders; the rest were not searched"]


def test_a_folder_deeper_than_the_recursion_limit_costs_only_a_note(tmp_path):
    plan = load_plan(REPO)
    factory.write_submission(tmp_path / "submitted", "deep")
    factory.write_submission(tmp_path / "submitted", "honest")
    deep(tmp_path / "submitted" / "deep" / "bptt" / "old", 1500)
    subs = {s.student: s for s in discover([tmp_path / "submitted"], plan)}
    assert sorted(subs) == ["deep", "honest"]
    assert sorted(subs["deep"].files) == sorted(subs["honest"].files) == sorted(plan.notebooks)
    assert subs["deep"].problems == [
        "bptt/old/" + "d/" * (tree.MAX_DEPTH - 2) + "d/: folders nested more than 32 deep were not searched"]


def test_a_gradescope_upload_deeper_than_the_recursion_limit_is_staged(tmp_path):
    upload = factory.write_submission(tmp_path, "submission").parent
    deep(upload / "bptt" / "old", 1500)
    with zipfile.ZipFile(upload / "deep.zip", "w") as zf:
        zf.writestr("a/" * 40 + "01_mlp_backprop.ipynb", "{}")
    staged, notes = stage_upload(upload, tmp_path / "stage")
    found = sorted(p.name for p in (tmp_path / "stage" / "student" / "bptt").glob("*.ipynb"))
    assert found == sorted(f"{stem}.ipynb" for stem in load_plan(REPO).notebooks)
    assert notes == ["bptt/old/" + "d/" * (tree.MAX_DEPTH - 2) + "d/: folders nested more than 32 deep were not "
                     "searched", "deep.zip: " + "a/" * 40 + "01_mlp_backprop.ipynb is nested more than 32 folders "
                     "deep; not extracted"]


# ---- names ---------------------------------------------------------------------------------------

def test_every_name_the_writers_put_beside_the_students_is_reserved(tmp_path):
    assert reserved_names() >= {"grades.json", "grades.csv", ".cache", "class_report.html", "class_report.json"}
    with pytest.raises(ValueError, match="not declared with outputs.reserve"):
        top_level(tmp_path, "summary.html")


@pytest.mark.parametrize("name", ["class_report.html", "Class_Report.JSON", "grades.csv"])
def test_a_student_named_like_an_output_gets_a_row_and_a_note(tmp_path, name):
    plan = load_plan(REPO)
    factory.write_submission(tmp_path / "submitted", name)
    factory.write_submission(tmp_path / "submitted", "honest")
    subs = discover([tmp_path / "submitted"], plan)
    other = next(s for s in subs if s.student != "honest")
    assert other.student.lower() not in reserved_names() and other.student[0] == "%"
    assert other.problems == [f"the name {name!r} is stored as the id {other.student!r}: the grader writes a file "
                              f"or folder of that name beside the students' results (urllib.parse.unquote gives "
                              f"the name back)"]


# ---- cells ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("source, python", [
    ("x = (4\n     % 3\n     != 0)\n", "x = (4\n     % 3\n     != 0)\n"),
    ("!rm -rf ~\nfiles = !ls\n%matplotlib inline\n",
     "get_ipython().system('rm -rf ~')\nfiles = get_ipython().getoutput('ls')\n"
     "get_ipython().run_line_magic('matplotlib', 'inline')\n"),
    ("s = '''\n%not a magic\n!nor a shell\n'''\n", "s = '''\n%not a magic\n!nor a shell\n'''\n"),
    ("%%script false\ndef f():\n    raise NotImplementedError\n", None),
    ("%%bash\nls\n", None),
    ("\n%%html\n<b>x</b>\n", None),
    ("%%timeit\nf()\n", None),
    ("%%time\ndef f():\n    return 1\n!ls\n", "\ndef f():\n    return 1\nget_ipython().system('ls')\n"),
    ("%%capture out\n%%time\ny = 2\n", "\n\ny = 2\n"),
])
def test_a_cell_becomes_the_python_ipython_runs(source, python):
    assert python_source(source) == python


def test_a_cell_that_would_cost_the_grader_minutes_to_transform_raises_instead():
    many = "x = !ls\n" * 500            # IPython's own transformer: about 30 s of the grader's time
    assert python_source(many) == (
        "raise SyntaxError('this cell holds 500 lines of IPython syntax (magics, shell escapes) in 4000 characters: "
        "more than the grader transforms in one cell; split it')\n")
    assert Budget().left == 10 * TRANSFORM_BUDGET      # a notebook's: ten cells at the limit
    budget = Budget(50_000)
    cell = "y = !ls\n" * 10 + "z = 1\n" * 200      # 10 escapes in 1,280 characters: 12,800 of the budget
    runs = [python_source(cell, budget).startswith("y = get_ipython()") for _ in range(5)]
    assert runs == [True] * 3 + [False] * 2


def test_cells_to_run_sends_python_and_leaves_out_what_ipython_does_not_run():
    plan = load_plan(REPO)
    nb = factory.student_notebook("01_mlp_backprop")
    before = cells_to_run(json.dumps(nb).encode(), plan.notebooks["01_mlp_backprop"])
    nb["cells"] += [unusual_class._code(src) for src in unusual_class.MAGIC_CELLS]
    cells = cells_to_run(json.dumps(nb).encode(), plan.notebooks["01_mlp_backprop"])
    assert cells[:len(before)] == before
    # %%script false, %%bash and %%html are not run; the shell escapes reach only the sandbox's stand-in.
    assert cells[len(before):] == [
        ("code cell 23", "get_ipython().run_line_magic('matplotlib', 'inline')\n"
                         "get_ipython().run_line_magic('load_ext', 'autoreload')\n"
                         "get_ipython().run_line_magic('autoreload', '2')\n"),
        ("code cell 24", "get_ipython().system('echo planted > /tmp/bptt-magics-shell-ran')\n"
                         "files = get_ipython().getoutput('ls')\nx = 1\n"),
        ("code cell 28", "\n_timed = sum(range(10))\n")]


def test_the_gradescope_bundle_transforms_cells_without_ipython_installed(tmp_path):
    """Gradescope's venv has the grader's pins only: the bundle carries IPython's transformer module."""
    _, entries = bundle_entries(REPO)
    for name, src, _ in entries:
        if name.startswith("autograder/") and name.endswith(".py") and name.count("/") == 1:
            (tmp_path / name).parent.mkdir(exist_ok=True)
            (tmp_path / name).write_bytes(src if isinstance(src, bytes) else src.read_bytes())
    assert (tmp_path / "autograder" / "ipython_inputtransformer2.py").is_file()
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from autograder.cell_python import python_source; "
            "assert 'IPython' not in sys.modules; print(python_source('x = (1\\n     != 2)\\n!ls\\n'), end='')")
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert (proc.returncode, proc.stdout) == (0, "x = (1\n     != 2)\nget_ipython().system('ls')\n"), proc.stderr


def test_the_sandbox_never_imports_ipython():
    runner = (REPO / "autograder" / "sandbox" / "runner.py").read_text()
    assert "IPython" not in runner.replace("IPython's", "")


# ---- sizes ---------------------------------------------------------------------------------------

def test_figures_do_not_count_against_the_graded_source():
    plan = load_plan(REPO)
    nb = factory.student_notebook("04_long_histories")
    figure = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "A" * (30 << 20)}}
    spec = plan.notebooks["04_long_histories"]
    plain = cells_to_run(json.dumps(nb).encode(), spec)
    nb["cells"][-1]["outputs"] = [figure]
    data = json.dumps(nb).encode()
    assert 30 << 20 < len(data) < MAX_NOTEBOOK_BYTES == 100_000 * 1024      # nbgrader's max_file_size
    assert cells_to_run(data, spec) == plain
    nb["cells"].append(unusual_class._code("x = 1\n" * (1 << 20)))
    with pytest.raises(UnusableNotebook, match="code cells hold more than 1 MB of source"):
        cells_to_run(json.dumps(nb).encode(), plan.notebooks["04_long_histories"])
    with pytest.raises(UnusableNotebook, match="larger than 100 MB"):
        cells_to_run(b" " * (MAX_NOTEBOOK_BYTES + 1), plan.notebooks["04_long_histories"])


# ---- the call trace --------------------------------------------------------------------------------

def _rnn_case():
    unit = next(u for u in load_plan(REPO).units if u.name == "rnn_backward")
    return unit, UNITS["rnn_backward"].cases()[1]


def test_a_case_trace_is_bounded_however_many_calls_the_student_makes():
    unit, case = _rnn_case()
    Y, params, cache, act = case.args
    T, N, D = cache["X"].shape
    X, dhraw = np.ones((T, 40, D)), np.ones((T, 40, params["W_hh"].shape[0]))
    calls = Trace()
    answer = oracle_answerer(unit, case.args, calls)
    tracemalloc.start()
    for _ in range(5000):
        answer("dW_xh", (X, dhraw))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (len(calls), calls.dropped) == (MAX_TRACE_CALLS, 5000 - MAX_TRACE_CALLS)
    assert peak < 25 << 20, peak        # 1,818 numbers a call: the 5,000 calls kept would hold 73 MB
    # A trace the grader cut short says nothing: it cannot tell that every call was right.
    assert diagnose("rnn_backward", case.args, calls) is None


def test_the_kernel_path_keeps_the_same_bounded_trace():
    calls = Trace(max_calls=5)
    wrapped = recorder({"db_h": R.db_h}, calls)["db_h"]
    for _ in range(12):
        wrapped(np.ones((3, 2, 4)))
    assert (len(calls), calls.dropped) == (5, 7)


def test_a_complete_trace_still_diagnoses():
    unit, case = _rnn_case()
    Y, params, cache, act = case.args
    calls = Trace()
    funcs = recorder({name: getattr(R, name) for name in UNITS["rnn_backward"].oracles}, calls)
    namespace = dict(funcs, np=np)
    exec(factory.solution_source("02_rnn_bptt", "rnn_backward"), namespace)
    namespace["rnn_backward"](Y, params, cache, act)
    assert calls.dropped == 0 and diagnose("rnn_backward", case.args, calls) == RIGHT_CALLS
