"""The reference one-layer RNN (autograder/reference/rnn.py) against central finite differences.

For ReLU and tanh, on T=7, N=3, D=5, H=4, Q=6 and the edge cases T = 1 and N = 1:
- dy_t against the loss perturbed at the logits o_t, for every t;
- dh_t against the loss perturbed at h_t (after phi; it then feeds o_t and step t+1),
  for every t, so the middle steps and the last step are both covered;
- dhraw_t against the loss perturbed at h_netIn_t (before phi);
- dh0 against the loss as a function of the initial state, dX against it as a function of the inputs;
- the five parameter gradients, from the local rules dW_xh, dW_hh, db_h, dW_hq, db_q,
  and from rnn_backward with reg > 0.
The intermediate perturbations go through the independent forward of tests/fd.py;
the parameter perturbations through the reference's rnn_loss.
"""
import functools

import numpy as np
import pytest

from autograder import reference as R
from autograder.checks.rnn import upstream
from tests import fd

REG = 0.2
PARAMS = ("W_xh", "W_hh", "b_h", "W_hq", "b_q")
NAMES = ("dy_t", "dh_t", "dhraw_t", "dh0", "dX", "dW_xh", "dW_hh", "db_h", "dW_hq", "db_q") + tuple(
    f"rnn_backward[{k}]" for k in PARAMS + ("h0",))


def local_rules(Y, params, cache, activation):
    """dy, dh, dhraw per step (T, N, .) from the reference's local rules, run from t = T-1 down."""
    up = upstream(params, Y, cache, activation)
    return up["dy"], up["dh"], up["dhraw"]


@functools.cache
def comparisons(shape, activation):
    """{derivative name: (analytic, numerical)} for one RNN_SHAPES entry, plus the kink margin."""
    d = fd.RNN_SHAPES[shape]
    T, N, H, Q = d["T"], d["N"], d["H"], d["Q"]
    X, Y, params, h0, margin = fd.rnn_problem(T, N, d["D"], H, Q, activation, seed=21)
    _, cache = R.rnn_forward(X, params, h0, activation)
    dy, dh, dhraw = local_rules(Y, params, cache, activation)
    h_prev = np.concatenate([h0[None], cache["h"][:-1]])
    local = dict(W_xh=R.dW_xh(X, dhraw), W_hh=R.dW_hh(h_prev, dhraw), b_h=R.db_h(dhraw),
                 W_hq=R.dW_hq(cache["h"], dy), b_q=R.db_q(dy))
    full = R.rnn_backward(Y, params, cache, activation, reg=REG)

    at = {name: fd.num_grad_at_zero(
        lambda a, name=name: fd.rnn_loss(X, Y, params, h0, activation, 0.0, {name: a}), shape)
        for name, shape in (("o", (T, N, Q)), ("h", (T, N, H)), ("h_netIn", (T, N, H)))}
    p, h0_free = {k: v.copy() for k, v in params.items()}, h0.copy()
    num_h0 = fd.num_grad(lambda: R.rnn_loss(X, Y, params, h0_free, activation), h0_free)
    X_free = X.copy()
    num_X = fd.num_grad(lambda: R.rnn_loss(X_free, Y, params, h0, activation), X_free)
    num_plain = {k: fd.num_grad(lambda: R.rnn_loss(X, Y, p, h0, activation), p[k]) for k in p}
    num_reg = {k: fd.num_grad(lambda: R.rnn_loss(X, Y, p, h0, activation, REG), p[k]) for k in p}

    out = {"dy_t": (dy, at["o"]), "dh_t": (dh, at["h"]), "dhraw_t": (dhraw, at["h_netIn"]),
           "dh0": (R.dh0(dhraw[0], params["W_hh"]), num_h0), "dX": (R.dX(dhraw, params["W_xh"]), num_X)}
    out.update({f"d{k}": (local[k], num_plain[k]) for k in PARAMS})
    out.update({f"rnn_backward[{k}]": (full[k], num_reg[k]) for k in PARAMS})
    out["rnn_backward[h0]"] = (full["h0"], num_h0)
    return out, margin


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("activation", fd.ACTIVATIONS)
@pytest.mark.parametrize("shape", fd.RNN_SHAPES)
def test_derivative_matches_finite_differences(shape, activation, name):
    found, margin = comparisons(shape, activation)
    analytic, numerical = found[name]
    fd.assert_matches(analytic, numerical, margin, activation)


@pytest.mark.parametrize("activation", fd.ACTIVATIONS)
def test_independent_forward_gives_the_reference_loss(activation):
    X, Y, params, h0, _ = fd.rnn_problem(7, 3, 5, 4, 6, activation, seed=21)
    assert abs(fd.rnn_loss(X, Y, params, h0, activation, REG)
               - R.rnn_loss(X, Y, params, h0, activation, REG)) < 1e-13


def test_middle_step_receives_gradient_from_the_future():
    # dh_t at a middle step is not just dy_t @ W_hq.T: the future step's term is non-zero
    # and it is exactly dhraw_{t+1} @ W_hh.T.
    X, Y, params, h0, _ = fd.rnn_problem(7, 3, 5, 4, 6, "tanh", seed=21)
    _, cache = R.rnn_forward(X, params, h0, "tanh")
    dy, dh, dhraw = local_rules(Y, params, cache, "tanh")
    t = 3
    future = dh[t] - dy[t] @ params["W_hq"].T
    assert np.linalg.norm(future) > 0.1 * np.linalg.norm(dh[t])
    assert fd.rel_error(future, dhraw[t + 1] @ params["W_hh"].T) < 1e-12
    assert np.array_equal(dh[-1], dy[-1] @ params["W_hq"].T)   # last step: nothing from the future


def test_tanh_derivative_uses_the_output_and_relu_the_input():
    rng = np.random.default_rng(3)
    net = rng.standard_normal((3, 4))
    g = rng.standard_normal((3, 4))
    assert np.array_equal(R.dhraw_t(g, net, np.tanh(net), "tanh"), g * (1 - np.tanh(net) ** 2))
    assert np.array_equal(R.dhraw_t(g, net, np.maximum(net, 0), "relu"), g * (net > 0))
    # at the kink itself the ReLU convention is phi'(0) = 0
    assert np.array_equal(R.dhraw_t(np.ones((1, 2)), np.zeros((1, 2)), np.zeros((1, 2)), "relu"), np.zeros((1, 2)))


def test_default_h0_is_zeros_and_returns_the_cache_keys():
    X, Y, params, _, _ = fd.rnn_problem(7, 3, 5, 4, 6, "tanh", seed=21)
    P, cache = R.rnn_forward(X, params, activation="tanh")
    assert set(cache) == {"X", "h0", "h_netIn", "h", "o", "p", "activation"}
    assert cache["activation"] == "tanh"
    assert np.array_equal(cache["h0"], np.zeros((3, 4)))
    assert P.shape == (7, 3, 6) and np.allclose(P.sum(axis=-1), 1.0, rtol=0, atol=1e-15)
    assert abs(R.rnn_loss(X, Y, params, None, "tanh") - fd.rnn_loss(X, Y, params, np.zeros((3, 4)), "tanh")) < 1e-13


@pytest.mark.parametrize("activation", fd.ACTIVATIONS)
def test_finite_differences_reject_the_lecture_notes_slips(activation):
    # The comparison has the power to fail: the notes' formulas are far from the numbers.
    found, _ = comparisons("T7N3D5H4Q6", activation)
    X, Y, params, h0, _ = fd.rnn_problem(7, 3, 5, 4, 6, activation, seed=21)
    _, cache = R.rnn_forward(X, params, h0, activation)
    dy, dh, dhraw = local_rules(Y, params, cache, activation)
    slip_dh = dy @ params["W_hq"].T + cache["h"]                   # "+ h_t" instead of the future term
    slip_dW_hh = R.dW_hh(cache["h"], dhraw)                        # h_t instead of h_{t-1}
    one_step = np.einsum("ni,nj->ij", h0, dhraw[0])                # not summed over time
    assert fd.rel_error(slip_dh, found["dh_t"][1]) > 1e-2
    assert fd.rel_error(slip_dW_hh, found["dW_hh"][1]) > 1e-2
    assert fd.rel_error(one_step, found["dW_hh"][1]) > 1e-2
    assert fd.rel_error(found["dW_hh"][0].T, found["dW_hh"][1]) > 1e-2   # square: only values can tell
