"""Graded units of 02_rnn_bptt: the one-layer RNN's local rules and the BPTT loop.

Cases come from a real forward pass (ReLU in the first case, tanh in the
others), and each unit receives the reference's upstream gradients.
"""
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any, TypedDict

import numpy as np
from numpy.typing import NDArray

from .. import reference as R
from ..reference.validate import Array
from .base import Answer, Case, CaseDims, Unit, arbitrary, labels
from .mlp import KINK, at_kink

Params = dict[str, Array]
Labels = NDArray[np.int64]


class Upstream(TypedDict):
    """The gradients of every step (T, N, ...) a local rule receives, and the previous states."""
    dy: Array
    dh: Array
    dhraw: Array
    h_prev: Array


def rnn_problem(rng: np.random.Generator, d: CaseDims,
                activation: str | None = None) -> tuple[Params, Array, Labels, R.RnnCache, str]:
    """Parameters, a sequence, targets and the forward cache for one case.

    The initial state h0 is never zero (one row is, under ReLU). With ReLU, two pre-activations
    of step 1 (the step the local rules are checked at) sit within 1e-8 of the kink, and one of
    step 0 is exactly at it: finite differences are wrong there.
    """
    T, N, D, H, Q = d["T"], d["N"], d["D"], d["H"], d["Q"]
    activation = activation or d["activation"]
    if activation not in ("relu", "tanh"):
        activation = "tanh"     # a case of the ValueError promise: the forward pass ran with tanh
    params = dict(W_xh=rng.standard_normal((D, H)) * 0.5, W_hh=rng.standard_normal((H, H)) * 0.5,
                  b_h=rng.standard_normal(H) * 0.2, W_hq=rng.standard_normal((H, Q)) * 0.5,
                  b_q=rng.standard_normal(Q) * 0.2)
    X = rng.standard_normal((T, N, D))
    Y = labels(rng, Q, (T, N), d)
    h0 = rng.standard_normal((N, H)) * 0.5
    if d.get("zero_state"):
        h0[:] = 0.0
    # The kinks are for grading; a diagnosis probe asks for plain random inputs (kinks=False): with
    # N = 1 the zeroed row would be the whole initial state, and the probe would switch two things.
    kinks = activation == "relu" and d.get("kinks", True)
    if kinks:
        # A pre-activation exactly at the kink, in the real forward pass: step 0, last row, unit 1
        # (zero input, zero initial state in that row, zero bias of that unit; other rows keep h0).
        X[0, N - 1], h0[N - 1], params["b_h"][1] = 0.0, 0.0, 0.0
    _, cache = R.rnn_forward(X, params, h0, activation)
    if kinks:
        for t, n, j, sign in ((1, 0, 0, 1), (1, N - 1, H - 1, -1)):
            # Moving X[t, n] along W_xh[:, j] changes step t's pre-activations of row n only.
            w = params["W_xh"][:, j]
            X[t, n] += (sign * KINK - cache["h_netIn"][t, n, j]) * w / (w @ w)
            _, cache = R.rnn_forward(X, params, h0, activation)
    return params, X, Y, cache, activation


def upstream(params: Mapping[str, Array], Y: NDArray[Any], cache: R.RnnCache | Mapping[str, Array], activation: str,
             carry: Array | None = None, rng: np.random.Generator | None = None) -> Upstream:
    """Every intermediate gradient of the (reference) BPTT loop: dy, dh, dhraw per step.

    Y: the (T, N) labels (dy_t checks them); cache: rnn_forward's, or a dict of its arrays.

    With rng, dy and dh are arbitrary upstream gradients instead (dhraw is still
    dh times the activation's derivative, so the slips of the later rules stay defined).
    """
    h, P = cache["h"], cache["p"]
    T = h.shape[0]
    carry = np.ones(T) if carry is None else carry
    dy, dh, dhraw = np.empty_like(P), np.empty_like(h), np.empty_like(h)
    nxt = np.zeros_like(h[0])
    for t in reversed(range(T)):
        dy[t] = R.dy_t(P[t], Y[t], T) if rng is None else rng.standard_normal(P[t].shape) * 0.1
        dh[t] = R.dh_t(dy[t], nxt, params["W_hq"], params["W_hh"]) if rng is None else \
            rng.standard_normal(h[t].shape) * 0.1
        dhraw[t] = R.dhraw_t(dh[t], cache["h_netIn"][t], h[t], activation)
        nxt = carry[t] * dhraw[t]
    h_prev = np.concatenate([cache["h0"][None], h[:-1]])
    return dict(dy=dy, dh=dh, dhraw=dhraw, h_prev=h_prev)


def _up(rng: np.random.Generator, d: CaseDims, params: Params, Y: Labels, cache: R.RnnCache, act: str) -> Upstream:
    return upstream(params, Y, cache, act, rng=rng if arbitrary(d) else None)


def _one_step_only(per_step: Iterable[Array]) -> list[tuple[str, Answer]]:
    """A 'mistake' for each single time step: the sum over time was dropped."""
    return [("uses a single time step: parameter gradients of an RNN are summed over all T steps.", g)
            for g in per_step]


def _dy_t(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    t = max(d["T"] - 2, 0)
    p_t, y_t, T = cache["p"][t], Y[t], d["T"]
    N, Q = p_t.shape
    onehot = R.one_hot(y_t, Q)
    return Case((p_t, y_t, T), R.dy_t(p_t, y_t, T), d, [
        ("is divided by N only: the loss is the mean over all T*N predictions, so divide by T*N.", (p_t - onehot) / N),
        ("is divided by T only: the loss is the mean over all T*N predictions, so divide by T*N.", (p_t - onehot) / T),
        ("divides by T, then multiplies by N: `/ T * N` is `(... / T) * N`; the mean over all T*N predictions is "
         "`/ (T * N)`.", (p_t - onehot) / T * N),
        ("divides by N, then multiplies by T: `/ N * T` is `(... / N) * T`; the mean over all T*N predictions is "
         "`/ (T * N)`.", (p_t - onehot) / N * T),
        ("follows the lecture notes' -1/(N*y_t): that is the gradient at the softmax output, not at the logits o_t.",
         -onehot / (T * N * p_t)),
    ])


def _dW_hq(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    dy = _up(rng, d, params, Y, cache, act)["dy"]
    h = cache["h"]
    return Case((h, dy), R.dW_hq(h, dy), d,
                [("uses the pre-activation h_netIn instead of h_t.", R.dW_hq(cache["h_netIn"], dy))]
                + _one_step_only([h[t].T @ dy[t] for t in (0, -1)]))


def _db_q(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    dy = _up(rng, d, params, Y, cache, act)["dy"]
    return Case((dy,), R.db_q(dy), d, _one_step_only([dy[0].sum(0), dy[-1].sum(0)]) + [
        ("averages instead of summing: the 1/(T*N) is already in dy.", dy.mean(axis=(0, 1)))])


def _dh_t(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    up = _up(rng, d, params, Y, cache, act)
    t = min(1, d["T"] - 1)
    # With one step there is no next one: the rule must hold for any dhraw_next, so it is drawn.
    nxt = up["dhraw"][t + 1] if t + 1 < d["T"] else rng.standard_normal(up["dhraw"][t].shape) * 0.1
    args = (up["dy"][t], nxt, params["W_hq"], params["W_hh"])
    return Case(args, R.dh_t(*args), d, [
        ("is missing the gradient from the future step, dhraw_next @ W_hh.T.", up["dy"][t] @ params["W_hq"].T),
        ("adds h_t as the lecture notes' slip does; the second term is the gradient from the future step, "
         "dhraw_next @ W_hh.T.", up["dy"][t] @ params["W_hq"].T + cache["h"][t]),
        ("sends the future gradient through W_hh instead of W_hh.T.",
         up["dy"][t] @ params["W_hq"].T + nxt @ params["W_hh"]),
    ])


def _dhraw_t(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    up = _up(rng, d, params, Y, cache, act)
    t = min(1, d["T"] - 1)
    if d["activation"] != act:          # the promised ValueError for any other activation
        dh, netIn, h = up["dh"][t], cache["h_netIn"][t], cache["h"][t]
        return Case((dh, netIn, h, d["activation"]), None, d, raises=ValueError)
    dh = up["dh"][t]
    netIn, h = at_kink(cache["h_netIn"][t], act, cache["h"][t])
    args = (dh, netIn, h, act)
    wrong = [("skips the activation: dh_t must be multiplied by phi'(h_netIn_t).", dh)]
    if act == "relu":
        wrong.append(("applies the ReLU mask to the wrong quantity: the mask is (h_netIn_t > 0), not (dh_t > 0).",
                      dh * (dh > 0)))
        wrong.append(("uses the tanh derivative although activation is 'relu'.", dh * (1 - h ** 2)))
    else:
        wrong.append(("takes the tanh derivative of the wrong quantity: 1 - h_t**2 uses the output h_t; "
                      "1 - h_netIn_t**2 uses the input.", dh * (1 - netIn ** 2)))
        wrong.append(("applies tanh twice: 1 - tanh(h_t)**2; h_t is already tanh(h_netIn_t).",
                      dh * (1 - np.tanh(h) ** 2)))
        wrong.append(("uses the ReLU derivative although activation is 'tanh'.", dh * (netIn > 0)))
        wrong.append(("squares 1 - h_t: (1 - h_t)**2 is not tanh's derivative 1 - h_t**2 (the square belongs to "
                      "h_t alone).", dh * (1 - h) ** 2))
        wrong.append(("leaves out the square: tanh's derivative is 1 - h_t**2, not 1 - h_t.", dh * (1 - h)))
    return Case(args, R.dhraw_t(*args), d, wrong)


def _dW_hh(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    up = _up(rng, d, params, Y, cache, act)
    h_prev, dhraw = up["h_prev"], up["dhraw"]
    return Case((h_prev, dhraw), R.dW_hh(h_prev, dhraw), d,
                [("pairs dhraw_t with h_t instead of h_{t-1}: the recurrent weight multiplies the previous state.",
                  R.dW_hh(cache["h"], dhraw))]
                + _one_step_only([h_prev[t].T @ dhraw[t] for t in (0, -1)]))


def _dW_xh(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    dhraw = _up(rng, d, params, Y, cache, act)["dhraw"]
    return Case((X, dhraw), R.dW_xh(X, dhraw), d, _one_step_only([X[t].T @ dhraw[t] for t in (0, -1)]))


def _db_h(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    up = _up(rng, d, params, Y, cache, act)
    dhraw = up["dhraw"]
    return Case((dhraw,), R.db_h(dhraw), d, _one_step_only([dhraw[0].sum(0), dhraw[-1].sum(0)]) + [
        ("sums dh (before the activation) instead of dhraw.", up["dh"].sum(axis=(0, 1)))])


def _dX(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    up = _up(rng, d, params, Y, cache, act)
    dhraw, W_xh = up["dhraw"], params["W_xh"]
    return Case((dhraw, W_xh), R.dX(dhraw, W_xh), d, [
        ("sums over time: every step has its own input x_t, so dX keeps one gradient per step (T, N, D).",
         np.broadcast_to(dhraw.sum(axis=0) @ W_xh.T, X.shape).copy()),
        ("divides by T*N again: the 1/(T*N) of the mean loss is already in dhraw.", dhraw @ W_xh.T / (d["T"] * d["N"])),
    ])


def _dh0(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    up = _up(rng, d, params, Y, cache, act)
    dhraw_0, W_hh = up["dhraw"][0], params["W_hh"]
    return Case((dhraw_0, W_hh), R.dh0(dhraw_0, W_hh), d, [
        ("sends the gradient through W_hh instead of W_hh.T.", dhraw_0 @ W_hh),
        ("returns dhraw_0 itself: the initial state reaches h_netIn_0 through W_hh, so multiply by W_hh.T.",
         dhraw_0.copy()),
    ])


GRAD_KEYS = ("W_xh", "W_hh", "b_h", "W_hq", "b_q")


def bptt_variant(Y: Labels, params: Mapping[str, Array], cache: R.RnnCache, act: str, carry: Array | None = None,
                 h0_zero: bool = False, pair_h_t: bool = False, untransposed: bool = False) -> dict[str, Array]:
    """BPTT with one slip: carry[t] scales the gradient from step t into t-1 (zeros: no future
    term), h0_zero forgets the initial state, pair_h_t pairs dhraw_t with h_t in dW_hh,
    untransposed sends the future gradient through W_hh instead of W_hh.T."""
    X, h, P = cache["X"], cache["h"], cache["p"]
    T = h.shape[0]
    carry = np.ones(T) if carry is None else carry
    back = params["W_hh"] if untransposed else params["W_hh"].T
    dy = np.stack([R.dy_t(P[t], Y[t], T) for t in range(T)])
    dhraw = np.empty_like(h)
    nxt = np.zeros_like(h[0])
    for t in reversed(range(T)):
        dhraw[t] = R.dhraw_t(dy[t] @ params["W_hq"].T + nxt @ back, cache["h_netIn"][t], h[t], act)
        nxt = carry[t] * dhraw[t]
    h0 = np.zeros_like(cache["h0"]) if h0_zero else cache["h0"]
    h_prev = h if pair_h_t else np.concatenate([h0[None], h[:-1]])
    return {"W_xh": R.dW_xh(X, dhraw), "W_hh": R.dW_hh(h_prev, dhraw), "b_h": R.db_h(dhraw),
            "W_hq": R.dW_hq(h, dy), "b_q": R.db_q(dy)}


NO_FUTURE = "the gradient from the future step is missing: dh_t must include dhraw_{t+1} @ W_hh.T."


def backward_mistakes(params: Params, Y: Labels, cache: R.RnnCache, act: str,
                      carry: Array | None = None) -> list[tuple[str, Answer]]:
    """Whole-loop mistakes of a BPTT implementation (any carry), as (message, wrong grads)."""
    v = partial(bptt_variant, Y, params, cache, act)
    return [
        (NO_FUTURE, v(carry=np.zeros(Y.shape[0]))),
        ("the initial state is left out: at t = 0 the previous state is cache['h0'], not zeros.",
         v(carry=carry, h0_zero=True)),
        ("dhraw_t is paired with h_t instead of h_{t-1}: the recurrent weight multiplies the previous state.",
         v(carry=carry, pair_h_t=True)),
        ("the future gradient goes through W_hh instead of W_hh.T.", v(carry=carry, untransposed=True)),
    ]


def _rnn_backward(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    full = R.rnn_backward(Y, params, cache, act)
    return Case((Y, params, cache, act), {k: full[k] for k in GRAD_KEYS}, d,
                backward_mistakes(params, Y, cache, act))


STEP_ORACLES = ("dy_t", "dW_hq", "db_q", "dh_t", "dhraw_t", "dW_hh", "dW_xh", "db_h")
DIMS = ("T", "N", "D", "H", "Q", "activation")

UNITS = [
    Unit("dy_t", _dy_t, dims_used=DIMS),
    Unit("dW_hq", _dW_hq, dims_used=DIMS, upstream=("dy",)),
    Unit("db_q", _db_q, dims_used=DIMS, upstream=("dy",)),
    Unit("dh_t", _dh_t, dims_used=DIMS, upstream=("dy_t", "dhraw_next",)),
    Unit("dhraw_t", _dhraw_t, dims_used=DIMS, upstream=("dh_t",), variants=({}, {}, {}, dict(activation="sigmoid"))),
    Unit("dW_hh", _dW_hh, dims_used=DIMS, upstream=("dhraw",)),
    Unit("dW_xh", _dW_xh, dims_used=DIMS, upstream=("dhraw",)),
    Unit("db_h", _db_h, dims_used=DIMS, upstream=("dhraw",)),
    Unit("dX", _dX, dims_used=DIMS, upstream=("dhraw",)),
    Unit("dh0", _dh0, dims_used=DIMS, upstream=("dhraw_0",)),
    Unit("rnn_backward", _rnn_backward,
         oracles=STEP_ORACLES, dims_used=DIMS),
]
