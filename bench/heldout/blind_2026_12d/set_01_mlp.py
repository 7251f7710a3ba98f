"""Blind answer set for notebook 01 (MLP backprop): student-style rewrites of the nine graded rules."""
import textwrap


def E(unit, slug, kind, cause, words, src):
    return {"id": f"{unit}-{slug}-d", "unit": unit, "kind": kind, "cause": cause,
            "cause_words": list(words), "source": textwrap.dedent(src).strip() + "\n"}


ENTRIES = [
    # ---------------- dz_netAct
    E("dz_netAct", "no-batch-mean", "wrong",
      "The gradient omits the 1/N factor of the mean cross-entropy over the batch.",
      [r"1\s*/\s*N", r"divid\w* by (the batch size|N)", r"(batch|mean).{0,40}(normali[sz]|averag|factor)", r"missing.{0,20}\bN\b"],
      """
      def dz_netAct(z_netAct, y):
          N = z_netAct.shape[0]
          grad = np.zeros(z_netAct.shape)
          grad[np.arange(N), y] = -1.0 / z_netAct[np.arange(N), y]
          return grad
      """),
    E("dz_netAct", "column-fancy-index", "wrong",
      "Indexing grad[:, y] fills whole columns (every row at every label column) instead of one entry per row grad[rows, y].",
      [r"grad\[\s*:\s*,\s*y\s*\]", r"(whole|entire|every) (column|row)", r"(pair|one entry per row|arange|row index)"],
      """
      def dz_netAct(z_netAct, y):
          N = z_netAct.shape[0]
          grad = np.zeros(z_netAct.shape)
          grad[:, y] = -1.0 / (N * z_netAct[np.arange(N), y])
          return grad
      """),
    E("dz_netAct", "divide-everywhere", "wrong",
      "It divides the one-hot mask by all of z_netAct, so a non-target probability that is exactly 0 gives 0/0 = nan (wrong only on that allowed edge case).",
      [r"(0\s*/\s*0|divi\w* by zero|zero probabilit|\bnan\b)", r"non-?target.{0,40}(0|zero)", r"(underflow)"],
      """
      def dz_netAct(z_netAct, y):
          N, C = z_netAct.shape
          mask = np.eye(C)[y]
          return -mask / (N * z_netAct)
      """),
    E("dz_netAct", "eye-where", "correct",
      "Builds the gradient with np.where on a one-hot mask, dividing only where the mask is set via a safe denominator.",
      [],
      """
      def dz_netAct(z_netAct, y):
          N, C = z_netAct.shape
          mask = np.eye(C, dtype=bool)[y]
          safe = np.where(mask, z_netAct, 1.0)
          return np.where(mask, -1.0 / (N * safe), 0.0)
      """),
    # ---------------- dz_netIn
    E("dz_netIn", "diagonal-only", "wrong",
      "It uses only the diagonal of the softmax Jacobian, p(1-p) elementwise, dropping the cross terms -p_i p_j.",
      [r"diagonal", r"cross[- ]?terms?", r"off-?diagonal", r"p_?i\s*\*?\s*p_?j|full jacobian"],
      """
      def dz_netIn(dz_netAct, z_netAct):
          return dz_netAct * z_netAct * (1.0 - z_netAct)
      """),
    E("dz_netIn", "inner-axis0", "wrong",
      "The inner product <g, p> is summed over the batch axis (axis=0) instead of over the classes of each row (axis=1).",
      [r"axis\s*=?\s*0", r"(over|across) the batch", r"per row|each row|row-?wise", r"wrong axis"],
      """
      def dz_netIn(dz_netAct, z_netAct):
          inner = np.sum(dz_netAct * z_netAct, axis=0, keepdims=True)
          return z_netAct * (dz_netAct - inner)
      """),
    E("dz_netIn", "no-keepdims", "wrong",
      "The row sums lose their axis (no keepdims), so the (N,) vector broadcasts along the class axis instead of per row.",
      [r"keepdims", r"broadcast", r"\(N,\s*\)|\[:, ?None\]|reshape\(-1, ?1\)"],
      """
      def dz_netIn(dz_netAct, z_netAct):
          inner = (dz_netAct * z_netAct).sum(axis=1)
          return z_netAct * (dz_netAct - inner)
      """),
    E("dz_netIn", "label-shortcut", "wrong",
      "It assumes the upstream gradient is the cross-entropy one and returns p minus the upstream gradient's sign pattern, ignoring the actual dz_netAct values.",
      [r"(ignor|not use|does not use).{0,30}(upstream|dz_netAct|incoming)", r"assum\w*.{0,40}cross-?entropy", r"shortcut|p\s*-\s*one.?hot"],
      """
      def dz_netIn(dz_netAct, z_netAct):
          N = z_netAct.shape[0]
          target = (dz_netAct < 0).astype(np.float64)
          return (z_netAct - target) / N
      """),
    E("dz_netIn", "per-row-jacobian", "correct",
      "Builds the full C x C softmax Jacobian diag(p) - p p^T for each row and multiplies it in a loop.",
      [],
      """
      def dz_netIn(dz_netAct, z_netAct):
          out = np.empty(z_netAct.shape)
          for n in range(z_netAct.shape[0]):
              p = z_netAct[n]
              J = np.diag(p) - np.outer(p, p)
              out[n] = J.T @ dz_netAct[n]
          return out
      """),
    # ---------------- dz_wts
    E("dz_wts", "no-reg", "wrong",
      "The L2 regularization term reg * z_wts is left out of the weight gradient.",
      [r"\breg\b", r"regulari[sz]"],
      """
      def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
          return y_netAct.T @ dz_netIn
      """),
    E("dz_wts", "double-reg", "wrong",
      "The regularization gradient is written 2 * reg * W, but the loss has reg/2 ||W||^2, whose gradient is reg * W.",
      [r"2\s*\*?\s*reg", r"factor (of )?(2|two)", r"reg\s*/\s*2|half"],
      """
      def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
          return y_netAct.T @ dz_netIn + 2 * reg * z_wts
      """),
    E("dz_wts", "transposed-product", "wrong",
      "The product is taken in the wrong order, dz_netIn.T @ y_netAct, giving the (C, H) transpose of the gradient.",
      [r"transpos", r"\(C,\s*H\)", r"order of the (product|factors)", r"y_netAct\.T"],
      """
      def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
          return dz_netIn.T @ y_netAct + reg * z_wts.T
      """),
    E("dz_wts", "extra-mean", "wrong",
      "It divides the data term by N again although dz_netIn already carries the 1/N of the mean loss.",
      [r"(divid\w*|normali[sz]\w*) .{0,20}(N|batch).{0,30}(twice|again|already)", r"(twice|double).{0,20}(1\s*/\s*N|average|mean)", r"already.{0,40}(1/N|mean|averag)"],
      """
      def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
          N = y_netAct.shape[0]
          return y_netAct.T @ dz_netIn / N + reg * z_wts
      """),
    # ---------------- dz_b
    E("dz_b", "axis1", "wrong",
      "It sums over the class axis (axis=1) instead of over the batch (axis=0).",
      [r"axis\s*=?\s*1", r"wrong axis", r"(over|across) (the )?(classes|columns)"],
      """
      def dz_b(dz_netIn):
          return np.sum(dz_netIn, axis=1)
      """),
    E("dz_b", "mean", "wrong",
      "It averages over the batch instead of summing (the 1/N is already in dz_netIn).",
      [r"np\.mean|\.mean\(", r"averag\w*.{0,40}(instead|rather|not)", r"(mean|averag)\w*.{0,30}(instead of|rather than).{0,20}sum|sum\w*.{0,30}(instead of|rather than|not).{0,20}(mean|averag)", r"(divid\w*|normali[sz]\w*).{0,20}(\bN\b|batch)"],
      """
      def dz_b(dz_netIn):
          return dz_netIn.mean(axis=0)
      """),
    E("dz_b", "ones-product", "correct",
      "Sums the batch with a row of ones times the matrix.",
      [],
      """
      def dz_b(dz_netIn):
          return np.ones(dz_netIn.shape[0]) @ dz_netIn
      """),
    # ---------------- dy_netAct
    E("dy_netAct", "operand-order", "wrong",
      "It computes z_wts @ dz_netIn.T, the (H, N) transpose, instead of dz_netIn @ z_wts.T.",
      [r"transpos", r"\(H,\s*N\)", r"order of the (product|operands|factors)"],
      """
      def dy_netAct(dz_netIn, z_wts):
          return z_wts @ dz_netIn.T
      """),
    E("dy_netAct", "batch-summed", "wrong",
      "It sums dz_netIn over the batch before the product, as for a bias, losing the per-example rows.",
      [r"sum\w*.{0,30}(batch|axis\s*=?\s*0)", r"per[- ](example|row|sample)", r"\(H,\s*\)"],
      """
      def dy_netAct(dz_netIn, z_wts):
          return np.sum(dz_netIn, axis=0) @ z_wts.T
      """),
    E("dy_netAct", "double-transpose", "correct",
      "Computes the transpose of z_wts @ dz_netIn.T.",
      [],
      """
      def dy_netAct(dz_netIn, z_wts):
          return (z_wts @ dz_netIn.T).T
      """),
    # ---------------- dy_netIn
    E("dy_netIn", "ge-zero", "wrong",
      "The ReLU mask uses >= 0, so a pre-activation exactly 0 passes the gradient though ReLU'(0) = 0 by the contract (wrong only at the kink).",
      [r">=\s*0", r"(exactly|at) (0|zero)", r"kink", r"derivative at (0|zero)"],
      """
      def dy_netIn(dy_netAct, y_netIn):
          return dy_netAct * (y_netIn >= 0)
      """),
    E("dy_netIn", "times-activation", "wrong",
      "It multiplies by the ReLU output max(z, 0) instead of its derivative (an indicator).",
      [r"(output|value|activation) (itself|instead of (the|its) derivative)", r"indicator|0/1|mask|derivative", r"max(imum)?\(.{0,20}0\)"],
      """
      def dy_netIn(dy_netAct, y_netIn):
          return dy_netAct * np.maximum(y_netIn, 0)
      """),
    E("dy_netIn", "in-place-mask", "wrong",
      "It zeroes the upstream array in place and returns it, modifying the caller's dy_netAct.",
      [r"in[- ]place", r"modif\w*.{0,30}input", r"(copy|alias|mutat)"],
      """
      def dy_netIn(dy_netAct, y_netIn):
          dy_netAct[y_netIn <= 0] = 0.0
          return dy_netAct
      """),
    E("dy_netIn", "where", "correct",
      "Uses np.where to select the upstream gradient or 0.",
      [],
      """
      def dy_netIn(dy_netAct, y_netIn):
          return np.where(y_netIn > 0, dy_netAct, 0.0)
      """),
    # ---------------- dy_wts
    E("dy_wts", "no-reg", "wrong",
      "The regularization term reg * y_wts is dropped.",
      [r"\breg\b", r"regulari[sz]"],
      """
      def dy_wts(dy_netIn, X, y_wts, reg=0.0):
          return X.T @ dy_netIn
      """),
    E("dy_wts", "half-reg", "wrong",
      "It differentiates reg/2 ||W||^2 to (reg/2) W, keeping the 1/2 that the derivative cancels.",
      [r"0\.5\s*\*?\s*reg|reg\s*/\s*2", r"half", r"factor"],
      """
      def dy_wts(dy_netIn, X, y_wts, reg=0.0):
          return X.T @ dy_netIn + 0.5 * reg * y_wts
      """),
    E("dy_wts", "reg-on-grad", "wrong",
      "Copy-paste slip: the penalty is added as reg times the data gradient instead of reg times the weights.",
      [r"reg\s*(\*|times)\s*(the )?(data )?grad", r"(instead of|not) (the )?weights|y_wts", r"regulari[sz]\w*.{0,40}weights"],
      """
      def dy_wts(dy_netIn, X, y_wts, reg=0.0):
          g = X.T @ dy_netIn
          return g + reg * g
      """),
    E("dy_wts", "einsum", "correct",
      "Writes the product as an einsum over the batch index.",
      [],
      """
      def dy_wts(dy_netIn, X, y_wts, reg=0.0):
          return np.einsum("nd,nh->dh", X, dy_netIn) + reg * y_wts
      """),
    # ---------------- dy_b
    E("dy_b", "axis1", "wrong",
      "It sums over the hidden units (axis=1) instead of over the batch.",
      [r"axis\s*=?\s*1", r"wrong axis", r"(over|across) (the )?(hidden|units|columns)"],
      """
      def dy_b(dy_netIn):
          return np.sum(dy_netIn, axis=1)
      """),
    E("dy_b", "keepdims", "wrong",
      "keepdims=True leaves a (1, H) row instead of the (H,) vector of the bias's shape.",
      [r"keepdims", r"\(1,\s*H\)", r"(extra|leading) (axis|dimension)"],
      """
      def dy_b(dy_netIn):
          return np.sum(dy_netIn, axis=0, keepdims=True)
      """),
    # ---------------- mlp_backward
    E("mlp_backward", "logits-into-ce", "wrong",
      "It feeds the logits z_netIn instead of the softmax probabilities z_netAct into dz_netAct.",
      [r"z_netIn", r"logits", r"(probabilit|softmax output).{0,40}(instead|not)"],
      """
      def mlp_backward(y, params, cache, reg=0.0):
          g_z_act = dz_netAct(cache["z_netIn"], y)
          g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
          g_y_act = dy_netAct(g_z_in, params["z_wts"])
          g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
          return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
                  "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_y_in)}
      """),
    E("mlp_backward", "skip-softmax", "wrong",
      "The hidden-layer chain starts from the gradient at the softmax output (g_z_act) instead of the one at z_netIn, skipping the softmax backward.",
      [r"skip\w*.{0,30}softmax", r"(dz_netAct|g_z_act|softmax output).{0,60}(instead|rather)", r"(before|without).{0,30}(softmax|dz_netIn)"],
      """
      def mlp_backward(y, params, cache, reg=0.0):
          g_z_act = dz_netAct(cache["z_netAct"], y)
          g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
          g_y_act = dy_netAct(g_z_act, params["z_wts"])
          g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
          return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
                  "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_y_in)}
      """),
    E("mlp_backward", "preact-input", "wrong",
      "The output weights' gradient uses the hidden pre-activations y_netIn instead of the ReLU outputs y_netAct as the layer input.",
      [r"y_netIn", r"pre-?activation", r"(before|not after) the relu"],
      """
      def mlp_backward(y, params, cache, reg=0.0):
          g_z_act = dz_netAct(cache["z_netAct"], y)
          g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
          g_y_act = dy_netAct(g_z_in, params["z_wts"])
          g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
          return {"z_wts": dz_wts(g_z_in, cache["y_netIn"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
                  "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_y_in)}
      """),
    E("mlp_backward", "reg-only-output", "wrong",
      "reg is passed to dz_wts only; dy_wts falls back to its default reg=0, so the hidden weights' penalty is missing (agrees when reg = 0).",
      [r"\breg\b", r"regulari[sz]", r"default"],
      """
      def mlp_backward(y, params, cache, reg=0.0):
          g_z_act = dz_netAct(cache["z_netAct"], y)
          g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
          g_y_act = dy_netAct(g_z_in, params["z_wts"])
          g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
          return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
                  "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"]), "y_b": dy_b(g_y_in)}
      """),
    E("mlp_backward", "bias-before-relu", "wrong",
      "The hidden bias gradient is taken from the gradient at y_netAct, before the ReLU backward, instead of at y_netIn.",
      [r"(before|without) (the )?relu", r"(g_y_act|dy_netAct|y_netAct).{0,60}(instead|rather|bias)", r"relu (mask|backward|derivative)"],
      """
      def mlp_backward(y, params, cache, reg=0.0):
          g_z_act = dz_netAct(cache["z_netAct"], y)
          g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
          g_y_act = dy_netAct(g_z_in, params["z_wts"])
          g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
          return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
                  "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_y_act)}
      """),
    E("mlp_backward", "hidden-input-copy", "wrong",
      "Copy-paste slip: the hidden weights' gradient is given y_netAct as its input instead of the network input X.",
      [r"\bX\b", r"(network|layer'?s?) input", r"copy"],
      """
      def mlp_backward(y, params, cache, reg=0.0):
          g_z_act = dz_netAct(cache["z_netAct"], y)
          g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
          g_y_act = dy_netAct(g_z_in, params["z_wts"])
          g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
          return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
                  "y_wts": dy_wts(g_y_in, cache["y_netAct"], params["y_wts"], reg), "y_b": dy_b(g_y_in)}
      """),
    E("mlp_backward", "no-relu-backward", "wrong",
      "The ReLU backward (dy_netIn) is never called: the gradient at the hidden activations is used as the gradient at the pre-activations.",
      [r"relu (backward|mask|derivative)", r"dy_netIn", r"(skip|miss|never|without)\w*.{0,30}relu", r"(mask|derivative) of the (hidden )?activation"],
      """
      def mlp_backward(y, params, cache, reg=0.0):
          g_z_act = dz_netAct(cache["z_netAct"], y)
          g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
          g_y_in = dy_netAct(g_z_in, params["z_wts"])
          return {"z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_z_in),
                  "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_y_in)}
      """),
    E("mlp_backward", "reordered-names", "correct",
      "Computes the output-layer gradients first into a dict and fills the hidden ones later, with its own variable names.",
      [],
      """
      def mlp_backward(y, params, cache, reg=0.0):
          grads = {}
          up = dz_netIn(dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
          grads["z_b"] = dz_b(up)
          grads["z_wts"] = dz_wts(up, cache["y_netAct"], params["z_wts"], reg=reg)
          hid = dy_netIn(dy_netAct(up, params["z_wts"]), cache["y_netIn"])
          grads["y_wts"] = dy_wts(hid, cache["X"], params["y_wts"], reg=reg)
          grads["y_b"] = dy_b(hid)
          return grads
      """),
    E("dz_netAct", "sign", "wrong",
      "The minus sign of d(-log p)/dp is lost: the entries are +1/(N p) instead of -1/(N p).",
      [r"sign", r"minus|negative|-\s*1\s*/", r"-log"],
      """
      def dz_netAct(z_netAct, y):
          N = z_netAct.shape[0]
          grad = np.zeros_like(z_netAct, dtype=np.float64)
          grad[np.arange(N), y] = 1.0 / (N * z_netAct[np.arange(N), y])
          return grad
      """),
    E("dz_wts", "dot", "correct",
      "Uses np.dot on the transposed activations and adds the penalty with np.add.",
      [],
      """
      def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
          return np.add(np.dot(np.transpose(y_netAct), dz_netIn), np.multiply(reg, z_wts))
      """),
    E("dy_b", "add-reduce", "correct",
      "Sums the rows with np.add.reduce.",
      [],
      """
      def dy_b(dy_netIn):
          return np.add.reduce(np.asarray(dy_netIn, dtype=np.float64), axis=0)
      """),
    E("dy_netAct", "extra-mean", "wrong",
      "It divides by N again, though dz_netIn already carries the 1/N of the mean loss.",
      [r"(divid\w*|normali[sz]\w*) .{0,20}(\bN\b|batch).{0,30}(twice|again|already)", r"(twice|double).{0,20}(1\s*/\s*N|average|mean)", r"already.{0,40}(1/N|mean|averag)"],
      """
      def dy_netAct(dz_netIn, z_wts):
          return dz_netIn @ z_wts.T / dz_netIn.shape[0]
      """),
    E("dy_b", "builtin-sum", "correct",
      "Python's built-in sum over the rows of the array.",
      [],
      """
      def dy_b(dy_netIn):
          return sum(dy_netIn) * 1.0
      """),
]
