"""Blind answer set for notebook 03 (two-layer RNN): dh1_t and rnn2_backward.

Each entry is one student answer with exactly one mistake ("wrong") or none ("correct").
rnn2_backward answers call dh1_t by name, as the notebook asks.
Written from the student notebook, the instructor notebook's solution cells and docs/math.md only.
"""


def E(id, unit, kind, cause, cause_words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": cause_words, "source": source}


TN = r"T\s*\*\s*N|T\s*N\b|T\s*·\s*N"

# A correct student rnn2_backward; every wrong entry below changes exactly one thing in it.
BASE = '''def rnn2_backward(Y, params, cache, activation):
    if activation not in ("relu", "tanh"):
        raise ValueError(f"rnn2_backward: unknown activation {activation!r}")
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    H1, H2 = h1.shape[2], h2.shape[2]

    def dphi(netIn, out):
        if activation == "relu":
            return (netIn > 0).astype(np.float64)
        return 1.0 - out ** 2

    dy = P.copy()
    dy[np.arange(T)[:, None], np.arange(N)[None, :], Y] -= 1.0
    dy = dy / (T * N)
    grads = {name: np.zeros(np.shape(value)) for name, value in params.items()}
    next1 = np.zeros((N, H1))
    next2 = np.zeros((N, H2))
    for t in range(T - 1, -1, -1):
        h1_prev = h1[t - 1] if t > 0 else cache["h1_0"]
        h2_prev = h2[t - 1] if t > 0 else cache["h2_0"]
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        draw2 = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(draw2, next1, params["W_xh2"], params["W_hh1"])
        draw1 = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        grads["W_hq"] += h2[t].T @ dy[t]
        grads["b_q"] += dy[t].sum(axis=0)
        grads["W_xh2"] += h1[t].T @ draw2
        grads["W_hh2"] += h2_prev.T @ draw2
        grads["b_h2"] += draw2.sum(axis=0)
        grads["W_xh1"] += X[t].T @ draw1
        grads["W_hh1"] += h1_prev.T @ draw1
        grads["b_h1"] += draw1.sum(axis=0)
        next1, next2 = draw1, draw2
    return grads
'''


def variant(old, new, count=1):
    assert BASE.count(old) == count, old
    return BASE.replace(old, new)


ENTRIES = [
    # ------------------------------------------------------------------ dh1_t
    E("dh1_t-W_xh2-untransposed-c", "dh1_t", "wrong",
      "Multiplies dhraw2_t by W_xh2 instead of W_xh2.T ((N, H2) @ (H1, H2) fails on the shapes).",
      [r"transpos", r"W_xh2\.T"],
      '''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2 + dhraw1_next @ W_hh1.T
'''),
    E("dh1_t-no-future-c", "dh1_t", "wrong",
      "Keeps only the term from layer 2 and drops the gradient from layer 1's next step (right only at the last step).",
      [r"future|next (time )?step|t\s*\+\s*1", r"dhraw1_next", r"recurren\w*", r"second term|through time"],
      '''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T
'''),
    E("dh1_t-W_hh1-untransposed-c", "dh1_t", "wrong",
      "Multiplies the future gradient by W_hh1 instead of W_hh1.T (square, so the shapes do not catch it).",
      [r"transpos", r"W_hh1\.T"],
      '''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1
'''),
    E("dh1_t-layer2-through-W_hh1-c", "dh1_t", "wrong",
      "Also multiplies layer 2's term by W_hh1.T, as if the gradient from layer 2 at the same step had to cross layer 1's recurrent edge too.",
      [r"W_hh1.{0,60}(layer 2|dhraw2|both terms|also|extra|as well)", r"(extra|additional|second|spurious) (multiplication|factor|product)", r"same (time )?step.{0,60}(no|not|without).{0,20}(W_hh1|recurren)"],
      '''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return dhraw2_t @ W_xh2.T @ W_hh1.T + dhraw1_next @ W_hh1.T
'''),
    E("dh1_t-einsum-c", "dh1_t", "correct",
      "Writes both products as einsums over the shared unit index.",
      [],
      '''def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    return np.einsum("nb,ab->na", dhraw2_t, W_xh2) + np.einsum("nb,ab->na", dhraw1_next, W_hh1)
'''),
    # ------------------------------------------------------------------ rnn2_backward
    E("rnn2_backward-layer1-first-c", "rnn2_backward", "wrong",
      "Computes layer 1 before layer 2 inside a step, so dh1_t receives layer 2's gradient of the previous iteration (step t+1) instead of the same step t.",
      [r"order", r"layer 2 (first|before)|before layer 2", r"same (time )?step", r"previous iteration|stale|step t\s*\+\s*1"],
      variant('''        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        draw2 = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(draw2, next1, params["W_xh2"], params["W_hh1"])
        draw1 = dh1 * dphi(cache["h1_netIn"][t], h1[t])
''', '''        dh1 = dh1_t(next2, next1, params["W_xh2"], params["W_hh1"])
        draw1 = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        draw2 = dh2 * dphi(cache["h2_netIn"][t], h2[t])
''')),
    E("rnn2_backward-zero-initial-states-c", "rnn2_backward", "wrong",
      "Uses zeros for the states before step 0 instead of cache['h1_0'] and cache['h2_0'] (right only when the initial states are zero).",
      [r"initial state", r"h1_0|h2_0", r"zeros?.{0,30}(instead|rather|not)", r"step 0|t\s*=\s*0"],
      variant('''        h1_prev = h1[t - 1] if t > 0 else cache["h1_0"]
        h2_prev = h2[t - 1] if t > 0 else cache["h2_0"]
''', '''        h1_prev = h1[t - 1] if t > 0 else np.zeros((N, H1))
        h2_prev = h2[t - 1] if t > 0 else np.zeros((N, H2))
''')),
    E("rnn2_backward-no-T-in-dy-c", "rnn2_backward", "wrong",
      "Normalises the output gradient by N only; the loss is the mean over all T*N predictions.",
      [TN, r"number of (time )?steps", r"over (all )?(the )?(time )?steps", r"1\s*/\s*\(?T\b"],
      variant("dy = dy / (T * N)", "dy = dy / N")),
    E("rnn2_backward-no-valueerror-c", "rnn2_backward", "wrong",
      "Treats any activation other than 'relu' as tanh instead of raising ValueError for an unknown one (wrong only on that edge case).",
      [r"unknown|invalid|unsupported|unrecogni[sz]ed|other than", r"(must|should|does not|doesn.t|never|fails? to) raise", r"(treat\w*|falls? (back|through)|default\w*).{0,40}(tanh|default)"],
      variant('''    if activation not in ("relu", "tanh"):
        raise ValueError(f"rnn2_backward: unknown activation {activation!r}")
''', '')),
    E("rnn2_backward-tanh-on-netIn-c", "rnn2_backward", "wrong",
      "Takes tanh's derivative as 1 - netIn**2 from the pre-activation instead of 1 - out**2 from the cached output.",
      [r"pre-?activation", r"\bnetIn\b|h[12]_netIn", r"(output|h_?t|h1|h2).{0,40}(instead|not|rather)|(instead of|not) (the )?(cached )?output"],
      variant("return 1.0 - out ** 2", "return 1.0 - netIn ** 2")),
    E("rnn2_backward-carries-dh2-c", "rnn2_backward", "wrong",
      "Carries layer 2's dh2 (before the activation derivative) to the next iteration instead of dhraw2.",
      [r"dh2\b.{0,50}(instead|rather|not)", r"(before|without) (the )?(activation|phi'?|derivative)", r"carr\w*.{0,40}dhraw|dhraw.{0,40}carr\w*"],
      variant("next1, next2 = draw1, draw2", "next1, next2 = draw1, dh2")),
    E("rnn2_backward-unshifted-prev-c", "rnn2_backward", "wrong",
      "Uses the current states h1[t], h2[t] as the 'previous' states for the recurrent weights instead of h_{t-1} (initial state at step 0).",
      [r"previous state", r"h_?\{?t\s*-\s*1|h1_prev|h2_prev", r"shift\w*|off.?by.?one", r"initial state"],
      variant('''        h1_prev = h1[t - 1] if t > 0 else cache["h1_0"]
        h2_prev = h2[t - 1] if t > 0 else cache["h2_0"]
''', '''        h1_prev = h1[t]
        h2_prev = h2[t]
''')),
    E("rnn2_backward-reset-layer1-carry-c", "rnn2_backward", "wrong",
      "Re-initialises layer 1's carried gradient to zeros at the top of every iteration, so layer 1 never receives the gradient from its next step.",
      [r"reset\w*|re-?initiali[sz]\w*", r"inside the loop", r"carr\w*.{0,50}(layer 1|next1|zero)", r"layer 1.{0,40}(future|next step|through time)"],
      variant('''    for t in range(T - 1, -1, -1):
''', '''    for t in range(T - 1, -1, -1):
        next1 = np.zeros((N, H1))
''')),
    E("rnn2_backward-bias-from-dh-c", "rnn2_backward", "wrong",
      "Sums dh1 (the gradient at layer 1's state, before phi') for b_h1 instead of the pre-activation gradient dhraw1.",
      [r"b_h1.{0,60}(dh1|before|state)", r"(before|without) (the )?(activation|phi'?|derivative)", r"dhraw1|pre-?activation"],
      variant('grads["b_h1"] += draw1.sum(axis=0)', 'grads["b_h1"] += dh1.sum(axis=0)')),
    E("rnn2_backward-after-loop-c", "rnn2_backward", "correct",
      "Keeps the per-step pre-activation gradients in arrays and forms every parameter sum after the loop with tensordot; dphi precomputed for all steps.",
      [],
      '''def rnn2_backward(Y, params, cache, activation):
    if activation == "relu":
        d1 = (cache["h1_netIn"] > 0) * 1.0
        d2 = (cache["h2_netIn"] > 0) * 1.0
    elif activation == "tanh":
        d1 = 1.0 - cache["h1"] ** 2
        d2 = 1.0 - cache["h2"] ** 2
    else:
        raise ValueError("activation must be 'relu' or 'tanh'")
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - np.eye(Q)[Y]) / (T * N)
    r1 = np.zeros_like(h1)
    r2 = np.zeros_like(h2)
    for t in reversed(range(T)):
        fut2 = r2[t + 1] @ params["W_hh2"].T if t < T - 1 else 0.0
        r2[t] = (dy[t] @ params["W_hq"].T + fut2) * d2[t]
        nxt1 = r1[t + 1] if t < T - 1 else np.zeros_like(h1[0])
        r1[t] = dh1_t(r2[t], nxt1, params["W_xh2"], params["W_hh1"]) * d1[t]
    p1 = np.concatenate([cache["h1_0"][None], h1[:-1]])
    p2 = np.concatenate([cache["h2_0"][None], h2[:-1]])
    td = lambda a, b: np.tensordot(a, b, axes=([0, 1], [0, 1]))
    return {"W_xh1": td(X, r1), "W_hh1": td(p1, r1), "b_h1": r1.sum(axis=(0, 1)),
            "W_xh2": td(h1, r2), "W_hh2": td(p2, r2), "b_h2": r2.sum(axis=(0, 1)),
            "W_hq": td(h2, dy), "b_q": dy.sum(axis=(0, 1))}
'''),
    E("rnn2_backward-accumulate-in-loop-c", "rnn2_backward", "correct",
      "The loop-accumulating version: one-hot by fancy indexing on a copy, a nested dphi helper, every sum accumulated inside the loop.",
      [],
      BASE),
]
