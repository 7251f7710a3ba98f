"""A regression guard for the grading command's speed, measured as a ratio in one run.

A submission's grading time is compared with the fixed cost the sandbox imposes on it (start
and close one sandbox): both are measured here, side by side, on the same machine load, so
the ratio holds on a slow or busy machine where an absolute time would not. A change that
makes grading do per-case work it should not (a sandbox per unit, a reference recomputed per
call, a diagnosis run on passing units) moves the ratio far past the bound stated in
bench/bench_grading.py (GUARD_RATIO) and in docs/development.md.
"""
import importlib.util
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _bench():
    spec = importlib.util.spec_from_file_location("bench_grading", REPO / "bench" / "bench_grading.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_grading_a_submission_costs_a_bounded_multiple_of_the_sandbox_floor(tmp_path):
    bench = _bench()
    per_submission, floor = bench.guard_measure(tmp_path, n=bench.GUARD_SUBMISSIONS)
    ratio = per_submission / floor
    print(f"grading {per_submission:.3f} s per submission, sandbox start+close {floor:.3f} s: {ratio:.1f}x")
    assert ratio <= bench.GUARD_RATIO, (
        f"grading takes {ratio:.1f}x the sandbox's start-and-close cost per submission, past the bound of "
        f"{bench.GUARD_RATIO}x (bench/bench_grading.py, docs/development.md): {per_submission:.3f} s against "
        f"{floor:.3f} s")


def test_the_docs_state_the_guards_bound():
    bench = _bench()
    text = (REPO / "docs" / "development.md").read_text()
    stated = re.search(r"speed guard.{0,300}?(\d+(?:\.\d+)?)\s*×", text, re.I | re.S)
    assert stated and float(stated.group(1)) == bench.GUARD_RATIO, "docs/development.md must state GUARD_RATIO"
