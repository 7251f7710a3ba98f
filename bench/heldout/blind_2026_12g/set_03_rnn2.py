"""Blind answer set for 03_two_layer_rnn: student rewrites of dh1_t and rnn2_backward."""


def E(id, unit, kind, cause, words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source}


def R2(loop, tail=None):
    head = '''
def rnn2_backward(Y, params, cache, activation):
    if activation == "relu":
        dphi = lambda netIn, out: netIn > 0
    elif activation == "tanh":
        dphi = lambda netIn, out: 1.0 - out ** 2
    else:
        raise ValueError(activation)
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
'''
    if tail is None:
        tail = '''    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {
        "W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": ts(h1, dhraw2), "W_hh2": ts(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
'''
    return head + loop + tail


GOOD_LOOP = '''    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
'''

ENTRIES = [
E("dh1_t-wrong-recurrent-g", "dh1_t", "wrong", "Multiplies the gradient from the future by W_hh1 instead of W_hh1.T (square, so the shapes hide it).",
  [r"transpose|W_hh1\.T|\.T\b", r"W_hh1|recurren"], '''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1
'''),
E("dh1_t-no-layer2-g", "dh1_t", "wrong", "Leaves out the gradient coming down from layer 2, keeping only the recurrent term.",
  [r"layer.?2|from above|W_xh2|dhraw2", r"missing|drop|omit"], '''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw1_next @ W_hh1.T
'''),
E("dh1_t-inplace-accumulate-g", "dh1_t", "wrong", "Accumulates with += into dhraw1_next, overwriting the caller's array and returning an alias of it.",
  [r"in.?place|\+=|modif|mutat|alias", r"copy|input|dhraw1_next"], '''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    g = dhraw1_next
    g[...] = dhraw1_next @ W_hh1.T
    g += dhraw2_t @ W_xh2.T
    return g
'''),
E("dh1_t-correct-concat-g", "dh1_t", "correct", "Stacks both incoming gradients and both weight matrices and does one product.", [], '''
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    g = np.concatenate([dhraw2_t, dhraw1_next], axis=1)
    W = np.concatenate([W_xh2, W_hh1], axis=1)
    return g @ W.T
'''),
E("rnn2_backward-dy-over-N-g", "rnn2_backward", "wrong", "Normalises the output gradient by N only, forgetting the loss averages over T*N predictions.",
  [r"\bT\b|time steps|T\s*\*\s*N", r"normali[sz]|average|mean"], R2(GOOD_LOOP).replace("dy = (P - np.eye(Q)[Y]) / (T * N)", "dy = (P - np.eye(Q)[Y]) / N")),
E("rnn2_backward-layer1-from-dh2-g", "rnn2_backward", "wrong", "Sends dh2 (before layer 2's activation derivative) down to layer 1 instead of dhraw2[t].",
  [r"dhraw2|activation derivative|before the activation|dh2"], R2(GOOD_LOOP.replace('dh1_t(dhraw2[t], next1', 'dh1_t(dh2, next1'))),
E("rnn2_backward-Wxh2-with-h1prev-g", "rnn2_backward", "wrong", "Pairs layer 2's input weights with h1_prev (the previous step's layer-1 state) instead of h1 at the same step.",
  [r"h1\b|same step|h1_prev|h1_\{?t-1\}?", r"W_xh2"], R2(GOOD_LOOP).replace('"W_xh2": ts(h1, dhraw2)', '"W_xh2": ts(h1_prev, dhraw2)')),
E("rnn2_backward-no-raise-g", "rnn2_backward", "wrong", "Any activation other than relu is treated as tanh, so an unknown activation returns numbers instead of raising ValueError.",
  [r"ValueError|raise|unknown activation", r"else|default|fall"], R2(GOOD_LOOP).replace('''    elif activation == "tanh":
        dphi = lambda netIn, out: 1.0 - out ** 2
    else:
        raise ValueError(activation)''', '''    else:
        dphi = lambda netIn, out: 1.0 - out ** 2''')),
E("rnn2_backward-carry-only-layer2-g", "rnn2_backward", "wrong", "Updates next2 each step but never next1, so layer 1 gets no gradient from its own future.",
  [r"next1|layer.?1.{0,30}(future|recurren)|carr", r"never updat|stays? zero|missing"], R2(GOOD_LOOP.replace('next1, next2 = dhraw1[t], dhraw2[t]', 'next2 = dhraw2[t]'))),
E("rnn2_backward-h2prev-h1-0-g", "rnn2_backward", "wrong", "Assumes a zero initial state for layer 2, building h2_prev with zeros instead of cache['h2_0'].",
  [r"h2_0|initial state|zero (initial )?state", r"h2_prev|W_hh2"], R2(GOOD_LOOP).replace('h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)', 'h2_prev = np.concatenate([np.zeros_like(h2[:1]), h2[:-1]], axis=0)')),
E("rnn2_backward-correct-stepwise-g", "rnn2_backward", "correct", "Accumulates every weight gradient inside the backward loop instead of summing afterwards, into a dict built from params.", [], '''
def rnn2_backward(Y, params, cache, activation):
    if activation not in ("relu", "tanh"):
        raise ValueError("activation must be relu or tanh")
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    g = {k: np.zeros(np.shape(v)) for k, v in params.items()}
    n1, n2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in range(T - 1, -1, -1):
        d = P[t].copy()
        d[np.arange(N), Y[t]] -= 1.0
        d /= T * N
        if activation == "relu":
            f1, f2 = cache["h1_netIn"][t] > 0, cache["h2_netIn"][t] > 0
        else:
            f1, f2 = 1.0 - h1[t] ** 2, 1.0 - h2[t] ** 2
        r2 = (d @ params["W_hq"].T + n2 @ params["W_hh2"].T) * f2
        r1 = dh1_t(r2, n1, params["W_xh2"], params["W_hh1"]) * f1
        p1 = h1[t - 1] if t > 0 else cache["h1_0"]
        p2 = h2[t - 1] if t > 0 else cache["h2_0"]
        g["W_hq"] += h2[t].T @ d
        g["b_q"] += d.sum(axis=0)
        g["W_xh2"] += h1[t].T @ r2
        g["W_hh2"] += p2.T @ r2
        g["b_h2"] += r2.sum(axis=0)
        g["W_xh1"] += X[t].T @ r1
        g["W_hh1"] += p1.T @ r1
        g["b_h1"] += r1.sum(axis=0)
        n1, n2 = r1, r2
    return g
'''),
]
