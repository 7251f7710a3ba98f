"""Each diagnosis, shown on a submission that makes that mistake, through the real command.

Every catalogue mistake (tools/factory.py) is submitted as its own student, with
only the notebook the mistake lives in, and the whole class is graded in one
sandboxed batch. Each student must score exactly that notebook's points minus the
mistaken unit's, and the unit's feedback must name the mistake.
"""
import json
import subprocess
import sys

import pytest

from autograder import units
from tools import factory
from tools.factory import REPO_ROOT

pytestmark = pytest.mark.slow   # one sandboxed batch of every catalogued mistake

# mistake -> a phrase the unit's feedback must contain. The student's exact total is the submitted
# notebook's declared points minus the mistaken unit's (autograder/units.py); the other notebooks
# are missing (0).
EXPECTED = {
    "dz_netAct_every_class": "only at the true class",
    "dz_netAct_non_finite": "emitted a warning (RuntimeWarning: invalid value encountered in divide)",
    "dz_netIn_sigmoid_derivative": "off-diagonal terms",
    "dz_wts_transposed": "is transposed",
    "dz_wts_missing_reg": "reg * z_wts is missing",
    "dz_b_averaged": "averages over the batch instead of summing",
    "dy_netAct_sign_flipped": "wrong sign",
    "dy_netIn_mask_on_gradient": "mask to the wrong quantity",
    "dy_wts_missing_reg": "reg * y_wts is missing",
    "dy_b_not_summed_over_batch": "summed over the wrong axis: it keeps an axis over the batch (N)",
    "mlp_backward_no_reg": "`dz_wts` received `reg` = 0.0; it should be the reg passed in",
    "dy_t_missing_1_over_T": "divide by T*N",
    "dW_hq_not_summed_over_time": "not summed over time (T)",
    "db_q_last_step_only": "uses a single time step",
    "dh_t_missing_future": "missing the gradient from the future step",
    "dhraw_t_relu_mask_on_gradient": "mask to the wrong quantity",
    "dhraw_t_tanh_on_input": "tanh derivative of the wrong quantity",
    "dW_hh_transposed": "is transposed",
    "dW_xh_sign_flipped": "wrong sign",
    "db_h_not_summed_over_time": "not summed over time (T)",
    "rnn_backward_missing_future": "at step t = 5, `dh_t` received `dhraw_next` = zeros; it should be the pre-activation gradient of step 6",
    "dh1_t_missing_future": "missing the gradient from layer 1's future step",
    "dh1_t_future_not_transposed": "instead of W_hh1.T",
    "rnn2_backward_layer1_missing_future": "at step t = 5, `dh1_t` received `dhraw1_next` = zeros; it should be layer 1's",
    "bptt_truncated_early_cut": "the cut is one step early",
    "bptt_truncated_not_truncated": "the gradient crosses the chunk boundaries",
    "bptt_randomized_xi_as_mask": "xi is used as a 0/1 mask",
    # np.clip changes nothing in the first cases (the threshold exceeds every entry); the last edge case
    # (smaller sizes) tells it from returning the gradients unchanged, and np.clip is verified
    "clip_gradients_entrywise": "each entry is clipped to [-max_norm, max_norm]",
    # exact messages on both paths: tests/test_same_message_on_both_grading_paths.py
    "dz_netIn_ce_shortcut": "the rule must hold for any upstream gradient",
    "dz_netIn_modifies_input": "modified its input dz_netAct in place",
    "dy_t_modifies_input": "modified its input p_t in place",
    "rnn_backward_modifies_cache": "modified its input cache['p'] in place",
    "db_h_flat_list": "is a Python list of shape (4,)",
    "dW_hh_nested_list": "is a Python list of shape (4, 4)",
    "dW_xh_float32": "has dtype float32; expected float64",
    "db_h_keepdims": "keeps an axis of length 1",
    "db_q_matrix": "is an np.matrix of shape (1, 6)",
    "mlp_backward_reg_doubled_z": "reg * z_wts is counted twice",
    "mlp_backward_input_as_hidden": "dz_wts: y_netAct must have shape (N=3, H=4), got shape (3, 5)",
    "mlp_backward_no_reg_y": "`dy_wts` was called without `reg` (its default is 0.0)",
    "rnn_backward_ignores_h0": "`dW_hh` received `h_prev` holding zeros at t = 0, where cache['h0'] belongs",
    "rnn2_backward_ignores_initial_states": "layer 1's initial state is left out",
    "bptt_randomized_fixed_half": "the keep probability is fixed at 0.5",
    "clip_gradients_modifies_input": "modified its input grads['W_xh'] in place",
    "clip_gradients_returns_input": "returned the dict grads it received as output[0], not a new dict",
    "clip_gradients_no_sqrt": "the norm is the sum of squares without its square root",
    "clip_gradients_inverted_ratio": "the scale is inverted",
    "bptt_truncated_late_cut": "the cut is one step late",
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
    phrase = EXPECTED[name]
    declared = units.BY_NAME[unit]
    entry = graded[name]
    assert entry["score"] == units.notebook_points()[declared.notebook] - declared.points
    test = next(t for t in entry["tests"] if t["name"] == unit)
    assert test["score"] == 0
    assert phrase in test["output"]
    # Every other unit of the submitted notebook earned its points: the mistake is charged once.
    stem = factory.unit_notebooks()[unit]
    others = [t for t in entry["tests"] if factory.unit_notebooks()[t["name"]] == stem and t["name"] != unit]
    assert others and all(t["score"] == t["max_score"] for t in others)
