"""Blind answers for notebook 03 (two-layer RNN): one entry per answer, written as a student would.

Each entry: id, unit, kind ("wrong" or "correct"), cause (one sentence), cause_words
(regular expressions; any one of them in the unit's feedback shows the cause was named),
source (the student's whole function, replacing the unit's function in its solution cell).
"""

_HEAD = '''
    if activation == "relu":
        dphi = lambda netIn, out: netIn > 0
    elif activation == "tanh":
        dphi = lambda netIn, out: 1.0 - out ** 2
    else:
        raise ValueError(f"rnn2_backward: unknown activation {activation!r}")
'''

ENTRIES = [
    # ---- dh1_t -----------------------------------------------------------------------
    dict(
        id="dh1_t-W_xh2-not-transposed",
        unit="dh1_t",
        kind="wrong",
        cause="The path from layer 2 uses W_xh2 instead of W_xh2.T, which does not fit the shapes (H1 differs from H2).",
        cause_words=[r"W_xh2\.T|W_xh2\^T|W_xh2 transpos", r"transpos"],
        source='''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2 + dhraw1_next @ W_hh1.T
''',
    ),
    dict(
        id="dh1_t-future-without-W_hh1",
        unit="dh1_t",
        kind="wrong",
        cause="Adds dhraw1_next itself; the future term must pass through layer 1's recurrent weights, dhraw1_next @ W_hh1.T.",
        cause_words=[r"W_hh1", r"recurrent weights|through the weights|without (the )?weights"],
        source='''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    from_above = dhraw2_t @ W_xh2.T
    return from_above + dhraw1_next
''',
    ),
    dict(
        id="dh1_t-missing-future-path",
        unit="dh1_t",
        kind="wrong",
        cause="Only the path from layer 2 is kept; the gradient from the future step, dhraw1_next @ W_hh1.T, is missing.",
        cause_words=[r"future|next step|dhraw1_next", r"through time|recurren"],
        source='''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return np.dot(dhraw2_t, W_xh2.T)
''',
    ),
    dict(
        id="dh1_t-column-form",
        unit="dh1_t",
        kind="correct",
        cause="Written in the notes' column-vector form and transposed back.",
        cause_words=[],
        source='''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    col = W_xh2 @ dhraw2_t.T + W_hh1 @ dhraw1_next.T     # (H1, N)
    return col.T
''',
    ),
    # ---- rnn2_backward ---------------------------------------------------------------
    dict(
        id="rnn2_backward-dh1-from-dh2",
        unit="rnn2_backward",
        kind="wrong",
        cause="dh1_t receives dh2 (layer 2's gradient before its activation derivative) instead of dhraw2_t.",
        cause_words=[r"\bdh2\b|before (the |layer 2'?s )?(activation|derivative|phi)", r"dhraw2"],
        source='''
def rnn2_backward(Y, params, cache, activation):''' + _HEAD + '''
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dh2, next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": ts(h1, dhraw2), "W_hh2": ts(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-dy-not-normalised",
        unit="rnn2_backward",
        kind="wrong",
        cause="dy is P - one_hot(Y) without the division by T*N of the mean.",
        cause_words=[r"T ?\* ?N|\bTN\b", r"normali[sz]|mean|averag"],
        source='''
def rnn2_backward(Y, params, cache, activation):''' + _HEAD + '''
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = P - np.eye(Q)[Y]
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": ts(h1, dhraw2), "W_hh2": ts(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-carries-dh",
        unit="rnn2_backward",
        kind="wrong",
        cause="Both layers carry dh (the gradient at the state, before the activation derivative) to the previous step instead of dhraw.",
        cause_words=[r"\bdh[12]?\b|before the activation", r"carr(y|ies|ied)"],
        source='''
def rnn2_backward(Y, params, cache, activation):''' + _HEAD + '''
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dh1, dh2
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": ts(h1, dhraw2), "W_hh2": ts(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-forward-loop",
        unit="rnn2_backward",
        kind="wrong",
        cause="The loop runs forwards in time (t = 0 .. T-1), so each step receives the carried gradient of the previous step instead of the next one.",
        cause_words=[r"forwards?|wrong direction|t ?= ?0 (up|\.\.)|increasing", r"backwards?|reversed|from (the )?last step|T ?- ?1 down"],
        source='''
def rnn2_backward(Y, params, cache, activation):''' + _HEAD + '''
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in range(T):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": ts(h1, dhraw2), "W_hh2": ts(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-W_hh2-arguments-swapped",
        unit="rnn2_backward",
        kind="wrong",
        cause="dW_hh2 is summed as dhraw2_t^T h2_{t-1} (the time-sum's arguments swapped), the transpose of the right square matrix.",
        cause_words=[r"transpos", r"swap|order of the (arguments|factors|product)"],
        source='''
def rnn2_backward(Y, params, cache, activation):''' + _HEAD + '''
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": ts(h1, dhraw2), "W_hh2": ts(dhraw2, h2_prev), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-dy-in-cache-in-place",
        unit="rnn2_backward",
        kind="wrong",
        cause="dy is computed in place in cache['p'] (an alias, no copy), so the cache's probabilities are overwritten although the gradients are right.",
        cause_words=[r"in[- ]place", r"alias|copy", r"modif|overwr|mutat|chang\w* (the )?cache"],
        source='''
def rnn2_backward(Y, params, cache, activation):''' + _HEAD + '''
    X, h1, h2 = cache["X"], cache["h1"], cache["h2"]
    T, N = Y.shape
    dy = cache["p"]
    dy[np.arange(T)[:, None], np.arange(N)[None, :], Y] -= 1.0
    dy /= T * N
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": ts(h1, dhraw2), "W_hh2": ts(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-never-visits-step-0",
        unit="rnn2_backward",
        kind="wrong",
        cause="The loop range(T-1, 0, -1) stops before t = 0, so step 0's dhraw1 and dhraw2 stay zero.",
        cause_words=[r"step 0|first step|t ?= ?0", r"range\(T ?- ?1, ?0|stops? (before|at)|never (visit|reach)"],
        source='''
def rnn2_backward(Y, params, cache, activation):''' + _HEAD + '''
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in range(T - 1, 0, -1):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": ts(h1, dhraw2), "W_hh2": ts(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-b_h2-time-only",
        unit="rnn2_backward",
        kind="wrong",
        cause="Layer 2's bias gradient sums over time only (axis=0), giving shape (N, H2) instead of (H2,).",
        cause_words=[r"axis", r"\(N, ?H2\)", r"over the batch|batch axis"],
        source='''
def rnn2_backward(Y, params, cache, activation):''' + _HEAD + '''
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": ts(h1, dhraw2), "W_hh2": ts(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=0),
        "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-h1-prev-from-layer-1-netIn",
        unit="rnn2_backward",
        kind="wrong",
        cause="Layer 1's previous states are built from its pre-activations h1_netIn instead of the states h1, so dW_hh1 is wrong.",
        cause_words=[r"h1_netIn", r"pre-?activation"],
        source='''
def rnn2_backward(Y, params, cache, activation):''' + _HEAD + '''
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], cache["h1_netIn"][:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": ts(h1, dhraw2), "W_hh2": ts(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-per-layer-helper",
        unit="rnn2_backward",
        kind="correct",
        cause="A helper for one layer's step, the derivatives precomputed for all steps, tensordot for the time sums, a while loop.",
        cause_words=[],
        source='''
def _time_sum(inputs, grads):
    return np.tensordot(inputs, grads, axes=([0, 1], [0, 1]))


def rnn2_backward(Y, params, cache, activation):
    if activation == "relu":
        d1 = (cache["h1_netIn"] > 0).astype(float)
        d2 = (cache["h2_netIn"] > 0).astype(float)
    elif activation == "tanh":
        d1 = 1.0 - cache["h1"] ** 2
        d2 = 1.0 - cache["h2"] ** 2
    else:
        raise ValueError(f"rnn2_backward: activation must be 'relu' or 'tanh', got {activation!r}")
    P = cache["p"]
    T, N, Q = P.shape
    dy = P.copy()
    for t in range(T):
        dy[t, np.arange(N), Y[t]] -= 1.0
    dy = dy / (T * N)
    g1 = np.zeros_like(cache["h1"])
    g2 = np.zeros_like(cache["h2"])
    carry1 = np.zeros_like(cache["h1_0"])
    carry2 = np.zeros_like(cache["h2_0"])
    t = T - 1
    while t >= 0:
        g2[t] = (np.dot(dy[t], params["W_hq"].T) + np.dot(carry2, params["W_hh2"].T)) * d2[t]
        g1[t] = dh1_t(g2[t], carry1, params["W_xh2"], params["W_hh1"]) * d1[t]
        carry1, carry2 = g1[t], g2[t]
        t -= 1
    prev1 = np.concatenate((cache["h1_0"][np.newaxis], cache["h1"][:-1]))
    prev2 = np.concatenate((cache["h2_0"][np.newaxis], cache["h2"][:-1]))
    return {
        "W_xh1": _time_sum(cache["X"], g1), "W_hh1": _time_sum(prev1, g1), "b_h1": g1.sum(axis=(0, 1)),
        "W_xh2": _time_sum(cache["h1"], g2), "W_hh2": _time_sum(prev2, g2), "b_h2": g2.sum(axis=(0, 1)),
        "W_hq": _time_sum(cache["h2"], dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-lists-and-loop-sums",
        unit="rnn2_backward",
        kind="correct",
        cause="Per-step gradients in lists (appended backwards, reversed), parameter sums by explicit loops over t.",
        cause_words=[],
        source='''
def rnn2_backward(Y, params, cache, activation):
    if activation not in ("relu", "tanh"):
        raise ValueError("rnn2_backward: activation must be 'relu' or 'tanh'")

    def deriv(netIn, out):
        return (netIn > 0) * 1.0 if activation == "relu" else 1.0 - out * out

    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = [(P[t] - np.eye(Q)[Y[t]]) / (T * N) for t in range(T)]
    raw1, raw2 = [], []
    nxt1 = np.zeros(cache["h1_0"].shape)
    nxt2 = np.zeros(cache["h2_0"].shape)
    for t in range(T - 1, -1, -1):
        r2 = (dy[t] @ params["W_hq"].T + nxt2 @ params["W_hh2"].T) * deriv(cache["h2_netIn"][t], h2[t])
        r1 = dh1_t(r2, nxt1, params["W_xh2"], params["W_hh1"]) * deriv(cache["h1_netIn"][t], h1[t])
        raw1.append(r1)
        raw2.append(r2)
        nxt1, nxt2 = r1, r2
    raw1, raw2 = raw1[::-1], raw2[::-1]
    grads = {name: np.zeros(np.shape(value)) for name, value in params.items()}
    for t in range(T):
        p1 = cache["h1_0"] if t == 0 else h1[t - 1]
        p2 = cache["h2_0"] if t == 0 else h2[t - 1]
        grads["W_xh1"] += X[t].T @ raw1[t]
        grads["W_hh1"] += p1.T @ raw1[t]
        grads["b_h1"] += raw1[t].sum(axis=0)
        grads["W_xh2"] += h1[t].T @ raw2[t]
        grads["W_hh2"] += p2.T @ raw2[t]
        grads["b_h2"] += raw2[t].sum(axis=0)
        grads["W_hq"] += h2[t].T @ dy[t]
        grads["b_q"] += dy[t].sum(axis=0)
    return grads
''',
    ),
]
