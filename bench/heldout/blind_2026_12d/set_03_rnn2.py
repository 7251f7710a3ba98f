"""Blind answer set for notebook 03 (two-layer RNN): student-style rewrites of dh1_t and rnn2_backward."""
import textwrap


def E(unit, slug, kind, cause, words, src):
    return {"id": f"{unit}-{slug}-d", "unit": unit, "kind": kind, "cause": cause,
            "cause_words": list(words), "source": textwrap.dedent(src).strip() + "\n"}


HEAD = """
def rnn2_backward(Y, params, cache, activation):
    if activation == "relu":
        dphi = lambda netIn, out: netIn > 0
    elif activation == "tanh":
        dphi = lambda netIn, out: 1.0 - out ** 2
    else:
        raise ValueError("unknown activation")
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
"""

TAIL = """
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    ts = lambda a, g: np.einsum("tni,tnj->ij", a, g)
    return {"W_xh1": ts(X, dhraw1), "W_hh1": ts(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
            "W_xh2": ts(h1, dhraw2), "W_hh2": ts(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
            "W_hq": ts(h2, dy), "b_q": dy.sum(axis=(0, 1))}
"""

LOOP = """
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
"""


def R(old, new, part=None):
    """The reference-shaped student code with one line changed."""
    src = HEAD + LOOP + TAIL
    assert old in src, old
    return src.replace(old, new)


ENTRIES = [
    # ---------------- dh1_t
    E("dh1_t", "untransposed-wxh2", "wrong",
      "The gradient from layer 2 is multiplied by W_xh2 instead of W_xh2.T.",
      [r"transpos", r"W_xh2\.T"],
      """
      def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
          return dhraw2_t @ W_xh2 + dhraw1_next @ W_hh1.T
      """),
    E("dh1_t", "untransposed-whh1", "wrong",
      "The gradient from the future is multiplied by W_hh1 instead of W_hh1.T.",
      [r"transpos", r"W_hh1\.T"],
      """
      def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
          return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1
      """),
    E("dh1_t", "no-future", "wrong",
      "The term from layer 1's next step is dropped; only layer 2's gradient reaches h1_t.",
      [r"(future|next step|later step)", r"dhraw1_next", r"recurren\w*"],
      """
      def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
          return dhraw2_t @ W_xh2.T
      """),
    E("dh1_t", "transposed-products", "correct",
      "Computes both products transposed and transposes the sum back.",
      [],
      """
      def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
          return (W_xh2 @ dhraw2_t.T + W_hh1 @ dhraw1_next.T).T
      """),
    # ---------------- rnn2_backward
    E("rnn2_backward", "dh2-into-layer1", "wrong",
      "Layer 1 receives dh2 (the gradient at h2_t, before layer 2's activation derivative) instead of dhraw2_t.",
      [r"dh2\b.{0,40}(instead|rather|not)", r"(before|without) (layer 2'?s? )?(the )?activation", r"dhraw2"],
      R("dh1 = dh1_t(dhraw2[t], next1,", "dh1 = dh1_t(dh2, next1,")),
    E("rnn2_backward", "wxh2-from-prev", "wrong",
      "W_xh2's gradient uses layer 1's previous states h1_{t-1} instead of h1_t, the input layer 2 reads at step t.",
      [r"h1_prev", r"h1_\{?t\s*-\s*1|previous state", r"(input|reads).{0,40}(same step|h1_t|step t)"],
      R('"W_xh2": ts(h1, dhraw2)', '"W_xh2": ts(h1_prev, dhraw2)')),
    E("rnn2_backward", "layer2-no-carry", "wrong",
      "next2 is never updated, so layer 2 gets no gradient from its own future (its recurrence is ignored).",
      [r"next2", r"layer 2'?s? (recurren|future)", r"(never|not) (updated|carried)"],
      R("next1, next2 = dhraw1[t], dhraw2[t]", "next1 = dhraw1[t]")),
    E("rnn2_backward", "zero-h2-0", "wrong",
      "h2_prev starts with zeros instead of cache['h2_0'], assuming layer 2's initial state is zero (agrees only with zero initial states).",
      [r"h2_0", r"initial state", r"(assum\w*|not) (it is )?zero"],
      R('np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)', 'np.concatenate([np.zeros_like(cache["h2_0"])[None], h2[:-1]], axis=0)')),
    E("rnn2_backward", "unknown-as-tanh", "wrong",
      "Any activation other than 'relu' is treated as tanh instead of raising ValueError (wrong only for an unknown activation).",
      [r"ValueError", r"(unknown|unsupported|invalid) activation", r"(must|should) raise"],
      R('''    elif activation == "tanh":
        dphi = lambda netIn, out: 1.0 - out ** 2
    else:
        raise ValueError("unknown activation")''', '''    else:
        dphi = lambda netIn, out: 1.0 - out ** 2''')),
    E("rnn2_backward", "only-N", "wrong",
      "The gradient at the logits is divided by N only, not by T*N.",
      [r"T\s*\*\s*N|T\s*N\b", r"(missing|forg\w*|omit\w*).{0,30}\bT\b", r"(average|mean) over (all )?(the )?(time|steps)"],
      R("dy = (P - np.eye(Q)[Y]) / (T * N)", "dy = (P - np.eye(Q)[Y]) / N")),
    E("rnn2_backward", "stale-layer2", "wrong",
      "Layer 1 is given next2, layer 2's gradient from step t+1, instead of dhraw2[t] of the current step.",
      [r"next2", r"(step\s*)?t\s*\+\s*1|stale|previous iteration", r"current step|same step"],
      R("dh1 = dh1_t(dhraw2[t], next1,", "dh1 = dh1_t(next2, next1,")),
    E("rnn2_backward", "double-transpose-whh1", "wrong",
      "The call passes W_hh1.T to dh1_t, which transposes it again, so layer 1's gradient from the future goes through W_hh1 instead of W_hh1.T.",
      [r"transpos", r"W_hh1\.T", r"(twice|double)"],
      R('dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])',
        'dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"].T)')),
    E("rnn2_backward", "two-sweeps", "correct",
      "Runs layer 2's whole backward sweep first, then layer 1's, and sums over time with explicit per-step products.",
      [],
      """
      def rnn2_backward(Y, params, cache, activation):
          if activation not in ("relu", "tanh"):
              raise ValueError("activation must be relu or tanh")
          def deriv(netIn, out):
              return (netIn > 0).astype(np.float64) if activation == "relu" else 1.0 - out ** 2
          P = cache["p"]
          T, N, Q = P.shape
          dy = P.copy()
          for t in range(T):
              dy[t, np.arange(N), Y[t]] -= 1.0
          dy /= T * N
          d2 = np.zeros_like(cache["h2"])
          carry = np.zeros_like(cache["h2"][0])
          for t in range(T - 1, -1, -1):
              carry = (dy[t] @ params["W_hq"].T + carry @ params["W_hh2"].T) * deriv(cache["h2_netIn"][t], cache["h2"][t])
              d2[t] = carry
          d1 = np.zeros_like(cache["h1"])
          carry = np.zeros_like(cache["h1"][0])
          for t in range(T - 1, -1, -1):
              carry = dh1_t(d2[t], carry, params["W_xh2"], params["W_hh1"]) * deriv(cache["h1_netIn"][t], cache["h1"][t])
              d1[t] = carry
          out = {k: np.zeros_like(params[k], dtype=np.float64) for k in params}
          for t in range(T):
              p1 = cache["h1_0"] if t == 0 else cache["h1"][t - 1]
              p2 = cache["h2_0"] if t == 0 else cache["h2"][t - 1]
              out["W_xh1"] += cache["X"][t].T @ d1[t]
              out["W_hh1"] += p1.T @ d1[t]
              out["b_h1"] += d1[t].sum(axis=0)
              out["W_xh2"] += cache["h1"][t].T @ d2[t]
              out["W_hh2"] += p2.T @ d2[t]
              out["b_h2"] += d2[t].sum(axis=0)
              out["W_hq"] += cache["h2"][t].T @ dy[t]
              out["b_q"] += dy[t].sum(axis=0)
          return out
      """),
]
