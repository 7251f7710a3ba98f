"""Blind answer set for notebook 01 (MLP backprop): the eight local rules and mlp_backward.

Each entry is one student answer with exactly one mistake ("wrong") or none ("correct").
Written from the student notebook, the instructor notebook's solution cells and docs/math.md only.
"""


def E(id, unit, kind, cause, cause_words, source):
    return {"id": id, "unit": unit, "kind": kind, "cause": cause, "cause_words": cause_words, "source": source}


ENTRIES = [
    # ------------------------------------------------------------------ dz_netAct
    E("dz_netAct-divide-everywhere-c", "dz_netAct", "wrong",
      "Divides by the probability of every class and multiplies by one_hot afterwards, so a non-target "
      "probability that underflowed to exactly 0 gives 1/0 and 0*inf = NaN with a warning (wrong only on that edge case).",
      [r"divid\w*.{0,50}(every|all|each|other|non-?target)\s+(class|entr|element|probabilit)",
       r"(zero|0|underflow\w*)\s+probabilit", r"only at the (true|target|correct) class", r"0\s*\*\s*inf|inf\w*\s*\*\s*0"],
      '''def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    return -one_hot(y, C) / (N * z_netAct)
'''),
    E("dz_netAct-no-batch-mean-c", "dz_netAct", "wrong",
      "Forgets the 1/N of the mean over the batch: the true-class entry is -1/p instead of -1/(N p).",
      [r"1\s*/\s*N\b", r"batch size", r"(mean|averag\w*) over (the )?(batch|rows|examples|N)", r"divid\w* by N\b"],
      '''def dz_netAct(z_netAct, y):
    grad = np.zeros_like(z_netAct)
    rows = np.arange(len(y))
    grad[rows, y] = -1.0 / z_netAct[rows, y]
    return grad
'''),
    E("dz_netAct-column-slice-c", "dz_netAct", "wrong",
      "Indexes grad[:, y] instead of grad[np.arange(N), y], so the true-class columns of every row are "
      "filled (with a broadcast row of values) rather than one entry per row.",
      [r"every row|all (the )?rows", r"\[\s*:\s*,\s*y\s*\]", r"arange|(row|pair)\w*\s+index", r"one (entry|element) per row"],
      '''def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    grad = np.zeros(z_netAct.shape)
    grad[:, y] = -1.0 / (N * z_netAct[np.arange(N), y])
    return grad
'''),
    E("dz_netAct-positive-sign-c", "dz_netAct", "wrong",
      "Drops the minus sign of d(-log p)/dp: returns +1/(N p) at the true class.",
      [r"\bsign\b", r"minus", r"negat\w*", r"-\s*log"],
      '''def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    rows = np.arange(N)
    grad = np.zeros(z_netAct.shape)
    grad[rows, y] = 1.0 / (N * z_netAct[rows, y])
    return grad
'''),
    E("dz_netAct-classes-for-N-c", "dz_netAct", "wrong",
      "Divides by the number of classes C (z_netAct.shape[1]) instead of the batch size N.",
      [r"number of classes", r"shape\s*\[\s*1\s*\]", r"\bC\b.{0,30}(instead|rather|not)", r"(instead|rather) of (the )?(batch size|N\b)"],
      '''def dz_netAct(z_netAct, y):
    C = z_netAct.shape[1]
    grad = np.zeros(z_netAct.shape)
    idx = np.arange(len(y))
    grad[idx, y] = -1.0 / (C * z_netAct[idx, y])
    return grad
'''),
    E("dz_netAct-logit-gradient-c", "dz_netAct", "wrong",
      "Returns the gradient at the logits, (p - one_hot(y))/N, i.e. folds the softmax backward into this "
      "rule, instead of the gradient with respect to the probabilities z_netAct.",
      [r"logit", r"\bz_netIn\b", r"(softmax|jacobian).{0,60}(fold|combin|fus|already|merg|include)", r"p\s*-\s*(e|one.?hot|y)\b"],
      '''def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    return (z_netAct - one_hot(y, C)) / N
'''),
    E("dz_netAct-loop-rows-c", "dz_netAct", "correct",
      "Fills the true-class entries with an explicit Python loop over the rows.",
      [],
      '''def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    grad = np.zeros((N, C), dtype=np.float64)
    for n in range(N):
        grad[n, y[n]] = -1.0 / (N * z_netAct[n, y[n]])
    return grad
'''),
    E("dz_netAct-where-safe-c", "dz_netAct", "correct",
      "Uses np.where with a safe denominator (1 where the class is not the target) so it never divides by 0.",
      [],
      '''def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    E_ = one_hot(y, C)
    safe = np.where(E_ == 1, z_netAct, 1.0)
    return np.where(E_ == 1, -1.0 / (N * safe), 0.0)
'''),
    # ------------------------------------------------------------------ dz_netIn
    E("dz_netIn-inner-axis0-c", "dz_netIn", "wrong",
      "Takes the inner product <g, p> over axis 0 (over the batch, per class) instead of per row over the classes.",
      [r"axis", r"(per|each|every) row", r"over (the )?(batch|rows|examples)", r"row.?wise"],
      '''def dz_netIn(dz_netAct, z_netAct):
    inner = np.sum(dz_netAct * z_netAct, axis=0, keepdims=True)
    return z_netAct * (dz_netAct - inner)
'''),
    E("dz_netIn-no-keepdims-c", "dz_netIn", "wrong",
      "Sums each row without keepdims, so the (N,) vector broadcasts against the (N, C) array along the "
      "class axis (a shape error for N != C; silently right only for N = 1).",
      [r"keepdims", r"broadcast", r"\(\s*N\s*,\s*1\s*\)", r"column vector|\[\s*:\s*,\s*None\s*\]|newaxis"],
      '''def dz_netIn(dz_netAct, z_netAct):
    inner = (dz_netAct * z_netAct).sum(axis=1)
    return z_netAct * (dz_netAct - inner)
'''),
    E("dz_netIn-diagonal-only-c", "dz_netIn", "wrong",
      "Uses only the diagonal of the softmax Jacobian, p(1-p) as for a sigmoid, dropping the off-diagonal -p_i p_j terms.",
      [r"diagonal", r"sigmoid", r"cross.?terms|p_?i\s*\*?\s*p_?j", r"(full|whole) jacobian|element.?wise"],
      '''def dz_netIn(dz_netAct, z_netAct):
    return dz_netAct * z_netAct * (1.0 - z_netAct)
'''),
    E("dz_netIn-sign-swap-c", "dz_netIn", "wrong",
      "Subtracts the wrong way round, p * (<g, p> - g), which flips the sign of the whole gradient.",
      [r"\bsign\b", r"negat\w*", r"(wrong|other) way round|revers\w* (the )?(order|subtraction)|swap\w*"],
      '''def dz_netIn(dz_netAct, z_netAct):
    s = np.sum(dz_netAct * z_netAct, axis=1, keepdims=True)
    return z_netAct * (s - dz_netAct)
'''),
    E("dz_netIn-assumes-cross-entropy-c", "dz_netIn", "wrong",
      "Recovers the labels from the nonzero entries of dz_netAct and returns (p - one_hot)/N, which is only "
      "right when the upstream gradient is the cross-entropy's; the rule must hold for any dz_netAct.",
      [r"cross.?entropy", r"(any|general|arbitrary) (upstream|incoming|dz_netAct)", r"assum\w*.{0,40}(cross|label|one.?hot)", r"nonzero|labels? from"],
      '''def dz_netIn(dz_netAct, z_netAct):
    N, C = z_netAct.shape
    E_ = (dz_netAct != 0).astype(np.float64)
    return (z_netAct - E_) / N
'''),
    E("dz_netIn-einsum-jacobian-c", "dz_netIn", "correct",
      "Builds the full (N, C, C) softmax Jacobian per row with einsum and multiplies the upstream row by it.",
      [],
      '''def dz_netIn(dz_netAct, z_netAct):
    N, C = z_netAct.shape
    J = np.einsum("nc,ck->nck", z_netAct, np.eye(C)) - np.einsum("nc,nk->nck", z_netAct, z_netAct)
    return np.einsum("nc,nck->nk", dz_netAct, J)
'''),
    # ------------------------------------------------------------------ dz_wts
    E("dz_wts-transposed-product-c", "dz_wts", "wrong",
      "Multiplies in the wrong order, dz_netIn.T @ y_netAct, giving the (C, H) transpose of the gradient.",
      [r"transpos", r"(order|orientation) of (the )?(product|factors|matrices)", r"\(\s*C\s*,\s*H\s*\)"],
      '''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return dz_netIn.T @ y_netAct + reg * z_wts.T
'''),
    E("dz_wts-no-reg-c", "dz_wts", "wrong",
      "Leaves out the L2 term reg * z_wts (right only when reg = 0).",
      [r"\breg\b", r"regulari[sz]", r"l2|weight decay|penalty"],
      '''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn
'''),
    E("dz_wts-half-reg-c", "dz_wts", "wrong",
      "Uses 0.5 * reg * z_wts: the 1/2 of the penalty reg/2 ||W||^2 is cancelled by the derivative of the square and must not stay.",
      [r"(factor|half|1/2|0\.5).{0,40}(reg|penalt|square|cancel)", r"reg\s*/\s*2", r"derivative of (the )?(square|w\^?2|\|\|w\|\|)", r"cancel"],
      '''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return y_netAct.T @ dz_netIn + 0.5 * reg * z_wts
'''),
    E("dz_wts-double-mean-c", "dz_wts", "wrong",
      "Divides the data term by N again although dz_netIn already carries the 1/N of the mean loss.",
      [r"(divid|normali[sz]|averag)\w*.{0,30}(again|twice)", r"already (averaged|divided|normali[sz]ed|contains|includes|carries)", r"double", r"extra 1\s*/\s*N|by N (again|twice)"],
      '''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    N = y_netAct.shape[0]
    return (y_netAct.T @ dz_netIn) / N + reg * z_wts
'''),
    E("dz_wts-einsum-c", "dz_wts", "correct",
      "Writes the product as an einsum over the batch index.",
      [],
      '''def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    return np.einsum("nh,nc->hc", y_netAct, dz_netIn) + reg * z_wts
'''),
    # ------------------------------------------------------------------ dz_b
    E("dz_b-axis1-c", "dz_b", "wrong",
      "Sums over axis 1 (the classes) instead of axis 0 (the batch), returning an (N,) vector.",
      [r"axis", r"over (the )?(classes|columns)", r"(batch|rows?) (axis|dimension)", r"\(\s*N\s*,\s*\)"],
      '''def dz_b(dz_netIn):
    return np.sum(dz_netIn, axis=1)
'''),
    E("dz_b-mean-c", "dz_b", "wrong",
      "Averages over the batch instead of summing; dz_netIn already includes the 1/N of the mean loss.",
      [r"np\.mean|\.mean\s*\(|(averag\w*|\bmean\b) (instead|rather)|instead of (a |the )?sum|(not|rather than) summ\w*|averag\w* over (the )?(batch|rows|time|steps)", r"divid\w* by N", r"already (averaged|divided|includes|contains)"],
      '''def dz_b(dz_netIn):
    return np.mean(dz_netIn, axis=0)
'''),
    E("dz_b-keepdims-c", "dz_b", "wrong",
      "Keeps the summed axis (keepdims=True), returning shape (1, C) instead of (C,).",
      [r"keepdims", r"\(\s*1\s*,\s*C\s*\)", r"2-?d|two.?dimensional|extra (axis|dimension)"],
      '''def dz_b(dz_netIn):
    return np.sum(dz_netIn, axis=0, keepdims=True)
'''),
    E("dz_b-ones-vector-c", "dz_b", "correct",
      "Sums over the batch as a product with a vector of ones.",
      [],
      '''def dz_b(dz_netIn):
    return np.ones(dz_netIn.shape[0]) @ dz_netIn
'''),
    # ------------------------------------------------------------------ dy_netAct
    E("dy_netAct-no-transpose-c", "dy_netAct", "wrong",
      "Multiplies by z_wts instead of z_wts.T ((N, C) @ (H, C) fails on the shapes).",
      [r"transpos", r"z_wts\.T", r"\.T\b"],
      '''def dy_netAct(dz_netIn, z_wts):
    return dz_netIn @ z_wts
'''),
    E("dy_netAct-column-convention-c", "dy_netAct", "wrong",
      "Writes the column-vector form z_wts @ dz_netIn.T of the notes, returning the (H, N) transpose of the gradient.",
      [r"column", r"row.?vector", r"transpos", r"\(\s*H\s*,\s*N\s*\)"],
      '''def dy_netAct(dz_netIn, z_wts):
    return z_wts @ dz_netIn.T
'''),
    E("dy_netAct-pinv-c", "dy_netAct", "wrong",
      "Backpropagates through the layer with the pseudo-inverse of z_wts instead of its transpose.",
      [r"inverse|pinv", r"transpos"],
      '''def dy_netAct(dz_netIn, z_wts):
    return dz_netIn @ np.linalg.pinv(z_wts)
'''),
    E("dy_netAct-loop-c", "dy_netAct", "correct",
      "Computes each row separately in a loop and stacks them.",
      [],
      '''def dy_netAct(dz_netIn, z_wts):
    rows = [z_wts @ dz_netIn[n] for n in range(dz_netIn.shape[0])]
    return np.array(rows, dtype=np.float64).reshape(dz_netIn.shape[0], z_wts.shape[0])
'''),
    # ------------------------------------------------------------------ dy_netIn
    E("dy_netIn-ge-kink-c", "dy_netIn", "wrong",
      "Uses y_netIn >= 0, so the gradient passes at the kink where the contract says ReLU' = 0 (wrong only when a pre-activation is exactly 0).",
      [r">=|greater (than )?or equal", r"kink", r"(at|exactly) (0|zero)", r"derivative at (0|zero)"],
      '''def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * (y_netIn >= 0)
'''),
    E("dy_netIn-mask-on-gradient-c", "dy_netIn", "wrong",
      "Applies the ReLU to the upstream gradient (np.maximum(dy_netAct, 0)) instead of masking it by the sign of the pre-activation.",
      [r"sign of the (upstream |incoming )?gradient", r"(relu|maximum|mask\w*).{0,40}(the )?(gradient|dy_netAct)", r"instead of (the )?(pre-?activation|y_netIn|input)", r"y_netIn.{0,30}(ignored|unused|not used)"],
      '''def dy_netIn(dy_netAct, y_netIn):
    return np.maximum(dy_netAct, 0.0)
'''),
    E("dy_netIn-times-activation-c", "dy_netIn", "wrong",
      "Multiplies by the ReLU's output max(y_netIn, 0) instead of its derivative, the 0/1 indicator.",
      [r"indicator|0/1|binary|step function", r"derivative (of the relu )?(instead|rather|not)", r"(relu|activation)\W*s? (output|value)", r"max\w*\(\s*y_netIn"],
      '''def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * np.maximum(y_netIn, 0)
'''),
    E("dy_netIn-inplace-c", "dy_netIn", "wrong",
      "Zeroes the masked entries of dy_netAct in place and returns it, modifying the caller's array.",
      [r"in.?place", r"modif\w* (its|the|an) (input|argument)", r"mutat", r"copy"],
      '''def dy_netIn(dy_netAct, y_netIn):
    dy_netAct[y_netIn <= 0] = 0.0
    return dy_netAct
'''),
    E("dy_netIn-where-c", "dy_netIn", "correct",
      "Selects with np.where instead of multiplying by a boolean mask.",
      [],
      '''def dy_netIn(dy_netAct, y_netIn):
    return np.where(y_netIn > 0, dy_netAct, 0.0)
'''),
    # ------------------------------------------------------------------ dy_wts
    E("dy_wts-reg-transposed-c", "dy_wts", "wrong",
      "Adds reg * y_wts.T, a transposed (H, D) penalty gradient, to the (D, H) data term.",
      [r"transpos", r"y_wts\.T"],
      '''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return X.T @ dy_netIn + reg * y_wts.T
'''),
    E("dy_wts-penalty-value-c", "dy_wts", "wrong",
      "Adds the value of the penalty, reg * sum(y_wts**2), instead of its derivative reg * y_wts.",
      [r"derivative of (the )?(penalty|regulari[sz]\w* term|l2)", r"(value|loss) (of the penalty|term) (instead|rather)", r"squared norm|sum\w*\s*\(\s*y_wts\s*\*\*\s*2", r"reg\s*\*\s*y_wts\b"],
      '''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    return X.T @ dy_netIn + reg * np.sum(y_wts ** 2)
'''),
    E("dy_wts-reg-over-N-c", "dy_wts", "wrong",
      "Divides the regularization gradient by the batch size: the penalty is added once to the loss, not averaged over the rows.",
      [r"(reg|regulari[sz]\w*|penalty).{0,50}(divid\w*|by N\b|batch size|averag)", r"(not|never) (averaged|divided)", r"added once"],
      '''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    N = X.shape[0]
    return X.T @ dy_netIn + reg * y_wts / N
'''),
    E("dy_wts-outer-loop-c", "dy_wts", "correct",
      "Sums the outer products of the rows in a loop.",
      [],
      '''def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    g = reg * y_wts
    for n in range(X.shape[0]):
        g = g + np.outer(X[n], dy_netIn[n])
    return g
'''),
    # ------------------------------------------------------------------ dy_b
    E("dy_b-total-sum-c", "dy_b", "wrong",
      "Sums every entry (no axis), returning a scalar instead of one value per hidden unit.",
      [r"scalar", r"axis", r"(every|all) (entr|element)", r"total sum"],
      '''def dy_b(dy_netIn):
    return np.sum(dy_netIn)
'''),
    E("dy_b-relu-again-c", "dy_b", "wrong",
      "Applies the ReLU again to the gradient before summing, as if the bias gradient had to pass through the activation once more.",
      [r"(relu|mask|maximum|activation).{0,40}(again|twice|second)", r"already (masked|through)", r"np\.maximum|clipp\w* (the )?(gradient|negative)"],
      '''def dy_b(dy_netIn):
    return np.sum(np.maximum(dy_netIn, 0.0), axis=0)
'''),
    E("dy_b-returns-list-c", "dy_b", "wrong",
      "Builds the column sums in a Python list comprehension and returns the list, not a float64 ndarray.",
      [r"\blist\b", r"ndarray|np\.array", r"\btype\b"],
      '''def dy_b(dy_netIn):
    return [float(sum(col)) for col in dy_netIn.T]
'''),
    E("dy_b-transpose-ones-c", "dy_b", "correct",
      "Sums over the batch as dy_netIn.T @ ones(N).",
      [],
      '''def dy_b(dy_netIn):
    return dy_netIn.T @ np.ones(len(dy_netIn))
'''),
    # ------------------------------------------------------------------ mlp_backward
    E("mlp_backward-X-for-hidden-c", "mlp_backward", "wrong",
      "Passes cache['X'] as the layer input to dz_wts, where the output layer's input is the hidden activation y_netAct.",
      [r"y_netAct", r"hidden (activation|layer'?s? output)", r"input (of|to) the (output )?layer", r"X\b.{0,30}(instead|rather|not)"],
      '''def mlp_backward(y, params, cache, reg=0.0):
    g_act = dz_netAct(cache["z_netAct"], y)
    g_in = dz_netIn(g_act, cache["z_netAct"])
    g_hid = dy_netAct(g_in, params["z_wts"])
    g_hid_in = dy_netIn(g_hid, cache["y_netIn"])
    return {"z_wts": dz_wts(g_in, cache["X"], params["z_wts"], reg),
            "z_b": dz_b(g_in),
            "y_wts": dy_wts(g_hid_in, cache["X"], params["y_wts"], reg),
            "y_b": dy_b(g_hid_in)}
'''),
    E("mlp_backward-logits-to-dz_netAct-c", "mlp_backward", "wrong",
      "Feeds the logits cache['z_netIn'] to dz_netAct and dz_netIn, which need the softmax probabilities z_netAct.",
      [r"\bz_netIn\b", r"logits", r"pre-?softmax|before (the )?softmax", r"probabilit\w*.{0,30}(instead|needed|not)"],
      '''def mlp_backward(y, params, cache, reg=0.0):
    g1 = dz_netAct(cache["z_netIn"], y)
    g2 = dz_netIn(g1, cache["z_netIn"])
    g3 = dy_netAct(g2, params["z_wts"])
    g4 = dy_netIn(g3, cache["y_netIn"])
    return {"z_wts": dz_wts(g2, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g2),
            "y_wts": dy_wts(g4, cache["X"], params["y_wts"], reg), "y_b": dy_b(g4)}
'''),
    E("mlp_backward-no-reg-hidden-c", "mlp_backward", "wrong",
      "Does not pass reg to dy_wts, so the hidden weights' gradient misses reg * y_wts (right only when reg = 0).",
      [r"reg\w*.{0,60}(y_wts|hidden|first layer)", r"(y_wts|hidden|first layer).{0,60}reg", r"(not passed|default|omit\w*|missing).{0,30}reg|reg.{0,30}(not passed|default|omit\w*|missing)"],
      '''def mlp_backward(y, params, cache, reg=0.0):
    dp = dz_netAct(cache["z_netAct"], y)
    dz = dz_netIn(dp, cache["z_netAct"])
    da = dy_netAct(dz, params["z_wts"])
    dn = dy_netIn(da, cache["y_netIn"])
    grads = {}
    grads["z_wts"] = dz_wts(dz, cache["y_netAct"], params["z_wts"], reg)
    grads["z_b"] = dz_b(dz)
    grads["y_wts"] = dy_wts(dn, cache["X"], params["y_wts"])
    grads["y_b"] = dy_b(dn)
    return grads
'''),
    E("mlp_backward-skips-softmax-c", "mlp_backward", "wrong",
      "Passes the gradient at the probabilities (dz_netAct's result) to dy_netAct and the output-layer rules, skipping the softmax step dz_netIn.",
      [r"skip\w* (the )?(softmax|dz_netIn)", r"dz_netIn.{0,40}(never|not) (used|called|applied)", r"(gradient at|w\.?r\.?t\.?) (the )?probabilit", r"softmax (backward|jacobian|step|rule)"],
      '''def mlp_backward(y, params, cache, reg=0.0):
    g_out = dz_netAct(cache["z_netAct"], y)
    g_hid = dy_netIn(dy_netAct(g_out, params["z_wts"]), cache["y_netIn"])
    return {"z_wts": dz_wts(g_out, cache["y_netAct"], params["z_wts"], reg),
            "z_b": dz_b(g_out),
            "y_wts": dy_wts(g_hid, cache["X"], params["y_wts"], reg),
            "y_b": dy_b(g_hid)}
'''),
    E("mlp_backward-bias-before-mask-c", "mlp_backward", "wrong",
      "Computes the hidden bias gradient from dy_netAct (before the ReLU mask) instead of from dy_netIn.",
      [r"(before|without|skip\w*) (the )?(relu|mask)", r"dy_netAct.{0,40}(y_b|bias)", r"(y_b|bias).{0,40}dy_netAct", r"post-?activation|after the relu"],
      '''def mlp_backward(y, params, cache, reg=0.0):
    g_zA = dz_netAct(cache["z_netAct"], y)
    g_zI = dz_netIn(g_zA, cache["z_netAct"])
    g_yA = dy_netAct(g_zI, params["z_wts"])
    g_yI = dy_netIn(g_yA, cache["y_netIn"])
    return {"z_wts": dz_wts(g_zI, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_zI),
            "y_wts": dy_wts(g_yI, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_yA)}
'''),
    E("mlp_backward-global-X-c", "mlp_backward", "wrong",
      "Uses a global variable X (left over from a test cell) for the input in dy_wts instead of the argument cache['X'].",
      [r"global", r"cache\s*\[\s*.X.\s*\]", r"(not|instead of) (the |an )?(argument|cache)", r"NameError|undefined|not defined"],
      '''def mlp_backward(y, params, cache, reg=0.0):
    g_zA = dz_netAct(cache["z_netAct"], y)
    g_zI = dz_netIn(g_zA, cache["z_netAct"])
    g_yI = dy_netIn(dy_netAct(g_zI, params["z_wts"]), cache["y_netIn"])
    return {"z_wts": dz_wts(g_zI, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_zI),
            "y_wts": dy_wts(g_yI, X, params["y_wts"], reg), "y_b": dy_b(g_yI)}
'''),
    E("mlp_backward-reg-twice-c", "mlp_backward", "wrong",
      "Adds reg * W again after calling dz_wts and dy_wts, which already include the penalty term (right only when reg = 0).",
      [r"twice|double", r"already (adds|add|includes|include|contains)", r"(added|counted) (again|twice)", r"2\s*\*\s*reg"],
      '''def mlp_backward(y, params, cache, reg=0.0):
    g_zA = dz_netAct(cache["z_netAct"], y)
    g_zI = dz_netIn(g_zA, cache["z_netAct"])
    g_yA = dy_netAct(g_zI, params["z_wts"])
    g_yI = dy_netIn(g_yA, cache["y_netIn"])
    return {"z_wts": dz_wts(g_zI, cache["y_netAct"], params["z_wts"], reg) + reg * params["z_wts"],
            "z_b": dz_b(g_zI),
            "y_wts": dy_wts(g_yI, cache["X"], params["y_wts"], reg) + reg * params["y_wts"],
            "y_b": dy_b(g_yI)}
'''),
    E("mlp_backward-key-names-c", "mlp_backward", "wrong",
      "Returns the gradients under the rule names (dz_wts, dz_b, dy_wts, dy_b) instead of the parameter names y_wts, y_b, z_wts, z_b.",
      [r"parameter names?", r"(rule|function|gradient) names?.{0,30}(as|for) (the )?keys?", r"dz_wts.{0,30}(instead|rather).{0,30}z_wts", r"keys?.{0,30}named (after|like) (the )?(rules|functions)"],
      '''def mlp_backward(y, params, cache, reg=0.0):
    g_zA = dz_netAct(cache["z_netAct"], y)
    g_zI = dz_netIn(g_zA, cache["z_netAct"])
    g_yI = dy_netIn(dy_netAct(g_zI, params["z_wts"]), cache["y_netIn"])
    return {"dz_wts": dz_wts(g_zI, cache["y_netAct"], params["z_wts"], reg), "dz_b": dz_b(g_zI),
            "dy_wts": dy_wts(g_yI, cache["X"], params["y_wts"], reg), "dy_b": dy_b(g_yI)}
'''),
    E("mlp_backward-hidden-input-c", "mlp_backward", "wrong",
      "Passes the hidden activation cache['y_netAct'] as the input of the hidden layer to dy_wts, where that layer's input is X.",
      [r"\bX\b.{0,40}(input|instead|should)", r"input (of|to) the (hidden|first) layer", r"y_netAct.{0,40}(instead|rather|not)", r"cache\s*\[\s*.X.\s*\]"],
      '''def mlp_backward(y, params, cache, reg=0.0):
    g_zA = dz_netAct(cache["z_netAct"], y)
    g_zI = dz_netIn(g_zA, cache["z_netAct"])
    g_yA = dy_netAct(g_zI, params["z_wts"])
    g_yI = dy_netIn(g_yA, cache["y_netIn"])
    return {"z_wts": dz_wts(g_zI, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_zI),
            "y_wts": dy_wts(g_yI, cache["y_netAct"], params["y_wts"], reg), "y_b": dy_b(g_yI)}
'''),
    E("mlp_backward-keywords-c", "mlp_backward", "correct",
      "Calls every rule with keyword arguments in a different order and assembles the dict at the end.",
      [],
      '''def mlp_backward(y, params, cache, reg=0.0):
    p = cache["z_netAct"]
    d_in = dz_netIn(z_netAct=p, dz_netAct=dz_netAct(y=y, z_netAct=p))
    d_hidden = dy_netIn(y_netIn=cache["y_netIn"], dy_netAct=dy_netAct(z_wts=params["z_wts"], dz_netIn=d_in))
    out = dict(y_b=dy_b(d_hidden), z_b=dz_b(d_in))
    out["y_wts"] = dy_wts(d_hidden, cache["X"], params["y_wts"], reg=reg)
    out["z_wts"] = dz_wts(d_in, cache["y_netAct"], params["z_wts"], reg=reg)
    return out
'''),
    E("mlp_backward-reg-outside-c", "mlp_backward", "correct",
      "Calls the weight rules with reg = 0 and adds reg * W itself afterwards (the same numbers).",
      [],
      '''def mlp_backward(y, params, cache, reg=0.0):
    g_zI = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_yI = dy_netIn(dy_netAct(g_zI, params["z_wts"]), cache["y_netIn"])
    grads = {"z_wts": dz_wts(g_zI, cache["y_netAct"], params["z_wts"], 0.0),
             "y_wts": dy_wts(g_yI, cache["X"], params["y_wts"], 0.0)}
    for name in ("z_wts", "y_wts"):
        grads[name] = grads[name] + reg * params[name]
    grads["z_b"] = dz_b(g_zI)
    grads["y_b"] = dy_b(g_yI)
    return grads
'''),
]
