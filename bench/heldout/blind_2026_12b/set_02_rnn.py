"""Blind set 2026-12b, notebook 02 (one-layer RNN, BPTT): student answers for the eleven graded functions.

Written from the student notebook, the instructor solutions and docs/math.md only (no grader
code, tests, tools or benchmark sets were read). Each entry is a whole function as a student
would write it, with one realistic mistake ("wrong") or none ("correct"). rnn_backward entries
call the eight rules by name; verify.py runs them with the reference rules swapped in.
"""

_RNN_BASE_RETURN = '''    return {
        "W_xh": dW_xh(X, dhraw),
        "W_hh": dW_hh(h_prev, dhraw),
        "b_h": db_h(dhraw),
        "W_hq": dW_hq(h, dy),
        "b_q": db_q(dy),
    }
'''

ENTRIES = [
    # ------------------------------------------------------------------ dy_t
    dict(
        id="dy_t-missing-1-over-T",
        unit="dy_t",
        kind="wrong",
        cause="Divides by N only (the predictions of one step) instead of T*N, so dy_t is T times too large.",
        cause_words=[r"\bT\b.{0,30}(missing|forgot|omit|left out)|(missing|forgot|omit|without)\w*.{0,30}\bT\b", r"T\s*\*\s*N", r"factor (of )?T\b", r"1\s*/\s*\(?T"],
        source='''def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    return (p_t - one_hot(y_t, Q)) / N
''',
    ),
    dict(
        id="dy_t-N-from-class-axis",
        unit="dy_t",
        kind="wrong",
        cause="Takes the number of predictions from the last axis (p_t.shape[-1] = Q classes) instead of axis 0 "
              "(N rows), so it divides by T*Q instead of T*N.",
        cause_words=[r"shape\[-1\]|shape\[1\]", r"T\s*\*\s*Q", r"(number of )?classes (instead|rather)", r"\bQ\b.{0,30}instead of.{0,10}\bN\b"],
        source='''def dy_t(p_t, y_t, T):
    N = p_t.shape[-1]            # predictions in this step
    target = one_hot(y_t, p_t.shape[1])
    return (p_t - target) / (T * N)
''',
    ),
    dict(
        id="dy_t-classes-from-max-label",
        unit="dy_t",
        kind="wrong",
        cause="Infers the number of classes as max(y_t) + 1 for one_hot, which is too small when the highest "
              "class is absent from the step's targets (then it crashes on broadcasting, or with only class 0 "
              "present subtracts 1 from every class); edge case only.",
        cause_words=[r"max\(y_t\)|y_t\.max|max(imum)? label", r"absent|not present|missing class", r"number of classes"],
        source='''def dy_t(p_t, y_t, T):
    N = p_t.shape[0]
    Q = int(np.max(y_t)) + 1
    return (p_t - one_hot(y_t, Q)) / (T * N)
''',
    ),
    dict(
        id="dy_t-subtract-at-labels",
        unit="dy_t",
        kind="correct",
        cause="Correct: copies p_t, subtracts 1 at the target entries with fancy indexing, divides by N*T.",
        cause_words=[],
        source='''def dy_t(p_t, y_t, T):
    N = p_t.shape[0]
    g = np.array(p_t, dtype=np.float64, copy=True)
    g[np.arange(N), y_t] -= 1.0
    return g / (N * T)
''',
    ),
    # ------------------------------------------------------------------ dW_hq
    dict(
        id="dW_hq-overwrites-in-loop",
        unit="dW_hq",
        kind="wrong",
        cause="Assigns instead of accumulating inside the loop over t, so only the last step's contribution "
              "h[T-1].T @ dy[T-1] is returned (right only when T = 1).",
        cause_words=[r"last step", r"overwr", r"accumulat", r"(instead of|not) (summ|add)"],
        source='''def dW_hq(h, dy):
    for t in range(h.shape[0]):
        grad = h[t].T @ dy[t]
    return grad
''',
    ),
    dict(
        id="dW_hq-einsum-two-time-indices",
        unit="dW_hq",
        kind="wrong",
        cause="The einsum subscripts 'tnh,snq->hq' give h and dy different time indices, summing the products "
              "of every pair of steps (t, s) instead of matching h_t with dy_t (right only when T = 1).",
        cause_words=[r"tnh,snq", r"(different|separate|two|distinct) time ind", r"pairs? of steps|cross.?time|every pair"],
        source='''def dW_hq(h, dy):
    return np.einsum("tnh,snq->hq", h, dy)
''',
    ),
    dict(
        id="dW_hq-flatten-time-batch",
        unit="dW_hq",
        kind="correct",
        cause="Correct: flattens time and batch into T*N rows and does one product.",
        cause_words=[],
        source='''def dW_hq(h, dy):
    H, Q = h.shape[-1], dy.shape[-1]
    return h.reshape(-1, H).T @ dy.reshape(-1, Q)
''',
    ),
    # ------------------------------------------------------------------ db_q
    dict(
        id="db_q-mean-over-time-b",
        unit="db_q",
        kind="wrong",
        cause="Divides the sum over time and batch by T (a mean over the steps), although the 1/(T N) is "
              "already inside dy (right only when T = 1).",
        cause_words=[r"divid\w* by T\b", r"mean over (the )?(time|steps)", r"/\s*T\b", r"averag\w* over (time|the steps)"],
        source='''def db_q(dy):
    T = dy.shape[0]
    return np.sum(dy, axis=(0, 1)) / T
''',
    ),
    dict(
        id="db_q-sums-wrong-axes",
        unit="db_q",
        kind="wrong",
        cause="Sums over axes (-2, -1), the batch and class axes, instead of (0, 1), time and batch, returning "
              "shape (T,) instead of (Q,).",
        cause_words=[r"axis\s*=?\s*\(-2,\s*-1\)", r"\(T,\)", r"class axis|over (the )?classes", r"axes"],
        source='''def db_q(dy):
    return np.sum(dy, axis=(-2, -1))
''',
    ),
    # ------------------------------------------------------------------ dh_t
    dict(
        id="dh_t-W_hh-not-transposed-b",
        unit="dh_t",
        kind="wrong",
        cause="The path from the future uses dhraw_next @ W_hh instead of dhraw_next @ W_hh.T (W_hh is square, "
              "so the shape does not reveal it).",
        cause_words=[r"W_hh\.T", r"transpos", r"W_hh\b.{0,30}(not|without|untransposed)"],
        source='''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return dy_t @ W_hq.T + dhraw_next @ W_hh
''',
    ),
    dict(
        id="dh_t-future-not-through-W_hh",
        unit="dh_t",
        kind="wrong",
        cause="Adds dhraw_next itself as the future term instead of passing it back through the recurrent "
              "weights (dhraw_next @ W_hh.T).",
        cause_words=[r"through (the )?(recurrent weights|W_hh)", r"W_hh.{0,30}(missing|left out|omit|forg)", r"dhraw_next itself|\+\s*dhraw_next\b(?!\s*@)"],
        source='''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    from_output = dy_t @ W_hq.T
    from_future = dhraw_next          # gradient from step t+1
    return from_output + from_future
''',
    ),
    dict(
        id="dh_t-averages-the-two-paths",
        unit="dh_t",
        kind="wrong",
        cause="Averages the two contributions (0.5 * (output path + future path)) instead of adding them, so "
              "dh_t is half its value.",
        cause_words=[r"averag", r"0\.5", r"half", r"(instead of|not) (add|sum)"],
        source='''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    # h_t is used in two places: combine the two gradients
    return 0.5 * (dy_t @ W_hq.T + dhraw_next @ W_hh.T)
''',
    ),
    dict(
        id="dh_t-left-multiplied-transposes",
        unit="dh_t",
        kind="correct",
        cause="Correct: writes both terms as transposed column-vector products, (W @ g.T).T.",
        cause_words=[],
        source='''def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    return (W_hq @ dy_t.T).T + (W_hh @ dhraw_next.T).T
''',
    ),
    # ------------------------------------------------------------------ dhraw_t
    dict(
        id="dhraw_t-tanh-prime-of-netIn",
        unit="dhraw_t",
        kind="wrong",
        cause="For tanh uses 1 - h_netIn_t**2 (the pre-activation) instead of 1 - h_t**2 (the cached tanh "
              "output); ReLU is right.",
        cause_words=[r"1\s*-\s*h_netIn", r"pre.?activation.{0,40}(instead|rather)|(instead|rather).{0,40}h_t\b", r"h_netIn_t\s*\*\*\s*2"],
        source='''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    if activation == "tanh":
        return dh_t * (1.0 - h_netIn_t ** 2)
    raise ValueError(f"unknown activation {activation!r}")
''',
    ),
    dict(
        id="dhraw_t-relu-mask-from-output-ge",
        unit="dhraw_t",
        kind="wrong",
        cause="For ReLU tests h_t >= 0 on the ReLU's output, which is always true, so the mask is all ones and "
              "nothing is blocked; tanh is right.",
        cause_words=[r"h_t\s*>=\s*0", r"always (true|one|1)", r"all ones", r"never (blocks|zero)"],
        source='''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_t >= 0)
    elif activation == "tanh":
        return dh_t * (1 - h_t ** 2)
    else:
        raise ValueError("activation must be relu or tanh")
''',
    ),
    dict(
        id="dhraw_t-no-valueerror",
        unit="dhraw_t",
        kind="wrong",
        cause="Treats every activation other than 'relu' as tanh instead of raising ValueError for an unknown "
              "activation (edge case only: relu and tanh are right).",
        cause_words=[r"ValueError", r"unknown activation", r"raise"],
        source='''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    return dh_t * (1.0 - h_t ** 2)          # tanh
''',
    ),
    dict(
        id="dhraw_t-derivative-table",
        unit="dhraw_t",
        kind="correct",
        cause="Correct: looks the derivative up in a dict of lambdas and raises ValueError for other names.",
        cause_words=[],
        source='''def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    derivative = {
        "relu": lambda: (h_netIn_t > 0).astype(np.float64),
        "tanh": lambda: 1.0 - h_t * h_t,
    }
    if activation not in derivative:
        raise ValueError(f"dhraw_t: unknown activation {activation!r}")
    return dh_t * derivative[activation]()
''',
    ),
    # ------------------------------------------------------------------ dW_hh
    dict(
        id="dW_hh-shifts-h_prev-again",
        unit="dW_hh",
        kind="wrong",
        cause="Shifts the previous states once more: pairs dhraw[t] with h_prev[t-1] (= h_{t-2}) for t >= 1 "
              "although h_prev[t] already is h_{t-1} (right only when T = 1).",
        cause_words=[r"h_prev\[t\s*-\s*1\]", r"shift\w* (twice|again|once more|one (more|too many))", r"h_\{?t\s*-\s*2", r"off.by.one"],
        source='''def dW_hh(h_prev, dhraw):
    T = h_prev.shape[0]
    grad = h_prev[0].T @ dhraw[0]
    for t in range(1, T):
        grad = grad + h_prev[t - 1].T @ dhraw[t]
    return grad
''',
    ),
    dict(
        id="dW_hh-skips-initial-state-b",
        unit="dW_hh",
        kind="wrong",
        cause="Sums only over t = 1..T-1, dropping step 0's term h_prev[0].T @ dhraw[0] with the initial state "
              "(right only when the initial state is zero; for T = 1 it returns the integer 0).",
        cause_words=[r"(step|t\s*=\s*)0", r"initial state", r"range\(1"],
        source='''def dW_hh(h_prev, dhraw):
    # step 0 has no previous hidden state to learn from
    return sum(h_prev[t].T @ dhraw[t] for t in range(1, h_prev.shape[0]))
''',
    ),
    dict(
        id="dW_hh-einsum-b",
        unit="dW_hh",
        kind="correct",
        cause="Correct: np.einsum('tni,tnj->ij', h_prev, dhraw, optimize=True).",
        cause_words=[],
        source='''def dW_hh(h_prev, dhraw):
    return np.einsum("tni,tnj->ij", h_prev, dhraw, optimize=True)
''',
    ),
    # ------------------------------------------------------------------ dW_xh
    dict(
        id="dW_xh-misaligned-flatten",
        unit="dW_xh",
        kind="wrong",
        cause="Flattens X batch-major (transpose(1, 0, 2) then reshape) but dhraw time-major, so row r of X is "
              "paired with the gradient of a different (t, n) (right only when T = 1 or N = 1).",
        cause_words=[r"transpose\(1,\s*0,\s*2\)", r"misalign|rows? (are )?(paired|matched) (with|to) (the )?wrong|different (row )?order", r"batch.?major", r"flatten"],
        source='''def dW_xh(X, dhraw):
    T, N, D = X.shape
    H = dhraw.shape[2]
    X_rows = X.transpose(1, 0, 2).reshape(N * T, D)
    return X_rows.T @ dhraw.reshape(T * N, H)
''',
    ),
    dict(
        id="dW_xh-sums-before-product",
        unit="dW_xh",
        kind="wrong",
        cause="Sums X and dhraw over time first and multiplies the sums, (sum_t x_t).T @ (sum_t dhraw_t), "
              "instead of summing the per-step products (right only when T = 1).",
        cause_words=[r"sum\w*.{0,30}(over time )?(first|before)", r"multipl\w* the sums|product of (the )?sums", r"cross.?(time|step)|pairs? of steps"],
        source='''def dW_xh(X, dhraw):
    return X.sum(axis=0).T @ dhraw.sum(axis=0)
''',
    ),
    # ------------------------------------------------------------------ db_h
    dict(
        id="db_h-mean-over-time",
        unit="db_h",
        kind="wrong",
        cause="Sums over the batch but averages over time (mean over axis 0), dividing the bias gradient by T "
              "(right only when T = 1).",
        cause_words=[r"np\.mean|\.mean\(|mean over (time|the steps)", r"averag", r"divid\w* by T\b"],
        source='''def db_h(dhraw):
    return dhraw.sum(axis=1).mean(axis=0)
''',
    ),
    dict(
        id="db_h-first-step-only",
        unit="db_h",
        kind="wrong",
        cause="Returns only step 0's batch sum dhraw[0].sum(axis=0), leaving out the other T-1 steps (right only "
              "when T = 1).",
        cause_words=[r"(step|t\s*=\s*)0", r"dhraw\[0\]", r"first step", r"other (T\s*-\s*1 )?steps|sum over time"],
        source='''def db_h(dhraw):
    # the backward loop ends at step 0, which has received everything
    return dhraw[0].sum(axis=0)
''',
    ),
    dict(
        id="db_h-double-loop",
        unit="db_h",
        kind="correct",
        cause="Correct: adds every (t, n) row in two explicit loops.",
        cause_words=[],
        source='''def db_h(dhraw):
    T, N, H = dhraw.shape
    total = np.zeros(H)
    for t in range(T):
        for n in range(N):
            total = total + dhraw[t, n]
    return total
''',
    ),
    # ------------------------------------------------------------------ dX
    dict(
        id="dX-summed-over-time-b",
        unit="dX",
        kind="wrong",
        cause="Sums dhraw over time like a weight gradient and returns one (N, D) array instead of one gradient "
              "per step (T, N, D).",
        cause_words=[r"\(N,\s*D\)", r"sum\w* over (time|the steps)", r"\(T,\s*N,\s*D\)|one (gradient|slice) per step"],
        source='''def dX(dhraw, W_xh):
    return np.sum(dhraw, axis=0) @ W_xh.T
''',
    ),
    dict(
        id="dX-reshape-instead-of-transpose",
        unit="dX",
        kind="wrong",
        cause="Uses W_xh.reshape(H, D) where W_xh.T is needed: the shape fits but the entries are scrambled.",
        cause_words=[r"reshape", r"scrambl", r"instead of (the )?transpos"],
        source='''def dX(dhraw, W_xh):
    D, H = W_xh.shape
    return np.einsum("tnh,hd->tnd", dhraw, W_xh.reshape(H, D))
''',
    ),
    dict(
        id="dX-stack-per-step",
        unit="dX",
        kind="correct",
        cause="Correct: one product per step, stacked along a new time axis.",
        cause_words=[],
        source='''def dX(dhraw, W_xh):
    return np.stack([dhraw[t] @ W_xh.T for t in range(dhraw.shape[0])], axis=0)
''',
    ),
    # ------------------------------------------------------------------ dh0
    dict(
        id="dh0-W_hh-not-transposed",
        unit="dh0",
        kind="wrong",
        cause="Returns dhraw_0 @ W_hh instead of dhraw_0 @ W_hh.T (the square matrix hides the orientation).",
        cause_words=[r"W_hh\.T", r"transpos", r"orientation"],
        source='''def dh0(dhraw_0, W_hh):
    return dhraw_0 @ W_hh
''',
    ),
    dict(
        id="dh0-diagonal-only",
        unit="dh0",
        kind="wrong",
        cause="Multiplies elementwise by the diagonal of W_hh, as if each unit only fed itself, instead of the "
              "matrix product dhraw_0 @ W_hh.T.",
        cause_words=[r"diag", r"elementwise", r"only (feeds|fed|itself)|each unit"],
        source='''def dh0(dhraw_0, W_hh):
    return dhraw_0 * np.diag(W_hh)
''',
    ),
    dict(
        id="dh0-einsum-b",
        unit="dh0",
        kind="correct",
        cause="Correct: np.einsum('nj,ij->ni', dhraw_0, W_hh).",
        cause_words=[],
        source='''def dh0(dhraw_0, W_hh):
    return np.einsum("nj,ij->ni", dhraw_0, W_hh)
''',
    ),
    # ------------------------------------------------------------------ rnn_backward
    dict(
        id="rnn_backward-loop-stops-before-0",
        unit="rnn_backward",
        kind="wrong",
        cause="The loop range(T - 1, 0, -1) never visits step 0, so dy[0] and dhraw[0] stay zero and step 0's "
              "contributions (and everything it would send to the initial state's weights) are missing.",
        cause_words=[r"range\(T\s*-\s*1,\s*0", r"(step|t\s*=\s*)0\b.{0,40}(never|not|skip|miss)", r"(never|not|skip\w*|miss\w*).{0,30}(step|t\s*=\s*)0\b", r"off.by.one"],
        source='''def rnn_backward(Y, params, cache, activation):
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
''' + _RNN_BASE_RETURN,
    ),
    dict(
        id="rnn_backward-roll-for-h_prev",
        unit="rnn_backward",
        kind="wrong",
        cause="Builds the previous states with np.roll(h, 1, axis=0), which puts the last state h_{T-1} in "
              "slot 0 where the initial state cache['h0'] belongs, so step 0's term of dW_hh is wrong.",
        cause_words=[r"np\.roll|roll", r"wrap", r"h0.{0,40}(instead|missing|replac)|initial state"],
        source='''def rnn_backward(Y, params, cache, activation):
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
    h_prev = np.roll(h, 1, axis=0)        # h_prev[t] = h[t-1]
''' + _RNN_BASE_RETURN,
    ),
    dict(
        id="rnn_backward-dy_t-gets-N",
        unit="rnn_backward",
        kind="wrong",
        cause="Calls dy_t(P[t], Y[t], N), passing the batch size where the number of steps T belongs, so every "
              "gradient is scaled by T/N (right only when N = T).",
        cause_words=[r"dy_t\([^)]*\bN\)", r"batch size.{0,40}(instead|where|for)\b.{0,20}\bT\b", r"T\s*/\s*N|N\s*/\s*T", r"third argument|argument T\b"],
        source='''def rnn_backward(Y, params, cache, activation):
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
''' + _RNN_BASE_RETURN,
    ),
    dict(
        id="rnn_backward-carries-dh-b",
        unit="rnn_backward",
        kind="wrong",
        cause="Carries dh (the gradient at the state h_t, before the activation's derivative) to the previous "
              "step instead of dhraw_t, so the future path skips phi' of every later step.",
        cause_words=[r"dhraw_next\s*=\s*dh\b", r"carr\w* (the )?dh\b|dh\b.{0,30}instead of.{0,15}dhraw", r"phi'.{0,40}(later|future|skipped)|skip\w* phi'"],
        source='''def rnn_backward(Y, params, cache, activation):
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
''' + _RNN_BASE_RETURN,
    ),
    dict(
        id="rnn_backward-dhraw_t-args-swapped",
        unit="rnn_backward",
        kind="wrong",
        cause="Calls dhraw_t(dh, h[t], h_netIn[t], activation) with the pre-activation and the state swapped: "
              "harmless for ReLU (same sign mask) but for tanh it uses 1 - h_netIn**2 (wrong for tanh only).",
        cause_words=[r"swap", r"(argument|order).{0,30}(h_netIn|h\[t\])", r"1\s*-\s*h_netIn"],
        source='''def rnn_backward(Y, params, cache, activation):
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
''' + _RNN_BASE_RETURN,
    ),
    dict(
        id="rnn_backward-W_hq-from-prev-states",
        unit="rnn_backward",
        kind="wrong",
        cause="Passes h_prev (the states h_{t-1}) to dW_hq instead of h (the states h_t that o_t reads), the "
              "wrong array of the same shape.",
        cause_words=[r"dW_hq\(\s*h_prev", r"h_prev.{0,40}(W_hq|output weights)|(W_hq|output weights).{0,40}h_prev", r"h_\{?t\s*-\s*1\}?.{0,40}instead of.{0,10}h_t"],
        source='''def rnn_backward(Y, params, cache, activation):
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
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {
        "W_xh": dW_xh(X, dhraw),
        "W_hh": dW_hh(h_prev, dhraw),
        "b_h": db_h(dhraw),
        "W_hq": dW_hq(h_prev, dy),
        "b_q": db_q(dy),
    }
''',
    ),
    dict(
        id="rnn_backward-future-reset-each-step",
        unit="rnn_backward",
        kind="wrong",
        cause="Initializes dhraw_next = zeros inside the loop, so every step starts with no gradient from the "
              "future and nothing flows back in time (right only when T = 1).",
        cause_words=[r"inside the loop", r"reset", r"nothing (flows|from the future)|no gradient from the future", r"(never|not) carr"],
        source='''def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    for t in reversed(range(T)):
        dhraw_next = np.zeros((N, H))
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
''' + _RNN_BASE_RETURN,
    ),
    dict(
        id="rnn_backward-dy-aliases-cache-p",
        unit="rnn_backward",
        kind="wrong",
        cause="dy = cache['p'] is an alias, not a new array, so writing dy[t] overwrites the cached "
              "probabilities in place: the returned gradients are right but the caller's cache['p'] is destroyed.",
        cause_words=[r"alias", r"in.?place", r"cache\[.p.\].{0,40}(overwr|modif|chang|destroy)|(overwr|modif|chang|destroy)\w*.{0,40}cache", r"copy"],
        source='''def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = P                               # same shape as the probabilities
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
''' + _RNN_BASE_RETURN,
    ),
    dict(
        id="rnn_backward-passes-W_hh-transposed",
        unit="rnn_backward",
        kind="wrong",
        cause="Hands params['W_hh'].T to dh_t, which transposes it again, so the future path uses "
              "dhraw_next @ W_hh instead of dhraw_next @ W_hh.T.",
        cause_words=[r"W_hh.{0,5}\.T", r"transpos\w* (twice|again)|double transpos", r"pre.?transpos"],
        source='''def rnn_backward(Y, params, cache, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    W_hq_T, W_hh_T = params["W_hq"], params["W_hh"].T
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, W_hq_T, W_hh_T)
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
''' + _RNN_BASE_RETURN,
    ),
    dict(
        id="rnn_backward-while-loop-slices",
        unit="rnn_backward",
        kind="correct",
        cause="Correct: a while loop counting down, h_prev filled by slice assignment into a new array, the "
              "five parameter rules called once after the loop.",
        cause_words=[],
        source='''def rnn_backward(Y, params, cache, activation):
    P, h = cache["p"], cache["h"]
    T, N, H = h.shape
    dy = np.empty(P.shape)
    dhraw = np.empty(h.shape)
    future = np.zeros((N, H))
    t = T - 1
    while t >= 0:
        dy[t] = dy_t(P[t], Y[t], T)
        future = dhraw_t(dh_t(dy[t], future, params["W_hq"], params["W_hh"]), cache["h_netIn"][t], h[t], activation)
        dhraw[t] = future
        t -= 1
    h_prev = np.empty(h.shape)
    h_prev[0] = cache["h0"]
    h_prev[1:] = h[:-1]
    return {"W_hq": dW_hq(h, dy), "b_q": db_q(dy), "W_hh": dW_hh(h_prev, dhraw),
            "W_xh": dW_xh(cache["X"], dhraw), "b_h": db_h(dhraw)}
''',
    ),
]
