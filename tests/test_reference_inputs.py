"""Extreme and bad inputs to the reference.

Extreme: logits of +-1000 give finite, exact softmax and cross-entropy values.
Bad: every wrong call raises ValueError whose message names the function, the
argument and (for shape errors) the expected shape, e.g.
"mlp_forward: params['y_wts'] must have shape (D=5, H)".
"""
import re
from types import MappingProxyType

import numpy as np
import pytest

from autograder import reference as R
from tests import fd

# ---- numerical stability ------------------------------------------------------------------


def test_softmax_of_huge_logits_is_finite_and_exact():
    logits = np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 1000.0], [-1000.0, -1000.0, -999.0]])
    p = R.softmax(logits)
    assert np.all(np.isfinite(p))
    assert p[0].tolist() == [1.0, 0.0, 0.0]
    assert np.allclose(p[1], 1 / 3, rtol=1e-15, atol=0)
    e = np.exp(-1.0)
    assert np.allclose(p[2], [e / (2 * e + 1), e / (2 * e + 1), 1 / (2 * e + 1)], rtol=1e-15, atol=0)


def test_cross_entropy_of_huge_logits_is_finite_and_exact():
    logits = np.array([[1000.0, 0.0, -1000.0]])
    assert R.cross_entropy_from_logits(logits, np.array([0])) == 0.0          # certain and right
    assert R.cross_entropy_from_logits(logits, np.array([1])) == 1000.0       # confident and wrong: no log(0)
    assert R.cross_entropy_from_logits(logits, np.array([2])) == 2000.0
    same = np.full((2, 4), -1000.0)
    assert abs(R.cross_entropy_from_logits(same, np.array([0, 3])) - np.log(4)) < 1e-15
    assert R.log_softmax(logits).tolist() == [[0.0, -1000.0, -2000.0]]


def test_forward_passes_and_output_gradients_with_huge_logits_stay_finite():
    X, Y, params, h0, _ = fd.rnn_problem(7, 3, 5, 4, 6, "tanh", seed=8)
    big = dict(params, W_hq=params["W_hq"] * 3000.0)       # |o_t| in the thousands
    P, cache = R.rnn_forward(X, big, h0, "tanh")
    assert np.max(np.abs(cache["o"])) > 1000
    assert np.all(np.isfinite(P)) and np.allclose(P.sum(-1), 1.0, rtol=0, atol=1e-15)
    assert np.isfinite(R.rnn_loss(X, Y, big, h0, "tanh"))
    grads = R.rnn_backward(Y, big, cache, "tanh")
    assert all(np.all(np.isfinite(g)) for g in grads.values())
    # dy_t = (p_t - one_hot)/(T*N) is bounded by 1/(T*N) whatever the logits
    assert np.max(np.abs(R.dy_t(P[0], Y[0], 7))) <= 1 / 21


def test_saturated_softmax_is_a_clear_error_for_dz_netAct_not_inf():
    # dz_netAct = -1/(N*z) at the true class is infinite when the softmax underflows to 0
    # there; the local rule refuses instead of returning -inf (dz_netIn would then be NaN).
    z = R.softmax(np.array([[1000.0, 0.0, -1000.0]]))
    with pytest.raises(ValueError, match=r"dz_netAct: z_netAct must be positive at the true class"):
        R.dz_netAct(z, np.array([2]))


# ---- bad inputs ---------------------------------------------------------------------------

def mlp_setup():
    X, y, params, _ = fd.mlp_problem(3, 5, 4, 6, seed=2)
    _, cache = R.mlp_forward(X, params)
    return X, y, params, cache


def rnn_setup():
    X, Y, params, h0, _ = fd.rnn_problem(7, 3, 5, 4, 6, "tanh", seed=2)
    _, cache = R.rnn_forward(X, params, h0, "tanh")
    return X, Y, params, h0, cache


def rnn2_setup():
    X, Y, params, a, b, _ = fd.rnn2_problem(7, 3, 5, 4, 8, 6, "tanh", seed=2)
    _, cache = R.rnn2_forward(X, params, a, b, "tanh")
    return X, Y, params, cache


def without(d, key):
    return {k: v for k, v in d.items() if k != key}


X, y, MP, MC = mlp_setup()
RX, RY, RP, RH0, RC = rnn_setup()
X2, Y2, P2, C2 = rnn2_setup()
z = MC["z_netAct"]
nan_X = X.copy()
nan_X[1, 2] = np.nan

BAD = {
    # mismatched shapes, named with the expected shape
    "mlp X vs y_wts": (lambda: R.mlp_forward(X, dict(MP, y_wts=np.ones((6, 4)))),
                       "mlp_forward: params['y_wts'] must have shape (D=5, H), got shape (6, 4)"),
    "mlp_backward y_wts": (lambda: R.mlp_backward(y, dict(MP, y_wts=np.ones((6, 4))), MC),
                           "mlp_backward: params['y_wts'] must have shape (D=5, H=4), got shape (6, 4)"),
    "mlp_backward cache y_netIn": (lambda: R.mlp_backward(y, MP, dict(MC, y_netIn=MC["y_netIn"][:2])),
                                   "mlp_backward: cache['y_netIn'] must have shape (N=3, H), got shape (2, 4)"),
    "dz_netIn C": (lambda: R.dz_netIn(z, z[:, :5]), "dz_netIn: z_netAct must have shape (N=3, C=6), got shape (3, 5)"),
    "dz_wts z_wts transposed": (lambda: R.dz_wts(z, MC["y_netAct"], MP["z_wts"].T),
                                "dz_wts: z_wts must have shape (H=4, C=6), got shape (6, 4)"),
    "dy_netAct z_wts transposed": (lambda: R.dy_netAct(z, MP["z_wts"].T),
                                   "dy_netAct: z_wts must have shape (H=6, C=6), got shape (6, 4)"),
    "dy_netIn N": (lambda: R.dy_netIn(MC["y_netIn"], MC["y_netIn"][:2]),
                   "dy_netIn: y_netIn must have shape (N=3, H=4), got shape (2, 4)"),
    "dy_wts X": (lambda: R.dy_wts(MC["y_netIn"], X[:, :3], MP["y_wts"]),
                 "dy_wts: y_wts must have shape (D=3, H=4), got shape (5, 4)"),
    "rnn W_hh not square": (lambda: R.rnn_forward(RX, dict(RP, W_hh=np.ones((4, 5)))),
                            "rnn_forward: params['W_hh'] must have shape (H=4, H=4), got shape (4, 5)"),
    "rnn h0": (lambda: R.rnn_forward(RX, RP, RH0.T), "rnn_forward: h0 must have shape (N=3, H=4), got shape (4, 3)"),
    "rnn_backward W_xh vs cache X": (lambda: R.rnn_backward(RY, dict(RP, W_xh=np.ones((6, 4))), RC, "tanh"),
                                     "rnn_backward: params['W_xh'] must have shape (D=5, H=4), got shape (6, 4)"),
    "rnn_backward cache h": (lambda: R.rnn_backward(RY, RP, dict(RC, h=RC["h"][:, :, :3]), "tanh"),
                             "rnn_backward: cache['h'] must have shape (T=7, N=3, H=4), got shape (7, 3, 3)"),
    "rnn_backward Y transposed": (lambda: R.rnn_backward(RY.T, RP, RC, "tanh"),
                                  "rnn_backward: Y must have shape (T=7, N=3), got shape (3, 7)"),
    "rnn_backward carry": (lambda: R.rnn_backward(RY, RP, RC, "tanh", carry=np.ones(6)),
                           "rnn_backward: carry must have shape (T=7,), got shape (6,)"),
    "dh_t W_hq transposed": (lambda: R.dh_t(np.ones((3, 6)), np.ones((3, 4)), RP["W_hq"].T, RP["W_hh"]),
                             "dh_t: W_hq must have shape (H=4, Q=6), got shape (6, 4)"),
    "dW_hh T": (lambda: R.dW_hh(RC["h"][:6], RC["h"]), "dW_hh: dhraw must have shape (T=6, N=3, H=4), got shape (7, 3, 4)"),
    "dh0 W_hh": (lambda: R.dh0(np.ones((3, 4)), np.ones((4, 5))), "dh0: W_hh must have shape (H=4, H=4), got shape (4, 5)"),
    "dh1_t W_xh2 transposed": (lambda: R.dh1_t(np.ones((3, 8)), np.ones((3, 4)), P2["W_xh2"].T, P2["W_hh1"]),
                               "dh1_t: W_xh2 must have shape (H1=4, H2=8), got shape (8, 4)"),
    "rnn2_backward cache h2": (lambda: R.rnn2_backward(Y2, P2, dict(C2, h2=C2["h1"]), "tanh"),
                               "rnn2_backward: cache['h2'] must have shape (T=7, N=3, H2=8), got shape (7, 3, 4)"),
    "bptt_randomized xi": (lambda: R.bptt_randomized(RY, RP, RC, np.ones(6), "tanh"),
                           "bptt_randomized: xi must have shape (T=7,), got shape (6,)"),
    # wrong number of dimensions
    "mlp X 3-D": (lambda: R.mlp_forward(X[None], MP), "mlp_forward: X must have shape (N, D) (2-D), got shape (1, 3, 5)"),
    "rnn X 2-D": (lambda: R.rnn_forward(RX[0], RP), "rnn_forward: X must have shape (T, N, D) (3-D), got shape (3, 5)"),
    "dz_b 1-D": (lambda: R.dz_b(np.ones(3)), "dz_b: dz_netIn must have shape (N, C) (2-D), got shape (3,)"),
    "db_q 2-D": (lambda: R.db_q(np.ones((3, 6))), "db_q: dy must have shape (T, N, Q) (3-D), got shape (3, 6)"),
    "dW_xh 2-D": (lambda: R.dW_xh(RX[0], RC["h"]), "dW_xh: X must have shape (T, N, D) (3-D), got shape (3, 5)"),
    "dz_netAct y 2-D": (lambda: R.dz_netAct(z, y[:, None]), "dz_netAct: y must have shape (N=3,) (1-D), got shape (3, 1)"),
    "dz_netAct z None": (lambda: R.dz_netAct(None, y),
                         "dz_netAct: z_netAct must be a real numeric array of shape (N, C), got NoneType"),
    # labels out of range
    "dz_netAct label C": (lambda: R.dz_netAct(z, np.array([0, 6, 1])), "dz_netAct: y has label 6 outside 0..5 (6 classes)"),
    "dz_netAct label negative": (lambda: R.dz_netAct(z, np.array([0, -1, 1])), "dz_netAct: y has label -1 outside 0..5"),
    "mlp_loss label": (lambda: R.mlp_loss(X, np.array([0, 1, 7]), MP), "mlp_loss: y has label 7 outside 0..5"),
    "dy_t label": (lambda: R.dy_t(RC["p"][0], RY[0] + 6, 7), "dy_t: y_t has label"),
    "rnn_backward label": (lambda: R.rnn_backward(RY + 6, RP, RC, "tanh"), "rnn_backward: Y has label"),
    "rnn2_backward label": (lambda: R.rnn2_backward(Y2 - 7, P2, C2, "tanh"), "rnn2_backward: Y has label"),
    # non-integer labels
    "dz_netAct float labels": (lambda: R.dz_netAct(z, y.astype(float)), "dz_netAct: y must hold integer class labels, got floats"),
    "dz_netAct fractional labels": (lambda: R.dz_netAct(z, y + 0.5), "dz_netAct: y must hold integer class labels, got dtype float64"),
    "dz_netAct bool labels": (lambda: R.dz_netAct(z, y > 0), "dz_netAct: y must hold integer class labels, got dtype bool"),
    "dz_netAct None labels": (lambda: R.dz_netAct(z, None), "dz_netAct: y must hold integer class labels"),
    "rnn_loss float labels": (lambda: R.rnn_loss(RX, RY * 1.0, RP, RH0, "tanh"), "rnn_loss: Y must hold integer class labels"),
    # non-finite values
    "mlp X NaN": (lambda: R.mlp_forward(nan_X, MP), "mlp_forward: X contains NaN or infinite values"),
    "rnn_forward W_hh inf": (lambda: R.rnn_forward(RX, dict(RP, W_hh=RP["W_hh"] * np.inf)),
                             r"rnn_forward: params['W_hh'] contains NaN or infinite values"),
    "rnn_backward cache h NaN": (lambda: R.rnn_backward(RY, RP, dict(RC, h=RC["h"] * np.nan), "tanh"),
                                 "rnn_backward: cache['h'] contains NaN or infinite values"),
    "bptt_randomized xi NaN": (lambda: R.bptt_randomized(RY, RP, RC, np.full(7, np.nan), "tanh"),
                               "bptt_randomized: xi contains NaN or infinite values"),
    "clip NaN": (lambda: R.clip_grad_norm(dict(a=np.ones(2), b=np.array([np.nan])), 1.0),
                 "clip_grad_norm: grads['b'] contains NaN or infinite values"),
    "mlp_loss reg NaN": (lambda: R.mlp_loss(X, y, MP, reg=float("nan")), "mlp_loss: reg must be a finite number >= 0.0"),
    # unknown activation
    "rnn_forward sigmoid": (lambda: R.rnn_forward(RX, RP, activation="sigmoid"),
                            "rnn_forward: unknown activation 'sigmoid'; expected one of 'relu', 'tanh'"),
    "rnn_backward Tanh": (lambda: R.rnn_backward(RY, RP, RC, "Tanh"), "rnn_backward: unknown activation 'Tanh'"),
    "dhraw_t None": (lambda: R.dhraw_t(np.ones((3, 4)), np.ones((3, 4)), np.ones((3, 4)), None),
                     "dhraw_t: unknown activation None"),
    "rnn2_forward softmax": (lambda: R.rnn2_forward(X2, P2, activation="softmax"), "rnn2_forward: unknown activation"),
    "bptt_truncated sig": (lambda: R.bptt_truncated(RY, RP, RC, 2, "sig"), "rnn_backward: unknown activation 'sig'"),
    # missing or malformed dicts
    "mlp_forward params missing": (lambda: R.mlp_forward(X, without(MP, "z_b")), "mlp_forward: params is missing z_b"),
    "mlp_forward params list": (lambda: R.mlp_forward(X, [1, 2]), "mlp_forward: params must be a dict of arrays, got list"),
    "mlp_backward params missing": (lambda: R.mlp_backward(y, without(MP, "z_wts"), MC),
                                    "mlp_backward: params is missing z_wts"),
    "mlp_backward cache missing": (lambda: R.mlp_backward(y, MP, without(MC, "y_netIn")),
                                   "mlp_backward: cache is missing y_netIn"),
    "rnn_forward params missing": (lambda: R.rnn_forward(RX, without(RP, "W_hh")), "rnn_forward: params is missing W_hh"),
    "rnn_backward params missing": (lambda: R.rnn_backward(RY, without(RP, "b_q"), RC, "tanh"),
                                    "rnn_backward: params is missing b_q"),
    "rnn_backward cache missing": (lambda: R.rnn_backward(RY, RP, without(RC, "h_netIn"), "tanh"),
                                   "rnn_backward: cache is missing h_netIn"),
    "rnn_backward cache None": (lambda: R.rnn_backward(RY, RP, None, "tanh"),
                                "rnn_backward: cache must be a dict of arrays, got NoneType"),
    "rnn2_forward params missing": (lambda: R.rnn2_forward(X2, without(P2, "W_hh2")), "rnn2_forward: params is missing W_hh2"),
    "rnn2_backward params missing": (lambda: R.rnn2_backward(Y2, without(P2, "W_xh2"), C2, "tanh"),
                                     "rnn2_backward: params is missing W_xh2"),
    "rnn2_backward cache missing": (lambda: R.rnn2_backward(Y2, P2, without(C2, "h1"), "tanh"),
                                    "rnn2_backward: cache is missing h1"),
    "bptt_truncated cache missing": (lambda: R.bptt_truncated(RY, RP, without(RC, "h"), 2, "tanh"),
                                     "bptt_truncated: cache must be the dict returned by the forward pass"),
    "bptt_randomized cache None": (lambda: R.bptt_randomized(RY, RP, None, np.ones(7), "tanh"),
                                   "bptt_randomized: cache must be the dict returned by the forward pass"),
    "clip list": (lambda: R.clip_grad_norm([np.ones(3)], 1.0), "clip_grad_norm: grads must be a non-empty dict"),
    "clip empty": (lambda: R.clip_grad_norm({}, 1.0), "clip_grad_norm: grads must be a non-empty dict"),
    "clip text entry": (lambda: R.clip_grad_norm({"W_hh": "x"}, 1.0),
                        "clip_grad_norm: grads['W_hh'] must be a real numeric array, got str"),
    # scalars
    "rnn_backward reg negative": (lambda: R.rnn_backward(RY, RP, RC, "tanh", reg=-0.1),
                                  "rnn_backward: reg must be a finite number >= 0.0"),
    "rnn_loss reg negative": (lambda: R.rnn_loss(RX, RY, RP, RH0, "tanh", reg=-0.1), "rnn_loss: reg must be a finite number"),
    "dz_wts reg text": (lambda: R.dz_wts(z, MC["y_netAct"], MP["z_wts"], "a"), "dz_wts: reg must be a real number, got 'a'"),
    "dy_t T float": (lambda: R.dy_t(RC["p"][0], RY[0], 7.0), "dy_t: T must be an integer, got 7.0"),
    "dy_t T zero": (lambda: R.dy_t(RC["p"][0], RY[0], 0), "dy_t: T must be >= 1, got 0"),
    "bptt_truncated k zero": (lambda: R.bptt_truncated(RY, RP, RC, 0, "tanh"), "regular_carry: k must be >= 1, got 0"),
    "bptt_truncated k float": (lambda: R.bptt_truncated(RY, RP, RC, 2.5, "tanh"), "regular_carry: k must be an integer, got 2.5"),
    "bptt_randomized xi negative": (lambda: R.bptt_randomized(RY, RP, RC, -np.ones(7), "tanh"),
                                    "bptt_randomized: xi must be non-negative"),
    "sample_xi pi": (lambda: R.sample_xi(7, 1.5, np.random.default_rng(0)), r"sample_xi: pi must be in (0, 1], got 1.5"),
    "clip max_norm zero": (lambda: R.clip_grad_norm({"a": np.ones(3)}, 0), "clip_grad_norm: max_norm must be positive, got 0.0"),
    "clip overflow": (lambda: R.clip_grad_norm({"a": np.full(4, 1e308)}, 1.0),
                      "clip_grad_norm: the global norm of grads overflows float64"),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_raises_value_error_naming_the_argument(case):
    call, message = BAD[case]
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_params_and_cache_may_be_any_mapping():
    # The signatures take Mapping[str, ...]: a read-only view gives exactly the dict's answer.
    view = MappingProxyType
    same = lambda a, b: a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)  # noqa: E731
    assert same(R.mlp_backward(y, view(MP), view(MC), 0.1), R.mlp_backward(y, MP, MC, 0.1))
    assert np.array_equal(R.mlp_forward(X, view(MP))[0], R.mlp_forward(X, MP)[0])
    assert same(R.rnn_backward(RY, view(RP), view(RC), "tanh"), R.rnn_backward(RY, RP, RC, "tanh"))
    assert same(R.bptt_truncated(RY, view(RP), view(RC), 2, "tanh"), R.bptt_truncated(RY, RP, RC, 2, "tanh"))
    assert same(R.rnn2_backward(Y2, view(P2), view(C2), "tanh"), R.rnn2_backward(Y2, P2, C2, "tanh"))


def test_exploding_but_finite_gradients_are_clipped_not_zeroed():
    # Squares of 1e200 overflow; the norm is still computed (scaled by the largest entry).
    grads = {"W_hh": np.array([[3e200, 4e200]]), "b_h": np.zeros(2)}
    clipped, norm = R.clip_grad_norm(grads, 5.0)
    assert abs(norm - 5e200) <= 1e-15 * 5e200
    assert np.allclose(clipped["W_hh"], [[3.0, 4.0]], rtol=1e-15, atol=0)


def test_the_arguments_are_not_modified():
    X0, y0, P0, C0 = mlp_setup()
    saved = [a.copy() for a in (X0, y0, *P0.values(), *C0.values())]
    R.mlp_backward(y0, P0, C0, 0.1)
    after = [X0, y0, *P0.values(), *C0.values()]
    assert all(np.array_equal(a, b) for a, b in zip(saved, after))
    _, Y0, Q0, _, K0 = rnn_setup()
    arrays = (Y0, *Q0.values(), *(v for k, v in K0.items() if k != "activation"))
    saved = [a.copy() for a in arrays]
    R.bptt_randomized(Y0, Q0, K0, np.full(7, 2.0), "tanh")
    assert all(np.array_equal(a, b) for a, b in zip(saved, arrays))
    assert K0["activation"] == "tanh"
