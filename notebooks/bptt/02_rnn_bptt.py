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
# 1. derive the local rules of an RNN step and relate each to its MLP counterpart
#    from notebook 01;
# 2. explain why a hidden state gets gradient from **two** places (its own output and
#    the next step), and why the gradient of a shared weight is a **sum over time**;
# 3. handle ReLU and tanh in the backward pass, using the cached forward values;
# 4. write BPTT yourself as one backward loop over time and verify it with finite differences.
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
# `rnn_backward` returns a dict of such arrays. A graded function must not change its
# arguments (no `+=` or slice assignment on an input array, no change to a dict it receives).
# It must compute its answer itself (calling your own graded functions is fine, and
# `rnn_backward` must). A graded function that emits a warning on a hidden case scores 0,
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
# `NotImplementedError: dy_t is not implemented yet` (with that function's name), and the
# cells below it are not run. So work from the top, one cell at a time (Shift+Enter).
# An experiment cell whose functions are missing prints `waiting for <function>: not
# implemented yet` instead of running. nbgrader's **Validate** button runs every cell and
# lists each test that fails. Before you submit, Restart Kernel and Run All Cells… should
# reach the end without an error.
#
# Conventions (as in notebook 01): **row vectors**, the batch is the first axis within a
# step, sequences are **time-major** `(T, N, D)`, everything float64.
#
# <!-- generated: points-table -->
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
# | `dX(dhraw, W_xh)` | 1 |
# | `dh0(dhraw_0, W_hh)` | 1 |
# | `rnn_backward(Y, params, cache, activation)` | 4 |
# | **this notebook** | **16** |
#
# The whole assignment has **49 points** across four notebooks (01: 12 + 02: 16 + 03: 7 + 04: 14).
#
# | written answer, graded by hand | points |
# |---|---|
# | what defines a one-layer RNN | 1 |
#
# Written answers are graded by a person, not by the tests; their points (1 here, 10 in the whole assignment) are counted apart from the tests' points above.
# <!-- end generated -->

# %% nbgrader={"grade": false, "grade_id": "setup", "locked": true, "schema_version": 3, "solution": false}
# Given code — read-only. The tools shared by all four notebooks are in bptt_tools.py
# (open it from Jupyter's file browser to read them).
import inspect

import numpy as np

from bptt_tools import (TOL, call, check_example, experiment_ready, one_hot, phi, rnn_forward, rnn_loss, rnn_problem,
                        softmax)

np.set_printoptions(precision=4, suppress=True)

# %% [markdown]
# ## The network
#
# Parameters (the lecture's list): $W_{xh}$ (D, H), $W_{hh}$ (H, H), $b_h$ (H,),
# $W_{hq}$ (H, Q), $b_q$ (Q,). With row vectors and the batch first, for
# $t = 0, \dots, T-1$:
#
# | step | forward | shape | MLP counterpart |
# |---|---|---|---|
# | 1 | `h_netIn_t = X[t] @ W_xh + h_{t-1} @ W_hh + b_h` | (N, H) | `y_netIn` |
# | 2 | `h_t = phi(h_netIn_t)` (ReLU or tanh) | (N, H) | `y_netAct` |
# | 3 | `o_t = h_t @ W_hq + b_q` | (N, Q) | `z_netIn` |
# | 4 | `p_t = softmax(o_t)` | (N, Q) | `z_netAct` |
# | 5 | `loss = mean over all T·N predictions of -log p_t[n, Y[t, n]]` | scalar | |
#
# **Which state is which.** $h_t$ is the state *after* step $t$: `cache["h"][t]`. The first
# step reads the **initial state $h_{-1}$**, the state *before* step 0, which the code calls
# `h0` (the argument of `rnn_forward` and `cache["h0"]`; zeros by default). So the code's
# `h0` is $h_{-1}$, not $h_0$; $h_0$ is `cache["h"][0]`.
#
# > **⚠ Where the lecture notes slip.** The notes' forward pass reads
# > $h_t = W_{xh} x_t + W_{hh} h_{t-1} + b_h$, without an activation. The network has
# > one, $h_t = \phi(\cdot)$ with ReLU or tanh (as in the "RNN review" part of the same
# > notes), and the backward pass has to go through it: that is `dhraw_t` below. The notes
# > also write column vectors ($W_{hq} h_t$); we use row vectors, so every product appears
# > transposed and in the other order, and the notes' backward expressions cannot be copied
# > as they stand.
#
# The cache keeps both `h_netIn` (before phi) and `h` (after), for all steps, stacked
# time-major. The forward pass is given code in `bptt_tools.py`, shared with notebook 04;
# the next cell prints it, so you can see exactly what the cache holds.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_q_one_layer_defined_by", "locked": true, "schema_version": 3, "solution": false}
# ### Written answer: what defines a one-layer RNN (<!-- generated: points q_one_layer_defined_by -->1 point<!-- end generated -->, graded by hand)
#
# The lecture asks: *A RNN with a single hidden layer with ReLU activation, and an output layer with
# softmax, is defined by what?* The list above names its arrays. Go one step further, in three or
# four sentences:
#
# 1. How many numbers does such an RNN learn, as a formula in D, H and Q? Why does that number not
#    grow with the length T of the sequences it reads?
# 2. Which of these belong to the definition of the model, and which do not (and why): the
#    activation, the initial state $h_{-1}$, the sequence length T, the batch size N?
#
# Write your answer in the cell below, in your own words (replace `YOUR ANSWER HERE`; Markdown and LaTeX work). No test checks it: a person grades it after the deadline, and its points are counted apart from the tests' points.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_one_layer_defined_by", "locked": false, "points": 1, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# **Rubric (1 point; graders only: this region is not in the students' notebooks).**
#
# * 0.5: the count $DH + H^2 + H + HQ + Q$ (any equivalent form), **and** the reason it does not grow
#   with T: the same five arrays are used at every step (weight sharing); unrolling adds steps, not
#   parameters. A correct count without the reason: 0.25.
# * 0.5: the activation (ReLU) and the softmax output are fixed choices of the architecture (part of
#   the definition, not learned); $h_{-1}$ is an input of the forward pass (zeros by default, given,
#   not learned here; a variant may learn it); T and N describe the data, not the model: the same RNN
#   runs on any length and any batch. Two of the four right with reasons: 0.25.
#
# **Model answer.** It learns $W_{xh}$ (D, H), $W_{hh}$ (H, H), $b_h$ (H,), $W_{hq}$ (H, Q) and
# $b_q$ (Q,): $DH + H^2 + H + HQ + Q$ numbers. Every step applies the same arrays, so a longer
# sequence is more applications of the same layer, not more parameters. The activation and the
# softmax are part of the definition but have nothing to learn. The initial state is an input (here
# zeros), and T and N are properties of the data the model is run on.
# ### END SOLUTION

# %% nbgrader={"grade": false, "grade_id": "forward", "locked": true, "schema_version": 3, "solution": false}
# Given code — read-only: show the forward pass (it lives in bptt_tools.py).
print(inspect.getsource(rnn_forward))

# %% [markdown]
# ## Where the gradient flows
#
# The figure shows three unrolled steps. Forward (gray), $h_t$ feeds two things: the
# output $o_t$ (through $W_{hq}$) and the next pre-activation $h\_netIn_{t+1}$ (through
# $W_{hh}$). So backward (red), gradient reaches $h_t$ along **two paths**: from the loss of
# step t through $o_t$, and from the future through $h\_netIn_{t+1}$. That second path is
# what makes backpropagation *through time*: to know the gradient at $h_t$ you need the
# gradient at $h\_netIn_{t+1}$ first, so the backward loop runs from $t = T-1$ down to 0.

# %% nbgrader={"grade": false, "grade_id": "figure", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
# Given code — read-only: draws the unrolled graph (no points).
from bptt_tools import GRADING

if GRADING:
    print("skipped while grading (BPTT_GRADING=1)")
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

    def arrow(p, q, color, text="", dx=0.0, dy=0.0):
        ax.annotate("", xy=q, xytext=p, arrowprops=dict(arrowstyle="-|>", color=color, lw=2))
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
        # backward: the loss of step s, then through o_s into h_s
        arrow((x + 0.1, rows["L"] - 0.33), (x + 0.1, rows["o"] + 0.33), "crimson", f"$dy_{{{s}}}$", dx=0.45)
        arrow((x + 0.1, rows["o"] - 0.33), (x + 0.1, rows["h"] + 0.33), "crimson", "via $W_{hq}$", dx=0.6)
        if i < 2:
            arrow((x + 0.47, rows["h"] + 0.1), (xs[i + 1] - 0.47, rows["h"] + 0.1), "gray", "$W_{hh}$", dy=0.25)
            # backward: from the next step's pre-activation, through W_hh
            arrow((xs[i + 1] - 0.47, rows["h"] - 0.12), (x + 0.47, rows["h"] - 0.12), "crimson",
                  f"$dhraw_{{{steps[i + 1]}}}$ via $W_{{hh}}$", dy=-0.3)
    arrow((xs[2] + 0.47, rows["h"] + 0.1), (xs[2] + 1.3, rows["h"] + 0.1), "gray")
    ax.text(xs[2] + 1.6, rows["h"] - 0.12, "from step t+2: nothing\nif t+1 is the last step",
            color="crimson", fontsize=9, va="center")
    ax.set_xlim(-1.2, 9.8)
    ax.set_ylim(-0.2, 4.5)
    ax.axis("off")
    ax.set_title("Unrolled RNN: forward (gray) and the gradient paths into the hidden states (red)")
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
# `h_prev` is the sequence of *previous* states: `h_prev[t]` $= h_{t-1}$, so
# `h_prev[0]` is the initial state (`cache["h0"]`).
#
# Each rule is derived the way notebook 01 did it: write the forward step for one entry,
# differentiate with respect to one entry of the input, sum over everything that input
# influences, then check the shape. The new ingredient is **time**: a weight used at every
# step influences the loss through every step.

# %% [markdown]
# ### 1. `dy_t` — the loss meets the logits of step t (<!-- generated: points dy_t -->1 point<!-- end generated -->)
#
# **Place in the graph.** `o_t → softmax → p_t → loss`: the top of step t. You return the
# gradient at the **logits** $o_t$, so this one rule covers what `dz_netAct` and `dz_netIn`
# did in two steps in notebook 01.
#
# **Forward.** $p_t$ = softmax($o_t$) row by row, and
# $L = -\frac{1}{T N}\sum_{t}\sum_{n} \log p_{t,\,n,\,Y[t,n]}$: a mean over **all T·N
# predictions**, so each one carries the weight $1/(TN)$.
#
# | argument / result | shape |
# |---|---|
# | `p_t` | (N, Q) softmax output of step t |
# | `y_t` | (N,) int targets of step t |
# | `T` | int, number of steps |
# | returns `dy_t` | (N, Q), float64 |
#
# **The chain-rule step.** Chain your two notebook-01 rules: the cross-entropy rule (with
# the weight $1/(TN)$ in place of $1/N$) feeds the softmax rule. Here the gradient arriving
# at the softmax's output has that special form, so the softmax rule simplifies a lot;
# carry out the simplification for one entry $(n, q)$, with the two cases $q = y_n$ and
# $q \ne y_n$.
#
# > **⚠ Where the lecture notes slip.** The notes write `dy = -1/(len(y_t)*y_t)` and call it
# > "analogous to dz_netAct". Two things are wrong. First, that is a gradient at the
# > softmax's *output*, while the next rules (`dW_hq`, `db_q`, `dh_t`) need the gradient at
# > the *logits* $o_t$, which sit below the softmax. Second, its normalization counts the
# > predictions of one step only, while the loss averages over all T steps.
#
# <details><summary>Hint (if you are stuck)</summary>
#
# Your notebook-01 softmax rule contains a sum over $j$ of the gradient from above times
# $p_j$. For the cross-entropy gradient only one term of that sum is nonzero, and its value
# does not depend on $p$ at all. Substitute it, and the result needs only `p_t`, the labels
# and the weight. The given `one_hot(labels, n_classes)` may help (it is one of the given building blocks).
# </details>
#
# **Worked example** (N = 2, Q = 3, T = 4): `p_t = [[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]]`,
# `y_t = [0, 2]`.

# %% nbgrader={"grade": false, "grade_id": "dy_t", "locked": false, "schema_version": 3, "solution": true}
def dy_t(p_t, y_t, T):
    """Gradient of the mean loss with respect to the logits o_t of one step.

    Inputs:
    - p_t: (N, Q) softmax output at step t
    - y_t: (N,) int targets at step t
    - T: number of time steps in the sequence (the loss averages over T*N predictions)
    Returns:
    - dy_t: (N, Q) float64
    """
    ### BEGIN SOLUTION
    # Cross-entropy through softmax: (p - one_hot(y)) / (T N), each prediction weighted 1/(T N).
    N, Q = p_t.shape
    return (p_t - one_hot(y_t, Q)) / (T * N)
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dy_t", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

check_example(dy_t, (np.array([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]]), np.array([0, 2]), 4),
              [[-0.0375, 0.025, 0.0125], [0.0375, 0.0375, -0.075]], "(N, Q)")

# Step t's share of the mean loss over T*N predictions, as a function of o_t (T = 5, N = 3, Q = 4).
rng = np.random.default_rng(1)
T_, o = 5, rng.standard_normal((3, 4))
y_ = rng.integers(0, 4, 3)
share = lambda: -np.sum(np.log(softmax(o)[np.arange(3), y_])) / (T_ * 3)
assert grad_check(share, o, dy_t(softmax(o), y_, T_), "dy_t") < TOL, "dy_t disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dy_t: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 2. `dW_hq` — the output weights, summed over time (<!-- generated: points dW_hq -->1 point<!-- end generated -->)
#
# **Place in the graph.** `h_t, W_hq → o_t → … → loss`, at **every** step t: the same
# $W_{hq}$ is used T times. It meets $dy_t$ from above and $h_t$ from below, as `dz_wts`
# met `dz_netIn` and `y_netAct` in notebook 01 (there is no regularization here).
#
# **Forward**, one entry: $o_{t,n,q} = \sum_h h_{t,n,h}\, W_{hq,\,h,q} + b_{q,q}$ for every $t$.
#
# | argument / result | shape |
# |---|---|
# | `h` | (T, N, H) hidden states, `h[t]` $= h_t$ |
# | `dy` | (T, N, Q) output gradients, `dy[t]` $= dy_t$ |
# | returns `dW_hq` | (H, Q), float64 |
#
# **The chain-rule step.** One weight $W_{hq,\,h,q}$ influences $o_{t,n,q}$ for every step t
# and every row n. The chain rule sums over **all** of them: per step this is exactly your
# notebook-01 weight rule, and the steps add up.
#
# > **⚠ Where the lecture notes slip.** The notes write `dy_t@h_netAct_t.T` for one step.
# > In our row-vector convention the shapes of that product do not give (H, Q) at all (the
# > notes use column vectors), and the notes stop at one step: $W_{hq}$ is used at T steps,
# > so it receives T contributions, and leaving out the sum over time drops all but one of them.
#
# <details><summary>Hint (if you are stuck)</summary>
#
# Get one step right first: `h[t]` is (N, H) and `dy[t]` is (N, Q); which product gives
# (H, Q)? Then add the T of them. (A sum over t and n together can also be done in one
# product after a reshape to (T·N, ·); both are fine.)
# </details>
#
# **Worked example** (T = 2, N = 3, H = 4, Q = 5; every dimension differs, so a transposed
# product fails on shape): `h` and `dy` in the test cell.

# %% nbgrader={"grade": false, "grade_id": "dW_hq", "locked": false, "schema_version": 3, "solution": true}
def dW_hq(h, dy):
    """Gradient with respect to the output weights W_hq, summed over time.

    Inputs:
    - h: (T, N, H) hidden states h_t
    - dy: (T, N, Q) gradients at the logits, dy[t] = dy_t
    Returns:
    - dW_hq: (H, Q) float64
    """
    ### BEGIN SOLUTION
    # One (H, Q) contribution per step; equivalently h.reshape(-1, H).T @ dy.reshape(-1, Q).
    return sum(h[t].T @ dy[t] for t in range(h.shape[0]))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dW_hq", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

h_ex = np.array([[[2.0, 1.0, 1.0, 2.0], [1.0, 2.0, 2.0, -1.0], [-1.0, 0.0, 0.0, 2.0]],
                 [[2.0, -1.0, 0.0, 2.0], [-1.0, 2.0, -1.0, 0.0], [2.0, 0.0, 0.0, 0.0]]])
dy_ex = np.array([[[1.0, -1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 2.0], [2.0, 1.0, 1.0, 1.0, -1.0]],
                  [[2.0, 0.0, -1.0, 2.0, -2.0], [2.0, 1.0, -2.0, -2.0, 0.0], [-2.0, -2.0, 0.0, 2.0, 0.0]]])
check_example(dW_hq, (h_ex, dy_ex), [[-2.0, -8.0, 3.0, 9.0, -1.0], [3.0, 1.0, -1.0, -6.0, 6.0],
                                     [-1.0, -2.0, 4.0, 2.0, 4.0], [10.0, 0.0, 4.0, 6.0, -8.0]], "(H, Q)")

# Finite differences of sum(G * (h @ W)) in W (T = 4, N = 3, H = 5, Q = 6).
rng = np.random.default_rng(2)
h_, W, G = rng.standard_normal((4, 3, 5)), rng.standard_normal((5, 6)), rng.standard_normal((4, 3, 6))
assert grad_check(lambda: np.sum(G * (h_ @ W)), W, dW_hq(h_, G), "dW_hq") < TOL, "dW_hq disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dW_hq: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 3. `db_q` — the output bias (<!-- generated: points db_q -->1 point<!-- end generated -->)
#
# **Place in the graph.** `b_q → o_t → … → loss`, at every step. It meets $dy_t$ from above.
#
# **Forward**, one entry: $o_{t,n,q} = (\ldots)_{t,n,q} + b_{q,q}$: one vector added to every
# row of every step.
#
# | argument / result | shape |
# |---|---|
# | `dy` | (T, N, Q) |
# | returns `db_q` | (Q,), float64 |
#
# **The chain-rule step.** As `dz_b` in notebook 01, but the bias is now shared by the rows
# of the batch **and** by the steps.
#
# > **⚠ Where the lecture notes slip.** The notes write `db_q = dy_t`: that has the shape of
# > `dy_t` (N, Q), not of $b_q$ (Q,). A gradient has the shape of its parameter; here that
# > means collecting the contributions of every row and every step.
#
# **Worked example** (T = 2, N = 3, Q = 5): `dy` as in step 2's example.

# %% nbgrader={"grade": false, "grade_id": "db_q", "locked": false, "schema_version": 3, "solution": true}
def db_q(dy):
    """Gradient with respect to the output bias b_q, summed over time and batch.

    Inputs:
    - dy: (T, N, Q) gradients at the logits
    Returns:
    - db_q: (Q,) float64
    """
    ### BEGIN SOLUTION
    return np.sum(dy, axis=(0, 1))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_db_q", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

dy_ex = np.array([[[1.0, -1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 2.0], [2.0, 1.0, 1.0, 1.0, -1.0]],
                  [[2.0, 0.0, -1.0, 2.0, -2.0], [2.0, 1.0, -2.0, -2.0, 0.0], [-2.0, -2.0, 0.0, 2.0, 0.0]]])
check_example(db_q, (dy_ex,), [5.0, -1.0, 0.0, 3.0, -1.0], "(Q,)")

# Finite differences of sum(G * (0 + b)) in b, broadcast over (T, N) = (4, 3), Q = 6.
rng = np.random.default_rng(3)
b, G = rng.standard_normal(6), rng.standard_normal((4, 3, 6))
assert grad_check(lambda: np.sum(G * (np.zeros((4, 3, 6)) + b)), b, db_q(G), "db_q") < TOL, \
    "db_q disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of db_q: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 4. `dh_t` — the two paths into a hidden state (<!-- generated: points dh_t -->2 points<!-- end generated -->)
#
# **Place in the graph.** $h_t$ is used twice (see the figure): in $o_t$ (through
# $W_{hq}$, towards the loss of step t) and in $h\_netIn_{t+1}$ (through $W_{hh}$,
# towards every later step). It meets $dy_t$ from above and `dhraw_next` $= dhraw_{t+1}$,
# the gradient at the next step's pre-activation, from the future.
#
# **Forward**, the two uses of $h_t$:
#
# $$o_t = h_t W_{hq} + b_q, \qquad h\_netIn_{t+1} = x_{t+1} W_{xh} + h_t W_{hh} + b_h .$$
#
# | argument / result | shape |
# |---|---|
# | `dy_t` | (N, Q), gradient at $o_t$ |
# | `dhraw_next` | (N, H), gradient at $h\_netIn_{t+1}$ (all zeros at the last step, t = T-1) |
# | `W_hq` | (H, Q) |
# | `W_hh` | (H, H) |
# | returns `dh_t` | (N, H), float64 |
#
# **The chain-rule step.** When a quantity is used in two places, the chain rule **adds**
# the contributions of both uses. Each use, on its own, is the notebook-01 step "gradient at
# a layer's input" (`dy_netAct`): work out each one from its forward expression, then add.
# At the last step nothing comes from the future, and the zeros of `dhraw_next` take care of
# that without a special case.
#
# > **⚠ Where the lecture notes slip.** The notes write `dh_t = W_hq.T@dy_t + h_t`. The
# > second term, the state $h_t$ itself, cannot be right: a gradient measures how the loss
# > changes when $h_t$ changes (double the loss and every gradient doubles; $h_t$ does not),
# > while $h_t$ is a forward value. What belongs there is the contribution of $h_t$'s
# > **second use**, in the next step. Without it, BPTT falls apart into T independent
# > one-step networks, and the weights never learn that an input influences later outputs.
#
# <details><summary>Hint (if you are stuck)</summary>
#
# Both uses are products "(N, H) array `@` weight matrix", the same form as `y_netAct @ z_wts`
# in notebook 01, whose gradient with respect to `y_netAct` you derived in `dy_netAct`. Reuse
# that derivation once per use, each time with the gradient that arrives at that product
# (for the path through the future: `dhraw_next`), and let the shapes confirm each term.
# </details>
#
# **Worked example** (N = 2, Q = 3, H = 4): in the test cell; it also checks the last step
# (`dhraw_next` all zeros), where only the output path remains.

# %% nbgrader={"grade": false, "grade_id": "dh_t", "locked": false, "schema_version": 3, "solution": true}
def dh_t(dy_t, dhraw_next, W_hq, W_hh):
    """Gradient with respect to the hidden state h_t: from its output and from the future.

    Inputs:
    - dy_t: (N, Q) gradient at the logits o_t
    - dhraw_next: (N, H) gradient at h_netIn_{t+1} (zeros at the last step)
    - W_hq: (H, Q) output weights
    - W_hh: (H, H) recurrent weights
    Returns:
    - dh_t: (N, H) float64
    """
    ### BEGIN SOLUTION
    return dy_t @ W_hq.T + dhraw_next @ W_hh.T
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dh_t", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

dy_ex = np.array([[1.0, -1.0, 0.0], [0.0, 2.0, -1.0]])
dhraw_next_ex = np.array([[0.5, 1.0, 0.0, -1.0], [1.0, 0.0, -1.0, 2.0]])
W_hq_ex = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [2.0, 0.0, 1.0], [-1.0, 1.0, 1.0]])
W_hh_ex = np.array([[1.0, 0.0, 0.0, 1.0], [2.0, 1.0, 0.0, 0.0], [0.0, -1.0, 1.0, 0.0], [0.0, 0.0, 2.0, 1.0]])
check_example(dh_t, (dy_ex, dhraw_next_ex, W_hq_ex, W_hh_ex),
              [[-1.5, 1.0, 1.0, -3.0], [7.0, 5.0, -2.0, 1.0]], "(N, H)")
print("\nAt the last step (dhraw_next = 0):")
check_example(dh_t, (dy_ex, np.zeros((2, 4)), W_hq_ex, W_hh_ex),
              [[-1.0, -1.0, 2.0, -2.0], [4.0, 3.0, -1.0, 1.0]], "(N, H)")

# h_t feeds o_t and h_netIn_{t+1}; G_o and G_next are the gradients arriving there (N = 3, H = 5, Q = 6).
rng = np.random.default_rng(4)
h_, W_hq_, W_hh_ = rng.standard_normal((3, 5)), rng.standard_normal((5, 6)), rng.standard_normal((5, 5))
G_o, G_next = rng.standard_normal((3, 6)), rng.standard_normal((3, 5))
f = lambda: np.sum(G_o * (h_ @ W_hq_)) + np.sum(G_next * (h_ @ W_hh_))
assert grad_check(f, h_, dh_t(G_o, G_next, W_hq_, W_hh_), "dh_t") < TOL, "dh_t disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dh_t: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 5. `dhraw_t` — through the activation (<!-- generated: points dhraw_t -->2 points<!-- end generated -->)
#
# **Place in the graph.** `h_netIn_t → phi → h_t`. It meets $dh_t$ from above and
# $W_{xh}$, $W_{hh}$, $b_h$ from below; the analogue of `dy_netIn` in notebook 01.
#
# **Forward**, elementwise: $h_t = \phi(h\_netIn_t)$ with $\phi$ = ReLU or tanh.
#
# | argument / result | shape |
# |---|---|
# | `dh_t` | (N, H) |
# | `h_netIn_t` | (N, H) pre-activation of step t |
# | `h_t` | (N, H) $= \phi(h\_netIn_t)$ |
# | `activation` | `"relu"` or `"tanh"`; anything else: raise `ValueError` |
# | returns `dhraw_t` | (N, H), float64 |
#
# **The chain-rule step.** Elementwise, as for the ReLU in notebook 01: one term, the
# gradient from above times $\phi'$ at the right place. For ReLU use notebook 01's rule
# (derivative 0 at exactly 0). For tanh, differentiate $\tanh$ and write the result in terms
# of $\tanh(h\_netIn_t)$ itself: the forward pass already cached that value, so the backward
# pass needs no new `tanh` call.
#
# <details><summary>Hint (if you are stuck)</summary>
#
# $\tanh(u) = \sinh(u)/\cosh(u)$; the quotient rule and $\cosh^2 - \sinh^2 = 1$ give
# $\tanh'(u)$ as an expression in $\tanh(u)$. Which of the arguments holds $\tanh(u)$ for
# $u$ = `h_netIn_t`? Be careful to apply it to that array, and not to apply `tanh` twice.
# </details>
#
# **Worked example** (N = 2, H = 3): `dh_t = [[1, 2, 3], [-1, -2, 4]]`. ReLU with
# `h_netIn_t = [[-1, 0.5, 0], [2, -0.3, 1]]` (one entry at the kink); tanh with
# `h_t = [[0, 0.5, -0.5], [0.8, -0.2, 0.1]]`.

# %% nbgrader={"grade": false, "grade_id": "dhraw_t", "locked": false, "schema_version": 3, "solution": true}
def dhraw_t(dh_t, h_netIn_t, h_t, activation):
    """Backprop through the hidden activation phi at step t.

    Inputs:
    - dh_t: (N, H) gradient at h_t
    - h_netIn_t: (N, H) pre-activation at step t
    - h_t: (N, H) hidden state phi(h_netIn_t)
    - activation: "relu" or "tanh" (anything else raises ValueError)
    Returns:
    - dhraw_t: (N, H) float64, the gradient at h_netIn_t
    """
    ### BEGIN SOLUTION
    if activation == "relu":
        return dh_t * (h_netIn_t > 0)
    if activation == "tanh":
        return dh_t * (1.0 - h_t ** 2)
    raise ValueError(f"dhraw_t: unknown activation {activation!r}; expected 'relu' or 'tanh'")
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dhraw_t", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Tests — read-only: the worked examples, then finite differences on random inputs.
from bptt_tools import grad_check

dh_ex = np.array([[1.0, 2.0, 3.0], [-1.0, -2.0, 4.0]])
h_netIn_ex = np.array([[-1.0, 0.5, 0.0], [2.0, -0.3, 1.0]])
check_example(dhraw_t, (dh_ex, h_netIn_ex, np.maximum(h_netIn_ex, 0.0), "relu"),
              [[0.0, 2.0, 0.0], [-1.0, 0.0, 4.0]], "(N, H)")
h_ex = np.array([[0.0, 0.5, -0.5], [0.8, -0.2, 0.1]])
print("\ntanh:")
check_example(dhraw_t, (dh_ex, np.arctanh(h_ex), h_ex, "tanh"), [[1.0, 1.5, 2.25], [-0.36, -1.92, 3.96]], "(N, H)")

# Finite differences of sum(G * phi(z)) in z, for both activations (N = 3, H = 5).
rng = np.random.default_rng(5)
for act in ("relu", "tanh"):
    z = rng.standard_normal((3, 5))
    z += np.sign(z) * 0.1          # away from ReLU's kink at 0
    G = rng.standard_normal((3, 5))
    assert grad_check(lambda: np.sum(G * phi(z, act)), z, dhraw_t(G, z, phi(z, act), act), f"dhraw_t {act}") < TOL, \
        f"dhraw_t ({act}) disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dhraw_t: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 6. `dW_hh` — the recurrent weights (<!-- generated: points dW_hh -->1 point<!-- end generated -->)
#
# **Place in the graph.** `h_{t-1}, W_hh → h_netIn_t → … → loss`, at every step. It meets
# $dhraw_t$ from above and $h_{t-1}$ from below: in $h\_netIn_t$ the recurrent weight
# multiplies the **previous** state.
#
# **Forward**, one entry: $h\_netIn_{t,n,j} = \ldots + \sum_i h_{t-1,n,i}\, W_{hh,\,i,j} + \ldots$
# for every $t$, with $h_{-1}$ the initial state.
#
# | argument / result | shape |
# |---|---|
# | `h_prev` | (T, N, H), `h_prev[t]` $= h_{t-1}$; `h_prev[0]` is the initial state |
# | `dhraw` | (T, N, H), `dhraw[t]` $= dhraw_t$ |
# | returns `dW_hh` | (H, H), float64 |
#
# **The chain-rule step.** As for `dW_hq`: per step the notebook-01 weight rule, with the
# previous state as the layer's input, and a sum over the steps.
#
# $W_{hh}$ is **square**, so a transposed answer has the right shape: only the values
# reveal it. The worked example is not symmetric, so a transposed answer fails on its values.
#
# > **⚠ Where the lecture notes slip.** `dW_hh = dhraw_t@h_{t-1}` is written for one step
# > in column-vector form: per step the contribution is an (H, H) outer-product-like matrix
# > built from $h_{t-1}$ and $dhraw_t$, and the notes leave out the **sum over time**. Every
# > parameter gradient of an RNN is such a sum.
#
# **Worked example** (T = 3, N = 2, H = 4): `h_prev` and `dhraw` in the test cell.

# %% nbgrader={"grade": false, "grade_id": "dW_hh", "locked": false, "schema_version": 3, "solution": true}
def dW_hh(h_prev, dhraw):
    """Gradient with respect to the recurrent weights W_hh, summed over time.

    Inputs:
    - h_prev: (T, N, H) previous states, h_prev[t] = h_{t-1}; h_prev[0] is the initial state
    - dhraw: (T, N, H) gradients at the pre-activations h_netIn_t
    Returns:
    - dW_hh: (H, H) float64
    """
    ### BEGIN SOLUTION
    return sum(h_prev[t].T @ dhraw[t] for t in range(h_prev.shape[0]))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dW_hh", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

h_prev_ex = np.array([[[2.0, 2.0, 2.0, 1.0], [0.0, 1.0, 0.0, 0.0]],
                      [[0.0, -1.0, 2.0, -1.0], [-1.0, -1.0, 2.0, 1.0]],
                      [[2.0, -1.0, 1.0, 0.0], [0.0, -1.0, 1.0, 2.0]]])
dhraw_ex = np.array([[[1.0, -2.0, 0.0, -1.0], [2.0, 2.0, -2.0, 0.0]],
                     [[2.0, 2.0, 1.0, 1.0], [-2.0, 1.0, 0.0, -2.0]],
                     [[-1.0, 0.0, 1.0, 0.0], [1.0, 2.0, 1.0, -1.0]]])
check_example(dW_hh, (h_prev_ex, dhraw_ex), [[2.0, -5.0, 2.0, 0.0], [4.0, -7.0, -5.0, 0.0],
                                             [2.0, 4.0, 4.0, -5.0], [-1.0, 1.0, 1.0, -6.0]], "(H, H)")

# Finite differences of sum(G * (h_prev @ W)) in W (T = 4, N = 3, H = 5).
rng = np.random.default_rng(6)
hp, W, G = rng.standard_normal((4, 3, 5)), rng.standard_normal((5, 5)), rng.standard_normal((4, 3, 5))
assert grad_check(lambda: np.sum(G * (hp @ W)), W, dW_hh(hp, G), "dW_hh") < TOL, "dW_hh disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dW_hh: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 7. `dW_xh` — the input weights (<!-- generated: points dW_xh -->1 point<!-- end generated -->)
#
# **Place in the graph.** `x_t, W_xh → h_netIn_t → … → loss`, at every step. It meets
# $dhraw_t$ from above and $x_t$ from below; the analogue of `dy_wts`.
#
# **Forward**, one entry: $h\_netIn_{t,n,h} = \sum_d X_{t,n,d}\, W_{xh,\,d,h} + \ldots$ for every $t$.
#
# | argument / result | shape |
# |---|---|
# | `X` | (T, N, D) |
# | `dhraw` | (T, N, H) |
# | returns `dW_xh` | (D, H), float64 |
#
# **The chain-rule step.** As for `dW_hh`, with the input $x_t$ in place of the previous state.
#
# > **⚠ Where the lecture notes slip.** As for $W_{hh}$: `dhraw_t@x_t` is one step in
# > column-vector form, and the contributions of all steps must be summed.
#
# **Worked example** (T = 2, N = 3, D = 5, H = 4): `X` and `dhraw` in the test cell.

# %% nbgrader={"grade": false, "grade_id": "dW_xh", "locked": false, "schema_version": 3, "solution": true}
def dW_xh(X, dhraw):
    """Gradient with respect to the input weights W_xh, summed over time.

    Inputs:
    - X: (T, N, D) input sequence
    - dhraw: (T, N, H) gradients at the pre-activations h_netIn_t
    Returns:
    - dW_xh: (D, H) float64
    """
    ### BEGIN SOLUTION
    return sum(X[t].T @ dhraw[t] for t in range(X.shape[0]))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dW_xh", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

X_ex = np.array([[[0.0, 0.0, -1.0, -1.0, 0.0], [0.0, 0.0, -1.0, -1.0, -1.0], [0.0, 1.0, 0.0, 0.0, 0.0]],
                 [[1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0, 1.0], [-1.0, 0.0, 0.0, 0.0, -1.0]]])
dhraw_ex = np.array([[[-2.0, 0.0, 2.0, -2.0], [0.0, 2.0, 2.0, -1.0], [-2.0, 1.0, -2.0, -1.0]],
                     [[0.0, 2.0, -2.0, 1.0], [0.0, -2.0, 2.0, 2.0], [0.0, 2.0, 1.0, 2.0]]])
check_example(dW_xh, (X_ex, dhraw_ex), [[0.0, 0.0, -3.0, -1.0], [-2.0, 1.0, -2.0, -1.0], [2.0, -2.0, -4.0, 3.0],
                                        [2.0, -4.0, -2.0, 5.0], [0.0, -6.0, -1.0, 1.0]], "(D, H)")

# Finite differences of sum(G * (X @ W)) in W (T = 4, N = 3, D = 2, H = 5).
rng = np.random.default_rng(7)
X_, W, G = rng.standard_normal((4, 3, 2)), rng.standard_normal((2, 5)), rng.standard_normal((4, 3, 5))
assert grad_check(lambda: np.sum(G * (X_ @ W)), W, dW_xh(X_, G), "dW_xh") < TOL, "dW_xh disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dW_xh: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 8. `db_h` — the hidden bias (<!-- generated: points db_h -->1 point<!-- end generated -->)
#
# **Place in the graph.** `b_h → h_netIn_t → … → loss`, at every step. It meets $dhraw_t$
# from above.
#
# **Forward**, one entry: $h\_netIn_{t,n,h} = (\ldots)_{t,n,h} + b_{h,h}$.
#
# | argument / result | shape |
# |---|---|
# | `dhraw` | (T, N, H) |
# | returns `db_h` | (H,), float64 |
#
# **The chain-rule step.** As `db_q`, one level down.
#
# > **⚠ Where the lecture notes slip.** `db_h = dhraw_t` has the shape (N, H) of one step's
# > gradient, not the shape (H,) of $b_h$: the contributions of every row and every step are missing.
#
# **Worked example** (T = 2, N = 3, H = 4): `dhraw` as in step 7's example.

# %% nbgrader={"grade": false, "grade_id": "db_h", "locked": false, "schema_version": 3, "solution": true}
def db_h(dhraw):
    """Gradient with respect to the hidden bias b_h, summed over time and batch.

    Inputs:
    - dhraw: (T, N, H) gradients at the pre-activations
    Returns:
    - db_h: (H,) float64
    """
    ### BEGIN SOLUTION
    return np.sum(dhraw, axis=(0, 1))
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_db_h", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

dhraw_ex = np.array([[[-2.0, 0.0, 2.0, -2.0], [0.0, 2.0, 2.0, -1.0], [-2.0, 1.0, -2.0, -1.0]],
                     [[0.0, 2.0, -2.0, 1.0], [0.0, -2.0, 2.0, 2.0], [0.0, 2.0, 1.0, 2.0]]])
check_example(db_h, (dhraw_ex,), [-4.0, 5.0, 3.0, 1.0], "(H,)")

# Finite differences of sum(G * (0 + b)) in b, broadcast over (T, N) = (4, 3), H = 5.
rng = np.random.default_rng(8)
b, G = rng.standard_normal(5), rng.standard_normal((4, 3, 5))
assert grad_check(lambda: np.sum(G * (np.zeros((4, 3, 5)) + b)), b, db_h(G), "db_h") < TOL, \
    "db_h disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of db_h: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 8b. `dX` — the inputs (<!-- generated: points dX -->1 point<!-- end generated -->)
#
# **Why.** The parameters are not the only inputs of the loss. When this RNN sits on top of
# another layer (notebook 03's layer 2 reads layer 1's states as its "inputs"; a word embedding
# feeds its vectors as `X`), that layer needs the gradient at `X` as its upstream gradient.
# CS231n's `rnn_backward` returns it as `dx`.
#
# **Place in the graph.** `X[t] → h_netIn_t → … → loss`: each step's input feeds only its own
# pre-activation, through $W_{xh}$. It meets $dhraw_t$ from above, at that step only.
#
# **Forward**, one entry: $h\_netIn_{t,n,h} = \sum_d x_{t,n,d}\, W_{xh,d,h} + (\ldots)$.
#
# | argument / result | shape |
# |---|---|
# | `dhraw` | (T, N, H) |
# | `W_xh` | (D, H) |
# | returns `dX` | (T, N, D), float64: one gradient per step and row |
#
# **The chain-rule step.** The same step as `dy_netAct` in notebook 01 (a gradient going down
# through a product with a weight matrix), done at every step. Unlike a weight, each $x_t$ is used
# once, so nothing is summed over time. Check the shapes: which product of a (N, H) array and a
# (D, H) array gives (N, D)?
#
# **Worked example** (T = 2, N = 3, H = 4, D = 5): `dhraw` as in step 7's example, and
# `W_xh` in the test cell.

# %% nbgrader={"grade": false, "grade_id": "dX", "locked": false, "schema_version": 3, "solution": true}
def dX(dhraw, W_xh):
    """Gradient with respect to the input sequence X, one (N, D) slice per step.

    Inputs:
    - dhraw: (T, N, H) gradients at the pre-activations h_netIn_t
    - W_xh: (D, H) input weights
    Returns:
    - dX: (T, N, D) float64
    """
    ### BEGIN SOLUTION
    return dhraw @ W_xh.T
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dX", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

dhraw_ex = np.array([[[-2.0, 0.0, 2.0, -2.0], [0.0, 2.0, 2.0, -1.0], [-2.0, 1.0, -2.0, -1.0]],
                     [[0.0, 2.0, -2.0, 1.0], [0.0, -2.0, 2.0, 2.0], [0.0, 2.0, 1.0, 2.0]]])
W_xh_ex = np.array([[1.0, 0.0, -1.0, 0.0], [0.0, 1.0, 1.0, -1.0], [1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0],
                    [-1.0, 0.0, 0.0, 1.0]])
check_example(dX, (dhraw_ex, W_xh_ex), [[[-4.0, 4.0, -2.0, 0.0, 0.0], [-2.0, 5.0, 2.0, 1.0, -1.0], [0.0, 0.0, -1.0, -3.0, 1.0]],
                                        [[2.0, -1.0, 2.0, -1.0, 1.0], [-2.0, -2.0, -2.0, 4.0, 2.0], [-1.0, 1.0, 2.0, 3.0, 2.0]]],
              "(T, N, D)")

# Finite differences of sum(G * (X @ W)) in X (T = 4, N = 3, D = 2, H = 5).
rng = np.random.default_rng(9)
X_, W, G = rng.standard_normal((4, 3, 2)), rng.standard_normal((2, 5)), rng.standard_normal((4, 3, 5))
assert grad_check(lambda: np.sum(G * (X_ @ W)), X_, dX(G, W), "dX") < TOL, "dX disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dX: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 8c. `dh0` — the initial state (<!-- generated: points dh0 -->1 point<!-- end generated -->)
#
# **Why.** The initial state $h_{-1}$ (the code's `h0`) is an input too. An encoder–decoder
# starts the decoder from the encoder's last state, and a model may learn its initial state:
# both need the gradient at `h0`. CS231n's `rnn_backward` returns it as `dh0`.
#
# **Place in the graph.** `h0 → h_netIn_0 → … → loss`: the initial state is read once, by step
# 0, through $W_{hh}$, exactly as step $t$ reads $h_{t-1}$. It meets $dhraw_0$ from above.
#
# **Forward**, one entry: $h\_netIn_{0,n,i} = \sum_j h_{-1,n,j}\, W_{hh,j,i} + (\ldots)$.
#
# | argument / result | shape |
# |---|---|
# | `dhraw_0` | (N, H): step 0's gradient at its pre-activation |
# | `W_hh` | (H, H) |
# | returns `dh0` | (N, H), float64 |
#
# **The chain-rule step.** The "future" term of `dh_t`, one step before the first: what step 0
# sends back to the state it read. $W_{hh}$ is square, so a wrong orientation still has the
# right shape: compare the forward entry above with the index order of your product.
#
# **Worked example** (N = 3, H = 4): `dhraw_0` is step 0 of step 7's `dhraw`; `W_hh` is in the test cell.

# %% nbgrader={"grade": false, "grade_id": "dh0", "locked": false, "schema_version": 3, "solution": true}
def dh0(dhraw_0, W_hh):
    """Gradient with respect to the initial state h0 (the state before step 0).

    Inputs:
    - dhraw_0: (N, H) gradient at step 0's pre-activation h_netIn_0
    - W_hh: (H, H) recurrent weights
    Returns:
    - dh0: (N, H) float64
    """
    ### BEGIN SOLUTION
    return dhraw_0 @ W_hh.T
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_dh0", "locked": true, "points": 1, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example, then finite differences on random inputs.
from bptt_tools import grad_check

dhraw_0_ex = np.array([[-2.0, 0.0, 2.0, -2.0], [0.0, 2.0, 2.0, -1.0], [-2.0, 1.0, -2.0, -1.0]])
W_hh_ex = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, -1.0], [0.0, 0.0, 1.0, 0.0]])
check_example(dh0, (dhraw_0_ex, W_hh_ex), [[0.0, 2.0, 0.0, 2.0], [2.0, 2.0, 1.0, 2.0], [1.0, -2.0, -1.0, -2.0]],
              "(N, H)")

# Finite differences of sum(G * (h @ W)) in h (N = 3, H = 5; W not symmetric).
rng = np.random.default_rng(10)
h_, W, G = rng.standard_normal((3, 5)), rng.standard_normal((5, 5)), rng.standard_normal((3, 5))
assert grad_check(lambda: np.sum(G * (h_ @ W)), h_, dh0(G, W), "dh0") < TOL, "dh0 disagrees with finite differences"

### BEGIN HIDDEN TESTS
# hidden test of dh0: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### 9. `rnn_backward` — backpropagation through time (<!-- generated: points rnn_backward -->4 points<!-- end generated -->)
#
# **The contract.** `rnn_backward(Y, params, cache, activation)` returns the gradient of
# `rnn_loss(X, Y, params, h0, activation)` with respect to every parameter, for the forward
# pass whose values are in `cache`:
#
# | argument / result | shape |
# |---|---|
# | `Y` | (T, N) int targets |
# | `params` | dict: `W_xh` (D, H), `W_hh` (H, H), `b_h` (H,), `W_hq` (H, Q), `b_q` (Q,) |
# | `cache` | dict from `rnn_forward`: `X`, `h0`, `h_netIn`, `h`, `o`, `p` |
# | `activation` | `"relu"` or `"tanh"` (the one the forward pass used) |
# | returns | dict with keys `W_xh`, `W_hh`, `b_h`, `W_hq`, `b_q`, each a float64 array of its parameter's shape |
#
# **The order of the loop.** The per-step rules (`dy_t`, `dh_t`, `dhraw_t`) run inside one
# loop over time that goes **backwards**, from the last step to the first, because the
# gradient at $h_t$ needs the gradient at the *next* step's pre-activation, and that must be
# known before step t is visited. The loop therefore carries one (N, H) array from each
# iteration to the next: the gradient at the pre-activation just computed, which becomes
# the "from the future" input of the step before. Before the first iteration (the last time
# step) nothing has come from the future yet. Keep every step's `dy_t` and `dhraw_t` in
# arrays stacked time-major. The five parameter rules sum over time themselves, so call
# each of them **once, after the loop**, on the stacked arrays; the sequence of previous
# states that `dW_hh` needs is built from `cache["h0"]` and `cache["h"]`.
#
# **Call your eight functions by name**: the grader checks this unit with correct versions
# of the eight rules swapped in, so a mistake in a rule is charged to that rule only, never
# twice. The visible test swaps in numerical stand-ins (from `bptt_tools.py`) and compares
# with finite differences of `rnn_loss`, for ReLU and for tanh.

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
# Tests — read-only: your loop with numerical stand-ins for the eight rules, against finite
# differences of the whole loss (T = 4, N = 2, D = 3, H = 5, Q = 6), for ReLU and for tanh.
from bptt_tools import grad_check, numeric_rnn_rules, swapped_in, why_rnn_backward

for act, seed in (("relu", 20), ("tanh", 21)):
    X_c, Y_c, params_c, h0_c = rnn_problem(seed=seed)
    _, cache_c = rnn_forward(X_c, params_c, h0_c, act)
    with swapped_in(globals(), numeric_rnn_rules()):
        grads = call(rnn_backward, Y_c, params_c, cache_c, act)
    assert isinstance(grads, dict), f"rnn_backward must return a dict, got {type(grads).__name__}"
    assert set(grads) >= {"W_xh", "W_hh", "b_h", "W_hq", "b_q"}, f"rnn_backward returned the keys {sorted(grads)}"
    for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q"):
        assert np.shape(grads[name]) == params_c[name].shape, \
            f"grads['{name}'] has shape {np.shape(grads[name])}; expected the shape of params['{name}'], {params_c[name].shape}"
        assert grad_check(lambda: rnn_loss(X_c, Y_c, params_c, h0_c, act), params_c[name], grads[name],
                          f"{name} {act}") < TOL, \
            f"the gradient of {name} ({act}) is wrong{why_rnn_backward(rnn_backward, X_c, Y_c, params_c, h0_c, act)}"

### BEGIN HIDDEN TESTS
# hidden test of rnn_backward: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown]
# ### Everything together, with your own rules
#
# Your `rnn_backward` with **your** eight rules, against finite differences of the loss,
# on a longer sequence. All ten rows should read OK.

# %% nbgrader={"grade": false, "grade_id": "own_rules_table", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
# Given code — read-only: your whole BPTT against finite differences (no points).
from bptt_tools import gradient_table

X_t, Y_t, params_t, h0_t = rnn_problem(T=6, N=3, D=4, H=5, Q=7, seed=31)
your_grads = lambda act: rnn_backward(Y_t, params_t, rnn_forward(X_t, params_t, h0_t, act)[1], act)
if experiment_ready(lambda: your_grads("relu")):
    for act in ("relu", "tanh"):
        print(f"activation = {act}")
        gradient_table([(name, lambda: rnn_loss(X_t, Y_t, params_t, h0_t, act), params_t[name],
                         lambda name=name: your_grads(act)[name]) for name in ("W_xh", "W_hh", "b_h", "W_hq", "b_q")])
        print()

# %% [markdown]
# ### Experiment: how far back does the gradient reach? (no points)
#
# Run your rules on a long sequence (T = 60) where only the **last** step has a loss,
# and plot $\lVert dh_t \rVert$ for each t: how much the final loss can still "see" of
# step t. Each step back multiplies the gradient by the transposed Jacobian of one step,
# $\mathrm{diag}(\phi'(h\_netIn_t))$ and $W_{hh}$, so the norm changes roughly geometrically,
# at a rate set by the scale of $W_{hh}$ and by $\phi'$.
#
# What the plot shows, and the cell prints (the ratio $\lVert dh_0 \rVert / \lVert dh_{59} \rVert$
# for each curve): with **ReLU**, $W_{hh}$ scales 0.5 and 1 make the gradient **vanish**
# (it shrinks by many orders of magnitude over 60 steps), while scale 2 makes it **explode**
# (it grows by orders of magnitude). With **tanh**, all three curves shrink, even at scale 2:
# $\tanh' \le 1$ everywhere and close to 0 for saturated units, which damps the product of
# Jacobians. Vanishing and exploding gradients are the reason for the truncation and
# clipping of notebook 04.
#
# **Try this.** Add a cell below the experiment (the **+** button, or `B` in command mode)
# and call `reach_experiment(scales=(1.5, 3.0, 5.0))`, or with `T=120`. The given cell
# itself is locked.

# %% nbgrader={"grade": false, "grade_id": "reach_experiment", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
# Given code — read-only: the reach experiment (no points). Call reach_experiment(...)
# from a new cell of your own to try other settings.

def reach_experiment(scales=(0.5, 1.0, 2.0), T=60, N=4, D=3, H=16, Q=5, seed=0):
    """Plot ||dh_t|| against t when only the last step has a loss, for ReLU and tanh and each W_hh scale."""
    probe = rnn_problem(T=2, N=2, D=3, H=4, Q=5, seed=1)
    _, probe_cache = rnn_forward(probe[0], probe[2], probe[3], "tanh")
    if not experiment_ready(lambda: dhraw_t(dh_t(dy_t(probe_cache["p"][1], probe[1][1], 2), np.zeros((2, 4)),
                                                 probe[2]["W_hq"], probe[2]["W_hh"]),
                                            probe_cache["h_netIn"][1], probe_cache["h"][1], "tanh")):
        return
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, act in zip(axes, ("relu", "tanh")):
        for scale in scales:
            rng = np.random.default_rng(seed)
            X_l = rng.standard_normal((T, N, D))
            params_l = dict(W_xh=rng.standard_normal((D, H)) * 0.5,
                            W_hh=rng.standard_normal((H, H)) * scale / np.sqrt(H),
                            b_h=np.zeros(H), W_hq=rng.standard_normal((H, Q)) * 0.5, b_q=np.zeros(Q))
            _, c = rnn_forward(X_l, params_l, activation=act)
            # Only the last step's loss: the gradient at the other steps' outputs is zero.
            dy_last = dy_t(c["p"][-1], rng.integers(0, Q, N), T)
            norms, nxt = [], np.zeros((N, H))
            for t in reversed(range(T)):
                g_out = dy_last if t == T - 1 else np.zeros_like(dy_last)
                dh = dh_t(g_out, nxt, params_l["W_hq"], params_l["W_hh"])
                nxt = dhraw_t(dh, c["h_netIn"][t], c["h"][t], act)
                norms.append(np.linalg.norm(dh))
            norms = norms[::-1]                       # norms[t] = ||dh_t||
            ratio = norms[0] / norms[-1]
            print(f"{act:>4}, W_hh scale {scale:g}: ||dh_0|| / ||dh_{T - 1}|| = {ratio:.1e} "
                  f"({'grows' if ratio > 1 else 'shrinks'} going back in time)")
            ax.semilogy(range(T), norms, label=f"W_hh scale {scale:g}")
        ax.set(xlabel="step t", title=f"{act}: gradient reaching back from t = {T - 1}")
        ax.legend()
    axes[0].set_ylabel("||dh_t||  (loss at the last step only)")
    plt.show()


reach_experiment()
