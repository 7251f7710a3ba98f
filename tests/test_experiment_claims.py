"""Notebook 04's experiment 3 says what every correct implementation reproduces.

The experiment cell is run as the notebook runs it (bptt_experiments.lag_sweep, seed 0, the
full budget of 1000 updates) with two correct implementations that differ in the last digits
(tests/lag_implementations.py: the solution, an einsum rewrite); every claim the text makes
(autograder/experiment_claims.py, generated into the text) must hold for both.
"""
import sys

import pytest

from autograder.experiment_claims import LAG_CLAIMS, broken_claims
from tools.factory import REPO_ROOT, SOURCE_DIR
from tests.lag_implementations import IMPLEMENTATIONS


def test_the_text_states_every_claim():
    text = (REPO_ROOT / "notebooks" / "bptt" / "04_long_histories.py").read_text()
    for name, (claim, _) in LAG_CLAIMS.items():
        assert f"<!-- generated: lag-claim {name} -->{claim}<!-- end generated -->" in text, name


@pytest.mark.parametrize("implementation", ["solution", "einsum"])
def test_every_claim_holds_for_a_correct_implementation(implementation, monkeypatch):
    monkeypatch.syspath_prepend(str(SOURCE_DIR))
    for module in ("bptt_tools", "bptt_experiments", "charrnn"):
        monkeypatch.delitem(sys.modules, module, raising=False)
    import bptt_experiments
    from bptt_tools import rnn_forward

    truncated, randomized, clip = IMPLEMENTATIONS[implementation]()
    sweep = bptt_experiments.lag_sweep(rnn_forward, truncated, randomized, clip, L=6, T=16, steps=1000, seed=0)
    assert broken_claims(sweep) == [], sweep
