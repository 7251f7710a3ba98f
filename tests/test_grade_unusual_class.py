"""One unusual or hostile student costs only their own row: the full assignment, under each isolation.

tests/adversarial/unusual_class.py: every student did the work right (full marks), in a way that once
broke the grader or cost points: a folder 1,500 deep, folders named like the class report's files,
IPython syntax (continuation lines starting with `%` or `!=`, shell escapes, %%script false over an
old draft, %%bash, %%time), 24 MB of saved figures, a folder left 1,500 deep in the sandbox's home
and /tmp, thousands of allowed helper calls per case. Under bwrap and under process isolation the
run exits 0, writes every output, gives every student exactly one row, and everyone keeps full marks.
"""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.outputs import reserved_names
from autograder.tree import remove_tree
from tests.adversarial import hostview, unusual_class

pytestmark = pytest.mark.slow   # a sandboxed batch of the full assignment under each isolation

REPO = Path(__file__).resolve().parent.parent
PROCESS_OK, PROCESS_WHY = hostview.can_run_process_mode()
MODES = ["bwrap", pytest.param("process", marks=pytest.mark.skipif(not PROCESS_OK, reason=PROCESS_WHY))]
SHELL_RAN = Path("/tmp/bptt-magics-shell-ran")


def _left_in_tmp():
    return sorted(p.name for p in Path("/tmp").iterdir() if p.name.startswith("bptt-deep-home-"))


@pytest.fixture(scope="module", autouse=True)
def sandbox_user():
    if os.geteuid() == 0:
        subprocess.run("getent passwd bptt-student >/dev/null || useradd --system --no-create-home "
                       "--shell /usr/sbin/nologin bptt-student", shell=True, check=True)


@pytest.fixture(scope="module", params=MODES)
def graded(request, tmp_path_factory):
    mode = request.param
    root = tmp_path_factory.mktemp(f"unusual-{mode}")
    submitted = unusual_class.build(root / "submitted", many_calls=300)
    out = root / "out"
    before = _left_in_tmp()
    modes = hostview.modes_of(REPO)
    try:
        prefix = hostview.prefix(root) if mode == "process" else []
        proc = subprocess.run(prefix + [sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out),
                                        "--jobs", "2", "--isolation", mode],
                              cwd=REPO, capture_output=True, text=True, check=False, timeout=900)
        hostview.restore(modes)   # at once: other tests may run as other users
        yield dict(mode=mode, proc=proc, out=out, before=before, after=_left_in_tmp(),
                   grades=json.loads((out / "grades.json").read_text()))
    finally:
        hostview.restore(modes)
        remove_tree(root / "submitted")      # 1,500 deep: pytest's own clean-up would recurse


def test_the_run_exits_0_with_exactly_one_row_per_student(graded):
    assert graded["proc"].returncode == 0, graded["proc"].stderr
    rows = [s["student"] for s in graded["grades"]["submissions"]]
    assert sorted(rows) == sorted(unusual_class.EXPECTED)
    assert f"{len(rows)} submission(s) graded" in graded["proc"].stdout


@pytest.mark.parametrize("student", sorted(unusual_class.EXPECTED))
def test_every_student_keeps_full_marks_and_gets_the_note(graded, student):
    entry = next(s for s in graded["grades"]["submissions"] if s["student"] == student)
    lost = [(t["name"], t["output"]) for t in entry["tests"] if t["score"] < t["max_score"]]
    assert (entry["score"], entry["max_score"], lost) == (unusual_class.MAX_SCORE, unusual_class.MAX_SCORE, [])
    assert entry["graded"] is True
    note = unusual_class.EXPECTED[student]
    if note:
        assert any(note in n for n in entry["notes"]), entry["notes"]
    else:
        assert entry["notes"] == [], entry["notes"]
    assert (graded["out"] / student / "feedback.html").is_file()


def test_every_output_is_written_and_no_student_replaced_one(graded):
    out = graded["out"]
    for name in ("grades.json", "grades.csv", "class_report.html", "class_report.json"):
        assert (out / name).is_file(), name
    report = json.loads((out / "class_report.json").read_text())
    assert report["students"] == len(unusual_class.EXPECTED) and report["mean"] == unusual_class.MAX_SCORE
    rows = list(csv.reader((out / "grades.csv").open(encoding="utf-8")))
    assert sorted(r[0] for r in rows[1:]) == sorted(unusual_class.EXPECTED)
    students = {s["student"] for s in graded["grades"]["submissions"]}
    written = {p.name for p in out.iterdir() if not p.name.startswith(".") or p.name == ".cache"}
    assert written - students == {n for n in reserved_names() if (out / n).exists()}


def test_no_shell_escape_ran_and_nothing_was_left_behind(graded):
    assert not SHELL_RAN.exists()
    assert graded["after"] == graded["before"]       # the deep folders the student left in /tmp are gone
