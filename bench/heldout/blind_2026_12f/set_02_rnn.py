"""Blind answer set, notebook 02 (one-layer RNN, BPTT): student-style rewrites of the graded functions."""


def E(id, unit, kind, cause, words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source}


RB_HEAD = '''def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
'''

ENTRIES = [
E("dy_t-no-T-f", "dy_t", "wrong", "It divides by N only, forgetting that the loss also averages over the T steps.",
  [r"\bT\b.{0,30}(step|time)", r"T\s*\*\s*N|T\s*N", r"(over|across) (the )?(time|steps)"],
'''def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return (p_t - one_hot(y_t, Q)) / N
'''),
E("dy_t-T-plus-N-f", "dy_t", "wrong", "It divides by T + N instead of the number of predictions T * N.",
  [r"T\s*\+\s*N", r"T\s*\*\s*N|product"],
'''def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return (p_t - one_hot(y_t, Q)) / (T + N)
'''),
E("dy_t-inplace-f", "dy_t", "wrong", "It subtracts 1 at the targets in place in p_t, changing the cached softmax output the caller passed.",
  [r"in.?place", r"(modif|mutat|overwrit|chang).{0,30}(input|argument|caller|p_t)", r"copy"],
'''def dy_t(p_t, y_t, T):
    N = p_t.shape[0]
    p_t[np.arange(N), y_t] -= 1
    p_t /= T * N
    return p_t
'''),
E("dy_t-index-f", "dy_t", "correct", "Copies p_t and subtracts 1 at the targets by fancy indexing instead of one_hot.", [],
'''def dy_t(p_t, y_t, T):
    g = np.array(p_t, dtype=np.float64, copy=True)
    g[np.arange(g.shape[0]), y_t] -= 1.0
    return g / (T * g.shape[0])
'''),
E("dW_hq-last-step-f", "dW_hq", "wrong", "It returns only the last step's h[-1].T @ dy[-1] instead of summing over all steps.",
  [r"sum(med|ming)? (over|across) (all )?(time|steps)", r"last step|only one step|\[-1\]"],
'''def dW_hq(h, dy):
    return h[-1].T @ dy[-1]
'''),
E("dW_hq-range-f", "dW_hq", "wrong", "The time loop runs range(1, T), skipping step 0's contribution.",
  [r"range\(1", r"step 0|first step|t\s*=\s*0", r"off.?by.?one|loop bound"],
'''def dW_hq(h, dy):
    total = np.zeros((h.shape[2], dy.shape[2]))
    for t in range(1, h.shape[0]):
        total += h[t].T @ dy[t]
    return total
'''),
E("dW_hq-mean-f", "dW_hq", "wrong", "It averages the per-step products over time (np.mean) instead of summing them.",
  [r"mean|averag", r"sum", r"divid.{0,20}T"],
'''def dW_hq(h, dy):
    return np.mean([h[t].T @ dy[t] for t in range(len(h))], axis=0)
'''),
E("dW_hq-reshape-f", "dW_hq", "correct", "Flattens time and batch and does one matrix product.", [],
'''def dW_hq(h, dy):
    T, N, H = h.shape
    return h.reshape(T * N, H).T @ dy.reshape(T * N, -1)
'''),
E("db_q-axis0-f", "db_q", "wrong", "It sums over time only (axis 0), returning an (N, Q) array instead of also summing the batch.",
  [r"axis", r"(batch|N).{0,20}(axis|dimension)", r"\(N,\s*Q\)"],
'''def db_q(dy):
    return dy.sum(axis=0)
'''),
E("db_q-last-f", "db_q", "wrong", "It sums the batch of the last step only, dy[-1].sum(axis=0), dropping the other steps.",
  [r"last step|\[-1\]", r"(over|across) (all )?(time|steps)"],
'''def db_q(dy):
    return dy[-1].sum(axis=0)
'''),
E("dh_t-no-future-f", "dh_t", "wrong", "It drops the recurrent term dhraw_next @ W_hh.T, so no gradient flows back from the future.",
  [r"future|next step|recurren", r"W_hh", r"dhraw_next"],
'''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T
'''),
E("dh_t-no-transpose-Whh-f", "dh_t", "wrong", "The recurrent term uses W_hh instead of W_hh.T (square, so the shapes still fit).",
  [r"transpose|\.T\b", r"W_hh"],
'''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + dhraw_next @ W_hh
'''),
E("dh_t-left-mult-f", "dh_t", "wrong", "The future term is multiplied elementwise by the diagonal of W_hh instead of a matrix product with W_hh.T.",
  [r"diag", r"matrix product|matmul|@", r"elementwise|element-wise"],
'''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + dhraw_next * np.diag(W_hh)
'''),
E("dh_t-transposed-form-f", "dh_t", "correct", "Computes both terms in transposed form and transposes back.", [],
'''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return (W_hq @ dy_t.T + W_hh @ dhraw_next.T).T
'''),
E("dhraw_t-tanh-netin-f", "dhraw_t", "wrong", "The tanh derivative is computed as 1 - h_netIn**2 from the pre-activation instead of 1 - h_t**2 from the output.",
  [r"h_netIn", r"h_t", r"pre.?activation|output of (the )?tanh|tanh\("],
'''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    if activation == "tanh":
        return dh_t * (1 - h_netIn_t ** 2)
    raise ValueError("unknown activation")
'''),
E("dhraw_t-no-raise-f", "dhraw_t", "wrong", "Any activation that is not 'relu' falls into the tanh branch instead of raising ValueError.",
  [r"ValueError", r"raise", r"unknown activation|else"],
'''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    else:
        return dh_t * (1.0 - h_t ** 2)
'''),
E("dhraw_t-relu-ht-f", "dhraw_t", "wrong", "The ReLU mask is taken as h_t >= 0, which is true everywhere since h_t = max(0, .) is never negative.",
  [r">=\s*0", r"h_t", r"always (true|one|1)|never negative"],
'''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "tanh":
        return dh_t * (1.0 - h_t * h_t)
    elif activation == "relu":
        return dh_t * (h_t >= 0)
    raise ValueError(activation)
'''),
E("dhraw_t-cosh-f", "dhraw_t", "correct", "Uses 1/cosh^2 of the pre-activation for tanh and a float mask for ReLU.", [],
'''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation not in ("relu", "tanh"):
        raise ValueError("activation must be relu or tanh")
    if activation == "tanh":
        return dh_t / np.cosh(h_netIn_t) ** 2
    return dh_t * (h_netIn_t > 0).astype(np.float64)
'''),
E("dW_hh-uses-current-f", "dW_hh", "wrong", "It shifts h_prev by one step itself (h_prev[t+1] paired with dhraw[t]), pairing each gradient with the current state instead of the previous one.",
  [r"h_prev\[t\]|previous state|h_\{?t-1", r"shift|off.?by.?one|index"],
'''def dW_hh(h_prev, dhraw):
    T = h_prev.shape[0]
    out = np.zeros((h_prev.shape[2], dhraw.shape[2]))
    for t in range(T - 1):
        out += h_prev[t + 1].T @ dhraw[t]
    return out
'''),
E("dW_hh-transpose-f", "dW_hh", "wrong", "It returns sum_t dhraw[t].T @ h_prev[t], the transpose of the gradient (square, so the shape fits).",
  [r"transpose", r"order of (the )?(operands|product|factors)", r"h_prev\[t\]\.T"],
'''def dW_hh(h_prev, dhraw):
    return sum(dhraw[t].T @ h_prev[t] for t in range(len(dhraw)))
'''),
E("dW_hh-einsum-f", "dW_hh", "correct", "One einsum over time and batch.", [],
'''def dW_hh(h_prev, dhraw):
    return np.einsum("tni,tnj->ij", h_prev, dhraw)
'''),
E("dW_xh-batch-mean-f", "dW_xh", "wrong", "It divides the sum by N again, though dhraw already carries the 1/(T N) of the mean loss.",
  [r"(divid|normali[sz]).{0,30}(twice|again|second|N)", r"/\s*N", r"already"],
'''def dW_xh(X, dhraw):
    T, N, D = X.shape
    return sum(X[t].T @ dhraw[t] for t in range(T)) / N
'''),
E("dW_xh-sum-first-f", "dW_xh", "wrong", "It sums X and dhraw over time before multiplying, (sum_t X_t).T @ (sum_t dhraw_t), which adds cross-step products.",
  [r"cross.?(step|term)", r"sum.{0,30}(before|first)", r"(per|each) step|product of sums"],
'''def dW_xh(X, dhraw):
    return X.sum(axis=0).T @ dhraw.sum(axis=0)
'''),
E("db_h-axis12-f", "db_h", "wrong", "It sums over axes (1, 2) instead of (0, 1), collapsing the hidden units and keeping time.",
  [r"axis", r"\(0,\s*1\)", r"hidden (units|dimension)"],
'''def db_h(dhraw):
    return np.sum(dhraw, axis=(1, 2))
'''),
E("db_h-first-step-f", "db_h", "wrong", "It sums only step 0's gradients, dhraw[0].sum(axis=0).",
  [r"step 0|first step|\[0\]", r"(over|across) (all )?(time|steps)"],
'''def db_h(dhraw):
    return dhraw[0].sum(axis=0)
'''),
E("dX-no-T-f", "dX", "wrong", "It multiplies by W_xh reshaped to (H, D) instead of transposed, scrambling the entries.",
  [r"reshape", r"transpose|\.T\b"],
'''def dX(dhraw, W_xh):
    D, H = W_xh.shape
    return dhraw @ W_xh.reshape(H, D)
'''),
E("dX-reversed-f", "dX", "wrong", "The per-step slices are collected while looping backwards and stacked in that reversed order.",
  [r"revers", r"order", r"append|stack"],
'''def dX(dhraw, W_xh):
    out = []
    for t in reversed(range(dhraw.shape[0])):
        out.append(dhraw[t] @ W_xh.T)
    return np.stack(out)
'''),
E("dX-loop-f", "dX", "correct", "Fills a preallocated array one step at a time.", [],
'''def dX(dhraw, W_xh):
    T, N, H = dhraw.shape
    out = np.empty((T, N, W_xh.shape[0]))
    for t in range(T):
        out[t] = dhraw[t] @ W_xh.T
    return out
'''),
E("dh0-no-T-f", "dh0", "wrong", "It uses W_hh instead of W_hh.T.",
  [r"transpose|\.T\b", r"W_hh"],
'''def dh0(dhraw_0, W_hh):
    return dhraw_0 @ W_hh
'''),
E("dh0-returns-input-f", "dh0", "wrong", "It returns dhraw_0 itself, forgetting the product with W_hh.T that carries it back to h0.",
  [r"W_hh", r"(multiply|product|matmul)", r"h_netIn_0|one more step"],
'''def dh0(dhraw_0, W_hh):
    return dhraw_0.copy()
'''),
E("rnn_backward-forward-loop-f", "rnn_backward", "wrong", "The time loop runs forwards, so dhraw_next holds the previous step's gradient instead of the next one's.",
  [r"revers|backward(s)? in time|forward(s)? (loop|order)", r"loop direction|order of the loop", r"range\(T\)"],
RB_HEAD + '''    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    nxt = np.zeros((N, H))
    for t in range(T):
        dy[t] = dy_t(P[t], Y[t], T)
        dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        nxt = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
E("rnn_backward-h-as-prev-f", "rnn_backward", "wrong", "dW_hh is given h itself instead of the previous states [h0, h_0, ..., h_{T-2}].",
  [r"h_prev|previous state", r"h0|initial state", r"shift|off.?by.?one"],
RB_HEAD + '''    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        nxt = dhraw[t]
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
E("rnn_backward-carry-dh-f", "rnn_backward", "wrong", "It carries dh (the gradient at h_t) to the next iteration instead of dhraw (the gradient at the pre-activation).",
  [r"dhraw", r"pre.?activation|through (the )?activation", r"carr(y|ied)"],
RB_HEAD + '''    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], nxt, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        nxt = dh
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
E("rnn_backward-dyt-T1-f", "rnn_backward", "wrong", "dy_t is called with T=1 (the student passes the step count of one slice), so the loss is not averaged over time.",
  [r"\bT\b", r"(averag|divid|normali[sz]).{0,30}(time|steps|T)", r"dy_t"],
RB_HEAD + '''    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], 1)
        dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        nxt = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
E("rnn_backward-next-index-f", "rnn_backward", "wrong", "It reads the future gradient from dhraw[t - 1] (not yet filled, and at t = 0 wrapping round to the last step) instead of dhraw[t + 1].",
  [r"t\s*-\s*1", r"t\s*\+\s*1", r"index|wrap|negative"],
RB_HEAD + '''    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    for t in reversed(range(T)):
        nxt = dhraw[t - 1]
        dy[t] = dy_t(P[t], Y[t], T)
        dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
E("rnn_backward-h0-zero-f", "rnn_backward", "wrong", "The previous state of step 0 is taken as zeros instead of the cached initial state h0.",
  [r"h0|initial state", r"zeros?"],
RB_HEAD + '''    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        nxt = dhraw[t]
    h_prev = np.zeros_like(h)
    h_prev[1:] = h[:-1]
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
E("rnn_backward-lists-f", "rnn_backward", "correct", "Collects per-step gradients in lists, reverses and stacks them, and builds h_prev by a loop.", [],
RB_HEAD + '''    dys, dhraws = [], []
    nxt = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        g = dy_t(P[t], Y[t], T)
        nxt = dhraw_t(dh_t(g, nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        dys.append(g)
        dhraws.append(nxt)
    dy = np.stack(dys[::-1])
    dhraw = np.stack(dhraws[::-1])
    h_prev = np.stack([cache["h0"]] + [h[t - 1] for t in range(1, T)])
    return {"b_q": db_q(dy), "W_hq": dW_hq(h, dy), "b_h": db_h(dhraw),
            "W_hh": dW_hh(h_prev, dhraw), "W_xh": dW_xh(X, dhraw)}
'''),
E("db_q-reshape-f", "db_q", "correct", "Flattens time and batch into one axis before summing.", [],
'''def db_q(dy):
    return dy.reshape(-1, dy.shape[-1]).sum(axis=0)
'''),
E("dh0-einsum-f", "dh0", "correct", "Uses einsum with W_hh's indices swapped instead of a transpose.", [],
'''def dh0(dhraw_0, W_hh):
    return np.einsum("nj,ij->ni", dhraw_0, W_hh)
'''),
]
