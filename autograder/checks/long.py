"""Graded units of 04_long_histories: regular and randomized truncation, clipping."""
import numpy as np

from .. import reference as R
from .base import Case, Unit
from .rnn import GRAD_KEYS, backward_mistakes, rnn_problem

NOTEBOOK = "04_long_histories"
DIMS = ("T", "N", "D", "H", "Q", "k", "activation")


def _pick(g):
    return {k: g[k] for k in GRAD_KEYS}


def _bptt_truncated(rng, d):
    params, X, Y, cache, act = rnn_problem(rng, d)
    T, k = d["T"], d["k"]
    carry = R.regular_carry(T, k)
    shifted = np.ones(T)
    shifted[k - 1::k] = 0.0          # cut one step early
    from_end = np.ones(T)
    from_end[[t for t in range(1, T) if (T - t) % k == 0]] = 0.0  # chunks counted from the end
    back = lambda c: _pick(R.rnn_backward(Y, params, cache, act, carry=c))  # noqa: E731
    return Case((Y, params, cache, k, act), back(carry), d, [
        ("is the full gradient: the gradient must not cross a chunk boundary (t = k, 2k, ...).", back(np.ones(T))),
        ("cuts the gradient one step early: chunks are [0, k), [k, 2k), ..., so the cut is between steps k-1 and k.",
         back(shifted)),
        ("counts the chunks from the end of the sequence; they start at t = 0.", back(from_end)),
    ] + backward_mistakes(params, Y, cache, act, R.rnn_backward))


def _xi(rng, T):
    xi = np.where(rng.random(T) < 0.5, 2.0, 0.0)
    xi[1], xi[2] = 0.0, 2.0          # both outcomes always appear
    return xi


def _bptt_randomized(rng, d):
    params, X, Y, cache, act = rnn_problem(rng, d)
    T = d["T"]
    xi = _xi(rng, T)
    back = lambda c: _pick(R.rnn_backward(Y, params, cache, act, carry=c))  # noqa: E731
    mask = (xi > 0).astype(float)
    return Case((Y, params, cache, xi, act), back(xi), d, [
        ("ignores xi: this is the full gradient.", back(np.ones(T))),
        ("uses xi as a 0/1 mask: the surviving gradient must be scaled by xi (= 1/pi) to stay unbiased.", back(mask)),
        ("applies xi one step late: xi[t] scales the gradient passed from step t back to step t-1.",
         back(np.r_[1.0, xi[:-1]])),
        ("applies xi one step early: xi[t] scales the gradient passed from step t back to step t-1.",
         back(np.r_[xi[1:], 1.0])),
    ] + backward_mistakes(params, Y, cache, act, R.rnn_backward))


def _clip_gradients(rng, d):
    H, D, Q = d["H"], d["D"], d["Q"]
    shapes = dict(W_xh=(D, H), W_hh=(H, H), b_h=(H,), W_hq=(H, Q), b_q=(Q,))
    grads = {k: rng.standard_normal(s) for k, s in shapes.items()}
    norm = R.global_norm(grads)
    # The last case is under the threshold: clipping must leave it unchanged.
    max_norm = norm * (2.0 if d["seed"] == 303 else 0.4)
    clipped, n = R.clip_grad_norm(grads, max_norm)
    entry = R.clip_grad_value(grads, max_norm)
    per_array = {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}
    return Case((grads, max_norm), (clipped, np.float64(n)), d, [
        ("clips each entry to [-max_norm, max_norm] (min-char-rnn's np.clip); scale by the global norm instead.",
         (entry, np.float64(n))),
        ("clips each array by its own norm; the norm is taken over all gradients together.",
         (per_array, np.float64(n))),
        ("returns the norm after clipping; return the norm before clipping.",
         (clipped, np.float64(min(n, max_norm)))),
        ("always rescales to max_norm, even when the norm is already smaller.",
         ({k: g * max_norm / n for k, g in grads.items()}, np.float64(n))),
    ])


UNITS = [
    Unit("bptt_truncated", NOTEBOOK, "bptt_truncated(Y, params, cache, k, activation)", _bptt_truncated,
         dims_used=DIMS),
    Unit("bptt_randomized", NOTEBOOK, "bptt_randomized(Y, params, cache, xi, activation)", _bptt_randomized,
         dims_used=DIMS),
    Unit("clip_gradients", NOTEBOOK, "clip_gradients(grads, max_norm)", _clip_gradients,
         dims_used=("D", "H", "Q")),
]
