"""Test helpers around the real nbgrader: temporary courses, one batched autograde, scores.

Everything runs the real `nbgrader` command line through autograder.course (no
mocks). A GradedCourse is built once per test session by the `graded_course`
fixture of conftest.py: a temporary copy of the course, released with
`nbgrader generate_assignment`, with every submission of SUBMISSIONS written under
submitted/, graded by ONE `nbgrader autograde` command and exported once.
"""
import json
import time
from dataclasses import dataclass
from pathlib import Path

from autograder import course
from tools import course_tools
from tools import factory

# Mistakes run through nbgrader: one per category of the catalogue, over eleven
# different units in all three notebooks. The whole catalogue is also checked
# in-process (tests/test_notebooks_autograde.py), which takes milliseconds.
NBGRADER_MISTAKES = (
    "dW_hh_transposed",              # transposed (square: only the values tell)
    "dy_netAct_sign_flipped",        # sign flipped
    "dy_t_missing_1_over_T",         # missing 1/T
    "dz_wts_missing_reg",            # missing reg
    "dh_t_missing_future",           # missing gradient from the future step
    "dy_netIn_mask_on_gradient",     # activation derivative on the wrong quantity
    "dW_hq_not_summed_over_time",    # not summed over time
    "dy_b_not_summed_over_batch",    # not summed over batch
    "dz_netAct_non_finite",          # NaN in the answer (and a warning on stderr)
    "dh1_t_missing_future",          # two-layer: missing future gradient into layer 1
    "rnn_backward_missing_future",   # an assembly unit
)


def student_id(mistake_name):
    return "m-" + mistake_name.replace("_", "-")


@dataclass
class GradedCourse:
    root: Path
    seconds: float                   # wall time of the one autograde command
    n_notebooks: int                 # notebooks it graded
    scores: dict                     # {student: {stem: score}}
    cells: dict                      # {student: {stem: {grade_id: score}}}
    export: dict                     # {student: (score, max_score)} from nbgrader export
    points: dict                     # {stem: {grade_id: points}} from source/


def write_submissions(course_root):
    """All submissions of the graded course; returns {student: list of stems submitted}."""
    submitted = Path(course_root) / "submitted"
    owners = factory.unit_notebooks()
    roster = {}
    factory.write_source_as_is(submitted, "source-as-is")
    factory.write_release_as_is(submitted, "release-blank", Path(course_root) / "release" / course.ASSIGNMENT)
    factory.write_submission(submitted, "factory-full")
    for student in ("source-as-is", "release-blank", "factory-full"):
        roster[student] = factory.notebook_stems()
    for name in NBGRADER_MISTAKES:
        unit = factory.MISTAKES[name][0]
        # Only the notebook with the mistake: nbgrader scores the missing ones 0, and
        # grading fewer notebooks keeps the test fast (~2 s per notebook).
        factory.write_submission(submitted, student_id(name), factory.mistake(name), stems=[owners[unit]])
        roster[student_id(name)] = [owners[unit]]
    return roster


def build_graded_course(tmpdir):
    root = course_tools.make_course_copy(tmpdir)
    course.generate_release(root)
    roster = write_submissions(root)
    start = time.perf_counter()
    course_tools.autograde(root)
    seconds = time.perf_counter() - start
    return GradedCourse(
        root=root, seconds=seconds, n_notebooks=sum(len(v) for v in roster.values()),
        scores=course_tools.gradebook_scores(root), cells=course_tools.gradebook_scores(root, cells=True),
        export=course_tools.read_export(course_tools.export_grades(root)), points=course_tools.source_points(root))


def notebook_json(path):
    return json.loads(Path(path).read_text())
