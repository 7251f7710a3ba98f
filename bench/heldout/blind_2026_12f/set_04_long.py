"""Blind answer set, notebook 04 (long histories: truncation, randomized truncation, clipping)."""


def E(id, unit, kind, cause, words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source}


LOOPT = '''def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, hn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    if activation == "relu":
        dphi = (hn > 0).astype(np.float64)
    elif activation == "tanh":
        dphi = 1.0 - h ** 2
    else:
        raise ValueError("activation must be relu or tanh")
    dy = P.copy()
    for t in range(T):
        dy[t, np.arange(N), Y[t]] -= 1.0
    dy = dy / (T * N)
    dhraw = np.zeros_like(h)
    nxt = np.zeros((N, H))
    for t in LOOP:
        dh = dy[t] @ params["W_hq"].T + nxt @ params["W_hh"].T
        dhraw[t] = dh * dphi[t]
        CUT
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {"W_xh": np.einsum("tnd,tnh->dh", X, dhraw), "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
            "b_h": dhraw.sum(axis=(0, 1)), "W_hq": np.einsum("tnh,tnq->hq", h, dy), "b_q": dy.sum(axis=(0, 1))}
'''


def VT(**kw):
    d = {"LOOP": "reversed(range(T))", "CUT": "nxt = dhraw[t] if t % k != 0 else np.zeros((N, H))"}
    d.update(kw)
    s = LOOPT
    for a, b in d.items():
        s = s.replace(a, b)
    return s


def VR(**kw):
    d = {"LOOP": "reversed(range(T))", "CUT": "nxt = xi[t] * dhraw[t]"}
    d.update(kw)
    s = LOOPT.replace("bptt_truncated(Y, params, cache, k,", "bptt_randomized(Y, params, cache, xi,")
    for a, b in d.items():
        s = s.replace(a, b)
    return s


PW = '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.zeros((T, T))
    for t in range(T):
        prod = 1.0
        for j in range(t + 1):
            BODY
    return w
'''

ENTRIES = [
# ---- predicted_gradient_rate
E("predicted_gradient_rate-rho-eig-signed-f", "predicted_gradient_rate", "wrong", "rho is taken as the largest eigenvalue's real part (np.max of eigvals.real) instead of the largest modulus |lambda|.",
  [r"modul|abs|magnitude", r"complex", r"negative eigen", r"real part"],
'''def predicted_gradient_rate(W_hh, h_netIn, activation):
    d = (h_netIn > 0).astype(float) if activation == "relu" else 1 - np.tanh(h_netIn) ** 2
    s = float(np.linalg.norm(W_hh, 2))
    rho = float(np.max(np.linalg.eigvals(W_hh).real))
    return {"sigma_max": s, "rho": rho, "bound": float(d.max()) * s, "typical": rho * float(np.sqrt(np.mean(d ** 2)))}
'''),
E("predicted_gradient_rate-fro-f", "predicted_gradient_rate", "wrong", "sigma_max uses np.linalg.norm(W_hh), the Frobenius norm, instead of the spectral norm (ord=2).",
  [r"frobenius", r"spectral|ord\s*=\s*2|largest singular", r"norm\(W_hh\)"],
'''def predicted_gradient_rate(W_hh, h_netIn, activation):
    d = (h_netIn > 0).astype(float) if activation == "relu" else 1 - np.tanh(h_netIn) ** 2
    s = float(np.linalg.norm(W_hh))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": s, "rho": rho, "bound": float(d.max()) * s, "typical": rho * float(np.sqrt(np.mean(d ** 2)))}
'''),
E("predicted_gradient_rate-mean-not-rms-f", "predicted_gradient_rate", "wrong", "typical multiplies rho by the plain mean of phi' instead of its root mean square.",
  [r"root.?mean.?square|rms", r"sqrt", r"mean of (the )?squares?"],
'''def predicted_gradient_rate(W_hh, h_netIn, activation):
    d = (h_netIn > 0).astype(float) if activation == "relu" else 1 - np.tanh(h_netIn) ** 2
    s = float(np.linalg.norm(W_hh, 2))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": s, "rho": rho, "bound": float(d.max()) * s, "typical": rho * float(np.mean(d))}
'''),
E("predicted_gradient_rate-relu-ge-f", "predicted_gradient_rate", "wrong", "The ReLU derivative is taken as h_netIn >= 0, so units exactly at 0 count as on.",
  [r">=\s*0", r"(exactly|at) (0|zero)", r"strict"],
'''def predicted_gradient_rate(W_hh, h_netIn, activation):
    d = (h_netIn >= 0).astype(float) if activation == "relu" else 1 - np.tanh(h_netIn) ** 2
    s = float(np.linalg.norm(W_hh, 2))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": s, "rho": rho, "bound": float(d.max()) * s, "typical": rho * float(np.sqrt(np.mean(d ** 2)))}
'''),
E("predicted_gradient_rate-svd-f", "predicted_gradient_rate", "correct", "Uses the SVD for sigma_max and cosh for tanh'.", [],
'''def predicted_gradient_rate(W_hh, h_netIn, activation):
    W = np.array(W_hh, dtype=float)
    z = np.array(h_netIn, dtype=float)
    d = np.where(z > 0, 1.0, 0.0) if activation == "relu" else 1.0 / np.cosh(z) ** 2
    s = float(np.linalg.svd(W, compute_uv=False)[0])
    rho = float(max(abs(l) for l in np.linalg.eigvals(W)))
    return {"sigma_max": s, "rho": rho, "bound": s * float(np.max(d)), "typical": rho * float(np.sqrt((d * d).mean()))}
'''),
# ---- path_weights
E("path_weights-carry-t-j-f", "path_weights", "wrong", "Each extra lag multiplies by carry[t - j] instead of carry[t - j + 1] (the multiplier of the step being left).",
  [r"t\s*-\s*j\s*\+\s*1", r"off.?by.?one", r"index"],
PW.replace("BODY", "if j > 0:\n                prod *= carry[t - j]\n            w[t, j] = prod")),
E("path_weights-product-first-f", "path_weights", "wrong", "The multiplier is applied before storing, so w[t, 0] already includes carry[t] instead of being 1.",
  [r"w\[t,\s*0\]|lag 0|j\s*=\s*0", r"\b1\b.{0,20}(diagonal|lag)|one", r"before|order"],
PW.replace("BODY", "prod *= carry[t - j]\n            w[t, j] = prod")),
E("path_weights-upper-f", "path_weights", "wrong", "It fills lags j > t as well (with the running product over wrapped negative indices) instead of leaving them 0.",
  [r"j\s*>\s*t", r"zero|0 for", r"negative ind|wrap|lower.?triang"],
'''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.zeros((T, T))
    for t in range(T):
        prod = 1.0
        for j in range(T):
            w[t, j] = prod
            prod *= carry[t - j]
    return w
'''),
E("path_weights-index-by-t-f", "path_weights", "wrong", "Every factor is carry[t] (the loss's own step), so w[t, j] = carry[t]**j instead of the product along the path.",
  [r"carry\[t\]", r"power|\*\*", r"(product|along) (the )?path|different steps"],
PW.replace("BODY", "w[t, j] = carry[t] ** j")),
E("path_weights-int-list-f", "path_weights", "wrong", "w is created with the dtype of the input (int for a list of ints), truncating products.",
  [r"dtype", r"int", r"float"],
'''def path_weights(carry):
    T = len(carry)
    w = np.zeros((T, T), dtype=np.asarray(carry).dtype)
    for t in range(T):
        w[t, 0] = 1
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
'''),
E("path_weights-cumprod-f", "path_weights", "correct", "Uses cumulative products of the reversed carry prefix per row.", [],
'''def path_weights(carry):
    c = np.array(carry, dtype=np.float64)
    T = c.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        w[t, :t + 1] = np.concatenate([[1.0], np.cumprod(c[1:t + 1][::-1])])
    return w
'''),
# ---- path_weight_moments
E("path_weight_moments-var-pi-f", "path_weight_moments", "wrong", "The variance is written pi**(-j) without the -1 (the second moment, not the variance).",
  [r"-\s*1", r"second moment|E\[w\^?2\]|minus (the )?(squared )?mean", r"mean.{0,10}squared"],
'''def path_weight_moments(T, pi):
    j = np.arange(T)
    mask = np.tril(np.ones((T, T)))
    return {"mean": mask, "var": mask * float(pi) ** (-j[None, :])}
'''),
E("path_weight_moments-rows-f", "path_weight_moments", "wrong", "The lag exponent is indexed by row (the loss step t) instead of by column (the lag j).",
  [r"row|column", r"lag", r"\[:,\s*None\]|broadcast|transpos"],
'''def path_weight_moments(T, pi):
    j = np.arange(T, dtype=float)
    mask = np.tril(np.ones((T, T)))
    return {"mean": mask.copy(), "var": mask * (pi ** (-j[:, None]) - 1.0)}
'''),
E("path_weight_moments-mean-pi-f", "path_weight_moments", "wrong", "The mean is written pi**j (as if xi were 0/1 Bernoulli) instead of 1, forgetting that xi = 1/pi makes each factor unbiased.",
  [r"unbiased|1\s*/\s*pi", r"mean.{0,20}(1|one)", r"bernoulli"],
'''def path_weight_moments(T, pi):
    j = np.arange(T, dtype=float)
    mask = np.tril(np.ones((T, T)))
    return {"mean": mask * pi ** j[None, :], "var": mask * (pi ** (-j[None, :]) - 1.0)}
'''),
E("path_weight_moments-loop-f", "path_weight_moments", "correct", "Double loop with E[w]=1 and E[w^2]=pi^-j.", [],
'''def path_weight_moments(T, pi):
    mean = np.zeros((T, T))
    var = np.zeros((T, T))
    for t in range(T):
        for j in range(t + 1):
            mean[t, j] = 1.0
            var[t, j] = (1.0 / pi) ** j - 1.0
    return {"mean": mean, "var": var}
'''),
# ---- bptt_truncated
E("bptt_truncated-cut-after-f", "bptt_truncated", "wrong", "The cut is placed at steps with (t + 1) % k == 0, one step late, instead of at t = k, 2k, ...",
  [r"t\s*\+\s*1", r"off.?by.?one|one step (late|early)", r"cut (position|place)|boundar"],
VT(CUT="nxt = dhraw[t] if (t + 1) % k != 0 else np.zeros((N, H))")),
E("bptt_truncated-reset-output-f", "bptt_truncated", "wrong", "At a cut it zeroes dhraw[t] itself (the step's own gradient) instead of only what is passed back to step t-1.",
  [r"own (gradient|loss)|output (term|gradient)", r"(only|just) .{0,30}(passed|carried|recurren)", r"dhraw\[t\]"],
VT(CUT="if t % k == 0 and t > 0:\n            dhraw[t] = 0.0\n        nxt = dhraw[t]")),
E("bptt_truncated-from-end-f", "bptt_truncated", "wrong", "The chunks are counted from the end of the sequence (cuts where (T - t) % k == 0) instead of from the start at t = k, 2k, ...",
  [r"from the end|from the start|T\s*-\s*k", r"chunk", r"cut (position|place)|boundar"],
VT(CUT="nxt = dhraw[t] if (T - t) % k != 0 else np.zeros((N, H))")),
E("bptt_truncated-window-f", "bptt_truncated", "wrong", "It keeps a sliding window of k steps behind each loss (truncating each path after k lags) instead of cutting at the fixed boundaries k, 2k, ...",
  [r"sliding|window", r"fixed (boundar|position)|multiples? of k", r"chunk"],
'''def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, hn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    if activation == "relu":
        dphi = (hn > 0).astype(np.float64)
    elif activation == "tanh":
        dphi = 1.0 - h ** 2
    else:
        raise ValueError("activation must be relu or tanh")
    dy = P.copy()
    for t in range(T):
        dy[t, np.arange(N), Y[t]] -= 1.0
    dy = dy / (T * N)
    dhraw = np.zeros_like(h)
    for s in range(T):
        g = dy[s] @ params["W_hq"].T
        for t in range(s, max(s - k, -1), -1):
            r = g * dphi[t]
            dhraw[t] += r
            g = r @ params["W_hh"].T
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {"W_xh": np.einsum("tnd,tnh->dh", X, dhraw), "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
            "b_h": dhraw.sum(axis=(0, 1)), "W_hq": np.einsum("tnh,tnq->hq", h, dy), "b_q": dy.sum(axis=(0, 1))}
'''),
E("bptt_truncated-tanh-netin-f", "bptt_truncated", "wrong", "The tanh derivative is computed as 1 - h_netIn**2 instead of 1 - h**2 (or 1 - tanh(h_netIn)**2).",
  [r"h_netIn|pre.?activation", r"tanh", r"1\s*-\s*h\s*\*\*\s*2"],
VT().replace("dphi = 1.0 - h ** 2", "dphi = 1.0 - hn ** 2")),
E("bptt_truncated-stale-nxt-f", "bptt_truncated", "wrong", "At a cut the carried gradient is simply not updated, so the stale dhraw from the step after the cut is carried on instead of zeros.",
  [r"stale|not (updated|reset)|previous (iteration|value)", r"zero|reset", r"carr(y|ied)"],
VT(CUT="if t % k != 0:\n            nxt = dhraw[t]")),
E("bptt_truncated-chunks-f", "bptt_truncated", "correct", "Runs full BPTT separately on each chunk [c, c+k) from its end, accumulating into dhraw.", [],
'''def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, hn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    if activation not in ("relu", "tanh"):
        raise ValueError("activation must be relu or tanh")
    dphi = np.where(hn > 0, 1.0, 0.0) if activation == "relu" else 1.0 - np.tanh(hn) ** 2
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw = np.zeros((T, N, H))
    for start in range(0, T, k):
        nxt = np.zeros((N, H))
        for t in range(min(start + k, T) - 1, start - 1, -1):
            dhraw[t] = (dy[t] @ params["W_hq"].T + nxt @ params["W_hh"].T) * dphi[t]
            nxt = dhraw[t]
    hp = np.concatenate([cache["h0"][None], h[:-1]])
    return {"W_xh": sum(X[t].T @ dhraw[t] for t in range(T)), "W_hh": sum(hp[t].T @ dhraw[t] for t in range(T)),
            "b_h": dhraw.sum(axis=(0, 1)), "W_hq": sum(h[t].T @ dy[t] for t in range(T)), "b_q": dy.sum(axis=(0, 1))}
'''),
# ---- bptt_randomized
E("bptt_randomized-xi-next-f", "bptt_randomized", "wrong", "The gradient passed from step t to t-1 is scaled by xi[t - 1] instead of xi[t].",
  [r"xi\[t\s*-\s*1\]", r"xi\[t\]", r"off.?by.?one|index"],
VR(CUT="nxt = xi[t - 1] * dhraw[t]")),
E("bptt_randomized-scale-own-f", "bptt_randomized", "wrong", "xi[t] multiplies the step's own dhraw[t] (its loss gradient too) instead of only what is passed back to step t-1.",
  [r"own (gradient|loss)|output (term|gradient)", r"(only|just) .{0,30}(passed|carried|recurren)", r"dhraw\[t\]"],
VR(CUT="dhraw[t] *= xi[t]\n        nxt = dhraw[t]")),
E("bptt_randomized-binary-f", "bptt_randomized", "wrong", "xi is used only as a keep/cut switch (xi > 0) without its 1/pi weight.",
  [r"1\s*/\s*pi|weight|scale|magnitude", r"xi\s*>\s*0|switch|boolean|mask", r"unbiased"],
VR(CUT="nxt = dhraw[t] if xi[t] > 0 else np.zeros((N, H))")),
E("bptt_randomized-inv-f", "bptt_randomized", "wrong", "It divides by xi (treating xi as pi) where the gradient should be multiplied by xi, guarding zeros to a cut.",
  [r"divid|1\s*/\s*xi|multipl", r"xi\s*=\s*1\s*/\s*pi|already"],
VR(CUT="nxt = dhraw[t] / xi[t] if xi[t] > 0 else np.zeros((N, H))")),
E("bptt_randomized-skip-dphi-f", "bptt_randomized", "wrong", "The carried gradient is xi[t] * dh (before the activation derivative) instead of xi[t] * dhraw[t].",
  [r"dhraw|pre.?activation|activation derivative", r"dh\b", r"carr(y|ied)"],
VR(CUT="nxt = xi[t] * dh")),
E("bptt_randomized-loop-bound-f", "bptt_randomized", "wrong", "The backward loop runs range(T - 1, 0, -1), stopping before step 0, so step 0's gradient stays zero.",
  [r"range\(T\s*-\s*1,\s*0", r"step 0|first step|t\s*=\s*0", r"loop bound|off.?by.?one|stop"],
VR(LOOP="range(T - 1, 0, -1)")),
E("bptt_randomized-full-helper-f", "bptt_randomized", "correct", "Builds the chain with the multiplier applied when reading the future instead of when storing it.", [],
'''def bptt_randomized(Y, params, cache, xi, activation="relu"):
    xi = np.asarray(xi, dtype=np.float64)
    X, h, hn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    if activation not in ("relu", "tanh"):
        raise ValueError("bad activation")
    dphi = (hn > 0) * 1.0 if activation == "relu" else 1.0 - h * h
    dy = (P - np.eye(P.shape[2])[Y]) / (T * N)
    dhraw = np.zeros((T, N, H))
    for t in range(T - 1, -1, -1):
        fut = xi[t + 1] * dhraw[t + 1] @ params["W_hh"].T if t + 1 < T else 0.0
        dhraw[t] = (dy[t] @ params["W_hq"].T + fut) * dphi[t]
    hp = np.concatenate([cache["h0"][None], h[:-1]])
    fl = dhraw.reshape(T * N, H)
    return {"W_xh": X.reshape(T * N, -1).T @ fl, "W_hh": hp.reshape(T * N, H).T @ fl, "b_h": fl.sum(0),
            "W_hq": h.reshape(T * N, H).T @ dy.reshape(T * N, -1), "b_q": dy.sum(axis=(0, 1))}
'''),
# ---- clip_gradients
E("clip_gradients-per-array-f", "clip_gradients", "wrong", "Each array is clipped by its own norm instead of all together by the global norm.",
  [r"global", r"(each|per|individual).{0,20}(array|gradient|parameter)", r"together|jointly"],
'''def clip_gradients(grads, max_norm):
    out = {}
    total = 0.0
    for k, g in grads.items():
        g = np.asarray(g, dtype=np.float64)
        n = np.linalg.norm(g)
        total += n ** 2
        out[k] = g * min(1.0, max_norm / n) if n > 0 else g.copy()
    return out, float(np.sqrt(total))
'''),
E("clip_gradients-always-scale-f", "clip_gradients", "wrong", "It always multiplies by max_norm / norm, scaling small gradients up instead of using min(1, .).",
  [r"min\(|min\s*\(\s*1", r"(scal|blow|grow).{0,20}up|below (the )?(threshold|max_norm)", r"only (when|if)"],
'''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.square(g)) for g in grads.values())))
    s = max_norm / norm if norm > 0 else 1.0
    return {k: np.asarray(g, dtype=np.float64) * s for k, g in grads.items()}, norm
'''),
E("clip_gradients-sum-norms-f", "clip_gradients", "wrong", "The global norm is the sum of the per-array norms instead of the square root of the sum of all squares.",
  [r"sum of (the )?(per.?array )?norms", r"sqrt|square root|sum of squares", r"triangle"],
'''def clip_gradients(grads, max_norm):
    norm = float(sum(np.linalg.norm(g) for g in grads.values()))
    s = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: np.asarray(g, dtype=np.float64) * s for k, g in grads.items()}, norm
'''),
E("clip_gradients-inplace-f", "clip_gradients", "wrong", "It scales the caller's arrays in place (g *= s) and returns them, so the input gradients change and the output aliases them.",
  [r"in.?place", r"(modif|mutat|overwrit|chang).{0,30}(input|argument|caller)", r"copy|alias|new (dict|array)"],
'''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum((g ** 2).sum() for g in grads.values())))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return dict(grads), norm
'''),
E("clip_gradients-no-copy-f", "clip_gradients", "wrong", "When the norm is within max_norm it returns the caller's own arrays in a new dict instead of new arrays.",
  [r"copy|alias|new (array|dict)|same (array|object)", r"(share|shared) memory", r"(unchanged|not clipped|below)"],
'''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values())))
    if norm <= max_norm:
        return dict(grads), norm
    return {k: g * (max_norm / norm) for k, g in grads.items()}, norm
'''),
E("clip_gradients-clip-values-f", "clip_gradients", "wrong", "It clips each entry to [-max_norm, max_norm] (value clipping) instead of rescaling by the global norm.",
  [r"np\.clip|value clipping|element.?wise|entr(y|ies)", r"rescal|scale|global norm", r"direction"],
'''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values())))
    return {k: np.clip(np.asarray(g, dtype=np.float64), -max_norm, max_norm) for k, g in grads.items()}, norm
'''),
E("clip_gradients-concat-f", "clip_gradients", "correct", "Concatenates all gradients into one flat vector to take the norm, and uses np.multiply into new arrays.", [],
'''def clip_gradients(grads, max_norm):
    flat = np.concatenate([np.ravel(np.asarray(g, dtype=np.float64)) for g in grads.values()])
    norm = float(np.linalg.norm(flat))
    factor = 1.0 if norm == 0 or norm <= max_norm else max_norm / norm
    return {k: np.multiply(np.asarray(g, dtype=np.float64), factor) for k, g in grads.items()}, norm
'''),
]
