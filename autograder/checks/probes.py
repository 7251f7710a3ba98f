"""Property probes: re-run a wrong answer on inputs that switch one thing off or on.

Which properties hold and which break tells where to look, without a list of wrong answers:
correct with W_hh = 0 but wrong otherwise points at what W_hh is used for; correct for one
example but wrong for a batch at what involves the batch. Such a reading is an observation, not a
cause (a division by each chunk's length is right at T = 1 and at k >= T, yet neither the carried
gradient nor the cut is wrong), so its pointer only says where to look, and names only parts the
unit computes (PARTS). For the BPTT loops
one probe also reads the student's own pre-activation gradient of every step: with X[t] a
block of the identity (D = T*N), dW_xh's rows of block t are exactly the dhraw_t the function
used, so the first step (from the end) where it differs, and how, is derived from what the
student's code did, inlined or not. Messages name properties and steps, never values.

`run(args)` is supplied by the grading path: it calls the student's function on `args` (in the
kernel, or in the sandbox) and returns its answer as plain data, or None if the call failed.
"""
import re
from collections.abc import Mapping, Sequence
from itertools import product
from typing import TypedDict, TypeGuard

import numpy as np

from .. import reference as R
from ..reference.validate import Array
from .base import Answer, Case, DimsChange, Runner, Unit
from .compare import close, relative_error
from .rnn import GRAD_KEYS, Labels, Params, Upstream, upstream

# A probe problem: the unit's arguments, the reference answer (its GRAD_KEYS), the forward cache.
ProbeProblem = tuple[tuple[object, ...], dict[str, Array], R.RnnCache]

RNN_UNITS = ("rnn_backward", "bptt_truncated", "bptt_randomized")
OTHER = {"relu": "tanh", "tanh": "relu"}

# What each unit computes that a property probe may point at: a pointer names only parts the unit
# has (path_weights has no sum over time, dW_hq no φ′). tests/test_verified_diagnosis.py checks the
# sums against the reference.
#   carry: a gradient carried from step to step      time sum: a sum over time
#   over T: a division by T                          batch sum: a sum over the batch
#   over N: a division by N                          rows: each example's row answered on its own
#   steps: each step answered on its own             paths: products of multipliers along paths
#   phi: the activation's derivative φ′
# A loop's and mlp_backward's answers are parameter gradients: summed over the batch, no row per example.
_LOOP = frozenset({"carry", "time sum", "over T", "batch sum", "over N", "phi"})
PARTS: dict[str, frozenset[str]] = {
    "dz_netAct": frozenset({"rows", "over N"}),
    "dz_netIn": frozenset({"rows"}),
    "dz_wts": frozenset({"batch sum"}),
    "dz_b": frozenset({"batch sum"}),
    "dy_netAct": frozenset({"rows"}),
    "dy_netIn": frozenset({"rows"}),
    "dy_wts": frozenset({"batch sum"}),
    "dy_b": frozenset({"batch sum"}),
    "mlp_backward": frozenset({"over N", "batch sum"}),
    "dy_t": frozenset({"rows", "over N", "over T"}),
    "dW_hq": frozenset({"time sum", "batch sum"}),
    "db_q": frozenset({"time sum", "batch sum"}),
    "dh_t": frozenset({"rows"}),
    "dhraw_t": frozenset({"rows", "phi"}),
    "dW_hh": frozenset({"time sum", "batch sum"}),
    "dW_xh": frozenset({"time sum", "batch sum"}),
    "db_h": frozenset({"time sum", "batch sum"}),
    "dX": frozenset({"rows", "steps"}),
    "dh0": frozenset({"rows"}),
    "rnn_backward": _LOOP,
    "dh1_t": frozenset({"rows"}),
    "rnn2_backward": _LOOP,
    "path_weights": frozenset({"paths"}),
    "bptt_truncated": _LOOP,
    "bptt_randomized": _LOOP,
    "clip_gradients": frozenset(),
}
# The words for each part, in the order a pointer lists them.
PART_WORDS = {
    "carry": "the gradient carried back from step to step", "time sum": "the sums over time",
    "over T": "the division by T", "steps": "whether each step's answer uses its own step only",
    "paths": "which multipliers each entry w[t, j] takes (those of steps t-j+1..t, none for j > t)",
    "batch sum": "the sums over the batch", "over N": "the division by N",
    "rows": "whether each row's answer uses its own example only",
}
T_PARTS = ("carry", "time sum", "over T", "steps", "paths")
N_PARTS = ("batch sum", "over N", "rows")


def pointer(unit: str, parts: Sequence[str], size: str = "") -> str:
    """': look at A, B or C' for the parts of `parts` that `unit` computes, or '' (nothing to point at).

    size: the size the property switched ("N", "T"); the list then ends with "anything else that
    uses" it, since a wrong answer may use it where the reference does not (reg * W / N makes dy_wts
    right for one example while its one sum over the batch is right)."""
    have = [PART_WORDS[p] for p in parts if p in PARTS.get(unit, frozenset())]
    if size:
        have.append(f"anything else that uses {size}" if have else f"where {size} is used")
    if not have:
        return ""
    listed = have[0] if len(have) == 1 else ", ".join(have[:-1]) + " or " + have[-1]
    return f": look at {listed}"


def _phi_pointer(unit: str, act: str) -> str:
    return f": look at φ′ of {act}" if "phi" in PARTS.get(unit, frozenset()) else ""


def _right(got: object, expected: Answer | None) -> bool:
    """True when plain `got` equals `expected` (array, or dict/tuple of arrays)."""
    from .base import judge_value
    if expected is None:      # a case that must raise: no answer is right
        return False
    try:
        return judge_value(got, expected, {}, "") is None
    except Exception:
        return False


# ---- the BPTT loops: fresh problems with one thing switched -----------------------------------

def _carry(unit: str, extra: object, T: int) -> Array:
    if unit == "bptt_truncated":
        if not isinstance(extra, (int, np.integer)):
            raise TypeError(f"{unit}: k must be an int, got {type(extra).__name__}")
        return R.regular_carry(T, int(extra))
    if unit == "bptt_randomized":
        return np.asarray(extra, dtype=np.float64)
    return np.ones(T)


def _rnn_args(unit: str, params: Params, X: Array, Y: Labels, h0: Array, act: str, extra: object) -> ProbeProblem:
    _, cache = R.rnn_forward(X, params, h0, act)
    args: tuple[object, ...] = (Y, params, cache, act) if unit == "rnn_backward" else (Y, params, cache, extra, act)
    expected = {k: v for k, v in R.rnn_backward(Y, params, cache, act, carry=_carry(unit, extra, len(Y))).items()
                if k in GRAD_KEYS}
    return args, expected, cache


def _split(unit: str, args: Sequence[object]) -> tuple[Labels, Params, R.RnnCache, str, object]:
    """(Y, params, cache, activation, k or xi or None) of a BPTT loop's arguments."""
    extra: object
    if unit == "rnn_backward":
        Y, params, cache, act = args
        extra = None
    else:
        Y, params, cache, extra, act = args
    if not _is_rnn_cache(cache):
        raise TypeError(f"{unit}: cache is not rnn_forward's")
    labels, arrays, activation = _loop_args(unit, Y, params, act)
    return labels, arrays, cache, activation, extra


def _loop_args(unit: str, Y: object, params: object, act: object) -> tuple[Labels, Params, str]:
    """Y, params and the activation of a BPTT unit's case, checked to be what its case maker made."""
    if not (isinstance(Y, np.ndarray) and isinstance(params, dict) and isinstance(act, str)):
        raise TypeError(f"{unit}: the arguments are not (Y, params, cache, ..., activation)")
    return Y, params, act


def _is_rnn_cache(value: object) -> TypeGuard[R.RnnCache]:
    """True when `value` is what rnn_forward records: an array under each key, and the activation's name."""
    return isinstance(value, dict) and isinstance(value.get("activation"), str) and \
        all(isinstance(value.get(k), np.ndarray) for k in R.RnnCache.__required_keys__ if k != "activation")


def _fresh(unit: str, args: Sequence[object], seed: int, T: int | None = None, N: int | None = None,
           H: int | None = None, block: bool = False, act: str | None = None, extra: object = None,
           **zero: bool) -> ProbeProblem:
    """A new problem like the case's (same activation, k or xi) with sizes or inputs switched."""
    Y0, params0, cache0, act0, extra0 = _split(unit, args)
    rng = np.random.default_rng(seed)
    shape: tuple[int, int, int] = cache0["h"].shape
    T0, N0, H0 = shape
    T, N, H = T or T0, N or N0, H or H0
    Q: int = params0["W_hq"].shape[1]
    D: int = T * N if block else cache0["X"].shape[2]
    params = dict(W_xh=rng.standard_normal((D, H)) * 0.5, W_hh=rng.standard_normal((H, H)) * 0.5,
                  b_h=rng.standard_normal(H) * 0.2, W_hq=rng.standard_normal((H, Q)) * 0.5,
                  b_q=rng.standard_normal(Q) * 0.2)
    for name in zero:
        if name in params:
            params[name] = np.zeros_like(params[name])
    if block:
        X = np.zeros((T, N, D))
        for t in range(T):
            X[t, np.arange(N), t * N + np.arange(N)] = 1.0
    else:
        X = rng.standard_normal((T, N, D))
    Y = rng.integers(0, Q, (T, N))
    h0 = np.zeros((N, H)) if "h0" in zero else rng.standard_normal((N, H)) * 0.5
    if extra is None:
        extra = extra0
        if unit == "bptt_randomized" and T != T0:
            extra = np.resize(np.asarray(extra0, dtype=np.float64), T)
    return _rnn_args(unit, params, X, Y, h0, act or act0, extra)


def _stepwise(unit: str, args: Sequence[object], run: Runner) -> str | None:
    """The student's dhraw_t of every step (from the block probe), compared with the reference's."""
    Y, params, cache, act, extra = _split(unit, args)
    T, N, _ = cache["h"].shape
    # Distinct non-zero multipliers: every ξ[j], 1/ξ[j] and ξ[j]² names one number only.
    xi = np.linspace(0.6, 2.9, T)[np.random.default_rng(5).permutation(T)] if unit == "bptt_randomized" else None
    probe_args, expected, pcache = _fresh(unit, args, seed=17, H=T + 2, block=True, extra=xi)
    got = run(probe_args)
    if not isinstance(got, dict) or _right(got, expected):
        return None
    Wx = got.get("W_xh")
    if not isinstance(Wx, np.ndarray) or Wx.shape != expected["W_xh"].shape:
        return None
    s = np.stack([Wx[t * N:(t + 1) * N] for t in range(T)]).astype(np.float64)
    Yp, pp, _, _, ex = _split(unit, probe_args)
    carry = _carry(unit, ex, T)
    up = upstream(pp, Yp, pcache, act, carry=carry)
    d = up["dhraw"]
    # The recovered s is the student's dhraw only if their b_h is its sum (else dW_xh itself is wrong).
    bh = got.get("b_h")
    if not (isinstance(bh, np.ndarray) and bh.shape == expected["b_h"].shape and close(bh, s.sum(axis=(0, 1)))):
        wrong = [k for k in GRAD_KEYS if not _right(got.get(k), expected[k])]
        if wrong == ["W_xh"]:
            return "only W_xh is wrong (b_h and W_hh are right): look at how X[t] is paired with dhraw_t in dW_xh"
        return None
    bad = [t for t in range(T) if not close(s[t], d[t], 1e-6)]
    if not bad:
        return _pairing(got, expected, pcache, s, d)
    t = max(bad)
    steps = _steps_text(bad, T)
    why = _explain_step(unit, t, s, up, pp, pcache, act, carry, ex)
    head = f"the pre-activation gradient dhraw_t is wrong at {steps}"
    return f"{head}; the first wrong step from the end is t = {t}: {why}" if why else \
        f"{head}; it is right for every step after t = {t}, so the mistake enters at step t = {t}"


def _steps_text(bad: list[int], T: int) -> str:
    if len(bad) == T:
        return "every step"
    if bad == list(range(min(bad), T)):
        return f"t = {min(bad)}..{T - 1} (the last {T - min(bad)} steps)" if min(bad) < T - 1 else \
            f"t = {T - 1} (the last step) only"
    if bad == list(range(0, max(bad) + 1)):
        return f"t = 0..{max(bad)} (every step before t = {max(bad) + 1})" if max(bad) else "t = 0 (the first step) only"
    return "t = " + ", ".join(map(str, bad))


def _scalar_names(unit: str, extra: object, t: int, T: int) -> list[tuple[float, str]]:
    names: list[tuple[float | None, str]] = [(0.0, "0"), (1.0, "1"), (2.0, "2"), (0.5, "1/2")]
    if unit == "bptt_randomized":
        xi = np.asarray(extra, dtype=np.float64)
        # Only the ξ a loop reaches by its own logic: this step's, its neighbours', the mirrored one,
        # the first and the last; the largest and the mean of ξ. Any other index would be a number
        # that happens to equal the factor in this draw.
        near = [j for j in dict.fromkeys((t + 1, t, t + 2, T - 2 - t, 0, T - 1)) if 0 <= j < T]
        names = [(float(xi[t + 1]), f"ξ[{t + 1}]") if t + 1 < T else (None, "")] + \
            [(float(xi[j]), f"ξ[{j}]") for j in near] + \
            [(1 / float(xi[j]), f"1/ξ[{j}]") for j in near if xi[j]] + \
            [(float(xi[j]) ** 2, f"ξ[{j}]²") for j in near] + \
            [(float(np.max(xi)), "the largest ξ"), (float(np.mean(xi)), "the mean of ξ")] + names
    return [(v, n) for v, n in names if v is not None]


def _name_of(value: float, names: Sequence[tuple[float, str]]) -> str | None:
    for v, n in names:
        if abs(value - v) <= 1e-6 * max(1.0, abs(v)):
            return n
    return None


def _explain_step(unit: str, t: int, s: Array, up: Upstream, params: Params, cache: R.RnnCache, act: str,
                  carry: Array, extra: object) -> str | None:
    """How s[t] is built, when every later step is right: fit s_t = a*φ′⊙(dy_t W_hq.T) + b*φ′⊙(G W)."""
    T = s.shape[0]
    A = up["dy"][t] @ params["W_hq"].T
    h_netIn, h = cache["h_netIn"][t], cache["h"][t]
    phis = [(act, R.phi_prime(h_netIn, h, act)), (OTHER[act], R.phi_prime(h_netIn, h, OTHER[act])),
            ("none", np.ones_like(h))]
    sources: list[tuple[str, Array | None]] = [("right", None)]
    if t + 1 < T:
        sources = [("dhraw", up["dhraw"][t + 1]), ("dh", up["dh"][t + 1])]
        if t + 2 < T:
            sources.append(("dhraw+2", up["dhraw"][t + 2]))
    if t > 0:
        sources.append(("own t-1", s[t - 1]))
    Ws: list[tuple[str, Array | None]] = [("T", params["W_hh"].T), ("plain", params["W_hh"])]
    target = s[t]
    for phi_name, phi in phis:
        u = (phi * A).ravel()
        for src_name, G in sources:
            for w_name, W in (Ws if G is not None else [("T", None)]):
                v = (phi * (G @ W)).ravel() if G is not None and W is not None else np.zeros_like(u)
                basis = np.stack([u, v], axis=1) if np.any(v) else u[:, None]
                coef, *_ = np.linalg.lstsq(basis, target.ravel(), rcond=None)
                fit = basis @ coef
                if relative_error(fit, target.ravel()) > 1e-6:
                    continue
                a = float(coef[0])
                b = float(coef[1]) if len(coef) > 1 else 0.0
                return _words(unit, t, T, phi_name, act, src_name, w_name, a, b, carry, extra)
    return None


def _words(unit: str, t: int, T: int, phi_name: str, act: str, src: str, w: str, a: float, b: float,
           carry: Array, extra: object) -> str | None:
    out: list[str] = []
    names = _scalar_names(unit, extra, t, T)
    if abs(a) < 1e-9 and abs(b) < 1e-9:
        return (f"dhraw_{t} as the loop used it is zero: step t = {t} is never computed, or its result is "
                f"discarded before the parameter sums")
    if src == "own t-1" and abs(b) > 1e-9:
        out.append(f"step {t} receives the gradient of step {t - 1}: the loop visits the steps in increasing t; "
                   f"BPTT goes from t = {T - 1} down to 0")
    if phi_name == "none":
        out.append("dh_t is not multiplied by φ′(h_netIn_t) (the activation's derivative is skipped)")
    elif phi_name != act:
        out.append(f"φ′ is that of '{phi_name}'; the forward pass used '{act}'")
    if abs(a - 1) > 1e-6:
        name = _name_of(a, names)
        if unit == "bptt_randomized" and name == f"ξ[{t}]":
            out.append(f"ξ[{t}] multiplied the stored dhraw_t instead of the gradient passed back to step {t - 1}")
        else:
            out.append(f"step t's own term dy_t @ W_hq.T is scaled by {name or 'a wrong constant'}")
    if t + 1 < T:
        want = float(carry[t + 1])
        if src == "dh" and abs(b) > 1e-9:
            out.append(f"the gradient passed back from step {t + 1} is dh (before φ′); it must be dhraw of step {t + 1}")
        elif src == "dhraw+2" and abs(b) > 1e-9:
            # What step t should receive is what the right carry lets through: nothing across a cut.
            should = (f"it should be that of step {t + 1}" if want else
                      f"nothing may arrive there (step {t + 1} starts a chunk)")
            out.append(f"step {t} receives the pre-activation gradient of step {t + 2}; {should}")
        if w == "plain" and abs(b) > 1e-9:
            out.append(f"the gradient from step {t + 1} goes through W_hh instead of W_hh.T")
        if abs(b - want) > 1e-6 * max(1.0, abs(want)) and src in ("dhraw", "dh", "dhraw+2"):
            out.append(_carry_words(unit, t, b, want, names))
    return "; ".join(o for o in out if o) or None


def _carry_words(unit: str, t: int, b: float, want: float, names: Sequence[tuple[float, str]]) -> str:
    if unit == "bptt_truncated":
        if want == 0 and abs(b - 1) < 1e-6:
            return f"the carried gradient crossed the boundary between steps {t} and {t + 1} (step {t + 1} starts a chunk)"
        if want == 1 and abs(b) < 1e-9:
            return f"the gradient is cut between steps {t} and {t + 1}, which lie in the same chunk"
    if unit == "rnn_backward" and abs(b) < 1e-9:
        return f"no gradient arrives from step {t + 1}: the future term dhraw_{{t+1}} @ W_hh.T is missing"
    if unit == "bptt_randomized":
        name = _name_of(b, names[1:]) if names else None
        if abs(b) < 1e-9:
            return f"no gradient arrives from step {t + 1}, although ξ[{t + 1}] > 0"
        return (f"the gradient passed back from step {t + 1} is multiplied by {name or 'a wrong factor'}; "
                f"it should be multiplied by ξ[{t + 1}]")
    name = _name_of(b, names)
    return f"the gradient passed back from step {t + 1} is scaled by {name or 'a wrong factor'}"


def _pairing(got: Mapping[str, object], expected: Mapping[str, Array], cache: R.RnnCache, s: Array,
             d: Array) -> str | None:
    """dhraw is right at every step: which state does dW_hh pair with dhraw_t? (least squares over h0, h[j])."""
    W = got.get("W_hh")
    if not isinstance(W, np.ndarray) or W.shape != expected["W_hh"].shape or _right(W, expected["W_hh"]):
        return None
    T = s.shape[0]
    states = [cache["h0"]] + [cache["h"][j] for j in range(T)]       # index 0 is h0, j+1 is h[j]
    cols = [(states[i].T @ s[t]).ravel() for t in range(T) for i in range(T + 1)]
    coef, *_ = np.linalg.lstsq(np.stack(cols, axis=1), W.ravel(), rcond=None)
    if relative_error(np.stack(cols, axis=1) @ coef, W.ravel()) > 1e-6:
        return None
    c = coef.reshape(T, T + 1)

    def name(i: int) -> str:
        return "cache['h0']" if i == 0 else f"h[{i - 1}]"
    single = [np.flatnonzero(np.abs(c[t]) > 1e-6) for t in range(T)]
    if all(len(u) == 1 and abs(c[t, u[0]] - 1) < 1e-6 for t, u in enumerate(single)):
        shifts = {int(u[0]) - t for t, u in enumerate(single)}
        if len(shifts) == 1 and shifts != {0}:
            shift = shifts.pop() - 1
            return (f"dW_hh pairs dhraw_t with h[t{shift:+d}] at every step where h_prev[t] = h_{{t-1}} belongs"
                    if shift else "dW_hh pairs dhraw_t with h[t] at every step where h_prev[t] = h_{t-1} belongs")
    for t in range(T):
        want = np.zeros(T + 1)
        want[t] = 1.0           # h_prev[t]: h0 at t = 0, h[t-1] after
        if np.allclose(c[t], want, atol=1e-6):
            continue
        used = [i for i in range(T + 1) if abs(c[t, i]) > 1e-6]
        if not used:
            return f"dW_hh has no term for step t = {t}: h_prev[{t}].T @ dhraw_{t} ({name(t)}) is missing"
        held = " + ".join(name(i) if abs(c[t, i] - 1) < 1e-6 else f"a multiple of {name(i)}" for i in used)
        return f"dW_hh pairs dhraw_{t} with {held} where h_prev[{t}] = {name(t)} belongs"
    return None


# ---- which arrays a sum over time pairs -------------------------------------------------------

# Each weight gradient is a sum over time of (state at t or t-1).T @ (gradient at t); each bias
# gradient a sum of one gradient. Every pairing of the computation's arrays of the right widths is
# tried; a wrong output equal to exactly one of them is named by it.
STATES = {"rnn": ("X", "h"), "rnn2": ("X", "h1", "h2")}
GRADIENTS = {"rnn": ("dhraw", "dh", "dy"), "rnn2": ("dhraw1", "dhraw2", "dh1", "dh2", "dy")}
INITIAL = {"h": "h0", "h1": "h1_0", "h2": "h2_0"}


def _computation(unit: str, args: Sequence[object]) -> tuple[str, dict[str, Array], dict[str, Array]]:
    """(family, {kind: (T, N, width) array}, {state kind: initial state}) of the reference on `args`."""
    if unit == "rnn2_backward":
        from .trace import rnn2_intermediates
        Y, params, given, act = args[:4]
        if not isinstance(given, dict):
            raise TypeError(f"{unit}: cache is not rnn2_forward's dict")
        cache2 = {k: v for k, v in given.items() if isinstance(v, np.ndarray)}     # its arrays (not the activation)
        Y, params, act = _loop_args(unit, Y, params, act)
        arrays = dict(rnn2_intermediates(params, cache2, Y, act), X=cache2["X"], h1=cache2["h1"], h2=cache2["h2"])
        return "rnn2", arrays, {"h1": cache2["h1_0"], "h2": cache2["h2_0"]}
    Y, params, cache, act, extra = _split(unit, args)
    up = upstream(params, Y, cache, act, carry=_carry(unit, extra, len(Y)))
    return "rnn", dict(dhraw=up["dhraw"], dh=up["dh"], dy=up["dy"], X=cache["X"], h=cache["h"]), {"h": cache["h0"]}


def _sums(family: str, arrays: Mapping[str, Array], inits: Mapping[str, Array]) -> list[tuple[str, Array]]:
    """[(words, value)] of every sum over time that a weight or bias gradient could be."""
    out: list[tuple[str, Array]] = []
    for g in GRADIENTS[family]:
        G = arrays[g]
        out.append((f"the sum of {g}", G.sum(axis=(0, 1))))
        for st in STATES[family]:
            S = arrays[st]
            out.append((f"Σ_t {st}[t].T @ {g}[t]", np.einsum("tni,tnj->ij", S, G)))
            if st in inits:
                for first, name in ((inits[st], f"cache['{INITIAL[st]}']"), (np.zeros_like(inits[st]), "zeros")):
                    prev = np.concatenate([first[None], S[:-1]])
                    out.append((f"Σ_t {st}[t-1].T @ {g}[t] with {name} at t = 0", np.einsum("tni,tnj->ij", prev, G)))
    return out


def _pairing_words(unit: str, args: Sequence[object], got: object, expected: object) -> str | None:
    family, arrays, inits = _computation(unit, args)
    sums = _sums(family, arrays, inits)
    if not isinstance(got, dict) or not isinstance(expected, dict):
        return None
    # A gradient whose plain sum (its bias output) comes out right was used right: only then does a
    # wrong weight sum over it point at the state it is paired with (a step left out changes both).
    trusted = {w.split()[-1] for w, v in sums if w.startswith("the sum of ")
               for key, want in expected.items() if v.shape == want.shape and close(v, want)
               and isinstance(got.get(key), np.ndarray) and got[key].shape == want.shape and close(got[key], want)}
    out = []
    for key, want in expected.items():
        value = got.get(key)
        if not isinstance(value, np.ndarray) or value.shape != want.shape or close(value, want):
            continue
        right = [w for w, v in sums if v.shape == want.shape and close(v, want)]
        found = [w for w, v in sums if v.shape == want.shape and close(value, v)]
        # one reading only (two that coincide could mislead), over a gradient known to be right
        if len(found) == 1 and len(right) == 1 and found[0].split(" @ ")[-1].split("[")[0] in trusted:
            out.append(f"{key} is {found[0]}; it should be {right[0]}")
    return "; ".join(out) or None


# ---- properties that hold or break ------------------------------------------------------------

class _Switch(TypedDict, total=False):
    """What a BPTT probe changes in a fresh problem (_fresh's keywords): sizes, or W_hh / h0 set to zero."""
    T: int
    N: int
    act: str
    extra: object
    W_hh: bool
    h0: bool


def _rnn_properties(unit: str, args: Sequence[object], run: Runner) -> list[str]:
    Y, params, cache, act, extra = _split(unit, args)
    T = cache["h"].shape[0]
    # Each holds-or-breaks reading is an observation; its pointer says where to look, never a cause.
    probes = [
        ("W_hh = 0 (no gradient from the future)", _Switch(W_hh=True),
         "correct when no gradient comes from the future (W_hh = 0), wrong otherwise: look at what uses W_hh "
         "(the gradient carried back from step t+1)"),
        ("h0 = 0", _Switch(h0=True), "correct when the initial state is zero, wrong otherwise: look at where "
                                     "cache['h0'] enters (h_prev[0] = cache['h0'])"),
        ("T = 1", _Switch(T=1), "correct for a single step (T = 1), wrong for longer sequences"
                                + pointer(unit, T_PARTS, "T")),
        ("N = 1", _Switch(N=1), "correct for one example, wrong for a batch" + pointer(unit, N_PARTS, "N")),
        ("other activation", _Switch(act=OTHER[act]),
         f"correct for {OTHER[act]}, wrong for {act}" + _phi_pointer(unit, act)),
    ]
    if unit == "bptt_truncated":
        # Said of what was run: k = T, then k > T (a loop over whole chunks only is right at k = T and
        # gives nothing at k > T), and the case's own k.
        longer = _fresh(unit, args, seed=1500, extra=2 * T + 1)
        beyond = _control_passes(run, *longer[:2])
        probes.append(("k >= T", _Switch(extra=T),
                       f"correct when k {'≥' if beyond else '='} T (no cut){'' if beyond else ' but not for k > T'}, "
                       f"wrong for k = {extra}: look at what depends on k (the chunks, and where the gradient is cut)"))
    if unit == "bptt_randomized":
        probes.append(("xi = 1", _Switch(extra=np.ones(T)), "correct when every ξ[t] = 1 (π = 1), wrong otherwise: "
                                                            "look at how ξ is used"))
    held: list[str] = []
    broke: list[str] = []
    for i, (_, switch, text) in enumerate(probes):
        # The sizes and the arrays to zero (every W_hh / h0 entry is True) go to _fresh as keywords.
        probe_args, expected, _ = _fresh(unit, args, seed=1000 + i, **switch)
        got = run(probe_args)
        if got is None:
            continue
        if _right(got, expected):
            # As in _dims_properties: a second draw must agree, and a control draw without the switch must fail.
            if not _control_passes(run, *_fresh(unit, args, seed=2000 + i, **switch)[:2]) or \
                    _control_passes(run, *_fresh(unit, args, seed=1000 + i)[:2]):
                continue
            # Under ReLU a small state can be all zero at a step (no gradient passes it, whatever the
            # code does): the property must also hold in a draw under tanh, where no unit is dead.
            if act == "relu" and "act" not in switch and \
                    not _control_passes(run, *_fresh(unit, args, seed=3000 + i, **_Switch(**switch, act="tanh"))[:2]):
                continue
        (held if _right(got, expected) else broke).append(text)
    if unit == "bptt_truncated" and probes[-1][2] in broke:
        # An observation only: a cut written wrongly can act even when k ≥ T (t / k, not t // k).
        broke_all = "wrong even when k = T (where no cut may happen)"
        return held + ([broke_all] if len(held) < len(probes) else [])
    if unit == "bptt_randomized" and probes[-1][2] in broke:
        return held + ["wrong even when every ξ[t] = 1 (full BPTT)"]
    return held


def _dims_properties(unit: Unit, case: Case, run: Runner) -> list[str]:
    """Local rules and the other units: the unit's own case maker with one size or switch changed."""
    d = dict(case.dims)
    out: list[str] = []
    base = case.made_from
    if not base:
        return out
    switches: list[tuple[DimsChange, str]] = []
    if "N" in unit.dims_used:       # path_weights has no batch
        switches.append((DimsChange(N=1), "correct for one example, wrong for a batch" + pointer(unit.name, N_PARTS, "N")))
    if "T" in unit.dims_used:       # an MLP has no time axis: T = 1 would say nothing true about it
        switches.append((DimsChange(T=1), "correct for a single step (T = 1), wrong for longer sequences"
                         + pointer(unit.name, T_PARTS, "T")))
    activation = d.get("activation")
    if isinstance(activation, str):       # the unit's sizes include the activation
        other = OTHER[activation]
        switches.append((DimsChange(activation=other), f"correct for {other}, wrong for {activation}"
                         + _phi_pointer(unit.name, activation)))
    if unit_upstream(unit):
        switches.append((DimsChange(seed=101), "correct when the upstream gradient is the loss's own, wrong for an arbitrary "
                                         "one: the rule must hold for any upstream gradient"))
    if "reg" in unit.arg_names and hasattr(R, unit.name):
        at = unit.arg_names.index("reg")
        args = case.args[:at] + (0.0,) + case.args[at + 1:]
        want = getattr(R, unit.name)(*args)
        if isinstance(case.expected, dict):
            want = {k: want[k] for k in case.expected}
        got = run(args)
        if got is not None and _right(got, want):
            out.append("correct when reg = 0, wrong when reg > 0: look at the terms reg multiplies")
    for change, text in switches:
        if all(base.get(k) == v for k, v in change.items()):
            continue
        # A property holds only if the answer is right on two independent draws with the change (one
        # draw can be degenerate: a ReLU state that is all zero for one example) and still wrong on a
        # control draw without it (else the new inputs, not the switched property, hide the mistake).
        try:
            seed: int = base["seed"]
            draws = [unit.make_case(np.random.default_rng(change.get("seed", seed) + off),
                                    {**base, **change, "kinks": False}) for off in (7, 19)]
            if base.get("activation") == "relu" and "activation" not in change:
                # a ReLU draw can have dead units that hide the mistake: one draw under tanh as well
                draws.append(unit.make_case(np.random.default_rng(change.get("seed", seed) + 31),
                                            {**base, **change, "kinks": False, "activation": "tanh"}))
            control = unit.make_case(np.random.default_rng(change.get("seed", seed) + 7), {**base, "kinks": False})
        except Exception:
            continue
        # ... and on a draw of each of the unit's own variants of its inputs (path_weights' T = 1 from
        # a regular cut has carry [1], which hides a lag-0 weight of carry[t]; an arbitrary carry does not).
        for i, variant in enumerate(unit.variants):
            try:
                draws.append(unit.make_case(np.random.default_rng(change.get("seed", seed) + 43 + i),
                                            {**base, **variant, **change, "kinks": False}))
            except Exception:
                continue
        if all(_control_passes(run, d.args, d.expected) for d in draws) and \
                not _control_passes(run, control.args, control.expected):
            out.append(text)
    return out


def _control_passes(run: Runner, args: tuple[object, ...], expected: Answer | None) -> bool:
    got = run(args)
    return got is not None and _right(got, expected)


def unit_upstream(unit: Unit) -> bool:
    return bool(unit.upstream)


def _clip_properties(case: Case, run: Runner) -> list[str]:
    grads, max_norm = case.args
    if not isinstance(grads, dict):
        raise TypeError(f"clip_gradients: grads must be a dict, got {type(grads).__name__}")
    norm = float(R.global_norm(grads))
    out: list[str] = []
    for ratio, text in ((2.0, "correct when the norm is below max_norm (nothing to clip), wrong above it: "
                              "look at the scaling by max_norm / norm"),
                        (0.5, "correct when the norm is above max_norm, wrong below it: below the threshold the "
                              "gradients must come back unchanged")):
        args = (grads, norm * ratio)
        clipped, n = R.clip_grad_norm(grads, norm * ratio)
        got = run(args)
        if got is not None and _right(got, (clipped, np.float64(n))):
            out.append(text)
    zero = {k: np.zeros_like(v) for k, v in grads.items()}
    got = run((zero, max_norm))
    if got is None:
        out.append("it fails for all-zero gradients (norm 0): never divide by the norm when it is 0")
    return out


def _time_terms(unit: Unit, case: Case, got: object) -> str | None:
    """For a rule whose answer is a sum over time of per-step terms: which steps the answer holds.

    The per-step term is the reference rule on one time slice of every (T, ...) argument, so no
    rule is listed here. The student's answer is fitted as Σ_t c_t · term_t; when that fit is
    exact and every c_t is 0 or one common factor, the missing steps (or the factor) are named.
    """
    args = [a for a in case.args if isinstance(a, np.ndarray) and a.ndim >= 2]
    if not hasattr(R, unit.name) or not case.args or len(args) < len(case.args):    # every argument a (T, ...) array
        return None
    T = args[0].shape[0]
    # Only a unit with a time axis has steps: an MLP batch's rows are examples, never steps.
    if "T" not in unit.dims_used or T != case.dims.get("T"):
        return None
    if T < 2 or any(a.shape[0] != T for a in args) or not isinstance(got, np.ndarray):
        return None
    rule = getattr(R, unit.name)
    try:
        terms = [np.asarray(rule(*(a[t:t + 1] for a in args)), dtype=float) for t in range(T)]
    except Exception:
        return None
    whole = np.asarray(case.expected, dtype=float)
    if got.shape != whole.shape or not close(_total(terms), whole):
        return None     # not a sum over time
    basis = np.stack([term.ravel() for term in terms], axis=1)
    coef, *_ = np.linalg.lstsq(basis, got.ravel().astype(float), rcond=None)
    if relative_error(basis @ coef, got.ravel()) > 1e-9 or np.linalg.matrix_rank(basis) < T:
        return None
    kept = [t for t in range(T) if abs(coef[t]) > 1e-9]
    factors = {round(float(coef[t]), 9) for t in kept}
    if kept and len(factors) == 1 and len(kept) < T:
        left = [t for t in range(T) if t not in kept]
        steps = ", ".join(f"t = {t}" for t in left)
        scale = "" if factors == {1.0} else f" (and scaled by {factors.pop():g})"
        return f"{unit.name} sums the steps {', '.join(str(t) for t in kept)} only: {steps} left out of the sum over time{scale}"
    return None


def _total(arrays: Sequence[Array]) -> Array:
    """The sum of `arrays` (never empty), added in order as sum() does."""
    return sum(arrays[1:], arrays[0])


def _upstream_terms(unit: Unit, case: Case, got: object) -> str | None:
    """For a rule that adds the contributions of several upstream gradients (dh_t, dh1_t): how each
    one entered the student's answer. Each contribution is the reference rule with the other
    upstream gradients set to zero, so no formula is listed; an upstream gradient added as it is
    (without the weight matrix that carries it) is tried as well. Only an exact fit is reported."""
    ups = [u for u in unit.upstream if u in unit.arg_names]
    if len(ups) < 2 or not hasattr(R, unit.name) or not isinstance(got, np.ndarray):
        return None
    rule, args = getattr(R, unit.name), list(case.args)
    at = {u: unit.arg_names.index(u) for u in ups}
    terms: dict[str, Array] = {}
    for u in ups:
        only = [np.zeros_like(a) if (i in at.values() and i != at[u]) else a for i, a in enumerate(args)]
        terms[u] = np.asarray(rule(*only), dtype=float)
    want = np.asarray(case.expected, dtype=float)
    if got.shape != want.shape or not close(_total(list(terms.values())), want):
        return None

    def fit(columns: Sequence[Array]) -> Array | None:
        basis = np.stack([c.ravel() for c in columns], axis=1)
        coef, *_ = np.linalg.lstsq(basis, got.ravel().astype(float), rcond=None)
        exact = relative_error(basis @ coef, got.ravel()) < 1e-9 and np.linalg.matrix_rank(basis) == basis.shape[1]
        return coef if exact else None

    coef = fit([terms[u] for u in ups])
    if coef is not None:
        words: list[str] = []
        for u, c in zip(ups, coef):
            if abs(c) < 1e-9:
                words.append(f"the contribution of `{u}` is missing")
            elif abs(c + 1) < 1e-9:
                words.append(f"the contribution of `{u}` is subtracted instead of added")
            elif abs(c - 1) > 1e-9:
                words.append(f"the contribution of `{u}` is scaled by {c:.3g}")
        return f"{unit.name}: " + "; ".join(words) if words else None
    for u in ups:
        raw = np.asarray(args[at[u]], dtype=float)
        if raw.shape != want.shape:
            continue
        coef = fit([terms[v] for v in ups if v != u] + [raw])
        if coef is not None and all(abs(c - 1) < 1e-9 for c in coef):
            return (f"{unit.name}: `{u}` is added as it is; its contribution must go through its weight matrix "
                    f"(the product that carries it to this gradient)")
    return None


def _where_wrong(unit: Unit, case: Case, got: object) -> str | None:
    """Where the wrong entries are, when an input of the answer's shape tells: exactly where it is 0,
    negative or positive (a ReLU mask at its kink, or pointing the wrong way). Read from the
    student's answer entry by entry; nothing about the rule is listed."""
    want = case.expected
    if not isinstance(got, np.ndarray) or not isinstance(want, np.ndarray) or got.shape != want.shape:
        return None
    scale = float(np.max(np.abs(want))) or 1.0
    wrong = ~np.isclose(got, want, rtol=1e-9, atol=1e-12 * scale)
    if not wrong.any() or wrong.all():
        return None
    for name, arg in zip(unit.arg_names, case.args):
        if not isinstance(arg, np.ndarray) or arg.shape != want.shape:
            continue
        for words, mask in (("is exactly 0", arg == 0), ("is negative", arg < 0), ("is positive", arg > 0)):
            if np.array_equal(wrong, mask):
                return f"the answer is right everywhere except exactly where `{name}` {words}"
    return None


# A reading of the student's answer (how a sum pairs its arrays, which steps a sum holds, how one
# step's dhraw_t is built) is fitted on one case; it is said only if the same reading (its numbers
# aside) comes out of the extra case with fresh sizes (checks/repair.py's), else it is left out, and
# what the per-step probe observed (which steps are wrong) is said without the why.
STEP_WHY = re.compile(r"^(?P<head>.*); the first wrong step from the end is t = (?P<t>\d+): (?P<why>.*)$", re.S)
NUMBERS = re.compile(r"(?:t = )?#(?:\s*(?:,|\.\.|and)\s*(?:t = )?#)*")


STEP_NUMBER = re.compile(r"(t = |t=|steps? |between steps |last |\[|_|\{|and |, |\.\.)\d+")


FROM_STEP = re.compile(r"from step (\d+)")
XI_INDEX = re.compile(r"ξ\[(\d+)\]")


def _shapes(reading: str) -> set[str]:
    """The reading's shapes (_shape_of) with each ξ[j] written without digits, so that its index
    survives: as itself ("ξ[0]" at every step: one ξ for all) or as its offset from the step s the
    reading is about ("ξ[s]", "ξ[s-2]": a ξ a step late or early), each index either way. A ξ that
    fits neither way on fresh sizes (ξ[4] at step 6 because it was the largest ξ of that draw) is no
    reading."""
    m = FROM_STEP.search(reading)
    s = int(m[1]) if m else None
    found = list(XI_INDEX.finditer(reading))[:3]
    out = set()
    for modes in product((False, True), repeat=len(found)):
        if any(modes) and s is None:
            continue
        text, end = "", 0
        for x, relative in zip(found, modes):
            j = int(x[1])
            if relative and s is not None:
                word = "ξ[s" + ("p" * (j - s) if j > s else "m" * (s - j)) + "]"
            else:
                word = "ξ[at" + "i" * j + "]"
            text, end = text + reading[end:x.start()] + word, x.end()
        out.add(_shape_of(text + reading[end:]))
    return out


def _shape_of(reading: str) -> str:
    """A reading without the numbers that depend on the sizes (steps, indices): each becomes '#', a
    run of them one '#'. A factor ("scaled by 0.5") stays: on fresh sizes it must be the same."""
    previous = None
    while previous != reading:
        previous, reading = reading, STEP_NUMBER.sub(lambda m: m[1] + "#", reading)
    return NUMBERS.sub("#", reading)


def _readings(unit: Unit, case: Case, run: Runner, traced: bool) -> list[tuple[str, str | None]]:
    """[(sentence, the reading it rests on, or None for an observation or a property probe)]."""
    out: list[tuple[str, str | None]] = []
    if unit.name in RNN_UNITS + ("rnn2_backward",):
        pairing = _pairing_words(unit.name, case.args, run(case.args), case.expected)
        if pairing:
            out.append((pairing, pairing))
    if unit.name in RNN_UNITS:
        step = None if traced else _stepwise(unit.name, case.args, run)
        m = STEP_WHY.match(step or "")
        if m:
            t = m["t"]
            out.append((step or "", m["why"]))
            out.append((f"{m['head']}; it is right for every step after t = {t}, so the mistake enters at step "
                        f"t = {t}", None))       # said only if the why is not verified
        elif step:
            # "wrong at <steps>; it is right after ..." is observed; a pairing of dW_hh is a reading
            out.append((step, None if step.startswith("the pre-activation gradient dhraw_t is wrong at") else step))
    elif unit.name != "clip_gradients" and (unit.name != "rnn2_backward" or not out):
        got = run(case.args)
        for reading in (_time_terms(unit, case, got), _upstream_terms(unit, case, got), _where_wrong(unit, case, got)):
            if reading:
                out.append((reading, reading))
    return out


def _verified(unit: Unit, case: Case, run: Runner, traced: bool, found: list[tuple[str, str | None]]) -> list[str]:
    """The sentences of `found` whose reading recurs on the extra case (an observation always stays;
    the per-step observation only when its why does not)."""
    if not any(r for _, r in found):
        return [s for s, _ in found]
    from .repair import extra_case
    extra = extra_case(unit, case)
    again: set[str] = set()
    if extra is not None:
        try:
            again = {shape for _, r in _readings(unit, extra, run, traced) if r for shape in _shapes(r)}
        except Exception:
            again = set()
    out: list[str] = []
    why_kept = False
    for sentence, reading in found:
        if reading is None:
            if sentence.startswith("the pre-activation gradient dhraw_t is wrong at") and why_kept:
                continue
            out.append(sentence)
        elif _shapes(reading) & again:
            out.append(sentence)
            why_kept = why_kept or STEP_WHY.match(sentence) is not None
    return out


def diagnose(unit: Unit, case: Case, run: Runner, traced: bool = False) -> str | None:
    """traced: the call trace already named the cause (the step-by-step probe is then not needed).

    Sentences on which properties hold (and, for the BPTT loops, at which steps dhraw is wrong);
    a reading fitted to the answer only when the extra case with fresh sizes gives it too."""
    parts: list[str] = []
    try:
        parts += _verified(unit, case, run, traced, _readings(unit, case, run, traced))
    except Exception:       # a probe that cannot be built or read never hides the verdict
        pass
    try:
        if unit.name in RNN_UNITS:
            parts += _rnn_properties(unit.name, case.args, run)
        elif unit.name == "clip_gradients":
            parts += _clip_properties(case, run)
        elif unit.name != "rnn2_backward" or not parts:
            parts += _dims_properties(unit, case, run)
    except Exception:
        pass
    return "; ".join(parts[:3]) or None
