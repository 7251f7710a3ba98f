"""The held-out set of bench/heldout is what it claims to be, without running the grader.

For every entry: it applies cleanly to the perfect sample submission (the notebook is valid,
the replaced cell compiles and defines the unit's function), and, called in-process on small
random non-square cases next to the reference (the assembly units with the reference's local
rules swapped in, as the grader does), a "wrong" entry differs from the reference in at least
one case and a "correct" entry agrees in every case. A typo in an entry (a NameError) fails.
"""
import copy
import sys
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder import reference as R
from autograder.sandbox.runner import returned_input
from autograder.units import UNITS
from tests.case_text import where

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "heldout"))
import build  # noqa: E402  (bench/heldout/build.py)

ENTRIES = build.load_entries()

# What each notebook's given setup cell imports that a solution may use (the rest are test tools).
NOTEBOOK_NAMES = {
    "01_mlp_backprop": {"one_hot": R.one_hot, "softmax": R.softmax},
    "02_rnn_bptt": {"one_hot": R.one_hot, "softmax": R.softmax, "phi": R.phi},
    "03_two_layer_rnn": {"softmax": R.softmax, "phi": R.phi},
    "04_long_histories": {},
}
MLP_RULES = ("dz_netAct", "dz_netIn", "dz_wts", "dz_b", "dy_netAct", "dy_netIn", "dy_wts", "dy_b")
RNN_RULES = ("dy_t", "dW_hq", "db_q", "dh_t", "dhraw_t", "dW_hh", "dW_xh", "db_h")
SWAPPED_IN = {"mlp_backward": MLP_RULES, "rnn_backward": RNN_RULES, "rnn2_backward": ("dh1_t",)}


def test_the_set_is_as_large_and_as_wide_as_promised():
    wrong = [e for e in ENTRIES if e.kind == "wrong"]
    correct = [e for e in ENTRIES if e.kind == "correct"]
    assert len(wrong) >= 65 + 60 and len(correct) >= 15 + 15, (len(wrong), len(correct))
    assert {e.unit for e in wrong} == {u.name for u in UNITS}, "every graded unit has a wrong entry"


# ---- cases ---------------------------------------------------------------------------

def hidden_cases(unit, refused=False):
    """The arguments of the grader's hidden cases: for a unit added after these cases were written.
    refused: also the cases whose inputs the contract refuses (the function must raise)."""
    from autograder.checks import UNITS as CHECKS
    return [case.args for case in CHECKS[unit].cases() if refused or case.raises is None]


def _mlp_cases(unit, rng):
    N, D, H, C, reg = 3, 5, 4, 6, 0.3
    X, y = rng.standard_normal((N, D)), rng.integers(0, C, N)
    params = dict(y_wts=rng.standard_normal((D, H)), y_b=rng.standard_normal(H),
                  z_wts=rng.standard_normal((H, C)), z_b=rng.standard_normal(C))
    _, cache = R.mlp_forward(X, params)
    at_kink = rng.standard_normal((N, H))
    at_kink[0, 1] = at_kink[2, 3] = 0.0          # the ReLU's input exactly at 0
    at_kink[1, 0], at_kink[1, 2] = 1e-8, -1e-8   # and just either side of it, as in the hidden cases
    g_nc, g_nh = rng.standard_normal((N, C)), rng.standard_normal((N, H))
    args = {
        "dz_netAct": (cache["z_netAct"], y),
        "dz_netIn": (g_nc, cache["z_netAct"]),
        "dz_wts": (g_nc, cache["y_netAct"], params["z_wts"], reg),
        "dz_b": (g_nc,),
        "dy_netAct": (g_nc, params["z_wts"]),
        "dy_netIn": (g_nh, at_kink),
        "dy_wts": (g_nh, X, params["y_wts"], reg),
        "dy_b": (g_nh,),
        "mlp_backward": (y, params, cache, reg),
    }
    if unit == "dz_netAct":
        # Softmax probabilities may be exactly 0 where the loss does not read them (underflow).
        z = cache["z_netAct"].copy()
        z[0, (y[0] + 1) % C] = 0.0
        z[0] /= z[0].sum()
        return [args[unit], (z, y)]
    return [args[unit]] if unit in args else hidden_cases(unit)


def _rnn_problem(rng, T=7, N=3, D=5, H=4, Q=6):
    X, Y = rng.standard_normal((T, N, D)), rng.integers(0, Q, (T, N))
    params = dict(W_xh=rng.standard_normal((D, H)) * 0.6, W_hh=rng.standard_normal((H, H)) * 0.6,
                  b_h=rng.standard_normal(H) * 0.3, W_hq=rng.standard_normal((H, Q)), b_q=rng.standard_normal(Q))
    return X, Y, params, rng.standard_normal((N, H)) * 0.5


def _rnn_cases(unit, rng):
    cases = []
    for activation in ("relu", "tanh"):
        X, Y, params, h0 = _rnn_problem(rng)
        _, cache = R.rnn_forward(X, params, h0, activation)
        T, N, H = cache["h"].shape
        Q = params["W_hq"].shape[1]
        h_prev = np.concatenate([h0[None], cache["h"][:-1]])
        g_q, g_h = rng.standard_normal((T, N, Q)), rng.standard_normal((T, N, H))
        net_in = cache["h_netIn"][3].copy()
        net_in[0, 1] = 0.0                           # exactly at ReLU's kink
        args = {
            "dy_t": (cache["p"][2], Y[2], T),
            "dW_hq": (cache["h"], g_q),
            "db_q": (g_q,),
            "dh_t": (g_q[0], g_h[0], params["W_hq"], params["W_hh"]),
            "dhraw_t": (g_h[0], net_in, R.phi(net_in, activation), activation),
            "dW_hh": (h_prev, g_h),
            "dW_xh": (X, g_h),
            "db_h": (g_h,),
            "dX": (g_h, params["W_xh"]),
            "dh0": (g_h[0], params["W_hh"]),
            "rnn_backward": (Y, params, cache, activation),
        }
        if unit not in args:
            return hidden_cases(unit)
        cases.append(args[unit])
    if unit == "dhraw_t":       # the contract: an unknown activation raises ValueError
        cases.append((g_h[0], net_in, R.phi(net_in, "tanh"), "sigmoid"))
    return cases


def _rnn2_cases(unit, rng):
    cases = []
    for activation in ("relu", "tanh"):
        T, N, D, H1, H2, Q = 5, 3, 4, 5, 7, 6
        X, Y = rng.standard_normal((T, N, D)), rng.integers(0, Q, (T, N))
        params = dict(W_xh1=rng.standard_normal((D, H1)) * 0.6, W_hh1=rng.standard_normal((H1, H1)) * 0.5,
                      b_h1=rng.standard_normal(H1) * 0.3, W_xh2=rng.standard_normal((H1, H2)) * 0.6,
                      W_hh2=rng.standard_normal((H2, H2)) * 0.5, b_h2=rng.standard_normal(H2) * 0.3,
                      W_hq=rng.standard_normal((H2, Q)), b_q=rng.standard_normal(Q))
        h1_0, h2_0 = rng.standard_normal((N, H1)) * 0.5, rng.standard_normal((N, H2)) * 0.5
        _, cache = R.rnn2_forward(X, params, h1_0, h2_0, activation)
        if unit == "dh1_t":
            cases.append((rng.standard_normal((N, H2)), rng.standard_normal((N, H1)), params["W_xh2"], params["W_hh1"]))
        elif unit == "rnn2_backward":
            cases.append((Y, params, cache, activation))
        else:
            return hidden_cases(unit)
    return cases


def _long_cases(unit, rng):
    if unit == "clip_gradients":
        grads = {"W_xh": rng.standard_normal((5, 4)), "W_hh": rng.standard_normal((4, 4)), "b_h": rng.standard_normal(4),
                 "W_hq": rng.standard_normal((4, 6)), "b_q": rng.standard_normal(6)}
        norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
        zeros = {name: np.zeros_like(g) for name, g in grads.items()}
        return [(grads, 0.5 * norm), (grads, 2.0 * norm), (zeros, 1.0)]
    if unit == "path_weights":
        return [(np.array([2.5, 0.0, 2.5, 2.5, 0.0, 0.0, 2.5]),), (R.regular_carry(8, 3),), (rng.uniform(0.5, 3.0, 6),)]
    if unit not in ("bptt_truncated", "bptt_randomized"):
        return hidden_cases(unit)
    cases = []
    for activation, k, xi in (("tanh", 3, [2.5, 0.0, 2.5, 2.5, 0.0, 0.0, 2.5]), ("relu", 2, [1.0] * 7)):
        X, Y, params, h0 = _rnn_problem(rng)
        _, cache = R.rnn_forward(X, params, h0, activation)
        cases.append((Y, params, cache, k if unit == "bptt_truncated" else np.array(xi), activation))
    return cases


CASES = {"01_mlp_backprop": _mlp_cases, "02_rnn_bptt": _rnn_cases, "03_two_layer_rnn": _rnn2_cases,
         "04_long_histories": _long_cases}
REFERENCE = {"clip_gradients": R.clip_grad_norm}


# ---- running an entry ----------------------------------------------------------------

def entry_namespace(entry):
    """The names the entry's notebook defines once its solution cells ran (the entry's one replaced)."""
    nb = build.apply_entry(build.read_notebook(build.PERFECT / f"{entry.notebook}.ipynb"), entry)
    nbformat.validate(nbformat.from_dict(nb))
    ns = {"np": np, **NOTEBOOK_NAMES[entry.notebook]}
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {}).get("solution"):
            exec(compile(build.cell_text(cell), f"<{entry.id}: {cell['metadata']['nbgrader']['grade_id']}>", "exec"), ns)
    for rule in SWAPPED_IN.get(entry.unit, ()):
        ns[rule] = getattr(R, rule)
    return ns


def difference(got, want):
    """None if `got` equals `want` (arrays, dicts of arrays over want's keys, tuples), else what differs."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return f"returned {type(got).__name__}, not a dict"
        for key in want:
            if key not in got:
                return f"key {key!r} missing"
            why = difference(got[key], want[key])
            if why:
                return f"[{key!r}] {why}"
        return None
    if isinstance(want, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return "not a pair"
        return next((f"item {i}: {w}" for i, w in enumerate(map(difference, got, want)) if w), None)
    if isinstance(want, np.ndarray) and want.ndim and (not isinstance(got, np.ndarray) or got.dtype != np.float64):
        return f"returned {type(got).__name__} of dtype {getattr(got, 'dtype', '-')}, not a float64 array"
    got = np.asarray(got)
    if got.shape != np.shape(want):
        return f"shape {got.shape} instead of {np.shape(want)}"
    if not np.all(np.isfinite(got)) or not np.allclose(got, want, rtol=1e-7, atol=1e-10):
        return "values differ"
    return None


def changed(now, before):
    """Whether an argument (array, dict of arrays, scalar, string) differs from its copy taken before the call."""
    if isinstance(before, dict):
        return not isinstance(now, dict) or now.keys() != before.keys() or any(changed(now[k], before[k]) for k in before)
    if isinstance(before, np.ndarray):
        return not isinstance(now, np.ndarray) or not np.array_equal(now, before)
    return now != before


def run_case(fn, ref, args):
    """None if `fn` agrees with `ref` on `args` without a warning or a change to its arguments, else why not."""
    before = copy.deepcopy(args)
    try:
        want = ref(*copy.deepcopy(args))
    except ValueError:               # an input the contract refuses: the entry must refuse it too
        try:
            fn(*args)
        except ValueError:
            return None
        except Exception as exc:   # noqa: BLE001
            return f"raised {type(exc).__name__} where ValueError is promised"
        return "returned a value where ValueError is promised"
    if isinstance(want, dict):
        want.pop("h0", None)            # the reference's dh0: no unit grades it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            got = fn(*args)
        except (NameError, SyntaxError, ImportError) as exc:
            raise AssertionError(f"the entry itself is broken: {exc!r}") from exc
        except Exception as exc:   # noqa: BLE001 -- a wrong answer may well crash
            return f"raised {type(exc).__name__}: {exc}"
    if caught:
        return f"warned: {caught[0].message}"
    for i, (a, b) in enumerate(zip(args, before)):
        if changed(a, b):
            return f"changed its argument {i}"
    if returned_input(got, args):
        return "returned (part of) an input, not a new object"
    return difference(got, want)


# Wrong only on an input the contract does not allow, so no grader may charge it: kept in the set
# as written (bench/heldout/README.md counts it as "missed" with this reason).
OUTSIDE_THE_CONTRACT = {
    "path_weights-int-dtype-c": "wrong only for a carry of Python ints; the contract promises (T,) floats",
    "path_weights-input-dtype-d": "wrong only for a carry of Python ints; the contract promises (T,) floats",
    "path_weights-int-list-f": "wrong only for a carry of Python ints; the contract promises (T,) floats",
    "path_weights-int-list-g": "wrong only for a carry of Python ints; the contract promises (T,) floats",
}

# Entries that read a variable a test cell of the notebook leaves behind (a student's slip), not a
# typo of the entry: the grader calls them where that variable does not exist.
USES_A_NOTEBOOK_GLOBAL = {"mlp_backward-global-X-c"}


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_entry_applies_and_is_what_its_kind_says(entry):
    ns = entry_namespace(entry)
    assert callable(ns.get(entry.unit)), f"{entry.id}: the cell no longer defines {entry.unit}"
    rng = np.random.default_rng(sum(map(ord, entry.id)))
    ref = REFERENCE.get(entry.unit, getattr(R, entry.unit, None))
    # The set's own cases, then the grader's (which hold the contract's edges: N = 1, an unknown
    # activation, k > T, ...): a wrong entry may be wrong on an edge only.
    cases = CASES[entry.notebook](entry.unit, rng) + hidden_cases(entry.unit, refused=True)
    try:
        outcomes = [run_case(ns[entry.unit], ref, args) for args in cases]
    except AssertionError as exc:
        if entry.id not in USES_A_NOTEBOOK_GLOBAL or "NameError" not in str(exc):
            raise
        outcomes = ["raised NameError: the global it reads is not an argument"]
    if entry.id in OUTSIDE_THE_CONTRACT:
        assert not any(outcomes), f"{entry.id} now differs inside the contract: drop it from OUTSIDE_THE_CONTRACT"
    elif entry.kind == "wrong":
        assert any(outcomes), f"{entry.id} agrees with the reference on every case: it is not a mistake"
    else:
        assert not any(outcomes), f"{entry.id} is meant to be correct but: {[o for o in outcomes if o]}"


def test_bench_sorts_feedback_into_named_generic_and_other():
    """bench/bench_diagnosis.py's reading of a message: the case's sizes never name a cause."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import bench_diagnosis as B

    over_T = next(e for e in ENTRIES if e.id == "bptt_randomized-dy-over-T")        # cause word \bN\b
    suffix = " " + where("bptt_randomized")
    assert B.feedback_kind(over_T, "bptt_randomized output: W_xh, W_hh and b_h each has the wrong values" + suffix) \
        == ("generic", False)
    assert B.feedback_kind(over_T, "bptt_randomized output: W_xh and b_q each is N times too large" + suffix) \
        == ("named", False)
    assert B.feedback_kind(over_T, "bptt_randomized output: xi is applied one step late" + suffix) == ("other", False)
    per_array = next(e for e in ENTRIES if e.id == "clip_gradients-per-array-norm")
    two_parts = ("clip_gradients output: clipped['W_xh'] is wrong: each array is clipped by its own norm. "
                 "clip_gradients output: clipped['b_h'] is wrong: each entry is clipped with np.clip")
    assert B.feedback_kind(per_array, two_parts) == ("named", True)
