"""Given code for the visible tests of 04_long_histories.ipynb: read it, do not edit it (no points).

    truncated_loss(X, Y, params, h0, h_frozen, k, activation)

The loss whose exact gradient regular truncation computes. The visible tests of
bptt_truncated and bptt_randomized differentiate it by finite differences and
compare with your functions. It is imported only inside those test cells: a
graded function that calls it (or anything else of the given code) earns 0 for
its unit.
"""
import numpy as np

from bptt_tools import rnn_forward


def truncated_loss(X, Y, params, h0, h_frozen, k, activation="relu"):
    """Mean cross-entropy of the chunks [0, k), [k, 2k), ..., each run from a frozen start state.

    Inputs:
    - X: (T, N, D) inputs; Y: (T, N) int targets
    - params: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,)
    - h0: (N, H) the initial state h_{-1} (where the first chunk starts)
    - h_frozen: (T, N, H) cache["h"] of the real forward pass; chunk [c, c+k) starts from
      h_frozen[c-1], a constant that does not change when params change
    - k: chunk length, a positive integer
    - activation: "relu" or "tanh"
    Returns: a float. Its value equals rnn_loss (the forward pass is the same); only its
    derivative differs: no gradient reaches a state before a chunk's start.
    """
    T, N = np.shape(Y)
    total = 0.0
    for c in range(0, T, k):
        start = h0 if c == 0 else h_frozen[c - 1]
        P, _ = rnn_forward(X[c:c + k], params, start, activation)
        total += np.sum(np.log(np.take_along_axis(P, np.asarray(Y)[c:c + k, :, None], axis=-1)))
    return float(-total / (T * N))
