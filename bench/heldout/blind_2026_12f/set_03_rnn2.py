"""Blind answer set, notebook 03 (two-layer RNN): student-style rewrites of the graded functions."""


def E(id, unit, kind, cause, words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source}


BASE = '''def rnn2_backward(Y, params, cache, activation):
    if activation == "relu":
        d = lambda z, a: (z > 0).astype(float)
    elif activation == "tanh":
        d = lambda z, a: 1.0 - a * a
    else:
        raise ValueError("activation must be relu or tanh")
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = P.copy()
    for t in range(T):
        dy[t, np.arange(N), Y[t]] -= 1.0
    dy /= T * N
    g1 = np.zeros(h1.shape)
    g2 = np.zeros(h2.shape)
    n1 = np.zeros_like(h1[0])
    n2 = np.zeros_like(h2[0])
    for t in LOOP:
        dh2 = dy[t] @ params["W_hq"].T + n2 @ params["W_hh2"].T
        g2[t] = dh2 * d(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(DH1ARG, n1, params["W_xh2"], params["W_hh1"])
        g1[t] = dh1 * d(cache["h1_netIn"][t], h1[t])
        CARRY
    p1 = np.concatenate([cache["h1_0"][None], h1[:-1]])
    p2 = np.concatenate([cache["h2_0"][None], h2[:-1]])
    S = lambda a, b: sum(a[t].T @ b[t] for t in range(T))
    return {"W_xh1": S(X, g1), "W_hh1": S(p1, g1), "b_h1": g1.sum(axis=(0, 1)),
            "W_xh2": S(L2IN, g2), "W_hh2": S(p2, g2), "b_h2": g2.sum(axis=(0, 1)),
            "W_hq": S(h2, dy), "b_q": dy.sum(axis=(0, 1))}
'''


def V(**kw):
    d = {"LOOP": "range(T - 1, -1, -1)", "DH1ARG": "g2[t]", "CARRY": "n1, n2 = g1[t], g2[t]", "L2IN": "h1"}
    d.update(kw)
    s = BASE
    for k, v in d.items():
        s = s.replace(k, v)
    return s


ENTRIES = [
E("dh1_t-Wxh2-noT-f", "dh1_t", "wrong", "The term from layer 2 uses W_xh2 reshaped to (H2, H1) instead of transposed.",
  [r"reshape", r"transpose|\.T\b", r"W_xh2"],
'''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    H1, H2 = W_xh2.shape
    return dhraw2_t @ W_xh2.reshape(H2, H1) + dhraw1_next @ W_hh1.T
'''),
E("dh1_t-no-future-f", "dh1_t", "wrong", "It drops layer 1's own recurrent term dhraw1_next @ W_hh1.T.",
  [r"future|next step|recurren", r"W_hh1", r"dhraw1_next"],
'''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T
'''),
E("dh1_t-Whh1-noT-f", "dh1_t", "wrong", "The recurrent term uses W_hh1 instead of W_hh1.T (square, so the shapes fit).",
  [r"transpose|\.T\b", r"W_hh1"],
'''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1
'''),
E("dh1_t-einsum-f", "dh1_t", "correct", "Both terms via einsum.", [],
'''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return np.einsum("nj,ij->ni", dhraw2_t, W_xh2) + np.einsum("nj,ij->ni", dhraw1_next, W_hh1)
'''),
E("rnn2_backward-dh1-from-dh2-f", "rnn2_backward", "wrong", "dh1_t is given layer 2's gradient at h2 (before its activation derivative) instead of at h2_netIn.",
  [r"dhraw2|h2_netIn", r"pre.?activation|activation derivative|through (the )?activation", r"dh2"],
V(DH1ARG="dh2")),
E("rnn2_backward-layer2-input-prev-f", "rnn2_backward", "wrong", "W_xh2's gradient is formed from h1_prev (the previous step's layer-1 state) instead of h1 at the same step.",
  [r"h1\b.{0,30}same step|current step", r"h1_prev|previous", r"shift|off.?by.?one"],
V(L2IN="p1")),
E("rnn2_backward-no-carry1-f", "rnn2_backward", "wrong", "Only layer 2's gradient is carried to the earlier step; layer 1's n1 stays zero.",
  [r"n1|layer.?1.{0,40}(carr|future|recurren|next)", r"dhraw1", r"carr(y|ied)"],
V(CARRY="n2 = g2[t]")),
E("rnn2_backward-swap-carry-f", "rnn2_backward", "wrong", "Each layer carries its gradient at h (dh1, dh2) to the earlier step instead of its gradient at the pre-activation (dhraw).",
  [r"dhraw|h_netIn|pre.?activation", r"carr(y|ied)", r"activation derivative|through (the )?activation"],
V(CARRY="n1, n2 = dh1, dh2")),
E("rnn2_backward-forward-loop-f", "rnn2_backward", "wrong", "The time loop runs forwards, carrying the previous step's gradient instead of the next step's.",
  [r"revers|backward(s)? in time|forward(s)? (loop|order)", r"loop direction|order of the loop", r"range\(T\)"],
V(LOOP="range(T)")),
E("rnn2_backward-no-raise-f", "rnn2_backward", "wrong", "Any activation other than 'relu' gets the tanh derivative instead of raising ValueError.",
  [r"ValueError", r"raise", r"unknown activation|else"],
V().replace('''    elif activation == "tanh":
        d = lambda z, a: 1.0 - a * a
    else:
        raise ValueError("activation must be relu or tanh")''', '''    else:
        d = lambda z, a: 1.0 - a * a''')),
E("rnn2_backward-loop-f", "rnn2_backward", "correct", "Explicit per-step loop that subtracts 1 at the targets by indexing, and Python sums over time for the weight gradients.", [],
V()),
]
