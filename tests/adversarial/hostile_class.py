"""A class whose files, not their code, are hostile or careless: what a real collection holds.

`build(course)` writes, under course/submitted/ (nbgrader's layout) and course/flat/ (a flat
folder of <student>_<stem>.ipynb files), the submissions below and returns EXPECTED:
{student id: (exact score, text one of its notes must contain, or None)}. Every one of them
must get exactly one row; the honest ones their full 8 points.
"""
import io
import json
import os
import zipfile
from pathlib import Path

from tests.adversarial import minicourse

MLP, RNN = "01_mlp_backprop", "02_rnn_bptt"
WRONG_DZ_B = {MLP: {"dz_b": "def dz_b(g):\n    return g.mean(axis=0)\n"}}

EXPECTED = {
    "alice": (8, None),
    "李明": (8, None),                    # non-ASCII names are kept, and stay two students
    "王芳": (8, None),
    "+1+1": (8, None),                   # kept; grades.csv writes it as text ('+1+1)
    "list_grade_id": (8, None),          # a cell's grade_id is a list
    "deep_json": (1, None),              # 01 nested 50,000 deep: its 7 points are 0, 02 graded
    "zip_only": (0, "an archive; the grading command does not open archives"),
    "empty_folder": (0, "nothing to grade"),
    "links_to_solutions": (0, "a symbolic link; links are never followed"),
    "fifo": (1, "not a regular file"),   # 01 is a FIFO named like a notebook; 02 graded
    "two_copies": (8, "01_mlp_backprop-Copy1.ipynb: a second copy of 01_mlp_backprop.ipynb; "
                      "graded 01_mlp_backprop.ipynb"),
    "%67rades.json": (8, "the name 'grades.json' is stored as the id '%67rades.json'"),
    # flat/: ivy's own files use "_"; a planted ivy-01_mlp_backprop.ipynb (a stub) is not graded
    "ivy": (8, "ivy-01_mlp_backprop.ipynb: a second copy of 01_mlp_backprop.ipynb; graded ivy_01_mlp_backprop.ipynb"),
    # flat/grades.json_01_mlp_backprop.ipynb: a second student named grades.json (01 only: 7 points)
    "%67rades.json#2": (7, "two submissions are named 'grades.json'"),
}


def build(course):
    course = Path(course)
    sub, flat = course / "submitted", course / "flat"
    for name in ("alice", "李明", "王芳", "+1+1", "grades.json"):
        minicourse.student(sub, name)
    folder = minicourse.student(sub, "list_grade_id")
    nb = json.loads((folder / f"{MLP}.ipynb").read_text())
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade_id") == "dz_b":
            meta["grade_id"] = ["dz_b", "twice"]
    (folder / f"{MLP}.ipynb").write_text(json.dumps(nb))
    minicourse.student(sub, "deep_json", raw={MLP: b"[" * 50000 + b"]" * 50000})
    # zip_only: the notebooks, zipped, and nothing else.
    folder = minicourse.student(sub, "zip_only")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(folder.glob("*.ipynb")):
            zf.writestr(p.name, p.read_bytes())
            p.unlink()
    (folder / "bptt.zip").write_bytes(buf.getvalue())
    (sub / "empty_folder" / "bptt").mkdir(parents=True)
    # Links to the instructor's solutions, as `git clone`, `tar` or `unzip` would recreate them.
    folder = sub / "links_to_solutions" / "bptt"
    folder.mkdir(parents=True)
    for stem in (MLP, RNN):
        os.symlink(f"../../../source/bptt/{stem}.ipynb", folder / f"{stem}.ipynb")
    folder = minicourse.student(sub, "fifo", skip=(MLP,))
    os.mkfifo(folder / f"{MLP}.ipynb")
    folder = minicourse.student(sub, "two_copies")
    broken = minicourse.student(course / "scratch", "x", edits=WRONG_DZ_B)
    (folder / f"{MLP}-Copy1.ipynb").write_bytes((broken / f"{MLP}.ipynb").read_bytes())
    # The flat folder.
    flat.mkdir()
    good = minicourse.student(course / "scratch", "good")
    stub = minicourse.student(course / "scratch", "stub", solved=False)
    for stem in (MLP, RNN):
        (flat / f"ivy_{stem}.ipynb").write_bytes((good / f"{stem}.ipynb").read_bytes())
    (flat / f"ivy-{MLP}.ipynb").write_bytes((stub / f"{MLP}.ipynb").read_bytes())
    (flat / f"grades.json_{MLP}.ipynb").write_bytes((good / f"{MLP}.ipynb").read_bytes())
    return sub, flat
