"""What notebook 04's experiment 3 (the lag task) claims, declared once: the text and the check.

Every correct implementation must reproduce each claim (tests/test_experiment_claims.py runs
the experiment with two of them); the notebook states them through the generated inline
regions `<!-- generated: lag-claim NAME -->` (generated.py). Training amplifies differences in
the last digits, so the claims are ranges with margins around what the solution and an einsum
rewrite gave with seeds 0, 1 and 2, never one run's numbers.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from .generated import Where, generator


class LagSweep(TypedDict):
    """One sweep as bptt_experiments.lag_sweep returns it (accuracies in [0, 1])."""
    L: int                          # the lag
    T: int                          # the sequence length
    regular: dict[int, float]       # chunk length k -> accuracy with regular truncation
    randomized: dict[float, float]  # keep probability pi -> accuracy with randomized truncation
    boundary_hidden: float          # accuracy at k = L with the boundary state hidden from the gradient


def _regular(sweep: LagSweep, cond: Callable[[int, int, int], bool]) -> list[int]:
    """The chunk lengths k of the sweep for which cond(k, L, T) holds."""
    return [k for k in sweep["regular"] if cond(k, sweep["L"], sweep["T"])]


# name -> (the text, the check of one sweep as bptt_experiments.lag_sweep returns it). Measured (solution
# and einsum rewrite, seeds 0-2): k < L 0.235-0.343; k = L 0.621-0.738; boundary hidden 0.286-0.416, at
# least 0.27 below k = L; k > L 0.918-1.000; pi = 0.5 0.742-0.916; pi = 0.25 0.292-0.360.
LAG_CLAIMS: dict[str, tuple[str, Callable[[LagSweep], bool]]] = {
    "below_L": ("0.35 or less", lambda s: all(s["regular"][k] <= 0.35 for k in _regular(s, lambda k, L, T: k < L))),
    "at_L": ("0.6 to 0.8", lambda s: 0.6 <= s["regular"][s["L"]] <= 0.8),
    "boundary_hidden": ("0.45 or less, at least 0.2 below $k = L$",
                        lambda s: s["boundary_hidden"] <= min(0.45, s["regular"][s["L"]] - 0.2)),
    "above_L": ("0.9 or more", lambda s: all(s["regular"][k] >= 0.9 for k in _regular(s, lambda k, L, T: k > L))),
    "pi_half": ("0.7 or more", lambda s: s["randomized"][0.5] >= 0.7),
    "pi_quarter": ("0.4 or less", lambda s: s["randomized"][0.25] <= 0.4),
}


def broken_claims(sweep: LagSweep) -> list[str]:
    """The names of the claims that `sweep` does not reproduce."""
    return [name for name, (_, holds) in LAG_CLAIMS.items() if not holds(sweep)]


@generator("lag-claim")
def lag_claim(args: list[str], where: Where) -> str:
    if len(args) != 1 or args[0] not in LAG_CLAIMS:
        raise ValueError(f"lag-claim takes one of {', '.join(LAG_CLAIMS)}")
    return LAG_CLAIMS[args[0]][0]
