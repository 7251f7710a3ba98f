"""Written answers graded by hand: kept apart from the autograded total until a grader scores them.

The course is the small test course plus one nbgrader "manually graded answer" cell; the
gradebook is nbgrader's own (generate_assignment records the cell), the score is entered through
nbgrader's Gradebook API exactly as formgrader stores it, and `python -m autograder grade
--gradebook` must fold it into grades.json, grades.csv, results.json, the feedback page and the
class report.
"""
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import units
from autograder.course import tools_env
from autograder.errors import ConfigError
from autograder.plan import read_plan
from tests.adversarial import minicourse

REPO = Path(__file__).resolve().parent.parent
QUESTION = units.QUESTION_BY_NAME["q_one_layer_defined_by"]       # declared in 02_rnn_bptt
RUBRIC = "RUBRIC-ONLY-FOR-GRADERS"


def answer_cell(points=QUESTION.points, text=f"### BEGIN SOLUTION\n{RUBRIC}\n### END SOLUTION"):
    meta = {"nbgrader": {"grade": True, "solution": True, "locked": False, "points": points,
                         "grade_id": QUESTION.name, "schema_version": 3}}
    return {"cell_type": "markdown", "metadata": meta, "source": text}


def course_with_question(root, points=QUESTION.points):
    course = minicourse.write_course(root)
    path = course / "source" / "bptt" / f"{QUESTION.notebook}.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"].append(answer_cell(points))
    path.write_text(json.dumps(nb, indent=1))
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "bptt-test"\n')
    return course


def student_answering(course, name, answer):
    folder = minicourse.student(course / "submitted", name)
    path = folder / f"{QUESTION.notebook}.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"].append(answer_cell(text=answer))
    path.write_text(json.dumps(nb, indent=1))


def run(*args, cwd=REPO):
    proc = subprocess.run([sys.executable, *map(str, args)], cwd=cwd, env=tools_env(), capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_the_plan_reads_a_written_answer_and_refuses_other_points(tmp_path):
    plan = read_plan(course_with_question(tmp_path / "ok"))
    assert [(q.name, q.notebook, q.points) for q in plan.questions] == [(QUESTION.name, QUESTION.notebook, 1.0)]
    assert plan.max_score == minicourse.MAX_SCORE and plan.manual_max_score == QUESTION.points
    with pytest.raises(ConfigError, match=f"written answer '{QUESTION.name}': .* gives it 5 points, "
                                          f"autograder/units.py declares {QUESTION.points}"):
        read_plan(course_with_question(tmp_path / "bad", points=5))


def test_release_clears_the_rubric(tmp_path):
    course = course_with_question(tmp_path / "course")
    run("-m", "nbgrader", "generate_assignment", "bptt", "--force", cwd=course)
    released = json.loads((course / "release" / "bptt" / f"{QUESTION.notebook}.ipynb").read_text())
    cell = next(c for c in released["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == QUESTION.name)
    assert "".join(cell["source"]) == "YOUR ANSWER HERE"
    assert RUBRIC not in json.dumps(released)


@pytest.mark.slow    # real nbgrader commands and two grading runs
def test_graders_scores_flow_from_the_gradebook_into_every_output(tmp_path):
    from nbgrader.api import Gradebook

    course = course_with_question(tmp_path / "course")
    run("-m", "nbgrader", "generate_assignment", "bptt", "--force", cwd=course)
    student_answering(course, "alice", "The five arrays W_xh, W_hh, b_h, W_hq, b_q.")
    student_answering(course, "bob", "No idea.")
    out = tmp_path / "out"
    grade = ("-m", "autograder", "grade", course / "submitted", "--out", out, "--course", course, "--gradebook",
             "--quiet")
    run(*grade)
    doc = json.loads((out / "grades.json").read_text())
    assert doc["max_score"] == minicourse.MAX_SCORE and doc["manual_max_score"] == QUESTION.points
    for s in doc["submissions"]:
        assert s["score"] == minicourse.MAX_SCORE       # the written answer is not in the autograded total
        assert s["manual"] == [dict(name=QUESTION.name, notebook=QUESTION.notebook, score=None,
                                    max_score=QUESTION.points, status="to be graded by hand")]
    assert "1 of 1 to be graded by hand" in (out / "alice" / "feedback.html").read_text()
    assert "to be graded by hand" in (out / "class_report.html").read_text()
    gradescope = json.loads((out / "alice" / "results.json").read_text())
    assert gradescope["score"] == minicourse.MAX_SCORE
    assert gradescope["tests"][-1] == dict(name=f"{QUESTION.name} (written answer, graded by hand)",
                                           output="to be graded by hand: 1 point, apart from the autograded score",
                                           visibility="visible")

    # A grader scores alice's answer; formgrader writes it as the grade's manual_score.
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.find_grade(QUESTION.name, QUESTION.notebook, "bptt", "alice").manual_score = 1.0
        gb.db.commit()
    run(*grade)
    doc = json.loads((out / "grades.json").read_text())
    alice, bob = doc["submissions"]
    assert (alice["score"], alice["manual_score"], alice["manual"][0]["status"]) == (minicourse.MAX_SCORE, 1.0,
                                                                                      "graded by hand")
    assert (bob["manual_score"], bob["manual"][0]["score"]) == (0, None)
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows[0][-3:] == [QUESTION.name, "manual", "manual_max_score"]
    assert [r[-3:] for r in rows[1:]] == [["1", "1", "1"], ["", "0", "1"]]
    assert "1 / 1, graded by hand" in (out / "alice" / "feedback.html").read_text()
    assert json.loads((out / "alice" / "results.json").read_text())["score"] == minicourse.MAX_SCORE + 1
    report = json.loads((out / "class_report.json").read_text())
    assert report["manual"] == [dict(name=QUESTION.name, notebook=QUESTION.notebook, max_score=1, graded=1,
                                     to_grade_by_hand=1, mean=1.0)]
    page = (out / "class_report.html").read_text()
    assert "1 / 1</td>" in page and "0 / 1, 1 to be graded by hand" in page
    # the autograded scores the command wrote did not overwrite the grader's score
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assert gb.find_grade(QUESTION.name, QUESTION.notebook, "bptt", "alice").manual_score == 1.0
