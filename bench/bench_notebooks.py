"""Solved notebooks top to bottom: seconds per notebook, idle and with one other core busy.

    python bench/bench_notebooks.py [--stems 01_mlp_backprop 04_long_histories ...]

Runs every instructor notebook source/bptt/*.ipynb (solutions and hidden tests,
so the repository root goes on the kernel's PYTHONPATH as under autograde) with
nbclient in a fresh kernel, as a student runs it: experiments on. Each notebook
runs twice, side by side in this one process:

- "idle": nothing else started by this script;
- "1 core busy": while a child process spins on one core (what a student's
  laptop with a browser, or a shared 2-core machine, looks like).

Prints both times, the kernel's CPU time in the idle run (user + system, all
its threads: what the wall time would be on a truly idle machine, since the
notebooks compute with one thread), the slowest cell, the load average before
each run (the machine may be shared: read the times with it), and whether each
target is met: notebook 04 under 40 s idle and under 80 s with one core busy,
every other notebook under 10 s in both. Exits 1 if a cell raised or wrote to stderr.
"""
import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

# Appended to each notebook run (and left out of the report): the kernel's own CPU time.
CPU_CELL = ("import resource as _r\n_u = _r.getrusage(_r.RUSAGE_SELF)\n"
            "print('kernel CPU seconds:', _u.ru_utime + _u.ru_stime)")

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source" / "bptt"
TARGETS = {"04_long_histories": (40.0, 80.0)}    # stem -> (idle, one core busy) in seconds
DEFAULT_TARGET = (10.0, 10.0)


def _seconds(cell):
    """Execution time of one cell from nbclient's timing metadata (None if absent)."""
    timing = cell.metadata.get("execution", {})
    try:
        start = datetime.datetime.fromisoformat(timing["iopub.execute_input"].replace("Z", "+00:00"))
        end = datetime.datetime.fromisoformat(timing["shell.execute_reply"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return None
    return (end - start).total_seconds()


def run_notebook(path):
    """Execute a notebook in a fresh kernel.

    Returns (wall seconds, kernel CPU seconds, (slowest cell id, its seconds), problems).
    """
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(CPU_CELL))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    for name in ("BPTT_GRADING", "BPTT_QUICK"):
        env.pop(name, None)
    old = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)      # the kernel inherits this process's environment
    try:
        client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True, record_timing=True,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(old)
    cpu_cell = nb.cells.pop()
    cpu = float(cpu_cell.outputs[0].text.split(":")[1]) if cpu_cell.outputs else float("nan")
    problems, slowest = [], ("-", 0.0)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", cell.get("id", "?"))
        cell_seconds = _seconds(cell)
        if cell_seconds is not None and cell_seconds > slowest[1]:
            slowest = (gid, cell_seconds)
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                problems.append(f"{path.stem}:{gid}: {out.ename}: {out.evalue[:200]}")
            elif out.output_type == "stream" and out.name == "stderr":
                problems.append(f"{path.stem}:{gid}: stderr: {out.text[:200]}")
    return seconds, cpu, slowest, problems


class OneCoreBusy:
    """A child process that spins on one core for the duration of a `with` block."""

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        time.sleep(0.5)         # let it get scheduled before the timed run starts
        return self

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()


def load():
    return f"{os.getloadavg()[0]:.1f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stems", nargs="*", help="notebook stems (default: every notebook in source/bptt)")
    args = parser.parse_args(argv)
    paths = [SOURCE / f"{s}.ipynb" for s in args.stems] if args.stems else sorted(SOURCE.glob("*.ipynb"))
    print(f"{os.cpu_count()} cores; load average = 1-minute load before each run")
    header = (f"{'notebook':<20}{'idle (s)':>9}{'load':>6}{'CPU (s)':>8}{'1 busy (s)':>11}{'load':>6}"
              f"{'busy/idle':>10}{'target idle/busy':>18}  {'met':<5}slowest cell (idle)")
    print(header)
    problems, missed = [], []
    for path in paths:
        load_idle = load()
        idle, cpu, slowest, p1 = run_notebook(path)
        with OneCoreBusy():
            load_busy = load()
            busy, _, _, p2 = run_notebook(path)
        problems += p1 + p2
        target = TARGETS.get(path.stem, DEFAULT_TARGET)
        met = idle < target[0] and busy < target[1]
        if not met:
            missed.append(path.stem)
        print(f"{path.stem:<20}{idle:>9.1f}{load_idle:>6}{cpu:>8.1f}{busy:>11.1f}{load_busy:>6}{busy / idle:>10.2f}"
              f"{f'< {target[0]:g} / < {target[1]:g}':>18}  {'yes' if met else 'NO':<5}"
              f"{slowest[0]} {slowest[1]:.1f} s", flush=True)
    print("targets " + ("met" if not missed else "MISSED by " + ", ".join(missed)))
    for line in problems:
        print("PROBLEM", line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
