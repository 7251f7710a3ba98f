"""A diagnosis names a cause only when the cause, applied to the reference, reproduces the student's
answers on every hidden case and on an extra case of other sizes (autograder/checks/repair.py).

Each test below is a wrong answer for which a cause that fits one case by coincidence used to be
named, or a detail that was not true of the student's code was stated; the message now says what
is observed, and nothing that the student's code does not do. Exact feedback in the kernel (the
nbgrader path); the grading command builds the same message through the same functions.
"""
import copy

import pytest

from autograder.checks import UNITS
from autograder.checks.compare import _factor_names
from autograder.checks.repair import EXTRA_SIZES, extra_dims
from autograder.sandbox.wire import to_data
from tests.case_text import where
from tests.test_diagnosis_trace import verdict
from tests.wrong_answers import body

# dy_t scaled by 3/2: in the first case (Q = 6, H = 4) that is Q/H, a ratio of sizes dy_t never uses.
DY_T_THREE_HALVES = '''
def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return 1.5 * (p_t - np.eye(Q)[y_t]) / (T * N)
'''


def test_a_constant_equal_to_a_ratio_of_one_cases_sizes_is_not_named_as_that_ratio():
    message = verdict("dy_t", DY_T_THREE_HALVES)
    assert message == ("dy_t output is off by a constant factor: every entry is the right value times the same "
                       "wrong number " + where("dy_t"))


DY_T_OVER_N = '''
def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return (p_t - np.eye(Q)[y_t]) / N
'''


def test_a_verified_cause_is_named_alone_without_probes():
    # Divided by N only: the catalogued rewrite reproduces every case and the extra one.
    assert verdict("dy_t", DY_T_OVER_N) == (
        "dy_t output: is divided by N only: the loss is the mean over all T*N predictions, so divide by T*N "
        + where("dy_t"))


# Cuts at t = 1, 1 + k, 1 + 2k ...: at T = 7, k = 3 (and in the next two cases) this is exactly
# "the chunks are counted from the end", which it is not (T = 5, k = 5 and the extra case tell).
TRUNC_CUT_AT_ONE = body("bptt_truncated", CARRY="carry = np.ones(T); carry[1::k] = 0")


def test_a_chunk_rule_that_coincides_at_t7_k3_is_not_named():
    # Named by the rule that gives it on every case (the cut at the start of the iteration t = 0, k, ...).
    message = verdict("bptt_truncated", TRUNC_CUT_AT_ONE)
    assert message == (
        "bptt_truncated output: W_xh, W_hh and b_h are wrong: the cut is where step t receives the gradient from "
        "step t+1, at t = 0, k, 2k, ...: it belongs where step k sends it back to step k-1 (between steps k-1 and "
        "k) " + where("bptt_truncated"))
    assert "counted from the end" not in message


# Below half the threshold every array is clipped by its own norm, otherwise the answer is right:
# only the first case (max_norm = 0.4 * norm) looks like the per-array mistake.
CLIP_PER_ARRAY_SOMETIMES = '''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if max_norm < 0.5 * norm:
        return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}, norm
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}, norm
'''


def test_each_array_clipped_by_its_own_norm_is_said_only_when_true_on_every_case():
    message = verdict("clip_gradients", CLIP_PER_ARRAY_SOMETIMES)
    assert message is not None and "its own norm" not in message


CLIP_PER_ARRAY = '''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    own = {k: np.linalg.norm(g) for k, g in grads.items()}
    return {k: g * min(1.0, max_norm / own[k]) if own[k] > 0 else g for k, g in grads.items()}, norm
'''


def test_each_array_clipped_by_its_own_norm_is_named_for_every_array_when_it_is_the_cause():
    # b_h and b_q come back unchanged, which "returned unchanged" also reproduces: the broader
    # verified rewrite (every array) takes them, and the message has one cause.
    assert verdict("clip_gradients", CLIP_PER_ARRAY) == (
        "clip_gradients output: clipped is wrong: each array is clipped by its own norm; the norm is taken over all "
        "gradients together " + where("clip_gradients", 6))


CLIP_LIST = '''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [{k: g * scale for k, g in grads.items()}, norm, scale]
'''


def test_a_returned_list_is_not_called_a_tuple():
    message = verdict("clip_gradients", CLIP_LIST)
    assert message == ("clip_gradients output must be a tuple of 2 values; it is a list or tuple of 3 values "
                       + where("clip_gradients"))


# "/" where "//" belongs: every step is a new chunk, even when k >= T. The cut is at fault, not the loop.
TRUNC_FLOAT_CHUNKS = body("bptt_truncated", CARRY="carry = np.array([1.0] + [0.0 if t / k != (t - 1) / k else 1.0 "
                          "for t in range(1, T)])")


def test_a_cut_that_acts_when_k_is_at_least_t_is_not_blamed_on_the_loop():
    message = verdict("bptt_truncated", TRUNC_FLOAT_CHUNKS)
    assert message is not None
    assert "loop itself" not in message and "mistake is in" not in message


# The batch sum skips the last example: an MLP batch has rows, never steps or time.
DZ_B_DROPS_LAST_ROW = '''
def dz_b(dz_netIn):
    return dz_netIn[:-1].sum(axis=0)
'''


@pytest.mark.parametrize("unit, source", [
    ("dz_b", DZ_B_DROPS_LAST_ROW),
    ("dy_b", DZ_B_DROPS_LAST_ROW.replace("dz_b(dz_netIn)", "dy_b(dy_netIn)").replace("dz_netIn[", "dy_netIn[")),
])
def test_an_mlp_batch_is_never_described_in_steps_or_time(unit, source):
    message = verdict(unit, source)
    assert message is not None
    words = message.lower()
    assert "step" not in words and "time" not in words, message


DH1_T_NO_LAYER_2 = '''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw1_next @ W_hh1.T
'''


def test_a_headline_is_never_followed_by_a_probe_that_could_contradict_it():
    # The verified cause explains every wrong entry: the message is that cause alone.
    message = verdict("dh1_t", DH1_T_NO_LAYER_2)
    assert message == ("dh1_t output: is missing the gradient from layer 2 above, dhraw2_t @ W_xh2.T "
                       + where("dh1_t"))
    assert "Probes" not in message


@pytest.mark.parametrize("name", sorted(UNITS))
def test_the_extra_case_has_sizes_of_its_own(name):
    """Every size of the extra case differs from the hidden cases' and no product or ratio of two of
    them equals another: a constant named on it is one constant."""
    unit = UNITS[name]
    for case in unit.cases():
        if case.made_from is None:
            continue
        d = extra_dims(unit, case)
        assert d is not None, name
        for key in ("T",) + tuple(EXTRA_SIZES):
            if key in unit.dims_used and key not in ("C", "Q", "H1"):
                assert all(d[key] != c[key] for c in unit.case_dims()), (name, key)   # type: ignore[literal-required]
        if "k" in unit.dims_used and d["k"] > 1:
            assert d["T"] % d["k"] and d["T"] > d["k"], (name, d["T"], d["k"])
        sizes = {k: v for k, v in d.items() if k in unit.dims_used and k != "k"}   # k is the case's own switch
        collisions = [names for names in _factor_names(sizes).values() if len(names) > 1]
        assert not collisions, (name, collisions)


DY_WTS_OVER_N = '''
def dy_wts(dy_netIn, X, y_wts, reg):
    return X.T @ dy_netIn / X.shape[0] + reg * y_wts
'''
DZ_WTS_DOUBLED = '''
def dz_wts(dz_netIn, y_netAct, z_wts, reg):
    return 2 * y_netAct.T @ dz_netIn + reg * z_wts
'''


def test_a_scale_of_one_term_is_named_when_every_case_shows_it():
    # The error model's "scale by a size" applied to the data term alone (the reg term is right).
    assert verdict("dy_wts", DY_WTS_OVER_N) == (
        "dy_wts output: the term without reg (the data term) is N times too small: is it divided by N once too "
        "often? " + where("dy_wts"))
    assert verdict("dz_wts", DZ_WTS_DOUBLED) == (
        "dz_wts output: the term without reg (the data term) is doubled " + where("dz_wts"))


@pytest.mark.parametrize("unit, source, message", [
    ("dy_wts", "def dy_wts(dy_netIn, X, y_wts, reg):\n    return X.T @ dy_netIn - reg * y_wts\n",
     "dy_wts output: the regularization term is subtracted: d/dW of reg/2*|W|^2 is +reg*W, added to the data term "),
    ("dz_wts", "def dz_wts(dz_netIn, y_netAct, z_wts, reg):\n    return y_netAct.T @ dz_netIn + 2 * reg * z_wts\n",
     "dz_wts output: the regularization term is doubled: d/dW of reg/2*|W|^2 is reg*W, not 2*reg*W "),
])
def test_a_scale_of_the_reg_term_alone_is_named_when_every_case_shows_it(unit, source, message):
    assert verdict(unit, source) == message + where(unit)


def test_a_regularized_bias_is_named_for_each_bias():
    source = body("mlp_backward").replace('"z_b": dz_b(g_z_in)', '"z_b": dz_b(g_z_in) + reg * params["z_b"]')
    assert verdict("mlp_backward", source) == (
        "mlp_backward: every call to the local rules received the right arguments, so the mistake is in what the "
        "function computes itself. mlp_backward output: z_b is wrong: reg * z_b is added to the gradient of z_b: the "
        "loss regularizes the two weight matrices only, not the biases " + where("mlp_backward"))


CLIP_BY = ("def clip_gradients(grads, max_norm):\n    norm = {}\n    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0\n"
           "    return {{k: g * scale for k, g in grads.items()}}, norm\n")


@pytest.mark.parametrize("norm, message", [
    ("sum(float(np.linalg.norm(g)) for g in grads.values())",
     "the norm is the sum of the arrays' own norms; the global norm is the square root of the sum of all squared "
     "entries, over every array together "),
    ('float(np.sqrt(sum(np.sum(g ** 2) for k, g in grads.items() if k.startswith("W"))))',
     "the biases are left out of the norm: the global norm counts every gradient, b_h and b_q included "),
])
def test_a_global_norm_taken_wrongly_is_named_with_its_clipping(norm, message):
    # Not a root mean square: near 1 for these gradients, below max_norm, it is "returned unchanged" too.
    assert verdict("clip_gradients", CLIP_BY.format(norm)) == (
        "clip_gradients output: clipped and norm are wrong: " + message + where("clip_gradients"))

@pytest.mark.parametrize("unit, source, message", [
    ("dy_netIn", "def dy_netIn(dy_netAct, y_netIn):\n    return y_netIn * (y_netIn > 0)\n",
     "dy_netIn output: uses `y_netIn` where `dy_netAct` belongs "),
    ("dW_hh", "def dW_hh(h_prev, dhraw):\n    return np.einsum('tni,tnj->ij', dhraw, dhraw)\n",
     "dW_hh output: uses `dhraw` where `h_prev` belongs "),
])
def test_an_argument_swapped_for_another_of_its_shape_is_named_from_the_rule_itself(unit, source, message):
    # No catalogue entry: the error model applies the swap to the reference rule and checks every case.
    assert verdict(unit, source) == message + where(unit)



@pytest.mark.parametrize("unit, source, message", [
    ("dX", "def dX(dhraw, W_xh):\n    D, H = W_xh.shape\n    return np.einsum('tnh,hd->tnd', dhraw, W_xh.reshape(H, D))\n",
     "dX output: `W_xh` enters reshaped to its transposed shape, which reorders its entries: a reshape is not a "
     "transpose (use W_xh.T) "),
    ("dW_xh", "def dW_xh(X, dhraw):\n    T, N, D = X.shape\n    return X.reshape(D, T * N) @ dhraw.reshape(T * N, -1)\n",
     "dW_xh output: `X` enters reshaped to its transposed shape, which reorders its entries: a reshape is not a "
     "transpose (use X.reshape(-1, X.shape[-1]).T) "),
    ("dy_wts", "def dy_wts(dy_netIn, X, y_wts, reg):\n    N, D = X.shape\n    return X.reshape(D, N) @ dy_netIn + reg * y_wts\n",
     "dy_wts output: `X` enters reshaped to its transposed shape, which reorders its entries: a reshape is not a "
     "transpose (use X.T) "),
])
def test_an_argument_reshaped_where_a_transpose_belongs_is_named_on_any_rule(unit, source, message):
    # The error model's reshape-for-transpose, applied to each rule's own arguments (no catalogue entry).
    assert verdict(unit, source) == message + where(unit)

# ---- the loops' rewrite rules (autograder/checks/loops.py) ------------------------------------
# Each rule of the error model over the reference loop, applied to a student's loop that makes
# exactly that slip: the message is the rule's sentence, and nothing else.
TRUNC_OUT = "bptt_truncated output: W_xh, W_hh and b_h are wrong: "
RAND_OUT = "bptt_randomized output: W_xh, W_hh and b_h are wrong: "
FROM_END = "carry = np.ones(T); carry[[t for t in range(1, T) if (T - t) % k == 0]] = 0"
ON_THE_SUMS = dict(STORE="dhraw[t] = dhraw[t] * carry[t]", PASS="dhraw[t]")
LOOP_RULES = {
    "loop run forwards": ("bptt_truncated", dict(LOOP="range(T)"), TRUNC_OUT +
        "the loop over time runs forwards (t = 0, 1, ..., T-1); BPTT visits the steps from the last, t = T-1, down "
        "to 0, carrying each step's gradient back to the step before it "),
    "loop one step short at the end": ("bptt_truncated", dict(LOOP="reversed(range(T - 1))"), TRUNC_OUT +
        "the loop over time starts one step short: the last step t = T-1 is never visited, so its dhraw_t is missing "
        "from the sums and from the gradient carried back "),
    "loop one step short at the start": ("bptt_truncated", dict(LOOP="reversed(range(1, T))"), TRUNC_OUT +
        "the loop over time stops one step short: step t = 0 is never visited, so dhraw_0 is missing from the "
        "parameter sums; the loop must run down to t = 0 "),
    "loop one step long": ("bptt_truncated", dict(LOOP="range(T - 1, -2, -1)"), TRUNC_OUT +
        "the loop over time runs one step too far, down to t = -1, which NumPy reads as the last step: the last "
        "step's dhraw_t is computed again and overwritten; the loop ends at t = 0 "),
    "a cut at every step": ("bptt_truncated", dict(CARRY="carry = np.array([1.0] + [0.0 if t / k != (t - 1) / k "
                                                   "else 1.0 for t in range(1, T)])"), TRUNC_OUT +
        "the gradient is cut at every step, inside the chunks too: only at a chunk boundary (t = k, 2k, ...) may the "
        "gradient carried back to the step before be cut "),
    "only the first boundary cut": ("bptt_truncated",
        dict(CARRY="carry = np.ones(T); carry[min(k, T - 1)] = 0 if k < T else 1"), TRUNC_OUT +
        "only the first chunk boundary (t = k) is cut: the gradient must be cut at every boundary, every multiple "
        "of k "),
    "the last boundary missed": ("bptt_truncated", dict(CARRY="carry = np.ones(T); carry[list(range(k, T - k, k))] = 0"),
        TRUNC_OUT + "the last chunk boundary is not cut: the gradient must be cut at every boundary, every multiple "
        "of k below T "),
    "chunks counted from the end": ("bptt_truncated", dict(CARRY=FROM_END), TRUNC_OUT +
        "the chunks are counted from the end of the sequence; they start at t = 0 "),
    "window one step too long": ("bptt_truncated", dict(CARRY="carry = np.ones(T); carry[k + 1::k + 1] = 0"),
        TRUNC_OUT + "the window is one step too long: the chunks have k+1 steps; they are [0, k), [k, 2k), ..., "
        "k steps each "),
    "window one step too short": ("bptt_truncated",
        dict(CARRY="carry = np.ones(T); carry[max(k - 1, 1)::max(k - 1, 1)] = 0"), TRUNC_OUT +
        "the window is one step too short: the chunks have k-1 steps; they are [0, k), [k, 2k), ..., k steps each "),
    "cut on the sums and the carry": ("bptt_truncated", ON_THE_SUMS, TRUNC_OUT +
        "the cut is applied to the parameter sums as well: at a chunk boundary dhraw_t is left out of the sums of "
        "W_xh, W_hh and b_h; only the gradient carried back to the step before is cut, and every step's dhraw_t "
        "counts in the sums "),
    "cut on the sums, not the carry": ("bptt_truncated", dict(STORE="dhraw[t] = dhraw[t] * carry[t]",
                                                               PASS="dh * dphi[t]"), TRUNC_OUT +
        "the gradient crosses the chunk boundaries: no gradient may pass from step k, 2k, ... back into the step "
        "before; and the cut is applied to the parameter sums as well: at a chunk boundary dhraw_t is left out of "
        "the sums of W_xh, W_hh and b_h; only the gradient carried back to the step before is cut, and every step's "
        "dhraw_t counts in the sums "),
    "weight 1/(1-π)": ("bptt_randomized", dict(CARRY="carry = np.where(xi > 0, 1 / (1 - 1 / xi.max()), 0.0) "
                                                     "if xi.max() > 1 else (xi > 0) * 1.0"),
        RAND_OUT + "the surviving gradient is scaled by 1/(1-pi), the mean distance between cuts; it must be scaled "
        "by 1/pi: multiply by xi[t] itself " + where("bptt_randomized", 2)),
    "ξ as a 0/1 mask": ("bptt_randomized", dict(CARRY="carry = (xi > 0) * 1.0"), RAND_OUT +
        "xi is used as a 0/1 mask: the surviving gradient must be multiplied by xi[t] itself (= 1/pi), which keeps "
        "the estimate unbiased "),
    "π as the fraction kept": ("bptt_randomized", dict(CARRY="keep = (xi > 0) * 1.0; carry = keep / max(keep.mean(), "
                                                        "1e-300)"), RAND_OUT +
        "pi is taken as the fraction of the steps where xi > 0, and the 0/1 mask is divided by it; multiply by xi[t] "
        "itself (1/pi, as drawn) "),
    "ξ a step late": ("bptt_randomized", dict(CARRY="carry = np.r_[1.0, xi[:-1]]"), RAND_OUT +
        "xi is applied one step late: xi[t] scales the gradient passed from step t back to step t-1 "),
    "ξ read backwards": ("bptt_randomized", dict(CARRY="carry = xi[::-1]"), RAND_OUT +
        "xi is read backwards (xi[T-1-t] at step t): xi[t] scales the gradient passed from step t back to step t-1 "),
    "ξ on the stored dhraw": ("bptt_randomized", ON_THE_SUMS, RAND_OUT +
        "xi[t] multiplies the stored dhraw_t, so it also scales step t's terms in the sums of W_xh, W_hh and b_h; "
        "xi[t] scales only the gradient passed back from step t to step t-1 "),
    "two rules: forwards and a mask": ("bptt_randomized", dict(LOOP="range(T)", CARRY="carry = (xi > 0) * 1.0"),
        RAND_OUT + "the loop over time runs forwards (t = 0, 1, ..., T-1); BPTT visits the steps from the last, "
        "t = T-1, down to 0, carrying each step's gradient back to the step before it; and xi is used as a 0/1 "
        "mask: the surviving gradient must be multiplied by xi[t] itself (= 1/pi), which keeps the estimate "
        "unbiased "),
}


@pytest.mark.parametrize("name", sorted(LOOP_RULES))
def test_each_rewrite_rule_of_the_loop_is_named_by_its_own_sentence(name):
    unit, slip, message = LOOP_RULES[name]
    if not message.endswith(")."):          # every rule but 1/(1-π) shows in the first case
        message += where(unit)
    assert verdict(unit, body(unit, **slip)) == message


def test_xi_on_each_steps_own_output_gradient_is_named_by_its_rule():
    source = body("bptt_randomized").replace("dy = (P - np.eye(Q)[Y]) / (T * N)",
                                             "dy = (P - np.eye(Q)[Y]) / (T * N) * xi[:, None, None]")
    assert verdict("bptt_randomized", source) == (
        "bptt_randomized output: W_xh, W_hh, b_h, W_hq and b_q are wrong: xi[t] also multiplies step t's own output "
        "gradient dy_t (in W_hq and b_q too); xi[t] scales only the gradient passed back from step t to step t-1 "
        + where("bptt_randomized"))


@pytest.mark.parametrize("unit, slip", [
    ("bptt_truncated", dict(LOOP="range(T - 1, -1, -1)",
                            CARRY="carry = np.array([0.0 if t and t % k == 0 else 1.0 for t in range(T)])")),
    ("bptt_truncated", dict(STORE="dhraw[t] = dhraw[t] * 1.0", PASS="carry[t] * dh * dphi[t]")),
    ("bptt_randomized", dict(LOOP="np.arange(T)[::-1]", CARRY="carry = np.asarray(xi, dtype=float).copy()")),
])
def test_a_loop_rewritten_correctly_keeps_full_marks(unit, slip):
    assert verdict(unit, body(unit, **slip)) is None


def test_a_rule_that_gives_one_entry_is_not_named_for_the_whole_loop():
    # Only W_hh's boundary terms are left out: the cut on every sum also gives W_hh, but not W_xh and
    # b_h (which are right), so the rule named is the one on W_hh's sum alone.
    source = body("bptt_truncated").replace(
        '"W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw)',
        '"W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw * carry[:, None, None])')
    assert verdict("bptt_truncated", source) == (
        "bptt_truncated output: W_hh is wrong: the boundary step's term h_{t-1}.T @ dhraw_t is left out of the sum "
        "of W_hh: step k still uses W_hh on the frozen h_{k-1}, and that use counts in the gradient of W_hh; only "
        "the carried gradient is cut " + where("bptt_truncated"))



# ---- the rules of rnn2_backward's loop, and the classes of slips shared by every loop ------------
# Each entry: (unit, [(text of the correct template, its replacement)], template slots, the exact
# message without its case suffix, which case it is said on). A rule is named only when it gives
# every output (the right ones too) on every case and on the extra case; it follows the call
# trace's observation when the student's loop calls dh1_t or the one-layer rules.
SHARED_RULES = {
    'layer 2 carries dh2': ('rnn2_backward', [('next1, next2 = dhraw1[t], dhraw2[t]',
          'next1, next2 = dhraw1[t], dh2')], {},
        'rnn2_backward: at step t = 5, `dh1_t` received `dhraw2_t` = an array that matches no array of the reference'
        " computation; it should be layer 2's pre-activation gradient of step 5 (dhraw2[5]). rnn2_backward output:"
        ' W_xh1, W_hh1, b_h1, W_xh2, W_hh2 and b_h2 are wrong: layer 2 carries dh2_t (the gradient at h2_t, before'
        ' φ′) back to step t-1; it must carry its pre-activation gradient dhraw2_t ', 1),
    'layer 1 carries dh1': ('rnn2_backward', [('next1, next2 = dhraw1[t], dhraw2[t]',
          'next1, next2 = dh1, dhraw2[t]')], {},
        "rnn2_backward: at step t = 5, `dh1_t` received `dhraw1_next` = dh1 of step 6 (layer 1's gradient before φ′);"
        " it should be layer 1's pre-activation gradient of step 6 (dhraw1[6]). rnn2_backward output: W_xh1, W_hh1"
        ' and b_h1 are wrong: layer 1 carries dh1_t (the gradient at h1_t, before φ′) back to step t-1; it must carry'
        ' its pre-activation gradient dhraw1_t ', 1),
    'layer 2 not carried': ('rnn2_backward', [('next1, next2 = dhraw1[t], dhraw2[t]',
          'next1 = dhraw1[t]')], {},
        'rnn2_backward: at step t = 5, `dh1_t` received `dhraw2_t` = an array that matches no array of the reference'
        " computation; it should be layer 2's pre-activation gradient of step 5 (dhraw2[5]). rnn2_backward output:"
        ' W_xh1, W_hh1, b_h1, W_xh2, W_hh2 and b_h2 are wrong: layer 2 is missing the gradient from its future step,'
        ' dhraw2_{t+1} @ W_hh2.T ', 1),
    # Layer 2 is computed first here, yet dh1_t gets the carried next2: the message says what layer 1 receives.
    'layers in the wrong order': ('rnn2_backward', [], {'UP2': 'next2'},
        "rnn2_backward: at step t = 6, `dh1_t` received `dhraw2_t` = zeros; it should be layer 2's pre-activation"
        " gradient of step 6 (dhraw2[6]). rnn2_backward output: W_xh1, W_hh1 and b_h1 are wrong: layer 1 receives"
        " layer 2's dhraw2 of step t+1 (the gradient carried back from the step after) instead of dhraw2_t of the"
        " same step, as when layer 1 is computed before layer 2 inside a step; layer 2 comes first, and layer 1"
        " takes its dhraw2_t ", 1),
    'layer 1 gets dh2': ('rnn2_backward', [], {'UP2': 'dh2'},
        "rnn2_backward: at step t = 6, `dh1_t` received `dhraw2_t` = dh2 of step 6 (layer 2's gradient before φ′); it"
        " should be layer 2's pre-activation gradient of step 6 (dhraw2[6]). rnn2_backward output: W_xh1, W_hh1 and"
        " b_h1 are wrong: layer 1 receives dh2_t (layer 2's gradient at h2_t, before φ′) from above; it must receive"
        " layer 2's pre-activation gradient dhraw2_t, through W_xh2.T ", 1),
    'rnn2 loop run forwards': ('rnn2_backward', [('for t in reversed(range(T)):',
          'for t in range(T):')], {},
        'rnn2_backward: at step t = 6, `dh1_t` received `dhraw2_t` = an array that matches no array of the reference'
        " computation; it should be layer 2's pre-activation gradient of step 6 (dhraw2[6]). rnn2_backward output:"
        ' W_xh1, W_hh1, b_h1, W_xh2, W_hh2 and b_h2 are wrong: the loop over time runs forwards (t = 0, 1, ..., T-1);'
        " BPTT visits the steps from the last, t = T-1, down to 0, carrying each layer's gradient back to the step"
        ' before it ', 1),
    'rnn2 loop one step short at the end': ('rnn2_backward', [('for t in reversed(range(T)):',
          'for t in reversed(range(T - 1)):')], {},
        'rnn2_backward: at step t = 6, `dh1_t` received `dhraw2_t` = an array that matches no array of the reference'
        " computation; it should be layer 2's pre-activation gradient of step 6 (dhraw2[6]). rnn2_backward output:"
        ' W_xh1, W_hh1, b_h1, W_xh2, W_hh2 and b_h2 are wrong: the loop over time starts one step short: the last'
        ' step t = T-1 is never visited, so its dhraw1_t and dhraw2_t are missing from the sums and from the'
        ' gradients carried back ', 1),
    'rnn2 loop one step short at the start': ('rnn2_backward', [('for t in reversed(range(T)):',
          'for t in reversed(range(1, T)):')], {},
        'rnn2_backward: `dh1_t` is never called for step t = 0: the loop must visit every step from t = 6 down to 0.'
        ' rnn2_backward output: W_xh1, W_hh1, b_h1, W_xh2, W_hh2 and b_h2 are wrong: the loop over time stops one'
        ' step short: step t = 0 is never visited, so dhraw1_0 and dhraw2_0 are missing from the parameter sums; the'
        ' loop must run down to t = 0 ', 1),
    'rnn2 loop one step long': ('rnn2_backward', [('for t in reversed(range(T)):',
          'for t in range(T - 1, -2, -1):')], {},
        'rnn2_backward: every call to the local rules received the right arguments, so the mistake is in what the'
        ' function computes itself. rnn2_backward output: W_xh1, W_hh1, b_h1, W_xh2, W_hh2 and b_h2 are wrong: the'
        " loop over time runs one step too far, down to t = -1, which NumPy reads as the last step: the last step's"
        ' dhraw1_t and dhraw2_t are computed again and overwritten; the loop ends at t = 0 ', 1),
    'W_hh2 untransposed': ('rnn2_backward', [('next2 @ params["W_hh2"].T',
          'next2 @ params["W_hh2"]')], {},
        'rnn2_backward: at step t = 5, `dh1_t` received `dhraw2_t` = an array that matches no array of the reference'
        " computation; it should be layer 2's pre-activation gradient of step 5 (dhraw2[5]). rnn2_backward output:"
        " W_xh1, W_hh1, b_h1, W_xh2, W_hh2 and b_h2 are wrong: layer 2's future gradient goes through W_hh2 instead"
        ' of W_hh2.T ', 1),
    'layer 1 ReLU mask always': ('rnn2_backward', [('dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])',
          'dhraw1[t] = dh1 * (cache["h1_netIn"][t] > 0)')], {},
        'rnn2_backward: at step t = 3, `dh1_t` received `dhraw1_next` = an array that matches no array of the'
        " reference computation; it should be layer 1's pre-activation gradient of step 4 (dhraw1[4]). rnn2_backward"
        " output: W_xh1, W_hh1 and b_h1 are wrong: layer 1's φ′ is the ReLU mask (h1_netIn > 0) whatever the"
        ' activation; for tanh it is 1 - h1**2 ', 2),
    'layer 1 skips φ′': ('rnn2_backward', [('dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])',
          'dhraw1[t] = dh1')], {},
        "rnn2_backward: at step t = 5, `dh1_t` received `dhraw1_next` = dh1 of step 6 (layer 1's gradient before φ′);"
        " it should be layer 1's pre-activation gradient of step 6 (dhraw1[6]). rnn2_backward output: W_xh1, W_hh1"
        " and b_h1 are wrong: layer 1 skips φ′: dhraw1_t is set to dh1_t; it must be multiplied by φ′ of layer 1's"
        ' pre-activation ', 1),
    "both layers' tanh of the pre-activation": ('rnn2_backward', [('1.0 - out ** 2',
          '1.0 - netIn ** 2')], {},
        'rnn2_backward: at step t = 4, `dh1_t` received `dhraw2_t` = an array that matches no array of the reference'
        " computation; it should be layer 2's pre-activation gradient of step 4 (dhraw2[4]). rnn2_backward output:"
        " W_xh1, W_hh1, b_h1, W_xh2, W_hh2 and b_h2 are wrong: layer 1's tanh derivative is taken of the"
        " pre-activation, 1 - h1_netIn**2; it is 1 - h1**2, of the cached output h1; and layer 2's tanh derivative is"
        ' taken of the pre-activation, 1 - h2_netIn**2; it is 1 - h2**2, of the cached output h2 ', 2),
    'W_xh2 from h1_prev': ('rnn2_backward', [], {'XH2': 'h1_prev'},
        'rnn2_backward: every call to the local rules received the right arguments, so the mistake is in what the'
        " function computes itself. rnn2_backward output: W_xh2 is wrong: W_xh2's sum pairs dhraw2_t with h1_{t-1}"
        " (layer 1's previous state) instead of h1_t: layer 2's input at step t is h1_t ", 1),
    'W_hq from h2_prev': ('rnn2_backward', [('"W_hq": s(h2, dy)',
          '"W_hq": s(h2_prev, dy)')], {},
        'rnn2_backward: every call to the local rules received the right arguments, so the mistake is in what the'
        " function computes itself. rnn2_backward output: W_hq is wrong: W_hq's sum pairs dy_t with layer 2's"
        ' previous state h2_{t-1}; the output at step t reads h2_t, so pair dy_t with h2_t ', 1),
    'W_hh1 from h1': ('rnn2_backward', [('h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)',
          'h1_prev = h1')], {},
        'rnn2_backward: every call to the local rules received the right arguments, so the mistake is in what the'
        " function computes itself. rnn2_backward output: W_hh1 is wrong: W_hh1's sum pairs dhraw1_t with h1_t; the"
        " recurrent weight W_hh1 multiplies the previous state, so pair dhraw1_t with h1_{t-1} (cache['h1_0'] at t ="
        ' 0) ', 1),
    'h1_prev from h1[1:]': ('rnn2_backward', [('h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)',
          'h1_prev = np.concatenate([cache["h1_0"][None], h1[1:]], axis=0)')], {},
        'rnn2_backward: every call to the local rules received the right arguments, so the mistake is in what the'
        " function computes itself. rnn2_backward output: W_hh1 is wrong: for t >= 1 W_hh1's sum pairs dhraw1_t with"
        " h1_t instead of h1_{t-1} (t = 0 is right): layer 1's previous states are cache['h1_0'], h1[0], ..., h1[T-2] ",
        1),
    'h1_prev from h1_netIn': ('rnn2_backward', [('h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)',
          'h1_prev = np.concatenate([cache["h1_0"][None], cache["h1_netIn"][:-1]], axis=0)')], {},
        'rnn2_backward: every call to the local rules received the right arguments, so the mistake is in what the'
        " function computes itself. rnn2_backward output: W_hh1 is wrong: W_hh1's sum pairs dhraw1_t with the"
        ' previous pre-activation h1_netIn_{t-1}; the recurrent weight multiplies the previous state h1_{t-1} (after'
        ' the activation) ', 1),
    'h2_prev from np.roll': ('rnn2_backward', [('h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)',
          'h2_prev = np.roll(h2, 1, axis=0)')], {},
        'rnn2_backward: every call to the local rules received the right arguments, so the mistake is in what the'
        " function computes itself. rnn2_backward output: W_hh2 is wrong: layer 2's previous states wrap around (as"
        " np.roll does): at t = 0 W_hh2's sum pairs dhraw2_0 with the last state h2_{T-1}; the state before step 0 is"
        " cache['h2_0'] ", 1),
    'rnn2 two rules': ('rnn2_backward', [('for t in reversed(range(T)):',
          'for t in range(T):'), ('h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)',
          'h2_prev = np.roll(h2, 1, axis=0)')], {},
        'rnn2_backward: at step t = 6, `dh1_t` received `dhraw2_t` = an array that matches no array of the reference'
        " computation; it should be layer 2's pre-activation gradient of step 6 (dhraw2[6]). rnn2_backward output:"
        ' W_xh1, W_hh1, b_h1, W_xh2, W_hh2 and b_h2 are wrong: the loop over time runs forwards (t = 0, 1, ..., T-1);'
        " BPTT visits the steps from the last, t = T-1, down to 0, carrying each layer's gradient back to the step"
        " before it; and layer 2's previous states wrap around (as np.roll does): at t = 0 W_hh2's sum pairs dhraw2_0"
        " with the last state h2_{T-1}; the state before step 0 is cache['h2_0'] ", 1),
    'carries dh': ('bptt_truncated', [], {'PASS': 'carry[t] * dh'},
        'bptt_truncated output: W_xh, W_hh and b_h are wrong: the loop carries dh_t (the gradient at h_t, before φ′)'
        ' back to step t-1; it must carry the pre-activation gradient dhraw_t ', 1),
    'ReLU mask always': ('bptt_randomized', [], {'ACT': '"relu"'},
        'bptt_randomized output: W_xh, W_hh and b_h are wrong: φ′ is the ReLU mask (h_netIn > 0) whatever the'
        ' activation; for tanh it is 1 - h**2 ', 2),
    'φ′ skipped': ('bptt_truncated', [], {'STORE': 'dhraw[t] = dh'},
        'bptt_truncated output: W_xh, W_hh and b_h are wrong: φ′ is skipped: dhraw_t is set to dh_t; it must be'
        ' multiplied by φ′ of the pre-activation ', 1),
    'tanh of the pre-activation': ('bptt_truncated', [('1.0 - h ** 2',
          '1.0 - h_netIn ** 2')], {},
        "bptt_truncated output: W_xh, W_hh and b_h are wrong: tanh's derivative is taken of the pre-activation, 1 -"
        ' h_netIn**2; it is 1 - h**2, of the cached output h ', 2),
    'tanh of the previous state': ('bptt_truncated', [('1.0 - h ** 2',
          '1.0 - np.concatenate([cache["h0"][None], h[:-1]]) ** 2')], {},
        "bptt_truncated output: W_xh, W_hh and b_h are wrong: tanh's derivative at step t is taken of the previous"
        " state, 1 - h_{t-1}**2; it is 1 - h_t**2, of the same step's state ", 2),
    'h_prev from h[1:]': ('bptt_truncated', [('h_prev = np.concatenate([cache["h0"][None], h[:-1]])',
          'h_prev = np.concatenate([cache["h0"][None], h[1:]])')], {},
        "bptt_truncated output: W_hh is wrong: for t >= 1 W_hh's sum pairs dhraw_t with h_t instead of h_{t-1} (t = 0"
        " is right): the previous states are cache['h0'], h[0], ..., h[T-2] ", 1),
    'h_prev from h_netIn': ('bptt_truncated', [('h_prev = np.concatenate([cache["h0"][None], h[:-1]])',
          'h_prev = np.concatenate([cache["h0"][None], h_netIn[:-1]])')], {},
        "bptt_truncated output: W_hh is wrong: W_hh's sum pairs dhraw_t with the previous pre-activation"
        ' h_netIn_{t-1}; the recurrent weight multiplies the previous state h_{t-1} (after the activation) ', 1),
    'h_prev from np.roll': ('bptt_truncated', [('h_prev = np.concatenate([cache["h0"][None], h[:-1]])',
          'h_prev = np.roll(h, 1, axis=0)')], {},
        "bptt_truncated output: W_hh is wrong: the previous states wrap around (as np.roll does): at t = 0 W_hh's sum"
        " pairs dhraw_0 with the last state h_{T-1}; the state before step 0 is cache['h0'] ", 1),
    'h_prev the next state': ('bptt_truncated', [('h_prev = np.concatenate([cache["h0"][None], h[:-1]])',
          'h_prev = np.concatenate([h[1:], cache["h0"][None]])')], {},
        "bptt_truncated output: W_hh is wrong: the previous states are shifted the wrong way: W_hh's sum pairs"
        " dhraw_t with the next state h_{t+1} (and the last step with cache['h0']); pair dhraw_t with h_{t-1}"
        " (cache['h0'] at t = 0) ", 1),
    'W_hq from h_prev': ('bptt_truncated', [('"W_hq": np.einsum("tni,tnj->ij", h, dy)',
          '"W_hq": np.einsum("tni,tnj->ij", h_prev, dy)')], {},
        "bptt_truncated output: W_hq is wrong: W_hq's sum pairs dy_t with the previous state h_{t-1}; the output at"
        ' step t reads h_t, so pair dy_t with h_t ', 1),
    'dy at the last step only': ('bptt_truncated', [('dy = (P - np.eye(Q)[Y]) / (T * N)',
          'dy = (P - np.eye(Q)[Y]) / (T * N); dy[:-1] = 0')], {},
        "bptt_truncated output: W_xh, W_hh, b_h, W_hq and b_q are wrong: only the last step's output gradient"
        ' dy_{T-1} is used; every step t has its own loss, so every dy_t enters dh_t (and W_hq and b_q) ', 1),
    'whole dh zeroed before a boundary': ('bptt_truncated', [], {'STORE': 'dhraw[t] = dhraw[t] * (carry[t + 1] if t + 1 < T else 1.0)'},
        'bptt_truncated output: W_xh, W_hh and b_h are wrong: at the step before each chunk boundary (t = k-1, 2k-1,'
        ' ...) the whole dh_t is zeroed, its own output term dy_t @ W_hq.T included; only the gradient arriving from'
        ' step t+1 is cut ', 1),
    'one multiplier, the mean of ξ': ('bptt_randomized', [], {'CARRY': 'carry = np.full(T, np.mean(xi))'},
        'bptt_randomized output: W_xh, W_hh and b_h are wrong: one multiplier, the mean of xi, scales the carried'
        ' gradient at every step: xi[t] scales the gradient passed from step t back to step t-1 ', 1),
    'rnn_backward one step short, dy in the loop': ('rnn_backward', [], {'LOOP': 'reversed(range(T - 1))'},
        'rnn_backward: at step t = 5, `dh_t` received `dhraw_next` = zeros; it should be the pre-activation gradient'
        ' of step 6 (dhraw[6]). rnn_backward output: W_xh, W_hh, b_h, W_hq and b_q are wrong: the loop over time'
        ' starts one step short: the last step t = T-1 is never visited, so its dy_t and dhraw_t are missing from the'
        ' sums and from the gradient carried back ', 1),
}


def _slipped(unit, pairs, slots):
    source = body(unit, **slots)
    for right, wrong in pairs:
        assert right in source, right
        source = source.replace(right, wrong)
    return source


@pytest.mark.parametrize("name", sorted(SHARED_RULES))
def test_each_rule_of_the_two_layer_loop_and_each_shared_loop_rule_is_named_by_its_own_sentence(name):
    unit, pairs, slots, message, k = SHARED_RULES[name]
    assert verdict(unit, _slipped(unit, pairs, slots)) == message + where(unit, k)


@pytest.mark.parametrize("pairs", [
    [("for t in reversed(range(T)):", "for t in range(T - 1, -1, -1):")],
    [("next1, next2 = dhraw1[t], dhraw2[t]", "next1 = dhraw1[t].copy()\n        next2 = dhraw2[t] * 1.0")],
    [('h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)',
      'h1_prev = np.stack([cache["h1_0"]] + [h1[t - 1] for t in range(1, T)])'),
     ('"W_hq": s(h2, dy)', '"W_hq": sum(h2[t].T @ dy[t] for t in range(T))')],
])
def test_a_two_layer_loop_rewritten_correctly_keeps_full_marks(pairs):
    assert verdict("rnn2_backward", _slipped("rnn2_backward", pairs, {})) is None

# ---- probe readings are verified on the extra case ---------------------------------------------

def test_a_probe_reading_is_said_only_if_the_extra_case_gives_it_too():
    from autograder.checks import probes
    from autograder.checks.repair import extra_case
    unit = UNITS["bptt_truncated"]
    case = unit.cases()[0]
    # A loop that is wrong only at T = 7 (the first case's T): the reading of its first wrong step
    # cannot recur on the extra case (T = 13), where the answer is right.
    namespace: dict = {}
    exec("import numpy as np\n" + body("bptt_truncated", CARRY="carry = np.ones(T); carry[k::k] = 0; "
                                       "carry[1] = 0 if T == 7 else carry[1]"), namespace)
    func = namespace["bptt_truncated"]

    def run(args):
        return to_data(func(*copy.deepcopy(args)))
    assert extra_case(unit, case) is not None
    found = probes._readings(unit, case, run, traced=False)
    assert any(r and "same chunk" in r for _, r in found)           # read on the first case ...
    said = probes.diagnose(unit, case, run)
    assert said is not None and "same chunk" not in said            # ... but not said
    assert said.startswith("the pre-activation gradient dhraw_t is wrong at t = 0 (the first step) only; it is "
                           "right for every step after t = 0, so the mistake enters at step t = 0"), said


def test_an_axis_is_named_time_or_batch_only_when_no_other_size_shares_its_length():
    from autograder.checks.compare import leaf_predicate
    import numpy as np
    expected = np.ones(5)
    # The first edge case has T = N = 1: an extra axis of length 1 is neither "time" nor "the batch".
    edge = dict(T=1, N=1, D=3, H=5, Q=5, activation="tanh")
    text = leaf_predicate(np.ones((1, 5)), expected, edge)
    assert "time" not in text and "batch" not in text, text
    plain = dict(T=7, N=3, D=5, H=4, Q=6, activation="relu")
    assert "over time (T)" in leaf_predicate(np.ones((7, 4)), np.ones(4), plain)


# ---- a property probe states what it observed, and points only at parts the unit has ---------

# Each step's output gradient divided by its chunk's length times N, not T*N: right at T = 1 and at
# k >= T, yet the carried gradient, the sums over time and the cut are all right.
TRUNC_MEAN_PER_CHUNK = body("bptt_truncated").replace(
    "dy = (P - np.eye(Q)[Y]) / (T * N)",
    "dy = (P - np.eye(Q)[Y]) / (np.minimum((np.arange(T) // k) * k + k, T) - (np.arange(T) // k) * k)[:, None, None] "
    "/ N")


def test_a_property_that_holds_is_said_with_where_to_look_never_as_a_cause():
    message = verdict("bptt_truncated", TRUNC_MEAN_PER_CHUNK)
    assert message == (
        "bptt_truncated output: W_xh, W_hh, b_h, W_hq and b_q each has the wrong values. Probes: the pre-activation "
        "gradient dhraw_t is wrong at every step; the first wrong step from the end is t = 6: step t's own term "
        "dy_t @ W_hq.T is scaled by a wrong constant; correct for a single step (T = 1), wrong for longer sequences: "
        "look at the gradient carried back from step to step, the sums over time, the division by T or anything else "
        "that uses T; correct when "
        "k ≥ T (no cut), wrong for k = 3: look at what depends on k (the chunks, and where the gradient is cut) "
        + where("bptt_truncated"))
    assert "is wrong" not in message.split("Probes:")[1].replace("dhraw_t is wrong at", "")


def test_the_mean_over_the_whole_sequence_written_per_step_keeps_full_marks():
    source = body("bptt_truncated").replace("dy = (P - np.eye(Q)[Y]) / (T * N)",
                                            "dy = np.stack([(P[t] - np.eye(Q)[Y[t]]) / (T * N) for t in range(T)])")
    assert verdict("bptt_truncated", source) is None


# j runs over 1..T-1 for every t: for j > t the index t - j + 1 wraps to the end of carry.
PATH_WEIGHTS_WRAPS = '''
def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.zeros((T, T))
    w[:, 0] = 1.0
    for t in range(T):
        for j in range(1, T):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
'''


def test_path_weights_is_never_pointed_at_a_sum_over_time_it_does_not_have():
    assert verdict("path_weights", PATH_WEIGHTS_WRAPS) == (
        "path_weights output has the wrong values. Probes: correct for a single step (T = 1), wrong for longer "
        "sequences: look at which multipliers each entry w[t, j] takes (those of steps t-j+1..t, none for j > t) or "
        "anything else that uses T " + where("path_weights"))
    assert verdict("path_weights", PATH_WEIGHTS_WRAPS.replace("range(1, T)", "range(1, t + 1)")) is None


def test_a_pointer_names_only_the_parts_its_unit_declares():
    from autograder.checks.probes import N_PARTS, PART_WORDS, PARTS, T_PARTS, pointer
    # A unit left out of PARTS gets no pointer (nothing is named that it may not have): a new unit
    # needs no entry there, and may add one when its pointers are worth giving.
    assert set(PARTS) <= set(UNITS), sorted(set(PARTS) - set(UNITS))
    for name in UNITS:
        said = pointer(name, T_PARTS + N_PARTS)
        for part, words in PART_WORDS.items():
            assert (words in said) == (part in PARTS.get(name, frozenset())), (name, part)


@pytest.mark.parametrize("name", sorted(UNITS))
def test_a_declared_sum_over_time_is_one_in_the_reference(name):
    """A rule whose arguments are all (T, ...) arrays sums over time exactly when PARTS says so (an MLP's
    first axis is the batch: it has no time)."""
    import numpy as np
    from autograder import reference as R
    from autograder.checks.probes import PARTS
    case = UNITS[name].cases()[0]
    args = case.args
    if "T" not in UNITS[name].dims_used or not hasattr(R, name) or not args or not all(isinstance(a, np.ndarray) and a.ndim >= 2 for a in args):
        pytest.skip("not a rule on (T, ...) arrays only")
    rule = getattr(R, name)
    T = args[0].shape[0]
    if any(a.shape[0] != T for a in args):
        pytest.skip("not every argument has the time axis first")
    whole = np.asarray(rule(*args))
    per_step = [np.asarray(rule(*(a[t:t + 1] for a in args))) for t in range(T)]
    sums = per_step[0].shape == whole.shape and np.allclose(sum(per_step), whole)
    assert sums == ("time sum" in PARTS[name]), name


# grads = params: the entries of the caller's dict are replaced; no array is written to.
MLP_GRADS_ALIAS = '''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    grads = params
    grads["z_wts"] = dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg)
    grads["z_b"] = dz_b(g_z_in)
    grads["y_wts"] = dy_wts(g_y_in, cache["X"], params["y_wts"], reg)
    grads["y_b"] = dy_b(g_y_in)
    return grads
'''


def test_a_dict_entry_replaced_is_told_apart_from_an_array_changed_in_place():
    first = next(iter(UNITS["mlp_backward"].cases()[0].args[1]))
    assert verdict("mlp_backward", MLP_GRADS_ALIAS) == (
        f"mlp_backward replaced the entry params[{first!r}] of the dict params it received; a graded function must "
        "leave its inputs unchanged (build the answer in a new dict, e.g. grads = {}; grads = params gives the same "
        "dict another name, it copies nothing)")
    in_place = MLP_GRADS_ALIAS.replace("grads = params", "grads = {}").replace(
        "    return grads", '    params["y_wts"][...] = 0.0       # the caller\'s array itself\n    return grads')
    assert verdict("mlp_backward", in_place).startswith("mlp_backward modified its input params['y_wts'] in place; ")
    assert verdict("mlp_backward", MLP_GRADS_ALIAS.replace("grads = params", "grads = {}")) is None
    assert verdict("mlp_backward", MLP_GRADS_ALIAS.replace("grads = params", "grads = dict(params)")) is None


@pytest.mark.parametrize("change, message", [
    (lambda d: d["a"].__setitem__(0, 5.0), "u modified its input grads['a'] in place; "),
    (lambda d: d.__setitem__("a", d["a"] + 1), "u replaced the entry grads['a'] of the dict grads it received; "),
    (lambda d: d.__setitem__("c", 1.0), "u added or removed entries of the dict grads it received; "),
    (lambda d: d["l"].__setitem__(0, 2.0), "u replaced the entry grads['l'][0] of the list grads['l'] it received; "),
    (lambda d: d.__setitem__("a", d["a"].copy()), None),        # another array, same values: nothing changed
])
def test_how_an_input_was_changed_is_read_off_the_objects_the_caller_holds(change, message):
    import numpy as np
    from autograder.sandbox.runner import call_graded, problem_message

    def func(grads):
        change(grads)
        return 0.0
    _, problem = call_graded(func, ({"a": np.ones(3), "b": np.zeros(2), "l": [1.0]},), None, ("grads",))
    said = problem_message("u", problem) if problem else None
    assert (said is None) if message is None else (said is not None and said.startswith(message)), said


# ---- a probability the loss does not read may be exactly 0 (softmax underflow) -----------------

DZ_NETACT_ONEHOT_EVERYWHERE = '''
def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    return -np.eye(C)[y] / (N * z_netAct)
'''


def test_dividing_every_entry_by_the_probability_fails_where_an_unread_probability_is_zero():
    # Right wherever every probability is positive; 0/0 where one the loss never reads underflowed.
    assert verdict("dz_netAct", DZ_NETACT_ONEHOT_EVERYWHERE) == (
        "dz_netAct emitted a warning (RuntimeWarning: invalid value encountered in divide); a graded function must "
        "run without warnings (no division by zero, no log(0), no overflow)")


@pytest.mark.parametrize("source", [
    "def dz_netAct(z_netAct, y):\n    N = len(y)\n    g = np.zeros(z_netAct.shape)\n"
    "    g[np.arange(N), y] = -1.0 / (N * z_netAct[np.arange(N), y])\n    return g\n",
    "def dz_netAct(z_netAct, y):\n    N, C = z_netAct.shape\n    hot = np.eye(C)[y] > 0\n"
    "    return np.where(hot, -1.0 / (N * np.where(hot, z_netAct, 1.0)), 0.0)\n",
])
def test_dividing_only_at_the_true_class_keeps_full_marks(source):
    assert verdict("dz_netAct", source) is None


def test_the_lecture_notes_slip_is_still_named_on_the_first_case():
    assert verdict("dz_netAct", "def dz_netAct(z_netAct, y):\n    return -1 / (len(z_netAct) * z_netAct)\n") == (
        "dz_netAct output: has the lecture notes' slip: -1/(N*z_netAct) is the gradient only at the true class; it "
        "is 0 elsewhere " + where("dz_netAct"))


# ---- classes of wrong sentences found by reading a blind set's messages ---------------------------

def _blind_source(entry_id):
    """An entry of a held-out set by id (bench/heldout): its student function."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "heldout"))
    import build
    return next(e.source for e in build.load_entries() if e.id == entry_id)


def test_a_slip_at_every_chunk_start_step_0_included_is_one_cause_not_two():
    # `if t % k != 0` skips W_hh's term at t = 0 as well as at the boundaries: once named as the
    # initial state left out plus the boundary term, although cache['h0'] was used.
    got = verdict("bptt_truncated", _blind_source("bptt_truncated-no-W_hh-at-boundary-c"))
    assert got == (
        "bptt_truncated output: W_hh is wrong: at the first step of every chunk, t = 0, k, 2k, ..., the term "
        "h_{t-1}.T @ dhraw_t is left out of the sum of W_hh (at t = 0 the term of cache['h0']); every step's term "
        "counts in W_hh's sum, and only the carried gradient is cut " + where("bptt_truncated"))
    # `carried[:] = 0` through a view of the stored dhraw_t: once named as a loop that stops short.
    got = verdict("bptt_truncated", _blind_source("bptt_truncated-aliased-reset-c"))
    assert got.startswith("bptt_truncated output: W_xh, W_hh and b_h are wrong: at the first step of every chunk, "
                          "t = 0, k, 2k, ..., dhraw_t is missing from the sums of W_xh, W_hh and b_h")
    assert "initial state" not in got and "never visited" not in got


def test_a_factor_that_is_some_xi_only_in_one_draw_is_not_named():
    # 1 / max(ξ) taken as π: the factor equals the largest ξ of the draw, at whatever index it sits.
    got = verdict("bptt_randomized", _blind_source("bptt_randomized-recovers-pi-c"))
    assert "is multiplied by ξ[" not in got
    assert got.startswith("bptt_randomized output: W_xh, W_hh and b_h each has the wrong values.")


def test_a_batch_property_points_at_whatever_uses_n_not_only_the_sums():
    # reg * y_wts / sqrt(N): right for one example, while the one sum over the batch is right (reg * y_wts / N is
    # named by its verified rewrite, tests/test_verified_shapes_and_kinks.py).
    got = verdict("dy_wts", "def dy_wts(dy_netIn, X, y_wts, reg):\n    return X.T @ dy_netIn + reg * y_wts / np.sqrt(X.shape[0])\n")
    assert "look at the sums over the batch or anything else that uses N" in got
    assert "look at the terms reg multiplies" in got


def test_a_property_is_said_only_if_every_variant_of_the_inputs_shows_it():
    # w[t, 0] = carry[t]: at T = 1 a regular cut's carry is [1], which hides it; an arbitrary carry does not.
    got = verdict("path_weights", _blind_source("path_weights-lag0-includes-c_t-c"))
    assert "correct for a single step" not in got


def test_a_cause_is_named_only_if_every_output_it_changes_is_wrong_in_the_answer():
    # sigma_max right, bound = gamma * rho: the spectral radius for sigma_max would change sigma_max too.
    got = verdict("predicted_gradient_rate", _blind_source("predicted_gradient_rate-bound-with-rho-d"))
    assert got.startswith("predicted_gradient_rate output: bound is wrong: bound uses the spectral radius where "
                          "sigma_max belongs (gamma * rho)")
    assert "sigma_max is the spectral radius" not in got
    # mean masked, var not: "mean and var fill lags j > t" would be half false.
    got = verdict("path_weight_moments", _blind_source("path_weight_moments-no-mask-d"))
    assert got.startswith("path_weight_moments output: var is wrong: var fills lags j > t")
    assert "mean fills" not in got and "mean and var" not in got


def test_a_negated_answer_is_said_as_the_negative_not_as_a_direction():
    got = verdict("dz_netAct", _blind_source("dz_netAct-sign-d"))
    assert got.startswith("dz_netAct output has the wrong sign: every entry is the negative of the right one")
    assert "uphill" not in got


def test_a_stale_carry_at_a_cut_is_told_that_nothing_may_arrive_there():
    # The carry is not reset at a chunk start, so step 2 gets step 4's gradient: what it should get is none.
    got = verdict("bptt_truncated", _blind_source("bptt_truncated-stale-nxt-f"))
    assert "step 2 receives the pre-activation gradient of step 4; nothing may arrive there (step 3 starts a chunk)" in got
    assert "it should be that of step 3" not in got
