"""Long histories (autograder/reference/truncation.py): truncation, randomized truncation, clipping.

Regular truncation is checked against a second, independent implementation: the
sequence is cut into chunks [0, k), [k, 2k), ...; each chunk's share of the loss
is recomputed from the hidden state carried into it, held constant, and
differentiated by central finite differences; the chunks' gradients are summed.
Randomized truncation is checked exactly (expectation over all 2^T draws) and
statistically (mean of 2000 seeded draws within 5 standard errors of the full
gradient, while xi used as a 0/1 mask is not).
"""
import itertools

import numpy as np
import pytest

from autograder import reference as R
from tests import fd

KEYS = ("W_xh", "W_hh", "b_h", "W_hq", "b_q", "h0")
RECURRENT, OUTPUT = ("W_xh", "W_hh", "b_h", "h0"), ("W_hq", "b_q")


def problem(T=7, N=3, D=5, H=4, Q=6, activation="tanh", seed=41):
    X, Y, params, h0, _ = fd.rnn_problem(T, N, D, H, Q, activation, seed)
    _, cache = R.rnn_forward(X, params, h0, activation)
    return X, Y, params, h0, cache


# ---- regular truncation ----------------------------------------------------------------

def test_regular_carry_cuts_at_every_positive_multiple_of_k():
    assert R.regular_carry(7, 3).tolist() == [1, 1, 1, 0, 1, 1, 0]
    assert R.regular_carry(7, 1).tolist() == [1, 0, 0, 0, 0, 0, 0]
    assert R.regular_carry(7, 7).tolist() == [1] * 7
    assert R.regular_carry(7, 9).tolist() == [1] * 7


@pytest.mark.parametrize("activation", fd.ACTIVATIONS)
@pytest.mark.parametrize("k", [7, 8, 100])
def test_window_at_least_T_is_exactly_full_bptt(k, activation):
    _, Y, params, _, cache = problem(activation=activation)
    full = R.bptt_full(Y, params, cache, activation)
    trunc = R.bptt_truncated(Y, params, cache, k, activation)
    assert set(trunc) == set(KEYS)
    for key in KEYS:
        assert np.array_equal(trunc[key], full[key]), key


@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_window_below_T_changes_exactly_the_recurrent_gradients(k):
    # The output layer's gradients never travel through W_hh, so they are identical;
    # W_xh, W_hh and b_h lose the terms that crossed t = k, 2k, ... and must differ.
    _, Y, params, _, cache = problem()
    full = R.bptt_full(Y, params, cache, "tanh")
    trunc = R.bptt_truncated(Y, params, cache, k, "tanh")
    for key in OUTPUT:
        assert np.array_equal(trunc[key], full[key]), key
    for key in ("W_xh", "W_hh", "b_h"):
        assert fd.rel_error(trunc[key], full[key]) > 1e-3, key
    # The first chunk still reaches h0, but only with the losses of steps 0..k-1.
    assert np.linalg.norm(trunc["h0"]) > 0


def chunked_gradient(X, Y, params, h0, cache, k, activation):
    """Independent truncated gradient: sum over chunks of FD(chunk loss), incoming state held constant."""
    T = X.shape[0]
    p = {key: v.copy() for key, v in params.items()}
    total = {key: np.zeros_like(v) for key, v in p.items()}
    for a in range(0, T, k):
        b = min(a + k, T)
        state = h0 if a == 0 else cache["h"][a - 1]    # a constant: no gradient flows into it

        def chunk_loss(state=state, a=a, b=b):
            # The chunk's steps carry (b - a) / T of the mean over all T*N predictions.
            return fd.rnn_loss(X[a:b], Y[a:b], p, state, activation) * (b - a) / T

        for key in p:
            total[key] += fd.num_grad(chunk_loss, p[key])
    h0_free = h0.copy()
    b = min(k, T)
    total["h0"] = fd.num_grad(lambda: fd.rnn_loss(X[:b], Y[:b], params, h0_free, activation) * b / T, h0_free)
    return total


@pytest.mark.parametrize("activation", fd.ACTIVATIONS)
@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_truncated_gradient_is_the_sum_of_independent_chunk_gradients(k, activation):
    X, Y, params, h0, cache = problem(activation=activation)
    if activation == "relu":
        assert np.min(np.abs(cache["h_netIn"])) >= fd.KINK
    trunc = R.bptt_truncated(Y, params, cache, k, activation)
    independent = chunked_gradient(X, Y, params, h0, cache, k, activation)
    for key in KEYS:
        assert fd.rel_error(trunc[key], independent[key]) < fd.RTOL, key


def test_regular_truncation_with_T_not_a_multiple_of_k_keeps_the_short_last_chunk():
    # T = 7, k = 3: chunks [0,3), [3,6), [6,7). Cutting one step early (at 2, 5) or counting
    # chunks from the end (cuts at 1, 4) are different gradients.
    _, Y, params, _, cache = problem()
    trunc = R.bptt_truncated(Y, params, cache, 3, "tanh")
    for wrong_cuts in ([2, 5], [1, 4]):
        carry = np.ones(7)
        carry[wrong_cuts] = 0
        other = R.rnn_backward(Y, params, cache, "tanh", carry=carry)
        assert fd.rel_error(trunc["W_hh"], other["W_hh"]) > 1e-3


# ---- randomized truncation --------------------------------------------------------------

def test_xi_all_ones_is_exactly_full_bptt():
    _, Y, params, _, cache = problem()
    full = R.bptt_full(Y, params, cache, "tanh")
    rand = R.bptt_randomized(Y, params, cache, np.ones(7), "tanh")
    for key in KEYS:
        assert np.array_equal(rand[key], full[key]), key


def test_xi_all_zeros_is_truncation_with_k_1_except_into_h0():
    # xi[t] for t >= 1 cuts exactly what k = 1 cuts; xi[0] = 0 also cuts the path into h0,
    # which regular truncation keeps for its first chunk.
    _, Y, params, _, cache = problem()
    rand = R.bptt_randomized(Y, params, cache, np.zeros(7), "tanh")
    k1 = R.bptt_truncated(Y, params, cache, 1, "tanh")
    for key in ("W_xh", "W_hh", "b_h", "W_hq", "b_q"):
        assert np.array_equal(rand[key], k1[key]), key
    assert np.array_equal(rand["h0"], np.zeros((3, 4)))
    assert np.linalg.norm(k1["h0"]) > 0


@pytest.mark.parametrize("pi", [0.5, 0.3])
def test_expectation_over_every_draw_is_exactly_the_full_gradient(pi):
    # T = 5: all 2^5 vectors xi in {0, 1/pi}^T, weighted by their probability.
    _, Y, params, _, cache = problem(T=5)
    full = R.bptt_full(Y, params, cache, "tanh")
    mean = {key: np.zeros_like(v) for key, v in full.items()}
    mask_mean = {key: np.zeros_like(v) for key, v in full.items()}
    for keep in itertools.product([0, 1], repeat=5):
        keep = np.array(keep, dtype=float)
        prob = np.prod(np.where(keep == 1, pi, 1 - pi))
        for acc, xi in ((mean, keep / pi), (mask_mean, keep)):
            g = R.bptt_randomized(Y, params, cache, xi, "tanh")
            for key in KEYS:
                acc[key] += prob * g[key]
    for key in KEYS:
        assert fd.rel_error(mean[key], full[key]) < 1e-12, key
    for key in RECURRENT:                      # a 0/1 mask shrinks every path of length j by pi^j
        assert fd.rel_error(mask_mean[key], full[key]) > 1e-2, key


def draws(Y, params, cache, xis):
    out = {key: [] for key in KEYS}
    for xi in xis:
        g = R.bptt_randomized(Y, params, cache, xi, "tanh")
        for key in KEYS:
            out[key].append(g[key])
    return {key: np.stack(v) for key, v in out.items()}


def within_standard_errors(samples, target, z=5.0):
    """Elementwise |mean - target| <= z * std / sqrt(n) (plus rounding for zero-variance entries)."""
    n = samples.shape[0]
    mean, se = samples.mean(axis=0), samples.std(axis=0, ddof=1) / np.sqrt(n)
    atol = 1e-12 * max(float(np.max(np.abs(target))), 1e-300)
    return np.abs(mean - target) <= z * se + atol


def test_mean_of_2000_draws_is_within_5_standard_errors_and_a_0_1_mask_is_not():
    _, Y, params, _, cache = problem()
    full = R.bptt_full(Y, params, cache, "tanh")
    rng = np.random.default_rng(2017)
    xis = [R.sample_xi(7, 0.5, rng) for _ in range(2000)]
    assert set(np.unique(np.concatenate(xis))) == {0.0, 2.0}
    unbiased = draws(Y, params, cache, xis)
    masked = draws(Y, params, cache, [(xi > 0).astype(float) for xi in xis])
    for key in KEYS:
        assert np.all(within_standard_errors(unbiased[key], full[key])), key
    for key in OUTPUT:                         # untouched by xi: every draw equals the full gradient
        assert np.all(unbiased[key] == full[key])
    for key in RECURRENT:                      # most entries of the masked mean are far outside
        assert np.mean(within_standard_errors(masked[key], full[key])) < 0.5, key


def test_sample_xi_has_the_stated_distribution():
    rng = np.random.default_rng(7)
    xi = np.concatenate([R.sample_xi(7, 0.3, rng) for _ in range(3000)])
    assert set(np.unique(xi)) == {0.0, 1 / 0.3}
    frac = np.mean(xi > 0)
    assert abs(frac - 0.3) < 5 * np.sqrt(0.3 * 0.7 / xi.size)
    assert np.array_equal(R.sample_xi(7, 1.0, rng), np.ones(7))


# ---- clipping -----------------------------------------------------------------------------

def gradients(seed=5):
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(s) for k, s in
            dict(W_xh=(5, 4), W_hh=(4, 4), b_h=(4,), W_hq=(4, 6), b_q=(6,)).items()}


def test_clipping_above_the_threshold_keeps_the_direction_and_reaches_the_norm_exactly():
    grads = gradients()
    before = {k: v.copy() for k, v in grads.items()}
    norm = np.sqrt(sum(np.sum(v ** 2) for v in grads.values()))
    clipped, returned = R.clip_grad_norm(grads, 1.5)
    assert abs(returned - norm) <= 1e-14 * norm
    assert abs(R.global_norm(clipped) - 1.5) <= 1e-14 * 1.5
    scale = 1.5 / norm
    for k in grads:
        assert fd.rel_error(clipped[k], scale * grads[k]) < 1e-15, k   # one common positive factor
        assert np.array_equal(grads[k], before[k])                      # the input is not modified


@pytest.mark.parametrize("factor", [1.0, 1.5, 1e6])
def test_clipping_at_or_below_the_threshold_changes_nothing(factor):
    grads = gradients()
    norm = R.global_norm(grads)
    clipped, returned = R.clip_grad_norm(grads, norm * factor)
    assert returned == norm
    for k in grads:
        assert np.array_equal(clipped[k], grads[k]), k


def test_zero_gradients_stay_zero():
    grads = {k: np.zeros_like(v) for k, v in gradients().items()}
    clipped, returned = R.clip_grad_norm(grads, 1.0)
    assert returned == 0.0
    assert all(np.array_equal(clipped[k], grads[k]) for k in grads)


def test_value_clipping_bounds_entries_but_changes_the_direction():
    grads = {k: 3 * v for k, v in gradients().items()}
    clipped = R.clip_grad_value(grads, 1.0)
    assert all(np.max(np.abs(v)) <= 1.0 for v in clipped.values())
    a = np.concatenate([v.ravel() for v in grads.values()])
    b = np.concatenate([v.ravel() for v in clipped.values()])
    cosine = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert cosine < 0.99


def _carried_gradients(params, cache, activation, t, carry):
    """The gradient at h_t, h_{t-1}, ..., h_0 of the loss at step t alone, pushed back by the chain rule
    with carry[s] on what step s passes to h_{s-1}: written out here, independently of path_weights."""
    h, h_netIn = cache["h"], cache["h_netIn"]
    g = np.random.default_rng(t).standard_normal(h[t].shape)      # any gradient arriving at h_t
    out = [g]
    for s in range(t, 0, -1):
        dphi = (h_netIn[s] > 0).astype(float) if activation == "relu" else 1.0 - h[s] ** 2
        g = carry[s] * ((g * dphi) @ params["W_hh"].T)
        out.append(g)
    return out            # out[j] is the gradient at h_{t-j}


@pytest.mark.parametrize("carry", [np.ones(6), R.regular_carry(6, 4), np.array([0.0, 2.0, 0.0, 4.0, 1.5, 4.0])])
@pytest.mark.parametrize("activation", fd.ACTIVATIONS)
def test_path_weights_are_the_ratio_of_the_carried_to_the_full_gradient(carry, activation):
    X, Y, params, h0, _ = fd.rnn_problem(6, 3, 5, 4, 7, activation, seed=8)
    _, cache = R.rnn_forward(X, params, h0, activation)
    w = R.path_weights(carry)
    assert w.shape == (6, 6) and np.all(np.triu(w, 1) == 0)
    for t in range(6):
        full = _carried_gradients(params, cache, activation, t, np.ones(6))
        cut = _carried_gradients(params, cache, activation, t, carry)
        for j in range(t + 1):
            assert np.allclose(cut[j], w[t, j] * full[j], rtol=1e-12, atol=1e-14), (t, j)


@pytest.mark.parametrize("pi", [0.25, 0.5, 0.8, 1.0])
def test_randomized_path_weights_have_mean_one_and_variance_pi_to_the_minus_j_minus_one(pi):
    """Exact, over all 2**T draws of xi with their probabilities (no sampling)."""
    T = 6
    mean, second = np.zeros((T, T)), np.zeros((T, T))
    for keep in itertools.product((False, True), repeat=T):
        keep = np.array(keep)
        prob = np.prod(np.where(keep, pi, 1 - pi))
        w = R.path_weights(np.where(keep, 1 / pi, 0.0))
        mean += prob * w
        second += prob * w ** 2
    lower = np.tril(np.ones((T, T)))
    lag = np.subtract.outer(np.arange(T), np.arange(T)) * 0 + np.arange(T)       # lag[t, j] = j
    assert np.allclose(mean, lower, rtol=1e-12)
    assert np.allclose(second - mean ** 2, lower * (pi ** -lag - 1.0), rtol=1e-10)
    moments = R.path_weight_moments(T, pi)          # the graded unit's closed form, against the enumeration
    assert np.allclose(moments["mean"], mean, rtol=1e-12, atol=1e-14)
    assert np.allclose(moments["var"], second - mean ** 2, rtol=1e-10, atol=1e-12)
    mask = sum(np.prod(np.where(k, pi, 1 - pi)) * R.path_weights(np.array(k, float))
               for k in itertools.product((False, True), repeat=T))
    assert np.allclose(mask, lower * pi ** lag)           # a 0/1 mask discounts lag j by pi**j
