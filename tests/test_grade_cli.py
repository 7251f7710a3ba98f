"""The command's interface: layouts, outputs, exit status, cache, interruption."""
import csv
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.adversarial import minicourse
from tests.case_text import where

pytestmark = pytest.mark.slow   # sandboxed batches through the command line

REPO = Path(__file__).resolve().parent.parent
UNITS = ["dz_netAct", "dz_netIn", "dz_b", "mlp_backward", "dy_t"]
WRONG_DZ_B = {"01_mlp_backprop": {"dz_b": "def dz_b(g):\n    return g.mean(axis=0)\n"}}


def run(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def course(tmp_path):
    return minicourse.write_course(tmp_path / "course")


def grades(out):
    return json.loads((Path(out) / "grades.json").read_text())


def test_submitted_layout_outputs(course, tmp_path):
    sub = course / "submitted"
    minicourse.student(sub, "alice")
    minicourse.student(sub, "bob", edits=WRONG_DZ_B)
    out = tmp_path / "out"
    proc = run("grade", sub, "--out", out, "--course", course, "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    doc = grades(out)
    assert doc["assignment"] == "bptt" and doc["max_score"] == 8 and doc["granularity"] == "student"
    assert [(s["student"], s["score"], s["max_score"]) for s in doc["submissions"]] == [("alice", 8, 8), ("bob", 7, 8)]
    bob = doc["submissions"][1]
    assert bob["notebooks"] == {"01_mlp_backprop": "01_mlp_backprop.ipynb", "02_rnn_bptt": "02_rnn_bptt.ipynb"}
    dz_b = next(t for t in bob["tests"] if t["name"] == "dz_b")
    assert dz_b == {"name": "dz_b", "notebook": "01_mlp_backprop", "score": 0, "max_score": 1,
                    "output": dz_b["output"]}
    assert dz_b["output"].startswith("dz_b output: averages over the batch instead of summing")
    assert dz_b["output"].endswith(where("dz_b"))
    rows = list(csv.reader((out / "grades.csv").open()))
    assert rows == [["student"] + UNITS + ["total", "max_score"],
                    ["alice", "1", "2", "1", "3", "1", "8", "8"],
                    ["bob", "1", "2", "0", "3", "1", "7", "8"]]
    gs = json.loads((out / "bob" / "results.json").read_text())
    assert gs["score"] == 7 and [t["name"] for t in gs["tests"]] == UNITS
    assert {k for t in gs["tests"] for k in t} == {"name", "score", "max_score", "output", "visibility", "status"}
    page = (out / "bob" / "feedback.html").read_text()
    assert "Score: 7 / 8" in page and all(f"<code>{u}</code>" in page for u in UNITS)
    assert "only if all of its cases pass" in page
    assert "alice" in proc.stdout and "8/8" in proc.stdout   # the summary table


def test_single_file_and_flat_folder_layouts(course, tmp_path):
    folder = minicourse.student(tmp_path / "sub", "carol")          # .../carol/bptt/*.ipynb
    out = tmp_path / "out1"
    proc = run("grade", folder / "02_rnn_bptt.ipynb", "--out", out, "--course", course, "--quiet")
    assert proc.returncode == 0, proc.stderr
    [entry] = grades(out)["submissions"]
    assert entry["student"] == "carol" and entry["score"] == 1     # 01 is missing: its 7 points are 0
    assert all("missing" in t["output"] for t in entry["tests"] if t["notebook"] == "01_mlp_backprop")
    flat = tmp_path / "flat"
    flat.mkdir()
    for stem in ("01_mlp_backprop", "02_rnn_bptt"):
        (flat / f"dave_{stem}.ipynb").write_bytes((folder / f"{stem}.ipynb").read_bytes())
    (flat / "erin.ipynb").write_bytes((folder / "01_mlp_backprop.ipynb").read_bytes())  # known by its grade_ids
    (folder / "scratch.ipynb").write_text('{"cells": []}')              # an extra notebook in carol's folder
    proc = run("grade", flat, tmp_path / "sub", "--out", tmp_path / "out2", "--course", course, "--quiet")
    assert proc.returncode == 0, proc.stderr
    doc = grades(tmp_path / "out2")
    assert {s["student"]: s["score"] for s in doc["submissions"]} == {"carol": 8, "dave": 8, "erin": 7}
    carol = doc["submissions"][0]
    assert carol["notes"] == ["scratch.ipynb: not recognised as any of 01_mlp_backprop, 02_rnn_bptt; not graded"]


@pytest.mark.parametrize("case", ["missing path", "no notebooks", "unwritable out", "unknown unit"])
def test_command_errors_exit_nonzero_with_a_message(course, tmp_path, case):
    minicourse.student(course / "submitted", "alice")
    target, out = course / "submitted", tmp_path / "out"
    if case == "missing path":
        target = tmp_path / "nowhere"
    elif case == "no notebooks":
        target = tmp_path / "empty"
        target.mkdir()
    elif case == "unwritable out":
        out = tmp_path / "a_file"
        out.write_text("not a folder")
    else:
        nb = course / "source" / "bptt" / "02_rnn_bptt.ipynb"
        nb.write_text(nb.read_text().replace("test_dy_t", "test_dy_typo"))
    proc = run("grade", target, "--out", out, "--course", course)
    assert proc.returncode == 2
    expected = {"missing path": "no such file or folder", "no notebooks": "no .ipynb notebooks found",
                "unwritable out": "is not writable", "unknown unit": "names no unit in autograder.checks.UNITS"}
    assert expected[case] in proc.stderr


def test_unchanged_submissions_are_not_regraded(course, tmp_path):
    sub = course / "submitted"
    minicourse.student(sub, "alice")
    minicourse.student(sub, "bob")
    out = tmp_path / "out"
    assert run("grade", sub, "--out", out, "--course", course, "--quiet").returncode == 0
    cache = {s: (out / ".cache" / f"{s}.json").stat().st_mtime_ns for s in ("alice", "bob")}
    minicourse.student(sub, "bob", edits=WRONG_DZ_B)                # bob resubmits
    assert run("grade", sub, "--out", out, "--course", course, "--quiet").returncode == 0
    assert (out / ".cache" / "alice.json").stat().st_mtime_ns == cache["alice"]
    assert (out / ".cache" / "bob.json").stat().st_mtime_ns != cache["bob"]
    assert {s["student"]: s["score"] for s in grades(out)["submissions"]} == {"alice": 8, "bob": 7}
    assert run("grade", sub, "--out", out, "--course", course, "--quiet", "--force").returncode == 0
    assert (out / ".cache" / "alice.json").stat().st_mtime_ns != cache["alice"]


def test_an_interrupted_run_keeps_what_it_graded(course, tmp_path):
    sub = course / "submitted"
    minicourse.student(sub, "a_first")
    minicourse.student(sub, "b_second", edits=WRONG_DZ_B)
    minicourse.student(sub, "z_hangs", extra={"01_mlp_backprop": ["while True:\n    pass\n"]})
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "autograder", "grade", sub, "--out", out, "--course", course, "--jobs", "1",
           "--cell-timeout", "120", "--quiet"]
    # Ctrl-C as in a terminal: the grader starts with SIGINT at its default, whatever this test
    # process inherited or an earlier test (in-process student code) left ignored.
    proc = subprocess.Popen(list(map(str, cmd)), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # Event: b_second's result is cached, so z_hangs (graded last, --jobs 1) is now running.
        # Limits are generous: the other core may be busy, and the test only waits as long as needed.
        deadline = time.monotonic() + 300
        while not (out / ".cache" / "b_second.json").exists():
            assert proc.poll() is None, "the grader exited before it was interrupted"
            assert time.monotonic() < deadline, "b_second was not graded within 300 s"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=300) != 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert json.loads((out / "a_first" / "results.json").read_text())["score"] == 8
    assert json.loads((out / "b_second" / "results.json").read_text())["score"] == 7
    assert not (out / "z_hangs").exists()
    kept = (out / ".cache" / "a_first.json").stat().st_mtime_ns
    minicourse.student(sub, "z_hangs")                     # fixed; the same command again
    proc = run(*cmd[3:])
    assert proc.returncode == 0, proc.stderr
    assert (out / ".cache" / "a_first.json").stat().st_mtime_ns == kept
    assert {s["student"]: s["score"] for s in grades(out)["submissions"]} == {"a_first": 8, "b_second": 7, "z_hangs": 8}
    assert not [p for p in out.rglob(".*.json.*")]        # no half-written temporary files left


def test_a_submission_past_its_time_limit_is_stopped(course, tmp_path):
    loops = ["while True:\n    pass\n"] * 4
    minicourse.student(course / "submitted", "slow", extra={"01_mlp_backprop": loops})
    minicourse.student(course / "submitted", "zed")
    start = time.monotonic()
    proc = run("grade", course / "submitted", "--out", tmp_path / "out", "--course", course, "--quiet",
               "--cell-timeout", "1", "--submission-timeout", "2.5", "--grace", "0.5")
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - start < 20
    slow, zed = grades(tmp_path / "out")["submissions"]
    assert slow["score"] == 0 and zed["score"] == 8
    assert {t["output"] for t in slow["tests"]} == {"not graded: the submission ran past its 2.5s time limit"}
