"""`nbgrader autograde`: a student's kernel that rewrites the autograder package grades nobody with it.

The course is the mini course with the autograder package inside it, as in the repository (the
course root holds autograder/). Student a_sabotage's solution cell rewrites the course's own
checks/judge.py (found from the kernel's working folder) so that every unit would pass, and hands
in a wrong dz_netAct; b_perfect, graded after, hands in right answers. The judge runs from the
package as it was before the first kernel (autograder/nbgrader_hooks/package_guard.py): a_sabotage
loses dz_netAct's point, b_perfect gets every point, and the course's file is put back.
Real `nbgrader generate_assignment` and `nbgrader autograde`, exact scores from the gradebook.
"""
import shutil
from pathlib import Path

import pytest

from autograder import course as course_mod
from tests.adversarial import minicourse
from tools import course_tools

REPO = Path(__file__).resolve().parent.parent

SABOTAGE = r'''import os
path = os.path.abspath("../../../autograder/checks/judge.py")
with open(path, "a") as f:
    f.write("\n\ndef judge_cases(unit, cases, call, probe):\n    return None\n")
'''
WRONG = "def dz_netAct(z_netAct, y):\n    return np.zeros(z_netAct.shape)\n"


@pytest.mark.slow   # the real nbgrader generate_assignment and autograde
def test_a_solution_cell_that_rewrites_the_judge_changes_no_score(tmp_path):
    course = minicourse.write_course(tmp_path / "course")
    shutil.copy2(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(REPO / "autograder", course / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    judge = course / "autograder" / "checks" / "judge.py"
    original = judge.read_bytes()
    course_mod.generate_release(course)
    minicourse.student(course / "submitted", "a_sabotage", edits={"01_mlp_backprop": {"dz_netAct": WRONG}},
                       extra={"01_mlp_backprop": [SABOTAGE]})
    minicourse.student(course / "submitted", "b_perfect")
    proc = course_tools.autograde(course, autograder_root=course)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    scores = course_tools.gradebook_scores(course)
    full = minicourse.POINTS
    assert scores == {"a_sabotage": {"01_mlp_backprop": full["dz_netIn"] + full["dz_b"] + full["mlp_backward"],
                                     "02_rnn_bptt": full["dy_t"]},
                      "b_perfect": {"01_mlp_backprop": full["dz_netAct"] + full["dz_netIn"] + full["dz_b"]
                                    + full["mlp_backward"], "02_rnn_bptt": full["dy_t"]}}
    assert judge.read_bytes() == original
    # The sandboxed kernel cannot reach the course's files at all, so the guard has nothing to put
    # back; the guard itself is tested on its own (tests/test_nbgrader_hooks.py).
    assert f"a graded notebook changed {judge}" not in proc.stderr
