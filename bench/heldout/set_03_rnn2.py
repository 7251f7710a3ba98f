"""Held-out answers for notebook 03 (two-layer RNN). Format: see set_01_mlp.py.

Notebook 03 imports no one_hot: the loops build the one-hot targets with np.eye.
"""

_HEAD = '''
    if activation == "relu":
        dphi = lambda netIn, out: netIn > 0
    elif activation == "tanh":
        dphi = lambda netIn, out: 1.0 - out ** 2
    else:
        raise ValueError(f"unknown activation {activation!r}")
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
'''

_LOOP = '''
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
'''

_PREV = '''
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
'''

_TAIL = '''
    time_sum = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": time_sum(X, dhraw1), "W_hh1": time_sum(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": time_sum(h1, dhraw2), "W_hh2": time_sum(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": time_sum(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
'''

_DEF = "\ndef rnn2_backward(Y, params, cache, activation):"


def _rnn2(head=_HEAD, loop=_LOOP, prev=_PREV, tail=_TAIL):
    """A whole rnn2_backward from its four parts (the correct ones unless replaced)."""
    return _DEF + head + loop + prev + tail


ENTRIES = [
    # ---- dh1_t -----------------------------------------------------------------------
    dict(
        id="dh1_t-W_hh1-not-transposed",
        unit="dh1_t",
        kind="wrong",
        cause="The future term uses W_hh1 instead of W_hh1.T (square, so only the values show it).",
        cause_words=[r"transpos", r"\.T\b"],
        source='''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1
''',
    ),
    dict(
        id="dh1_t-missing-layer-2-path",
        unit="dh1_t",
        kind="wrong",
        cause="Only the future path is kept; the gradient from layer 2 above, dhraw2_t @ W_xh2.T, is missing.",
        cause_words=[r"layer 2|from above", r"W_xh2", r"dhraw2"],
        source='''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    # h1 only feeds the next step of layer 1
    return dhraw1_next @ W_hh1.T
''',
    ),
    dict(
        id="dh1_t-einsum",
        unit="dh1_t",
        kind="correct",
        cause="Both paths with einsum.",
        cause_words=[],
        source='''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    from_above = np.einsum("nj,ij->ni", dhraw2_t, W_xh2)
    from_future = np.einsum("nj,ij->ni", dhraw1_next, W_hh1)
    return from_above + from_future
''',
    ),
    # ---- rnn2_backward ---------------------------------------------------------------
    dict(
        id="rnn2_backward-W_xh2-reads-h1-prev",
        unit="rnn2_backward",
        kind="wrong",
        cause="dW_xh2 multiplies dhraw2_t by h1_{t-1} (h1_prev) where layer 2's input at step t is h1_t.",
        cause_words=[r"h1_prev|h1_\{?t-1\}?|previous state", r"same step|h1_t\b|h1\[t\]"],
        source=_rnn2(tail=_TAIL.replace('"W_xh2": time_sum(h1, dhraw2)', '"W_xh2": time_sum(h1_prev, dhraw2)')),
    ),
    dict(
        id="rnn2_backward-W_hh1-reads-h1",
        unit="rnn2_backward",
        kind="wrong",
        cause="dW_hh1 multiplies dhraw1_t by h1_t where the previous state h1_{t-1} belongs.",
        cause_words=[r"previous state|h1_\{?t-1\}?|h1_prev|h_prev", r"h1_t\b|h1\[t\]|shift|one step"],
        source=_rnn2(tail=_TAIL.replace('"W_hh1": time_sum(h1_prev, dhraw1)', '"W_hh1": time_sum(h1, dhraw1)')),
    ),
    dict(
        id="rnn2_backward-layer-1-first",
        unit="rnn2_backward",
        kind="wrong",
        cause="Inside the step layer 1 is computed before layer 2, so dh1_t receives layer 2's dhraw2 of step t+1 instead of step t.",
        cause_words=[r"order|before layer|layer 2 (first|before)", r"same step|t ?\+ ?1|stale|previous iteration"],
        source=_rnn2(loop='''
    for t in reversed(range(T)):
        # layer 1 (uses what layer 2 has sent so far)
        dh1 = dh1_t(next2, next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        # layer 2
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        next1, next2 = dhraw1[t], dhraw2[t]
'''),
    ),
    dict(
        id="rnn2_backward-layer-2-no-dphi",
        unit="rnn2_backward",
        kind="wrong",
        cause="Layer 2's activation derivative is skipped: dhraw2_t is set to dh2_t.",
        cause_words=[r"φ|phi|activation'?s? derivative|derivative of (the )?activation", r"layer 2|dhraw2|\bdh2"],
        source=_rnn2(loop='''
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
'''),
    ),
    dict(
        id="rnn2_backward-h2-initial-zeros",
        unit="rnn2_backward",
        kind="wrong",
        cause="Layer 2's previous states start with zeros instead of cache['h2_0'] (wrong only with a non-zero initial state).",
        cause_words=[r"initial state|h2_0", r"zero|non-?zero", r"step 0|t ?= ?0"],
        source=_rnn2(prev='''
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([np.zeros_like(h2[:1]), h2[:-1]], axis=0)
'''),
    ),
    dict(
        id="rnn2_backward-layer-1-never-carried",
        unit="rnn2_backward",
        kind="wrong",
        cause="Only layer 2's carried gradient is updated; layer 1's dhraw1 is never carried back, so dh1_t's future term stays zero.",
        cause_words=[r"future", r"carr(y|ies|ied)|never updated", r"dhraw1|layer 1"],
        source=_rnn2(loop='''
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next2 = dhraw2[t]
'''),
    ),
    dict(
        id="rnn2_backward-dy-over-T",
        unit="rnn2_backward",
        kind="wrong",
        cause="dy is divided by T only; the mean is over T*N predictions, so the 1/N is missing.",
        cause_words=[r"\bN\b", r"T\s*[*·x×]\s*N|TN\b", r"batch"],
        source=_rnn2(head=_HEAD.replace("/ (T * N)", "/ T")),
    ),
    dict(
        id="rnn2_backward-relu-mask-always",
        unit="rnn2_backward",
        kind="wrong",
        cause="The activation argument is ignored: the ReLU mask is used for both layers even for tanh.",
        cause_words=[r"relu", r"tanh", r"activation"],
        source=_rnn2(head='''
    dphi = lambda netIn, out: netIn > 0
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
'''),
    ),
    dict(
        id="rnn2_backward-tanh-from-netIn",
        unit="rnn2_backward",
        kind="wrong",
        cause="tanh's derivative is computed as 1 - netIn**2 from the pre-activation instead of 1 - h**2 from the cached output.",
        cause_words=[r"tanh", r"netIn|pre-?activation", r"cached output|1 ?- ?h\*\*2|1 - h2"],
        source=_rnn2(head=_HEAD.replace("1.0 - out ** 2", "1.0 - netIn ** 2")),
    ),
    dict(
        id="rnn2_backward-W_hh2-not-transposed",
        unit="rnn2_backward",
        kind="wrong",
        cause="Layer 2's future term uses W_hh2 instead of W_hh2.T.",
        cause_words=[r"transpos", r"\.T\b"],
        source=_rnn2(loop=_LOOP.replace('next2 @ params["W_hh2"].T', 'next2 @ params["W_hh2"]')),
    ),
    dict(
        id="rnn2_backward-accumulate-in-loop",
        unit="rnn2_backward",
        kind="correct",
        cause="Parameter gradients accumulated with += inside the loop over range(T-1, -1, -1).",
        cause_words=[],
        source='''
def rnn2_backward(Y, params, cache, activation):
    if activation not in ("relu", "tanh"):
        raise ValueError("rnn2_backward: activation must be 'relu' or 'tanh'")
    X, P = cache["X"], cache["p"]
    T, N, Q = P.shape
    g = {name: np.zeros(np.shape(value)) for name, value in params.items()}
    carry1 = np.zeros_like(cache["h1"][0])
    carry2 = np.zeros_like(cache["h2"][0])
    for t in range(T - 1, -1, -1):
        d_o = P[t].copy()
        d_o[np.arange(N), Y[t]] -= 1.0
        d_o /= T * N
        h1_before = cache["h1_0"] if t == 0 else cache["h1"][t - 1]
        h2_before = cache["h2_0"] if t == 0 else cache["h2"][t - 1]
        dh2 = d_o @ params["W_hq"].T + carry2 @ params["W_hh2"].T
        if activation == "relu":
            raw2 = dh2 * (cache["h2_netIn"][t] > 0)
        else:
            raw2 = dh2 * (1 - cache["h2"][t] ** 2)
        dh1 = dh1_t(raw2, carry1, params["W_xh2"], params["W_hh1"])
        if activation == "relu":
            raw1 = dh1 * (cache["h1_netIn"][t] > 0)
        else:
            raw1 = dh1 * (1 - cache["h1"][t] ** 2)
        g["W_hq"] += cache["h2"][t].T @ d_o
        g["b_q"] += d_o.sum(axis=0)
        g["W_xh2"] += cache["h1"][t].T @ raw2
        g["W_hh2"] += h2_before.T @ raw2
        g["b_h2"] += raw2.sum(axis=0)
        g["W_xh1"] += X[t].T @ raw1
        g["W_hh1"] += h1_before.T @ raw1
        g["b_h1"] += raw1.sum(axis=0)
        carry1, carry2 = raw1, raw2
    return g
''',
    ),
    dict(
        id="rnn2_backward-helper-functions",
        unit="rnn2_backward",
        kind="correct",
        cause="Own helpers for phi' and the time sums, np.dot, a layer-2 helper that mirrors dh_t.",
        cause_words=[],
        source='''
def _phi_prime(net_in, out, activation):
    if activation == "relu":
        return (net_in > 0).astype(np.float64)
    if activation == "tanh":
        return 1.0 - out * out
    raise ValueError(f"unknown activation {activation!r}")


def _sum_over_time(inputs, grads):
    total = 0.0
    for t in range(inputs.shape[0]):
        total = total + np.dot(inputs[t].T, grads[t])
    return total


def rnn2_backward(Y, params, cache, activation):
    _phi_prime(np.zeros(1), np.zeros(1), activation)      # refuse an unknown activation early
    T, N, Q = cache["p"].shape
    targets = np.zeros((T, N, Q))
    for t in range(T):
        targets[t, np.arange(N), Y[t]] = 1.0
    dy = (cache["p"] - targets) / (T * N)
    dhraw1 = np.zeros_like(cache["h1"])
    dhraw2 = np.zeros_like(cache["h2"])
    for t in reversed(range(T)):
        future2 = dhraw2[t + 1] if t + 1 < T else np.zeros_like(dhraw2[0])
        future1 = dhraw1[t + 1] if t + 1 < T else np.zeros_like(dhraw1[0])
        dh2 = np.dot(dy[t], params["W_hq"].T) + np.dot(future2, params["W_hh2"].T)
        dhraw2[t] = dh2 * _phi_prime(cache["h2_netIn"][t], cache["h2"][t], activation)
        dh1 = dh1_t(dhraw2[t], future1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * _phi_prime(cache["h1_netIn"][t], cache["h1"][t], activation)
    h1_prev = np.concatenate([cache["h1_0"][np.newaxis], cache["h1"][:-1]])
    h2_prev = np.concatenate([cache["h2_0"][np.newaxis], cache["h2"][:-1]])
    return {
        "W_xh1": _sum_over_time(cache["X"], dhraw1),
        "W_hh1": _sum_over_time(h1_prev, dhraw1),
        "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": _sum_over_time(cache["h1"], dhraw2),
        "W_hh2": _sum_over_time(h2_prev, dhraw2),
        "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": _sum_over_time(cache["h2"], dy),
        "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
]

