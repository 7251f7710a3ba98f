"""The typed grading pipeline: grades.json's schema, the cache round trip, sandbox replies, errors."""
import ast
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import errors, report, submission
from autograder.plan import read_plan
from autograder.replies import CellOutcome, CellStatus, ErrorKind
from autograder.results import SCHEMA_VERSION, StudentResult, UnitResult
from tests.adversarial import minicourse

REPO = Path(__file__).resolve().parent.parent
WRONG_DZ_B = {"01_mlp_backprop": {"dz_b": "def dz_b(g):\n    return g.mean(axis=0)\n"}}


def run(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=REPO,
                          capture_output=True, text=True, timeout=300)


def test_grades_json_has_its_schema_version_and_a_cached_rerun_writes_the_same_file(tmp_path):
    course = minicourse.write_course(tmp_path / "course")
    minicourse.student(course / "submitted", "alice")
    minicourse.student(course / "submitted", "bob", edits=WRONG_DZ_B)
    out = tmp_path / "out"
    first = run("grade", course / "submitted", "--out", out, "--course", course, "--quiet")
    assert first.returncode == 0, first.stderr
    text = (out / "grades.json").read_text()
    doc = json.loads(text)
    assert doc["schema_version"] == SCHEMA_VERSION == 1
    assert list(doc) == ["schema_version", "assignment", "max_score", "granularity", "isolation", "isolation_detail",
                         "units", "manual_questions", "manual_max_score", "submissions"]
    bob = doc["submissions"][1]
    assert list(bob) == ["student", "notebook", "notebooks", "score", "max_score", "tests", "notes", "seconds",
                         "isolation", "isolation_detail", "graded", "manual", "manual_score", "manual_max_score"]
    assert bob["isolation"] == doc["isolation"] == "bwrap" and bob["isolation_detail"] == doc["isolation_detail"]
    assert (bob["student"], bob["score"], bob["max_score"]) == ("bob", 7, 8)
    assert [t["score"] for t in bob["tests"]] == [1, 2, 0, 3, 1]
    # Second run: every student comes from the cache, through StudentResult.from_json.
    second = run("grade", course / "submitted", "--out", out, "--course", course, "--quiet")
    assert second.returncode == 0, second.stderr
    assert (out / "grades.json").read_text() == text


def test_the_docs_document_every_key_of_grades_json(tmp_path):
    readme = (REPO / "docs" / "outputs.md").read_text()
    section = readme.split("* `DIR/grades.json`", 1)[1].split("\n* `DIR/grades.csv`", 1)[0]
    assert f"`schema_version` {SCHEMA_VERSION}" in section
    plan = read_plan(minicourse.write_course(tmp_path / "course"))
    unit = UnitResult("dz_b", "01_mlp_backprop", 0, 1, "wrong")
    entry = StudentResult("bob", "/x", {"01_mlp_backprop": "a.ipynb", "02_rnn_bptt": None}, 0, 8, (unit,))
    doc = report.grades_document(plan, [entry])
    keys = set(doc) | set(doc["units"][0]) | set(doc["submissions"][0]) | set(doc["submissions"][0]["tests"][0])
    documented = {a or b for a, b in re.findall(r'"(\w+)"|`(\w+)`', section)}
    assert keys - documented == set()


def test_a_malformed_cache_entry_is_a_cache_miss(tmp_path):
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "bob.json").write_text(json.dumps({"key": "k", "entry": {"student": "bob"}}))
    assert report.read_cache(tmp_path, "bob", "k") is None
    entry = StudentResult("bob", "/x", {"nb": None}, 1.5, 2, (UnitResult("u", "nb", 1.5, 2, "ok"),), ("a note",), 0.25)
    report.write_cache(tmp_path, "bob", "k", entry)
    assert report.read_cache(tmp_path, "bob", "k") == entry
    assert report.read_cache(tmp_path, "bob", "other key") is None


def test_sandbox_texts_become_enum_members_and_unknown_ones_never_pass():
    assert ErrorKind.parse("notimplemented") is ErrorKind.NOT_IMPLEMENTED
    assert ErrorKind.parse("memory") is ErrorKind.MEMORY
    # An unknown kind or status is OTHER: an error the student is told, never a value or a pass.
    assert ErrorKind.parse("passed") is ErrorKind.OTHER
    statuses = [CellStatus.parse(text) for text in ("ok", "timeout", "weird")]
    assert statuses == [CellStatus.OK, CellStatus.TIMEOUT, CellStatus.OTHER]
    assert [CellOutcome(status, "").ok for status in statuses] == [True, False, False]


def test_every_grader_error_derives_from_one_base():
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__]
    assert {c.__name__ for c in classes} >= {"GraderError", "ConfigError", "SubmissionError", "OutputError",
                                              "SandboxError", "GradebookError", "BatchError"}
    assert all(issubclass(c, errors.GraderError) for c in classes)
    assert submission.SubmissionError is errors.SubmissionError
    # A student's unusable file is not a grader error: the batch goes on.
    assert not issubclass(submission.UnusableNotebook, errors.GraderError)


def test_report_does_not_import_grade():
    tree = ast.parse((REPO / "autograder" / "report.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not {m for m in imported if m and m.split(".")[-1] == "grade"}
    proc = subprocess.run([sys.executable, "-c", "import sys, autograder.report; "
                           "print('autograder.grade' in sys.modules)"], cwd=REPO, capture_output=True, text=True)
    assert proc.stdout.strip() == "False", proc.stderr


@pytest.mark.parametrize("case", ["unwritable out", "unknown unit"])
def test_a_grader_error_is_reported_in_one_line_with_status_2(tmp_path, case):
    course = minicourse.write_course(tmp_path / "course")
    minicourse.student(course / "submitted", "alice")
    out = tmp_path / "out"
    if case == "unwritable out":
        out = tmp_path / "a_file"
        out.write_text("not a folder")
    else:
        nb = course / "source" / "bptt" / "02_rnn_bptt.ipynb"
        nb.write_text(nb.read_text().replace("test_dy_t", "test_dy_typo"))
    proc = run("grade", course / "submitted", "--out", out, "--course", course, "--quiet")
    assert proc.returncode == 2
    assert proc.stderr.startswith("python -m autograder grade: error: ") and "Traceback" not in proc.stderr
