"""Blind answer set for notebook 02 (one-layer RNN, BPTT): student-style rewrites of the eleven graded rules."""
import textwrap


def E(unit, slug, kind, cause, words, src):
    return {"id": f"{unit}-{slug}-d", "unit": unit, "kind": kind, "cause": cause,
            "cause_words": list(words), "source": textwrap.dedent(src).strip() + "\n"}


ENTRIES = [
    # ---------------- dy_t
    E("dy_t", "only-N", "wrong",
      "It divides by N only, forgetting that the loss averages over all T*N predictions.",
      [r"T\s*\*\s*N|T\s*N\b", r"(missing|forg\w*|omit\w*).{0,30}\bT\b", r"(average|mean) over (all )?(the )?(time|steps)"],
      """
      def dy_t(p_t, y_t, T):
          N, Q = p_t.shape
          return (p_t - one_hot(y_t, Q)) / N
      """),
    E("dy_t", "only-T", "wrong",
      "It divides by T only, dropping the batch mean 1/N.",
      [r"T\s*\*\s*N|T\s*N\b", r"(missing|forg\w*|omit\w*).{0,30}\bN\b", r"batch (size|mean)"],
      """
      def dy_t(p_t, y_t, T):
          Q = p_t.shape[1]
          return (p_t - one_hot(y_t, Q)) / T
      """),
    E("dy_t", "classes-from-labels", "wrong",
      "The number of classes is taken from the labels (max(y_t) + 1), so when the highest class is absent from the batch the one-hot is too narrow (wrong only on that allowed edge case).",
      [r"max\(y", r"(absent|missing|not present) (class|label)", r"number of classes.{0,40}(labels|targets)", r"p_t\.shape\[1\]|\bQ\b"],
      """
      def dy_t(p_t, y_t, T):
          N = p_t.shape[0]
          return (p_t - one_hot(y_t, int(np.max(y_t)) + 1)) / (T * N)
      """),
    E("dy_t", "in-place-subtract", "wrong",
      "It subtracts 1 at the targets directly in p_t, modifying the caller's softmax output in place.",
      [r"in[- ]place", r"modif\w*.{0,30}(input|p_t)", r"(copy|mutat|alias)"],
      """
      def dy_t(p_t, y_t, T):
          N = p_t.shape[0]
          p_t[np.arange(N), y_t] -= 1.0
          return p_t / (T * N)
      """),
    E("dy_t", "eye-copy", "correct",
      "Copies p_t and subtracts at the targets by fancy indexing instead of using one_hot.",
      [],
      """
      def dy_t(p_t, y_t, T):
          g = np.array(p_t, dtype=np.float64, copy=True)
          g[np.arange(g.shape[0]), y_t] -= 1.0
          return g / (T * g.shape[0])
      """),
    # ---------------- dW_hq
    E("dW_hq", "last-step-only", "wrong",
      "Only the last step's contribution h[-1].T @ dy[-1] is used, not the sum over all T steps.",
      [r"sum\w* over (all )?(the )?(time|steps)", r"(last|final) (time )?step", r"every step|all (T )?steps"],
      """
      def dW_hq(h, dy):
          return h[-1].T @ dy[-1]
      """),
    E("dW_hq", "mean-over-time", "wrong",
      "It averages the per-step contributions over time instead of summing them (the 1/T is already in dy).",
      [r"np\.mean|\.mean\(|averag\w*.{0,40}(instead|rather|not)", r"(mean|averag)\w*.{0,30}(instead of|rather than).{0,20}sum|sum\w*.{0,30}(instead of|rather than|not).{0,20}(mean|averag)", r"(divid\w*|normali[sz]\w*).{0,20}\bT\b.{0,30}(twice|again|already)"],
      """
      def dW_hq(h, dy):
          T = h.shape[0]
          return sum(h[t].T @ dy[t] for t in range(T)) / T
      """),
    E("dW_hq", "skip-first-step", "wrong",
      "The loop starts at t = 1 and misses step 0's contribution (range bound off by one).",
      [r"range\(1", r"(step|t\s*=)\s*0", r"off[- ]by[- ]one|loop (bound|range)", r"first step"],
      """
      def dW_hq(h, dy):
          g = np.zeros((h.shape[2], dy.shape[2]))
          for t in range(1, h.shape[0]):
              g += h[t].T @ dy[t]
          return g
      """),
    E("dW_hq", "einsum", "correct",
      "One einsum over the time and batch indices.",
      [],
      """
      def dW_hq(h, dy):
          return np.einsum("tnh,tnq->hq", h, dy)
      """),
    # ---------------- db_q
    E("db_q", "time-only", "wrong",
      "It sums over time only (axis=0), leaving an (N, Q) array instead of summing over the batch too.",
      [r"axis\s*=?\s*0", r"(also|and) (over )?(the )?batch|axis\s*=?\s*\(0,\s*1\)", r"\(N,\s*Q\)"],
      """
      def db_q(dy):
          return np.sum(dy, axis=0)
      """),
    E("db_q", "mean", "wrong",
      "It takes the mean over time and batch instead of the sum.",
      [r"np\.mean|\.mean\(", r"averag\w*.{0,40}(instead|rather|not)", r"(mean|averag)\w*.{0,30}(instead of|rather than).{0,20}sum|sum\w*.{0,30}(instead of|rather than|not).{0,20}(mean|averag)"],
      """
      def db_q(dy):
          return dy.mean(axis=(0, 1))
      """),
    # ---------------- dh_t
    E("dh_t", "untransposed-whh", "wrong",
      "The gradient from the future is multiplied by W_hh instead of W_hh.T.",
      [r"transpos", r"W_hh\.T"],
      """
      def dh_t(dy_t, dhraw_next, W_hq, W_hh):
          return dy_t @ W_hq.T + dhraw_next @ W_hh
      """),
    E("dh_t", "no-future", "wrong",
      "The term from the next step (dhraw_next @ W_hh.T) is dropped; only the output's gradient reaches h_t.",
      [r"(future|next step|later step)", r"dhraw_next", r"recurren\w*"],
      """
      def dh_t(dy_t, dhraw_next, W_hq, W_hh):
          return dy_t @ W_hq.T
      """),
    E("dh_t", "future-not-through-whh", "wrong",
      "The gradient from the next step is added as is, without passing it back through W_hh.",
      [r"(through|by|times|multipl\w*|via).{0,20}W_hh", r"recurrent weights", r"(multipl|pass)\w*.{0,30}W_hh"],
      """
      def dh_t(dy_t, dhraw_next, W_hq, W_hh):
          return dy_t @ W_hq.T + dhraw_next
      """),
    # ---------------- dhraw_t
    E("dhraw_t", "tanh-on-netin", "wrong",
      "tanh' is computed as 1 - h_netIn**2 from the pre-activation instead of 1 - h_t**2 from the output.",
      [r"1\s*-\s*h_netIn", r"pre-?activation.{0,40}(instead|rather|not the output)", r"(output|h_t).{0,30}(squared|\*\*\s*2)"],
      """
      def dhraw_t(dh_t, h_netIn_t, h_t, activation):
          if activation == "relu":
              return dh_t * (h_netIn_t > 0)
          if activation == "tanh":
              return dh_t * (1.0 - h_netIn_t ** 2)
          raise ValueError(f"unknown activation {activation}")
      """),
    E("dhraw_t", "tanh-twice", "wrong",
      "It applies tanh again to the already-activated h_t: 1 - tanh(h_t)**2.",
      [r"tanh\(h_t\)", r"(twice|again|already)", r"1\s*-\s*h_t\s*\*\*\s*2"],
      """
      def dhraw_t(dh_t, h_netIn_t, h_t, activation):
          if activation == "relu":
              return dh_t * (h_netIn_t > 0)
          if activation == "tanh":
              return dh_t * (1.0 - np.tanh(h_t) ** 2)
          raise ValueError(f"unknown activation {activation}")
      """),
    E("dhraw_t", "else-tanh", "wrong",
      "Any activation other than 'relu' falls through to the tanh branch instead of raising ValueError (wrong only for an unknown activation, which the contract says must raise).",
      [r"ValueError", r"(unknown|unsupported|invalid) activation", r"(must|should) raise", r"\belse\b"],
      """
      def dhraw_t(dh_t, h_netIn_t, h_t, activation):
          if activation == "relu":
              return dh_t * (h_netIn_t > 0)
          else:
              return dh_t * (1.0 - h_t ** 2)
      """),
    E("dhraw_t", "relu-ge", "wrong",
      "The ReLU derivative uses >= 0, passing the gradient at a pre-activation exactly 0 (wrong only at the kink).",
      [r">=\s*0", r"(exactly|at) (0|zero)", r"kink"],
      """
      def dhraw_t(dh_t, h_netIn_t, h_t, activation):
          if activation == "relu":
              return dh_t * (h_netIn_t >= 0)
          if activation == "tanh":
              return dh_t * (1.0 - h_t ** 2)
          raise ValueError(f"unknown activation {activation}")
      """),
    E("dhraw_t", "dict-dispatch", "correct",
      "Dispatches through a dict of derivative functions; relu's derivative from np.heaviside with value 0 at 0.",
      [],
      """
      def dhraw_t(dh_t, h_netIn_t, h_t, activation):
          derivs = {"relu": lambda: np.heaviside(h_netIn_t, 0.0),
                    "tanh": lambda: 1.0 - h_t * h_t}
          if activation not in derivs:
              raise ValueError("activation must be 'relu' or 'tanh'")
          return dh_t * derivs[activation]()
      """),
    # ---------------- dW_hh
    E("dW_hh", "transposed-outer", "wrong",
      "Each step's term is written dhraw[t].T @ h_prev[t], the transpose of the gradient (same square shape, so no error).",
      [r"transpos", r"order of the (product|operands|factors)", r"h_prev\[t\]\.T"],
      """
      def dW_hh(h_prev, dhraw):
          return sum(dhraw[t].T @ h_prev[t] for t in range(dhraw.shape[0]))
      """),
    E("dW_hh", "skip-initial", "wrong",
      "The loop skips t = 0, dropping the initial state's term h_prev[0].T @ dhraw[0].",
      [r"initial state|h0|h_prev\[0\]", r"range\(1", r"(step|t\s*=)\s*0|first step"],
      """
      def dW_hh(h_prev, dhraw):
          H = dhraw.shape[2]
          g = np.zeros((H, H))
          for t in range(1, dhraw.shape[0]):
              g += h_prev[t].T @ dhraw[t]
          return g
      """),
    E("dW_hh", "stop-before-last", "wrong",
      "The loop runs to T - 1 and misses the last step's contribution.",
      [r"range\(\s*T\s*-\s*1|T\s*-\s*1", r"last step|final step", r"off[- ]by[- ]one|loop (bound|range)"],
      """
      def dW_hh(h_prev, dhraw):
          T, N, H = dhraw.shape
          g = np.zeros((H, H))
          for t in range(T - 1):
              g += h_prev[t].T @ dhraw[t]
          return g
      """),
    E("dW_hh", "reshape", "correct",
      "Flattens time and batch into one axis and does one product.",
      [],
      """
      def dW_hh(h_prev, dhraw):
          T, N, H = h_prev.shape
          return h_prev.reshape(T * N, H).T @ dhraw.reshape(T * N, -1)
      """),
    # ---------------- dW_xh
    E("dW_xh", "transposed", "wrong",
      "It computes dhraw[t].T @ X[t], the (H, D) transpose.",
      [r"transpos", r"\(H,\s*D\)", r"order of the (product|operands|factors)"],
      """
      def dW_xh(X, dhraw):
          return sum(dhraw[t].T @ X[t] for t in range(X.shape[0]))
      """),
    E("dW_xh", "last-step", "wrong",
      "Only the last step's input contributes; the per-step terms are not summed over time.",
      [r"sum\w* over (all )?(the )?(time|steps)", r"(last|final) (time )?step", r"every step|all (T )?steps"],
      """
      def dW_xh(X, dhraw):
          g = None
          for t in range(X.shape[0]):
              g = X[t].T @ dhraw[t]
          return g
      """),
    # ---------------- db_h
    E("db_h", "batch-only", "wrong",
      "It sums over the batch only (axis=1), leaving a (T, H) array instead of also summing over time.",
      [r"axis\s*=?\s*1", r"(also|and) (over )?(the )?time|axis\s*=?\s*\(0,\s*1\)", r"\(T,\s*H\)"],
      """
      def db_h(dhraw):
          return dhraw.sum(axis=1)
      """),
    E("db_h", "scalar-sum", "wrong",
      "np.sum without an axis adds everything into one scalar instead of a (H,) vector.",
      [r"scalar", r"axis", r"\(H,\s*\)"],
      """
      def db_h(dhraw):
          return np.sum(dhraw)
      """),
    # ---------------- dX
    E("dX", "sum-over-time", "wrong",
      "The per-step gradients are summed over time into one (N, D) array instead of one slice per step.",
      [r"sum\w* over (the )?time", r"(per|each|every) step|one slice", r"\(N,\s*D\)"],
      """
      def dX(dhraw, W_xh):
          return np.sum(dhraw, axis=0) @ W_xh.T
      """),
    E("dX", "zeros-like-wrong-shape", "wrong",
      "The output is preallocated with np.zeros_like(dhraw), shape (T, N, H), so each (N, D) slice does not fit (D differs from H).",
      [r"zeros_like", r"\(T,\s*N,\s*D\)", r"prealloc\w*.{0,40}shape"],
      """
      def dX(dhraw, W_xh):
          out = np.zeros_like(dhraw)
          for t in range(dhraw.shape[0]):
              out[t] = dhraw[t] @ W_xh.T
          return out
      """),
    E("dX", "einsum", "correct",
      "An einsum over the hidden index.",
      [],
      """
      def dX(dhraw, W_xh):
          return np.einsum("tnh,dh->tnd", dhraw, W_xh)
      """),
    # ---------------- dh0
    E("dh0", "untransposed", "wrong",
      "It multiplies by W_hh instead of W_hh.T.",
      [r"transpos", r"W_hh\.T"],
      """
      def dh0(dhraw_0, W_hh):
          return dhraw_0 @ W_hh
      """),
    E("dh0", "returns-dhraw", "wrong",
      "It returns dhraw_0 itself, the gradient at the pre-activation, without passing it back through W_hh.",
      [r"(through|by|times|multipl\w*|via).{0,20}W_hh", r"recurrent weights", r"pre-?activation.{0,40}(not|instead)"],
      """
      def dh0(dhraw_0, W_hh):
          return dhraw_0
      """),
    # ---------------- rnn_backward
    E("rnn_backward", "forward-loop", "wrong",
      "The loop runs forward in time, so each step receives the gradient of the previous step instead of the next one.",
      [r"revers\w*|backward(s)? in time", r"(forward|increasing) (order|direction|in time)", r"loop direction|range\(T\)"],
      """
      def rnn_backward(Y, params, cache, activation):
          X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
          T, N, H = h.shape
          dy = np.zeros(P.shape)
          dhraw = np.zeros(h.shape)
          dhraw_next = np.zeros((N, H))
          for t in range(T):
              dy[t] = dy_t(P[t], Y[t], T)
              dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
              dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
              dhraw_next = dhraw[t]
          h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
          return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                  "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
      """),
    E("rnn_backward", "carry-dh", "wrong",
      "The gradient at h_t (dh, before the activation's derivative) is carried to the previous step instead of dhraw_t at the pre-activation.",
      [r"carr\w*.{0,40}(dh\b|h_t|before the (activation|derivative))", r"dhraw.{0,40}(instead|rather|should)", r"activation'?s? derivative.{0,30}(carried|next)"],
      """
      def rnn_backward(Y, params, cache, activation):
          X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
          T, N, H = h.shape
          dy = np.zeros(P.shape)
          dhraw = np.zeros(h.shape)
          dhraw_next = np.zeros((N, H))
          for t in reversed(range(T)):
              dy[t] = dy_t(P[t], Y[t], T)
              dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
              dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
              dhraw_next = dh
          h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
          return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                  "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
      """),
    E("rnn_backward", "N-for-T", "wrong",
      "dy_t is called with N where the number of steps T belongs, so the loss is normalised by N*N instead of T*N.",
      [r"\bT\b.{0,30}(instead|not|should)|(instead|not|should).{0,30}\bT\b", r"N\s*\*\s*N|number of (time )?steps", r"normali[sz]"],
      """
      def rnn_backward(Y, params, cache, activation):
          X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
          T, N, H = h.shape
          dy = np.zeros(P.shape)
          dhraw = np.zeros(h.shape)
          dhraw_next = np.zeros((N, H))
          for t in reversed(range(T)):
              dy[t] = dy_t(P[t], Y[t], N)
              dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
              dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
              dhraw_next = dhraw[t]
          h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
          return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                  "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
      """),
    E("rnn_backward", "unshifted-states", "wrong",
      "dW_hh is given the states h (h_t) instead of the previous states h_{t-1}, i.e. h_prev is not shifted by one step.",
      [r"h_prev|previous state|h_\{?t\s*-\s*1", r"shift\w*", r"off[- ]by[- ]one"],
      """
      def rnn_backward(Y, params, cache, activation):
          X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
          T, N, H = h.shape
          dy = np.zeros(P.shape)
          dhraw = np.zeros(h.shape)
          dhraw_next = np.zeros((N, H))
          for t in reversed(range(T)):
              dy[t] = dy_t(P[t], Y[t], T)
              dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
              dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
              dhraw_next = dhraw[t]
          return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h, dhraw), "b_h": db_h(dhraw),
                  "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
      """),
    E("rnn_backward", "zero-h0", "wrong",
      "h_prev starts with zeros instead of cache['h0'], assuming the initial state is zero (agrees only when h0 = 0).",
      [r"h0", r"initial state", r"(assum\w*|not) (it is )?zero"],
      """
      def rnn_backward(Y, params, cache, activation):
          X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
          T, N, H = h.shape
          dy = np.zeros(P.shape)
          dhraw = np.zeros(h.shape)
          dhraw_next = np.zeros((N, H))
          for t in reversed(range(T)):
              dy[t] = dy_t(P[t], Y[t], T)
              dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
              dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
              dhraw_next = dhraw[t]
          h_prev = np.concatenate([np.zeros((1, N, H)), h[:-1]], axis=0)
          return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                  "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
      """),
    E("rnn_backward", "reset-in-loop", "wrong",
      "dhraw_next is initialised to zeros inside the loop, so the gradient from the future is wiped at every step.",
      [r"(inside|within|in) the loop", r"(reset|overwrit|re-?initiali[sz])\w*", r"(future|next step|carr\w*).{0,40}(lost|zero|never)"],
      """
      def rnn_backward(Y, params, cache, activation):
          X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
          T, N, H = h.shape
          dy = np.zeros(P.shape)
          dhraw = np.zeros(h.shape)
          for t in reversed(range(T)):
              dhraw_next = np.zeros((N, H))
              dy[t] = dy_t(P[t], Y[t], T)
              dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
              dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
              dhraw_next = dhraw[t]
          h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
          return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                  "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
      """),
    E("rnn_backward", "hardcoded-relu", "wrong",
      "dhraw_t is called with the literal 'relu' instead of the activation argument, so tanh networks get the ReLU derivative.",
      [r"hard-?cod\w*", r"activation (argument|parameter)", r"(literal|always).{0,20}relu|relu.{0,30}(regardless|always|even for tanh|for tanh)"],
      """
      def rnn_backward(Y, params, cache, activation):
          X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
          T, N, H = h.shape
          dy = np.zeros(P.shape)
          dhraw = np.zeros(h.shape)
          dhraw_next = np.zeros((N, H))
          for t in reversed(range(T)):
              dy[t] = dy_t(P[t], Y[t], T)
              dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
              dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], "relu")
              dhraw_next = dhraw[t]
          h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
          return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                  "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
      """),
    E("rnn_backward", "skip-last-step", "wrong",
      "The loop is reversed(range(T - 1)), so the last step is never visited and its gradients stay zero.",
      [r"range\(\s*T\s*-\s*1", r"last step|final step", r"off[- ]by[- ]one|loop (bound|range)"],
      """
      def rnn_backward(Y, params, cache, activation):
          X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
          T, N, H = h.shape
          dy = np.zeros(P.shape)
          dhraw = np.zeros(h.shape)
          dhraw_next = np.zeros((N, H))
          for t in reversed(range(T - 1)):
              dy[t] = dy_t(P[t], Y[t], T)
              dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
              dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
              dhraw_next = dhraw[t]
          h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
          return {"W_xh": dW_xh(X, dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                  "W_hq": dW_hq(h, dy), "b_q": db_q(dy)}
      """),
    E("rnn_backward", "lists-and-stack", "correct",
      "Collects the per-step gradients in Python lists (appended backwards, then reversed) and stacks them.",
      [],
      """
      def rnn_backward(Y, params, cache, activation):
          T = cache["h"].shape[0]
          dys, dhraws = [], []
          carried = np.zeros_like(cache["h0"], dtype=np.float64)
          for t in range(T - 1, -1, -1):
              g_o = dy_t(cache["p"][t], Y[t], T)
              g_h = dh_t(g_o, carried, params["W_hq"], params["W_hh"])
              carried = dhraw_t(g_h, cache["h_netIn"][t], cache["h"][t], activation)
              dys.append(g_o)
              dhraws.append(carried)
          dy = np.stack(dys[::-1])
          dhraw = np.stack(dhraws[::-1])
          h_prev = np.stack([cache["h0"]] + [cache["h"][t] for t in range(T - 1)])
          return {"W_xh": dW_xh(cache["X"], dhraw), "W_hh": dW_hh(h_prev, dhraw), "b_h": db_h(dhraw),
                  "W_hq": dW_hq(cache["h"], dy), "b_q": db_q(dy)}
      """),
    E("dy_t", "sign", "wrong",
      "The difference is taken the wrong way round, one_hot(y) - p instead of p - one_hot(y).",
      [r"sign", r"(wrong|reversed|opposite) (way|order|direction)", r"one_hot.{0,10}-\s*p|p\s*-\s*one"],
      """
      def dy_t(p_t, y_t, T):
          N, Q = p_t.shape
          return (one_hot(y_t, Q) - p_t) / (T * N)
      """),
    E("dW_xh", "3d-transpose", "wrong",
      "X.T @ dhraw treats the 3-D arrays like 2-D ones: .T reverses all three axes, so the time axes are not matched and the product fails.",
      [r"3-?d|three[- ]d|axes|\.T on", r"(sum|loop) over (the )?(time|steps)", r"reshape|einsum|per step"],
      """
      def dW_xh(X, dhraw):
          return X.T @ dhraw
      """),
    E("db_q", "einsum", "correct",
      "An einsum that keeps only the class index.",
      [],
      """
      def db_q(dy):
          return np.einsum("tnq->q", dy)
      """),
    E("dh_t", "stacked", "correct",
      "Concatenates the two upstream gradients and the two transposed weight matrices and does one product.",
      [],
      """
      def dh_t(dy_t, dhraw_next, W_hq, W_hh):
          return np.hstack([dy_t, dhraw_next]) @ np.vstack([W_hq.T, W_hh.T])
      """),
    E("dh0", "einsum", "correct",
      "An einsum over the receiving unit.",
      [],
      """
      def dh0(dhraw_0, W_hh):
          return np.einsum("nj,ij->ni", dhraw_0, W_hh)
      """),
    E("dh0", "batch-summed", "wrong",
      "It sums the gradient over the batch as if h0 were one shared parameter, returning (1, H) instead of one row per sequence.",
      [r"sum\w*.{0,30}(batch|axis\s*=?\s*0)", r"(per|each|every) (sequence|row|example)", r"shared|parameter", r"\(N,\s*H\)"],
      """
      def dh0(dhraw_0, W_hh):
          return np.sum(dhraw_0 @ W_hh.T, axis=0, keepdims=True)
      """),
    E("db_h", "mean-over-time", "wrong",
      "It divides the sum by T, averaging over time although dhraw already carries the 1/(T N) of the mean loss.",
      [r"(divid\w*|normali[sz]\w*).{0,20}\bT\b", r"averag\w*.{0,30}(time|steps)", r"(twice|again|already)"],
      """
      def db_h(dhraw):
          return np.sum(dhraw, axis=(0, 1)) / dhraw.shape[0]
      """),
    E("dW_xh", "shifted-input", "wrong",
      "Copying the h_prev pattern of dW_hh, it pairs dhraw[t] with X[t-1] (and X[-1] at t = 0) instead of the input of the same step X[t].",
      [r"X\[t\s*-\s*1\]|X\[-1\]", r"(same|current) step", r"shift\w*|off[- ]by[- ]one|previous (input|step)"],
      """
      def dW_xh(X, dhraw):
          g = np.zeros((X.shape[2], dhraw.shape[2]))
          for t in range(X.shape[0]):
              g += X[t - 1].T @ dhraw[t]
          return g
      """),
    E("dX", "np-dot", "correct",
      "np.dot of the 3-D array with W_xh.T, which contracts the last axis.",
      [],
      """
      def dX(dhraw, W_xh):
          return np.dot(dhraw, W_xh.T)
      """),
]
