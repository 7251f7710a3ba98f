"""Graded units of 04_long_histories: the predicted gradient rate, path weights, regular and randomized
truncation, clipping."""
from collections.abc import Mapping
from typing import Any, TypedDict

import numpy as np
from numpy.typing import NDArray

from .. import reference as R
from ..reference.validate import Array
from .base import Case, CaseDims, Unit
from .rnn import GRAD_KEYS, NO_FUTURE, backward_mistakes, rnn_problem

DIMS = ("T", "N", "D", "H", "Q", "k", "activation")


def _pick(g: Mapping[str, Array]) -> dict[str, Array]:
    return {k: g[k] for k in GRAD_KEYS}


def _bptt_truncated(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    T, k = d["T"], d["k"]
    carry = R.regular_carry(T, k)
    # The carry's and the sums' slips (no cut, a cut one step off, chunks from the end, a window off by
    # one, the cut on the sums) are rewrite rules of the loop: checks/loops.py.
    # (A cut at every step is the loop rule in the chunks' words, not "the future term is missing".)
    return Case((Y, params, cache, k, act), _pick(R.rnn_backward(Y, params, cache, act, carry=carry)), d,
                [m for m in backward_mistakes(params, Y, cache, act, carry) if m[0] != NO_FUTURE])


def _xi(rng: np.random.Generator, T: int, pi: float | str) -> Array:
    if pi == "any":            # any non-negative multipliers, as the docstring allows
        xi = rng.uniform(0.5, 3.0, T)
        xi[1:2] = 0.0
        return xi
    if isinstance(pi, str):
        raise ValueError(f"bptt_randomized's cases: pi is a probability or 'any', not {pi!r}")
    xi = np.where(rng.random(T) < pi, 1.0 / pi, 0.0)
    xi[1:2], xi[2:3] = 0.0, 1.0 / pi          # both outcomes always appear (when T > 2)
    return xi


def _bptt_randomized(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    T = d["T"]
    xi = _xi(rng, T, d["pi"])

    # The uses of xi that are slips (ignored, a 0/1 mask, another weight, a step late or early, on the
    # stored dhraw_t) are rewrite rules of the loop: checks/loops.py.
    return Case((Y, params, cache, xi, act), _pick(R.rnn_backward(Y, params, cache, act, carry=xi)), d,
                backward_mistakes(params, Y, cache, act, xi))


def _clip_gradients(rng: np.random.Generator, d: CaseDims) -> Case:
    H, D, Q = d["H"], d["D"], d["Q"]
    shapes = dict(W_xh=(D, H), W_hh=(H, H), b_h=(H,), W_hq=(H, Q), b_q=(Q,))
    grads = {k: rng.standard_normal(s) for k, s in shapes.items()}
    if d["ratio"] == 0:                   # all gradients zero (global norm 0): returned unchanged, norm 0
        grads = {k: np.zeros(s) for k, s in shapes.items()}
        return Case((grads, 1.0), ({k: g.copy() for k, g in grads.items()}, np.float64(0.0)), d)
    norm = R.global_norm(grads)
    max_norm = norm * d["ratio"]          # ratio < 1: the norm is above the threshold and is clipped
    clipped, n = R.clip_grad_norm(grads, max_norm)

    def scaled(f: float) -> dict[str, Array]:
        return {k: g * f for k, g in grads.items()}
    n64 = np.float64(n)

    def by_norm(m: float) -> tuple[dict[str, Array], np.float64]:
        """Clipped by the wrong norm m, m returned."""
        return scaled(min(1.0, max_norm / m)), np.float64(m)
    w_norm = float(np.sqrt(sum(np.sum(g ** 2) for k, g in grads.items() if k.startswith("W"))))
    # The norm taken wrongly: each a rewrite of the global norm, the clipping right for that norm (not a
    # root mean square: near 1 for these gradients, it is below max_norm and coincides with "unchanged").
    wrong_norms = [
        ("the norm is the sum of the arrays' own norms; the global norm is the square root of the sum of all "
         "squared entries, over every array together.", by_norm(float(sum(np.linalg.norm(g) for g in grads.values())))),
        ("the biases are left out of the norm: the global norm counts every gradient, b_h and b_q included.",
         by_norm(w_norm)),
    ]
    return Case((grads, max_norm), (clipped, n64), d, [
        ("each entry is clipped to [-max_norm, max_norm] (min-char-rnn's np.clip); scale every array by "
         "the same factor min(1, max_norm / norm) instead.", (R.clip_grad_value(grads, max_norm), n64)),
        ("each array is clipped by its own norm; the norm is taken over all gradients together.",
         ({k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}, n64)),
        ("the norm is returned after clipping; return the norm before clipping.", (clipped, np.float64(min(n, max_norm)))),
        ("the gradients are rescaled to max_norm even when their norm is already smaller.",
         (scaled(max_norm / n), n64)),
        ("the scale is inverted: the factor is max_norm / norm, not norm / max_norm.",
         (scaled(max(1.0, n / max_norm)), n64)),
        ("the norm is the sum of squares without its square root.", (scaled(min(1.0, max_norm / n ** 2)), n64 ** 2)),
        ("the norm is the sum of squares without its square root.", (clipped, n64 ** 2)),
        ("the gradients are returned unchanged: above the threshold they must be scaled by max_norm / norm.",
         (scaled(1.0), n64)),
    ] + wrong_norms, factors=[("the norm", n), ("max_norm", max_norm), ("norm / max_norm", n / max_norm)])


def _predicted_gradient_rate(rng: np.random.Generator, d: CaseDims) -> Case:
    params, X, Y, cache, act = rnn_problem(rng, d)
    W = params["W_hh"] * (d["ratio"] / np.max(np.abs(np.linalg.eigvals(params["W_hh"]))))  # spectral radius `ratio`
    netIn = cache["h_netIn"]
    right = R.predicted_gradient_rate(W, netIn, act)
    sigma, rho = float(right["sigma_max"]), float(right["rho"])
    dphi = R.phi_prime(netIn, np.tanh(netIn), act)

    def answer(sigma: float = sigma, rho: float = rho, dphi: Array = dphi, gamma: float | None = None,
               spread: float | None = None, length: float | None = None) -> dict[str, np.float64]:
        g = float(dphi.max()) if gamma is None else gamma
        q = float(np.sqrt(np.mean(dphi ** 2))) if spread is None else spread
        return dict(sigma_max=np.float64(sigma), rho=np.float64(rho), bound=np.float64(g * sigma),
                    typical=np.float64((rho if length is None else length) * q))
    eig = np.linalg.eigvals(W)
    return Case((W, netIn, act), right, d, [
        ("the largest singular value is the 2-norm of W_hh, not its Frobenius norm (the root of the sum of "
         "its squared entries).", answer(sigma=float(np.linalg.norm(W)))),
        # The spectral radius for sigma_max, in sigma_max and in bound's product: one entry per output, so
        # that an answer with one of them right is told only about the other.
        ("sigma_max is the spectral radius; the largest singular value is another number when W_hh is not "
         "symmetric.", {**right, "sigma_max": np.float64(rho)}),
        ("bound uses the spectral radius where sigma_max belongs (gamma * rho); the bound on the growth is "
         "gamma * sigma_max, the largest singular value.", {**right, "bound": answer(sigma=rho)["bound"]}),
        ("rho is the largest singular value; the spectral radius is the largest |eigenvalue|, another number "
         "when W_hh is not symmetric.", {**right, "rho": np.float64(sigma)}),   # typical from it: the last mistake
        ("rho is the largest real part of the eigenvalues; the eigenvalues of a non-symmetric W_hh are complex, "
         "and the spectral radius is their largest modulus.", answer(rho=float(np.max(eig.real)))),
    ] + [   # gamma from that phi' as its largest value or, as the text's |phi'| reads, its largest modulus
        ("tanh' is computed as 1 - h_netIn**2; it is 1 - tanh(h_netIn)**2.",
         answer(dphi=1.0 - netIn ** 2, gamma=gamma) if act == "tanh" else right)
        for gamma in (None, float(np.max(np.abs(1.0 - netIn ** 2))))
    ] + [
        ("ReLU' is taken as 1 at h_netIn = 0; the course's convention is 0 at the kink (notebook 02).",
         answer(dphi=(netIn >= 0).astype(float)) if act == "relu" else right),
        ("gamma is taken as 1, the largest phi' of any input; here it is the largest phi' among the "
         "pre-activations given.", answer(gamma=1.0)),
        ("typical leaves out phi': every unit's derivative scales that unit's entry of the gradient.",
         answer(spread=1.0)),
        ("typical uses the mean of phi'; the squared length of g * phi' weighs each unit by phi'**2.",
         answer(spread=float(np.mean(dphi)))),
        ("typical uses the mean of phi'**2 without its square root: it is a factor on a length, "
         "not on a squared length.", answer(spread=float(np.mean(dphi ** 2)))),
        ("typical uses the largest phi' (gamma): the typical factor averages over the units.",
         answer(spread=float(dphi.max()))),
        ("typical uses sigma_max, the worst case; a vector not aligned with W_hh's singular vectors grows "
         "by about rho.", answer(length=sigma)),
    ])


def _path_weights(rng: np.random.Generator, d: CaseDims) -> Case:
    T, k = d["T"], d["k"]
    pi = d.get("pi", "regular")
    carry = R.regular_carry(T, k) if pi == "regular" else _xi(rng, T, pi)
    w = R.path_weights(carry)
    shifted = np.zeros((T, T))          # the multipliers of steps t-1, ..., t-j (one step too far back)
    for t in range(T):
        shifted[t, 0] = 1.0
        for j in range(1, t + 1):
            shifted[t, j] = shifted[t, j - 1] * carry[t - j]
    return Case((carry,), w, d, [
        ("takes the multipliers of steps t-1, ..., t-j: the path from h_t down to h_{t-j} crosses the edges "
         "that steps t, t-1, ..., t-j+1 pass back, each scaled by its own carry.", shifted),
        ("is indexed w[j, t]: rows are the step t of the loss, columns the lag j.", w.T),
        ("uses carry as a 0/1 mask: a surviving path is multiplied by the carries themselves "
         "(by 1/pi each under randomized truncation).", R.path_weights((carry > 0).astype(float))),
        ("fills lags j > t: there is no state j steps before step t when j > t, so those weights are 0.",
         np.tril(w) + np.triu(np.ones((T, T)), 1)),
        ("multiplies by the carry of step t-j too: the path stops at h_{t-j} and does not cross the edge "
         "step t-j passes back.", np.array([[w[t, j] * (carry[t - j] if 0 < j <= t else 1.0) for j in range(T)]
                                           for t in range(T)])),
    ])


def _path_weight_moments(rng: np.random.Generator, d: CaseDims) -> Case:
    T, pi = d["T"], d["pi"]
    if isinstance(pi, str):
        raise ValueError(f"path_weight_moments' cases: pi is a probability, not {pi!r}")
    right = R.path_weight_moments(T, pi)
    mean, var = right["mean"], right["var"]
    lower = np.tril(np.ones((T, T)))
    lag = np.tril(np.arange(T)[None, :] * lower)           # lag[t, j] = j on and below the diagonal

    def moments(m: Array, v: Array) -> dict[str, Array]:
        return dict(mean=m * lower, var=v * lower)
    return Case((T, pi), right, d, [
        ("mean is the probability pi**j that a path survives; a surviving path also carries its weight, "
         "the product of the 1/pi's it crosses.", moments(pi ** lag, var)),
        ("var is the mean of w**2; the variance subtracts the squared mean.", moments(mean, pi ** -lag)),
        ("var adds the variances of the j factors; the variance of a product of independent factors is "
         "not their sum: work from the mean of w**2.", moments(mean, lag * (1.0 / pi - 1.0))),
        ("var takes the mean of xi**2 as (1/pi)**2; xi is 1/pi only with probability pi.",
         moments(mean, pi ** (-2.0 * lag) - 1.0)),
        ("var counts one factor too many (lag j + 1): the path to h_{t-j} crosses j multipliers.",
         moments(mean, pi ** -(lag + 1.0) - 1.0)),
        # Lags j > t filled, in mean or in var: one entry per output (an answer may mask one and not the other).
        ("mean fills lags j > t: there is no state j steps before step t, so w is 0 there.",
         dict(mean=np.ones((T, T)), var=var)),
        ("var fills lags j > t: there is no state j steps before step t, so w is 0 there, and so is its variance.",
         dict(mean=mean, var=np.tile(pi ** -np.arange(T, dtype=np.float64) - 1.0, (T, 1)))),
    ])


class _LoopArguments(TypedDict, total=False):
    """carry_helper's arguments, recognised by their kinds (rnn_backward validates their contents)."""
    params: dict[Any, Any]
    cache: dict[Any, Any]
    activation: str
    Y: NDArray[Any]
    carry: NDArray[Any]


def carry_helper(arguments: Mapping[str, object]) -> dict[str, Array] | None:
    """The reference of a helper shared by bptt_truncated and bptt_randomized: the backward loop
    with a multiplier per step (the notebook's hint), recognised by its arguments' values whatever
    their names and order: Y (T, N) ints, params, cache, the (T,) multipliers, the activation.
    None when the call is not one (the student's helper then answers for itself)."""
    found: _LoopArguments = {}
    for value in arguments.values():
        if isinstance(value, dict) and "W_hh" in value:
            found["params"] = value
        elif isinstance(value, dict) and "h_netIn" in value:
            found["cache"] = value
        elif isinstance(value, str) and value in ("relu", "tanh"):
            found["activation"] = value
        elif isinstance(value, np.ndarray) and value.ndim == 2 and value.dtype.kind in "iu":
            found["Y"] = value
        elif isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind == "f":
            found["carry"] = value
    if set(found) != {"params", "cache", "activation", "Y", "carry"}:
        return None
    T = np.shape(found["cache"]["h"])[0]
    if found["carry"].shape != (T,) or found["Y"].shape[0] != T:
        return None
    return _pick(R.rnn_backward(found["Y"], found["params"], found["cache"], found["activation"], carry=found["carry"]))


UNITS = [
    # ratio: the spectral radius W_hh is rescaled to (below and above 1, under both activations)
    Unit("predicted_gradient_rate", _predicted_gradient_rate, dims_used=("T", "N", "H", "activation"),
         variants=(dict(ratio=0.8), dict(ratio=1.7), dict(ratio=0.5), dict(ratio=2.0), dict(ratio=1.2, activation="relu"))),
    Unit("path_weights", _path_weights, dims_used=("T", "k"),
         variants=(dict(T=7, k=3), dict(T=5, k=2, pi=0.3), dict(T=8, k=3, pi="any"), dict(T=6, k=4, pi=0.4))),
    Unit("path_weight_moments", _path_weight_moments, oracles=("path_weights",), dims_used=("T",),
         variants=(dict(T=6, pi=0.5), dict(T=5, pi=0.25), dict(T=7, pi=0.8),
                   dict(T=4, pi=1))),     # pi = 1 as a Python int: a float argument may be given as one
    # bptt_randomized may call bptt_truncated (defined before it); a helper both call is charged to
    # bptt_truncated: while bptt_randomized is graded after bptt_truncated failed, the shared helper
    # answers with the reference (and, under nbgrader, for the rest of bptt_randomized's test cell).
    Unit("bptt_truncated", _bptt_truncated,
         dims_used=DIMS, variants=(dict(k=3), dict(k=2), dict(k=5), dict(k=1), dict(k=5))),
    Unit("bptt_randomized", _bptt_randomized, oracles=("bptt_truncated",),
         shares_with=("bptt_truncated",), shared=carry_helper,
         dims_used=tuple(k for k in DIMS if k != "k"), variants=(dict(pi=0.5), dict(pi=0.25), dict(pi=0.8), dict(pi="any"))),
    Unit("clip_gradients", _clip_gradients,
         dims_used=("D", "H", "Q"), labels=("clipped", "norm"),
         variants=(dict(ratio=0.4), dict(ratio=0.7), dict(ratio=2.0), dict(ratio=1.3), dict(ratio=0))),
]
