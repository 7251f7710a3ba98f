"""One mistake, one charge: notebook 04's shared paths, on both grading paths.

The hint of notebook 04 recommends one helper that both bptt_truncated and bptt_randomized
call (the solution's bptt_with_carry). A wrong line in that helper costs bptt_truncated's
points only: bptt_randomized is graded with the reference answering the helper's calls
(checks/long.py carry_helper; runner.shared_helpers finds the helper from the code). A
mistake that only bptt_randomized's inputs reveal (the multipliers used as a 0/1 mask) still
costs bptt_randomized. Under nbgrader the helper keeps answering with the reference for the
rest of bptt_randomized's test cell, so its visible part agrees with the hidden cases.
Each student is graded by one `python -m autograder grade` batch and one `nbgrader autograde`
batch, and the two must give the same scores.
"""

import pytest

from autograder import units
from tools import course_tools
from tools import factory
from tools.factory import _solution_edit

STEM = "04_long_histories"
# Full marks of every unit of notebook 04 (autograder/units.py); a submission loses one unit's points.
FULL = {u.name: float(u.points) for u in units.UNITS if u.notebook == STEM}

SUBMISSIONS = {
    # the shared helper sends the future gradient through W_hh instead of W_hh.T: one charge
    "helper-untransposed": ({"bptt_truncated": _solution_edit(
        "bptt_truncated", "dh = from_output[t] + from_future @ W_hh.T", "dh = from_output[t] + from_future @ W_hh")},
        {**FULL, "bptt_truncated": 0.0}),
    # the helper forgets the initial state in W_hh's gradient: one charge
    "helper-no-h0": ({"bptt_truncated": _solution_edit(
        "bptt_truncated", 'h_prev = np.concatenate([cache["h0"][None], h[:-1]])',
        'h_prev = np.concatenate([np.zeros_like(cache["h0"])[None], h[:-1]])')},
        {**FULL, "bptt_truncated": 0.0}),
    # the helper treats the multiplier as a switch: right for regular truncation's 0/1 cuts, wrong
    # for xi = 1/pi, which only bptt_randomized's grading sees: charged there, once
    "helper-mask": ({"bptt_truncated": _solution_edit(
        "bptt_truncated", "from_future = carry[t] * dhraw[t]", "from_future = dhraw[t] if carry[t] else 0.0 * dhraw[t]")},
        {**FULL, "bptt_randomized": 0.0}),
    # bptt_randomized's own line is wrong (xi as a 0/1 mask before the helper): its own charge
    "randomized-own-mask": ({"bptt_randomized": _solution_edit(
        "bptt_randomized", 'return bptt_with_carry(Y, params, cache, xi, activation, "bptt_randomized")',
        'return bptt_with_carry(Y, params, cache, (xi > 0).astype(float), activation, "bptt_randomized")')},
        {**FULL, "bptt_randomized": 0.0}),
}

# What the same helper mistakes cost before one-charge grading (measured on this branch's parent):
# helper-untransposed and helper-no-h0 cost 6 (3 + 3).


def write_class(submitted):
    for student, (replacements, _) in SUBMISSIONS.items():
        factory.write_submission(submitted, student, replacements, stems=[STEM])


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("one_charge")
    entries = course_tools.grade_class(tmp, write_class)
    return {e["student"]: {t["name"]: (t["score"], t["output"]) for t in e["tests"] if t["notebook"] == STEM}
            for e in entries}


@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_grading_command_charges_once(sandbox, student):
    expected = SUBMISSIONS[student][1]
    assert {u: s for u, (s, _) in sandbox[student].items()} == expected, sandbox[student]


@pytest.fixture(scope="module")
def nbgrader(tmp_path_factory):
    root = course_tools.autograde_class(tmp_path_factory.mktemp("one_charge_nb"), write_class)
    return course_tools.gradebook_scores(root, cells=True)


@pytest.mark.slow   # its fixture runs the real nbgrader generate_assignment and autograde
@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_nbgrader_autograde_charges_once(nbgrader, student):
    expected = SUBMISSIONS[student][1]
    assert {u: nbgrader[student][STEM][f"test_{u}"] for u in expected} == expected
