"""Blind set 2026-12b, notebook 04 (long histories): student answers for path_weights, bptt_truncated,
bptt_randomized and clip_gradients.

Written from the student notebook, the instructor solutions and docs/math.md only (no grader
code, tests, tools or benchmark sets were read). Each entry is a whole function as a student
would write it, with one realistic mistake ("wrong") or none ("correct"). The BPTT entries are
self-contained (their own backward loop, no call of the solution's helper bptt_with_carry), so
they do not depend on what else their solution cell holds.
"""


def _bptt(name, arg, loop, post=None):
    """Assemble a whole BPTT function: common head, the student's loop, common tail."""
    head = f'''def {name}(Y, params, cache, {arg}, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    elif activation == "tanh":
        dphi = 1.0 - h ** 2
    else:
        raise ValueError(f"unknown activation {{activation!r}}")
    dy = (P - np.eye(Q)[Y]) / (T * N)
    W_hh, W_hq = params["W_hh"], params["W_hq"]
    dhraw = np.zeros((T, N, H))
    nxt = np.zeros((N, H))
'''
    tail = post if post is not None else '''    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
'''
    tail += '''    return {
        "W_xh": np.einsum("tnd,tnh->dh", X, dhraw, optimize=True),
        "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw, optimize=True),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": np.einsum("tnh,tnq->hq", h, dy, optimize=True),
        "b_q": dy.sum(axis=(0, 1)),
    }
'''
    return head + loop + tail


ENTRIES = [
    # ------------------------------------------------------------------ path_weights
    dict(
        id="path_weights-multiplier-of-destination",
        unit="path_weights",
        kind="wrong",
        cause="Off by one at both ends of the path: multiplies c_{t-j}, ..., c_{t-1} instead of c_{t-j+1}, ..., "
              "c_t (uses the multiplier of the step the path arrives at and leaves out c_t of the step it starts from).",
        cause_words=[r"off.by.one", r"c_?\{?t\s*-\s*j\}?(?!\s*\+)", r"carry\[t\s*-\s*j\]", r"c_?\{?t\}?\b.{0,30}(missing|left out|omit)"],
        source='''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = 1.0
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j]
    return w
''',
    ),
    dict(
        id="path_weights-one-factor-too-many",
        unit="path_weights",
        kind="wrong",
        cause="For j >= 1 multiplies j + 1 multipliers c_{t-j}, ..., c_t instead of the j multipliers "
              "c_{t-j+1}, ..., c_t: it also counts the edge into the state h_{t-j} where the path ends.",
        cause_words=[r"j\s*\+\s*1 (multipliers|factors)", r"one (factor|multiplier) too many|extra (factor|multiplier)", r"c_?\{?t\s*-\s*j\}?(?!\s*\+)", r"carry\[t\s*-\s*j\s*:"],
        source='''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.zeros((T, T))
    w[:, 0] = 1.0
    for t in range(T):
        for j in range(1, t + 1):
            w[t, j] = np.prod(carry[t - j:t + 1])
    return w
''',
    ),
    dict(
        id="path_weights-negative-index-wraps",
        unit="path_weights",
        kind="wrong",
        cause="Runs j over the whole range 1..T-1 for every t, so for j > t the index t - j + 1 goes negative "
              "and wraps around to the end of carry: the entries above the diagonal (j > t), which must be 0, "
              "get products of multipliers.",
        cause_words=[r"j\s*>\s*t", r"negative ind", r"wrap", r"(above|upper).{0,20}(diagonal|triangle)"],
        source='''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.zeros((T, T))
    w[:, 0] = 1.0
    for t in range(T):
        for j in range(1, T):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
''',
    ),
    dict(
        id="path_weights-binary-mask",
        unit="path_weights",
        kind="wrong",
        cause="Turns the multipliers into a 0/1 mask (carry > 0) before multiplying, so surviving paths get "
              "weight 1 instead of the product of the multipliers (right only when every multiplier is 0 or 1).",
        cause_words=[r"mask", r"carry\s*>\s*0", r"0/1|binary", r"scal\w* by (xi|the multipliers|1/pi)"],
        source='''def path_weights(carry):
    kept = (np.asarray(carry) > 0).astype(np.float64)
    T = kept.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = 1.0
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * kept[t - j + 1]
    return w
''',
    ),
    dict(
        id="path_weights-cumprod-rows",
        unit="path_weights",
        kind="correct",
        cause="Correct: row t is 1 followed by the cumulative product of carry[t], carry[t-1], ..., carry[1].",
        cause_words=[],
        source='''def path_weights(carry):
    c = np.asarray(carry, dtype=np.float64)
    T = c.shape[0]
    w = np.zeros((T, T))
    w[:, 0] = 1.0
    for t in range(1, T):
        w[t, 1:t + 1] = np.cumprod(c[t:0:-1])
    return w
''',
    ),
    # ------------------------------------------------------------------ bptt_truncated
    dict(
        id="bptt_truncated-chunks-from-the-end",
        unit="bptt_truncated",
        kind="wrong",
        cause="Counts the chunks from the end of the sequence (cuts where (T - t) % k == 0, i.e. at T-k, T-2k, "
              "...) instead of from t = 0 (cuts at k, 2k, ...); right whenever k divides T or k >= T.",
        cause_words=[r"from the end", r"\(T\s*-\s*t\)\s*%\s*k", r"T\s*-\s*k", r"(start|count)\w* (at|from) (t\s*=\s*)?0"],
        source=_bptt("bptt_truncated", "k", '''    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        # the last chunk is the full one: boundaries at T-k, T-2k, ...
        nxt = np.zeros((N, H)) if (T - t) % k == 0 else dhraw[t]
'''),
    ),
    dict(
        id="bptt_truncated-cut-one-step-early-b",
        unit="bptt_truncated",
        kind="wrong",
        cause="Cuts where (t + 1) % k == 0, so step k-1 (not step k) passes nothing back, one step early; with "
              "k = T it even cuts at the last step, so k = T is no longer the full gradient (k = 1 and k > T "
              "happen to be right).",
        cause_words=[r"\(t\s*\+\s*1\)\s*%\s*k", r"one step (early|too early|off)|off.by.one", r"k\s*-\s*1"],
        source=_bptt("bptt_truncated", "k", '''    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        if (t + 1) % k == 0:       # end of a chunk
            nxt = np.zeros((N, H))
        else:
            nxt = dhraw[t]
'''),
    ),
    dict(
        id="bptt_truncated-boundary-W_hh-term-dropped",
        unit="bptt_truncated",
        kind="wrong",
        cause="Sets the previous state of every chunk's first step (h_prev[k], h_prev[2k], ...) to zero, so the "
              "boundary step's own use of W_hh on the frozen state h_{k-1} is missing from W_hh's gradient.",
        cause_words=[r"boundary.{0,60}W_hh|W_hh.{0,60}boundary", r"frozen state", r"h_prev\[k", r"first step of (a|each|the) chunk"],
        source=_bptt("bptt_truncated", "k", '''    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = np.zeros((N, H)) if t % k == 0 else dhraw[t]
''', post='''    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    h_prev[k::k] = 0.0            # each chunk starts from a fresh state
'''),
    ),
    dict(
        id="bptt_truncated-sliding-window",
        unit="bptt_truncated",
        kind="wrong",
        cause="Implements the other variant: every step's loss goes back through its own window of k states "
              "(t down to t-k+1) instead of to the start of its chunk k*floor(t/k) (right for k = 1 and k >= T).",
        cause_words=[r"(own|sliding|moving|per.step) window", r"k\s*\*?\s*floor|floor\(t\s*/\s*k\)|t\s*//\s*k", r"start of (its|the) chunk", r"k steps back from (each|every) step|last k steps"],
        source=_bptt("bptt_truncated", "k", '''    for t in range(T):
        g = dy[t] @ W_hq.T
        for s in range(t, max(t - k, -1), -1):      # k steps back from t
            raw = g * dphi[s]
            dhraw[s] += raw
            g = raw @ W_hh.T
'''),
    ),
    dict(
        id="bptt_truncated-zeroes-boundary-dhraw",
        unit="bptt_truncated",
        kind="wrong",
        cause="At a chunk boundary t = k, 2k, ... it zeroes dhraw[t] itself, which removes that step's own "
              "contributions to W_xh, W_hh and b_h, instead of zeroing only what it passes back to step t-1.",
        cause_words=[r"dhraw\[t\]\s*=\s*0", r"(own|its) contribution", r"(zero|remov)\w* (the )?(boundary step|dhraw)", r"only what (it )?passe?s? back"],
        source=_bptt("bptt_truncated", "k", '''    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        if t > 0 and t % k == 0:
            dhraw[t] = 0.0             # truncate here
        nxt = dhraw[t]
'''),
    ),
    dict(
        id="bptt_truncated-mean-per-chunk",
        unit="bptt_truncated",
        kind="wrong",
        cause="Normalizes each step's output gradient by its chunk's length times N (a mean per chunk) instead "
              "of by T*N for the whole sequence (right only when k >= T).",
        cause_words=[r"chunk('s)? length|length of (the|its) chunk", r"T\s*\*\s*N", r"mean (per|over the) chunk|per.chunk", r"normali[sz]"],
        source=_bptt("bptt_truncated", "k", '''    residual = P - np.eye(Q)[Y]
    for t in reversed(range(T)):
        start = (t // k) * k
        length = min(start + k, T) - start
        dy[t] = residual[t] / (length * N)        # each chunk's loss is a mean over its predictions
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = np.zeros((N, H)) if t % k == 0 else dhraw[t]
'''),
    ),
    dict(
        id="bptt_truncated-resets-whole-dh",
        unit="bptt_truncated",
        kind="wrong",
        cause="At the last step of each earlier chunk (t = k-1, 2k-1, ...) it sets the whole dh to zero, which "
              "also drops that step's own output gradient dy_t @ W_hq.T, instead of zeroing only the gradient "
              "arriving from step t+1.",
        cause_words=[r"dh\s*=\s*(np\.)?zeros", r"(own )?output (gradient|path|term)", r"dy_?t?\s*@\s*W_hq", r"whole dh"],
        source=_bptt("bptt_truncated", "k", '''    for t in reversed(range(T)):
        if t < T - 1 and (t + 1) % k == 0:
            dh = np.zeros((N, H))              # a new chunk begins: start from scratch
        else:
            dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = dhraw[t]
'''),
    ),
    dict(
        id="bptt_truncated-cuts-at-zero-too",
        unit="bptt_truncated",
        kind="correct",
        cause="Correct: cuts wherever t % k == 0, including t = 0, which only removes the gradient into the "
              "initial state (not a returned parameter).",
        cause_words=[],
        source=_bptt("bptt_truncated", "k", '''    for t in range(T - 1, -1, -1):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = dhraw[t] if t % k else np.zeros((N, H))
'''),
    ),
    dict(
        id="bptt_truncated-chunk-by-chunk-b",
        unit="bptt_truncated",
        kind="correct",
        cause="Correct: an outer loop over the chunks [c, c+k), each with its own backward loop that starts "
              "from zero at the chunk's end.",
        cause_words=[],
        source='''def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, P = cache["X"], cache["h"], cache["p"]
    T, N, H = h.shape
    if activation == "relu":
        slope = (cache["h_netIn"] > 0) * 1.0
    elif activation == "tanh":
        slope = 1.0 - h * h
    else:
        raise ValueError("activation must be 'relu' or 'tanh'")
    onehot = np.zeros(P.shape)
    for t in range(T):
        onehot[t, np.arange(N), Y[t]] = 1.0
    dy = (P - onehot) / (T * N)
    dhraw = np.zeros((T, N, H))
    for c in range(0, T, int(k)):
        back = np.zeros((N, H))
        for t in reversed(range(c, min(c + int(k), T))):
            dhraw[t] = (dy[t] @ params["W_hq"].T + back @ params["W_hh"].T) * slope[t]
            back = dhraw[t]
    prev = np.concatenate([cache["h0"][None], h[:-1]])
    grads = {"W_xh": np.zeros(np.shape(params["W_xh"])), "W_hh": np.zeros((H, H)), "b_h": np.zeros(H),
             "W_hq": np.zeros(np.shape(params["W_hq"])), "b_q": np.zeros(P.shape[2])}
    for t in range(T):
        grads["W_xh"] += X[t].T @ dhraw[t]
        grads["W_hh"] += prev[t].T @ dhraw[t]
        grads["b_h"] += dhraw[t].sum(axis=0)
        grads["W_hq"] += h[t].T @ dy[t]
        grads["b_q"] += dy[t].sum(axis=0)
    return grads
''',
    ),
    # ------------------------------------------------------------------ bptt_randomized
    dict(
        id="bptt_randomized-zero-one-mask",
        unit="bptt_randomized",
        kind="wrong",
        cause="Uses xi as a 0/1 mask (xi > 0) instead of scaling the carried gradient by xi (= 1/pi where it "
              "survives), which biases the estimate toward short paths.",
        cause_words=[r"mask", r"0/1|binary", r"1\s*/\s*pi|scal\w* by xi", r"unbiased|biased (toward|estimate)"],
        source=_bptt("bptt_randomized", "xi", '''    keep = (np.asarray(xi) > 0).astype(np.float64)
    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = keep[t] * dhraw[t]
'''),
    ),
    dict(
        id="bptt_randomized-xi-index-shifted",
        unit="bptt_randomized",
        kind="wrong",
        cause="Scales what step t passes back by xi[t-1] instead of xi[t] (the multipliers are shifted by one "
              "step; xi[0] is never used and xi[-1] wraps around at t = 0).",
        cause_words=[r"xi\[t\s*-\s*1\]", r"shift", r"off.by.one", r"xi\[0\]"],
        source=_bptt("bptt_randomized", "xi", '''    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = xi[t - 1] * dhraw[t]          # the cut between step t-1 and t
'''),
    ),
    dict(
        id="bptt_randomized-divides-by-xi-b",
        unit="bptt_randomized",
        kind="wrong",
        cause="Divides the carried gradient by xi (skipping xi = 0) instead of multiplying by it, so a surviving "
              "path is scaled by pi instead of 1/pi (right only when every xi is 0 or 1).",
        cause_words=[r"divid\w* by xi|/\s*xi", r"instead of multipl", r"(by|times) pi\b", r"1\s*/\s*pi"],
        source=_bptt("bptt_randomized", "xi", '''    xi = np.asarray(xi, dtype=np.float64)
    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        # xi = 1/pi: rescale the surviving gradient
        nxt = dhraw[t] / xi[t] if xi[t] > 0 else np.zeros((N, H))
'''),
    ),
    dict(
        id="bptt_randomized-scales-stored-dhraw",
        unit="bptt_randomized",
        kind="wrong",
        cause="Multiplies dhraw[t] itself by xi[t] before storing it, so xi also scales step t's own "
              "contributions to W_xh, W_hh and b_h instead of only the gradient passed back to step t-1.",
        cause_words=[r"(own|its) contribution", r"dhraw\[t\]\s*=\s*xi", r"stored|before stor", r"only (the gradient )?(passed|what.{0,10}passe?s?) back"],
        source=_bptt("bptt_randomized", "xi", '''    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = xi[t] * dh * dphi[t]
        nxt = dhraw[t]
'''),
    ),
    dict(
        id="bptt_randomized-cumulative-product",
        unit="bptt_randomized",
        kind="wrong",
        cause="Scales the gradient carried back from step t by the product of xi[t:] (all multipliers from t to "
              "the end) instead of xi[t] alone, so each multiplier is applied again at every earlier step.",
        cause_words=[r"np\.prod|cumulative product|product of (all )?(the )?(xi|multipliers) (from|after|up to)", r"xi\[t:\]", r"(applied|counted) (again|repeatedly|more than once|twice)"],
        source=_bptt("bptt_randomized", "xi", '''    xi = np.asarray(xi, dtype=np.float64)
    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = np.prod(xi[t:]) * dhraw[t]    # a path is weighted by the product of the xi it crosses
'''),
    ),
    dict(
        id="bptt_randomized-xi-in-loop-order",
        unit="bptt_randomized",
        kind="wrong",
        cause="Indexes xi by the backward iteration count (xi[T-1-t]) instead of by the step t, so the "
              "multipliers are applied in reversed time order.",
        cause_words=[r"xi\[T\s*-\s*1\s*-\s*t\]", r"revers\w* (time )?order of (the )?xi|xi.{0,30}revers", r"iteration (count|order|number)|indexe?s? xi by (the )?(iteration|loop)"],
        source=_bptt("bptt_randomized", "xi", '''    i = 0
    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = xi[i] * dhraw[t]              # one xi per backward step
        i += 1
'''),
    ),
    dict(
        id="bptt_randomized-own-loop",
        unit="bptt_randomized",
        kind="correct",
        cause="Correct: its own backward loop with the carried gradient scaled by xi[t], sums with einsum.",
        cause_words=[],
        source=_bptt("bptt_randomized", "xi", '''    xi = np.asarray(xi, dtype=np.float64)
    for t in range(T - 1, -1, -1):
        dhraw[t] = (dy[t] @ W_hq.T + (xi[t + 1] * nxt if t + 1 < T else nxt) @ W_hh.T) * dphi[t]
        nxt = dhraw[t]
'''),
    ),
    # ------------------------------------------------------------------ clip_gradients
    dict(
        id="clip_gradients-scales-in-place",
        unit="clip_gradients",
        kind="wrong",
        cause="Scales the arrays of grads in place (g *= factor) and returns a dict of those same arrays, so the "
              "caller's gradients are changed (values returned are right).",
        cause_words=[r"in.?place", r"\*=", r"(modif|chang|mutat)\w* (the )?(input|caller|grads)", r"copy|new arrays?"],
        source='''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return dict(grads), norm
''',
    ),
    dict(
        id="clip_gradients-returns-norm-after-b",
        unit="clip_gradients",
        kind="wrong",
        cause="Returns the global norm after clipping (at most max_norm) instead of the norm before clipping "
              "(wrong only when clipping happens).",
        cause_words=[r"after clipping", r"before clipping", r"(returned|returns) (the )?norm"],
        source='''def clip_gradients(grads, max_norm):
    total = np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values()))
    factor = min(1.0, max_norm / total) if total > 0 else 1.0
    clipped = {name: np.asarray(g, dtype=np.float64) * factor for name, g in grads.items()}
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in clipped.values())))
    return clipped, norm
''',
    ),
    dict(
        id="clip_gradients-sum-of-norms",
        unit="clip_gradients",
        kind="wrong",
        cause="Computes the global norm as the sum of the arrays' own L2 norms instead of the square root of the "
              "sum of all squared entries, so the norm is too large and the gradients are clipped too much.",
        cause_words=[r"sum of (the )?(arrays'? )?(own )?(L2 )?norms", r"squared", r"sqrt", r"triangle"],
        source='''def clip_gradients(grads, max_norm):
    norm = float(sum(np.linalg.norm(g) for g in grads.values()))
    scale = 1.0 if norm <= max_norm else max_norm / norm
    return {name: np.asarray(g, dtype=np.float64) * scale for name, g in grads.items()}, norm
''',
    ),
    dict(
        id="clip_gradients-no-square-root",
        unit="clip_gradients",
        kind="wrong",
        cause="Forgets the square root: uses the sum of squared entries (the squared norm) as the norm, both for "
              "the returned value and for the clipping factor.",
        cause_words=[r"sqrt|square root", r"squared norm", r"norm\s*\*\*\s*2"],
        source='''def clip_gradients(grads, max_norm):
    norm = 0.0
    for g in grads.values():
        norm += float(np.sum(np.square(g)))
    factor = max_norm / norm if norm > max_norm else 1.0
    return {key: np.array(g, dtype=np.float64) * factor for key, g in grads.items()}, norm
''',
    ),
    dict(
        id="clip_gradients-concatenate-linalg",
        unit="clip_gradients",
        kind="correct",
        cause="Correct: the norm of all entries concatenated into one vector (np.linalg.norm), factor 1 when "
              "the norm is at most max_norm, new float64 arrays.",
        cause_words=[],
        source='''def clip_gradients(grads, max_norm):
    flat = np.concatenate([np.ravel(np.asarray(g, dtype=np.float64)) for g in grads.values()])
    norm = float(np.linalg.norm(flat))
    factor = 1.0 if norm <= max_norm else max_norm / norm
    return {key: np.array(g, dtype=np.float64) * factor for key, g in grads.items()}, norm
''',
    ),
]
