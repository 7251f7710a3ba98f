"""The call trace of an assembly unit, compared with the instructor's on the same case.

While an assembly unit is graded, the local rules it calls are the reference's (swapped in
the kernel, answered by the grader in the sandbox path: every call crosses the wire as plain
data). Each call is recorded as (rule, arguments, result). The instructor's trace on the same
case is built here from the reference; the comparison and its words are the given module
source/bptt/trace_tools.py, which the visible tests use too (with finite differences), so a
student reads the same kind of sentence before and after submitting. Messages name arrays,
never their values.
"""
import importlib.util
import inspect
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import reference as R

_ENGINE = Path(__file__).resolve().parents[2] / "source" / "bptt" / "trace_tools.py"


def _load_engine():
    # The grader's own copy (the repository's), never the one in a student's folder.
    spec = importlib.util.spec_from_file_location("bptt_trace_engine", _ENGINE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


engine = _load_engine()
RIGHT_CALLS = engine.RIGHT_CALLS


@dataclass
class Call:
    """One recorded call (defined here, not in the given module: the student's call creates it)."""

    rule: str
    args: tuple
    result: object = None
    step: object = None     # the step it belongs to, found by the comparison


def recorder(functions, calls):
    """{name: function} wrapped so that each call appends a Call to `calls` (kernel path)."""
    def wrap(name, func):
        def recorded(*args, **kwargs):
            result = func(*args, **kwargs)
            try:      # keyword arguments in the rule's own order
                bound = inspect.signature(func).bind(*args, **kwargs)
                ordered = tuple(bound.arguments.values())
            except TypeError:
                ordered = args + tuple(kwargs.values())
            calls.append(Call(name, _copy(ordered), _copy(result)))
            return result
        recorded.__name__ = name
        return recorded
    return {name: wrap(name, f) for name, f in functions.items()}


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (tuple, list)):
        return tuple(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


# ---- the instructor's computation on the case -------------------------------------------------

def _rnn_arrays(args):
    from .rnn import upstream

    Y, params, cache, act = args[:4]
    up = upstream(params, Y, cache, act)
    arrays = dict(dhraw=up["dhraw"], dh=up["dh"], dy=up["dy"], h=cache["h"], h_netIn=cache["h_netIn"],
                  p=cache["p"], X=cache["X"], Y=Y, h_prev=up["h_prev"], h0=cache["h0"],
                  W_hq=params["W_hq"], W_hh=params["W_hh"], W_xh=params["W_xh"], T=Y.shape[0], activation=act)
    return arrays, ("dhraw", "dh", "dy", "h", "h_netIn", "p", "X", "Y")


def _mlp_arrays(args):
    y, params, cache, reg = args[:4]
    g_za = R.dz_netAct(cache["z_netAct"], y)
    g_zi = R.dz_netIn(g_za, cache["z_netAct"])
    g_ya = R.dy_netAct(g_zi, params["z_wts"])
    g_yi = R.dy_netIn(g_ya, cache["y_netIn"])
    arrays = dict(dz_netAct=g_za, dz_netIn=g_zi, dy_netAct=g_ya, dy_netIn=g_yi, z_netAct=cache["z_netAct"],
                  z_netIn=cache["z_netIn"], y_netAct=cache["y_netAct"], y_netIn=cache["y_netIn"], X=cache["X"],
                  y=y, z_wts=params["z_wts"], y_wts=params["y_wts"], reg=np.float64(reg))
    return arrays, ()


def rnn2_intermediates(params, cache, Y, act):
    """dy, dh2, dhraw2, dh1, dhraw1 per step of two-layer BPTT, from the reference's local rules."""
    h1, h2, P = cache["h1"], cache["h2"], cache["p"]
    T = P.shape[0]
    dy = np.stack([R.dy_t(P[t], Y[t], T) for t in range(T)])
    out = {k: np.empty_like(h1 if k.endswith("1") else h2) for k in ("dh1", "dhraw1", "dh2", "dhraw2")}
    n1, n2 = np.zeros_like(h1[0]), np.zeros_like(h2[0])
    for t in reversed(range(T)):
        out["dh2"][t] = dy[t] @ params["W_hq"].T + n2 @ params["W_hh2"].T
        out["dhraw2"][t] = n2 = out["dh2"][t] * R.phi_prime(cache["h2_netIn"][t], h2[t], act)
        out["dh1"][t] = R.dh1_t(out["dhraw2"][t], n1, params["W_xh2"], params["W_hh1"])
        out["dhraw1"][t] = n1 = out["dh1"][t] * R.phi_prime(cache["h1_netIn"][t], h1[t], act)
    out["dy"] = dy
    return out


def _rnn2_arrays(args):
    Y, params, cache, act = args[:4]
    arrays = dict(rnn2_intermediates(params, cache, Y, act), h1=cache["h1"], h2=cache["h2"])
    arrays.update({w: params[w] for w in ("W_xh2", "W_hh1", "W_hh2", "W_xh1")})
    return arrays, ("dhraw1", "dhraw2", "dh1", "dh2", "dy", "h1", "h2")


ARRAYS = {"rnn_backward": _rnn_arrays, "mlp_backward": _mlp_arrays, "rnn2_backward": _rnn2_arrays}


def diagnose(unit, args, calls):
    """The first divergence of `calls` (the student's, in order) from the instructor's computation, or None."""
    from . import UNITS

    if unit not in ARRAYS or not calls:
        return None
    arrays, per_step = ARRAYS[unit](args)
    signatures = {rule: engine.parameters(getattr(R, rule)) for rule in UNITS[unit].oracles}
    return engine.first_divergence(arrays, per_step, calls, signatures)
