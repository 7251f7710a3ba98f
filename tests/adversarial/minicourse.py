"""A small nbgrader course for the grading command's own tests.

Two source notebooks with the real unit names (01_mlp_backprop: dz_netAct,
dz_netIn, dz_b, mlp_backward; 02_rnn_bptt: dy_t) and nbgrader metadata
exactly as the real ones carry it, so the pipeline can be tested without
waiting for the full assignment. `student(...)` writes a submission made of
the source notebooks with solution code (hidden tests removed), optionally
with a cell replaced or appended.
"""
import copy
import json
from pathlib import Path

from autograder.units import BY_NAME

# The real units' points (autograder/units.py): the grader refuses test cells that disagree.
POINTS = {name: BY_NAME[name].points for name in ("dz_netAct", "dz_netIn", "dz_b", "mlp_backward", "dy_t")}
MAX_SCORE = sum(POINTS.values())


def _meta(**nbgrader):
    return {"nbgrader": dict(nbgrader, schema_version=3)}


def md(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(src, metadata=None):
    return {"cell_type": "code", "metadata": metadata or {}, "execution_count": None, "outputs": [], "source": src}


def given(gid, src):
    return code(src, _meta(grade=False, solution=False, locked=True, grade_id=gid))


def solution(gid, src):
    return code(src, _meta(grade=False, solution=True, locked=False, grade_id=gid))


def test(unit, visible=""):
    hidden = f"### BEGIN HIDDEN TESTS\n# hidden test of {unit}: the grader's judge decides this cell's score\n### END HIDDEN TESTS"
    return code(visible + hidden, _meta(grade=True, solution=False, locked=True, points=POINTS[unit],
                                        grade_id=f"test_{unit}"))


def experiment(gid, src):
    meta = _meta(grade=False, solution=False, locked=True, grade_id=gid)
    meta["tags"] = ["experiment"]
    return code(src, meta)


SOLUTIONS = {
    "dz_netAct": """def dz_netAct(z_netAct, y):
    N, C = z_netAct.shape
    grad = np.zeros((N, C))
    grad[np.arange(N), y] = -1.0 / (N * z_netAct[np.arange(N), y])
    return grad
""",
    "dz_netIn": """def dz_netIn(dz_netAct, z_netAct):
    return z_netAct * (dz_netAct - np.sum(dz_netAct * z_netAct, axis=1, keepdims=True))
""",
    "dz_b": """def dz_b(dz_netIn):
    return dz_netIn.sum(axis=0)
""",
    "mlp_backward": """def mlp_backward(y, params, cache, reg):
    g_zAct = dz_netAct(cache["z_netAct"], y)
    g_zIn = dz_netIn(g_zAct, cache["z_netAct"])
    g_yAct = dy_netAct(g_zIn, params["z_wts"])
    g_yIn = dy_netIn(g_yAct, cache["y_netIn"])
    return {"z_wts": dz_wts(g_zIn, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_zIn),
            "y_wts": dy_wts(g_yIn, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_yIn)}
""",
    "dy_t": """def dy_t(p_t, y_t, T):
    N, Q = p_t.shape
    onehot = np.zeros((N, Q))
    onehot[np.arange(N), y_t] = 1.0
    return (p_t - onehot) / (T * N)
""",
}

# The helpers mlp_backward calls but this small course does not grade.
HELPERS = """def dz_wts(dz_netIn, y_netAct, z_wts, reg):
    return y_netAct.T @ dz_netIn + reg * z_wts

def dy_netAct(dz_netIn, z_wts):
    return dz_netIn @ z_wts.T

def dy_netIn(dy_netAct, y_netIn):
    return dy_netAct * (y_netIn > 0)

def dy_wts(dy_netIn, X, y_wts, reg):
    return X.T @ dy_netIn + reg * y_wts

def dy_b(dy_netIn):
    return dy_netIn.sum(axis=0)
"""


def stub(name):
    sig = SOLUTIONS[name].split("\n")[0]
    return f"{sig}\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"


def source_notebooks(solved=True):
    """{stem: notebook dict}: the source (solved=True) or the release (stubs, no hidden tests)."""
    body = (lambda n: SOLUTIONS[n]) if solved else stub
    mlp = [md("# MLP backprop"), given("imports", "import numpy as np\nimport os")]
    for name in ("dz_netAct", "dz_netIn", "dz_b"):
        mlp += [solution(name, body(name)), test(name, visible=f"assert callable({name})\n")]
    mlp += [given("helpers", HELPERS),
            experiment("plot_loss", "if os.environ.get('BPTT_GRADING') != '1':\n    import time\n    time.sleep(60)\n"),
            solution("mlp_backward", body("mlp_backward")), test("mlp_backward")]
    rnn = [given("imports_rnn", "import numpy as np"), solution("dy_t", body("dy_t")), test("dy_t")]
    return {"01_mlp_backprop": _nb(mlp), "02_rnn_bptt": _nb(rnn)}


def _nb(cells):
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                         "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def strip_hidden(nb):
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        src = cell["source"]
        if "### BEGIN HIDDEN TESTS" in src:
            cell["source"] = src[: src.index("### BEGIN HIDDEN TESTS")]
    return nb


def write_course(root):
    """source/bptt/*.ipynb under `root`, and the given trace_tools.py the checks' call traces use; returns root."""
    root = Path(root)
    folder = root / "source" / "bptt"
    folder.mkdir(parents=True, exist_ok=True)
    for stem, nb in source_notebooks().items():
        (folder / f"{stem}.ipynb").write_text(json.dumps(nb, indent=1))
    real = Path(__file__).resolve().parents[2] / "source" / "bptt" / "trace_tools.py"
    (folder / real.name).write_bytes(real.read_bytes())
    return root


def student(submitted, name, edits=None, extra=None, solved=True, raw=None, skip=(), points=None):
    """Write submitted/<name>/bptt/*.ipynb.

    edits: {stem: {grade_id: new source}}; extra: {stem: [source of appended cells]} (added
    right after the first cell); raw: {stem: bytes} written verbatim; skip: stems left out;
    points: a number written into every test cell's metadata (a student raising their points).
    """
    folder = Path(submitted) / name / "bptt"
    folder.mkdir(parents=True, exist_ok=True)
    for stem, nb in source_notebooks(solved).items():
        if stem in skip:
            continue
        path = folder / f"{stem}.ipynb"
        if raw and stem in raw:
            path.write_bytes(raw[stem])
            continue
        nb = strip_hidden(nb)
        for cell in nb["cells"]:
            nbg = cell["metadata"].get("nbgrader", {})
            gid = nbg.get("grade_id")
            if points is not None and nbg.get("grade"):
                nbg["points"] = points
            if edits and stem in edits and gid in edits[stem]:
                cell["source"] = edits[stem][gid]
        for i, src in enumerate((extra or {}).get(stem, [])):
            nb["cells"].insert(2 + i, code(src))
        path.write_text(json.dumps(nb, indent=1))
    return folder
