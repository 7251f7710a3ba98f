"""Regenerate examples/submissions/: a small class for `python -m autograder demo`.

    python examples/make_examples.py          (about 30 s)

The class goes through nbgrader's own student workflow, from the committed release:
the instructor runs `nbgrader release_assignment` into a temporary exchange, each
student runs `nbgrader fetch_assignment`, edits the solution cells of the fetched
notebooks (nothing else), runs `nbgrader submit`, and the instructor runs
`nbgrader collect`. The notebooks therefore keep the release's metadata and
checksums, and `nbgrader autograde` logs no checksum warning for them.

Students (their exact totals, EXPECTED below, are asserted in tests/test_grade_examples.py):
    ada    everything right
    ben    hands in the untouched release
    cai    two typical slips: dh_t without the future term, dz_b averaged
    dee    rnn_backward without the future term, dy_t without 1/T,
           the tanh derivative on the wrong quantity
    eli    broken: 02 is truncated (invalid JSON), a cell of 01 raises,
           dz_wts raises inside
    fay    never submitted notebook 04, renamed dh1_t

Only the notebooks are kept (students hand in notebooks, not the data).
"""
import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from autograder import course, units  # noqa: E402
from tools import course_tools  # noqa: E402
from tools import factory  # noqa: E402

DEST = HERE / "submissions"


def _without(*lost_units: str, lost_notebooks: tuple[str, ...] = ()) -> int:
    """The assignment's points minus those of the units and notebooks a student loses (autograder/units.py)."""
    return (units.total_points() - sum(units.BY_NAME[u].points for u in lost_units)
            - sum(units.notebook_points()[stem] for stem in lost_notebooks))


# Each student's exact total, derived from the declared points.
EXPECTED = {"ada": _without(), "ben": 0, "cai": _without("dh_t", "dz_b"),
            "dee": _without("rnn_backward", "dy_t", "dhraw_t"),
            "eli": _without("dz_wts", lost_notebooks=("02_rnn_bptt",)),
            "fay": _without("dh1_t", lost_notebooks=("04_long_histories",))}

RAISING_DZ_WTS = '''
def dz_wts(dz_netIn, y_netAct, z_wts, reg):
    """Gradient with respect to the output weights."""
    return y_netAct @ dz_netIn + reg * z_wts      # (N, H) @ (N, C): shapes do not line up
'''

RENAMED_DH1 = '''
def dh1_t_step(dhraw2_t, dhraw1_next, W_xh2, W_hh1):
    """Gradient arriving at layer 1's state h1_t (renamed by the student)."""
    return dhraw2_t @ W_xh2.T + dhraw1_next @ W_hh1.T
'''


def class_plan():
    """{student: (replacements {unit: source} or None for an untouched release, stems handed in)}."""
    M = factory.MISTAKES
    every = factory.notebook_stems()
    return {
        "ada": ({}, every),
        "ben": (None, every),
        "cai": ({"dh_t": M["dh_t_missing_future"][1], "dz_b": M["dz_b_averaged"][1]}, every),
        "dee": ({"rnn_backward": M["rnn_backward_missing_future"][1], "dy_t": M["dy_t_missing_1_over_T"][1],
                 "dhraw_t": M["dhraw_t_tanh_on_input"][1]}, every),
        "eli": ({"dz_wts": RAISING_DZ_WTS}, every),
        "fay": ({"dh1_t": RENAMED_DH1}, [s for s in every if s != "04_long_histories"]),
    }


def nbgrader(args, cwd, exchange):
    """Run nbgrader with this interpreter against the temporary exchange."""
    course.run_nbgrader([*args, f"--Exchange.root={exchange}", f"--CourseDirectory.course_id={course.COURSE_ID}"],
                        cwd, timeout=600)


def solve(path, replacements):
    """Fill the solution cells of a fetched release notebook, as the student types them."""
    nb = json.loads(path.read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"]
               for c in factory.student_notebook(path.stem, replacements)["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            cell["source"] = answers[meta["grade_id"]]
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def student_work(name, replacements, stems, home, exchange):
    home.mkdir()
    nbgrader(["fetch_assignment", course.ASSIGNMENT], home, exchange)
    work = home / course.ASSIGNMENT
    for path in work.glob("*.ipynb"):
        if path.stem not in stems:
            path.unlink()                                   # never handed in
        elif replacements is not None:
            solve(path, replacements)
    if name == "eli":
        # A scratch cell that fails (NameError); later cells still run, as under nbgrader.
        nb01 = work / "01_mlp_backprop.ipynb"
        nb = json.loads(nb01.read_text())
        first_code = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
        nb["cells"].insert(first_code, {"cell_type": "code", "execution_count": None, "metadata": {},
                                        "outputs": [], "source": "print(undefined_variable)"})
        nb01.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    nbgrader(["submit", course.ASSIGNMENT, f"--student={name}"], home, exchange)


def main():
    with tempfile.TemporaryDirectory(prefix="bptt-examples-") as tmp:
        tmp = Path(tmp)
        exchange = tmp / "exchange"
        exchange.mkdir()
        root = course_tools.make_course_copy(tmp, release=True)
        # release_assignment needs the assignment in the gradebook; record it from the committed release.
        nbgrader(["db", "assignment", "add", course.ASSIGNMENT], root, exchange)
        nbgrader(["release_assignment", course.ASSIGNMENT], root, exchange)
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            jobs = [pool.submit(student_work, name, repl, stems, tmp / f"home-{name}",
                                exchange) for name, (repl, stems) in class_plan().items()]
            for job in jobs:
                job.result()
        # One account made every submission here, so the course's SafeCollect (autograder/exchange.py),
        # which takes only folders owned by the student they name, would refuse them all: stock collect.
        nbgrader(["collect", course.ASSIGNMENT,
                  "--ExchangeFactory.collect=nbgrader.exchange.default.collect.ExchangeCollect"], root, exchange)
        shutil.rmtree(DEST, ignore_errors=True)
        for name in class_plan():
            out = DEST / name / course.ASSIGNMENT
            out.mkdir(parents=True)
            for path in sorted((root / "submitted" / name / course.ASSIGNMENT).glob("*.ipynb")):
                shutil.copy2(path, out / path.name)
    nb02 = DEST / "eli" / course.ASSIGNMENT / "02_rnn_bptt.ipynb"
    nb02.write_bytes(nb02.read_bytes()[:5000])              # the upload was cut off
    print(f"wrote {', '.join(sorted(p.name for p in DEST.iterdir()))} into {DEST}")


if __name__ == "__main__":
    main()
