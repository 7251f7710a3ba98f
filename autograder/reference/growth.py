"""What the maths predicts for the gradient through many steps, before it is measured.

One step back multiplies the gradient at h_t by the Jacobian of h_t = phi(h_{t-1} W_hh + ...):
g_{t-1} = (g_t * phi'(h_netIn_t)) @ W_hh.T. Two per-step factors follow (notebook 04):

* the bound: ||g * phi'|| <= gamma ||g|| with gamma = max|phi'| over the states met, and
  ||v @ W_hh.T|| <= sigma_max(W_hh) ||v||, so ||g_{t-1}|| <= gamma * sigma_max * ||g_t||;
* the typical factor: for a random Gaussian W_hh, a vector not aligned with its singular
  vectors comes out of v @ W_hh.T about rho(W_hh) times longer (rho, the spectral radius, not
  sigma_max, which is about twice rho); and when g's squared entries are spread over the units
  independently of phi', ||g * phi'||^2 ~ mean(phi'^2) ||g||^2. So the factor is
  rho * sqrt(mean(phi'^2)), the root mean square of phi' over the pre-activations given.

tests/test_reference_growth.py measures both against a gradient pushed through a random RNN.
"""
from __future__ import annotations

import numpy as np

from .functional import phi_prime
from .validate import Shapes, check_activation


def predicted_gradient_rate(W_hh: object, h_netIn: object, activation: object) -> dict[str, np.float64]:
    """{sigma_max, rho, bound, typical}: per-step factors on ||dl_t/dh_{t-j}|| predicted from W_hh.

    W_hh: (H, H); h_netIn: (T, N, H), the pre-activations of a run (phi' is taken on them);
    activation: "relu" or "tanh". sigma_max = the largest singular value of W_hh; rho = its
    spectral radius (largest |eigenvalue|); bound = gamma * sigma_max with gamma the largest
    phi' over h_netIn; typical = rho * sqrt(mean of phi'(h_netIn)**2 over all T * N * H entries).
    """
    s = Shapes("predicted_gradient_rate")
    W = s.array("W_hh", W_hh, "H H")
    netIn = s.array("h_netIn", h_netIn, "T N H")
    act = check_activation("predicted_gradient_rate", activation)
    dphi = phi_prime(netIn, np.tanh(netIn), act)
    sigma_max = np.linalg.norm(W, 2)
    rho = np.max(np.abs(np.linalg.eigvals(W)))
    return dict(sigma_max=np.float64(sigma_max), rho=np.float64(rho),
                bound=np.float64(dphi.max() * sigma_max), typical=np.float64(rho * np.sqrt(np.mean(dphi ** 2))))

