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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .. import reference as R
from ..reference.validate import Array
from .catalogue import UNITS
from .rnn import upstream

_ENGINE = Path(__file__).resolve().parents[2] / "source" / "bptt" / "trace_tools.py"

# trace_tools.parameters(rule): [(name, default or None)] of the rule's parameters.
Parameters = list[tuple[str, object]]
# The instructor's computation on a case: {kind: array or value}, and the kinds with a leading time axis.
Computation = tuple[Mapping[str, object], tuple[str, ...]]


@dataclass
class Call:
    """One recorded call (defined here, not in the given module: the student's call creates it)."""

    rule: str
    args: tuple[object, ...]
    result: object = None
    step: int | None = None     # the step it belongs to, found by the comparison


# What one case's trace may hold. A right assembly calls each rule once per step (a few dozen calls
# on the hidden cases); a student may call an allowed rule thousands of times per case, and every
# call's arguments and result would stay in the grader's memory (1.1 GB measured, per job).
MAX_TRACE_CALLS = 1000
MAX_TRACE_NUMBERS = 2_000_000    # array elements over the kept calls' arguments and results (16 MB)


def _numbers(value: object) -> int:
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, (tuple, list)):
        return sum(_numbers(v) for v in value) + 1
    if isinstance(value, dict):
        return sum(_numbers(v) for v in value.values()) + 1
    return 1


class Trace(list[Call]):
    """One case's calls, bounded by the grader: past MAX_TRACE_CALLS calls or MAX_TRACE_NUMBERS numbers,
    calls are counted (`dropped`), not kept, and the trace gives no diagnosis (diagnose: a prefix
    cannot say that every call was right, nor which steps were never reached)."""

    def __init__(self, max_calls: int = MAX_TRACE_CALLS, max_numbers: int = MAX_TRACE_NUMBERS) -> None:
        super().__init__()
        self.max_calls, self.numbers_left, self.dropped = max_calls, max_numbers, 0

    def append(self, call: Call) -> None:
        if not self.dropped and len(self) < self.max_calls:
            size = _numbers(call.args) + _numbers(call.result)
            if size <= self.numbers_left:
                self.numbers_left -= size
                super().append(call)
                return
        self.dropped += 1


@dataclass(frozen=True)
class Engine:
    """What the grader uses of the given module trace_tools.py (untyped, loaded by path: checked on loading)."""

    right_calls: str      # first_divergence's answer when every call was right
    parameters: Callable[[Callable[..., object]], Parameters]
    # first_divergence(arrays, per_step, calls, signatures): the first wrong call in words, RIGHT_CALLS, or None
    first_divergence: Callable[[Mapping[str, object], Sequence[str], Sequence[Call], Mapping[str, Parameters]], str | None]


def _load_engine() -> Engine:
    # The grader's own copy (the repository's), never the one in a student's folder.
    spec = importlib.util.spec_from_file_location("bptt_trace_engine", _ENGINE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the trace engine {_ENGINE}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    right_calls = getattr(module, "RIGHT_CALLS", None)
    parameters = getattr(module, "parameters", None)
    first_divergence = getattr(module, "first_divergence", None)
    if not isinstance(right_calls, str) or not callable(parameters) or not callable(first_divergence):
        raise ImportError(f"{_ENGINE} must define RIGHT_CALLS (a str), parameters and first_divergence")
    return Engine(right_calls, parameters, first_divergence)


engine = _load_engine()
RIGHT_CALLS = engine.right_calls


def recorder(functions: Mapping[str, Callable[..., object]], calls: list[Call]) -> dict[str, Callable[..., object]]:
    """{name: function} wrapped so that each call appends a Call to `calls` (kernel path)."""
    def wrap(name: str, func: Callable[..., object]) -> Callable[..., object]:
        def recorded(*args: object, **kwargs: object) -> object:
            result = func(*args, **kwargs)
            try:      # keyword arguments in the rule's own order
                bound = inspect.signature(func).bind(*args, **kwargs)
                ordered = tuple(bound.arguments.values())
            except TypeError:
                ordered = args + tuple(kwargs.values())
            calls.append(Call(name, tuple(_copy(v) for v in ordered), _copy(result)))
            return result
        recorded.__name__ = name
        return recorded
    return {name: wrap(name, f) for name, f in functions.items()}


def _copy(value: object) -> object:
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (tuple, list)):
        return tuple(_copy(v) for v in value)
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


# ---- the instructor's computation on the case -------------------------------------------------

def _array(value: object, name: str) -> NDArray[np.generic]:
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be an array, not a {type(value).__name__}")
    return value


def _arrays(value: object, name: str) -> dict[str, Array]:
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict of arrays, not a {type(value).__name__}")
    return value


def _str(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not a {type(value).__name__}")
    return value


def _backward_args(args: Sequence[object]) -> tuple[NDArray[np.generic], dict[str, Array], dict[str, Array], str]:
    """(Y, params, cache, activation) of an RNN backward pass: the case's arguments, as the reference made them."""
    return _array(args[0], "Y"), _arrays(args[1], "params"), _arrays(args[2], "cache"), _str(args[3], "activation")


def _rnn_arrays(args: Sequence[object]) -> Computation:
    Y, params, cache, act = _backward_args(args)
    up = upstream(params, Y, cache, act)
    arrays = dict(dhraw=up["dhraw"], dh=up["dh"], dy=up["dy"], h=cache["h"], h_netIn=cache["h_netIn"],
                  p=cache["p"], X=cache["X"], Y=Y, h_prev=up["h_prev"], h0=cache["h0"],
                  W_hq=params["W_hq"], W_hh=params["W_hh"], W_xh=params["W_xh"], T=Y.shape[0], activation=act)
    return arrays, ("dhraw", "dh", "dy", "h", "h_netIn", "p", "X", "Y")


def _mlp_arrays(args: Sequence[object]) -> Computation:
    y, params, cache, reg = _array(args[0], "y"), _arrays(args[1], "params"), _arrays(args[2], "cache"), args[3]
    if not isinstance(reg, (int, float)):
        raise TypeError(f"reg must be a number, not a {type(reg).__name__}")
    g_za = R.dz_netAct(cache["z_netAct"], y)
    g_zi = R.dz_netIn(g_za, cache["z_netAct"])
    g_ya = R.dy_netAct(g_zi, params["z_wts"])
    g_yi = R.dy_netIn(g_ya, cache["y_netIn"])
    arrays = dict(dz_netAct=g_za, dz_netIn=g_zi, dy_netAct=g_ya, dy_netIn=g_yi, z_netAct=cache["z_netAct"],
                  z_netIn=cache["z_netIn"], y_netAct=cache["y_netAct"], y_netIn=cache["y_netIn"], X=cache["X"],
                  y=y, z_wts=params["z_wts"], y_wts=params["y_wts"], reg=np.float64(reg))
    return arrays, ()


def rnn2_intermediates(params: Mapping[str, Array], cache: Mapping[str, Array], Y: NDArray[np.generic],
                       act: str) -> dict[str, Array]:
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


def _rnn2_arrays(args: Sequence[object]) -> Computation:
    Y, params, cache, act = _backward_args(args)
    arrays = dict(rnn2_intermediates(params, cache, Y, act), h1=cache["h1"], h2=cache["h2"])
    arrays.update({w: params[w] for w in ("W_xh2", "W_hh1", "W_hh2", "W_xh1")})
    return arrays, ("dhraw1", "dhraw2", "dh1", "dh2", "dy", "h1", "h2")


ARRAYS: dict[str, Callable[[Sequence[object]], Computation]] = {
    "rnn_backward": _rnn_arrays, "mlp_backward": _mlp_arrays, "rnn2_backward": _rnn2_arrays}


def diagnose(unit: str, args: Sequence[object], calls: Sequence[Call]) -> str | None:
    """The first divergence of `calls` (the student's, in order) from the instructor's computation, or None."""
    if unit not in ARRAYS or not calls or (isinstance(calls, Trace) and calls.dropped):
        return None
    arrays, per_step = ARRAYS[unit](args)
    signatures = {rule: engine.parameters(getattr(R, rule)) for rule in UNITS[unit].oracles}
    return engine.first_divergence(arrays, per_step, calls, signatures)
