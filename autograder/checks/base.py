"""A graded unit: how to make its seeded cases, and how to judge an answer.

The same Unit serves both grading paths:
- in-kernel (nbgrader autograde): `run_check(name, func)` in a hidden test cell;
- sandboxed (python -m autograder grade): the grader sends `case.args` to the
  student's process, gets plain arrays back, and calls `unit.judge` itself.
"""
import copy
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .compare import diagnose_array

# Three cases per unit; in each, every dimension differs from every other one so
# a transposed product cannot pass by accident. H1/H2 are the two-layer sizes.
CASE_DIMS = (
    dict(T=7, N=3, D=5, H=4, Q=6, C=6, H1=4, H2=8, k=3, activation="relu", seed=101),
    dict(T=5, N=4, D=3, H=6, Q=7, C=7, H1=6, H2=9, k=2, activation="tanh", seed=202),
    dict(T=4, N=2, D=6, H=3, Q=5, C=5, H1=3, H2=7, k=3, activation="tanh", seed=303),
)


@dataclass
class Case:
    args: tuple                 # positional arguments of the student function
    expected: Any               # the reference answer: array, dict of arrays, or tuple
    dims: dict                  # sizes, for messages
    mistakes: list = field(default_factory=list)   # (message, wrong answer) pairs

    def describe(self):
        d = self.dims
        keys = [k for k in ("T", "N", "D", "H", "C", "Q", "H1", "H2", "k", "activation") if k in d]
        return ", ".join(f"{k}={d[k]}" for k in keys)


@dataclass
class Unit:
    name: str                   # the student function, also the graded unit's name
    notebook: str               # notebook stem, e.g. "01_mlp_backprop"
    signature: str              # as the notebook states it, for messages
    make_case: Callable[[np.random.Generator, dict], Case]
    oracles: tuple = ()         # student functions replaced by the reference while checking
    dims_used: tuple = ("T", "N", "D", "H", "Q", "activation")

    def cases(self):
        out = []
        for dims in CASE_DIMS:
            rng = np.random.default_rng(dims["seed"])
            case = self.make_case(rng, dims)
            case.dims = {k: v for k, v in dims.items() if k in self.dims_used}
            # A catalogued mistake can coincide with the right answer in one case (below the
            # clipping threshold, clipping per entry changes nothing): it is not a mistake there.
            case.mistakes = [(m, w) for m, w in case.mistakes if not _matches(_plain(w), case.expected)]
            out.append(case)
        return out

    def judge(self, case, got):
        """None if `got` (plain data, as from the sandbox) is right, else the diagnosis."""
        return judge_value(got, case.expected, case.dims, f"{self.name} output", case.mistakes)


def _plain(value):
    from ..sandbox.wire import to_data
    return to_data(value)


def _matches(got, wrong):
    return judge_value(got, wrong, {}, "") is None


def judge_value(got, expected, dims, what, mistakes=()):
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{what} must be a dict with keys {sorted(expected)}, got {type(got).__name__}"
        missing = [k for k in expected if k not in got]
        if missing:
            return f"{what} is missing the key(s) {', '.join(missing)}"
        if all(judge_value(got[k], expected[k], dims, "") is None for k in expected):
            return None
        for message, wrong in mistakes:
            if _matches({k: got[k] for k in wrong}, wrong):
                return f"{what}: {message}"
        problems = []
        for key in expected:
            msg = judge_value(got[key], expected[key], dims, f"{what}['{key}']")
            if msg:
                problems.append(msg)
        return "; ".join(problems) or None
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"{what} must be a tuple of {len(expected)} values, got {type(got).__name__}"
        if all(judge_value(g, e, dims, "") is None for g, e in zip(got, expected)):
            return None
        for message, wrong in mistakes:
            if all(judge_value(g, w, {}, "") is None for g, w in zip(got, wrong)):
                return f"{what}: {message}"
        problems = [judge_value(g, e, dims, f"{what}[{i}]") for i, (g, e) in enumerate(zip(got, expected))]
        return "; ".join(p for p in problems if p) or None
    return diagnose_array(got, expected, dims, what, mistakes)


# ---- in-kernel path (nbgrader hidden tests) ------------------------------------------

def run_check(unit, func, oracles):
    """Check `func` on every case of `unit` inside the student's kernel.

    Raises AssertionError with the diagnosis of the first failing case. For an
    assembly unit, the functions named in unit.oracles are swapped in the
    student's namespace for the reference during each call, then restored, so
    the unit is judged on the composition alone.
    """
    import warnings

    from ..sandbox.wire import to_data

    if not callable(func):
        raise AssertionError(f"{unit.name} is not a function")
    namespace = getattr(func, "__globals__", {})
    cases = unit.cases()
    for i, case in enumerate(cases, 1):
        saved = {name: namespace.get(name) for name in unit.oracles}
        namespace.update({name: oracles[name] for name in unit.oracles})
        try:
            # numpy warnings would go to stderr, and nbgrader scores a test cell
            # that writes to stderr as 0 even when it passes.
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                got = func(*copy.deepcopy(case.args))
        except NotImplementedError:
            raise AssertionError(f"{unit.name} is not implemented yet") from None
        except Exception as exc:
            raise AssertionError(
                f"{unit.name} raised {type(exc).__name__}: {exc} (case {i} of {len(cases)}: {case.describe()})"
            ) from None
        finally:
            for name, value in saved.items():
                if value is None:
                    namespace.pop(name, None)
                else:
                    namespace[name] = value
        message = unit.judge(case, to_data(got))
        if message:
            raise AssertionError(f"{message} (case {i} of {len(cases)}: {case.describe()})")
