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
# # Backpropagation through time, part 3 of 4: two hidden layers
#
# The lecture's "one more step": stack a second recurrent layer on the first. Layer 1
# reads the input $x_t$; layer 2 reads layer 1's state $h1_t$; the output reads layer 2.
# Two hidden states are tracked, each with its own recurrence.
#
# **Learning goals.** After this notebook you can
#
# 1. write the forward and backward recurrences of a stacked RNN;
# 2. find every path by which a hidden state influences the loss, and add their
#    gradients (here: $h1_t$ feeds layer 2 at step t **and** layer 1 at step t+1);
# 3. write a complete BPTT loop yourself, for two layers at once, and verify it.
#
# This notebook runs in its own kernel: nothing from notebook 02 is defined here. You
# write the two-layer backward pass from scratch (you may of course copy your own
# rules from 02 into your solution cell).
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
# | `dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1)` | 2 |
# | `rnn2_backward(Y, params, cache, activation)` | 5 |
# | **this notebook** | **7** |
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
# Parameters (the lecture's list): $W_{xh1}, W_{hh1}, b_{h1}, W_{xh2}, W_{hh2}, b_{h2},
# W_{hq}, b_q$. For $t = 0, \dots, T-1$, with $h1_{-1} = $ `h1_0`, $h2_{-1} = $ `h2_0`:
#
# | step | forward | shape |
# |---|---|---|
# | 1 | `h1_netIn_t = X[t] @ W_xh1 + h1_{t-1} @ W_hh1 + b_h1` | (N, H1) |
# | 2 | `h1_t = phi(h1_netIn_t)` | (N, H1) |
# | 3 | `h2_netIn_t = h1_t @ W_xh2 + h2_{t-1} @ W_hh2 + b_h2` | (N, H2) |
# | 4 | `h2_t = phi(h2_netIn_t)` | (N, H2) |
# | 5 | `o_t = h2_t @ W_hq + b_q`, `p_t = softmax(o_t)` | (N, Q) |
# | 6 | `loss = mean over all T·N predictions of -log p_t[n, Y[t, n]]` | scalar |
#
# Shapes: `W_xh1` (D, H1), `W_hh1` (H1, H1), `b_h1` (H1,), `W_xh2` (H1, H2) (layer 2's
# "input" is $h1_t$), `W_hh2` (H2, H2), `b_h2` (H2,), `W_hq` (H2, Q), `b_q` (Q,).
# Both layers use the same activation phi (ReLU or tanh; the notes use ReLU).

# %% nbgrader={"grade": false, "grade_id": "forward", "locked": true, "schema_version": 3, "solution": false}
def phi(z, activation):
    """The hidden activation: "relu" -> max(z, 0), "tanh" -> tanh(z)."""
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "tanh":
        return np.tanh(z)
    raise ValueError(f"unknown activation {activation!r}; expected 'relu' or 'tanh'")


PARAM_SHAPES = {"W_xh1": ("D", "H1"), "W_hh1": ("H1", "H1"), "b_h1": ("H1",), "W_xh2": ("H1", "H2"),
                "W_hh2": ("H2", "H2"), "b_h2": ("H2",), "W_hq": ("H2", "Q"), "b_q": ("Q",)}


def rnn2_forward(X, params, h1_0=None, h2_0=None, activation="relu"):
    """Forward pass of the two-layer RNN.

    Inputs:
    - X: (T, N, D) input sequence
    - params: dict with W_xh1 (D, H1), W_hh1 (H1, H1), b_h1 (H1,), W_xh2 (H1, H2),
      W_hh2 (H2, H2), b_h2 (H2,), W_hq (H2, Q), b_q (Q,)
    - h1_0: (N, H1), h2_0: (N, H2) initial states, zeros if None
    - activation: "relu" or "tanh" (both layers)
    Returns (P, cache):
    - P: (T, N, Q) softmax outputs
    - cache: dict with X, h1_0, h2_0, h1_netIn (T, N, H1), h1 (T, N, H1), h2_netIn (T, N, H2),
      h2 (T, N, H2), o (T, N, Q), p (T, N, Q)
    """
    X = np.asarray(X, dtype=float)
    T, N, D = check_shape("rnn2_forward", "X", X, (("T", None), ("N", None), ("D", None))).shape
    sizes = dict(D=D, H1=np.shape(params["W_hh1"])[0], H2=np.shape(params["W_hh2"])[0], Q=np.shape(params["W_hq"])[-1])
    for name, dims in PARAM_SHAPES.items():
        check_shape("rnn2_forward", f"params['{name}']", params[name], tuple((d, sizes[d]) for d in dims))
    H1, H2 = sizes["H1"], sizes["H2"]
    h1_0 = np.zeros((N, H1)) if h1_0 is None else check_shape("rnn2_forward", "h1_0", h1_0, (("N", N), ("H1", H1)))
    h2_0 = np.zeros((N, H2)) if h2_0 is None else check_shape("rnn2_forward", "h2_0", h2_0, (("N", N), ("H2", H2)))
    h1_netIn, h1 = np.zeros((T, N, H1)), np.zeros((T, N, H1))
    h2_netIn, h2 = np.zeros((T, N, H2)), np.zeros((T, N, H2))
    prev1, prev2 = h1_0, h2_0
    for t in range(T):
        h1_netIn[t] = X[t] @ params["W_xh1"] + prev1 @ params["W_hh1"] + params["b_h1"]
        h1[t] = prev1 = phi(h1_netIn[t], activation)
        h2_netIn[t] = h1[t] @ params["W_xh2"] + prev2 @ params["W_hh2"] + params["b_h2"]
        h2[t] = prev2 = phi(h2_netIn[t], activation)
    o = h2 @ params["W_hq"] + params["b_q"]
    P = softmax(o)
    return P, dict(X=X, h1_0=h1_0, h2_0=h2_0, h1_netIn=h1_netIn, h1=h1, h2_netIn=h2_netIn, h2=h2, o=o, p=P)


def rnn2_loss(X, Y, params, h1_0=None, h2_0=None, activation="relu"):
    """Mean cross-entropy over all T*N predictions; Y (T, N) int targets."""
    P, _ = rnn2_forward(X, params, h1_0, h2_0, activation)
    T, N = Y.shape
    return -np.mean(np.log(P[np.arange(T)[:, None], np.arange(N)[None, :], Y]))


def rnn2_problem(T=4, N=2, D=3, H1=5, H2=7, Q=6, activation="tanh", seed=0):
    """A random two-layer problem with all dimensions different: X, Y, params, h1_0, h2_0."""
    rng = np.random.default_rng(seed)
    sizes = dict(D=D, H1=H1, H2=H2, Q=Q)
    params = {name: rng.standard_normal(tuple(sizes[d] for d in dims)) * (0.2 if name.startswith("b") else 0.5)
              for name, dims in PARAM_SHAPES.items()}
    X = rng.standard_normal((T, N, D))
    Y = rng.integers(0, Q, (T, N))
    return X, Y, params, rng.standard_normal((N, H1)) * 0.5, rng.standard_normal((N, H2)) * 0.5


# %% [markdown]
# ## Where the gradient flows
#
# Read the forward table upwards.
#
# * **Layer 2 is exactly the one-layer RNN of notebook 02**, with $h1_t$ in the role of
#   $x_t$: `dy_t`, then $dh2_t = dy_t W_{hq}^\top + dhraw2_{t+1} W_{hh2}^\top$, then
#   $dhraw2_t = dh2_t \odot \phi'(h2\_netIn_t)$, and the sums over time for $W_{xh2}$
#   (with $h1_t$ as input), $W_{hh2}$, $b_{h2}$, $W_{hq}$, $b_q$.
# * **Layer 1** has no output of its own. Its state $h1_t$ feeds two places: layer 2 at
#   the same step (through $W_{xh2}$) and layer 1 at the next step (through
#   $W_{hh1}$). Its gradient `dh1_t` is the sum of the two; after that, layer 1 is again
#   the one-layer recipe: $dhraw1_t = dh1_t \odot \phi'(h1\_netIn_t)$ and sums over time
#   for $W_{xh1}$ (input $x_t$), $W_{hh1}$, $b_{h1}$.
#
# ```
#                 o_t
#                  ▲ W_hq
# h2_{t-1} ──W_hh2──► h2_t ──W_hh2──► h2_{t+1}
#                  ▲ W_xh2
# h1_{t-1} ──W_hh1──► h1_t ──W_hh1──► h1_{t+1}
#                  ▲ W_xh1
#                 x_t
# ```
# Backward, $h1_t$ collects gradient from **above** ($dhraw2_t$ through $W_{xh2}$) and
# from the **future** ($dhraw1_{t+1}$ through $W_{hh1}$).

# %% [markdown]
# ### 1. `dh1_t` — from layer 2 and from the future into layer 1 (2 points)
#
# $$dh1_t = dhraw2_t\, W_{xh2}^\top + dhraw1_{t+1}\, W_{hh1}^\top, \qquad dhraw1_T = 0$$
#
# | argument / result | shape |
# |---|---|
# | `dhraw2_t` | (N, H2), gradient at $h2\_netIn_t$ (from above) |
# | `dhraw1_next` | (N, H1), $= dhraw1_{t+1}$ (zeros at the last step) |
# | `W_xh2` | (H1, H2) |
# | `W_hh1` | (H1, H1) |
# | returns `dh1_t` | (N, H1) |
#
# Compare with `dh_t` of notebook 02: the output path ($dy_t W_{hq}^\top$) is replaced by
# the path from the layer above ($dhraw2_t W_{xh2}^\top$). Because H1 ≠ H2, the shapes
# tell you which side each transpose goes on.
#
# *Worked by hand* (N = 1, H1 = 2, H2 = 3): `dhraw2_t = [[1, 0, -1]]`,
# `W_xh2 = [[1, 2, 3], [0, 1, 0]]` give `[[1 - 3, 0]] = [[-2, 0]]`;
# `dhraw1_next = [[1, 1]]`, `W_hh1 = [[1, 2], [3, 4]]` give `[[3, 7]]`; together `[[1, 7]]`.

# %% nbgrader={"grade": false, "grade_id": "dh1_t", "locked": false, "schema_version": 3, "solution": true}
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    """Gradient with respect to layer 1's state h1_t: from layer 2 above and from the future.

    Inputs:
    - dhraw2_t: (N, H2) gradient at h2_netIn_t
    - dhraw1_next: (N, H1) gradient at h1_netIn_{t+1} (zeros at the last step)
    - W_xh2: (H1, H2) layer-2 input weights
    - W_hh1: (H1, H1) layer-1 recurrent weights
    Returns:
    - dh1_t: (N, H1)
    """
    ### BEGIN SOLUTION
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1.T
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dh1_t", "locked": true, "points": 2, "schema_version": 3, "solution": false}
out = dh1_t(np.array([[1.0, 0.0, -1.0]]), np.array([[1.0, 1.0]]),
            np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]))
assert np.shape(out) == (1, 2), f"dh1_t must have shape (N, H1) = (1, 2), got {np.shape(out)}"
assert np.allclose(out, [[1, 7]]), "the worked example does not match"

# h1_t feeds h2_netIn_t (through W_xh2) and h1_netIn_{t+1} (through W_hh1).
rng = np.random.default_rng(1)
h1_, W_xh2_, W_hh1_ = rng.standard_normal((3, 5)), rng.standard_normal((5, 7)), rng.standard_normal((5, 5))
G2, G1 = rng.standard_normal((3, 7)), rng.standard_normal((3, 5))
f = lambda: np.sum(G2 * (h1_ @ W_xh2_)) + np.sum(G1 * (h1_ @ W_hh1_))
assert grad_check(f, h1_, dh1_t(G2, G1, W_xh2_, W_hh1_), "dh1_t") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dh1_t", dh1_t)
### END HIDDEN TESTS

# %% [markdown]
# ### 2. `rnn2_backward` — BPTT through both layers (5 points)
#
# One loop backwards in time; at each step, layer 2 first (it is closer to the loss),
# then layer 1 (it needs $dhraw2_t$):
#
# ```
# dhraw1_next, dhraw2_next = zeros (N, H1), zeros (N, H2)
# for t = T-1, ..., 0:
#     dy[t]     = (p_t - one_hot(y_t)) / (T N)
#     dh2       = dy[t] @ W_hq.T + dhraw2_next @ W_hh2.T
#     dhraw2[t] = dh2 * phi'(h2_netIn_t)
#     dh1       = dh1_t(dhraw2[t], dhraw1_next, W_xh2, W_hh1)      # your function
#     dhraw1[t] = dh1 * phi'(h1_netIn_t)
#     carry dhraw1[t], dhraw2[t] to the next iteration
# parameter gradients: sums over t, e.g. dW_xh2 = sum_t h1_t.T @ dhraw2[t],
#                      dW_hh1 = sum_t h1_{t-1}.T @ dhraw1[t] (with h1_{-1} = h1_0)
# ```
#
# with $\phi'$ = `(netIn > 0)` for ReLU and `1 - out**2` for tanh (the cached outputs
# `h1`, `h2`).
#
# | argument / result | shape |
# |---|---|
# | `Y` | (T, N) int targets |
# | `params` | dict with the eight parameters (shapes above) |
# | `cache` | dict from `rnn2_forward`: `X`, `h1_0`, `h2_0`, `h1_netIn`, `h1`, `h2_netIn`, `h2`, `o`, `p` |
# | `activation` | `"relu"` or `"tanh"`; anything else: raise `ValueError` |
# | returns | dict with keys `W_xh1`, `W_hh1`, `b_h1`, `W_xh2`, `W_hh2`, `b_h2`, `W_hq`, `b_q` |
#
# **Call your `dh1_t` by name** for the gradient into layer 1. The grader checks this
# unit with a correct `dh1_t` swapped in, so a mistake in `dh1_t` costs its 2 points
# only. The visible test does the same with a numerical `dh1_t` and compares all eight
# gradients with finite differences of `rnn2_loss`, for ReLU and tanh.

# %% nbgrader={"grade": false, "grade_id": "numeric_rules", "locked": true, "schema_version": 3, "solution": false}
# A numerical stand-in for dh1_t: slow, but independent of your code.
NUMERIC_DH1 = {"dh1_t": lambda dhraw2_t, dhraw1_next, W_xh2, W_hh1: (
    local_numeric(lambda h1: h1 @ W_xh2, np.zeros(dhraw1_next.shape), dhraw2_t)
    + local_numeric(lambda h1: h1 @ W_hh1, np.zeros(dhraw1_next.shape), dhraw1_next))}


# %% nbgrader={"grade": false, "grade_id": "rnn2_backward", "locked": false, "schema_version": 3, "solution": true}
def rnn2_backward(Y, params, cache, activation):
    """Backpropagation through time for the two-layer RNN.

    Inputs:
    - Y: (T, N) int targets
    - params: dict with W_xh1 (D, H1), W_hh1 (H1, H1), b_h1 (H1,), W_xh2 (H1, H2),
      W_hh2 (H2, H2), b_h2 (H2,), W_hq (H2, Q), b_q (Q,)
    - cache: dict from rnn2_forward with X (T, N, D), h1_0 (N, H1), h2_0 (N, H2),
      h1_netIn, h1 (T, N, H1), h2_netIn, h2 (T, N, H2), o, p (T, N, Q)
    - activation: "relu" or "tanh", as in the forward pass
    Returns:
    - dict with the gradients of rnn2_loss: W_xh1, W_hh1, b_h1, W_xh2, W_hh2, b_h2, W_hq, b_q
      (each the shape of its parameter)
    """
    ### BEGIN SOLUTION
    if activation == "relu":
        dphi = lambda netIn, out: netIn > 0
    elif activation == "tanh":
        dphi = lambda netIn, out: 1.0 - out ** 2
    else:
        raise ValueError(f"rnn2_backward: unknown activation {activation!r}; expected 'relu' or 'tanh'")
    X, h1, h2, P = cache["X"], cache["h1"], cache["h2"], cache["p"]
    T, N, Q = P.shape
    dy = (P - one_hot(Y, Q)) / (T * N)         # every step at once
    dhraw1, dhraw2 = np.zeros(h1.shape), np.zeros(h2.shape)
    next1, next2 = np.zeros(h1[0].shape), np.zeros(h2[0].shape)
    for t in reversed(range(T)):
        dh2 = dy[t] @ params["W_hq"].T + next2 @ params["W_hh2"].T
        dhraw2[t] = dh2 * dphi(cache["h2_netIn"][t], h2[t])
        dh1 = dh1_t(dhraw2[t], next1, params["W_xh2"], params["W_hh1"])
        dhraw1[t] = dh1 * dphi(cache["h1_netIn"][t], h1[t])
        next1, next2 = dhraw1[t], dhraw2[t]
    h1_prev = np.concatenate([cache["h1_0"][None], h1[:-1]], axis=0)
    h2_prev = np.concatenate([cache["h2_0"][None], h2[:-1]], axis=0)
    time_sum = lambda a, g: np.einsum("tni,tnj->ij", a, g)   # sum_t a_t.T @ g_t
    return {
        "W_xh1": time_sum(X, dhraw1), "W_hh1": time_sum(h1_prev, dhraw1), "b_h1": dhraw1.sum(axis=(0, 1)),
        "W_xh2": time_sum(h1, dhraw2), "W_hh2": time_sum(h2_prev, dhraw2), "b_h2": dhraw2.sum(axis=(0, 1)),
        "W_hq": time_sum(h2, dy), "b_q": dy.sum(axis=(0, 1)),
    }
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_rnn2_backward", "locked": true, "points": 5, "schema_version": 3, "solution": false}
KEYS2 = ("W_xh1", "W_hh1", "b_h1", "W_xh2", "W_hh2", "b_h2", "W_hq", "b_q")
for act, seed in (("relu", 20), ("tanh", 21)):
    X_c, Y_c, params_c, h1_c, h2_c = rnn2_problem(activation=act, seed=seed)
    _, cache_c = rnn2_forward(X_c, params_c, h1_c, h2_c, act)
    with swapped_in(globals(), NUMERIC_DH1):
        grads = rnn2_backward(Y_c, params_c, cache_c, act)
    assert isinstance(grads, dict), f"rnn2_backward must return a dict, got {type(grads).__name__}"
    assert set(grads) >= set(KEYS2), f"missing keys: {sorted(set(KEYS2) - set(grads))}"
    for name in KEYS2:
        loss = lambda: rnn2_loss(X_c, Y_c, params_c, h1_c, h2_c, act)
        assert grad_check(loss, params_c[name], grads[name], f"{name} {act}") < TOL, f"{name} ({act}) is wrong"

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("rnn2_backward", rnn2_backward)
### END HIDDEN TESTS

# %% [markdown]
# ### Everything together, with your own `dh1_t`
#
# Your `rnn2_backward` with your `dh1_t` on a longer sequence, against finite
# differences; all sixteen rows should read OK.

# %% nbgrader={"grade": false, "grade_id": "own_rules_table", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
if GRADING:
    print("skipped while grading")
else:
    for act in ("relu", "tanh"):
        X_t, Y_t, params_t, h1_t0, h2_t0 = rnn2_problem(T=6, N=3, D=4, H1=5, H2=3, Q=7, activation=act, seed=31)
        your = lambda name: lambda: rnn2_backward(
            Y_t, params_t, rnn2_forward(X_t, params_t, h1_t0, h2_t0, act)[1], act)[name]
        print(f"activation = {act}")
        gradient_table([(name, lambda: rnn2_loss(X_t, Y_t, params_t, h1_t0, h2_t0, act), params_t[name], your(name))
                        for name in ("W_xh1", "W_hh1", "b_h1", "W_xh2", "W_hh2", "b_h2", "W_hq", "b_q")])
        print()

# %% [markdown]
# ### Experiment: which layer gets the larger gradient? (no points)
#
# With the same initialization scale in both layers, compare the gradient norm of
# each parameter as the sequence gets longer (tanh, loss at every step). Layer 1 is one
# matrix product further from the loss at every step; does that show? Change the scale
# of `W_hh1` and `W_hh2` in the cell and rerun.

# %% nbgrader={"grade": false, "grade_id": "layers_experiment", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
if GRADING:
    print("skipped while grading")
else:
    import matplotlib.pyplot as plt

    lengths = [2, 5, 10, 20, 40]
    names = ("W_xh1", "W_hh1", "W_xh2", "W_hh2", "W_hq")
    norms = {name: [] for name in names}
    for T_e in lengths:
        X_e, Y_e, params_e, h1_e, h2_e = rnn2_problem(T=T_e, N=8, D=4, H1=16, H2=16, Q=5, seed=5)
        _, cache_e = rnn2_forward(X_e, params_e, h1_e, h2_e, "tanh")
        grads_e = rnn2_backward(Y_e, params_e, cache_e, "tanh")
        for name in names:
            norms[name].append(np.linalg.norm(grads_e[name]))
    fig, ax = plt.subplots(figsize=(7, 4))
    for name in names:
        ax.plot(lengths, norms[name], marker="o", label=name)
    ax.set(xlabel="sequence length T", ylabel="gradient norm", yscale="log",
           title="two-layer RNN, tanh: gradient norm per parameter")
    ax.legend()
    plt.show()

# %% [markdown]
# ## What comes next
#
# Notebook 04 takes the one-layer RNN to long sequences: the full sum over time is
# expensive and its gradients can explode, so you will implement regular and randomized
# truncation of BPTT and gradient clipping, and train a character-level model.
