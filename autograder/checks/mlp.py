"""Graded units of 01_mlp_backprop: the eight MLP derivatives and the backward pass.

Every case starts from a real forward pass, so each unit receives the
reference's values from upstream: one wrong derivative never cascades.
"""
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Literal, TypedDict, overload

import numpy as np
from numpy.typing import NDArray

from .. import reference as R
from ..reference.validate import Array
from .base import Case, CaseDims, Unit, arbitrary, labels

DIMS = ("N", "D", "H", "C")


KINK = 1e-9   # pre-activations this close to the ReLU's kink: finite differences get them wrong
# (and at_kink puts one exactly at 0, where the derivative is 0 and a central difference is 1/2)


def place_at_kink(X: Array, W: Array, b: Array, rows: Sequence[int], units: Sequence[int],
                  signs: Sequence[int] = (1, -1)) -> Array:
    """Move rows of X so that (X @ W + b)[row, unit] = sign * KINK exactly (up to rounding).

    Each listed row is shifted along W[:, unit], which changes that row's pre-activations
    only, so the forward pass stays a real forward pass.
    """
    X = X.copy()
    for row, unit, sign in zip(rows, units, signs):
        w = W[:, unit]
        X[row] += (sign * KINK - (X[row] @ w + b[unit])) * w / (w @ w)
    return X


class MlpProblem(TypedDict):
    """One case's forward pass and the upstream gradients each local rule receives."""
    X: Array
    y: NDArray[np.int64]
    params: dict[str, Array]
    cache: R.MlpCache
    reg: float
    dz_netAct: Array
    dz_netIn: Array
    dy_netAct: Array
    dy_netIn: Array


def _forward(rng: np.random.Generator, d: CaseDims) -> MlpProblem:
    N, D, H, C = d["N"], d["D"], d["H"], d["C"]
    params = dict(y_wts=rng.standard_normal((D, H)) * 0.6, y_b=rng.standard_normal(H) * 0.3,
                  z_wts=rng.standard_normal((H, C)) * 0.6, z_b=rng.standard_normal(C) * 0.3)
    X = rng.standard_normal((N, D))
    y = labels(rng, C, (N,), d)
    if d.get("kinks", True):    # for grading; a diagnosis probe (kinks=False, maybe N = 1) wants plain draws
        y[:2] = [0, C - 1]  # both ends of the label range appear
        # Two hidden pre-activations sit within 1e-8 of the ReLU's kink, one on each side.
        X = place_at_kink(X, params["y_wts"], params["y_b"], rows=(0, 1), units=(1, 2))
    _, cache = R.mlp_forward(X, params)
    reg = 0.1 + 0.4 * rng.random()
    if arbitrary(d):
        up_zAct = rng.standard_normal((N, C)) * 0.5
        up_zIn = rng.standard_normal((N, C)) * 0.2
        up_yAct = rng.standard_normal((N, H)) * 0.2
    else:
        up_zAct = R.dz_netAct(cache["z_netAct"], y)
        up_zIn = R.dz_netIn(up_zAct, cache["z_netAct"])
        up_yAct = R.dy_netAct(up_zIn, params["z_wts"])
    up_yIn = R.dy_netIn(up_yAct, cache["y_netIn"])
    return dict(X=X, y=y, params=params, cache=cache, reg=reg, dz_netAct=up_zAct,
                dz_netIn=up_zIn, dy_netAct=up_yAct, dy_netIn=up_yIn)


def _dz_netAct(rng: np.random.Generator, d: CaseDims) -> Case:
    f = _forward(rng, d)
    z, y = f["cache"]["z_netAct"], f["y"]
    N = len(y)
    if d.get("underflow"):
        # A softmax output whose logit lies far below the others' is exactly 0 in float64: the contract
        # allows it wherever the loss does not read it (the true class's probability is positive).
        z = z.copy()
        c = (y[-1] + 1) % z.shape[1]
        z[-1, c] = 0.0
        z[-1] /= z[-1].sum()
    onehot = R.one_hot(y, z.shape[1])
    with np.errstate(divide="ignore", invalid="ignore"):     # the slips divide by that 0
        slips = [("has the lecture notes' slip: -1/(N*z_netAct) is the gradient only at the true class; it is 0 "
                  "elsewhere.", -1 / (N * z)),
                 ("is the gradient of the summed loss, not the mean: is the division by N missing?", -onehot / z)]
    # Where a slip divides by that 0 it warns (and scores 0) before its numbers are read: no entry for it.
    return Case((z, y), R.dz_netAct(z, y), d, [(m, w) for m, w in slips if np.all(np.isfinite(w))])


def _dz_netIn(rng: np.random.Generator, d: CaseDims) -> Case:
    f = _forward(rng, d)
    z, g = f["cache"]["z_netAct"], f["dz_netAct"]
    onehot = R.one_hot(f["y"], z.shape[1])
    guessed = R.one_hot(np.argmin(g, axis=1), z.shape[1])
    return Case((g, z), R.dz_netIn(g, z), d, [
        ("follows the lecture notes' formula dz_netAct * (one_hot - z_netAct), which drops a factor; "
         "use the full softmax Jacobian.", g * (onehot - z)),
        ("assumes dz_netAct is the cross-entropy gradient ((z_netAct - one_hot) / N); the rule must hold "
         "for any upstream gradient dz_netAct: multiply it by the softmax Jacobian.", (z - guessed) / len(z)),
        ("multiplies by z*(1-z), the sigmoid derivative (the notes' slip) or the diagonal of the softmax "
         "Jacobian only; the off-diagonal terms -z_i*z_j are missing.", g * z * (1 - z)),
    ])


def _dz_wts(rng: np.random.Generator, d: CaseDims) -> Case:
    f = _forward(rng, d)
    g, a, w, reg = f["dz_netIn"], f["cache"]["y_netAct"], f["params"]["z_wts"], f["reg"]
    return Case((g, a, w, reg), R.dz_wts(g, a, w, reg), d, [
        ("the regularization term reg * z_wts is missing.", a.T @ g),
        ("the regularization term has the wrong factor: d/dW of reg/2*|W|^2 is reg*W.", a.T @ g + 0.5 * reg * w),
        ("uses y_netIn instead of y_netAct (the ReLU output) as the layer's input.",
         f["cache"]["y_netIn"].T @ g + reg * w),
    ])


def _dz_b(rng: np.random.Generator, d: CaseDims) -> Case:
    f = _forward(rng, d)
    g = f["dz_netIn"]
    return Case((g,), R.dz_b(g), d, [("averages over the batch instead of summing: dz_netIn already holds the 1/N.", g.mean(axis=0))])


def _dy_netAct(rng: np.random.Generator, d: CaseDims) -> Case:
    f = _forward(rng, d)
    g, w = f["dz_netIn"], f["params"]["z_wts"]
    return Case((g, w), R.dy_netAct(g, w), d)


@overload
def at_kink(netIn: Array, act: str) -> Array: ...
@overload
def at_kink(netIn: Array, act: str, first: Array, /, *more: Array) -> tuple[Array, ...]: ...
def at_kink(netIn: Array, act: str, *more: Array) -> Array | tuple[Array, ...]:
    """Copies of the pre-activations `netIn` (and of the arrays `more` of its shape, such as
    its output h) with one entry set to exactly 0 for ReLU: the derivative there is 0, and a
    central difference gives half the upstream gradient."""
    netIn, copies = netIn.copy(), [m.copy() for m in more]
    if act == "relu":
        where = (netIn.shape[0] - 1, 0)      # apart from the KINK entries (rows 0, 1 / corners)
        netIn[where] = 0.0
        for m in copies:
            m[where] = 0.0
    return (netIn, *copies) if copies else netIn


def _dy_netIn(rng: np.random.Generator, d: CaseDims) -> Case:
    f = _forward(rng, d)
    g, netIn = f["dy_netAct"], at_kink(f["cache"]["y_netIn"], "relu")
    return Case((g, netIn), R.dy_netIn(g, netIn), d, [
        ("applies the ReLU mask to the wrong quantity: the mask is (y_netIn > 0), not (dy_netAct > 0).", g * (g > 0)),
        ("multiplies by y_netIn (or the ReLU output) instead of by the ReLU's derivative (y_netIn > 0).", g * np.maximum(netIn, 0)),
        ("multiplies by y_netIn instead of by the ReLU's derivative (y_netIn > 0).", g * netIn),
    ])


def _dy_wts(rng: np.random.Generator, d: CaseDims) -> Case:
    f = _forward(rng, d)
    g, X, w, reg = f["dy_netIn"], f["X"], f["params"]["y_wts"], f["reg"]
    return Case((g, X, w, reg), R.dy_wts(g, X, w, reg), d, [
        ("the regularization term reg * y_wts is missing.", X.T @ g),
        ("the regularization term has the wrong factor: d/dW of reg/2*|W|^2 is reg*W.", X.T @ g + 0.5 * reg * w),
        ("uses dy_netAct (before the ReLU) instead of dy_netIn.", X.T @ f["dy_netAct"] + reg * w),
    ])


def _dy_b(rng: np.random.Generator, d: CaseDims) -> Case:
    f = _forward(rng, d)
    g = f["dy_netIn"]
    return Case((g,), R.dy_b(g), d, [
        ("averages over the batch instead of summing: the 1/N is already in dz_netIn.", g.mean(axis=0)),
        ("sums dy_netAct (before the ReLU) instead of dy_netIn.", f["dy_netAct"].sum(axis=0)),
    ])


def mlp_variant(y: NDArray[np.int64], params: Mapping[str, Array], cache: R.MlpCache, reg: float, reg_z: float = 1.0,
                reg_y: float = 1.0, z_input: Literal["y_netAct", "y_netIn"] = "y_netAct",
                relu: bool = True) -> dict[str, Array]:
    """The backward pass with one slip: reg_z/reg_y scale each regularization term (0 missing,
    2 doubled), z_input is the activation fed to dz_wts, relu=False skips the ReLU."""
    g_zIn = R.dz_netIn(R.dz_netAct(cache["z_netAct"], y), cache["z_netAct"])
    g_yAct = R.dy_netAct(g_zIn, params["z_wts"])
    g_yIn = R.dy_netIn(g_yAct, cache["y_netIn"]) if relu else g_yAct
    return {"z_wts": R.dz_wts(g_zIn, cache[z_input], params["z_wts"], reg * reg_z), "z_b": R.dz_b(g_zIn),
            "y_wts": R.dy_wts(g_yIn, cache["X"], params["y_wts"], reg * reg_y), "y_b": R.dy_b(g_yIn)}


def _mlp_backward(rng: np.random.Generator, d: CaseDims) -> Case:
    f = _forward(rng, d)
    y, params, cache, reg = f["y"], f["params"], f["cache"], f["reg"]
    expected = R.mlp_backward(y, params, cache, reg)
    v = partial(mlp_variant, y, params, cache, reg)
    return Case((y, params, cache, reg), expected, d, [
        ("the regularization term reg * z_wts is missing: pass reg to dz_wts.", v(reg_z=0.0)),
        ("the regularization term reg * y_wts is missing: pass reg to dy_wts.", v(reg_y=0.0)),
        ("the regularization term reg * z_wts is counted twice: dz_wts already adds it.", v(reg_z=2.0)),
        ("the regularization term reg * y_wts is counted twice: dy_wts already adds it.", v(reg_y=2.0)),
        ("dz_wts receives y_netIn instead of y_netAct (the ReLU output) as the layer's input.",
         v(z_input="y_netIn")),
        ("the ReLU is skipped: dy_wts and dy_b need dy_netIn (after the ReLU), not dy_netAct.", v(relu=False)),
        # Each bias regularized too (reg * b added to its gradient): the loss regularizes the weights only.
        ("reg * z_b is added to the gradient of z_b: the loss regularizes the two weight matrices only, not the "
         "biases.", dict(expected, z_b=expected["z_b"] + reg * params["z_b"])),
        ("reg * y_b is added to the gradient of y_b: the loss regularizes the two weight matrices only, not the "
         "biases.", dict(expected, y_b=expected["y_b"] + reg * params["y_b"])),
    ])


MLP_ORACLES = ("dz_netAct", "dz_netIn", "dz_wts", "dz_b", "dy_netAct", "dy_netIn", "dy_wts", "dy_b")

UNITS = [
    Unit("dz_netAct", _dz_netAct, dims_used=DIMS),
    Unit("dz_netIn", _dz_netIn, dims_used=DIMS, upstream=("dz_netAct",)),
    Unit("dz_wts", _dz_wts, dims_used=DIMS, upstream=("dz_netIn",)),
    Unit("dz_b", _dz_b, dims_used=DIMS, upstream=("dz_netIn",)),
    Unit("dy_netAct", _dy_netAct, dims_used=DIMS, upstream=("dz_netIn",)),
    Unit("dy_netIn", _dy_netIn, dims_used=DIMS, upstream=("dy_netAct",)),
    Unit("dy_wts", _dy_wts, dims_used=DIMS, upstream=("dy_netIn",)),
    Unit("dy_b", _dy_b, dims_used=DIMS, upstream=("dy_netIn",)),
    Unit("mlp_backward", _mlp_backward,
         oracles=MLP_ORACLES, dims_used=DIMS),
]
