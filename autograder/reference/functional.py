"""Numerically stable building blocks: softmax, cross-entropy, one-hot, activations."""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .validate import Array, check_activation, real_array


def _logits(where: str, logits: ArrayLike) -> Array:
    """Validated float64 logits (..., C) with C >= 1 and every entry finite."""
    z = real_array(where, "logits", logits, " of shape (..., C)")
    if z.ndim == 0 or z.size == 0:
        raise ValueError(f"{where}: logits must have shape (..., C) with every size >= 1, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{where}: logits contains NaN or infinite values")
    return z


def softmax(logits: ArrayLike) -> Array:
    """Row-wise softmax over the last axis.

    Subtracting the row maximum first keeps exp() from overflowing, so logits of
    1000 give exact probabilities instead of inf/inf = nan.
    """
    logits = _logits("softmax", logits)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    probs: Array = e / e.sum(axis=-1, keepdims=True)
    return probs


def log_softmax(logits: ArrayLike) -> Array:
    """Row-wise log(softmax(logits)), computed as shifted - log(sum(exp(shifted)))."""
    logits = _logits("log_softmax", logits)
    shifted = logits - logits.max(axis=-1, keepdims=True)
    logp: Array = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return logp


def one_hot(labels: NDArray[np.integer], n_classes: int) -> Array:
    """labels (...,) int -> (..., n_classes) float64 with a single 1 per row."""
    out = np.zeros(labels.shape + (n_classes,))
    np.put_along_axis(out, labels[..., None], 1.0, axis=-1)
    return out


def cross_entropy_from_logits(logits: ArrayLike, labels: ArrayLike) -> float:
    """Mean cross-entropy of integer `labels` under softmax(`logits`), via log-softmax.

    Computing it from logits (not from probabilities) never takes log(0), so a
    confident wrong answer gives a large finite loss rather than inf.
    """
    logp = log_softmax(logits)
    ints = np.asarray(labels)
    if ints.dtype.kind not in "iu" or ints.shape != logp.shape[:-1]:
        raise ValueError(f"cross_entropy_from_logits: labels must be integers of shape {logp.shape[:-1]}, "
                         f"got {ints.dtype} of shape {ints.shape}")
    if ints.min() < 0 or ints.max() >= logp.shape[-1]:
        raise ValueError(f"cross_entropy_from_logits: labels must be in 0..{logp.shape[-1] - 1}")
    picked = np.take_along_axis(logp, ints[..., None], axis=-1)
    return float(-picked.mean())


def phi(z: Array, activation: str) -> Array:
    """The hidden activation: ReLU or tanh."""
    check_activation("phi", activation)
    return np.maximum(z, 0.0) if activation == "relu" else np.tanh(z)


def phi_prime(netIn: Array, netAct: Array, activation: str) -> Array:
    """phi'(netIn), using the cheaper form each activation allows.

    ReLU: 1 where netIn > 0 (0 at the kink, by convention).
    tanh: 1 - tanh(netIn)**2 = 1 - netAct**2, so the cached output is reused.
    """
    check_activation("phi_prime", activation)
    if activation == "relu":
        return (netIn > 0).astype(np.float64)
    return 1.0 - netAct ** 2
