"""Our command and stock `nbgrader autograde` agree, unit by unit, on honest submissions.

Uses the session's nbgrader-graded course (tests/nbgrader_course.py): the
solution as-is, the untouched release, a factory-made correct submission and
single-mistake submissions (notebooks without the mistake left out, which both
graders score 0). The same submitted/ folder is graded by our command.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import units

pytestmark = pytest.mark.slow   # real nbgrader autograde against the sandboxed grader

REPO = Path(__file__).resolve().parent.parent


def test_scores_agree_with_nbgrader_unit_by_unit(graded_course, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(graded_course.root / "submitted"),
                           "--out", str(out), "--course", str(graded_course.root), "--quiet"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "grades.json").read_text())
    ours = {s["student"]: {t["name"]: float(t["score"]) for t in s["tests"]} for s in doc["submissions"]}
    theirs = {student: {gid[len("test_"):]: float(score or 0) for stem in per_nb.values() for gid, score in stem.items()}
              for student, per_nb in graded_course.cells.items()}
    assert set(ours) == set(theirs)
    for student in sorted(ours):
        assert ours[student] == theirs[student], student
    # nbgrader's max_score counts the written answers too; the command keeps them apart (manual_max_score).
    totals = {s["student"]: (float(s["score"]), float(s["max_score"]) + float(s["manual_max_score"]))
              for s in doc["submissions"]}
    assert totals == graded_course.export
    # The points themselves come from source/, as nbgrader's do.
    assert doc["max_score"] == sum(p for stem in graded_course.points.values() for p in stem.values()) == units.total_points()
