"""Three correct implementations of notebook 04's bptt_truncated / bptt_randomized / clip_gradients.

The solution of the source notebook (sums over time as one reshaped product), a rewrite whose
sums are einsums (tanh' from h_netIn) and an explicit loop over steps and rows:
all agree with the reference to rounding, and differ in the last digits, which a long training
run amplifies. Experiment 3's text states what every one of them reproduces
(tests/test_long_histories.py runs the experiment with them).
"""
import json

import numpy as np

from tools.factory import SOURCE_DIR, _nbgrader, _source

STEM = "04_long_histories"


def solution():
    """(bptt_truncated, bptt_randomized, clip_gradients) from the source notebook's solution cells."""
    ns = {"np": np}
    nb = json.loads((SOURCE_DIR / f"{STEM}.ipynb").read_text())
    for cell in nb["cells"]:
        if _nbgrader(cell).get("solution") and cell["cell_type"] == "code":    # not the written answers
            exec(_source(cell), ns)
    return ns["bptt_truncated"], ns["bptt_randomized"], ns["clip_gradients"]


def _einsum_carry(Y, params, cache, carry, activation):
    X, h, P = cache["X"], cache["h"], cache["p"]
    T, N, H = h.shape
    dy = P.copy()
    np.put_along_axis(dy, Y[..., None], np.take_along_axis(P, Y[..., None], axis=-1) - 1.0, axis=-1)
    dy = dy / (T * N)
    dphi = (cache["h_netIn"] > 0).astype(float) if activation == "relu" else 1.0 - np.tanh(cache["h_netIn"]) ** 2
    dhraw = np.zeros_like(h)
    nxt = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh = dy[t] @ params["W_hq"].T + nxt @ params["W_hh"].T
        dhraw[t] = dh * dphi[t]
        nxt = carry[t] * dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {"W_xh": np.einsum("tnd,tnh->dh", X, dhraw), "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
            "b_h": np.einsum("tnh->h", dhraw), "W_hq": np.einsum("tnh,tnq->hq", h, dy),
            "b_q": np.einsum("tnq->q", dy)}


def _loop_carry(Y, params, cache, carry, activation):
    X, h, P = cache["X"], cache["h"], cache["p"]
    T, N, H = h.shape
    grads = {k: np.zeros_like(v, dtype=float) for k, v in params.items()}
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        prev = cache["h0"] if t == 0 else h[t - 1]
        dhraw_t = np.zeros((N, H))
        for n in range(N):
            dy = P[t, n].copy()
            dy[Y[t, n]] -= 1.0
            dy /= T * N
            grads["W_hq"] += np.outer(h[t, n], dy)
            grads["b_q"] += dy
            dh = params["W_hq"] @ dy + params["W_hh"] @ nxt[n]
            d = (cache["h_netIn"][t, n] > 0) if activation == "relu" else 1.0 - h[t, n] ** 2
            dhraw_t[n] = dh * d
            grads["W_xh"] += np.outer(X[t, n], dhraw_t[n])
            grads["W_hh"] += np.outer(prev[n], dhraw_t[n])
            grads["b_h"] += dhraw_t[n]
        nxt = carry[t] * dhraw_t
    return grads


def _wrap(carry_fn):
    def bptt_truncated(Y, params, cache, k, activation="relu"):
        carry = np.ones(cache["h"].shape[0])
        carry[k::k] = 0.0
        return carry_fn(np.asarray(Y), params, cache, carry, activation)

    def bptt_randomized(Y, params, cache, xi, activation="relu"):
        return carry_fn(np.asarray(Y), params, cache, np.asarray(xi, dtype=float), activation)

    def clip_gradients(grads, max_norm):
        norm = np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))
        scale = max_norm / norm if norm > max_norm else 1.0
        return {k: np.array(g, dtype=float) * scale for k, g in grads.items()}, norm

    return bptt_truncated, bptt_randomized, clip_gradients


IMPLEMENTATIONS = {"solution": solution, "einsum": lambda: _wrap(_einsum_carry), "loop": lambda: _wrap(_loop_carry)}
