"""`nbgrader autograde` records the judge's verdicts: tampering with the student's own kernel changes nothing.

One course copy, released; one class graded by ONE real `nbgrader autograde` batch and read back
through `nbgrader export`, the gradebook and `nbgrader generate_feedback`:

* two tampered notebooks 01 (tools/tamperings.py): a wrong dz_netAct with, in the same solution
  cell, checks swapped in sys.modules and the visible helpers patched, or every later cell wrapped
  in try/except. Both are recorded at the grading command's score: notebook 01's points minus
  dz_netAct's. (Before the judge, the kernel reported full marks for both.)
* a notebook 01 that prints 200 MB in a solution cell: every file made from it stays under the
  bound of docs/isolation.md and shows the note; the honest student graded after it gets full marks.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import units
from autograder.nbgrader_hooks import bound_outputs
from autograder.nbgrader_hooks.judge_verdicts import VERDICT_ENAME
from tools import course_tools, factory, tamperings
from autograder import course

pytestmark = pytest.mark.slow   # real nbgrader autograde, export and generate_feedback

REPO = Path(__file__).resolve().parents[1]
STEM = tamperings.STEM
NB01_POINTS = units.notebook_points()[STEM]
UNIT_POINTS = units.BY_NAME[tamperings.UNIT].points
# nbgrader's export counts the written answers in its maximum (none is graded by hand here).
EXPORT_MAX = units.total_points() + units.manual_points()
# Every file a person opens from one notebook: the bound of docs/isolation.md plus the notebook's own text.
FILE_BOUND = bound_outputs.MAX_NOTEBOOK_BYTES + 2 * 1024 * 1024


def write_tampered(submitted):
    for name in tamperings.TAMPERINGS:
        tamperings.write_tampered(submitted, name, name)
    factory.write_submission(submitted, "zz-honest", stems=[STEM])


def write_huge(submitted):
    tamperings.write_huge_print(submitted, "huge-print")
    factory.write_submission(submitted, "zz-honest", stems=[STEM])     # graded after huge-print


def autograde_and_grade(tmp, write_class):
    """(course root, nbgrader export, gradebook cells, the grading command's entries) of one class."""
    root = course_tools.autograde_class(tmp, write_class)
    course.run_nbgrader(["generate_feedback", course.ASSIGNMENT, "--force"], root)
    export = course_tools.read_export(course_tools.export_grades(root))
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root / "submitted"), "--out",
                           str(tmp / "out"), "--course", str(root), "--quiet"],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    command = {s["student"]: s for s in json.loads((tmp / "out" / "grades.json").read_text())["submissions"]}
    return root, export, course_tools.gradebook_scores(root, cells=True), command


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return autograde_and_grade(tmp_path_factory.mktemp("judge-tampered"), write_tampered)


@pytest.fixture(scope="module")
def huge(tmp_path_factory):
    return autograde_and_grade(tmp_path_factory.mktemp("judge-huge"), write_huge)


@pytest.mark.parametrize("name", sorted(tamperings.TAMPERINGS))
def test_a_tampered_kernel_is_recorded_at_the_commands_score(graded, name):
    root, export, cells, command = graded
    assert command[name]["score"] == NB01_POINTS - UNIT_POINTS
    assert export[name] == (NB01_POINTS - UNIT_POINTS, EXPORT_MAX)
    assert cells[name][STEM][f"test_{tamperings.UNIT}"] == 0.0
    errors = course_tools.hidden_test_errors(root, {name: STEM})
    assert errors == {(name, tamperings.UNIT): (VERDICT_ENAME, next(
        t["output"] for t in command[name]["tests"] if t["name"] == tamperings.UNIT))}


@pytest.mark.parametrize("batch", ["graded", "huge"])
def test_every_unit_score_is_the_commands(batch, request):
    _, _, cells, command = request.getfixturevalue(batch)
    for student, entry in command.items():
        ours = {t["name"]: t["score"] for t in entry["tests"] if t["notebook"] == STEM}
        theirs = {gid[len("test_"):]: score for gid, score in cells[student][STEM].items()}
        assert theirs == ours, student


def test_a_200_mb_print_leaves_every_file_under_the_bound_with_a_note(huge):
    root, export, _, _ = huge
    files = [root / "autograded" / "huge-print" / "bptt" / f"{STEM}.ipynb",
             root / "feedback" / "huge-print" / "bptt" / f"{STEM}.html"]
    for path in files:
        assert path.stat().st_size < FILE_BOUND, (path, path.stat().st_size)
        assert "[output cut: this cell&#39;s outputs were" in path.read_text() or \
            "[output cut: this cell's outputs were" in path.read_text(), path
    assert export["huge-print"] == (NB01_POINTS, EXPORT_MAX)


def test_the_honest_student_graded_after_the_huge_print_is_unaffected(huge):
    root, export, _, _ = huge
    assert export["zz-honest"] == (NB01_POINTS, EXPORT_MAX)
    text = (root / "autograded" / "zz-honest" / "bptt" / f"{STEM}.ipynb").read_text()
    assert "[output cut" not in text
    assert VERDICT_ENAME not in text


def test_the_kernel_cannot_import_the_grader(graded):
    root, _, _, _ = graded
    nb = json.loads((root / "autograded" / "zz-honest" / "bptt" / f"{STEM}.ipynb").read_text())
    assert not any("autograder" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
