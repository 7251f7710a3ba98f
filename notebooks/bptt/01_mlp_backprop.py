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
# 1. derive the gradient of mean cross-entropy through a softmax yourself, and explain
#    why it ends up so simple;
# 2. write each backward step as a local rule with the shapes of its inputs and output,
#    and tell from the shapes alone which matrix gets transposed;
# 3. check any gradient with central finite differences and read a relative error;
# 4. compose the local rules into a full backward pass.
#
# **How to work.** Write your code only between the lines `# YOUR CODE HERE` and the
# `raise NotImplementedError()` below it (delete that line). Code cells whose first line
# reads `# Given code — read-only` or `# Tests — read-only` are locked: read them, do not
# edit them. Each graded function is followed by its test cell. The test runs your function
# on the worked example of the text and prints the **expected** and **your** answer, then
# compares your function with finite differences on random inputs. The grader adds
# hidden tests on other inputs.
#
# **What a graded function must return.** Every gradient is a NumPy array (`np.ndarray`)
# of dtype **float64**, with **exactly the shape of the quantity it is the gradient of**:
# not a Python list, not an `np.matrix`, not shape (1, H) where (H,) is expected.
# `mlp_backward` returns a dict of such arrays. A graded function must not change its
# arguments (no `+=` or slice assignment on an input array, no change to a dict it receives).
# It must compute its answer itself (calling your own graded functions is fine, and
# `mlp_backward` must). A graded function that emits a warning on a hidden case scores 0,
# so keep your code free of NumPy warnings (no `log(0)`, no division by zero).
#
# <!-- generated: given-helper-rule -->
# **The given-helper rule.** A graded function may call your own functions and these given
# building blocks: `softmax`, `one_hot`, `phi`, `check_shape` and the forward passes
# `mlp_forward`, `rnn_forward`, `rnn2_forward`. Every other given function computes (part of)
# an answer or serves the tests: the finite differences (`numerical_gradient`, `grad_check`,
# `gradient_table`, `local_numeric`); the numerical stand-ins (`numeric_mlp_rules`,
# `numeric_rnn_rules`, `numeric_dh1_t`); the losses the tests differentiate (`mlp_loss`,
# `rnn_loss`, `rnn2_loss`, `truncated_loss`); the error measure (`rel_error`); the problem
# generators (`mlp_problem`, `rnn_problem`, `rnn2_problem`, `random_problem`); the tests' and
# experiments' tools (`call`, `check_example`, `swapped_in`, `experiment_ready`, `probes`,
# `why_mlp_backward`, `why_rnn_backward`, `why_rnn2_backward`, `why_steps`); and everything in
# `trace_tools.py`, `charrnn.py` and `bptt_experiments.py`. A graded function that runs one of
# them scores 0 for its unit on both grading paths, and its visible test fails with the
# grader's sentence, `<function> calls the given helper <name>; a graded function must compute
# its answer itself`, so Validate shows it before you submit. The answers show the rule too:
# the hidden cases put ReLU pre-activations exactly at 0 and accept a relative error of 1e-11,
# which finite differences do not reach, so an answer produced by a numerical tool fails there
# for every nonlinear rule; for the rules that are products and sums (where central
# differences are exact up to rounding) the monitor of the call alone enforces it.
# <!-- end generated -->
#
# **Running the whole notebook.** *Kernel → Restart Kernel and Run All Cells…* runs the
# cells in order and **stops at the first cell that fails**. On an unfinished notebook
# that is the test cell of the first function you have not written yet; its last line reads
# `NotImplementedError: dz_netAct is not implemented yet` (with that function's name), and
# the cells below it are not run. So work from the top, one cell at a time (Shift+Enter).
# An experiment cell whose functions are missing prints `waiting for <function>: not
# implemented yet` instead of running. nbgrader's **Validate** button runs every cell and
# lists each test that fails. Before you submit, Restart Kernel and Run All Cells… should
# reach the end without an error.
#
# Conventions (as in the lecture's MLP code `X @ y_wts`): **row vectors**, the batch is the
# first axis within a step, sequences are **time-major** `(T, N, D)`, everything float64.
#
# <!-- generated: points-table -->
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
# The whole assignment has **49 points** across four notebooks (01: 12 + 02: 16 + 03: 7 + 04: 14).
# <!-- end generated -->

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
# Given code — read-only. The tools shared by all four notebooks are in bptt_tools.py
# (open it from Jupyter's file browser to read them).
import numpy as np

from bptt_tools import TOL, call, check_example, check_shape, experiment_ready, mlp_problem, one_hot, softmax

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## Given tools: finite differences
#
# A gradient you cannot check is a gradient you should not trust. The test cells use
# `grad_check(f, x, analytic)` from `bptt_tools.py`: it perturbs every entry of `x` by
# ±1e-6, evaluates the scalar `f()` twice, and compares the central difference
# $\frac{f(x + \epsilon e_i) - f(x - \epsilon e_i)}{2\epsilon}$ with your `analytic`
# gradient through the **relative error**
#
# $$\mathrm{rel\_error}(a, b) = \frac{\max_i |a_i - b_i|}{\max\big(\max_i |a_i|,\ \max_i |b_i|\big)},$$
#
# the one definition used everywhere in this course (`rel_error` in `bptt_tools.py`).
# A correct gradient gives about 1e-9 to 1e-11; a wrong one something like 1e-1. The tests
# accept below `TOL` = 1e-6.
#
# Finite differences check a derivative; they never produce one for you: a graded function
# that calls `numerical_gradient` (or another of these tools) earns 0 for its unit.

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
# > **⚠ Where the lecture notes slip.** Step 4 in the notes reads
# > `z_netAct = 1 / (1 + exp(-z_netIn))`, which is the *sigmoid*: each output would then
# > depend on its own input only. The network has a **softmax** output (each row sums to 1,
# > so every output depends on every input of its row), and every derivative below must
# > be the softmax one.
#
# The given forward pass keeps every intermediate value in `cache`; the backward pass
# reads from it instead of recomputing.

# %% nbgrader={"grade": false, "grade_id": "forward", "locked": true, "schema_version": 3, "solution": false}
# Given code — read-only: the forward pass and the loss of the MLP.

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
    """Mean cross-entropy of labels y (N,) plus reg/2 * (sum y_wts**2 + sum z_wts**2), a float."""
    z_netAct, _ = mlp_forward(X, params)
    N = z_netAct.shape[0]
    data = -np.mean(np.log(z_netAct[np.arange(N), y]))
    return data + 0.5 * reg * (np.sum(params["y_wts"] ** 2) + np.sum(params["z_wts"] ** 2))

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
# **How to derive every rule in this notebook.** Suppose a quantity $u$ is used to compute
# $v$, and you already hold $\partial L/\partial v$ (same shape as $v$). The chain rule,
# written for **one entry** of $u$, sums over every entry of $v$ that $u_i$ influences:
#
# $$\frac{\partial L}{\partial u_i} = \sum_j \frac{\partial L}{\partial v_j}\,\frac{\partial v_j}{\partial u_i}.$$
#
# 1. Write the forward step for one entry of $v$, with explicit indices.
# 2. Differentiate it with respect to one entry of $u$; most terms are 0.
# 3. Put the surviving terms into the sum, then write that sum for all entries at once
#    in NumPy (a sum over a shared index is a matrix product; a sum over an index that
#    only one side has is `.sum(axis=...)`).
# 4. Check the shape: **the gradient with respect to a quantity has the shape of that
#    quantity.** When two arrays can be multiplied in more than one way, only one way
#    gives that shape; that is how you know which factor is transposed.

# %% [markdown]
# ### 1. `dz_netAct` — the loss meets the softmax output (<!-- generated: points dz_netAct -->1 point<!-- end generated -->)
#
# **Place in the graph.** `z_netAct → loss`: the top of the graph. Nothing is above the
# loss, so this rule starts the backward pass. It meets the **loss** from above and
# **z_netIn** from below.
#
# **Forward.** $L = -\frac{1}{N}\sum_n \log z\_netAct_{n, y_n}$ (plus regularization terms,
# which do not involve `z_netAct`).
#
# | argument / result | shape |
# |---|---|
# | `z_netAct` | (N, C) |
# | `y` | (N,) int |
# | returns `dz_netAct` | (N, C), float64 |
#
# **The chain-rule step.** There is no step yet: differentiate $L$ directly with respect to
# one entry $z\_netAct_{n,c}$. Ask first which entries of `z_netAct` the loss reads at all;
# then treat the two cases $c = y_n$ and $c \ne y_n$ separately.
#
# > **⚠ Where the lecture notes slip.** The notes give one expression, `-1/(len(z_netAct)*z_netAct)`,
# > for every entry of the array. It is nonzero everywhere, yet the loss reads only one
# > probability per row: an entry that the loss never reads cannot change the loss, so its
# > derivative cannot be nonzero. The notes' expression is right at some entries only.
#
# <details><summary>Hint (if you are stuck)</summary>
#
# For the entries the loss does read, the loss is $-\frac{1}{N}\log p$ in that one entry $p$:
# a one-variable derivative. Build an array of zeros of the right shape and fill in one entry
# per row; `arr[np.arange(N), y]` selects exactly those entries (and can be assigned to).
# </details>
#
# **Worked example** (N = 2, C = 3, in the test cell below): `z_netAct = [[0.2, 0.5, 0.3],
# [0.1, 0.1, 0.8]]`, `y = [1, 2]`. Work out the two nonzero entries by hand, then run the test:
# it prints the expected answer and yours.

# %% nbgrader={"grade": false, "grade_id": "dz_netAct", "locked": false, "schema_version": 3, "solution": true}
def dz_netAct(z_netAct, y):
    """Gradient of the mean cross-entropy with respect to the softmax output.

    Inputs:
    - z_netAct: (N, C) softmax probabilities; one off the true class may be exactly 0
      (a softmax underflows for very confident rows), the true class's never is
    - y: (N,) int true classes in 0..C-1
    Returns:
    - dz_netAct: (N, C) float64, the gradient of the loss with respect to z_netAct
    """
    ### BEGIN SOLUTION
    # dL/dp[n, c] = -1/(N p[n, c]) if c = y[n], else 0 (the loss never reads p[n, c]).
    N = z_netAct.shape[0]
    rows = np.arange(N)
    grad = np.zeros(z_netAct.shape)
    grad[rows, y] = -1.0 / (N * z_netAct[rows, y])
    return grad
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dz_netAct", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

check_example(dz_netAct, (np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]]), np.array([1, 2])),
              [[0.0, -1.0, 0.0], [0.0, 0.0, -0.625]], "(N, C)")

# Finite differences of the real loss with respect to the probabilities (N = 4, C = 6).
rng = np.random.default_rng(1)
p = softmax(rng.standard_normal((4, 6)))
labels = rng.integers(0, 6, 4)
loss_of_p = lambda: -np.mean(np.log(p[np.arange(4), labels]))
assert grad_check(loss_of_p, p, dz_netAct(p, labels), "dz_netAct") < TOL, "dz_netAct disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dz_netAct: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 2. `dz_netIn` — through the softmax (<!-- generated: points dz_netIn -->2 points<!-- end generated -->)
#
# **Place in the graph.** `z_netIn → softmax → z_netAct → loss`. You receive the gradient
# at the softmax's output, `dz_netAct`, and return the gradient at its input, `dz_netIn`.
# It meets **dz_netAct** from above and **z_wts** from below (`z_netIn` is what `z_wts` produced).
#
# **Forward**, row by row (rows do not interact), with $p$ = `z_netAct` and $z$ = `z_netIn`:
#
# $$p_{n,j} = \frac{e^{z_{n,j}}}{\sum_k e^{z_{n,k}}}.$$
#
# | argument / result | shape |
# |---|---|
# | `dz_netAct` | (N, C) |
# | `z_netAct` | (N, C) |
# | returns `dz_netIn` | (N, C), float64 |
#
# **The chain-rule step.** Every output of a row depends on **every** input of that row, so
# for one entry
#
# $$\frac{\partial L}{\partial z_{n,i}} = \sum_{j} \frac{\partial L}{\partial p_{n,j}}\;\frac{\partial p_{n,j}}{\partial z_{n,i}} .$$
#
# Work out $\partial p_{n,j} / \partial z_{n,i}$ (two cases: $j = i$ and $j \ne i$), express
# it with $p$ only, substitute, and write the result for all $n, i$ at once.
#
# Your function receives `dz_netAct`, **not the labels**: it must work for **any** gradient
# arriving from above (the finite-difference test uses a random one). Do not use the
# special form that the gradient of step 1 has.
#
# > **⚠ Where the lecture notes slip.** The notes write `dz_netAct * (one_hot(y, num_outputs) - z_netAct)`.
# > Look at an entry off the true class: the notes' product is 0 there, because step 1's
# > gradient is 0 there. But raising a wrong class's logit lowers the true class's
# > probability (the row still sums to 1), so the loss does change: that derivative cannot
# > be 0. The notes' product treats each output as depending on its own logit only, as a
# > sigmoid would; for a softmax the sum over $j$ above has more than one term. At the true
# > class the notes' value is also off, by a factor.
#
# <details><summary>Hint 1: the softmax's partial derivatives</summary>
#
# Write $p_j = e^{z_j}/S$ with $S = \sum_k e^{z_k}$ and use the quotient rule; note that
# $\partial S / \partial z_i = e^{z_i}$. Then replace every $e^{z}/S$ by the matching $p$.
# You should find one expression for $j = i$ and another for $j \ne i$, which a Kronecker
# delta $\delta_{ij}$ combines into one.
# </details>
#
# <details><summary>Hint 2: from the sum to NumPy</summary>
#
# After substituting, the sum over $j$ splits into the term with $j = i$ and a sum over all
# $j$ that is **the same for every $i$ of the row**. Compute that sum once per row;
# `keepdims=True` keeps it as an (N, 1) column that broadcasts against (N, C).
# </details>
#
# **Worked example** (N = 2, C = 3): `z_netAct` as in step 1 and `dz_netAct` = the answer of
# step 1's worked example. A check before you run the test: whatever `dz_netAct` is, each
# row of your result must sum to 0. Why? Adding the same constant to every logit of a row
# changes no probability, hence not the loss.

# %% nbgrader={"grade": false, "grade_id": "dz_netIn", "locked": false, "schema_version": 3, "solution": true}
def dz_netIn(dz_netAct, z_netAct):
    """Backprop through the row-wise softmax.

    Inputs:
    - dz_netAct: (N, C) gradient of the loss with respect to z_netAct (from above)
    - z_netAct: (N, C) softmax output of the forward pass
    Returns:
    - dz_netIn: (N, C) float64, the gradient with respect to z_netIn
    """
    ### BEGIN SOLUTION
    # dp_j/dz_i = p_j (delta_ij - p_i), so dz_i = sum_j g_j p_j (delta_ij - p_i) = p_i (g_i - <g, p>).
    # With step 1's g this collapses to (p - one_hot(y)) / N.
    inner = np.sum(dz_netAct * z_netAct, axis=1, keepdims=True)
    return z_netAct * (dz_netAct - inner)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dz_netIn", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

check_example(dz_netIn, (np.array([[0.0, -1.0, 0.0], [0.0, 0.0, -0.625]]), np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]])),
              [[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]], "(N, C)")

# Any gradient from above: finite differences of sum(G * softmax(z_netIn)) (N = 4, C = 6).
rng = np.random.default_rng(2)
z_in, G = rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
assert grad_check(lambda: np.sum(G * softmax(z_in)), z_in, dz_netIn(G, softmax(z_in)), "dz_netIn") < TOL, \
    "dz_netIn disagrees with finite differences for a random gradient from above"

### BEGIN HIDDEN TESTS
# hidden test of dz_netIn: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 3. `dz_wts` — the output weights (<!-- generated: points dz_wts -->1 point<!-- end generated -->)
#
# **Place in the graph.** `y_netAct, z_wts → z_netIn → … → loss`, and `z_wts` also appears
# in the regularization term of the loss. It meets **dz_netIn** from above and
# **y_netAct** from below.
#
# **Forward**, one entry: $z\_netIn_{n,c} = \sum_h y\_netAct_{n,h}\, z\_wts_{h,c} + z\_b_c$,
# and the loss contains $\frac{reg}{2}\sum_{h,c} z\_wts_{h,c}^2$.
#
# | argument / result | shape |
# |---|---|
# | `dz_netIn` | (N, C) |
# | `y_netAct` | (N, H) |
# | `z_wts` | (H, C) |
# | `reg` | scalar ≥ 0 |
# | returns `dz_wts` | (H, C), float64 |
#
# **The chain-rule step.** One weight $z\_wts_{h,c}$ is used in the entries
# $z\_netIn_{n,c}$ of **every** row $n$ (and of column $c$ only). Differentiate the forward
# entry with respect to it, sum the contributions over $n$ as the chain rule says, and add
# the derivative of the regularization term. Then turn the sum over $n$ into one matrix
# product whose result has the shape (H, C).
#
# <details><summary>Hint (if you are stuck)</summary>
#
# $\partial z\_netIn_{n,c'} / \partial z\_wts_{h,c}$ is $y\_netAct_{n,h}$ when $c' = c$ and 0
# otherwise. So the data part is $\sum_n y\_netAct_{n,h}\,(\ldots)_{n,c}$: a product of an
# (N, H) and an (N, C) array over their shared first axis. Which one must be transposed to
# get (H, C)? For the regularization term, differentiate $\frac{reg}{2} w^2$.
# </details>
#
# The lecture notes' form of this rule (with two transposes) is correct; if you write it
# differently, check that yours is the same matrix.
#
# **Worked example** (N = 2, H = 4, C = 3; every dimension differs, so a wrongly transposed
# product fails on its shape): `dz_netIn` = the answer of step 2's example,
# `y_netAct = [[1, 0, 2, 0], [2, 1, 0, 1]]`, `z_wts` in the test cell, `reg = 0.5`.

# %% nbgrader={"grade": false, "grade_id": "dz_wts", "locked": false, "schema_version": 3, "solution": true}
def dz_wts(dz_netIn, y_netAct, z_wts, reg=0.0):
    """Gradient with respect to the output weights.

    Inputs:
    - dz_netIn: (N, C) gradient at z_netIn (from above)
    - y_netAct: (N, H) hidden activations (the layer's input)
    - z_wts: (H, C) output weights
    - reg: L2 regularization strength (scalar >= 0)
    Returns:
    - dz_wts: (H, C) float64
    """
    ### BEGIN SOLUTION
    return y_netAct.T @ dz_netIn + reg * z_wts
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dz_wts", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

check_example(dz_wts, (np.array([[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]]),
                       np.array([[1.0, 0.0, 2.0, 0.0], [2.0, 1.0, 0.0, 1.0]]),
                       np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, -1.0, 2.0]]), 0.5),
              [[0.7, -0.15, -0.55], [1.05, 0.55, -0.1], [0.2, 0.0, 0.8], [0.55, -0.45, 0.9]], "(H, C)")

# Finite differences of sum(G * (A @ W)) + reg/2 * sum(W**2) in W (N = 4, H = 5, C = 6).
rng = np.random.default_rng(3)
A, W, G = rng.standard_normal((4, 5)), rng.standard_normal((5, 6)), rng.standard_normal((4, 6))
f = lambda: np.sum(G * (A @ W)) + 0.3 / 2 * np.sum(W ** 2)
assert grad_check(f, W, dz_wts(G, A, W, 0.3), "dz_wts") < TOL, "dz_wts disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dz_wts: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 4. `dz_b` — the output bias (<!-- generated: points dz_b -->1 point<!-- end generated -->)
#
# **Place in the graph.** `z_b → z_netIn → … → loss`. It meets **dz_netIn** from above and
# nothing from below.
#
# **Forward**, one entry: $z\_netIn_{n,c} = (\ldots)_{n,c} + z\_b_c$: the same bias vector is
# added to **every row** of the batch (NumPy broadcasting).
#
# | argument / result | shape |
# |---|---|
# | `dz_netIn` | (N, C) |
# | returns `dz_b` | (C,), float64 |
#
# **The chain-rule step.** Which entries of `z_netIn` does $z\_b_c$ influence, and with
# what derivative? Sum the chain rule over all of them.
#
# <details><summary>Hint (if you are stuck)</summary>
#
# Broadcasting in the forward pass (one value used N times) becomes a sum in the backward
# pass. Sum, do not average: the 1/N of the mean loss is already inside `dz_netIn`.
# </details>
#
# **Worked example** (N = 2, C = 3): `dz_netIn` = the answer of step 2's example.

# %% nbgrader={"grade": false, "grade_id": "dz_b", "locked": false, "schema_version": 3, "solution": true}
def dz_b(dz_netIn):
    """Gradient with respect to the output bias.

    Inputs:
    - dz_netIn: (N, C) gradient at z_netIn
    Returns:
    - dz_b: (C,) float64
    """
    ### BEGIN SOLUTION
    return np.sum(dz_netIn, axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dz_b", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

check_example(dz_b, (np.array([[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]]),), [0.15, -0.2, 0.05], "(C,)")

# Finite differences of sum(G * (A @ W + b)) in b (N = 4, C = 6).
rng = np.random.default_rng(4)
A, W, b, G = rng.standard_normal((4, 5)), rng.standard_normal((5, 6)), rng.standard_normal(6), rng.standard_normal((4, 6))
assert grad_check(lambda: np.sum(G * (A @ W + b)), b, dz_b(G), "dz_b") < TOL, "dz_b disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dz_b: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 5. `dy_netAct` — back into the hidden layer (<!-- generated: points dy_netAct -->1 point<!-- end generated -->)
#
# **Place in the graph.** `y_netAct → z_netIn → … → loss`, through `z_wts`. It meets
# **dz_netIn** from above and **dy_netIn** from below.
#
# **Forward**, one entry: $z\_netIn_{n,c} = \sum_h y\_netAct_{n,h}\, z\_wts_{h,c} + z\_b_c$
# (the same expression as in step 3; now the variable is `y_netAct`).
#
# | argument / result | shape |
# |---|---|
# | `dz_netIn` | (N, C) |
# | `z_wts` | (H, C) |
# | returns `dy_netAct` | (N, H), float64 |
#
# **The chain-rule step.** One activation $y\_netAct_{n,h}$ is used in the entries
# $z\_netIn_{n,c}$ of its own row $n$, for **every** class $c$. Differentiate, sum over
# $c$, and write the sum as a matrix product of shape (N, H).
#
# <details><summary>Hint (if you are stuck)</summary>
#
# The sum runs over $c$, the index that `dz_netIn` (N, C) and `z_wts` (H, C) share. Of the
# ways to multiply them over that axis, only one gives (N, H).
# </details>
#
# **Worked example** (N = 2, H = 4, C = 3): `dz_netIn` = the answer of step 2's example,
# `z_wts` as in step 3's example.

# %% nbgrader={"grade": false, "grade_id": "dy_netAct", "locked": false, "schema_version": 3, "solution": true}
def dy_netAct(dz_netIn, z_wts):
    """Gradient with respect to the hidden activations.

    Inputs:
    - dz_netIn: (N, C) gradient at z_netIn (from above)
    - z_wts: (H, C) output weights
    Returns:
    - dy_netAct: (N, H) float64
    """
    ### BEGIN SOLUTION
    return dz_netIn @ z_wts.T
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dy_netAct", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

check_example(dy_netAct, (np.array([[0.1, -0.25, 0.15], [0.05, 0.05, -0.1]]),
                          np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, -1.0, 2.0]])),
              [[-0.05, -0.05, -0.1, 0.65], [0.15, 0.15, -0.05, -0.2]], "(N, H)")

# Finite differences of sum(G * (A @ W)) in A (N = 4, H = 5, C = 6).
rng = np.random.default_rng(5)
A, W, G = rng.standard_normal((4, 5)), rng.standard_normal((5, 6)), rng.standard_normal((4, 6))
assert grad_check(lambda: np.sum(G * (A @ W)), A, dy_netAct(G, W), "dy_netAct") < TOL, \
    "dy_netAct disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dy_netAct: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 6. `dy_netIn` — through the ReLU (<!-- generated: points dy_netIn -->1 point<!-- end generated -->)
#
# **Place in the graph.** `y_netIn → ReLU → y_netAct → … → loss`. It meets **dy_netAct**
# from above and **y_wts** from below.
#
# **Forward**, elementwise: $y\_netAct_{n,h} = \max(y\_netIn_{n,h}, 0)$.
#
# | argument / result | shape |
# |---|---|
# | `dy_netAct` | (N, H) |
# | `y_netIn` | (N, H) |
# | returns `dy_netIn` | (N, H), float64 |
#
# **The chain-rule step.** Elementwise: each $y\_netAct_{n,h}$ depends on the one entry
# $y\_netIn_{n,h}$ only, so the sum of the chain rule has a single term. What is the
# derivative of $\max(u, 0)$, and on **which** array does it depend?
#
# At exactly $u = 0$ the ReLU has no derivative; use 0 there (the lecture's convention, and
# the grader's: its hidden cases include pre-activations at and within 1e-8 of 0).
#
# <details><summary>Hint (if you are stuck)</summary>
#
# The derivative of $\max(u, 0)$ is 1 or 0 depending on the sign of $u$, the ReLU's
# **input** in the forward pass; the sign of the gradient arriving from above plays no
# role. A boolean array multiplied by a float array gives a float array.
# </details>
#
# **Worked example** (N = 2, H = 4): `dy_netAct = [[1, -2, 3, -4], [-1, 2, -3, 4]]`,
# `y_netIn = [[0.5, -1, 0, 2], [-0.2, 3, 1, -1]]` (one entry exactly at the kink).

# %% nbgrader={"grade": false, "grade_id": "dy_netIn", "locked": false, "schema_version": 3, "solution": true}
def dy_netIn(dy_netAct, y_netIn):
    """Backprop through the ReLU.

    Inputs:
    - dy_netAct: (N, H) gradient at y_netAct (from above)
    - y_netIn: (N, H) the ReLU's input in the forward pass
    Returns:
    - dy_netIn: (N, H) float64
    """
    ### BEGIN SOLUTION
    return dy_netAct * (y_netIn > 0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dy_netIn", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

check_example(dy_netIn, (np.array([[1.0, -2.0, 3.0, -4.0], [-1.0, 2.0, -3.0, 4.0]]),
                         np.array([[0.5, -1.0, 0.0, 2.0], [-0.2, 3.0, 1.0, -1.0]])),
              [[1.0, 0.0, 0.0, -4.0], [0.0, 2.0, -3.0, 0.0]], "(N, H)")

# Finite differences of sum(G * max(z, 0)) in z, kept 0.1 away from the kink at 0,
# where finite differences are meaningless (N = 4, H = 5).
rng = np.random.default_rng(6)
z = rng.standard_normal((4, 5))
z += np.sign(z) * 0.1
G = rng.standard_normal((4, 5))
assert grad_check(lambda: np.sum(G * np.maximum(z, 0)), z, dy_netIn(G, z), "dy_netIn") < TOL, \
    "dy_netIn disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dy_netIn: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 7. `dy_wts` — the hidden weights (<!-- generated: points dy_wts -->1 point<!-- end generated -->)
#
# **Place in the graph.** `X, y_wts → y_netIn → … → loss`, and `y_wts` also appears in the
# regularization term. It meets **dy_netIn** from above and the features **X** from below.
#
# **Forward**, one entry: $y\_netIn_{n,h} = \sum_d X_{n,d}\, y\_wts_{d,h} + y\_b_h$, and the
# loss contains $\frac{reg}{2}\sum_{d,h} y\_wts_{d,h}^2$.
#
# | argument / result | shape |
# |---|---|
# | `dy_netIn` | (N, H) |
# | `X` | (N, D) |
# | `y_wts` | (D, H) |
# | `reg` | scalar ≥ 0 |
# | returns `dy_wts` | (D, H), float64 |
#
# **The chain-rule step.** The same pattern as step 3, one layer down: find which entries of
# `y_netIn` one weight $y\_wts_{d,h}$ influences, sum over them, add the regularization
# term's derivative, and let the shape (D, H) decide which factor is transposed.
#
# **Worked example** (N = 2, D = 5, H = 4): `dy_netIn` = the answer of step 6's example,
# `X = [[1, 0, 2, 0, -1], [0, 1, 1, 3, 0]]`, `y_wts` = `np.arange(20).reshape(5, 4) / 10`,
# `reg = 0.1`.

# %% nbgrader={"grade": false, "grade_id": "dy_wts", "locked": false, "schema_version": 3, "solution": true}
def dy_wts(dy_netIn, X, y_wts, reg=0.0):
    """Gradient with respect to the hidden weights.

    Inputs:
    - dy_netIn: (N, H) gradient at y_netIn (from above)
    - X: (N, D) input features
    - y_wts: (D, H) hidden weights
    - reg: L2 regularization strength (scalar >= 0)
    Returns:
    - dy_wts: (D, H) float64
    """
    ### BEGIN SOLUTION
    return X.T @ dy_netIn + reg * y_wts
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dy_wts", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

check_example(dy_wts, (np.array([[1.0, 0.0, 0.0, -4.0], [0.0, 2.0, -3.0, 0.0]]),
                       np.array([[1.0, 0.0, 2.0, 0.0, -1.0], [0.0, 1.0, 1.0, 3.0, 0.0]]),
                       np.arange(20.0).reshape(5, 4) / 10, 0.1),
              [[1.0, 0.01, 0.02, -3.97], [0.04, 2.05, -2.94, 0.07], [2.08, 2.09, -2.9, -7.89],
               [0.12, 6.13, -8.86, 0.15], [-0.84, 0.17, 0.18, 4.19]], "(D, H)")

# Finite differences of sum(G * (X @ W)) + reg/2 * sum(W**2) in W (N = 4, D = 3, H = 5).
rng = np.random.default_rng(7)
X_, W, G = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
f = lambda: np.sum(G * (X_ @ W)) + 0.2 / 2 * np.sum(W ** 2)
assert grad_check(f, W, dy_wts(G, X_, W, 0.2), "dy_wts") < TOL, "dy_wts disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dy_wts: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 8. `dy_b` — the hidden bias (<!-- generated: points dy_b -->1 point<!-- end generated -->)
#
# **Place in the graph.** `y_b → y_netIn → … → loss`. It meets **dy_netIn** from above.
#
# **Forward**, one entry: $y\_netIn_{n,h} = (\ldots)_{n,h} + y\_b_h$, the same vector added to
# every row.
#
# | argument / result | shape |
# |---|---|
# | `dy_netIn` | (N, H) |
# | returns `dy_b` | (H,), float64 |
#
# **The chain-rule step.** As in step 4, one layer down.
#
# **Worked example** (N = 2, H = 4): `dy_netIn` = the answer of step 6's example.

# %% nbgrader={"grade": false, "grade_id": "dy_b", "locked": false, "schema_version": 3, "solution": true}
def dy_b(dy_netIn):
    """Gradient with respect to the hidden bias.

    Inputs:
    - dy_netIn: (N, H) gradient at y_netIn
    Returns:
    - dy_b: (H,) float64
    """
    ### BEGIN SOLUTION
    return np.sum(dy_netIn, axis=0)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dy_b", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

check_example(dy_b, (np.array([[1.0, 0.0, 0.0, -4.0], [0.0, 2.0, -3.0, 0.0]]),), [1.0, 2.0, -3.0, -4.0], "(H,)")

# Finite differences of sum(G * (X @ W + b)) in b (N = 4, H = 5).
rng = np.random.default_rng(8)
X_, W, b, G = rng.standard_normal((4, 3)), rng.standard_normal((3, 5)), rng.standard_normal(5), rng.standard_normal((4, 5))
assert grad_check(lambda: np.sum(G * (X_ @ W + b)), b, dy_b(G), "dy_b") < TOL, "dy_b disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dy_b: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 9. `mlp_backward` — composing the rules (<!-- generated: points mlp_backward -->3 points<!-- end generated -->)
#
# **The contract.** `mlp_backward(y, params, cache, reg)` returns the gradient of
# `mlp_loss(X, y, params, reg)` with respect to every parameter, for the forward pass whose
# values are in `cache`:
#
# | argument / result | shape |
# |---|---|
# | `y` | (N,) int labels |
# | `params` | dict: `y_wts` (D, H), `y_b` (H,), `z_wts` (H, C), `z_b` (C,) |
# | `cache` | dict from `mlp_forward`: `X`, `y_netIn`, `y_netAct`, `z_netIn`, `z_netAct` |
# | `reg` | scalar ≥ 0 |
# | returns | dict with keys `y_wts`, `y_b`, `z_wts`, `z_b`, each a float64 array of its parameter's shape |
#
# **The order.** Every rule needs the gradient of the quantity just above it, so the graph
# fixes the order: start at the loss and walk down the graph one level at a time, computing
# the gradients of the intermediate values on the way and collecting the four parameter
# gradients as their inputs become available. Take every forward value from `cache` and
# every weight from `params`; `reg` belongs to the two weight gradients and nowhere else.
#
# **Call your eight functions by name** (`dz_netAct(...)`, `dz_netIn(...)`, ...); do not
# re-derive them inline. This unit is graded on the composition alone: the grader swaps in
# correct versions of the eight rules while it checks `mlp_backward`, so a mistake in one
# derivative costs you that derivative's points, not this unit's as well. The visible test
# does the same with numerical stand-ins for the eight rules (from `bptt_tools.py`), then
# compares your four gradients with finite differences of the whole loss.

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
# Tests — read-only: your composition with numerical stand-ins for the eight rules,
# against finite differences of the whole loss (N = 4, D = 3, H = 5, C = 6).
from bptt_tools import grad_check, numeric_mlp_rules, swapped_in, why_mlp_backward

X_c, y_c, params_c, reg_c = mlp_problem(seed=10)
_, cache_c = mlp_forward(X_c, params_c)
with swapped_in(globals(), numeric_mlp_rules()):
    grads = call(mlp_backward, y_c, params_c, cache_c, reg_c)
assert isinstance(grads, dict), f"mlp_backward must return a dict, got {type(grads).__name__}"
assert set(grads) == {"y_wts", "y_b", "z_wts", "z_b"}, f"mlp_backward returned the keys {sorted(grads)}"
for name in ("z_wts", "z_b", "y_wts", "y_b"):
    assert np.shape(grads[name]) == params_c[name].shape, \
        f"grads['{name}'] has shape {np.shape(grads[name])}; expected the shape of params['{name}'], {params_c[name].shape}"
    assert grad_check(lambda: mlp_loss(X_c, y_c, params_c, reg_c), params_c[name], grads[name], name) < TOL, \
        f"the gradient of {name} is wrong{why_mlp_backward(mlp_backward, X_c, y_c, params_c, cache_c, reg_c)}"

### BEGIN HIDDEN TESTS
# hidden test of mlp_backward: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### Everything together, with your own rules
#
# The table below runs your `mlp_backward` with **your** eight functions on a fresh
# problem and compares every parameter gradient with finite differences. All four rows
# should read OK; if a row fails, the unit tests above tell you which rule to fix.

# %% nbgrader={"grade": false, "grade_id": "own_rules_table", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
# Given code — read-only: your whole backward pass against finite differences (no points).
from bptt_tools import gradient_table

X_t, y_t, params_t, reg_t = mlp_problem(N=5, D=4, H=3, C=7, seed=11)
your_grads = lambda: mlp_backward(y_t, params_t, mlp_forward(X_t, params_t)[1], reg_t)
if experiment_ready(your_grads):
    gradient_table([(name, lambda: mlp_loss(X_t, y_t, params_t, reg_t), params_t[name],
                     lambda name=name: your_grads()[name]) for name in ("z_wts", "z_b", "y_wts", "y_b")])

# %% [markdown]
# ### Experiment: do your gradients train a network? (no points)
#
# A two-class spiral in the plane cannot be separated by a line. With your
# `mlp_backward` and plain gradient descent, a 32-unit hidden layer learns it; the cell
# below plots the loss curve and the decision regions, and prints the training accuracy.
#
# **Try this.** Add a cell below the experiment (the **+** button, or `B` in command mode)
# and call the experiment with other settings, for instance `spiral_experiment(H=4)` (too
# few hidden units to bend the boundary around the arms) or `spiral_experiment(reg=0.1)`
# (strong regularization). The given cell itself is locked.

# %% nbgrader={"grade": false, "grade_id": "spiral_experiment", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
# Given code — read-only: the spiral experiment (no points). Call spiral_experiment(...)
# from a new cell of your own to try other settings.

def spiral_experiment(H=32, reg=1e-3, lr=1.0, steps=1500, seed=0):
    """Train the MLP with your mlp_backward on a two-class spiral; plot and print the result."""
    probe = mlp_problem(N=3, D=2, H=4, C=2, seed=1)
    if not experiment_ready(lambda: mlp_backward(probe[1], probe[2], mlp_forward(probe[0], probe[2])[1], reg)):
        return
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    n_per_class = 100
    radius = np.linspace(0.1, 1.0, n_per_class)
    X_sp = np.concatenate([np.c_[radius * np.sin(a), radius * np.cos(a)] for a in
                           (np.linspace(0, 4, n_per_class) + rng.normal(0, 0.2, n_per_class),
                            np.linspace(3.14, 7.14, n_per_class) + rng.normal(0, 0.2, n_per_class))])
    y_sp = np.repeat([0, 1], n_per_class)
    params_sp = dict(y_wts=rng.standard_normal((2, H)), y_b=np.zeros(H),
                     z_wts=rng.standard_normal((H, 2)) * 0.1, z_b=np.zeros(2))
    losses = []
    for _ in range(steps):
        _, cache_sp = mlp_forward(X_sp, params_sp)
        grads_sp = mlp_backward(y_sp, params_sp, cache_sp, reg)
        for k in params_sp:
            params_sp[k] -= lr * grads_sp[k]
        losses.append(mlp_loss(X_sp, y_sp, params_sp, reg))

    grid = np.stack(np.meshgrid(np.linspace(-1.2, 1.2, 200), np.linspace(-1.2, 1.2, 200)), axis=-1)
    region = mlp_forward(grid.reshape(-1, 2), params_sp)[0][:, 1].reshape(200, 200)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(losses)
    ax1.set(xlabel="gradient step", ylabel="loss", yscale="log", title=f"training loss (H = {H}, reg = {reg:g})")
    ax2.contourf(grid[..., 0], grid[..., 1], region, levels=20, cmap="coolwarm", alpha=0.6)
    ax2.scatter(X_sp[:, 0], X_sp[:, 1], c=y_sp, cmap="coolwarm", edgecolors="k", s=15)
    ax2.set(title="decision regions", aspect="equal")
    plt.show()
    accuracy = np.mean(mlp_forward(X_sp, params_sp)[0].argmax(axis=1) == y_sp)
    print(f"final loss {losses[-1]:.3f}, training accuracy {accuracy:.0%}")


spiral_experiment()

# %% [markdown]
# ## What comes next
#
# In notebook 02 the same rules reappear, one time step at a time: `dy_t` plays the part of
# `dz_netAct` and `dz_netIn` together, `dW_hq` of `dz_wts`, `dh_t` of `dy_netAct`, and
# `dhraw_t` of `dy_netIn`. The one genuinely new thing is that a hidden state receives
# gradient from **two** places: its own output and the next time step.
