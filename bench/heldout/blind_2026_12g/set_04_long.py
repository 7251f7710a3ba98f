"""Blind answer set for 04_long_histories: rate prediction, path weights, truncated/randomized BPTT, clipping."""


def E(id, unit, kind, cause, words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source}


def BP(name, argname, carry_code, loop=None, dphi=None, tail=None):
    if dphi is None:
        dphi = '''    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    elif activation == "tanh":
        dphi = 1.0 - h ** 2
    else:
        raise ValueError(activation)
'''
    if loop is None:
        loop = '''    dhraw = np.zeros_like(h)
    fut = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh = dy[t] @ params["W_hq"].T + fut @ params["W_hh"].T
        dhraw[t] = dh * dphi[t]
        fut = carry[t] * dhraw[t]
'''
    if tail is None:
        tail = '''    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {
        "W_xh": np.einsum("tnd,tnh->dh", X, dhraw),
        "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": np.einsum("tnh,tnq->hq", h, dy),
        "b_q": dy.sum(axis=(0, 1)),
    }
'''
    head = f'''
def {name}(Y, params, cache, {argname}, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
'''
    return head + carry_code + dphi + loop + tail


TR = '''    carry = np.ones(T)
    carry[k::k] = 0.0
'''
RA = '''    carry = np.asarray(xi, dtype=np.float64)
'''

ENTRIES = [
# ---- predicted_gradient_rate
E("predicted_gradient_rate-frobenius-g", "predicted_gradient_rate", "wrong", "Uses the Frobenius norm of W_hh (np.linalg.norm default) instead of the spectral norm (largest singular value) for sigma_max.",
  [r"frobenius|spectral|singular value|ord\s*=?\s*2", r"np\.linalg\.norm"], '''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    else:
        dphi = 1.0 - np.tanh(h_netIn) ** 2
    sigma = float(np.linalg.norm(W_hh))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
            "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
'''),
E("predicted_gradient_rate-max-eig-no-abs-g", "predicted_gradient_rate", "wrong", "Takes the largest real part of the eigenvalues instead of the largest modulus for rho, wrong for complex or negative eigenvalues.",
  [r"abs|modulus|magnitude|complex|negative eigen", r"spectral radius"], '''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    else:
        dphi = 1.0 - np.tanh(h_netIn) ** 2
    sigma = float(np.linalg.svd(W_hh, compute_uv=False)[0])
    rho = float(np.max(np.linalg.eigvals(W_hh).real))
    return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
            "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
'''),
E("predicted_gradient_rate-typical-mean-g", "predicted_gradient_rate", "wrong", "Uses the plain mean of phi' for 'typical' instead of its root mean square.",
  [r"root.?mean.?square|rms|sqrt|squared", r"mean of phi|plain mean"], '''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    else:
        dphi = 1.0 - np.tanh(h_netIn) ** 2
    sigma = float(np.linalg.norm(W_hh, 2))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
            "typical": rho * float(np.mean(dphi))}
'''),
E("predicted_gradient_rate-relu-ge-g", "predicted_gradient_rate", "wrong", "Takes the ReLU derivative as 1 at a pre-activation of exactly 0 (h_netIn >= 0), where the contract uses 0.",
  [r">=|at (exactly )?(zero|0)|kink", r"derivative|relu"], '''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn >= 0).astype(np.float64)
    else:
        dphi = 1.0 - np.tanh(h_netIn) ** 2
    sigma = float(np.linalg.norm(W_hh, 2))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
            "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
'''),
E("predicted_gradient_rate-correct-svd-g", "predicted_gradient_rate", "correct", "Gets sigma_max from the SVD and rho from eigvals with np.abs, and phi' for tanh via cosh.", [], '''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    z = np.asarray(h_netIn, dtype=np.float64)
    d = np.where(z > 0, 1.0, 0.0) if activation == "relu" else 1.0 / np.cosh(z) ** 2
    s = np.linalg.svd(np.asarray(W_hh, dtype=np.float64), compute_uv=False)
    rho = np.abs(np.linalg.eigvals(W_hh)).max()
    return {"sigma_max": float(s.max()), "rho": float(rho), "bound": float(d.max() * s.max()),
            "typical": float(rho * np.sqrt((d * d).mean()))}
'''),
# ---- path_weights
E("path_weights-index-shift-g", "path_weights", "wrong", "Multiplies by carry[t-j] instead of carry[t-j+1], using the multiplier of the step one further back.",
  [r"carry\[t ?- ?j ?\+ ?1\]|carry\[t ?- ?j\]|off.by.one|index", r"shift"], '''
def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = 1.0
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j]
    return w
'''),
E("path_weights-cumprod-from-start-g", "path_weights", "wrong", "Uses the cumulative product of carry from the start of the sequence (carry[1..j]) for every row, instead of walking back from step t.",
  [r"from step t|back(ward)? from|walk", r"cumprod|cumulative|start of the sequence"], '''
def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    cp = np.concatenate([[1.0], np.cumprod(carry[1:])])
    w = np.zeros((T, T))
    for t in range(T):
        w[t, :t + 1] = cp[:t + 1]
    return w
'''),
E("path_weights-upper-not-zero-g", "path_weights", "wrong", "Fills every lag j up to T-1 for every row (wrapping negative indices), instead of leaving w[t, j] = 0 for j > t.",
  [r"j\s*>\s*t|upper|lower.?triang|zero for|tril", r"negative ind|wrap"], '''
def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.ones((T, T))
    for t in range(T):
        for j in range(1, T):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
'''),
E("path_weights-no-lag0-g", "path_weights", "wrong", "Never sets w[t, 0] = 1, so the lag-0 weight is 0 and every longer product built from it is 0 as well.",
  [r"lag.?0|w\[t, ?0\]|j\s*=\s*0|diagonal|start(s)? (at|from) (1|one)", r"initiali[sz]"], '''
def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.zeros((T, T))
    for t in range(T):
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
'''),
E("path_weights-int-list-g", "path_weights", "wrong", "Allocates w with np.zeros_like of the input's outer product, so a Python list of ints gives an integer matrix (dtype slip).",
  [r"dtype|int(eger)?|float64", r"zeros_like|list"], '''
def path_weights(carry):
    carry = np.asarray(carry)
    T = carry.shape[0]
    w = np.zeros_like(np.outer(carry, carry))
    for t in range(T):
        w[t, 0] = 1
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
'''),
E("path_weights-correct-vectorised-g", "path_weights", "correct", "Builds each row with one reversed cumulative product instead of a double loop.", [], '''
def path_weights(carry):
    c = np.array(carry, dtype=np.float64)
    T = c.size
    w = np.zeros((T, T))
    for t in range(T):
        w[t, :t + 1] = np.concatenate([[1.0], np.cumprod(c[1:t + 1][::-1])])
    return w
'''),
# ---- path_weight_moments
E("path_weight_moments-linear-var-g", "path_weight_moments", "wrong", "Adds the per-step variance (1/pi - 1) linearly over the lags instead of multiplying the second moments: var = j (1/pi - 1) instead of pi^-j - 1.",
  [r"product|multipl|independen|second moment", r"pi\s*\*\*|pi\^|power|exponent"], '''
def path_weight_moments(T, pi):
    j = np.arange(T, dtype=np.float64)
    L = np.tril(np.ones((T, T)))
    return {"mean": L, "var": L * j[None, :] * (1.0 / pi - 1.0)}
'''),
E("path_weight_moments-second-moment-g", "path_weight_moments", "wrong", "Returns the second moment pi^-j instead of the variance (forgets to subtract the squared mean).",
  [r"subtract|minus|- ?1|squared mean|mean squared", r"second moment|E\[w\^?2\]"], '''
def path_weight_moments(T, pi):
    j = np.arange(T)
    L = np.tril(np.ones((T, T)))
    return {"mean": L.copy(), "var": L * (1.0 / pi) ** j[None, :]}
'''),
E("path_weight_moments-lag-on-rows-g", "path_weight_moments", "wrong", "Broadcasts the lag along the rows (pi^-t) instead of along the columns (pi^-j).",
  [r"column|row|lag|broadcast", r"j\b|\[None, ?:\]|\[:, ?None\]"], '''
def path_weight_moments(T, pi):
    lag = np.arange(T, dtype=np.float64)[:, None]
    L = np.tril(np.ones((T, T)))
    return {"mean": L.copy(), "var": L * (float(pi) ** (-lag) - 1.0)}
'''),
E("path_weight_moments-correct-loop-g", "path_weight_moments", "correct", "Fills both matrices with a double loop.", [], '''
def path_weight_moments(T, pi):
    mean = np.zeros((T, T))
    var = np.zeros((T, T))
    for t in range(T):
        for j in range(t + 1):
            mean[t, j] = 1.0
            var[t, j] = (1.0 / float(pi)) ** j - 1.0
    return {"mean": mean, "var": var}
'''),
# ---- bptt_truncated
E("bptt_truncated-cut-off-by-one-g", "bptt_truncated", "wrong", "Cuts at steps k-1, 2k-1, ... (carry[k-1::k] = 0) instead of at k, 2k, ..., so the chunk boundaries are one step early.",
  [r"k ?- ?1|off.by.one|one step (early|too early)|boundar", r"carry\[k::k\]|multiples of k|t\s*=\s*k"], BP("bptt_truncated", "k", TR.replace("carry[k::k]", "carry[k - 1::k]"))),
E("bptt_truncated-from-end-g", "bptt_truncated", "wrong", "Counts the chunks from the end of the sequence (cuts at T-k, T-2k, ...) instead of from t = 0.",
  [r"from the end|from t ?= ?0|from the start|revers", r"chunk|cut"], BP("bptt_truncated", "k", '''    carry = np.ones(T)
    for c in range(T - k, 0, -k):
        carry[c] = 0.0
''')),
E("bptt_truncated-zero-dhraw-g", "bptt_truncated", "wrong", "At a cut it zeroes the step's whole dhraw[t] (dropping that step's own contribution to the weight gradients) instead of only what it passes back to step t-1.",
  [r"own (contribution|gradient)|weight gradient|whole|dhraw\[t\]", r"pass(es|ed)? back|only the (recurrent|carried)"], BP("bptt_truncated", "k", TR, loop='''    dhraw = np.zeros_like(h)
    fut = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh = dy[t] @ params["W_hq"].T + fut @ params["W_hh"].T
        dhraw[t] = dh * dphi[t] * carry[t]
        fut = dhraw[t]
''')),
E("bptt_truncated-cut-output-term-g", "bptt_truncated", "wrong", "Applies the cut to the whole dh of the step before a cut (its own output gradient dy[t] @ W_hq.T included) instead of only to the gradient arriving from the future.",
  [r"output (term|gradient)|dy\[t\]|own", r"future|carr|pass(es|ed)? back"], BP("bptt_truncated", "k", TR, loop='''    dhraw = np.zeros_like(h)
    fut = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh = (dy[t] @ params["W_hq"].T + fut @ params["W_hh"].T)
        if t + 1 < T:
            dh = dh * carry[t + 1]
        dhraw[t] = dh * dphi[t]
        fut = dhraw[t]
''')),
E("bptt_truncated-tanh-netIn-g", "bptt_truncated", "wrong", "Computes the tanh derivative as 1 - h_netIn**2 (pre-activation) instead of 1 - h**2 (the cached tanh output).",
  [r"h_netIn|pre.?activation", r"tanh|output|1 ?- ?h"], BP("bptt_truncated", "k", TR, dphi='''    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    elif activation == "tanh":
        dphi = 1.0 - h_netIn ** 2
    else:
        raise ValueError(activation)
''')),
E("bptt_truncated-correct-chunks-g", "bptt_truncated", "correct", "Runs an independent backward pass inside each chunk [s, s+k), restarting the carried gradient at zero at each chunk's end.", [], '''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    if activation not in ("relu", "tanh"):
        raise ValueError(activation)
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = P.copy()
    for t in range(T):
        dy[t][np.arange(N), Y[t]] -= 1.0
    dy /= T * N
    dhraw = np.zeros((T, N, H))
    starts = list(range(0, T, k))
    for s in reversed(starts):
        nxt = np.zeros((N, H))
        for t in reversed(range(s, min(s + k, T))):
            dh = dy[t] @ params["W_hq"].T + nxt @ params["W_hh"].T
            d = (h_netIn[t] > 0) if activation == "relu" else (1.0 - h[t] ** 2)
            dhraw[t] = dh * d
            nxt = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    g = {"W_xh": np.zeros(params["W_xh"].shape), "W_hh": np.zeros((H, H)), "b_h": np.zeros(H),
         "W_hq": np.zeros((H, Q)), "b_q": np.zeros(Q)}
    for t in range(T):
        g["W_xh"] += X[t].T @ dhraw[t]
        g["W_hh"] += h_prev[t].T @ dhraw[t]
        g["b_h"] += dhraw[t].sum(axis=0)
        g["W_hq"] += h[t].T @ dy[t]
        g["b_q"] += dy[t].sum(axis=0)
    return g
'''),
# ---- bptt_randomized
E("bptt_randomized-xi-shift-g", "bptt_randomized", "wrong", "Uses xi[t-1] (the multiplier of the earlier step) to scale what step t passes back, instead of xi[t].",
  [r"xi\[t ?- ?1\]|xi\[t\]|off.by.one|index|shift", r"multiplier"], BP("bptt_randomized", "xi", RA + '''    carry = np.concatenate([[0.0], carry[:-1]])
''')),
E("bptt_randomized-mask-only-g", "bptt_randomized", "wrong", "Treats xi as a keep/drop mask (xi > 0) and drops the 1/pi rescaling, so the estimate is biased.",
  [r"1 ?/ ?pi|rescal|scale|unbias|bias", r"mask|xi ?> ?0|bool"], BP("bptt_randomized", "xi", '''    carry = (np.asarray(xi) > 0).astype(np.float64)
''')),
E("bptt_randomized-scale-own-g", "bptt_randomized", "wrong", "Multiplies the step's own dhraw[t] by xi[t] (so it also scales that step's weight-gradient contribution) instead of only what is passed back.",
  [r"own (contribution|gradient)|weight gradient|dhraw\[t\]", r"pass(es|ed)? back|only the (recurrent|carried)"], BP("bptt_randomized", "xi", RA, loop='''    dhraw = np.zeros_like(h)
    fut = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh = dy[t] @ params["W_hq"].T + fut @ params["W_hh"].T
        dhraw[t] = dh * dphi[t] * carry[t]
        fut = dhraw[t]
''')),
E("bptt_randomized-cumprod-twice-g", "bptt_randomized", "wrong", "Pre-multiplies the multipliers into a running product (cumprod from the end), although the backward recursion already compounds them, so each factor is applied repeatedly.",
  [r"cumprod|cumulative|running product|twice|repeated|compound", r"already|recursion"], BP("bptt_randomized", "xi", RA + '''    carry = np.cumprod(carry[::-1])[::-1]
''')),
E("bptt_randomized-hprev-h-g", "bptt_randomized", "wrong", "Pairs dhraw[t] with h[t] instead of h[t-1] (h0 at t = 0) in the W_hh gradient.",
  [r"h_prev|h\[t ?- ?1\]|h0|previous state", r"W_hh"], BP("bptt_randomized", "xi", RA, tail='''    return {
        "W_xh": np.einsum("tnd,tnh->dh", X, dhraw),
        "W_hh": np.einsum("tni,tnj->ij", h, dhraw),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": np.einsum("tnh,tnq->hq", h, dy),
        "b_q": dy.sum(axis=(0, 1)),
    }
''')),
E("bptt_randomized-correct-scaled-matrix-g", "bptt_randomized", "correct", "Carries the gradient at h_{t-1} (already multiplied through W_hh.T) instead of the one at the pre-activation, scaling by xi[t].", [], '''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    if activation not in ("relu", "tanh"):
        raise ValueError(activation)
    xi = np.asarray(xi, dtype=np.float64)
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    onehot = np.zeros(P.shape)
    for t in range(T):
        onehot[t, np.arange(N), Y[t]] = 1.0
    dy = (P - onehot) / (T * N)
    dhraw = np.zeros((T, N, H))
    into_prev = np.zeros((N, H))
    for t in reversed(range(T)):
        dh = dy[t] @ params["W_hq"].T + into_prev
        dhraw[t] = dh * ((h_netIn[t] > 0) if activation == "relu" else (1 - h[t] * h[t]))
        into_prev = xi[t] * (dhraw[t] @ params["W_hh"].T)
    hp = np.concatenate([cache["h0"][None], h[:-1]])
    fl = dhraw.reshape(-1, H)
    return {"W_xh": X.reshape(-1, X.shape[2]).T @ fl, "W_hh": hp.reshape(-1, H).T @ fl, "b_h": fl.sum(0),
            "W_hq": h.reshape(-1, H).T @ dy.reshape(-1, Q), "b_q": dy.reshape(-1, Q).sum(0)}
'''),
# ---- clip_gradients
E("clip_gradients-per-array-g", "clip_gradients", "wrong", "Clips each array by its own norm instead of scaling all of them together by the global norm.",
  [r"global|together|all (the )?gradients|joint", r"each array|per.?array|individual"], '''
def clip_gradients(grads, max_norm):
    out = {}
    total = 0.0
    for k, g in grads.items():
        n = np.linalg.norm(g)
        total += n ** 2
        out[k] = g * min(1.0, max_norm / n) if n > 0 else g.astype(np.float64).copy()
    return out, float(np.sqrt(total))
'''),
E("clip_gradients-always-rescale-g", "clip_gradients", "wrong", "Always rescales to max_norm / norm, also scaling gradients up when their norm is below the threshold (no min(1, .)).",
  [r"min\(1|only (when|if)|below|scal\w* up|never (grow|increase)", r"threshold|max_norm"], '''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    scale = max_norm / norm if norm > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}, norm
'''),
E("clip_gradients-norm-after-g", "clip_gradients", "wrong", "Returns the global norm after clipping instead of the norm before clipping.",
  [r"before|after|pre.?clip", r"norm"], '''
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm > max_norm:
        grads = {k: g * (max_norm / norm) for k, g in grads.items()}
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    else:
        grads = {k: g.copy() for k, g in grads.items()}
    return grads, float(norm)
'''),
E("clip_gradients-zero-norm-nan-g", "clip_gradients", "wrong", "Divides max_norm by the norm without handling the all-zero case, giving inf * 0 = nan and a divide-by-zero warning.",
  [r"zero|divi\w* by zero|norm (is |=|==) ?0", r"nan|inf|warning"], '''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    scale = min(1.0, max_norm / np.float64(norm))
    return {k: g * scale for k, g in grads.items()}, norm
'''),
E("clip_gradients-inplace-g", "clip_gradients", "wrong", "Scales the caller's arrays in place (g *= scale) and returns them, so the input gradients change and the output shares their memory.",
  [r"in.?place|\*=|modif|mutat|alias", r"copy|new (dict|arrays?)|input"], '''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum((g ** 2).sum() for g in grads.values())))
    out = dict(grads)
    if norm > max_norm:
        for k in out:
            out[k] *= max_norm / norm
    return out, norm
'''),
E("clip_gradients-no-sqrt-g", "clip_gradients", "wrong", "Uses the sum of squares as the norm, forgetting the square root.",
  [r"sqrt|square root|squared norm|sum of squares"], '''
def clip_gradients(grads, max_norm):
    sq = float(sum(np.sum(g ** 2) for g in grads.values()))
    scale = min(1.0, max_norm / sq) if sq > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}, sq
'''),
E("clip_gradients-correct-concat-g", "clip_gradients", "correct", "Computes the global norm with np.linalg.norm of all gradients concatenated into one vector.", [], '''
def clip_gradients(grads, max_norm):
    flat = np.concatenate([np.ravel(g).astype(np.float64) for g in grads.values()]) if grads else np.zeros(0)
    norm = float(np.linalg.norm(flat))
    factor = 1.0 if norm <= max_norm else max_norm / norm
    return {k: np.array(g, dtype=np.float64) * factor for k, g in grads.items()}, norm
'''),
]
