"""Given code for the visible tests of 04_long_histories.ipynb: read it, do not edit it (no points).

    truncated_loss(X, Y, params, h0, h_frozen, k, activation)
    why_steps(bptt, extra, k, activation, T)     (when a visible test fails: at which steps)

The loss whose exact gradient regular truncation computes. The visible tests of
bptt_truncated and bptt_randomized differentiate it by finite differences and
compare with your functions. It is imported only inside those test cells: a
graded function that calls it (or anything else of the given code) earns 0 for
its unit.
"""
import numpy as np

from bptt_tools import numerical_gradient, phi, rel_error, rnn_forward, softmax


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


def _truncated_nudged_loss(X, Y, params, h0, h_frozen, k, activation, t, nudge):
    """truncated_loss with `nudge` added to the pre-activation h_netIn of step t."""
    T, N = np.shape(Y)
    total = 0.0
    for c in range(0, T, k):
        h_prev = h0 if c == 0 else h_frozen[c - 1]
        for s in range(c, min(c + k, T)):
            z = X[s] @ params["W_xh"] + h_prev @ params["W_hh"] + params["b_h"] + (nudge if s == t else 0.0)
            h_prev = phi(z, activation)
            o = h_prev @ params["W_hq"] + params["b_q"]
            total -= np.sum(np.log(softmax(o)[np.arange(N), np.asarray(Y)[s]]))
    return float(total / (T * N))


def why_steps(bptt, extra, k, activation, T, N=2, H=4, Q=6, seed=0):
    """When a visible test of bptt_truncated or bptt_randomized fails: at which steps your gradient at h_netIn_t is wrong.

    - bptt: your function; extra: its k or xi argument; k: the chunk length whose truncated_loss
      it should differentiate (k >= T: the full loss); activation; T: the length extra is for
    Runs bptt on a problem whose inputs X[t] are blocks of the identity (D = T*N), so that the
    rows of block t of your dW_xh are exactly the gradient at h_netIn_t your loop used, and compares each with
    finite differences of truncated_loss at that step's pre-activation. Returns '' or ': ...'.
    """
    rng = np.random.default_rng(seed)
    D = T * N
    params = dict(W_xh=rng.standard_normal((D, H)) * 0.5, W_hh=rng.standard_normal((H, H)) * 0.5,
                  b_h=rng.standard_normal(H) * 0.2, W_hq=rng.standard_normal((H, Q)) * 0.5,
                  b_q=rng.standard_normal(Q) * 0.2)
    X = np.zeros((T, N, D))
    for t in range(T):
        X[t, np.arange(N), t * N + np.arange(N)] = 1.0
    Y, h0 = rng.integers(0, Q, (T, N)), rng.standard_normal((N, H)) * 0.5
    _, cache = rnn_forward(X, params, h0, activation)
    try:
        W_xh = np.asarray(bptt(Y, params, cache, extra, activation)["W_xh"], dtype=np.float64)
    except Exception:  # noqa: BLE001 -- the test's own message says what went wrong
        return ""
    if W_xh.shape != (D, H):
        return ""
    wrong = []
    for t in range(T):
        nudge = np.zeros((N, H))
        fd = numerical_gradient(lambda t=t, n=nudge: _truncated_nudged_loss(X, Y, params, h0, cache["h"], k, activation, t, n),
                                nudge)
        if rel_error(W_xh[t * N:(t + 1) * N], fd) > 1e-5:
            wrong.append(t)
    if not wrong:
        return (": your gradient at h_netIn_t is right at every step, so the mistake is in how the parameter gradients "
                "are summed from it")
    last = max(wrong)
    after = f"; it is right at every step after t = {last}, so the mistake enters at step t = {last}" if last < T - 1 else \
        f"; it is wrong already at the last step, t = {T - 1}, where no gradient comes from the future"
    return (f": your gradient at h_netIn_t (read from your dW_xh on inputs that keep the steps apart) differs from finite "
            f"differences at t = {', '.join(map(str, wrong))}{after}")
