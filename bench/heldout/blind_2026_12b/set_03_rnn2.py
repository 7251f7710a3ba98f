"""Blind set 2026-12b, notebook 03 (two-layer RNN): student answers for dh1_t and rnn2_backward.

Written from the student notebook, the instructor solutions and docs/math.md only (no grader
code, tests, tools or benchmark sets were read). Each entry is a whole function as a student
would write it, with one realistic mistake ("wrong") or none ("correct"). rnn2_backward entries
call dh1_t by name; verify.py runs them with the reference dh1_t.
"""

_HEAD = '''def rnn2_backward(Y, params, cache, activation):
    if activation == "relu":
        dphi = lambda netIn, out: netIn > 0
    elif activation == "tanh":
        dphi = lambda netIn, out: 1.0 - out ** 2
    else:
        raise ValueError(f"rnn2_backward: unknown activation {activation!r}")
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
'''

_DY = '''    dy = (P - np.eye(Q)[Y]) / (T * N)
'''

_INIT = '''    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
'''

_LOOP = '''    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
'''

_PREV = '''    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
'''

_RET = '''    time_sum = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": time_sum(X, dhraw1), "W_hh1": time_sum(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": time_sum(h1, dhraw2), "W_hh2": time_sum(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": time_sum(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
'''

ENTRIES = [
    # ------------------------------------------------------------------ dh1_t
    dict(
        id="dh1_t-W_hh1-not-transposed-b",
        unit="dh1_t",
        kind="wrong",
        cause="The path from layer 1's next step uses dhraw1_next @ W_hh1 instead of dhraw1_next @ W_hh1.T "
              "(square matrix, so only the values show it).",
        cause_words=[r"W_hh1\.T", r"transpos", r"W_hh1.{0,30}(not|without|untransposed)"],
        source='''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1
''',
    ),
    dict(
        id="dh1_t-ignores-future",
        unit="dh1_t",
        kind="wrong",
        cause="Returns only the contribution from layer 2 (dhraw2_t @ W_xh2.T) and drops the term "
              "dhraw1_next @ W_hh1.T from layer 1's next step (right only at the last step, where dhraw1_next = 0).",
        cause_words=[r"dhraw1_next", r"(next|future) step|from the future", r"W_hh1"],
        source='''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    # layer 1's own recurrence is handled by the loop in rnn2_backward
    return dhraw2_t @ W_xh2.T
''',
    ),
    dict(
        id="dh1_t-future-not-through-W_hh1",
        unit="dh1_t",
        kind="wrong",
        cause="Adds dhraw1_next directly instead of passing it through the recurrent weights "
              "(dhraw1_next @ W_hh1.T).",
        cause_words=[r"through (the )?(recurrent weights|W_hh1)", r"W_hh1.{0,30}(missing|left out|omit|forg|unused|never)", r"\+\s*dhraw1_next\b(?!\s*@)|dhraw1_next (itself|directly)"],
        source='''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T + dhraw1_next
''',
    ),
    dict(
        id="dh1_t-einsum-b",
        unit="dh1_t",
        kind="correct",
        cause="Correct: both terms as einsum contractions over the receiving unit's index.",
        cause_words=[],
        source='''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    above = np.einsum("nj,ij->ni", dhraw2_t, W_xh2)
    future = np.einsum("nj,ij->ni", dhraw1_next, W_hh1)
    return above + future
''',
    ),
    # ------------------------------------------------------------------ rnn2_backward
    dict(
        id="rnn2_backward-layer1-before-layer2",
        unit="rnn2_backward",
        kind="wrong",
        cause="Within each step layer 1 is computed before layer 2, so dh1_t receives dhraw2 of step t+1 (the "
              "carried next2) instead of dhraw2_t of the same step.",
        cause_words=[r"layer 1 before layer 2|layer 2 (after|second)", r"order (of|within) (the )?(layers|step)", r"dhraw2.{0,30}(t\s*\+\s*1|next|previous iteration)", r"same step"],
        source=_HEAD + _DY + _INIT + '''    for t in reversed(range(T)):
        dh1 = dh1_t(next2, next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        next1, next2 = dhraw1[t], dhraw2[t]
''' + _PREV + _RET,
    ),
    dict(
        id="rnn2_backward-W_xh2-with-h1_prev",
        unit="rnn2_backward",
        kind="wrong",
        cause="Computes W_xh2's gradient from h1_prev (h1_{t-1}) instead of h1 (h1_t, which layer 2 reads at "
              "step t).",
        cause_words=[r"W_xh2.{0,60}h1_prev|h1_prev.{0,60}W_xh2", r"h1_\{?t\s*-\s*1\}?.{0,40}(instead|rather)", r"previous state.{0,40}W_xh2"],
        source=_HEAD + _DY + _INIT + _LOOP + _PREV + '''    time_sum = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": time_sum(X, dhraw1), "W_hh1": time_sum(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": time_sum(h1_prev, dhraw2), "W_hh2": time_sum(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": time_sum(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="rnn2_backward-zero-initial-states",
        unit="rnn2_backward",
        kind="wrong",
        cause="Uses zeros as the states before step 0 in the W_hh1 and W_hh2 gradients instead of cache['h1_0'] "
              "and cache['h2_0'] (right only when the initial states are zero).",
        cause_words=[r"h1_0|h2_0", r"initial state", r"zeros? (as|for) (the )?(previous|initial|first)"],
        source=_HEAD + _DY + _INIT + _LOOP + '''    h1_prev = np.concatenate([np.zeros_like(h1[:1]), h1[:-1]], axis=0)
    h2_prev = np.concatenate([np.zeros_like(h2[:1]), h2[:-1]], axis=0)
''' + _RET,
    ),
    dict(
        id="rnn2_backward-per-sequence-mean",
        unit="rnn2_backward",
        kind="wrong",
        cause="Normalizes the output gradient by T only (the notes' 1/T sum over one sequence) instead of T*N, "
              "so every gradient is N times too large (right only when N = 1).",
        cause_words=[r"T\s*\*\s*N", r"factor (of )?N\b", r"/\s*T\b|1\s*/\s*T\b", r"batch (size)?.{0,30}(missing|forg|ignor|omit)|(missing|forg|ignor|omit)\w*.{0,30}batch"],
        source=_HEAD + '''    dy = (P - np.eye(Q)[Y]) / T          # the loss is (1/T) sum_t l_t
''' + _INIT + _LOOP + _PREV + _RET,
    ),
    dict(
        id="rnn2_backward-layer2-future-not-carried",
        unit="rnn2_backward",
        kind="wrong",
        cause="Only next1 is updated at the end of each iteration; next2 stays zero, so layer 2 never receives "
              "the gradient from its own next step through W_hh2.",
        cause_words=[r"next2", r"layer 2.{0,40}(future|next step)", r"(not|never) (carried|updated)", r"from (its|layer 2'?s?) (own )?next step"],
        source=_HEAD + _DY + _INIT + '''    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1 = dhraw1[t]
''' + _PREV + _RET,
    ),
    dict(
        id="rnn2_backward-layer1-relu-hardcoded",
        unit="rnn2_backward",
        kind="wrong",
        cause="Layer 1 always uses the ReLU mask h1_netIn > 0 (copied from a ReLU-only version) instead of the "
              "activation's derivative, so layer 1 is wrong for tanh (right for ReLU).",
        cause_words=[r"h1_netIn.{0,10}>\s*0", r"hard.?coded|always (uses )?(the )?relu", r"relu (mask|derivative).{0,40}tanh|tanh.{0,40}relu (mask|derivative)"],
        source=_HEAD + _DY + _INIT + '''    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * (cache["h1_netIn"][t] > 0)
        next1, next2 = dhraw1[t], dhraw2[t]
''' + _PREV + _RET,
    ),
    dict(
        id="rnn2_backward-dh1-from-dh2-b",
        unit="rnn2_backward",
        kind="wrong",
        cause="Passes dh2 (the gradient at the state h2_t, before phi') to dh1_t instead of dhraw2[t], so layer "
              "1 misses layer 2's activation derivative.",
        cause_words=[r"dh1_t\(\s*dh2", r"dh2.{0,40}instead of.{0,20}dhraw2|before (the )?(activation|phi)", r"layer 2'?s? (activation )?derivative|phi' of layer 2"],
        source=_HEAD + _DY + _INIT + '''    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dh2, next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
''' + _PREV + _RET,
    ),
    dict(
        id="rnn2_backward-prev-slice-off-by-one",
        unit="rnn2_backward",
        kind="wrong",
        cause="Builds layer 1's previous states from h1[1:] instead of h1[:-1], so for every step t >= 1 W_hh1's "
              "gradient pairs dhraw1_t with the current state h1_t instead of h1_{t-1} (right only when T = 1).",
        cause_words=[r"h1\[1:\]", r"h1\[:-1\]", r"off.by.one", r"slice"],
        source=_HEAD + _DY + _INIT + _LOOP + '''    h1_prev = np.concatenate([cache["h1_0"][None], h1[1:]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
''' + _RET,
    ),
    dict(
        id="rnn2_backward-accumulate-in-loop-b",
        unit="rnn2_backward",
        kind="correct",
        cause="Correct: accumulates all eight gradients inside the backward loop with per-step products, "
              "reading the previous states from the initial states at t = 0.",
        cause_words=[],
        source='''def rnn2_backward(Y, params, cache, activation):
    if activation not in ("relu", "tanh"):
        raise ValueError(f"unknown activation {activation!r}")

    def deriv(netIn, out):
        return (netIn > 0).astype(np.float64) if activation == "relu" else 1.0 - out ** 2

    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    g = {name: np.zeros(np.shape(value)) for name, value in params.items()}
    fut1 = np.zeros(h1.shape[1:])
    fut2 = np.zeros(h2.shape[1:])
    for t in range(T - 1, -1, -1):
        d_o = P[t].copy()
        d_o[np.arange(N), Y[t]] -= 1.0
        d_o /= T * N
        raw2 = (d_o @ params["W_hq"].T + fut2 @ params["W_hh2"].T) * deriv(cache["h2_netIn"][t], h2[t])
        raw1 = dh1_t(raw2, fut1, params["W_xh2"], params["W_hh1"]) * deriv(cache["h1_netIn"][t], h1[t])
        prev1 = cache["h1_0"] if t == 0 else h1[t - 1]
        prev2 = cache["h2_0"] if t == 0 else h2[t - 1]
        g["W_hq"] += h2[t].T @ d_o
        g["b_q"] += d_o.sum(axis=0)
        g["W_xh2"] += h1[t].T @ raw2
        g["W_hh2"] += prev2.T @ raw2
        g["b_h2"] += raw2.sum(axis=0)
        g["W_xh1"] += X[t].T @ raw1
        g["W_hh1"] += prev1.T @ raw1
        g["b_h1"] += raw1.sum(axis=0)
        fut1, fut2 = raw1, raw2
    return g
''',
    ),
]
