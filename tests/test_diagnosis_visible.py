"""The visible tests of the assembly units name the first wrong call before the student submits.

Each wrong answer is put in a student notebook built from the release (tools/factory.py), whose
code cells run in order in one namespace, in the release folder, as a kernel would run them;
the assembly's visible test cell must fail with the exact sentence below. The expected arrays
come from finite differences of the loss (source/bptt/bptt_tools.py, why_*), never from a
solution, and the comparison is the given module source/bptt/trace_tools.py, which the grader
uses too.
"""
import contextlib
import io
import os
import re

import pytest

from tools import factory
from tools.factory import RELEASE_DIR
from tests.wrong_answers import WITH_CARRY, body

MAGIC = re.compile(r"^\s*[%!]")


def visible_failure(stem, unit, source, test_id, monkeypatch):
    """The AssertionError text of the unit's visible test cell (None if it passes)."""
    nb = factory.student_notebook(stem, {unit: source})
    monkeypatch.chdir(RELEASE_DIR)
    monkeypatch.syspath_prepend(str(RELEASE_DIR))
    monkeypatch.setenv("BPTT_GRADING", "1")
    namespace = {"__name__": "__main__"}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {})
        if cell["cell_type"] != "code" or "experiment" in meta.get("tags", []):
            continue
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        text = "\n".join("" if MAGIC.match(line) else line for line in text.split("\n"))
        gid = meta.get("nbgrader", {}).get("grade_id", "")
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(text, gid or "cell", "exec"), namespace)
        except AssertionError as exc:
            if gid == test_id:
                return str(exc)
        if gid == test_id:
            return None
    raise AssertionError(f"no test cell {test_id} in {stem}")


VISIBLE = {
    "rnn carries dh": ("02_rnn_bptt", "rnn_backward", dict(CARRY="dh"),
        "the gradient of W_xh (relu) is wrong: at step t = 2, `dh_t` received `dhraw_next` = dh of step 3 (the "
        "gradient at h[3], before φ′); it should be the pre-activation gradient of step 3 (dhraw[3])"),
    "rnn loop forwards": ("02_rnn_bptt", "rnn_backward", dict(LOOP="range(T)"),
        "the gradient of W_xh (relu) is wrong: the loop visits the steps in increasing t (`dh_t` at t = 0, 1, ...); "
        "BPTT goes from t = 3 down to 0, so that the gradient of step t+1 is known when step t needs it: at step "
        "t = 0, `dh_t` received `dhraw_next` = zeros; it should be the pre-activation gradient of step 1 (dhraw[1])"),
    "rnn activation fixed": ("02_rnn_bptt", "rnn_backward", dict(ACT='"relu"'),
        "the gradient of W_xh (tanh) is wrong: at step t = 3, `dhraw_t` was called with activation = 'relu'; the "
        "forward pass used 'tanh'"),
    "rnn h_prev is h": ("02_rnn_bptt", "rnn_backward", dict(HPREV="h"),
        "the gradient of W_hh (relu) is wrong: `dW_hh` received `h_prev` holding h[t] where h_prev[t] = h_{t-1} "
        "belongs (at every step)"),
    "mlp skips the ReLU": ("01_mlp_backprop", "mlp_backward", dict(YUP="g_y_act"),
        "the gradient of y_wts is wrong: `dy_wts` received `dy_netIn` = dy_netAct; it should be dy_netIn"),
    "mlp input of dz_wts": ("01_mlp_backprop", "mlp_backward", dict(ZIN='"y_netIn"'),
        "the gradient of z_wts is wrong: `dz_wts` received `y_netAct` = y_netIn (the pre-activation); it should be "
        "y_netAct (the ReLU output)"),
    "rnn2 layer 1 without its future": ("03_two_layer_rnn", "rnn2_backward", dict(NEXT1="np.zeros_like(next1)"),
        "the gradient of W_xh1 (relu) is wrong: at step t = 2, `dh1_t` received `dhraw1_next` = zeros; it should be "
        "layer 1's pre-activation gradient of step 3 (dhraw1[3])"),
    "rnn2 layer-2 φ′ skipped": ("03_two_layer_rnn", "rnn2_backward", dict(PHI2="1.0"),
        "the gradient of W_xh1 (relu) is wrong: at step t = 3, `dh1_t` received `dhraw2_t` = dh2 of step 3 (layer "
        "2's gradient before φ′); it should be layer 2's pre-activation gradient of step 3 (dhraw2[3])"),
}


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_the_visible_test_names_the_first_wrong_call(name, monkeypatch):
    stem, unit, slip, message = VISIBLE[name]
    assert visible_failure(stem, unit, body(unit, **slip), f"test_{unit}", monkeypatch) == message


@pytest.mark.parametrize("stem,unit", [("01_mlp_backprop", "mlp_backward"), ("02_rnn_bptt", "rnn_backward"),
                                       ("03_two_layer_rnn", "rnn2_backward")])
def test_a_right_assembly_passes_its_visible_test(stem, unit, monkeypatch):
    assert visible_failure(stem, unit, body(unit), f"test_{unit}", monkeypatch) is None


def test_the_release_ships_the_comparison_but_no_solution():
    text = (RELEASE_DIR / "trace_tools.py").read_text()
    # It knows what each parameter of a rule means, never how an assembly calls the rules.
    assert "def first_divergence" in text and "GLOSSARY" in text
    for solution_line in ("dhraw_next = dhraw[t]", "reversed(range(T))", "h_prev = np.concatenate"):
        assert solution_line not in text
    assert not os.path.exists(RELEASE_DIR / "autograder")


STEPS = {
    # with k = T = 7 the early cut still cuts between steps 5 and 6: the full-gradient check fails first
    "cut one step early": ("bptt_truncated", dict(CARRY="carry = np.ones(T); carry[k - 1::k] = 0"),
        "k = T: grads['W_xh'] is not the full gradient: your gradient at h_netIn_t (read from your dW_xh on inputs that keep the "
        "steps apart) differs from finite differences at t = 0, 1, 2, 3, 4, 5; it is right at every step after "
        "t = 5, so the mistake enters at step t = 5"),
    "chunks counted from the end": ("bptt_truncated", dict(CARRY="carry = np.ones(T); carry[[t for t in range(1, T) if (T - t) % k == 0]] = 0"),
        "k = 3: grads['W_xh'], grads['W_hh'], grads['b_h'] are not the gradient of truncated_loss; are the chunks "
        "[0, k), [k, 2k), ...?: your gradient at h_netIn_t (read from your dW_xh on inputs that keep the steps apart) differs from "
        "finite differences at t = 0, 1, 2, 3, 4, 5; it is right at every step after t = 5, so the mistake enters "
        "at step t = 5"),
    "future through W_hh": ("bptt_truncated", dict(WT=""),
        "k = T: grads['W_xh'] is not the full gradient: your gradient at h_netIn_t (read from your dW_xh on inputs that keep the "
        "steps apart) differs from finite differences at t = 0, 1, 2, 3, 4, 5; it is right at every step after "
        "t = 5, so the mistake enters at step t = 5"),
    "ξ on the stored dhraw": ("bptt_randomized", dict(STORE="dhraw[t] = dhraw[t] * carry[t]", PASS="dhraw[t]"),
        "xi = 0 at t = 2, 4: grads['W_xh'] is not regular truncation: your gradient at h_netIn_t (read from your dW_xh on inputs "
        "that keep the steps apart) differs from finite differences at t = 2, 4; it is wrong already at the last "
        "step, t = 4, where no gradient comes from the future"),
}


@pytest.mark.parametrize("name", sorted(STEPS))
def test_the_long_history_tests_name_the_wrong_steps(name, monkeypatch):
    unit, slip, message = STEPS[name]
    source = body(unit, **slip) + (WITH_CARRY if unit == "bptt_truncated" else "")
    assert visible_failure("04_long_histories", unit, source, f"test_{unit}", monkeypatch) == message
