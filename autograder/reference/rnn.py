"""One-hidden-layer RNN (ReLU or tanh) with a softmax output at every step (docs/math.md).

Time-major: X is (T, N, D), step t is X[t]. With h_{-1} = h0:
    h_netIn_t = X[t] @ W_xh + h_{t-1} @ W_hh + b_h      (N, H)
    h_t       = phi(h_netIn_t)                          (N, H)
    o_t       = h_t @ W_hq + b_q                        (N, Q)
    p_t       = softmax(o_t)                            (N, Q)
    loss      = mean over all T*N predictions of -log p_t[n, Y[t, n]]
                (+ reg/2 * (|W_xh|^2 + |W_hh|^2 + |W_hq|^2) when reg > 0)

Backward: each local rule is one function below; rnn_backward runs them from
t = T-1 down to 0, carrying dhraw_{t+1} (the gradient arriving from the future
step) into dh_t.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .functional import cross_entropy_from_logits, one_hot, phi, phi_prime, softmax
from .validate import ACTIVATIONS, Array, Shapes, check_activation, check_dict

PARAM_SPECS = {"W_xh": "D H", "W_hh": "H H", "b_h": "H", "W_hq": "H Q", "b_q": "Q"}
# The cache entries rnn_backward reads (rnn_forward also stores o).
CACHE_SPECS = {"X": "T N D", "h0": "N H", "h_netIn": "T N H", "h": "T N H", "p": "T N Q"}
WEIGHTS = ("W_xh", "W_hh", "W_hq")


class RnnCache(TypedDict):
    """What rnn_forward records: the arrays rnn_backward reads, o, and the activation used."""
    X: Array          # (T, N, D)
    h0: Array         # (N, H)
    h_netIn: Array    # (T, N, H)
    h: Array          # (T, N, H)
    o: Array          # (T, N, Q)
    p: Array          # (T, N, Q)
    activation: str


def check_params(where: str, params: Mapping[str, ArrayLike], s: Shapes,
                 specs: Mapping[str, str] = PARAM_SPECS) -> dict[str, Array]:
    return check_dict(where, "params", params, specs, s)


# A cache is read as Mapping[str, object]: it holds arrays and the activation's name, and a
# TypedDict such as RnnCache is a Mapping[str, object] (not a Mapping of arrays).
def check_cache(where: str, cache: Mapping[str, object], s: Shapes, specs: Mapping[str, str] = CACHE_SPECS,
                activation: str | None = None) -> dict[str, Array]:
    """The cache's arrays; with `activation`, also refuses a cache made with another one."""
    arrays = check_dict(where, "cache", cache, specs, s)
    if activation is not None:
        check_recorded_activation(where, cache, activation)
    return arrays


def check_recorded_activation(where: str, cache: Mapping[str, object], activation: str) -> None:
    """ValueError if the forward pass recorded an activation other than `activation`.

    A cache without the entry (built by hand) is accepted: there is nothing to compare.
    """
    recorded = cache.get("activation")
    if recorded is None or recorded == activation:
        return
    if recorded not in ACTIVATIONS:
        raise ValueError(f"{where}: cache['activation'] must be one of {', '.join(map(repr, ACTIVATIONS))}, "
                         f"got {recorded!r}")
    raise ValueError(f"{where}: activation {activation!r} does not match the forward pass, which used "
                     f"{recorded!r} (cache['activation']); pass activation={recorded!r}")


def _sum_outer(A: Array, B: Array) -> Array:
    """sum_t A[t].T @ B[t] for A (T, N, I), B (T, N, J): one BLAS matmul over all T*N rows."""
    return A.reshape(-1, A.shape[-1]).T @ B.reshape(-1, B.shape[-1])


def sequence_length(where: str, cache: object) -> int:
    """T of a forward cache, or a ValueError naming the argument."""
    if not isinstance(cache, Mapping) or "h" not in cache:
        raise ValueError(f"{where}: cache must be the dict returned by the forward pass (with key 'h')")
    return int(Shapes(where).array("cache['h']", cache["h"], "T N H").shape[0])


def rnn_forward(X: ArrayLike, params: Mapping[str, ArrayLike], h0: ArrayLike | None = None,
                activation: str = "relu") -> tuple[Array, RnnCache]:
    """Forward pass over the whole sequence.

    Inputs:
    - X: (T, N, D) input sequence
    - params: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,)
    - h0: (N, H) initial state, zeros if None
    - activation: "relu" or "tanh"

    Returns (P, cache):
    - P: (T, N, Q) softmax outputs p_t
    - cache: an RnnCache (a dict) with X (T, N, D), h0 (N, H), h_netIn (T, N, H), h (T, N, H),
      o (T, N, Q), p (T, N, Q), and activation (the string given)
    """
    P, cache, _ = _forward("rnn_forward", X, params, h0, activation)
    return P, cache


def _forward(where: str, X: ArrayLike, params: Mapping[str, ArrayLike], h0: ArrayLike | None,
             activation: str) -> tuple[Array, RnnCache, dict[str, Array]]:
    """rnn_forward's work, also returning the validated float64 params (for the L2 term)."""
    check_activation(where, activation)
    s = Shapes(where)
    X = s.array("X", X, "T N D")
    p = check_params(where, params, s)
    h0 = np.zeros((s.dims["N"], s.dims["H"])) if h0 is None else s.array("h0", h0, "N H")
    T, N, D = X.shape
    H = s.dims["H"]
    # The input term of every step in one BLAS call; only h_{t-1} @ W_hh must wait for the loop.
    h_netIn = (X.reshape(T * N, D) @ p["W_xh"] + p["b_h"]).reshape(T, N, H)
    h = np.empty_like(h_netIn)
    h_prev = h0
    for t in range(T):
        h_netIn[t] += h_prev @ p["W_hh"]
        h[t] = phi(h_netIn[t], activation)
        h_prev = h[t]
    o = h @ p["W_hq"] + p["b_q"]
    P = softmax(o)
    # The activation is recorded so that a backward pass with another one is refused.
    return P, RnnCache(X=X, h0=h0, h_netIn=h_netIn, h=h, o=o, p=P, activation=activation), p


def rnn_loss(X: ArrayLike, Y: ArrayLike, params: Mapping[str, ArrayLike], h0: ArrayLike | None = None,
             activation: str = "relu", reg: float = 0.0) -> float:
    """Mean cross-entropy over all T*N predictions, plus reg/2 times the squared weights."""
    _, cache, p = _forward("rnn_loss", X, params, h0, activation)
    T, N, Q = cache["o"].shape
    s = Shapes("rnn_loss", T=T, N=N)
    Y = s.labels("Y", Y, "T N", Q)
    reg = s.scalar("reg", reg, minimum=0.0)
    # On the validated float64 params, never the caller's lists or int/float32 arrays.
    penalty = 0.5 * reg * sum(np.sum(p[w] ** 2) for w in WEIGHTS)
    return cross_entropy_from_logits(cache["o"], Y) + float(penalty)


# ---- local rules, one per derivative in docs/math.md -------------------------------

def dy_t(p_t: ArrayLike, y_t: ArrayLike, T: int) -> Array:
    """Gradient at the output logits o_t of one step (the lecture's `dy`).

    Each of the T*N predictions carries weight 1/(T*N) in the mean loss.
    Inputs: p_t (N, Q) softmax output at step t; y_t (N,) int targets; T steps.
    Returns: (N, Q) equal to (p_t - one_hot(y_t)) / (T*N).
    """
    s = Shapes("dy_t")
    p_t = s.array("p_t", p_t, "N Q")
    y_t = s.labels("y_t", y_t, "N", s.dims["Q"])
    T = s.integer("T", T)
    dy: Array = (p_t - one_hot(y_t, p_t.shape[1])) / (T * p_t.shape[0])
    return dy


def dW_hq(h: ArrayLike, dy: ArrayLike) -> Array:
    """Output weights, summed over time: sum_t h_t.T @ dy_t.

    Inputs: h (T, N, H) hidden states; dy (T, N, Q) output gradients.  Returns: (H, Q).
    """
    s = Shapes("dW_hq")
    h = s.array("h", h, "T N H")
    dy = s.array("dy", dy, "T N Q")
    return _sum_outer(h, dy)


def db_q(dy: ArrayLike) -> Array:
    """Output bias: dy summed over time and batch.  dy (T, N, Q) -> (Q,)."""
    summed: Array = Shapes("db_q").array("dy", dy, "T N Q").sum(axis=(0, 1))
    return summed


def dh_t(dy_t: ArrayLike, dhraw_next: ArrayLike, W_hq: ArrayLike, W_hh: ArrayLike) -> Array:
    """Gradient at h_t: from this step's output and from the future step.

    h_t feeds o_t (through W_hq) and h_netIn_{t+1} (through W_hh), so
    dh_t = dy_t @ W_hq.T + dhraw_{t+1} @ W_hh.T, with dhraw_T = 0 at the last step.
    Inputs: dy_t (N, Q); dhraw_next (N, H) = dhraw_{t+1}; W_hq (H, Q); W_hh (H, H).
    Returns: (N, H).
    """
    s = Shapes("dh_t")
    dy_t = s.array("dy_t", dy_t, "N Q")
    dhraw_next = s.array("dhraw_next", dhraw_next, "N H")
    W_hq = s.array("W_hq", W_hq, "H Q")
    W_hh = s.array("W_hh", W_hh, "H H")
    return dy_t @ W_hq.T + dhraw_next @ W_hh.T


def dhraw_t(dh_t: ArrayLike, h_netIn_t: ArrayLike, h_t: ArrayLike, activation: str = "relu") -> Array:
    """Through the activation: dh_t * phi'(h_netIn_t).

    ReLU: phi' = (h_netIn_t > 0). tanh: phi' = 1 - h_t**2 (the output, not the input).
    Inputs: dh_t, h_netIn_t, h_t all (N, H); activation "relu" or "tanh".  Returns: (N, H).
    """
    check_activation("dhraw_t", activation)
    s = Shapes("dhraw_t")
    dh_t = s.array("dh_t", dh_t, "N H")
    h_netIn_t = s.array("h_netIn_t", h_netIn_t, "N H")
    h_t = s.array("h_t", h_t, "N H")
    return dh_t * phi_prime(h_netIn_t, h_t, activation)


def dW_hh(h_prev: ArrayLike, dhraw: ArrayLike) -> Array:
    """Recurrent weights, summed over time: sum_t h_{t-1}.T @ dhraw_t.

    Inputs: h_prev (T, N, H) with h_prev[t] = h_{t-1} (h_prev[0] = h0); dhraw (T, N, H).
    Returns: (H, H).
    """
    s = Shapes("dW_hh")
    h_prev = s.array("h_prev", h_prev, "T N H")
    dhraw = s.array("dhraw", dhraw, "T N H")
    return _sum_outer(h_prev, dhraw)


def dW_xh(X: ArrayLike, dhraw: ArrayLike) -> Array:
    """Input weights, summed over time: sum_t X[t].T @ dhraw_t.

    Inputs: X (T, N, D); dhraw (T, N, H).  Returns: (D, H).
    """
    s = Shapes("dW_xh")
    X = s.array("X", X, "T N D")
    dhraw = s.array("dhraw", dhraw, "T N H")
    return _sum_outer(X, dhraw)


def db_h(dhraw: ArrayLike) -> Array:
    """Hidden bias: dhraw summed over time and batch.  dhraw (T, N, H) -> (H,)."""
    summed: Array = Shapes("db_h").array("dhraw", dhraw, "T N H").sum(axis=(0, 1))
    return summed


def dX(dhraw: ArrayLike, W_xh: ArrayLike) -> Array:
    """Inputs, every step: dhraw_t @ W_xh.T.  dhraw (T, N, H); W_xh (D, H) -> (T, N, D).

    What an RNN stacked under this one (or an embedding) receives as its upstream gradient.
    """
    s = Shapes("dX")
    dX_: Array = s.array("dhraw", dhraw, "T N H") @ s.array("W_xh", W_xh, "D H").T
    return dX_


def dh0(dhraw_0: ArrayLike, W_hh: ArrayLike) -> Array:
    """Initial state: dhraw_0 @ W_hh.T.  dhraw_0 (N, H); W_hh (H, H) -> (N, H)."""
    s = Shapes("dh0")
    return s.array("dhraw_0", dhraw_0, "N H") @ s.array("W_hh", W_hh, "H H").T


# ---- the BPTT loop ---------------------------------------------------------------

def rnn_backward(Y: ArrayLike, params: Mapping[str, ArrayLike], cache: Mapping[str, object],
                 activation: str = "relu", reg: float = 0.0, carry: ArrayLike | None = None) -> dict[str, Array]:
    """Backpropagation through time, composed from the local rules above.

    Inputs:
    - Y: (T, N) int targets
    - params: as for rnn_forward
    - cache: from rnn_forward (same activation)
    - activation: "relu" or "tanh"
    - reg: L2 strength on W_xh, W_hh, W_hq
    - carry: (T,) multipliers, or None for all ones (full computation). carry[t]
      scales the gradient that flows from step t back into h_{t-1} through W_hh:
      0 cuts it (truncation), 1/pi rescales it (randomized truncation). carry[0]
      scales the gradient into h0.

    Returns: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,), h0 (N, H).
    """
    check_activation("rnn_backward", activation)
    s = Shapes("rnn_backward")
    # The cache first: it holds what the forward pass really computed.
    c = check_cache("rnn_backward", cache, s, activation=activation)
    p = check_params("rnn_backward", params, s)
    Y = s.labels("Y", Y, "T N", s.dims["Q"])
    reg = s.scalar("reg", reg, minimum=0.0)
    carry = None if carry is None else s.array("carry", carry, "T")
    g = bptt_kernel(Y, p, c, activation, carry)
    for w in WEIGHTS:
        g[w] = g[w] + reg * p[w]
    return g


def output_gradients(P: Array, Y: NDArray[np.int64]) -> Array:
    """dy for every step at once: (P - one_hot(Y)) / (T*N), exactly dy_t's values.  (T, N, Q)."""
    T, N, Q = P.shape
    dy = P.copy()
    dy.reshape(T * N, Q)[np.arange(T * N), Y.reshape(-1)] -= 1.0
    dy /= T * N
    return dy


def bptt_kernel(Y: NDArray[np.int64], p: Mapping[str, Array], c: Mapping[str, Array], activation: str,
                carry: Array | None = None) -> dict[str, Array]:
    """rnn_backward without validation or reg: the local rules, vectorised over time where they can be.

    Only dh_t's future term (dhraw_{t+1} @ W_hh.T) needs the loop; dy_t, the output
    term dy_t @ W_hq.T and phi'(h_netIn_t) are computed for all steps at once, and
    the parameter gradients are single matmuls over all T*N rows. Inputs are the
    validated float64 arrays of rnn_backward; returns the same dict (reg = 0).
    """
    h, P, X = c["h"], c["p"], c["X"]
    T, N, H = h.shape
    dy = output_gradients(P, Y)
    dh_out = (dy.reshape(T * N, -1) @ p["W_hq"].T).reshape(T, N, H)
    dphi = phi_prime(c["h_netIn"], h, activation)
    W_hhT = np.ascontiguousarray(p["W_hh"].T)
    dhraw = np.empty_like(h)
    from_future: Array | None = None   # dhraw_{t+1} as seen from step t, already scaled by carry[t+1]
    for t in reversed(range(T)):
        dh = dh_out[t] if from_future is None else dh_out[t] + from_future @ W_hhT
        np.multiply(dh, dphi[t], out=dhraw[t])
        from_future = dhraw[t] if carry is None else carry[t] * dhraw[t]
    assert from_future is not None     # T >= 1: Shapes refuses an empty cache['h']
    return {
        "W_xh": _sum_outer(X, dhraw),
        "W_hh": c["h0"].T @ dhraw[0] + _sum_outer(h[:-1], dhraw[1:]),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": _sum_outer(h, dy),
        "b_q": dy.sum(axis=(0, 1)),
        "h0": from_future @ W_hhT,
    }
