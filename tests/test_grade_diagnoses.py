"""Each diagnosis, shown on a submission that makes that mistake, through the real command.

Every catalogue mistake (tests/factory.py) is submitted as its own student, with
only the notebook the mistake lives in, and the whole class is graded in one
sandboxed batch. Each student must score exactly that notebook's points minus the
mistaken unit's, and the unit's feedback must name the mistake.
"""
import json
import subprocess
import sys

import pytest

from tests import factory
from tests.factory import REPO_ROOT

# mistake -> (exact total of the student, a phrase the unit's feedback must contain)
# Notebook points: 01 = 12, 02 = 14, 03 = 7, 04 = 8; the other notebooks are missing (0).
EXPECTED = {
    "dz_netAct_every_class": (11, "only at the true class"),
    "dz_netAct_non_finite": (11, "NaN or infinite"),
    "dz_netIn_sigmoid_derivative": (10, "off-diagonal terms"),
    "dz_wts_transposed": (11, "is transposed"),
    "dz_wts_missing_reg": (11, "reg * z_wts is missing"),
    "dz_b_averaged": (11, "averages over the batch instead of summing"),
    "dy_netAct_sign_flipped": (11, "wrong sign"),
    "dy_netIn_mask_on_gradient": (11, "mask to the wrong quantity"),
    "dy_wts_missing_reg": (11, "reg * y_wts is missing"),
    "dy_b_not_summed_over_batch": (11, "summed over the wrong axis: it keeps an axis over the batch (N)"),
    "mlp_backward_no_reg": (9, "`dz_wts` received `reg` = 0.0; it should be the reg passed in"),
    "dy_t_missing_1_over_T": (13, "divide by T*N"),
    "dW_hq_not_summed_over_time": (13, "not summed over time (T)"),
    "db_q_last_step_only": (13, "uses a single time step"),
    "dh_t_missing_future": (12, "missing the gradient from the future step"),
    "dhraw_t_relu_mask_on_gradient": (12, "mask to the wrong quantity"),
    "dhraw_t_tanh_on_input": (12, "tanh derivative of the wrong quantity"),
    "dW_hh_transposed": (13, "is transposed"),
    "dW_xh_sign_flipped": (13, "wrong sign"),
    "db_h_not_summed_over_time": (13, "not summed over time (T)"),
    "rnn_backward_missing_future": (10, "at step t = 5, `dh_t` received `dhraw_next` = zeros; it should be the pre-activation gradient of step 6"),
    "dh1_t_missing_future": (5, "missing the gradient from layer 1's future step"),
    "dh1_t_future_not_transposed": (5, "instead of W_hh1.T"),
    "rnn2_backward_layer1_missing_future": (2, "at step t = 5, `dh1_t` received `dhraw1_next` = zeros; it should be layer 1's"),
    "bptt_truncated_early_cut": (5, "the cut is one step early"),
    "bptt_truncated_not_truncated": (5, "the gradient crosses the chunk boundaries"),
    "bptt_randomized_xi_as_mask": (5, "xi is used as a 0/1 mask"),
    # np.clip changes nothing in these cases (the threshold exceeds every entry): it cannot be told from
    # returning the gradients unchanged, so neither is named
    "clip_gradients_entrywise": (6, "clipped is norm / max_norm times too large (two different slips give these numbers"),
    # issue 10 (exact messages on both paths: tests/test_grade_issue10.py)
    "dz_netIn_ce_shortcut": (10, "the rule must hold for any upstream gradient"),
    "dz_netIn_modifies_input": (10, "modified its input dz_netAct in place"),
    "dy_t_modifies_input": (13, "modified its input p_t in place"),
    "rnn_backward_modifies_cache": (10, "modified its input cache['p'] in place"),
    "db_h_flat_list": (13, "is a Python list of shape (4,)"),
    "dW_hh_nested_list": (13, "is a Python list of shape (4, 4)"),
    "dW_xh_float32": (13, "has dtype float32; expected float64"),
    "db_h_keepdims": (13, "keeps an axis of length 1"),
    "db_q_matrix": (13, "is an np.matrix of shape (1, 6)"),
    "mlp_backward_reg_doubled_z": (9, "reg * z_wts is counted twice"),
    "mlp_backward_no_reg_y": (9, "`dy_wts` was called without `reg` (its default is 0.0)"),
    "rnn_backward_ignores_h0": (10, "`dW_hh` received `h_prev` holding zeros at t = 0, where cache['h0'] belongs"),
    "rnn2_backward_ignores_initial_states": (2, "layer 1's initial state is left out"),
    "bptt_randomized_fixed_half": (5, "the keep probability is fixed at 0.5"),
    "clip_gradients_modifies_input": (6, "modified its input grads['W_xh'] in place"),
    "clip_gradients_no_sqrt": (6, "the norm is the sum of squares without its square root"),
    "clip_gradients_inverted_ratio": (6, "the scale is inverted"),
    "bptt_truncated_late_cut": (5, "the cut is one step late"),
}


def test_every_catalogue_mistake_has_an_expected_diagnosis():
    assert set(EXPECTED) == set(factory.MISTAKES)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("diagnoses")
    stems = factory.unit_notebooks()
    for name, (unit, _) in factory.MISTAKES.items():
        factory.write_submission(tmp / "submitted", name, factory.mistake(name), stems=[stems[unit]])
    out = tmp / "out"
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp / "submitted"),
                          "--out", str(out), "--quiet"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    entries = json.loads((out / "grades.json").read_text())["submissions"]
    return {entry["student"]: entry for entry in entries}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_feedback_names_the_mistake(graded, name):
    unit, _ = factory.MISTAKES[name]
    total, phrase = EXPECTED[name]
    entry = graded[name]
    assert entry["score"] == total
    test = next(t for t in entry["tests"] if t["name"] == unit)
    assert test["score"] == 0
    assert phrase in test["output"]
    # Every other unit of the submitted notebook earned its points: the mistake is charged once.
    stem = factory.unit_notebooks()[unit]
    others = [t for t in entry["tests"] if factory.unit_notebooks()[t["name"]] == stem and t["name"] != unit]
    assert others and all(t["score"] == t["max_score"] for t in others)
