"""Adversarial and broken submissions, graded in one batch by the real command.

Each submission in tests/adversarial/submissions.py states its exact expected
total; units it attacks get 0 with a clear message, the batch goes on, and
nothing on the grader's side changes.
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adversarial import minicourse
from tests.adversarial.submissions import ADVERSARIAL, substitute

REPO = Path(__file__).resolve().parent.parent


def _digest(paths):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("adv")
    course = minicourse.write_course(root / "course")
    (course / "gradebook.db").write_bytes(b"private hidden tests")
    out = root / "out"
    out.mkdir()
    for name, spec in ADVERSARIAL.items():
        minicourse.student(course / "submitted", name,
                           **substitute(spec["build"], {"REPO": REPO, "COURSE": course, "OUT": out}))
    watched = list((REPO / "autograder").rglob("*.py")) + list(course.rglob("*.ipynb")) + [course / "gradebook.db"]
    before = _digest(watched)
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--out", str(out),
         "--course", str(course), "--jobs", "2", "--cell-timeout", "2", "--call-timeout", "2", "--grace", "1"],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    return dict(proc=proc, out=out, course=course, before=before, after=_digest(watched),
                grades=json.loads((out / "grades.json").read_text()))


def test_the_batch_completes(graded):
    assert graded["proc"].returncode == 0, graded["proc"].stderr
    students = [s["student"] for s in graded["grades"]["submissions"]]
    assert sorted(students) == sorted(ADVERSARIAL)


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_exact_score_and_message(graded, name):
    entry = next(s for s in graded["grades"]["submissions"] if s["student"] == name)
    spec = ADVERSARIAL[name]
    tests = {t["name"]: t for t in entry["tests"]}
    assert entry["score"] == spec["score"], [(t["name"], t["output"]) for t in entry["tests"]]
    assert entry["max_score"] == minicourse.MAX_SCORE == 8
    for unit, text in spec["lost"].items():
        assert tests[unit]["score"] == 0
        assert text in tests[unit]["output"]
    for unit, t in tests.items():
        assert t["max_score"] == minicourse.POINTS[unit]          # from source/, never the submission
        if unit not in spec["lost"] and t["score"] == t["max_score"]:
            assert t["output"] == "passed 3/3 cases"


def test_notes_name_the_cells_that_failed(graded):
    notes = {s["student"]: s["notes"] for s in graded["grades"]["submissions"]}
    assert notes["loop_in_cell"] == ["01_mlp_backprop: code cell 2: timed out after 2s"]
    assert notes["os_exit_in_cell"] == ["01_mlp_backprop: code cell 2 ended the worker (worker crashed (exit code 1)); "
                                        "it was skipped"]
    assert notes["ignore_signals_in_cell"] == [
        "02_rnn_bptt: code cell 3 ended the worker (timed out after 2s (the cell ignored the interrupt)); it was skipped"]
    assert notes["syntax_error"][0].startswith("01_mlp_backprop: cell 'dz_netIn': SyntaxError")


def test_nothing_on_the_grader_side_changed(graded):
    assert graded["after"] == graded["before"]
    assert not (REPO / "autograder" / "planted.py").exists()
    results = json.loads((graded["out"] / "write_files" / "results.json").read_text())
    assert results["score"] == 8


def test_printed_imitations_do_not_reach_the_grader(graded):
    out = graded["proc"].stdout + graded["proc"].stderr
    assert "1000 / 8" not in out and "score 1000" not in out and "All tests passed" not in out


def test_student_text_is_escaped_in_feedback(graded):
    page = (graded["out"] / "exception" / "feedback.html").read_text()
    assert "oops &lt;b&gt;" in page and "oops <b>" not in page
    results = json.loads((graded["out"] / "exception" / "results.json").read_text())
    assert {t["name"]: t["score"] for t in results["tests"]} == {
        "dz_netAct": 1, "dz_netIn": 2, "dz_b": 0, "mlp_backward": 3, "dy_t": 1}
    assert all(t["visibility"] == "visible" for t in results["tests"])
