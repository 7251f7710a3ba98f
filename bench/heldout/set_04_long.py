"""Held-out answers for notebook 04 (the predicted gradient rate, path weights, truncation, randomized
truncation, clipping). Format: see set_01_mlp.py.

The perfect submission's bptt_truncated cell also defines the helper bptt_with_carry that its
bptt_randomized calls; an entry replaces only its unit's function, so that helper stays. The
loops below are written out in full, as a student who copied their notebook-02 loop would.
"""

# A student's truncated loop: one backward pass, the carried gradient cut where `cut` says.
_TRUNC = '''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    W_hh, W_hq = params["W_hh"], params["W_hq"]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    if activation == "relu":
        dphi = (h_netIn > 0).astype(float)
    else:
        dphi = 1.0 - h ** 2
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    dhraw = np.zeros_like(h)
    grads = {name: np.zeros_like(params[name], dtype=float) for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q")}
    carried = np.zeros((N, H))
    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + carried @ W_hh.T
        dhraw[t] = dh * dphi[t]
        grads["W_xh"] += X[t].T @ dhraw[t]
        grads["W_hh"] += h_prev[t].T @ dhraw[t]
        grads["b_h"] += dhraw[t].sum(axis=0)
        grads["W_hq"] += h[t].T @ dy[t]
        grads["b_q"] += dy[t].sum(axis=0)
        carried = dhraw[t]
        if t % k == 0:          # t = 0, k, 2k, ...: start of a chunk
            carried = np.zeros((N, H))
    return grads
'''

# A student's randomized loop: the carried gradient multiplied by xi[t] when it leaves step t.
_RAND = '''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    W_hh, W_hq = params["W_hh"], params["W_hq"]
    xi = np.asarray(xi, dtype=float)
    dy = (P - np.eye(Q)[Y]) / (T * N)
    if activation == "relu":
        dphi = (h_netIn > 0).astype(float)
    else:
        dphi = 1.0 - h ** 2
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    dhraw = np.zeros_like(h)
    carried = np.zeros((N, H))
    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + carried @ W_hh.T
        dhraw[t] = dh * dphi[t]
        carried = xi[t] * dhraw[t]
    return {
        "W_xh": np.einsum("tnd,tnh->dh", X, dhraw),
        "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": np.einsum("tnh,tnq->hq", h, dy),
        "b_q": dy.sum(axis=(0, 1)),
    }
'''

_CLIP = '''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: g * scale for name, g in grads.items()}, norm
'''


def _sub(template, old, new):
    """`template` with `old` replaced by `new` exactly once (a typo in an entry fails loudly)."""
    assert template.count(old) == 1, f"{old!r} occurs {template.count(old)} times"
    return template.replace(old, new)


ENTRIES = [
    # ---- predicted_gradient_rate -------------------------------------------------------
    dict(
        id="predicted_gradient_rate-frobenius",
        unit="predicted_gradient_rate",
        kind="wrong",
        cause="sigma_max is np.linalg.norm(W_hh) with no ord, the Frobenius norm, not the largest singular value.",
        cause_words=[r"Frobenius", r"2-norm", r"sum of (its )?squared entries"],
        source='''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - np.tanh(h_netIn) ** 2
    sigma = np.linalg.norm(W_hh)
    rho = np.max(np.abs(np.linalg.eigvals(W_hh)))
    return {"sigma_max": sigma, "rho": rho, "bound": dphi.max() * sigma,
            "typical": rho * np.sqrt(np.mean(dphi ** 2))}
''',
    ),
    dict(
        id="predicted_gradient_rate-real-part",
        unit="predicted_gradient_rate",
        kind="wrong",
        cause="rho takes the largest real part of the eigenvalues, not their largest modulus.",
        cause_words=[r"real part", r"modulus", r"complex"],
        source='''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - np.tanh(h_netIn) ** 2
    sigma = np.linalg.svd(W_hh, compute_uv=False)[0]
    rho = np.max(np.linalg.eigvals(W_hh).real)
    return {"sigma_max": sigma, "rho": rho, "bound": dphi.max() * sigma,
            "typical": rho * np.sqrt(np.mean(dphi ** 2))}
''',
    ),
    dict(
        id="predicted_gradient_rate-mean-not-rms",
        unit="predicted_gradient_rate",
        kind="wrong",
        cause="typical scales rho by the mean of phi' instead of the root of the mean of phi' squared.",
        cause_words=[r"mean of phi'(;|,| instead| rather)", r"phi'\*\*2", r"root mean square|squared length"],
        source='''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - np.tanh(h_netIn) ** 2
    sigma = np.linalg.norm(W_hh, 2)
    rho = np.abs(np.linalg.eigvals(W_hh)).max()
    return {"sigma_max": sigma, "rho": rho, "bound": dphi.max() * sigma, "typical": rho * dphi.mean()}
''',
    ),
    dict(
        id="predicted_gradient_rate-tanh-of-netIn-squared",
        unit="predicted_gradient_rate",
        kind="wrong",
        cause="tanh' is taken as 1 - h_netIn**2, the formula for the output h applied to the pre-activation.",
        cause_words=[r"1 - h_netIn\*\*2", r"tanh\(h_netIn\)"],
        source='''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn > 0).astype(float)
    else:
        dphi = 1.0 - h_netIn ** 2
    sigma = np.linalg.norm(W_hh, 2)
    rho = np.max(np.abs(np.linalg.eigvals(W_hh)))
    return {"sigma_max": sigma, "rho": rho, "bound": np.max(np.abs(dphi)) * sigma,
            "typical": rho * np.sqrt(np.mean(dphi ** 2))}
''',
    ),
    dict(
        id="predicted_gradient_rate-relu-one-at-kink",
        unit="predicted_gradient_rate",
        kind="wrong",
        cause="ReLU's derivative is taken as 1 at h_netIn = 0 (>= 0), where the course's convention is 0.",
        cause_words=[r"kink", r"at h_netIn = 0", r"convention"],
        source='''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    dphi = (h_netIn >= 0).astype(float) if activation == "relu" else 1.0 - np.tanh(h_netIn) ** 2
    sigma = np.linalg.norm(W_hh, 2)
    rho = np.max(np.abs(np.linalg.eigvals(W_hh)))
    return {"sigma_max": sigma, "rho": rho, "bound": dphi.max() * sigma,
            "typical": rho * np.sqrt(np.mean(dphi ** 2))}
''',
    ),
    dict(
        id="predicted_gradient_rate-svd-cosh",
        unit="predicted_gradient_rate",
        kind="correct",
        cause="Singular values from np.linalg.svd, tanh' as 1/cosh**2, the mean as a sum over the size.",
        cause_words=[],
        source='''
def predicted_gradient_rate(W_hh, h_netIn, activation):
    W_hh = np.asarray(W_hh, dtype=np.float64)
    x = np.asarray(h_netIn, dtype=np.float64)
    if activation == "relu":
        d = np.where(x > 0, 1.0, 0.0)
    else:
        d = 1.0 / np.cosh(x) ** 2
    s = float(np.linalg.svd(W_hh, compute_uv=False).max())
    lam = np.linalg.eigvals(W_hh)
    r = float(np.sqrt(np.max(lam.real ** 2 + lam.imag ** 2)))
    return {"sigma_max": s, "rho": r, "bound": float(np.max(d)) * s,
            "typical": r * float(np.sqrt(np.sum(d * d) / d.size))}
''',
    ),
    # ---- path_weight_moments -------------------------------------------------------------
    dict(
        id="path_weight_moments-second-moment",
        unit="path_weight_moments",
        kind="wrong",
        cause="var is the mean of w**2, without subtracting the squared mean.",
        cause_words=[r"squared mean", r"mean of w\*\*2"],
        source='''
def path_weight_moments(T, pi):
    mean = np.tril(np.ones((T, T)))
    var = np.zeros((T, T))
    for t in range(T):
        for j in range(t + 1):
            var[t, j] = (1 / pi) ** j
    return {"mean": mean, "var": var}
''',
    ),
    dict(
        id="path_weight_moments-sum-of-variances",
        unit="path_weight_moments",
        kind="wrong",
        cause="var adds the j factors' variances (1/pi - 1 each) as if the weight were a sum, not a product.",
        cause_words=[r"adds the variances", r"product of independent", r"not their sum"],
        source='''
def path_weight_moments(T, pi):
    lags = np.arange(T)[None, :] * np.ones((T, 1))
    inside = np.tril(np.ones((T, T)))
    return {"mean": inside, "var": inside * lags * (1 / pi - 1)}
''',
    ),
    dict(
        id="path_weight_moments-xi-squared-without-probability",
        unit="path_weight_moments",
        kind="wrong",
        cause="The mean of xi**2 is taken as (1/pi)**2, forgetting that xi = 1/pi only with probability pi.",
        cause_words=[r"mean of xi\*\*2", r"\(1/pi\)\*\*2", r"with probability pi"],
        source='''
def path_weight_moments(T, pi):
    inside = np.tril(np.ones((T, T)))
    j = np.arange(T)
    return {"mean": inside, "var": inside * ((1 / pi ** 2) ** j - 1)}
''',
    ),
    dict(
        id="path_weight_moments-enumerate",
        unit="path_weight_moments",
        kind="correct",
        cause="Enumerates all 2**T draws of xi with their probabilities, calling path_weights.",
        cause_words=[],
        source='''
def path_weight_moments(T, pi):
    from itertools import product
    first, second = np.zeros((T, T)), np.zeros((T, T))
    for keep in product((0, 1), repeat=T):
        keep = np.array(keep, dtype=bool)
        p = float(np.prod(np.where(keep, pi, 1.0 - pi)))
        w = path_weights(np.where(keep, 1.0 / pi, 0.0))
        first += p * w
        second += p * w * w
    return {"mean": first, "var": second - first ** 2}
''',
    ),
    # ---- path_weights ------------------------------------------------------------------
    dict(
        id="path_weights-one-step-too-far",
        unit="path_weights",
        kind="wrong",
        cause="Multiplies the carries of steps t-j+1 .. t and also step t-j's, whose edge the path never crosses.",
        cause_words=[r"step t-j too", r"does not cross", r"stops at h_\{t-j\}"],
        source='''
def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.zeros((T, T))
    for t in range(T):
        for j in range(t + 1):
            w[t, j] = np.prod(carry[t - j:t + 1]) if j > 0 else 1.0
    return w
''',
    ),
    dict(
        id="path_weights-shifted-down",
        unit="path_weights",
        kind="wrong",
        cause="Takes the carries of steps t-j .. t-1 (one step earlier): carry[t] belongs to the edge from step t back.",
        cause_words=[r"steps t-1, \.\.\., t-j", r"steps t, t-1", r"one step"],
        source='''
def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.zeros((T, T))
    for t in range(T):
        for j in range(t + 1):
            w[t, j] = np.prod(carry[t - j:t])
    return w
''',
    ),
    dict(
        id="path_weights-ones-above-diagonal",
        unit="path_weights",
        kind="wrong",
        cause="Starts from np.ones and fills only j <= t, leaving weight 1 for lags beyond the sequence start.",
        cause_words=[r"j > t", r"no state", r"are 0"],
        source='''
def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.ones((T, T))
    for t in range(T):
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
''',
    ),
    dict(
        id="path_weights-mask",
        unit="path_weights",
        kind="wrong",
        cause="Uses carry > 0 as a 0/1 mask: surviving paths get weight 1 instead of the product of the carries.",
        cause_words=[r"0/1 mask", r"mask", r"1/pi"],
        source='''
def path_weights(carry):
    alive = (np.asarray(carry) > 0).astype(np.float64)
    T = len(alive)
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = 1.0
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * alive[t - j + 1]
    return w
''',
    ),
    dict(
        id="path_weights-cumprod",
        unit="path_weights",
        kind="correct",
        cause="Cumulative products of the reversed carries, written into each row.",
        cause_words=[],
        source='''
def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        back = carry[1:t + 1][::-1]          # the carries of steps t, t-1, ..., 1
        w[t, :t + 1] = np.concatenate([[1.0], np.cumprod(back)])
    return w
''',
    ),
    # ---- bptt_truncated --------------------------------------------------------------
    dict(
        id="bptt_truncated-chunks-from-end",
        unit="bptt_truncated",
        kind="wrong",
        cause="The chunks are counted from the end of the sequence ((T - t) % k) instead of from t = 0.",
        cause_words=[r"from the end|end of the sequence", r"counted|count(ing)? from", r"t ?= ?0"],
        source=_sub(_TRUNC, "        if t % k == 0:          # t = 0, k, 2k, ...: start of a chunk",
                    "        if (T - t) % k == 0:    # chunks of k steps, the last chunk ends at T"),
    ),
    dict(
        id="bptt_truncated-cut-sums-not-carry",
        unit="bptt_truncated",
        kind="wrong",
        cause=(
            "The cut is applied to the parameter sums (the boundary steps' dhraw left out of the sums) but the carried "
            "gradient still crosses the boundary."
        ),
        cause_words=[
            r"carried|carry",
            r"cross(es|ed)? (the )?(chunk )?boundar|still (flows|crosses|passes)|not cut",
            r"parameter sums?|left out of the sums?",
        ],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0) if activation == "relu" else 1.0 - h ** 2
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    dhraw = np.zeros_like(h)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw[t] = (dy[t] @ params["W_hq"].T + nxt @ params["W_hh"].T) * dphi[t]
        nxt = dhraw[t]
    # truncation: the gradient may not flow back over t = k, 2k, ...
    keep = np.ones(T)
    keep[k::k] = 0.0
    kept = dhraw * keep[:, None, None]
    return {
        "W_xh": np.einsum("tnd,tnh->dh", X, dhraw),
        "W_hh": np.einsum("tni,tnj->ij", h_prev, kept),
        "b_h": dhraw.sum(axis=(0, 1)),
        "W_hq": np.einsum("tnh,tnq->hq", h, dy),
        "b_q": dy.sum(axis=(0, 1)),
    }
''',
    ),
    dict(
        id="bptt_truncated-drops-boundary-W_hh-term",
        unit="bptt_truncated",
        kind="wrong",
        cause=(
            "At a boundary step t = k, 2k, ... the W_hh contribution h_{t-1}^T dhraw_t is dropped, although step t still "
            "uses W_hh on the frozen state."
        ),
        cause_words=[r"frozen|boundary state|h_\{?k-1\}?", r"still (uses|counts)|contribution|term of (the )?boundary", r"dropped|missing"],
        source=_sub(_TRUNC, '        grads["W_hh"] += h_prev[t].T @ dhraw[t]\n',
                    '        if t == 0 or t % k != 0:     # the state before a chunk is frozen\n'
                    '            grads["W_hh"] += h_prev[t].T @ dhraw[t]\n'),
    ),
    dict(
        id="bptt_truncated-cut-one-step-early",
        unit="bptt_truncated",
        kind="wrong",
        cause="The cut is placed between steps k-2 and k-1 (t % k == k-1) instead of between k-1 and k.",
        cause_words=[r"one step (early|late|off)|off[- ]by[- ]one", r"k ?- ?1|k−1|between steps", r"boundar"],
        source=_sub(_TRUNC, "        if t % k == 0:          # t = 0, k, 2k, ...: start of a chunk",
                    "        if t % k == k - 1:      # last step of a chunk"),
    ),
    dict(
        id="bptt_truncated-float-division",
        unit="bptt_truncated",
        kind="wrong",
        cause="The chunk of each step is computed with / instead of //, so every step looks like a new chunk and the gradient is cut at every step.",
        cause_words=[r"every step|each step|all steps", r"//|integer division|float(ing)? division|\s/\s"],
        source=_sub(_TRUNC, "        if t % k == 0:          # t = 0, k, 2k, ...: start of a chunk",
                    "        if t > 0 and t / k != (t - 1) / k:    # t and t-1 in different chunks"),
    ),
    dict(
        id="bptt_truncated-misses-last-boundary",
        unit="bptt_truncated",
        kind="wrong",
        cause="The boundaries are listed with range(k, T - k, k), which misses the last boundary.",
        cause_words=[r"last (boundary|chunk|cut)", r"final (boundary|chunk|cut)", r"miss(es|ing)? (a |one |the )?(cut|boundary)"],
        source=_sub(_TRUNC, "        if t % k == 0:          # t = 0, k, 2k, ...: start of a chunk",
                    "        if t in range(k, T - k, k):   # the chunk boundaries"),
    ),
    dict(
        id="bptt_truncated-zeroes-stored-dhraw",
        unit="bptt_truncated",
        kind="wrong",
        cause="At a boundary the stored dhraw_t itself is zeroed (before the parameter sums) instead of only the gradient passed back to step t-1.",
        cause_words=[
            r"stored|dhraw_t itself|own (gradient|contribution)",
            r"instead of (only )?the (carried|passed)|passed back",
            r"zero(e[sd])? (at|the) (boundary|step)",
        ],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0) if activation == "relu" else 1.0 - h ** 2
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    dhraw = np.zeros_like(h)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw[t] = (dy[t] @ params["W_hq"].T + nxt @ params["W_hh"].T) * dphi[t]
        if t > 0 and t % k == 0:
            dhraw[t] = 0.0            # truncate here
        nxt = dhraw[t]
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
        id="bptt_truncated-window-per-step",
        unit="bptt_truncated",
        kind="wrong",
        cause="Implements the per-step window variant (each step's loss reaches k-1 steps back) instead of the chunked variant.",
        cause_words=[r"window", r"per-?step|each step'?s? own", r"chunk"],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0) if activation == "relu" else 1.0 - h ** 2
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    dhraw = np.zeros_like(h)
    # every step's loss goes back at most k steps
    for s in range(T):
        g = (dy[s] @ params["W_hq"].T) * dphi[s]
        dhraw[s] += g
        for j in range(1, k):
            if s - j < 0:
                break
            g = (g @ params["W_hh"].T) * dphi[s - j]
            dhraw[s - j] += g
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
        id="bptt_truncated-modulo-cut",
        unit="bptt_truncated",
        kind="correct",
        cause="Self-contained loop with accumulation inside the loop and the cut as t % k == 0.",
        cause_words=[],
        source=_TRUNC,
    ),
    dict(
        id="bptt_truncated-chunk-by-chunk",
        unit="bptt_truncated",
        kind="correct",
        cause="Runs an independent backward pass inside each chunk, from its last step to its first.",
        cause_words=[],
        source='''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    if k < 1 or int(k) != k:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    k = int(k)
    dy = np.array(P, dtype=float)
    for t in range(T):
        dy[t, np.arange(N), Y[t]] -= 1.0
    dy /= T * N
    if activation == "relu":
        deriv = np.where(h_netIn > 0, 1.0, 0.0)
    elif activation == "tanh":
        deriv = 1.0 - np.square(h)
    else:
        raise ValueError("activation must be relu or tanh")
    dhraw = np.zeros((T, N, H))
    for start in range(0, T, k):
        stop = min(start + k, T)
        from_future = np.zeros((N, H))
        for t in range(stop - 1, start - 1, -1):
            dhraw[t] = (np.dot(dy[t], params["W_hq"].T) + np.dot(from_future, params["W_hh"].T)) * deriv[t]
            from_future = dhraw[t]
    prev = np.concatenate([cache["h0"][None, :, :], h[:T - 1]], axis=0)
    rows = lambda a: a.reshape(T * N, -1)
    return {
        "W_xh": rows(X).T @ rows(dhraw),
        "W_hh": rows(prev).T @ rows(dhraw),
        "b_h": rows(dhraw).sum(axis=0),
        "W_hq": rows(h).T @ rows(dy),
        "b_q": rows(dy).sum(axis=0),
    }
''',
    ),
    # ---- bptt_randomized -------------------------------------------------------------
    dict(
        id="bptt_randomized-xi-as-mask",
        unit="bptt_randomized",
        kind="wrong",
        cause="xi is turned into a 0/1 mask (xi > 0), so surviving gradients are not rescaled by 1/pi.",
        cause_words=[r"mask|0/1", r"1/π|1/pi|rescal|scale"],
        source=_sub(_RAND, "        carried = xi[t] * dhraw[t]", "        carried = dhraw[t] if xi[t] > 0 else np.zeros_like(dhraw[t])"),
    ),
    dict(
        id="bptt_randomized-one-minus-pi",
        unit="bptt_randomized",
        kind="wrong",
        cause="Rescales the kept gradients by 1/(1-pi) instead of 1/pi (pi recovered from the non-zero xi).",
        cause_words=[r"1 ?/ ?\(1 ?[-−] ?(π|pi)\)|1 ?- ?pi|1 − π", r"1/π|1/pi|rescal"],
        source=_sub(_RAND, "    xi = np.asarray(xi, dtype=float)\n",
                    "    xi = np.asarray(xi, dtype=float)\n"
                    "    kept = xi > 0\n"
                    "    pi = 1.0 / xi[kept].max() if kept.any() else 1.0\n"
                    "    # unbiased: divide the kept paths by the probability of a cut\n"
                    "    xi = np.where(kept, 1.0 / (1.0 - pi), 0.0) if pi < 1 else kept.astype(float)\n"),
    ),
    dict(
        id="bptt_randomized-xi-on-stored-dhraw",
        unit="bptt_randomized",
        kind="wrong",
        cause=(
            "xi multiplies the stored dhraw_t (so also its own contribution to the parameter sums) instead of only the "
            "gradient passed back to step t-1."
        ),
        cause_words=[r"stored|dhraw_t itself|own (gradient|contribution)", r"passed back|carried|instead of (only )?the"],
        source=_sub(_RAND, "        dhraw[t] = dh * dphi[t]\n        carried = xi[t] * dhraw[t]",
                    "        dhraw[t] = xi[t] * dh * dphi[t]\n        carried = dhraw[t]"),
    ),
    dict(
        id="bptt_randomized-one-xi-for-all",
        unit="bptt_randomized",
        kind="wrong",
        cause="One multiplier, the mean of xi, is used at every step instead of each step's own xi[t].",
        cause_words=[r"one (ξ|xi|multiplier)|same (ξ|xi|multiplier)|single", r"mean|averag", r"every step|each step'?s? own|xi\[t\]|ξ_t"],
        source=_sub(_RAND, "        carried = xi[t] * dhraw[t]", "        carried = xi.mean() * dhraw[t]     # expected keep factor"),
    ),
    dict(
        id="bptt_randomized-xi-one-step-late",
        unit="bptt_randomized",
        kind="wrong",
        cause=(
            "xi[t] scales the gradient arriving at step t from step t+1 instead of the one leaving step t for t-1 (one step"
            " late; xi[0] never used)."
        ),
        cause_words=[r"one step (late|early|off)|off[- ]by[- ]one", r"xi\[t ?\+ ?1\]|ξ_\{?t\+1\}?|arriving|t ?\+ ?1", r"xi\[0\]|ξ_0"],
        source=_sub(_sub(_RAND, "        dh = dy[t] @ W_hq.T + carried @ W_hh.T", "        dh = dy[t] @ W_hq.T + xi[t] * (carried @ W_hh.T)"),
                    "        carried = xi[t] * dhraw[t]", "        carried = dhraw[t]"),
    ),
    dict(
        id="bptt_randomized-xi-reversed",
        unit="bptt_randomized",
        kind="wrong",
        cause=(
            "xi is indexed by the loop's iteration count (xi[T-1-t]) rather than by the step t, so the multipliers are "
            "applied in reversed time order."
        ),
        cause_words=[r"revers", r"xi\[T ?- ?1 ?- ?t\]|iteration|index", r"time order|wrong step"],
        source='''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - h ** 2
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    dhraw = np.zeros_like(h)
    carried = np.zeros((N, H))
    for i in range(T):
        t = T - 1 - i
        dhraw[t] = (dy[t] @ params["W_hq"].T + carried @ params["W_hh"].T) * dphi[t]
        carried = xi[i] * dhraw[t]
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
        id="bptt_randomized-dy-over-T",
        unit="bptt_randomized",
        kind="wrong",
        cause="dy is divided by T only; the loss is the mean over T*N predictions, so the 1/N is missing.",
        cause_words=[r"\bN\b", r"T\s*[*·x×]\s*N|TN\b", r"batch"],
        source=_sub(_RAND, "    dy = (P - np.eye(Q)[Y]) / (T * N)", "    dy = (P - np.eye(Q)[Y]) / T"),
    ),
    dict(
        id="bptt_randomized-own-helper",
        unit="bptt_randomized",
        kind="correct",
        cause="Own carry helper, explicit loops for the parameter sums, np.dot.",
        cause_words=[],
        source='''
def _backward_with_multipliers(Y, params, cache, c, activation):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = np.zeros((T, N, Q))
    for t in range(T):
        dy[t] = P[t] - np.eye(Q)[Y[t]]
    dy = dy / (T * N)
    dhraw = np.zeros((T, N, H))
    back = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh = np.dot(dy[t], params["W_hq"].T) + np.dot(back, params["W_hh"].T)
        if activation == "relu":
            dhraw[t] = dh * (h_netIn[t] > 0)
        else:
            dhraw[t] = dh * (1.0 - h[t] ** 2)
        back = c[t] * dhraw[t]
    out = {"W_xh": 0.0, "W_hh": 0.0, "b_h": 0.0, "W_hq": 0.0, "b_q": 0.0}
    for t in range(T):
        before = cache["h0"] if t == 0 else h[t - 1]
        out["W_xh"] = out["W_xh"] + np.dot(X[t].T, dhraw[t])
        out["W_hh"] = out["W_hh"] + np.dot(before.T, dhraw[t])
        out["b_h"] = out["b_h"] + dhraw[t].sum(axis=0)
        out["W_hq"] = out["W_hq"] + np.dot(h[t].T, dy[t])
        out["b_q"] = out["b_q"] + dy[t].sum(axis=0)
    return out


def bptt_randomized(Y, params, cache, xi, activation="relu"):
    if activation not in ("relu", "tanh"):
        raise ValueError("activation must be 'relu' or 'tanh'")
    return _backward_with_multipliers(Y, params, cache, np.asarray(xi, dtype=float), activation)
''',
    ),
    dict(
        id="bptt_randomized-loop-from-template",
        unit="bptt_randomized",
        kind="correct",
        cause="Self-contained loop with the carried gradient scaled by xi[t] and einsum sums.",
        cause_words=[],
        source=_RAND,
    ),
    # ---- clip_gradients --------------------------------------------------------------
    dict(
        id="clip_gradients-np-clip-entries",
        unit="clip_gradients",
        kind="wrong",
        cause="Clips every entry to [-max_norm, max_norm] with np.clip instead of scaling all arrays by the global norm.",
        cause_words=[r"np\.clip|per entry|each entry|every entry|element", r"global norm", r"direction"],
        source='''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}, norm
''',
    ),
    dict(
        id="clip_gradients-per-array-norm",
        unit="clip_gradients",
        kind="wrong",
        cause="Each array is scaled by its own norm instead of all arrays by the one global norm.",
        cause_words=[r"each array|per array|own norm|separately|array by array", r"(all|every) (the )?(arrays|gradients) together|global norm"],
        source='''
def clip_gradients(grads, max_norm):
    clipped = {}
    total = 0.0
    for name, g in grads.items():
        n = np.linalg.norm(g)
        total += n ** 2
        clipped[name] = g * min(1.0, max_norm / n) if n > 0 else g.copy()
    return clipped, float(np.sqrt(total))
''',
    ),
    dict(
        id="clip_gradients-norm-without-sqrt",
        unit="clip_gradients",
        kind="wrong",
        cause="The norm is the sum of squares without the square root.",
        cause_words=[r"sqrt|square root", r"squared|sum of squares"],
        source='''
def clip_gradients(grads, max_norm):
    norm = 0.0
    for g in grads.values():
        norm += float(np.sum(g * g))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: g * scale for name, g in grads.items()}, norm
''',
    ),
    dict(
        id="clip_gradients-in-place",
        unit="clip_gradients",
        kind="wrong",
        cause="Scales the input arrays in place (g *= scale) and returns the same dict, changing grads.",
        cause_words=[r"in place|in-place", r"modif|chang(es|ed) (its|the) (input|argument)", r"new dict|copy"],
        source='''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return grads, norm
''',
    ),
    dict(
        id="clip_gradients-zero-norm-division",
        unit="clip_gradients",
        kind="wrong",
        cause="When every gradient is zero the norm is 0 and max_norm / norm raises ZeroDivisionError instead of leaving the gradients unchanged.",
        cause_words=[r"all[- ]zero|norm (is|of) 0|zero norm|norm is zero", r"divi(de|sion) by (0|zero)|ZeroDivision"],
        source='''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    factor = max_norm / norm
    if factor < 1.0:
        return {name: g * factor for name, g in grads.items()}, norm
    return {name: g.copy() for name, g in grads.items()}, norm
''',
    ),
    dict(
        id="clip_gradients-returns-norm-after",
        unit="clip_gradients",
        kind="wrong",
        cause="Returns the norm after clipping instead of the norm before clipping.",
        cause_words=[r"after clipping", r"before clipping", r"returned norm|norm (it )?returns"],
        source='''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if norm > max_norm:
        grads = {name: g * (max_norm / norm) for name, g in grads.items()}
        norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    else:
        grads = {name: g.copy() for name, g in grads.items()}
    return grads, norm
''',
    ),
    dict(
        id="clip_gradients-always-rescales",
        unit="clip_gradients",
        kind="wrong",
        cause="Always rescales to max_norm (no min(1, ...)), so gradients already shorter than the threshold are stretched.",
        cause_words=[r"min\(1|shorter|below the threshold|already|unchanged", r"always|stretch|enlarg|scales? up|lengthen"],
        source='''
def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    return {name: g * (max_norm / norm) for name, g in grads.items()}, norm
''',
    ),
    dict(
        id="clip_gradients-flat-vector",
        unit="clip_gradients",
        kind="correct",
        cause="Concatenates every array into one vector for np.linalg.norm.",
        cause_words=[],
        source='''
def clip_gradients(grads, max_norm):
    if not max_norm > 0:
        raise ValueError("max_norm must be positive")
    flat = np.concatenate([np.ravel(g).astype(np.float64) for g in grads.values()])
    norm = float(np.linalg.norm(flat))
    factor = 1.0
    if norm > max_norm:
        factor = max_norm / norm
    return {name: np.array(g, dtype=np.float64) * factor for name, g in grads.items()}, norm
''',
    ),
    dict(
        id="clip_gradients-math-sqrt-loop",
        unit="clip_gradients",
        kind="correct",
        cause="math.sqrt over a Python loop, explicit copy when no clipping is needed.",
        cause_words=[],
        source='''
def clip_gradients(grads, max_norm):
    import math
    squares = 0.0
    for name in grads:
        squares += float((np.asarray(grads[name], dtype=np.float64) ** 2).sum())
    norm = math.sqrt(squares)
    out = {}
    for name in grads:
        g = np.asarray(grads[name], dtype=np.float64)
        out[name] = g * (max_norm / norm) if norm > max_norm else g.copy()
    return out, norm
''',
    ),
]

UNIT_ORDER = ("predicted_gradient_rate", "path_weights", "path_weight_moments", "bptt_truncated", "bptt_randomized",
              "clip_gradients")
ENTRIES.sort(key=lambda e: UNIT_ORDER.index(e["unit"]))
