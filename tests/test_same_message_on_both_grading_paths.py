"""Mistakes that used to be misgraded, and given-helper loopholes: the exact score and message, unit by unit.

Every submission below is built from the current source notebooks (tools/factory.py): one
notebook each, with the mistake, the correct rewrite or the given-helper loophole in place.
The whole class is graded by ONE `python -m autograder grade` batch, and each unit must get the
exact score and message: 0 and the message below for the unit named, full marks for every other
unit of the notebook. `nbgrader autograde` records the same judge's verdicts: the class is also
in tests/test_both_paths_agree.py, which compares the two paths cell by cell.
"""

import pytest

from tools import course_tools
from tests.case_text import where
from tools import factory

pytestmark = pytest.mark.slow   # sandboxed batches

OWNER = factory.unit_notebooks()
KEEP = "a graded function must leave its inputs unchanged (build a new array instead of using +=, *= or slice assignment on an input)"
TYPE = "expected a NumPy array (np.ndarray) of dtype float64 of shape"

# mistake -> the exact feedback of its unit (score 0)
MISTAKE_MESSAGES = {
    # hidden cases narrower than the notebook's promises
    "dz_netIn_ce_shortcut": (
        "dz_netIn output: assumes dz_netAct is the cross-entropy gradient ((z_netAct - one_hot) / N); the rule must "
        "hold for any upstream gradient dz_netAct: multiply it by the softmax Jacobian " + where("dz_netIn", 2)),
    "rnn2_backward_ignores_initial_states": (
        'rnn2_backward: every call to the local rules received the right arguments, so the mistake is in what'
        " the function computes itself. rnn2_backward output: W_hh1 is wrong: layer 1's initial state is left"
        " out: at t = 0 the previous state is cache['h1_0'], not zeros. rnn2_backward output: W_hh2 is wrong:"
        " layer 2's initial state is left out: at t = 0 the previous state is cache['h2_0'], not zeros "
        + where("rnn2_backward")),
    "bptt_randomized_fixed_half": (
        'bptt_randomized output: W_xh, W_hh and b_h are wrong: the keep probability is fixed at 0.5 (the '
        'gradient is doubled where xi > 0): multiply by xi[t] itself ' + where("bptt_randomized", 2)),
    # inputs changed in place
    "clip_gradients_modifies_input": f"clip_gradients modified its input grads['W_xh'] in place; {KEEP}",
    "dz_netIn_modifies_input": f"dz_netIn modified its input dz_netAct in place; {KEEP}",
    "dy_t_modifies_input": f"dy_t modified its input p_t in place; {KEEP}",
    "rnn_backward_modifies_cache": f"rnn_backward modified its input cache['p'] in place; {KEEP}",
    # an answer that is an input (the contract asks for new objects)
    "clip_gradients_returns_input": (
        "clip_gradients returned the dict grads it received as output[0], not a new dict; a graded function returns "
        "new dicts and arrays, so that changing its answer later cannot change its inputs (build a new dict, with a "
        "copy of each array that stays as it was)"),
    # type rules (docs/type_rules.md)
    "db_h_flat_list": (f"db_h output is a Python list of shape (4,); {TYPE} (4,) (build it with NumPy, not "
                       f".tolist() or a list of rows) {where('db_h')}"),
    "dW_hh_nested_list": (f"dW_hh output is a Python list of shape (4, 4); {TYPE} (4, 4) (build it with NumPy, not "
                          f".tolist() or a list of rows) {where('dW_hh')}"),
    "dW_xh_float32": ("dW_xh output has dtype float32; expected float64 (the inputs are float64: do not convert with "
                      f"astype or create arrays with a smaller dtype) {where('dW_xh')}"),
    "db_h_keepdims": ("db_h output has shape (1, 4); expected (4,): the values are right, but it keeps an axis of "
                      f"length 1 (keepdims=True, a reshape or np.matrix); return shape (4,) {where('db_h')}"),
    "db_q_matrix": (f"db_q output is an np.matrix of shape (1, 6); {TYPE} (6,) (np.matrix always keeps two axes; "
                    f"use np.ndarray (np.asarray) and plain products) {where('db_q')}"),
    # feedback that names the mistake (assembly and long-history units), no number of the case
    "mlp_backward_reg_doubled_z": (
        'mlp_backward: every call to the local rules received the right arguments, so the mistake is in what '
        'the function computes itself. mlp_backward output: z_wts is wrong: the regularization term reg * '
        'z_wts is counted twice: dz_wts already adds it ' + where("mlp_backward")),
    "mlp_backward_input_as_hidden": (
        "mlp_backward raised HelperCallError: dz_wts was called with bad arguments: dz_wts: y_netAct must have shape "
        "(N=3, H=4), got shape (3, 5) (axis 1 is 5, expected H=4) " + where("mlp_backward")),
    "mlp_backward_no_reg_y": (
        'mlp_backward: `dy_wts` was called without `reg` (its default is 0.0); it should receive the reg '
        'passed in. mlp_backward output: y_wts is wrong: the regularization term reg * y_wts is missing: pass reg'
        ' to dy_wts ' + where("mlp_backward")),
    "rnn_backward_ignores_h0": (
        "rnn_backward: `dW_hh` received `h_prev` holding zeros at t = 0, where cache['h0'] belongs. "
        "rnn_backward output: W_hh is wrong: the initial state is left out: at t = 0 the previous state is "
        "cache['h0'], not zeros " + where("rnn_backward")),
    "clip_gradients_no_sqrt": (
        "clip_gradients output: clipped and norm are wrong: the norm is the sum of squares without its square root. "
        "Probes: it fails for all-zero gradients (norm 0): never divide by the norm when it is 0 "
        + where("clip_gradients")),
    "clip_gradients_inverted_ratio": (
        'clip_gradients output: clipped is wrong: the scale is inverted: the factor is max_norm / norm, not '
        'norm / max_norm ' + where("clip_gradients")),
    "bptt_truncated_late_cut": (
        'bptt_truncated output: W_xh, W_hh and b_h are wrong: the cut is one step late: chunks are [0, k), '
        '[k, 2k), ..., so the cut is between steps k-1 and k ' + where("bptt_truncated")),
    "rnn_backward_missing_future": (
        'rnn_backward: at step t = 5, `dh_t` received `dhraw_next` = zeros; it should be the pre-activation '
        'gradient of step 6 (dhraw[6]). rnn_backward output: W_xh, W_hh and b_h are wrong: the gradient from the'
        ' future step is missing: dh_t must include dhraw_{t+1} @ W_hh.T ' + where("rnn_backward")),
    "mlp_backward_no_reg": (
        'mlp_backward: `dz_wts` received `reg` = 0.0; it should be the reg passed in. mlp_backward output: '
        'z_wts and y_wts each has the wrong values. Probes: correct when reg = 0, wrong when reg > 0: look at '
        'the terms reg multiplies ' + where("mlp_backward")),
}
assert set(MISTAKE_MESSAGES) - {"rnn_backward_missing_future", "mlp_backward_no_reg"} == set(factory.ISSUE10_MISTAKES)


def helper_message(unit, helper):
    return f"{unit} calls the given helper {helper}; a graded function must compute its answer itself"


def submissions():
    """{student: (stem, {unit: source}, {unit: exact message of a unit that scores 0})}."""
    subs = {}
    for name, message in MISTAKE_MESSAGES.items():
        unit, source = factory.MISTAKES[name]
        subs["m-" + name] = (OWNER[unit], {unit: source}, {unit: message})
    by_stem = {}
    for unit, source in factory.REWRITES.values():
        by_stem.setdefault(OWNER[unit], {})[unit] = source
    for stem, replacements in by_stem.items():
        subs["rewrites-" + stem[:2]] = (stem, replacements, {})
    for stem in factory.LOCAL_RULES:
        rules = factory.numeric_rules_loophole(stem)
        if rules:
            subs["numeric-rules-" + stem[:2]] = (
                stem, rules, {u: helper_message(u, f"NUMERIC_RULES[{u!r}]") for u in rules})
    for name, (unit, source, helper) in factory.helper_loopholes().items():
        subs["helper-" + name.replace(":", "-").replace("_", "-")] = (
            OWNER[unit], {unit: source}, {unit: helper_message(unit, helper)})
    return subs


SUBMISSIONS = submissions()


def test_the_loopholes_of_issue_8_are_in_the_class_while_the_release_gives_their_helpers():
    loopholes = {s for s in SUBMISSIONS if s.startswith(("numeric-rules-", "helper-"))}
    given = {name for name in ("NUMERIC_RULES", "numerical_gradient", "grad_check")
             if factory.given_helper_import(name, "01_mlp_backprop") is not None}
    if "NUMERIC_RULES" in given:
        assert {"numeric-rules-01", "numeric-rules-02"} <= loopholes
    if "numerical_gradient" in given:
        assert "helper-numerical-gradient-dy-netIn" in loopholes
    if factory.given_helper_import("truncated_loss", "04_long_histories") is not None:
        assert "helper-truncated-loss-bptt-truncated" in loopholes


def write_class(submitted):
    for student, (stem, replacements, _) in SUBMISSIONS.items():
        factory.write_submission(submitted, student, replacements, stems=[stem])


def expected_units(student, points):
    """{unit: (score, message or None)} for every unit of the student's notebook."""
    stem, _, zeros = SUBMISSIONS[student]
    return {u: (0.0, zeros[u]) if u in zeros else (p, None) for u, p in points[stem].items()}


# ---- the grading command (sandbox) -----------------------------------------------------------

@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("both-paths")
    entries = course_tools.grade_class(tmp, write_class)
    return {e["student"]: {t["name"]: (t["score"], t["output"]) for t in e["tests"] if OWNER[t["name"]] ==
                           SUBMISSIONS[e["student"]][0]} for e in entries}


def unit_points():
    points = {}
    for stem, cells in course_tools.source_points().items():
        points[stem] = {gid[len("test_"):]: float(p) for gid, p in cells.items()}
    return points


@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_grading_command(sandbox, student):
    for unit, (score, message) in expected_units(student, unit_points()).items():
        got_score, got_message = sandbox[student][unit]
        assert got_score == score, (unit, got_message)
        if message is None:
            assert got_message.startswith("passed "), (unit, got_message)
        else:
            assert got_message == message, unit
