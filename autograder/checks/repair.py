"""A diagnosis is a verified repair: a cause is named only when it reproduces the student's answers.

The candidate causes are an error model over the reference: rewrites of it, each computable on
any case. A unit's case maker already applies its rewrites (Case.mistakes: a dropped or extra
term, h for h_netIn, h_t for h_{t-1}, the loop's carry: where a truncation cuts and by what
weight ...), and the output-level ones are applied here: a scale by a size, a product or a
ratio of two sizes, or one of the unit's named constants (Case.factors); a local rule's argument
replaced, transposed, dropped, passed through a ReLU or with its exact zeros counted as positive
(a mask taken with >=); two time-indexed factors summed over time before their product; the reg
term scaled, divided by a size or replaced by the penalty's value; the right answer summed over
an axis or every entry, or cut to its first N (T ...) entries (an answer of the wrong shape).
Transposes, signs and shapes that no rewrite explains are not causes but facts about the output.

A function that raised is repaired, not rewritten: a 2-D argument whose transpose, passed in its
place, makes the function right on every case and on the extra case is named (raised_repair); a
NameError for a key of a dict argument says where that value reaches the function (raised_name).

A candidate is kept only if, applied to the reference, it gives the student's answer (entry by
entry of a dict or tuple answer) on every hidden case of the unit AND on one extra case whose
sizes are drawn for the purpose, all different from the hidden cases' (a constant that equals a
ratio of one case's sizes, or a chunk rule that coincides with the right one at one T and k,
fails there). Everything else about the output is said as an observation: which output, which
entries. When a verified cause explains every wrong entry, it is the whole message; otherwise
the property probes (checks/probes.py) add what they observed.

The student's function is called through `run` (the grading path's runner: the sandbox, or the
kernel), only for a failing unit: the unit's cases and one extra case, a bounded handful of calls.
"""
import re
from collections.abc import Collection, Mapping, Sequence

import numpy as np

from .. import reference as R
from ..reference.validate import Array
from .base import Answer, Case, CaseDims, LeafPath, Runner, Unit, _get, _leaves, judge_value
from .compare import Factors, SIZE_NAMES, _factor_names, as_float_array, close

# The extra case's sizes: none equal to a hidden case's, and no product or ratio of two of them
# equal to another (tests/test_verified_diagnosis.py checks both), so a named constant is one.
EXTRA_SIZES: dict[str, int] = dict(N=5, D=8, H=7, Q=9, C=9, H1=7, H2=11)
EXTRA_T = (6, 13, 17)     # T = 6 unless a hidden case has it or k divides it (then a prime)
EXTRA_SEED = 5000      # added to the failing case's seed: the same seed mod 1000 (true or arbitrary upstream)

# One student answer per case: (case, answer as plain data, or None when the call failed).
Evidence = list[tuple[Case, object]]


def extra_dims(unit: Unit, case: Case) -> CaseDims | None:
    """Sizes for the extra case: the failing case's switches (activation, k, pi, ratio) with every
    size changed; T not a multiple of k and above it, so a chunk rule cannot coincide."""
    base = case.made_from
    if base is None:
        return None
    used_T = {c["T"] for c in unit.case_dims()}
    k = base["k"] if "k" in unit.dims_used else 1
    T = next((t for t in EXTRA_T if t not in used_T and (k <= 1 or (t % k and t > k))), None)
    if T is None:
        return None
    out: CaseDims = {**base, **EXTRA_SIZES, "T": T, "seed": base["seed"] + EXTRA_SEED}   # type: ignore[typeddict-item]
    return out


def extra_case(unit: Unit, case: Case) -> Case | None:
    dims = extra_dims(unit, case)
    if dims is None:
        return None
    try:
        made = unit.make_case(np.random.default_rng(dims["seed"]), dims)
    except Exception:        # a case maker that cannot make these sizes: nothing is verified
        return None
    made.dims = {k: v for k, v in dims.items() if k in unit.dims_used}
    made.made_from = dims
    return made if made.expected is not None else None


def evidence(unit: Unit, run: Runner, case: Case, got_here: object) -> tuple[Evidence, bool] | None:
    """The student's answer on every hidden case and on the extra case, and whether every call
    answered (a call that failed, a warning or an exception, says nothing about values: that case is
    left out, and the message is then not complete). None if the extra case cannot be had.
    got_here: the answer on `case` itself (not asked again)."""
    extra = extra_case(unit, case)
    if extra is None:
        return None
    out: Evidence = []
    complete = True
    for c in unit.cases() + [extra]:
        if c.expected is None:       # a case that must raise says nothing about the values
            continue
        got = got_here if c.made_from == case.made_from else run(c.args)
        if got is None:
            if c is extra:
                return None
            complete = False
            continue
        out.append((c, got))
    return out, complete


def _leaf(value: object, path: LeafPath) -> np.ndarray | None:
    """The float64 entry of `value` at `path` (an array, or a number such as clip_gradients' norm)."""
    try:
        leaf = _get(value, path)
    except (KeyError, IndexError, TypeError):
        return None
    if isinstance(leaf, (float, np.floating)) and not isinstance(leaf, bool):
        return np.asarray(leaf, dtype=np.float64)
    arr = as_float_array(leaf, "")
    return arr if isinstance(arr, np.ndarray) else None


def _equal(got: object, want: object, path: LeafPath) -> bool:
    g, w = _leaf(got, path), _leaf(want, path)
    return g is not None and w is not None and close(g, w)


def _changed(rewrite: Answer, case: Case, paths: Sequence[LeafPath]) -> set[LeafPath]:
    """The entries where a rewrite differs from the case's reference answer."""
    return {p for p in paths if not _equal(rewrite, case.expected, p)}


def _reference(case: Case) -> list[Answer]:
    return [] if case.expected is None else [case.expected]


def argument_rewrites(unit: Unit, case: Case) -> list[tuple[str, Answer]]:
    """The error model's rewrites of a local rule's arguments, applied to the reference rule itself
    (no list of wrong answers): one argument replaced by another of the same shape, a square one
    transposed, one set to zero (its term dropped). None for an assembly (its rules are swapped in)."""
    rule = getattr(R, unit.name, None)
    if rule is None or unit.oracles or not isinstance(case.expected, np.ndarray):
        return []
    names, args = unit.arg_names, case.args
    arrays = [i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f"]
    changes: list[tuple[str, int, object]] = []
    for i in arrays:
        a = args[i]
        assert isinstance(a, np.ndarray)
        changes += [(f"uses `{names[j]}` where `{names[i]}` belongs", i, args[j]) for j in arrays
                    if j != i and getattr(args[j], "shape", None) == a.shape]
        if a.ndim == 2 and a.shape[0] == a.shape[1]:
            changes.append((f"`{names[i]}` enters transposed ({names[i]}.T where {names[i]} belongs, or the reverse)",
                            i, a.T))
        rows, last = int(np.prod(a.shape[:-1])), a.shape[-1]
        if a.ndim >= 2 and rows != last:
            # Reshaped to the transposed shape instead of transposed: the shapes fit, the entries do not.
            fix = f"{names[i]}.T" if a.ndim == 2 else f"{names[i]}.reshape(-1, {names[i]}.shape[-1]).T"
            changes.append((f"`{names[i]}` enters reshaped to its transposed shape, which reorders its entries: a "
                            f"reshape is not a transpose (use {fix})", i, a.reshape(last, rows).T.reshape(a.shape)))
        changes.append((f"the term with `{names[i]}` is missing: the answer does not depend on `{names[i]}`",
                        i, np.zeros_like(a)))
        if np.any(a < 0):
            changes.append((f"`{names[i]}` enters through a ReLU (np.maximum({names[i]}, 0)): its negative entries are "
                            f"dropped, where it enters as it is", i, np.maximum(a, 0.0)))
        if np.any(a == 0):
            # A mask taken with >= (np.heaviside(x, 1)): the entries where the argument is exactly 0 count as
            # positive. Only a rule that jumps at 0 (ReLU's derivative) differs from the reference here.
            changes.append((f"it treats the entries where `{names[i]}` is exactly 0 as positive "
                            f"(`{names[i]} >= 0` where `{names[i]} > 0` belongs: ReLU's derivative at 0 is 0)",
                            i, np.where(a == 0, np.finfo(np.float64).tiny, a)))
    steps = [a for a in args if isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.ndim == 3]
    if len(steps) == 2 and steps[0].shape[0] == steps[1].shape[0]:
        # Both factors summed over time before the product: the first one's sum at every step gives
        # (sum_t a_t).T @ (sum_t b_t), whichever factor carries it (one rewrite, naming neither).
        a = steps[0]
        changes.append(("it multiplies the sums over time of its two factors, which adds the cross terms of "
                        "different steps (s != t); the gradient is the sum over time of each step's own product",
                        next(i for i in arrays if args[i] is a), np.broadcast_to(a.sum(axis=0), a.shape).copy()))
    out: list[tuple[str, Answer]] = []
    for message, i, value in changes:
        try:
            with np.errstate(all="ignore"):
                wrong = np.asarray(rule(*(args[:i] + (value,) + args[i + 1:])), dtype=np.float64)
        except Exception:
            continue
        if wrong.shape == case.expected.shape and np.all(np.isfinite(wrong)):
            out.append((message, wrong))
    return out


def _size_name(size: int, dims: Mapping[str, object]) -> str | None:
    """The one size name of `dims` whose value is `size` (None if none or several)."""
    same = [k for k in SIZE_NAMES if dims.get(k) == size]
    return same[0] if len(same) == 1 else None


LABELS = {"T": "time, T", "N": "the batch, N"}


def shape_rewrites(case: Case) -> list[tuple[str, Answer]]:
    """The error model's rewrites of an array answer's shape: the right answer summed over every entry or
    over one axis, or cut to its first N (T, ...) entries along axis 0 (a loop over the wrong size)."""
    want = case.expected
    if not isinstance(want, np.ndarray) or want.ndim == 0:
        return []
    out: list[tuple[str, Answer]] = [(
        "it is one number, the sum of every entry of the right answer: is the sum missing its axis= "
        "(this output keeps its axes)?", np.asarray(want.sum()))]
    dims: Mapping[str, object] = case.dims      # the sizes the unit uses (made_from holds others, k among them)
    if want.ndim >= 2:
        for a in range(want.ndim):
            # The axis by its size's name; where two sizes share the length (T = N = 1), one rewrite per name:
            # only the name every case agrees on is verified.
            labels = [LABELS.get(k, k) for k in SIZE_NAMES if dims.get(k) == want.shape[a]] or [""]
            out += [(f"it is the right answer summed over its axis {a}{f' ({label})' if label else ''}, a sum "
                     f"this output does not take (it keeps that axis)", want.sum(axis=a)) for label in labels]
    along = _size_name(want.shape[0], dims)
    if along is not None:
        for name in SIZE_NAMES:
            n = dims.get(name)
            if name != along and isinstance(n, int) and 0 < n < want.shape[0] and _size_name(n, dims) == name:
                out.append((f"it holds only the first {name} entries of the right answer along axis 0, whose "
                            f"length is {along}: does a loop or slice run over {name} where {along} belongs?",
                            want[:n]))
    return out


def candidates(unit: Unit, case: Case, only: Collection[str] | None = None) -> list[tuple[str, Answer]]:
    """Every rewrite of the reference tried on a case: the unit's catalogue first, then the generic
    ones (a local rule's arguments; a BPTT loop's header, carry and sums, checks/loops.py; the
    answer's shape). only: the messages still wanted (the loop's others are not computed)."""
    from .loops import loop_rewrites
    return list(case.mistakes) + argument_rewrites(unit, case) + loop_rewrites(unit, case, only) + shape_rewrites(case)


def verified_mistakes(unit: Unit, case: Case, seen: Evidence) -> dict[str, set[LeafPath]]:
    """{message: entries} of the failing case's rewrites that give the student's entry on every case.
    A rewrite a case does not make (it equals the reference there, or does not apply to that
    activation) is the reference in that case."""
    if case.expected is None:
        return {}
    paths = [p for p, _ in _leaves(case.expected)]
    from .loops import loop_rewrites
    loops = loop_rewrites(unit, case)
    whole = {m for m, _ in loops}
    out: dict[str, set[LeafPath]] = {}
    own = list(case.mistakes) + argument_rewrites(unit, case) + loops + shape_rewrites(case)   # candidates(unit, case), once
    # Case by case, each case's rewrites grouped by message; a message that gives no entry of a
    # case can be verified for no entry, so later cases do not compute it (a loop rewrite is a
    # whole BPTT loop, and there are a hundred of them).
    alive = set(m for m, _ in own)
    tried: dict[int, dict[str, list[Answer]]] = {}
    for c, got in seen:
        grouped: dict[str, list[Answer]] = {}
        for m, w in candidates(unit, c, alive):
            grouped.setdefault(m, []).append(w)
        tried[id(c)] = grouped
        # A rewrite of the whole loop must give every entry (below), any other one at least one.
        alive = {m for m in alive
                 if (all if m in whole else any)(any(_equal(got, w, path) for w in (grouped.get(m) or _reference(c)))
                                                 for path in paths)}
    for message in dict.fromkeys(m for m, _ in own if m in alive):
        for path in paths:
            if all(any(_equal(got, w, path) for w in (tried[id(c)].get(message) or _reference(c)))
                   for c, got in seen):
                out.setdefault(message, set()).add(path)
        # A rewrite of the whole loop states how the loop runs: it must give every entry, the right
        # ones too (the cut on every sum is not the cut on W_hh's alone, though both give W_hh).
        if message in whole and out.get(message, set()) != set(paths):
            out.pop(message, None)
        # Any rewrite must give every entry it changes: a cause that makes an output wrong which the
        # student has right is not what the student did ("sigma_max is the spectral radius" for an
        # answer whose sigma_max is right and whose bound alone uses the spectral radius).
        elif message in out and not any(_changed(w, case, paths) <= out[message] for m, w in own if m == message):
            out.pop(message, None)
    # Two different rewrites of the loop that both give every entry say nothing certain about how it runs:
    # neither is named. A pair that holds a verified single rule (its other rule changes nothing here) gives
    # way to that single rule.
    loops_ok = [m for m in out if m in whole]
    singles = [m for m in loops_ok if "; and " not in m]
    keep = singles if len(singles) == 1 else ([] if singles or len(loops_ok) > 1 else loops_ok)
    for m in loops_ok:
        if m not in keep:
            out.pop(m)
    return out


def _form_value(name: str, case: Case) -> float | None:
    """The value of a named constant in `case`: a size form of compare._factor_names ("N", "2*T",
    "T*N", "N/C", "2") or one of the case's named factors."""
    own = dict(case.factors)
    if name in own:
        return float(own[name])
    d: Mapping[str, object] = case.made_from or {}

    def size(s: str) -> float | None:
        if s == "2":
            return 2.0
        v = d.get(s)
        return float(v) if s in SIZE_NAMES and isinstance(v, (int, float)) and v else None
    for op in ("*", "/"):
        if op in name:
            a, b = (size(s) for s in name.split(op, 1))
            if a is None or b is None:
                return None
            return a * b if op == "*" else a / b
    return size(name)


def verified_factors(case: Case, seen: Evidence, wrong: Sequence[LeafPath]) -> Factors:
    """[(name, value in `case`)] of the constants c such that every wrong entry is c (or 1/c) times
    the reference's on every case, every other entry right on every case."""
    if case.expected is None or not wrong:
        return []
    # A plain 2 is no cause ("2× too large in every entry" says it); 2*T or T/N is one.
    names = _size_names(case)
    paths = [p for p, _ in _leaves(case.expected)]
    out: list[tuple[str, float]] = []
    for name in names:
        for power in (1, -1):
            ok = True
            for c, got in seen:
                v = _form_value(name, c)
                if v is None or c.expected is None:
                    ok = False
                    break
                scale = v ** power
                for path in paths:
                    want = _leaf(c.expected, path)
                    if want is None:
                        ok = False
                        break
                    target = scale * want if path in wrong else want
                    if not _close_leaf(got, path, target):
                        ok = False
                        break
                if not ok:
                    break
            value = _form_value(name, case)
            if ok and value is not None and abs(value - 1) > 1e-9:
                out.append((name, value))
                break
    return out


def _size_names(case: Case) -> list[str]:
    """The constants a scale may be named by: sizes, products and ratios of two, the unit's own forms."""
    return sorted({n for ns in _factor_names(case.dims).values() for n in ns if n != "2"}
                  | {n for n, _ in case.factors})


def _terms(unit: Unit, case: Case) -> tuple[Array, Array] | None:
    """(the answer without its reg term, the reg term) of a rule whose answer adds reg * W to a data term."""
    if "reg" not in unit.arg_names or not hasattr(R, unit.name) or not isinstance(case.expected, np.ndarray):
        return None
    args = list(case.args)
    args[unit.arg_names.index("reg")] = 0.0
    data = np.asarray(getattr(R, unit.name)(*args), dtype=np.float64)
    return data, case.expected - data


def verified_term_scale(unit: Unit, case: Case, seen: Evidence) -> tuple[str, Answer] | None:
    """(message, wrong answer in `case`) when the student's answer is the data term scaled by a named
    constant (or divided by it), the reg term right, or the reg term negated or doubled, the data term
    right, on every case: a scale of one term."""
    if _terms(unit, case) is None:
        return None
    for name in _size_names(case) + ["2"]:
        for power in (1, -1):
            ok = True
            for c, got in seen:
                v, parts = _form_value(name, c), _terms(unit, c)
                g = _leaf(got, ())
                if v is None or parts is None or g is None or not close(g, v ** power * parts[0] + parts[1]):
                    ok = False
                    break
            value, parts = _form_value(name, case), _terms(unit, case)
            if ok and value is not None and parts is not None and abs(value - 1) > 1e-9:
                text = ("is doubled" if power == 1 else "is halved") if name == "2" else \
                    (f"is {name} times too large: is a division by {name} missing?" if power == 1 else
                     f"is {name} times too small: is it divided by {name} once too often?")
                return f"the term without reg (the data term) {text}", value ** power * parts[0] + parts[1]
    # The reg term scaled, the data term right: its sign flipped, or the 2 of |W|^2 kept (the 1/2 dropped
    # from the loss reg/2*|W|^2; a halved reg term is the units' own catalogue entry).
    scales: list[tuple[str, float | None, str]] = [
        ("", -1.0, "is subtracted: d/dW of reg/2*|W|^2 is +reg*W, added to the data term"),
        ("", 2.0, "is doubled: d/dW of reg/2*|W|^2 is reg*W, not 2*reg*W")]
    scales += [(name, None, f"is divided by {name}: d/dW of reg/2*|W|^2 is reg*W, not divided by {name}")
               for name in _size_names(case)]
    for name, scale, text in scales:
        ok = True
        for c, got in seen:
            parts, g = _terms(unit, c), _leaf(got, ())
            v = _form_value(name, c) if name else scale
            if parts is None or g is None or v is None or not close(g, parts[0] + parts[1] / (v if name else 1 / v)):
                ok = False
                break
        parts = _terms(unit, case)
        v = _form_value(name, case) if name else scale
        if ok and parts is not None and v is not None and abs(v - 1) > 1e-9 and np.any(parts[1]):
            return f"the regularization term {text}", parts[0] + parts[1] / (v if name else 1 / v)
    # The penalty's value added where its derivative belongs: reg * sum(W**2) (or half of it) for reg * W.
    for half, text in ((1.0, "reg*sum(W**2)"), (0.5, "reg/2*sum(W**2)")):
        ok = True
        for c, got in seen:
            parts, g, reg = _terms(unit, c), _leaf(got, ()), _reg(unit, c)
            if parts is None or g is None or reg is None or not close(g, parts[0] + half * reg * np.sum(_weight(unit, c) ** 2)):
                ok = False
                break
        parts, reg = _terms(unit, case), _reg(unit, case)
        if ok and parts is not None and reg and np.any(parts[1]):
            return (f"the regularization term is the penalty's value {text} (one number added to every entry) "
                    f"where its derivative reg*W belongs", parts[0] + half * reg * np.sum(_weight(unit, case) ** 2))
    return None


def _reg(unit: Unit, case: Case) -> float | None:
    reg = case.args[unit.arg_names.index("reg")] if "reg" in unit.arg_names else None
    return float(reg) if isinstance(reg, (int, float)) and not isinstance(reg, bool) else None


def _weight(unit: Unit, case: Case) -> Array:
    """The weight matrix the reg term multiplies: the argument of the answer's own shape (y_wts, z_wts)."""
    want = case.expected.shape if isinstance(case.expected, np.ndarray) else ()
    found = [a for n, a in zip(unit.arg_names, case.args) if isinstance(a, np.ndarray) and a.shape == want
             and n.endswith("wts")]
    return np.asarray(found[0], dtype=np.float64) if len(found) == 1 else np.full(want, np.nan)


def _close_leaf(got: object, path: LeafPath, target: np.ndarray) -> bool:
    g = _leaf(got, path)
    return g is not None and close(g, target)


def assign(verified: Mapping[str, set[LeafPath]], wrong: Sequence[LeafPath]) -> dict[str, set[LeafPath]]:
    """Each wrong entry given to one verified rewrite: the one that explains the most wrong entries
    (two rewrites that both reproduce an entry are both true of it; the broader one is the cause)."""
    order = sorted(verified, key=lambda m: -len(verified[m] & set(wrong)))
    out: dict[str, set[LeafPath]] = {}
    for path in wrong:
        first = next((m for m in order if path in verified[m]), None)
        if first is not None:
            out.setdefault(first, set()).add(path)
    return out


def _restricted(unit: Unit, case: Case, keep: Mapping[str, set[LeafPath]]) -> list[tuple[str, Answer]]:
    """The case's mistakes, each kept only at the entries assigned to it (elsewhere NaN: never
    equal to an answer, so judge_value cannot name it there)."""
    out: list[tuple[str, Answer]] = []
    for message, wrong in candidates(unit, case):
        if message in keep:
            out.append((message, _only_at(wrong, keep[message])))
    return out


def _only_at(value: Answer, paths: set[LeafPath], here: LeafPath = ()) -> Answer:
    if isinstance(value, Mapping):
        return {k: _only_at(v, paths, here + (k,)) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_only_at(v, paths, here + (i,)) for i, v in enumerate(value))
    return value if here in paths else np.full(np.shape(value), np.nan)


def wrong_paths(case: Case, got: object) -> list[LeafPath]:
    if case.expected is None:
        return []
    return [p for p, exp in _leaves(case.expected) if not _close_leaf(got, p, np.asarray(exp, dtype=np.float64))]


def explain(unit: Unit, case: Case, verdict: str, run: Runner) -> tuple[str, bool]:
    """(the verdict's output part re-judged with verified causes only, whether they explain every
    wrong entry). The verdict's lead (the call trace's first divergence) is kept as it is: it is
    what the student's own calls received, an observation."""
    what = f"{unit.name} output"
    at = verdict.find(what)
    if at < 0 or case.expected is None:
        return verdict, False
    lead, traced = verdict[:at], at > 0
    if _not_values(verdict[at:], what):
        return verdict, True      # the answer's type or structure is wrong: a fact, with no cause to verify
    got = run(case.args)
    found = evidence(unit, run, case, got) if got is not None else None
    if got is None or found is None:
        # Nothing can be verified: say what is observed in this case only.
        return lead + _observed(unit, case, verdict[at:]), False
    seen, complete = found
    wrong = wrong_paths(case, got)
    if not wrong:        # the student's function answered differently this time (not deterministic)
        return lead + _observed(unit, case, verdict[at:]), False
    verified = verified_mistakes(unit, case, seen)
    mistakes = assign(verified, wrong)
    factors = verified_factors(case, seen, wrong)
    if traced and not lead.rstrip(". ").endswith("computes itself"):
        # The trace names the wrong call; an explanation of a part of the output could contradict it.
        # A rewrite that reproduces every entry (the right ones too) on every case and the extra one is
        # what the function computes: it is said after the trace's observation, alone.
        paths = {p for p, _ in _leaves(case.expected)}
        whole = [m for m, found in verified.items() if found == paths]
        # Two rewrites that both fit say nothing certain, unless one is a single rule and the others
        # pairs (a rule paired with one that changes nothing on these cases).
        single = [m for m in whole if "; and " not in m]
        one = whole if len(whole) == 1 else single
        mistakes = {one[0]: set(wrong)} if len(one) == 1 else {}
    covered = set().union(*mistakes.values()) if mistakes else set()
    named = _restricted(unit, case, mistakes)
    scaled = None if factors or covered else verified_term_scale(unit, case, seen)
    if scaled:
        named, covered = [scaled], set(wrong)
    text = judge_value(got, case.expected, case.dims, what, named, unit.labels, factors, sizes=False)
    explained = complete and (bool(factors) or all(p in covered for p in wrong))
    return lead + (text or verdict[at:]), explained


def _not_values(part: str, what: str) -> bool:
    """True for a verdict about the answer's structure or type (a dict's keys, a tuple's length, a
    dtype, NaN), which names no cause: judge_value says those before it compares any value."""
    return part.startswith((f"{what} must be", f"{what} is missing the key")) or " dtype " in part or \
        "NaN or infinite" in part or " is None" in part or "; expected a NumPy array" in part


def _observed(unit: Unit, case: Case, part: str) -> str:
    """A verdict's output part when the answer cannot be examined again: no cause, no detail."""
    return part if case.expected is None else f"{unit.name} output is wrong."


def raised_repair(unit: Unit, case: Case, run: Runner) -> str | None:
    """For a function that raised on `case`: the sentence naming the one 2-D, non-square argument whose
    transpose, passed in its place, makes the function right on every hidden case AND on the extra case
    (a missing or extra .T that makes a product or a sum fail on its shapes). None if no argument, or
    more than one, does: nothing is said then."""
    extra = extra_case(unit, case)
    if extra is None or case.expected is None:
        return None
    tried = unit.cases() + [extra]
    if any(c.expected is None for c in tried):      # a case that must raise: "every case" could not be said
        return None
    names = unit.arg_names
    fits: list[str] = []
    for i, a in enumerate(case.args):
        if not (isinstance(a, np.ndarray) and a.dtype.kind == "f" and a.ndim == 2 and a.shape[0] != a.shape[1]):
            continue
        ok = True
        for c in tried:
            given = c.args[i]
            if not (isinstance(given, np.ndarray) and given.ndim == 2):
                ok = False
                break
            got = run(c.args[:i] + (given.T,) + c.args[i + 1:])
            if got is None or wrong_paths(c, got):
                ok = False
                break
        if ok and i < len(names):
            fits.append(names[i])
    if len(fits) != 1:
        return None
    n = fits[0]
    return (f"Given `{n}.T` in place of `{n}`, {unit.name} returns the right answer on every case and on one with "
            f"other sizes: it uses `{n}` transposed ({n} where {n}.T belongs, or the reverse).")


def raised_name(unit: Unit, case: Case, message: str) -> str | None:
    """For a NameError naming a key of one of the function's dict arguments (X for cache['X']): where the
    function receives that value. A fact of the case's arguments, said as one."""
    found = re.search(r"raised NameError: name '(\w+)' is not defined", message)
    if found is None:
        return None
    name = found.group(1)
    holders = [n for n, a in zip(unit.arg_names, case.args) if isinstance(a, Mapping) and name in a]
    if len(holders) != 1:
        return None
    return (f"`{name}` is not one of {unit.name}'s arguments; it reaches the function in its argument "
            f"`{holders[0]}`, as {holders[0]}['{name}'].")
