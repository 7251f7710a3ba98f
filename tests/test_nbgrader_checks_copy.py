"""Stock `nbgrader autograde`: one student's kernel cannot change the checks the next student is graded with.

The course is the mini course with the autograder package inside it, as in the repository (the
course root holds autograder/). Student a_sabotage's solution cell appends a `check` that always
fails to the checks it imported, and to the course's own file (found from the kernel's working
folder); b_perfect, graded after, must still get every point, and the course's file is put back.
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
import autograder.checks
evil = "\ndef check(name, func):\n    raise AssertionError('sabotaged by a_sabotage')\n"
for path in [autograder.checks.__file__, os.path.abspath("../../../autograder/checks/__init__.py")]:
    try:
        os.chmod(path, 0o644)
        with open(path, "a") as f:
            f.write(evil)
    except OSError:
        pass
'''


@pytest.mark.slow   # the real nbgrader generate_assignment and autograde
def test_a_solution_cell_cannot_change_the_next_students_checks(tmp_path):
    course = minicourse.write_course(tmp_path / "course")
    shutil.copy2(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(REPO / "autograder", course / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    original = (course / "autograder" / "checks" / "__init__.py").read_bytes()
    course_mod.generate_release(course)
    minicourse.student(course / "submitted", "a_sabotage", extra={"01_mlp_backprop": [SABOTAGE]})
    minicourse.student(course / "submitted", "b_perfect")
    proc = course_tools.autograde(course, autograder_root=course)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    scores = course_tools.gradebook_scores(course)
    assert scores == {"a_sabotage": {"01_mlp_backprop": 7.0, "02_rnn_bptt": 1.0},
                      "b_perfect": {"01_mlp_backprop": 7.0, "02_rnn_bptt": 1.0}}
    assert (course / "autograder" / "checks" / "__init__.py").read_bytes() == original
    # The kernel runs in the sandbox (autograder/sandbox/kernel.py): the course's file was out of its reach.
    assert "a graded notebook changed" not in proc.stderr
