"""The reference two-layer RNN (autograder/reference/rnn2.py) against central finite differences.

For ReLU and tanh, on T=7, N=3, D=5, H1=4, H2=8, Q=6 and the edge cases T = 1, N = 1:
- dh1_t (the graded step into layer 1) against the loss perturbed at h1_t, every t;
- dhraw1_t, dh2_t, dhraw2_t against the loss perturbed at h1_netIn_t, h2_t, h2_netIn_t;
- all eight parameter gradients of rnn2_backward against the loss perturbed at each
  parameter (reference forward pass and cross-entropy).
"""
import functools

import numpy as np
import pytest

from autograder import reference as R
from tests import fd

PARAMS = ("W_xh1", "W_hh1", "b_h1", "W_xh2", "W_hh2", "b_h2", "W_hq", "b_q")
NAMES = ("dh1_t", "dhraw1_t", "dh2_t", "dhraw2_t") + tuple(f"rnn2_backward[{k}]" for k in PARAMS)


def local_rules(Y, params, cache, activation):
    """Per-step gradients at h1, h1_netIn, h2, h2_netIn from the reference's local rules."""
    P, h1, h2 = cache["p"], cache["h1"], cache["h2"]
    T = P.shape[0]
    dh1, dhraw1, dh2, dhraw2 = (np.empty_like(a) for a in (h1, h1, h2, h2))
    next1, next2 = np.zeros_like(h1[0]), np.zeros_like(h2[0])
    for t in reversed(range(T)):
        dy = R.dy_t(P[t], Y[t], T)
        dh2[t] = R.dh_t(dy, next2, params["W_hq"], params["W_hh2"])
        dhraw2[t] = next2 = R.dhraw_t(dh2[t], cache["h2_netIn"][t], h2[t], activation)
        dh1[t] = R.dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = next1 = R.dhraw_t(dh1[t], cache["h1_netIn"][t], h1[t], activation)
    return dict(dh1_t=dh1, dhraw1_t=dhraw1, dh2_t=dh2, dhraw2_t=dhraw2)


def reference_loss(X, Y, params, h1_0, h2_0, activation):
    _, cache = R.rnn2_forward(X, params, h1_0, h2_0, activation)
    return R.cross_entropy_from_logits(cache["o"], Y)


@functools.cache
def comparisons(shape, activation):
    d = fd.RNN2_SHAPES[shape]
    T, N, H1, H2 = d["T"], d["N"], d["H1"], d["H2"]
    X, Y, params, h1_0, h2_0, margin = fd.rnn2_problem(T, N, d["D"], H1, H2, d["Q"], activation, seed=31)
    _, cache = R.rnn2_forward(X, params, h1_0, h2_0, activation)
    analytic = local_rules(Y, params, cache, activation)
    full = R.rnn2_backward(Y, params, cache, activation)

    perturbed = {"dh1_t": ("h1", H1), "dhraw1_t": ("h1_netIn", H1), "dh2_t": ("h2", H2), "dhraw2_t": ("h2_netIn", H2)}
    out = {}
    for name, (where, size) in perturbed.items():
        num = fd.num_grad_at_zero(
            lambda a, where=where: fd.rnn2_loss(X, Y, params, h1_0, h2_0, activation, {where: a}), (T, N, size))
        out[name] = (analytic[name], num)
    p = {k: v.copy() for k, v in params.items()}
    for k in PARAMS:
        out[f"rnn2_backward[{k}]"] = (full[k], fd.num_grad(lambda: reference_loss(X, Y, p, h1_0, h2_0, activation), p[k]))
    return out, margin


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("activation", fd.ACTIVATIONS)
@pytest.mark.parametrize("shape", fd.RNN2_SHAPES)
def test_derivative_matches_finite_differences(shape, activation, name):
    found, margin = comparisons(shape, activation)
    analytic, numerical = found[name]
    fd.assert_matches(analytic, numerical, margin, activation)


@pytest.mark.parametrize("activation", fd.ACTIVATIONS)
def test_independent_forward_gives_the_reference_loss(activation):
    X, Y, params, h1_0, h2_0, _ = fd.rnn2_problem(7, 3, 5, 4, 8, 6, activation, seed=31)
    assert abs(fd.rnn2_loss(X, Y, params, h1_0, h2_0, activation)
               - reference_loss(X, Y, params, h1_0, h2_0, activation)) < 1e-13


def test_backward_returns_exactly_the_eight_gradients_with_parameter_shapes():
    X, Y, params, h1_0, h2_0, _ = fd.rnn2_problem(7, 3, 5, 4, 8, 6, "tanh", seed=31)
    _, cache = R.rnn2_forward(X, params, h1_0, h2_0, "tanh")
    assert set(cache) == {"X", "h1_0", "h2_0", "h1_netIn", "h1", "h2_netIn", "h2", "o", "p", "activation"}
    grads = R.rnn2_backward(Y, params, cache, "tanh")
    assert {k: grads[k].shape for k in grads} == {k: params[k].shape for k in PARAMS}


def test_dh1_t_is_the_sum_of_the_two_paths():
    rng = np.random.default_rng(4)
    g2, g1, W_xh2, W_hh1 = (rng.standard_normal(s) for s in ((3, 8), (3, 4), (4, 8), (4, 4)))
    assert fd.rel_error(R.dh1_t(g2, g1, W_xh2, W_hh1), g2 @ W_xh2.T + g1 @ W_hh1.T) < 1e-15
    assert np.array_equal(R.dh1_t(g2, np.zeros((3, 4)), W_xh2, W_hh1), g2 @ W_xh2.T)


def test_finite_differences_reject_a_layer_without_its_future_term():
    found, _ = comparisons("T7N3D5H1_4H2_8Q6", "tanh")
    X, Y, params, h1_0, h2_0, _ = fd.rnn2_problem(7, 3, 5, 4, 8, 6, "tanh", seed=31)
    _, cache = R.rnn2_forward(X, params, h1_0, h2_0, "tanh")
    for carry in (dict(carry1=np.zeros(7)), dict(carry2=np.zeros(7))):
        wrong = R.rnn2_backward(Y, params, cache, "tanh", **carry)
        assert fd.rel_error(wrong["W_hh1"], found["rnn2_backward[W_hh1]"][1]) > 1e-2
