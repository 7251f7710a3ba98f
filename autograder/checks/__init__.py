"""One check per graded unit: its cases and how to judge an answer (the grading command's judge).

UNITS holds every unit's Unit, ORACLES the reference's functions an assembly unit may call.
`check(name, func)` judges a function in this process: for trusted code (the tests), never a
student's (checks/inprocess.py).
"""
from collections.abc import Callable

from .. import reference as R
from . import long, mlp, rnn, rnn2
from .base import Case, Unit
from .given import kernel_classifier

UNITS: dict[str, Unit] = {u.name: u for module in (mlp, rnn, rnn2, long) for u in module.UNITS}

# Reference versions of the functions an assembly unit may call, by student name.
ORACLES: dict[str, Callable[..., object]] = {name: getattr(R, name) for name in mlp.MLP_ORACLES + rnn.STEP_ORACLES
                                             + ("dh1_t", "bptt_truncated", "bptt_randomized", "path_weights")}


def check(name: str, func: object) -> None:
    """AssertionError with the grading command's verdict unless `func` is a correct `name` (in-process)."""
    from .inprocess import run_check

    if name not in UNITS:
        raise KeyError(f"no graded unit named {name!r}")
    unit = UNITS[name]
    run_check(unit, func, ORACLES, kernel_classifier(), {s: UNITS[s] for s in unit.shares_with})
