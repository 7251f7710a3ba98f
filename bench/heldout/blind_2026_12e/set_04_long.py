"""Blind answer set for notebook 04 (long histories): truncation, randomized truncation, clipping, path weights."""

ENTRIES = []


def E(id, unit, kind, cause, words, source):
    ENTRIES.append({"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source})


def variant(base, old, new):
    assert base.count(old) == 1, old
    return base.replace(old, new)


# ---------------- predicted_gradient_rate
PGR = '''def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        d = (h_netIn > 0).astype(np.float64)
    else:
        d = 1.0 - np.tanh(h_netIn) ** 2
    sigma_max = np.linalg.svd(W_hh, compute_uv=False)[0]
    rho = np.abs(np.linalg.eigvals(W_hh)).max()
    bound = d.max() * sigma_max
    typical = rho * np.sqrt((d ** 2).mean())
    return {"sigma_max": float(sigma_max), "rho": float(rho), "bound": float(bound), "typical": float(typical)}
'''
E("predicted_gradient_rate-svd-e", "predicted_gradient_rate", "correct",
  "Largest singular value from np.linalg.svd instead of the matrix 2-norm.", [], PGR)
E("predicted_gradient_rate-rho-real-e", "predicted_gradient_rate", "wrong",
  "rho is the largest real part of the eigenvalues instead of the largest modulus.",
  [r"modul|absolute|\babs\b|\|.{0,3}lambda", r"complex", r"real part|negative eigen"],
  variant(PGR, "rho = np.abs(np.linalg.eigvals(W_hh)).max()", "rho = np.linalg.eigvals(W_hh).real.max()"))
E("predicted_gradient_rate-sigma-frobenius-e", "predicted_gradient_rate", "wrong",
  "sigma_max is computed with the Frobenius norm (np.linalg.norm default) instead of the spectral norm.",
  [r"frobenius|fro\b", r"spectral|2-?norm|ord\s*=\s*2|singular value"],
  variant(PGR, "sigma_max = np.linalg.svd(W_hh, compute_uv=False)[0]", "sigma_max = np.linalg.norm(W_hh)"))
E("predicted_gradient_rate-typical-mean-e", "predicted_gradient_rate", "wrong",
  "typical uses the plain mean of phi' instead of its root mean square.",
  [r"root.?mean.?square|\brms\b|sqrt", r"square", r"mean of phi"],
  variant(PGR, "typical = rho * np.sqrt((d ** 2).mean())", "typical = rho * d.mean()"))
E("predicted_gradient_rate-tanh-deriv-e", "predicted_gradient_rate", "wrong",
  "The tanh derivative is written 1 - z^2 on the pre-activation instead of 1 - tanh(z)^2.",
  [r"tanh\(", r"1\s*-\s*(h_netIn|z)\s*\*\*\s*2", r"pre-?activation"],
  variant(PGR, "d = 1.0 - np.tanh(h_netIn) ** 2", "d = 1.0 - h_netIn ** 2"))
E("predicted_gradient_rate-relu-ge-e", "predicted_gradient_rate", "wrong",
  "The ReLU derivative uses >= 0, counting units with a pre-activation of exactly 0 as active.",
  [r">=\s*0", r"(exactly|at) (0|zero)", r"kink|strict"],
  variant(PGR, "d = (h_netIn > 0).astype(np.float64)", "d = (h_netIn >= 0).astype(np.float64)"))

# ---------------- path_weights
E("path_weights-index-shift-e", "path_weights", "wrong",
  "Uses carry[t - j] instead of carry[t - j + 1], i.e. multiplies in the multiplier one step too early.",
  [r"t\s*-\s*j\s*\+\s*1", r"off.by.one|index (shift|off)", r"carry\[t\s*-\s*j\]"],
  '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = 1.0
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j]
    return w
''')
E("path_weights-lag0-carry-e", "path_weights", "wrong",
  "Starts the product at lag 0 with carry[t] instead of 1, so even the direct term is scaled.",
  [r"lag 0|j\s*=\s*0|w\[t,\s*0\]", r"\b1\b.{0,20}(direct|own step)|direct term|= ?1\.?0?\b", r"empty product"],
  '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        acc = 1.0
        for j in range(0, t + 1):
            acc *= carry[t - j]
            w[t, j] = acc
    return w
''')
E("path_weights-loop-bound-e", "path_weights", "wrong",
  "The inner loop runs to range(1, t) and misses the longest lag j = t (back to h_0).",
  [r"range\(\s*1\s*,\s*t\s*\)|t\s*\+\s*1", r"j\s*=\s*t|longest lag|last lag|diagonal", r"off.by.one|loop bound"],
  '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = 1.0
        for j in range(1, t):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
''')
E("path_weights-forward-cumprod-e", "path_weights", "wrong",
  "Uses the cumulative product of carry from the start of the sequence (carry[1..j]) instead of walking back from step t.",
  [r"walk\w* back|backward from|from step t|t\s*-\s*j", r"cumprod|cumulative", r"start of the sequence|carry\[1"],
  '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    prods = np.concatenate([[1.0], np.cumprod(carry[1:])])
    w = np.zeros((T, T))
    for t in range(T):
        w[t, : t + 1] = prods[: t + 1]
    return w
''')
E("path_weights-upper-triangle-e", "path_weights", "wrong",
  "The vectorised product is not masked, so lags j > t get nonzero wrap-around values instead of 0.",
  [r"j\s*>\s*t", r"tril|triangle|mask", r"wrap|negative ind"],
  '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.ones((T, T))
    for t in range(T):
        for j in range(1, T):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
''')
E("path_weights-inplace-e", "path_weights", "wrong",
  "Sets carry[0] = 1 on the caller's array (it is never used as a multiplier), modifying the input.",
  [r"in.?place", r"(modif|chang|overwrit|mutat)\w* (the )?(input|argument|carry)", r"copy"],
  '''def path_weights(carry):
    c = np.asarray(carry, dtype=np.float64)
    c[0] = 1.0
    T = c.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        w[t, : t + 1] = np.cumprod(np.concatenate([[1.0], c[1 : t + 1][::-1]]))
    return w
''')
E("path_weights-recursive-e", "path_weights", "correct",
  "Fills each row from the previous row: w[t, j] = carry[t] * w[t-1, j-1].",
  [],
  '''def path_weights(carry):
    c = np.array(carry, dtype=np.float64)
    T = c.size
    w = np.zeros((T, T))
    w[:, 0] = 1.0
    for t in range(1, T):
        w[t, 1 : t + 1] = c[t] * w[t - 1, :t]
    return w
''')
E("path_weights-cumprod-e", "path_weights", "correct",
  "Each row is a cumprod over the reversed slice of carry.",
  [],
  '''def path_weights(carry):
    c = np.asarray(carry, dtype=np.float64)
    T = len(c)
    w = np.zeros((T, T))
    for t in range(T):
        w[t, : t + 1] = np.cumprod(np.r_[1.0, c[t:0:-1]])
    return w
''')

# ---------------- path_weight_moments
E("path_weight_moments-lag-offset-e", "path_weight_moments", "wrong",
  "The variance uses pi^-(j+1) - 1, counting one multiplier too many (lag 0 has no multiplier).",
  [r"j\s*\+\s*1|off.by.one", r"lag 0|no multiplier|j multipliers", r"exponent"],
  '''def path_weight_moments(T, pi):
    j = np.arange(T, dtype=np.float64)
    low = np.tril(np.ones((T, T)))
    return {"mean": low, "var": low * (1.0 / float(pi) ** (j + 1) - 1.0)}
''')
E("path_weight_moments-no-mask-e", "path_weight_moments", "wrong",
  "Mean and variance are filled for every lag, including j > t where there is no path (should be 0).",
  [r"j\s*>\s*t", r"tril|triangle|mask", r"no path|zero above"],
  '''def path_weight_moments(T, pi):
    j = np.arange(T, dtype=np.float64)
    mean = np.ones((T, T))
    var = np.tile(float(pi) ** (-j) - 1.0, (T, 1))
    return {"mean": mean, "var": var}
''')
E("path_weight_moments-additive-var-e", "path_weight_moments", "wrong",
  "Adds the per-step variances (j (1/pi - 1)) instead of using the variance of a product of independent factors.",
  [r"product", r"independ", r"not additive|add\w* the variance|sum of variances"],
  '''def path_weight_moments(T, pi):
    j = np.arange(T, dtype=np.float64)
    low = np.tril(np.ones((T, T)))
    return {"mean": low, "var": low * j[None, :] * (1.0 / pi - 1.0)}
''')
E("path_weight_moments-loop-e", "path_weight_moments", "correct",
  "Double loop filling E[w^2] - E[w]^2 entry by entry.",
  [],
  '''def path_weight_moments(T, pi):
    mean = np.zeros((T, T))
    var = np.zeros((T, T))
    p = float(pi)
    for t in range(T):
        for j in range(t + 1):
            mean[t, j] = 1.0
            second = (1.0 / p) ** j
            var[t, j] = second - 1.0
    return {"mean": mean, "var": var}
''')

# ---------------- bptt_truncated (own loop)
TR = '''def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    W_hh, W_hq = params["W_hh"], params["W_hq"]
    dy = P.copy()
    for t in range(T):
        dy[t, np.arange(N), Y[t]] -= 1.0
    dy = dy / (T * N)
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    else:
        dphi = 1.0 - h ** 2
    dhraw = np.zeros_like(h)
    nxt = np.zeros((N, H))
    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        if t % k == 0:
            nxt = np.zeros((N, H))
        else:
            nxt = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    grads = {"W_xh": np.zeros(params["W_xh"].shape), "W_hh": np.zeros((H, H)), "b_h": np.zeros(H),
             "W_hq": np.zeros((H, Q)), "b_q": np.zeros(Q)}
    for t in range(T):
        grads["W_xh"] += X[t].T @ dhraw[t]
        grads["W_hh"] += h_prev[t].T @ dhraw[t]
        grads["b_h"] += dhraw[t].sum(axis=0)
        grads["W_hq"] += h[t].T @ dy[t]
        grads["b_q"] += dy[t].sum(axis=0)
    return grads
'''


def TV(old, new):
    return variant(TR, old, new)


E("bptt_truncated-own-loop-e", "bptt_truncated", "correct",
  "Own backward loop that zeroes the carry after computing a step whose index is a multiple of k.", [], TR)
E("bptt_truncated-cut-top-e", "bptt_truncated", "correct",
  "Zeroes the incoming gradient at the top of step t when t + 1 is a multiple of k (same cut seen from the other side).", [],
  TV('''        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        if t % k == 0:
            nxt = np.zeros((N, H))
        else:
            nxt = dhraw[t]''', '''        if (t + 1) % k == 0:
            nxt = np.zeros((N, H))
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = dhraw[t]'''))
E("bptt_truncated-cut-off-by-one-e", "bptt_truncated", "wrong",
  "The cut is placed after steps with (t + 1) % k == 0, i.e. between k-1 and k-2, one step early.",
  [r"\(t\s*\+\s*1\)\s*%|t\s*%\s*k", r"off.by.one|one step (early|late)", r"cut (position|boundar)|boundar"],
  TV("if t % k == 0:", "if (t + 1) % k == 0:"))
E("bptt_truncated-chunks-from-end-e", "bptt_truncated", "wrong",
  "Chunks are counted from the end of the sequence (cuts at T-k, T-2k, ...) instead of at k, 2k, ... from the start.",
  [r"from the (end|start|beginning)", r"T\s*-\s*k|\(T\s*-\s*t\)", r"k,\s*2k|multiples of k"],
  TV("if t % k == 0:", "if (T - t) % k == 0:"))
E("bptt_truncated-chunk-norm-e", "bptt_truncated", "wrong",
  "Normalises the logits gradient by the chunk length k*N instead of T*N (truncation does not change the loss).",
  [r"\bT\s*\*\s*N\b|\bT\s*N\b", r"chunk length|k\s*\*\s*N|normali[sz]", r"loss (is )?(unchanged|the same)"],
  TV("dy = dy / (T * N)", "dy = dy / (min(k, T) * N)"))
E("bptt_truncated-zero-hprev-e", "bptt_truncated", "wrong",
  "Also zeroes h_{t-1} in the W_hh term at chunk starts; truncation stops the gradient into h_{t-1}, not the dependence of W_hh's gradient on h_{t-1}.",
  [r"h_prev|h_\{?t\s*-\s*1|previous state", r"W_hh", r"detach|(value|state).{0,30}(still|kept)"],
  TV('''    h_prev = np.concatenate([cache["h0"][None], h[:-1]])''', '''    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    h_prev[k::k] = 0.0'''))
E("bptt_truncated-carry-dh-e", "bptt_truncated", "wrong",
  "Carries dh (before the activation derivative) to the previous step instead of dhraw.",
  [r"dhraw|h_netIn", r"activation'?s? derivative|before the (activation|nonlinear)", r"carr(y|ies|ied)"],
  TV("            nxt = dhraw[t]", "            nxt = dh"))
E("bptt_truncated-tanh-netIn-e", "bptt_truncated", "wrong",
  "The tanh derivative is taken as 1 - h_netIn^2 instead of 1 - h^2.",
  [r"h_netIn", r"1\s*-\s*h\s*\*\*\s*2|tanh\(", r"pre-?activation"],
  TV("dphi = 1.0 - h ** 2", "dphi = 1.0 - h_netIn ** 2"))
E("bptt_truncated-chunk-loop-e", "bptt_truncated", "wrong",
  "Loops over T // k full chunks only, so the leftover steps at the end (and everything when k > T) are never backpropagated.",
  [r"T\s*//\s*k|remainder|leftover|partial chunk|last chunk", r"k\s*>=?\s*T|k larger", r"ceil"],
  TV('''    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T''', '''    for t in reversed(range((T // k) * k)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T'''))

# ---------------- bptt_randomized (own loop)
RA = variant(variant(TR, '''def bptt_truncated(Y, params, cache, k, activation="relu"):''',
                     '''def bptt_randomized(Y, params, cache, xi, activation="relu"):
    xi = np.asarray(xi, dtype=np.float64)'''),
             '''        if t % k == 0:
            nxt = np.zeros((N, H))
        else:
            nxt = dhraw[t]''', '''        nxt = xi[t] * dhraw[t]''')


def RV(old, new):
    return variant(RA, old, new)


E("bptt_randomized-own-loop-e", "bptt_randomized", "correct",
  "Own backward loop passing xi[t] * dhraw[t] back; time sums accumulated step by step.", [], RA)
E("bptt_randomized-scale-stored-e", "bptt_randomized", "wrong",
  "Scales dhraw[t] itself by xi[t], so the weight gradients at step t are scaled, not only what is passed back to t-1.",
  [r"(only|just) (what is )?(passed|carried|sent) back", r"dhraw\[t\]|stored|weight gradients?", r"scal\w* (the )?(local|own|step)"],
  RV('''        dhraw[t] = dh * dphi[t]
        nxt = xi[t] * dhraw[t]''', '''        dhraw[t] = xi[t] * dh * dphi[t]
        nxt = dhraw[t]'''))
E("bptt_randomized-mask-no-weight-e", "bptt_randomized", "wrong",
  "Uses xi only as a keep/cut mask (xi > 0) and drops the 1/pi weight that makes the estimate unbiased.",
  [r"1\s*/\s*pi|weight|rescal", r"unbias", r"mask|> ?0|boolean"],
  RV("nxt = xi[t] * dhraw[t]", "nxt = dhraw[t] if xi[t] > 0 else np.zeros((N, H))"))
E("bptt_randomized-next-index-e", "bptt_randomized", "wrong",
  "Scales the gradient arriving from step t+1 by xi[t] instead of xi[t+1] (multiplier of the wrong step).",
  [r"xi\[t\s*\+\s*1\]|xi\[t\]", r"off.by.one|wrong step|index", r"arriv|incoming|from step t\s*\+\s*1"],
  RV('''        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = xi[t] * dhraw[t]''', '''        dh = dy[t] @ W_hq.T + xi[t] * (nxt @ W_hh.T)
        dhraw[t] = dh * dphi[t]
        nxt = dhraw[t]'''))
E("bptt_randomized-reversed-xi-e", "bptt_randomized", "wrong",
  "Indexes xi in the order the backward loop visits the steps (xi[T-1-t]) instead of by time step.",
  [r"T\s*-\s*1\s*-\s*t|revers", r"(indexed|index) by (time|step)", r"order"],
  RV("nxt = xi[t] * dhraw[t]", "nxt = xi[T - 1 - t] * dhraw[t]"))
E("bptt_randomized-running-product-e", "bptt_randomized", "wrong",
  "Keeps a running product of the xi's and applies it to the output gradient too, instead of scaling only what crosses each step boundary.",
  [r"running|cumulative|product", r"output|dy", r"(only|just) (what|the gradient) (is )?(passed|carried|crossing)"],
  RV('''    for t in reversed(range(T)):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = xi[t] * dhraw[t]''', '''    scale = 1.0
    for t in reversed(range(T)):
        dh = scale * dy[t] @ W_hq.T + nxt @ W_hh.T
        dhraw[t] = dh * dphi[t]
        nxt = dhraw[t]
        scale *= xi[t]'''))
E("bptt_randomized-tanh-netIn-e", "bptt_randomized", "wrong",
  "The tanh derivative is taken as 1 - h_netIn^2 instead of 1 - h^2.",
  [r"h_netIn", r"1\s*-\s*h\s*\*\*\s*2|tanh\(", r"pre-?activation"],
  RV("dphi = 1.0 - h ** 2", "dphi = 1.0 - h_netIn ** 2"))

# ---------------- clip_gradients
E("clip_gradients-per-array-e", "clip_gradients", "wrong",
  "Clips each array by its own norm instead of scaling all arrays by one factor from the global norm.",
  [r"global", r"(each|every|per|separate)\w* (array|tensor|gradient|parameter)", r"one (common )?factor|together"],
  '''def clip_gradients(grads, max_norm):
    out = {}
    total = 0.0
    for name, g in grads.items():
        n = np.linalg.norm(g)
        total += n ** 2
        out[name] = g * min(1.0, max_norm / n) if n > 0 else g.copy()
    return out, float(np.sqrt(total))
''')
E("clip_gradients-always-rescale-e", "clip_gradients", "wrong",
  "Always scales by max_norm / norm, so gradients below the threshold are scaled up.",
  [r"min\(|at most|only (when|if)", r"scal\w* up|below (the )?threshold|small"],
  '''def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = max_norm / norm if norm > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}, float(norm)
''')
E("clip_gradients-sum-of-norms-e", "clip_gradients", "wrong",
  "The global norm is the sum of the per-array norms instead of the square root of the sum of all squares.",
  [r"sum of (the )?squares|sqrt", r"sum of (the )?(per.array )?norms", r"global (L2 )?norm"],
  '''def clip_gradients(grads, max_norm):
    norm = float(sum(np.linalg.norm(g) for g in grads.values()))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}, norm
''')
E("clip_gradients-inplace-e", "clip_gradients", "wrong",
  "Scales the arrays in place (*=), changing the caller's gradients, and returns the same arrays.",
  [r"in.?place|\*=", r"(modif|chang|overwrit|mutat)\w* (the )?(input|argument|caller|grads)", r"copy|new (array|dict)"],
  '''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum((g ** 2).sum() for g in grads.values())))
    clipped = {}
    for k, g in grads.items():
        if norm > max_norm:
            g *= max_norm / norm
        clipped[k] = g
    return clipped, norm
''')
E("clip_gradients-zero-norm-e", "clip_gradients", "wrong",
  "No guard for a zero global norm: with all-zero gradients max_norm / norm divides by zero (ZeroDivisionError on Python floats).",
  [r"zero (global )?(norm|gradient)|norm (is |of )?(0|zero)|all.?zero", r"ZeroDivision", r"divi\w* by (zero|0)", r"guard|special.?case"],
  '''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g * g) for g in grads.values())))
    scale = min(1.0, max_norm / norm)
    return {k: g * scale for k, g in grads.items()}, norm
''')
E("clip_gradients-norm-after-e", "clip_gradients", "wrong",
  "Returns the norm after clipping instead of the norm before clipping.",
  [r"before clipping|pre-?clip|original norm", r"after clipping"],
  '''def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    if norm > max_norm:
        grads = {k: g * (max_norm / norm) for k, g in grads.items()}
        norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    else:
        grads = {k: g.copy() for k, g in grads.items()}
    return grads, float(norm)
''')
E("clip_gradients-alias-e", "clip_gradients", "wrong",
  "When no clipping is needed it returns the input arrays themselves instead of new arrays.",
  [r"new (array|dict|cop)|copy", r"alias|same (array|object|memory)|shar", r"(input|original) arrays?"],
  '''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if norm <= max_norm:
        return dict(grads), norm
    return {k: g * (max_norm / norm) for k, g in grads.items()}, norm
''')
E("clip_gradients-elementwise-e", "clip_gradients", "wrong",
  "Clips each entry to [-max_norm, max_norm] (value clipping) instead of rescaling by the global norm.",
  [r"global norm|rescal|scale all", r"(elementwise|element-wise|value) clip|np\.clip", r"direction"],
  '''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, norm
''')
E("clip_gradients-concat-e", "clip_gradients", "correct",
  "Computes the norm from one concatenated flat vector and uses np.minimum for the factor.",
  [],
  '''def clip_gradients(grads, max_norm):
    flat = np.concatenate([np.ravel(g).astype(np.float64) for g in grads.values()])
    norm = float(np.linalg.norm(flat))
    factor = 1.0 if norm == 0.0 else float(np.minimum(1.0, max_norm / norm))
    return {k: np.array(g, dtype=np.float64) * factor for k, g in grads.items()}, norm
''')
E("clip_gradients-branch-e", "clip_gradients", "correct",
  "Explicit branch: copies when under the threshold, scales otherwise.",
  [],
  '''def clip_gradients(grads, max_norm):
    sq = 0.0
    for g in grads.values():
        sq += float(np.vdot(g, g))
    norm = sq ** 0.5
    if norm <= max_norm:
        return {k: np.array(g, dtype=np.float64, copy=True) for k, g in grads.items()}, norm
    c = max_norm / norm
    return {k: c * np.asarray(g, dtype=np.float64) for k, g in grads.items()}, norm
''')
