"""A hostile or careless class, graded in one batch: every student gets exactly one row.

The class (tests/adversarial/hostile_class.py) holds what breaks a naive grader: a list as a
grade_id, JSON nested 50,000 deep, a folder with only a zip or nothing, links to the
solutions, a FIFO named like a notebook, a second copy named -Copy1, names that are not ASCII,
that clash with the outputs or start a spreadsheet formula, and a planted file in a flat folder.
Then: grading one student into the same output folder keeps the others' rows, and an output
folder inside the course's release/, source/ or the submissions is refused.
"""
import csv
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from autograder.checks import UNITS
from tests.adversarial import hostile_class, minicourse

REPO = Path(__file__).resolve().parent.parent


def run(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-class")
    course = minicourse.write_course(root / "course")
    sub, flat = hostile_class.build(course)
    out = root / "out"
    proc = run("grade", sub, flat, "--out", out, "--course", course, "--jobs", "2")
    return dict(proc=proc, out=out, course=course, sub=sub, flat=flat,
                doc=json.loads((out / "grades.json").read_text()))


def test_every_student_gets_exactly_one_row(graded):
    assert graded["proc"].returncode == 0, graded["proc"].stderr
    rows = [s["student"] for s in graded["doc"]["submissions"]]
    assert sorted(rows) == sorted(hostile_class.EXPECTED)
    assert f"{len(rows)} submission(s) graded" in graded["proc"].stdout


@pytest.mark.parametrize("student", sorted(hostile_class.EXPECTED))
def test_exact_score_and_note(graded, student):
    score, note = hostile_class.EXPECTED[student]
    entry = next(s for s in graded["doc"]["submissions"] if s["student"] == student)
    assert entry["score"] == score, (entry["notes"], [t["output"] for t in entry["tests"]])
    assert entry["graded"] is True
    if note:
        assert any(note in n for n in entry["notes"]), entry["notes"]
    assert (graded["out"] / student / "results.json").is_file()


def test_unreadable_notebooks_cost_only_their_own_units(graded):
    subs = {s["student"]: s for s in graded["doc"]["submissions"]}
    deep = {t["name"]: t["output"] for t in subs["deep_json"]["tests"]}
    assert deep["dz_b"] == "notebook JSON is nested too deeply to read (01_mlp_backprop.ipynb)"
    n = len(UNITS["dy_t"].cases())
    assert deep["dy_t"] == f"passed {n}/{n} cases"
    fifo = {t["name"]: t["output"] for t in subs["fifo"]["tests"]}
    assert fifo["dy_t"] == f"passed {n}/{n} cases"
    assert subs["fifo"]["notebooks"] == {"01_mlp_backprop": None, "02_rnn_bptt": "02_rnn_bptt.ipynb"}
    links = subs["links_to_solutions"]
    assert links["notebooks"] == {"01_mlp_backprop": None, "02_rnn_bptt": None}
    assert sorted(n for n in links["notes"] if "link" in n) == [
        "bptt/01_mlp_backprop.ipynb: a symbolic link; links are never followed, not graded",
        "bptt/02_rnn_bptt.ipynb: a symbolic link; links are never followed, not graded"]


def test_ids_are_reversible_and_csv_cells_are_text(graded):
    for entry in graded["doc"]["submissions"]:
        assert "/" not in entry["student"] and not entry["student"].startswith(".")
    assert unquote("%67rades.json") == "grades.json"
    assert (graded["out"] / "grades.json").is_file()          # the student did not replace the output
    rows = list(csv.reader((graded["out"] / "grades.csv").open(encoding="utf-8")))
    firsts = [r[0] for r in rows[1:]]
    assert "'+1+1" in firsts and "+1+1" not in firsts
    assert not any(f[:1] in "=+-@" for f in firsts)
    assert "李明" in firsts and "王芳" in firsts


def test_the_printed_table_shows_duplicates_and_refusals(graded):
    out = graded["proc"].stdout
    assert "two_copies: 01_mlp_backprop-Copy1.ipynb: a second copy" in out
    assert "links_to_solutions: bptt/01_mlp_backprop.ipynb: a symbolic link" in out
    assert "zip_only: bptt/bptt.zip: an archive" in out


def test_grading_one_student_again_keeps_the_others(graded, tmp_path):
    out = graded["out"]
    before = {s["student"]: s["score"] for s in graded["doc"]["submissions"]}
    proc = run("grade", graded["sub"] / "alice", "--out", out, "--course", graded["course"], "--quiet")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "grades.json").read_text())
    assert {s["student"]: s["score"] for s in doc["submissions"]} == before
    rows = list(csv.reader((out / "grades.csv").open(encoding="utf-8")))
    assert len(rows) == 1 + len(before)


def test_results_of_another_course_are_not_mixed_in(graded, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "grades.json").write_text(json.dumps({"assignment": "other", "submissions": []}))
    proc = run("grade", graded["sub"] / "alice", "--out", out, "--course", graded["course"], "--quiet")
    assert proc.returncode == 2
    assert "already holds results that cannot be kept" in proc.stderr and "assignment 'other'" in proc.stderr
    proc = run("grade", graded["sub"] / "alice", "--out", out, "--course", graded["course"], "--quiet", "--force")
    assert proc.returncode == 0, proc.stderr
    assert [s["student"] for s in json.loads((out / "grades.json").read_text())["submissions"]] == ["alice"]


@pytest.mark.parametrize("where", ["release/bptt", "source", "submitted/grades"])
def test_an_output_folder_inside_the_course_is_refused(graded, where):
    course = graded["course"]
    out = course / where
    proc = run("grade", graded["sub"], "--out", out, "--course", course, "--quiet")
    assert proc.returncode == 2
    assert f"--out {out} is inside" in proc.stderr
    assert not (out / "grades.json").exists()


def test_a_student_the_grader_cannot_grade_gets_a_row_and_exit_status_1(tmp_path):
    """The sandbox fails for one student only (here bubblewrap's third start): the batch goes on."""
    import os

    from autograder.sandbox.isolation import bwrap_path

    course = minicourse.write_course(tmp_path / "course")
    for name in ("alice", "bob", "carol"):
        minicourse.student(course / "submitted", name)
    fake = tmp_path / "bwrap"
    count = tmp_path / "count"
    count.write_text("0")
    fake.write_text(f'#!/bin/sh\nn=$(cat {count}); echo $((n+1)) > {count}\n'
                    f'if [ "$n" = 2 ]; then echo "bwrap: simulated failure" >&2; exit 1; fi\n'
                    f'exec {bwrap_path()} "$@"\n')
    fake.chmod(0o755)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--out", str(out),
           "--course", str(course), "--jobs", "1", "--quiet"]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, BPTT_BWRAP=str(fake)))
    assert proc.returncode == 1, proc.stderr
    assert "1 student(s) could not be graded (their rows say why): bob" in proc.stderr
    doc = json.loads((out / "grades.json").read_text())
    rows = {s["student"]: s for s in doc["submissions"]}
    assert {k: (v["score"], v["graded"]) for k, v in rows.items()} == {
        "alice": (8, True), "bob": (0, False), "carol": (8, True)}
    assert rows["bob"]["notes"] == ["not graded: sandbox problem: sandbox failed to start: bwrap: simulated failure"]
    assert not (out / ".cache" / "bob.json").exists()          # tried again next time
    again = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert [s["score"] for s in json.loads((out / "grades.json").read_text())["submissions"]] == [8, 8, 8]
