"""The call trace of an assembly unit names the first call that differs from the instructor's.

Each wrong answer (tests/wrong_answers.py) is checked in the kernel (autograder.checks.check,
the nbgrader path) with the exact feedback it must get; the sandboxed grading command gives the
same words (tests/test_diagnosis_probes.py grades a class through it). Correct rewrites keep
full marks.
"""
import re

import pytest

from autograder.checks import check
from tests.case_text import where
from tests.wrong_answers import body


def verdict(unit, source):
    namespace = {}
    exec("import numpy as np\n" + source, namespace)
    try:
        check(unit, namespace[unit])
    except AssertionError as exc:
        return str(exc)
    return None


CASE1 = where("rnn_backward")
FUTURE_PROBES = ("Probes: correct when no gradient comes from the future (W_hh = 0), wrong otherwise: look at what uses "
                 "W_hh (the gradient carried back from step t+1); correct for a single step (T = 1), wrong for longer "
                 "sequences: look at the gradient carried back from step to step, the sums over time, the division "
                 "by T or anything else that uses T ")
LOOP_OUTPUT = "rnn_backward output: W_xh, W_hh and b_h each has the wrong values. "
# A rewrite of the loop that reproduces every output on every case (and the extra one) follows the trace.
LOOP_WRONG = "rnn_backward output: W_xh, W_hh and b_h are wrong: "

TRACED = {
    "loop in increasing t": ("rnn_backward", dict(LOOP="range(T)"),
        "rnn_backward: the loop visits the steps in increasing t (`dh_t` at t = 0, 1, ...); BPTT goes from t = 6 down "
        "to 0, so that the gradient of step t+1 is known when step t needs it: at step t = 0, `dh_t` received "
        "`dhraw_next` = zeros; it should be the pre-activation gradient of step 1 (dhraw[1]). " + LOOP_WRONG +
        "the loop over time runs forwards (t = 0, 1, ..., T-1); BPTT visits the steps from the last, t = T-1, down "
        "to 0, carrying each step's gradient back to the step before it " + CASE1),
    "carries dh instead of dhraw": ("rnn_backward", dict(CARRY="dh"),
        "rnn_backward: at step t = 5, `dh_t` received `dhraw_next` = dh of step 6 (the gradient at h[6], before φ′); "
        "it should be the pre-activation gradient of step 6 (dhraw[6]). " + LOOP_WRONG + "the loop carries dh_t (the "
        "gradient at h_t, before φ′) back to step t-1; it must carry the pre-activation gradient dhraw_t " + CASE1),
    "activation hard-coded": ("rnn_backward", dict(ACT='"relu"'),
        "rnn_backward: at step t = 4, `dhraw_t` was called with activation = 'relu'; the forward pass used 'tanh'. "
        + LOOP_WRONG + "φ′ is the ReLU mask (h_netIn > 0) whatever the activation; for tanh it is 1 - h**2 "
        + where("rnn_backward", 2)),
    "h_prev is h": ("rnn_backward", dict(HPREV="h"),
        "rnn_backward: `dW_hh` received `h_prev` holding h[t] where h_prev[t] = h_{t-1} belongs (at every step). "
        "rnn_backward output: W_hh is wrong: dhraw_t is paired with h_t instead of h_{t-1}: the recurrent weight "
        "multiplies the previous state " + CASE1),
    "h_prev from np.roll": ("rnn_backward", dict(HPREV="np.roll(h, 1, axis=0)"),
        "rnn_backward: `dW_hh` received `h_prev` holding h[6] at t = 0, where cache['h0'] belongs. "
        "rnn_backward output: W_hh is wrong: the previous states wrap around (as np.roll does): at t = 0 W_hh's sum "
        "pairs dhraw_0 with the last state h_{T-1}; the state before step 0 is cache['h0'] " + CASE1),
    "loop stops before t = 0": ("rnn_backward", dict(LOOP="range(T - 1, 0, -1)"),
        "rnn_backward: `dh_t` is never called for step t = 0: the loop must visit every step from t = 6 down to 0. "
        "rnn_backward output: W_xh, W_hh, b_h, W_hq and b_q are wrong: the loop over time stops one step short: step "
        "t = 0 is never visited, so dy_0 and dhraw_0 are missing from the parameter sums; the loop must run down to "
        "t = 0 " + CASE1),
    "dz_wts gets y_netIn": ("mlp_backward", dict(ZIN='"y_netIn"'),
        "mlp_backward: `dz_wts` received `y_netAct` = y_netIn (the pre-activation); it should be y_netAct (the ReLU "
        "output). mlp_backward output: z_wts is wrong: dz_wts receives y_netIn instead of y_netAct (the ReLU output) "
        "as the layer's input " + where("mlp_backward")),
    "reg not passed on": ("mlp_backward", dict(REGZ="0.0"),
        "mlp_backward: `dz_wts` received `reg` = 0.0; it should be the reg passed in. mlp_backward output: z_wts is "
        "wrong: the regularization term reg * z_wts is missing: pass reg to dz_wts " + where("mlp_backward")),
    "ReLU skipped": ("mlp_backward", dict(YUP="g_y_act"),
        "mlp_backward: `dy_wts` received `dy_netIn` = dy_netAct; it should be dy_netIn. mlp_backward output: y_wts "
        "and y_b are wrong: the ReLU is skipped: dy_wts and dy_b need dy_netIn (after the ReLU), not dy_netAct "
        + where("mlp_backward")),
    "layer-2 φ′ skipped": ("rnn2_backward", dict(PHI2="1.0"),
        "rnn2_backward: at step t = 6, `dh1_t` received `dhraw2_t` = dh2 of step 6 (layer 2's gradient before φ′); "
        "it should be layer 2's pre-activation gradient of step 6 (dhraw2[6]). rnn2_backward output: W_xh1, W_hh1, "
        "b_h1, W_xh2, W_hh2 and b_h2 are wrong: layer 2 skips φ′: dhraw2_t is set to dh2_t; it must be multiplied "
        "by φ′ of layer 2's pre-activation " + where("rnn2_backward")),
    "layer 1 without its future": ("rnn2_backward", dict(NEXT1="np.zeros_like(next1)"),
        "rnn2_backward: at step t = 5, `dh1_t` received `dhraw1_next` = zeros; it should be layer 1's pre-activation "
        "gradient of step 6 (dhraw1[6]). rnn2_backward output: W_xh1, W_hh1 and b_h1 are wrong: layer 1 is missing "
        "the gradient from its future step, dhraw1_{t+1} @ W_hh1.T " + where("rnn2_backward")),
}


@pytest.mark.parametrize("name", sorted(TRACED))
def test_the_first_divergent_call_is_named(name):
    unit, slip, message = TRACED[name]
    assert verdict(unit, body(unit, **slip)) == message


REWRITES = {
    "rnn_backward": [
        {},
        dict(LOOP="range(T - 1, -1, -1)"),
        dict(LOOP="[T - 1 - i for i in range(T)]"),
        dict(HPREV='np.stack([cache["h0"]] + [h[t - 1] for t in range(1, T)])'),
    ],
    "mlp_backward": [{}],
    "rnn2_backward": [{}, dict(XH2="np.stack([h1[t] for t in range(T)])")],
    "bptt_truncated": [{}, dict(LOOP="range(T - 1, -1, -1)",
                                CARRY="carry = np.array([0.0 if t % k == 0 and t > 0 else 1.0 for t in range(T)])")],
    "bptt_randomized": [{}, dict(LOOP="range(T)[::-1]")],
}

# dy for every step first, in a forward loop, then the backward loop; the sums inlined with einsum.
RNN_EINSUM = """
def rnn_backward(Y, params, cache, activation):
    T, N, H = cache["h"].shape
    dy = np.stack([dy_t(cache["p"][t], Y[t], T) for t in range(T)])
    dhraw = np.zeros((T, N, H))
    nxt = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        nxt = dhraw[t] = dhraw_t(dh_t(dy[t], dhraw_next=nxt, W_hq=params["W_hq"], W_hh=params["W_hh"]),
                                 cache["h_netIn"][t], cache["h"][t], activation)
    h_prev = np.concatenate([cache["h0"][None], cache["h"][:-1]])
    return {"W_xh": np.einsum("tnd,tnh->dh", cache["X"], dhraw), "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
            "b_h": dhraw.sum(axis=(0, 1)), "W_hq": np.einsum("tnh,tnq->hq", cache["h"], dy), "b_q": dy.sum(axis=(0, 1))}
"""


@pytest.mark.parametrize("unit", sorted(REWRITES))
def test_correct_rewrites_keep_full_marks(unit):
    for slip in REWRITES[unit]:
        assert verdict(unit, body(unit, **slip)) is None, slip
    if unit == "rnn_backward":
        assert verdict(unit, RNN_EINSUM) is None


def test_no_trace_message_shows_a_number_of_the_case():
    # Steps and sizes only: never a value of an array (those come from the hidden case).
    for unit, slip, _ in TRACED.values():
        message = verdict(unit, body(unit, **slip))
        numbers = re.findall(r"\d+\.\d+", message.replace("0.0;", ""))
        assert numbers == [], (unit, slip, numbers)
