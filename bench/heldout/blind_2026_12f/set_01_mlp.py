"""Blind answer set, notebook 01 (MLP backprop): student-style rewrites of the graded functions."""


def E(id, unit, kind, cause, words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source}


ENTRIES = [
E("dz_netAct-no-mean-f", "dz_netAct", "wrong", "The gradient is -1/p at the true class without the 1/N of the mean over the batch.",
  [r"1\s*/\s*N", r"(divid|normali[sz]|averag|mean).{0,40}(N|batch)", r"batch size"],
'''def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    grad = np.zeros_like(z_netAct)
    grad[np.arange(N), y] = -1.0 / z_netAct[np.arange(N), y]
    return grad
'''),
E("dz_netAct-all-columns-f", "dz_netAct", "wrong", "It fills -1/(N p) in every column instead of only the true class's column.",
  [r"every (class|column)", r"(only|just).{0,30}true class", r"one.?hot|non.?target|other class"],
'''def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    return -1.0 / (N * z_netAct)
'''),
E("dz_netAct-slice-y-f", "dz_netAct", "wrong", "It indexes with grad[:, y] (all rows times every label column) instead of pairing row n with y[n].",
  [r"\[\s*:\s*,\s*y\s*\]", r"arange", r"pair(s|ing|ed)? .{0,30}row", r"fancy index"],
'''def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    grad = np.zeros(z_netAct.shape)
    grad[:, y] = -1.0 / (N * z_netAct[:, y])
    return grad
'''),
E("dz_netAct-loop-f", "dz_netAct", "correct", "Loops over the rows with a plain Python for loop.", [],
'''def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    out = np.zeros((N, C), dtype=np.float64)
    for n in range(N):
        out[n, y[n]] = -1.0 / z_netAct[n, y[n]] / N
    return out
'''),
E("dz_netIn-shortcut-f", "dz_netIn", "wrong", "It returns z_netAct * dz_netAct, dropping the -<g, p> term of the softmax Jacobian (treating softmax as elementwise).",
  [r"jacobian", r"off.?diagonal", r"elementwise|element-wise", r"inner|dot product|sum.{0,20}(g|dz_netAct).{0,10}p"],
'''def dz_netIn(dz_netAct, z_netAct):
    return z_netAct * dz_netAct
'''),
E("dz_netIn-axis0-f", "dz_netIn", "wrong", "The inner product <g, p> is summed over axis 0 (over the batch) instead of over the classes of each row.",
  [r"axis\s*=?\s*0", r"(over|across) (the )?(batch|rows|samples)", r"per.?row|each row"],
'''def dz_netIn(dz_netAct, z_netAct):
    s = np.sum(dz_netAct * z_netAct, axis=0, keepdims=True)
    return z_netAct * (dz_netAct - s)
'''),
E("dz_netIn-no-keepdims-f", "dz_netIn", "wrong", "The row sums lose keepdims, so the (N,) vector broadcasts along the class axis instead of down the rows.",
  [r"keepdims", r"broadcast", r"\(N,\)|shape \(N\)"],
'''def dz_netIn(dz_netAct, z_netAct):
    s = (dz_netAct * z_netAct).sum(axis=1)
    return z_netAct * (dz_netAct - s)
'''),
E("dz_netIn-einsum-f", "dz_netIn", "correct", "Builds the full per-row softmax Jacobian and applies it with einsum.", [],
'''def dz_netIn(dz_netAct, z_netAct):
    N, C = z_netAct.shape
    J = np.einsum("ni,ij->nij", z_netAct, np.eye(C)) - np.einsum("ni,nj->nij", z_netAct, z_netAct)
    return np.einsum("nij,ni->nj", J, dz_netAct)
'''),
E("dz_wts-no-reg-f", "dz_wts", "wrong", "The regularization term reg * z_wts is left out.",
  [r"reg", r"regulari[sz]", r"weight decay|L2"],
'''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn
'''),
E("dz_wts-2reg-f", "dz_wts", "wrong", "The L2 term is written 2 * reg * z_wts, but the loss's penalty is (reg/2)||W||^2 whose derivative is reg * W.",
  [r"2\s*\*\s*reg", r"factor (of )?2|twice|doubl", r"reg\s*/\s*2|half"],
'''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn + 2 * reg * z_wts
'''),
E("dz_wts-order-f", "dz_wts", "wrong", "It computes dz_netIn.T @ y_netAct, the (C, H) transpose of the gradient, instead of y_netAct.T @ dz_netIn.",
  [r"transpose", r"\(C,\s*H\)", r"order of (the )?(operands|product|factors)", r"y_netAct\.T"],
'''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return dz_netIn.T @ y_netAct + reg * z_wts.T
'''),
E("dz_b-axis1-f", "dz_b", "wrong", "The bias gradient is summed over axis 1 (the classes) instead of axis 0 (the batch).",
  [r"axis\s*=?\s*1", r"axis\s*=?\s*0", r"(over|across) (the )?(batch|rows|samples)"],
'''def dz_b(dz_netIn):
    return np.sum(dz_netIn, axis=1)
'''),
E("dz_b-mean-f", "dz_b", "wrong", "The bias gradient takes the mean over the batch, dividing by N a second time.",
  [r"mean", r"(divid|normali[sz]).{0,30}(twice|again|second)", r"1\s*/\s*N|extra .{0,10}N"],
'''def dz_b(dz_netIn):
    return dz_netIn.mean(axis=0)
'''),
E("dz_b-ones-f", "dz_b", "correct", "Sums the batch with a ones-vector matrix product.", [],
'''def dz_b(dz_netIn):
    return np.ones(dz_netIn.shape[0]) @ dz_netIn
'''),
E("dy_netAct-no-T-f", "dy_netAct", "wrong", "It multiplies by z_wts reshaped to (C, H) instead of transposing it, scrambling the entries.",
  [r"reshape", r"transpose|\.T\b"],
'''def dy_netAct(dz_netIn, z_wts):
    H, C = z_wts.shape
    return dz_netIn @ z_wts.reshape(C, H)
'''),
E("dy_netAct-transposed-f", "dy_netAct", "wrong", "It computes z_wts @ dz_netIn.T, the (H, N) transpose of the gradient, instead of dz_netIn @ z_wts.T.",
  [r"transpose", r"\(H,\s*N\)", r"order of (the )?(operands|product|factors)"],
'''def dy_netAct(dz_netIn, z_wts):
    return z_wts @ dz_netIn.T
'''),
E("dy_netIn-ge0-f", "dy_netIn", "wrong", "The ReLU mask uses y_netIn >= 0, passing gradient at exactly zero pre-activations where the derivative is taken as 0.",
  [r">=\s*0", r"(exactly|at) (0|zero)", r"strict|kink"],
'''def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * (y_netIn >= 0)
'''),
E("dy_netIn-inplace-f", "dy_netIn", "wrong", "It zeroes the masked entries in place, changing the caller's dy_netAct and returning the same array.",
  [r"in.?place", r"(modif|mutat|overwrit|chang).{0,30}(input|argument|caller)", r"copy|alias"],
'''def dy_netIn(dy_netAct, y_netIn):
    dy_netAct[y_netIn <= 0] = 0
    return dy_netAct
'''),
E("dy_netIn-mask-value-f", "dy_netIn", "wrong", "It multiplies by the ReLU output max(0, y_netIn) instead of by its derivative (the 0/1 mask).",
  [r"derivative", r"mask|indicator|0/1|step", r"maximum|relu output"],
'''def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * np.maximum(0, y_netIn)
'''),
E("dy_netIn-where-f", "dy_netIn", "correct", "Uses np.where to pick between the gradient and zero.", [],
'''def dy_netIn(dy_netAct, y_netIn):
    return np.where(y_netIn > 0, dy_netAct, 0.0)
'''),
E("dy_wts-l1-f", "dy_wts", "wrong", "The penalty gradient is written reg * sign(y_wts), the L1 derivative, instead of reg * y_wts for the L2 penalty.",
  [r"sign", r"L1", r"L2|squared"],
'''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return X.T @ dy_netIn + reg * np.sign(y_wts)
'''),
E("dy_wts-order-f", "dy_wts", "wrong", "It forms (dy_netIn.T @ X) and reshapes it to (D, H) instead of transposing, scrambling the entries.",
  [r"reshape", r"transpose|\.T\b"],
'''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    D, H = y_wts.shape
    return (dy_netIn.T @ X).reshape(D, H) + reg * y_wts
'''),
E("dy_wts-divN-f", "dy_wts", "wrong", "It divides X.T @ dy_netIn by N again, though dy_netIn already carries the 1/N of the mean loss.",
  [r"(divid|normali[sz]).{0,30}(twice|again|second|N)", r"/\s*N", r"already"],
'''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    N = X.shape[0]
    return X.T @ dy_netIn / N + reg * y_wts
'''),
E("dy_wts-einsum-f", "dy_wts", "correct", "Uses einsum over the batch for the product.", [],
'''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return np.einsum("nd,nh->dh", X, dy_netIn) + reg * y_wts
'''),
E("dy_b-keepdims-f", "dy_b", "wrong", "It keeps the summed axis, returning shape (1, H) instead of (H,).",
  [r"keepdims", r"shape|\(1,\s*H\)", r"\(H,\)"],
'''def dy_b(dy_netIn):
    return np.sum(dy_netIn, axis=0, keepdims=True)
'''),
E("dy_b-total-f", "dy_b", "wrong", "np.sum without an axis collapses everything to one scalar.",
  [r"axis", r"scalar|single number"],
'''def dy_b(dy_netIn):
    return np.sum(dy_netIn) * np.ones(dy_netIn.shape[1])
'''),
E("mlp_backward-skip-relu-f", "mlp_backward", "wrong", "It never calls dy_netIn, passing the gradient at the hidden activations straight to dy_wts and dy_b without the ReLU mask.",
  [r"dy_netIn", r"relu", r"mask"],
'''def mlp_backward(y, params, cache, reg=0.0):
    g1 = dz_netAct(cache["z_netAct"], y)
    g2 = dz_netIn(g1, cache["z_netAct"])
    g3 = dy_netAct(g2, params["z_wts"])
    return {
        "z_wts": dz_wts(g2, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g2),
        "y_wts": dy_wts(g3, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g3),
    }
'''),
E("mlp_backward-act-not-in-f", "mlp_backward", "wrong", "dz_wts is given the softmax-stage gradient dz_netAct instead of dz_netIn.",
  [r"dz_netAct", r"dz_netIn", r"before the softmax|through the softmax"],
'''def mlp_backward(y, params, cache, reg=0.0):
    ga = dz_netAct(cache["z_netAct"], y)
    gi = dz_netIn(ga, cache["z_netAct"])
    gh = dy_netIn(dy_netAct(gi, params["z_wts"]), cache["y_netIn"])
    return {"z_wts": dz_wts(ga, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(gi),
            "y_wts": dy_wts(gh, cache["X"], params["y_wts"], reg), "y_b": dy_b(gh)}
'''),
E("mlp_backward-skip-softmax-f", "mlp_backward", "wrong", "dy_netAct is given the gradient at the softmax output (dz_netAct) instead of the gradient at z_netIn.",
  [r"dz_netAct", r"dz_netIn", r"through the softmax|before the softmax"],
'''def mlp_backward(y, params, cache, reg=0.0):
    ga = dz_netAct(cache["z_netAct"], y)
    gi = dz_netIn(ga, cache["z_netAct"])
    gh = dy_netIn(dy_netAct(ga, params["z_wts"]), cache["y_netIn"])
    return {"z_wts": dz_wts(gi, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(gi),
            "y_wts": dy_wts(gh, cache["X"], params["y_wts"], reg), "y_b": dy_b(gh)}
'''),
E("mlp_backward-no-reg-f", "mlp_backward", "wrong", "reg is not passed on to dz_wts and dy_wts, so their default 0 drops the regularization.",
  [r"reg", r"regulari[sz]", r"default"],
'''def mlp_backward(y, params, cache, reg=0.0):
    ga = dz_netAct(cache["z_netAct"], y)
    gi = dz_netIn(ga, cache["z_netAct"])
    gh = dy_netIn(dy_netAct(gi, params["z_wts"]), cache["y_netIn"])
    return {"z_wts": dz_wts(gi, cache["y_netAct"], params["z_wts"]), "z_b": dz_b(gi),
            "y_wts": dy_wts(gh, cache["X"], params["y_wts"]), "y_b": dy_b(gh)}
'''),
E("mlp_backward-swap-keys-f", "mlp_backward", "wrong", "The two bias gradients are stored under each other's keys (copy/paste slip).",
  [r"y_b", r"z_b", r"swap|key"],
'''def mlp_backward(y, params, cache, reg=0.0):
    ga = dz_netAct(cache["z_netAct"], y)
    gi = dz_netIn(ga, cache["z_netAct"])
    gh = dy_netIn(dy_netAct(gi, params["z_wts"]), cache["y_netIn"])
    return {"z_wts": dz_wts(gi, cache["y_netAct"], params["z_wts"], reg), "z_b": dy_b(gh),
            "y_wts": dy_wts(gh, cache["X"], params["y_wts"], reg), "y_b": dz_b(gi)}
'''),
E("mlp_backward-out-weights-input-f", "mlp_backward", "wrong", "dz_wts is given the pre-activation y_netIn instead of the activation y_netAct as the layer's input.",
  [r"y_netAct", r"y_netIn", r"pre.?activation|post.?activation|layer'?s input"],
'''def mlp_backward(y, params, cache, reg=0.0):
    ga = dz_netAct(cache["z_netAct"], y)
    gi = dz_netIn(ga, cache["z_netAct"])
    gh = dy_netIn(dy_netAct(gi, params["z_wts"]), cache["y_netIn"])
    return {"z_wts": dz_wts(gi, cache["y_netIn"], params["z_wts"], reg), "z_b": dz_b(gi),
            "y_wts": dy_wts(gh, cache["X"], params["y_wts"], reg), "y_b": dy_b(gh)}
'''),
E("mlp_backward-order-f", "mlp_backward", "correct", "Builds the dict step by step with different variable names and key order.", [],
'''def mlp_backward(y, params, cache, reg=0.0):
    grads = {}
    up = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    grads["z_b"] = dz_b(up)
    grads["z_wts"] = dz_wts(up, cache["y_netAct"], params["z_wts"], reg=reg)
    up = dy_netIn(dy_netAct(up, params["z_wts"]), cache["y_netIn"])
    grads["y_b"] = dy_b(up)
    grads["y_wts"] = dy_wts(up, cache["X"], params["y_wts"], reg=reg)
    return grads
'''),
E("dz_wts-loop-f", "dz_wts", "correct", "Accumulates outer products one sample at a time.", [],
'''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    g = reg * np.array(z_wts, dtype=np.float64)
    for n in range(dz_netIn.shape[0]):
        g = g + np.outer(y_netAct[n], dz_netIn[n])
    return g
'''),
]
