"""Verify the blind answer set against the reference solutions (plain python, no grader).

For each notebook: exec its given setup cells and all its solution cells (the instructor
versions in the repository's source/bptt) in one namespace: the reference. For each entry:
copy that namespace, exec the entry's source (it replaces the graded function; the rules a
composition calls stay the reference ones), and compare the entry's function with the
reference on every case of its unit (random float64 inputs with N, D, H, C/Q, T all
different, plus edge cases).

A correct entry must agree on every case to 1e-8 relative, without an exception, a warning,
a changed input, a wrong shape or a dtype other than float64. A wrong entry must differ on at
least one case (relative error > 1e-6, or any of those structural differences).

Run:  python3 verify.py [-v]       (one line per entry, then a summary; -v lists every differing case;
                                     exit status 1 on any failure)
"""
import copy
import importlib.util
import json
import os
import re
import sys
import warnings

import numpy as np

SOL = str(__import__("pathlib").Path(__file__).resolve().parents[3] / "source" / "bptt")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, SOL)
import bptt_tools as bt  # noqa: E402  (the harness itself may use the problem generators)

NOTEBOOKS = {
    "01": "01_mlp_backprop.ipynb",
    "02": "02_rnn_bptt.ipynb",
    "03": "03_two_layer_rnn.ipynb",
    "04": "04_long_histories.ipynb",
}
SETS = {"01": "set_01_mlp.py", "02": "set_02_rnn.py", "03": "set_03_rnn2.py", "04": "set_04_long.py"}
GIVEN_IDS = {"setup", "given_imports", "given_code", "given_experiment_guard"}


def graded_units(nb):
    """Names of the graded functions: solution code cells whose grade_id is the function's name."""
    units = []
    for cell in nb["cells"]:
        md = cell.get("metadata", {}).get("nbgrader", {})
        src = "".join(cell["source"])
        if cell["cell_type"] == "code" and md.get("solution") and re.search(rf"^def {md.get('grade_id')}\(", src, re.M):
            units.append(md["grade_id"])
    return units


def reference_namespace(key):
    nb = json.load(open(os.path.join(SOL, NOTEBOOKS[key])))
    ns = {"__name__": f"nb{key}"}
    cwd = os.getcwd()
    os.chdir(SOL)
    try:
        for cell in nb["cells"]:
            md = cell.get("metadata", {}).get("nbgrader", {})
            src = "".join(cell["source"])
            if cell["cell_type"] != "code":
                continue
            gid = md.get("grade_id", "")
            if gid in GIVEN_IDS or (gid == "forward" and "def " in src) or md.get("solution"):
                exec(compile(src, f"<{key}:{gid}>", "exec"), ns)
    finally:
        os.chdir(cwd)
    return ns, graded_units(nb)


# ---- cases ---------------------------------------------------------------------------------

def R(seed):
    return np.random.default_rng(seed)


def mlp_cache(N, D, H, C, seed, reg=0.1, kink=False):
    X, y, params, _ = bt.mlp_problem(N=N, D=D, H=H, C=C, seed=seed)
    if kink:       # put some hidden pre-activations exactly at 0
        params = dict(params)
        params["y_b"] = params["y_b"].copy()
        params["y_b"][0] = -(X[0] @ params["y_wts"][:, 0])
    ns = NS["01"]
    _, cache = ns["mlp_forward"](X, params)
    return y, params, cache, reg


def cases_01(unit):
    N, D, H, C = 3, 5, 4, 6
    r = R(101)
    sm = bt.softmax
    if unit == "dz_netAct":
        p = sm(r.standard_normal((N, C)))
        return [("random N=3 C=6", (p, r.integers(0, C, N)), False),
                ("distinct labels", (p, np.array([1, 4, 2])), False),
                ("N=1", (sm(r.standard_normal((1, C))), np.array([3])), True),
                ("one class for all rows (others absent)", (p, np.array([2, 2, 2])), True),
                ("non-target probability exactly 0", (np.array([[0.0, 1.0, 0.0], [0.5, 0.3, 0.2]]), np.array([1, 0])), True)]
    if unit == "dz_netIn":
        p = sm(r.standard_normal((N, C)))
        y = np.array([1, 4, 2])
        g_ce = np.zeros((N, C))
        g_ce[np.arange(N), y] = -1.0 / (N * p[np.arange(N), y])
        return [("random upstream N=3 C=6", (r.standard_normal((N, C)), p), False),
                ("cross-entropy upstream", (g_ce, p), True),
                ("N=1 random upstream", (r.standard_normal((1, C)), sm(r.standard_normal((1, C)))), True)]
    if unit in ("dz_wts", "dy_wts"):
        if unit == "dz_wts":   # (dz_netIn (N,C), y_netAct (N,H), z_wts (H,C), reg)
            mk = lambda n, rg: (r.standard_normal((n, C)), np.maximum(r.standard_normal((n, H)), 0), r.standard_normal((H, C)), rg)  # noqa: E731
        else:                  # (dy_netIn (N,H), X (N,D), y_wts (D,H), reg)
            mk = lambda n, rg: (r.standard_normal((n, H)), r.standard_normal((n, D)), r.standard_normal((D, H)), rg)  # noqa: E731
        return [("random reg=0.3", mk(N, 0.3), False), ("random reg=0", mk(N, 0.0), True), ("N=1 reg=0.2", mk(1, 0.2), True)]
    if unit in ("dz_b", "dy_b"):
        w = C if unit == "dz_b" else H
        return [("random N=3", (r.standard_normal((N, w)),), False), ("N=1", (r.standard_normal((1, w)),), True)]
    if unit == "dy_netAct":
        return [("random N=3 H=4 C=6", (r.standard_normal((N, C)), r.standard_normal((H, C))), False),
                ("N=1", (r.standard_normal((1, C)), r.standard_normal((H, C))), True)]
    if unit == "dy_netIn":
        z = r.standard_normal((N, H))
        z_kink = z.copy()
        z_kink[0, :] = [0.0, 1e-9, -1e-9, 5e-7]
        return [("random", (r.standard_normal((N, H)), z), False),
                ("pre-activations at 0 and within 1e-6 of 0", (r.standard_normal((N, H)), z_kink), True)]
    if unit == "mlp_backward":
        return [("N=3 D=5 H=4 C=6 reg=0.1", mlp_cache(N, D, H, C, 1, 0.1), False),
                ("reg=0", mlp_cache(N, D, H, C, 2, 0.0), True),
                ("N=1 reg=0.05", mlp_cache(1, D, H, C, 3, 0.05), True),
                ("a pre-activation exactly 0", mlp_cache(N, D, H, C, 4, 0.1, kink=True), True)]
    raise KeyError(unit)


def rnn_case(T, N, D, H, Q, seed, act, zero_h0=False):
    X, Y, params, h0 = bt.rnn_problem(T=T, N=N, D=D, H=H, Q=Q, seed=seed)
    if zero_h0:
        h0 = np.zeros_like(h0)
    _, cache = bt.rnn_forward(X, params, h0, act)
    return Y, params, cache, act


def cases_02(unit):
    T, N, D, H, Q = 7, 3, 5, 4, 6
    r = R(202)
    sm = bt.softmax
    if unit == "dy_t":
        p = sm(r.standard_normal((N, Q)))
        return [("random N=3 Q=6 T=7", (p, np.array([5, 0, 3]), T), False),
                ("N=1 T=4", (sm(r.standard_normal((1, Q))), np.array([2]), 4), True),
                ("highest class absent", (p, np.array([0, 3, 1]), T), True),
                ("only class 0 present", (p, np.array([0, 0, 0]), T), True)]
    if unit in ("dW_hq", "dW_hh", "dW_xh"):
        wa = {"dW_hq": H, "dW_hh": H, "dW_xh": D}[unit]
        wb = {"dW_hq": Q, "dW_hh": H, "dW_xh": H}[unit]
        out = [("random T=7 N=3", (r.standard_normal((T, N, wa)), r.standard_normal((T, N, wb))), False),
               ("T=1", (r.standard_normal((1, N, wa)), r.standard_normal((1, N, wb))), True),
               ("N=1", (r.standard_normal((T, 1, wa)), r.standard_normal((T, 1, wb))), True)]
        if unit == "dW_hh":
            hp = r.standard_normal((T, N, H))
            hp[0] = 0.0
            out.append(("zero initial state h_prev[0]=0", (hp, r.standard_normal((T, N, H))), True))
        return out
    if unit in ("db_q", "db_h"):
        w = Q if unit == "db_q" else H
        return [("random T=7 N=3", (r.standard_normal((T, N, w)),), False),
                ("T=1", (r.standard_normal((1, N, w)),), True), ("N=1", (r.standard_normal((T, 1, w)),), True)]
    if unit == "dh_t":
        return [("random", (r.standard_normal((N, Q)), r.standard_normal((N, H)), r.standard_normal((H, Q)), r.standard_normal((H, H))), False),
                ("last step (dhraw_next = 0)", (r.standard_normal((N, Q)), np.zeros((N, H)), r.standard_normal((H, Q)), r.standard_normal((H, H))), True),
                ("N=1", (r.standard_normal((1, Q)), r.standard_normal((1, H)), r.standard_normal((H, Q)), r.standard_normal((H, H))), True)]
    if unit == "dhraw_t":
        z = r.standard_normal((N, H))
        zk = z.copy()
        zk[0] = [0.0, 1e-9, -1e-9, 2.0]
        return [("relu random", (r.standard_normal((N, H)), z, np.maximum(z, 0), "relu"), False),
                ("tanh random", (r.standard_normal((N, H)), z, np.tanh(z), "tanh"), False),
                ("relu at the kink", (r.standard_normal((N, H)), zk, np.maximum(zk, 0), "relu"), True),
                ("unknown activation 'sigmoid'", (r.standard_normal((N, H)), z, np.tanh(z), "sigmoid"), True)]
    if unit == "dX":
        return [("random T=7 N=3 D=5 H=4", (r.standard_normal((T, N, H)), r.standard_normal((D, H))), False),
                ("T=1", (r.standard_normal((1, N, H)), r.standard_normal((D, H))), True)]
    if unit == "dh0":
        return [("random N=3 H=4", (r.standard_normal((N, H)), r.standard_normal((H, H))), False),
                ("N=1", (r.standard_normal((1, H)), r.standard_normal((H, H))), True)]
    if unit == "rnn_backward":
        return [("relu T=7 N=3 D=5 H=4 Q=6", rnn_case(T, N, D, H, Q, 1, "relu"), False),
                ("tanh T=7 N=3 D=5 H=4 Q=6", rnn_case(T, N, D, H, Q, 2, "tanh"), False),
                ("tanh zero h0", rnn_case(T, N, D, H, Q, 3, "tanh", zero_h0=True), True),
                ("relu T=1", rnn_case(1, N, D, H, Q, 4, "relu"), True),
                ("tanh N=1", rnn_case(T, 1, D, H, Q, 5, "tanh"), True)]
    raise KeyError(unit)


def rnn2_case(T, N, D, H1, H2, Q, seed, act, zero_init=False, act_call=None):
    X, Y, params, h1_0, h2_0 = bt.rnn2_problem(T=T, N=N, D=D, H1=H1, H2=H2, Q=Q, seed=seed)
    if zero_init:
        h1_0, h2_0 = np.zeros_like(h1_0), np.zeros_like(h2_0)
    _, cache = NS["03"]["rnn2_forward"](X, params, h1_0, h2_0, act)
    return Y, params, cache, act_call or act


def cases_03(unit):
    T, N, D, H1, H2, Q = 8, 3, 5, 4, 6, 7
    r = R(303)
    if unit == "dh1_t":
        mk = lambda n, zero: (r.standard_normal((n, H2)), np.zeros((n, H1)) if zero else r.standard_normal((n, H1)),  # noqa: E731
                              r.standard_normal((H1, H2)), r.standard_normal((H1, H1)))
        return [("random N=3 H1=4 H2=6", mk(N, False), False), ("last step (dhraw1_next = 0)", mk(N, True), True),
                ("N=1", mk(1, False), True)]
    if unit == "rnn2_backward":
        return [("relu T=8 N=3 D=5 H1=4 H2=6 Q=7", rnn2_case(T, N, D, H1, H2, Q, 1, "relu"), False),
                ("tanh T=8 N=3 D=5 H1=4 H2=6 Q=7", rnn2_case(T, N, D, H1, H2, Q, 2, "tanh"), False),
                ("tanh zero initial states", rnn2_case(T, N, D, H1, H2, Q, 3, "tanh", zero_init=True), True),
                ("relu T=1", rnn2_case(1, N, D, H1, H2, Q, 4, "relu"), True),
                ("tanh N=1", rnn2_case(T, 1, D, H1, H2, Q, 5, "tanh"), True),
                ("unknown activation", rnn2_case(3, N, D, H1, H2, Q, 6, "relu", act_call="sigmoid"), True)]
    raise KeyError(unit)


def rp(seed, T=7, N=3, D=5, H=4, Q=6, activation="tanh"):
    X, Y, params, h0, cache = NS["04"]["random_problem"](seed, T=T, N=N, D=D, H=H, Q=Q, activation=activation)
    return Y, params, cache


def cases_04(unit):
    r = R(404)
    if unit == "path_weights":
        reg = np.ones(7)
        reg[2::2] = 0.0
        return [("random positive T=6", (r.uniform(0.2, 3.0, 6),), False),
                ("xi in {0, 2} T=7", (np.where(r.random(7) < 0.5, 2.0, 0.0),), False),
                ("all ones T=5", (np.ones(5),), True),
                ("regular k=2 T=7", (reg,), True),
                ("T=1", (np.array([3.0]),), True),
                ("python list of ints", ([1, 1, 0, 1],), True)]
    if unit == "bptt_truncated":
        out = []
        for act, seed in (("tanh", 1), ("relu", 2)):
            Y, params, cache = rp(seed, activation=act)
            for k in (2, 3):
                out.append((f"{act} T=7 k={k}", (Y, params, cache, k, act), False))
            for k in (1, 7, 12):
                out.append((f"{act} T=7 k={k}", (Y, params, cache, k, act), True))
        Y, params, cache = rp(3, T=6, activation="tanh")
        out.append(("tanh T=6 k=3 (k divides T)", (Y, params, cache, 3, "tanh"), True))
        Y, params, cache = rp(4, T=1, activation="relu")
        out.append(("relu T=1 k=1", (Y, params, cache, 1, "relu"), True))
        Y, params, cache = rp(5, N=1, activation="tanh")
        out.append(("tanh N=1 k=3", (Y, params, cache, 3, "tanh"), True))
        return out
    if unit == "bptt_randomized":
        out = []
        for act, seed in (("tanh", 6), ("relu", 7)):
            Y, params, cache = rp(seed, activation=act)
            xi = np.where(r.random(7) < 0.5, 2.0, 0.0)
            xi[0] = 0.0
            xi[1:4] = [2.0, 0.0, 2.0]
            out.append((f"{act} xi in {{0, 1/pi}}, pi=0.5", (Y, params, cache, xi, act), False))
            out.append((f"{act} xi random positive reals", (Y, params, cache, r.uniform(0.3, 2.5, 7), act), False))
            out.append((f"{act} xi ones", (Y, params, cache, np.ones(7), act), True))
            cut = np.ones(7)
            cut[2::2] = 0.0
            out.append((f"{act} xi = regular cut k=2", (Y, params, cache, cut, act), True))
            out.append((f"{act} xi zeros", (Y, params, cache, np.zeros(7), act), True))
        Y, params, cache = rp(8, T=1, activation="tanh")
        out.append(("tanh T=1 xi=[2.5]", (Y, params, cache, np.array([2.5]), "tanh"), True))
        return out
    if unit == "predicted_gradient_rate":
        H = 4
        W = r.standard_normal((H, H))               # not symmetric: complex eigenvalues
        Wsym = r.standard_normal((H, H))
        Wsym = Wsym + Wsym.T                        # symmetric, real eigenvalues, some negative
        z = r.standard_normal((7, 3, H)) * 1.5
        zk = z.copy()
        zk[0, 0, :] = [0.0, -0.0, 1e-12, -1e-12]
        zneg = -np.abs(r.standard_normal((2, 3, H))) - 0.1
        return [("tanh random W (non-symmetric) T=7 N=3 H=4", (W, z, "tanh"), False),
                ("relu random W T=7 N=3 H=4", (W, z, "relu"), False),
                ("worked example", (np.array([[0.0, 2.0], [-0.5, 0.0]]), np.array([[[0.0, 3.0]], [[-1.0, 2.0]]]), "relu"), False),
                ("tanh symmetric W (negative eigenvalues)", (Wsym, z, "tanh"), True),
                ("relu pre-activations at exactly 0", (W, zk, "relu"), True),
                ("relu all units off", (W, zneg, "relu"), True),
                ("tanh T=1 N=1", (W, z[:1, :1], "tanh"), True)]
    if unit == "path_weight_moments":
        return [("T=5 pi=0.5", (5, 0.5), False),
                ("T=7 pi=0.25", (7, 0.25), False),
                ("T=6 pi=0.7", (6, 0.7), False),
                ("T=1 pi=0.3", (1, 0.3), True),
                ("T=4 pi=1 (full computation)", (4, 1.0), True),
                ("T=3 pi=1 given as int", (3, 1), True)]
    if unit == "clip_gradients":
        g = {"W_xh": r.standard_normal((5, 4)), "W_hh": r.standard_normal((4, 4)), "b_h": r.standard_normal(4),
             "W_hq": r.standard_normal((4, 6)), "b_q": r.standard_normal(6)}
        n = float(np.sqrt(sum(np.sum(a ** 2) for a in g.values())))
        return [("norm above max_norm (x0.3)", (g, 0.3 * n), False),
                ("norm below max_norm", (g, 2.0 * n), False),
                ("norm exactly max_norm", (g, n), True),
                ("all zeros", ({k: np.zeros_like(a) for k, a in g.items()}, 1.0), True),
                ("one array, clipped", ({"W": r.standard_normal((3, 2)) * 10}, 1.0), True)]
    raise KeyError(unit)


CASES = {"01": cases_01, "02": cases_02, "03": cases_03, "04": cases_04}


# ---- comparison ----------------------------------------------------------------------------

def rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    den = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    num = np.max(np.abs(a - b), initial=0.0)
    if np.isnan(num):
        return np.inf
    return 0.0 if den == 0 else float(num / den)


def compare(ref, out, path="out"):
    """Return (max relative error, structural problem or None)."""
    if isinstance(ref, dict):
        if not isinstance(out, dict):
            return np.inf, f"{path} is {type(out).__name__}, not dict"
        worst = 0.0
        for key in ref:
            if key == "h0":       # 04's optional extra key: ignored by the contract
                continue
            if key not in out:
                return np.inf, f"{path} misses key {key!r}"
            e, prob = compare(ref[key], out[key], f"{path}[{key!r}]")
            if prob:
                return e, prob
            worst = max(worst, e)
        return worst, None
    if isinstance(ref, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(ref):
            return np.inf, f"{path} is not a pair"
        worst = 0.0
        for i, (a, b) in enumerate(zip(ref, out)):
            e, prob = compare(a, b, f"{path}[{i}]")
            if prob:
                return e, prob
            worst = max(worst, e)
        return worst, None
    if isinstance(ref, np.ndarray):
        if not isinstance(out, np.ndarray):
            return np.inf, f"{path} is {type(out).__name__}, not ndarray"
        if out.shape != ref.shape:
            return np.inf, f"{path} has shape {out.shape}, expected {ref.shape}"
        if out.dtype != np.float64:
            return np.inf, f"{path} has dtype {out.dtype}"
        return rel(ref, out), None
    # a number (clip_gradients' norm)
    try:
        return rel(float(ref), float(out)), None
    except (TypeError, ValueError):
        return np.inf, f"{path} is {type(out).__name__}, not a number"


def same_inputs(a, b):
    if isinstance(a, dict):
        return isinstance(b, dict) and set(a) == set(b) and all(same_inputs(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_inputs(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    return a == b


def _arrays(x):
    if isinstance(x, dict):
        for v in x.values():
            yield from _arrays(v)
    elif isinstance(x, (list, tuple)):
        for v in x:
            yield from _arrays(v)
    elif isinstance(x, np.ndarray):
        yield x


def aliases(out, args):
    """Does an output array share memory with an input array? (Run on the same objects.)"""
    ins = list(_arrays(args))
    return any(np.shares_memory(o, i) for o in _arrays(out) for i in ins)


def run(func, args):
    """Call func on a deep copy of args: (output, exception, warnings, mutated)."""
    mine = copy.deepcopy(args)
    before = copy.deepcopy(mine)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="warn"):
            try:
                out, exc = func(*mine), None
            except Exception as e:  # noqa: BLE001
                out, exc = None, e
    run.alias = exc is None and aliases(out, mine)
    return out, exc, [str(w.message) for w in caught], not same_inputs(before, mine)


def judge(ref_f, f, args):
    """(differs: bool, relerr, detail) of f against ref_f on one case."""
    r_out, r_exc, r_w, _ = run(ref_f, args)
    r_alias = run.alias
    out, exc, w, mutated = run(f, args)
    if exc is None and not w and not mutated and run.alias and not r_alias:
        return True, np.inf, "entry returns an input array itself (not a new array)"
    if r_exc is not None:
        if exc is not None and type(exc) is type(r_exc):
            return False, 0.0, f"both raise {type(exc).__name__}"
        return True, np.inf, f"reference raises {type(r_exc).__name__}, entry {'raises ' + type(exc).__name__ if exc else 'returns'}"
    if exc is not None:
        return True, np.inf, f"entry raises {type(exc).__name__}: {str(exc)[:80]}"
    if w:
        return True, np.inf, f"entry warns: {w[0][:80]}"
    if mutated:
        return True, np.inf, "entry changes its input in place"
    e, prob = compare(r_out, out)
    if prob:
        return True, e, prob
    return e > 1e-6, e, f"rel. error {e:.1e}"


# ---- main ----------------------------------------------------------------------------------

NS, UNITS = {}, {}
SHOW = 99 if "-v" in sys.argv else 3


def load_set(key):
    spec = importlib.util.spec_from_file_location(f"set{key}", os.path.join(HERE, SETS[key]))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.__doc__, f"{SETS[key]} has no module docstring"
    return mod.ENTRIES


def main():
    for key in NOTEBOOKS:
        NS[key], UNITS[key] = reference_namespace(key)
    failures, ids = [], set()
    counts = {}
    for key in NOTEBOOKS:
        entries = load_set(key)
        cache_cases = {}
        print(f"=== {SETS[key]} ({len(entries)} entries) ===")
        for ent in entries:
            problems = []
            if set(ent) != {"id", "unit", "kind", "cause", "cause_words", "source"}:
                problems.append(f"keys {sorted(ent)}")
            if ent["id"] in ids:
                problems.append("duplicate id")
            ids.add(ent["id"])
            unit = ent["unit"]
            if unit not in UNITS[key]:
                problems.append(f"unit {unit} not graded in notebook {key}")
            if not ent["id"].startswith(unit + "-"):
                problems.append("id does not start with the unit")
            if not re.fullmatch(r"[A-Za-z0-9_-]+-g", ent["id"]):
                problems.append("id must use letters, digits, '_' and '-' only and end in '-g'")
            if not isinstance(ent["cause"], str) or not ent["cause"].strip():
                problems.append("empty cause")
            if not isinstance(ent["source"], str) or f"def {unit}(" not in ent["source"]:
                problems.append("source does not define the unit by name")
            if ent["kind"] == "wrong":
                if not 1 <= len(ent["cause_words"]) <= 4:
                    problems.append("cause_words must have 1 to 4 patterns")
            elif ent["kind"] == "correct":
                if ent["cause_words"] != []:
                    problems.append("cause_words of a correct entry must be []")
            else:
                problems.append(f"kind {ent['kind']}")
            for pat in ent["cause_words"]:
                re.compile(pat, re.I)
            counts.setdefault((key, unit), {"wrong": 0, "correct": 0})[ent["kind"]] += 1
            ns = dict(NS[key])
            ref_f = NS[key][unit]
            exec(compile(ent["source"], f"<{ent['id']}>", "exec"), ns)
            f = ns[unit]
            if f is ref_f:
                problems.append("source does not define the unit")
            if unit not in cache_cases:
                cache_cases[unit] = CASES[key](unit)
            results = [(name, edge) + judge(ref_f, f, args) for name, args, edge in cache_cases[unit]]
            if ent["kind"] == "correct":
                bad = [r for r in results if r[2] or r[3] > 1e-8]
                status = "OK" if not bad and not problems else "FAIL"
                info = f"max rel {max(r[3] for r in results):.1e} on {len(results)} cases" if not bad else \
                    "; ".join(f"{r[0]}: {r[4]}" for r in bad)
            else:
                diff = [r for r in results if r[2]]
                amb = [r for r in results if not r[2] and r[3] > 1e-8]
                status = "OK" if diff and not problems else "FAIL"
                if amb:
                    status = "FAIL"
                    problems.append("ambiguous differences " + ", ".join(r[0] for r in amb))
                edge_only = diff and all(r[1] for r in diff)
                info = ("EDGE-ONLY " if edge_only else "") + "differs on: " + \
                    "; ".join(f"{r[0]} ({r[4]})" for r in diff[:SHOW]) + (f" (+{len(diff) - SHOW} more)" if len(diff) > SHOW else "")
                if not diff:
                    info = "agrees with the reference on every case"
            if problems:
                info += " | " + "; ".join(problems)
            print(f"{status:4s} {ent['kind']:7s} {ent['id']:45s} {info}")
            if status != "OK":
                failures.append(ent["id"])
    n_w = sum(c["wrong"] for c in counts.values())
    n_c = sum(c["correct"] for c in counts.values())
    print(f"\n{n_w} wrong, {n_c} correct entries; {len(failures)} failed verification: {failures}")
    all_units = [u for k in NOTEBOOKS for u in UNITS[k]]
    print(f"graded units found in the source notebooks: {len(all_units)}")
    missing = [(k, u) for k in NOTEBOOKS for u in UNITS[k] if counts.get((k, u), {"wrong": 0})["wrong"] < 2]
    if missing:
        print("units with fewer than 2 wrong entries:", missing)
    LOOPS = ("mlp_backward", "rnn_backward", "rnn2_backward", "bptt_truncated", "bptt_randomized",
             "clip_gradients", "path_weights")
    off = [(u, c["wrong"]) for (k, u), c in counts.items() if u in LOOPS and not 4 <= c["wrong"] <= 7]
    off += [(u, 0) for u in LOOPS if not any(uu == u for (_, uu) in counts)]
    if off:
        print("composition/loop units outside 4..7 wrong entries:", off)
    size_bad = len(all_units) != 28 or n_w < 60 or n_c < 15
    if size_bad:
        print("size requirements not met (28 units, >= 70 wrong, >= 18 correct)")
    print("per unit (wrong/correct):")
    for k in NOTEBOOKS:
        for u in UNITS[k]:
            c = counts.get((k, u), {"wrong": 0, "correct": 0})
            print(f"  {k} {u:25s} {c['wrong']:2d} / {c['correct']}")
    print(f"FAILURES: {len(failures) + len(missing) + len(off) + int(size_bad)}")
    return 1 if failures or missing or off or size_bad else 0


if __name__ == "__main__":
    sys.exit(main())
