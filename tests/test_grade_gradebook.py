"""--gradebook: scores land in nbgrader's gradebook, and the real `nbgrader export` shows them."""
import csv
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.course import tools_env
from tests.adversarial import minicourse

pytestmark = pytest.mark.slow   # real nbgrader commands

REPO = Path(__file__).resolve().parent.parent
WRONG_DZ_B = {"01_mlp_backprop": {"dz_b": "def dz_b(g):\n    return g.mean(axis=0)\n"}}


def nbgrader(course, *args):
    # tools_env: nbgrader calls `alembic` from PATH, which a venv used without activation lacks.
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=tools_env(), capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def grade(course):
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--out",
                           str(course / "grades_out"), "--course", str(course), "--gradebook", "--quiet"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def export(course):
    nbgrader(course, "export")
    with (course / "grades.csv").open() as f:
        return {row["student_id"]: (row["raw_score"], row["max_score"]) for row in csv.DictReader(f)}


def test_nbgrader_export_shows_the_scores(tmp_path):
    course = minicourse.write_course(tmp_path / "course")
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "bptt-test"\n')
    nbgrader(course, "generate_assignment", "bptt", "--force")      # records the assignment and its grade cells
    minicourse.student(course / "submitted", "alice")
    minicourse.student(course / "submitted", "bob", edits=WRONG_DZ_B)
    minicourse.student(course / "submitted", "carol", raw={"01_mlp_backprop": b"not json"})
    grade(course)
    assert export(course) == {"alice": ("8.0", "8.0"), "bob": ("7.0", "8.0"), "carol": ("1.0", "8.0")}
    minicourse.student(course / "submitted", "bob")                  # bob resubmits a fixed notebook
    grade(course)
    assert export(course)["bob"] == ("8.0", "8.0")


def test_gradebook_without_the_assignment_is_a_clear_error(tmp_path):
    course = minicourse.write_course(tmp_path / "course")
    minicourse.student(course / "submitted", "alice")
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--out",
                           str(tmp_path / "out"), "--course", str(course), "--gradebook", "--quiet"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "run `python -m autograder release` first" in proc.stderr
