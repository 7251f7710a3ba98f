"""Hostile submissions that attack the student's own kernel rather than the sandbox.

Each is a solution cell of notebook 01: a wrong dz_netAct (it returns zeros: the unit's 1 point
is lost) and code that, in the student's kernel, would make the kernel report a pass. The
grading command decides outside that kernel and gives notebook 01 one point less than full; so
must `nbgrader autograde` (autograder/nbgrader_hooks/judge_verdicts.py). Used by the tests of
both grading paths, and by the benchmark.

    TAMPERINGS           {name: (unit, source of its solution cell)}
    HUGE_PRINT           a solution cell that prints 200 MB, then defines a correct dz_netAct
    write_tampered(dest, name)    submitted/<name>/bptt/01_mlp_backprop.ipynb
"""
from tools import factory

STEM = "01_mlp_backprop"
UNIT = "dz_netAct"

WRONG = '''
def dz_netAct(z_netAct, y):
    return np.zeros(z_netAct.shape)
'''

# The checks a hidden test cell imported are replaced in sys.modules by ones that pass everything,
# and the visible tests' helpers are patched to report success.
SWAPPED_CHECKS = '''
import sys
import types

import bptt_tools

_fake = types.ModuleType("autograder")
_fake.__path__ = []
_fake.checks = types.ModuleType("autograder.checks")
_fake.checks.check = lambda name, func: None
sys.modules["autograder"], sys.modules["autograder.checks"] = _fake, _fake.checks
bptt_tools.grad_check = lambda *args, **kwargs: 0.0
bptt_tools.check_example = lambda *args, **kwargs: None
check_example = bptt_tools.check_example
''' + WRONG

# Every later cell runs inside try/except: no test cell can raise.
WRAPPED_CELLS = WRONG + '''

def _swallow(lines):
    body = "".join("    " + line for line in lines) or "    pass\\n"
    return ["try:\\n", body if body.endswith("\\n") else body + "\\n", "except BaseException:\\n", "    pass\\n"]


get_ipython().input_transformers_post.append(_swallow)
'''

TAMPERINGS = {"swapped-checks": (UNIT, SWAPPED_CHECKS), "wrapped-cells": (UNIT, WRAPPED_CELLS)}

HUGE_BYTES = 200 * 1000 * 1000
HUGE_PRINT = f'''
print("x" * {HUGE_BYTES})

def dz_netAct(z_netAct, y):
    N = z_netAct.shape[0]
    grad = np.zeros(z_netAct.shape)
    grad[np.arange(N), y] = -1.0 / (N * z_netAct[np.arange(N), y])
    return grad
'''


def write_tampered(dest, student, name):
    """<dest>/<student>/bptt/ with notebook 01 only, its dz_netAct cell replaced by TAMPERINGS[name]."""
    unit, source = TAMPERINGS[name]
    return factory.write_submission(dest, student, {unit: source}, stems=[STEM])


def write_huge_print(dest, student):
    """<dest>/<student>/bptt/ with notebook 01 only, whose dz_netAct cell prints HUGE_BYTES first (and is right)."""
    return factory.write_submission(dest, student, {UNIT: HUGE_PRINT}, stems=[STEM])
