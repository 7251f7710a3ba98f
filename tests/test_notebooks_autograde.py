"""The instructor notebooks graded by the real `nbgrader autograde` (one batched command).

Expected scores are the declared points (autograder/units.py): a notebook's total,
minus the one mistaken unit's points.
"""
import pytest

from autograder import units
from autograder.checks import UNITS, check
from tools import factory
from tests.nbgrader_course import NBGRADER_MISTAKES, student_id

FULL = {stem: float(units.notebook_points()[stem]) for stem in ("01_mlp_backprop", "02_rnn_bptt", "03_two_layer_rnn")}

# mistake -> (notebook, the one grade cell that scores 0); the notebook scores FULL minus that unit's points
EXPECTED = {
    "dW_hh_transposed": ("02_rnn_bptt", "test_dW_hh"),
    "dy_netAct_sign_flipped": ("01_mlp_backprop", "test_dy_netAct"),
    "dy_t_missing_1_over_T": ("02_rnn_bptt", "test_dy_t"),
    "dz_wts_missing_reg": ("01_mlp_backprop", "test_dz_wts"),
    "dh_t_missing_future": ("02_rnn_bptt", "test_dh_t"),
    "dy_netIn_mask_on_gradient": ("01_mlp_backprop", "test_dy_netIn"),
    "dW_hq_not_summed_over_time": ("02_rnn_bptt", "test_dW_hq"),
    "dy_b_not_summed_over_batch": ("01_mlp_backprop", "test_dy_b"),
    "dz_netAct_non_finite": ("01_mlp_backprop", "test_dz_netAct"),
    "dh1_t_missing_future": ("03_two_layer_rnn", "test_dh1_t"),
    "rnn_backward_missing_future": ("02_rnn_bptt", "test_rnn_backward"),
}


def expected_score(mistake):
    """The notebook's declared points minus those of the unit the mistake is in."""
    stem, failed_cell = EXPECTED[mistake]
    return FULL[stem] - units.BY_NAME[failed_cell[len("test_"):]].points


def test_expected_table_covers_the_batch():
    assert set(EXPECTED) == set(NBGRADER_MISTAKES)
    assert len({EXPECTED[m][1] for m in EXPECTED}) == 11  # eleven different units


def test_points_in_source_match_the_unit_table(graded_course):
    totals = {stem: sum(p.values()) for stem, p in graded_course.points.items()}
    assert {stem: totals[stem] for stem in FULL} == FULL


@pytest.mark.parametrize("student", ["source-as-is", "factory-full"])
def test_correct_submission_gets_full_marks(graded_course, student):
    scores = graded_course.scores[student]
    assert {stem: scores[stem] for stem in FULL} == FULL
    assignment_total = sum(sum(p.values()) for p in graded_course.points.values())
    assert sum(scores.values()) == assignment_total


def test_unmodified_release_scores_zero(graded_course):
    # course_tools.autograde raises if nbgrader exits non-zero: grading the release completed.
    assert graded_course.scores["release-blank"] == {stem: 0.0 for stem in graded_course.points}


@pytest.mark.parametrize("mistake", NBGRADER_MISTAKES)
def test_one_mistake_loses_exactly_that_units_points(graded_course, mistake):
    stem, failed_cell = EXPECTED[mistake]
    cells = graded_course.cells[student_id(mistake)][stem]
    assert graded_course.scores[student_id(mistake)][stem] == expected_score(mistake)
    assert cells[failed_cell] == 0.0
    points = graded_course.points[stem]
    assert {g: s for g, s in cells.items() if g != failed_cell} == {g: p for g, p in points.items() if g != failed_cell}


def test_export_csv_has_the_expected_totals(graded_course):
    max_score = sum(sum(p.values()) for p in graded_course.points.values())
    expected = {"source-as-is": max_score, "factory-full": max_score, "release-blank": 0.0}
    expected.update({student_id(m): expected_score(m) for m in NBGRADER_MISTAKES})
    # nbgrader's export counts the written answers in its maximum; none is graded by hand here.
    export_max = max_score + units.manual_points()
    assert graded_course.export == {s: (total, export_max) for s, total in expected.items()}


# ---- the whole catalogue, in-process (no nbgrader): milliseconds per mistake ------------------

def notebook_namespace(stem, replacements=None):
    """Run a student notebook's definitions (given and solution cells; no tests, no experiments)."""
    nb = factory.student_notebook(stem, replacements)
    namespace = {"__name__": "__student__"}
    # The given modules (bptt_tools.py, ...) are importable, as in a kernel started in the folder.
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(factory.SOURCE_DIR))
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if cell["cell_type"] == "code" and not meta.get("grade") and "experiment" not in cell["metadata"].get("tags", []):
                exec(compile(cell["source"], f"{stem}:{meta.get('grade_id')}", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("mistake", sorted(factory.MISTAKES))
def test_every_catalogue_mistake_fails_its_unit_only(mistake):
    unit, _ = factory.MISTAKES[mistake]
    stem = factory.unit_notebooks()[unit]
    namespace = notebook_namespace(stem, factory.mistake(mistake))
    with pytest.raises(AssertionError):
        check(unit, namespace[unit])
    # Every other unit of the notebook still passes: the mistake is charged once.
    for other in (u for u in UNITS.values() if u.notebook == stem and u.name != unit):
        check(other.name, namespace[other.name])


def test_catalogue_covers_the_required_kinds_of_mistake():
    names = " ".join(factory.MISTAKES)
    for kind in ("transposed", "sign_flipped", "missing_1_over", "missing_reg", "missing_future",
                 "mask_on_gradient", "on_input", "not_summed_over_time", "not_summed_over_batch", "non_finite"):
        assert kind in names, kind
