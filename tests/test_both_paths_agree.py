"""The Autograde button and the grading command give every unit the same score, honest or hostile.

Two classes, each graded by ONE real `nbgrader autograde` batch and ONE `python -m autograder
grade` batch, compared test cell by test cell (the gradebook's score of test_<unit> against the
command's score of <unit>), and on the nbgrader path each failing cell carries the command's own
message as its GradingVerdict:

* the full course: the sample class (examples/submissions), the two kernel tamperings
  (tools/tamperings.py) and the mistakes and given-helper loopholes of
  tests/test_same_message_on_both_grading_paths.py;
* the mini course (tests/adversarial/minicourse.py): the hostile submissions of
  tests/adversarial/submissions.py whose cells are safe to run in a kernel that is not sandboxed.

Left out, with the reason: what nbgrader itself cannot autograde (a notebook that is not JSON,
a kernel that dies: nbgrader fails the student's whole submission, where the command grades
the rest), and cells that would act on this machine from an unsandboxed kernel.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course
from autograder.nbgrader_hooks.judge_verdicts import VERDICT_ENAME
from tests import test_same_message_on_both_grading_paths as mistakes
from tests.adversarial import minicourse
from tests.adversarial.submissions import ADVERSARIAL, substitute
from tools import course_tools, tamperings

pytestmark = pytest.mark.slow   # real nbgrader autograde and sandboxed batches

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "submissions"
# Not autogradable by nbgrader at all (its own limits, the same before the judge):
NBGRADER_CANNOT = {
    "eli": "her 02_rnn_bptt.ipynb is not JSON: nbgrader fails her whole submission",
    "invalid_json": "01 is not JSON: nbgrader fails the whole submission",
    "os_exit_in_cell": "the kernel dies: nbgrader fails the whole submission",
    "huge_allocation": "its 8 GB cell meets the sandboxed kernel's memory limit, the kernel dies, and nbgrader "
                       "fails the whole submission",
}
# Cells that would act on this machine, or take minutes, in a kernel that is not sandboxed:
UNSAFE_IN_A_KERNEL = {"write_files", "forged_cell_outcomes", "loop_in_cell", "ignore_signals_in_cell",
                      "many_failing_cells"}


def write_course_class(submitted):
    shutil.copytree(EXAMPLES, submitted, ignore=shutil.ignore_patterns(*NBGRADER_CANNOT))
    for name in tamperings.TAMPERINGS:
        tamperings.write_tampered(submitted, name, name)
    mistakes.write_class(submitted)


def both_ways(root, tmp):
    """({student: {unit: (score, message)}} of the command, {student: {unit: (score, verdict or None)}}
    of nbgrader autograde) for the class under root/submitted."""
    out = tmp / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root / "submitted"), "--out", str(out),
                           "--course", str(root), "--quiet"], cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr
    command = {s["student"]: {t["name"]: (t["score"], t["output"]) for t in s["tests"]}
               for s in json.loads((out / "grades.json").read_text())["submissions"]}
    course_tools.autograde(root)
    cells = course_tools.gradebook_scores(root, cells=True)
    button = {}
    for student, per_nb in cells.items():
        units = {gid[len("test_"):]: (float(score or 0), None) for stem in per_nb.values() for gid, score in stem.items()}
        folder = root / "autograded" / student / course.ASSIGNMENT
        for path in folder.glob("*.ipynb"):
            for cell in json.loads(path.read_text())["cells"]:
                gid = cell["metadata"].get("nbgrader", {}).get("grade_id", "")
                if gid.startswith("test_"):
                    verdicts = [o["evalue"] for o in cell.get("outputs", []) if o.get("ename") == VERDICT_ENAME]
                    units[gid[len("test_"):]] = (units[gid[len("test_"):]][0], verdicts[0] if verdicts else PASSED)
        button[student] = units
    return command, button


PASSED = "(no GradingVerdict error)"     # a test cell the judge passed; a unit with no cell at all has None


def assert_agree(command, button):
    assert set(button) == set(command)
    for student in sorted(command):
        for unit, (score, message) in command[student].items():
            got_score, verdict = button[student][unit]
            assert got_score == score, (student, unit, message)
            # A unit's test cell carries the command's message when it fails; a notebook the
            # student did not hand in has no cell to carry it (and both paths give 0).
            if verdict is None:
                assert score == 0 and message.endswith("is missing from the submission"), (student, unit, message)
            else:
                assert verdict == (PASSED if score > 0 else message), (student, unit)


@pytest.fixture(scope="module")
def full_course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("agree-course")
    root = course_tools.make_course_copy(tmp)
    course.generate_release(root)
    write_course_class(root / "submitted")
    return both_ways(root, tmp)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("agree-hostile")
    root = minicourse.write_course(tmp / "course")
    shutil.copy2(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    course.generate_release(root)
    for name, spec in ADVERSARIAL.items():
        if name not in NBGRADER_CANNOT and name not in UNSAFE_IN_A_KERNEL:
            minicourse.student(root / "submitted", name,
                               **substitute(spec["build"], dict(REPO=REPO, COURSE=root, OUT=tmp / "out")))
    return both_ways(root, tmp)


def test_the_class_includes_the_tamperings_the_sample_class_and_the_mistakes(full_course):
    command, _ = full_course
    assert set(tamperings.TAMPERINGS) | set(mistakes.SUBMISSIONS) | {"ada", "ben"} <= set(command)


def test_every_unit_of_the_full_course_is_scored_alike(full_course):
    assert_agree(*full_course)


def test_every_unit_of_the_hostile_mini_class_is_scored_alike(hostile):
    command, _ = hostile
    assert len(command) == len(ADVERSARIAL) - len(set(ADVERSARIAL) & (set(NBGRADER_CANNOT) | UNSAFE_IN_A_KERNEL))
    assert_agree(*hostile)
