"""Every unit's check (UNITS) and the reference's functions an assembly unit may call (ORACLES).

Below the judge and the in-kernel driver, above the units' own modules: trace.py and
inprocess.py look units up here, and the package's facade (__init__.py) re-exports both.
"""
from collections.abc import Callable

from .. import reference as R
from . import long, mlp, rnn, rnn2
from .base import Unit

UNITS: dict[str, Unit] = {u.name: u for module in (mlp, rnn, rnn2, long) for u in module.UNITS}

# Reference versions of the functions an assembly unit may call, by student name.
ORACLES: dict[str, Callable[..., object]] = {name: getattr(R, name) for name in mlp.MLP_ORACLES + rnn.STEP_ORACLES
                                             + ("dh1_t", "bptt_truncated", "bptt_randomized", "path_weights")}
