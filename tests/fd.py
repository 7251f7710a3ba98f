"""Central finite differences, and independent forward passes to differentiate numerically.

Relative error (used by every finite-difference test and by tests/fd_report.py):

    rel_error(a, b) = max_i |a_i - b_i| / max(max_i |a_i|, max_i |b_i|)

an infinity-norm comparison of the whole array, so entries that are zero (a dead
ReLU unit, a class nobody predicts) count with the array's scale instead of
dividing by zero. Two arrays of zeros have relative error 0. A correct gradient
reaches about 1e-9 with EPS = 1e-6 in float64; the tests demand RTOL = 1e-7.

The forward passes here are written again, independently of autograder.reference,
with `add`: a dict naming intermediate quantities to which a perturbation is added
(e.g. add["h"][t] is added to h_t after the activation, before h_t is used by o_t
and by step t+1). The numerical derivative with respect to that perturbation, at
zero, is the gradient of the loss with respect to the intermediate quantity, which
the backward pass's local rules claim to compute.

ReLU is not differentiable at 0. Every problem built here is resampled (next seed)
until each pre-activation is at least KINK from 0, so that no perturbation of
size EPS can cross the kink; `min_abs_netIn` is returned so tests assert it.
"""
import numpy as np

EPS = 1e-6
RTOL = 1e-7
KINK = 1e-4


def rel_error(a, b):
    """max|a - b| / max(max|a|, max|b|) over the whole array; 0.0 for two zero arrays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"shapes differ: {a.shape} vs {b.shape}"
    scale = max(float(np.max(np.abs(a), initial=0.0)), float(np.max(np.abs(b), initial=0.0)))
    diff = float(np.max(np.abs(a - b), initial=0.0))
    return 0.0 if scale == 0.0 else diff / scale


def num_grad(f, x, eps=EPS):
    """Central-difference gradient of the scalar f() with respect to the float64 array x.

    x is perturbed in place, one entry at a time, and restored exactly (the
    saved value is written back, not x + eps - eps).
    Inputs: f: callable with no arguments returning a float; x: ndarray, any shape.
    Returns: ndarray of x's shape, (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).
    """
    assert x.dtype == np.float64
    grad = np.empty_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    assert np.shares_memory(flat, x), "x must be contiguous so the perturbation reaches f"
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + eps
        up = f()
        flat[i] = saved - eps
        down = f()
        flat[i] = saved
        gflat[i] = (up - down) / (2 * eps)
    return grad


def num_grad_at_zero(f, shape, eps=EPS):
    """Gradient of f(delta) at delta = 0 for a perturbation array of the given shape."""
    delta = np.zeros(shape)
    return num_grad(lambda: f(delta), delta, eps)


def _phi(z, activation):
    if activation == "relu":
        return np.where(z > 0, z, 0.0)
    if activation == "tanh":
        return np.tanh(z)
    raise AssertionError(activation)


def mean_ce(logits, labels):
    """Mean cross-entropy of integer labels (last axis of logits is the class), via log-sum-exp."""
    m = logits.max(axis=-1, keepdims=True)
    logz = np.log(np.exp(logits - m).sum(axis=-1)) + m[..., 0]
    picked = np.take_along_axis(logits, labels[..., None], axis=-1)[..., 0]
    return float(np.mean(logz - picked))


# ---- MLP -------------------------------------------------------------------------------

def mlp_loss(X, y, params, reg=0.0, add=None):
    """Loss of the one-hidden-layer ReLU MLP; add may hold y_netIn, y_netAct, z_netIn (N, .)."""
    add = add or {}
    y_netIn = X @ params["y_wts"] + params["y_b"] + add.get("y_netIn", 0.0)
    y_netAct = _phi(y_netIn, "relu") + add.get("y_netAct", 0.0)
    z_netIn = y_netAct @ params["z_wts"] + params["z_b"] + add.get("z_netIn", 0.0)
    penalty = 0.5 * reg * (np.sum(params["y_wts"] ** 2) + np.sum(params["z_wts"] ** 2))
    return mean_ce(z_netIn, y) + float(penalty)


def mlp_problem(N, D, H, C, seed):
    """(X, y, params, min_abs_netIn) with every y_netIn entry at least KINK from the ReLU kink."""
    for s in range(seed, seed + 1000):
        rng = np.random.default_rng(s)
        params = dict(y_wts=rng.standard_normal((D, H)) * 0.7, y_b=rng.standard_normal(H) * 0.3,
                      z_wts=rng.standard_normal((H, C)) * 0.7, z_b=rng.standard_normal(C) * 0.3)
        X = rng.standard_normal((N, D))
        y = rng.integers(0, C, N)
        margin = float(np.min(np.abs(X @ params["y_wts"] + params["y_b"])))
        if margin >= KINK:
            return X, y, params, margin
    raise AssertionError("no seed keeps the ReLU away from its kink")


# ---- one-layer RNN -----------------------------------------------------------------------

def rnn_loss(X, Y, params, h0, activation, reg=0.0, add=None):
    """Loss of the one-layer RNN (mean CE over T*N plus reg/2 * squared weights).

    add may hold h_netIn (T, N, H) added before phi, h (T, N, H) added after phi,
    o (T, N, Q) added to the logits.
    """
    add = add or {}
    T = X.shape[0]
    h_prev, logits = h0, []
    for t in range(T):
        net = X[t] @ params["W_xh"] + h_prev @ params["W_hh"] + params["b_h"]
        if "h_netIn" in add:
            net = net + add["h_netIn"][t]
        h = _phi(net, activation)
        if "h" in add:
            h = h + add["h"][t]
        o = h @ params["W_hq"] + params["b_q"]
        if "o" in add:
            o = o + add["o"][t]
        logits.append(o)
        h_prev = h
    penalty = 0.5 * reg * sum(np.sum(params[w] ** 2) for w in ("W_xh", "W_hh", "W_hq"))
    return mean_ce(np.stack(logits), Y) + float(penalty)


def rnn_netIns(X, params, h0, activation):
    """All pre-activations h_netIn (T, N, H) of the one-layer RNN."""
    out, h = [], h0
    for t in range(X.shape[0]):
        net = X[t] @ params["W_xh"] + h @ params["W_hh"] + params["b_h"]
        out.append(net)
        h = _phi(net, activation)
    return np.stack(out)


def rnn_problem(T, N, D, H, Q, activation, seed, h0_scale=0.5):
    """(X, Y, params, h0, min_abs_netIn), resampled until every h_netIn is KINK away from 0."""
    for s in range(seed, seed + 1000):
        rng = np.random.default_rng(s)
        params = dict(W_xh=rng.standard_normal((D, H)) * 0.6, W_hh=rng.standard_normal((H, H)) * 0.6,
                      b_h=rng.standard_normal(H) * 0.3, W_hq=rng.standard_normal((H, Q)) * 0.6,
                      b_q=rng.standard_normal(Q) * 0.3)
        X = rng.standard_normal((T, N, D))
        Y = rng.integers(0, Q, (T, N))
        h0 = rng.standard_normal((N, H)) * h0_scale
        margin = float(np.min(np.abs(rnn_netIns(X, params, h0, activation))))
        if activation == "tanh" or margin >= KINK:
            return X, Y, params, h0, margin
    raise AssertionError("no seed keeps the ReLU away from its kink")


# ---- two-layer RNN -----------------------------------------------------------------------

def rnn2_loss(X, Y, params, h1_0, h2_0, activation, add=None):
    """Loss of the two-layer RNN; add may hold h1_netIn, h1 (T, N, H1), h2_netIn, h2 (T, N, H2)."""
    add = add or {}
    h1, h2, logits = h1_0, h2_0, []
    for t in range(X.shape[0]):
        net1 = X[t] @ params["W_xh1"] + h1 @ params["W_hh1"] + params["b_h1"]
        h1 = _phi(net1 + add["h1_netIn"][t] if "h1_netIn" in add else net1, activation)
        if "h1" in add:
            h1 = h1 + add["h1"][t]
        net2 = h1 @ params["W_xh2"] + h2 @ params["W_hh2"] + params["b_h2"]
        h2 = _phi(net2 + add["h2_netIn"][t] if "h2_netIn" in add else net2, activation)
        if "h2" in add:
            h2 = h2 + add["h2"][t]
        logits.append(h2 @ params["W_hq"] + params["b_q"])
    return mean_ce(np.stack(logits), Y)


def rnn2_netIns(X, params, h1_0, h2_0, activation):
    """Every pre-activation of both layers, concatenated and flattened."""
    out, h1, h2 = [], h1_0, h2_0
    for t in range(X.shape[0]):
        net1 = X[t] @ params["W_xh1"] + h1 @ params["W_hh1"] + params["b_h1"]
        h1 = _phi(net1, activation)
        net2 = h1 @ params["W_xh2"] + h2 @ params["W_hh2"] + params["b_h2"]
        h2 = _phi(net2, activation)
        out += [net1.ravel(), net2.ravel()]
    return np.concatenate(out)


def rnn2_problem(T, N, D, H1, H2, Q, activation, seed):
    """(X, Y, params, h1_0, h2_0, min_abs_netIn), resampled until every netIn is KINK away from 0."""
    for s in range(seed, seed + 1000):
        rng = np.random.default_rng(s)
        shapes = dict(W_xh1=(D, H1), W_hh1=(H1, H1), b_h1=(H1,), W_xh2=(H1, H2),
                      W_hh2=(H2, H2), b_h2=(H2,), W_hq=(H2, Q), b_q=(Q,))
        params = {k: rng.standard_normal(v) * (0.3 if k.startswith("b") else 0.6) for k, v in shapes.items()}
        X = rng.standard_normal((T, N, D))
        Y = rng.integers(0, Q, (T, N))
        h1_0, h2_0 = rng.standard_normal((N, H1)) * 0.5, rng.standard_normal((N, H2)) * 0.5
        margin = float(np.min(np.abs(rnn2_netIns(X, params, h1_0, h2_0, activation))))
        if activation == "tanh" or margin >= KINK:
            return X, Y, params, h1_0, h2_0, margin
    raise AssertionError("no seed keeps the ReLU away from its kink")


# ---- configurations shared by the tests and tests/fd_report.py ------------------------------

# Every dimension differs from every other one, so a transposed product cannot pass;
# T = 1 and N = 1 are the edge cases (no recurrence; a batch of one).
RNN_SHAPES = {
    "T7N3D5H4Q6": dict(T=7, N=3, D=5, H=4, Q=6),
    "T1N3D5H4Q6": dict(T=1, N=3, D=5, H=4, Q=6),
    "T7N1D5H4Q6": dict(T=7, N=1, D=5, H=4, Q=6),
}
RNN2_SHAPES = {
    "T7N3D5H1_4H2_8Q6": dict(T=7, N=3, D=5, H1=4, H2=8, Q=6),
    "T1N3D5H1_4H2_8Q6": dict(T=1, N=3, D=5, H1=4, H2=8, Q=6),
    "T7N1D5H1_4H2_8Q6": dict(T=7, N=1, D=5, H1=4, H2=8, Q=6),
}
MLP_SHAPES = {
    "N3D5H4C6": dict(N=3, D=5, H=4, C=6),
    "N1D5H4C6": dict(N=1, D=5, H=4, C=6),
    "N7D2H9C3": dict(N=7, D=2, H=9, C=3),
}
ACTIVATIONS = ("relu", "tanh")


def assert_matches(analytic, numerical, margin, activation="relu"):
    """The shared verdict of every finite-difference test.

    A ReLU problem must keep every pre-activation at least KINK from 0 (else the
    central difference straddles the kink); the numerical gradient must not be
    trivially zero; then the relative error must be below RTOL.
    """
    if activation == "relu":
        assert margin >= KINK
    assert analytic.shape == numerical.shape
    assert np.any(numerical != 0)
    assert rel_error(analytic, numerical) < RTOL
