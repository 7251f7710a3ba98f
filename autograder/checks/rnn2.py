"""Graded units of 03_two_layer_rnn: the step into layer 1, and two-layer BPTT."""
from collections.abc import Mapping

import numpy as np

from .. import reference as R
from ..reference.validate import Array
from .base import Case, CaseDims, Unit, labels
from .mlp import KINK
from .rnn import Labels, Params

DIMS = ("T", "N", "D", "H1", "H2", "Q", "activation")
KEYS = ("W_xh1", "W_hh1", "b_h1", "W_xh2", "W_hh2", "b_h2", "W_hq", "b_q")


def rnn2_problem(rng: np.random.Generator, d: CaseDims) -> tuple[Params, Labels, R.Rnn2Cache, str]:
    T, N, D, H1, H2, Q = d["T"], d["N"], d["D"], d["H1"], d["H2"], d["Q"]
    shapes = dict(W_xh1=(D, H1), W_hh1=(H1, H1), b_h1=(H1,), W_xh2=(H1, H2),
                  W_hh2=(H2, H2), b_h2=(H2,), W_hq=(H2, Q), b_q=(Q,))
    params = {k: rng.standard_normal(s) * (0.2 if k.startswith("b") else 0.5) for k, s in shapes.items()}
    X = rng.standard_normal((T, N, D))
    Y = labels(rng, Q, (T, N), d)
    # Non-zero initial states: a backward pass that ignores h1_0 or h2_0 is wrong.
    h1_0, h2_0 = rng.standard_normal((N, H1)) * 0.5, rng.standard_normal((N, H2)) * 0.5
    if d.get("zero_state"):
        h1_0[:], h2_0[:] = 0.0, 0.0
    act = d["activation"] if d["activation"] in ("relu", "tanh") else "tanh"   # (the ValueError case)
    kinks = act == "relu" and d.get("kinks", True)
    if kinks:
        # A layer-1 pre-activation exactly at the kink in the real forward pass (step 0, last row,
        # unit 0: zero input, zero initial state in that row, zero bias of that unit).
        X[0, N - 1], h1_0[N - 1], params["b_h1"][0] = 0.0, 0.0, 0.0
    _, cache = R.rnn2_forward(X, params, h1_0, h2_0, activation=act)
    if kinks:
        # Two layer-1 pre-activations within 1e-8 of the kink (moving X[t, n] along W_xh1[:, j]
        # changes only step t's pre-activations of row n).
        for t, n, j, sign in ((1, 0, 0, 1), (T - 2, N - 1, H1 - 1, -1)):
            w = params["W_xh1"][:, j]
            X[t, n] += (sign * KINK - cache["h1_netIn"][t, n, j]) * w / (w @ w)
            _, cache = R.rnn2_forward(X, params, h1_0, h2_0, activation=act)
    return params, Y, cache, act


def _dh1_t(rng: np.random.Generator, d: CaseDims) -> Case:
    params, Y, cache, act = rnn2_problem(rng, d)
    N = d["N"]
    dhraw2_t = rng.standard_normal((N, d["H2"])) * 0.1
    dhraw1_next = rng.standard_normal((N, d["H1"])) * 0.1
    args = (dhraw2_t, dhraw1_next, params["W_xh2"], params["W_hh1"])
    from_above = dhraw2_t @ params["W_xh2"].T
    return Case(args, R.dh1_t(*args), d, props={"upstream:arbitrary"}, mistakes=[
        ("is missing the gradient from layer 1's future step, dhraw1_next @ W_hh1.T.", from_above),
        ("is missing the gradient from layer 2 above, dhraw2_t @ W_xh2.T.", dhraw1_next @ params["W_hh1"].T),
        ("sends the future gradient through W_hh1 instead of W_hh1.T.", from_above + dhraw1_next @ params["W_hh1"]),
    ])


def _rnn2_backward(rng: np.random.Generator, d: CaseDims) -> Case:
    params, Y, cache, act = rnn2_problem(rng, d)
    if d["activation"] != act:          # the promised ValueError for any other activation
        return Case((Y, params, cache, d["activation"]), None, d, raises=ValueError)
    full = R.rnn2_backward(Y, params, cache, act)

    def pick(g: Mapping[str, Array]) -> dict[str, Array]:
        return {k: g[k] for k in KEYS}

    def back(c: Mapping[str, object] = cache) -> dict[str, Array]:
        return pick(R.rnn2_backward(Y, params, c, act))
    # The loop's own slips (a layer's carry, the order of the layers, the header, the states the sums
    # read) are rewrite rules of the loop: checks/loops.py.
    return Case((Y, params, cache, act), pick(full), d, [
        ("layer 1's initial state is left out: at t = 0 the previous state is cache['h1_0'], not zeros.",
         back(dict(cache, h1_0=np.zeros_like(cache["h1_0"])))),
        ("layer 2's initial state is left out: at t = 0 the previous state is cache['h2_0'], not zeros.",
         back(dict(cache, h2_0=np.zeros_like(cache["h2_0"])))),
    ])


UNITS = [
    Unit("dh1_t", _dh1_t, dims_used=DIMS,
         upstream=("dhraw2_t", "dhraw1_next")),
    Unit("rnn2_backward", _rnn2_backward,
         oracles=("dh1_t",), dims_used=DIMS, variants=({}, {}, {}, dict(activation="sigmoid"))),
]
