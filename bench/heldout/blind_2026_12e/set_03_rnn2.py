"""Blind answer set for notebook 03 (two-layer RNN): realistic student rewrites of dh1_t and rnn2_backward."""

ENTRIES = []


def E(id, unit, kind, cause, words, source):
    ENTRIES.append({"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source})


# ---------------- dh1_t
E("dh1_t-no-transpose-Whh1-e", "dh1_t", "wrong",
  "The recurrent term uses W_hh1 instead of W_hh1.T (square, so the shape hides it).",
  [r"W_hh1\.T|transpos", r"square"],
  '''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1
''')
E("dh1_t-no-future-e", "dh1_t", "wrong",
  "Drops the gradient from layer 1's next step, keeping only the term from layer 2.",
  [r"future|next step|t\s*\+\s*1", r"dhraw1_next", r"recurren"],
  '''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T
''')
E("dh1_t-product-of-paths-e", "dh1_t", "wrong",
  "The contributions of the two paths (layer 2 above, layer 1's next step) are multiplied instead of added.",
  [r"\badd|\bsum of|summ?ed", r"multipl|product", r"(two|both) (paths|contributions|terms)"],
  '''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    from_above = dhraw2_t @ W_xh2.T
    from_future = dhraw1_next @ W_hh1.T
    return from_above * from_future
''')
E("dh1_t-dot-e", "dh1_t", "correct",
  "np.dot with the weights on the left, transposed back.",
  [],
  '''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return np.dot(W_xh2, dhraw2_t.T).T + np.dot(W_hh1, dhraw1_next.T).T
''')

BASE = '''def rnn2_backward(Y, params, cache, activation):
    if activation == "relu":
        d = lambda z, a: (z > 0).astype(np.float64)
    elif activation == "tanh":
        d = lambda z, a: 1.0 - a ** 2
    else:
        raise ValueError("activation must be relu or tanh")
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = P.copy()
    for t in range(T):
        dy[t, np.arange(N), Y[t]] -= 1.0
    dy /= T * N
    dhraw1 = np.zeros_like(h1)
    dhraw2 = np.zeros_like(h2)
    n1 = np.zeros_like(h1[0])
    n2 = np.zeros_like(h2[0])
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + n2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * d(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], n1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * d(cache["h1_netIn"][t], h1[t])
        n1 = dhraw1[t]
        n2 = dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]])
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]])
    g = {}
    g["W_hq"] = sum(h2[t].T @ dy[t] for t in range(T))
    g["b_q"] = dy.sum(axis=(0, 1))
    g["W_xh2"] = sum(h1[t].T @ dhraw2[t] for t in range(T))
    g["W_hh2"] = sum(h2_prev[t].T @ dhraw2[t] for t in range(T))
    g["b_h2"] = dhraw2.sum(axis=(0, 1))
    g["W_xh1"] = sum(X[t].T @ dhraw1[t] for t in range(T))
    g["W_hh1"] = sum(h1_prev[t].T @ dhraw1[t] for t in range(T))
    g["b_h1"] = dhraw1.sum(axis=(0, 1))
    return g
'''


def V(old, new, count=1):
    assert BASE.count(old) == count, old
    return BASE.replace(old, new)


E("rnn2_backward-loops-e", "rnn2_backward", "correct",
  "Per-step loops for the target subtraction and for every time sum, instead of one-hot and einsum.",
  [], BASE)
E("rnn2_backward-Wxh2-prev-e", "rnn2_backward", "wrong",
  "Layer 2's input weights are paired with the previous layer-1 state h1_{t-1} instead of the same-step h1_t.",
  [r"h1_prev|h1_\{?t\s*-\s*1|previous", r"same (time )?step|h1\[t\]|h1_t\b", r"W_xh2"],
  V('g["W_xh2"] = sum(h1[t].T', 'g["W_xh2"] = sum(h1_prev[t].T'))
E("rnn2_backward-carry-dh1-e", "rnn2_backward", "wrong",
  "Layer 1 carries dh1 (before the activation derivative) to the previous step instead of dhraw1.",
  [r"dhraw1|h1_netIn", r"activation'?s? derivative|before the (activation|nonlinear)", r"carr(y|ies|ied)"],
  V('n1 = dhraw1[t]', 'n1 = dh1'))
E("rnn2_backward-dh2-into-dh1-e", "rnn2_backward", "wrong",
  "dh1_t is given the gradient at h2_t (dh2) instead of at h2_netIn_t, skipping layer 2's activation derivative on the way down.",
  [r"dhraw2|h2_netIn", r"activation'?s? derivative|layer.?2'?s? (activation|nonlinear)", r"dh2"],
  V('dh1 = dh1_t(dhraw2[t], n1', 'dh1 = dh1_t(dh2, n1'))
E("rnn2_backward-else-tanh-e", "rnn2_backward", "wrong",
  "Any activation other than 'relu' is treated as tanh instead of raising ValueError.",
  [r"ValueError|raise", r"unknown|unsupported|invalid", r"\belse\b"],
  V('''    elif activation == "tanh":
        d = lambda z, a: 1.0 - a ** 2
    else:
        raise ValueError("activation must be relu or tanh")''', '''    else:
        d = lambda z, a: 1.0 - a ** 2'''))
E("rnn2_backward-norm-N-e", "rnn2_backward", "wrong",
  "The logits gradient is divided by N only, forgetting the average over the T steps.",
  [r"\bT\s*\*\s*N\b|\bT\s*N\b", r"over (the )?(time|steps)", r"(divid|averag|normali)\w*.{0,30}\bT\b"],
  V('dy /= T * N', 'dy /= N'))
E("rnn2_backward-layer1-deriv-from-h2-e", "rnn2_backward", "wrong",
  "Copy/paste slip: layer 1's activation derivative is evaluated on layer 2's pre-activation and state.",
  [r"h1_netIn|h1\[t\]", r"layer.?1", r"copy|paste|wrong layer"],
  V('dhraw1[t] = dh1 * d(cache["h1_netIn"][t], h1[t])', 'dhraw1[t] = dh1 * d(cache["h2_netIn"][t], h2[t])'))
E("rnn2_backward-Whh2-uses-h2-e", "rnn2_backward", "wrong",
  "W_hh2's gradient pairs dhraw2_t with h2_t instead of the previous state h2_{t-1} (h2_0 first).",
  [r"h2_prev|previous state|h2_\{?t\s*-\s*1", r"shift", r"h2_0|initial state"],
  V('g["W_hh2"] = sum(h2_prev[t].T', 'g["W_hh2"] = sum(h2[t].T'))
E("rnn2_backward-Whh2-no-transpose-e", "rnn2_backward", "wrong",
  "Layer 2's recurrent term multiplies the carried gradient by W_hh2 instead of W_hh2.T.",
  [r"W_hh2\.T|transpos", r"square"],
  V('n2 @ params["W_hh2"].T', 'n2 @ params["W_hh2"]'))
E("rnn2_backward-vector-e", "rnn2_backward", "correct",
  "One-hot via np.eye indexing and all time sums as single flattened products.",
  [],
  '''def rnn2_backward(Y, params, cache, activation):
    if activation not in ("relu", "tanh"):
        raise ValueError(activation)
    h1, h2, P = cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    if activation == "relu":
        d1, d2 = (cache["h1_netIn"] > 0) * 1.0, (cache["h2_netIn"] > 0) * 1.0
    else:
        d1, d2 = 1.0 - h1 * h1, 1.0 - h2 * h2
    dy = (P - np.eye(Q)[Y]) / (T * N)
    r1, r2 = np.zeros_like(h1), np.zeros_like(h2)
    for t in range(T - 1, -1, -1):
        f1 = r1[t + 1] if t < T - 1 else np.zeros_like(h1[0])
        f2 = r2[t + 1] if t < T - 1 else np.zeros_like(h2[0])
        r2[t] = (dy[t] @ params["W_hq"].T + f2 @ params["W_hh2"].T) * d2[t]
        r1[t] = dh1_t(r2[t], f1, params["W_xh2"], params["W_hh1"]) * d1[t]
    fl = lambda a: a.reshape(T * N, -1)
    p1 = np.concatenate([cache["h1_0"][None], h1[:-1]])
    p2 = np.concatenate([cache["h2_0"][None], h2[:-1]])
    return {"W_xh1": fl(cache["X"]).T @ fl(r1), "W_hh1": fl(p1).T @ fl(r1), "b_h1": fl(r1).sum(0),
            "W_xh2": fl(h1).T @ fl(r2), "W_hh2": fl(p2).T @ fl(r2), "b_h2": fl(r2).sum(0),
            "W_hq": fl(h2).T @ fl(dy), "b_q": fl(dy).sum(0)}
''')
