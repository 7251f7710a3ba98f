"""Blind answers for notebook 01 (MLP): one entry per answer, written as a student would.

Each entry: id, unit, kind ("wrong" or "correct"), cause (one sentence), cause_words
(regular expressions; any one of them in the unit's feedback shows the cause was named),
source (the student's whole function, replacing the unit's function in its solution cell).
"""

ENTRIES = [
    # ---- dz_netAct -------------------------------------------------------------------
    dict(
        id="dz_netAct-no-batch-mean",
        unit="dz_netAct",
        kind="wrong",
        cause="The 1/N of the batch mean is missing: the true-class entry is -1/p instead of -1/(N p).",
        cause_words=[r"1/N|\bby N\b", r"mean|averag", r"batch size|number of (rows|examples)"],
        source='''
def dz_netAct(z_netAct, y):
    grad = np.zeros_like(z_netAct)
    idx = np.arange(z_netAct.shape[0])
    grad[idx, y] = -1.0 / z_netAct[idx, y]
    return grad
''',
    ),
    dict(
        id="dz_netAct-sign-flipped",
        unit="dz_netAct",
        kind="wrong",
        cause="The minus sign of the derivative of -log p is dropped: the true-class entry is +1/(N p).",
        cause_words=[r"\bsign", r"negat|minus|opposite"],
        source='''
def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    grad = np.zeros(z_netAct.shape)
    grad[range(N), y] = 1.0 / (N * z_netAct[range(N), y])
    return grad
''',
    ),
    dict(
        id="dz_netAct-aliases-input",
        unit="dz_netAct",
        kind="wrong",
        cause="grad = z_netAct is an alias, not a copy: the input probabilities are overwritten (zeroed) although the returned values are right.",
        cause_words=[r"in[- ]place", r"modif|overwr|mutat|chang\w* (the|its|your) (input|argument)", r"alias|copy"],
        source='''
def dz_netAct(z_netAct, y):
    N = len(y)
    p_true = z_netAct[np.arange(N), y].copy()
    grad = z_netAct
    grad[:] = 0.0
    grad[np.arange(N), y] = -1.0 / (N * p_true)
    return grad
''',
    ),
    dict(
        id="dz_netAct-one-hot-division",
        unit="dz_netAct",
        # Written as correct; it is not: the contract's z_netAct are softmax probabilities, which may be
        # exactly 0 where the loss does not read them (underflow), and there this divides 0 by 0.
        kind="wrong",
        cause="-one_hot(y, C) / (N * z_netAct) divides every entry by z_netAct: 0/0 = nan (with a warning) "
              "where a probability the loss does not read is exactly 0.",
        cause_words=[r"invalid value encountered in divide", r"division by zero"],
        source='''
def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    E = one_hot(y, C)
    return -E / (N * z_netAct)
''',
    ),
    # ---- dz_netIn --------------------------------------------------------------------
    dict(
        id="dz_netIn-notes-broadcast-true-class",
        unit="dz_netIn",
        kind="wrong",
        cause=(
            "Follows the notes' dz_netAct * (one_hot - z_netAct) with the row's true-class value broadcast over the row, "
            "which is (p - E)/(N p_y): the right gradient divided by the true-class probability."
        ),
        cause_words=[r"notes'?", r"true[- ]class probabilit", r"divid\w* by (the )?(p\b|p_y|z_netAct|probabilit)"],
        source='''
def dz_netIn(dz_netAct, z_netAct):
    # notes: dz_netIn = dz_netAct * (one_hot - z_netAct)
    E = (dz_netAct != 0).astype(float)
    g = np.sum(dz_netAct, axis=1, keepdims=True)   # the true-class value of each row
    return g * (E - z_netAct)
''',
    ),
    dict(
        id="dz_netIn-inner-sum-of-p",
        unit="dz_netIn",
        kind="wrong",
        cause="The inner sum is taken over the probabilities alone (sum_c p_c = 1) instead of over dz_netAct * z_netAct.",
        cause_words=[r"inner (sum|product)", r"dz_netAct ?\* ?z_netAct", r"sum of (the )?probabilit|sums? to (1|one)"],
        source='''
def dz_netIn(dz_netAct, z_netAct):
    s = np.sum(z_netAct, axis=1, keepdims=True)
    return z_netAct * (dz_netAct - s)
''',
    ),
    dict(
        id="dz_netIn-sign-flipped",
        unit="dz_netIn",
        kind="wrong",
        cause="The two terms are subtracted the wrong way round (p * (<g, p> - g)), so the result has the opposite sign.",
        cause_words=[r"\bsign", r"negat|opposite|wrong way round|reversed"],
        source='''
def dz_netIn(dz_netAct, z_netAct):
    inner = (dz_netAct * z_netAct).sum(axis=1)[:, None]
    return z_netAct * (inner - dz_netAct)
''',
    ),
    dict(
        id="dz_netIn-einsum-inner",
        unit="dz_netIn",
        kind="correct",
        cause="The row-wise inner product with einsum, then broadcasting with np.newaxis.",
        cause_words=[],
        source='''
def dz_netIn(dz_netAct, z_netAct):
    inner = np.einsum("nc,nc->n", dz_netAct, z_netAct)
    return z_netAct * dz_netAct - z_netAct * inner[:, np.newaxis]
''',
    ),
    # ---- dz_wts ----------------------------------------------------------------------
    dict(
        id="dz_wts-reg-halved",
        unit="dz_wts",
        kind="wrong",
        cause="The regularization derivative is taken as 0.5 * reg * z_wts (the 1/2 of the penalty kept) instead of reg * z_wts.",
        cause_words=[r"\breg", r"regulari[sz]", r"half|0\.5|1/2"],
        source='''
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    # loss has reg/2 * ||W||^2
    return y_netAct.T @ dz_netIn + reg / 2 * z_wts
''',
    ),
    dict(
        id="dz_wts-transposed-result",
        unit="dz_wts",
        kind="wrong",
        cause="Returns dz_netIn.T @ y_netAct + reg * z_wts.T, the transposed (C, H) array.",
        cause_words=[r"transpos", r"\(C, ?H\)", r"shape"],
        source='''
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return dz_netIn.T @ y_netAct + reg * z_wts.T
''',
    ),
    # ---- dz_b ------------------------------------------------------------------------
    dict(
        id="dz_b-keepdims",
        unit="dz_b",
        kind="wrong",
        cause="keepdims=True leaves a (1, C) array instead of the (C,) vector.",
        cause_words=[r"keepdims", r"\(1, ?C\)|two-dimensional|2-?d", r"shape"],
        source='''
def dz_b(dz_netIn):
    return np.sum(dz_netIn, axis=0, keepdims=True)
''',
    ),
    dict(
        id="dz_b-sum-everything",
        unit="dz_b",
        kind="wrong",
        cause="Sums over both axes (no axis argument), returning one number instead of one entry per class.",
        cause_words=[r"scalar|single number|one number", r"axis", r"shape"],
        source='''
def dz_b(dz_netIn):
    return np.sum(dz_netIn)
''',
    ),
    dict(
        id="dz_b-row-loop",
        unit="dz_b",
        kind="correct",
        cause="Adds the rows one by one in a Python loop.",
        cause_words=[],
        source='''
def dz_b(dz_netIn):
    total = np.zeros(dz_netIn.shape[1])
    for row in dz_netIn:
        total = total + row
    return total
''',
    ),
    # ---- dy_netAct -------------------------------------------------------------------
    dict(
        id="dy_netAct-divides-by-N",
        unit="dy_netAct",
        kind="wrong",
        cause="Divides by N again although dz_netIn already carries the 1/N of the mean.",
        cause_words=[r"1/N|\bby N\b", r"twice|again|too often|extra"],
        source='''
def dy_netAct(dz_netIn, z_wts):
    N = dz_netIn.shape[0]
    return (dz_netIn @ z_wts.T) / N
''',
    ),
    dict(
        id="dy_netAct-einsum",
        unit="dy_netAct",
        kind="correct",
        cause="einsum over the class index.",
        cause_words=[],
        source='''
def dy_netAct(dz_netIn, z_wts):
    return np.einsum("nc,hc->nh", dz_netIn, z_wts)
''',
    ),
    # ---- dy_netIn --------------------------------------------------------------------
    dict(
        id="dy_netIn-times-relu-value",
        unit="dy_netIn",
        kind="wrong",
        cause="Multiplies by the ReLU's value max(y_netIn, 0) instead of its derivative, the 0/1 mask y_netIn > 0.",
        cause_words=[r"derivative", r"mask|0/1|indicator|step function", r"value of the relu|relu'?s? (value|output)|max\(y_netIn"],
        source='''
def dy_netIn(dy_netAct, y_netIn):
    relu = np.maximum(y_netIn, 0)
    return dy_netAct * relu
''',
    ),
    dict(
        id="dy_netIn-zeroes-input-in-place",
        unit="dy_netIn",
        kind="wrong",
        cause="Zeroes the masked entries of dy_netAct in place and returns it, so the caller's upstream gradient is changed.",
        cause_words=[r"in[- ]place", r"modif|overwr|mutat|chang\w* (the|its|your) (input|argument)", r"copy"],
        source='''
def dy_netIn(dy_netAct, y_netIn):
    dy_netAct[y_netIn <= 0] = 0.0
    return dy_netAct
''',
    ),
    dict(
        id="dy_netIn-copy-then-zero",
        unit="dy_netIn",
        kind="correct",
        cause="Copies the upstream gradient, then zeroes the entries where y_netIn <= 0.",
        cause_words=[],
        source='''
def dy_netIn(dy_netAct, y_netIn):
    out = np.array(dy_netAct, dtype=np.float64, copy=True)
    out[y_netIn <= 0] = 0.0
    return out
''',
    ),
    # ---- dy_wts ----------------------------------------------------------------------
    dict(
        id="dy_wts-reg-doubled",
        unit="dy_wts",
        kind="wrong",
        cause="Differentiates the penalty as if it were reg * ||W||^2, adding 2 * reg * y_wts instead of reg * y_wts.",
        cause_words=[r"2 ?\* ?reg|twice|double|factor (of )?2", r"\breg"],
        source='''
def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return X.T @ dy_netIn + 2 * reg * y_wts
''',
    ),
    dict(
        id="dy_wts-reg-subtracted",
        unit="dy_wts",
        kind="wrong",
        cause="The regularization term is subtracted (- reg * y_wts) instead of added.",
        cause_words=[r"\bsign", r"subtract|minus|opposite"],
        source='''
def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    grad = np.dot(X.T, dy_netIn)
    grad -= reg * y_wts
    return grad
''',
    ),
    # ---- dy_b ------------------------------------------------------------------------
    dict(
        id="dy_b-first-row-only",
        unit="dy_b",
        kind="wrong",
        cause="Returns the first example's row dy_netIn[0] instead of the sum over all rows of the batch.",
        cause_words=[r"first (row|example)", r"only one (row|example)", r"sum\w* over (all )?(the )?(rows|batch|examples)"],
        source='''
def dy_b(dy_netIn):
    return dy_netIn[0]
''',
    ),
    dict(
        id="dy_b-mean-over-batch",
        unit="dy_b",
        kind="wrong",
        cause="Averages the rows (np.mean) instead of summing them; dy_netIn already carries the 1/N.",
        cause_words=[r"mean|averag", r"1/N|\bby N\b"],
        source='''
def dy_b(dy_netIn):
    return np.mean(dy_netIn, axis=0)
''',
    ),
    dict(
        id="dy_b-einsum",
        unit="dy_b",
        kind="correct",
        cause="einsum that drops the batch index.",
        cause_words=[],
        source='''
def dy_b(dy_netIn):
    return np.einsum("nh->h", dy_netIn)
''',
    ),
    # ---- mlp_backward ----------------------------------------------------------------
    dict(
        id="mlp_backward-pre-activations-to-dz_wts",
        unit="mlp_backward",
        kind="wrong",
        cause="dz_wts is given the hidden pre-activations y_netIn where the ReLU outputs y_netAct (the layer's input) belong.",
        cause_words=[r"y_netIn", r"pre-?activation|before the relu"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    g_out = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_hid = dy_netIn(dy_netAct(g_out, params["z_wts"]), cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_out, cache["y_netIn"], params["z_wts"], reg),
        "z_b": dz_b(g_out),
        "y_wts": dy_wts(g_hid, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_hid),
    }
''',
    ),
    dict(
        id="mlp_backward-reg-only-output-layer",
        unit="mlp_backward",
        kind="wrong",
        cause="reg is passed to dz_wts but not to dy_wts, so the hidden weights' regularization term is missing.",
        cause_words=[r"\breg", r"regulari[sz]"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    d_probs = dz_netAct(cache["z_netAct"], y)
    d_logits = dz_netIn(d_probs, cache["z_netAct"])
    d_hidden = dy_netIn(dy_netAct(d_logits, params["z_wts"]), cache["y_netIn"])
    grads = {}
    grads["z_wts"] = dz_wts(d_logits, cache["y_netAct"], params["z_wts"], reg)
    grads["z_b"] = dz_b(d_logits)
    grads["y_wts"] = dy_wts(d_hidden, cache["X"], params["y_wts"])
    grads["y_b"] = dy_b(d_hidden)
    return grads
''',
    ),
    dict(
        id="mlp_backward-bias-keys-swapped",
        unit="mlp_backward",
        kind="wrong",
        cause="The two bias gradients are stored under each other's keys: z_b gets the hidden bias gradient and y_b the output bias gradient.",
        cause_words=[r"swap|exchang|each other|mixed up", r"\bkeys?\b"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_in = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_y_in = dy_netIn(dy_netAct(g_z_in, params["z_wts"]), cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "y_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg),
        "z_b": dy_b(g_y_in),
    }
''',
    ),
    dict(
        id="mlp_backward-divides-by-N-again",
        unit="mlp_backward",
        kind="wrong",
        cause="Every gradient is divided by N at the end, although dz_netAct already holds the 1/N of the mean (and reg * W must not be divided).",
        cause_words=[r"1/N|\bby N\b", r"twice|again|too often|extra"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    N = cache["X"].shape[0]
    g_z_in = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_y_in = dy_netIn(dy_netAct(g_z_in, params["z_wts"]), cache["y_netIn"])
    grads = {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_in),
    }
    # average over the batch
    return {name: g / N for name, g in grads.items()}
''',
    ),
    dict(
        id="mlp_backward-probabilities-into-dy_netAct",
        unit="mlp_backward",
        kind="wrong",
        cause="dy_netAct is given the softmax output z_netAct where the gradient at the logits, dz_netIn, belongs.",
        cause_words=[r"z_netAct", r"probabilit|softmax output"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_in = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_y_act = dy_netAct(cache["z_netAct"], params["z_wts"])
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
        id="mlp_backward-update-and-names",
        unit="mlp_backward",
        kind="correct",
        cause="One 'upstream' variable reused for both layers, the dict filled with tuple assignment and dict.update.",
        cause_words=[],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    grads = dict()
    upstream = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    grads["z_wts"], grads["z_b"] = dz_wts(upstream, cache["y_netAct"], params["z_wts"], reg), dz_b(upstream)
    upstream = dy_netIn(dy_netAct(upstream, params["z_wts"]), cache["y_netIn"])
    grads.update(y_wts=dy_wts(upstream, cache["X"], params["y_wts"], reg), y_b=dy_b(upstream))
    return grads
''',
    ),
]
