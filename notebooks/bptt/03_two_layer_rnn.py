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
# `raise NotImplementedError()` below it (delete that line). Code cells whose first line
# reads `# Given code — read-only` or `# Tests — read-only` are locked: read them, do not
# edit them. Each graded function is followed by its test cell. The test prints the
# **expected** and **your** answer on a worked example, then compares your function with
# finite differences on random inputs. The grader adds hidden tests on other inputs.
#
# **What a graded function must return.** Every gradient is a **NumPy array (`np.ndarray`) of
# dtype float64 with exactly the shape of the quantity it is the gradient of** (`rnn2_backward`:
# a dict of such arrays, one per parameter). A Python list, an `np.matrix`, float32, or the
# shape (1, H) where (H,) is documented scores 0, and the feedback says what was returned. A
# graded function must not change its arguments (no `+=` on an input array, no change to
# `params` or `cache`), and it computes its answer itself, with NumPy. Calling your own graded
# functions is fine (and `rnn2_backward` must call `dh1_t`). A graded function that emits a
# warning on a hidden case scores 0, so keep your code free of NumPy warnings.
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
# `NotImplementedError: dh1_t is not implemented yet` (with that function's name), and the
# cells below it are not run. So work from the top, one cell at a time (Shift+Enter).
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
# | `dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1)` | 2 |
# | `rnn2_backward(Y, params, cache, activation)` | 5 |
# | **this notebook** | **7** |
#
# The whole assignment has **49 points** across four notebooks (01: 12 + 02: 16 + 03: 7 + 04: 14).
#
# | written answer, graded by hand | points |
# |---|---|
# | what defines a two-layer RNN, and its backward pass | 2 |
#
# Written answers are graded by a person, not by the tests; their points (2 here, 10 in the whole assignment) are counted apart from the tests' points above.
# <!-- end generated -->

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
# Given code — read-only. The tools shared by all four notebooks are in bptt_tools.py
# (open it from Jupyter's file browser to read them).
import numpy as np

from bptt_tools import TOL, call, check_example, check_shape, experiment_ready, phi, rnn2_problem, softmax

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## The network
#
# Parameters (the lecture's list): $W_{xh1}, W_{hh1}, b_{h1}, W_{xh2}, W_{hh2}, b_{h2},
# W_{hq}, b_q$. For $t = 0, \dots, T-1$:
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
#
# **Which state is which.** $h1_t$ is layer 1's state *after* step $t$: `cache["h1"][t]`.
# Step 0 reads the **initial states** $h1_{-1}$ and $h2_{-1}$, the states *before* step 0,
# which the code calls `h1_0` and `h2_0` (arguments of `rnn2_forward`, and
# `cache["h1_0"]`, `cache["h2_0"]`; zeros by default). So `h1_0` is $h1_{-1}$, not
# $h1_0$ = `cache["h1"][0]`. The tests use non-zero initial states.

# %% nbgrader={"grade": false, "grade_id": "forward", "locked": true, "schema_version": 3, "solution": false}
# Given code — read-only: the forward pass and the loss of the two-layer RNN.
PARAM_SHAPES = {"W_xh1": ("D", "H1"), "W_hh1": ("H1", "H1"), "b_h1": ("H1",), "W_xh2": ("H1", "H2"),
                "W_hh2": ("H2", "H2"), "b_h2": ("H2",), "W_hq": ("H2", "Q"), "b_q": ("Q",)}


def rnn2_forward(X, params, h1_0=None, h2_0=None, activation="relu"):
    """Forward pass of the two-layer RNN.

    Inputs:
    - X: (T, N, D) input sequence
    - params: dict with W_xh1 (D, H1), W_hh1 (H1, H1), b_h1 (H1,), W_xh2 (H1, H2),
      W_hh2 (H2, H2), b_h2 (H2,), W_hq (H2, Q), b_q (Q,)
    - h1_0: (N, H1), h2_0: (N, H2) the initial states h1_{-1}, h2_{-1}; zeros if None
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

# %% [markdown]
# ## Where the gradient flows
#
# Read the forward table upwards.
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
#
# * **Layer 2 is the one-layer RNN of notebook 02**, with $h1_t$ in the role of the input
#   $x_t$: its state $h2_t$ is used by the output $o_t$ and by its own next step, and its
#   parameters are used at every step.
# * **Layer 1** has no output of its own. Its state $h1_t$ is used in two places: by layer 2
#   at the same step (through $W_{xh2}$) and by layer 1 at the next step (through
#   $W_{hh1}$). Backward, $h1_t$ therefore collects gradient from **above** and from the
#   **future**: that is `dh1_t`, the first graded unit. Past $h1_t$, layer 1 is again the
#   one-layer recipe, with $x_t$ as its input.
#
# > **⚠ Where the lecture notes stop.** The notes ask "How would you handle two hidden
# > layers?" and leave it open; their one-layer rules also carry the slips you met in
# > notebook 02 (the forward pass without $\phi$, a forward value $h_t$ added where a gradient
# > from the future belongs, one-step weight gradients without the sum over time). Here every
# > one of them would be wrong twice, once per layer.

# %% [markdown]
# ### 1. `dh1_t` — from layer 2 and from the future into layer 1 (<!-- generated: points dh1_t -->2 points<!-- end generated -->)
#
# **Place in the graph.** $h1_t$ (N, H1) sits between layer 1 and layer 2. It meets
# $dhraw2_t$, the gradient at layer 2's pre-activation of the same step, from above, and
# $dhraw1_{t+1}$, the gradient at layer 1's pre-activation of the next step, from the future.
#
# **Forward**, the two uses of $h1_t$:
#
# $$h2\_netIn_t = h1_t\, W_{xh2} + h2_{t-1} W_{hh2} + b_{h2}, \qquad
#   h1\_netIn_{t+1} = x_{t+1} W_{xh1} + h1_t\, W_{hh1} + b_{h1} .$$
#
# | argument / result | shape |
# |---|---|
# | `dhraw2_t` | (N, H2), gradient at $h2\_netIn_t$ (from above) |
# | `dhraw1_next` | (N, H1), gradient at $h1\_netIn_{t+1}$ (all zeros at the last step, t = T-1) |
# | `W_xh2` | (H1, H2) |
# | `W_hh1` | (H1, H1) |
# | returns `dh1_t` | (N, H1), float64 |
#
# **The chain-rule step.** A quantity used in two places gets the **sum** of the
# contributions of both uses; each use on its own is the step "gradient at a layer's input"
# of notebook 01 (`dy_netAct`). Compare with `dh_t` of notebook 02: the output path is
# replaced by the path into the layer above. Because H1 ≠ H2, the shapes tell you on which
# side each weight matrix goes and whether it is transposed; $W_{hh1}$ is square, so for
# that term only the values can tell (the worked example's $W_{hh1}$ is not symmetric).
#
# <details><summary>Hint (if you are stuck)</summary>
#
# Write one entry of the first use: $h2\_netIn_{t,n,j} = \sum_i h1_{t,n,i}\, W_{xh2,\,i,j} + \ldots$
# Its derivative with respect to $h1_{t,n,i}$ is $W_{xh2,\,i,j}$, for every $j$. The chain rule
# sums over $j$, weighting each by the gradient arriving at $h2\_netIn_{t,n,j}$. Write that
# sum for all $n$ and $i$ at once as a matrix product that has shape (N, H1); then do the
# same for the second use.
# </details>
#
# **Worked example** (N = 1, H1 = 2, H2 = 3): `dhraw2_t = [[1, 0, -1]]`,
# `dhraw1_next = [[1, 1]]`, `W_xh2 = [[1, 2, 3], [0, 1, 0]]`, `W_hh1 = [[1, 2], [3, 4]]`.
# Work out `dh1_t` by hand before you run the test: it is `[[1, 7]]`.

# %% nbgrader={"grade": false, "grade_id": "dh1_t", "locked": false, "schema_version": 3, "solution": true}
def dh1_t(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    """Gradient with respect to layer 1's state h1_t: from layer 2 above and from the future.

    Inputs:
    - dhraw2_t: (N, H2) gradient at h2_netIn_t
    - dhraw1_next: (N, H1) gradient at h1_netIn_{t+1} (zeros at the last step)
    - W_xh2: (H1, H2) layer-2 input weights
    - W_hh1: (H1, H1) layer-1 recurrent weights
    Returns:
    - dh1_t: (N, H1) float64
    """
    ### BEGIN SOLUTION
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1.T
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dh1_t", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

check_example(dh1_t, (np.array([[1.0, 0.0, -1.0]]), np.array([[1.0, 1.0]]),
                      np.array([[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]), np.array([[1.0, 2.0], [3.0, 4.0]])),
              [[1.0, 7.0]], "(N, H1)")

# Finite differences in h1 of sum(G2 * (h1 @ W_xh2)) + sum(G1 * (h1 @ W_hh1)): the two uses of h1_t
# (N = 3, H1 = 5, H2 = 7).
rng = np.random.default_rng(1)
h1_, W_xh2_, W_hh1_ = rng.standard_normal((3, 5)), rng.standard_normal((5, 7)), rng.standard_normal((5, 5))
G2, G1 = rng.standard_normal((3, 7)), rng.standard_normal((3, 5))
f = lambda: np.sum(G2 * (h1_ @ W_xh2_)) + np.sum(G1 * (h1_ @ W_hh1_))
assert grad_check(f, h1_, dh1_t(G2, G1, W_xh2_, W_hh1_), "dh1_t") < TOL, "dh1_t disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dh1_t: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 2. `rnn2_backward` — BPTT through both layers (<!-- generated: points rnn2_backward -->5 points<!-- end generated -->)
#
# **The contract.** `rnn2_backward(Y, params, cache, activation)` returns the gradient of
# `rnn2_loss(X, Y, params, h1_0, h2_0, activation)` with respect to all eight parameters,
# for the forward pass whose values are in `cache`:
#
# | argument / result | shape |
# |---|---|
# | `Y` | (T, N) int targets |
# | `params` | dict with the eight parameters (shapes above) |
# | `cache` | dict from `rnn2_forward`: `X`, `h1_0`, `h2_0`, `h1_netIn`, `h1`, `h2_netIn`, `h2`, `o`, `p` |
# | `activation` | `"relu"` or `"tanh"` (the one the forward pass used); anything else: raise `ValueError` |
# | returns | dict with keys `W_xh1`, `W_hh1`, `b_h1`, `W_xh2`, `W_hh2`, `b_h2`, `W_hq`, `b_q`, each a float64 array of its parameter's shape |
#
# **The order of the loop.** One loop runs **backwards** in time, from the last step to
# the first, because each layer's gradient at step t needs what that layer's step t+1 sent
# back. Within one step, **layer 2 comes first**: it is closer to the loss, and layer 1's
# gradient at this step (your `dh1_t`) needs layer 2's gradient at its pre-activation of
# the same step. So each iteration carries two arrays to the next one, one per layer: the
# gradient at that layer's pre-activation just computed, which is the "from the future"
# input of the step before. Before the first iteration (the last time step) nothing has
# come from the future yet. The derivative of phi is taken on the cached values of the
# step and layer at hand. Every parameter gradient is a **sum over all steps**; you may
# accumulate it inside the loop or form it after the loop from the per-step gradients
# you kept. The weights that multiply a previous state at step 0 see the **initial
# states** `cache["h1_0"]` and `cache["h2_0"]`.
#
# **Call your `dh1_t` by name** for the gradient into layer 1. The grader checks this
# unit with a correct `dh1_t` swapped in, so a mistake in `dh1_t` costs its <!-- generated: points dh1_t -->2 points<!-- end generated -->
# only. The visible test does the same with a numerical stand-in (from `bptt_tools.py`)
# and compares all eight gradients with finite differences of `rnn2_loss`, for ReLU and
# tanh.
#
# > **⚠ Where the lecture notes slip.** The notes' loss is $\frac1T\sum_t \ell_t$ for one
# > sequence; with a batch it is the mean over all T·N predictions, and that normalization
# > enters the gradient exactly once, where the loss meets the outputs. And their
# > `dy = -1/(len(y_t)*y_t)` is only the derivative with respect to the probabilities:
# > what the rest of the loop needs is the gradient at the logits $o_t$, after the softmax.
#
# <details><summary>Hints (if you are stuck)</summary>
#
# * Start from your notebook-02 `rnn_backward`, applied to layer 2 with `cache["h1"]` as its
#   input; then add layer 1 inside the same loop.
# * The previous states of a layer at steps 0, …, T-1 are its initial state followed by its
#   states at steps 0, …, T-2.
# * Check shapes as you go: every gradient has the shape of its parameter, and the
#   gradient at a state has the shape of the state.
# </details>

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
      (each a float64 array of the shape of its parameter)
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
    dy = (P - np.eye(Q)[Y]) / (T * N)          # every step at once
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
# Tests — read-only: your loop with a numerical stand-in for dh1_t, against finite differences
# of the whole loss (T = 4, N = 2, D = 3, H1 = 5, H2 = 7, Q = 6, non-zero initial states),
# for ReLU and for tanh.
from bptt_tools import grad_check, numeric_dh1_t, swapped_in, why_rnn2_backward

KEYS2 = ("W_xh1", "W_hh1", "b_h1", "W_xh2", "W_hh2", "b_h2", "W_hq", "b_q")
for act, seed in (("relu", 20), ("tanh", 21)):
    X_c, Y_c, params_c, h1_c, h2_c = rnn2_problem(seed=seed)
    _, cache_c = rnn2_forward(X_c, params_c, h1_c, h2_c, act)
    with swapped_in(globals(), {"dh1_t": numeric_dh1_t}):
        grads = call(rnn2_backward, Y_c, params_c, cache_c, act)
    assert isinstance(grads, dict), f"rnn2_backward must return a dict, got {type(grads).__name__}"
    assert set(grads) >= set(KEYS2), f"rnn2_backward returned the keys {sorted(grads)}; missing {sorted(set(KEYS2) - set(grads))}"
    for name in KEYS2:
        assert np.shape(grads[name]) == params_c[name].shape, \
            f"grads['{name}'] has shape {np.shape(grads[name])}; expected the shape of params['{name}'], {params_c[name].shape}"
        assert grad_check(lambda: rnn2_loss(X_c, Y_c, params_c, h1_c, h2_c, act), params_c[name], grads[name],
                          f"{name} {act}") < TOL, f"the gradient of {name} ({act}) is wrong" + \
            why_rnn2_backward(rnn2_backward, X_c, Y_c, params_c, h1_c, h2_c, cache_c, act)

### BEGIN HIDDEN TESTS
# hidden test of rnn2_backward: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### Everything together, with your own `dh1_t`
#
# Your `rnn2_backward` with **your** `dh1_t`, against finite differences of the loss, on a
# longer sequence. All sixteen rows should read OK.

# %% nbgrader={"grade": false, "grade_id": "own_rules_table", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
# Given code — read-only: your whole two-layer BPTT against finite differences (no points).
from bptt_tools import gradient_table

X_t, Y_t, params_t, h1_t0, h2_t0 = rnn2_problem(T=6, N=2, D=4, H1=5, H2=3, Q=7, seed=31)
your_grads = lambda act: rnn2_backward(Y_t, params_t, rnn2_forward(X_t, params_t, h1_t0, h2_t0, act)[1], act)
if experiment_ready(lambda: your_grads("relu")):
    for act in ("relu", "tanh"):
        print(f"activation = {act}")
        gradient_table([(name, lambda: rnn2_loss(X_t, Y_t, params_t, h1_t0, h2_t0, act), params_t[name],
                         lambda name=name: your_grads(act)[name])
                        for name in ("W_xh1", "W_hh1", "b_h1", "W_xh2", "W_hh2", "b_h2", "W_hq", "b_q")])
        print()

# %% [markdown]
# ### Experiment: which layer gets the larger gradient? (no points)
#
# Layer 1 is one matrix product further from the loss at every step than layer 2. Does its
# gradient come out smaller? The cell runs **your** `rnn2_backward` (tanh, loss at every
# step, 16 units in each layer) on the first T steps of one random sequence, for growing T,
# and plots the norm of each weight gradient. $W_{hh1}$ and $W_{hh2}$ are random with entries
# of standard deviation `W_hh_scale`$/\sqrt{16}$, which puts their spectral radius near
# `W_hh_scale`; the other weights have standard deviation 0.5.

# %% nbgrader={"grade": false, "grade_id": "layers_experiment", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
# Given code — read-only: the layers experiment (no points). Call layers_experiment(...)
# from a new cell of your own to try other settings.

def layers_experiment(W_hh_scale=0.5, lengths=(2, 5, 10, 20, 40, 80), H=16, seed=5):
    """Plot ||gradient|| of W_xh1, W_hh1, W_xh2, W_hh2, W_hq against the sequence length T; print the table."""
    probe = rnn2_problem(T=2, N=2, D=3, H1=4, H2=5, Q=6, seed=1)
    probe_cache = rnn2_forward(probe[0], probe[2], probe[3], probe[4], "tanh")[1]
    if not experiment_ready(lambda: rnn2_backward(probe[1], probe[2], probe_cache, "tanh")):
        return
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    N, D, Q, T_max = 8, 4, 5, max(lengths)
    X_e, Y_e = rng.standard_normal((T_max, N, D)), rng.integers(0, Q, (T_max, N))
    params_e = dict(W_xh1=rng.standard_normal((D, H)) * 0.5, W_hh1=rng.standard_normal((H, H)) * W_hh_scale / np.sqrt(H),
                    b_h1=np.zeros(H), W_xh2=rng.standard_normal((H, H)) * 0.5,
                    W_hh2=rng.standard_normal((H, H)) * W_hh_scale / np.sqrt(H), b_h2=np.zeros(H),
                    W_hq=rng.standard_normal((H, Q)) * 0.5, b_q=np.zeros(Q))
    names = ("W_xh1", "W_hh1", "W_xh2", "W_hh2", "W_hq")
    norms = {name: [] for name in names}
    for T_e in lengths:
        _, cache_e = rnn2_forward(X_e[:T_e], params_e, activation="tanh")
        grads_e = rnn2_backward(Y_e[:T_e], params_e, cache_e, "tanh")
        for name in names:
            norms[name].append(float(np.linalg.norm(grads_e[name])))
    print(f"W_hh_scale = {W_hh_scale:g}: gradient norms")
    print(f"{'T':>4} " + " ".join(f"{name:>8}" for name in names))
    for i, T_e in enumerate(lengths):
        print(f"{T_e:>4} " + " ".join(f"{norms[name][i]:8.3f}" for name in names))
    fig, ax = plt.subplots(figsize=(7, 4))
    for name in names:
        ax.plot(lengths, norms[name], marker="o", ls="-" if name.endswith("1") else "--", label=name)
    ax.set(xlabel="sequence length T", ylabel="gradient norm", xscale="log", yscale="log",
           title=f"two-layer RNN, tanh, W_hh scale {W_hh_scale:g}: gradient norm per weight")
    ax.set_xticks(lengths, [str(T_e) for T_e in lengths])
    ax.set_xticks([], minor=True)
    ax.legend()
    plt.show()


layers_experiment()

# %% [markdown]
# **What it shows** (the table printed above). No: with this initialization, layer 1's
# gradients are **not** smaller than layer 2's. At every length, `W_xh1` has the larger
# gradient of the two input weights and `W_hh1` the larger of the two recurrent ones. Being one
# product further from the loss does not shrink a gradient by itself; what multiplies it on
# the way down is $W_{xh2}$ and $\tanh'$ of layer 2, and neither is small here. The norms are
# largest for the shortest sequences and level off from about T = 20 on: the loss is a mean
# over T steps, and each step's loss reaches back only a few steps before its share vanishes,
# so a longer sequence adds terms of about the same size and the mean settles.
#
# **Try this.** Add a cell below (the **+** button, or `B` in command mode) and run
# `layers_experiment(W_hh_scale=2.5)`: the recurrent weights are now large enough for the
# gradient to grow as it goes back in time. Which layer's gradients grow with T, and which
# stay flat? The given cell itself is locked.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_q_two_layers", "locked": true, "schema_version": 3, "solution": false}
# ### Written answer: two hidden layers (<!-- generated: points q_two_layers -->2 points<!-- end generated -->, graded by hand)
#
# The lecture asks: *A RNN with two hidden layers, each with ReLU activation, and an output layer with
# softmax, is defined by what?* and then *How would you handle two hidden layers?* Answer both, in
# your own words:
#
# 1. What defines the two-layer RNN (its arrays, with shapes in D, H1, H2, Q), and what state does
#    the forward pass carry from step to step?
# 2. In the backward pass, from which two places does the gradient at $h2_t$ come, and from which
#    two places the gradient at $h1_t$? Why must the backward loop finish layer 2 before layer 1 at a
#    step, and step $t+1$ before step $t$?
#
# Write your answer in the cell below, in your own words (replace `YOUR ANSWER HERE`; Markdown and LaTeX work). No test checks it: a person grades it after the deadline, and its points are counted apart from the tests' points.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_two_layers", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# **Rubric (2 points; graders only: this region is not in the students' notebooks).**
#
# * 1 for part 1: the eight arrays $W_{xh1}$ (D, H1), $W_{hh1}$ (H1, H1), $b_{h1}$ (H1,),
#   $W_{xh2}$ (H1, H2), $W_{hh2}$ (H2, H2), $b_{h2}$ (H2,), $W_{hq}$ (H2, Q), $b_q$ (Q,) (0.5; all
#   names but wrong or missing shapes 0.25), and **two** hidden states carried forward, one per
#   layer, each with its own initial state (0.5).
# * 1 for part 2: $h2_t$ gets $dy_t W_{hq}^\top$ from the output and $dhraw2_{t+1} W_{hh2}^\top$
#   from layer 2's next step; $h1_t$ gets $dhraw2_t W_{xh2}^\top$ from layer 2 at the same step and
#   $dhraw1_{t+1} W_{hh1}^\top$ from layer 1's next step (0.5; the two sources of $h1_t$ are the
#   point). Order: $dhraw1_t$ needs $dhraw2_t$ (same step, layer above) and $dhraw1_{t+1}$ (the
#   future), so one loop from $t = T-1$ down to 0, layer 2 first at each step; each weight
#   gradient is summed over the steps (0.5).
#
# **Model answer.** Eight arrays (above) and two hidden states: layer 1 reads $x_t$ and its own
# previous state, layer 2 reads $h1_t$ and its own previous state, the output reads $h2_t$. Backward,
# layer 2 is an ordinary one-layer RNN whose output gradient is $dy_t$; its pre-activation gradient
# $dhraw2_t$, sent down through $W_{xh2}^\top$, plays for layer 1 the role that $dy_t W_{hq}^\top$
# plays for a one-layer RNN, and layer 1 adds what its own next step sends back. Since $h1_t$ needs
# $dhraw2_t$ and $dhraw1_{t+1}$, the loop runs backward in time and visits layer 2 before layer 1
# at each step.
# ### END SOLUTION

# %% [markdown]
# ## What comes next
#
# Notebook 04 takes the one-layer RNN to long sequences: the full sum over time is
# expensive and its gradients can explode, so you will implement regular and randomized
# truncation of BPTT and gradient clipping, and train a character-level model.
