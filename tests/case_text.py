"""The "(case k of n: sizes)." suffix the checks append to a verdict, derived from the units' cases.

Tests quote whole messages; the number of cases and their sizes are the checks' facts
(autograder/checks/), so the suffix is built from them rather than written into each test.
"""
from functools import cache

from autograder.checks import UNITS


@cache
def _sizes(unit: str) -> tuple[str, ...]:
    """Each case's sizes, made once per unit (test modules quote them at import)."""
    return tuple(case.describe() for case in UNITS[unit].cases())


def where(unit: str, k: int = 1) -> str:
    """The suffix of case k (1-based) of `unit`: '(case k of n: N=3, D=5, H=4, C=6).'"""
    sizes = _sizes(unit)
    return f"(case {k} of {len(sizes)}: {sizes[k - 1]})."
