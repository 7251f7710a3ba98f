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
# # Backpropagation through time, part 1 of 4: backprop in an MLP, one local rule at a time
#
# The lecture's plan: an RNN is an MLP that is reused at every time step. So before
# unrolling anything in time we redo backpropagation in the MLP from project 2, but
# *deliberately*: every derivative is one **local rule** that "meets the gradient from
# above and a cached value from below". Notebook 02 then reuses exactly these rules
# in time.
#
# **Learning goals.** After this notebook you can
#
# 1. derive the gradient of mean cross-entropy through a softmax, and say why the
#    result simplifies to `(z_netAct - one_hot) / N`;
# 2. write each backward step as a local rule with the shapes of its inputs and output,
#    and tell from the shapes alone which matrix gets transposed;
# 3. check any gradient with central finite differences and read a relative error;
# 4. compose the local rules into a full backward pass.
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
# | `dz_netAct(z_netAct, y)` | 1 |
# | `dz_netIn(dz_netAct, z_netAct)` | 2 |
# | `dz_wts(dz_netIn, y_netAct, z_wts, reg)` | 1 |
# | `dz_b(dz_netIn)` | 1 |
# | `dy_netAct(dz_netIn, z_wts)` | 1 |
# | `dy_netIn(dy_netAct, y_netIn)` | 1 |
# | `dy_wts(dy_netIn, X, y_wts, reg)` | 1 |
# | `dy_b(dy_netIn)` | 1 |
# | `mlp_backward(y, params, cache, reg)` | 3 |
# | **this notebook** | **12** |
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


# %% [markdown]
# ## Given tools: finite differences
#
# A gradient you cannot check is a gradient you should not trust. The next cell gives
# you `grad_check(f, x, analytic)`: it perturbs every entry of `x` by ±1e-6, evaluates
# the scalar `f()` twice, and compares the central difference
# $\frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon}$ with your `analytic`
# gradient. A correct gradient gives a relative error around 1e-9 to 1e-11; a wrong one
# gives something like 1e-1. `gradient_table` prints the same check for many derivatives
# at once, and `local_numeric(forward, x, G)` computes any local rule numerically (slow,
# but always right), which the tests use to check your rules one at a time.

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
# One hidden ReLU layer, a softmax output, mean cross-entropy, L2 regularization of
# both weight matrices:
#
# | step | forward (lecture names) | shape |
# |---|---|---|
# | 1 | `y_netIn = X @ y_wts + y_b` | (N, H) |
# | 2 | `y_netAct = max(y_netIn, 0)` | (N, H) |
# | 3 | `z_netIn = y_netAct @ z_wts + z_b` | (N, C) |
# | 4 | `z_netAct = softmax(z_netIn)` | (N, C) |
# | 5 | `loss = -1/N sum_n log z_netAct[n, y[n]] + reg/2 (sum y_wts² + sum z_wts²)` | scalar |
#
# with `X` (N, D), labels `y` (N,) in `0..C-1`, `y_wts` (D, H), `y_b` (H,),
# `z_wts` (H, C), `z_b` (C,).
#
# > **⚠ Note on the lecture notes.** Step 4 in the notes reads
# > `z_netAct = 1 / (1 + exp(-z_netIn))`, which is the *sigmoid*. The network has a
# > **softmax** output (each row sums to 1 and cross-entropy picks the true class), and
# > every derivative below is the softmax one.
#
# The given forward pass keeps every intermediate value in `cache`; the backward pass
# reads from it instead of recomputing.

# %% nbgrader={"grade": false, "grade_id": "forward", "locked": true, "schema_version": 3, "solution": false}
def mlp_forward(X, params):
    """Forward pass of the MLP.

    Inputs:
    - X: (N, D) mini-batch
    - params: dict with y_wts (D, H), y_b (H,), z_wts (H, C), z_b (C,)
    Returns (z_netAct, cache):
    - z_netAct: (N, C) softmax probabilities
    - cache: dict with X (N, D), y_netIn (N, H), y_netAct (N, H), z_netIn (N, C), z_netAct (N, C)
    """
    X = np.asarray(X, dtype=float)
    N, D = check_shape("mlp_forward", "X", X, (("N", None), ("D", None))).shape
    H = np.shape(params["y_wts"])[-1]
    C = np.shape(params["z_wts"])[-1]
    check_shape("mlp_forward", "params['y_wts']", params["y_wts"], (("D", D), ("H", H)))
    check_shape("mlp_forward", "params['y_b']", params["y_b"], (("H", H),))
    check_shape("mlp_forward", "params['z_wts']", params["z_wts"], (("H", H), ("C", C)))
    check_shape("mlp_forward", "params['z_b']", params["z_b"], (("C", C),))
    y_netIn = X @ params["y_wts"] + params["y_b"]
    y_netAct = np.maximum(y_netIn, 0.0)
    z_netIn = y_netAct @ params["z_wts"] + params["z_b"]
    z_netAct = softmax(z_netIn)
    cache = dict(X=X, y_netIn=y_netIn, y_netAct=y_netAct, z_netIn=z_netIn, z_netAct=z_netAct)
    return z_netAct, cache


def mlp_loss(X, y, params, reg=0.0):
    """Mean cross-entropy of labels y (N,) plus reg/2 * (sum y_wts**2 + sum z_wts**2)."""
    z_netAct, _ = mlp_forward(X, params)
    N = z_netAct.shape[0]
    data = -np.mean(np.log(z_netAct[np.arange(N), y]))
    return data + 0.5 * reg * (np.sum(params["y_wts"] ** 2) + np.sum(params["z_wts"] ** 2))


def mlp_problem(N=4, D=3, H=5, C=6, seed=0):
    """A random MLP problem with all dimensions different: X, y, params, reg."""
    rng = np.random.default_rng(seed)
    params = dict(y_wts=rng.standard_normal((D, H)) * 0.7, y_b=rng.standard_normal(H) * 0.3,
                  z_wts=rng.standard_normal((H, C)) * 0.7, z_b=rng.standard_normal(C) * 0.3)
    return rng.standard_normal((N, D)), rng.integers(0, C, N), params, 0.1


# %% [markdown]
# ## The backward pass as a chain of local rules
#
# Read the forward table from the bottom up. Each derivative below is the gradient of
# the loss with respect to one quantity. It **meets** the gradient of the quantity just
# above it in the graph (already computed) and a cached value from **below**:
#
# ```
# loss
#  └─ z_netAct ── dz_netAct            (meets loss from above, z_netIn from below)
#      └─ z_netIn ── dz_netIn           ├─ dz_wts  (meets dz_netIn and y_netAct)
#          │                            └─ dz_b    (meets dz_netIn)
#          └─ y_netAct ── dy_netAct     (meets dz_netIn and z_wts)
#              └─ y_netIn ── dy_netIn   ├─ dy_wts  (meets dy_netIn and X)
#                                       └─ dy_b    (meets dy_netIn)
# ```
#
# **A rule you can always use for shapes:** the gradient with respect to a quantity has
# the shape of that quantity. If `A` (N, H) and `W` (H, C) and `Z = A @ W`, the
# gradient `dZ` is (N, C), so `dW` must be (H, C): the only product of `A` and `dZ`
# with that shape is `A.T @ dZ`; likewise `dA = dZ @ W.T` (N, H).

# %% [markdown]
# ### 1. `dz_netAct` — the loss meets the softmax output (1 point)
#
# Meets the **loss** from above and **z_netIn** from below. The loss is
# $L = -\frac{1}{N}\sum_n \log z\_netAct_{n, y_n}$, and only the true-class entry of each
# row appears in it:
#
# $$\frac{\partial L}{\partial\, z\_netAct_{n,c}} =
#   \begin{cases} -\dfrac{1}{N\, z\_netAct_{n,c}} & c = y_n \\ 0 & c \ne y_n \end{cases}$$
#
# | argument / result | shape |
# |---|---|
# | `z_netAct` | (N, C) |
# | `y` | (N,) int |
# | returns `dz_netAct` | (N, C) |
#
# > **⚠ Note on the lecture notes.** The notes write `-1/(len(z_netAct)*z_netAct)`.
# > That expression is right **only at the true class**; every other entry of the
# > gradient is 0, because those probabilities do not appear in the loss.
#
# *Worked by hand* (N = 2, C = 3): `z_netAct = [[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]`,
# `y = [1, 2]` gives `[[0, -1/(2·0.5), 0], [0, 0, -1/(2·0.8)]] = [[0, -1, 0], [0, 0, -0.625]]`.

# %% nbgrader={"grade": false, "grade_id": "dz_netAct", "locked": false, "schema_version": 3, "solution": true}
def dz_netAct(z_netAct, y):
    """Gradient of the mean cross-entropy with respect to the softmax output.

    Inputs:
    - z_netAct: (N, C) softmax probabilities
    - y: (N,) int true classes in 0..C-1
    Returns:
    - dz_netAct: (N, C), -1/(N * z_netAct) at the true class of each row, 0 elsewhere
    """
    ### BEGIN SOLUTION
    N = z_netAct.shape[0]
    rows = np.arange(N)
    grad = np.zeros(z_netAct.shape)
    grad[rows, y] = -1.0 / (N * z_netAct[rows, y])
    return grad
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dz_netAct", "locked": true, "points": 1, "schema_version": 3, "solution": false}
z = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
out = dz_netAct(z, np.array([1, 2]))
assert out.shape == (2, 3), f"dz_netAct must have the shape of z_netAct (2, 3), got {np.shape(out)}"
assert np.allclose(out, [[0, -1, 0], [0, 0, -0.625]]), "the worked example does not match"

# Finite differences of the real loss with respect to the probabilities.
rng = np.random.default_rng(1)
p = softmax(rng.standard_normal((4, 6)))
labels = rng.integers(0, 6, 4)
loss_of_p = lambda: -np.mean(np.log(p[np.arange(4), labels]))
assert grad_check(loss_of_p, p, dz_netAct(p, labels), "dz_netAct") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dz_netAct", dz_netAct)
### END HIDDEN TESTS

# %% [markdown]
# ### 2. `dz_netIn` — through the softmax (2 points)
#
# Meets **dz_netAct** from above and **z_wts** from below (`z_netIn` is what `z_wts`
# produced). Writing $p$ = `z_netAct` and $g$ = `dz_netAct` for one row, the softmax's
# Jacobian is $\partial p_i / \partial z_j = p_i(\delta_{ij} - p_j)$, so
#
# $$dz\_netIn_{i} = \sum_j g_j\, p_j(\delta_{ji} - p_i) = p_i\Big(g_i - \sum_j g_j p_j\Big),$$
#
# in NumPy, row by row: `z_netAct * (dz_netAct - (dz_netAct * z_netAct).sum(axis=1, keepdims=True))`.
#
# With the cross-entropy gradient from step 1 plugged in ($g$ is $-1/(N p_y)$ at the true
# class $y$ and 0 elsewhere, so $\sum_j g_j p_j = -1/N$) this collapses to the famous
#
# $$dz\_netIn = \frac{z\_netAct - \mathrm{one\_hot}(y)}{N}.$$
#
# Your function receives `dz_netAct` (not the labels), so implement the general product;
# it must work for **any** gradient arriving from above (the finite-difference test uses
# a random one).
#
# | argument / result | shape |
# |---|---|
# | `dz_netAct` | (N, C) |
# | `z_netAct` | (N, C) |
# | returns `dz_netIn` | (N, C) |
#
# > **⚠ Note on the lecture notes.** The notes write `dz_netAct * (one_hot - z_netAct)`.
# > At the true class that is $-\frac{1}{N p_y}(1 - p_y)$, but the correct value is
# > $\frac{p_y - 1}{N}$: the notes drop a factor $p_y$ (= `z_netAct` at the true class),
# > and off the true class they give 0 where the gradient is $p_c / N$.
#
# *Worked by hand*, continuing step 1: the result is `(z_netAct - one_hot)/N =
# [[0.2, 0.5-1, 0.3], [0.1, 0.1, 0.8-1]] / 2 = [[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]]`.

# %% nbgrader={"grade": false, "grade_id": "dz_netIn", "locked": false, "schema_version": 3, "solution": true}
def dz_netIn(dz_netAct, z_netAct):
    """Backprop through the row-wise softmax.

    Inputs:
    - dz_netAct: (N, C) gradient of the loss with respect to z_netAct (from above)
    - z_netAct: (N, C) softmax output of the forward pass
    Returns:
    - dz_netIn: (N, C) gradient with respect to z_netIn
    """
    ### BEGIN SOLUTION
    # Row by row: p * (g - <g, p>), the softmax Jacobian applied to g.
    inner = np.sum(dz_netAct * z_netAct, axis=1, keepdims=True)
    return z_netAct * (dz_netAct - inner)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dz_netIn", "locked": true, "points": 2, "schema_version": 3, "solution": false}
z = np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])
g = np.array([[0, -1, 0], [0, 0, -0.625]])
out = dz_netIn(g, z)
assert out.shape == (2, 3), f"dz_netIn must have shape (N, C) = (2, 3), got {np.shape(out)}"
assert np.allclose(out, [[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]]), "the worked example does not match"

# Any gradient from above: finite differences of sum(G * softmax(z_netIn)).
rng = np.random.default_rng(2)
z_in, G = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
assert grad_check(lambda: np.sum(G * softmax(z_in)), z_in, dz_netIn(G, softmax(z_in)), "dz_netIn") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dz_netIn", dz_netIn)
### END HIDDEN TESTS

# %% [markdown]
# ### 3. `dz_wts` — the output weights (1 point)
#
# Meets **dz_netIn** from above and **y_netAct** from below (`z_netIn = y_netAct @ z_wts + z_b`).
# The regularization term $\frac{reg}{2}\sum z\_wts^2$ adds $reg \cdot z\_wts$:
#
# $$dz\_wts = y\_netAct^\top\, dz\_netIn + reg \cdot z\_wts$$
#
# | argument / result | shape |
# |---|---|
# | `dz_netIn` | (N, C) |
# | `y_netAct` | (N, H) |
# | `z_wts` | (H, C) |
# | `reg` | scalar ≥ 0 |
# | returns `dz_wts` | (H, C) |
#
# The notes' `(dz_netIn.T @ y_netAct).T` is the same matrix written with one extra transpose.
#
# *Worked by hand*: `y_netAct = [[1, 0], [2, 1]]`, `dz_netIn` from step 2, `z_wts` all ones,
# `reg = 0.5`: `y_netAct.T @ dz_netIn = [[0.2, -0.15, -0.05], [0.05, 0.05, -0.1]]`, plus
# 0.5 everywhere: `[[0.7, 0.35, 0.45], [0.55, 0.55, 0.4]]`.

# %% nbgrader={"grade": false, "grade_id": "dz_wts", "locked": false, "schema_version": 3, "solution": true}
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    """Gradient with respect to the output weights.

    Inputs:
    - dz_netIn: (N, C) gradient at z_netIn (from above)
    - y_netAct: (N, H) hidden activations (the layer's input)
    - z_wts: (H, C) output weights
    - reg: L2 regularization strength (scalar >= 0)
    Returns:
    - dz_wts: (H, C)
    """
    ### BEGIN SOLUTION
    return y_netAct.T @ dz_netIn + reg * z_wts
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dz_wts", "locked": true, "points": 1, "schema_version": 3, "solution": false}
g = np.array([[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]])
out = dz_wts(g, np.array([[1.0, 0.0], [2.0, 1.0]]), np.ones((2, 3)), 0.5)
assert out.shape == (2, 3), f"dz_wts must have the shape of z_wts (H, C) = (2, 3), got {np.shape(out)}"
assert np.allclose(out, [[0.7, 0.35, 0.45], [0.55, 0.55, 0.4]]), "the worked example does not match"

rng = np.random.default_rng(3)
A, W, G = rng.standard_normal((4, 5)), rng.standard_normal((5, 6)), rng.standard_normal((4, 6))
f = lambda: np.sum(G * (A @ W)) + 0.3 / 2 * np.sum(W ** 2)
assert grad_check(f, W, dz_wts(G, A, W, 0.3), "dz_wts") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dz_wts", dz_wts)
### END HIDDEN TESTS

# %% [markdown]
# ### 4. `dz_b` — the output bias (1 point)
#
# Meets **dz_netIn** from above. The bias is added to every row of the batch, so its
# gradient collects the contributions of all N rows:
#
# $$dz\_b = \sum_n dz\_netIn_{n,:}$$
#
# | argument / result | shape |
# |---|---|
# | `dz_netIn` | (N, C) |
# | returns `dz_b` | (C,) |
#
# Sum, do not average: the 1/N of the mean loss is already inside `dz_netIn`.
#
# *Worked by hand*: `[[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]]` gives `[0.15, -0.2, 0.05]`.

# %% nbgrader={"grade": false, "grade_id": "dz_b", "locked": false, "schema_version": 3, "solution": true}
def dz_b(dz_netIn):
    """Gradient with respect to the output bias.

    Inputs:
    - dz_netIn: (N, C) gradient at z_netIn
    Returns:
    - dz_b: (C,)
    """
    ### BEGIN SOLUTION
    return np.sum(dz_netIn, axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dz_b", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = dz_b(np.array([[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]]))
assert np.shape(out) == (3,), f"dz_b must have the shape of z_b (C,) = (3,), got {np.shape(out)}"
assert np.allclose(out, [0.15, -0.2, 0.05]), "the worked example does not match"

rng = np.random.default_rng(4)
A, W, b, G = rng.standard_normal((4, 5)), rng.standard_normal((5, 6)), rng.standard_normal(6), rng.standard_normal((4, 6))
assert grad_check(lambda: np.sum(G * (A @ W + b)), b, dz_b(G), "dz_b") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dz_b", dz_b)
### END HIDDEN TESTS

# %% [markdown]
# ### 5. `dy_netAct` — back into the hidden layer (1 point)
#
# Meets **dz_netIn** from above and **dy_netIn** from below (through `z_wts`):
#
# $$dy\_netAct = dz\_netIn\; z\_wts^\top$$
#
# | argument / result | shape |
# |---|---|
# | `dz_netIn` | (N, C) |
# | `z_wts` | (H, C) |
# | returns `dy_netAct` | (N, H) |
#
# *Worked by hand*: `dz_netIn = [[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]]`,
# `z_wts = [[1, 0, -1], [2, 1, 0]]` gives `[[-0.05, -0.05], [0.15, 0.15]]`.

# %% nbgrader={"grade": false, "grade_id": "dy_netAct", "locked": false, "schema_version": 3, "solution": true}
def dy_netAct(dz_netIn, z_wts):
    """Gradient with respect to the hidden activations.

    Inputs:
    - dz_netIn: (N, C) gradient at z_netIn (from above)
    - z_wts: (H, C) output weights
    Returns:
    - dy_netAct: (N, H)
    """
    ### BEGIN SOLUTION
    return dz_netIn @ z_wts.T
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dy_netAct", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = dy_netAct(np.array([[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]]), np.array([[1.0, 0, -1], [2, 1, 0]]))
assert np.shape(out) == (2, 2), f"dy_netAct must have the shape of y_netAct (N, H) = (2, 2), got {np.shape(out)}"
assert np.allclose(out, [[-0.05, -0.05], [0.15, 0.15]]), "the worked example does not match"

rng = np.random.default_rng(5)
A, W, G = rng.standard_normal((4, 5)), rng.standard_normal((5, 6)), rng.standard_normal((4, 6))
assert grad_check(lambda: np.sum(G * (A @ W)), A, dy_netAct(G, W), "dy_netAct") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dy_netAct", dy_netAct)
### END HIDDEN TESTS

# %% [markdown]
# ### 6. `dy_netIn` — through the ReLU (1 point)
#
# Meets **dy_netAct** from above and **y_wts** from below. ReLU passes the gradient where
# its **input** was positive and blocks it elsewhere:
#
# $$dy\_netIn = dy\_netAct \odot \mathbb{1}[y\_netIn > 0]$$
#
# | argument / result | shape |
# |---|---|
# | `dy_netAct` | (N, H) |
# | `y_netIn` | (N, H) |
# | returns `dy_netIn` | (N, H) |
#
# The mask depends on the forward value `y_netIn`, not on the sign of the gradient.
# (At exactly 0 the ReLU has no derivative; we use 0, like the notes' `np.where(y_netIn <= 0, 0, 1)`.)
#
# *Worked by hand*: `dy_netAct = [[1, -2], [3, 4]]`, `y_netIn = [[0.5, -1], [-0.2, 2]]`
# gives `[[1, 0], [0, 4]]`. (Masking on the gradient's sign would wrongly keep the 3.)

# %% nbgrader={"grade": false, "grade_id": "dy_netIn", "locked": false, "schema_version": 3, "solution": true}
def dy_netIn(dy_netAct, y_netIn):
    """Backprop through the ReLU.

    Inputs:
    - dy_netAct: (N, H) gradient at y_netAct (from above)
    - y_netIn: (N, H) the ReLU's input in the forward pass
    Returns:
    - dy_netIn: (N, H)
    """
    ### BEGIN SOLUTION
    return dy_netAct * (y_netIn > 0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dy_netIn", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = dy_netIn(np.array([[1.0, -2.0], [3.0, 4.0]]), np.array([[0.5, -1.0], [-0.2, 2.0]]))
assert np.shape(out) == (2, 2), f"dy_netIn must have shape (N, H) = (2, 2), got {np.shape(out)}"
assert np.allclose(out, [[1, 0], [0, 4]]), "the worked example does not match"

# Kept away from the kink at 0, where finite differences are meaningless.
rng = np.random.default_rng(6)
z = rng.standard_normal((4, 5))
z += np.sign(z) * 0.1
G = rng.standard_normal((4, 5))
assert grad_check(lambda: np.sum(G * np.maximum(z, 0)), z, dy_netIn(G, z), "dy_netIn") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dy_netIn", dy_netIn)
### END HIDDEN TESTS

# %% [markdown]
# ### 7. `dy_wts` — the hidden weights (1 point)
#
# Meets **dy_netIn** from above and the features **X** from below
# (`y_netIn = X @ y_wts + y_b`), the same pattern as `dz_wts` one layer down:
#
# $$dy\_wts = X^\top\, dy\_netIn + reg \cdot y\_wts$$
#
# | argument / result | shape |
# |---|---|
# | `dy_netIn` | (N, H) |
# | `X` | (N, D) |
# | `y_wts` | (D, H) |
# | `reg` | scalar ≥ 0 |
# | returns `dy_wts` | (D, H) |
#
# *Worked by hand*: `X = [[1, 0, 2], [0, 1, 1]]`, `dy_netIn = [[1, 0], [0, 4]]`,
# `y_wts` all ones, `reg = 0.1`: `X.T @ dy_netIn = [[1, 0], [0, 4], [2, 4]]`, plus 0.1:
# `[[1.1, 0.1], [0.1, 4.1], [2.1, 4.1]]`.

# %% nbgrader={"grade": false, "grade_id": "dy_wts", "locked": false, "schema_version": 3, "solution": true}
def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    """Gradient with respect to the hidden weights.

    Inputs:
    - dy_netIn: (N, H) gradient at y_netIn (from above)
    - X: (N, D) input features
    - y_wts: (D, H) hidden weights
    - reg: L2 regularization strength (scalar >= 0)
    Returns:
    - dy_wts: (D, H)
    """
    ### BEGIN SOLUTION
    return X.T @ dy_netIn + reg * y_wts
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dy_wts", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = dy_wts(np.array([[1.0, 0.0], [0.0, 4.0]]), np.array([[1.0, 0, 2], [0, 1, 1]]), np.ones((3, 2)), 0.1)
assert np.shape(out) == (3, 2), f"dy_wts must have the shape of y_wts (D, H) = (3, 2), got {np.shape(out)}"
assert np.allclose(out, [[1.1, 0.1], [0.1, 4.1], [2.1, 4.1]]), "the worked example does not match"

rng = np.random.default_rng(7)
X_, W, G = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
f = lambda: np.sum(G * (X_ @ W)) + 0.2 / 2 * np.sum(W ** 2)
assert grad_check(f, W, dy_wts(G, X_, W, 0.2), "dy_wts") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dy_wts", dy_wts)
### END HIDDEN TESTS

# %% [markdown]
# ### 8. `dy_b` — the hidden bias (1 point)
#
# Meets **dy_netIn** from above; summed over the batch like `dz_b`:
#
# $$dy\_b = \sum_n dy\_netIn_{n,:}$$
#
# | argument / result | shape |
# |---|---|
# | `dy_netIn` | (N, H) |
# | returns `dy_b` | (H,) |
#
# *Worked by hand*: `[[1, 0], [0, 4]]` gives `[1, 4]`.

# %% nbgrader={"grade": false, "grade_id": "dy_b", "locked": false, "schema_version": 3, "solution": true}
def dy_b(dy_netIn):
    """Gradient with respect to the hidden bias.

    Inputs:
    - dy_netIn: (N, H) gradient at y_netIn
    Returns:
    - dy_b: (H,)
    """
    ### BEGIN SOLUTION
    return np.sum(dy_netIn, axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dy_b", "locked": true, "points": 1, "schema_version": 3, "solution": false}
out = dy_b(np.array([[1.0, 0.0], [0.0, 4.0]]))
assert np.shape(out) == (2,), f"dy_b must have the shape of y_b (H,) = (2,), got {np.shape(out)}"
assert np.allclose(out, [1, 4]), "the worked example does not match"

rng = np.random.default_rng(8)
X_, W, b, G = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5), rng.standard_normal((4, 5))
assert grad_check(lambda: np.sum(G * (X_ @ W + b)), b, dy_b(G), "dy_b") < TOL

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("dy_b", dy_b)
### END HIDDEN TESTS

# %% [markdown]
# ### 9. `mlp_backward` — composing the rules (3 points)
#
# Now chain the eight rules, top of the graph first: `dz_netAct → dz_netIn → (dz_wts,
# dz_b, dy_netAct) → dy_netIn → (dy_wts, dy_b)`. Take every forward value from `cache`
# and every weight from `params`; pass `reg` to both weight gradients.
#
# | argument / result | shape |
# |---|---|
# | `y` | (N,) int labels |
# | `params` | dict: `y_wts` (D, H), `y_b` (H,), `z_wts` (H, C), `z_b` (C,) |
# | `cache` | dict from `mlp_forward`: `X`, `y_netIn`, `y_netAct`, `z_netIn`, `z_netAct` |
# | `reg` | scalar ≥ 0 |
# | returns | dict with keys `y_wts`, `y_b`, `z_wts`, `z_b`, each the shape of its parameter |
#
# **Call your eight functions by name** (`dz_netAct(...)`, `dz_netIn(...)`, ...), do not
# re-derive them inline. This unit is graded on the composition alone: the grader swaps
# in correct versions of the eight rules while it checks `mlp_backward`, so a mistake
# in one derivative costs you that derivative's points, not these three as well. The
# visible test does the same with numerical versions of the rules (`NUMERIC_RULES`,
# given below), then compares your gradients with finite differences of the whole loss.

# %% nbgrader={"grade": false, "grade_id": "numeric_rules", "locked": true, "schema_version": 3, "solution": false}
def _numeric_dz_netAct(z_netAct, y):
    z = np.array(z_netAct, dtype=float)
    rows = np.arange(len(y))
    return numerical_gradient(lambda: -np.mean(np.log(z[rows, y])), z)


def _numeric_weight_rule(upstream, inputs, W, reg=0.0):
    # d/dW of sum(upstream * (inputs @ W)) + reg/2 * sum(W**2)
    W = np.array(W, dtype=float)
    return numerical_gradient(lambda: np.sum(upstream * (inputs @ W)) + reg / 2 * np.sum(W ** 2), W)


# Numerical stand-ins for the eight rules: slow, but independent of your code.
NUMERIC_RULES = {
    "dz_netAct": _numeric_dz_netAct,
    # softmax(log p) = p, so log(z_netAct) is a valid z_netIn
    "dz_netIn": lambda g, z_netAct: local_numeric(softmax, np.log(z_netAct), g),
    "dz_wts": lambda g, y_netAct, z_wts, reg=0.0: _numeric_weight_rule(g, y_netAct, z_wts, reg),
    "dz_b": lambda g: local_numeric(lambda b: b + np.zeros_like(g), np.zeros(g.shape[1]), g),
    "dy_netAct": lambda g, z_wts: local_numeric(lambda a: a @ z_wts, np.zeros((g.shape[0], z_wts.shape[0])), g),
    "dy_netIn": lambda g, y_netIn: local_numeric(lambda z: np.maximum(z, 0), y_netIn, g),
    "dy_wts": lambda g, X, y_wts, reg=0.0: _numeric_weight_rule(g, X, y_wts, reg),
    "dy_b": lambda g: local_numeric(lambda b: b + np.zeros_like(g), np.zeros(g.shape[1]), g),
}


# %% nbgrader={"grade": false, "grade_id": "mlp_backward", "locked": false, "schema_version": 3, "solution": true}
def mlp_backward(y, params, cache, reg=0.0):
    """Full backward pass of the MLP, composed from the eight local rules above.

    Inputs:
    - y: (N,) int labels
    - params: dict with y_wts (D, H), y_b (H,), z_wts (H, C), z_b (C,)
    - cache: dict from mlp_forward with X (N, D), y_netIn (N, H), y_netAct (N, H),
      z_netIn (N, C), z_netAct (N, C)
    - reg: L2 regularization strength (scalar >= 0)
    Returns:
    - dict with y_wts (D, H), y_b (H,), z_wts (H, C), z_b (C,): the gradients of mlp_loss
    """
    ### BEGIN SOLUTION
    g_z_act = dz_netAct(cache["z_netAct"], y)
    g_z_in = dz_netIn(g_z_act, cache["z_netAct"])
    g_y_act = dy_netAct(g_z_in, params["z_wts"])
    g_y_in = dy_netIn(g_y_act, cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_z_in, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_z_in),
        "y_wts": dy_wts(g_y_in, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_y_in),
    }
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_mlp_backward", "locked": true, "points": 3, "schema_version": 3, "solution": false}
X_c, y_c, params_c, reg_c = mlp_problem(seed=10)
_, cache_c = mlp_forward(X_c, params_c)
with swapped_in(globals(), NUMERIC_RULES):
    grads = mlp_backward(y_c, params_c, cache_c, reg_c)
assert isinstance(grads, dict), f"mlp_backward must return a dict, got {type(grads).__name__}"
assert set(grads) == {"y_wts", "y_b", "z_wts", "z_b"}, f"wrong keys: {sorted(grads)}"
for name in ("y_wts", "y_b", "z_wts", "z_b"):
    loss = lambda: mlp_loss(X_c, y_c, params_c, reg_c)
    assert grad_check(loss, params_c[name], grads[name], name) < TOL, f"gradient of {name} is wrong"

### BEGIN HIDDEN TESTS
from autograder.checks import check
check("mlp_backward", mlp_backward)
### END HIDDEN TESTS

# %% [markdown]
# ### Everything together, with your own rules
#
# The table below runs your `mlp_backward` with **your** eight functions on a fresh
# problem and compares every parameter gradient with finite differences. All four rows
# should read OK; if a row fails, the unit tests above tell you which rule to fix.

# %% nbgrader={"grade": false, "grade_id": "own_rules_table", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
if GRADING:
    print("skipped while grading")
else:
    X_t, y_t, params_t, reg_t = mlp_problem(N=5, D=4, H=3, C=7, seed=11)
    def your_gradient(name):
        return lambda: mlp_backward(y_t, params_t, mlp_forward(X_t, params_t)[1], reg_t)[name]
    gradient_table([(name, lambda: mlp_loss(X_t, y_t, params_t, reg_t), params_t[name], your_gradient(name))
                    for name in ("z_wts", "z_b", "y_wts", "y_b")])

# %% [markdown]
# ### Experiment: do your gradients train a network? (no points)
#
# A two-class spiral in the plane cannot be separated by a line. With your
# `mlp_backward` and plain gradient descent, a 32-unit hidden layer learns it in a few
# hundred steps; the loss curve and the decision regions are plotted below. Try `reg = 0`
# and `reg = 0.1`, or fewer hidden units.

# %% nbgrader={"grade": false, "grade_id": "spiral_experiment", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
if GRADING:
    print("skipped while grading")
else:
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    n_per_class, H_sp, lr, reg_sp = 100, 32, 1.0, 1e-3
    radius = np.linspace(0.1, 1.0, n_per_class)
    X_sp = np.concatenate([np.c_[radius * np.sin(a), radius * np.cos(a)] for a in
                           (np.linspace(0, 4, n_per_class) + rng.normal(0, 0.2, n_per_class),
                            np.linspace(3.14, 7.14, n_per_class) + rng.normal(0, 0.2, n_per_class))])
    y_sp = np.repeat([0, 1], n_per_class)
    params_sp = dict(y_wts=rng.standard_normal((2, H_sp)), y_b=np.zeros(H_sp),
                     z_wts=rng.standard_normal((H_sp, 2)) * 0.1, z_b=np.zeros(2))
    losses = []
    for step in range(1500):
        _, cache_sp = mlp_forward(X_sp, params_sp)
        grads_sp = mlp_backward(y_sp, params_sp, cache_sp, reg_sp)
        for k in params_sp:
            params_sp[k] -= lr * grads_sp[k]
        losses.append(mlp_loss(X_sp, y_sp, params_sp, reg_sp))

    grid = np.stack(np.meshgrid(np.linspace(-1.2, 1.2, 200), np.linspace(-1.2, 1.2, 200)), axis=-1)
    region = mlp_forward(grid.reshape(-1, 2), params_sp)[0][:, 1].reshape(200, 200)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(losses)
    ax1.set(xlabel="gradient step", ylabel="loss", yscale="log", title="training loss")
    ax2.contourf(grid[..., 0], grid[..., 1], region, levels=20, cmap="coolwarm", alpha=0.6)
    ax2.scatter(X_sp[:, 0], X_sp[:, 1], c=y_sp, cmap="coolwarm", edgecolors="k", s=15)
    ax2.set(title="decision regions", aspect="equal")
    plt.show()
    accuracy = np.mean(mlp_forward(X_sp, params_sp)[0].argmax(axis=1) == y_sp)
    print(f"final loss {losses[-1]:.3f}, training accuracy {accuracy:.0%}")

# %% [markdown]
# ## What comes next
#
# In notebook 02 the same rules reappear, one time step at a time: `dy_t` plays
# `dz_netIn`, `dW_hq` plays `dz_wts`, `dh_t` plays `dy_netAct`, and `dhraw_t` plays
# `dy_netIn`. The one genuinely new thing is that a hidden state receives gradient from
# **two** places: its own output and the next time step.
