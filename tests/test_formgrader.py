"""Formgrader's Autograde button in a real Jupyter server records `python -m autograder grade`'s scores.

The class: the sample class, the two kernel tamperings (tools/tamperings.py) and a notebook that
prints 200 MB. The server is started the ordinary way (at the course root, no PYTHONPATH, no
BPTT_GRADING), so the scores prove that nbgrader_config.py's judge runs when Autograde runs
inside the server process, and that the server process itself never imports the grader.
"""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course, units
from autograder.nbgrader_hooks.bound_outputs import MAX_NOTEBOOK_BYTES
from tools import course_tools, tamperings
from tests.live_server import JupyterServer

pytestmark = pytest.mark.slow   # a real Jupyter server and Formgrader's Autograde

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "submissions"
# eli handed in a truncated 02_rnn_bptt.ipynb (not JSON). nbgrader cannot read it and fails
# her whole submission; the grading command grades her other notebooks (see the README).
UNREADABLE = {"eli": "02_rnn_bptt.ipynb"}
HIDDEN_TEST_CELLS = {c["metadata"]["nbgrader"]["grade_id"]
                     for nb in (REPO / "source" / "bptt").glob("*.ipynb") for c in json.loads(nb.read_text())["cells"]
                     if "BEGIN HIDDEN TESTS" in "".join(c["source"])}


@pytest.fixture(scope="module")
def class_course(tmp_path_factory):
    """A released course copy with the sample class under submitted/, and the grading command's grades.json."""
    tmp = tmp_path_factory.mktemp("formgrader")
    root = course_tools.make_course_copy(tmp)
    course.generate_release(root)
    shutil.copytree(EXAMPLES, root / "submitted")
    for name in tamperings.TAMPERINGS:
        tamperings.write_tampered(root / "submitted", name, name)
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root / "submitted"), "--out",
                           str(tmp / "out"), "--course", str(root), "--quiet"],
                          cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    graded = json.loads((tmp / "out" / "grades.json").read_text())["submissions"]
    return root, {s["student"]: s for s in graded}


@pytest.fixture(scope="module")
def server(class_course):
    root, _ = class_course
    with JupyterServer(root, app="server", env={"PYTHONPATH": ""}) as srv:
        yield srv


def units_by_unit(server, student, grade_ids):
    """{(notebook stem, grade_id): auto_score} of one student, read through Formgrader's API.

    grade_ids: {notebook stem: [grade_id, ...]}. A notebook that nbgrader could not
    autograde (missing, or not a notebook) has no id; Formgrader shows it at 0.
    """
    scores = {}
    for nb in server.get(f"/formgrader/api/student_notebook_submissions/{student}/bptt"):
        if nb["id"] is None:
            assert nb["score"] == 0, nb
            scores.update({(nb["name"], g): 0.0 for g in grade_ids[nb["name"]]})
            continue
        for grade in server.get(f"/formgrader/api/grades?submission_id={nb['id']}"):
            if grade["name"] in units.QUESTION_BY_NAME:    # a written answer, graded by hand: not a unit
                assert grade["cell_type"] == "markdown" and not grade["manual_score"], grade
                continue
            scores[(nb["name"], grade["name"])] = grade["auto_score"] or 0.0
    return scores


def test_formgrader_autograde_matches_the_grading_command_unit_by_unit(class_course, server):
    _, expected = class_course
    assert sorted(expected) == sorted([p.name for p in EXAMPLES.iterdir()] + list(tamperings.TAMPERINGS))
    for student in sorted(expected):
        reply = server.post(f"/formgrader/api/submission/bptt/{student}/autograde", timeout=900)
        if student in UNREADABLE:
            assert reply["success"] is False and UNREADABLE[student] in reply["log"], reply
            assert server.get(f"/formgrader/api/submission/bptt/{student}")["score"] == 0
            assert 0 < expected[student]["score"] < expected[student]["max_score"]
            continue
        assert reply["success"], reply
        # Made from the current release through nbgrader's student workflow, so nbgrader restores
        # nothing. It still notes a changed checksum for each test cell with hidden tests: the
        # gradebook's checksum covers the hidden tests, which the release never has (stock nbgrader).
        changed = set(re.findall(r"Attribute '(\w+)' for cell (\w+) has changed!", reply["log"]))
        assert changed <= {("checksum", g) for g in HIDDEN_TEST_CELLS}, sorted(changed)
        assert "Missing" not in reply["log"] and "does not exist in the database" not in reply["log"]
        want = {(t["notebook"], "test_" + t["name"]): float(t["score"]) for t in expected[student]["tests"]}
        grade_ids = {}
        for stem, grade_id in want:
            grade_ids.setdefault(stem, []).append(grade_id)
        assert units_by_unit(server, student, grade_ids) == want, (student, reply.get("log", "")[-3000:])
        submission = server.get(f"/formgrader/api/submission/bptt/{student}")
        assert submission["score"] == pytest.approx(expected[student]["score"]), student
    assert expected["ada"]["score"] == expected["ada"]["max_score"] == units.total_points()
    for name in tamperings.TAMPERINGS:      # the kernel reported full marks for these before the judge
        points = units.notebook_points()[tamperings.STEM] - units.BY_NAME[tamperings.UNIT].points
        assert server.get(f"/formgrader/api/submission/bptt/{name}")["score"] == expected[name]["score"] == points


def test_formgrader_feedback_shows_the_autograded_score(class_course, server):
    root, expected = class_course
    server.post("/formgrader/api/submission/bptt/ada/autograde", timeout=900)
    reply = server.post("/formgrader/api/assignment/bptt/ada/generate_feedback", timeout=600)
    assert reply["success"], reply
    html = (root / "feedback" / "ada" / "bptt" / "02_rnn_bptt.html").read_text()
    points = sum(t["max_score"] for t in expected["ada"]["tests"] if t["notebook"] == "02_rnn_bptt")
    # nbgrader's maximum counts the notebook's written answers, which no grader has scored yet.
    assert f"Score: {points:.1f} / {points + units.manual_points('02_rnn_bptt'):.1f}" in html
    assert "from autograder" not in html, "feedback does not show the hidden tests"


def test_a_users_kernel_in_the_grading_server_cannot_import_the_checks(server):
    out = server.execute("import os, importlib.util\n"
                         "print(importlib.util.find_spec('autograder'), os.environ.get('BPTT_GRADING'))")
    assert out == "None None\n"


def test_a_200_mb_print_is_cut_in_formgraders_view_and_the_feedback(class_course, server):
    root, _ = class_course
    tamperings.write_huge_print(root / "submitted", "huge-print")
    reply = server.post("/formgrader/api/submission/bptt/huge-print/autograde", timeout=900)
    assert reply["success"], reply.get("log", "")[-3000:]
    assert server.get("/formgrader/api/submission/bptt/huge-print")["score"] == units.notebook_points()[tamperings.STEM]
    reply = server.post("/formgrader/api/assignment/bptt/huge-print/generate_feedback", timeout=600)
    assert reply["success"], reply
    nb = next(n for n in server.get("/formgrader/api/student_notebook_submissions/huge-print/bptt")
              if n["name"] == tamperings.STEM)
    page = server.text(f"/formgrader/submissions/{nb['id']}/", timeout=300)
    feedback = (root / "feedback" / "huge-print" / "bptt" / f"{tamperings.STEM}.html").read_text()
    autograded = (root / "autograded" / "huge-print" / "bptt" / f"{tamperings.STEM}.ipynb").read_text()
    for shown in (page, feedback, autograded):
        assert len(shown.encode()) < MAX_NOTEBOOK_BYTES + 2 * 1024 * 1024
        assert "[output cut: this cell" in shown.replace("&#39;", "'")
