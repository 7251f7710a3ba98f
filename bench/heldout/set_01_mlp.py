"""Held-out answers for notebook 01 (MLP): one entry per answer, written as a student would.

Each entry: id, unit, kind ("wrong" or "correct"), cause (one sentence), cause_words
(regular expressions; any one of them in the unit's feedback shows the cause was named),
source (the student's whole function, replacing the unit's function in its solution cell).
"""

ENTRIES = [
    # ---- dz_netAct -------------------------------------------------------------------
    dict(
        id="dz_netAct-n-from-classes",
        unit="dz_netAct",
        kind="wrong",
        cause="N is taken from the number of classes (shape[1]) instead of the number of rows.",
        cause_words=[r"class(es)?\b", r"shape\[1\]", r"batch size|number of (rows|examples)"],
        source='''
def dz_netAct(z_netAct, y):
    N = z_netAct.shape[1]
    grad = np.zeros(z_netAct.shape)
    grad[np.arange(len(y)), y] = -1.0 / (N * z_netAct[np.arange(len(y)), y])
    return grad
''',
    ),
    dict(
        id="dz_netAct-notes-every-entry",
        unit="dz_netAct",
        kind="wrong",
        cause="The notes' expression is applied to every class, not only the true class (zero elsewhere).",
        cause_words=[r"true class", r"every (entry|class)|all (entries|classes)", r"(should|must) be (0|zero)|zero (at|for|elsewhere)|non-?zero"],
        source='''
def dz_netAct(z_netAct, y):
    # lecture: dz_netAct = -1/(len(z_netAct)*z_netAct)
    return -1.0 / (len(z_netAct) * z_netAct)
''',
    ),
    dict(
        id="dz_netAct-column-indexing",
        unit="dz_netAct",
        kind="wrong",
        cause="grad[:, y] fills the true-class columns of every row, so rows get entries of other rows' labels (right only for N = 1).",
        cause_words=[r"\[:, ?y\]", r"other rows?|every row|each row|per row", r"one example|N ?= ?1|batch"],
        source='''
def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    grad = np.zeros_like(z_netAct)
    grad[:, y] = -1.0 / (N * z_netAct[:, y])
    return grad
''',
    ),
    dict(
        id="dz_netAct-loop-rows",
        unit="dz_netAct",
        kind="correct",
        cause="Row by row with a Python loop.",
        cause_words=[],
        source='''
def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    out = np.zeros((N, C), dtype=np.float64)
    for n in range(N):
        c = int(y[n])
        out[n, c] = -1.0 / (N * z_netAct[n, c])
    return out
''',
    ),
    # ---- dz_netIn --------------------------------------------------------------------
    dict(
        id="dz_netIn-sigmoid-diagonal",
        unit="dz_netIn",
        kind="wrong",
        cause="Only the diagonal of the softmax Jacobian is used (p(1-p), the sigmoid's derivative); the cross terms -p_i p_j are missing.",
        cause_words=[r"diagonal", r"sigmoid", r"cross[- ]terms?|off-diagonal|other (classes|outputs|entries)", r"jacobian"],
        source='''
def dz_netIn(dz_netAct, z_netAct):
    # d softmax / d z = p (1 - p)
    return dz_netAct * z_netAct * (1.0 - z_netAct)
''',
    ),
    dict(
        id="dz_netIn-inner-sum-over-batch",
        unit="dz_netIn",
        kind="wrong",
        cause="The inner sum <g, p> is taken over the batch axis (axis=0) instead of over the classes of each row.",
        cause_words=[r"axis", r"over the batch|over (the )?rows|per row|each row|columns?"],
        source='''
def dz_netIn(dz_netAct, z_netAct):
    s = np.sum(dz_netAct * z_netAct, axis=0, keepdims=True)
    return z_netAct * (dz_netAct - s)
''',
    ),
    dict(
        id="dz_netIn-explicit-jacobian",
        unit="dz_netIn",
        kind="correct",
        cause="Builds each row's Jacobian diag(p) - p p^T explicitly.",
        cause_words=[],
        source='''
def dz_netIn(dz_netAct, z_netAct):
    N, C = z_netAct.shape
    result = np.empty((N, C))
    for n in range(N):
        p = z_netAct[n]
        J = np.diag(p) - np.outer(p, p)      # J[j, i] = dp_j / dz_i
        result[n] = J.T @ dz_netAct[n]
    return result
''',
    ),
    # ---- dz_wts ----------------------------------------------------------------------
    dict(
        id="dz_wts-no-reg",
        unit="dz_wts",
        kind="wrong",
        cause="The derivative of the regularization term, reg * z_wts, is missing.",
        cause_words=[r"\breg", r"regulari[sz]"],
        source='''
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn
''',
    ),
    dict(
        id="dz_wts-adds-penalty-not-derivative",
        unit="dz_wts",
        kind="wrong",
        cause="Adds the penalty reg/2 * z_wts**2 itself instead of its derivative reg * z_wts.",
        cause_words=[r"\breg", r"regulari[sz]|penalty", r"squared|\*\*\s*2|derivative of"],
        source='''
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn + 0.5 * reg * z_wts ** 2
''',
    ),
    dict(
        id="dz_wts-einsum",
        unit="dz_wts",
        kind="correct",
        cause="einsum over the batch index.",
        cause_words=[],
        source='''
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    data = np.einsum("nh,nc->hc", y_netAct, dz_netIn)
    return data + reg * z_wts
''',
    ),
    # ---- dz_b ------------------------------------------------------------------------
    dict(
        id="dz_b-mean",
        unit="dz_b",
        kind="wrong",
        cause="Averages over the batch instead of summing (the 1/N is already in dz_netIn).",
        cause_words=[r"mean|averag", r"divid(es|ed)? by N|1/N|sum"],
        source='''
def dz_b(dz_netIn):
    return dz_netIn.mean(axis=0)
''',
    ),
    # ---- dy_netAct -------------------------------------------------------------------
    dict(
        id="dy_netAct-transposed-result",
        unit="dy_netAct",
        kind="wrong",
        cause="Returns z_wts @ dz_netIn.T, the transposed (H, N) array.",
        cause_words=[r"shape", r"transpos", r"\(H, ?N\)"],
        source='''
def dy_netAct(dz_netIn, z_wts):
    return z_wts @ dz_netIn.T
''',
    ),
    dict(
        id="dy_netAct-np-dot",
        unit="dy_netAct",
        kind="correct",
        cause="np.dot instead of @.",
        cause_words=[],
        source='''
def dy_netAct(dz_netIn, z_wts):
    return np.dot(dz_netIn, np.transpose(z_wts))
''',
    ),
    # ---- dy_netIn --------------------------------------------------------------------
    dict(
        id="dy_netIn-kink-passes",
        unit="dy_netIn",
        kind="wrong",
        cause="The mask y_netIn >= 0 passes the gradient at exactly 0, where the convention says the derivative is 0.",
        cause_words=[r"kink", r"(at|exactly|equal to) (0|zero)", r">=|strict"],
        source='''
def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * (y_netIn >= 0)
''',
    ),
    dict(
        id="dy_netIn-relu-of-gradient",
        unit="dy_netIn",
        kind="wrong",
        cause="Applies the ReLU to the incoming gradient (np.maximum(dy_netAct, 0)) instead of masking with the sign of y_netIn.",
        cause_words=[
            r"sign of (the )?(incoming )?gradient|gradient'?s sign",
            r"on the gradient|of the gradient|dy_netAct",
            r"y_netIn|wrong (quantity|array)",
        ],
        source='''
def dy_netIn(dy_netAct, y_netIn):
    return np.maximum(dy_netAct, 0.0)
''',
    ),
    dict(
        id="dy_netIn-where",
        unit="dy_netIn",
        kind="correct",
        cause="np.where instead of a boolean product.",
        cause_words=[],
        source='''
def dy_netIn(dy_netAct, y_netIn):
    return np.where(y_netIn > 0, dy_netAct, 0.0)
''',
    ),
    # ---- dy_wts ----------------------------------------------------------------------
    dict(
        id="dy_wts-divides-by-N",
        unit="dy_wts",
        kind="wrong",
        cause="Divides the data term by N again although dy_netIn already carries the 1/N of the mean.",
        cause_words=[r"\bN\b", r"1/N|divid|twice|normali[sz]"],
        source='''
def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    N = X.shape[0]
    return X.T @ dy_netIn / N + reg * y_wts
''',
    ),
    dict(
        id="dy_wts-sums-rows-first",
        unit="dy_wts",
        kind="wrong",
        cause=(
            "Sums X and dy_netIn over the batch before multiplying (an outer product of row sums), which mixes different "
            "examples; right only for N = 1."
        ),
        cause_words=[r"outer", r"rows?|examples?|batch", r"N ?= ?1|mix|cross"],
        source='''
def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return np.outer(X.sum(axis=0), dy_netIn.sum(axis=0)) + reg * y_wts
''',
    ),
    # ---- dy_b ------------------------------------------------------------------------
    dict(
        id="dy_b-wrong-axis",
        unit="dy_b",
        kind="wrong",
        cause="Sums over the hidden units (axis=1) instead of over the batch, giving shape (N,).",
        cause_words=[r"axis", r"shape|\(N,\)", r"over the batch|hidden units"],
        source='''
def dy_b(dy_netIn):
    return np.sum(dy_netIn, axis=1)
''',
    ),
    dict(
        id="dy_b-ones-product",
        unit="dy_b",
        kind="correct",
        cause="Sum over rows as a product with a vector of ones.",
        cause_words=[],
        source='''
def dy_b(dy_netIn):
    ones = np.ones(dy_netIn.shape[0])
    return ones @ dy_netIn
''',
    ),
    # ---- mlp_backward ----------------------------------------------------------------
    dict(
        id="mlp_backward-reg-twice",
        unit="mlp_backward",
        kind="wrong",
        cause="reg is passed to dz_wts/dy_wts and reg * W is added again, so the regularization term counts twice.",
        cause_words=[r"twice|double|two times", r"\breg.*(again|both)"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    grads = {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_in),
    }
    # L2 regularization
    grads["z_wts"] = grads["z_wts"] + reg * params["z_wts"]
    grads["y_wts"] = grads["y_wts"] + reg * params["y_wts"]
    return grads
''',
    ),
    dict(
        id="mlp_backward-reg-dropped",
        unit="mlp_backward",
        kind="wrong",
        cause="reg is never passed to dz_wts and dy_wts (their default 0 is used), so the regularization term is missing.",
        cause_words=[r"\breg", r"regulari[sz]"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"]),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"]),
        "y_b": dy_b(g_y_in),
    }
''',
    ),
    dict(
        id="mlp_backward-skips-softmax-for-hidden",
        unit="mlp_backward",
        kind="wrong",
        cause=(
            "dy_netAct receives dz_netAct (the gradient at the probabilities) instead of dz_netIn, skipping the softmax on "
            "the way to the hidden layer."
        ),
        cause_words=[r"dz_netAct", r"softmax", r"probabilit"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    dA2 = dz_netAct(cache["z_netAct"], y)
    dZ2 = dz_netIn(dA2, cache["z_netAct"])
    dA1 = dy_netAct(dA2, params["z_wts"])
    dZ1 = dy_netIn(dA1, cache["y_netIn"])
    return {
        "z_wts": dz_wts(dZ2, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(dZ2),
        "y_wts": dy_wts(dZ1, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(dZ1),
    }
''',
    ),
    dict(
        id="mlp_backward-bias-from-probabilities",
        unit="mlp_backward",
        kind="wrong",
        cause="The output bias gradient is summed from dz_netAct (before the softmax) instead of dz_netIn.",
        cause_words=[r"dz_netAct", r"softmax", r"probabilit"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    d_out = dz_netAct(cache["z_netAct"], y)
    d_logits = dz_netIn(d_out, cache["z_netAct"])
    d_hidden = dy_netIn(dy_netAct(d_logits, params["z_wts"]), cache["y_netIn"])
    return {
        "z_wts": dz_wts(d_logits, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(d_out),
        "y_wts": dy_wts(d_hidden, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(d_hidden),
    }
''',
    ),
    dict(
        id="mlp_backward-no-relu-mask",
        unit="mlp_backward",
        kind="wrong",
        cause="The hidden weights and bias get dy_netAct directly: dy_netIn (the ReLU mask) is never applied.",
        cause_words=[r"relu", r"mask", r"dy_netIn"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_in = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_act, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_act),
    }
''',
    ),
    dict(
        id="mlp_backward-logits-as-probabilities",
        unit="mlp_backward",
        kind="wrong",
        cause="dz_netIn is given the logits z_netIn where the softmax output z_netAct belongs.",
        cause_words=[r"z_netIn", r"logits", r"probabilit|softmax output"],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netIn"])
    g_y_in = dy_netIn(dy_netAct(g_z_in, params["z_wts"]), cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_in),
    }
''',
    ),
    dict(
        id="mlp_backward-keywords-and-names",
        unit="mlp_backward",
        kind="correct",
        cause="Keyword arguments, other variable names, dict filled key by key.",
        cause_words=[],
        source='''
def mlp_backward(y, params, cache, reg=0.0):
    X, hidden_in, hidden_out, probs = cache["X"], cache["y_netIn"], cache["y_netAct"], cache["z_netAct"]
    grads = {}
    top = dz_netIn(dz_netAct=dz_netAct(probs, y), z_netAct=probs)
    grads["z_b"] = dz_b(top)
    grads["z_wts"] = dz_wts(top, hidden_out, params["z_wts"], reg=reg)
    below = dy_netIn(dy_netAct(top, params["z_wts"]), hidden_in)
    grads["y_b"] = dy_b(below)
    grads["y_wts"] = dy_wts(below, X, params["y_wts"], reg=reg)
    return grads
''',
    ),
]
