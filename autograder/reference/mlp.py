"""MLP with one hidden ReLU layer, softmax output and mean cross-entropy (docs/math.md).

Forward (lecture names):
    y_netIn  = X @ y_wts + y_b          (N, H)
    y_netAct = max(y_netIn, 0)          (N, H)
    z_netIn  = y_netAct @ z_wts + z_b   (N, C)
    z_netAct = softmax(z_netIn)         (N, C)
    loss     = mean_n -log z_netAct[n, y[n]] + reg/2 (|y_wts|^2 + |z_wts|^2)

Each derivative below is one local rule: it takes the gradient arriving from
above and the cached forward values it needs, and returns the gradient of the
loss with respect to one quantity.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

import numpy as np
from numpy.typing import ArrayLike

from .functional import cross_entropy_from_logits, one_hot, softmax
from .validate import Array, Shapes, check_dict

PARAM_SPECS = {"y_wts": "D H", "y_b": "H", "z_wts": "H C", "z_b": "C"}
# The cache entries mlp_backward reads (mlp_forward also stores z_netIn).
CACHE_SPECS = {"X": "N D", "y_netIn": "N H", "y_netAct": "N H", "z_netAct": "N C"}


class MlpCache(TypedDict):
    """What mlp_forward records: the arrays mlp_backward reads, and the logits z_netIn."""
    X: Array          # (N, D)
    y_netIn: Array    # (N, H)
    y_netAct: Array   # (N, H)
    z_netIn: Array    # (N, C)
    z_netAct: Array   # (N, C)


def _params(where: str, params: Mapping[str, ArrayLike], s: Shapes) -> dict[str, Array]:
    return check_dict(where, "params", params, PARAM_SPECS, s)


# A cache is read as Mapping[str, object], which a TypedDict such as MlpCache is.
def _logits(cache: Mapping[str, object], s: Shapes) -> Array:
    """cache['z_netIn'] (N, C), validated against the dimensions bound in `s`."""
    return s.array("cache['z_netIn']", cache["z_netIn"], "N C")


def mlp_forward(X: ArrayLike, params: Mapping[str, ArrayLike]) -> tuple[Array, MlpCache]:
    """Forward pass.

    Inputs:
    - X: (N, D) mini-batch
    - params: dict with y_wts (D, H), y_b (H,), z_wts (H, C), z_b (C,)

    Returns (z_netAct, cache):
    - z_netAct: (N, C) softmax probabilities
    - cache: an MlpCache (a dict) with X (N, D), y_netIn (N, H), y_netAct (N, H),
      z_netIn (N, C), z_netAct (N, C)
    """
    z_netAct, cache, _ = _forward("mlp_forward", X, params)
    return z_netAct, cache


def _forward(where: str, X: ArrayLike, params: Mapping[str, ArrayLike]) -> tuple[Array, MlpCache, dict[str, Array]]:
    """mlp_forward's work, also returning the validated float64 params (for the L2 term)."""
    s = Shapes(where)
    X = s.array("X", X, "N D")
    p = _params(where, params, s)
    y_netIn = X @ p["y_wts"] + p["y_b"]
    y_netAct = np.maximum(y_netIn, 0.0)
    z_netIn = y_netAct @ p["z_wts"] + p["z_b"]
    z_netAct = softmax(z_netIn)
    cache = MlpCache(X=X, y_netIn=y_netIn, y_netAct=y_netAct, z_netIn=z_netIn, z_netAct=z_netAct)
    return z_netAct, cache, p


def mlp_loss(X: ArrayLike, y: ArrayLike, params: Mapping[str, ArrayLike], reg: float = 0.0) -> float:
    """Mean cross-entropy plus reg/2 times the squared Frobenius norms of both weight matrices."""
    _, cache, p = _forward("mlp_loss", X, params)
    s = Shapes("mlp_loss", N=cache["X"].shape[0], C=cache["z_netIn"].shape[1])
    y = s.labels("y", y, "N", s.dims["C"])
    reg = s.scalar("reg", reg, minimum=0.0)
    data = cross_entropy_from_logits(cache["z_netIn"], y)
    # On the validated float64 params: a list, int64 (overflowing squares) or float32
    # weights are penalised exactly as float64 ones.
    penalty = 0.5 * reg * (np.sum(p["y_wts"] ** 2) + np.sum(p["z_wts"] ** 2))
    return data + float(penalty)


def dz_netAct(z_netAct: ArrayLike, y: ArrayLike) -> Array:
    """Gradient of the mean cross-entropy at the softmax output.

    Meets the loss from above and z_netIn from below.
    Inputs: z_netAct (N, C) probabilities; y (N,) int labels in 0..C-1.
    Returns: (N, C), equal to -1/(N*z_netAct) at the true class and 0 elsewhere.
    """
    s = Shapes("dz_netAct")
    z_netAct = s.array("z_netAct", z_netAct, "N C")
    y = s.labels("y", y, "N", s.dims["C"])
    if np.any(z_netAct[np.arange(len(y)), y] <= 0):
        raise ValueError("dz_netAct: z_netAct must be positive at the true class (it is a softmax output)")
    # Only the true class is divided by: a probability the loss never reads may be 0 (softmax underflow).
    out = np.zeros(z_netAct.shape)
    rows = np.arange(len(y))
    out[rows, y] = -1.0 / (len(y) * z_netAct[rows, y])
    return out


def dz_netIn(dz_netAct: ArrayLike, z_netAct: ArrayLike) -> Array:
    """Backprop through the row-wise softmax.

    Meets dz_netAct from above and z_netIn from below. The softmax Jacobian is
    diag(p) - p p^T per row, so the product is p * (g - sum(g * p)).
    With dz_netAct from cross-entropy this equals (z_netAct - one_hot(y)) / N.
    Inputs: dz_netAct (N, C); z_netAct (N, C).  Returns: (N, C).
    """
    s = Shapes("dz_netIn")
    dz_netAct = s.array("dz_netAct", dz_netAct, "N C")
    z_netAct = s.array("z_netAct", z_netAct, "N C")
    g: Array = z_netAct * (dz_netAct - np.sum(dz_netAct * z_netAct, axis=1, keepdims=True))
    return g


def dz_wts(dz_netIn: ArrayLike, y_netAct: ArrayLike, z_wts: ArrayLike, reg: float = 0.0) -> Array:
    """Output weights: y_netAct.T @ dz_netIn + reg * z_wts.

    Inputs: dz_netIn (N, C); y_netAct (N, H); z_wts (H, C); reg >= 0.  Returns: (H, C).
    """
    s = Shapes("dz_wts")
    dz_netIn = s.array("dz_netIn", dz_netIn, "N C")
    y_netAct = s.array("y_netAct", y_netAct, "N H")
    z_wts = s.array("z_wts", z_wts, "H C")
    reg = s.scalar("reg", reg, minimum=0.0)
    return y_netAct.T @ dz_netIn + reg * z_wts


def dz_b(dz_netIn: ArrayLike) -> Array:
    """Output bias: dz_netIn summed over the batch.  dz_netIn (N, C) -> (C,)."""
    summed: Array = Shapes("dz_b").array("dz_netIn", dz_netIn, "N C").sum(axis=0)
    return summed


def dy_netAct(dz_netIn: ArrayLike, z_wts: ArrayLike) -> Array:
    """Hidden activations: dz_netIn @ z_wts.T.

    Meets dz_netIn from above and dy_netIn from below.
    Inputs: dz_netIn (N, C); z_wts (H, C).  Returns: (N, H).
    """
    s = Shapes("dy_netAct")
    dz_netIn = s.array("dz_netIn", dz_netIn, "N C")
    z_wts = s.array("z_wts", z_wts, "H C")
    return dz_netIn @ z_wts.T


def dy_netIn(dy_netAct: ArrayLike, y_netIn: ArrayLike) -> Array:
    """Through the ReLU: dy_netAct where y_netIn > 0, else 0.

    The mask is taken on y_netIn (the ReLU's input), not on the gradient.
    Inputs: dy_netAct (N, H); y_netIn (N, H).  Returns: (N, H).
    """
    s = Shapes("dy_netIn")
    dy_netAct = s.array("dy_netAct", dy_netAct, "N H")
    y_netIn = s.array("y_netIn", y_netIn, "N H")
    return dy_netAct * (y_netIn > 0)


def dy_wts(dy_netIn: ArrayLike, X: ArrayLike, y_wts: ArrayLike, reg: float = 0.0) -> Array:
    """Hidden weights: X.T @ dy_netIn + reg * y_wts.

    Inputs: dy_netIn (N, H); X (N, D); y_wts (D, H); reg >= 0.  Returns: (D, H).
    """
    s = Shapes("dy_wts")
    dy_netIn = s.array("dy_netIn", dy_netIn, "N H")
    X = s.array("X", X, "N D")
    y_wts = s.array("y_wts", y_wts, "D H")
    reg = s.scalar("reg", reg, minimum=0.0)
    return X.T @ dy_netIn + reg * y_wts


def dy_b(dy_netIn: ArrayLike) -> Array:
    """Hidden bias: dy_netIn summed over the batch.  dy_netIn (N, H) -> (H,)."""
    summed: Array = Shapes("dy_b").array("dy_netIn", dy_netIn, "N H").sum(axis=0)
    return summed


def mlp_backward(y: ArrayLike, params: Mapping[str, ArrayLike], cache: Mapping[str, object],
                 reg: float = 0.0) -> dict[str, Array]:
    """Full backward pass composed from the eight local rules.

    Inputs: y (N,) int labels; params as for mlp_forward; cache from mlp_forward; reg >= 0.
    Returns: dict of gradients y_wts (D, H), y_b (H,), z_wts (H, C), z_b (C,).
    """
    # Validated here, so that a wrong argument is named as mlp_backward's, with the
    # shape implied by the other arguments, not by whichever local rule trips first.
    s = Shapes("mlp_backward")
    # The cache first: it holds what the forward pass really computed.
    given = cache
    cache = check_dict("mlp_backward", "cache", cache, CACHE_SPECS, s)
    params = _params("mlp_backward", params, s)
    y = s.labels("y", y, "N", s.dims["C"])
    reg = s.scalar("reg", reg, minimum=0.0)
    # dz_netIn(dz_netAct(z, y), z) simplifies to (softmax(z_netIn) - one_hot(y)) / N.
    # That form is finite wherever the loss is; the two-step product is not: it
    # divides by z_netAct at the true class, whose inverse overflows once that logit
    # is ~710 below the row maximum (the loss is finite there, the gradient bounded by 1/N).
    # From the logits when the cache has them (mlp_forward's does), else the cached probabilities.
    z = softmax(_logits(given, s)) if "z_netIn" in given else cache["z_netAct"]
    g_zIn = (z - one_hot(y, z.shape[1])) / len(y)
    g_yAct = dy_netAct(g_zIn, params["z_wts"])
    g_yIn = dy_netIn(g_yAct, cache["y_netIn"])
    return {
        "z_wts": dz_wts(g_zIn, cache["y_netAct"], params["z_wts"], reg),
        "z_b": dz_b(g_zIn),
        "y_wts": dy_wts(g_yIn, cache["X"], params["y_wts"], reg),
        "y_b": dy_b(g_yIn),
    }
