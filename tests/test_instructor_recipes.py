"""The README's "Changing the course" recipes, walked through on a temporary copy of the repository.

Add a hidden case: one more entry in CASE_DIMS (autograder/checks/base.py). Both
grading paths draw their cases from there, so a dh_t that passed every case
before (it slices its answer to Q columns, harmless while H <= Q, as in the
three cases shipped) fails the new case (H > Q). The command
`python -m autograder grade`, run in the copy, must then give that student
exactly dh_t's 2 points less and name the new case; a correct student keeps
full marks.
"""
import json
import shutil
import subprocess
import sys

from autograder import units
from tests import factory
from tests.factory import REPO_ROOT

# Correct while H <= Q (the slice keeps every column); wrong shape when H > Q.
SLICED_DH_T = '''
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    dh = dy_t @ W_hq.T + dhraw_next @ W_hh.T
    return dh[:, :W_hq.shape[1]]          # meant: keep the H columns; W_hq.shape[1] is Q
'''
CASES_OPEN = "CASE_DIMS = (\n"
NEW_CASE = '    dict(T=6, N=5, D=2, H=7, Q=3, C=4, H1=8, H2=9, k=4, activation="relu", seed=404),\n'


def repo_copy(tmp_path):
    """What `python -m autograder grade` needs: the package, source/ and release/, at a new root."""
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in ("autograder", "source", "release"):
        shutil.copytree(REPO_ROOT / name, root / name, ignore=ignore)
    shutil.copy2(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    return root


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
    submitted = tmp_path / "submitted"
    factory.write_submission(submitted, "ada", stems=["02_rnn_bptt"])
    factory.write_submission(submitted, "sam", {"dh_t": SLICED_DH_T}, stems=["02_rnn_bptt"])
    nb02 = units.notebook_points()["02_rnn_bptt"]                  # 14: only notebook 02 is submitted
    dh_t_points = units.BY_NAME["dh_t"].points                      # 2

    before = grade(root, submitted, tmp_path / "before")
    assert {s: e["score"] for s, e in before.items()} == {"ada": nb02, "sam": nb02}
    assert dh_t_result(before["sam"])["score"] == dh_t_points

    # The recipe's one edit: a fourth entry in CASE_DIMS, with more hidden units than classes.
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
    assert "(case 4 of 4: T=6, N=5, D=2, H=7, Q=3, activation=relu)" in result["output"]
    assert all(t["score"] == t["max_score"] for t in after["sam"]["tests"]
               if t["notebook"] == "02_rnn_bptt" and t["name"] != "dh_t")
