"""The given-helper rule of the real assignment, name by name, on both grading paths and in the
visible tests.

checks/given.py declares the building blocks a graded function may call and the given
functions that compute an answer or serve the tests. For every building block, a correct
function that calls it keeps full marks; for every other given function, a correct function
that merely calls it scores 0 for its unit, with the same sentence from the grading command
(sandbox), from `nbgrader autograde` (kernel) and from the unit's visible test (what Validate
shows before submission). The whole class is graded by one batch on each path.
"""
import json
import linecache
import os
import sys

import pytest

from tools import course_tools
from autograder.checks.given import ANSWER_HELPERS, BUILDING_BLOCKS, TOOL_MODULES
from autograder.cell_python import python_source
from autograder.nbgrader_hooks.judge_verdicts import VERDICT_ENAME
from autograder.sandbox.runner import display, get_ipython
from tools import factory
from tools.factory import _solution_edit

OWNER = factory.unit_notebooks()


def helper_message(unit, helper):
    return f"{unit} calls the given helper {helper}; a graded function must compute its answer itself"


def with_call(unit, statement):
    """The instructor's solution of `unit` with `statement` as the first line of its body."""
    text = _solution_edit(unit, "", "")
    start = text.index(f"def {unit}(")
    doc_end = text.index('"""', text.index('"""', start) + 3) + 3
    return text[:doc_end] + f"\n    {statement}" + text[doc_end:]


# building block -> (unit, a correct function of that unit calling it)
BLOCK_USES = {
    "softmax": ("rnn2_backward", _solution_edit("rnn2_backward", 'cache["p"]\n', 'softmax(cache["o"])\n')),
    "one_hot": ("dz_netAct", '''
def dz_netAct(z_netAct, y):
    hot = one_hot(y, z_netAct.shape[1])     # divides only where the loss reads z_netAct (others may be 0)
    return -hot / (len(y) * np.where(hot > 0, z_netAct, 1.0))
'''),
    "phi": ("dhraw_t", _solution_edit("dhraw_t", "(1.0 - h_t ** 2)", '(1.0 - phi(h_netIn_t, "tanh") ** 2)')),
    "check_shape": ("dz_b", '''
def dz_b(dz_netIn):
    dz_netIn = check_shape("dz_b", "dz_netIn", dz_netIn, (("N", None), ("C", None)))
    return np.sum(dz_netIn, axis=0)
'''),
    "mlp_forward": ("mlp_backward", with_call("mlp_backward", '_, cache = mlp_forward(cache["X"], params)')),
    "rnn_forward": ("bptt_randomized", with_call(
        "bptt_randomized", '_, cache = rnn_forward(cache["X"], params, cache["h0"], activation)')),
    "rnn2_forward": ("rnn2_backward", with_call(
        "rnn2_backward", '_, cache = rnn2_forward(cache["X"], params, cache["h1_0"], cache["h2_0"], activation)')),
}

# forbidden given function -> (unit, a statement calling it; the unit is otherwise the solution)
FORBIDDEN_USES = {
    "rel_error": ("dz_netAct", "rel_error(z_netAct, z_netAct)"),
    "numeric_mlp_rules": ("dz_netIn", "numeric_mlp_rules()"),
    "gradient_table": ("dz_wts", "gradient_table([])"),
    "numerical_gradient": ("dz_b", "numerical_gradient(lambda: 0.0, np.zeros(2))"),
    "local_numeric": ("dy_netAct", "local_numeric(lambda v: v, np.zeros(2), np.ones(2))"),
    "mlp_problem": ("dy_wts", "mlp_problem()"),
    "grad_check": ("dy_b", "grad_check(lambda: 0.0, np.zeros(2), np.zeros(2))"),
    "mlp_loss": ("mlp_backward", 'mlp_loss(cache["X"], y, params, reg)'),
    "experiment_ready": ("dy_t", "experiment_ready()"),
    "numeric_rnn_rules": ("dW_hq", "numeric_rnn_rules()"),
    "call": ("db_q", "call(np.zeros, 2)"),
    "swapped_in": ("dh_t", "with swapped_in({}, {}): pass"),
    "rnn_problem": ("dW_hh", "rnn_problem()"),
    "rnn2_problem": ("dW_xh", "rnn2_problem()"),
    "check_example": ("db_h", 'check_example(np.negative, (np.ones(1),), -np.ones(1), "(1,)")'),
    "rnn_loss": ("rnn_backward", 'rnn_loss(cache["X"], Y, params, cache["h0"], activation)'),
    "numeric_dh1_t": ("dh1_t", "numeric_dh1_t(np.ones((1, 2)), np.ones((1, 3)), np.ones((3, 2)), np.ones((3, 3)))"),
    "rnn2_loss": ("rnn2_backward", 'rnn2_loss(cache["X"], Y, params, cache["h1_0"], cache["h2_0"], activation)'),
    "probes": ("bptt_truncated", "probes()"),
    "truncated_loss": ("bptt_randomized", 'truncated_loss(cache["X"], Y, params, cache["h0"], cache["h"], 1, activation)'),
    "random_problem": ("clip_gradients", "random_problem(0)"),
    # the visible tests' explanations: a call that binds its arguments runs them (and fails inside)
    "why_mlp_backward": ("dz_netAct", "try:\n        why_mlp_backward(*[None] * 6)\n    except Exception:\n        pass"),
    "why_rnn_backward": ("dy_t", "try:\n        why_rnn_backward(*[None] * 6)\n    except Exception:\n        pass"),
    "why_rnn2_backward": ("dh1_t", "try:\n        why_rnn2_backward(*[None] * 8)\n    except Exception:\n        pass"),
    "why_steps": ("bptt_truncated", "try:\n        why_steps(*[None] * 5)\n    except Exception:\n        pass"),
}


def forbidden_source(name):
    unit, statement = FORBIDDEN_USES[name]
    module = factory.given_helper_import(name, OWNER[unit])
    return with_call(unit, (module + "\n    " if module else "") + statement)


def submissions():
    """{student: (stem, {unit: source}, {unit: message of a unit that scores 0})}."""
    subs = {}
    for name, (unit, source) in BLOCK_USES.items():
        subs[f"block-{name}"] = (OWNER[unit], {unit: source}, {})
    groups = []          # (stem, {unit: (source, message)}): one forbidden call per unit in each notebook
    for name, (unit, _) in FORBIDDEN_USES.items():
        group = next((g for g in groups if g[0] == OWNER[unit] and unit not in g[1]), None)
        if group is None:
            group = (OWNER[unit], {})
            groups.append(group)
        group[1][unit] = (forbidden_source(name), helper_message(unit, name))
    for stem, units in groups:
        n = sum(1 for s in subs if s.startswith(f"forbidden-{stem[:2]}"))
        subs[f"forbidden-{stem[:2]}" + (f"-{n + 1}" if n else "")] = (
            stem, {u: s for u, (s, _) in units.items()}, {u: m for u, (_, m) in units.items()})
    return subs


SUBMISSIONS = submissions()


def test_every_given_function_is_declared_once():
    """Default deny is backed by a complete declaration: each given function is in exactly one list."""
    helpers = [n for names in ANSWER_HELPERS.values() for n in names]
    assert len(set(helpers)) == len(helpers) and not set(helpers) & set(BUILDING_BLOCKS)
    import ast

    def functions(text):
        return {n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}

    given = set()
    for stem in factory.notebook_stems():
        nb = json.loads((factory.SOURCE_DIR / f"{stem}.ipynb").read_text())
        for cell in nb["cells"]:
            meta = factory._nbgrader(cell)
            if (cell["cell_type"] == "code" and meta.get("locked") and not meta.get("grade")
                    and not meta.get("solution") and "experiment" not in (cell["metadata"].get("tags") or [])):
                given |= functions(factory._source(cell))
    for module in factory.SOURCE_DIR.glob("*.py"):
        if module.name not in TOOL_MODULES:
            given |= functions(module.read_text())
    assert given - set(helpers) - set(BUILDING_BLOCKS) == set()
    assert set(FORBIDDEN_USES) == set(helpers) and set(BLOCK_USES) == set(BUILDING_BLOCKS)


def test_the_tools_module_states_the_declared_building_blocks():
    text = (factory.SOURCE_DIR / "bptt_tools.py").read_text()
    assert f"BUILDING_BLOCKS = {tuple(BUILDING_BLOCKS)!r}" in text


def unit_points():
    return {stem: {gid[len("test_"):]: float(p) for gid, p in cells.items()}
            for stem, cells in course_tools.source_points().items()}


def expected_units(student):
    stem, _, zeros = SUBMISSIONS[student]
    return {u: (0.0, zeros[u]) if u in zeros else (p, None) for u, p in unit_points()[stem].items()}


def write_class(submitted):
    for student, (stem, replacements, _) in SUBMISSIONS.items():
        factory.write_submission(submitted, student, replacements, stems=[stem])


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("given_rule")
    entries = course_tools.grade_class(tmp, write_class)
    return {e["student"]: {t["name"]: (t["score"], t["output"]) for t in e["tests"]} for e in entries}


@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_grading_command(sandbox, student):
    for unit, (score, message) in expected_units(student).items():
        got_score, got_message = sandbox[student][unit]
        assert (got_score, got_message if message else got_message.startswith("passed ")) == \
            (score, message if message else True), unit


@pytest.fixture(scope="module")
def nbgrader(tmp_path_factory):
    root = course_tools.autograde_class(tmp_path_factory.mktemp("given_rule_nb"), write_class)
    messages = course_tools.hidden_test_errors(root, {student: stem for student, (stem, _, _) in SUBMISSIONS.items()})
    return course_tools.gradebook_scores(root, cells=True), messages


@pytest.mark.slow   # its fixture runs the real nbgrader generate_assignment and autograde
@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_nbgrader_autograde(nbgrader, student):
    cells, messages = nbgrader
    stem = SUBMISSIONS[student][0]
    for unit, (score, message) in expected_units(student).items():
        assert cells[student][stem][f"test_{unit}"] == score, (unit, messages.get((student, unit)))
        assert messages.get((student, unit)) == ((VERDICT_ENAME, message) if message else None), unit


# ---- the visible tests, as a student's kernel runs them (no hidden tests) ----------------------

def run_visible(folder, stem):
    """{unit: the exception text of its visible test cell, or None}, running the cells in order."""
    nb = json.loads((folder / f"{stem}.ipynb").read_text())
    ns = {"__name__": "__main__", "display": display, "get_ipython": get_ipython}
    outcome = {}
    cwd = os.getcwd()
    os.chdir(folder)
    sys.path.insert(0, str(folder))
    for mod in ("bptt_tools", "truncation_tools"):
        sys.modules.pop(mod, None)
    try:
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code" or "experiment" in (cell["metadata"].get("tags") or []):
                continue
            source = factory._source(cell)
            name = f"/tmp/ipykernel_given_rule/{stem}_{i}.py"      # as IPython compiles a cell
            linecache.cache[name] = (len(source), None, source.splitlines(True), name)
            gid = factory._nbgrader(cell).get("grade_id", "")
            try:
                exec(compile(python_source(source) or "", name, "exec"), ns)
                error = None
            except Exception as exc:  # noqa: BLE001 -- a failing cell is what is measured
                error = f"{type(exc).__name__}: {exc}"
            if gid.startswith("test_"):
                outcome[gid[len("test_"):]] = error
    finally:
        os.chdir(cwd)
        sys.path.remove(str(folder))
        for mod in ("bptt_tools", "truncation_tools"):
            sys.modules.pop(mod, None)
    return outcome


@pytest.mark.parametrize("student", sorted(SUBMISSIONS))
def test_visible_tests(tmp_path, student, capsys):
    stem, replacements, zeros = SUBMISSIONS[student]
    folder = factory.write_submission(tmp_path, student, replacements, stems=[stem])
    outcome = run_visible(folder, stem)
    for unit in unit_points()[stem]:
        expected = f"AssertionError: {zeros[unit]}" if unit in zeros else None
        assert outcome[unit] == expected, unit
