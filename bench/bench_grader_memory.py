"""The grader's peak memory: an honest student beside one making thousands of allowed helper calls.

    python bench/bench_grader_memory.py [--calls 20000] [--call-timeout 120] [--grader DIR]

Writes two one-student classes with tools/factory.py: `honest` (the
solutions) and `many_calls` (a right rnn_backward that first calls the allowed helper dW_xh
CALLS times per case, each call as large as the grader lets one be). Grades each with
`python -m autograder grade --jobs 1` (the grader grades in its own process then) and prints
the grader process's peak resident memory (ru_maxrss; the sandbox's processes are not counted)
side by side. --grader DIR measures the `python -m autograder` of another checkout (an earlier
commit, for a before/after comparison).
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tools import factory  # noqa: E402

# Runs the grading command in this process and prints its own peak memory (KiB) on the last line.
MEASURE = """
import resource, runpy, sys
sys.argv = ["python -m autograder"] + sys.argv[1:]
try:
    runpy.run_module("autograder", run_name="__main__")
except SystemExit:
    pass
print("peak_kib", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_mib(grader: Path, submitted: Path, out: Path, call_timeout: float) -> tuple[float, float]:
    """(peak MiB of the grading process, the student's score)."""
    import json

    proc = subprocess.run([sys.executable, "-c", MEASURE, "grade", str(submitted), "--out", str(out), "--course",
                           str(REPO), "--jobs", "1", "--quiet",
                           "--call-timeout", str(call_timeout), "--submission-timeout", str(10 * call_timeout)],
                          cwd=grader, capture_output=True, text=True, check=False)
    last = (proc.stdout.strip().splitlines() or [""])[-1]
    if not last.startswith("peak_kib "):
        raise SystemExit(f"the grading command failed:\n{proc.stdout}\n{proc.stderr}")
    score = json.loads((out / "grades.json").read_text())["submissions"][0]["score"]
    return int(last.split()[1]) / 1024, score


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--calls", type=int, default=20000, help="allowed helper calls per case")
    ap.add_argument("--call-timeout", type=float, default=120.0, help="seconds per call (the calls take time)")
    ap.add_argument("--grader", type=Path, default=REPO, help="the checkout whose grader is measured")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        tmp = Path(tmp)
        factory.write_submission(tmp / "honest", "honest")
        factory.write_many_calls(tmp / "many", "many_calls", args.calls)
        honest, honest_score = peak_mib(args.grader, tmp / "honest", tmp / "out-honest", args.call_timeout)
        many, many_score = peak_mib(args.grader, tmp / "many", tmp / "out-many", args.call_timeout)
    print(f"grader: {args.grader.resolve()}")
    print(f"{'student':<12} {'score':>6} {'peak MiB':>9}")
    print(f"{'honest':<12} {honest_score:>6g} {honest:>9.0f}")
    print(f"{'many_calls':<12} {many_score:>6g} {many:>9.0f}   ({args.calls} helper calls per case; "
          f"{many / honest:.2f}x the honest student's)")


if __name__ == "__main__":
    main()
