"""Blind answers for notebook 02 (one-layer RNN): one entry per answer, written as a student would.

Each entry: id, unit, kind ("wrong" or "correct"), cause (one sentence), cause_words
(regular expressions; any one of them in the unit's feedback shows the cause was named),
source (the student's whole function, replacing the unit's function in its solution cell).
"""

ENTRIES = [
    # ---- dy_t ------------------------------------------------------------------------
    dict(
        id="dy_t-no-normalisation",
        unit="dy_t",
        kind="wrong",
        cause="Returns p_t - one_hot(y_t) without dividing by T*N (each prediction's weight in the mean).",
        cause_words=[r"T ?\* ?N|\bTN\b", r"normali[sz]|mean|averag"],
        source='''
def dy_t(p_t, y_t, T):
    Q = p_t.shape[1]
    return p_t - one_hot(y_t, Q)
''',
    ),
    dict(
        id="dy_t-divides-by-N-only",
        unit="dy_t",
        kind="wrong",
        cause="Divides by N only; the 1/T of the mean over the T steps is missing.",
        cause_words=[r"1/T|\bby T\b|factor (of )?T\b", r"number of (time )?steps|time steps"],
        source='''
def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return (p_t - one_hot(y_t, Q)) / N
''',
    ),
    dict(
        id="dy_t-sign-flipped",
        unit="dy_t",
        kind="wrong",
        cause="Computes (one_hot(y_t) - p_t) / (T N), the opposite sign of the gradient.",
        cause_words=[r"\bsign", r"negat|opposite|reversed"],
        source='''
def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return (one_hot(y_t, Q) - p_t) / (T * N)
''',
    ),
    dict(
        id="dy_t-subtracts-in-place",
        unit="dy_t",
        kind="wrong",
        cause="Subtracts 1 at the true class directly in p_t (no copy), so the caller's probabilities are changed although the result is right.",
        cause_words=[r"in[- ]place", r"modif|overwr|mutat|chang\w* (the|its|your) (input|argument)", r"copy"],
        source='''
def dy_t(p_t, y_t, T):
    N = p_t.shape[0]
    p_t[np.arange(N), y_t] -= 1
    p_t /= T * N
    return p_t
''',
    ),
    dict(
        id="dy_t-copy-fancy-index",
        unit="dy_t",
        kind="correct",
        cause="Copies p_t, subtracts 1 at the true classes by fancy indexing, divides by T*N.",
        cause_words=[],
        source='''
def dy_t(p_t, y_t, T):
    g = np.array(p_t, dtype=np.float64)          # a copy
    rows = np.arange(g.shape[0])
    g[rows, y_t] -= 1.0
    return g / (T * g.shape[0])
''',
    ),
    # ---- dW_hq -----------------------------------------------------------------------
    dict(
        id="dW_hq-transposed-product",
        unit="dW_hq",
        kind="wrong",
        cause="Sums dy[t].T @ h[t] (the notes' column-vector order), the transposed (Q, H) array.",
        cause_words=[r"transpos", r"\(Q, ?H\)", r"shape"],
        source='''
def dW_hq(h, dy):
    T = h.shape[0]
    out = 0
    for t in range(T):
        out = out + dy[t].T @ h[t]
    return out
''',
    ),
    dict(
        id="dW_hq-skips-step-0",
        unit="dW_hq",
        kind="wrong",
        cause="The sum over time starts at t = 1, so step 0's contribution h_0^T dy_0 is missing.",
        cause_words=[r"step 0|first step|t ?= ?0", r"(misses|missing|skips|leaves out).*step"],
        source='''
def dW_hq(h, dy):
    H, Q = h.shape[2], dy.shape[2]
    grad = np.zeros((H, Q))
    for t in range(1, h.shape[0]):
        grad += h[t].T @ dy[t]
    return grad
''',
    ),
    dict(
        id="dW_hq-sums-time-first",
        unit="dW_hq",
        kind="wrong",
        cause="Sums h and dy over time before multiplying, so states and gradients of different steps are multiplied together (right only for T = 1).",
        cause_words=[r"different (time )?steps|other steps|cross[- ]terms?|mix", r"T ?= ?1", r"over time (first|before)"],
        source='''
def dW_hq(h, dy):
    return h.sum(axis=0).T @ dy.sum(axis=0)
''',
    ),
    dict(
        id="dW_hq-tensordot",
        unit="dW_hq",
        kind="correct",
        cause="np.tensordot over the time and batch axes together.",
        cause_words=[],
        source='''
def dW_hq(h, dy):
    return np.tensordot(h, dy, axes=([0, 1], [0, 1]))
''',
    ),
    # ---- db_q ------------------------------------------------------------------------
    dict(
        id="db_q-batch-only",
        unit="db_q",
        kind="wrong",
        cause="Sums over the batch only (axis=1), leaving the time axis: shape (T, Q) instead of (Q,).",
        cause_words=[r"axis", r"\(T, ?Q\)", r"over time|time axis"],
        source='''
def db_q(dy):
    return dy.sum(axis=1)
''',
    ),
    dict(
        id="db_q-mean-over-time",
        unit="db_q",
        kind="wrong",
        cause="Divides the sum by T (a mean over steps) although dy already holds the 1/(T N).",
        cause_words=[r"1/T|\bby T\b", r"mean|averag|twice|again"],
        source='''
def db_q(dy):
    T = dy.shape[0]
    return np.sum(dy, axis=(0, 1)) / T
''',
    ),
    dict(
        id="db_q-loop-over-steps",
        unit="db_q",
        kind="correct",
        cause="Adds each step's batch sum in a loop.",
        cause_words=[],
        source='''
def db_q(dy):
    total = np.zeros(dy.shape[-1])
    for t in range(len(dy)):
        total += dy[t].sum(axis=0)
    return total
''',
    ),
    # ---- dh_t ------------------------------------------------------------------------
    dict(
        id="dh_t-W_hh-not-transposed",
        unit="dh_t",
        kind="wrong",
        cause="The future term uses W_hh instead of W_hh.T (square, so the shape fits and only the values show it).",
        cause_words=[r"W_hh\.T|W_hh\^T|W_hh transpos", r"transpos"],
        source='''
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + dhraw_next @ W_hh
''',
    ),
    dict(
        id="dh_t-output-term-only",
        unit="dh_t",
        kind="wrong",
        cause="Only the output term dy_t @ W_hq.T is returned; the gradient from the future step, dhraw_next @ W_hh.T, is missing.",
        cause_words=[r"future|next step|dhraw_next", r"recurren|through time"],
        source='''
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    dh = dy_t @ W_hq.T
    return dh
''',
    ),
    # ---- dhraw_t ---------------------------------------------------------------------
    dict(
        id="dhraw_t-unknown-activation-is-tanh",
        unit="dhraw_t",
        kind="wrong",
        cause="Any activation other than 'relu' falls into an else branch and gets tanh's derivative; an unknown activation must raise ValueError.",
        cause_words=[r"ValueError|raise", r"unknown|invalid|unsupported"],
        source='''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    else:
        return dh_t * (1 - h_t ** 2)
''',
    ),
    dict(
        id="dhraw_t-relu-mask-h-geq-0",
        unit="dhraw_t",
        kind="wrong",
        cause="The ReLU mask is h_t >= 0, which is true everywhere because h_t = max(h_netIn_t, 0), so the gradient is never masked.",
        cause_words=[r">= ?0|always (true|1|one)|never (masked|zero)|every (entry|unit)|all ones", r"not masked|no mask"],
        source='''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_t >= 0)
    elif activation == "tanh":
        return dh_t * (1.0 - h_t ** 2)
    raise ValueError("unknown activation " + str(activation))
''',
    ),
    dict(
        id="dhraw_t-tanh-missing-square",
        unit="dhraw_t",
        kind="wrong",
        cause="tanh's derivative is written 1 - tanh(h_netIn_t), without the square (ReLU is right).",
        cause_words=[r"squar|\*\* ?2|\^2", r"1 - tanh\b|without the square"],
        source='''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    if activation == "tanh":
        return dh_t * (1 - np.tanh(h_netIn_t))
    raise ValueError(f"unknown activation {activation}")
''',
    ),
    dict(
        id="dhraw_t-dict-dispatch",
        unit="dhraw_t",
        kind="correct",
        cause="A dict of derivative functions, with ValueError for a missing key.",
        cause_words=[],
        source='''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    derivative = {
        "relu": lambda: (h_netIn_t > 0).astype(np.float64),
        "tanh": lambda: 1.0 - np.square(h_t),
    }
    if activation not in derivative:
        raise ValueError(f"dhraw_t: activation must be 'relu' or 'tanh', not {activation!r}")
    return dh_t * derivative[activation]()
''',
    ),
    # ---- dW_hh -----------------------------------------------------------------------
    dict(
        id="dW_hh-transposed-square",
        unit="dW_hh",
        kind="wrong",
        cause="Sums dhraw[t].T @ h_prev[t], the transpose of the right (square) matrix, so the shape fits and only the values show it.",
        cause_words=[r"transpos", r"h_prev\[t\]\.T|order of the (product|factors)"],
        source='''
def dW_hh(h_prev, dhraw):
    return sum(dhraw[t].T @ h_prev[t] for t in range(h_prev.shape[0]))
''',
    ),
    dict(
        id="dW_hh-overwrites-in-loop",
        unit="dW_hh",
        kind="wrong",
        cause="The loop assigns (=) instead of accumulating (+=), so only the last step's h_{T-2}^T dhraw_{T-1} is returned instead of the sum over all steps.",
        cause_words=[r"last step|only one step|single step", r"sum\w* over (all )?(the )?(time|steps)|\+=|accumulat|overwr"],
        source='''
def dW_hh(h_prev, dhraw):
    T, N, H = h_prev.shape
    grad = np.zeros((H, H))
    for t in range(T):
        grad = h_prev[t].T @ dhraw[t]
    return grad
''',
    ),
    dict(
        id="dW_hh-reshape-rows",
        unit="dW_hh",
        kind="correct",
        cause="One product over the T*N rows after reshaping both arrays.",
        cause_words=[],
        source='''
def dW_hh(h_prev, dhraw):
    H = h_prev.shape[-1]
    return h_prev.reshape(-1, H).T @ dhraw.reshape(-1, dhraw.shape[-1])
''',
    ),
    # ---- dW_xh -----------------------------------------------------------------------
    dict(
        id="dW_xh-range-over-batch-size",
        unit="dW_xh",
        kind="wrong",
        cause="The loop runs over range(X.shape[1]), the batch size N, instead of the T steps, so steps are left out (or indexing fails when N > T).",
        cause_words=[r"shape\[1\]|batch size|\bN\b steps|range\(N\)", r"number of steps|not all (the )?steps|steps? (are )?(missing|left out)"],
        source='''
def dW_xh(X, dhraw):
    return sum(X[t].T @ dhraw[t] for t in range(X.shape[1]))
''',
    ),
    dict(
        id="dW_xh-reshape-for-transpose",
        unit="dW_xh",
        kind="wrong",
        cause="X is reshaped to (D, T*N) instead of being transposed, which scrambles its entries; the shape (D, H) still fits.",
        cause_words=[r"reshape", r"transpos", r"scrambl|order of (the )?entries"],
        source='''
def dW_xh(X, dhraw):
    T, N, D = X.shape
    H = dhraw.shape[2]
    return X.reshape(D, T * N) @ dhraw.reshape(T * N, H)
''',
    ),
    dict(
        id="dW_xh-loop-over-examples",
        unit="dW_xh",
        kind="correct",
        cause="Sums over the batch examples, each product running over time (X[:, n].T @ dhraw[:, n]).",
        cause_words=[],
        source='''
def dW_xh(X, dhraw):
    D, H = X.shape[2], dhraw.shape[2]
    grad = np.zeros((D, H))
    for n in range(X.shape[1]):
        grad += X[:, n, :].T @ dhraw[:, n, :]
    return grad
''',
    ),
    # ---- db_h ------------------------------------------------------------------------
    dict(
        id="db_h-last-step-only",
        unit="db_h",
        kind="wrong",
        cause="Sums only the last step's dhraw[-1] over the batch instead of all steps.",
        cause_words=[r"last step|one step|single step", r"sum\w* over (all )?(the )?(time|steps)|every step|all steps"],
        source='''
def db_h(dhraw):
    return dhraw[-1].sum(axis=0)
''',
    ),
    dict(
        id="db_h-mean-over-batch",
        unit="db_h",
        kind="wrong",
        cause="Sums over time but averages over the batch (mean over axis N), dividing by N once too often.",
        cause_words=[r"mean|averag", r"1/N|\bby N\b"],
        source='''
def db_h(dhraw):
    per_example = dhraw.sum(axis=0)      # (N, H)
    return per_example.mean(axis=0)
''',
    ),
    dict(
        id="db_h-add-reduce",
        unit="db_h",
        kind="correct",
        cause="np.add.reduce over the flattened time-and-batch rows.",
        cause_words=[],
        source='''
def db_h(dhraw):
    rows = dhraw.reshape(-1, dhraw.shape[-1])
    return np.add.reduce(rows, axis=0)
''',
    ),
    # ---- rnn_backward ----------------------------------------------------------------
    dict(
        id="rnn_backward-passes-TN-as-T",
        unit="rnn_backward",
        kind="wrong",
        cause="dy_t is called with T*N for its T argument (it already divides by N), so dy is divided by N once too often.",
        cause_words=[r"T ?\* ?N", r"1/N|\bby N\b.*(twice|again|too often)|(twice|again|too often).*\bN\b"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T * N)     # mean over all T*N predictions
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-h-prev-shifted-forward",
        unit="rnn_backward",
        kind="wrong",
        cause="h_prev is built as h[1:] followed by h0, so step t reads h_{t+1} (the next state) instead of h_{t-1}.",
        cause_words=[r"h_\{?t ?\+ ?1\}?|next state|wrong (way|direction)|shifted", r"previous state|h_\{?t ?- ?1\}?"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dy[t] = dy_t(P[t], Y[t], T)
        dhraw[t] = dhraw_t(dh_t(dy[t], carry, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        carry = dhraw[t]
    h_prev = np.concatenate([h[1:], cache["h0"][None]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-h-prev-from-pre-activations",
        unit="rnn_backward",
        kind="wrong",
        cause="h_prev is built from the pre-activations h_netIn (shifted by one step) instead of the states h.",
        cause_words=[r"h_netIn", r"pre-?activation"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h_netIn[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-W_hq-from-h-prev",
        unit="rnn_backward",
        kind="wrong",
        cause="dW_hq receives h_prev (h_{t-1}) where the output at step t reads the current state h_t.",
        cause_words=[r"h_prev", r"h_\{?t ?- ?1\}?|previous state", r"current state|h_t\b"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h_prev, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-shifts-cache-h-in-place",
        unit="rnn_backward",
        kind="wrong",
        cause="h_prev is made by shifting cache['h'] in place (an alias, not a copy), so the cache is changed and dW_hq then reads the shifted states.",
        cause_words=[r"in[- ]place", r"alias|copy", r"modif|overwr|mutat|chang\w* (the )?cache"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = cache["h"]
    h_prev[1:] = h_prev[:-1]
    h_prev[0] = cache["h0"]
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-carry-never-updated",
        unit="rnn_backward",
        kind="wrong",
        cause="The carried gradient is stored under a misspelt name, so dh_t always receives zeros from the future and no gradient flows back through time.",
        cause_words=[r"future|carried|next step|dhraw_next|through time", r"never (updated|carried|passed)|always zero|zeros"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_nxt = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-tanh-from-previous-state",
        unit="rnn_backward",
        kind="wrong",
        cause="dhraw_t receives the previous state h_prev[t] = h_{t-1} as h_t, so tanh's derivative is taken one step early (wrong only for tanh).",
        cause_words=[r"h_prev|previous state|h_\{?t ?- ?1\}?", r"one step (early|earlier|off)|off[- ]by[- ]one|wrong step"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h_prev[t], activation)
        dhraw_next = dhraw[t]
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-dy-only-last-step",
        unit="rnn_backward",
        kind="wrong",
        cause="dy is computed only for the last step (the notes' single loss at the end); the other steps' outputs contribute no gradient.",
        cause_words=[r"(only|just) (the )?last step|single loss", r"every step|all (the )?steps|each step'?s? (loss|output)"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dy[T - 1] = dy_t(P[T - 1], Y[T - 1], T)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-forward-counter",
        unit="rnn_backward",
        kind="correct",
        cause="A forward counter i with t = T - 1 - i, h_prev stacked from a list, the carry as a fresh array each step.",
        cause_words=[],
        source='''
def rnn_backward(Y, params, cache, activation):
    T = cache["h"].shape[0]
    N, H = cache["h0"].shape
    dys = np.zeros_like(cache["p"])
    dhraws = np.zeros_like(cache["h"])
    from_future = np.zeros((N, H))
    for i in range(T):
        t = T - 1 - i
        dys[t] = dy_t(cache["p"][t], Y[t], T)
        grad_h = dh_t(dys[t], from_future, params["W_hq"], params["W_hh"])
        dhraws[t] = dhraw_t(grad_h, cache["h_netIn"][t], cache["h"][t], activation)
        from_future = dhraws[t].copy()
    previous = np.stack([cache["h0"]] + [cache["h"][s] for s in range(T - 1)])
    grads = {}
    grads["W_xh"] = dW_xh(cache["X"], dhraws)
    grads["W_hh"] = dW_hh(previous, dhraws)
    grads["b_h"] = db_h(dhraws)
    grads["W_hq"] = dW_hq(cache["h"], dys)
    grads["b_q"] = db_q(dys)
    return grads
''',
    ),
    dict(
        id="rnn_backward-precompute-dy",
        unit="rnn_backward",
        kind="correct",
        cause="All dy_t computed first in a list comprehension, then the backward loop with negative-step slicing for h_prev.",
        cause_words=[],
        source='''
def rnn_backward(Y, params, cache, activation):
    P, h, a = cache["p"], cache["h"], cache["h_netIn"]
    T = P.shape[0]
    dy = np.array([dy_t(P[t], Y[t], T) for t in range(T)])
    W_hq, W_hh = params["W_hq"], params["W_hh"]
    dhraw = np.empty(h.shape)
    nxt = np.zeros(h.shape[1:])
    for t in range(T)[::-1]:
        nxt = dhraw_t(dh_t(dy[t], nxt, W_hq, W_hh), a[t], h[t], activation)
        dhraw[t] = nxt
    h_prev = np.empty(h.shape)
    h_prev[0] = cache["h0"]
    h_prev[1:] = h[:-1]
    return dict(W_xh=dW_xh(cache["X"], dhraw), W_hh=dW_hh(h_prev, dhraw), b_h=db_h(dhraw),
                W_hq=dW_hq(h, dy), b_q=db_q(dy))
''',
    ),
]
