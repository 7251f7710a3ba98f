"""Blind answer set for notebook 01 (MLP backprop): realistic student rewrites of the nine graded units."""

ENTRIES = []


def E(id, unit, kind, cause, words, source):
    ENTRIES.append({"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source})


# ---------------- dz_netAct
E("dz_netAct-all-classes-e", "dz_netAct", "wrong",
  "The -1/(N p) factor is written for every class instead of only the true class, so non-target entries are nonzero.",
  [r"(every|all|non-?target|other) class", r"only (the )?(true|target|correct) class", r"one.?hot"],
  '''def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    return -1.0 / (N * z_netAct)
''')
E("dz_netAct-no-mean-e", "dz_netAct", "wrong",
  "The 1/N of the mean cross-entropy is dropped.",
  [r"1\s*/\s*N", r"\bmean\b", r"batch size", r"divid\w* by N"],
  '''def dz_netAct(z_netAct, y):
    grad = np.zeros(z_netAct.shape)
    rows = np.arange(z_netAct.shape[0])
    grad[rows, y] = -1.0 / z_netAct[rows, y]
    return grad
''')
E("dz_netAct-combined-softmax-e", "dz_netAct", "wrong",
  "Returns the combined softmax+cross-entropy gradient (p - onehot)/N, which is the gradient at z_netIn, not at z_netAct.",
  [r"(p|z_netAct)\s*-\s*one.?hot", r"combined", r"z_netIn", r"softmax.{0,30}(already|included|combined)"],
  '''def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    return (z_netAct - one_hot(y, C)) / N
''')
E("dz_netAct-column-index-e", "dz_netAct", "wrong",
  "Indexes grad[:, y] (whole columns) instead of grad[rows, y], so every row gets entries in all label columns.",
  [r"\[\s*:\s*,\s*y\s*\]", r"column", r"(row|pair)s?.{0,20}index", r"arange"],
  '''def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    grad = np.zeros(z_netAct.shape)
    grad[:, y] = -1.0 / (N * z_netAct[np.arange(N), y])
    return grad
''')
E("dz_netAct-onehot-divide-e", "dz_netAct", "wrong",
  "Divides the one-hot by p everywhere, so a non-target probability of exactly 0 gives 0/0 = nan.",
  [r"\bnan\b", r"0\s*/\s*0", r"(exactly )?zero probab", r"divi\w* by (zero|0)"],
  '''def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    return -one_hot(y, C) / (N * z_netAct)
''')
E("dz_netAct-loop-e", "dz_netAct", "correct",
  "Explicit loop over rows writing one entry per row.",
  [],
  '''def dz_netAct(z_netAct, y):
    N = len(y)
    out = np.zeros_like(z_netAct, dtype=np.float64)
    for n in range(N):
        out[n, y[n]] = -1.0 / z_netAct[n, y[n]] / N
    return out
''')

# ---------------- dz_netIn
E("dz_netIn-diag-only-e", "dz_netIn", "wrong",
  "Only the diagonal of the softmax Jacobian is used (p * g), the -p_i <g, p> cross term is dropped.",
  [r"diagonal", r"cross.?term", r"off.?diagonal", r"(inner|dot) product|<g, ?p>|sum\(.*\*.*\)"],
  '''def dz_netIn(dz_netAct, z_netAct):
    return z_netAct * (1 - z_netAct) * dz_netAct
''')
E("dz_netIn-axis0-e", "dz_netIn", "wrong",
  "The inner product <g, p> is summed over the batch axis 0 instead of over the classes of each row.",
  [r"axis\s*=?\s*0", r"(over|across) the batch", r"per row|each row|row-?wise"],
  '''def dz_netIn(dz_netAct, z_netAct):
    inner = np.sum(dz_netAct * z_netAct, axis=0, keepdims=True)
    return z_netAct * (dz_netAct - inner)
''')
E("dz_netIn-no-keepdims-e", "dz_netIn", "wrong",
  "The row sums are taken without keepdims, so the (N,) vector broadcasts along the class axis instead of the rows.",
  [r"keepdims", r"broadcast", r"\[:,\s*None\]|newaxis|reshape"],
  '''def dz_netIn(dz_netAct, z_netAct):
    s = (dz_netAct * z_netAct).sum(axis=1)
    return z_netAct * dz_netAct - z_netAct * s
''')
E("dz_netIn-sign-e", "dz_netIn", "wrong",
  "The two terms of the Jacobian product are subtracted in the wrong order, flipping the sign.",
  [r"\bsign\b", r"negat", r"wrong order|reversed|flipp"],
  '''def dz_netIn(dz_netAct, z_netAct):
    inner = np.sum(dz_netAct * z_netAct, axis=1, keepdims=True)
    return z_netAct * (inner - dz_netAct)
''')
E("dz_netIn-jacobian-e", "dz_netIn", "correct",
  "Builds the full per-row softmax Jacobian with einsum and contracts it with the upstream gradient.",
  [],
  '''def dz_netIn(dz_netAct, z_netAct):
    N, C = z_netAct.shape
    J = np.einsum("ni,ij->nij", z_netAct, np.eye(C)) - np.einsum("ni,nj->nij", z_netAct, z_netAct)
    return np.einsum("nj,nji->ni", dz_netAct, J)
''')

# ---------------- dz_wts
E("dz_wts-two-reg-e", "dz_wts", "wrong",
  "The regularization gradient is taken as 2*reg*W although the loss carries 0.5*reg*||W||^2.",
  [r"2\s*\*\s*reg", r"factor (of )?(2|two)", r"0\.5|one.?half|1/2"],
  '''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn + 2 * reg * z_wts
''')
E("dz_wts-no-reg-e", "dz_wts", "wrong",
  "The regularization term reg * z_wts is left out.",
  [r"\breg", r"regulari[sz]", r"weight decay|L2"],
  '''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return np.dot(y_netAct.T, dz_netIn)
''')
E("dz_wts-extra-N-e", "dz_wts", "wrong",
  "The product is divided by N again although dz_netIn already carries the 1/N of the mean.",
  [r"1\s*/\s*N", r"(already|twice|double).{0,30}(mean|N|averag|normali)", r"divid\w* by N"],
  '''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    N = dz_netIn.shape[0]
    return y_netAct.T @ dz_netIn / N + reg * z_wts
''')
E("dz_wts-einsum-e", "dz_wts", "correct",
  "Sum of per-sample outer products written with einsum.",
  [],
  '''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    grad = np.einsum("nh,nc->hc", y_netAct, dz_netIn)
    if reg:
        grad = grad + reg * z_wts
    return grad
''')

# ---------------- dz_b
E("dz_b-mean-e", "dz_b", "wrong",
  "Averages over the batch instead of summing (the 1/N is already inside dz_netIn).",
  [r"\bmean\b", r"averag", r"sum\w* (instead|rather|over the batch)|should (be )?sum"],
  '''def dz_b(dz_netIn):
    return np.mean(dz_netIn, axis=0)
''')
E("dz_b-axis1-e", "dz_b", "wrong",
  "Sums over the class axis 1 instead of the batch axis 0.",
  [r"axis\s*=?\s*1", r"axis\s*=?\s*0", r"wrong axis|over the classes|batch axis"],
  '''def dz_b(dz_netIn):
    return dz_netIn.sum(axis=1)
''')
E("dz_b-keepdims-e", "dz_b", "wrong",
  "keepdims=True leaves a (1, C) array instead of the (C,) bias shape.",
  [r"keepdims", r"\(1,\s*C\)|2-?d|extra (axis|dim)"],
  '''def dz_b(dz_netIn):
    return np.sum(dz_netIn, axis=0, keepdims=True)
''')
E("dz_b-ones-e", "dz_b", "correct",
  "Sums the rows with a vector of ones.",
  [],
  '''def dz_b(dz_netIn):
    return np.ones(dz_netIn.shape[0]) @ dz_netIn
''')

# ---------------- dy_netAct
E("dy_netAct-no-final-T-e", "dy_netAct", "wrong",
  "Computes z_wts @ dz_netIn.T and forgets the final transpose, returning (H, N).",
  [r"transpos", r"\(H,\s*N\)", r"\.T\b"],
  '''def dy_netAct(dz_netIn, z_wts):
    return np.dot(z_wts, dz_netIn.T)
''')
E("dy_netAct-extra-N-e", "dy_netAct", "wrong",
  "Divides by N again although the upstream gradient is already averaged.",
  [r"1\s*/\s*N", r"(already|twice|double).{0,30}(mean|N|averag|normali)", r"divid\w* by N"],
  '''def dy_netAct(dz_netIn, z_wts):
    return dz_netIn @ z_wts.T / dz_netIn.shape[0]
''')
E("dy_netAct-elementwise-sum-e", "dy_netAct", "wrong",
  "Sums the upstream gradient over classes and scales by the row sums of z_wts, i.e. treats the matrix product as separable.",
  [r"matrix (product|multipl)", r"separab|factori[sz]", r"sum\w* (over|across) (the )?class"],
  '''def dy_netAct(dz_netIn, z_wts):
    return dz_netIn.sum(axis=1, keepdims=True) * z_wts.sum(axis=1)
''')
E("dy_netAct-transposed-e", "dy_netAct", "correct",
  "Computes the transpose of the product and transposes back.",
  [],
  '''def dy_netAct(dz_netIn, z_wts):
    return (z_wts @ dz_netIn.T).T.copy()
''')

# ---------------- dy_netIn
E("dy_netIn-ge-zero-e", "dy_netIn", "wrong",
  "Uses >= 0, so the gradient passes through where the pre-activation is exactly 0 (the ReLU derivative at 0 is taken as 0).",
  [r">=\s*0", r"(exactly|at) (0|zero)", r"kink", r"strict"],
  '''def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * (y_netIn >= 0)
''')
E("dy_netIn-times-relu-e", "dy_netIn", "wrong",
  "Multiplies by relu(y_netIn) itself instead of its derivative (the 0/1 mask).",
  [r"deriv", r"mask", r"indicator|0/1|step|> ?0"],
  '''def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * np.maximum(y_netIn, 0)
''')
E("dy_netIn-inplace-e", "dy_netIn", "wrong",
  "Zeroes the masked entries in place in dy_netAct, so the caller's upstream array is changed and returned.",
  [r"in.?place", r"(modif|chang|overwrit|mutat)\w* (the )?(input|upstream|argument|dy_netAct)", r"copy"],
  '''def dy_netIn(dy_netAct, y_netIn):
    dy_netAct[y_netIn <= 0] = 0
    return dy_netAct
''')
E("dy_netIn-where-e", "dy_netIn", "correct",
  "np.where on a strict mask with a float zero.",
  [],
  '''def dy_netIn(dy_netAct, y_netIn):
    return np.where(y_netIn > 0, dy_netAct, 0.0)
''')

# ---------------- dy_wts
E("dy_wts-no-reg-e", "dy_wts", "wrong",
  "The regularization term reg * y_wts is left out.",
  [r"\breg", r"regulari[sz]", r"weight decay|L2"],
  '''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return X.T @ dy_netIn
''')
E("dy_wts-half-reg-e", "dy_wts", "wrong",
  "Copies the loss's 0.5 coefficient into the gradient, giving 0.5*reg*W instead of reg*W.",
  [r"0\.5|half|1/2", r"factor", r"deriv\w* of .{0,20}(square|\^2|\*\*2)"],
  '''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return X.T @ dy_netIn + 0.5 * reg * y_wts
''')
E("dy_wts-extra-N-e", "dy_wts", "wrong",
  "Divides the data term by N again although the upstream gradient is already averaged.",
  [r"1\s*/\s*N", r"(already|twice|double).{0,30}(mean|N|averag|normali)", r"divid\w* by N"],
  '''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    N = X.shape[0]
    return (X.T @ dy_netIn + reg * y_wts) / N
''')

# ---------------- dy_b
E("dy_b-mean-e", "dy_b", "wrong",
  "Averages over the batch instead of summing.",
  [r"\bmean\b", r"averag", r"sum\w* (instead|rather|over the batch)|should (be )?sum"],
  '''def dy_b(dy_netIn):
    return dy_netIn.mean(axis=0)
''')
E("dy_b-total-sum-e", "dy_b", "wrong",
  "np.sum without an axis collapses everything into one scalar.",
  [r"axis", r"scalar", r"(whole|entire|all) (array|entries)"],
  '''def dy_b(dy_netIn):
    return np.sum(dy_netIn)
''')

# ---------------- mlp_backward
E("mlp_backward-z_netIn-to-softmax-e", "mlp_backward", "wrong",
  "Passes the logits z_netIn instead of the softmax output z_netAct to dz_netIn.",
  [r"z_netIn", r"logits", r"softmax (output|probab)"],
  '''def mlp_backward(y, params, cache, reg=0.0):
    g1 = dz_netAct(cache["z_netAct"], y)
    g2 = dz_netIn(g1, cache["z_netIn"])
    g3 = dy_netAct(g2, params["z_wts"])
    g4 = dy_netIn(g3, cache["y_netIn"])
    return {"z_wts": dz_wts(g2, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g2),
            "y_wts": dy_wts(g4, cache["X"], params["y_wts"], reg), "y_b": dy_b(g4)}
''')
E("mlp_backward-reg-one-layer-e", "mlp_backward", "wrong",
  "reg is not passed to dy_wts, so the hidden weights get no regularization gradient.",
  [r"\breg", r"regulari[sz]", r"default"],
  '''def mlp_backward(y, params, cache, reg=0.0):
    g_out = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_hid = dy_netIn(dy_netAct(g_out, params["z_wts"]), cache["y_netIn"])
    return {"z_wts": dz_wts(g_out, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_out),
            "y_wts": dy_wts(g_hid, cache["X"], params["y_wts"]), "y_b": dy_b(g_hid)}
''')
E("mlp_backward-skip-softmax-e", "mlp_backward", "wrong",
  "Sends the gradient at z_netAct (before the softmax backward) into dy_netAct, skipping the softmax step on the path to the hidden layer.",
  [r"softmax", r"dz_netIn", r"skip"],
  '''def mlp_backward(y, params, cache, reg=0.0):
    g_act = dz_netAct(cache["z_netAct"], y)
    g_in = dz_netIn(g_act, cache["z_netAct"])
    g_h = dy_netAct(g_act, params["z_wts"])
    g_hin = dy_netIn(g_h, cache["y_netIn"])
    return {"z_wts": dz_wts(g_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_in),
            "y_wts": dy_wts(g_hin, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_hin)}
''')
E("mlp_backward-double-reg-e", "mlp_backward", "wrong",
  "Adds reg * W again after the rules, which already include the regularization term.",
  [r"(twice|double|again|already)", r"\breg", r"regulari[sz]"],
  '''def mlp_backward(y, params, cache, reg=0.0):
    g_z_in = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_y_in = dy_netIn(dy_netAct(g_z_in, params["z_wts"]), cache["y_netIn"])
    grads = {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
             "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_y_in)}
    grads["z_wts"] = grads["z_wts"] + reg * params["z_wts"]
    grads["y_wts"] = grads["y_wts"] + reg * params["y_wts"]
    return grads
''')
E("mlp_backward-bias-from-act-e", "mlp_backward", "wrong",
  "The hidden bias gradient is taken from the gradient at y_netAct (before the ReLU mask) instead of at y_netIn.",
  [r"y_netIn", r"relu", r"mask"],
  '''def mlp_backward(y, params, cache, reg=0.0):
    g_z_in = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
            "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_y_act)}
''')
E("mlp_backward-copy-paste-input-e", "mlp_backward", "wrong",
  "The hidden-weight gradient is given the hidden activations y_netAct (copied from the output-layer line) instead of the network input X.",
  [r"cache\[.X.\]", r"\bX\b.{0,40}(instead|not|rather)|(instead of|not|rather than) .{0,12}\bX\b", r"(network|layer'?s?) input", r"copy|paste"],
  '''def mlp_backward(y, params, cache, reg=0.0):
    g_z_in = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_y_in = dy_netIn(dy_netAct(g_z_in, params["z_wts"]), cache["y_netIn"])
    return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
            "y_wts": dy_wts(g_y_in, cache["y_netAct"], params["y_wts"], reg), "y_b": dy_b(g_y_in)}
''')
E("mlp_backward-incremental-e", "mlp_backward", "correct",
  "Builds the dict step by step with different names, nesting the two softmax-side calls.",
  [],
  '''def mlp_backward(y, params, cache, reg=0.0):
    grads = {}
    delta_out = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    grads["z_b"] = dz_b(delta_out)
    grads["z_wts"] = dz_wts(delta_out, cache["y_netAct"], params["z_wts"], reg=reg)
    delta_hid = dy_netIn(dy_netAct(delta_out, params["z_wts"]), cache["y_netIn"])
    grads["y_b"] = dy_b(delta_hid)
    grads["y_wts"] = dy_wts(delta_hid, cache["X"], params["y_wts"], reg=reg)
    return grads
''')
