"""One check per graded unit: its cases and how to judge an answer (the grading command's judge).

UNITS holds every unit's Unit, ORACLES the reference's functions an assembly unit may call.
`check(name, func)` judges a function in this process: for trusted code (the tests), never a
student's (checks/inprocess.py).
"""
from .base import Case, Unit
from .catalogue import ORACLES, UNITS
from .given import kernel_classifier

__all__ = ["Case", "ORACLES", "UNITS", "Unit", "check", "kernel_classifier"]


def check(name: str, func: object) -> None:
    """AssertionError with the grading command's verdict unless `func` is a correct `name` (in-process)."""
    from .inprocess import run_check

    if name not in UNITS:
        raise KeyError(f"no graded unit named {name!r}")
    unit = UNITS[name]
    run_check(unit, func, ORACLES, kernel_classifier(), {s: UNITS[s] for s in unit.shares_with})
