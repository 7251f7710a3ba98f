"""Notebooks 03 and 04 behave as their text says: half finished, and (03) solved.

A half-finished notebook (one unit still the release's stub) fails exactly in that unit's
visible test, with the last line `NotImplementedError: <unit> is not implemented yet`, and
its experiments wait for that unit. The solved notebook 03 runs top to bottom and its
layers experiment prints what the conclusion under it says. (Notebook 04 solved:
tests/test_long_histories.py; every untouched release notebook: tests/test_notebooks_teaching.py.)
"""
import json
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from tools import factory
from tests.test_notebooks_teaching import ROOT, SOURCE, WAITING, check_run, nbgrader_meta, outcome, run_cell_by_cell, \
    source_of, stub

pytestmark = pytest.mark.slow   # runs notebooks 03 and 04 top to bottom

# stem -> (the unit left unfinished, what every experiment that uses it waits for)
HALF_DONE = {"03_two_layer_rnn": ("dh1_t", "dh1_t"), "04_long_histories": ("bptt_randomized", "bptt_randomized")}


@pytest.mark.parametrize("stem", sorted(HALF_DONE))
def test_half_finished_notebook_fails_exactly_in_its_unfinished_unit(stem, tmp_path, monkeypatch):
    unit, waits_for = HALF_DONE[stem]
    cells = json.loads((SOURCE / f"{stem}.ipynb").read_text())["cells"]
    defs = {nbgrader_meta(c)["grade_id"]: source_of(c) for c in cells if nbgrader_meta(c).get("solution")}
    workdir = tmp_path / "bptt"
    shutil.copytree(SOURCE, workdir, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    nb = nbformat.reads(json.dumps(factory.student_notebook(stem, {unit: stub(unit, defs[unit])})), as_version=4)
    run_cell_by_cell(nb, workdir, monkeypatch)
    assert check_run(nb, {unit}) == []
    experiments = [c for c in nb.cells if "experiment" in c.metadata.get("tags", [])]
    waiting = {nbgrader_meta(c)["grade_id"]: WAITING.findall(outcome(c)[1]) for c in experiments}
    if stem == "03_two_layer_rnn":    # both experiments run rnn2_backward, which calls dh1_t
        assert waiting == {"own_rules_table": [waits_for], "layers_experiment": [waits_for]}
    else:                             # experiment 1 needs none of the student's functions
        assert waiting == {"exp_gradient_norms": [], "exp_charrnn": [waits_for], "exp_lag": [waits_for]}
    assert all(outcome(c)[2] == 0 for c in experiments if WAITING.search(outcome(c)[1]))


def test_solved_03_runs_and_its_layers_conclusion_holds(tmp_path, monkeypatch):
    workdir = tmp_path / "bptt"
    shutil.copytree(SOURCE, workdir, ignore=shutil.ignore_patterns("__pycache__"))
    nb = nbformat.read(workdir / "03_two_layer_rnn.ipynb", as_version=4)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))      # the hidden tests import autograder.checks
    monkeypatch.delenv("BPTT_GRADING", raising=False)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()   # raises on any error
    printed = {nbgrader_meta(c).get("grade_id"): outcome(c)[1] for c in nb.cells if c.cell_type == "code"}
    assert printed["own_rules_table"].count("OK") == 16 and "FAIL" not in printed["own_rules_table"]
    assert outcome(next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "layers_experiment"))[2] == 1
    rows = re.findall(r"^ +(\d+) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+) +([\d.]+)$", printed["layers_experiment"], re.M)
    assert [int(r[0]) for r in rows] == [2, 5, 10, 20, 40, 80]
    norms = {int(r[0]): dict(zip(("W_xh1", "W_hh1", "W_xh2", "W_hh2", "W_hq"), map(float, r[1:]))) for r in rows}
    # The conclusion: layer 1's gradients are not smaller than layer 2's, at every length ...
    assert all(n["W_xh1"] > n["W_xh2"] and n["W_hh1"] > n["W_hh2"] for n in norms.values())
    # ... the norms are largest for the shortest sequences, and level off from about T = 20.
    for name in ("W_xh1", "W_hh1", "W_xh2", "W_hh2", "W_hq"):
        assert max(norms[T][name] for T in (2, 5)) > max(norms[T][name] for T in (20, 40, 80))
        assert max(norms[T][name] for T in (20, 40, 80)) < 1.5 * min(norms[T][name] for T in (20, 40, 80))
