"""Blind answer set for notebook 04 (long histories): predicted_gradient_rate, path_weights,
path_weight_moments, bptt_truncated, bptt_randomized, clip_gradients."""
import textwrap


def E(unit, slug, kind, cause, words, src):
    return {"id": f"{unit}-{slug}-d", "unit": unit, "kind": kind, "cause": cause,
            "cause_words": list(words), "source": textwrap.dedent(src).strip() + "\n"}


TRUNC = '''
def bptt_truncated(Y, params, cache, k, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    W_hh, W_hq = params["W_hh"], params["W_hq"]
    dy = (P - np.eye(Q)[Y]) / (T * N)
    dhraw = np.zeros(h.shape)
    nxt = np.zeros((N, H))
    for t in range(T - 1, -1, -1):
        dh = dy[t] @ W_hq.T + nxt @ W_hh.T
        if activation == "relu":
            dhraw[t] = dh * (h_netIn[t] > 0)
        else:
            dhraw[t] = dh * (1.0 - h[t] ** 2)
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

RAND = '''
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q = P.shape[2]
    xi = np.asarray(xi, dtype=np.float64)
    dy = (P - np.eye(Q)[Y]) / (T * N)
    if activation == "relu":
        d = (h_netIn > 0).astype(np.float64)
    else:
        d = 1.0 - h ** 2
    dhraw = np.zeros(h.shape)
    back = np.zeros((N, H))
    for t in reversed(range(T)):
        dhraw[t] = (dy[t] @ params["W_hq"].T + back @ params["W_hh"].T) * d[t]
        back = xi[t] * dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return {"W_xh": np.einsum("tnd,tnh->dh", X, dhraw),
            "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
            "b_h": dhraw.sum(axis=(0, 1)),
            "W_hq": np.einsum("tnh,tnq->hq", h, dy),
            "b_q": dy.sum(axis=(0, 1))}
'''


def T_(old, new, base=TRUNC):
    assert old in base, old
    return base.replace(old, new)


def R_(old, new):
    return T_(old, new, RAND)


ENTRIES = [
    # ---------------- predicted_gradient_rate
    E("predicted_gradient_rate", "real-part-eig", "wrong",
      "rho is taken as the largest real part of the eigenvalues instead of the largest modulus, wrong for complex or negative eigenvalues.",
      [r"(modul\w*|absolute value|abs\b|np\.abs|magnitude)", r"complex", r"real part", r"negative eigen"],
      """
      def predicted_gradient_rate(W_hh, h_netIn, activation):
          dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - np.tanh(h_netIn) ** 2
          sigma = float(np.linalg.norm(W_hh, 2))
          rho = float(np.max(np.linalg.eigvals(W_hh).real))
          return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
                  "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
      """),
    E("predicted_gradient_rate", "frobenius", "wrong",
      "sigma_max is computed with np.linalg.norm(W_hh), the Frobenius norm, instead of the matrix 2-norm (largest singular value).",
      [r"frobenius", r"(2-?norm|ord\s*=?\s*2|singular value)", r"norm\(W_hh\)"],
      """
      def predicted_gradient_rate(W_hh, h_netIn, activation):
          dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - np.tanh(h_netIn) ** 2
          sigma = float(np.linalg.norm(W_hh))
          rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
          return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
                  "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
      """),
    E("predicted_gradient_rate", "mean-not-rms", "wrong",
      "The typical factor uses the plain mean of phi' instead of its root mean square sqrt(mean(phi'^2)).",
      [r"root[- ]mean[- ]square|\brms\b", r"sqrt", r"mean of (phi'?|the derivative)s?\^?2|squares?"],
      """
      def predicted_gradient_rate(W_hh, h_netIn, activation):
          dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - np.tanh(h_netIn) ** 2
          sigma = float(np.linalg.norm(W_hh, 2))
          rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
          return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
                  "typical": rho * float(np.mean(dphi))}
      """),
    E("predicted_gradient_rate", "tanh-on-netin", "wrong",
      "tanh' is computed as 1 - h_netIn**2, treating the pre-activations as if they were the tanh outputs.",
      [r"1\s*-\s*h_netIn", r"pre-?activation.{0,40}(output|tanh\()", r"np\.tanh"],
      """
      def predicted_gradient_rate(W_hh, h_netIn, activation):
          dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - h_netIn ** 2
          sigma = float(np.linalg.norm(W_hh, 2))
          rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
          return {"sigma_max": sigma, "rho": rho, "bound": float(np.abs(dphi).max()) * sigma,
                  "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
      """),
    E("predicted_gradient_rate", "relu-ge", "wrong",
      "ReLU's derivative is taken as 1 at a pre-activation exactly 0 (>= 0), which changes the typical factor only when some pre-activations are exactly 0 (edge case).",
      [r">=\s*0", r"(exactly|at) (0|zero)", r"kink"],
      """
      def predicted_gradient_rate(W_hh, h_netIn, activation):
          dphi = (h_netIn >= 0).astype(float) if activation == "relu" else 1.0 - np.tanh(h_netIn) ** 2
          sigma = float(np.linalg.norm(W_hh, 2))
          rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
          return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
                  "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
      """),
    E("predicted_gradient_rate", "svd", "correct",
      "Gets sigma_max from np.linalg.svd and the RMS of phi' from a norm divided by the square root of the count.",
      [],
      """
      def predicted_gradient_rate(W_hh, h_netIn, activation):
          z = np.asarray(h_netIn, dtype=np.float64)
          if activation == "relu":
              g = np.where(z > 0, 1.0, 0.0)
          else:
              g = 1.0 / np.cosh(z) ** 2
          s = np.linalg.svd(np.asarray(W_hh, dtype=np.float64), compute_uv=False)
          lam = np.linalg.eigvals(W_hh)
          rho = float(np.sqrt(np.max(lam.real ** 2 + lam.imag ** 2)))
          return {"sigma_max": float(s[0]), "rho": rho, "bound": float(s[0] * g.max()),
                  "typical": rho * float(np.linalg.norm(g.ravel()) / np.sqrt(g.size))}
      """),
    # ---------------- path_weights
    E("path_weights", "carry-off-by-one", "wrong",
      "The path to h_{t-j} is scaled by carry[t-j] instead of carry[t-j+1]: the edge index is off by one.",
      [r"off[- ]by[- ]one", r"t\s*-\s*j\s*\+\s*1", r"(which|wrong) (edge|multiplier|carry)", r"index"],
      """
      def path_weights(carry):
          carry = np.asarray(carry, dtype=np.float64)
          T = len(carry)
          w = np.zeros((T, T))
          for t in range(T):
              w[t, 0] = 1.0
              for j in range(1, t + 1):
                  w[t, j] = w[t, j - 1] * carry[t - j]
          return w
      """),
    E("path_weights", "window-shift", "wrong",
      "The product is over carry[t-j : t] instead of carry[t-j+1 : t+1], i.e. the edges of steps t-j..t-1 rather than t-j+1..t.",
      [r"off[- ]by[- ]one", r"t\s*-\s*j\s*\+\s*1|t\s*\+\s*1", r"(slice|window|range) of (the )?(edges|carr)", r"index"],
      """
      def path_weights(carry):
          c = np.asarray(carry, dtype=np.float64)
          T = c.shape[0]
          w = np.zeros((T, T))
          for t in range(T):
              for j in range(t + 1):
                  w[t, j] = np.prod(c[t - j:t])
          return w
      """),
    E("path_weights", "transposed", "wrong",
      "The result is indexed [j, t] (lag as row) instead of [t, j].",
      [r"transpos", r"\[j,\s*t\]|rows? and columns?|row t", r"(swap|index order)"],
      """
      def path_weights(carry):
          carry = np.asarray(carry, dtype=np.float64)
          T = carry.shape[0]
          w = np.zeros((T, T))
          for t in range(T):
              w[0, t] = 1.0
              for j in range(1, t + 1):
                  w[j, t] = w[j - 1, t] * carry[t - j + 1]
          return w
      """),
    E("path_weights", "ones-init", "wrong",
      "w starts as np.ones, so the entries with j > t (no such path) stay 1 instead of 0.",
      [r"(j\s*>\s*t|upper triangle).{0,60}(\b0\b|zero|ones|\b1\b)", r"np\.ones|initiali[sz]\w*.{0,30}(ones|\b1\b)", r"tril"],
      """
      def path_weights(carry):
          carry = np.asarray(carry, dtype=np.float64)
          T = carry.shape[0]
          w = np.ones((T, T))
          for t in range(T):
              for j in range(1, t + 1):
                  w[t, j] = w[t, j - 1] * carry[t - j + 1]
          return w
      """),
    E("path_weights", "lag-range-short", "wrong",
      "The inner loop is range(1, t), so the longest lag j = t (the path to h_0) is never filled.",
      [r"range\(1,\s*t\)", r"j\s*=\s*t|longest lag|h_0", r"off[- ]by[- ]one|loop (bound|range)"],
      """
      def path_weights(carry):
          carry = np.asarray(carry, dtype=np.float64)
          T = carry.shape[0]
          w = np.zeros((T, T))
          for t in range(T):
              w[t, 0] = 1.0
              for j in range(1, t):
                  w[t, j] = w[t, j - 1] * carry[t - j + 1]
          return w
      """),
    E("path_weights", "running-product-not-reset", "wrong",
      "The running product acc is initialised once outside the row loop and never reset, so each row continues the previous row's product.",
      [r"reset", r"(outside|before) the (outer )?loop", r"(running|cumulative) product", r"(each|every|new) row"],
      """
      def path_weights(carry):
          carry = np.asarray(carry, dtype=np.float64)
          T = carry.shape[0]
          w = np.zeros((T, T))
          acc = 1.0
          for t in range(T):
              w[t, 0] = 1.0
              for j in range(1, t + 1):
                  acc = acc * carry[t - j + 1]
                  w[t, j] = acc
          return w
      """),
    E("path_weights", "single-edge", "wrong",
      "w[t, j] is set to the multiplier of one edge, carry[t-j+1], instead of the product of all j multipliers on the path.",
      [r"product", r"(all|every) (the )?(edges|multipliers|carr)", r"(only|single|one) (edge|multiplier)"],
      """
      def path_weights(carry):
          carry = np.asarray(carry, dtype=np.float64)
          T = carry.shape[0]
          w = np.zeros((T, T))
          for t in range(T):
              w[t, 0] = 1.0
              for j in range(1, t + 1):
                  w[t, j] = carry[t - j + 1]
          return w
      """),
    E("path_weights", "input-dtype", "wrong",
      "The output is allocated with the input's dtype, so a carry given as a list of ints gives an int array instead of float64 (wrong only for integer input, which the contract allows).",
      [r"(input'?s?|carry'?s?) dtype|dtype\s*=\s*carry", r"integer (input|carry|list)|list of int", r"(allocat|creat)\w*.{0,40}dtype"],
      """
      def path_weights(carry):
          carry = np.asarray(carry)
          T = carry.shape[0]
          w = np.zeros((T, T), dtype=carry.dtype)
          for t in range(T):
              w[t, 0] = 1
              for j in range(1, t + 1):
                  w[t, j] = w[t, j - 1] * carry[t - j + 1]
          return w
      """),
    E("path_weights", "cumprod", "correct",
      "Vectorised: each row is a cumulative product of the reversed carries, masked to the lower triangle.",
      [],
      """
      def path_weights(carry):
          c = np.asarray(carry, dtype=np.float64)
          T = c.size
          w = np.zeros((T, T))
          for t in range(T):
              edges = c[1:t + 1][::-1]
              w[t, :t + 1] = np.concatenate([[1.0], np.cumprod(edges)])
          return w
      """),
    # ---------------- path_weight_moments
    E("path_weight_moments", "no-mask", "wrong",
      "The variance pi**(-j) - 1 is filled for every (t, j), including j > t where there is no path and both moments must be 0.",
      [r"(j\s*>\s*t|upper triangle).{0,60}(\b0\b|zero|no path)", r"tril|(lower[- ]triangular|triangle) mask", r"no (such )?path"],
      """
      def path_weight_moments(T, pi):
          j = np.arange(T)
          mean = np.tril(np.ones((T, T)))
          var = np.tile(pi ** (-j.astype(float)) - 1.0, (T, 1))
          return {"mean": mean, "var": var}
      """),
    E("path_weight_moments", "additive-variance", "wrong",
      "The variance is written j * (1 - pi) / pi, adding the variances of the j factors as if w were their sum rather than their product.",
      [r"product", r"(sum|add\w*).{0,30}varian", r"(1\s*/\s*pi|pi\s*\*\*\s*-?j|\bpi\^?\{?-j)"],
      """
      def path_weight_moments(T, pi):
          lags = np.arange(T, dtype=float)
          mask = np.tril(np.ones((T, T)))
          return {"mean": mask, "var": mask * lags[None, :] * (1.0 - pi) / pi}
      """),
    E("path_weight_moments", "row-index", "wrong",
      "The exponent uses the row index t (lags[:, None]) instead of the lag j (column).",
      [r"(row|step) (index|t)\b.{0,40}(instead|not)|instead of the lag", r"\blag\b|column", r"lags\[:,\s*None\]"],
      """
      def path_weight_moments(T, pi):
          lags = np.arange(T, dtype=float)
          inside = np.tril(np.ones((T, T)))
          return {"mean": inside, "var": inside * (pi ** -lags[:, None] - 1.0)}
      """),
    E("path_weight_moments", "second-moment", "wrong",
      "It returns the second moment E[w^2] = pi**(-j) as the variance, forgetting to subtract the squared mean 1.",
      [r"second moment|E\[w\^?2\]", r"subtract\w*.{0,30}(mean|1)", r"minus (the )?(squared )?mean|-\s*1"],
      """
      def path_weight_moments(T, pi):
          lags = np.arange(T, dtype=float)
          inside = np.tril(np.ones((T, T)))
          return {"mean": inside, "var": inside * pi ** -lags[None, :]}
      """),
    E("path_weight_moments", "int-power", "wrong",
      "pi ** -lags with an integer lag array fails when pi is given as the int 1 (integers to negative integer powers), an allowed input (edge case only).",
      [r"\bint(eger)?s?\b.{0,40}(power|pi|exponent)", r"negative (integer )?power", r"integers? to negative"],
      """
      def path_weight_moments(T, pi):
          lags = np.arange(T)
          inside = np.tril(np.ones((T, T)))
          return {"mean": inside, "var": inside * (pi ** -lags[None, :] - 1.0)}
      """),
    E("path_weight_moments", "loops", "correct",
      "Fills both arrays entry by entry with explicit loops and the closed form (1/pi)**j - 1.",
      [],
      """
      def path_weight_moments(T, pi):
          mean = np.zeros((T, T))
          var = np.zeros((T, T))
          for t in range(T):
              for j in range(t + 1):
                  mean[t, j] = 1.0
                  var[t, j] = (1.0 / float(pi)) ** j - 1.0
          return {"mean": mean, "var": var}
      """),
    # ---------------- bptt_truncated
    E("bptt_truncated", "chunks-from-end", "wrong",
      "The chunk boundaries are counted from the end of the sequence ((T - t) % k) instead of from t = 0.",
      [r"(from|at) the (end|last step)", r"(start|begin)\w* at (t\s*=\s*)?0|from (t\s*=\s*)?0", r"chunk (boundar|start|position)"],
      T_("if t % k == 0:", "if (T - t) % k == 0 or t == 0:")),
    E("bptt_truncated", "cut-one-early", "wrong",
      "The cut is placed between steps k-2 and k-1 ((t + 1) % k == 0) instead of between k-1 and k.",
      [r"off[- ]by[- ]one", r"between (steps )?k\s*-\s*1 and k", r"cut (position|placed|one step)", r"\(t\s*\+\s*1\)\s*%"],
      T_("if t % k == 0:", "if (t + 1) % k == 0 or t == 0:")),
    E("bptt_truncated", "drop-whh-at-boundary", "wrong",
      "At a chunk boundary it also drops the step's own W_hh term h_{t-1}.T @ dhraw_t, though only the flow into h_{t-1} should be cut.",
      [r"W_hh.{0,60}(still|boundary|frozen)", r"(only|just) the (flow|gradient) into", r"frozen h|h_\{?k\s*-\s*1"],
      T_('        grads["W_hh"] += h_prev[t].T @ dhraw[t]', '        if t % k != 0 or t == 0:\n            grads["W_hh"] += h_prev[t].T @ dhraw[t]')),
    E("bptt_truncated", "zero-own-gradient", "wrong",
      "At a boundary it zeroes the step's own dhraw_t as well, instead of only the gradient carried back to the step before.",
      [r"(own|step'?s?) (gradient|dhraw)", r"(only|just) the (carried|flow|gradient passed)", r"carr\w*"],
      T_('''        if t % k == 0:
            nxt = np.zeros((N, H))''', '''        if t % k == 0 and t > 0:
            dhraw[t] = 0.0
            nxt = np.zeros((N, H))''')),
    E("bptt_truncated", "carry-dh", "wrong",
      "It carries dh (before the activation derivative) to the previous step instead of dhraw_t.",
      [r"carr\w*.{0,40}(dh\b|before the (activation|derivative))", r"dhraw.{0,40}(instead|rather|should)", r"activation'?s? derivative"],
      T_('''        else:
            nxt = dhraw[t]''', '''        else:
            nxt = dh''')),
    E("bptt_truncated", "per-step-window", "wrong",
      "It implements the per-step window variant (each loss reaches back k steps from its own step) instead of fixed chunks [0, k), [k, 2k), ... (agrees only when k >= T).",
      [r"chunk", r"(fixed|non-overlapping|regular) (boundar|chunk|window)", r"(sliding|per-step|moving) window", r"each (loss|step).{0,30}k steps"],
      """
      def bptt_truncated(Y, params, cache, k, activation="relu"):
          X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
          T, N, H = h.shape
          Q = P.shape[2]
          dy = (P - np.eye(Q)[Y]) / (T * N)
          d = (h_netIn > 0).astype(np.float64) if activation == "relu" else 1.0 - h ** 2
          dhraw = np.zeros(h.shape)
          for t in range(T):
              g = (dy[t] @ params["W_hq"].T) * d[t]
              dhraw[t] += g
              for s in range(t - 1, max(t - k, -1), -1):
                  g = (g @ params["W_hh"].T) * d[s]
                  dhraw[s] += g
          h_prev = np.concatenate([cache["h0"][None], h[:-1]])
          return {"W_xh": np.einsum("tnd,tnh->dh", X, dhraw), "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),
                  "b_h": dhraw.sum(axis=(0, 1)), "W_hq": np.einsum("tnh,tnq->hq", h, dy), "b_q": dy.sum(axis=(0, 1))}
      """),
    E("bptt_truncated", "only-N", "wrong",
      "The gradient at the logits is divided by N only instead of T*N.",
      [r"T\s*\*\s*N|T\s*N\b", r"(missing|forg\w*|omit\w*).{0,30}\bT\b", r"(average|mean) over (all )?(the )?(time|steps)"],
      T_("dy = (P - np.eye(Q)[Y]) / (T * N)", "dy = (P - np.eye(Q)[Y]) / N")),
    E("bptt_truncated", "tanh-on-netin", "wrong",
      "tanh' is computed as 1 - h_netIn**2 from the pre-activations instead of 1 - h**2.",
      [r"1\s*-\s*h_netIn", r"pre-?activation.{0,40}(instead|rather|not the output)", r"(output|h\[t\]|h_t).{0,30}(squared|\*\*\s*2)"],
      T_("dhraw[t] = dh * (1.0 - h[t] ** 2)", "dhraw[t] = dh * (1.0 - h_netIn[t] ** 2)")),
    E("bptt_truncated", "own-loop", "correct",
      "A self-contained loop that builds the carry multipliers from k and accumulates the parameter sums per step.",
      [],
      TRUNC),
    # ---------------- bptt_randomized
    E("bptt_randomized", "mask-not-scale", "wrong",
      "xi is used as a 0/1 mask (xi > 0) instead of scaling the surviving gradient by xi = 1/pi.",
      [r"mask", r"scal\w*", r"1\s*/\s*pi|unbias"],
      R_("back = xi[t] * dhraw[t]", "back = (xi[t] > 0) * dhraw[t]")),
    E("bptt_randomized", "xi-index-shift", "wrong",
      "The carried gradient from step t is scaled by xi[t-1] instead of xi[t] (index off by one).",
      [r"off[- ]by[- ]one", r"xi\[t\s*-\s*1\]|xi\[t\]", r"index"],
      R_("back = xi[t] * dhraw[t]", "back = xi[t - 1] * dhraw[t] if t > 0 else 0.0 * dhraw[t]")),
    E("bptt_randomized", "scale-own-gradient", "wrong",
      "xi[t] also scales the step's own dhraw_t (stored for the parameter sums), not only what is passed back to step t-1.",
      [r"(own|step'?s?) (gradient|dhraw)", r"(only|just) (the )?(carried|passed|flow)", r"parameter (sum|gradient)"],
      R_('''        dhraw[t] = (dy[t] @ params["W_hq"].T + back @ params["W_hh"].T) * d[t]
        back = xi[t] * dhraw[t]''', '''        dhraw[t] = xi[t] * (dy[t] @ params["W_hq"].T + back @ params["W_hh"].T) * d[t]
        back = dhraw[t]''')),
    E("bptt_randomized", "compounding-scale", "wrong",
      "A running scale variable keeps multiplying the xi's across iterations, so the multiplier of an edge compounds with all later ones instead of applying once per edge.",
      [r"(running|cumulative|compound)\w*", r"(once|each edge|per edge)", r"(reused|carried) across (iterations|steps)"],
      R_('''    back = np.zeros((N, H))
    for t in reversed(range(T)):''', '''    back = np.zeros((N, H))
    scale = 1.0
    for t in reversed(range(T)):''').replace("        back = xi[t] * dhraw[t]", "        scale = scale * xi[t]\n        back = scale * dhraw[t]")),
    E("bptt_randomized", "xi-on-output", "wrong",
      "xi[t] scales the gradient coming from step t's own output instead of the gradient passed back through W_hh.",
      [r"xi.{0,40}(own )?(output|dy|W_hq)", r"(carried|passed back|recurrent edge|through W_hh).{0,40}(xi|scal)", r"scal\w*.{0,40}(output term|own output|loss term)"],
      R_('''        dhraw[t] = (dy[t] @ params["W_hq"].T + back @ params["W_hh"].T) * d[t]
        back = xi[t] * dhraw[t]''', '''        dhraw[t] = (xi[t] * dy[t] @ params["W_hq"].T + back @ params["W_hh"].T) * d[t]
        back = dhraw[t]''')),
    E("bptt_randomized", "mutates-xi", "wrong",
      "It sets xi[0] = 0 on the caller's array ('h0 gets nothing anyway'): the gradients are right but the input is modified in place (np.asarray does not copy).",
      [r"in[- ]place", r"modif\w*.{0,30}(input|xi)", r"(copy|mutat|alias|asarray)"],
      R_("    xi = np.asarray(xi, dtype=np.float64)\n", "    xi = np.asarray(xi, dtype=np.float64)\n    xi[0] = 0.0\n")),
    E("bptt_randomized", "skip-h0-term", "wrong",
      "The W_hh sum skips t = 0 (h_prev starts at h[0]), dropping the initial state's term h0.T @ dhraw_0.",
      [r"h0|initial state", r"(step|t\s*=)\s*0|first step", r"h_prev"],
      R_('''            "W_hh": np.einsum("tni,tnj->ij", h_prev, dhraw),''', '''            "W_hh": np.einsum("tni,tnj->ij", h[:-1], dhraw[1:]),''')),
    E("bptt_randomized", "own-loop", "correct",
      "Own loop with einsum sums; xi is converted with np.asarray and only read.",
      [],
      RAND),
    E("bptt_randomized", "lists", "correct",
      "Appends per-step gradients to a list while walking back, reverses and stacks them; parameter sums via reshaped products.",
      [],
      """
      def bptt_randomized(Y, params, cache, xi, activation="relu"):
          h, P = cache["h"], cache["p"]
          T, N, H = h.shape
          Q = P.shape[2]
          D = cache["X"].shape[2]
          onehot = np.zeros(P.shape)
          for t in range(T):
              onehot[t, np.arange(N), Y[t]] = 1.0
          dy = (P - onehot) / (T * N)
          collected = []
          passed = np.zeros((N, H))
          for t in range(T - 1, -1, -1):
              dh = dy[t] @ params["W_hq"].T + passed @ params["W_hh"].T
              if activation == "relu":
                  raw = np.where(cache["h_netIn"][t] > 0, dh, 0.0)
              else:
                  raw = dh * (1.0 - h[t] * h[t])
              collected.append(raw)
              passed = float(xi[t]) * raw
          dhraw = np.stack(collected[::-1])
          h_prev = np.concatenate([cache["h0"][None], h[:-1]])
          F = dhraw.reshape(-1, H)
          return {"W_xh": cache["X"].reshape(-1, D).T @ F, "W_hh": h_prev.reshape(-1, H).T @ F,
                  "b_h": F.sum(axis=0), "W_hq": h.reshape(-1, H).T @ dy.reshape(-1, Q), "b_q": dy.reshape(-1, Q).sum(axis=0)}
      """),
    # ---------------- clip_gradients
    E("clip_gradients", "per-array", "wrong",
      "Each array is clipped by its own norm instead of all arrays by the one global norm.",
      [r"global", r"(each|every|per)[- ]array|separately|individual", r"(all|together)"],
      """
      def clip_gradients(grads, max_norm):
          clipped, total = {}, 0.0
          for name, g in grads.items():
              n = float(np.linalg.norm(g))
              total += n ** 2
              clipped[name] = g * (min(1.0, max_norm / n) if n > 0 else 1.0)
          return clipped, float(np.sqrt(total))
      """),
    E("clip_gradients", "in-place", "wrong",
      "It scales the arrays with *= in place, modifying the caller's gradients.",
      [r"in[- ]place", r"modif\w*.{0,30}(input|grads)", r"(copy|mutat|alias|\*=)"],
      """
      def clip_gradients(grads, max_norm):
          norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
          if norm > max_norm:
              for g in grads.values():
                  g *= max_norm / norm
          return {k: np.array(g, dtype=np.float64) for k, g in grads.items()}, norm
      """),
    E("clip_gradients", "norm-after", "wrong",
      "It returns the norm after clipping instead of the norm before clipping.",
      [r"(before|after) clipping", r"(returned|reported) norm", r"original norm"],
      """
      def clip_gradients(grads, max_norm):
          norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
          if norm > max_norm:
              norm_scale = max_norm / norm
              out = {k: g * norm_scale for k, g in grads.items()}
              norm = max_norm
          else:
              out = {k: g.copy() for k, g in grads.items()}
          return out, norm
      """),
    E("clip_gradients", "elementwise", "wrong",
      "It clips every entry to [-max_norm, max_norm] with np.clip instead of scaling by the global norm.",
      [r"np\.clip|element-?wise|entr(y|ies)", r"global norm", r"direction"],
      """
      def clip_gradients(grads, max_norm):
          norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
          return {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()}, norm
      """),
    E("clip_gradients", "zero-norm-divide", "wrong",
      "It divides by the norm unconditionally, so all-zero gradients give 0/0 = nan and a warning (wrong only on that allowed edge case).",
      [r"(0\s*/\s*0|divi\w* by zero|\bnan\b)", r"(all[- ]zero|zero gradients|norm (is )?(0|zero))"],
      """
      def clip_gradients(grads, max_norm):
          norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
          scale = min(1.0, max_norm / np.float64(norm))
          return {k: g * scale for k, g in grads.items()}, norm
      """),
    E("clip_gradients", "always-rescale", "wrong",
      "It always multiplies by max_norm / norm, scaling up gradients that are already shorter than max_norm (the min(1, ...) is missing).",
      [r"min\(\s*1", r"(shorter|below|smaller|under) .{0,30}(unchanged|max_norm|threshold)", r"scal\w* up|always"],
      """
      def clip_gradients(grads, max_norm):
          norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
          scale = max_norm / norm if norm > 0 else 1.0
          return {k: g * scale for k, g in grads.items()}, norm
      """),
    E("clip_gradients", "returns-inputs", "wrong",
      "When no clipping is needed it returns the caller's dict and arrays themselves instead of new arrays (aliasing).",
      [r"(same|original|input) (arrays|dict|objects)", r"alias|shares? memory|copy", r"new (dict|arrays?)"],
      """
      def clip_gradients(grads, max_norm):
          norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
          if norm <= max_norm:
              return grads, norm
          return {k: g * (max_norm / norm) for k, g in grads.items()}, norm
      """),
    E("clip_gradients", "sum-of-norms", "wrong",
      "The global norm is taken as the sum of the arrays' norms instead of the square root of the sum of all squared entries.",
      [r"sum of (the )?(arrays'? )?norms", r"(square root|sqrt) of (the )?sum", r"squared (entries|norms)|global norm"],
      """
      def clip_gradients(grads, max_norm):
          norm = float(sum(np.linalg.norm(g) for g in grads.values()))
          scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
          return {k: g * scale for k, g in grads.items()}, norm
      """),
    E("clip_gradients", "concatenate", "correct",
      "Computes the global norm from one concatenated flat vector and scales with np.multiply into new arrays.",
      [],
      """
      def clip_gradients(grads, max_norm):
          flat = np.concatenate([np.asarray(g, dtype=np.float64).ravel() for g in grads.values()])
          norm = float(np.linalg.norm(flat))
          factor = 1.0 if norm <= max_norm else max_norm / norm
          return {name: np.multiply(np.asarray(g, dtype=np.float64), factor) for name, g in grads.items()}, norm
      """),
    E("path_weight_moments", "product-of-variances", "wrong",
      "The variance of the product is taken as the product of the factors' variances ((1 - pi)/pi)**j, which ignores the means (and gives 1 instead of 0 at lag 0).",
      [r"product of (the )?(factors'? )?variances", r"E\[w\^?2\]|second moment|mean of (the )?square", r"independen\w*.{0,40}(mean|moment)"],
      """
      def path_weight_moments(T, pi):
          lags = np.arange(T, dtype=float)
          inside = np.tril(np.ones((T, T)))
          return {"mean": inside, "var": inside * ((1.0 - pi) / pi) ** lags[None, :]}
      """),
    E("predicted_gradient_rate", "bound-with-rho", "wrong",
      "The bound multiplies the largest phi' by the spectral radius rho instead of the largest singular value sigma_max.",
      [r"sigma_max|singular value|2-?norm", r"\brho\b.{0,40}(instead|not|bound)|spectral radius.{0,40}(instead|not|bound)"],
      """
      def predicted_gradient_rate(W_hh, h_netIn, activation):
          dphi = (h_netIn > 0).astype(float) if activation == "relu" else 1.0 - np.tanh(h_netIn) ** 2
          sigma = float(np.linalg.norm(W_hh, 2))
          rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
          return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * rho,
                  "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
      """),
]
