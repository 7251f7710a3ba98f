"""The predicted per-step factors (autograder/reference/growth.py) against gradients measured
independently of the formulas: the backward step is never written here. It is the vector-Jacobian
product of one forward step of the reference RNN, taken by central finite differences in float64
(perturbing the state h_{t-1} the step reads), so the prediction is tested against the network
itself. sigma_max and rho are checked against definitions that use no SVD and no eigensolver.
"""
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import reference as R

SOURCE = Path(__file__).resolve().parents[1] / "source" / "bptt"


def random_W(rng, H, radius):
    W = rng.standard_normal((H, H))
    return W * (radius / np.max(np.abs(np.linalg.eigvals(W))))


def step_vjp(W_hh, W_xh, x, h_prev, g, activation, eps=1e-6):
    """g @ (d h_t / d h_{t-1}) for one forward step h_t = phi(x W_xh + h_prev W_hh), per row, by
    central differences of the reference's forward pass: (N, H)."""
    N, H = h_prev.shape
    params = dict(W_xh=W_xh, W_hh=W_hh, b_h=np.zeros(H), W_hq=np.zeros((H, 2)), b_q=np.zeros(2))
    out = np.empty((N, H))
    for i in range(H):
        e = np.zeros((N, H))
        e[:, i] = eps
        plus = R.rnn_forward(x[None], params, h_prev + e, activation)[1]["h"][0]
        minus = R.rnn_forward(x[None], params, h_prev - e, activation)[1]["h"][0]
        out[:, i] = np.sum(g * (plus - minus), axis=1) / (2 * eps)
    return out


def one_step_run(rng, H, N, D, radius, activation):
    W_hh, W_xh = random_W(rng, H, radius), rng.standard_normal((D, H)) * 0.5
    x, h_prev = rng.standard_normal((N, D)), np.tanh(rng.standard_normal((N, H)))
    netIn = (x @ W_xh + h_prev @ W_hh)[None]       # (1, N, H): the step's pre-activations
    return W_hh, W_xh, x, h_prev, netIn


def test_sigma_max_and_rho_match_their_definitions_without_svd_or_eigensolver():
    rng = np.random.default_rng(0)
    W = rng.standard_normal((6, 6))
    got = R.predicted_gradient_rate(W, np.zeros((2, 3, 6)), "tanh")
    v = rng.standard_normal(6)
    for _ in range(2000):                           # power iteration on W^T W: its top eigenvalue is sigma^2
        v = W.T @ (W @ v)
        v /= np.linalg.norm(v)
    assert got["sigma_max"] == pytest.approx(np.linalg.norm(W @ v), rel=1e-9)
    P = W / got["rho"]                              # Gelfand: ||W^k||^(1/k) -> rho; P's powers stay bounded
    power = np.linalg.matrix_power(P, 400)
    assert np.linalg.norm(power) ** (1 / 400) == pytest.approx(1.0, abs=0.02)
    assert np.linalg.norm(np.linalg.matrix_power(W / (0.9 * got["rho"]), 400)) > 1e10   # and not above rho
    # The example of the notebook's visible test: eigenvalues +i and -i, singular values 2 and 0.5.
    ex = R.predicted_gradient_rate(np.array([[0.0, 2.0], [-0.5, 0.0]]), np.array([[[0.0, 3.0]], [[-1.0, 2.0]]]), "relu")
    assert {k: float(v) for k, v in ex.items()} == pytest.approx(dict(sigma_max=2, rho=1, bound=2, typical=0.5 ** 0.5))


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("radius", [0.6, 1.8])
def test_no_measured_step_exceeds_the_bound(activation, radius):
    rng = np.random.default_rng(11)
    W_hh, W_xh, x, h_prev, netIn = one_step_run(rng, 9, 4, 5, radius, activation)
    bound = float(R.predicted_gradient_rate(W_hh, netIn, activation)["bound"])
    v = np.linalg.svd(W_hh)[2][0]                   # the direction W_hh.T lengthens most (before phi')
    for g in [rng.standard_normal((4, 9)) for _ in range(20)] + [np.tile(v, (4, 1))]:
        ratio = np.linalg.norm(step_vjp(W_hh, W_xh, x, h_prev, g, activation), axis=1) / np.linalg.norm(g, axis=1)
        assert np.all(ratio <= bound * (1 + 1e-6)), (ratio, bound)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("radius", [0.7, 1.8])
def test_typical_factor_is_the_measured_mean_step_of_a_large_random_network(activation, radius):
    rng = np.random.default_rng(5)
    W_hh, W_xh, x, h_prev, netIn = one_step_run(rng, 250, 12, 6, radius, activation)
    rates = R.predicted_gradient_rate(W_hh, netIn, activation)
    g = rng.standard_normal((12, 250))
    measured = np.mean(np.linalg.norm(step_vjp(W_hh, W_xh, x, h_prev, g, activation), axis=1) / np.linalg.norm(g, axis=1))
    assert measured == pytest.approx(float(rates["typical"]), rel=0.1)
    # ... where the plausible slips are far off: rho without phi', the mean of phi' instead of its RMS
    dphi = R.phi_prime(netIn, np.tanh(netIn), activation)
    assert abs(measured / float(rates["rho"]) - 1) > 0.2
    if activation == "tanh":
        assert abs(measured / (float(rates["rho"]) * dphi.mean()) - 1) > 0.15


def test_experiment_one_is_predicted_as_notebook_04_states():
    """Notebook 04's text after experiment 1: the typical factor is within 10% of the measured per-step
    factor (2% to 7% above it), above 1 exactly for the ReLU runs that explode; the bound holds."""
    sys.path.insert(0, str(SOURCE))
    try:
        from bptt_experiments import gradient_norms, gradient_problem
        from bptt_tools import rnn_forward
    finally:
        sys.path.remove(str(SOURCE))
    for activation in ("relu", "tanh"):
        for rho in (0.5, 1.0, 1.5, 2.0):
            norms = gradient_norms(rnn_forward, activation, rho)
            W_hh, cache, _ = gradient_problem(rnn_forward, activation, rho)
            rates = R.predicted_gradient_rate(W_hh, cache["h_netIn"], activation)
            measured = (norms[-1] / norms[0]) ** (1 / (len(norms) - 1))
            assert 1.02 <= float(rates["typical"]) / measured <= 1.07, (activation, rho, measured, rates)
            assert measured <= float(rates["bound"])
            assert (float(rates["typical"]) > 1) == (activation == "relu" and rho >= 1.5) == (norms[-1] > 1)
