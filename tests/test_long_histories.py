"""Notebook 04 (long histories): the notebook runs, reproduces, skips cleanly, grades exactly;
the character-level RNN code it ships is right.

Notebook runs use nbclient with a real kernel. BPTT_QUICK=1 (documented in the
notebook) cuts the training budgets by five; one run uses the full budget, to
check the claims that the notebook's text makes about its own experiments.
"""
import json
import re
import shutil
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from autograder import reference as R
from autograder import units
from autograder.experiment_claims import broken_claims
from tools import course_tools
from tests.fd import num_grad, rel_error

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "source" / "bptt"
RELEASE = ROOT / "release" / "bptt"
STEM = "04_long_histories"
UNITS = {u.name: u.points for u in units.UNITS if u.notebook == STEM}   # declared in autograder/units.py
EXPERIMENTS = ("exp-gradient-norms", "exp-charrnn", "exp-lag")

sys.path.insert(0, str(SOURCE))
import bptt_experiments  # noqa: E402
import charrnn  # noqa: E402

sys.path.remove(str(SOURCE))


# ---- helpers ----------------------------------------------------------------------------

def run_notebook(path, env, allow_errors=False):
    """Execute a notebook in its own directory with exactly the given BPTT_* variables set."""
    nb = nbformat.read(path, as_version=4)
    with pytest.MonkeyPatch.context() as mp:
        for name in ("BPTT_QUICK", "BPTT_GRADING", "PYTHONPATH"):
            mp.delenv(name, raising=False)
        for name, value in env.items():
            mp.setenv(name, value)
        mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=allow_errors,
                       resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    return nb


def stdout_by_cell(nb):
    return {c.id: "".join(o.get("text", "") for o in c.outputs if o.output_type == "stream")
            for c in nb.cells if c.cell_type == "code"}


def errors_by_cell(nb):
    return {c.id: o.ename for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"}


def images(nb, cell_id):
    cell = next(c for c in nb.cells if c.id == cell_id)
    return sum("image/png" in o.get("data", {}) for o in cell.outputs if o.output_type == "display_data")


def printed_numbers(nb):
    """Everything the notebook printed, minus the wall-time lines (the only ones allowed to vary)."""
    return [line for text in stdout_by_cell(nb).values() for line in text.splitlines() if "chars/s" not in line]


def notebook_functions(path=SOURCE / f"{STEM}.ipynb"):
    """The notebook's given and solution code (no tests, no experiments), executed in a namespace.

    The given cells import bptt_tools from the notebook's folder, as a kernel started there would.
    """
    namespace = {}
    sys.path.insert(0, str(SOURCE))
    try:
        for cell in nbformat.read(path, as_version=4).cells:
            meta = cell.metadata
            if cell.cell_type == "code" and "experiment" not in meta.get("tags", []) and not meta["nbgrader"]["grade"]:
                exec(compile(cell.source, f"{STEM}:{meta['nbgrader']['grade_id']}", "exec"), namespace)
    finally:
        sys.path.remove(str(SOURCE))
    return namespace


# ---- the notebook file ---------------------------------------------------------------------

def test_notebook_follows_the_assignment_conventions():
    nb = nbformat.read(SOURCE / f"{STEM}.ipynb", as_version=4)
    by_id = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells}
    for name, points in UNITS.items():
        sol, tst = by_id[name], by_id[f"test_{name}"]
        assert sol.metadata["nbgrader"]["solution"] and not sol.metadata["nbgrader"]["locked"]
        assert f"def {name}(" in sol.source and "### BEGIN SOLUTION" in sol.source
        assert tst.metadata["nbgrader"]["points"] == points and tst.metadata["nbgrader"]["locked"]
        assert tst.source.endswith(f"### BEGIN HIDDEN TESTS\n# hidden test of {name}: the grader's judge decides "
                                   "this cell's score (docs/isolation.md)\n### END HIDDEN TESTS")
    graded = [c for c in nb.cells if c.metadata["nbgrader"]["grade"] and c.cell_type == "code"]
    assert sum(c.metadata["nbgrader"]["points"] for c in graded) == sum(UNITS.values())
    experiments = [c.id for c in nb.cells if "experiment" in c.metadata.get("tags", [])]
    assert experiments == list(EXPERIMENTS)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines = cell.source.splitlines()
        assert not any(line.lstrip().startswith(("%", "!")) for line in lines), f"magic in {cell.id}"
        if "HIDDEN TESTS" not in cell.source:
            assert "autograder" not in cell.source, cell.id
        if "experiment" not in cell.metadata.get("tags", []):
            assert "matplotlib" not in cell.source, cell.id
        if not cell.metadata["nbgrader"]["solution"]:
            assert cell.metadata["nbgrader"]["locked"], cell.id


def test_shipped_files_hold_no_solution():
    """charrnn.py and bptt_experiments.py go to students: no parameter gradients, no clipping code.

    (bptt_experiments.gradient_norms pushes a gradient through the Jacobians of the
    recurrence, as the notebook's text states; no parameter gradient is formed.)
    """
    for name in ("charrnn.py", "bptt_experiments.py", "truncation_tools.py"):
        text = (SOURCE / name).read_text()
        code = code_without_text(text)   # a message may name dhraw_t; the code may not compute it
        for forbidden in ("dhraw", "W_hq.T", ".T @", "np.clip", "def bptt", "def clip"):
            assert forbidden not in code, (name, forbidden)
        assert "autograder" not in text, name


def code_without_text(source):
    """`source` with its strings and comments left out: what the module computes, not what it says."""
    import io
    import tokenize
    kept = [tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type not in (tokenize.STRING, tokenize.COMMENT) and not tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1)]
    return " ".join(kept).replace(" . ", ".").replace(". ", ".").replace(" .", ".")


def test_release_has_no_solution_and_no_hidden_tests():
    text = (RELEASE / f"{STEM}.ipynb").read_text()
    for forbidden in ("BEGIN SOLUTION", "HIDDEN TESTS", "autograder", "bptt_with_carry", "carry[int(k)"):
        assert forbidden not in text, forbidden
    stubs = [c.metadata["nbgrader"]["grade_id"] for c in nbformat.reads(text, as_version=4).cells
             if c.cell_type == "code" and re.search(r"# YOUR CODE HERE\n\s*raise NotImplementedError\(\)", c.source)]
    assert stubs == list(UNITS)
    for extra in ("charrnn.py", "bptt_experiments.py", "truncation_tools.py", "data/macbeth.txt", "data/README.md"):
        assert (RELEASE / extra).read_bytes() == (SOURCE / extra).read_bytes(), extra


# ---- running the notebook -------------------------------------------------------------------

@pytest.fixture(scope="module")
def quick_runs():
    env = {"BPTT_QUICK": "1", "PYTHONPATH": str(ROOT)}
    return [run_notebook(SOURCE / f"{STEM}.ipynb", env) for _ in range(2)]


@pytest.mark.slow   # runs notebook 04 (or nbgrader)
def test_solution_notebook_runs_and_repeats_exactly(quick_runs):
    first, second = quick_runs
    for nb in quick_runs:
        assert errors_by_cell(nb) == {}
        out = stdout_by_cell(nb)
        for name in UNITS:
            assert f"{name}: visible tests passed." in out[f"test-{name.replace('_', '-')}"]
        assert all(images(nb, cell) == 1 for cell in EXPERIMENTS)
        assert "vocabulary of 67" in out["exp-charrnn"]
        assert "chars/s" in out["exp-charrnn"]
    lines = printed_numbers(first)
    assert len(lines) > 60
    assert lines == printed_numbers(second)


def _table(text, pattern):
    return {m.group(1): tuple(float(x) for x in m.groups()[1:]) for m in re.finditer(pattern, text, re.M)}


@pytest.mark.slow   # runs notebook 04 (or nbgrader)
def test_full_budget_run_supports_what_the_text_says():
    """The markdown after each experiment states results; with the full budget they must hold."""
    nb = run_notebook(SOURCE / f"{STEM}.ipynb", {"PYTHONPATH": str(ROOT)})
    assert errors_by_cell(nb) == {}
    out = stdout_by_cell(nb)

    norms = _table(out["exp-gradient-norms"], r"^(\w+ +[\d.]+) +(\S+) +(\S+) +(\S+) +(\S+)$")
    norms = {tuple(k.split()): v for k, v in norms.items()}
    assert norms["relu", "2.0"][3] > 1e6                      # ReLU, radius 2: explodes
    assert norms["relu", "1.5"][3] > 1.0
    assert norms["tanh", "2.0"][3] < 1.0                      # tanh, radius 2: does not explode
    assert norms["relu", "0.5"][2] < 1e-6 and norms["tanh", "0.5"][2] < 1e-6   # vanishing by j = 30
    # Predict, then run: the typical factor within the stated 10% (2% to 7% above), the bound never exceeded.
    predicted = _table(out["exp-gradient-norms"], r"^(\w+ +[\d.]+) +(\S+) +(\S+) +(\S+) +(\S+) +(\S+)$")
    assert len(predicted) == 8 and "outside the tolerance" not in out["exp-gradient-norms"]
    for measured, typical, ratio, bound, _ in predicted.values():
        assert 1.02 <= ratio <= 1.07 and abs(typical / measured - ratio) < 0.02 and measured <= bound

    runs = _table(out["exp-charrnn"], r"^(full|regular k=8|randomized pi=0\.5) +([\d.]+) +([\d.]+)")
    full, regular, randomized = (runs[k][1] for k in ("full", "regular k=8", "randomized pi=0.5"))
    assert full < 2.0 and regular < 2.0 and abs(full - regular) < 0.05
    assert randomized > regular + 0.1

    acc = _table(out["exp-lag"],
                 r"^ +(full BPTT|regular k=\d+(?:, boundary hidden)?|randomized pi=[\d.]+) +([\d.]+)(?: +\(.*\))?$")
    acc = {k: v[0] for k, v in acc.items()}
    # The claims the text makes (generated from autograder/experiment_claims.py), on the printed table.
    sweep = dict(L=6, T=16, boundary_hidden=acc["regular k=6, boundary hidden"],
                 regular={**{k: acc[f"regular k={k}"] for k in range(1, 9)}, 16: acc["full BPTT"]},
                 randomized={0.5: acc["randomized pi=0.5"], 0.25: acc["randomized pi=0.25"]})
    assert broken_claims(sweep) == [], sweep
    assert "(mean distance between cuts 2.00)" in out["exp-lag"] and "(mean distance between cuts 1.33)" in out["exp-lag"]


@pytest.mark.slow   # runs notebook 04 (or nbgrader)
def test_grading_mode_skips_every_experiment():
    nb = run_notebook(SOURCE / f"{STEM}.ipynb", {"BPTT_GRADING": "1", "PYTHONPATH": str(ROOT)})
    assert errors_by_cell(nb) == {}
    out = stdout_by_cell(nb)
    for cell in EXPERIMENTS:
        assert out[cell] == "skipped while grading (BPTT_GRADING=1)\n", cell
        assert images(nb, cell) == 0


@pytest.mark.slow   # runs notebook 04 (or nbgrader)
def test_release_notebook_runs_top_to_bottom_and_names_what_is_missing(tmp_path):
    shutil.copytree(RELEASE, tmp_path / "bptt")
    nb = run_notebook(tmp_path / "bptt" / f"{STEM}.ipynb", {}, allow_errors=True)
    # Only the three test cells fail, and only because nothing is implemented yet.
    assert errors_by_cell(nb) == {f"test-{name.replace('_', '-')}": "NotImplementedError" for name in UNITS}
    messages = {c.id: o.evalue for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"}
    assert messages == {f"test-{name.replace('_', '-')}": f"{name} is not implemented yet" for name in UNITS}
    out = stdout_by_cell(nb)
    assert out["exp-charrnn"] == "waiting for bptt_truncated: not implemented yet\n"
    assert out["exp-lag"] == "waiting for bptt_truncated: not implemented yet\n"
    assert images(nb, "exp-gradient-norms") == 1               # the plot needs none of the student's functions
    assert out["exp-gradient-norms"].endswith("waiting for predicted_gradient_rate: not implemented yet\n")


# ---- nbgrader ------------------------------------------------------------------------------

def _mistake(text, old, new):
    assert old in text, old
    return text.replace(old, new)


MISTAKES = {
    # Truncation cut one step early: chunks [0, k-1), [k-1, 2k-1), ...
    "early_cut": ("carry[int(k)::int(k)] = 0.0", "carry[int(k) - 1::int(k)] = 0.0", {"bptt_truncated": 0}),
    # min-char-rnn's entrywise clipping instead of the global norm.
    "entry_clip": ("return {name: np.asarray(g, dtype=np.float64) * scale for name, g in grads.items()}, norm",
                   "return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}, norm",
                   {"clip_gradients": 0}),
}


@pytest.mark.slow   # runs notebook 04 (or nbgrader)
def test_nbgrader_autograde_scores_exactly(tmp_path):
    """Real nbgrader on a course copy (autograder.course helpers): full marks, 0, one unit lost per mistake."""
    from autograder import course

    root = course_tools.make_course_copy(tmp_path)
    release = course.generate_release(root)
    generated = json.loads((release / f"{STEM}.ipynb").read_text())
    committed = json.loads((RELEASE / f"{STEM}.ipynb").read_text())
    assert [c["source"] for c in generated["cells"]] == [c["source"] for c in committed["cells"]], \
        "release/bptt is stale: regenerate it (python -m autograder release)"

    source_text = (SOURCE / f"{STEM}.ipynb").read_text()
    submissions = {"solution": source_text, "release": (release / f"{STEM}.ipynb").read_text()}
    expected = {"solution": dict(UNITS), "release": {name: 0 for name in UNITS}}
    for student, (old, new, lost) in MISTAKES.items():
        submissions[student] = _mistake(source_text, json.dumps(old)[1:-1], json.dumps(new)[1:-1])
        expected[student] = dict(UNITS, **lost)
    for student, text in submissions.items():
        folder = root / "submitted" / student / "bptt"
        folder.mkdir(parents=True)
        (folder / f"{STEM}.ipynb").write_text(text)

    course_tools.autograde(root)          # one nbgrader command for all four students

    cells = course_tools.gradebook_scores(root, cells=True)
    got = {student: {grade_id[len("test_"):]: score for grade_id, score in cells[student][STEM].items()}
           for student in submissions}
    assert got == expected
    totals = {student: course_tools.gradebook_scores(root)[student][STEM] for student in submissions}
    full = sum(UNITS.values())          # the written answers are not scored until a grader scores them
    assert totals == {"solution": full, "release": 0, "early_cut": full - 3, "entry_clip": full - 2}


# ---- the character-level RNN (charrnn.py) ---------------------------------------------------

TEXT = "to be, or not to be: that is the question.\n" * 12


def test_vocab_streams_and_windows():
    vocab = charrnn.Vocab(TEXT)
    ids = vocab.encode(TEXT)
    assert vocab.decode(ids) == TEXT and len(vocab) == len(set(TEXT)) == 17
    streams = charrnn.make_streams(ids, 4)
    assert streams.shape == (4, len(ids) // 4)
    assert np.array_equal(streams[1], ids[len(ids) // 4: 2 * (len(ids) // 4)])
    train, valid = charrnn.split_ids(ids, 0.25)
    assert len(train) == 387 and np.array_equal(np.concatenate([train, valid]), ids)
    with pytest.raises(ValueError, match="too few"):
        charrnn.make_streams(ids[:5], 4)


def _window(seed=0, N=3, T=5, H=4):
    """One training window of the mini-batched model: inputs, targets, carried state, params."""
    vocab = charrnn.Vocab(TEXT)
    streams = charrnn.make_streams(vocab.encode(TEXT), N)
    V = len(vocab)
    X = charrnn.one_hot_ids(streams[:, 7:7 + T].T, V)
    Y = streams[:, 8:8 + T].T
    rng = np.random.default_rng(seed)
    params = charrnn.init_params(V, H, rng, scale=1.5)
    params["b_h"] = rng.standard_normal(H) * 0.1
    params["b_q"] = rng.standard_normal(V) * 0.1
    h0 = np.tanh(rng.standard_normal((N, H)))
    return X, Y, params, h0


@pytest.mark.parametrize("source", ["reference", "notebook"])
def test_minibatched_window_gradient_matches_finite_differences(source):
    """The gradient train() applies is the gradient of the mean NLL it reports (state carried in)."""
    X, Y, params, h0 = _window()
    if source == "reference":
        forward, truncated, randomized = R.rnn_forward, R.bptt_truncated, R.bptt_randomized
    else:
        nb = notebook_functions()
        forward, truncated, randomized = nb["rnn_forward"], nb["bptt_truncated"], nb["bptt_randomized"]
    loss = lambda: charrnn.mean_nll(forward(X, params, h0, "tanh")[0], Y)  # noqa: E731
    _, cache = forward(X, params, h0, "tanh")
    backward = charrnn.strategies(truncated, randomized, k=2, pi=0.5)
    grads = backward["full"](Y, params, cache, np.random.default_rng(0))
    for name in charrnn.PARAM_KEYS:
        assert rel_error(grads[name], num_grad(loss, params[name])) < 1e-7, name
    # The other two strategies are the reference's regular and randomized truncation.
    regular = backward["regular k=2"](Y, params, cache, None)
    xi = charrnn.sample_xi(Y.shape[0], 0.5, np.random.default_rng(3))
    rand = backward["randomized pi=0.5"](Y, params, cache, np.random.default_rng(3))
    for name in charrnn.PARAM_KEYS:
        assert np.allclose(regular[name], R.bptt_truncated(Y, params, cache, 2, "tanh")[name], atol=1e-14)
        assert np.allclose(rand[name], R.bptt_randomized(Y, params, cache, xi, "tanh")[name], atol=1e-14)


def test_sample_xi_is_unbiased_and_two_valued():
    xi = charrnn.sample_xi(200_000, 0.25, np.random.default_rng(0))
    assert set(np.unique(xi)) == {0.0, 4.0}
    assert abs(xi.mean() - 1.0) < 0.02


def test_training_decreases_the_loss():
    vocab = charrnn.Vocab(TEXT)
    backward = lambda Y, p, c, rng: R.bptt_full(Y, p, c, "tanh")  # noqa: E731
    run = charrnn.train(vocab.encode(TEXT), len(vocab), R.rnn_forward, backward, R.clip_grad_norm,
                        H=16, N=4, T=8, steps=150, lr=1e-2, seed=0)
    assert abs(run["losses"][0] - np.log(len(vocab))) < 0.05     # starts at chance, ln 17
    assert run["losses"][-10:].mean() < 0.35 * run["losses"][0]
    assert run["chars"] == 150 * 4 * 8 and run["norms"].shape == (150,)
    # Same seed, same everything: the same run.
    again = charrnn.train(vocab.encode(TEXT), len(vocab), R.rnn_forward, backward, R.clip_grad_norm,
                          H=16, N=4, T=8, steps=150, lr=1e-2, seed=0)
    assert np.array_equal(run["losses"], again["losses"])


def test_training_uses_one_blas_thread_and_restores_the_default():
    """Small matrices: more BLAS threads only compete for the cores (3x slower and worse on a busy machine)."""
    from threadpoolctl import threadpool_info

    def blas_threads():
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    seen = []

    def forward(X, params, h0, activation):
        seen.append(blas_threads())
        return R.rnn_forward(X, params, h0, activation)

    vocab = charrnn.Vocab(TEXT)
    before = blas_threads()
    backward = lambda Y, p, c, rng: R.bptt_full(Y, p, c, "tanh")  # noqa: E731
    charrnn.train(vocab.encode(TEXT), len(vocab), forward, backward, R.clip_grad_norm, H=8, N=2, T=5, steps=3)
    bptt_experiments.train_lag(forward, lambda Y, p, c, rng: R.bptt_full(Y, p, c, "tanh"), R.clip_grad_norm, 2,
                               T=6, N=2, H=5, steps=2)
    assert seen and all(threads == {1} for threads in seen)
    assert blas_threads() == before


def test_evaluate_carries_the_state_across_windows():
    vocab = charrnn.Vocab(TEXT)
    ids = vocab.encode(TEXT)
    params = charrnn.init_params(len(vocab), 6, np.random.default_rng(1))
    short = charrnn.evaluate(ids, len(vocab), params, R.rnn_forward, N=3, T=7)
    whole = charrnn.evaluate(ids, len(vocab), params, R.rnn_forward, N=3, T=10_000)
    assert abs(short - whole) < 1e-12


def test_optimizers_first_step():
    g = {"w": np.array([[0.5, -2.0], [1e-3, 0.0]])}
    p = {"w": np.zeros((2, 2))}
    charrnn.Adam(p, lr=0.01).step(p, g)                          # bias-corrected: lr * sign(g)
    assert np.allclose(p["w"], [[-0.01, 0.01], [-0.01, 0.0]], atol=1e-7)
    p = {"w": np.zeros((2, 2))}
    charrnn.Adagrad(p, lr=0.1).step(p, g)
    assert np.allclose(p["w"], -0.1 * g["w"] / np.sqrt(g["w"] ** 2 + 1e-8), rtol=0, atol=1e-15)
    assert np.isclose(p["w"][1, 0], -0.1 / np.sqrt(1.01))      # eps matters for tiny gradients


def test_sample_continues_the_prime_with_known_characters():
    vocab = charrnn.Vocab(TEXT)
    params = charrnn.init_params(len(vocab), 8, np.random.default_rng(2))
    out = charrnn.sample(params, vocab, R.rnn_forward, "to be", 40, np.random.default_rng(0))
    assert out.startswith("to be") and len(out) == len("to be") + 40 and set(out) <= set(TEXT)
    assert out == charrnn.sample(params, vocab, R.rnn_forward, "to be", 40, np.random.default_rng(0))


# ---- the other experiments' code -----------------------------------------------------------

def test_lag_batch_targets_are_the_symbol_L_steps_back():
    X, Y = bptt_experiments.lag_batch(np.random.default_rng(0), V=4, T=10, N=5, L=3)
    symbols = X.argmax(axis=-1)
    assert X.shape == (10, 5, 4) and Y.shape == (10, 5)
    assert np.array_equal(Y[3:], symbols[:-3]) and np.array_equal(Y[:3], symbols[:3])


def test_gradient_norms_match_finite_differences():
    """gradient_norms(j) is ||d(g . h_{T-1}) / dh_{T-1-j}|| for a unit g, checked on one sequence."""
    forward = R.rnn_forward
    T, H, D = 6, 5, 8
    for activation, rho in (("tanh", 1.3), ("relu", 1.7)):
        norms = bptt_experiments.gradient_norms(forward, activation, rho, H=H, T=T, N=1, D=D, seed=4)
        # Rebuild the same problem (same seed, same order of draws) and differentiate numerically.
        rng = np.random.default_rng(4)
        W_hh = rng.standard_normal((H, H))
        W_hh *= rho / np.max(np.abs(np.linalg.eigvals(W_hh)))
        params = dict(W_xh=rng.standard_normal((D, H)) * 0.5, W_hh=W_hh, b_h=np.zeros(H),
                      W_hq=np.zeros((H, 2)), b_q=np.zeros(2))
        X = rng.standard_normal((T, 1, D))
        g = rng.standard_normal((1, H))
        g /= np.linalg.norm(g)
        _, cache = forward(X, params, None, activation)
        for j in range(1, T):
            start = cache["h"][T - 1 - j].copy()
            def last():   # used at once, inside this iteration: binding the loop's variables late is intended
                return float(np.sum(g * forward(X[T - j:], params, start, activation)[1]["h"][-1]))  # noqa: B023
            fd = num_grad(last, start)
            assert abs(np.linalg.norm(fd) - norms[j]) < 1e-7 * max(1.0, norms[j]), (activation, j)


def test_gradient_norms_vanish_and_explode():
    forward = R.rnn_forward
    assert bptt_experiments.gradient_norms(forward, "relu", 2.0)[-1] > 1e6
    assert bptt_experiments.gradient_norms(forward, "tanh", 2.0)[-1] < 1.0
    assert bptt_experiments.gradient_norms(forward, "tanh", 0.5)[30] < 1e-10
