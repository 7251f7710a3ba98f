"""Adversarial and broken submissions, graded in one batch by the real command, under each isolation.

Each submission in tests/adversarial/submissions.py states its exact expected total (per
isolation mode where they differ); units it attacks get 0 with a clear message, the batch goes
on, and nothing on the grader's side changes. The batch runs under bwrap (the default) and under
forced process isolation (`--isolation process`, where this machine can run it: see
tests/adversarial/hostview.py). Copies of solutions planted elsewhere on the host
(tests/adversarial/hostcopies.py) are there for the thieves to look for.
"""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.checks import UNITS
from tests.adversarial import hostcopies, hostview, minicourse
from tests.adversarial.submissions import ADVERSARIAL, expected, substitute

pytestmark = pytest.mark.slow   # sandboxed batches of hostile submissions, under both isolation modes

REPO = Path(__file__).resolve().parent.parent
MARK = f"bptt-adv-{os.getpid()}"
PROCESS_OK, PROCESS_WHY = hostview.can_run_process_mode()
MODES = ["bwrap", pytest.param("process", marks=pytest.mark.skipif(not PROCESS_OK, reason=PROCESS_WHY))]


def _digest(paths):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


@pytest.fixture(scope="module", autouse=True)
def sandbox_user():
    if os.geteuid() == 0:
        subprocess.run("getent passwd bptt-student >/dev/null || useradd --system --no-create-home "
                       "--shell /usr/sbin/nologin bptt-student", shell=True, check=True)


@pytest.fixture(scope="module", params=MODES)
def graded(request, tmp_path_factory):
    mode = request.param
    root = tmp_path_factory.mktemp(f"adv-{mode}")
    course = minicourse.write_course(root / "course")
    (course / "gradebook.db").write_bytes(b"private hidden tests")
    out = root / "out"
    out.mkdir()
    places = hostcopies.plant(course, f"{MARK}-{mode}")
    modes = hostview.modes_of(REPO)
    try:
        for name, spec in ADVERSARIAL.items():
            minicourse.student(course / "submitted", name,
                               **substitute(spec["build"], dict(places, REPO=REPO, COURSE=course, OUT=out)))
        watched = (list((REPO / "autograder").rglob("*.py")) + list(course.rglob("*.ipynb"))
                   + [course / "gradebook.db"])
        before = _digest(watched)
        prefix = hostview.prefix(root) if mode == "process" else []
        proc = subprocess.run(
            prefix + [sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--out", str(out),
                      "--course", str(course), "--jobs", "2", "--cell-timeout", "2", "--call-timeout", "2",
                      "--grace", "1", "--isolation", mode],
            cwd=REPO, capture_output=True, text=True, check=False, timeout=600)
        hostview.restore(modes)   # at once: other tests may run as other users
        yield dict(mode=mode, proc=proc, out=out, course=course, before=before, after=_digest(watched),
                   places=places, grades=json.loads((out / "grades.json").read_text()))
    finally:
        hostcopies.remove(places)
        hostview.restore(modes)


def test_the_batch_completes(graded):
    assert graded["proc"].returncode == 0, graded["proc"].stderr
    students = [s["student"] for s in graded["grades"]["submissions"]]
    assert sorted(students) == sorted(ADVERSARIAL)


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_exact_score_and_message(graded, name):
    entry = next(s for s in graded["grades"]["submissions"] if s["student"] == name)
    score, lost = expected(ADVERSARIAL[name], graded["mode"])
    tests = {t["name"]: t for t in entry["tests"]}
    assert entry["score"] == score, [(t["name"], t["output"]) for t in entry["tests"]]
    assert entry["max_score"] == minicourse.MAX_SCORE == 8
    for unit, text in lost.items():
        assert tests[unit]["score"] == 0
        assert text in tests[unit]["output"]
    for unit, t in tests.items():
        assert t["max_score"] == minicourse.POINTS[unit]          # from source/, never the submission
        if unit not in lost and t["score"] == t["max_score"]:
            n = len(UNITS[unit].cases())
            assert t["output"] == f"passed {n}/{n} cases"


def test_every_output_records_the_isolation(graded):
    mode, out = graded["mode"], graded["out"]
    doc = graded["grades"]
    assert doc["isolation"] == mode and doc["isolation_detail"].startswith(f"{mode}: ")
    assert "uid " in doc["isolation_detail"] and "processes: " in doc["isolation_detail"]
    for entry in doc["submissions"]:
        assert entry["isolation"] == mode and entry["isolation_detail"] == doc["isolation_detail"]
        results = json.loads((out / entry["student"] / "results.json").read_text())
        assert results["isolation"] == mode and results["extra_data"]["isolation"] == doc["isolation_detail"]
        assert "isolation" not in (out / entry["student"] / "feedback.html").read_text()   # for instructors only


def test_notes_name_the_cells_that_failed(graded):
    notes = {s["student"]: s["notes"] for s in graded["grades"]["submissions"]}
    assert notes["loop_in_cell"] == ["01_mlp_backprop: code cell 2: timed out after 2s"]
    assert notes["os_exit_in_cell"] == ["01_mlp_backprop: code cell 2 ended the worker (worker crashed (exit code 1)); "
                                        "it was skipped"]
    assert notes["ignore_signals_in_cell"] == [
        "02_rnn_bptt: code cell 3 ended the worker (timed out after 2s (the cell ignored the interrupt)); it was skipped"]
    assert notes["syntax_error"][0].startswith("01_mlp_backprop: cell 'dz_netIn': SyntaxError")
    assert notes["forged_cell_outcomes"] == [
        "01_mlp_backprop: code cell 2 ended the worker (the student's process broke the protocol: a cell outcome "
        "out of order); it was skipped"]
    many = notes["many_failing_cells"]
    assert len(many) == 20 and many[-1] == "... and 1981 more notes like these"
    assert many[0] == "02_rnn_bptt: code cell 3: ValueError: again"


def test_nothing_on_the_grader_side_changed(graded):
    assert graded["after"] == graded["before"]
    assert not (REPO / "autograder" / "planted.py").exists()
    results = json.loads((graded["out"] / "write_files" / "results.json").read_text())
    assert results["score"] == 8


def test_printed_imitations_do_not_reach_the_grader(graded):
    out = graded["proc"].stdout + graded["proc"].stderr
    assert "1000 / 8" not in out and "score 1000" not in out and "All tests passed" not in out


def test_no_host_content_comes_back(graded):
    """The exfiltrating submission read nothing: its bounded message names only the errors."""
    secret = f"{MARK}-{graded['mode']} root-only secret"
    reference = (REPO / "autograder" / "reference" / "mlp.py").read_text().splitlines()[0]
    everything = graded["proc"].stdout + graded["proc"].stderr + "".join(
        p.read_text(errors="replace") for p in graded["out"].rglob("*") if p.is_file())
    assert secret not in everything and reference not in everything
    assert "root:" not in everything                    # /etc/shadow's first line
    entry = next(s for s in graded["grades"]["submissions"] if s["student"] == "exfiltrate")
    message = next(t["output"] for t in entry["tests"] if t["name"] == "dz_netAct")
    assert message.isprintable() and len(message) <= 300 + len(" (case 1 of 3: ...)") + 200
    assert "Error" in message and "\x1b" not in message


def test_student_text_is_escaped_in_feedback(graded):
    page = (graded["out"] / "exception" / "feedback.html").read_text()
    assert "oops &lt;b&gt;" in page and "oops <b>" not in page
    results = json.loads((graded["out"] / "exception" / "results.json").read_text())
    assert {t["name"]: t["score"] for t in results["tests"]} == {
        "dz_netAct": 1, "dz_netIn": 2, "dz_b": 0, "mlp_backward": 3, "dy_t": 1}
    assert all(t["visibility"] == "visible" for t in results["tests"])


# ---- when the requested isolation cannot run ---------------------------------------------------

def _grade(course, out, *extra, env=None):
    minicourse.student(course / "submitted", "alice")
    return subprocess.run([sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--out", str(out),
                           "--course", str(course), "--quiet", *extra],
                          cwd=REPO, capture_output=True, text=True, check=False, timeout=300, env=env)


def test_the_grader_refuses_when_bwrap_cannot_start(tmp_path):
    """A host where bubblewrap cannot create namespaces (Ubuntu 24.04's AppArmor default, a container)."""
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(0o755)
    course = minicourse.write_course(tmp_path / "course")
    proc = _grade(course, tmp_path / "out", env=dict(os.environ, BPTT_BWRAP=str(fake)))
    assert proc.returncode == 2
    assert ("cannot isolate student code: bubblewrap cannot start here: bwrap: setting up uid map: "
            "Permission denied") in proc.stderr
    assert "fix: " in proc.stderr and "--isolation process" in proc.stderr and "user namespaces" in proc.stderr
    assert not (tmp_path / "out" / "grades.json").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the grader switches to the sandbox user only when run as root")
def test_the_grader_says_why_it_cannot_create_a_missing_sandbox_user(tmp_path):
    # A missing sandbox user is created (tests/test_cli_errors.py); one that cannot be created
    # (here an invalid name) stops the grader before any student code runs, in one line.
    course = minicourse.write_course(tmp_path / "course")
    for mode in ("bwrap", "process"):
        proc = _grade(course, tmp_path / "out", "--isolation", mode, "--sandbox-user", "no such user!")
        assert proc.returncode == 2
        assert proc.stderr.startswith("python -m autograder grade: error: could not create the sandbox user "
                                      "'no such user!': `useradd --system --no-create-home --shell /usr/sbin/nologin "
                                      "no such user!` exited 3: useradd: invalid user name"), proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1
        assert not (tmp_path / "out" / "grades.json").exists()
