"""The call trace of an assembly unit, compared with the instructor's on the same case.

While an assembly unit is graded, the local rules it calls are the reference's (swapped in
the kernel, answered by the grader in the sandbox path: every call crosses the wire as plain
data). Each call is recorded as (rule, arguments, result). Every argument is identified by
matching it against the named intermediate arrays of the reference computation (which step's
h, dhraw, dy ...) and against the results of the student's own earlier calls, so the first
call that differs from the instructor's at the same step is named in the course's words
without a list of known wrong answers. Messages name arrays, never their values.
"""
import inspect
from dataclasses import dataclass

import numpy as np

from .. import reference as R
from .compare import close


@dataclass
class Call:
    rule: str
    args: tuple
    result: object = None
    step: object = None     # the step it belongs to, found by diagnose()


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


# ---- naming arrays ------------------------------------------------------------------------

def say(label):
    """A label of a known array in the course's words."""
    kind, step = label[0], label[1] if len(label) > 1 else None
    if kind == "zeros":
        return "zeros"
    if kind == "value":
        return repr(step)
    if kind == "own":
        return f"the result of your `{label[1]}` call at step {label[2]}" if label[2] is not None else \
            f"the result of your `{label[1]}` call"
    words = WORDS.get(kind)
    if step is None:
        return words[1] if words else kind
    return (words[0] if words else kind + "[{t}]").format(t=step)


# kind -> (text of one step's array, text of the whole array)
WORDS = {
    "dhraw": ("the pre-activation gradient of step {t} (dhraw[{t}])", "dhraw (the pre-activation gradients)"),
    "dh": ("dh of step {t} (the gradient at h[{t}], before φ′)", "dh (the gradients before φ′)"),
    "dy": ("dy of step {t}", "dy"),
    "h": ("h[{t}]", "h"), "h_netIn": ("h_netIn[{t}]", "h_netIn"), "p": ("p[{t}]", "p"), "Y": ("Y[{t}]", "Y"),
    "X": ("X[{t}]", "X"), "h_prev": ("h_prev[{t}] = h_{{t-1}}", "h_prev (h_prev[t] = h_{t-1}, cache['h0'] at t = 0)"),
    "h0": ("cache['h0']", "cache['h0']"),
    "dhraw1": ("layer 1's pre-activation gradient of step {t} (dhraw1[{t}])", "dhraw1"),
    "dhraw2": ("layer 2's pre-activation gradient of step {t} (dhraw2[{t}])", "dhraw2"),
    "dh1": ("dh1 of step {t} (layer 1's gradient before φ′)", "dh1"),
    "dh2": ("dh2 of step {t} (layer 2's gradient before φ′)", "dh2"),
    "h1": ("h1[{t}]", "h1"), "h2": ("h2[{t}]", "h2"),
}
for _name in ("W_hq", "W_hh", "W_xh", "W_xh1", "W_hh1", "W_xh2", "W_hh2", "X", "y", "reg", "y_netIn", "y_netAct",
              "z_netIn", "z_netAct", "y_wts", "z_wts", "dz_netAct", "dz_netIn", "dy_netAct", "dy_netIn"):
    WORDS.setdefault(_name, ("{t}", _name))
    WORDS.setdefault(_name + ".T", ("{t}", _name + ".T"))
WORDS.update({"y_netIn": ("", "y_netIn (the pre-activation)"), "y_netAct": ("", "y_netAct (the ReLU output)"),
              "z_netAct": ("", "z_netAct (the softmax output)"), "z_netIn": ("", "z_netIn (the logits)"),
              "reg": ("", "the reg passed in")})


class Known:
    """Named arrays of the reference computation, identified by value."""

    def __init__(self):
        self.items = []

    def add(self, label, value):
        self.items.append((label, np.asarray(value)))

    def identify(self, value):
        """The label of the first known array equal to `value` (or ("zeros",) / ("value", v)), else None."""
        if isinstance(value, str) or value is None:
            return ("value", value)
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            return None
        if arr.ndim == 0:
            for label, known in self.items:
                if known.ndim == 0 and np.isclose(float(arr), float(known), rtol=1e-9, atol=0):
                    return label
            return ("value", float(arr)) if float(arr) == 0 else None
        if arr.size and not np.any(arr):
            return ("zeros",)
        f = arr.astype(np.float64)
        for label, known in self.items:
            if known.shape == arr.shape and known.size and close(f, known.astype(np.float64), 1e-9):
                return label
        return None


def _per_step(kind, stack, known):
    for t in range(len(stack)):
        known.add((kind, t), stack[t])


@dataclass
class Expected:
    rule: str
    step: object           # int, or None for a rule called once with whole arrays
    labels: tuple          # label of each argument (("value", v) for strings and numbers)
    arrays: tuple          # the argument values


# ---- the instructor's trace, per unit --------------------------------------------------------

def _rnn_known(Y, params, cache, act):
    from .rnn import upstream

    up = upstream(params, Y, cache, act)
    known = Known()
    for kind, stack in (("dhraw", up["dhraw"]), ("dh", up["dh"]), ("dy", up["dy"]), ("h", cache["h"]),
                        ("h_netIn", cache["h_netIn"]), ("p", cache["p"]), ("X", cache["X"]), ("Y", Y)):
        _per_step(kind, stack, known)
    known.add(("h0",), cache["h0"])
    for w in ("W_hq", "W_hh", "W_xh"):
        known.add((w,), params[w])
        known.add((w + ".T",), params[w].T)
    for kind, whole in (("dhraw", up["dhraw"]), ("dh", up["dh"]), ("dy", up["dy"]), ("h", cache["h"]),
                        ("h_prev", up["h_prev"]), ("X", cache["X"]), ("p", cache["p"])):
        known.add((kind,), whole)
    return known, up


def _rnn_expected(args):
    Y, params, cache, act = args[:4]
    known, up = _rnn_known(Y, params, cache, act)
    T = Y.shape[0]
    h, W_hq, W_hh = cache["h"], params["W_hq"], params["W_hh"]
    zeros = np.zeros_like(h[0])
    calls = []
    for t in reversed(range(T)):
        nxt = (("dhraw", t + 1), up["dhraw"][t + 1]) if t + 1 < T else (("zeros",), zeros)
        calls += [
            Expected("dy_t", t, (("p", t), ("Y", t), ("value", T)), (cache["p"][t], Y[t], T)),
            Expected("dh_t", t, (("dy", t), nxt[0], ("W_hq",), ("W_hh",)), (up["dy"][t], nxt[1], W_hq, W_hh)),
            Expected("dhraw_t", t, (("dh", t), ("h_netIn", t), ("h", t), ("value", act)),
                     (up["dh"][t], cache["h_netIn"][t], h[t], act)),
        ]
    calls += [
        Expected("dW_xh", None, (("X",), ("dhraw",)), (cache["X"], up["dhraw"])),
        Expected("dW_hh", None, (("h_prev",), ("dhraw",)), (up["h_prev"], up["dhraw"])),
        Expected("db_h", None, (("dhraw",),), (up["dhraw"],)),
        Expected("dW_hq", None, (("h",), ("dy",)), (h, up["dy"])),
        Expected("db_q", None, (("dy",),), (up["dy"],)),
    ]
    return known, calls


def _mlp_expected(args):
    y, params, cache, reg = args[:4]
    known = Known()
    g_za = R.dz_netAct(cache["z_netAct"], y)
    g_zi = R.dz_netIn(g_za, cache["z_netAct"])
    g_ya = R.dy_netAct(g_zi, params["z_wts"])
    g_yi = R.dy_netIn(g_ya, cache["y_netIn"])
    for name, value in (("dz_netAct", g_za), ("dz_netIn", g_zi), ("dy_netAct", g_ya), ("dy_netIn", g_yi),
                        ("z_netAct", cache["z_netAct"]), ("z_netIn", cache["z_netIn"]), ("y_netAct", cache["y_netAct"]),
                        ("y_netIn", cache["y_netIn"]), ("X", cache["X"]), ("y", y), ("z_wts", params["z_wts"]),
                        ("y_wts", params["y_wts"]), ("z_wts.T", params["z_wts"].T), ("y_wts.T", params["y_wts"].T),
                        ("reg", np.float64(reg))):
        known.add((name,), value)
    c, p = cache, params
    calls = [
        Expected("dz_netAct", None, (("z_netAct",), ("y",)), (c["z_netAct"], y)),
        Expected("dz_netIn", None, (("dz_netAct",), ("z_netAct",)), (g_za, c["z_netAct"])),
        Expected("dy_netAct", None, (("dz_netIn",), ("z_wts",)), (g_zi, p["z_wts"])),
        Expected("dy_netIn", None, (("dy_netAct",), ("y_netIn",)), (g_ya, c["y_netIn"])),
        Expected("dz_wts", None, (("dz_netIn",), ("y_netAct",), ("z_wts",), ("reg",)), (g_zi, c["y_netAct"], p["z_wts"], reg)),
        Expected("dz_b", None, (("dz_netIn",),), (g_zi,)),
        Expected("dy_wts", None, (("dy_netIn",), ("X",), ("y_wts",), ("reg",)), (g_yi, c["X"], p["y_wts"], reg)),
        Expected("dy_b", None, (("dy_netIn",),), (g_yi,)),
    ]
    return known, calls


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


def _rnn2_expected(args):
    Y, params, cache, act = args[:4]
    up = rnn2_intermediates(params, cache, Y, act)
    known = Known()
    for kind in ("dhraw1", "dhraw2", "dh1", "dh2", "dy"):
        _per_step(kind, up[kind], known)
    for kind in ("h1", "h2"):
        _per_step(kind, cache[kind], known)
    for w in ("W_xh2", "W_hh1", "W_hh2", "W_xh1"):
        known.add((w,), params[w])
        known.add((w + ".T",), params[w].T)
    T = Y.shape[0]
    calls = []
    for t in reversed(range(T)):
        nxt = (("dhraw1", t + 1), up["dhraw1"][t + 1]) if t + 1 < T else (("zeros",), np.zeros_like(cache["h1"][0]))
        calls.append(Expected("dh1_t", t, (("dhraw2", t), nxt[0], ("W_xh2",), ("W_hh1",)),
                              (up["dhraw2"][t], nxt[1], params["W_xh2"], params["W_hh1"])))
    return known, calls


EXPECTED = {"rnn_backward": _rnn_expected, "mlp_backward": _mlp_expected, "rnn2_backward": _rnn2_expected}

# The argument that tells which step a per-step call belongs to.
ANCHOR = {"dy_t": 0, "dh_t": 0, "dhraw_t": 1, "dh1_t": 0}
# Rules that receive the gradient carried back from step t+1: their order matters.
CARRIED = {"dh_t": "dhraw_next", "dh1_t": "dhraw1_next"}


# ---- comparing ---------------------------------------------------------------------------

def _params(rule):
    return list(inspect.signature(getattr(R, rule)).parameters)


def _same(value, expected):
    if isinstance(expected, str) or isinstance(value, str):
        return value == expected
    try:
        a, e = np.asarray(value, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == e.shape and close(a, e, 1e-9)


def _step_of(label):
    if label is None or label[0] in ("zeros", "value"):
        return None
    if label[0] == "own":
        return label[2]
    return label[1] if len(label) > 1 else None


def _found(value, known, calls_before):
    label = known.identify(value)
    if label is not None:
        return label
    for call in reversed(calls_before):
        if call.result is not None and _same(value, call.result):
            return ("own", call.rule, getattr(call, "step", None))
    return None


def _slices_text(param, value, exp_label, exp_array, known, rule):
    """What a whole (T, ...) argument holds, slice by slice, where it differs from the expected."""
    arr = np.asarray(value)
    if arr.shape != np.asarray(exp_array).shape:
        return None
    wrong = []
    for t in range(arr.shape[0]):
        if not _same(arr[t], exp_array[t]):
            wrong.append((t, known.identify(arr[t])))
    if not wrong or any(label is None for _, label in wrong):
        return None
    kinds = {label[0] for _, label in wrong}
    expect_each = say((exp_label[0], 0)).replace("[0]", "[t]").replace("step 0", "step t")
    if exp_label[0] == "h_prev":
        expect_each = "h_prev[t] = h_{t-1}"
    if len(kinds) == 1 and len(wrong) > 1 and all(label[0] != "zeros" for _, label in wrong):
        shifts = {label[1] - t for t, label in wrong}
        if len(shifts) == 1:
            shift = shifts.pop()
            kind = kinds.pop()
            got = f"{kind}[t{shift:+d}]" if shift else f"{kind}[t]"
            where = "at every step" if len(wrong) == arr.shape[0] else "at t = " + ", ".join(str(t) for t, _ in wrong)
            return f"`{rule}` received `{param}` holding {got} where {expect_each} belongs ({where})"
    t, label = wrong[0]
    expect_t = say((exp_label[0], t)) if exp_label[0] != "h_prev" else \
        ("cache['h0']" if t == 0 else f"h_prev[{t}] = h[{t - 1}]")
    return f"`{rule}` received `{param}` holding {say(label)} at t = {t}, where {expect_t} belongs"


def _argument_text(rule, step, param, found, exp_label):
    where = f"at step t = {step}, " if step is not None else ""
    if found is not None and exp_label[0] == found[0] and _step_of(found) is not None and _step_of(exp_label) is not None:
        return f"{where}`{rule}` received `{param}` = {say(found)}; it should be that of step {_step_of(exp_label)}"
    if exp_label[0] == "value":
        shown = say(found) if found is not None and found[0] == "value" else "another value"
        return f"{where}`{rule}` was called with {param} = {shown}; the forward pass used {say(exp_label)}" \
            if param == "activation" else f"{where}`{rule}` received `{param}` = {shown}; it should be {say(exp_label)}"
    got = say(found) if found is not None else "an array that matches no array of the reference computation"
    if found is not None and found[0] == exp_label[0] + ".T":
        got = f"{exp_label[0]}.T"
    return f"{where}`{rule}` received `{param}` = {got}; it should be {say(exp_label)}"


def _order_text(rule, steps, T):
    if len(steps) >= 2 and steps == sorted(steps) and steps[0] < steps[-1]:
        return (f"the loop visits the steps in increasing t (`{rule}` at t = {steps[0]}, {steps[1]}, ...); BPTT goes "
                f"from t = {T - 1} down to 0, so that the gradient of step t+1 is known when step t needs it")
    return None


def _missing_steps(calls, expected, per_step_rules, T):
    """Steps the loop never reaches, for a rule the student calls at other steps."""
    for rule in sorted(per_step_rules):
        done = {c.step for c in calls if c.rule == rule}
        if done:
            missing = [e.step for e in expected if e.rule == rule and e.step not in done]
            if missing:
                return (f"`{rule}` is never called for step t = {', '.join(map(str, sorted(missing)))}: "
                        f"the loop must visit every step from t = {T - 1} down to 0")
    return None


def diagnose(unit, args, calls):
    """The first divergence of `calls` (the student's, in order) from the instructor's trace, or None."""
    if unit not in EXPECTED or not calls:
        return None
    known, expected = EXPECTED[unit](args)
    by_step = {(e.rule, e.step): e for e in expected}
    per_step_rules = {e.rule for e in expected if e.step is not None}
    T = max((e.step for e in expected if e.step is not None), default=-1) + 1
    # Which step each per-step call belongs to: its anchor argument, else its place among the rule's calls.
    seen = {}
    for call in calls:
        call.step = None
        if call.rule in per_step_rules:
            label = _found(call.args[ANCHOR[call.rule]], known, []) if len(call.args) > ANCHOR[call.rule] else None
            step = _step_of(label)
            if step is None or (call.rule, step) not in by_step:
                order = [e.step for e in expected if e.rule == call.rule]
                k = seen.get(call.rule, 0)
                step = order[k] if k < len(order) else None
            seen[call.rule] = seen.get(call.rule, 0) + 1
            call.step = step
    missing = _missing_steps(calls, expected, per_step_rules, T)
    for i, call in enumerate(calls):
        exp = by_step.get((call.rule, call.step))
        if exp is None:
            continue
        if exp.step is None and missing:
            return missing     # the loop ended early: that comes before the sums over time
        names = _params(call.rule)
        for j, (value, exp_label, exp_value) in enumerate(zip(call.args, exp.labels, exp.arrays)):
            if _same(value, exp_value):
                continue
            param = names[j] if j < len(names) else f"argument {j + 1}"
            text = None
            if exp.step is None and np.ndim(exp_value) >= 3:
                text = _slices_text(param, value, exp_label, exp_value, known, call.rule)
            if text is None:
                text = _argument_text(call.rule, exp.step, param, _found(value, known, calls[:i]), exp_label)
            if CARRIED.get(call.rule) == param:
                order = _order_text(call.rule, [c.step for c in calls if c.rule == call.rule and c.step is not None], T)
                if order:
                    text = f"{order}: {text}"
            return text
    if missing:
        return missing
    called = {c.rule for c in calls}
    if called >= {e.rule for e in expected}:
        return ("every call to the local rules received the right arguments, so the mistake is in how their results "
                "are combined into the returned dict")
    return None
