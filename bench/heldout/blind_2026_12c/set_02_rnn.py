"""Blind answer set for notebook 02 (one-layer RNN, BPTT): ten local rules and rnn_backward.

Each entry is one student answer with exactly one mistake ("wrong") or none ("correct").
Written from the student notebook, the instructor notebook's solution cells and docs/math.md only.
"""


def E(id, unit, kind, cause, cause_words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": cause_words, "source": source}


TN = r"T\s*\*\s*N|T\s*N\b|T\s*·\s*N"

ENTRIES = [
    # ------------------------------------------------------------------ dy_t
    E("dy_t-no-T-c", "dy_t", "wrong",
      "Divides by N only: the mean runs over all T*N predictions, so the factor 1/T is missing.",
      [TN, r"number of (time )?steps", r"over (all )?(the )?(time )?steps", r"1\s*/\s*\(?T\b"],
      '''def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return (p_t - one_hot(y_t, Q)) / N
'''),
    E("dy_t-no-N-c", "dy_t", "wrong",
      "Divides by T only, following the notes' per-sequence loss (1/T) sum_t l_t and forgetting that the batch mean adds 1/N.",
      [TN, r"batch (size|mean)", r"1\s*/\s*N\b", r"over (the )?(batch|rows|examples)"],
      '''def dy_t(p_t, y_t, T):
    Q = p_t.shape[1]
    return (p_t - one_hot(y_t, Q)) / T
'''),
    E("dy_t-classes-from-labels-c", "dy_t", "wrong",
      "Takes the number of classes from the labels (y_t.max() + 1) instead of p_t.shape[1], so one_hot is too narrow "
      "when the highest class is absent from the batch (wrong only on that edge case).",
      [r"(number of|n_?)classes", r"max\s*\(\s*\)|\.max\b|max\(y", r"p_t\.shape|shape of p_t|\bQ\b.{0,30}(from|shape)", r"absent|not (present|appear)"],
      '''def dy_t(p_t, y_t, T):
    N = p_t.shape[0]
    return (p_t - one_hot(y_t, y_t.max() + 1)) / (T * N)
'''),
    E("dy_t-precedence-c", "dy_t", "wrong",
      "Writes / T * N without parentheses, which divides by T and then multiplies by N.",
      [r"precedence", r"parenthes", r"multipl\w* by N"],
      '''def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return (p_t - one_hot(y_t, Q)) / T * N
'''),
    E("dy_t-probability-gradient-c", "dy_t", "wrong",
      "Copies the notes' dy = -1/(N p) at the true class: the gradient at the probabilities, not at the logits o_t after the softmax.",
      [r"probabilit\w*.{0,40}(not|instead|rather).{0,20}logit", r"(at|w\.?r\.?t\.?) the logits", r"softmax.{0,40}(jacobian|backward|step|skip|missing|through)", r"p_t\s*-\s*(e|one.?hot)"],
      '''def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    g = np.zeros((N, Q))
    g[np.arange(N), y_t] = -1.0 / (T * N * p_t[np.arange(N), y_t])
    return g
'''),
    E("dy_t-subtract-copy-c", "dy_t", "correct",
      "Copies p_t and subtracts 1 at the true class by fancy indexing instead of building a one-hot matrix.",
      [],
      '''def dy_t(p_t, y_t, T):
    N = p_t.shape[0]
    g = np.array(p_t, dtype=np.float64, copy=True)
    g[np.arange(N), y_t] -= 1.0
    return g / (T * N)
'''),
    # ------------------------------------------------------------------ dW_hq
    E("dW_hq-last-step-only-c", "dW_hq", "wrong",
      "Uses only the last step h[-1].T @ dy[-1]; W_hq is used at every step, so its gradient sums over all steps.",
      [r"(only|just) (the )?last (time )?step", r"sum\w* over (all )?(the )?(time|steps|t\b)", r"(used|uses|appears) (at|in) (every|each|all) (time )?steps?"],
      '''def dW_hq(h, dy):
    return h[-1].T @ dy[-1]
'''),
    E("dW_hq-sum-then-multiply-c", "dW_hq", "wrong",
      "Sums h and dy over time first and multiplies the sums, which adds cross terms h_s^T dy_t for s != t.",
      [r"(sum|add)\w* (over time )?(first|before)", r"product of (the )?sums", r"cross.?(terms|step)", r"s\s*!=\s*t|different steps"],
      '''def dW_hq(h, dy):
    return np.sum(h, axis=0).T @ np.sum(dy, axis=0)
'''),
    E("dW_hq-transposed-c", "dW_hq", "wrong",
      "Flattens time and batch correctly but multiplies dy.T @ h, giving the (Q, H) transpose.",
      [r"transpos", r"(order|orientation) of (the )?(product|factors)", r"\(\s*Q\s*,\s*H\s*\)"],
      '''def dW_hq(h, dy):
    T, N, H = h.shape
    return dy.reshape(T * N, -1).T @ h.reshape(T * N, H)
'''),
    E("dW_hq-time-mean-c", "dW_hq", "wrong",
      "Divides the sum over steps by T, although dy already carries the 1/(T N) of the mean loss.",
      [r"divid\w* by T", r"(averag|mean)\w* over (time|steps)", r"already (averaged|divided|normali[sz]ed|includes|contains|carries)", r"twice|double"],
      '''def dW_hq(h, dy):
    T = h.shape[0]
    return sum(h[t].T @ dy[t] for t in range(T)) / T
'''),
    E("dW_hq-skips-first-step-c", "dW_hq", "wrong",
      "Loops over range(1, T) and so leaves out step t = 0 (the output at step 0 also uses W_hq).",
      [r"t\s*=\s*0", r"first (time )?step", r"loop (bound|range)|range\s*\(\s*1", r"off.?by.?one"],
      '''def dW_hq(h, dy):
    g = np.zeros((h.shape[2], dy.shape[2]))
    for t in range(1, h.shape[0]):
        g += h[t].T @ dy[t]
    return g
'''),
    E("dW_hq-tensordot-c", "dW_hq", "correct",
      "Contracts time and batch at once with np.tensordot.",
      [],
      '''def dW_hq(h, dy):
    return np.tensordot(h, dy, axes=([0, 1], [0, 1]))
'''),
    # ------------------------------------------------------------------ db_q
    E("db_q-time-only-c", "db_q", "wrong",
      "Sums over axis 0 (time) only and keeps the batch axis, returning (N, Q).",
      [r"axis", r"(batch|rows?|examples).{0,30}(too|also|as well|not summed)", r"\(\s*N\s*,\s*Q\s*\)", r"both (time and batch|axes)"],
      '''def db_q(dy):
    return np.sum(dy, axis=0)
'''),
    E("db_q-wrong-axes-c", "db_q", "wrong",
      "Sums over axes (1, 2), the batch and the classes, returning one number per step instead of one per class.",
      [r"axis|axes", r"over (the )?(classes|output units)", r"\(\s*T\s*,\s*\)", r"per (time )?step"],
      '''def db_q(dy):
    return dy.sum(axis=(1, 2))
'''),
    E("db_q-mean-c", "db_q", "wrong",
      "Averages over time and batch instead of summing; dy already carries the 1/(T N).",
      [r"np\.mean|\.mean\s*\(|(averag\w*|\bmean\b) (instead|rather)|instead of (a |the )?sum|(not|rather than) summ\w*|averag\w* over (the )?(batch|rows|time|steps)", r"already (averaged|divided|includes|contains|carries)"],
      '''def db_q(dy):
    return np.mean(dy, axis=(0, 1))
'''),
    E("db_q-squeeze-c", "db_q", "wrong",
      "Sums over time, squeezes, and sums axis 0 again: with N = 1 the squeeze removes the batch axis and the second sum "
      "runs over the classes, giving a scalar (wrong only for N = 1).",
      [r"squeeze\w*", r"(removes|drops|collapses|loses) the (batch|size.?1) (axis|dimension)", r"size.?1 (axis|dimension)"],
      '''def db_q(dy):
    per_row = np.squeeze(np.sum(dy, axis=0))
    return np.sum(per_row, axis=0)
'''),
    E("db_q-reshape-c", "db_q", "correct",
      "Flattens time and batch with reshape and sums the rows.",
      [],
      '''def db_q(dy):
    return dy.reshape(-1, dy.shape[-1]).sum(axis=0)
'''),
    # ------------------------------------------------------------------ dh_t
    E("dh_t-W_hh-untransposed-c", "dh_t", "wrong",
      "Multiplies the future gradient by W_hh instead of W_hh.T (square, so the shapes do not catch it).",
      [r"transpos", r"W_hh\.T"],
      '''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + dhraw_next @ W_hh
'''),
    E("dh_t-no-future-c", "dh_t", "wrong",
      "Keeps only the output term dy_t @ W_hq.T and drops the gradient arriving from step t+1 (right only at the last step).",
      [r"future|next (time )?step|t\s*\+\s*1", r"recurren\w*", r"dhraw_next", r"second term|through time"],
      '''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T
'''),
    E("dh_t-future-without-W_hh-c", "dh_t", "wrong",
      "Adds dhraw_next itself without passing it back through the recurrent weights W_hh.",
      [r"(through|by|times|multipl\w* by|via) (the )?(recurrent weights?|recurrent matrix|W_hh)", r"dhraw_next\s*@\s*W_hh|W_hh\.T", r"W_hh.{0,30}(missing|forgot|omit|left out|dropped)"],
      '''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + dhraw_next
'''),
    E("dh_t-column-convention-c", "dh_t", "wrong",
      "Writes the notes' column-vector form W_hq @ dy_t.T for the output term, which does not fit row-vector batches.",
      [r"column", r"row.?vector", r"transpos", r"W_hq\s*@\s*dy"],
      '''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return (W_hq @ dy_t.T) + dhraw_next @ W_hh.T
'''),
    E("dh_t-einsum-c", "dh_t", "correct",
      "Writes both products as einsums.",
      [],
      '''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return np.einsum("nq,hq->nh", dy_t, W_hq) + np.einsum("nk,hk->nh", dhraw_next, W_hh)
'''),
    # ------------------------------------------------------------------ dhraw_t
    E("dhraw_t-tanh-of-output-c", "dhraw_t", "wrong",
      "For tanh computes 1 - tanh(h_t)**2, applying tanh again to the state h_t, which is already tanh(h_netIn_t).",
      [r"tanh\s*\(\s*h_t", r"(tanh|activation).{0,30}(twice|again)", r"already (the )?(tanh|activated|output)", r"1\s*-\s*h_t\s*\*\*\s*2"],
      '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    if activation == "tanh":
        return dh_t * (1.0 - np.tanh(h_t) ** 2)
    raise ValueError("unknown activation " + str(activation))
'''),
    E("dhraw_t-relu-ge-c", "dhraw_t", "wrong",
      "Uses h_netIn_t >= 0 for the ReLU, passing the gradient at the kink where ReLU' = 0 by convention (wrong only at exactly 0).",
      [r">=|greater (than )?or equal", r"kink", r"(at|exactly) (0|zero)"],
      '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t >= 0)
    elif activation == "tanh":
        return dh_t * (1 - h_t ** 2)
    else:
        raise ValueError(f"unknown activation {activation}")
'''),
    E("dhraw_t-no-valueerror-c", "dhraw_t", "wrong",
      "Treats every activation that is not 'relu' as tanh instead of raising ValueError for an unknown one (wrong only on that edge case).",
      [r"unknown|invalid|unsupported|unrecogni[sz]ed|other than", r"(must|should|does not|doesn.t|never|fails? to) raise", r"(treat\w*|falls? (back|through)|default\w*).{0,40}(tanh|default)"],
      '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    return dh_t * (1.0 - h_t ** 2)
'''),
    E("dhraw_t-tanh-precedence-c", "dhraw_t", "wrong",
      "Writes (1 - h_t)**2 instead of 1 - h_t**2 for tanh's derivative.",
      [r"parenthes", r"precedence", r"\(\s*1\s*-\s*h_?t?\s*\)\s*\*\*", r"square of"],
      '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "tanh":
        return dh_t * (1.0 - h_t) ** 2
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    raise ValueError(activation)
'''),
    E("dhraw_t-tanh-preactivation-c", "dhraw_t", "wrong",
      "Uses 1 - h_netIn_t**2 for tanh: the derivative 1 - tanh^2 must use the output h_t, not the pre-activation.",
      [r"pre-?activation", r"h_netIn", r"(output|h_t).{0,40}(instead|not|rather)|(instead of|not) (the )?(output|h_t)", r"1\s*-\s*h_t\s*\*\*\s*2"],
      '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    if activation == "tanh":
        return dh_t * (1.0 - h_netIn_t ** 2)
    raise ValueError(activation)
'''),
    E("dhraw_t-dict-of-derivatives-c", "dhraw_t", "correct",
      "Looks the derivative up in a dict of lambdas (tanh' recomputed from h_netIn_t) and raises ValueError on a missing key.",
      [],
      '''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    derivs = {"relu": lambda: np.where(h_netIn_t > 0, 1.0, 0.0),
              "tanh": lambda: 1.0 - np.tanh(h_netIn_t) ** 2}
    if activation not in derivs:
        raise ValueError(f"unknown activation {activation!r}")
    return dh_t * derivs[activation]()
'''),
    # ------------------------------------------------------------------ dW_hh
    E("dW_hh-shifts-again-c", "dW_hh", "wrong",
      "Treats h_prev as if it were h and shifts it once more (pairs h_prev[t-1] with dhraw[t]), so step t is paired with h_{t-2} and step 0 is dropped.",
      [r"already (shifted|h_\{?t-1|the previous)", r"(shift\w*|offset)\w* (it )?(once more|again|twice)", r"off.?by.?one", r"h_prev\s*\[\s*t\s*\]|as if (it were|h_prev (is|were)) h\b"],
      '''def dW_hh(h_prev, dhraw):
    T = h_prev.shape[0]
    return sum(h_prev[t - 1].T @ dhraw[t] for t in range(1, T))
'''),
    E("dW_hh-transposed-c", "dW_hh", "wrong",
      "Computes dhraw[t].T @ h_prev[t], the transpose of the (H, H) gradient (square, so no shape error).",
      [r"transpos", r"(order|orientation) of (the )?(product|factors)"],
      '''def dW_hh(h_prev, dhraw):
    out = np.zeros((h_prev.shape[2], dhraw.shape[2]))
    for t in range(h_prev.shape[0]):
        out += dhraw[t].T @ h_prev[t]
    return out
'''),
    E("dW_hh-skip-initial-c", "dW_hh", "wrong",
      "Starts the sum at t = 1, assuming the initial state is zero; step 0 multiplies the given initial state h_prev[0] by W_hh "
      "(right only when the initial state is zero).",
      [r"initial state|h0\b|h_\{?-1", r"t\s*=\s*0|first (time )?step|step 0", r"range\s*\(\s*1", r"zero (initial )?state"],
      '''def dW_hh(h_prev, dhraw):
    return np.einsum("tni,tnj->ij", h_prev[1:], dhraw[1:])
'''),
    E("dW_hh-time-mean-c", "dW_hh", "wrong",
      "Averages the per-step products over time instead of summing them.",
      [r"np\.mean|\.mean\s*\(|(averag\w*|\bmean\b) (instead|rather)|instead of (a |the )?sum|(not|rather than) summ\w*|averag\w* over (the )?(batch|rows|time|steps)", r"divid\w* by T"],
      '''def dW_hh(h_prev, dhraw):
    return np.einsum("tni,tnj->tij", h_prev, dhraw).mean(axis=0)
'''),
    E("dW_hh-reshape-c", "dW_hh", "correct",
      "Flattens time and batch into T*N rows and takes a single product.",
      [],
      '''def dW_hh(h_prev, dhraw):
    T, N, H = h_prev.shape
    return h_prev.reshape(T * N, H).T @ dhraw.reshape(T * N, -1)
'''),
    # ------------------------------------------------------------------ dW_xh
    E("dW_xh-transposed-c", "dW_xh", "wrong",
      "Multiplies dhraw[t].T @ X[t], giving (H, D) instead of (D, H).",
      [r"transpos", r"\(\s*H\s*,\s*D\s*\)", r"(order|orientation) of (the )?(product|factors)"],
      '''def dW_xh(X, dhraw):
    return sum(dhraw[t].T @ X[t] for t in range(X.shape[0]))
'''),
    E("dW_xh-per-step-c", "dW_xh", "wrong",
      "Returns the per-step products stacked as (T, D, H) without summing over time.",
      [r"sum\w* over (all )?(the )?(time|steps|t\b)", r"per.?step", r"\(\s*T\s*,\s*D\s*,\s*H\s*\)", r"not summed"],
      '''def dW_xh(X, dhraw):
    return np.einsum("tnd,tnh->tdh", X, dhraw)
'''),
    E("dW_xh-misses-last-step-c", "dW_xh", "wrong",
      "Loops over range(T - 1) and misses the last step's contribution.",
      [r"last (time )?step", r"loop (bound|range)|range\s*\(\s*T\s*-\s*1", r"off.?by.?one", r"T\s*-\s*1"],
      '''def dW_xh(X, dhraw):
    T = X.shape[0]
    g = np.zeros((X.shape[2], dhraw.shape[2]))
    for t in range(T - 1):
        g += X[t].T @ dhraw[t]
    return g
'''),
    E("dW_xh-einsum-c", "dW_xh", "correct",
      "One einsum over time and batch.",
      [],
      '''def dW_xh(X, dhraw):
    return np.einsum("tnd,tnh->dh", X, dhraw)
'''),
    # ------------------------------------------------------------------ db_h
    E("db_h-batch-only-c", "db_h", "wrong",
      "Sums over the batch (axis 1) but not over time, returning (T, H).",
      [r"axis", r"sum\w* over (all )?(the )?(time|steps)", r"\(\s*T\s*,\s*H\s*\)", r"not summed over (time|steps)"],
      '''def db_h(dhraw):
    return dhraw.sum(axis=1)
'''),
    E("db_h-batch-mean-c", "db_h", "wrong",
      "Sums over time but averages over the batch.",
      [r"np\.mean|\.mean\s*\(|(averag\w*|\bmean\b) (instead|rather)|instead of (a |the )?sum|(not|rather than) summ\w*|averag\w* over (the )?(batch|rows|time|steps)", r"divid\w* by N"],
      '''def db_h(dhraw):
    return dhraw.sum(axis=0).mean(axis=0)
'''),
    E("db_h-keepdims-c", "db_h", "wrong",
      "Uses keepdims=True, returning shape (1, 1, H) instead of (H,).",
      [r"keepdims", r"\(\s*1\s*,\s*1\s*,\s*H\s*\)", r"extra (axes|axis|dimensions?)"],
      '''def db_h(dhraw):
    return np.sum(dhraw, axis=(0, 1), keepdims=True)
'''),
    E("db_h-einsum-c", "db_h", "correct",
      "Sums with an einsum that keeps only the unit index.",
      [],
      '''def db_h(dhraw):
    return np.einsum("tnh->h", dhraw)
'''),
    # ------------------------------------------------------------------ dX
    E("dX-no-transpose-c", "dX", "wrong",
      "Multiplies by W_xh instead of W_xh.T.",
      [r"transpos", r"W_xh\.T"],
      '''def dX(dhraw, W_xh):
    return dhraw @ W_xh
'''),
    E("dX-summed-over-time-c", "dX", "wrong",
      "Sums dhraw over time before multiplying, as for a parameter, though each x_t only feeds its own step.",
      [r"sum\w* over (time|steps)", r"(own|its|each|single) step", r"per.?step", r"\(\s*T\s*,\s*N\s*,\s*D\s*\)"],
      '''def dX(dhraw, W_xh):
    return np.sum(dhraw, axis=0) @ W_xh.T
'''),
    E("dX-loop-over-N-c", "dX", "wrong",
      "Loops over dhraw.shape[1] (the batch size N) instead of the number of steps T.",
      [r"loop (bound|range)", r"shape\s*\[\s*1\s*\]", r"\bN\b.{0,30}(instead|rather)|instead of T|number of (time )?steps"],
      '''def dX(dhraw, W_xh):
    return np.array([dhraw[t] @ W_xh.T for t in range(dhraw.shape[1])])
'''),
    E("dX-einsum-c", "dX", "correct",
      "An einsum that keeps the time axis.",
      [],
      '''def dX(dhraw, W_xh):
    return np.einsum("tnh,dh->tnd", dhraw, W_xh)
'''),
    # ------------------------------------------------------------------ dh0
    E("dh0-no-transpose-c", "dh0", "wrong",
      "Multiplies by W_hh instead of W_hh.T (square, so no shape error).",
      [r"transpos", r"W_hh\.T"],
      '''def dh0(dhraw_0, W_hh):
    return dhraw_0 @ W_hh
'''),
    E("dh0-column-form-c", "dh0", "wrong",
      "Writes the column-vector form W_hh @ dhraw_0.T, returning (H, N) instead of (N, H).",
      [r"column", r"row.?vector", r"transpos", r"\(\s*H\s*,\s*N\s*\)"],
      '''def dh0(dhraw_0, W_hh):
    return W_hh @ dhraw_0.T
'''),
    E("dh0-returns-dhraw-c", "dh0", "wrong",
      "Returns dhraw_0 itself, forgetting that h0 reaches step 0 through the recurrent weights W_hh.",
      [r"(through|by|times|multipl\w* by|via) (the )?(recurrent weights?|recurrent matrix|W_hh)", r"dhraw_0\s*@\s*W_hh|W_hh\.T", r"W_hh.{0,30}(missing|forgot|omit|left out|dropped)"],
      '''def dh0(dhraw_0, W_hh):
    return np.array(dhraw_0, dtype=np.float64)
'''),
    E("dh0-transpose-outside-c", "dh0", "correct",
      "Computes (W_hh @ dhraw_0.T).T.",
      [],
      '''def dh0(dhraw_0, W_hh):
    return (W_hh @ dhraw_0.T).T
'''),
    # ------------------------------------------------------------------ rnn_backward
    E("rnn_backward-no-carry-c", "rnn_backward", "wrong",
      "Never updates dhraw_next inside the loop, so no gradient flows back from step t+1 (no backpropagation through time).",
      [r"carr\w*", r"dhraw_next.{0,50}(never|not|update|zero|stays)", r"future|next (time )?step|t\s*\+\s*1", r"through time"],
      '''def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
    E("rnn_backward-h-as-h_prev-c", "rnn_backward", "wrong",
      "Passes h itself to dW_hh instead of the previous states h_{t-1} (initial state followed by h_0..h_{T-2}).",
      [r"previous state", r"h_prev|h_\{?t\s*-\s*1", r"shift\w*", r"initial state|h0"],
      '''def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    nxt = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dy[t] = dy_t(P[t], Y[t], T)
        dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        nxt = dhraw[t]
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
    E("rnn_backward-zero-initial-state-c", "rnn_backward", "wrong",
      "Builds h_prev with zeros for the state before step 0 instead of cache['h0'] (right only when h0 is zero).",
      [r"initial state", r"cache\s*\[\s*.h0.\s*\]|\bh0\b", r"zeros?.{0,30}(instead|rather|not)", r"h_\{?-1"],
      '''def rnn_backward(Y, params, cache, activation):
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
    h_prev = np.concatenate([np.zeros((1, N, H)), h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
    E("rnn_backward-forward-loop-c", "rnn_backward", "wrong",
      "Runs the loop forward in time (t = 0 .. T-1), so the carried 'future' gradient is the one of the previous step, not the next.",
      [r"direction", r"revers\w*|backward\w* in time|from (the )?last (step )?(to|down)", r"forward (order|in time)", r"t\s*=\s*T\s*-\s*1"],
      '''def rnn_backward(Y, params, cache, activation):
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
'''),
    E("rnn_backward-T-times-N-to-dy_t-c", "rnn_backward", "wrong",
      "Passes T * N as dy_t's third argument, which already divides by N itself, so the loss is normalised by T*N*N.",
      [r"(divid\w*|normali[sz]\w*).{0,40}(N|batch).{0,20}(twice|again)", r"(twice|again|double)\w*.{0,40}\bN\b", r"third argument|argument T|T\s*\*\s*N.{0,40}(dy_t|argument)", r"N\s*\*\*\s*2|N\^?2|T\s*\*\s*N\s*\*\s*N"],
      '''def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T * N)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
    E("rnn_backward-swapped-dhraw-args-c", "rnn_backward", "wrong",
      "Passes h[t] and h_netIn[t] to dhraw_t in swapped order; ReLU hides it (same sign), tanh then uses 1 - h_netIn^2.",
      [r"(argument|parameter)s?.{0,30}(order|swap)", r"swap\w*", r"order of (the )?(arguments|parameters)", r"h_netIn.{0,40}h_t|h_t.{0,40}h_netIn"],
      '''def rnn_backward(Y, params, cache, activation):
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
'''),
    E("rnn_backward-carries-dh-c", "rnn_backward", "wrong",
      "Carries dh (the gradient at h_t, before the activation derivative) to the next iteration instead of dhraw_t.",
      [r"\bdh\b.{0,50}(instead|rather|not)", r"(before|without) (the )?(activation|phi'?|derivative)", r"carr\w*.{0,40}dhraw|dhraw.{0,40}carr\w*", r"pre-?activation gradient"],
      '''def rnn_backward(Y, params, cache, activation):
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
'''),
    E("rnn_backward-accumulates-carry-c", "rnn_backward", "wrong",
      "Accumulates the carried gradient with += instead of replacing it, so step t receives the sum of dhraw over all later steps.",
      [r"accumulat\w*", r"\+=", r"replac\w*|overwrit\w*|reassign", r"sum of (all )?(later|future|following)"],
      '''def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next += dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
    E("rnn_backward-loop-stops-at-1-c", "rnn_backward", "wrong",
      "Loops with range(T - 1, 0, -1), which stops before t = 0: step 0's dy and dhraw stay zero.",
      [r"t\s*=\s*0|step 0|first (time )?step", r"loop (bound|range|stop)|range\s*\(\s*T\s*-\s*1\s*,\s*0", r"off.?by.?one", r"(stop|end)\w* (at|before) (1|0)"],
      '''def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in range(T - 1, 0, -1):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
    E("rnn_backward-lists-c", "rnn_backward", "correct",
      "Collects dy and dhraw in Python lists (prepended while walking backwards), stacks them, and builds h_prev with vstack.",
      [],
      '''def rnn_backward(Y, params, cache, activation):
    h, h_netIn, P = cache["h"], cache["h_netIn"], cache["p"]
    T = h.shape[0]
    dys, dhraws = [], []
    future = np.zeros_like(cache["h0"])
    for t in range(T - 1, -1, -1):
        g_out = dy_t(P[t], Y[t], T)
        g_raw = dhraw_t(dh_t(g_out, future, params["W_hq"], params["W_hh"]), h_netIn[t], h[t], activation)
        dys.insert(0, g_out)
        dhraws.insert(0, g_raw)
        future = g_raw
    dy = np.stack(dys)
    dhraw = np.stack(dhraws)
    h_prev = np.vstack([cache["h0"][np.newaxis], h[:T - 1]])
    return {"W_hq": dW_hq(h, dy), "b_q": db_q(dy), "W_xh": dW_xh(cache["X"], dhraw),
            "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw)}
'''),
    E("rnn_backward-dy-first-c", "rnn_backward", "correct",
      "Computes every dy_t in a first loop, then runs the backward recurrence in a second loop; h_prev by index copying.",
      [],
      '''def rnn_backward(Y, params, cache, activation):
    X, h = cache["X"], cache["h"]
    T, N, H = h.shape
    dy = np.stack([dy_t(cache["p"][t], Y[t], T) for t in range(T)])
    dhraw = np.empty_like(h)
    for t in reversed(range(T)):
        nxt = dhraw[t + 1] if t + 1 < T else np.zeros((N, H))
        dhraw[t] = dhraw_t(dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), cache["h_netIn"][t], h[t], activation)
    h_prev = np.empty_like(h)
    h_prev[0] = cache["h0"]
    h_prev[1:] = h[:-1]
    return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
            "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
'''),
]
