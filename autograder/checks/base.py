"""A graded unit: how to make its seeded cases, and how to judge one answer.

The grader sends `case.args` to the student's function (in the sandbox), gets plain data back,
and calls `unit.judge` on it; checks/judge.py runs a unit's cases in order, the same for both
grading paths, and adds the diagnoses above this module (the call trace, probes, repairs).
The bottom of checks/: this module imports none of the others but compare.py.
"""
import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NotRequired, TypeAlias, TypedDict

import numpy as np
from numpy.typing import NDArray

from ..reference.validate import Array
from ..sandbox.wire import TYPE_MARK, to_data
from ..units import BY_NAME, DeclaredUnit
from .compare import (COINCIDE, Dims, Factors, Leaf, as_float_array, close, diagnose_array, leaf_predicate,
                      only_the_fact)

# A reference answer: a float array (or NumPy scalar), or a dict or tuple of answers.
Answer: TypeAlias = Leaf | Mapping[str, "Answer"] | tuple["Answer", ...]
# Where a leaf sits in an answer: its dict keys and tuple indices, outermost first.
LeafPath: TypeAlias = tuple[str | int, ...]
# A student function (or the reference's stand-in for one).
StudentFunction: TypeAlias = Callable[..., object]
# The student's function called on a probe's arguments: its answer as plain data, or None.
Runner: TypeAlias = Callable[[tuple[object, ...]], object]


class CaseDims(TypedDict):
    """The sizes and switches one case is made from (Unit.make_case's second argument)."""
    T: int
    N: int
    D: int
    H: int
    Q: int
    C: int
    H1: int
    H2: int
    k: int
    activation: str
    seed: int
    pi: NotRequired[float | str]    # bptt_randomized's keep probability, or "any" multipliers
    ratio: NotRequired[float]       # clip_gradients: max_norm / the gradients' norm
    kinks: NotRequired[bool]        # False: plain random inputs, no pre-activation at a ReLU kink (probes)
    absent: NotRequired[bool]       # True: the labels never take the first or the last class
    zero_state: NotRequired[bool]   # True: the initial states (h0, h1_0, h2_0) are zero
    underflow: NotRequired[bool]    # True: dz_netAct's z_netAct is exactly 0 at a class the loss does not read


class DimsChange(TypedDict, total=False):
    """Some of CaseDims' entries, to override: a Unit's variants, a probe's switches."""
    T: int
    N: int
    D: int
    H: int
    Q: int
    C: int
    H1: int
    H2: int
    k: int
    activation: str
    seed: int
    pi: float | str
    ratio: float
    kinks: bool
    absent: bool
    zero_state: bool
    underflow: bool


# Three cases per unit; in each, every dimension differs from every other one so
# a transposed product cannot pass by accident. H1/H2 are the two-layer sizes.
CASE_DIMS: tuple[CaseDims, ...] = (
    CaseDims(T=7, N=3, D=5, H=4, Q=6, C=6, H1=4, H2=8, k=3, activation="relu", seed=101),
    CaseDims(T=5, N=4, D=3, H=6, Q=7, C=7, H1=6, H2=9, k=2, activation="tanh", seed=202),
    CaseDims(T=4, N=2, D=6, H=3, Q=5, C=5, H1=3, H2=7, k=3, activation="tanh", seed=303),
)


# More cases, for what the contract allows besides (tests/test_hidden_case_properties.py): one example,
# one step, zero initial states, labels that never take the first or last class, and sizes that coincide
# (H = Q, H1 = H2); then, for a unit with C, N = C, under tanh (N = 1 = C would be no softmax), where a
# softmax probability the loss does not read has underflowed to exactly 0 (dz_netAct). Plain draws
# (no ReLU kink: cases 1-3 have those). Small sizes, so that np.clip clips some entries.
EDGE_DIMS: tuple[DimsChange, ...] = (
    DimsChange(T=1, N=1, D=3, H=5, Q=5, H1=5, H2=5, kinks=False, absent=True, zero_state=True),
    DimsChange(T=3, N=4, D=3, H=5, C=4, activation="tanh", kinks=False, absent=True, underflow=True),
)


def edges(dims_used: Sequence[str]) -> tuple[DimsChange, ...]:
    """The edge cases a unit is checked on: the second only for a unit with classes C (N = C)."""
    return tuple(e for e in EDGE_DIMS if "C" not in e or "C" in dims_used)


def labels(rng: np.random.Generator, classes: int, shape: tuple[int, ...], d: CaseDims) -> NDArray[np.int64]:
    """Labels of a case: any class, or (d["absent"]) never the first or the last one of `classes`."""
    if d.get("absent") and classes > 2:
        return rng.integers(1, classes - 1, shape)
    return rng.integers(0, classes, shape)


def arbitrary(d: CaseDims) -> bool:
    """Local rules get the true upstream gradient in the first case and arbitrary ones in the
    others: the rule must hold for every upstream gradient, as the notebooks say."""
    return d["seed"] % 1000 != 101


@dataclass
class Case:
    args: tuple[object, ...]    # positional arguments of the student function
    expected: Answer | None     # the reference answer: array, dict of arrays, or tuple (None when it must raise)
    dims: Dims                  # sizes, for messages
    mistakes: Sequence[tuple[str, Answer]] = field(default_factory=list)   # (message, wrong answer) pairs
    factors: Factors = field(default_factory=list)     # (form, value): constant factors named by their form
    props: set[str] = field(default_factory=set)       # promised input properties this case exercises
    raises: type[Exception] | None = None  # the exception the function must raise instead of returning (ValueError)
    made_from: CaseDims | None = None      # all the sizes and switches it was made from (for probes; set by Unit.cases)

    def describe(self) -> str:
        d = self.dims
        keys = [k for k in ("T", "N", "D", "H", "C", "Q", "H1", "H2", "k", "activation") if k in d]
        return ", ".join(f"{k}={d[k]}" for k in keys)


@dataclass
class Unit:
    """How one graded unit is checked; its notebook, signature and points are declared in autograder/units.py."""
    name: str                   # the student function, also the graded unit's name (declared in units.py)
    make_case: Callable[[np.random.Generator, CaseDims], Case]
    oracles: tuple[str, ...] = ()    # student functions replaced by the reference while checking
    dims_used: tuple[str, ...] = ("T", "N", "D", "H", "Q", "activation")
    variants: tuple[DimsChange, ...] = ()   # per-case overrides of CASE_DIMS (more cases than three when longer)
    labels: tuple[str, ...] = ()     # names of the items of a tuple answer, for messages
    upstream: tuple[str, ...] = ()   # arguments that are upstream gradients (arbitrary in some cases)
    shares_with: tuple[str, ...] = ()    # graded units whose grading covers a helper this unit may share with them
    # shared(arguments by name) -> the reference answer of such a helper, or None
    shared: Callable[[Mapping[str, object]], Mapping[str, Array] | None] | None = None
    declaration: DeclaredUnit | None = None   # for a unit outside autograder/units.py (tests' toy units)
    # The hidden cases, made once per process: the same seeds give the same cases, and the repair's
    # evidence asks for them again for every wrong answer.
    _made: list["Case"] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def declared(self) -> DeclaredUnit:
        return self.declaration if self.declaration is not None else BY_NAME[self.name]

    @property
    def notebook(self) -> str:
        return self.declared.notebook

    @property
    def signature(self) -> str:
        return self.declared.signature

    @property
    def arg_names(self) -> tuple[str, ...]:
        return self.declared.params

    @property
    def n_cases(self) -> int:
        """How many seeded cases the unit is called on (three, or one per variant, and the edge cases)."""
        return (len(self.variants) if self.variants else len(CASE_DIMS)) + len(edges(self.dims_used))

    def case_dims(self) -> list[CaseDims]:
        out: list[CaseDims] = []
        none: tuple[DimsChange, ...] = (DimsChange(),) * len(CASE_DIMS)
        for i, variant in enumerate(self.variants or none):
            base = CASE_DIMS[i % len(CASE_DIMS)]
            out.append({**base, **variant, "seed": base["seed"] + 1000 * (i // len(CASE_DIMS))})
        first = self.variants[0] if self.variants else DimsChange()
        for j, edge in enumerate(edges(self.dims_used)):    # the first variant's switches (k, pi, ratio), edge sizes
            out.append({**CASE_DIMS[0], **first, **edge, "seed": 7000 + 1000 * j + CASE_DIMS[j]["seed"]})
        return out

    def cases(self) -> list[Case]:
        """The unit's hidden cases: a copy of those made once, so that no caller can change them for the next."""
        if self._made is None:
            self._made = self._make_cases()
        return copy.deepcopy(self._made)

    def _make_cases(self) -> list[Case]:
        out = []
        for dims in self.case_dims():
            rng = np.random.default_rng(dims["seed"])
            case = self.make_case(rng, dims)
            case.dims = {k: v for k, v in dims.items() if k in self.dims_used}
            case.made_from = dims.copy()
            if self.upstream and not any(prop.startswith("upstream:") for prop in case.props):
                case.props.add("upstream:arbitrary" if arbitrary(dims) else "upstream:true")
            # A catalogued mistake can coincide with the right answer in one case (below the
            # clipping threshold, clipping per entry changes nothing): it is not a mistake there.
            expected = case.expected
            if expected is not None:      # a case that must raise has no answer, and no wrong ones
                case.mistakes = [(m, w) for m, w in case.mistakes if not _matches(_plain(w), expected)]
            out.append(case)
        return out

    def judge(self, case: Case, got: object) -> str | None:
        """None if `got` (plain data, as from the sandbox) is right, else the diagnosis of the output.

        (checks/judge.py's judge_answer adds what an assembly unit's call trace shows.)
        """
        if case.raises is not None:
            return self.not_raised(case)
        if case.expected is None:
            raise ValueError(f"a case of {self.name} has neither an expected answer nor an exception to raise")
        return judge_value(got, case.expected, case.dims, f"{self.name} output", case.mistakes,
                           self.labels, case.factors)

    def not_raised(self, case: Case) -> str:
        if case.raises is None:
            raise ValueError(f"this case of {self.name} expects an answer, not an exception")
        bad = dict(zip(self.arg_names, case.args)).get("activation")
        what = f"activation {bad!r}" if bad is not None else "these arguments"
        return f"{self.name} returned a value for {what}; it must raise {case.raises.__name__}."

    def judge_raised(self, case: Case, exc_name: str, message: str) -> str | None:
        """None if the exception `exc_name` is the one the case expects, else the verdict."""
        if case.raises is not None and exc_name == case.raises.__name__:
            return None
        return message


def _plain(value: object) -> object:
    return to_data(value)


def _matches(got: object, wrong: Answer) -> bool:
    return judge_value(got, wrong, {}, "") is None


def _leaves(value: Answer, path: LeafPath = ()) -> list[tuple[LeafPath, Leaf]]:
    """[(path, leaf)] of a dict/tuple tree, in order; a path is a tuple of keys and indices."""
    if isinstance(value, Mapping):
        return [x for k, v in value.items() for x in _leaves(v, path + (k,))]
    if isinstance(value, tuple):
        return [x for i, v in enumerate(value) for x in _leaves(v, path + (i,))]
    return [(path, value)]


def _kind(got: object) -> str:
    """What a returned value is, in words true on both paths: the wire brings a list back as a
    tuple (sandbox/wire.py's to_data), so a sequence is never called a tuple or a list alone."""
    if isinstance(got, str) and got.startswith(TYPE_MARK):
        return got[len(TYPE_MARK):]
    if isinstance(got, (tuple, list)):
        return f"a list or tuple of {len(got)} values"
    return f"a {type(got).__name__}" if got is not None else "None"


def _structure_problem(got: object, expected: Answer, what: str) -> str | None:
    if isinstance(expected, Mapping):
        if not isinstance(got, dict):
            kind = _kind(got)
            return f"{what} must be a dict with keys {sorted(expected)}; it is {kind}."
        missing = [k for k in expected if k not in got]
        if missing:
            return f"{what} is missing the key(s) {', '.join(missing)}."
        for k in expected:
            problem = _structure_problem(got[k], expected[k], f"{what}['{k}']")
            if problem:
                return problem
    elif isinstance(expected, tuple):
        if not isinstance(got, tuple) or len(got) != len(expected):
            return f"{what} must be a tuple of {len(expected)} values; it is {_kind(got)}."
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = _structure_problem(g, e, f"{what}[{i}]")
            if problem:
                return problem
    return None


def _get(value: object, path: LeafPath) -> object:
    """The entry of `value` at `path`; KeyError, IndexError or TypeError where there is none."""
    for key in path:
        if isinstance(value, Mapping):
            value = value[key]
        elif isinstance(value, (Sequence, np.ndarray)) and isinstance(key, int):
            value = value[key]
        else:
            raise TypeError(f"a {type(value).__name__} has no entry {key!r}")
    return value


def _whole_items(paths: list[LeafPath], expected: Answer) -> list[LeafPath]:
    """Paths with every entry of a tuple item listed (all of clipped['...']) replaced by the item."""
    if not isinstance(expected, tuple):
        return paths
    out: list[LeafPath] = []
    for path in paths:
        item, first = path[:1], path[0]
        under = [p for p, _ in _leaves(expected[first], item)] if isinstance(first, int) else [path]
        if len(under) > 1 and all(p in paths for p in under):
            if item not in out:
                out.append(item)
        else:
            out.append(path)
    return out


def _names(paths: Sequence[LeafPath], labels: Sequence[str]) -> str:
    texts = []
    for path in paths:
        first, rest = path[0], path[1:]
        if isinstance(first, int):
            head = labels[first] if first < len(labels) else f"item {first}"
        else:
            head = first
        texts.append(head + "".join(f"['{k}']" if isinstance(k, str) else f"[{k}]" for k in rest))
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def _whole_ambiguous(got: object, mistakes: Sequence[tuple[str, Answer]], message: str) -> bool:
    """True when `got` as a whole equals the wrong answers of two differently worded mistakes."""
    fits = {m for m, w in mistakes if _matches(got, w)}
    return message in fits and len(fits) > 1


def judge_value(got: object, expected: Answer, dims: Dims, what: str, mistakes: Sequence[tuple[str, Answer]] = (),
                labels: Sequence[str] = (), factors: Factors = (), sizes: bool = True) -> str | None:
    """None if `got` (plain data) equals `expected`, else the diagnosis.

    sizes=False: a constant factor is named only from `factors` (verified ones, checks/repair.py).

    For a dict or tuple answer each wrong entry is attributed to the first catalogued
    mistake that explains it, and entries with the same explanation are named together
    in one sentence: one sentence per mistake.
    labels: names of a tuple answer's items (e.g. ("clipped", "norm")).
    """
    if not isinstance(expected, (Mapping, tuple)):
        return diagnose_array(got, expected, dims, what, mistakes, factors, sizes)
    problem = _structure_problem(got, expected, what)
    if problem:
        return problem
    reasons: dict[tuple[str, str], list[LeafPath]] = {}   # (kind, explanation) -> [paths], in order of first appearance
    for path, exp in _leaves(expected):
        leaf = _get(got, path)
        arr = as_float_array(leaf, "", exp.shape)
        if isinstance(arr, str):
            reasons.setdefault(("type", arr.strip()), []).append(path)
            continue
        if close(arr, exp):
            continue
        matched: list[str] = []
        for message, wrong in mistakes:
            try:
                w = np.asarray(_get(wrong, path), dtype=np.float64)
            except (KeyError, IndexError, TypeError):
                continue
            if not close(w, exp) and close(arr, w) and message not in matched:
                matched.append(message)
        # A catalogued explanation only when it is the only one that fits (two slips can coincide in a case).
        if len(matched) == 1 and not _whole_ambiguous(got, mistakes, matched[0]):
            reasons.setdefault(("mistake", matched[0]), []).append(path)
        else:
            text = leaf_predicate(arr, exp, dims, factors, sizes)
            if matched:
                text = f"{only_the_fact(text)} ({COINCIDE})."
            reasons.setdefault(("generic", text), []).append(path)
    if not reasons:
        return None
    sentences = []
    for (kind, text), paths in reasons.items():
        paths = _whole_items(paths, expected)
        names = _names(paths, labels)
        if kind == "mistake":
            verb = "is" if len(paths) == 1 else "are"
            sentences.append(f"{what}: {names} {verb} wrong: {text}")
        elif len(paths) == 1:
            sentences.append(f"{what}: {names} {text}")
        else:
            sentences.append(f"{what}: {names} each {text}")
    return " ".join(s if s.endswith((".", "?")) else s + "." for s in sentences)


def with_case(verdict: str, i: int, n: int, case: Case) -> str:
    """The verdict of case i of n, with the case's sizes, as one sentence."""
    return f"{verdict.rstrip('.')} (case {i} of {n}: {case.describe()})."
