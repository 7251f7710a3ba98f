"""A class of the full assignment where every student did the work right (full marks) in an unusual way.

Each one attacks the grader through what a student controls besides their code: how deep their
folders go, what their folder is called, the IPython syntax in their cells, the figures saved in
their notebooks, how deep a folder their code leaves behind, how many allowed helper calls their
assembly makes. `honest` did nothing unusual. None of this may cost a point, or anyone's row.
"""
import json
import os
from pathlib import Path

from autograder.units import total_points
from tools import factory

MAX_SCORE = total_points()
DEPTH = 1500              # deeper than Python's recursion limit (1000): a recursive walk raises

# student -> a note their row must carry ("" for none)
EXPECTED = {
    "honest": "",
    "deep_folder": "folders nested more than 32 deep were not searched",
    "%63lass_report.html": "the name 'class_report.html' is stored as the id '%63lass_report.html'",
    "%63lass_report.json": "the name 'class_report.json' is stored as the id '%63lass_report.json'",
    "magics": "",
    "figures": "",
    "deep_home": "",
    "many_calls": "",
}

# A PEP 8 continuation line may begin with an operator: IPython runs these as Python.
CONTINUATION = "_TERMS_CHECKED = (4\n                  % 3\n                  != 0)\n\n"

# Cells as students write them in Jupyter (appended to 01_mlp_backprop after everything else).
MAGIC_CELLS = [
    "%matplotlib inline\n%load_ext autoreload\n%autoreload 2",
    "!echo planted > /tmp/bptt-magics-shell-ran\nfiles = !ls\nx = 1",
    # an old draft the student switched off: IPython never runs a %%script false cell
    "%%script false\ndef dz_netAct(z_netAct, y):\n    raise NotImplementedError\n",
    "%%bash\necho this is bash, not Python\nfor f in *; do echo $f; done",
    "%%html\n<b>a figure caption</b>",
    "%%time\n_timed = sum(range(10))",
]

# Created by code that runs while the notebook loads, in the sandbox's HOME and temporary folder.
DEEP_HOME = f"""import os as _os
_here = _os.getcwd()
for _top in {{_os.environ.get("HOME") or "/tmp", "/tmp"}}:
    try:
        _os.chdir(_top)
        _os.mkdir("bptt-deep-home-" + str(_os.getpid()))
        _os.chdir("bptt-deep-home-" + str(_os.getpid()))
        for _ in range({DEPTH}):
            _os.mkdir("d")
            _os.chdir("d")
        open("answers.txt", "w").write("left for the next student")
    except OSError:
        pass
_os.chdir(_here)
"""

def _edit(path, change):
    nb = json.loads(path.read_text())
    change(nb)
    path.write_text(json.dumps(nb, indent=1))


def _code(source, outputs=()):
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": list(outputs), "source": source}


def _deep(top, depth=DEPTH):
    """A folder `depth` levels below `top`: d/d/d/..., short enough for a path, too deep for a recursion."""
    here = os.getcwd()
    try:
        os.makedirs(top)
        os.chdir(top)
        for _ in range(depth):
            os.mkdir("d")
            os.chdir("d")
        Path("01_mlp_backprop.ipynb").write_text("{}")    # never reached, never graded
    finally:
        os.chdir(here)


def build(submitted, many_calls=3000):
    """Write the class into `submitted` (nbgrader's submitted/ layout)."""
    submitted = Path(submitted)
    for name in ("honest", "deep_folder", "class_report.html", "class_report.json", "magics", "figures",
                 "deep_home"):
        factory.write_submission(submitted, name)
    _deep(submitted / "deep_folder" / "bptt" / "old_attempts")
    nb01 = submitted / "magics" / "bptt" / "01_mlp_backprop.ipynb"

    def magics(nb):
        for cell in nb["cells"]:
            if factory._nbgrader(cell).get("grade_id") == "dz_netAct":
                cell["source"] = CONTINUATION + cell["source"]
            if factory._nbgrader(cell).get("grade_id") == "dz_b":
                cell["source"] = "%%time\n" + cell["source"]
        nb["cells"] += [_code(src) for src in MAGIC_CELLS]
    _edit(nb01, magics)

    # 24 MB of saved figures in notebook 04 (two per experiment), as a notebook run and saved keeps them.
    png = "iVBORw0KGgo" + "A" * (4 << 20)
    figure = {"output_type": "display_data", "metadata": {}, "data": {"image/png": png, "text/plain": "<Figure>"}}

    def figures(nb):
        for cell in nb["cells"]:
            if cell["cell_type"] == "code" and factory._nbgrader(cell).get("grade_id", "").startswith("exp_"):
                cell["outputs"] = [figure] * 2
    _edit(submitted / "figures" / "bptt" / "04_long_histories.ipynb", figures)

    def deep_home(nb):
        nb["cells"].insert(2, _code(DEEP_HOME))
    _edit(submitted / "deep_home" / "bptt" / "02_rnn_bptt.ipynb", deep_home)

    factory.write_many_calls(submitted, "many_calls", many_calls)
    return submitted
