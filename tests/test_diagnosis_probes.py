"""Property probes name what holds and what breaks, and the BPTT loops' first wrong step.

The loops of notebook 04 call no local rule, so their trace is read from what they return:
with X[t] a block of the identity, dW_xh holds the dhraw_t that the function used at every
step. Exact feedback in the kernel (the nbgrader path), and the same words from the
sandboxed grading command for a class of wrong answers.
"""
import json
import subprocess
import sys

import pytest

from tools import factory
from tools.factory import REPO_ROOT
from tests.case_text import where
from tests.test_diagnosis_trace import RNN_EINSUM, verdict
from tests.wrong_answers import WITH_CARRY, body

TRUNC1 = where("bptt_truncated")
RAND1 = where("bptt_randomized")
FUTURE = ("correct when no gradient comes from the future (W_hh = 0), wrong otherwise: look at what uses W_hh (the "
          "gradient carried back from step t+1); correct for a single step (T = 1), wrong for longer sequences: look "
          "at the gradient carried back from step to step, the sums over time, the division by T or anything else that "
          "uses T ")
BEFORE6 = "the pre-activation gradient dhraw_t is wrong at t = 0..5 (every step before t = 6); the first wrong step from the end is t = 5: "
LOOP_WRONG = "W_xh, W_hh and b_h each has the wrong values. Probes: "

PROBED = {
    "cut one step early": ("bptt_truncated", dict(CARRY="carry = np.ones(T); carry[k - 1::k] = 0"),
        # A verified cause explains every wrong entry: it is the whole message (checks/repair.py).
        "bptt_truncated output: W_xh, W_hh and b_h are wrong: the cut is one step early: chunks are [0, k), [k, 2k), "
        "..., so the cut is between steps k-1 and k " + TRUNC1),
    "cut at t = 1, 1 + k, ...": ("bptt_truncated", dict(CARRY="carry = np.ones(T); carry[1::k] = 0"),
        # At T = 7, k = 3 this cut is "chunks counted from the end"; the other sizes say it is not, and the
        # loop rule that gives it on every case (checks/loops.py) is the whole message.
        "bptt_truncated output: W_xh, W_hh and b_h are wrong: the cut is where step t receives the gradient from "
        "step t+1, at t = 0, k, 2k, ...: it belongs where step k sends it back to step k-1 (between steps k-1 and "
        "k) " + TRUNC1),
    "future through W_hh": ("bptt_truncated", dict(WT=""),
        "bptt_truncated output: W_xh, W_hh and b_h are wrong: the future gradient goes through W_hh instead of "
        "W_hh.T " + TRUNC1),
    "truncated loop with a fixed activation": ("bptt_truncated", dict(ACT='"relu"'),
        # A rule shared by every loop (φ′ whatever the activation) reproduces every case: the whole message.
        "bptt_truncated output: W_xh, W_hh and b_h are wrong: φ′ is the ReLU mask (h_netIn > 0) whatever the "
        "activation; for tanh it is 1 - h**2 " + where("bptt_truncated", 2)),
    "truncated loop forwards": ("bptt_truncated", dict(LOOP="range(T)"),
        # A rewrite rule of the loop (checks/loops.py) reproduces every case: it is the whole message.
        "bptt_truncated output: W_xh, W_hh and b_h are wrong: the loop over time runs forwards (t = 0, 1, ..., T-1); "
        "BPTT visits the steps from the last, t = T-1, down to 0, carrying each step's gradient back to the step "
        "before it " + TRUNC1),
    "ξ on the stored dhraw": ("bptt_randomized", dict(STORE="dhraw[t] = dhraw[t] * carry[t]", PASS="dhraw[t]"),
        "bptt_randomized output: W_xh, W_hh and b_h are wrong: xi[t] multiplies the stored dhraw_t, so it also "
        "scales step t's terms in the sums of W_xh, W_hh and b_h; xi[t] scales only the gradient passed back from "
        "step t to step t-1 " + RAND1),
    "one ξ for every step": ("bptt_randomized", dict(PASS="carry[0] * dhraw[t]"),
        "bptt_randomized output: " + LOOP_WRONG + BEFORE6 + "the gradient passed back from step 6 is multiplied by "
        "ξ[0]; it should be multiplied by ξ[6]; " + FUTURE + RAND1),
    "1/ξ instead of ξ": ("bptt_randomized", dict(PASS="(1 / carry[t] if carry[t] else 0.0) * dhraw[t]"),
        "bptt_randomized output: " + LOOP_WRONG + BEFORE6 + "the gradient passed back from step 6 is multiplied by "
        "1/ξ[6]; it should be multiplied by ξ[6]; " + FUTURE + RAND1),
}

RNN2 = body("rnn2_backward")
RNN2_SUMS = "rnn2_backward: every call to the local rules received the right arguments, so the mistake is in what the function computes itself. "
RNN2_CASE1 = where("rnn2_backward")
# The sums over time of rnn2_backward are inlined (no rule is called for them): which arrays they pair is a
# rule of the two-layer loop (checks/loops.py), named when it reproduces every output.
PAIRED = {
    "W_hh1 with h1[t]": (RNN2.replace('"W_hh1": s(h1_prev, dhraw1)', '"W_hh1": s(h1, dhraw1)'),
        RNN2_SUMS + "rnn2_backward output: W_hh1 is wrong: W_hh1's sum pairs dhraw1_t with h1_t; the recurrent weight "
        "W_hh1 multiplies the previous state, so pair dhraw1_t with h1_{t-1} (cache['h1_0'] at t = 0) " + RNN2_CASE1),
    "W_xh2 with h1[t-1]": (RNN2.replace('"W_xh2": s(h1, dhraw2)', '"W_xh2": s(h1_prev, dhraw2)'),
        RNN2_SUMS + "rnn2_backward output: W_xh2 is wrong: W_xh2's sum pairs dhraw2_t with h1_{t-1} (layer 1's "
        "previous state) instead of h1_t: layer 2's input at step t is h1_t " + RNN2_CASE1),
    # layer 1's rule called before layer 2's gradient of the step exists: the first call already differs
    "layer order in the step": (RNN2.replace('dh1 = dh1_t(dhraw2[t], next1,', 'dh1 = dh1_t(next2, next1,'),
        "rnn2_backward: at step t = 6, `dh1_t` received `dhraw2_t` = zeros; it should be layer 2's pre-activation "
        "gradient of step 6 (dhraw2[6]). rnn2_backward output: W_xh1, W_hh1 and b_h1 are wrong: layer 1 receives "
        "layer 2's dhraw2 of step t+1 (the gradient carried back from the step after) instead of dhraw2_t of the "
        "same step, as when layer 1 is computed before layer 2 inside a step; layer 2 comes first, and layer 1 "
        "takes its dhraw2_t " + RNN2_CASE1),
}


@pytest.mark.parametrize("name", sorted(PAIRED))
def test_the_pairings_of_the_sums_over_time_are_named(name):
    source, message = PAIRED[name]
    assert source != RNN2
    assert verdict("rnn2_backward", source) == message


LOCAL = {
    "dhraw_t": ("""
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    return dh_t * (1 - np.tanh(h_t) ** 2)
""", "dhraw_t output: applies tanh twice: 1 - tanh(h_t)**2; h_t is already tanh(h_netIn_t) " + where("dhraw_t", 2)),
    "dW_hh": ("""
def dW_hh(h_prev, dhraw):
    return sum(h_prev[t, 0][:, None] * dhraw[t].sum(0)[None, :] for t in range(h_prev.shape[0]))
""", "dW_hh output has the wrong values. Probes: correct for one example, wrong for a batch: look at the sums over "
     "the batch or anything else that uses N " + where("dW_hh")),
    "dy_t": ("""
def dy_t(p_t, y_t, T):
    return (p_t - np.eye(p_t.shape[1])[y_t]) / (T * p_t.shape[1])
""", "dy_t output is N/Q times the right value: is N used where Q belongs (or the reverse)? "
     + where("dy_t", 2)),
    "clip_gradients": ("""
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, norm
""", "clip_gradients output: clipped is wrong: each entry is clipped to [-max_norm, max_norm] (min-char-rnn's "
     "np.clip); scale every array by the same factor min(1, max_norm / norm) instead " + where("clip_gradients", 6)),
}


@pytest.mark.parametrize("name", sorted(PROBED))
def test_the_loops_first_wrong_step_and_properties_are_named(name):
    unit, slip, message = PROBED[name]
    assert verdict(unit, body(unit, **slip)) == message


@pytest.mark.parametrize("unit", sorted(LOCAL))
def test_local_rules_say_which_property_breaks(unit):
    source, message = LOCAL[unit]
    assert verdict(unit, source) == message


# ---- the same words from the sandboxed grading command -----------------------------------------

SANDBOXED = {
    "trunc_early": ("bptt_truncated", body("bptt_truncated", **PROBED["cut one step early"][1]) + WITH_CARRY),
    "rand_stored": ("bptt_randomized", body("bptt_randomized", **PROBED["ξ on the stored dhraw"][1])),
    "rnn_carry_dh": ("rnn_backward", body("rnn_backward", CARRY="dh")),
    "rnn_forward_loop": ("rnn_backward", body("rnn_backward", LOOP="range(T)")),
    "mlp_relu_skipped": ("mlp_backward", body("mlp_backward", YUP="g_y_act")),
    "rnn2_phi2_skipped": ("rnn2_backward", body("rnn2_backward", PHI2="1.0")),
    "dhraw_tanh_twice": ("dhraw_t", LOCAL["dhraw_t"][0].strip() + "\n"),
    "clip_entrywise": ("clip_gradients", LOCAL["clip_gradients"][0].strip() + "\n"),
}


# Correct answers that call the rules with keyword arguments: full marks on both paths.
MLP_KEYWORDS = """
def mlp_backward(y, params, cache, reg=0.0):
    g_z_in = dz_netIn(dz_netAct=dz_netAct(cache["z_netAct"], y=y), z_netAct=cache["z_netAct"])
    g_y_in = dy_netIn(dy_netAct(dz_netIn=g_z_in, z_wts=params["z_wts"]), y_netIn=cache["y_netIn"])
    return {"z_wts": dz_wts(g_z_in, y_netAct=cache["y_netAct"], z_wts=params["z_wts"], reg=reg),
            "z_b": dz_b(dz_netIn=g_z_in), "y_wts": dy_wts(g_y_in, cache["X"], y_wts=params["y_wts"], reg=reg),
            "y_b": dy_b(dy_netIn=g_y_in)}
"""
RIGHT = {"mlp_keywords": ("mlp_backward", MLP_KEYWORDS.strip() + "\n"), "rnn_keywords": ("rnn_backward", RNN_EINSUM)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("probes")
    stems = factory.unit_notebooks()
    for student, (unit, source) in {**SANDBOXED, **RIGHT}.items():
        factory.write_submission(tmp / "submitted", student, {unit: source}, stems=[stems[unit]])
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp / "submitted"), "--out",
                          str(tmp / "out"), "--quiet"], cwd=REPO_ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return {e["student"]: e for e in json.loads((tmp / "out" / "grades.json").read_text())["submissions"]}


@pytest.mark.parametrize("student", sorted(SANDBOXED))
def test_the_sandboxed_command_gives_the_kernels_words(graded, student):
    unit, source = SANDBOXED[student]
    test = next(t for t in graded[student]["tests"] if t["name"] == unit)
    assert test["score"] == 0
    assert test["output"] == verdict(unit, source)
    stem = factory.unit_notebooks()[unit]
    others = [t for t in graded[student]["tests"] if factory.unit_notebooks()[t["name"]] == stem and t["name"] != unit]
    assert others and all(t["score"] == t["max_score"] for t in others)


@pytest.mark.parametrize("student", sorted(RIGHT))
def test_keyword_calls_of_the_rules_keep_full_marks_on_both_paths(graded, student):
    unit, source = RIGHT[student]
    assert verdict(unit, source) is None
    test = next(t for t in graded[student]["tests"] if t["name"] == unit)
    assert (test["score"], test["output"]) == (test["max_score"], test["output"]) and test["output"].startswith("passed")


# ---- readings of a local rule's answer: which steps its sum over time holds, how each upstream
# gradient entered. Derived from the reference rule on slices, not from a list of wrong answers.

LOCAL_READINGS = {
    "dW_hh leaves out step 0": ("dW_hh", """
def dW_hh(h_prev, dhraw):
    return sum(h_prev[t].T @ dhraw[t] for t in range(1, h_prev.shape[0]))
""", "dW_hh sums the steps 1, 2, 3, 4, 5, 6 only: t = 0 left out of the sum over time"),
    "dW_xh leaves out the last step": ("dW_xh", """
def dW_xh(X, dhraw):
    return sum(X[t].T @ dhraw[t] for t in range(X.shape[0] - 1))
""", "dW_xh sums the steps 0, 1, 2, 3, 4, 5 only: t = 6 left out of the sum over time"),
    "dh_t subtracts the future": ("dh_t", """
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T - dhraw_next @ W_hh.T
""", "dh_t: the contribution of `dhraw_next` is subtracted instead of added"),
    "dh_t forgets the future's weights": ("dh_t", """
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + dhraw_next
""", "dh_t: `dhraw_next` is added as it is; its contribution must go through its weight matrix"),
    # (Taken with >= the mask is named by its verified rewrite; a value of its own at 0 is only located.)
    "ReLU mask with a value of its own at the kink": ("dy_netIn", """
def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * ((y_netIn > 0) + 0.5 * (y_netIn == 0))
""", "the answer is right everywhere except exactly where `y_netIn` is exactly 0"),
    "dy_wts from row sums": ("dy_wts", """
def dy_wts(dy_netIn, X, y_wts, reg):
    return np.outer(X.sum(0), dy_netIn.sum(0)) + reg * y_wts
""", "correct for one example, wrong for a batch: look at the sums over the batch or anything else that uses N"),
    "dh1_t doubles layer 2": ("dh1_t", """
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return 2 * dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1.T
""", "dh1_t: the contribution of `dhraw2_t` is scaled by 2"),
}


@pytest.mark.parametrize("name", LOCAL_READINGS)
def test_a_local_rule_is_read_by_its_terms(name):
    unit, source, reading = LOCAL_READINGS[name]
    message = verdict(unit, source)
    assert message is not None and reading in message, message


def test_a_sum_over_time_called_step_by_step_is_a_right_call():
    """rnn_backward calling dW_xh(X[t], dhraw_t) at each step and assigning instead of summing: the
    trace finds no wrong argument (X[t] is one step of X), so it blames the function's own sums."""
    per_step = """
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, p = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, _ = X.shape
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dhraw_next = np.zeros_like(h[0])
    for t in reversed(range(T)):
        dy = dy_t(p[t], Y[t], T)
        grads["W_hq"] = grads["W_hq"] + dW_hq(h[t][None], dy[None])
        grads["b_q"] = grads["b_q"] + db_q(dy[None])
        dh = dh_t(dy, dhraw_next, params["W_hq"], params["W_hh"])
        dhraw = dhraw_t(dh, h_netIn[t], h[t], activation)
        grads["W_xh"] = dW_xh(X[t][None], dhraw[None])          # assigned, not summed
        grads["W_hh"] = dW_hh(h_prev[t][None], dhraw[None])
        grads["b_h"] = db_h(dhraw[None])
        dhraw_next = dhraw
    return grads
"""
    message = verdict("rnn_backward", per_step)
    assert message is not None
    assert message.startswith("rnn_backward: every call to the local rules received the right arguments"), message
    assert "matches no array" not in message
