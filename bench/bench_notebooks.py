"""Solution notebooks top to bottom: seconds per notebook, full run and grading mode side by side.

    python bench/bench_notebooks.py [--stems 01_mlp_backprop 02_rnn_bptt ...]

Runs every source/bptt/*.ipynb (the instructor version, hidden tests included,
so the repository root goes on the kernel's PYTHONPATH as under autograde) with
nbclient in a fresh kernel, twice: as a student runs it (experiments on) and as
the grader runs it (BPTT_GRADING=1: experiment cells skip themselves). Prints
both times per notebook, their ratio, and the totals (target: full run under
60 s in total, each notebook under about 10 s). Exits 1 if a cell raised or
wrote to stderr.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source" / "bptt"


def run_notebook(path, grading):
    """Execute a notebook in a fresh kernel; return (seconds, list of problems)."""
    nb = nbformat.read(path, as_version=4)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    env.pop("BPTT_GRADING", None)
    if grading:
        env["BPTT_GRADING"] = "1"
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)      # the kernel inherits this process's environment
    try:
        client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(old)
    problems = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
            if out.output_type == "error":
                problems.append(f"{path.stem}:{gid}: {out.ename}: {out.evalue[:200]}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"{path.stem}:{gid}: stderr: {out.text[:200]}")
    return seconds, problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stems", nargs="*", help="notebook stems (default: every notebook in source/bptt)")
    args = parser.parse_args(argv)
    paths = [SOURCE / f"{s}.ipynb" for s in args.stems] if args.stems else sorted(SOURCE.glob("*.ipynb"))
    print(f"{'notebook':<22}{'full run (s)':>14}{'grading (s)':>13}{'full/grading':>14}")
    totals, problems = [0.0, 0.0], []
    for path in paths:
        full, p1 = run_notebook(path, grading=False)
        grading, p2 = run_notebook(path, grading=True)
        totals[0] += full
        totals[1] += grading
        problems += p1 + p2
        print(f"{path.stem:<22}{full:>14.1f}{grading:>13.1f}{full / grading:>14.1f}")
    print(f"{'total':<22}{totals[0]:>14.1f}{totals[1]:>13.1f}{totals[0] / totals[1]:>14.1f}")
    print(f"target: full run under 60 s in total -> {'met' if totals[0] < 60 else 'MISSED'}")
    for line in problems:
        print("PROBLEM", line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
