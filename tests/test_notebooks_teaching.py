"""The release teaches without handing out answers, and behaves as its text says when unfinished.

1. No graded unit's final expression appears anywhere in the release outside its solution
   region: the expressions are taken from the instructor's solution cells (every returned
   expression, and every assignment that computes something or calls a graded unit),
   whitespace removed, and searched for in every file of release/bptt/.
2. Each untouched release notebook, run through a real kernel cell by cell past failures
   (nbclient, allow_errors), fails only in the visible-test cells of its graded units, each
   with the last line `NotImplementedError: <unit> is not implemented yet`; experiment cells
   print `waiting for <fn>: not implemented yet` and draw nothing, or run without error.
3. A half-finished notebook fails exactly in the tests of its unfinished units, and its
   experiments wait for the right function.
4. The solved notebooks 01 and 02 run top to bottom, experiments included, and the reach
   experiment's curves do what the text says about them.
"""
import ast
import json
import re
import shutil
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tools import factory

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "source" / "bptt"
RELEASE = ROOT / "release" / "bptt"
STEMS = sorted(p.stem for p in SOURCE.glob("*.ipynb"))
SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WAITING = re.compile(r"^waiting for (\w+): not implemented yet$", re.MULTILINE)


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def source_of(cell):
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def normalise(text):
    return re.sub(r"\s+", "", text).replace("'", '"')


def tokens(text):
    """Code or LaTeX as a canonical token string, so that `h[t].T @ dy[t]` and
    `h_t^\\top\\, dy_t` (or `params["W_hq"]` and `W_{hq}`) read the same:
    identifiers and numbers only, a transpose as the token TRANSPOSE."""
    t = text.replace("\\_", "_")
    t = re.sub(r"_\{([A-Za-z0-9]+)\}", r"_\1", t)                       # W_{hq} -> W_hq
    t = re.sub(r"\^\{?\\top\}?|\^\{?T\}?(?![-+\w])|\.T\b", " TRANSPOSE ", t)
    t = re.sub(r"(?:params|cache)\[\s*[\"'](\w+)[\"']\s*\]", r"\1", t)  # params["W_hq"] -> W_hq
    t = re.sub(r"\b(\w+)\[t\]", r"\1_t", t)                            # h[t] -> h_t
    t = re.sub(r"\\[A-Za-z]+", " ", t)                                  # LaTeX commands
    words = [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?", t) if w != "np"]
    return " " + " ".join(words) + " "


# ---- 1. no final expression in the release ------------------------------------------------

def unit_names():
    return set(factory.unit_notebooks())


def unit_parameters():
    """{unit: [parameter names]} from the def lines of the instructor's solution cells."""
    params = {}
    for stem in STEMS:
        for cell in json.loads((SOURCE / f"{stem}.ipynb").read_text())["cells"]:
            if nbgrader_meta(cell).get("solution") and cell["cell_type"] == "code":    # not the written answers
                for node in ast.walk(ast.parse(source_of(cell))):
                    if isinstance(node, ast.FunctionDef) and node.name == nbgrader_meta(cell)["grade_id"]:
                        params[node.name] = [a.arg for a in node.args.args]
    return params


def signature_call(node, units):
    """True for a call `f(a, b)` of a graded unit with its own parameter names: the signature
    that the points table states, not a computed expression."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in units):
        return False
    return [a.id if isinstance(a, ast.Name) else None for a in node.args] == units[node.func.id][:len(node.args)]


def final_expressions(code, units):
    """The expressions of a solution region that compute the unit's answer (normalised).

    Every returned value (each value of a returned dict separately), and the right-hand side
    of every assignment that does arithmetic or calls a graded unit (the lines of an
    assembly unit's loop). Plain bookkeeping (N = x.shape[0], rows = np.arange(N)) is left out.
    """
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:  # a region cut out of a deeper block: parse it inside one
        tree = ast.parse("if True:\n" + code)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and node.value is not None:
            values = node.value.values if isinstance(node.value, ast.Dict) else [node.value]
            found.update(ast.unparse(v) for v in values if not signature_call(v, units))
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            computes = any(isinstance(n, ast.BinOp) for n in ast.walk(node.value))
            calls_unit = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in units
                             for n in ast.walk(node.value))
            if computes or calls_unit:
                found.add(ast.unparse(node))
                found.add(ast.unparse(node.value))
    return {normalise(e) for e in found if len(normalise(e)) >= 8}


def product_tokens(code, units):
    """Token strings of the solution's matrix products and returned expressions (3+ tokens)."""
    try:
        tree = ast.parse(textwrap.dedent(code))
    except SyntaxError:
        tree = ast.parse("if True:\n" + code)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            found.add(ast.unparse(node))
        elif isinstance(node, ast.Return) and node.value is not None and not isinstance(node.value, ast.Dict):
            found.add(ast.unparse(node.value))
        elif isinstance(node, ast.Assign) and any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in units
                for n in ast.walk(node.value)):
            found.add(ast.unparse(node))
    return {tokens(e) for e in found if len(tokens(e).split()) >= 3}


def solution_expressions(extract=None):
    """{unit: set of normalised final expressions}, from the instructor notebooks."""
    extract = extract or final_expressions
    units = unit_parameters()
    out = {}
    for stem in STEMS:
        for cell in json.loads((SOURCE / f"{stem}.ipynb").read_text())["cells"]:
            meta = nbgrader_meta(cell)
            if meta.get("solution") and cell["cell_type"] == "code":
                out[meta["grade_id"]] = set().union(*(extract(m, units)
                                                      for m in SOLUTION.findall(source_of(cell))))
    return out


def release_texts(canonical=normalise):
    """{file name: canonical text} of every release file; notebooks contribute every cell."""
    texts = {}
    for path in sorted(RELEASE.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix not in (".ipynb", ".py", ".md", ".txt"):
            continue
        if path.suffix == ".ipynb":
            cells = json.loads(path.read_text())["cells"]
            texts[path.name] = canonical("\n".join(source_of(c) for c in cells))
        else:
            texts[path.name] = canonical(path.read_text(errors="replace"))
    return texts


EXPRESSIONS = solution_expressions()
PRODUCTS = solution_expressions(product_tokens)


def test_every_unit_has_final_expressions_to_look_for():
    assert set(EXPRESSIONS) == unit_names()
    assert all(EXPRESSIONS.values()), [u for u, e in EXPRESSIONS.items() if not e]


def test_the_search_finds_an_expression_when_it_is_there():
    # A release that printed the solution of dz_wts in its text would be caught, as code ...
    expr = next(iter(EXPRESSIONS["dz_wts"]))
    assert expr in normalise("Hint: the answer is  " + expr.replace("@", " @ ") + " .")
    # ... or as LaTeX (as an earlier release wrote it).
    latex = r"$$dz\_wts = y\_netAct^\top\, dz\_netIn + reg \cdot z\_wts$$"
    assert any(p in tokens(latex) for p in PRODUCTS["dz_wts"])
    latex = r"$$dh_t = dy_t\, W_{hq}^\top + dhraw_{t+1}\, W_{hh}^\top$$"
    assert any(p in tokens(latex) for p in PRODUCTS["dh_t"])


@pytest.mark.parametrize("unit", sorted(EXPRESSIONS))
def test_release_does_not_contain_the_final_expression(unit):
    texts = release_texts()
    leaks = [(name, expr) for expr in EXPRESSIONS[unit] for name, text in texts.items() if expr in text]
    assert leaks == [], f"{unit}: the release shows the solution's expression(s) {leaks}"
    # The same expressions and their matrix products, written in LaTeX or with other spacing/names.
    texts = release_texts(tokens)
    leaks = [(name, expr.strip()) for expr in PRODUCTS[unit] for name, text in texts.items() if expr in text]
    assert leaks == [], f"{unit}: the release shows (in code or LaTeX) the solution's term(s) {leaks}"


# ---- 2./3. an unfinished notebook runs past failures, failing only in its tests --------------------

def run_cell_by_cell(nb, workdir, monkeypatch):
    """Execute nb (nbformat node) in workdir with a real kernel, continuing after errors."""
    for name in ("BPTT_GRADING", "PYTHONPATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BPTT_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(workdir)}}).execute()
    return nb


def outcome(cell):
    """(last line of the error or None, printed text, number of images) of an executed cell."""
    error, text, images = None, "", 0
    for out in cell.outputs:
        if out.output_type == "error":
            error = ANSI.sub("", out.traceback[-1]).strip() if out.traceback else f"{out.ename}: {out.evalue}"
        elif out.output_type == "stream":
            text += out.text
        elif out.output_type == "display_data" and "image/png" in out.get("data", {}):
            images += 1
    return error, text, images


def check_run(nb, unfinished):
    """Assert the contract of an executed notebook whose `unfinished` units are stubs."""
    problems = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id", "?")
        error, text, images = outcome(cell)
        if meta.get("grade"):
            unit = gid.removeprefix("test_")
            expected = f"NotImplementedError: {unit} is not implemented yet" if unit in unfinished else None
            if error != expected:
                problems.append(f"{gid}: last error line {error!r}, expected {expected!r}")
        elif error is not None:
            problems.append(f"{gid} (not a test cell) failed: {error}")
        elif "experiment" in cell.metadata.get("tags", []):
            waiting = WAITING.findall(text)
            # An experiment that waits draws nothing, unless its cell says its figure needs none of
            # the student's functions (experiment 1 of 04 plots, then waits to compare a prediction).
            if waiting and images and "figure-needs-no-student-code" not in cell.metadata.get("tags", []):
                problems.append(f"{gid} waits for {waiting} but still draws {images} figure(s)")
            if waiting and waiting[0] not in unfinished:
                problems.append(f"{gid} waits for {waiting[0]}, which is finished")
    return problems


@pytest.mark.slow   # runs notebooks cell by cell
@pytest.mark.parametrize("stem", STEMS)
def test_untouched_release_notebook_fails_only_in_visible_tests(stem, tmp_path, monkeypatch):
    workdir = tmp_path / "bptt"
    shutil.copytree(RELEASE, workdir, ignore=shutil.ignore_patterns("__pycache__"))
    nb = run_cell_by_cell(nbformat.read(workdir / f"{stem}.ipynb", as_version=4), workdir, monkeypatch)
    graded = [nbgrader_meta(c)["grade_id"].removeprefix("test_") for c in nb.cells if nbgrader_meta(c).get("grade")]
    assert graded, "the notebook has graded units"
    assert check_run(nb, set(graded)) == []
    experiments = [c for c in nb.cells if "experiment" in c.metadata.get("tags", [])]
    waiting = [c for c in experiments if WAITING.search(outcome(c)[1])]
    # Every experiment that uses a student function says what it waits for.
    assert len(waiting) >= 1


HALF_DONE = {"01_mlp_backprop": ("dz_b", "dy_netIn"), "02_rnn_bptt": ("dh_t", "db_h")}
# What the experiments wait for: the first stub each one reaches.
FIRST_WAIT = {"01_mlp_backprop": "dy_netIn", "02_rnn_bptt": "dh_t"}


def stub(unit, signature_source):
    """The function def of `unit` from the source, with its body replaced by the release's stub."""
    head = re.search(rf"^def {unit}\(.*?\):\n", signature_source, re.MULTILINE | re.DOTALL).group(0)
    return head + "    # YOUR CODE HERE\n    raise NotImplementedError()\n"


@pytest.mark.slow   # runs notebooks cell by cell
@pytest.mark.parametrize("stem", sorted(HALF_DONE))
def test_half_finished_notebook_fails_exactly_in_its_unfinished_units(stem, tmp_path, monkeypatch):
    cells = json.loads((SOURCE / f"{stem}.ipynb").read_text())["cells"]
    defs = {nbgrader_meta(c)["grade_id"]: source_of(c) for c in cells if nbgrader_meta(c).get("solution")}
    unfinished = set(HALF_DONE[stem])
    workdir = tmp_path / "bptt"
    shutil.copytree(SOURCE, workdir, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    data = factory.student_notebook(stem, {u: stub(u, defs[u]) for u in unfinished})
    nb = nbformat.reads(json.dumps(data), as_version=4)
    run_cell_by_cell(nb, workdir, monkeypatch)
    assert check_run(nb, unfinished) == []
    printed = "".join(outcome(c)[1] for c in nb.cells if "experiment" in c.metadata.get("tags", []))
    assert set(WAITING.findall(printed)) == {FIRST_WAIT[stem]}


# ---- 4. the solved notebooks run top to bottom ------------------------------------------------

@pytest.mark.slow   # runs notebooks top to bottom
@pytest.mark.parametrize("stem", ["01_mlp_backprop", "02_rnn_bptt"])
def test_solved_notebook_runs_top_to_bottom(stem, tmp_path, monkeypatch):
    workdir = tmp_path / "bptt"
    shutil.copytree(SOURCE, workdir, ignore=shutil.ignore_patterns("__pycache__"))
    nb = nbformat.read(workdir / f"{stem}.ipynb", as_version=4)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))      # the hidden tests import autograder.checks
    monkeypatch.delenv("BPTT_GRADING", raising=False)
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(workdir)}}).execute()   # raises on any error
    printed = {nbgrader_meta(c).get("grade_id"): outcome(c)[1] for c in nb.cells if c.cell_type == "code"}
    assert not any(WAITING.search(t) for t in printed.values())
    # Every worked example prints its shape; all its dimensions differ (a square W_hh aside),
    # so that a transposed answer fails on its shape.
    shapes = re.findall(r"on the worked example, shape (\([A-Z, ]*\)) = \(([\d, ]+)\)", "".join(printed.values()))
    units = {gid.removeprefix("test_") for gid in printed if gid and gid.startswith("test_")}
    assert len(shapes) >= len(units) - 1      # the assembly unit is checked by finite differences only
    for names, sizes in shapes:
        sizes = [int(n) for n in sizes.split(",") if n.strip()]
        assert names == "(H, H)" or len(set(sizes)) == len(sizes), (names, sizes)
    if stem == "01_mlp_backprop":
        assert re.search(r"training accuracy 100%", printed["spiral_experiment"]), printed["spiral_experiment"]
    if stem == "02_rnn_bptt":
        # The text: ReLU at W_hh scales 0.5 and 1 shrinks, at 2 grows; tanh shrinks at all three.
        ratios = {(act, float(scale)): float(r) for act, scale, r in re.findall(
            r"(relu|tanh), W_hh scale ([\d.]+): \|\|dh_0\|\| / \|\|dh_59\|\| = (\S+) ", printed["reach_experiment"])}
        assert len(ratios) == 6, printed["reach_experiment"]
        for (act, scale), ratio in ratios.items():
            grows = act == "relu" and scale == 2.0
            assert (ratio > 10) if grows else (ratio < 0.1), (act, scale, ratio)


# ---- 5. what the student sees of locked cells and menus ------------------------------------

@pytest.mark.parametrize("stem", STEMS)
def test_locked_code_cells_say_so_in_their_first_line(stem):
    for cell in json.loads((RELEASE / f"{stem}.ipynb").read_text())["cells"]:
        meta = nbgrader_meta(cell)
        if cell["cell_type"] == "code" and meta.get("locked"):
            first = source_of(cell).split("\n", 1)[0]
            assert first.startswith(("# Given code — read-only", "# Tests — read-only")), (meta["grade_id"], first)


def test_release_names_notebook_7s_menu_item():
    texts = {p.name: p.read_text() for p in RELEASE.glob("*.ipynb")}
    assert not [n for n, t in texts.items() if "Restart & Run All" in t]
    assert all("Restart Kernel and Run All Cells…" in t for t in texts.values())


def test_given_code_shared_by_the_notebooks_is_written_once():
    # Every helper of bptt_tools.py (one rel_error, one numerical_gradient, one rnn_forward...)
    # is defined there and nowhere else in the release.
    module = ast.parse((RELEASE / "bptt_tools.py").read_text())
    shared = {n.name for n in module.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")}
    assert {"rel_error", "numerical_gradient", "grad_check", "softmax", "rnn_forward"} <= shared
    copies = []
    for path in sorted(RELEASE.glob("*")):
        if path.name == "bptt_tools.py" or path.suffix not in (".py", ".ipynb"):
            continue
        texts = ([source_of(c) for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]
                 if path.suffix == ".ipynb" else [path.read_text()])
        for text in texts:
            copies += [(path.name, name) for name in shared if re.search(rf"^\s*def {name}\(", text, re.M)]
    assert copies == []
