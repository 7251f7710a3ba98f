"""Blind set 2026-12b, notebook 01 (MLP backprop): student answers for the nine graded functions.

Written from the student notebook, the instructor solutions and docs/math.md only (no grader
code, tests, tools or benchmark sets were read). Each entry is a whole function as a student
would write it, with one realistic mistake ("wrong") or none ("correct"). Every entry was
checked numerically against the reference by verify.py.
"""

ENTRIES = [
    # ------------------------------------------------------------------ dz_netAct
    dict(
        id="dz_netAct-colon-fancy-index",
        unit="dz_netAct",
        kind="wrong",
        cause="Indexes with grad[:, y] (outer indexing) instead of grad[np.arange(N), y], so every row gets a "
              "nonzero entry -1/(N p[n, y_m]) at every class that appears among the labels, not only at its own "
              "label (correct only when N = 1 or all labels are equal).",
        cause_words=[r"\[\s*:\s*,\s*y\s*\]", r"np\.arange\(N\)", r"every class (that )?(appear|present)", r"outer index"],
        source='''def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    grad = np.zeros_like(z_netAct)
    grad[:, y] = -1.0 / (N * z_netAct[:, y])
    return grad
''',
    ),
    dict(
        id="dz_netAct-precedence-times-p",
        unit="dz_netAct",
        kind="wrong",
        cause="Operator precedence: writes -1 / N * p, which is -p/N, instead of -1 / (N * p) at the target entries.",
        cause_words=[r"preceden", r"-\s*p\s*/\s*N", r"paren", r"multipl\w* by (the )?(target )?probab"],
        source='''def dz_netAct(z_netAct, y):
    N = len(y)
    grad = np.zeros(z_netAct.shape)
    grad[np.arange(N), y] = -1 / N * z_netAct[np.arange(N), y]
    return grad
''',
    ),
    dict(
        id="dz_netAct-divides-by-size",
        unit="dz_netAct",
        kind="wrong",
        cause="Normalizes by z_netAct.size = N*C entries instead of by the N rows, so the target entries are C "
              "times too small.",
        cause_words=[r"\.size", r"N\s*[*·x×]\s*C", r"factor (of )?C\b|1/C\b|divid\w* by C\b", r"number of (entries|elements)"],
        source='''def dz_netAct(z_netAct, y):
    rows = np.arange(len(y))
    grad = np.zeros(z_netAct.shape)
    grad[rows, y] = -1.0 / (z_netAct.size * z_netAct[rows, y])
    return grad
''',
    ),
    dict(
        id="dz_netAct-onehot-over-all-entries",
        unit="dz_netAct",
        kind="wrong",
        cause="Computes -one_hot(y) / (N * z_netAct) over the whole array, so an entry the loss does not read whose "
              "probability is exactly 0 gives 0/0 = nan with a NumPy warning (edge case only; right otherwise).",
        cause_words=[r"0\s*/\s*0", r"\bnan\b", r"(probabilit\w*|entr\w*) (is |are )?(exactly )?(0|zero)", r"divi\w* by zero"],
        source='''def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    return -one_hot(y, C) / (N * z_netAct)
''',
    ),
    dict(
        id="dz_netAct-loop-rows-b",
        unit="dz_netAct",
        kind="correct",
        cause="Correct: fills the one nonzero entry of each row in an explicit loop over the rows.",
        cause_words=[],
        source='''def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    grad = np.zeros((N, C))
    for n in range(N):
        c = int(y[n])
        grad[n, c] = -1.0 / (N * z_netAct[n, c])
    return grad
''',
    ),
    # ------------------------------------------------------------------ dz_netIn
    dict(
        id="dz_netIn-inner-sum-over-batch-b",
        unit="dz_netIn",
        kind="wrong",
        cause="The inner product sum_j g_j p_j is taken over axis 0 (the batch) instead of axis 1 (the classes of "
              "each row), giving a (1, C) array that is broadcast over the rows.",
        cause_words=[r"axis\s*=?\s*0", r"over the (batch|rows)", r"instead of (over )?(the )?(class|axis\s*=?\s*1)"],
        source='''def dz_netIn(dz_netAct, z_netAct):
    s = np.sum(dz_netAct * z_netAct, axis=0, keepdims=True)
    return z_netAct * (dz_netAct - s)
''',
    ),
    dict(
        id="dz_netIn-inner-sum-unweighted",
        unit="dz_netIn",
        kind="wrong",
        cause="The row sum omits the factor p: it subtracts sum_j g_j instead of sum_j g_j p_j from g before "
              "multiplying by p.",
        cause_words=[r"without (the )?(weight|factor|p\b)", r"sum_j g_j(?! p)", r"unweighted", r"(miss|omit|forg)\w* (the )?(factor |weight )?(p|z_netAct|probabilit)"],
        source='''def dz_netIn(dz_netAct, z_netAct):
    s = dz_netAct.sum(axis=1, keepdims=True)
    return z_netAct * (dz_netAct - s)
''',
    ),
    dict(
        id="dz_netIn-recovers-labels",
        unit="dz_netIn",
        kind="wrong",
        cause="Assumes the upstream gradient is the cross-entropy one: recovers the labels with argmin(dz_netAct) "
              "and returns (p - one_hot(y)) / N, which is wrong for any other gradient from above (right only for "
              "step 1's gradient).",
        cause_words=[r"argmin", r"labels?.{0,30}(recover|infer|read off|guess)|(recover|infer|guess)\w*.{0,30}labels?", r"cross.?entropy (form|gradient|special)", r"any (other )?(upstream )?gradient"],
        source='''def dz_netIn(dz_netAct, z_netAct):
    # dz_netAct is -1/(N p) at the true class and 0 elsewhere: read the labels off it
    N, C = z_netAct.shape
    y = np.argmin(dz_netAct, axis=1)
    return (z_netAct - one_hot(y, C)) / N
''',
    ),
    dict(
        id="dz_netIn-full-jacobian-einsum",
        unit="dz_netIn",
        kind="correct",
        cause="Correct: builds the (N, C, C) softmax Jacobian p_i(delta_ij - p_j) with einsum and contracts it "
              "with the upstream gradient.",
        cause_words=[],
        source='''def dz_netIn(dz_netAct, z_netAct):
    N, C = z_netAct.shape
    J = np.einsum("ni,ij->nij", z_netAct, np.eye(C)) - np.einsum("ni,nj->nij", z_netAct, z_netAct)
    return np.einsum("nij,nj->ni", J, dz_netAct)
''',
    ),
    # ------------------------------------------------------------------ dz_wts
    dict(
        id="dz_wts-half-reg",
        unit="dz_wts",
        kind="wrong",
        cause="The regularization term is 0.5 * reg * z_wts (the 1/2 of the loss copied into the derivative) "
              "instead of reg * z_wts; wrong only when reg != 0.",
        cause_words=[r"0\.5\s*\*\s*reg", r"half", r"1/2", r"factor (of )?2"],
        source='''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn + 0.5 * reg * z_wts
''',
    ),
    dict(
        id="dz_wts-averages-over-batch",
        unit="dz_wts",
        kind="wrong",
        cause="Divides the data term y_netAct.T @ dz_netIn by N although the 1/N of the mean loss is already in "
              "dz_netIn (averages twice).",
        cause_words=[r"divid\w* by N", r"/\s*N\b", r"(averag|divid)\w* (twice|again)", r"1/N.{0,40}already"],
        source='''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    N = dz_netIn.shape[0]
    return (y_netAct.T @ dz_netIn) / N + reg * z_wts
''',
    ),
    dict(
        id="dz_wts-l1-sign",
        unit="dz_wts",
        kind="wrong",
        cause="Uses reg * sign(z_wts), the derivative of an L1 penalty, instead of reg * z_wts for the L2 term.",
        cause_words=[r"np\.sign|sign\(z_wts\)|sign of (the )?weights", r"\bL1\b", r"absolute"],
        source='''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn + reg * np.sign(z_wts)
''',
    ),
    dict(
        id="dz_wts-einsum-b",
        unit="dz_wts",
        kind="correct",
        cause="Correct: the sum over the batch written as einsum('nh,nc->hc').",
        cause_words=[],
        source='''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return np.einsum("nh,nc->hc", y_netAct, dz_netIn) + reg * z_wts
''',
    ),
    # ------------------------------------------------------------------ dz_b
    dict(
        id="dz_b-mean-over-batch",
        unit="dz_b",
        kind="wrong",
        cause="Averages dz_netIn over the batch (np.mean, axis 0) instead of summing, dividing the bias gradient "
              "by N a second time.",
        cause_words=[r"np\.mean|mean (over|of) the batch|instead of (the )?sum", r"averag", r"divid\w* by N"],
        source='''def dz_b(dz_netIn):
    return np.mean(dz_netIn, axis=0)
''',
    ),
    dict(
        id="dz_b-keepdims-row",
        unit="dz_b",
        kind="wrong",
        cause="Sums with keepdims=True and returns shape (1, C) instead of (C,).",
        cause_words=[r"keepdims", r"\(1,\s*C\)", r"\(1,\s*\d+\)"],
        source='''def dz_b(dz_netIn):
    return np.sum(dz_netIn, axis=0, keepdims=True)
''',
    ),
    # ------------------------------------------------------------------ dy_netAct
    dict(
        id="dy_netAct-transposed-result-b",
        unit="dy_netAct",
        kind="wrong",
        cause="Returns z_wts @ dz_netIn.T, the transpose (H, N) of the gradient, instead of dz_netIn @ z_wts.T (N, H).",
        cause_words=[r"\(H,\s*N\)", r"z_wts\s*@\s*dz_netIn\.T", r"transpos\w* (of the )?(result|output|gradient)"],
        source='''def dy_netAct(dz_netIn, z_wts):
    return z_wts @ dz_netIn.T
''',
    ),
    dict(
        id="dy_netAct-pseudo-inverse",
        unit="dy_netAct",
        kind="wrong",
        cause="Goes back through z_wts with its pseudo-inverse (np.linalg.pinv) instead of its transpose; the "
              "shape (N, H) is right, the values are not.",
        cause_words=[r"pinv", r"(pseudo.?)?inverse"],
        source='''def dy_netAct(dz_netIn, z_wts):
    # undo the forward product y_netAct @ z_wts
    return dz_netIn @ np.linalg.pinv(z_wts)
''',
    ),
    # ------------------------------------------------------------------ dy_netIn
    dict(
        id="dy_netIn-times-relu-output",
        unit="dy_netIn",
        kind="wrong",
        cause="Multiplies the gradient by the ReLU's value max(y_netIn, 0) instead of its derivative, the "
              "indicator y_netIn > 0.",
        cause_words=[r"max(imum)?\(y_netIn", r"value of the relu|relu('s)? (value|output)", r"instead of (its |the )?(derivative|indicator|step|mask)"],
        source='''def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * np.maximum(y_netIn, 0)
''',
    ),
    dict(
        id="dy_netIn-sign-mask",
        unit="dy_netIn",
        kind="wrong",
        cause="Uses np.sign(y_netIn) as the derivative, which is -1 (not 0) for negative pre-activations, so the "
              "gradient of inactive units is negated instead of blocked.",
        cause_words=[r"np\.sign|sign\(y_netIn\)", r"-1 (for|at|where) (the )?negative", r"negat\w* (instead|rather)"],
        source='''def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * np.sign(y_netIn)
''',
    ),
    dict(
        id="dy_netIn-threshold-1e-6",
        unit="dy_netIn",
        kind="wrong",
        cause="Tests y_netIn > 1e-6 instead of y_netIn > 0, so positive pre-activations within 1e-6 of 0 get "
              "derivative 0 (edge case only: pre-activations just above the kink).",
        cause_words=[r"1e-6", r"threshold", r"tolerance", r"(just|slightly) (above|positive)|near (the kink|0|zero)"],
        source='''def dy_netIn(dy_netAct, y_netIn):
    active = y_netIn > 1e-6          # stay clear of the kink
    return dy_netAct * active
''',
    ),
    dict(
        id="dy_netIn-where-b",
        unit="dy_netIn",
        kind="correct",
        cause="Correct: np.where(y_netIn > 0, dy_netAct, 0.0).",
        cause_words=[],
        source='''def dy_netIn(dy_netAct, y_netIn):
    return np.where(y_netIn > 0, dy_netAct, 0.0)
''',
    ),
    # ------------------------------------------------------------------ dy_wts
    dict(
        id="dy_wts-no-reg",
        unit="dy_wts",
        kind="wrong",
        cause="Leaves out the regularization term reg * y_wts (wrong only when reg != 0).",
        cause_words=[r"regulari[sz]", r"reg\s*\*\s*y_wts"],
        source='''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return X.T @ dy_netIn
''',
    ),
    dict(
        id="dy_wts-double-reg",
        unit="dy_wts",
        kind="wrong",
        cause="The regularization term is 2 * reg * y_wts (derivative of reg * w**2, forgetting the 1/2 of the "
              "loss) instead of reg * y_wts; wrong only when reg != 0.",
        cause_words=[r"2\s*\*\s*reg", r"twice", r"factor (of )?2", r"1/2"],
        source='''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return X.T @ dy_netIn + 2 * reg * y_wts
''',
    ),
    dict(
        id="dy_wts-outer-loop",
        unit="dy_wts",
        kind="correct",
        cause="Correct: sums one outer product np.outer(X[n], dy_netIn[n]) per row, starting from reg * y_wts.",
        cause_words=[],
        source='''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    grad = reg * y_wts
    for n in range(X.shape[0]):
        grad = grad + np.outer(X[n], dy_netIn[n])
    return grad
''',
    ),
    # ------------------------------------------------------------------ dy_b
    dict(
        id="dy_b-sum-last-axis",
        unit="dy_b",
        kind="wrong",
        cause="Sums over the last axis (the hidden units, axis=-1) instead of the batch axis 0, returning shape (N,).",
        cause_words=[r"axis\s*=?\s*-1", r"axis\s*=?\s*1", r"\(N,\)", r"hidden (units|axis)"],
        source='''def dy_b(dy_netIn):
    return np.sum(dy_netIn, axis=-1)
''',
    ),
    dict(
        id="dy_b-first-row",
        unit="dy_b",
        kind="wrong",
        cause="Returns the first row dy_netIn[0] instead of the sum over all N rows (right only when N = 1).",
        cause_words=[r"first row", r"dy_netIn\[0\]", r"one (row|example|sample)", r"only (the )?first"],
        source='''def dy_b(dy_netIn):
    return dy_netIn[0]
''',
    ),
    # ------------------------------------------------------------------ mlp_backward
    dict(
        id="mlp_backward-dz_wts-from-netIn",
        unit="mlp_backward",
        kind="wrong",
        cause="Passes cache['y_netIn'] (the pre-ReLU values) to dz_wts as the layer's input instead of "
              "cache['y_netAct'], so z_wts' gradient is wrong wherever a pre-activation is negative.",
        cause_words=[r"y_netIn.{0,40}dz_wts|dz_wts.{0,40}y_netIn", r"pre.?(relu|activation)s? (instead|rather)", r"instead of (cache\[.)?y_netAct"],
        source='''def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netIn"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_in),
    }
''',
    ),
    dict(
        id="mlp_backward-hidden-reg-missing",
        unit="mlp_backward",
        kind="wrong",
        cause="Calls dy_wts without reg (the default 0), so the hidden weights' gradient lacks reg * y_wts; "
              "wrong only when reg != 0.",
        cause_words=[r"reg\w*.{0,40}(y_wts|hidden)|(y_wts|hidden).{0,40}reg", r"dy_wts.{0,30}(without|no|missing) reg"],
        source='''def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    grads = {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in)}
    g_y_in = dy_netIn(dy_netAct(g_z_in, params["z_wts"]), cache["y_netIn"])
    grads["y_wts"] = dy_wts(g_y_in, cache["X"], params["y_wts"])
    grads["y_b"] = dy_b(g_y_in)
    return grads
''',
    ),
    dict(
        id="mlp_backward-skips-softmax-rule",
        unit="mlp_backward",
        kind="wrong",
        cause="Never calls dz_netIn: the gradient at the probabilities dz_netAct is used as if it were the "
              "gradient at the logits z_netIn for every later rule.",
        cause_words=[r"(never|not|without|skip\w*|miss\w*) (call\w* )?dz_netIn|dz_netIn.{0,30}(never|not) called", r"(through|past) the softmax|softmax (rule|step).{0,30}(skip|miss)", r"dz_netAct.{0,40}(as|instead of).{0,30}(dz_netIn|logits)"],
        source='''def mlp_backward(y, params, cache, reg=0.0):
    g_out = dz_netAct(cache["z_netAct"], y)
    g_hidden = dy_netIn(dy_netAct(g_out, params["z_wts"]), cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_out, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_out),
        "y_wts": dy_wts(g_hidden, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_hidden),
    }
''',
    ),
    dict(
        id="mlp_backward-hidden-from-dz_netAct",
        unit="mlp_backward",
        kind="wrong",
        cause="The hidden path starts from the wrong array: dy_netAct receives dz_netAct (gradient at the "
              "probabilities) instead of dz_netIn, so y_wts and y_b are wrong while z_wts and z_b are right.",
        cause_words=[r"dy_netAct\(\s*g_z_act|dy_netAct.{0,40}(dz_netAct|probabilit)", r"hidden (path|layer).{0,60}(dz_netAct|probabilit)"],
        source='''def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_act, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_in),
    }
''',
    ),
    dict(
        id="mlp_backward-regularizes-biases",
        unit="mlp_backward",
        kind="wrong",
        cause="Adds reg * z_b and reg * y_b to the bias gradients, although the loss regularizes only the two "
              "weight matrices; wrong only when reg != 0.",
        cause_words=[r"bias\w*.{0,40}reg|reg\w*.{0,40}bias", r"reg\s*\*\s*params\[.(z_b|y_b)"],
        source='''def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in) + reg * params["z_b"],
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_in) + reg * params["y_b"],
    }
''',
    ),
    dict(
        id="mlp_backward-grads-alias-params",
        unit="mlp_backward",
        kind="wrong",
        cause="Writes the gradients into the params dict it received (grads = params is an alias, not a copy), "
              "so the returned values are right but the caller's params now hold gradients instead of weights.",
        cause_words=[r"alias", r"grads\s*=\s*params", r"(modif|chang|overwr|mutat)\w* (the )?(input |caller'?s? )?params", r"in.?place"],
        source='''def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    grads = params                      # same keys as params
    grads["z_wts"] = dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg)
    grads["z_b"] = dz_b(g_z_in)
    grads["y_wts"] = dy_wts(g_y_in, cache["X"], params["y_wts"], reg)
    grads["y_b"] = dy_b(g_y_in)
    return grads
''',
    ),
    dict(
        id="mlp_backward-mask-from-activation",
        unit="mlp_backward",
        kind="correct",
        cause="Correct: hands cache['y_netAct'] to dy_netIn (max(u, 0) > 0 exactly when u > 0, so the ReLU mask "
              "is the same) and collects the bias gradients first.",
        cause_words=[],
        source='''def mlp_backward(y, params, cache, reg=0.0):
    top = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    hidden = dy_netIn(dy_netAct(top, params["z_wts"]), cache["y_netAct"])
    grads = {"z_b": dz_b(top), "y_b": dy_b(hidden)}
    grads["y_wts"] = dy_wts(hidden, cache["X"], params["y_wts"], reg)
    grads["z_wts"] = dz_wts(top, cache["y_netAct"], params["z_wts"], reg)
    return grads
''',
    ),
]
