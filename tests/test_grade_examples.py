"""The sample class in examples/submissions/ and the README's `python -m autograder demo`."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import units
from tools import course_tools
from examples.make_examples import EXPECTED

pytestmark = pytest.mark.slow   # sandboxed batches and a real release

REPO = Path(__file__).resolve().parent.parent


def totals(grades_json):
    doc = json.loads(Path(grades_json).read_text())
    return {s["student"]: s["score"] for s in doc["submissions"]}


def test_each_example_student_gets_the_exact_total(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "examples/submissions", "--out",
                           str(tmp_path / "out"), "--quiet"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert totals(tmp_path / "out" / "grades.json") == EXPECTED
    eli = json.loads((tmp_path / "out" / "grades.json").read_text())["submissions"][4]
    assert eli["student"] == "eli"
    assert eli["notes"] == ["01_mlp_backprop: code cell 1: NameError: name 'undefined_variable' is not defined"]
    assert {t["output"] for t in eli["tests"] if t["notebook"] == "02_rnn_bptt"} == {
        "notebook is not valid JSON (02_rnn_bptt.ipynb)"}


def test_demo_releases_then_grades_the_examples(tmp_path):
    root = course_tools.make_course_copy(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "autograder", "demo", "--course", str(root)], cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert (root / "release" / "bptt" / "01_mlp_backprop.ipynb").exists()
    assert totals(root / "grades" / "grades.json") == EXPECTED
    total = units.total_points()
    assert re.search(rf"^ada +{total}/{total} ", proc.stdout, re.M), proc.stdout and "6 submission(s) graded" in proc.stdout
