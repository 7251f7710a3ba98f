"""The given-helper rule (docs/type_rules.md) on a made-up assignment, on both paths.

Given code is whatever the notebooks say is given: a locked given cell, or a .py module
of the assignment folder. A graded function that runs given code other than a declared
building block scores 0 with "<unit> calls the given helper <name>; ..."; a building
block (here `conv`, declared by the test as checks/given.py declares the assignment's)
stays usable. The real assignment's names are tested in tests/test_given_rule.py.
"""
import hashlib
import importlib.util
import json
import linecache
import os

import numpy as np
import pytest

from autograder.checks import ORACLES
from autograder.checks.base import Case, Unit
from autograder.checks.inprocess import run_check
from autograder.checks.given import directive, given_spec, kernel_classifier
from autograder.grade import make_config, release_config
from autograder.plan import read_plan
from autograder.replies import ErrorKind, Raised, Returned
from autograder.sandbox.jail import Worker
from autograder.sandbox.runner import GIVEN_DIRECTIVE
from autograder.units import DeclaredUnit
from tests.adversarial import minicourse

MODULE = '''
import numpy as np

def fd(f, x, eps=1e-6):
    grad = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad

def conv(x):
    return np.asarray(x, dtype=np.float64)
'''

GIVEN_CELL = '''
import numpy as np
from helpers_mod import fd, conv

RULES = {"twice": lambda x: fd(lambda: np.sum(x * x), np.array(x, dtype=float))}

def given_twice(x):
    return 2 * x
'''

BLOCKS = ("conv",)
SOLUTION = "def twice(x):\n    return 2 * conv(x)\n"

STUDENT = {
    "honest": "def honest(x):\n    return 2 * conv(x)\n",
    "via_module": "def via_module(x):\n    y = np.array(x, dtype=float)\n    return fd(lambda: np.sum(y * y), y)\n",
    "via_dict": "def via_dict(x):\n    return RULES['twice'](x)\n",
    "via_cell": "def via_cell(x):\n    return given_twice(x)\n",
    "late_import": "def late_import(x):\n    import helpers_mod\n    return helpers_mod.fd(lambda: 0.0, np.zeros(3)) + 2 * x\n",
    "in_thread": ("def in_thread(x):\n    import threading\n    out = {}\n"
                  "    worker = threading.Thread(target=lambda: out.setdefault('r', given_twice(x)))\n"
                  "    worker.start()\n    worker.join()\n    return out['r']\n"),
    # sys.settrace is the grader's while the call runs: switching tracing off does not work ...
    "untraced": ("def untraced(x):\n    import sys\n    sys.settrace(None)\n    y = np.array(x, dtype=float)\n"
                 "    return fd(lambda: np.sum(y * y), y)\n"),
    # ... and is refused even when no helper runs
    "tracer": "def tracer(x):\n    import sys\n    sys.settrace(None)\n    return 2 * x\n",
}
EXPECTED = {
    "honest": None,
    "via_module": "via_module calls the given helper fd; a graded function must compute its answer itself",
    "via_dict": "via_dict calls the given helper RULES['twice']; a graded function must compute its answer itself",
    "via_cell": "via_cell calls the given helper given_twice; a graded function must compute its answer itself",
    "late_import": "late_import calls the given helper fd; a graded function must compute its answer itself",
    "untraced": "untraced calls the given helper fd; a graded function must compute its answer itself",
    "in_thread": "in_thread calls the given helper given_twice; a graded function must compute its answer itself",
    "tracer": ("tracer switched off the grader's call monitor (sys.settrace); a graded function must not "
               "change tracing"),
}


def notebook(cells):
    return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def code_cell(source, **nbgrader):
    return {"cell_type": "code", "source": source, "metadata": {"nbgrader": nbgrader}, "outputs": [],
            "execution_count": None}


@pytest.fixture(scope="module")
def source_dir(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    (src / "helpers_mod.py").write_text(MODULE)
    nb = notebook([code_cell(GIVEN_CELL, grade_id="given", locked=True, solution=False, grade=False),
                   code_cell(SOLUTION, grade_id="twice", locked=False, solution=True, grade=False),
                   code_cell("assert True", grade_id="test_twice", locked=True, solution=False, grade=True)])
    (src / "nb.ipynb").write_text(json.dumps(nb))
    return src


def test_the_spec_is_read_from_the_notebook(source_dir):
    spec = given_spec(str(source_dir), BLOCKS)
    assert spec.given_ids == ["given"] and spec.modules == {"helpers_mod.py"}
    assert "conv" in spec.allowed and "fd" not in spec.allowed and "given_twice" not in spec.allowed


def unit(name):
    x = np.arange(3.0) + 0.5
    return Unit(name, lambda rng, d: Case((x,), 2 * x, {}), declaration=DeclaredUnit("nb", f"{name}(x)", 1))


# ---- in a kernel: cells compiled as IPython does (their text in linecache) ---------------------

def kernel_namespace(cells):
    ns = {"__name__": "__main__"}
    for source in cells:
        name = f"/tmp/ipykernel_test/{hashlib.sha1(source.encode()).hexdigest()[:12]}.py"
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        exec(compile(source, name, "exec"), ns)
    return ns


@pytest.mark.parametrize("name", sorted(STUDENT))
def test_in_the_kernel(source_dir, tmp_path, monkeypatch, name):
    work = tmp_path / "autograded"
    work.mkdir()
    (work / "helpers_mod.py").write_text(MODULE)
    monkeypatch.chdir(work)
    monkeypatch.syspath_prepend(str(work))
    monkeypatch.delitem(__import__("sys").modules, "helpers_mod", raising=False)
    ns = kernel_namespace([GIVEN_CELL, STUDENT[name]])
    classify = kernel_classifier(str(source_dir), BLOCKS)
    if EXPECTED[name] is None:
        run_check(unit(name), ns[name], ORACLES, classify)
    else:
        with pytest.raises(AssertionError) as err:
            run_check(unit(name), ns[name], ORACLES, classify)
        assert str(err.value) == EXPECTED[name]



def test_a_file_linecache_holds_lazily_is_not_given(source_dir, tmp_path):
    # traceback registers a frame's module file in linecache as a 1-tuple (a loader to call later);
    # student code running from such a file is the student's, and the classifier must say so.
    path = tmp_path / "own_helpers.py"
    path.write_text("def helper(x):\n    return 2 * x\n")
    spec = importlib.util.spec_from_file_location("own_helpers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    linecache.cache.pop(str(path), None)
    try:
        assert linecache.lazycache(str(path), vars(module)) and len(linecache.cache[str(path)]) == 1
        assert kernel_classifier(str(source_dir), BLOCKS)(module.helper.__code__) == ""
    finally:
        linecache.cache.pop(str(path), None)

# ---- in the sandbox: the grader's directive names the given cells and modules ----------------

@pytest.fixture(scope="module")
def worker(tmp_path_factory, source_dir):
    course = minicourse.write_course(tmp_path_factory.mktemp("course"))
    (course / "release" / "bptt").mkdir(parents=True)
    (course / "release" / "bptt" / "helpers_mod.py").write_text(MODULE)
    plan = read_plan(course)
    cfg = make_config(plan, tmp_path_factory.mktemp("out"), [course], memory_mb=1024, cell_timeout=5,
                      call_timeout=5, grace=1)
    w = Worker(cfg)
    try:
        w.start()
        cells = [("cell 'given'", GIVEN_CELL)] + [(f"cell {n!r}", STUDENT[n]) for n in STUDENT]
        units = [unit(n) for n in STUDENT]
        outcomes = w.load("nb", cells + [[GIVEN_DIRECTIVE, directive("nb", source_dir, units, BLOCKS)]])
        assert all(outcome.ok for outcome in outcomes), outcomes
        yield w
    finally:
        w.close()
        release_config(cfg)   # the isolation's stage folder


@pytest.mark.parametrize("name", sorted(STUDENT))
def test_in_the_sandbox(worker, name):
    reply = worker.call("nb", name, (np.arange(3.0) + 0.5,), (), None, 20)
    if EXPECTED[name] is None:
        assert isinstance(reply, Returned) and np.array_equal(reply.value, 2 * (np.arange(3.0) + 0.5))
    else:
        assert reply == Raised(ErrorKind.GRADED_CALL, EXPECTED[name])
    assert os.getcwd()    # (the worker's state is per process; nothing leaks here)
