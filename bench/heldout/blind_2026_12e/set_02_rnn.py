"""Blind answer set for notebook 02 (one-layer RNN, BPTT): realistic student rewrites of the eleven graded units."""

ENTRIES = []


def E(id, unit, kind, cause, words, source):
    ENTRIES.append({"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source})


NORM_N = [r"\bT\s*\*\s*N\b|\bT\s*N\b", r"\bover (the )?(time|steps)\b|\bT\b.{0,30}(divid|averag|normali)", r"(divid|averag|normali)\w*.{0,30}\bT\b"]

# ---------------- dy_t
E("dy_t-only-N-e", "dy_t", "wrong",
  "Normalises by N only, forgetting that the loss also averages over the T time steps.",
  NORM_N,
  '''def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return (p_t - one_hot(y_t, Q)) / N
''')
E("dy_t-only-T-e", "dy_t", "wrong",
  "Normalises by T only, forgetting the batch average over N.",
  [r"\bT\s*\*\s*N\b|\bT\s*N\b", r"\bN\b.{0,30}(divid|averag|normali)", r"batch (size|average|mean)"],
  '''def dy_t(p_t, y_t, T):
    Q = p_t.shape[1]
    return (p_t - one_hot(y_t, Q)) / T
''')
E("dy_t-classes-from-labels-e", "dy_t", "wrong",
  "Takes the number of classes from the labels (max(y_t)+1) instead of p_t.shape[1], which breaks when the highest class is absent from the batch.",
  [r"max\(?.{0,10}\+\s*1|y_t\.max|max label", r"(number of|n_?)classes.{0,40}(p_t|shape)", r"absent|not (present|in the batch)|missing class"],
  '''def dy_t(p_t, y_t, T):
    N = p_t.shape[0]
    Q = int(y_t.max()) + 1
    return (p_t - one_hot(y_t, Q)) / (T * N)
''')
E("dy_t-no-norm-e", "dy_t", "wrong",
  "Returns p - one_hot without any normalisation by T*N.",
  NORM_N + [r"normali[sz]"],
  '''def dy_t(p_t, y_t, T):
    return p_t - one_hot(y_t, p_t.shape[1])
''')
E("dy_t-subtract-e", "dy_t", "correct",
  "Copies p and subtracts 1 at the target entries with fancy indexing.",
  [],
  '''def dy_t(p_t, y_t, T):
    g = np.array(p_t, dtype=np.float64, copy=True)
    g[np.arange(len(y_t)), y_t] -= 1.0
    g /= T * len(y_t)
    return g
''')

# ---------------- dW_hq
E("dW_hq-sum-then-product-e", "dW_hq", "wrong",
  "Sums h and dy over time before multiplying, which adds cross-time products h_s^T dy_t.",
  [r"cross.?(time|term)", r"(sum|summ)\w* (over time )?(first|before)", r"per.?step|each step|step by step"],
  '''def dW_hq(h, dy):
    return h.sum(axis=0).T @ dy.sum(axis=0)
''')
E("dW_hq-mean-time-e", "dW_hq", "wrong",
  "Averages the per-step products over time instead of summing (dy already carries 1/T).",
  [r"\bmean\b|averag", r"1\s*/\s*T|divid\w* by T", r"sum\w* (instead|rather|over time)|should (be )?sum"],
  '''def dW_hq(h, dy):
    T = h.shape[0]
    return sum(h[t].T @ dy[t] for t in range(T)) / T
''')
E("dW_hq-loop-bound-e", "dW_hq", "wrong",
  "The loop runs over range(T - 1) and misses the last step.",
  [r"range\(\s*T\s*-\s*1|T\s*-\s*1", r"last (time )?step", r"loop (bound|range)|off.by.one"],
  '''def dW_hq(h, dy):
    T = h.shape[0]
    out = np.zeros((h.shape[2], dy.shape[2]))
    for t in range(T - 1):
        out += h[t].T @ dy[t]
    return out
''')
E("dW_hq-reshape-e", "dW_hq", "correct",
  "Flattens time and batch into one axis and does one product.",
  [],
  '''def dW_hq(h, dy):
    H, Q = h.shape[-1], dy.shape[-1]
    return h.reshape(-1, H).T @ dy.reshape(-1, Q)
''')

# ---------------- db_q
E("db_q-axis0-e", "db_q", "wrong",
  "Sums over time only (axis 0), leaving an (N, Q) array.",
  [r"axis", r"\(N,\s*Q\)", r"(over|across) (the )?batch|batch axis"],
  '''def db_q(dy):
    return np.sum(dy, axis=0)
''')
E("db_q-mean-e", "db_q", "wrong",
  "Averages over time and batch instead of summing.",
  [r"\bmean\b|averag", r"sum\w* (instead|rather)|should (be )?sum"],
  '''def db_q(dy):
    return dy.mean(axis=(0, 1))
''')

# ---------------- dh_t
E("dh_t-no-transpose-Whh-e", "dh_t", "wrong",
  "Multiplies dhraw_next by W_hh instead of W_hh.T (square, so the shape does not reveal it).",
  [r"W_hh\.T|transpos", r"square"],
  '''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + dhraw_next @ W_hh
''')
E("dh_t-no-future-e", "dh_t", "wrong",
  "Drops the gradient arriving from step t+1, keeping only the output term.",
  [r"future|next step|t\s*\+\s*1", r"dhraw_next", r"recurren"],
  '''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T
''')
E("dh_t-left-multiply-e", "dh_t", "wrong",
  "Writes the recurrent term as W_hh @ dhraw_next.T (column convention), giving the transposed (H, N) block.",
  [r"transpos", r"\(H,\s*N\)", r"row.?vector|column|convention"],
  '''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + W_hh @ dhraw_next.T
''')
E("dh_t-dot-e", "dh_t", "correct",
  "Column-convention products transposed back.",
  [],
  '''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return (W_hq @ dy_t.T + W_hh @ dhraw_next.T).T
''')

# ---------------- dhraw_t
E("dhraw_t-tanh-on-netIn-e", "dhraw_t", "wrong",
  "The tanh derivative is computed as 1 - h_netIn^2 from the pre-activation instead of 1 - h_t^2.",
  [r"h_netIn", r"1\s*-\s*h_t|tanh\(.{0,10}\)\s*\*\*\s*2", r"pre-?activation"],
  '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    if activation == "tanh":
        return dh_t * (1 - h_netIn_t ** 2)
    raise ValueError("unknown activation")
''')
E("dhraw_t-relu-ge-e", "dhraw_t", "wrong",
  "The ReLU mask uses >= 0, letting gradient through at a pre-activation of exactly 0.",
  [r">=\s*0", r"(exactly|at) (0|zero)", r"kink", r"strict"],
  '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t >= 0)
    elif activation == "tanh":
        return dh_t * (1 - h_t ** 2)
    raise ValueError(activation)
''')
E("dhraw_t-else-tanh-e", "dhraw_t", "wrong",
  "Any activation other than 'relu' falls into the tanh branch instead of raising ValueError.",
  [r"ValueError|raise", r"unknown|unsupported|invalid", r"\belse\b"],
  '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    else:
        return dh_t * (1 - h_t ** 2)
''')
E("dhraw_t-missing-square-e", "dhraw_t", "wrong",
  "The tanh derivative is written 1 - h_t instead of 1 - h_t**2.",
  [r"square|\*\*\s*2|\^2", r"1\s*-\s*h_t\b(?!\s*\*)"],
  '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    if activation == "tanh":
        return dh_t * (1 - h_t)
    raise ValueError(f"bad activation {activation}")
''')
E("dhraw_t-dispatch-e", "dhraw_t", "correct",
  "Looks the derivative up in a dict of lambdas; a missing key is turned into ValueError.",
  [],
  '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    derivs = {"relu": lambda: (h_netIn_t > 0).astype(np.float64),
              "tanh": lambda: 1.0 - np.square(h_t)}
    if activation not in derivs:
        raise ValueError(f"unknown activation {activation}")
    return dh_t * derivs[activation]()
''')

# ---------------- dW_hh
E("dW_hh-transposed-e", "dW_hh", "wrong",
  "Computes dhraw[t].T @ h_prev[t], the transpose of the gradient (square, so shape is not flagged).",
  [r"transpos", r"square", r"h_prev\[t\]\.T"],
  '''def dW_hh(h_prev, dhraw):
    return sum(dhraw[t].T @ h_prev[t] for t in range(len(h_prev)))
''')
E("dW_hh-skip-initial-e", "dW_hh", "wrong",
  "The sum starts at t = 1, dropping the term of the initial state h_prev[0].",
  [r"initial state|h0|h_prev\[0\]", r"range\(\s*1|t\s*=\s*1|first step", r"off.by.one|loop (bound|start)"],
  '''def dW_hh(h_prev, dhraw):
    H = h_prev.shape[2]
    g = np.zeros((H, H))
    for t in range(1, h_prev.shape[0]):
        g += h_prev[t].T @ dhraw[t]
    return g
''')
E("dW_hh-shifted-index-e", "dW_hh", "wrong",
  "Shifts the state again (pairs dhraw[t] with h_prev[t-1]), although h_prev is already the previous state.",
  [r"already (shifted|the previous)", r"t\s*-\s*1", r"shift|off.by.one|double"],
  '''def dW_hh(h_prev, dhraw):
    g = h_prev[0].T @ dhraw[0]
    for t in range(1, h_prev.shape[0]):
        g = g + h_prev[t - 1].T @ dhraw[t]
    return g
''')
E("dW_hh-einsum-e", "dW_hh", "correct",
  "One einsum over time and batch.",
  [],
  '''def dW_hh(h_prev, dhraw):
    return np.einsum("tni,tnj->ij", h_prev, dhraw)
''')

# ---------------- dW_xh
E("dW_xh-mean-time-e", "dW_xh", "wrong",
  "Averages over time instead of summing.",
  [r"\bmean\b|averag", r"1\s*/\s*T|divid\w* by T", r"sum\w* (instead|rather|over time)|should (be )?sum"],
  '''def dW_xh(X, dhraw):
    return np.mean([X[t].T @ dhraw[t] for t in range(X.shape[0])], axis=0)
''')
E("dW_xh-last-step-e", "dW_xh", "wrong",
  "Returns only the last step's product (accumulator overwritten with = instead of +=).",
  [r"\+=|accumul|overwrit", r"last (time )?step", r"only one step|not summed"],
  '''def dW_xh(X, dhraw):
    g = np.zeros((X.shape[2], dhraw.shape[2]))
    for t in range(X.shape[0]):
        g = X[t].T @ dhraw[t]
    return g
''')

# ---------------- db_h
E("db_h-axis0-e", "db_h", "wrong",
  "Sums over time only, leaving an (N, H) array.",
  [r"axis", r"\(N,\s*H\)", r"(over|across) (the )?batch|batch axis"],
  '''def db_h(dhraw):
    return dhraw.sum(axis=0)
''')
E("db_h-mean-batch-e", "db_h", "wrong",
  "Sums over time but averages over the batch.",
  [r"\bmean\b|averag", r"sum\w* (instead|rather|over the batch)|should (be )?sum"],
  '''def db_h(dhraw):
    return dhraw.sum(axis=0).mean(axis=0)
''')

# ---------------- dX
E("dX-summed-time-e", "dX", "wrong",
  "Sums over time, returning one (N, D) block instead of one slice per step.",
  [r"per step|each step|one slice|\(T,\s*N,\s*D\)", r"sum\w* over time", r"shape"],
  '''def dX(dhraw, W_xh):
    return dhraw.sum(axis=0) @ W_xh.T
''')
E("dX-last-only-e", "dX", "wrong",
  "The loop overwrites one (N, D) buffer each step, so every slice ends up as the first step's gradient.",
  [r"overwrit|alias|same (array|buffer|object)", r"each step|per step|every slice", r"copy"],
  '''def dX(dhraw, W_xh):
    T = dhraw.shape[0]
    out = []
    buf = np.zeros((dhraw.shape[1], W_xh.shape[0]))
    for t in reversed(range(T)):
        buf[:] = dhraw[t] @ W_xh.T
        out.insert(0, buf)
    return np.array(out)
''')

# ---------------- dh0
E("dh0-no-transpose-e", "dh0", "wrong",
  "Multiplies by W_hh instead of W_hh.T (square, so no shape error).",
  [r"W_hh\.T|transpos", r"square"],
  '''def dh0(dhraw_0, W_hh):
    return dhraw_0 @ W_hh
''')
E("dh0-column-e", "dh0", "wrong",
  "Uses the column convention W_hh @ dhraw_0.T and returns the (H, N) transpose.",
  [r"transpos", r"\(H,\s*N\)", r"column|convention"],
  '''def dh0(dhraw_0, W_hh):
    return W_hh @ dhraw_0.T
''')

# ---------------- rnn_backward
HDR = '''def rnn_backward(Y, params, cache, activation):
'''
E("rnn_backward-no-carry-e", "rnn_backward", "wrong",
  "dhraw_next is never updated inside the loop, so no gradient flows back through time.",
  [r"dhraw_next", r"(never|not) (updated|carried|passed)", r"through time|previous step|carry"],
  HDR + '''    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''')
E("rnn_backward-carry-dh-e", "rnn_backward", "wrong",
  "Carries the gradient at h_t (before the activation derivative) to the previous step instead of the gradient at h_netIn_t.",
  [r"dhraw|h_netIn", r"activation'?s? derivative|before the (activation|nonlinear)", r"carr(y|ies|ied)"],
  HDR + '''    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
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
''')
E("rnn_backward-forward-loop-e", "rnn_backward", "wrong",
  "The loop runs forward in time, so each step receives the gradient of the previous step instead of the next.",
  [r"revers|backward", r"forward (in time|order|loop)|wrong direction|direction", r"range\(T\)"],
  HDR + '''    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
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
''')
E("rnn_backward-h-not-shifted-e", "rnn_backward", "wrong",
  "Passes h itself (h_t) to dW_hh instead of the previous states h_{t-1} with h0 first.",
  [r"h_prev|previous state|h_\{?t\s*-\s*1", r"shift", r"\bh0\b|initial state"],
  HDR + '''    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.stack([dy_t(P[t], Y[t], T) for t in range(T)])
    dhraw = np.zeros(h.shape)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        nxt = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        dhraw[t] = nxt
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''')
E("rnn_backward-roll-e", "rnn_backward", "wrong",
  "Builds h_prev with np.roll, which wraps the last state h_{T-1} into slot 0 instead of the initial state h0.",
  [r"np\.roll|roll", r"wrap", r"\bh0\b|initial state"],
  HDR + '''    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dhraw[t] = dhraw_t(dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.roll(h, 1, axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''')
E("rnn_backward-netIn-as-state-e", "rnn_backward", "wrong",
  "Passes the pre-activation h_netIn[t] where dhraw_t expects the state h[t], so the tanh derivative is taken on the wrong array.",
  [r"h\[t\]|\bh_t\b|hidden state", r"h_netIn", r"argument|wrong array|swap"],
  HDR + '''    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h_netIn[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''')
E("rnn_backward-N-as-T-e", "rnn_backward", "wrong",
  "Passes the batch size N to dy_t as its T argument, so the logits gradient is scaled by 1/N^2 instead of 1/(T N).",
  [r"\bT\b.{0,30}(argument|parameter)|number of (time )?steps", r"1\s*/\s*\(?T\s*\*?\s*N|\bT\s*\*\s*N", r"\bN\b (instead of|as|for) (the )?\bT\b|batch size (instead of|as) "],
  HDR + '''    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
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
''')
E("rnn_backward-lists-e", "rnn_backward", "correct",
  "Collects per-step gradients in Python lists built backwards and reverses them before stacking.",
  [],
  HDR + '''    T = cache["h"].shape[0]
    dys, dhraws = [], []
    nxt = np.zeros_like(cache["h0"], dtype=np.float64)
    for t in range(T - 1, -1, -1):
        g_o = dy_t(cache["p"][t], Y[t], T)
        g_h = dh_t(g_o, nxt, params["W_hq"], params["W_hh"])
        nxt = dhraw_t(g_h, cache["h_netIn"][t], cache["h"][t], activation)
        dys.append(g_o)
        dhraws.append(nxt)
    dy = np.stack(dys[::-1])
    dhraw = np.stack(dhraws[::-1])
    h_prev = np.empty_like(cache["h"])
    h_prev[0] = cache["h0"]
    h_prev[1:] = cache["h"][:-1]
    return {"W_hq": dW_hq(cache["h"], dy), "b_q": db_q(dy), "W_hh": dW_hh(h_prev, dhraw),
            "W_xh": dW_xh(cache["X"], dhraw), "b_h": db_h(dhraw)}
''')
E("rnn_backward-index-e", "rnn_backward", "correct",
  "Forward-counting loop variable mapped to t = T-1-s, with dy computed for all steps first.",
  [],
  HDR + '''    h, P = cache["h"], cache["p"]
    T, N, H = h.shape
    dy = np.array([dy_t(P[t], Y[t], T) for t in range(T)])
    dhraw = np.zeros_like(h)
    for s in range(T):
        t = T - 1 - s
        after = dhraw[t + 1] if t + 1 < T else np.zeros((N, H))
        dhraw[t] = dhraw_t(dh_t(dy[t], after, params["W_hq"], params["W_hh"]), cache["h_netIn"][t], h[t], activation)
    h_prev = np.vstack([cache["h0"][None, :, :], h[: T - 1]])
    return {"W_xh": dW_xh(cache["X"], dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
''')
