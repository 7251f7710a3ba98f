"""Long histories: full computation, regular and randomized truncation, clipping.

All three strategies are one BPTT loop (rnn.rnn_backward) with a different
`carry` vector: carry[t] multiplies the gradient that flows from step t back
into h_{t-1} through W_hh.

Regular truncation (the variant taught here, as in Dive into Deep Learning's
figure of the three strategies): the sequence is split into consecutive chunks
of k steps, [0, k), [k, 2k), ... The hidden state is carried forward across a
chunk boundary but the gradient is not: carry[t] = 0 where t is a positive
multiple of k, 1 elsewhere. So the loss at step t reaches back only to the
start of its own chunk. The first chunk's gradient still reaches h0, so k >= T
is exactly the full computation.

Randomized truncation (Tallec & Ollivier, 2017): carry[t] = xi_t with
P(xi_t = 0) = 1 - pi and P(xi_t = 1/pi) = pi, independent per step. Every
path of length j gets weight prod(xi) with expectation 1, so the gradient is
unbiased; xi all ones is the full computation.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from .rnn import rnn_backward, sequence_length
from .validate import Array, Shapes, real_array


def regular_carry(T: object, k: object) -> Array:
    """(T,) carry multipliers of regular truncation with chunks of k steps."""
    s = Shapes("regular_carry")
    n, step = s.integer("T", T), s.integer("k", k)
    carry = np.ones(n)
    carry[step::step] = 0.0
    return carry


def path_weights(carry: ArrayLike) -> Array:
    """(T, T) w[t, j]: the factor on the path from the loss at step t back to the state h_{t-j}.

    carry[s] scales what step s passes back to h_{s-1}, so the path from h_t down to h_{t-j}
    crosses the multipliers of steps t, t-1, ..., t-j+1: w[t, j] = prod(carry[t-j+1 : t+1]),
    w[t, 0] = 1, and w[t, j] = 0 for j > t (no state that far back inside the sequence).
    """
    c = Shapes("path_weights").array("carry", carry, "T")
    T = c.shape[0]
    w = np.zeros((T, T))
    for t in range(T):
        w[t, 0] = 1.0
        for j in range(1, t + 1):
            w[t, j] = w[t, j - 1] * c[t - j + 1]
    return w


def path_weight_moments(T: object, pi: object) -> dict[str, Array]:
    """{mean, var}, each (T, T): the exact mean and variance of path_weights(xi)[t, j] over all draws of
    randomized truncation's xi (1/pi with probability pi, else 0, independent per step).

    w[t, j] is a product of j distinct xi's (0 for j > t): E[w] = 1, and E[w**2] = E[xi**2]**j = pi**-j,
    so var = pi**-j - 1 for j <= t; both 0 for j > t.
    """
    s = Shapes("path_weight_moments")
    n = s.integer("T", T)
    p = s.scalar("pi", pi)
    if not 0 < p <= 1:
        raise ValueError(f"path_weight_moments: pi must be in (0, 1], got {p}")
    lower = np.tril(np.ones((n, n)))
    return dict(mean=lower, var=lower * (p ** -np.arange(n, dtype=np.float64)[None, :] - 1.0))


def sample_xi(T: object, pi: object, rng: object) -> Array:
    """(T,) multipliers of randomized truncation: 1/pi with probability pi, else 0.

    Inputs: T >= 1 steps; pi in (0, 1]; rng a numpy Generator or RandomState (used
    as is), an integer seed or None (a fresh np.random.default_rng(rng)).
    Returns: (T,) float64.
    """
    s = Shapes("sample_xi")
    n = s.integer("T", T)
    p = s.scalar("pi", pi)
    if not 0 < p <= 1:
        raise ValueError(f"sample_xi: pi must be in (0, 1], got {p}")
    return np.where(_uniform("sample_xi", rng, n) < p, 1.0 / p, 0.0)


def _uniform(where: str, rng: object, T: int) -> Array:
    """T uniform draws in [0, 1) from `rng` (see sample_xi)."""
    if isinstance(rng, np.random.Generator):
        return rng.random(T)
    if isinstance(rng, np.random.RandomState):
        return rng.random_sample(T)
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, (bool, np.bool_)) and rng >= 0):
        return np.random.default_rng(rng).random(T)
    raise ValueError(f"{where}: rng must be a numpy Generator or RandomState, a non-negative integer seed "
                     f"or None, got {rng!r}")


def bptt_full(Y: ArrayLike, params: Mapping[str, ArrayLike], cache: Mapping[str, object],
              activation: str = "relu") -> dict[str, Array]:
    """Full computation: the gradient of every step's loss reaches step 0."""
    return rnn_backward(Y, params, cache, activation)


def bptt_truncated(Y: ArrayLike, params: Mapping[str, ArrayLike], cache: Mapping[str, object], k: int,
                   activation: str = "relu") -> dict[str, Array]:
    """Regular truncation with chunks of k steps (see the module docstring)."""
    T = sequence_length("bptt_truncated", cache)
    return rnn_backward(Y, params, cache, activation, carry=regular_carry(T, k))


def bptt_randomized(Y: ArrayLike, params: Mapping[str, ArrayLike], cache: Mapping[str, object], xi: ArrayLike,
                    activation: str = "relu") -> dict[str, Array]:
    """Randomized truncation with the given (T,) multipliers xi (>= 0)."""
    T = sequence_length("bptt_randomized", cache)
    carry = Shapes("bptt_randomized", T=T).array("xi", xi, "T")
    if np.any(carry < 0):
        raise ValueError("bptt_randomized: xi must be non-negative (0 or 1/pi)")
    return rnn_backward(Y, params, cache, activation, carry=carry)


def _grad_arrays(where: str, grads: object) -> dict[str, Array]:
    """{name: float64 array} of a non-empty dict of real, finite arrays (any shapes), or ValueError."""
    if not isinstance(grads, dict) or not grads:
        got = "an empty dict" if isinstance(grads, dict) else type(grads).__name__
        raise ValueError(f"{where}: grads must be a non-empty dict of arrays, got {got}")
    arrays: dict[str, Array] = {}
    for name, g in grads.items():
        a = real_array(where, f"grads['{name}']", g)
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{where}: grads['{name}'] contains NaN or infinite values")
        arrays[name] = a
    return arrays


def _global_norm(arrays: dict[str, Array]) -> float:
    m = max(float(np.max(np.abs(a), initial=0.0)) for a in arrays.values())
    if m == 0.0:
        return 0.0
    with np.errstate(over="ignore"):     # a norm beyond float64 is inf; clip_grad_norm refuses it
        return float(m * np.sqrt(sum(np.sum((a / m) ** 2) for a in arrays.values())))


def global_norm(grads: object) -> float:
    """sqrt of the sum of squares of every entry of every array in the dict grads.

    Inputs: grads, a non-empty dict name -> real finite array (any shape).
    Returns: float (inf only if the norm itself exceeds float64's range).
    Computed as m * sqrt(sum((g / m)**2)) with m the largest |entry|, so that an
    exploding gradient (entries of 1e160 and more, whose squares overflow) still
    has a finite norm and is clipped instead of being scaled to zero.
    """
    return _global_norm(_grad_arrays("global_norm", grads))


def clip_grad_norm(grads: object, max_norm: object) -> tuple[dict[str, Array], float]:
    """Scale all gradients together so their global L2 norm is at most max_norm.

    Inputs: grads dict name -> array; max_norm > 0.
    Returns (clipped, norm): a new dict with every array (float64) scaled by
    min(1, max_norm / norm), and the norm before clipping. The direction of
    the update is kept (Dive into Deep Learning's clipping).
    """
    arrays = _grad_arrays("clip_grad_norm", grads)
    limit = Shapes("clip_grad_norm").scalar("max_norm", max_norm)
    if limit <= 0:
        raise ValueError(f"clip_grad_norm: max_norm must be positive, got {limit}")
    norm = _global_norm(arrays)
    if not np.isfinite(norm):
        raise ValueError("clip_grad_norm: the global norm of grads overflows float64")
    scale = min(1.0, limit / norm) if norm > 0 else 1.0
    return {name: g * scale for name, g in arrays.items()}, norm


def clip_grad_value(grads: object, clip: object = 5.0) -> dict[str, Array]:
    """Clip every entry to [-clip, clip] (min-char-rnn's np.clip); changes the direction.

    Inputs: grads, a non-empty dict name -> real finite array; clip > 0.
    Returns: a new dict of float64 arrays of the same shapes.
    """
    arrays = _grad_arrays("clip_grad_value", grads)
    bound = Shapes("clip_grad_value").scalar("clip", clip)
    if bound <= 0:
        raise ValueError(f"clip_grad_value: clip must be positive, got {bound}")
    return {name: np.clip(g, -bound, bound) for name, g in arrays.items()}
