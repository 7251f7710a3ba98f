"""The reference never misleads: each input a caller can give gets the right
answer or a ValueError naming the function, the argument and what was expected.

Every case below was seen to misbehave before: a ValueError from mlp_backward where the
loss is finite, TypeError / silent overflow / float32 arithmetic in the L2 term, no
validation in clip_grad_value and global_norm, AttributeError from sample_xi(rng=0),
a backward pass silently using another activation than its forward pass, NaN with
warnings for T = 0 or N = 0, and complex input losing its imaginary part.
"""
import re
import warnings

import numpy as np
import pytest

from autograder import reference as R
from tests import fd


@pytest.fixture(autouse=True)
def warnings_are_errors():
    # A right answer comes without a RuntimeWarning or ComplexWarning on the way.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


def raises(message, call):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


# ---- softmax cross-entropy: the gradient is finite wherever the loss is ---------------------

@pytest.mark.parametrize("gap", [300.0, 710.0, 800.0, 5000.0])
def test_mlp_backward_is_finite_and_right_when_the_true_logit_is_far_below_the_max(gap):
    X, y, params, _ = fd.mlp_problem(N=3, D=5, H=4, C=6, seed=7)
    params = dict(params, z_b=params["z_b"].copy())
    y = np.array([1, 1, 1])
    params["z_b"][0] += gap            # class 0 dominates; the true class 1 is `gap` below it
    loss = R.mlp_loss(X, y, params, 0.1)
    assert gap - 20 < loss < gap + 20
    _, cache = R.mlp_forward(X, params)
    grads = R.mlp_backward(y, params, cache, 0.1)
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    # d loss / d z_b = mean_n (softmax - one_hot): here very nearly (+1 at class 0, -1 at class 1)
    for k in ("z_b", "y_b", "z_wts"):
        numeric = fd.num_grad(lambda: fd.mlp_loss(X, y, params, 0.1), params[k])
        assert fd.rel_error(grads[k], numeric) < 1e-6, k
    assert abs(grads["z_b"][1] + 1.0) < 1e-12 and abs(grads["z_b"][0] - 1.0) < 1e-12


def test_mlp_backward_takes_the_logits_and_falls_back_on_the_probabilities():
    X, y, params, _ = fd.mlp_problem(N=4, D=5, H=3, C=6, seed=9)
    _, c = R.mlp_forward(X, params)
    from_logits = R.mlp_backward(y, params, c)
    from_probs = R.mlp_backward(y, params, {k: v for k, v in c.items() if k != "z_netIn"})
    assert all(fd.rel_error(from_logits[k], from_probs[k]) < 1e-15 for k in from_logits)
    raises("mlp_backward: cache['z_netIn'] must have shape (N=4, C=6), got shape (4, 5)",
           lambda: R.mlp_backward(y, params, dict(c, z_netIn=c["z_netIn"][:, :5])))


def test_mlp_backward_equals_the_composed_local_rules_where_both_are_finite():
    X, y, params, _ = fd.mlp_problem(N=4, D=5, H=3, C=6, seed=9)
    _, c = R.mlp_forward(X, params)
    g = R.dz_netIn(R.dz_netAct(c["z_netAct"], y), c["z_netAct"])
    g_y = R.dy_netIn(R.dy_netAct(g, params["z_wts"]), c["y_netIn"])
    expected = dict(z_wts=R.dz_wts(g, c["y_netAct"], params["z_wts"], 0.3), z_b=R.dz_b(g),
                    y_wts=R.dy_wts(g_y, X, params["y_wts"], 0.3), y_b=R.dy_b(g_y))
    got = R.mlp_backward(y, params, c, 0.3)
    for k, v in expected.items():
        assert fd.rel_error(got[k], v) < 1e-14, k


# ---- the L2 term on validated float64 arrays ------------------------------------------------

def test_mlp_loss_penalises_lists_int64_and_float32_weights_as_float64():
    X, y, params, _ = fd.mlp_problem(N=3, D=5, H=4, C=6, seed=3)
    ref = R.mlp_loss(X, y, params, 0.5)
    as_lists = {k: v.tolist() for k, v in params.items()}
    assert R.mlp_loss(X, y, as_lists, 0.5) == ref            # was a TypeError (list ** 2)
    f32 = {k: v.astype(np.float32) for k, v in params.items()}
    f32_as_64 = {k: v.astype(np.float64) for k, v in f32.items()}
    assert R.mlp_loss(X, y, f32, 0.5) == R.mlp_loss(X, y, f32_as_64, 0.5)   # was float32 arithmetic
    # int64 squares of 4e9 overflow int64 (silently wrapping); float64 gets them right.
    big = dict(params, y_wts=np.full((5, 4), 4_000_000_000, dtype=np.int64),
               z_wts=np.zeros((4, 6), dtype=np.int64))
    penalty = R.mlp_loss(X, y, big, 1.0) - R.mlp_loss(X, y, big, 0.0)
    assert penalty == pytest.approx(0.5 * 20 * 16e18, rel=1e-12)


def test_rnn_loss_penalises_lists_int64_and_float32_weights_as_float64():
    X, Y, params, h0, _ = fd.rnn_problem(5, 3, 4, 6, 7, "tanh", seed=4)
    ref = R.rnn_loss(X, Y, params, h0, "tanh", 0.5)
    assert R.rnn_loss(X, Y, {k: v.tolist() for k, v in params.items()}, h0, "tanh", 0.5) == ref
    f32 = {k: v.astype(np.float32) for k, v in params.items()}
    assert R.rnn_loss(X, Y, f32, h0, "tanh", 0.5) == R.rnn_loss(
        X, Y, {k: v.astype(np.float64) for k, v in f32.items()}, h0, "tanh", 0.5)
    big = dict(params, W_hq=np.full((6, 7), 4_000_000_000, dtype=np.int64))
    penalty = R.rnn_loss(X, Y, big, h0, "tanh", 1.0) - R.rnn_loss(X, Y, big, h0, "tanh", 0.0)
    expected = 0.5 * (42 * 16e18 + np.sum(params["W_xh"] ** 2) + np.sum(params["W_hh"] ** 2))
    assert penalty == pytest.approx(expected, rel=1e-12)


# ---- clipping and the global norm ------------------------------------------------------------

GRADS = {"W_hh": np.array([[3.0, -7.0], [0.5, 12.0]]), "b_h": np.array([-6.0, 1.0])}


def test_clip_grad_value_clips_and_returns_float64_for_int_and_float32_input():
    out = R.clip_grad_value({"W": np.array([[3, -7], [1, 12]]), "b": np.array([-6.5, 1.25], np.float32)}, 5)
    assert out["W"].dtype == np.float64 and out["b"].dtype == np.float64
    assert out["W"].tolist() == [[3.0, -5.0], [1.0, 5.0]] and out["b"].tolist() == [-5.0, 1.25]
    assert R.clip_grad_value({"a": [1.0, -9.0]}, 2.5)["a"].tolist() == [1.0, -2.5]


def test_global_norm_of_int_float32_and_list_entries():
    assert R.global_norm({"a": np.array([3, 4]), "b": np.zeros(2, np.float32)}) == 5.0
    assert R.global_norm({"a": [[1.0, 2.0]], "b": np.array([2.0], np.float32)}) == 3.0
    assert isinstance(R.global_norm({"a": np.array([3, 4])}), float)
    assert R.global_norm({"a": np.zeros(3)}) == 0.0


@pytest.mark.parametrize("call, message", [
    (lambda: R.clip_grad_value(GRADS, -1.0), "clip_grad_value: clip must be positive, got -1.0"),
    (lambda: R.clip_grad_value(GRADS, 0), "clip_grad_value: clip must be positive, got 0.0"),
    (lambda: R.clip_grad_value(GRADS, float("nan")), "clip_grad_value: clip must be a finite number, got nan"),
    (lambda: R.clip_grad_value(GRADS, "5"), "clip_grad_value: clip must be a real number, got '5'"),
    (lambda: R.clip_grad_value(dict(GRADS, b_h=np.array([np.nan, 1.0])), 5.0),
     "clip_grad_value: grads['b_h'] contains NaN or infinite values"),
    (lambda: R.clip_grad_value([GRADS["W_hh"]], 5.0), "clip_grad_value: grads must be a non-empty dict of arrays, got list"),
    (lambda: R.clip_grad_value({}, 5.0), "clip_grad_value: grads must be a non-empty dict of arrays, got an empty dict"),
    (lambda: R.clip_grad_value({"W": np.array([1 + 2j])}, 5.0),
     "clip_grad_value: grads['W'] must be a real numeric array, got complex values"),
    (lambda: R.global_norm(dict(GRADS, b_h=np.array([np.inf]))), "global_norm: grads['b_h'] contains NaN or infinite values"),
    (lambda: R.global_norm([GRADS["W_hh"]]), "global_norm: grads must be a non-empty dict of arrays, got list"),
    (lambda: R.global_norm({"W": "big"}), "global_norm: grads['W'] must be a real numeric array, got str"),
    (lambda: R.global_norm({"W": [[1.0], [1.0, 2.0]]}), "global_norm: grads['W'] must be a real numeric array, got list"),
    (lambda: R.clip_grad_norm(GRADS, float("nan")), "clip_grad_norm: max_norm must be a finite number, got nan"),
])
def test_clipping_refuses_bad_input_naming_the_argument(call, message):
    raises(message, call)


# ---- sample_xi's rng ---------------------------------------------------------------------------

def test_sample_xi_takes_a_seed_none_a_generator_or_a_randomstate():
    expected = np.where(np.random.default_rng(0).random(9) < 0.4, 2.5, 0.0)
    assert R.sample_xi(9, 0.4, 0).tolist() == expected.tolist()
    assert R.sample_xi(9, 0.4, np.int64(0)).tolist() == expected.tolist()
    assert R.sample_xi(9, 0.4, np.random.default_rng(0)).tolist() == expected.tolist()
    legacy = np.where(np.random.RandomState(3).random_sample(9) < 0.4, 2.5, 0.0)
    assert R.sample_xi(9, 0.4, np.random.RandomState(3)).tolist() == legacy.tolist()
    fresh = R.sample_xi(200, 0.4, None)
    assert fresh.shape == (200,) and set(fresh.tolist()) == {0.0, 2.5}


@pytest.mark.parametrize("rng", ["seed", -1, 1.5, True, np.random])
def test_sample_xi_refuses_other_rngs(rng):
    raises("sample_xi: rng must be a numpy Generator or RandomState, a non-negative integer seed or None",
           lambda: R.sample_xi(5, 0.5, rng))


# ---- the activation is recorded by the forward pass -------------------------------------------

def rnn_case(activation):
    X, Y, params, h0, _ = fd.rnn_problem(6, 3, 4, 5, 7, activation, seed=12)
    _, cache = R.rnn_forward(X, params, h0, activation)
    return Y, params, cache


@pytest.mark.parametrize("call, message", [
    (lambda Y, p, c: R.rnn_backward(Y, p, c),
     "rnn_backward: activation 'relu' does not match the forward pass, which used 'tanh' (cache['activation'])"),
    (lambda Y, p, c: R.bptt_full(Y, p, c), "rnn_backward: activation 'relu' does not match the forward pass"),
    (lambda Y, p, c: R.bptt_truncated(Y, p, c, 2), "rnn_backward: activation 'relu' does not match"),
    (lambda Y, p, c: R.bptt_randomized(Y, p, c, np.ones(6)), "rnn_backward: activation 'relu' does not match"),
])
def test_a_backward_pass_with_another_activation_is_refused(call, message):
    Y, params, cache = rnn_case("tanh")
    raises(message, lambda: call(Y, params, cache))
    Y, params, cache = rnn_case("relu")
    raises("rnn_backward: activation 'tanh' does not match the forward pass, which used 'relu'",
           lambda: R.rnn_backward(Y, params, cache, "tanh"))


def test_rnn2_backward_refuses_another_activation_and_a_forged_one():
    X, Y, params, a, b, _ = fd.rnn2_problem(5, 3, 4, 6, 2, 7, "tanh", seed=5)
    _, cache = R.rnn2_forward(X, params, a, b, "tanh")
    raises("rnn2_backward: activation 'relu' does not match the forward pass, which used 'tanh'",
           lambda: R.rnn2_backward(Y, params, cache))
    raises("rnn2_backward: cache['activation'] must be one of 'relu', 'tanh', got 'sigmoid'",
           lambda: R.rnn2_backward(Y, params, dict(cache, activation="sigmoid"), "tanh"))


def test_a_cache_without_the_activation_entry_is_still_accepted():
    # Caches built by hand (the notebooks' own forward passes) carry no activation: nothing to compare.
    Y, params, cache = rnn_case("tanh")
    bare = {k: v for k, v in cache.items() if k != "activation"}
    full = R.rnn_backward(Y, params, cache, "tanh")
    assert all(np.array_equal(full[k], v) for k, v in R.rnn_backward(Y, params, bare, "tanh").items())


# ---- T = 0, N = 0 and other empty axes -------------------------------------------------------

def empty_cases():
    X, Y, params, h0, _ = fd.rnn_problem(4, 3, 5, 2, 6, "tanh", seed=2)
    Xm, y, mp, _ = fd.mlp_problem(3, 5, 4, 6, seed=2)
    _, cache = R.rnn_forward(X, params, h0, "tanh")
    return {
        "rnn_forward T=0": (lambda: R.rnn_forward(X[:0], params),
                            "rnn_forward: X must have shape (T, N, D) with every size >= 1, got shape (0, 3, 5)"),
        "rnn_forward N=0": (lambda: R.rnn_forward(X[:, :0], params), "rnn_forward: X must have shape"),
        "rnn_loss T=0": (lambda: R.rnn_loss(X[:0], Y[:0], params), "rnn_loss: X must have shape"),
        "rnn_loss N=0": (lambda: R.rnn_loss(X[:, :0], Y[:, :0], params), "got shape (4, 0, 5)"),
        "rnn_backward T=0": (lambda: R.rnn_backward(Y[:0], params, {k: (v[:0] if k in ("X", "h_netIn", "h", "o", "p") else v)
                                                                      for k, v in cache.items()}, "tanh"),
                             "rnn_backward: cache['X'] must have shape (T, N, D) with every size >= 1"),
        "rnn2_forward T=0": (lambda: R.rnn2_forward(X[:0], fd.rnn2_problem(4, 3, 5, 2, 3, 6, "tanh", 1)[2]),
                             "rnn2_forward: X must have shape"),
        "mlp_forward N=0": (lambda: R.mlp_forward(Xm[:0], mp), "mlp_forward: X must have shape (N, D) with every size >= 1"),
        "mlp_loss N=0": (lambda: R.mlp_loss(Xm[:0], y[:0], mp), "mlp_loss: X must have shape (N, D) with every size >= 1"),
        "dy_t N=0": (lambda: R.dy_t(np.ones((0, 6)), np.zeros(0, int), 4), "dy_t: p_t must have shape (N, Q) with every"),
        "dz_netAct N=0": (lambda: R.dz_netAct(np.ones((0, 6)), np.zeros(0, int)), "dz_netAct: z_netAct must have shape"),
        "db_h T=0": (lambda: R.db_h(np.ones((0, 3, 2))), "db_h: dhraw must have shape (T, N, H) with every size >= 1"),
        "regular_carry T=0": (lambda: R.regular_carry(0, 2), "regular_carry: T must be >= 1, got 0"),
        "sample_xi T=0": (lambda: R.sample_xi(0, 0.5, 0), "sample_xi: T must be >= 1, got 0"),
        "softmax empty": (lambda: R.softmax(np.ones((3, 0))), "softmax: logits must have shape (..., C) with every size >= 1"),
        "cross_entropy N=0": (lambda: R.cross_entropy_from_logits(np.ones((0, 4)), np.zeros(0, int)),
                              "log_softmax: logits must have shape (..., C) with every size >= 1"),
    }


@pytest.mark.parametrize("case", list(empty_cases()))
def test_empty_sequences_and_batches_are_refused_without_nan(case):
    call, message = empty_cases()[case]
    raises(message, call)


# ---- complex (and other non-real) input is refused, not truncated -----------------------------

def complex_cases():
    X, Y, params, h0, _ = fd.rnn_problem(4, 3, 5, 2, 6, "tanh", seed=2)
    Xm, y, mp, _ = fd.mlp_problem(3, 5, 4, 6, seed=2)
    _, cache = R.rnn_forward(X, params, h0, "tanh")
    return {
        "mlp X": (lambda: R.mlp_forward(Xm + 1j, mp),
                  "mlp_forward: X must be a real numeric array of shape (N, D), got complex values (dtype complex128)"),
        "mlp params": (lambda: R.mlp_loss(Xm, y, dict(mp, z_b=mp["z_b"] * (1 + 1e-3j))),
                       "mlp_loss: params['z_b'] must be a real numeric array of shape (C=6,), got complex values"),
        "mlp reg": (lambda: R.mlp_loss(Xm, y, mp, reg=0.1j), "mlp_loss: reg must be a real number, got 0.1j"),
        "mlp reg numpy": (lambda: R.mlp_backward(y, mp, R.mlp_forward(Xm, mp)[1], reg=np.complex128(0.1)),
                          "mlp_backward: reg must be a real number"),
        "rnn h0": (lambda: R.rnn_forward(X, params, h0.astype(complex)), "rnn_forward: h0 must be a real numeric array"),
        "rnn carry": (lambda: R.rnn_backward(Y, params, cache, "tanh", carry=np.ones(4) * 1j),
                      "rnn_backward: carry must be a real numeric array of shape (T=4,), got complex values"),
        "dW_hh": (lambda: R.dW_hh(cache["h"] * 1j, cache["h"]), "dW_hh: h_prev must be a real numeric array"),
        "softmax": (lambda: R.softmax(np.array([[1j, 0]])), "softmax: logits must be a real numeric array"),
        "text X": (lambda: R.mlp_forward(Xm.astype(str), mp), "mlp_forward: X must be a real numeric array of shape (N, D), got dtype <U"),
        "None in X": (lambda: R.mlp_forward([[1.0, None, 2.0, 3.0, 4.0]], mp),
                      "mlp_forward: X must be a real numeric array of shape (N, D), got list"),
        "reg text": (lambda: R.rnn_loss(X, Y, params, reg="0.1"), "rnn_loss: reg must be a real number, got '0.1'"),
    }


@pytest.mark.parametrize("case", list(complex_cases()))
def test_complex_and_non_numeric_input_is_refused(case):
    call, message = complex_cases()[case]
    raises(message, call)


def test_python_ints_beyond_int64_are_read_as_floats():
    _, y, mp, _ = fd.mlp_problem(3, 5, 4, 6, seed=2)
    X = [[2 ** 70, 0, 0, 0, 0]] * 3 + [[0.0] * 5] * 0
    _, cache = R.mlp_forward(np.array(X, dtype=object), mp)
    assert cache["X"].dtype == np.float64 and cache["X"][0, 0] == 2.0 ** 70


# ---- the vectorised BPTT loop is exactly the local rules composed ------------------------------

@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_rnn_backward_equals_the_loop_of_local_rules_with_any_carry(activation):
    X, Y, params, h0, _ = fd.rnn_problem(7, 3, 5, 4, 6, activation, seed=19)
    _, c = R.rnn_forward(X, params, h0, activation)
    carry = np.array([0.5, 2.0, 0.0, 1.0, 3.0, 0.0, 2.0])
    T = 7
    dy, dhraw = np.empty_like(c["p"]), np.empty_like(c["h"])
    nxt = np.zeros((3, 4))
    for t in reversed(range(T)):
        dy[t] = R.dy_t(c["p"][t], Y[t], T)
        dhraw[t] = R.dhraw_t(R.dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]), c["h_netIn"][t], c["h"][t], activation)
        nxt = carry[t] * dhraw[t]
    h_prev = np.concatenate([c["h0"][None], c["h"][:-1]])
    expected = dict(W_xh=R.dW_xh(X, dhraw) + 0.2 * params["W_xh"], W_hh=R.dW_hh(h_prev, dhraw) + 0.2 * params["W_hh"],
                    b_h=R.db_h(dhraw), W_hq=R.dW_hq(c["h"], dy) + 0.2 * params["W_hq"], b_q=R.db_q(dy),
                    h0=R.dh0(nxt, params["W_hh"]))
    got = R.rnn_backward(Y, params, c, activation, reg=0.2, carry=carry)
    assert set(got) == set(expected)
    for k in expected:
        assert fd.rel_error(got[k], expected[k]) < 1e-14, k
    # dW_hh and friends are the sums over time of the per-step outer products
    assert fd.rel_error(R.dW_hh(h_prev, dhraw), sum(h_prev[t].T @ dhraw[t] for t in range(T))) < 1e-14
