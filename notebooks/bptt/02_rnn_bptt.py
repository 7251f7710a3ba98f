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
#     version: '3.11'
# ---

# %% [markdown] nbgrader={"grade": false, "grade_id": "title", "locked": true, "schema_version": 3, "solution": false}
# # Backpropagation through time, part 2 of 4: one hidden layer, unrolled
#
# An RNN applies the same layer at every time step and feeds its hidden state to the
# next step. Unroll it over T steps and it is a deep MLP whose layers **share weights**.
# Backpropagation through this unrolled network is *backpropagation through time* (BPTT).
#
# **Learning goals.** After this notebook you can
#
# 1. write the local rules of an RNN step and relate each to its MLP counterpart
#    from notebook 01;
# 2. explain why a hidden state gets gradient from **two** places (its own output and
#    the next step), and why the gradient of a shared weight is a **sum over time**;
# 3. handle ReLU and tanh in the backward pass, using the cached forward values;
# 4. assemble BPTT as one backward loop over time and verify it with finite differences.
#
# **How to work.** Write your code only between the lines `# YOUR CODE HERE` and the
# `raise NotImplementedError()` below it (delete that line). Cells with a lock are given code:
# read them, do not edit them. Run the notebook from the top (*Kernel → Restart & Run All*)
# before you submit. Each graded function is followed by a test cell: the tests you see are
# the ones you can learn from (shapes, a tiny case worked by hand in the text above it, and
# a finite-difference check); the grader adds hidden tests on other inputs. A test cell
# that prints a warning to stderr scores 0 even when it passes, so keep your code free of
# NumPy warnings (no `log(0)`, no division by zero).
#
# Conventions (as in the lecture's MLP code `X @ y_wts`): **row vectors**, the batch is the
# first axis within a step, sequences are **time-major** `(T, N, D)`, everything float64.
#
# | graded function | points |
# |---|---|
# | `dy_t(p_t, y_t, T)` | 1 |
# | `dW_hq(h, dy)` | 1 |
# | `db_q(dy)` | 1 |
# | `dh_t(dy_t, dhraw_next, W_hq, W_hh)` | 2 |
# | `dhraw_t(dh_t, h_netIn_t, h_t, activation)` | 2 |
# | `dW_hh(h_prev, dhraw)` | 1 |
# | `dW_xh(X, dhraw)` | 1 |
# | `db_h(dhraw)` | 1 |
# | `rnn_backward(Y, params, cache, activation)` | 4 |
# | **this notebook** | **14** |
#
# The whole assignment has **41 points** across four notebooks (01: 12 + 02: 14 + 03: 7 + 04: 8).

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
import os
from contextlib import contextmanager

import numpy as np

np.set_printoptions(precision=4, suppress=True)
# Set to "1" by the grader: experiment cells then skip themselves.
GRADING = os.environ.get("BPTT_GRADING") == "1"


def check_shape(where, name, value, expected):
    """Raise a ValueError naming `where`, the argument and its expected shape.

    expected: tuple of (name, size) pairs, size None when any size is allowed.
    """
    value = np.asarray(value)
    want = "(" + ", ".join(n if s is None else f"{n}={s}" for n, s in expected) + ")"
    if value.ndim != len(expected) or any(s is not None and s != v for (_, s), v in zip(expected, value.shape)):
        raise ValueError(f"{where}: {name} must have shape {want}, got {value.shape}")
    return value


def softmax(logits):
    """Row-wise softmax over the last axis; subtracting the row maximum avoids overflow."""
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def one_hot(labels, n_classes):
    """Integer labels of any shape (...) -> float64 array (..., n_classes) with a single 1 per row."""
    return np.eye(n_classes)[labels]


# %% nbgrader={"grade": false, "grade_id": "gradcheck", "locked": true, "schema_version": 3, "solution": false}
def rel_error(a, b):
    """max|a - b| / max(|a|, |b|): scale-free, and safe when some entries are 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12))


def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar f() with respect to every entry of x.

    f takes no arguments and reads x, which is changed in place and restored.
    Error O(eps**2) per entry, so in float64 it agrees with a correct analytic
    gradient to about 1e-9 (relative).
    """
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f()
        x[i] = old - eps
        f_minus = f()
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad


TOL = 1e-6


def _row(name, shape, err):
    result = "OK" if err < TOL else "FAIL"
    return f"{name:<16}{str(shape):<14}{err:>11.1e}   {result}"


def grad_check(f, x, analytic, name="gradient"):
    """Compare an analytic gradient with central differences of f() in x.

    - f: function of no arguments returning a scalar; it must read x
    - x: the float64 array to differentiate with respect to (changed in place, restored)
    - analytic: your gradient, same shape as x
    Prints one line and returns the relative error (correct code: below 1e-7).
    """
    analytic = np.asarray(analytic, dtype=float)
    if analytic.shape != x.shape:
        raise AssertionError(f"{name}: your gradient has shape {analytic.shape}, but the quantity "
                             f"it is the gradient of has shape {x.shape}")
    err = rel_error(analytic, numerical_gradient(f, x))
    print(_row(name, x.shape, err))
    return err


def gradient_table(checks):
    """Print the gradient-check table: derivative, shape, relative error, OK/FAIL.

    checks: list of (name, f, x, compute_analytic) where compute_analytic() returns
    your gradient; an exception (e.g. NotImplementedError) is shown in its row.
    Returns True when every row is OK.
    """
    print(f"{'derivative':<16}{'shape':<14}{'rel. error':>11}   result")
    all_ok = True
    for name, f, x, compute in checks:
        try:
            analytic = np.asarray(compute(), dtype=float)
            if analytic.shape != x.shape:
                raise ValueError(f"shape {analytic.shape} != {x.shape}")
            err = rel_error(analytic, numerical_gradient(f, x))
            print(_row(name, x.shape, err))
            all_ok &= err < TOL
        except Exception as exc:
            print(f"{name:<16}{str(x.shape):<14}{'-':>11}   {type(exc).__name__}: {exc}")
            all_ok = False
    return all_ok


def local_numeric(forward, x, upstream):
    """What every local backprop rule computes, numerically: d sum(upstream * forward(x)) / dx.

    'Meets G from above and x from below' means exactly this: the gradient G
    arriving from above, pulled back through the local function forward(x).
    """
    x = np.array(x, dtype=float)
    return numerical_gradient(lambda: np.sum(upstream * forward(x)), x)


@contextmanager
def swapped_in(namespace, functions):
    """Temporarily replace functions in `namespace` (pass globals()), restoring them afterwards."""
    saved = {name: namespace[name] for name in functions if name in namespace}
    namespace.update(functions)
    try:
        yield
    finally:
        for name in functions:
            if name in saved:
                namespace[name] = saved[name]
            else:
                namespace.pop(name, None)


# %% [markdown]
# ## The network
#
# Parameters (the lecture's list): $W_{xh}$ (D, H), $W_{hh}$ (H, H), $b_h$ (H,),
# $W_{hq}$ (H, Q), $b_q$ (Q,). With row vectors and the batch first, for
# $t = 0, \dots, T-1$ and $h_{-1} = h_0$ (zeros by default):
#
# | step | forward | shape | MLP counterpart |
# |---|---|---|---|
# | 1 | `h_netIn_t = X[t] @ W_xh + h_{t-1} @ W_hh + b_h` | (N, H) | `y_netIn` |
# | 2 | `h_t = phi(h_netIn_t)` (ReLU or tanh) | (N, H) | `y_netAct` |
# | 3 | `o_t = h_t @ W_hq + b_q` | (N, Q) | `z_netIn` |
# | 4 | `p_t = softmax(o_t)` | (N, Q) | `z_netAct` |
# | 5 | `loss = mean over all T·N predictions of -log p_t[n, Y[t, n]]` | scalar | |
#
# > **⚠ Note on the lecture notes.** The notes' forward pass reads
# > $h_t = W_{xh} x_t + W_{hh} h_{t-1} + b_h$, without the activation. The network has
# > one: $h_t = \phi(\cdot)$ with ReLU or tanh (as in the "RNN review" part of the same
# > notes), and the backward pass has to go through it (that is `dhraw_t` below). The
# > notes also write column vectors ($W_{hq} h_t$); we use row vectors, so every
# > product appears transposed and in the other order.
#
# The cache keeps both `h_netIn` (before phi) and `h` (after), for all steps, stacked
# time-major: `cache["h"][t]` is $h_t$.

# %% nbgrader={"grade": false, "grade_id": "forward", "locked": true, "schema_version": 3, "solution": false}
def phi(z, activation):
    """The hidden activation: "relu" -> max(z, 0), "tanh" -> tanh(z)."""
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "tanh":
        return np.tanh(z)
    raise ValueError(f"unknown activation {activation!r}; expected 'relu' or 'tanh'")


def rnn_forward(X, params, h0=None, activation="relu"):
    """Forward pass of the one-layer RNN over a whole sequence.

    Inputs:
    - X: (T, N, D) input sequence, X[t] is step t
    - params: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,)
    - h0: (N, H) initial hidden state, zeros if None
    - activation: "relu" or "tanh"
    Returns (P, cache):
    - P: (T, N, Q) softmax outputs p_t
    - cache: dict with X (T, N, D), h0 (N, H), h_netIn (T, N, H), h (T, N, H), o (T, N, Q), p (T, N, Q)
    """
    X = np.asarray(X, dtype=float)
    T, N, D = check_shape("rnn_forward", "X", X, (("T", None), ("N", None), ("D", None))).shape
    H, Q = np.shape(params["W_hh"])[0], np.shape(params["W_hq"])[-1]
    for name, shape in (("W_xh", (("D", D), ("H", H))), ("W_hh", (("H", H), ("H", H))), ("b_h", (("H", H),)),
                        ("W_hq", (("H", H), ("Q", Q))), ("b_q", (("Q", Q),))):
        check_shape("rnn_forward", f"params['{name}']", params[name], shape)
    h0 = np.zeros((N, H)) if h0 is None else check_shape("rnn_forward", "h0", h0, (("N", N), ("H", H)))
    h_netIn, h = np.zeros((T, N, H)), np.zeros((T, N, H))
    h_prev = h0
    for t in range(T):
        h_netIn[t] = X[t] @ params["W_xh"] + h_prev @ params["W_hh"] + params["b_h"]
        h[t] = phi(h_netIn[t], activation)
        h_prev = h[t]
    o = h @ params["W_hq"] + params["b_q"]
    P = softmax(o)
    return P, dict(X=X, h0=h0, h_netIn=h_netIn, h=h, o=o, p=P)


def rnn_loss(X, Y, params, h0=None, activation="relu"):
    """Mean cross-entropy over all T*N predictions; Y (T, N) int targets."""
    P, _ = rnn_forward(X, params, h0, activation)
    T, N = Y.shape
    picked = P[np.arange(T)[:, None], np.arange(N)[None, :], Y]
    return -np.mean(np.log(picked))


def rnn_problem(T=4, N=2, D=3, H=5, Q=6, activation="tanh", seed=0):
    """A random RNN problem with all dimensions different: X, Y, params, h0."""
    rng = np.random.default_rng(seed)
    params = dict(W_xh=rng.standard_normal((D, H)) * 0.6, W_hh=rng.standard_normal((H, H)) * 0.4,
                  b_h=rng.standard_normal(H) * 0.2, W_hq=rng.standard_normal((H, Q)) * 0.6,
                  b_q=rng.standard_normal(Q) * 0.2)
    X = rng.standard_normal((T, N, D))
    Y = rng.integers(0, Q, (T, N))
    h0 = rng.standard_normal((N, H)) * 0.5
    return X, Y, params, h0


# %% [markdown]
# ## Where the gradient flows
#
# The figure shows three unrolled steps. Forward (gray), $h_t$ feeds two things: the
# output $o_t$ (through $W_{hq}$) and the next pre-activation $h\_netIn_{t+1}$ (through
# $W_{hh}$). So backward (red), the gradient at $h_t$ is the **sum of two paths**: from
# the loss of step t through $o_t$, and from the future through $W_{hh}$. That second
# path is what makes backpropagation *through time*: to know `dh_t` you need
# `dhraw_{t+1}` first, so the backward loop runs from $t = T-1$ down to 0.

# %% nbgrader={"grade": false, "grade_id": "figure", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
if GRADING:
    print("skipped while grading")
else:
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    fig, ax = plt.subplots(figsize=(11, 5.2))
    steps = ["t-1", "t", "t+1"]
    rows = {"L": 4.0, "o": 3.0, "h": 1.7, "x": 0.3}
    def node(x, y, text, color):
        ax.add_patch(FancyBboxPatch((x - 0.42, y - 0.28), 0.84, 0.56, boxstyle="round,pad=0.05",
                                    fc=color, ec="black", lw=1))
        ax.text(x, y, text, ha="center", va="center", fontsize=12)
    def arrow(p, q, color, text="", dx=0.0, dy=0.0, **kw):
        ax.annotate("", xy=q, xytext=p, arrowprops=dict(arrowstyle="-|>", color=color, lw=2, **kw))
        if text:
            ax.text((p[0] + q[0]) / 2 + dx, (p[1] + q[1]) / 2 + dy, text, color=color, fontsize=10,
                    ha="center", va="center")
    xs = [1.5, 4.5, 7.5]
    node(-0.6, rows["h"], "$h_{t-2}$", "#eeeeee")
    arrow((-0.15, rows["h"] + 0.1), (xs[0] - 0.47, rows["h"] + 0.1), "gray")
    for i, (x, s) in enumerate(zip(xs, steps)):
        node(x, rows["x"], f"$x_{{{s}}}$", "#e8f0ff")
        node(x, rows["h"], f"$h_{{{s}}}$", "#fff2cc")
        node(x, rows["o"], f"$o_{{{s}}}$", "#e2f0d9")
        node(x, rows["L"], f"$L_{{{s}}}$", "#fbe5d6")
        arrow((x - 0.1, rows["x"] + 0.33), (x - 0.1, rows["h"] - 0.33), "gray", "$W_{xh}$", dx=-0.45)
        arrow((x - 0.1, rows["h"] + 0.33), (x - 0.1, rows["o"] - 0.33), "gray", "$W_{hq}$", dx=-0.45)
        arrow((x - 0.1, rows["o"] + 0.33), (x - 0.1, rows["L"] - 0.33), "gray")
        # backward: loss -> o_t -> h_t
        arrow((x + 0.1, rows["L"] - 0.33), (x + 0.1, rows["o"] + 0.33), "crimson", f"$dy_{{{s}}}$", dx=0.45)
        arrow((x + 0.1, rows["o"] - 0.33), (x + 0.1, rows["h"] + 0.33), "crimson", r"$\cdot W_{hq}^T$", dx=0.55)
        if i < 2:
            arrow((x + 0.47, rows["h"] + 0.1), (xs[i + 1] - 0.47, rows["h"] + 0.1), "gray", "$W_{hh}$", dy=0.25)
            # backward: h_{t+1} -> h_t through W_hh.T
            arrow((xs[i + 1] - 0.47, rows["h"] - 0.12), (x + 0.47, rows["h"] - 0.12), "crimson",
                  r"$dhraw_{%s} \cdot W_{hh}^T$" % steps[i + 1], dy=-0.3)
    arrow((xs[2] + 0.47, rows["h"] + 0.1), (xs[2] + 1.3, rows["h"] + 0.1), "gray")
    ax.text(xs[2] + 1.6, rows["h"] - 0.12, "from $h_{t+2}$: zero if\nt+1 is the last step", color="crimson", fontsize=9, va="center")
    ax.set_xlim(-1.2, 9.8)
    ax.set_ylim(-0.2, 4.5)
    ax.axis("off")
    ax.set_title("Unrolled RNN: forward (gray) and the gradient paths into $h_t$ (red)")
    plt.show()


# %% [markdown]
# ## The local rules
#
# The lecture's names: `dy` is the gradient at the outputs (the logits $o_t$), `dh_t` at
# the hidden state $h_t$, `dhraw_t` at the pre-activation $h\_netIn_t$ ("raw": before
# phi). Rules that produce a **parameter gradient** receive whole sequences stacked
# time-major and sum over time themselves; rules that belong **inside** the time loop
# receive one step.
#
# | rule | receives | returns |
# |---|---|---|
# | `dy_t(p_t, y_t, T)` | one step: (N, Q), (N,), int | (N, Q) |
# | `dW_hq(h, dy)` | (T, N, H), (T, N, Q) | (H, Q) |
# | `db_q(dy)` | (T, N, Q) | (Q,) |
# | `dh_t(dy_t, dhraw_next, W_hq, W_hh)` | one step: (N, Q), (N, H), (H, Q), (H, H) | (N, H) |
# | `dhraw_t(dh_t, h_netIn_t, h_t, activation)` | one step: (N, H) ×3, str | (N, H) |
# | `dW_hh(h_prev, dhraw)` | (T, N, H), (T, N, H) | (H, H) |
# | `dW_xh(X, dhraw)` | (T, N, D), (T, N, H) | (D, H) |
# | `db_h(dhraw)` | (T, N, H) | (H,) |
#
# `h_prev` is the sequence of *previous* states: `h_prev[t]` $= h_{t-1}$, with
# `h_prev[0] = h0`.

# %% [markdown]
# ### 1. `dy_t` — the loss meets the logits of step t (1 point)
#
# Meets the **loss** from above and $o_t$ from below; the analogue of `dz_netIn` in
# notebook 01 (softmax and cross-entropy together). The loss is a mean over **all T·N
# predictions**, so each one carries weight $1/(TN)$:
#
# $$dy_t = \frac{\partial L}{\partial o_t} = \frac{p_t - \mathrm{one\_hot}(y_t)}{T\,N}$$
#
# | argument / result | shape |
# |---|---|
# | `p_t` | (N, Q) softmax output of step t |
# | `y_t` | (N,) int targets of step t |
# | `T` | int, number of steps |
# | returns `dy_t` | (N, Q) |
#
# > **⚠ Note on the lecture notes.** The notes write `dy = -1/(len(y_t)*y_t)`: that is
# > the gradient at the softmax *output* (like `dz_netAct`), true class only, and
# > without the 1/T of the mean over time. Here `dy` is the gradient at the logits,
# > which already includes the softmax step.
#
# *Worked by hand* (T = 2, N = 2, Q = 3): `p_t = [[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]]`,
# `y_t = [0, 2]` gives `[[0.7-1, 0.2, 0.1], [0.3, 0.3, 0.4-1]] / 4 =
# [[-0.075, 0.05, 0.025], [0.075, 0.075, -0.15]]`.

# %% nbgrader={"grade": false, "grade_id": "dy_t", "locked": false, "schema_version": 3, "solution": true}
def dy_t(p_t, y_t, T):
    """Gradient of the mean loss with respect to the logits o_t of one step.

    Inputs:
    - p_t: (N, Q) softmax output at step t
    - y_t: (N,) int targets at step t
    - T: number of time steps in the sequence (the loss averages over T*N predictions)
    Returns:
    - dy_t: (N, Q)
    """
    ### BEGIN SOLUTION
    N, Q = p_t.shape
    return (p_t - one_hot(y_t, Q)) / (T * N)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dy_t", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = dy_t(np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]]), np.array([0, 2]), 2)
assert np.shape(out) == (2, 3), f"dy_t must have shape (N, Q) = (2, 3), got {np.shape(out)}"
assert np.allclose(out, [[-0.075, 0.05, 0.025], [0.075, 0.075, -0.15]]), "the worked example does not match"

# Step t's share of the mean loss over T*N predictions, as a function of o_t.
rng = np.random.default_rng(1)
T_, o = 5, rng.standard_normal((3, 4))
y_ = rng.integers(0, 4, 3)
share = lambda: -np.sum(np.log(softmax(o)[np.arange(3), y_])) / (T_ * 3)
assert grad_check(share, o, dy_t(softmax(o), y_, T_), "dy_t") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dy_t", dy_t)
### END HIDDEN TESTS

# %% [markdown]
# ### 2. `dW_hq` — the output weights, summed over time (1 point)
#
# Meets $dy_t$ from above and $h_t$ from below, like `dz_wts` meets `dz_netIn` and
# `y_netAct`. The same $W_{hq}$ is used at every step, so its gradient is the **sum**
# of the per-step contributions:
#
# $$dW_{hq} = \sum_{t=0}^{T-1} h_t^\top\, dy_t$$
#
# | argument / result | shape |
# |---|---|
# | `h` | (T, N, H) hidden states |
# | `dy` | (T, N, Q) output gradients, `dy[t]` $= dy_t$ |
# | returns `dW_hq` | (H, Q) |
#
# > **⚠ Note on the lecture notes.** The notes write `dy_t @ h_netAct_t.T`: in row-vector
# > form each step's contribution is the product $h_t^\top dy_t$ (an (H, Q) matrix:
# > for N = 1 an outer product), and the notes leave out the **sum over time steps**.
# > Every parameter gradient of an RNN is such a sum.
#
# *Worked by hand* (T = 2, N = 1, H = Q = 2): `h = [[[1, 0]], [[0, 2]]]`,
# `dy = [[[0.5, -0.5]], [[1, 0]]]`: step 0 gives `[[0.5, -0.5], [0, 0]]`, step 1 gives
# `[[0, 0], [2, 0]]`, the sum is `[[0.5, -0.5], [2, 0]]`.

# %% nbgrader={"grade": false, "grade_id": "dW_hq", "locked": false, "schema_version": 3, "solution": true}
def dW_hq(h, dy):
    """Gradient with respect to the output weights W_hq, summed over time.

    Inputs:
    - h: (T, N, H) hidden states h_t
    - dy: (T, N, Q) gradients at the logits, dy[t] = dy_t
    Returns:
    - dW_hq: (H, Q)
    """
    ### BEGIN SOLUTION
    # One (H, Q) contribution per step; equivalently h.reshape(-1, H).T @ dy.reshape(-1, Q).
    return sum(h[t].T @ dy[t] for t in range(h.shape[0]))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dW_hq", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = dW_hq(np.array([[[1.0, 0.0]], [[0.0, 2.0]]]), np.array([[[0.5, -0.5]], [[1.0, 0.0]]]))
assert np.shape(out) == (2, 2), f"dW_hq must have the shape of W_hq (H, Q) = (2, 2), got {np.shape(out)}"
assert np.allclose(out, [[0.5, -0.5], [2, 0]]), "the worked example does not match"

rng = np.random.default_rng(2)
h_, W, G = rng.standard_normal((4, 3, 5)), rng.standard_normal((5, 6)), rng.standard_normal((4, 3, 6))
assert grad_check(lambda: np.sum(G * (h_ @ W)), W, dW_hq(h_, G), "dW_hq") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dW_hq", dW_hq)
### END HIDDEN TESTS

# %% [markdown]
# ### 3. `db_q` — the output bias (1 point)
#
# Meets $dy_t$ from above. Summed over the batch (like `dz_b`) **and** over time:
#
# $$db_q = \sum_{t}\sum_{n} dy_{t,n,:}$$
#
# | argument / result | shape |
# |---|---|
# | `dy` | (T, N, Q) |
# | returns `db_q` | (Q,) |
#
# *Worked by hand*: `dy = [[[0.5, -0.5]], [[1, 0]]]` gives `[1.5, -0.5]`.

# %% nbgrader={"grade": false, "grade_id": "db_q", "locked": false, "schema_version": 3, "solution": true}
def db_q(dy):
    """Gradient with respect to the output bias b_q, summed over time and batch.

    Inputs:
    - dy: (T, N, Q) gradients at the logits
    Returns:
    - db_q: (Q,)
    """
    ### BEGIN SOLUTION
    return np.sum(dy, axis=(0, 1))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_db_q", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = db_q(np.array([[[0.5, -0.5]], [[1.0, 0.0]]]))
assert np.shape(out) == (2,), f"db_q must have the shape of b_q (Q,) = (2,), got {np.shape(out)}"
assert np.allclose(out, [1.5, -0.5]), "the worked example does not match"

rng = np.random.default_rng(3)
b, G = rng.standard_normal(6), rng.standard_normal((4, 3, 6))
assert grad_check(lambda: np.sum(G * (np.zeros((4, 3, 6)) + b)), b, db_q(G), "db_q") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("db_q", db_q)
### END HIDDEN TESTS

# %% [markdown]
# ### 4. `dh_t` — the two paths into a hidden state (2 points)
#
# Meets $dy_t$ from above (through $W_{hq}$) **and** $dhraw_{t+1}$ from the next step
# (through $W_{hh}$), because $h_t$ is used in $o_t = h_t W_{hq} + b_q$ and in
# $h\_netIn_{t+1} = x_{t+1} W_{xh} + h_t W_{hh} + b_h$:
#
# $$dh_t = dy_t\, W_{hq}^\top + dhraw_{t+1}\, W_{hh}^\top, \qquad dhraw_T = 0 \text{ (no step after the last)}$$
#
# | argument / result | shape |
# |---|---|
# | `dy_t` | (N, Q) |
# | `dhraw_next` | (N, H), $= dhraw_{t+1}$ (zeros at t = T-1) |
# | `W_hq` | (H, Q) |
# | `W_hh` | (H, H) |
# | returns `dh_t` | (N, H) |
#
# > **⚠ Note on the lecture notes.** The notes write `dh_t = W_hq.T @ dy_t + h_t`.
# > Adding the state $h_t$ itself is a slip: the second term is the gradient that
# > arrives **from the future step**, $dhraw_{t+1} W_{hh}^\top$ (zero at the last step).
# > Forgetting it turns BPTT into T independent one-step networks: the weights then
# > never learn that an input influences later outputs.
#
# *Worked by hand* (N = 1, H = Q = 2): `dy_t = [[1, -1]]`, `W_hq = [[1, 2], [3, 4]]` give
# `dy_t @ W_hq.T = [[-1, -1]]`; `dhraw_next = [[0.5, 1]]`, `W_hh = [[1, 0], [2, 1]]` give
# `dhraw_next @ W_hh.T = [[0.5, 2]]`; together `[[-0.5, 1]]`. At the last step
# (`dhraw_next` zero) the answer is `[[-1, -1]]`.

# %% nbgrader={"grade": false, "grade_id": "dh_t", "locked": false, "schema_version": 3, "solution": true}
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    """Gradient with respect to the hidden state h_t: from its output and from the future.

    Inputs:
    - dy_t: (N, Q) gradient at the logits o_t
    - dhraw_next: (N, H) gradient at h_netIn_{t+1} (zeros at the last step)
    - W_hq: (H, Q) output weights
    - W_hh: (H, H) recurrent weights
    Returns:
    - dh_t: (N, H)
    """
    ### BEGIN SOLUTION
    return dy_t @ W_hq.T + dhraw_next @ W_hh.T
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dh_t", "locked": true, "points": 2, "schema_version": 3, "solution": false}
W_hq_ex, W_hh_ex = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0], [2.0, 1.0]])
out = dh_t(np.array([[1.0, -1.0]]), np.array([[0.5, 1.0]]), W_hq_ex, W_hh_ex)
assert np.shape(out) == (1, 2), f"dh_t must have shape (N, H) = (1, 2), got {np.shape(out)}"
assert np.allclose(out, [[-0.5, 1]]), "the worked example does not match (is the future term there?)"
assert np.allclose(dh_t(np.array([[1.0, -1.0]]), np.zeros((1, 2)), W_hq_ex, W_hh_ex), [[-1, -1]]), \
    "at the last step (dhraw_next = 0) only the output path remains"

# h_t feeds o_t and h_netIn_{t+1}; G_o and G_next are the gradients arriving there.
rng = np.random.default_rng(4)
h_, W_hq_, W_hh_ = rng.standard_normal((3, 5)), rng.standard_normal((5, 6)), rng.standard_normal((5, 5))
G_o, G_next = rng.standard_normal((3, 6)), rng.standard_normal((3, 5))
f = lambda: np.sum(G_o * (h_ @ W_hq_)) + np.sum(G_next * (h_ @ W_hh_))
assert grad_check(f, h_, dh_t(G_o, G_next, W_hq_, W_hh_), "dh_t") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dh_t", dh_t)
### END HIDDEN TESTS

# %% [markdown]
# ### 5. `dhraw_t` — through the activation (2 points)
#
# Meets $dh_t$ from above and $W_{xh}$, $W_{hh}$, $b_h$ from below; the analogue of
# `dy_netIn`. Multiply elementwise by $\phi'(h\_netIn_t)$:
#
# $$dhraw_t = dh_t \odot \phi'(h\_netIn_t), \qquad
#   \phi'_{\mathrm{ReLU}} = \mathbb{1}[h\_netIn_t > 0], \qquad
#   \phi'_{\tanh} = 1 - \tanh^2(h\_netIn_t) = 1 - h_t^2$$
#
# For tanh use the cached output $h_t$ (`1 - h_t**2`): it is cheaper, and it is the
# form you will meet in every RNN code base. Careful: `1 - h_netIn_t**2` or
# `1 - np.tanh(h_t)**2` are both wrong.
#
# | argument / result | shape |
# |---|---|
# | `dh_t` | (N, H) |
# | `h_netIn_t` | (N, H) pre-activation of step t |
# | `h_t` | (N, H) = phi(h_netIn_t) |
# | `activation` | `"relu"` or `"tanh"`; anything else: raise `ValueError` |
# | returns `dhraw_t` | (N, H) |
#
# *Worked by hand*: `dh_t = [[1, 2, 3]]`. ReLU with `h_netIn_t = [[-1, 0.5, 2]]`:
# `[[0, 2, 3]]`. tanh with `h_t = [[0, 0.5, -0.5]]`: `1 - h_t**2 = [[1, 0.75, 0.75]]`, so
# `[[1, 1.5, 2.25]]`.

# %% nbgrader={"grade": false, "grade_id": "dhraw_t", "locked": false, "schema_version": 3, "solution": true}
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    """Backprop through the hidden activation phi at step t.

    Inputs:
    - dh_t: (N, H) gradient at h_t
    - h_netIn_t: (N, H) pre-activation at step t
    - h_t: (N, H) hidden state phi(h_netIn_t)
    - activation: "relu" or "tanh"
    Returns:
    - dhraw_t: (N, H) gradient at h_netIn_t
    """
    ### BEGIN SOLUTION
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    if activation == "tanh":
        return dh_t * (1.0 - h_t ** 2)
    raise ValueError(f"dhraw_t: unknown activation {activation!r}; expected 'relu' or 'tanh'")
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dhraw_t", "locked": true, "points": 2, "schema_version": 3, "solution": false}
dh_ex = np.array([[1.0, 2.0, 3.0]])
out = dhraw_t(dh_ex, np.array([[-1.0, 0.5, 2.0]]), np.array([[0.0, 0.5, 2.0]]), "relu")
assert np.shape(out) == (1, 3), f"dhraw_t must have shape (N, H) = (1, 3), got {np.shape(out)}"
assert np.allclose(out, [[0, 2, 3]]), "the worked ReLU example does not match"
h_ex = np.array([[0.0, 0.5, -0.5]])
assert np.allclose(dhraw_t(dh_ex, np.arctanh(h_ex), h_ex, "tanh"), [[1, 1.5, 2.25]]), \
    "the worked tanh example does not match"

rng = np.random.default_rng(5)
for act in ("relu", "tanh"):
    z = rng.standard_normal((3, 5))
    z += np.sign(z) * 0.1          # away from ReLU's kink at 0
    G = rng.standard_normal((3, 5))
    assert grad_check(lambda: np.sum(G * phi(z, act)), z, dhraw_t(G, z, phi(z, act), act), f"dhraw_t {act}") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dhraw_t", dhraw_t)
### END HIDDEN TESTS

# %% [markdown]
# ### 6. `dW_hh` — the recurrent weights (1 point)
#
# Meets $dhraw_t$ from above and $h_{t-1}$ from below (in $h\_netIn_t$ the recurrent
# weight multiplies the **previous** state). Summed over time:
#
# $$dW_{hh} = \sum_{t=0}^{T-1} h_{t-1}^\top\, dhraw_t \qquad (h_{-1} = h_0)$$
#
# | argument / result | shape |
# |---|---|
# | `h_prev` | (T, N, H), `h_prev[t]` $= h_{t-1}$, `h_prev[0] = h0` |
# | `dhraw` | (T, N, H), `dhraw[t]` $= dhraw_t$ |
# | returns `dW_hh` | (H, H) |
#
# > **⚠ Note on the lecture notes.** `dW_hh = dhraw_t @ h_{t-1}` is, per step, an outer
# > product ($h_{t-1}^\top dhraw_t$ with row vectors), and the notes leave out the sum
# > over time. $W_{hh}$ is square, so a transposed answer has the right shape and only
# > the values (or the finite-difference check) reveal it.
#
# *Worked by hand* (T = 2, N = 1, H = 2): `h_prev = [[[1, 0]], [[0, 1]]]`,
# `dhraw = [[[1, 2]], [[3, 4]]]` gives `[[1, 2], [0, 0]] + [[0, 0], [3, 4]] = [[1, 2], [3, 4]]`
# (the transpose would be `[[1, 3], [2, 4]]`).

# %% nbgrader={"grade": false, "grade_id": "dW_hh", "locked": false, "schema_version": 3, "solution": true}
def dW_hh(h_prev, dhraw):
    """Gradient with respect to the recurrent weights W_hh, summed over time.

    Inputs:
    - h_prev: (T, N, H) previous states, h_prev[t] = h_{t-1}, h_prev[0] = h0
    - dhraw: (T, N, H) gradients at the pre-activations h_netIn_t
    Returns:
    - dW_hh: (H, H)
    """
    ### BEGIN SOLUTION
    return sum(h_prev[t].T @ dhraw[t] for t in range(h_prev.shape[0]))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dW_hh", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = dW_hh(np.array([[[1.0, 0.0]], [[0.0, 1.0]]]), np.array([[[1.0, 2.0]], [[3.0, 4.0]]]))
assert np.shape(out) == (2, 2), f"dW_hh must have the shape of W_hh (H, H) = (2, 2), got {np.shape(out)}"
assert np.allclose(out, [[1, 2], [3, 4]]), "the worked example does not match (transposed?)"

rng = np.random.default_rng(6)
hp, W, G = rng.standard_normal((4, 3, 5)), rng.standard_normal((5, 5)), rng.standard_normal((4, 3, 5))
assert grad_check(lambda: np.sum(G * (hp @ W)), W, dW_hh(hp, G), "dW_hh") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dW_hh", dW_hh)
### END HIDDEN TESTS

# %% [markdown]
# ### 7. `dW_xh` — the input weights (1 point)
#
# Meets $dhraw_t$ from above and $x_t$ from below; the analogue of `dy_wts`, summed over time:
#
# $$dW_{xh} = \sum_{t=0}^{T-1} x_t^\top\, dhraw_t$$
#
# | argument / result | shape |
# |---|---|
# | `X` | (T, N, D) |
# | `dhraw` | (T, N, H) |
# | returns `dW_xh` | (D, H) |
#
# > **⚠ Note on the lecture notes.** As for $W_{hh}$: `dhraw_t @ x_t` is per step the
# > outer product $x_t^\top dhraw_t$, summed over all steps.
#
# *Worked by hand* (T = 2, N = 1, D = 3, H = 2): `X = [[[1, 0, 1]], [[0, 2, 0]]]`,
# `dhraw = [[[1, 2]], [[3, 4]]]` gives `[[1, 2], [0, 0], [1, 2]] + [[0, 0], [6, 8], [0, 0]]
# = [[1, 2], [6, 8], [1, 2]]`.

# %% nbgrader={"grade": false, "grade_id": "dW_xh", "locked": false, "schema_version": 3, "solution": true}
def dW_xh(X, dhraw):
    """Gradient with respect to the input weights W_xh, summed over time.

    Inputs:
    - X: (T, N, D) input sequence
    - dhraw: (T, N, H) gradients at the pre-activations h_netIn_t
    Returns:
    - dW_xh: (D, H)
    """
    ### BEGIN SOLUTION
    return sum(X[t].T @ dhraw[t] for t in range(X.shape[0]))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dW_xh", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = dW_xh(np.array([[[1.0, 0.0, 1.0]], [[0.0, 2.0, 0.0]]]), np.array([[[1.0, 2.0]], [[3.0, 4.0]]]))
assert np.shape(out) == (3, 2), f"dW_xh must have the shape of W_xh (D, H) = (3, 2), got {np.shape(out)}"
assert np.allclose(out, [[1, 2], [6, 8], [1, 2]]), "the worked example does not match"

rng = np.random.default_rng(7)
X_, W, G = rng.standard_normal((4, 3, 2)), rng.standard_normal((2, 5)), rng.standard_normal((4, 3, 5))
assert grad_check(lambda: np.sum(G * (X_ @ W)), W, dW_xh(X_, G), "dW_xh") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dW_xh", dW_xh)
### END HIDDEN TESTS

# %% [markdown]
# ### 8. `db_h` — the hidden bias (1 point)
#
# Meets $dhraw_t$ from above. Summed over batch and time:
#
# $$db_h = \sum_t \sum_n dhraw_{t,n,:}$$
#
# | argument / result | shape |
# |---|---|
# | `dhraw` | (T, N, H) |
# | returns `db_h` | (H,) |
#
# *Worked by hand*: `dhraw = [[[1, 2]], [[3, 4]]]` gives `[4, 6]`.

# %% nbgrader={"grade": false, "grade_id": "db_h", "locked": false, "schema_version": 3, "solution": true}
def db_h(dhraw):
    """Gradient with respect to the hidden bias b_h, summed over time and batch.

    Inputs:
    - dhraw: (T, N, H) gradients at the pre-activations
    Returns:
    - db_h: (H,)
    """
    ### BEGIN SOLUTION
    return np.sum(dhraw, axis=(0, 1))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_db_h", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = db_h(np.array([[[1.0, 2.0]], [[3.0, 4.0]]]))
assert np.shape(out) == (2,), f"db_h must have the shape of b_h (H,) = (2,), got {np.shape(out)}"
assert np.allclose(out, [4, 6]), "the worked example does not match"

rng = np.random.default_rng(8)
b, G = rng.standard_normal(5), rng.standard_normal((4, 3, 5))
assert grad_check(lambda: np.sum(G * (np.zeros((4, 3, 5)) + b)), b, db_h(G), "db_h") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("db_h", db_h)
### END HIDDEN TESTS

# %% [markdown]
# ### 9. `rnn_backward` — backpropagation through time (4 points)
#
# One loop **backwards in time**, carrying the gradient from the future:
#
# ```
# dhraw_next = zeros (N, H)                       # nothing arrives after the last step
# for t = T-1, T-2, ..., 0:
#     dy[t]    = dy_t(p_t, y_t, T)
#     dh       = dh_t(dy[t], dhraw_next, W_hq, W_hh)
#     dhraw[t] = dhraw_t(dh, h_netIn_t, h_t, activation)
#     dhraw_next = dhraw[t]
# then the parameter gradients from the stacked dy and dhraw (and h_prev)
# ```
#
# | argument / result | shape |
# |---|---|
# | `Y` | (T, N) int targets |
# | `params` | dict: `W_xh` (D, H), `W_hh` (H, H), `b_h` (H,), `W_hq` (H, Q), `b_q` (Q,) |
# | `cache` | dict from `rnn_forward`: `X`, `h0`, `h_netIn`, `h`, `o`, `p` |
# | `activation` | `"relu"` or `"tanh"` (the one the forward pass used) |
# | returns | dict with keys `W_xh`, `W_hh`, `b_h`, `W_hq`, `b_q`, each the shape of its parameter |
#
# Build `h_prev` from `cache["h0"]` and `cache["h"]`. **Call your eight functions by
# name**: the grader checks this unit with correct versions of the eight rules swapped
# in, so a mistake in a rule is charged to that rule only, never twice. The visible test
# swaps in numerical versions (`NUMERIC_RULES` below) and compares with finite
# differences of `rnn_loss`, for ReLU and for tanh.

# %% nbgrader={"grade": false, "grade_id": "numeric_rules", "locked": true, "schema_version": 3, "solution": false}
def _numeric_dy_t(p_t, y_t, T):
    o = np.log(p_t)            # softmax(log p) = p: a valid o_t
    rows = np.arange(len(y_t))
    return numerical_gradient(lambda: -np.sum(np.log(softmax(o)[rows, y_t])) / (T * len(y_t)), o)


def _numeric_bias(g):
    return local_numeric(lambda b: b + np.zeros_like(g), np.zeros(g.shape[-1]), g)


# Numerical stand-ins for the eight rules: slow, but independent of your code.
NUMERIC_RULES = {
    "dy_t": _numeric_dy_t,
    "dW_hq": lambda h, dy: local_numeric(lambda W: h @ W, np.zeros((h.shape[-1], dy.shape[-1])), dy),
    "db_q": _numeric_bias,
    "dh_t": lambda dy_t, dhraw_next, W_hq, W_hh: (
        local_numeric(lambda h: h @ W_hq, np.zeros(dhraw_next.shape), dy_t)
        + local_numeric(lambda h: h @ W_hh, np.zeros(dhraw_next.shape), dhraw_next)),
    "dhraw_t": lambda dh_t, h_netIn_t, h_t, activation: local_numeric(lambda z: phi(z, activation), h_netIn_t, dh_t),
    "dW_hh": lambda h_prev, dhraw: local_numeric(lambda W: h_prev @ W, np.zeros((h_prev.shape[-1],) * 2), dhraw),
    "dW_xh": lambda X, dhraw: local_numeric(lambda W: X @ W, np.zeros((X.shape[-1], dhraw.shape[-1])), dhraw),
    "db_h": _numeric_bias,
}


# %% nbgrader={"grade": false, "grade_id": "rnn_backward", "locked": false, "schema_version": 3, "solution": true}
def rnn_backward(Y, params, cache, activation):
    """Backpropagation through time for the one-layer RNN, composed from the rules above.

    Inputs:
    - Y: (T, N) int targets
    - params: dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,)
    - cache: dict from rnn_forward with X (T, N, D), h0 (N, H), h_netIn (T, N, H),
      h (T, N, H), o (T, N, Q), p (T, N, Q)
    - activation: "relu" or "tanh", as in the forward pass
    Returns:
    - dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,): the gradients of rnn_loss
    """
    ### BEGIN SOLUTION
    X, h, h_netIn, P = cache["X"], cache["h"], cache["h_netIn"], cache["p"]
    T, N, H = h.shape
    dy = np.zeros(P.shape)
    dhraw = np.zeros(h.shape)
    dhraw_next = np.zeros((N, H))          # no gradient arrives from beyond the last step
    for t in reversed(range(T)):
        dy[t] = dy_t(P[t], Y[t], T)
        dh = dh_t(dy[t], dhraw_next, params["W_hq"], params["W_hh"])
        dhraw[t] = dhraw_t(dh, h_netIn[t], h[t], activation)
        dhraw_next = dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]], axis=0)
    return {
        "W_xh": dW_xh(X, dhraw),
        "W_hh": dW_hh(h_prev, dhraw),
        "b_h": db_h(dhraw),
        "W_hq": dW_hq(h, dy),
        "b_q": db_q(dy),
    }
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn_backward", "locked": true, "points": 4, "schema_version": 3, "solution": false}
for act, seed in (("relu", 20), ("tanh", 21)):
    X_c, Y_c, params_c, h0_c = rnn_problem(activation=act, seed=seed)
    _, cache_c = rnn_forward(X_c, params_c, h0_c, act)
    with swapped_in(globals(), NUMERIC_RULES):
        grads = rnn_backward(Y_c, params_c, cache_c, act)
    assert isinstance(grads, dict), f"rnn_backward must return a dict, got {type(grads).__name__}"
    assert set(grads) >= {"W_xh", "W_hh", "b_h", "W_hq", "b_q"}, f"missing keys: {sorted(grads)}"
    for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q"):
        loss = lambda: rnn_loss(X_c, Y_c, params_c, h0_c, act)
        assert grad_check(loss, params_c[name], grads[name], f"{name} {act}") < TOL, f"{name} ({act}) is wrong"

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("rnn_backward", rnn_backward)
### END HIDDEN TESTS

# %% [markdown]
# ### Everything together, with your own rules
#
# Your `rnn_backward` with **your** eight rules, against finite differences of the loss,
# on a longer sequence. All ten rows should read OK.

# %% nbgrader={"grade": false, "grade_id": "own_rules_table", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
if GRADING:
    print("skipped while grading")
else:
    for act in ("relu", "tanh"):
        X_t, Y_t, params_t, h0_t = rnn_problem(T=6, N=3, D=4, H=5, Q=7, activation=act, seed=31)
        your = lambda name: lambda: rnn_backward(Y_t, params_t, rnn_forward(X_t, params_t, h0_t, act)[1], act)[name]
        print(f"activation = {act}")
        gradient_table([(name, lambda: rnn_loss(X_t, Y_t, params_t, h0_t, act), params_t[name], your(name))
                        for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q")])
        print()

# %% [markdown]
# ### Experiment: how far back does the gradient reach? (no points)
#
# Run your rules on a long sequence (T = 60) where only the **last** step has a loss,
# and plot $\lVert dh_t \rVert$ for each t: how much the final loss can still "see" of
# step t. Each step back multiplies by $\mathrm{diag}(\phi') W_{hh}^\top$, so the
# norm shrinks or grows roughly geometrically, with a rate set by the scale of
# $W_{hh}$. That is the vanishing/exploding gradient problem, and the reason for the
# truncation and clipping of notebook 04.

# %% nbgrader={"grade": false, "grade_id": "reach_experiment", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
if GRADING:
    print("skipped while grading")
else:
    import matplotlib.pyplot as plt

    T_l, N_l, D_l, H_l, Q_l = 60, 4, 3, 16, 5
    rng = np.random.default_rng(0)
    X_l = rng.standard_normal((T_l, N_l, D_l))
    fig, ax = plt.subplots(figsize=(7, 4))
    for scale in (0.5, 1.0, 1.5):
        params_l = dict(W_xh=rng.standard_normal((D_l, H_l)) * 0.5,
                        W_hh=rng.standard_normal((H_l, H_l)) * scale / np.sqrt(H_l),
                        b_h=np.zeros(H_l), W_hq=rng.standard_normal((H_l, Q_l)) * 0.5, b_q=np.zeros(Q_l))
        _, c = rnn_forward(X_l, params_l, activation="tanh")
        # Only the last step's loss: dy is zero elsewhere.
        dy_last = dy_t(c["p"][-1], rng.integers(0, Q_l, N_l), T_l)
        norms, nxt = [], np.zeros((N_l, H_l))
        for t in reversed(range(T_l)):
            g_out = dy_last if t == T_l - 1 else np.zeros_like(dy_last)
            dh = dh_t(g_out, nxt, params_l["W_hq"], params_l["W_hh"])
            nxt = dhraw_t(dh, c["h_netIn"][t], c["h"][t], "tanh")
            norms.append(np.linalg.norm(dh))
        ax.semilogy(range(T_l)[::-1], norms, label=f"W_hh scale {scale}")
    ax.set(xlabel="step t", ylabel="||dh_t||  (loss at t = T-1 only)", title="gradient reaching back in time (tanh)")
    ax.legend()
    plt.show()
