"""RNN with two hidden layers (docs/math.md, "RNN with two hidden layers").

    h1_t = phi(X[t] @ W_xh1 + h1_{t-1} @ W_hh1 + b_h1)      (N, H1)
    h2_t = phi(h1_t @ W_xh2 + h2_{t-1} @ W_hh2 + b_h2)      (N, H2)
    o_t  = h2_t @ W_hq + b_q,  p_t = softmax(o_t)           (N, Q)

Two hidden states are tracked. Layer 2 backpropagates exactly as the one-layer
RNN with h1_t as its input; layer 1 then receives, at every step, the gradient
from layer 2 above and from its own future step (dh1_t).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike

from .functional import phi, phi_prime, softmax
from .rnn import _sum_outer, check_cache, check_params, output_gradients
from .validate import Array, Shapes, check_activation

PARAM_SPECS = {
    "W_xh1": "D H1", "W_hh1": "H1 H1", "b_h1": "H1",
    "W_xh2": "H1 H2", "W_hh2": "H2 H2", "b_h2": "H2",
    "W_hq": "H2 Q", "b_q": "Q",
}
# The cache entries rnn2_backward reads (rnn2_forward also stores o).
CACHE_SPECS = {"X": "T N D", "h1_0": "N H1", "h2_0": "N H2", "h1_netIn": "T N H1", "h1": "T N H1",
               "h2_netIn": "T N H2", "h2": "T N H2", "p": "T N Q"}


class Rnn2Cache(TypedDict):
    """What rnn2_forward records: the arrays rnn2_backward reads, o, and the activation used."""
    X: Array          # (T, N, D)
    h1_0: Array       # (N, H1)
    h2_0: Array       # (N, H2)
    h1_netIn: Array   # (T, N, H1)
    h1: Array         # (T, N, H1)
    h2_netIn: Array   # (T, N, H2)
    h2: Array         # (T, N, H2)
    o: Array          # (T, N, Q)
    p: Array          # (T, N, Q)
    activation: str


def rnn2_forward(X: ArrayLike, params: Mapping[str, ArrayLike], h1_0: ArrayLike | None = None,
                 h2_0: ArrayLike | None = None, activation: str = "relu") -> tuple[Array, Rnn2Cache]:
    """Forward pass of the two-layer RNN.

    Inputs:
    - X: (T, N, D)
    - params: W_xh1 (D, H1), W_hh1 (H1, H1), b_h1 (H1,), W_xh2 (H1, H2),
      W_hh2 (H2, H2), b_h2 (H2,), W_hq (H2, Q), b_q (Q,)
    - h1_0: (N, H1), h2_0: (N, H2) initial states, zeros if None
    - activation: "relu" or "tanh" (both layers)

    Returns (P, cache):
    - P: (T, N, Q)
    - cache: X, h1_0, h2_0, h1_netIn, h1 (T, N, H1), h2_netIn, h2 (T, N, H2), o, p (T, N, Q),
      activation (the string given)
    """
    check_activation("rnn2_forward", activation)
    s = Shapes("rnn2_forward")
    X = s.array("X", X, "T N D")
    p = check_params("rnn2_forward", params, s, PARAM_SPECS)
    T, N, _ = X.shape
    H1, H2 = s.dims["H1"], s.dims["H2"]
    h1_0 = np.zeros((N, H1)) if h1_0 is None else s.array("h1_0", h1_0, "N H1")
    h2_0 = np.zeros((N, H2)) if h2_0 is None else s.array("h2_0", h2_0, "N H2")
    # Layer 1's input term for every step in one BLAS call.
    h1_netIn, h1 = (X.reshape(T * N, -1) @ p["W_xh1"] + p["b_h1"]).reshape(T, N, H1), np.empty((T, N, H1))
    h2_netIn, h2 = np.empty((T, N, H2)), np.empty((T, N, H2))
    prev1, prev2 = h1_0, h2_0
    for t in range(T):
        h1_netIn[t] += prev1 @ p["W_hh1"]
        h1[t] = prev1 = phi(h1_netIn[t], activation)
        h2_netIn[t] = h1[t] @ p["W_xh2"] + prev2 @ p["W_hh2"] + p["b_h2"]
        h2[t] = prev2 = phi(h2_netIn[t], activation)
    o = h2 @ p["W_hq"] + p["b_q"]
    P = softmax(o)
    return P, Rnn2Cache(X=X, h1_0=h1_0, h2_0=h2_0, h1_netIn=h1_netIn, h1=h1,
                        h2_netIn=h2_netIn, h2=h2, o=o, p=P, activation=activation)


def dh1_t(dhraw2_t: ArrayLike, dhraw1_next: ArrayLike, W_xh2: ArrayLike, W_hh1: ArrayLike) -> Array:
    """Gradient at h1_t: from layer 2 above and from layer 1's future step.

    h1_t feeds h2_netIn_t (through W_xh2) and h1_netIn_{t+1} (through W_hh1):
    dh1_t = dhraw2_t @ W_xh2.T + dhraw1_{t+1} @ W_hh1.T  (second term 0 at t = T-1).
    Inputs: dhraw2_t (N, H2); dhraw1_next (N, H1); W_xh2 (H1, H2); W_hh1 (H1, H1).
    Returns: (N, H1).
    """
    s = Shapes("dh1_t")
    dhraw2_t = s.array("dhraw2_t", dhraw2_t, "N H2")
    dhraw1_next = s.array("dhraw1_next", dhraw1_next, "N H1")
    W_xh2 = s.array("W_xh2", W_xh2, "H1 H2")
    W_hh1 = s.array("W_hh1", W_hh1, "H1 H1")
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1.T


def rnn2_backward(Y: ArrayLike, params: Mapping[str, ArrayLike], cache: Mapping[str, object],
                  activation: str = "relu", carry1: ArrayLike | None = None,
                  carry2: ArrayLike | None = None) -> dict[str, Array]:
    """Full BPTT through both layers.

    Inputs: Y (T, N) int targets; params and cache as for rnn2_forward; activation;
    carry1, carry2: optional (T,) multipliers of the gradient each layer passes
    back to its previous step, as in rnn.rnn_backward (None: all ones).
    Returns: dict with all eight parameter gradients W_xh1, W_hh1, b_h1, W_xh2,
    W_hh2, b_h2, W_hq, b_q (shapes as the parameters).
    """
    check_activation("rnn2_backward", activation)
    s = Shapes("rnn2_backward")
    # The cache first: it holds what the forward pass really computed.
    cache = check_cache("rnn2_backward", cache, s, CACHE_SPECS, activation=activation)
    p = check_params("rnn2_backward", params, s, PARAM_SPECS)
    P, h1, h2 = cache["p"], cache["h1"], cache["h2"]
    T, N, Q = P.shape
    Y = s.labels("Y", Y, "T N", Q)
    carry1 = None if carry1 is None else s.array("carry1", carry1, "T")
    carry2 = None if carry2 is None else s.array("carry2", carry2, "T")
    # Validated once above; the loop applies the local rules (dy_t, dh_t, dhraw_t, dh1_t)
    # on the validated arrays, with every step-independent term computed for all t at once.
    dy = output_gradients(P, Y)
    dh2_out = (dy.reshape(T * N, Q) @ p["W_hq"].T).reshape(h2.shape)
    dphi1 = phi_prime(cache["h1_netIn"], h1, activation)
    dphi2 = phi_prime(cache["h2_netIn"], h2, activation)
    W_hh1T, W_hh2T = np.ascontiguousarray(p["W_hh1"].T), np.ascontiguousarray(p["W_hh2"].T)
    W_xh2T = np.ascontiguousarray(p["W_xh2"].T)
    dhraw1, dhraw2 = np.empty_like(h1), np.empty_like(h2)
    next1: Array | None = None    # dhraw1_{t+1}, dhraw2_{t+1} as seen from step t (scaled by carry)
    next2: Array | None = None
    for t in reversed(range(T)):
        dh2 = dh2_out[t] if next2 is None else dh2_out[t] + next2 @ W_hh2T
        np.multiply(dh2, dphi2[t], out=dhraw2[t])
        dh1 = dhraw2[t] @ W_xh2T
        if next1 is not None:
            dh1 += next1 @ W_hh1T
        np.multiply(dh1, dphi1[t], out=dhraw1[t])
        next1 = dhraw1[t] if carry1 is None else carry1[t] * dhraw1[t]
        next2 = dhraw2[t] if carry2 is None else carry2[t] * dhraw2[t]
    return {
        "W_xh1": _sum_outer(cache["X"], dhraw1),
        "W_hh1": cache["h1_0"].T @ dhraw1[0] + _sum_outer(h1[:-1], dhraw1[1:]),
        "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": _sum_outer(h1, dhraw2),
        "W_hh2": cache["h2_0"].T @ dhraw2[0] + _sum_outer(h2[:-1], dhraw2[1:]),
        "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": _sum_outer(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
