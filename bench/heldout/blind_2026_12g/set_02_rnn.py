"""Blind answer set for 02_rnn_bptt: student rewrites of the eleven graded one-layer BPTT units."""


def E(id, unit, kind, cause, words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source}


RB_HEAD = '''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
'''
RB_TAIL = '''    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {
        "W_xh": dW_xh(X, dhraw),
        "W_hh": dW_hh(h_prev, dhraw),
        "b_h": db_h(dhraw),
        "W_hq": dW_hq(h, dy),
        "b_q": db_q(dy),
    }
'''

ENTRIES = [
E("dy_t-only-N-g", "dy_t", "wrong", "Divides by N only, forgetting that the loss averages over all T*N predictions.",
  [r"\bT\b|time steps|T\s*\*\s*N", r"normali[sz]|average|mean"], '''
def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return (p_t - one_hot(y_t, Q)) / N
'''),
E("dy_t-inplace-g", "dy_t", "wrong", "Subtracts 1 at the targets directly in p_t, modifying the cached softmax output and returning an array sharing its memory.",
  [r"in.?place|modif|mutat|alias", r"copy|p_t|cache"], '''
def dy_t(p_t, y_t, T):
    N = p_t.shape[0]
    p_t[np.arange(N), y_t] -= 1
    p_t /= T * N
    return p_t
'''),
E("dy_t-correct-eye-g", "dy_t", "correct", "Builds the one-hot rows with np.eye indexing and copies p_t first.", [], '''
def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    g = p_t.copy()
    g -= np.eye(Q)[y_t]
    return g / (N * T)
'''),
E("dW_hq-last-step-g", "dW_hq", "wrong", "Returns only the last step's contribution h[T-1].T @ dy[T-1] instead of summing over time (the loop variable overwrites rather than accumulates).",
  [r"accumulat|sum over (all )?(time|steps)|\+=", r"overwrit|last step"], '''
def dW_hq(h, dy):
    for t in range(h.shape[0]):
        g = h[t].T @ dy[t]
    return g
'''),
E("dW_hq-skip-first-g", "dW_hq", "wrong", "The time loop starts at 1, leaving out step 0's contribution.",
  [r"range\(1|step 0|first step|t\s*=\s*0", r"loop (bound|start)|off.by.one"], '''
def dW_hq(h, dy):
    T, N, H = h.shape
    g = np.zeros((H, dy.shape[2]))
    for t in range(1, T):
        g += h[t].T @ dy[t]
    return g
'''),
E("dW_hq-correct-reshape-g", "dW_hq", "correct", "Flattens time and batch into one axis and does one product.", [], '''
def dW_hq(h, dy):
    H, Q = h.shape[2], dy.shape[2]
    return h.reshape(-1, H).T @ dy.reshape(-1, Q)
'''),
E("db_q-axis0-only-g", "db_q", "wrong", "Sums only over time (axis 0), returning an (N, Q) array instead of also summing over the batch.",
  [r"axis|batch", r"shape|\(N, ?Q\)"], '''
def db_q(dy):
    return dy.sum(axis=0)
'''),
E("db_q-mean-time-g", "db_q", "wrong", "Averages over time instead of summing, dividing by T a second time.",
  [r"mean|average", r"\bT\b|twice|again"], '''
def db_q(dy):
    return dy.mean(axis=0).sum(axis=0)
'''),
E("dh_t-no-future-g", "dh_t", "wrong", "Drops the gradient arriving from the future through W_hh, keeping only the output term.",
  [r"future|dhraw_next|recurren|W_hh", r"missing|drop|omit"], '''
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T
'''),
E("dh_t-Whh-untransposed-g", "dh_t", "wrong", "Multiplies dhraw_next by W_hh instead of W_hh.T (square, so the shapes hide the slip).",
  [r"transpose|W_hh\.T|\.T\b", r"W_hh"], '''
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + dhraw_next @ W_hh
'''),
E("dhraw_t-tanh-from-netIn-g", "dhraw_t", "wrong", "Uses 1 - h_netIn_t**2 for tanh, squaring the pre-activation instead of the output h_t = tanh(h_netIn_t).",
  [r"h_t\b|output|tanh\(", r"pre.?activation|h_netIn"], '''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    if activation == "tanh":
        return dh_t * (1.0 - h_netIn_t ** 2)
    raise ValueError("unknown activation")
'''),
E("dhraw_t-no-raise-g", "dhraw_t", "wrong", "Any activation other than relu falls into the tanh branch, so an unknown name returns numbers instead of raising ValueError.",
  [r"ValueError|raise|unknown activation", r"else|fall.?through|default"], '''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    else:
        return dh_t * (1.0 - h_t ** 2)
'''),
E("dhraw_t-correct-dict-g", "dhraw_t", "correct", "Looks the derivative up in a dict of lambdas and raises ValueError on a KeyError.", [], '''
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    derivs = {"relu": lambda: (h_netIn_t > 0).astype(np.float64),
              "tanh": lambda: 1.0 - np.tanh(h_netIn_t) ** 2}
    if activation not in derivs:
        raise ValueError(activation)
    return dh_t * derivs[activation]()
'''),
E("dW_hh-dhraw-first-g", "dW_hh", "wrong", "Computes dhraw[t].T @ h_prev[t], the transpose of the right (H, H) gradient (square, so shapes hide it).",
  [r"transpose|order|h_prev\[t\]\.T", r"\(H, ?H\)|square"], '''
def dW_hh(h_prev, dhraw):
    return sum(dhraw[t].T @ h_prev[t] for t in range(h_prev.shape[0]))
'''),
E("dW_hh-shift-g", "dW_hh", "wrong", "Shifts the index a second time, pairing dhraw[t] with h_prev[t-1] (i.e. h_{t-2}) and skipping step 0.",
  [r"h_prev\[t ?- ?1\]|off.by.one|index|shift", r"h_\{?t-1\}?|previous state"], '''
def dW_hh(h_prev, dhraw):
    T, N, H = h_prev.shape
    g = np.zeros((H, H))
    for t in range(1, T):
        g += h_prev[t - 1].T @ dhraw[t]
    return g
'''),
E("dW_hh-correct-einsum-g", "dW_hh", "correct", "One einsum over time and batch.", [], '''
def dW_hh(h_prev, dhraw):
    return np.einsum("tni,tnj->ij", h_prev, dhraw)
'''),
E("dW_xh-X-wrong-time-g", "dW_xh", "wrong", "Pairs dhraw[t] with X[t-1] via np.roll (and X[T-1] with step 0, wrapping around), mixing each step's gradient with the previous step's input.",
  [r"X\[t\]|same step|roll|time index", r"previous|shift|off.by.one"], '''
def dW_xh(X, dhraw):
    Xs = np.roll(X, 1, axis=0)
    return sum(Xs[t].T @ dhraw[t] for t in range(X.shape[0]))
'''),
E("dW_xh-int-init-g", "dW_xh", "wrong", "Accumulates into np.zeros(..., dtype=int), truncating every added float to an integer.",
  [r"dtype|int", r"truncat|float"], '''
def dW_xh(X, dhraw):
    T, N, D = X.shape
    g = np.zeros((D, dhraw.shape[2]), dtype=int)
    for t in range(T):
        g = g + (X[t].T @ dhraw[t]).astype(int)
    return g.astype(np.float64)
'''),
E("db_h-axis-1-2-g", "db_h", "wrong", "Sums over axes (1, 2) instead of (0, 1), returning a (T,) vector.",
  [r"axis|axes", r"shape|\(T,?\)"], '''
def db_h(dhraw):
    return np.sum(dhraw, axis=(1, 2))
'''),
E("db_h-last-step-g", "db_h", "wrong", "Sums only dhraw[-1] over the batch, forgetting the other time steps.",
  [r"time|steps|all t|axis\s*=?\s*\(0", r"last|dhraw\[-1\]"], '''
def db_h(dhraw):
    return dhraw[-1].sum(axis=0)
'''),
E("dX-reshape-not-transpose-g", "dX", "wrong", "Uses W_xh.reshape(H, D) where the transpose W_xh.T is needed, reordering the entries instead of transposing.",
  [r"reshape", r"transpose|\.T\b"], '''
def dX(dhraw, W_xh):
    D, H = W_xh.shape
    return dhraw @ W_xh.reshape(H, D)
'''),
E("dX-reversed-g", "dX", "wrong", "Fills the output in the order the backward loop visits the steps, so slice t holds step T-1-t's gradient.",
  [r"revers|order|index", r"time|step"], '''
def dX(dhraw, W_xh):
    T = dhraw.shape[0]
    out = []
    for t in reversed(range(T)):
        out.append(dhraw[t] @ W_xh.T)
    return np.array(out)
'''),
E("dX-correct-einsum-g", "dX", "correct", "Uses einsum per step with an explicit output array.", [], '''
def dX(dhraw, W_xh):
    return np.einsum("tnh,dh->tnd", dhraw, W_xh)
'''),
E("dh0-no-transpose-g", "dh0", "wrong", "Multiplies by W_hh instead of W_hh.T (square, so the shapes hide it).",
  [r"transpose|W_hh\.T|\.T\b"], '''
def dh0(dhraw_0, W_hh):
    return dhraw_0 @ W_hh
'''),
E("dh0-phi-again-g", "dh0", "wrong", "Multiplies by the tanh derivative a second time (as if h0 had its own pre-activation), when the gradient at h0 is just dhraw_0 @ W_hh.T.",
  [r"activation|derivative|phi|tanh", r"extra|again|twice|no pre.?activation"], '''
def dh0(dhraw_0, W_hh):
    g = dhraw_0 @ W_hh.T
    return g * (1.0 - np.tanh(g) ** 2)
'''),
E("rnn_backward-forward-loop-g", "rnn_backward", "wrong", "Loops forward in time, so dhraw_next holds the previous step's gradient instead of the next step's.",
  [r"revers|backward in time|direction|forward (loop|order)", r"next step|t\s*\+\s*1"], RB_HEAD + '''    for t in range(T):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
''' + RB_TAIL),
E("rnn_backward-carry-dh-g", "rnn_backward", "wrong", "Carries dh (the gradient at h_t) to the earlier step instead of dhraw[t], skipping the activation derivative on the recurrent path.",
  [r"dhraw\[t\]|carr|pass(ed)? back", r"dh\b|activation derivative|before the activation"], RB_HEAD + '''    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dh
''' + RB_TAIL),
E("rnn_backward-h-as-hprev-g", "rnn_backward", "wrong", "Uses h itself (h_t) as the previous states for dW_hh instead of shifting in h0 (h_{t-1}).",
  [r"h_prev|h0|initial state|shift", r"h_\{?t-1\}?|previous"], RB_HEAD + '''    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    return {
        "W_xh": dW_xh(X, dhraw),
        "W_hh": dW_hh(h, dhraw),
        "b_h": db_h(dhraw),
        "W_hq": dW_hq(h, dy),
        "b_q": db_q(dy),
    }
'''),
E("rnn_backward-dy-N-g", "rnn_backward", "wrong", "Passes the batch size N as dy_t's T argument, normalising by N*N instead of T*N.",
  [r"\bT\b|time steps|T\s*\*\s*N", r"argument|normali[sz]|N\s*\*\s*N"], RB_HEAD + '''    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], N)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
''' + RB_TAIL),
E("rnn_backward-stale-next-g", "rnn_backward", "wrong", "Sets dhraw_next = dhraw[t] at the top of the iteration, before dhraw[t] is computed, so it reads zeros and no gradient from the future is ever passed back.",
  [r"stale|order|before|update", r"dhraw_next|carr"], RB_HEAD + '''    for t in reversed(range(T)):
        dhraw_next = dhraw[t]
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
''' + RB_TAIL),
E("rnn_backward-correct-index-g", "rnn_backward", "correct", "Reads the next step's gradient by index from the dhraw array instead of carrying a variable, and computes all dy first.", [], '''
def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.stack([dy_t(P[t], Y[t], T) for t in range(T)])
    dhraw = np.zeros((T, N, H))
    for t in range(T - 1, -1, -1):
        nxt = dhraw[t + 1] if t + 1 < T else np.zeros((N, H))
        dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
    h_prev = np.empty_like(h)
    h_prev[0] = cache["h0"]
    h_prev[1:] = h[:-1]
    return {"W_hq": dW_hq(h, dy), "b_q": db_q(dy), "W_xh": dW_xh(X, dhraw),
            "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw)}
'''),
]
