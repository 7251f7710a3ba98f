"""Blind answers for notebook 04 (long histories): one entry per answer, written as a student would.

Each entry: id, unit, kind ("wrong" or "correct"), cause (one sentence), cause_words
(regular expressions; any one of them in the unit's feedback shows the cause was named),
source (the student's whole function and any helper it defines; it replaces the unit's
function in its solution cell, where the helper bptt_with_carry of the perfect submission
stays defined).
"""

ENTRIES = [
    # ---- bptt_truncated --------------------------------------------------------------
    dict(
        id="bptt_truncated-carries-dh",
        unit="bptt_truncated",
        kind="wrong",
        cause="The loop carries dh (the gradient at h_t, before the activation derivative) back to the previous step instead of dhraw_t.",
        cause_words=[r"\bdh\b|dh_t\b|before the activation", r"carr(y|ies|ied)"],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    if activation == "relu":
        d = (h_netIn > 0).astype(float)
    else:
        d = 1.0 - h ** 2
    dhraw = np.zeros_like(h)
    carry = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh = dy[t] @ params["W_hq"].T + carry @ params["W_hh"].T
        dhraw[t] = dh * d[t]
        carry = dh if t % k != 0 else np.zeros((N, H))
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {
        "W_xh": np.einsum("tnd,tnh->dh", X, dhraw),
        "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": np.einsum("tnh,tnq->hq", h, dy),
        "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="bptt_truncated-zeroes-whole-dh-before-boundary",
        unit="bptt_truncated",
        kind="wrong",
        cause=(
            "At the step just before a boundary (t = k-1, 2k-1, ...) the whole gradient at h_t is zeroed, its own output "
            "term dy_t W_hq^T included, instead of only the part arriving from step t+1."
        ),
        cause_words=[r"own (output|loss)|output term|its own", r"whole|entire|all of the gradient"],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0) * 1.0 if activation == "relu" else 1.0 - h ** 2
    dhraw = np.zeros_like(h)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dh = dy[t] @ params["W_hq"].T + nxt @ params["W_hh"].T
        if (t + 1) % k == 0 and t + 1 < T:
            dh = np.zeros((N, H))          # chunk boundary: nothing crosses
        dhraw[t] = dh * dphi[t]
        nxt = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {
        "W_xh": sum(X[t].T @ dhraw[t] for t in range(T)),
        "W_hh": sum(h_prev[t].T @ dhraw[t] for t in range(T)),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": sum(h[t].T @ dy[t] for t in range(T)),
        "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="bptt_truncated-chunks-of-k-plus-1",
        unit="bptt_truncated",
        kind="wrong",
        cause="Chunks are taken as [0, k], [k+1, 2k+1], ... (k+1 steps each, an inclusive range), so the cuts sit at t = k+1, 2k+2, ... instead of k, 2k, ...",
        cause_words=[r"k ?\+ ?1", r"inclusive|chunks? (of|are) .*too long|chunk length"],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    T = cache["h"].shape[0]
    carry = np.ones(T)
    # chunk j covers steps j*(k+1) .. j*(k+1)+k
    for start in range(k + 1, T, k + 1):
        carry[start] = 0.0
    return bptt_with_carry(Y, params, cache, carry, activation, "bptt_truncated")
''',
    ),
    dict(
        id="bptt_truncated-only-first-boundary",
        unit="bptt_truncated",
        kind="wrong",
        cause="Only the first boundary t = k is cut; the later boundaries 2k, 3k, ... still pass the gradient back.",
        cause_words=[r"only (at )?the first (boundary|cut|chunk)", r"2k|later boundar|every (multiple|boundary)|each boundary"],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    T = cache["h"].shape[0]
    carry = np.ones(T)
    if k < T:
        carry[k] = 0.0
    return bptt_with_carry(Y, params, cache, carry, activation, "bptt_truncated")
''',
    ),
    dict(
        id="bptt_truncated-activation-hardcoded",
        unit="bptt_truncated",
        kind="wrong",
        cause="The activation argument is ignored: the helper is always called with 'relu', so tanh gets the ReLU mask (wrong only for tanh).",
        cause_words=[r"activation (argument )?(is )?ignored|ignores the activation|hard-?coded", r"relu (mask|derivative).*tanh|tanh.*relu (mask|derivative)"],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    T = cache["h"].shape[0]
    carry = np.array([0.0 if (t > 0 and t % k == 0) else 1.0 for t in range(T)])
    return bptt_with_carry(Y, params, cache, carry, "relu", "bptt_truncated")
''',
    ),
    dict(
        id="bptt_truncated-reset-at-iteration-start",
        unit="bptt_truncated",
        kind="wrong",
        cause=(
            "The carried gradient is reset at the start of iterations t = 0, k, 2k, ..., which cuts what step t receives from "
            "step t+1 (between k and k+1, and between 0 and 1) instead of what step k sends back to step k-1."
        ),
        cause_words=[r"k ?\+ ?1", r"one step (late|too late)|too late", r"between (steps )?0 and 1"],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1 - h * h
    dhraw = np.zeros((T, N, H))
    carried = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        if t % k == 0:
            carried = np.zeros((N, H))     # new chunk
        dhraw[t] = (dy[t] @ params["W_hq"].T + carried @ params["W_hh"].T) * dphi[t]
        carried = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    flat = dhraw.reshape(T * N, H)
    return {
        "W_xh": X.reshape(T * N, -1).T @ flat,
        "W_hh": h_prev.reshape(T * N, H).T @ flat,
        "b_h": flat.sum(axis=0),
        "W_hq": h.reshape(T * N, H).T @ dy.reshape(T * N, Q),
        "b_q": dy.reshape(T * N, Q).sum(axis=0),
    }
''',
    ),
    dict(
        id="bptt_truncated-chunk-mean-k-N",
        unit="bptt_truncated",
        kind="wrong",
        cause="dy is divided by k*N (one chunk's predictions) instead of T*N; the loss is still the mean over all T*N predictions.",
        cause_words=[r"k ?\* ?N|per chunk|chunk'?s (length|mean|predictions)", r"T ?\* ?N"],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (k * N)       # mean loss of a chunk
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1 - h ** 2
    dhraw = np.zeros((T, N, H))
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw[t] = (dy[t] @ params["W_hq"].T + nxt @ params["W_hh"].T) * dphi[t]
        nxt = dhraw[t] if t % k != 0 else 0 * dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {
        "W_xh": np.einsum("tnd,tnh->dh", X, dhraw),
        "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": np.einsum("tnh,tnq->hq", h, dy),
        "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="bptt_truncated-boundary-mask-own-loop",
        unit="bptt_truncated",
        kind="correct",
        cause="Own loop with a boolean boundary array, parameter sums accumulated inside the loop, only the five documented keys.",
        cause_words=[],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    if isinstance(k, bool) or not float(k).is_integer() or k < 1:
        raise ValueError(f"bptt_truncated: k must be a positive integer, got {k!r}")
    if activation not in ("relu", "tanh"):
        raise ValueError(f"bptt_truncated: activation must be 'relu' or 'tanh', got {activation!r}")
    k = int(k)
    X, h, a, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[-1]
    steps = np.arange(T)
    boundary = (steps % k == 0) & (steps > 0)
    grads = {name: np.zeros(np.shape(params[name])) for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q")}
    incoming = np.zeros((N, H))
    for t in steps[::-1]:
        g_out = P[t].copy()
        g_out[np.arange(N), Y[t]] -= 1.0
        g_out /= T * N
        g_h = g_out @ params["W_hq"].T + incoming @ params["W_hh"].T
        g_raw = g_h * ((a[t] > 0) if activation == "relu" else (1.0 - h[t] ** 2))
        before = cache["h0"] if t == 0 else h[t - 1]
        grads["W_xh"] += X[t].T @ g_raw
        grads["W_hh"] += before.T @ g_raw
        grads["b_h"] += g_raw.sum(axis=0)
        grads["W_hq"] += h[t].T @ g_out
        grads["b_q"] += g_out.sum(axis=0)
        incoming = np.zeros((N, H)) if boundary[t] else g_raw
    return grads
''',
    ),
    dict(
        id="bptt_truncated-own-helper-list-carry",
        unit="bptt_truncated",
        kind="correct",
        cause="Own helper with another name, the multipliers built as a Python list, tuple unpacking, np.dot.",
        cause_words=[],
        source='''
def _backward_with_multipliers(Y, params, cache, mult, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[np.asarray(Y)]) / float(T * N)
    deriv = np.where(h_netIn > 0, 1.0, 0.0) if activation == "relu" else 1.0 - np.square(h)
    dhraw = np.zeros(h.shape)
    back = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dhraw[t] = (np.dot(dy[t], params["W_hq"].T) + np.dot(back, params["W_hh"].T)) * deriv[t]
        back = mult[t] * dhraw[t]
    h_prev = np.concatenate((cache["h0"][np.newaxis], h[:-1]), axis=0)
    W_xh = np.zeros(params["W_xh"].shape)
    W_hh = np.zeros(params["W_hh"].shape)
    W_hq = np.zeros(params["W_hq"].shape)
    for t in range(T):
        W_xh += np.dot(X[t].T, dhraw[t])
        W_hh += np.dot(h_prev[t].T, dhraw[t])
        W_hq += np.dot(h[t].T, dy[t])
    return {"W_xh": W_xh, "W_hh": W_hh, "b_h": dhraw.sum(axis=(0, 1)), "W_hq": W_hq, "b_q": dy.sum(axis=(0, 1))}


def bptt_truncated(Y, params, cache, k, activation="relu"):
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise ValueError("bptt_truncated: k must be a positive integer")
    if activation not in ("relu", "tanh"):
        raise ValueError("bptt_truncated: activation must be 'relu' or 'tanh'")
    T = cache["h"].shape[0]
    mult = [1.0] * T
    for t in range(int(k), T, int(k)):
        mult[t] = 0.0
    return _backward_with_multipliers(Y, params, cache, mult, activation)
''',
    ),
    # ---- bptt_randomized -------------------------------------------------------------
    dict(
        id="bptt_randomized-divides-by-xi",
        unit="bptt_randomized",
        kind="wrong",
        cause="The carried gradient is divided by xi[t] instead of multiplied by it (reading 'rescale by 1/pi' as a division), which gives inf/nan where xi is 0.",
        cause_words=[r"divid", r"multipl", r"\binf\b|\bnan\b|not finite|non-?finite"],
        source='''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - h ** 2
    dhraw = np.zeros_like(h)
    carry = np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw[t] = (dy[t] @ params["W_hq"].T + carry @ params["W_hh"].T) * dphi[t]
        carry = dhraw[t] / xi[t]          # rescale by 1/pi
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {
        "W_xh": np.einsum("tnd,tnh->dh", X, dhraw),
        "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": np.einsum("tnh,tnq->hq", h, dy),
        "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="bptt_randomized-pi-from-fraction-kept",
        unit="bptt_randomized",
        kind="wrong",
        cause="pi is estimated as the fraction of non-zero xi and the 0/1 mask rescaled by its inverse, instead of using xi's own values.",
        cause_words=[r"fraction|estimat|empirical|proportion", r"xi'?s? (own )?values?|as given|values of xi"],
        source='''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    keep = (np.asarray(xi) > 0).astype(float)
    pi = keep.mean()
    carry = keep / pi
    return bptt_with_carry(Y, params, cache, carry, activation, "bptt_randomized")
''',
    ),
    dict(
        id="bptt_randomized-xi-on-output-gradient",
        unit="bptt_randomized",
        kind="wrong",
        cause="xi[t] also multiplies step t's own output gradient dy_t (dropping or rescaling that step's loss) instead of only the gradient passed back to step t-1.",
        cause_words=[r"dy_t|dy\[t\]|output (gradient|term)|own loss|step'?s loss", r"only the (gradient|part) (passed|sent) back|only what .* passes back"],
        source='''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dy = dy * np.asarray(xi)[:, None, None]        # dropped steps drop out
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - h ** 2
    dhraw = np.zeros_like(h)
    carry = np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw[t] = (dy[t] @ params["W_hq"].T + carry @ params["W_hh"].T) * dphi[t]
        carry = xi[t] * dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {
        "W_xh": np.einsum("tnd,tnh->dh", X, dhraw),
        "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": np.einsum("tnh,tnq->hq", h, dy),
        "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="bptt_randomized-xi-scales-W_hh-term",
        unit="bptt_randomized",
        kind="wrong",
        cause="xi[t] also scales step t's term h_{t-1}^T dhraw_t in dW_hh, although only the gradient flowing into h_{t-1} is scaled.",
        cause_words=[r"W_hh (term|sum|contribution)|dW_hh|h_\{?t ?- ?1\}?\^?T", r"only the gradient (flowing|passed|sent|into)"],
        source='''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - h ** 2
    grads = {name: np.zeros(np.shape(params[name])) for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q")}
    carry = np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw = (dy[t] @ params["W_hq"].T + carry @ params["W_hh"].T) * dphi[t]
        h_before = cache["h0"] if t == 0 else h[t - 1]
        grads["W_xh"] += X[t].T @ dhraw
        grads["W_hh"] += xi[t] * (h_before.T @ dhraw)     # the edge h_{t-1} -> h_t is scaled
        grads["b_h"] += dhraw.sum(axis=0)
        grads["W_hq"] += h[t].T @ dy[t]
        grads["b_q"] += dy[t].sum(axis=0)
        carry = xi[t] * dhraw
    return grads
''',
    ),
    dict(
        id="bptt_randomized-activation-not-passed",
        unit="bptt_randomized",
        kind="wrong",
        cause="The own helper is called without the activation, so its default 'relu' is used even for tanh (wrong only for tanh).",
        cause_words=[r"activation (argument )?(is )?(ignored|not passed|never passed)|default", r"relu (mask|derivative).*tanh|tanh.*relu (mask|derivative)"],
        source='''
def _scaled_bptt(Y, params, cache, c, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - h ** 2
    dhraw = np.zeros_like(h)
    back = np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw[t] = (dy[t] @ params["W_hq"].T + back @ params["W_hh"].T) * dphi[t]
        back = c[t] * dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {"W_xh": np.einsum("tnd,tnh->dh", X, dhraw), "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
            "b_h": dhraw.sum(axis=(0, 1)), "W_hq": np.einsum("tnh,tnq->hq", h, dy), "b_q": dy.sum(axis=(0, 1))}


def bptt_randomized(Y, params, cache, xi, activation="relu"):
    xi = np.asarray(xi, dtype=float)
    return _scaled_bptt(Y, params, cache, xi)
''',
    ),
    dict(
        id="bptt_randomized-carries-dh",
        unit="bptt_randomized",
        kind="wrong",
        cause="The loop carries xi[t] * dh (the gradient at h_t, before the activation derivative) back to the previous step instead of xi[t] * dhraw_t.",
        cause_words=[r"\bdh\b|dh_t\b|before the activation", r"carr(y|ies|ied)"],
        source='''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - h ** 2
    dhraw = np.zeros_like(h)
    carry = np.zeros((N, H))
    for t in reversed(range(T)):
        dh = dy[t] @ params["W_hq"].T + carry @ params["W_hh"].T
        dhraw[t] = dh * dphi[t]
        carry = xi[t] * dh
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {
        "W_xh": np.einsum("tnd,tnh->dh", X, dhraw),
        "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": np.einsum("tnh,tnq->hq", h, dy),
        "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="bptt_randomized-list-to-helper",
        unit="bptt_randomized",
        kind="correct",
        cause="Checks xi with a list comprehension and passes a float array to the bptt_with_carry helper of the truncation cell.",
        cause_words=[],
        source='''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    T = cache["h"].shape[0]
    values = [float(v) for v in np.ravel(xi)]
    if np.shape(xi) != (T,):
        raise ValueError(f"bptt_randomized: xi must have shape ({T},), got {np.shape(xi)}")
    if any(v < 0 for v in values):
        raise ValueError("bptt_randomized: xi must be non-negative")
    return bptt_with_carry(Y, params, cache, np.array(values), activation, "bptt_randomized")
''',
    ),
    dict(
        id="bptt_randomized-flipped-time",
        unit="bptt_randomized",
        kind="correct",
        cause="Flips every array in time ([::-1]) and runs a forward loop over the flipped arrays.",
        cause_words=[],
        source='''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    xi = np.asarray(xi, dtype=np.float64)
    T, N, H = cache["h"].shape
    if xi.shape != (T,):
        raise ValueError(f"bptt_randomized: xi must have shape ({T},), got {xi.shape}")
    if (xi < 0).any():
        raise ValueError("bptt_randomized: xi must be non-negative")
    if activation not in ("relu", "tanh"):
        raise ValueError(f"bptt_randomized: unknown activation {activation!r}")
    Q = cache["p"].shape[2]
    dy = (cache["p"] - np.eye(Q)[np.asarray(Y)]) / (T * N)
    d = (cache["h_netIn"] > 0).astype(np.float64) if activation == "relu" else 1.0 - cache["h"] ** 2
    dy_r, d_r, xi_r = dy[::-1], d[::-1], xi[::-1]
    raw_r = np.zeros((T, N, H))
    from_later = np.zeros((N, H))
    for s in range(T):                     # s = 0 is the last step
        raw_r[s] = (dy_r[s] @ params["W_hq"].T + from_later @ params["W_hh"].T) * d_r[s]
        from_later = xi_r[s] * raw_r[s]
    dhraw = raw_r[::-1]
    h_prev = np.concatenate([cache["h0"][None], cache["h"][:-1]])
    return {
        "W_xh": np.einsum("tnd,tnh->dh", cache["X"], dhraw),
        "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
        "b_h": np.einsum("tnh->h", dhraw),
        "W_hq": np.einsum("tnh,tnq->hq", cache["h"], dy),
        "b_q": np.einsum("tnq->q", dy),
    }
''',
    ),
    # ---- clip_gradients --------------------------------------------------------------
    dict(
        id="clip_gradients-max-instead-of-min",
        unit="clip_gradients",
        kind="wrong",
        cause="The factor is max(1, max_norm / norm) instead of min(1, max_norm / norm): long gradients are left unchanged and short ones stretched.",
        cause_words=[r"max\(1|min\(1", r"stretch|enlarg|lengthen|scaled up|grow"],
        source='''
def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = max(1.0, max_norm / norm)
    return {name: g * scale for name, g in grads.items()}, float(norm)
''',
    ),
    dict(
        id="clip_gradients-sum-of-array-norms",
        unit="clip_gradients",
        kind="wrong",
        cause="The global norm is taken as the sum of the arrays' own norms instead of the square root of the sum of all squared entries.",
        cause_words=[r"sum of (the )?(arrays'? |per-array |individual )?norms", r"square root|squared entries|sum of squares"],
        source='''
def clip_gradients(grads, max_norm):
    total = 0.0
    for g in grads.values():
        total += np.linalg.norm(g)
    factor = min(1.0, max_norm / total)
    return {key: value * factor for key, value in grads.items()}, total
''',
    ),
    dict(
        id="clip_gradients-inverted-ratio",
        unit="clip_gradients",
        kind="wrong",
        cause="When the norm exceeds max_norm the arrays are multiplied by norm / max_norm (the ratio upside down), so long gradients get longer.",
        cause_words=[r"invert|upside|reciprocal|norm ?/ ?max_norm", r"longer|grow|larger"],
        source='''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum((g * g).sum() for g in grads.values())))
    if norm > max_norm:
        scale = norm / max_norm
    else:
        scale = 1.0
    return {k: np.asarray(g, dtype=float) * scale for k, g in grads.items()}, norm
''',
    ),
    dict(
        id="clip_gradients-rms-norm",
        unit="clip_gradients",
        kind="wrong",
        cause="The norm is the root mean square of the entries (sqrt of the mean of the squares) instead of the square root of their sum.",
        cause_words=[r"\bmean\b|averag|\brms\b|root mean", r"sum of (the )?squares|number of entries"],
        source='''
def clip_gradients(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads.values()])
    norm = float(np.sqrt(np.mean(flat ** 2)))
    scale = min(1.0, max_norm / norm)
    return {k: g * scale for k, g in grads.items()}, norm
''',
    ),
    dict(
        id="clip_gradients-weights-only",
        unit="clip_gradients",
        kind="wrong",
        cause="The biases are left out (like the regularization term): only the weight arrays are counted in the norm and scaled.",
        cause_words=[r"bias", r"left out|skipp|exclud|not (counted|scaled|clipped)|unchanged"],
        source='''
def clip_gradients(grads, max_norm):
    weights = [name for name in grads if not name.startswith("b")]
    norm = float(np.sqrt(sum(np.sum(grads[name] ** 2) for name in weights)))
    scale = min(1.0, max_norm / norm)
    clipped = {}
    for name, g in grads.items():
        clipped[name] = g * scale if name in weights else g.copy()
    return clipped, norm
''',
    ),
    dict(
        id="clip_gradients-returns-norm-first",
        unit="clip_gradients",
        kind="wrong",
        cause="Returns (norm, clipped) instead of (clipped, norm).",
        cause_words=[r"order|swap|reversed", r"\(clipped, ?norm\)|tuple"],
        source='''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    clipped = {name: g * scale for name, g in grads.items()}
    return norm, clipped
''',
    ),
    dict(
        id="clip_gradients-vdot-and-branch",
        unit="clip_gradients",
        kind="correct",
        cause="np.vdot for each array's squared norm, an if/else instead of min, copies when nothing is clipped.",
        cause_words=[],
        source='''
def clip_gradients(grads, max_norm):
    if not max_norm > 0:
        raise ValueError(f"clip_gradients: max_norm must be positive, got {max_norm}")
    squares = 0.0
    for g in grads.values():
        g = np.asarray(g, dtype=np.float64)
        squares += float(np.vdot(g, g))
    norm = squares ** 0.5
    if norm > max_norm:
        factor = max_norm / norm
        out = {name: np.asarray(g, dtype=np.float64) * factor for name, g in grads.items()}
    else:
        out = {name: np.array(g, dtype=np.float64, copy=True) for name, g in grads.items()}
    return out, norm
''',
    ),
    dict(
        id="clip_gradients-scaled-norm",
        unit="clip_gradients",
        kind="correct",
        cause="The overflow-safe norm m * sqrt(sum((g/m)^2)) with m the largest entry, and np.multiply into new arrays.",
        cause_words=[],
        source='''
def clip_gradients(grads, max_norm):
    if max_norm <= 0:
        raise ValueError("clip_gradients: max_norm must be positive")
    arrays = {name: np.asarray(g, dtype=np.float64) for name, g in grads.items()}
    m = max((np.max(np.abs(a)) if a.size else 0.0) for a in arrays.values()) if arrays else 0.0
    if m == 0:
        norm = 0.0
    else:
        norm = float(m * np.sqrt(sum(np.sum((a / m) ** 2) for a in arrays.values())))
    scale = 1.0 if norm <= max_norm else max_norm / norm
    return {name: np.multiply(a, scale) for name, a in arrays.items()}, norm
''',
    ),
]
