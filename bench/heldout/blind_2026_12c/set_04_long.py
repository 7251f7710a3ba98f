"""Blind answer set for notebook 04 (long histories): predicted_gradient_rate, path_weights,
path_weight_moments, bptt_truncated, bptt_randomized and clip_gradients.

Each entry is one student answer with exactly one mistake ("wrong") or none ("correct").
The BPTT answers carry their own backward loop (no helper from the solution cell).
Written from the student notebook, the instructor notebook's solution cells and docs/math.md only.
"""


def E(id, unit, kind, cause, cause_words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": cause_words, "source": source}


def variant(base, old, new, count=1):
    assert base.count(old) == count, old
    return base.replace(old, new)


INPLACE = [r"in.?place", r"modif\w* (its|the|an|their) (input|argument)", r"mutat\w*", r"copy"]

# ---------------------------------------------------------------- a correct student bptt_truncated
TRUNC = '''def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    W_hh, W_hq = params["W_hh"], params["W_hq"]
    dy = P - np.eye(Q)[Y]
    dy = dy / (T * N)
    grads = {name: np.zeros(np.shape(params[name])) for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q")}
    carried = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh = dy[t] @ W_hq.T + carried @ W_hh.T
        if activation == "tanh":
            dhraw = dh * (1.0 - h[t] ** 2)
        else:
            dhraw = dh * (h_netIn[t] > 0)
        h_prev = h[t - 1] if t > 0 else cache["h0"]
        grads["W_xh"] += X[t].T @ dhraw
        grads["W_hh"] += h_prev.T @ dhraw
        grads["b_h"] += dhraw.sum(axis=0)
        grads["W_hq"] += h[t].T @ dy[t]
        grads["b_q"] += dy[t].sum(axis=0)
        if t % k == 0:
            carried = np.zeros((N, H))      # chunk boundary: nothing flows into step t-1
        else:
            carried = dhraw
    return grads
'''

# ---------------------------------------------------------------- a correct student bptt_randomized
RAND = '''def bptt_randomized(Y, params, cache, xi, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    W_hh, W_hq = params["W_hh"], params["W_hq"]
    xi = np.asarray(xi, dtype=np.float64)
    dy = P - np.eye(Q)[Y]
    dy = dy / (T * N)
    grads = {name: np.zeros(np.shape(params[name])) for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q")}
    carried = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh = dy[t] @ W_hq.T + carried @ W_hh.T
        if activation == "tanh":
            dhraw = dh * (1.0 - h[t] ** 2)
        else:
            dhraw = dh * (h_netIn[t] > 0)
        h_prev = h[t - 1] if t > 0 else cache["h0"]
        grads["W_xh"] += X[t].T @ dhraw
        grads["W_hh"] += h_prev.T @ dhraw
        grads["b_h"] += dhraw.sum(axis=0)
        grads["W_hq"] += h[t].T @ dy[t]
        grads["b_q"] += dy[t].sum(axis=0)
        carried = xi[t] * dhraw
    return grads
'''

CUT = [r"off.?by.?one", r"t\s*%\s*k|t\s*mod\s*k|\(t\s*\+\s*1\)", r"(cut|boundar\w*|chunk\w*).{0,40}(one step|too early|k\s*-\s*1|wrong (place|position|step))", r"between (steps? )?k\s*-\s*[12]"]

ENTRIES = [
    # ================================================================ predicted_gradient_rate
    E("predicted_gradient_rate-real-part-c", "predicted_gradient_rate", "wrong",
      "Takes the spectral radius from the real parts of the eigenvalues, ignoring their imaginary parts (W_hh is not symmetric).",
      [r"imaginary", r"complex", r"modulus|absolute value|np\.abs|\|\s*lambda\s*\|", r"real part"],
      '''def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    else:
        dphi = 1.0 - np.tanh(h_netIn) ** 2
    sigma = np.linalg.svd(W_hh, compute_uv=False)[0]
    rho = np.max(np.abs(np.linalg.eigvals(W_hh).real))
    return {"sigma_max": sigma, "rho": rho, "bound": dphi.max() * sigma,
            "typical": rho * np.sqrt(np.mean(dphi ** 2))}
'''),
    E("predicted_gradient_rate-frobenius-c", "predicted_gradient_rate", "wrong",
      "Uses np.linalg.norm(W_hh), the Frobenius norm, for the largest singular value (the matrix 2-norm needs ord=2).",
      [r"frobenius", r"ord\s*=\s*2", r"(spectral|matrix|operator) (2-?)?norm|2-?norm", r"singular value"],
      '''def predicted_gradient_rate(W_hh, h_netIn, activation):
    dphi = (h_netIn > 0) * 1.0 if activation == "relu" else 1.0 - np.tanh(h_netIn) ** 2
    sigma = float(np.linalg.norm(W_hh))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": sigma, "rho": rho, "bound": float(np.max(dphi)) * sigma,
            "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
'''),
    E("predicted_gradient_rate-mean-not-rms-c", "predicted_gradient_rate", "wrong",
      "Scales rho by the mean of phi' instead of the root of the mean of phi'^2 (fact 2 is about the squared length).",
      [r"root.?mean.?square|\brms\b", r"sqrt|square root", r"mean of (the )?squares?|phi'?\s*\^?\*?\*?\s*2|squared (length|entries)"],
      '''def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn > 0).astype(float)
    else:
        dphi = 1 - np.tanh(h_netIn) ** 2
    sigma = np.linalg.norm(W_hh, 2)
    rho = np.abs(np.linalg.eigvals(W_hh)).max()
    return {"sigma_max": sigma, "rho": rho, "bound": dphi.max() * sigma, "typical": rho * dphi.mean()}
'''),
    E("predicted_gradient_rate-tanh-no-tanh-c", "predicted_gradient_rate", "wrong",
      "Computes tanh's derivative as 1 - h_netIn**2, treating the given pre-activations as if they were the states tanh(h_netIn).",
      [r"tanh\s*\(", r"pre-?activation", r"1\s*-\s*tanh", r"(states?|outputs?|h_t).{0,40}(instead|not|rather)|not (the )?(states?|outputs?)"],
      '''def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    else:
        dphi = 1.0 - h_netIn ** 2
    sigma = float(np.linalg.norm(W_hh, 2))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
            "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
'''),
    E("predicted_gradient_rate-relu-ge-c", "predicted_gradient_rate", "wrong",
      "Uses h_netIn >= 0 for ReLU's derivative, counting a unit at exactly 0 as passing (wrong only where a pre-activation is exactly 0, as in the worked example).",
      [r">=|greater (than )?or equal", r"kink", r"(at|exactly) (0|zero)", r"derivative at (0|zero)"],
      '''def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn >= 0).astype(np.float64)
    else:
        dphi = 1.0 - np.tanh(h_netIn) ** 2
    sigma = float(np.linalg.norm(W_hh, 2))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
            "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
'''),
    E("predicted_gradient_rate-smallest-singular-c", "predicted_gradient_rate", "wrong",
      "Takes the last entry of np.linalg.svd's singular values, which are sorted in descending order, so sigma_max is the smallest singular value.",
      [r"smallest", r"descending|sorted", r"\[\s*-1\s*\]|\[\s*0\s*\]", r"largest singular"],
      '''def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    else:
        dphi = 1.0 - np.tanh(h_netIn) ** 2
    s = np.linalg.svd(W_hh, compute_uv=False)
    sigma = float(s[-1])
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
            "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
'''),
    E("predicted_gradient_rate-gamma-per-step-mean-c", "predicted_gradient_rate", "wrong",
      "Takes gamma as the mean over steps of each step's largest phi' instead of the largest phi' over all T*N*H entries.",
      [r"(largest|max\w*) (phi'?|derivative)? ?over (all|every)", r"all T\s*\*?\s*N\s*\*?\s*H|all entries", r"mean of (the )?(per.?step )?max"],
      '''def predicted_gradient_rate(W_hh, h_netIn, activation):
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    else:
        dphi = 1.0 - np.tanh(h_netIn) ** 2
    sigma = float(np.linalg.norm(W_hh, 2))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    gamma = float(np.mean(dphi.max(axis=(1, 2))))
    return {"sigma_max": sigma, "rho": rho, "bound": gamma * sigma,
            "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
'''),
    E("predicted_gradient_rate-eig-route-c", "predicted_gradient_rate", "correct",
      "Gets sigma_max as the square root of the largest eigenvalue of W^T W, rho from the eigenvalues of W.T, and the RMS of phi' as a norm over sqrt(size).",
      [],
      '''def predicted_gradient_rate(W_hh, h_netIn, activation):
    W = np.asarray(W_hh, dtype=np.float64)
    z = np.asarray(h_netIn, dtype=np.float64)
    if activation == "relu":
        d = np.where(z > 0, 1.0, 0.0)
    else:
        d = 1.0 / np.cosh(z) ** 2
    sigma = float(np.sqrt(np.max(np.linalg.eigvalsh(W.T @ W))))
    rho = float(max(abs(lam) for lam in np.linalg.eigvals(W.T)))
    rms = float(np.linalg.norm(d.ravel()) / np.sqrt(d.size))
    return {"sigma_max": sigma, "rho": rho, "bound": float(d.max()) * sigma, "typical": rho * rms}
'''),
    # ================================================================ path_weights
    E("path_weights-includes-c_t-minus-j-c", "path_weights", "wrong",
      "Multiplies by carry[t-j] instead of carry[t-j+1]: the path from step t back to h_{t-j} crosses steps t .. t-j+1, not step t-j.",
      [r"off.?by.?one", r"carry\s*\[\s*t\s*-\s*j\s*\]|c_\{?t\s*-\s*j\}?\b", r"t\s*-\s*j\s*\+\s*1", r"(wrong|last|lower) (end|index|multiplier)"],
      '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = len(carry)
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = 1.0
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j]
    return w
'''),
    E("path_weights-lag0-includes-c_t-c", "path_weights", "wrong",
      "Starts every row with w[t, 0] = carry[t]: lag 0 crosses no edge and must be 1, so every weight gets an extra factor c_t.",
      [r"j\s*=\s*0|lag 0|lag zero|w\s*\[\s*t\s*,\s*0\s*\]", r"itself|no edge|crosses no", r"extra factor", r"empty product"],
      '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = carry[t]
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j]
    return w
'''),
    E("path_weights-wraps-past-start-c", "path_weights", "wrong",
      "Fills every lag j < T, so for j > t the index t-j+1 goes negative and wraps around to the end of carry instead of giving 0.",
      [r"j\s*>\s*t", r"wrap\w*|negative ind\w*", r"(upper|above the diagonal)|(should|must) be (0|zero)", r"no (such )?(state|path)"],
      '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.ones((T, T))
    for t in range(T):
        for j in range(1, T):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
'''),
    E("path_weights-sum-not-product-c", "path_weights", "wrong",
      "Adds the multipliers along the path instead of multiplying them.",
      [r"product", r"multipl\w*", r"(sum|add)\w* (instead|rather)"],
      '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = 1.0
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] + carry[t - j + 1]
    return w
'''),
    E("path_weights-int-dtype-c", "path_weights", "wrong",
      "Allocates w with carry's own dtype, so a carry given as a list of ints gives an integer table instead of float64 (wrong only on that input).",
      [r"dtype", r"\bint(eger)?s?\b|int64|int32", r"float64|float\b", r"cast\w*|convert\w*"],
      '''def path_weights(carry):
    carry = np.asarray(carry)
    T = carry.shape[0]
    w = np.zeros((T, T), dtype=carry.dtype)
    for t in range(T):
        w[t, 0] = 1
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
'''),
    E("path_weights-transposed-c", "path_weights", "wrong",
      "Stores the weight of (step t, lag j) at w[j, t]: rows and columns swapped.",
      [r"transpos", r"rows?.{0,30}columns?|columns?.{0,30}rows?", r"w\s*\[\s*j\s*,\s*t\s*\]", r"index order|swap\w*"],
      '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        w[0, t] = 1.0
        for j in range(1, t + 1):
            w[j, t] = w[j - 1, t] * carry[t - j + 1]
    return w
'''),
    E("path_weights-mutates-carry-c", "path_weights", "wrong",
      "Sets carry[0] = 0 'because it never appears', on the caller's array (np.asarray does not copy a float64 array): the table is right but the input is modified in place.",
      INPLACE,
      '''def path_weights(carry):
    carry = np.asarray(carry, dtype=np.float64)
    carry[0] = 0.0          # c_0 only reaches the initial state, which is not a column
    T = carry.shape[0]
    w = np.tril(np.ones((T, T)))
    for t in range(T):
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
'''),
    E("path_weights-log-exp-c", "path_weights", "wrong",
      "Computes the products as exp(sum(log(carry))), which takes log(0) (a warning, -inf) whenever a multiplier is 0.",
      [r"\blog\s*\(|logarithm|np\.log", r"\bexp\s*\(|exponential|np\.exp", r"zero (carry|multiplier|entr)|carry\w* (of|is|=) 0|log\s*\(\s*0"],
      '''def path_weights(carry):
    logc = np.log(np.asarray(carry, dtype=np.float64))
    T = logc.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        for j in range(t + 1):
            w[t, j] = np.exp(np.sum(logc[t - j + 1:t + 1]))
    return w
'''),
    E("path_weights-row-recurrence-c", "path_weights", "correct",
      "Builds the table by a recurrence across rows, w[t, j] = c_t * w[t-1, j-1].",
      [],
      '''def path_weights(carry):
    c = [float(v) for v in carry]
    T = len(c)
    w = np.zeros((T, T), dtype=np.float64)
    for t in range(T):
        w[t, 0] = 1.0
        if t > 0:
            w[t, 1:t + 1] = c[t] * w[t - 1, 0:t]
    return w
'''),
    # ================================================================ path_weight_moments
    E("path_weight_moments-no-minus-one-c", "path_weight_moments", "wrong",
      "Returns E[w^2] = pi^-j as the variance, forgetting to subtract the squared mean 1.",
      [r"minus (the )?(square|mean)|subtract\w*", r"-\s*1\b", r"square of the mean|squared mean|E\s*\[\s*w\s*\]\s*\^?\*?\*?\s*2", r"second moment|E\s*\[\s*w\s*\^?\*?\*?\s*2"],
      '''def path_weight_moments(T, pi):
    j = np.arange(T, dtype=np.float64)
    mask = np.tril(np.ones((T, T)))
    return {"mean": mask.copy(), "var": mask * float(pi) ** (-j)[None, :]}
'''),
    E("path_weight_moments-adds-variances-c", "path_weight_moments", "wrong",
      "Adds the variances of the j factors, j (1/pi - 1), as for a sum; w is a product of independent factors, whose variance is prod E[xi^2] - 1 = pi^-j - 1.",
      [r"product", r"(sum|add)\w* (of )?(the )?variances", r"independen\w*", r"multipl\w*"],
      '''def path_weight_moments(T, pi):
    mean = np.tril(np.ones((T, T)))
    var = np.zeros((T, T))
    for t in range(T):
        for j in range(t + 1):
            var[t, j] = j * (1.0 / pi - 1.0)
    return {"mean": mean, "var": var}
'''),
    E("path_weight_moments-no-triangle-c", "path_weight_moments", "wrong",
      "Fills every entry, also j > t where there is no path; those must be 0 in both arrays.",
      [r"j\s*>\s*t", r"upper|tril|triangl\w*|above the diagonal", r"no (such )?path", r"(should|must) be (0|zero)"],
      '''def path_weight_moments(T, pi):
    lags = np.arange(T, dtype=np.float64)
    var = np.tile(pi ** -lags - 1.0, (T, 1))
    return {"mean": np.ones((T, T)), "var": var}
'''),
    E("path_weight_moments-mask-mean-c", "path_weight_moments", "wrong",
      "Treats xi as a 0/1 keep mask: mean pi^j and variance pi^j - pi^2j, forgetting the rescaling by 1/pi that makes E[xi] = 1.",
      [r"1\s*/\s*pi", r"rescal\w*|scal\w* by", r"unbiased|E\s*\[\s*xi\s*\]\s*=\s*1|mean (of|is) 1", r"0/1|mask"],
      '''def path_weight_moments(T, pi):
    mean = np.zeros((T, T))
    var = np.zeros((T, T))
    for t in range(T):
        for j in range(t + 1):
            mean[t, j] = pi ** j
            var[t, j] = pi ** j - pi ** (2 * j)
    return {"mean": mean, "var": var}
'''),
    E("path_weight_moments-int-power-c", "path_weight_moments", "wrong",
      "Raises pi to a negative integer-array power; when pi is an int (pi = 1) NumPy refuses integers to negative integer powers (wrong only on that input).",
      [r"\bint(eger)?s?\b", r"negative (integer )?power", r"dtype|float", r"\*\*\s*-"],
      '''def path_weight_moments(T, pi):
    lags = np.arange(T)
    inside = np.tril(np.ones((T, T)))
    return {"mean": inside, "var": inside * (pi ** -lags - 1.0)}
'''),
    E("path_weight_moments-exponent-j-plus-1-c", "path_weight_moments", "wrong",
      "Counts j + 1 factors of xi in w[t, j] (pi^-(j+1) - 1); the path of lag j crosses exactly j multipliers.",
      [r"off.?by.?one", r"j\s*\+\s*1", r"exponent", r"(number|count) of (factors|multipliers|xi)"],
      '''def path_weight_moments(T, pi):
    mean = np.tril(np.ones((T, T)))
    var = np.zeros((T, T))
    for t in range(T):
        for j in range(t + 1):
            var[t, j] = pi ** -(j + 1) - 1.0
    return {"mean": mean, "var": var}
'''),
    E("path_weight_moments-enumerate-c", "path_weight_moments", "correct",
      "Enumerates all 2^T draws of xi with their probabilities and takes E[w] and E[w^2] - E[w]^2 of the path weights built inline.",
      [],
      '''def path_weight_moments(T, pi):
    pi = float(pi)
    m1 = np.zeros((T, T))
    m2 = np.zeros((T, T))
    for code in range(2 ** T):
        keep = [(code >> s) & 1 for s in range(T)]
        prob = 1.0
        for kb in keep:
            prob *= pi if kb else (1.0 - pi)
        if prob == 0.0:
            continue
        xi = [1.0 / pi if kb else 0.0 for kb in keep]
        w = np.zeros((T, T))
        for t in range(T):
            w[t, 0] = 1.0
            for j in range(1, t + 1):
                w[t, j] = w[t, j - 1] * xi[t - j + 1]
        m1 += prob * w
        m2 += prob * w ** 2
    var = m2 - m1 ** 2
    var[np.abs(var) < 1e-12] = 0.0
    return {"mean": m1, "var": var}
'''),
    # ================================================================ bptt_truncated
    E("bptt_truncated-cut-before-k-c", "bptt_truncated", "wrong",
      "Cuts where (t + 1) % k == 0, i.e. between steps k-2 and k-1 of every chunk, instead of at t = k, 2k, ... (between k-1 and k).",
      CUT,
      variant(TRUNC, "if t % k == 0:", "if (t + 1) % k == 0:")),
    E("bptt_truncated-chunks-from-end-c", "bptt_truncated", "wrong",
      "Counts the chunks from the end of the sequence ((T - t) % k == 0) instead of from t = 0 (differs when k does not divide T).",
      [r"from the end|from the last", r"(start|count)\w* (at|from) (t\s*=\s*)?0|from the (start|beginning)", r"align\w*", r"T\s*-\s*t"],
      variant(TRUNC, "if t % k == 0:", "if (T - t) % k == 0:")),
    E("bptt_truncated-no-W_hh-at-boundary-c", "bptt_truncated", "wrong",
      "Skips the W_hh gradient at a chunk's first step, but that step still uses W_hh on the frozen previous state and its use counts.",
      [r"W_hh.{0,80}(boundar|first step|chunk start|frozen)", r"frozen (previous )?state", r"still uses W_hh", r"(boundar|first step).{0,60}W_hh"],
      variant(TRUNC, '''        grads["W_hh"] += h_prev.T @ dhraw
''', '''        if t % k != 0:
            grads["W_hh"] += h_prev.T @ dhraw
''')),
    E("bptt_truncated-window-variant-c", "bptt_truncated", "wrong",
      "Implements the per-step window variant (every step's loss reaches k-1 steps back) instead of the graded chunked variant.",
      [r"window", r"per.?step (window|truncation|variant)", r"chunk\w*.{0,30}(not|instead|rather)|(not|instead of) (the )?chunk", r"sliding"],
      '''def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    W_hh, W_hq = params["W_hh"], params["W_hq"]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = 1.0 - h ** 2 if activation == "tanh" else (h_netIn > 0).astype(np.float64)
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    grads = {name: np.zeros(np.shape(params[name])) for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q")}
    for t in range(T):
        grads["W_hq"] += h[t].T @ dy[t]
        grads["b_q"] += dy[t].sum(axis=0)
        g = dy[t] @ W_hq.T
        for s in range(t, max(t - k, -1), -1):      # k steps back from every t
            delta = g * dphi[s]
            grads["W_xh"] += X[s].T @ delta
            grads["W_hh"] += h_prev[s].T @ delta
            grads["b_h"] += delta.sum(axis=0)
            g = delta @ W_hh.T
    return grads
'''),
    E("bptt_truncated-per-chunk-mean-c", "bptt_truncated", "wrong",
      "Normalises the output gradient by the chunk length (min(k, T) * N) as if each chunk's loss were its own mean; the loss is the mean over all T*N predictions.",
      [r"T\s*\*\s*N|T\s*N\b", r"chunk.{0,30}(length|size|mean|normali)", r"k\s*\*\s*N", r"(normali[sz]\w*|divid\w*|mean).{0,40}(per|each) chunk"],
      variant(TRUNC, "dy = dy / (T * N)", "dy = dy / (min(k, T) * N)")),
    E("bptt_truncated-aliased-reset-c", "bptt_truncated", "wrong",
      "Keeps dhraw in a (T, N, H) array and resets the carried gradient with carried[:] = 0, which is a view of dhraw_all[t]: "
      "the boundary step's stored dhraw is wiped before the parameter sums after the loop.",
      [r"alias\w*", r"\bview\b", r"in.?place|\[\s*:\s*\]\s*=", r"same (array|memory|object)|copy"],
      '''def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw_all = np.zeros((T, N, H))
    carried = np.zeros((N, H))
    for t in reversed(range(T)):
        dh = dy[t] @ params["W_hq"].T + carried @ params["W_hh"].T
        if activation == "tanh":
            dhraw_all[t] = dh * (1.0 - h[t] ** 2)
        else:
            dhraw_all[t] = dh * (h_netIn[t] > 0)
        carried = dhraw_all[t]
        if t % k == 0:
            carried[:] = 0.0
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {"W_xh": np.einsum("tnd,tnh->dh", X, dhraw_all),
            "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw_all),
            "b_h": dhraw_all.sum(axis=(0, 1)),
            "W_hq": np.einsum("tnh,tnq->hq", h, dy),
            "b_q": dy.sum(axis=(0, 1))}
'''),
    E("bptt_truncated-wraps-initial-state-c", "bptt_truncated", "wrong",
      "Uses h[t - 1] as the previous state also at t = 0, where h[-1] is the last state of the sequence, not the initial state cache['h0'].",
      [r"h0|initial state", r"h\s*\[\s*-\s*1\s*\]|wrap\w*|negative ind\w*", r"t\s*=\s*0|step 0|first step"],
      variant(TRUNC, '''        h_prev = h[t - 1] if t > 0 else cache["h0"]
''', '''        h_prev = h[t - 1]
''')),
    E("bptt_truncated-W_hh-twice-c", "bptt_truncated", "wrong",
      "Stores the carried gradient already multiplied by W_hh.T and multiplies it by W_hh.T again in the next iteration.",
      [r"W_hh.{0,40}(twice|two times|2 times|again|double)", r"(twice|two times|again|double).{0,40}W_hh", r"already (multiplied|passed|through)"],
      variant(TRUNC, '''            carried = dhraw
''', '''            carried = dhraw @ W_hh.T
''')),
    E("bptt_truncated-rejects-long-k-c", "bptt_truncated", "wrong",
      "Raises ValueError when k > T, although the contract allows any positive k and k >= T is simply the full computation (wrong only on that edge case).",
      [r"k\s*>=?\s*T", r"(full|whole) (computation|gradient|bptt)", r"(allowed|valid|permitted)|(should|must) not raise", r"(larger|longer|greater) than (the sequence|T)"],
      variant(TRUNC, '''    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
''', '''    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    if k > T:
        raise ValueError(f"k = {k} is longer than the sequence (T = {T})")
''')),
    E("bptt_truncated-carry-vector-c", "bptt_truncated", "correct",
      "Builds the multipliers c (zeros at k, 2k, ...) with slicing, runs the loop storing dhraw, and forms the sums after the loop with einsum.",
      [],
      '''def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[-1]
    c = np.ones(T)
    c[k::k] = 0.0
    dy = P.copy()
    for t in range(T):
        dy[t, np.arange(N), Y[t]] -= 1.0
    dy /= T * N
    if activation == "relu":
        dphi = np.where(h_netIn > 0, 1.0, 0.0)
    else:
        dphi = 1.0 - h * h
    dhraw = np.zeros((T, N, H))
    back = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dhraw[t] = (dy[t] @ params["W_hq"].T + back) * dphi[t]
        back = c[t] * (dhraw[t] @ params["W_hh"].T)
    prev = np.empty_like(h)
    prev[0], prev[1:] = cache["h0"], h[:-1]
    return {"W_xh": np.einsum("tnd,tnh->dh", X, dhraw), "W_hh": np.einsum("tni,tnj->ij", prev, dhraw),
            "b_h": np.einsum("tnh->h", dhraw), "W_hq": np.einsum("tnh,tnq->hq", h, dy),
            "b_q": np.einsum("tnq->q", dy)}
'''),
    E("bptt_truncated-chunk-by-chunk-c", "bptt_truncated", "correct",
      "Runs a separate full backward loop inside each chunk [s, min(s+k, T)), starting each chunk with a zero carried gradient.",
      [],
      '''def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    g = {"W_xh": np.zeros_like(params["W_xh"], dtype=np.float64), "W_hh": np.zeros((H, H)),
         "b_h": np.zeros(H), "W_hq": np.zeros((H, Q)), "b_q": np.zeros(Q)}
    for start in range(0, T, k):
        stop = min(start + k, T)
        nxt = np.zeros((N, H))
        for t in range(stop - 1, start - 1, -1):
            out = (P[t] - np.eye(Q)[Y[t]]) / (T * N)
            dh = out @ params["W_hq"].T + nxt @ params["W_hh"].T
            d = dh * (1 - h[t] ** 2) if activation == "tanh" else dh * (h_netIn[t] > 0)
            before = cache["h0"] if t == 0 else h[t - 1]
            g["W_xh"] += X[t].T @ d
            g["W_hh"] += before.T @ d
            g["b_h"] += d.sum(0)
            g["W_hq"] += h[t].T @ out
            g["b_q"] += out.sum(0)
            nxt = d
    return g
'''),
    # ================================================================ bptt_randomized
    E("bptt_randomized-binary-mask-c", "bptt_randomized", "wrong",
      "Uses xi as a 0/1 mask (xi > 0) instead of multiplying by its value 1/pi, which biases the estimate toward short paths.",
      [r"mask", r"1\s*/\s*pi", r"rescal\w*|scal\w* by (xi|its value|1/pi)", r"unbiased|bias\w*"],
      variant(RAND, "carried = xi[t] * dhraw", "carried = (xi[t] > 0) * dhraw")),
    E("bptt_randomized-receiving-step-xi-c", "bptt_randomized", "wrong",
      "Scales what step t sends back by xi[t-1] (the receiving step's multiplier) instead of xi[t]: off by one.",
      [r"off.?by.?one", r"xi\s*\[\s*t\s*-\s*1\s*\]", r"(wrong|receiving|previous) step'?s? (multiplier|xi)|wrong (index|step)", r"xi\s*\[\s*t\s*\]"],
      variant(RAND, "carried = xi[t] * dhraw", "carried = xi[t - 1] * dhraw")),
    E("bptt_randomized-scales-own-step-c", "bptt_randomized", "wrong",
      "Multiplies the step's own dhraw by xi[t] before the parameter sums, instead of scaling only the gradient passed back to step t-1.",
      [r"own (gradient|step|contribution|dhraw)", r"only the (carried|flow|recurrent|gradient (passed|sent|into))", r"parameter (sums|gradients)", r"lag 0|j\s*=\s*0"],
      variant(RAND, '''        h_prev = h[t - 1] if t > 0 else cache["h0"]
''', '''        dhraw = xi[t] * dhraw
        h_prev = h[t - 1] if t > 0 else cache["h0"]
''')),
    E("bptt_randomized-running-product-c", "bptt_randomized", "wrong",
      "Keeps a running product of the xi's and multiplies the carried gradient by it, so each multiplier is applied again at every later step (weights are not products of distinct xi's).",
      [r"cumulative|running product|cumprod", r"distinct", r"(applied|multipl\w*) (again|repeatedly|more than once)|repeated\w*|more than once", r"compound\w*"],
      variant(RAND, '''    carried = np.zeros((N, H))
''', '''    carried = np.zeros((N, H))
    scale = 1.0
''').replace("        carried = xi[t] * dhraw\n", "        scale = scale * xi[t]\n        carried = scale * dhraw\n")),
    E("bptt_randomized-normalised-xi-c", "bptt_randomized", "wrong",
      "Divides xi by its mean before using it, as if the multipliers had to average to 1 within the draw; xi must be used as given (and all-zero xi gives 0/0).",
      [r"normali[sz]\w*", r"divid\w* by (the |its )?mean|mean of xi", r"as given|(use|used) xi (directly|as is)"],
      variant(RAND, "xi = np.asarray(xi, dtype=np.float64)", "xi = np.asarray(xi, dtype=np.float64)\n    xi = xi / xi.mean()")),
    E("bptt_randomized-recovers-pi-c", "bptt_randomized", "wrong",
      "Recovers pi as 1/max(xi) and applies mask/pi, which assumes xi takes only the values 0 and 1/pi: wrong for arbitrary non-negative xi (and 1/0 for all-zero xi).",
      [r"recover\w* pi|1\s*/\s*(xi\.)?max|max\s*\(\s*xi", r"assum\w*", r"(arbitrary|any|general) (non-?negative )?(xi|values|multipliers)", r"scal\w* by xi (itself|directly)|xi\[t\] itself"],
      variant(RAND, "xi = np.asarray(xi, dtype=np.float64)", "xi = np.asarray(xi, dtype=np.float64)\n    pi = 1.0 / xi.max()").replace(
          "carried = xi[t] * dhraw", "carried = ((xi[t] > 0) / pi) * dhraw")),
    E("bptt_randomized-mutates-xi-c", "bptt_randomized", "wrong",
      "Sets xi[0] = 1 on the caller's array ('nothing comes before step 0'), modifying the input in place; the gradients themselves are right.",
      INPLACE,
      variant(RAND, "xi = np.asarray(xi, dtype=np.float64)", "xi = np.asarray(xi, dtype=np.float64)\n    xi[0] = 1.0           # step 0 has no earlier step to cut")),
    E("bptt_randomized-int-xi-c", "bptt_randomized", "wrong",
      "Converts xi to integers (astype(int)), which truncates non-integer multipliers such as 1/pi = 2.5 or any real xi.",
      [r"integer|astype\s*\(\s*int|\bint\b", r"dtype|cast\w*", r"(round|floor)\w*|fractional"],
      variant(RAND, "xi = np.asarray(xi, dtype=np.float64)", "xi = np.asarray(xi).astype(int)")),
    E("bptt_randomized-path-sum-c", "bptt_randomized", "correct",
      "Sums every (t, j) path term explicitly with its weight xi[t] xi[t-1] ... xi[t-j+1] (O(T^2) walk back from each step) instead of one backward recursion.",
      [],
      '''def bptt_randomized(Y, params, cache, xi, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    xi = np.array(xi, dtype=np.float64)
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dphi = (h_netIn > 0).astype(np.float64) if activation == "relu" else 1.0 - h ** 2
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    out = {"W_xh": np.zeros((X.shape[2], H)), "W_hh": np.zeros((H, H)), "b_h": np.zeros(H),
           "W_hq": np.einsum("tnh,tnq->hq", h, dy), "b_q": dy.sum(axis=(0, 1))}
    for t in range(T):
        delta = (dy[t] @ params["W_hq"].T) * dphi[t]
        weight = 1.0
        for j in range(t + 1):
            s = t - j
            if j > 0:
                weight *= xi[s + 1]
                delta = (delta @ params["W_hh"].T) * dphi[s]
            out["W_xh"] += weight * (X[s].T @ delta)
            out["W_hh"] += weight * (h_prev[s].T @ delta)
            out["b_h"] += weight * delta.sum(axis=0)
    return out
'''),
    # ================================================================ clip_gradients
    E("clip_gradients-per-array-c", "clip_gradients", "wrong",
      "Clips every array by its own norm instead of scaling all arrays by one factor from the global norm (the returned norm is still global).",
      [r"global", r"(each|every|per).?array|separately|individually|its own norm", r"(all|every) (arrays|gradients) together|same factor|one factor"],
      '''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values())))
    clipped = {}
    for name, g in grads.items():
        g = np.asarray(g, dtype=np.float64)
        n = np.linalg.norm(g)
        clipped[name] = g * (max_norm / n) if n > max_norm else g.copy()
    return clipped, norm
'''),
    E("clip_gradients-norm-after-c", "clip_gradients", "wrong",
      "Returns the norm after clipping instead of the norm before clipping.",
      [r"after clipping", r"before clipping", r"(returned|returns) (the )?(clipped|new) norm"],
      '''def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    clipped = {k: np.asarray(g, dtype=np.float64) * scale for k, g in grads.items()}
    return clipped, float(norm * scale)
'''),
    E("clip_gradients-no-zero-guard-c", "clip_gradients", "wrong",
      "Divides max_norm by the norm without checking for a zero norm, so all-zero gradients give a division by zero (wrong only on that edge case).",
      [r"zero norm|norm (is |of |= ?)0|norm\s*==\s*0", r"divi\w* by (zero|0)", r"guard|check\w* (for )?(zero|0)"],
      '''def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values()))
    scale = min(1.0, max_norm / norm)
    return {k: np.asarray(g, dtype=np.float64) * scale for k, g in grads.items()}, float(norm)
'''),
    E("clip_gradients-always-rescale-c", "clip_gradients", "wrong",
      "Always multiplies by max_norm / norm, also scaling up gradients already shorter than max_norm (no min(1, ...)).",
      [r"min\s*\(\s*1", r"(shorter|smaller|below|less) (than )?(the )?(max_norm|threshold|theta)", r"(only|just) (when|if) (the )?norm (exceeds|is (larger|greater|above))|unchanged", r"scal\w* (them )?up"],
      '''def clip_gradients(grads, max_norm):
    norm = np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values()))
    if norm == 0:
        return {k: np.zeros(np.shape(g)) for k, g in grads.items()}, 0.0
    return {k: np.asarray(g, dtype=np.float64) * (max_norm / norm) for k, g in grads.items()}, float(norm)
'''),
    E("clip_gradients-inplace-c", "clip_gradients", "wrong",
      "Scales the input arrays in place (g *= scale) and returns them, modifying the caller's gradients.",
      INPLACE,
      '''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / norm
    return dict(grads), norm
'''),
    E("clip_gradients-by-value-c", "clip_gradients", "wrong",
      "Clips every entry to [-max_norm, max_norm] with np.clip (min-char-rnn style) instead of rescaling by the global norm.",
      [r"element.?wise|entry.?wise|(each|every) entry|by value", r"np\.clip", r"global norm", r"direction"],
      '''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values())))
    return {k: np.clip(np.asarray(g, dtype=np.float64), -max_norm, max_norm) for k, g in grads.items()}, norm
'''),
    E("clip_gradients-squared-norm-c", "clip_gradients", "wrong",
      "Uses the sum of squares without the square root as the norm.",
      [r"sqrt|square root", r"squared norm|sum of squares"],
      '''def clip_gradients(grads, max_norm):
    norm = float(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values()))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: np.asarray(g, dtype=np.float64) * scale for k, g in grads.items()}, norm
'''),
    E("clip_gradients-returns-input-c", "clip_gradients", "wrong",
      "Returns the input dict itself when no clipping is needed, so the 'clipped' arrays are the caller's arrays, not a new dict of new arrays.",
      [r"new (dict|arrays?)", r"alias\w*|same (object|dict|arrays?)", r"copy|copies", r"input (dict|arrays?) (itself|back)"],
      '''def clip_gradients(grads, max_norm):
    norm = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values())))
    if norm <= max_norm:
        return grads, norm
    return {k: np.asarray(g, dtype=np.float64) * (max_norm / norm) for k, g in grads.items()}, norm
'''),
    E("clip_gradients-sum-of-norms-c", "clip_gradients", "wrong",
      "Adds the arrays' separate norms instead of taking the norm of all entries together (sqrt of the total sum of squares).",
      [r"sum of (the )?(norms|lengths)|(add|sum)\w* (the )?(separate |individual )?norms", r"global", r"sqrt|square root|sum of squares", r"(all|every) (entries|arrays) together|one long vector"],
      '''def clip_gradients(grads, max_norm):
    norm = float(sum(np.linalg.norm(np.asarray(g, dtype=np.float64)) for g in grads.values()))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {k: np.asarray(g, dtype=np.float64) * scale for k, g in grads.items()}, norm
'''),
    E("clip_gradients-concatenate-c", "clip_gradients", "correct",
      "Concatenates all arrays into one vector, takes np.linalg.norm of it, and scales only when the norm exceeds max_norm (copies otherwise).",
      [],
      '''def clip_gradients(grads, max_norm):
    flat = np.concatenate([np.ravel(np.asarray(g, dtype=np.float64)) for g in grads.values()])
    norm = float(np.linalg.norm(flat))
    if norm > max_norm:
        return {k: np.asarray(g, dtype=np.float64) * (max_norm / norm) for k, g in grads.items()}, norm
    return {k: np.array(g, dtype=np.float64, copy=True) for k, g in grads.items()}, norm
'''),
]
