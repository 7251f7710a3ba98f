"""Held-out answers for notebook 02 (one-layer RNN). Format: see set_01_mlp.py."""

# The reference loop of rnn_backward, from which the wrong loops below start.
ENTRIES = [
    # ---- dy_t ------------------------------------------------------------------------
    dict(
        id="dy_t-divides-by-T-only",
        unit="dy_t",
        kind="wrong",
        cause="Divides by T only; the loss is the mean over all T*N predictions, so the 1/N is missing.",
        cause_words=[r"\bN\b", r"T\s*[*·x×]\s*N|TN\b", r"batch"],
        source='''
def dy_t(p_t, y_t, T):
    Q = p_t.shape[1]
    return (p_t - one_hot(y_t, Q)) / T
''',
    ),
    dict(
        id="dy_t-gradient-at-probabilities",
        unit="dy_t",
        kind="wrong",
        cause="Returns the gradient at the probabilities (-1/(T N p) at the true class, the notes' dy) instead of at the logits.",
        cause_words=[r"probabilit", r"logits", r"softmax", r"dz_netAct"],
        source='''
def dy_t(p_t, y_t, T):
    N = p_t.shape[0]
    grad = np.zeros_like(p_t)
    grad[np.arange(N), y_t] = -1.0 / (T * N * p_t[np.arange(N), y_t])
    return grad
''',
    ),
    dict(
        id="dy_t-loop",
        unit="dy_t",
        kind="correct",
        cause="Subtracts 1 at the true class row by row.",
        cause_words=[],
        source='''
def dy_t(p_t, y_t, T):
    N = p_t.shape[0]
    g = np.array(p_t, dtype=np.float64)
    for n in range(N):
        g[n, y_t[n]] -= 1.0
    return g / (T * N)
''',
    ),
    # ---- dW_hq -----------------------------------------------------------------------
    dict(
        id="dW_hq-last-step-only",
        unit="dW_hq",
        kind="wrong",
        cause="Uses only the last step's h and dy; W_hq is used at every step, so the contributions must be summed over time.",
        cause_words=[
            r"sum(med)? over (all )?(T )?(time|steps|t\b)",
            r"last step|one step|single (time )?step|only (the )?(last|final)",
            r"every step|each step",
        ],
        source='''
def dW_hq(h, dy):
    return h[-1].T @ dy[-1]
''',
    ),
    dict(
        id="dW_hq-mean-over-time",
        unit="dW_hq",
        kind="wrong",
        cause="Divides the sum over time by T (a mean over steps) although dy already holds the 1/(T N).",
        cause_words=[r"\bT\b", r"mean|averag|divid"],
        source='''
def dW_hq(h, dy):
    T = h.shape[0]
    total = np.zeros((h.shape[2], dy.shape[2]))
    for t in range(T):
        total += h[t].T @ dy[t]
    return total / T
''',
    ),
    dict(
        id="dW_hq-reshape",
        unit="dW_hq",
        kind="correct",
        cause="One product over the T*N rows after a reshape.",
        cause_words=[],
        source='''
def dW_hq(h, dy):
    T, N, H = h.shape
    Q = dy.shape[-1]
    return h.reshape(T * N, H).T.dot(dy.reshape(T * N, Q))
''',
    ),
    # ---- db_q ------------------------------------------------------------------------
    dict(
        id="db_q-time-only",
        unit="db_q",
        kind="wrong",
        cause="Sums over time only (axis=0), leaving the batch axis: shape (N, Q) instead of (Q,).",
        cause_words=[r"shape|\(N, ?Q\)", r"batch|rows", r"axis"],
        source='''
def db_q(dy):
    return dy.sum(axis=0)
''',
    ),
    # ---- dh_t ------------------------------------------------------------------------
    dict(
        id="dh_t-future-without-W_hh",
        unit="dh_t",
        kind="wrong",
        cause="Adds dhraw_next itself; the future term must go through the recurrent weights, dhraw_next @ W_hh.T.",
        cause_words=[r"W_hh", r"recurrent weight", r"through"],
        source='''
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + dhraw_next
''',
    ),
    dict(
        id="dh_t-future-subtracted",
        unit="dh_t",
        kind="wrong",
        cause="Subtracts the future term instead of adding it.",
        cause_words=[r"sign", r"subtract|minus|negat"],
        source='''
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    from_output = dy_t @ W_hq.T
    from_future = dhraw_next @ W_hh.T
    return from_output - from_future
''',
    ),
    dict(
        id="dh_t-dot-transpose",
        unit="dh_t",
        kind="correct",
        cause="np.dot with np.transpose, terms in the other order.",
        cause_words=[],
        source='''
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return np.dot(dhraw_next, np.transpose(W_hh)) + np.dot(dy_t, np.transpose(W_hq))
''',
    ),
    # ---- dhraw_t ---------------------------------------------------------------------
    dict(
        id="dhraw_t-tanh-twice",
        unit="dhraw_t",
        kind="wrong",
        cause="Applies tanh to h_t again (1 - tanh(h_t)**2) although h_t is already tanh(h_netIn_t).",
        cause_words=[r"twice|again", r"tanh\(h_t\)|tanh of (the )?(output|h_t)"],
        source='''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    elif activation == "tanh":
        return dh_t * (1 - np.tanh(h_t) ** 2)
    else:
        raise ValueError("unknown activation " + str(activation))
''',
    ),
    dict(
        id="dhraw_t-sigmoid-derivative-for-tanh",
        unit="dhraw_t",
        kind="wrong",
        cause="Uses the sigmoid's derivative h(1-h) for tanh; tanh' = 1 - h_t**2 (ReLU is right).",
        cause_words=[r"sigmoid", r"tanh"],
        source='''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0).astype(float)
    if activation == "tanh":
        return dh_t * h_t * (1.0 - h_t)
    raise ValueError(f"activation must be 'relu' or 'tanh', got {activation!r}")
''',
    ),
    dict(
        id="dhraw_t-relu-of-gradient",
        unit="dhraw_t",
        kind="wrong",
        cause="For ReLU it keeps the positive entries of dh_t (the gradient's sign) instead of masking by h_netIn_t > 0.",
        cause_words=[r"sign of (the )?(incoming )?gradient|gradient'?s sign", r"\bdh_t\b|on the gradient", r"h_netIn|wrong (quantity|array)"],
        source='''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return np.maximum(dh_t, 0)
    if activation == "tanh":
        return dh_t * (1.0 - h_t ** 2)
    raise ValueError(f"unknown activation {activation}")
''',
    ),
    dict(
        id="dhraw_t-heaviside-and-square",
        unit="dhraw_t",
        kind="correct",
        cause="np.heaviside for ReLU (0 at the kink), h_t * h_t for tanh.",
        cause_words=[],
        source='''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation not in ("relu", "tanh"):
        raise ValueError("dhraw_t: activation must be relu or tanh")
    if activation == "tanh":
        deriv = 1.0 - h_t * h_t
    else:
        deriv = np.heaviside(h_netIn_t, 0.0)
    return dh_t * deriv
''',
    ),
    # ---- dW_hh -----------------------------------------------------------------------
    dict(
        id="dW_hh-skips-initial-state",
        unit="dW_hh",
        kind="wrong",
        cause="The sum starts at t = 1, dropping step 0's term with the initial state h_prev[0] (wrong only when h0 is non-zero).",
        cause_words=[r"initial state|h0\b|h_\{?-1\}?", r"step 0|t ?= ?0|first step", r"non-?zero"],
        source='''
def dW_hh(h_prev, dhraw):
    T, N, H = dhraw.shape
    out = np.zeros((H, H))
    for t in range(1, T):
        out += h_prev[t].T @ dhraw[t]
    return out
''',
    ),
    dict(
        id="dW_hh-einsum",
        unit="dW_hh",
        kind="correct",
        cause="einsum over time and batch.",
        cause_words=[],
        source='''
def dW_hh(h_prev, dhraw):
    return np.einsum("tni,tnj->ij", h_prev, dhraw)
''',
    ),
    # ---- dW_xh -----------------------------------------------------------------------
    dict(
        id="dW_xh-sums-batch-first",
        unit="dW_xh",
        kind="wrong",
        cause="Sums X and dhraw over the batch before the product, so examples of different rows are multiplied together (right only for N = 1).",
        cause_words=[r"rows?|examples?|batch", r"N ?= ?1|mix|cross|pairs?"],
        source='''
def dW_xh(X, dhraw):
    Xs = X.sum(axis=1)          # (T, D)
    Gs = dhraw.sum(axis=1)      # (T, H)
    return Xs.T @ Gs
''',
    ),
    # ---- db_h ------------------------------------------------------------------------
    dict(
        id="db_h-time-only",
        unit="db_h",
        kind="wrong",
        cause="Sums over time only (axis=0), so the result has shape (N, H) instead of (H,).",
        cause_words=[r"shape|\(N, ?H\)", r"batch|rows", r"axis"],
        source='''
def db_h(dhraw):
    return np.sum(dhraw, axis=0)
''',
    ),
    # ---- dX ---------------------------------------------------------------------------
    dict(
        id="dX-divides-by-TN-again",
        unit="dX",
        kind="wrong",
        cause="Divides by T*N although dhraw already carries the 1/(T N) of the mean loss.",
        cause_words=[r"T\s*\*\s*N", r"already in dhraw", r"divides"],
        source='''
def dX(dhraw, W_xh):
    T, N, H = dhraw.shape
    return dhraw @ W_xh.T / (T * N)
''',
    ),
    dict(
        id="dX-summed-over-time",
        unit="dX",
        kind="wrong",
        cause="Sums the steps as for a weight; every step has its own input, so dX keeps the time axis.",
        cause_words=[r"sums? over time", r"one gradient per step", r"\(T, N, D\)"],
        source='''
def dX(dhraw, W_xh):
    return dhraw.sum(axis=0) @ W_xh.T
''',
    ),
    dict(
        id="dX-loop-over-steps",
        unit="dX",
        kind="correct",
        cause="One product per step, stacked.",
        cause_words=[],
        source='''
def dX(dhraw, W_xh):
    return np.stack([dhraw[t] @ W_xh.T for t in range(dhraw.shape[0])])
''',
    ),
    # ---- dh0 ----------------------------------------------------------------------------
    dict(
        id="dh0-untransposed",
        unit="dh0",
        kind="wrong",
        cause="Sends the gradient through W_hh instead of its transpose (square, so the shape is right).",
        cause_words=[r"W_hh\.T", r"instead of W_hh", r"transpose"],
        source='''
def dh0(dhraw_0, W_hh):
    return dhraw_0 @ W_hh
''',
    ),
    dict(
        id="dh0-no-weights",
        unit="dh0",
        kind="wrong",
        cause="Returns step 0's gradient itself; the initial state reaches h_netIn_0 through W_hh.",
        cause_words=[r"through W_hh", r"dhraw_0 itself", r"multiply"],
        source='''
def dh0(dhraw_0, W_hh):
    return np.array(dhraw_0, dtype=np.float64)
''',
    ),
    dict(
        id="dh0-einsum",
        unit="dh0",
        kind="correct",
        cause="The forward entry's indices written as an einsum.",
        cause_words=[],
        source='''
def dh0(dhraw_0, W_hh):
    return np.einsum("ni,ji->nj", dhraw_0, W_hh)
''',
    ),
    # ---- rnn_backward ----------------------------------------------------------------
    dict(
        id="rnn_backward-carries-dh",
        unit="rnn_backward",
        kind="wrong",
        cause="The loop carries dh (the gradient at h_t) to the previous step instead of dhraw_t (after the activation's derivative).",
        cause_words=[r"carr(y|ies|ied)", r"\bdh(_t)?\b", r"pre-?activation|activation'?s derivative|before the activation"],
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
        dhraw_next = dh
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-forward-loop",
        unit="rnn_backward",
        kind="wrong",
        cause="The loop runs forwards in time (t = 0 .. T-1), so each step receives the gradient of the previous step instead of the next one.",
        cause_words=[r"forwards?\b|increasing", r"order|revers|backwards|direction"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in range(T):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-assigns-per-step",
        unit="rnn_backward",
        kind="wrong",
        cause=(
            "The parameter gradients are assigned inside the loop from one step each, so only step 0's contribution "
            "survives instead of the sum over all steps."
        ),
        cause_words=[
            r"sum(med)? over (all )?(the )?(time|steps)|accumulat",
            r"overwrit|assign",
            r"only (one|the first|step 0|t ?= ?0)|first step|single step",
        ],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    dhraw_next = np.zeros((N, H))
    grads = {}
    for t in reversed(range(T)):
        dy = dy_t(P[t], Y[t], T)
        dh = dh_t(dy, dhraw_next, params["W_hq"], params["W_hh"])
        dhraw = dhraw_t(dh, h_netIn[t], h[t], activation)
        # gradients of this step
        grads["W_xh"] = dW_xh(X[t:t + 1], dhraw[None])
        grads["W_hh"] = dW_hh(h_prev[t:t + 1], dhraw[None])
        grads["b_h"] = db_h(dhraw[None])
        grads["W_hq"] = dW_hq(h[t:t + 1], dy[None])
        grads["b_q"] = db_q(dy[None])
        dhraw_next = dhraw
    return grads
''',
    ),
    dict(
        id="rnn_backward-roll-h-prev",
        unit="rnn_backward",
        kind="wrong",
        cause="h_prev is built with np.roll, so step 0 reads the last state h[T-1] instead of the initial state h0.",
        cause_words=[r"roll|wrap", r"initial state|\bh0\b", r"step 0|t ?= ?0|first step|last state"],
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
    h_prev = np.roll(h, 1, axis=0)    # h_prev[t] = h[t-1]
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-hardcoded-relu",
        unit="rnn_backward",
        kind="wrong",
        cause="dhraw_t is always called with 'relu' instead of the activation argument (wrong only for tanh).",
        cause_words=[r"relu", r"tanh", r"activation"],
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
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], "relu")
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-h-prev-is-h",
        unit="rnn_backward",
        kind="wrong",
        cause="dW_hh receives h (h_t) where the previous states h_{t-1} belong.",
        cause_words=[r"previous state|h_\{?t-1\}?|h_prev", r"h\[t\]|\bh_t\b", r"shift|one step"],
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
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-h0-confused-with-h-0",
        unit="rnn_backward",
        kind="wrong",
        cause="h_prev starts with cache['h'][0] (the state after step 0) instead of cache['h0'], the initial state.",
        cause_words=[r"initial state|\bh0\b|h_\{?-1\}?", r"step 0|t ?= ?0|first step"],
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
    h_prev = np.concatenate([h[0][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-zero-initial-state",
        unit="rnn_backward",
        kind="wrong",
        cause="h_prev starts with zeros instead of cache['h0'] (wrong only when the initial state is non-zero).",
        cause_words=[r"initial state|\bh0\b|h_\{?-1\}?", r"zero|non-?zero"],
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
    h_prev = np.zeros_like(h)
    h_prev[1:] = h[:-1]
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-passes-N-as-T",
        unit="rnn_backward",
        kind="wrong",
        cause="dy_t is called with N (the batch size) where it expects T, so dy is scaled by T/N.",
        cause_words=[r"\bT\b.*\bN\b|\bN\b.*\bT\b", r"argument", r"normali[sz]"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], N)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-skips-last-step",
        unit="rnn_backward",
        kind="wrong",
        cause="The loop range(T-2, -1, -1) never visits the last step t = T-1, so its dy and dhraw stay zero.",
        cause_words=[r"last step|final step|T ?- ?1|T−1", r"never visit|skip|miss"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in range(T - 2, -1, -1):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-future-index-t-minus-1",
        unit="rnn_backward",
        kind="wrong",
        cause="dh_t receives dhraw[t-1] (the earlier step, not yet computed; at t = 0 it wraps to the last step) instead of dhraw[t+1].",
        cause_words=[r"t ?- ?1|t−1|earlier step|previous step|wrong step", r"t ?\+ ?1|next step|future", r"wrap"],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw[t - 1], params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-swapped-dhraw-args",
        unit="rnn_backward",
        kind="wrong",
        cause="dhraw_t gets h[t] and h_netIn[t] in swapped order, so tanh's derivative is taken from h_netIn (wrong only for tanh).",
        cause_words=[r"tanh", r"swap|order|argument", r"h_netIn"],
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
        dhraw[t] = dhraw_t(dh, h[t], h_netIn[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
    dict(
        id="rnn_backward-while-loop",
        unit="rnn_backward",
        kind="correct",
        cause="A while loop counting down, h_prev filled by assignment, the carried gradient copied.",
        cause_words=[],
        source='''
def rnn_backward(Y, params, cache, activation):
    T, N, H = cache["h"].shape
    W_hq, W_hh = params["W_hq"], params["W_hh"]
    dy = np.empty_like(cache["p"])
    dhraw = np.empty_like(cache["h"])
    carried = np.zeros((N, H))
    t = T - 1
    while t >= 0:
        dy[t] = dy_t(cache["p"][t], Y[t], T)
        dhraw[t] = dhraw_t(dh_t(dy[t], carried, W_hq, W_hh), cache["h_netIn"][t], cache["h"][t], activation)
        carried = dhraw[t].copy()
        t -= 1
    h_prev = np.empty_like(cache["h"])
    h_prev[0] = cache["h0"]
    h_prev[1:] = cache["h"][:-1]
    grads = dict(W_xh=dW_xh(cache["X"], dhraw), W_hh=dW_hh(h_prev, dhraw), b_h=db_h(dhraw))
    grads.update(W_hq=dW_hq(cache["h"], dy), b_q=db_q(dy))
    return grads
''',
    ),
    dict(
        id="rnn_backward-lists-then-stack",
        unit="rnn_backward",
        kind="correct",
        cause="Per-step results appended to lists over range(T-1, -1, -1), reversed and stacked.",
        cause_words=[],
        source='''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T = len(h)
    dys, dhraws = [], []
    nxt = np.zeros_like(h[0])
    for t in range(T - 1, -1, -1):
        d_out = dy_t(P[t], Y[t], T)
        d_raw = dhraw_t(dh_t(d_out, nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        dys.append(d_out)
        dhraws.append(d_raw)
        nxt = d_raw
    dy = np.stack(dys[::-1])
    dhraw = np.stack(dhraws[::-1])
    h_prev = np.stack([cache["h0"]] + [h[t] for t in range(T - 1)])
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''',
    ),
]
