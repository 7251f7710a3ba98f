"""One check per graded unit, shared by nbgrader's hidden tests and the grading command.

Hidden test cells in the source notebooks call:

    from autograder.checks import check
    check("dz_netIn", dz_netIn)

which raises AssertionError with a diagnosis when the function is wrong.
"""
from collections.abc import Callable

from .. import reference as R
from . import long, mlp, rnn, rnn2
from .base import Case, Unit, restore_shared, run_check
from .given import kernel_classifier

UNITS: dict[str, Unit] = {u.name: u for module in (mlp, rnn, rnn2, long) for u in module.UNITS}

# Reference versions of the functions an assembly unit may call, by student name.
ORACLES: dict[str, Callable[..., object]] = {name: getattr(R, name) for name in mlp.MLP_ORACLES + rnn.STEP_ORACLES
                                             + ("dh1_t", "bptt_truncated", "bptt_randomized")}


def check(name: str, func: object) -> None:
    """Hidden test: assert that the student's `func` is a correct `name`."""
    if name not in UNITS:
        raise KeyError(f"no graded unit named {name!r}")
    restore_shared()       # helpers a previous test cell's check swapped for its visible part
    unit = UNITS[name]
    run_check(unit, func, ORACLES, kernel_classifier(), {s: UNITS[s] for s in unit.shares_with})
