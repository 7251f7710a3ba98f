"""Given code: how an assembly function's calls to the local rules compare with the expected ones.

Used by the visible tests of rnn_backward, mlp_backward and rnn2_backward (with expected
arrays from finite differences) and by the grader (with its own expected arrays). It holds
no solution: it is told which arrays each call should receive, and names the first call
that received something else, in the lecture's words ("at step t = 3 `dh_t` received
`dhraw_next` = dh of step 4 ..."). Read it, do not edit it, and do not call it from a graded
function (that earns 0 for the unit).
"""
import inspect
from dataclasses import dataclass

import numpy as np

RTOL = 1e-9     # arrays of the same computation agree to rounding; finite differences need more


def close(a, b, rtol=RTOL):
    """Same shape and max|a - b| <= rtol * max|b|."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    scale = max(float(np.max(np.abs(b), initial=0.0)), 1e-12)
    return float(np.max(np.abs(a - b), initial=0.0)) <= rtol * scale


@dataclass
class Call:
    rule: str
    args: tuple
    result: object = None
    step: object = None     # the step it belongs to, found by diagnose()



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

    def __init__(self, rtol=RTOL):
        self.items = []
        self.rtol = rtol

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
                if known.ndim == 0 and np.isclose(float(arr), float(known), rtol=self.rtol, atol=0):
                    return label
            return ("value", float(arr)) if float(arr) == 0 else None
        if arr.size and not np.any(arr):
            return ("zeros",)
        f = arr.astype(np.float64)
        for label, known in self.items:
            if known.shape == arr.shape and known.size and close(f, known, self.rtol):
                return label
        return None



# What each parameter of a local rule is, as its docstring says: (kind, step offset). A kind with an
# offset is one step's array (offset 1: the next step's, zeros after the last step); None: the
# whole array or a value. Nothing here says how a loop is written: only what each argument means.
GLOSSARY = {
    # notebook 01
    "z_netAct": ("z_netAct", None), "y": ("y", None), "dz_netAct": ("dz_netAct", None),
    "dz_netIn": ("dz_netIn", None), "z_wts": ("z_wts", None), "dy_netAct": ("dy_netAct", None),
    "y_netIn": ("y_netIn", None), "y_netAct": ("y_netAct", None), "reg": ("reg", None),
    "dy_netIn": ("dy_netIn", None), "y_wts": ("y_wts", None),
    # notebook 02
    "p_t": ("p", 0), "y_t": ("Y", 0), "T": ("T", None), "dy_t": ("dy", 0), "dhraw_next": ("dhraw", 1),
    "W_hq": ("W_hq", None), "W_hh": ("W_hh", None), "dh_t": ("dh", 0), "h_netIn_t": ("h_netIn", 0),
    "h_t": ("h", 0), "activation": ("activation", None), "h": ("h", None), "dy": ("dy", None),
    "h_prev": ("h_prev", None), "dhraw": ("dhraw", None), "X": ("X", None),
    # notebook 03
    "dhraw2_t": ("dhraw2", 0), "dhraw1_next": ("dhraw1", 1), "W_xh2": ("W_xh2", None), "W_hh1": ("W_hh1", None),
}
INPUTS = ("p", "Y", "h_netIn", "h", "X")     # kinds read from the cache: they tell a call's step best
VALUES = ("T", "activation")                 # compared as values, named by their value


def computation(arrays, per_step, rtol=RTOL):
    """A Known of every array of a computation: {kind: array}; kinds in per_step have a leading time axis."""
    known = Known(rtol)
    for kind in per_step:
        for t in range(len(arrays[kind])):
            known.add((kind, t), arrays[kind][t])
    for kind, value in arrays.items():
        if kind in VALUES:
            continue
        known.add((kind,), value)
        if kind.startswith("W_") or kind.endswith("_wts"):
            known.add((kind + ".T",), np.asarray(value).T)
    return known


def _expected(param, step, arrays, T):
    """(label, value) that `param` should receive at `step` (None for a rule called on whole arrays)."""
    kind, offset = GLOSSARY.get(param, (param, None))
    if kind not in arrays:
        return None
    if kind in VALUES:
        return ("value", arrays[kind]), arrays[kind]
    if offset is None or step is None:
        return (kind,), arrays[kind]
    s = step + offset
    if 0 <= s < T:
        return (kind, s), arrays[kind][s]
    return ("zeros",), np.zeros_like(arrays[kind][0])


def _anchor(names):
    """The parameter that tells which step a call belongs to: a cache input if it has one."""
    stepped = [n for n in names if GLOSSARY.get(n, (None, None))[1] == 0]
    inputs = [n for n in stepped if GLOSSARY[n][0] in INPUTS]
    return (inputs or stepped or [None])[0]


# Rules that receive the gradient carried back from step t+1: their order matters.
CARRIED = {"dh_t": "dhraw_next", "dh1_t": "dhraw1_next"}


# ---- comparing ---------------------------------------------------------------------------


def _same(value, expected, rtol=RTOL):
    if isinstance(expected, str) or isinstance(value, str):
        return value == expected
    try:
        a, e = np.asarray(value, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == e.shape and close(a, e, rtol)


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
        if call.result is not None and _same(value, call.result, known.rtol):
            return ("own", call.rule, getattr(call, "step", None))
    return None


def _slices_text(param, value, exp_label, exp_array, known, rule):
    """What a whole (T, ...) argument holds, slice by slice, where it differs from the expected."""
    arr = np.asarray(value)
    if arr.shape != np.asarray(exp_array).shape:
        return None
    wrong = []
    for t in range(arr.shape[0]):
        if not _same(arr[t], exp_array[t], known.rtol):
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


RIGHT_CALLS = ("every call to the local rules received the right arguments, so the mistake is in what the function "
               "computes itself")


def _missing_steps(calls, per_step_rules, T):
    """Steps the loop never reaches, for a rule the student calls at other steps."""
    for rule in sorted(per_step_rules):
        done = {c.step for c in calls if c.rule == rule}
        if done:
            missing = [t for t in range(T) if t not in done]
            if missing:
                return (f"`{rule}` is never called for step t = {', '.join(map(str, missing))}: "
                        f"the loop must visit every step from t = {T - 1} down to 0")
    return None


def parameters(func):
    """[(name, default or None)] of a rule's parameters, for first_divergence's `signatures`."""
    return [(p.name, None if p.default is inspect.Parameter.empty else p.default)
            for p in inspect.signature(func).parameters.values()]


def _one_step_of(value, whole, rtol):
    """True if `value` is whole[t] or whole[t:t+1] for some step t of a (T, ...) array."""
    whole, value = np.asarray(whole), np.asarray(value)
    if whole.ndim < 3 or value.shape not in (whole.shape[1:], (1,) + whole.shape[1:]):
        return False
    return any(_same(value.reshape(whole.shape[1:]), whole[t], rtol) for t in range(whole.shape[0]))


def first_divergence(arrays, per_step, calls, signatures, rtol=RTOL):
    """The first call of `calls` (the student's, in order) whose arguments differ from what the rule's
    parameters mean (GLOSSARY) in this computation, in words; RIGHT_CALLS if every call was right and
    every rule was called; else None.

    arrays: {kind: array or value} of the computation (the reference's, or finite differences');
    per_step: the kinds with a leading time axis; signatures: {rule: parameters(rule)} of every rule
    the assembly may call.
    """
    if not calls:
        return None
    known = computation(arrays, per_step, rtol)
    T = len(arrays[per_step[0]]) if per_step else 0
    anchors = {rule: _anchor([n for n, _ in sig]) for rule, sig in signatures.items()}
    per_step_rules = {rule for rule, a in anchors.items() if a is not None}
    # Which step each per-step call belongs to: its anchor argument, else its place among the rule's calls.
    seen = {}
    for call in calls:
        call.step = None
        if call.rule in per_step_rules:
            names = [n for n, _ in signatures[call.rule]]
            at = names.index(anchors[call.rule])
            step = _step_of(_found(call.args[at], known, [])) if len(call.args) > at else None
            if step is None or not 0 <= step < T:
                k = seen.get(call.rule, 0)
                step = T - 1 - k if k < T else None
            seen[call.rule] = seen.get(call.rule, 0) + 1
            call.step = step
    # An anchor computed by the student (dh1_t's dhraw2_t) can itself be a step off: two calls on one
    # step mean it is, and then the calls' order tells the steps (the first call is step T-1).
    for rule in per_step_rules:
        mine = [c for c in calls if c.rule == rule]
        steps = [c.step for c in mine]
        if len(set(steps)) < len(steps) and GLOSSARY[anchors[rule]][0] not in INPUTS:
            for k, c in enumerate(mine):
                c.step = T - 1 - k if k < T else None
    missing = _missing_steps(calls, per_step_rules, T)
    for i, call in enumerate(calls):
        if call.rule not in signatures or (call.rule in per_step_rules and call.step is None):
            continue
        if call.rule not in per_step_rules and missing:
            return missing     # the loop ended early: that comes before the sums over time
        names = [name for name, _ in signatures[call.rule]]
        given = len(call.args)
        call.args = tuple(call.args) + tuple(d for _, d in signatures[call.rule][given:] if d is not None)
        for j, value in enumerate(call.args[:len(names)]):
            param = names[j]
            want = _expected(param, call.step, arrays, T)
            if want is None:
                continue
            exp_label, exp_value = want
            if _same(value, exp_value, known.rtol):
                continue
            if call.step is None and _one_step_of(value, exp_value, known.rtol):
                continue     # a rule that sums over time, called one step at a time: a right argument
            if j >= given:
                return f"`{call.rule}` was called without `{param}` (its default is {value!r}); it should receive {say(exp_label)}"
            text = None
            if call.step is None and np.ndim(exp_value) >= 3:
                text = _slices_text(param, value, exp_label, exp_value, known, call.rule)
            if text is None:
                text = _argument_text(call.rule, call.step, param, _found(value, known, calls[:i]), exp_label)
            if CARRIED.get(call.rule) == param:
                order = _order_text(call.rule, [c.step for c in calls if c.rule == call.rule and c.step is not None], T)
                if order:
                    text = f"{order}: {text}"
            return text
    if missing:
        return missing
    if {c.rule for c in calls} >= set(signatures):
        return RIGHT_CALLS
    return None
