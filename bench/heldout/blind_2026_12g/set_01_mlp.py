"""Blind answer set for 01_mlp_backprop: student rewrites of the nine graded MLP backward units."""


def E(id, unit, kind, cause, words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": words, "source": source}


ENTRIES = [
E("dz_netAct-no-N-g", "dz_netAct", "wrong", "The 1/N of the mean loss is dropped, giving the gradient of the summed loss.",
  [r"\bN\b", r"mean|average|batch size|normali[sz]"], '''
def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    grad = np.zeros_like(z_netAct)
    grad[np.arange(N), y] = -1.0 / z_netAct[np.arange(N), y]
    return grad
'''),
E("dz_netAct-colon-index-g", "dz_netAct", "wrong", "Indexes with [:, y] instead of [arange(N), y], filling an N-by-N block of entries instead of one per row.",
  [r"\[:, ?y\]|arange|fancy index|advanced index", r"one (entry|element) per row|every row"], '''
def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    grad = np.zeros(z_netAct.shape)
    grad[:, y] = -1.0 / (N * z_netAct[:, y])
    return grad
'''),
E("dz_netAct-divide-all-g", "dz_netAct", "wrong", "Computes -1/(N p) for every class and masks afterwards, dividing by the zero probabilities an off-class entry may hold (warning/inf*0=nan).",
  [r"divi\w* by zero|zero probabilit|underflow", r"nan|inf"], '''
def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    onehot = np.eye(C)[y]
    return -onehot / (N * z_netAct)
'''),
E("dz_netAct-correct-onehot-where-g", "dz_netAct", "correct", "Builds a one-hot mask and uses np.divide with where= so the zero off-class probabilities are never divided.", [], '''
def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    onehot = np.eye(C)[y]
    out = np.zeros((N, C))
    np.divide(-onehot, N * z_netAct, out=out, where=onehot > 0)
    return out
'''),
E("dz_netIn-p-minus-onehot-g", "dz_netIn", "wrong", "Ignores the values of the incoming gradient and uses the shortcut (p - one_hot)/N, recovering the one-hot from where dz_netAct is nonzero, instead of applying the softmax Jacobian to dz_netAct.",
  [r"incoming|upstream|dz_netAct|ignor", r"jacobian|general"], '''
def dz_netIn(dz_netAct, z_netAct):
    N, C = z_netAct.shape
    onehot = (dz_netAct != 0).astype(np.float64)
    return (z_netAct - onehot) / N
'''),
E("dz_netIn-diag-only-g", "dz_netIn", "wrong", "Uses only the diagonal of the softmax Jacobian, p*(1-p)*g, dropping the cross terms -p_i p_j.",
  [r"diagonal|cross.?term|off.?diagonal", r"p\s*\*\s*\(1\s*-\s*p\)|jacobian"], '''
def dz_netIn(dz_netAct, z_netAct):
    return dz_netAct * z_netAct * (1.0 - z_netAct)
'''),
E("dz_netIn-inner-axis0-g", "dz_netIn", "wrong", "Sums the inner product g.p over axis 0 (the batch) instead of over the classes of each row.",
  [r"axis\s*=?\s*0|wrong axis|over the batch|column", r"per row|each row|row.?wise"], '''
def dz_netIn(dz_netAct, z_netAct):
    inner = np.sum(dz_netAct * z_netAct, axis=0, keepdims=True)
    return z_netAct * (dz_netAct - inner)
'''),
E("dz_netIn-correct-einsum-jacobian-g", "dz_netIn", "correct", "Builds the full per-row softmax Jacobian diag(p) - p p^T and applies it with einsum.", [], '''
def dz_netIn(dz_netAct, z_netAct):
    p = z_netAct
    J = np.einsum("ni,ij->nij", p, np.eye(p.shape[1])) - np.einsum("ni,nj->nij", p, p)
    return np.einsum("nij,nj->ni", J, dz_netAct)
'''),
E("dz_wts-no-reg-g", "dz_wts", "wrong", "The L2 regularization term reg * z_wts is left out.",
  [r"reg", r"regulari[sz]"], '''
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn
'''),
E("dz_wts-2reg-g", "dz_wts", "wrong", "Uses 2*reg*z_wts, differentiating reg*||W||^2 although the contract's penalty is 0.5*reg*||W||^2.",
  [r"2\s*\*\s*reg|factor (of )?2|twice|0\.5|half"], '''
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn + 2 * reg * z_wts
'''),
E("dz_wts-correct-einsum-g", "dz_wts", "correct", "Writes the product as an einsum over the batch index.", [], '''
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return np.einsum("nh,nc->hc", y_netAct, dz_netIn) + reg * z_wts
'''),
E("dz_b-mean-g", "dz_b", "wrong", "Averages over the batch instead of summing, dividing by N a second time.",
  [r"mean|average", r"sum|\bN\b"], '''
def dz_b(dz_netIn):
    return np.mean(dz_netIn, axis=0)
'''),
E("dz_b-axis1-g", "dz_b", "wrong", "Sums over axis 1 (classes) instead of axis 0 (batch), returning an (N,) vector.",
  [r"axis\s*=?\s*1|wrong axis", r"shape|\(N,?\)"], '''
def dz_b(dz_netIn):
    return dz_netIn.sum(axis=1)
'''),
E("dy_netAct-sign-g", "dy_netAct", "wrong", "Negates the product, as if taking a descent step instead of a gradient.",
  [r"sign|negat|minus"], '''
def dy_netAct(dz_netIn, z_wts):
    return -(dz_netIn @ z_wts.T)
'''),
E("dy_netAct-elementwise-mean-g", "dy_netAct", "wrong", "Divides by N again, treating the hidden gradient as an average over the batch although dz_netIn already carries the 1/N.",
  [r"\bN\b|twice|again|double", r"mean|average|normali[sz]"], '''
def dy_netAct(dz_netIn, z_wts):
    N = dz_netIn.shape[0]
    return dz_netIn @ z_wts.T / N
'''),
E("dy_netAct-correct-tensordot-g", "dy_netAct", "correct", "Uses np.tensordot over the class axis.", [], '''
def dy_netAct(dz_netIn, z_wts):
    return np.tensordot(dz_netIn, z_wts, axes=([1], [1]))
'''),
E("dy_netIn-ge-zero-g", "dy_netIn", "wrong", "Uses y_netIn >= 0, letting the gradient through where the pre-activation is exactly 0 (the contract takes the ReLU derivative at 0 as 0).",
  [r">=|at (exactly )?(zero|0)|kink|subgradient", r"derivative at 0|strict"], '''
def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * (y_netIn >= 0)
'''),
E("dy_netIn-inplace-g", "dy_netIn", "wrong", "Zeroes the inactive entries of dy_netAct in place and returns it, changing the caller's array and aliasing the output to the input.",
  [r"in.?place|modif|mutat|alias", r"copy|input"], '''
def dy_netIn(dy_netAct, y_netIn):
    dy_netAct[y_netIn <= 0] = 0
    return dy_netAct
'''),
E("dy_netIn-correct-where-g", "dy_netIn", "correct", "Uses np.where with a fresh float64 zero.", [], '''
def dy_netIn(dy_netAct, y_netIn):
    return np.where(y_netIn > 0, dy_netAct, 0.0)
'''),
E("dy_wts-no-reg-g", "dy_wts", "wrong", "The L2 term reg * y_wts is missing from the hidden weights' gradient.",
  [r"reg", r"regulari[sz]"], '''
def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return X.T @ dy_netIn
'''),
E("dy_wts-reg-on-grad-g", "dy_wts", "wrong", "Scales the data gradient by (1 + reg) instead of adding reg * y_wts.",
  [r"reg\s*\*\s*y_wts|weights?", r"scal|multipl|\(1 ?\+ ?reg\)"], '''
def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return (1.0 + reg) * (X.T @ dy_netIn)
'''),
E("dy_b-keepdims-g", "dy_b", "wrong", "Keeps the summed axis, returning shape (1, H) instead of (H,).",
  [r"keepdims|\(1, ?H\)|shape", r"\(H,?\)|1-?d|flatten"], '''
def dy_b(dy_netIn):
    return np.sum(dy_netIn, axis=0, keepdims=True)
'''),
E("dy_b-transpose-sum-g", "dy_b", "wrong", "Transposes before summing over axis 0, so it sums over the hidden units and returns one value per example.",
  [r"axis|transpose|\.T\b|per (hidden )?unit", r"shape|\(N,?\)"], '''
def dy_b(dy_netIn):
    return np.sum(dy_netIn.T, axis=0)
'''),
E("dy_b-correct-ones-matmul-g", "dy_b", "correct", "Sums over the batch as ones(N) @ dy_netIn.", [], '''
def dy_b(dy_netIn):
    return np.ones(dy_netIn.shape[0]) @ dy_netIn
'''),
E("mlp_backward-act-instead-of-in-g", "mlp_backward", "wrong", "Passes the pre-activation y_netIn to dz_wts instead of the ReLU output y_netAct, the layer's actual input.",
  [r"y_netAct|post.?(relu|activation)|relu output", r"pre.?activation|y_netIn"], '''
def mlp_backward(y, params, cache, reg=0.0):
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
'''),
E("mlp_backward-skip-relu-g", "mlp_backward", "wrong", "Skips the ReLU rule and feeds dy_netAct straight into dy_wts and dy_b.",
  [r"relu|dy_netIn", r"skip|miss|bypass"], '''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_act, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_act),
    }
'''),
E("mlp_backward-act-grad-to-wts-g", "mlp_backward", "wrong", "Passes the softmax-output gradient g_z_act instead of g_z_in to dz_wts (copy/paste slip between the two neighbouring variables).",
  [r"g_z_act|dz_netAct|softmax output", r"dz_netIn|z_netIn"], '''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_z_act, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_in),
    }
'''),
E("mlp_backward-reg-once-g", "mlp_backward", "wrong", "Forgets to pass reg to dy_wts, so the hidden weights get no regularization gradient.",
  [r"reg", r"y_wts|hidden weights?|first layer"], '''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"]),
        "y_b": dy_b(g_y_in),
    }
'''),
E("mlp_backward-bias-before-mask-g", "mlp_backward", "wrong", "The hidden bias gradient is taken from g_y_act (before the ReLU mask) instead of g_y_in.",
  [r"g_y_act|dy_netAct|before the relu|mask", r"y_b|hidden bias"], '''
def mlp_backward(y, params, cache, reg=0.0):
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_act),
    }
'''),
E("mlp_backward-correct-unrolled-g", "mlp_backward", "correct", "Computes the rules in a different order with intermediate tuples, still calling each rule by name.", [], '''
def mlp_backward(y, params, cache, reg=0.0):
    X, h_in, h, p = cache["X"], cache["y_netIn"], cache["y_netAct"], cache["z_netAct"]
    g = dz_netIn(dz_netAct(p, y), p)
    g_h = dy_netIn(dy_netAct(g, params["z_wts"]), h_in)
    grads = {}
    grads["y_b"] = dy_b(g_h)
    grads["y_wts"] = dy_wts(g_h, X, params["y_wts"], reg=reg)
    grads["z_b"] = dz_b(g)
    grads["z_wts"] = dz_wts(g, h, params["z_wts"], reg=reg)
    return grads
'''),
]
