"""The Autograde button's time per submission, before and after the judge, side by side in one run.

    python bench/bench_autograde_judge.py --before DIR [--n 4] [--pairs 2] [--keep DIR]

DIR is a checkout of the commit before the judge (e.g. `git worktree add /tmp/before 8dcb460`),
whose nbgrader autograde scored the student's kernel. One class of N submissions (all four
notebooks, as in bench/bench_grading.py: a third correct, the rest with one to three mistakes) is
written once and autograded by `nbgrader autograde` in two course copies: one released by DIR with
DIR's nbgrader_config.py ("before"), one by this checkout ("after": the kernel's run plus
`python -m autograder judge` once per student). The runs alternate (before, after, then after,
before, ...), so each pair's ratio is taken on the same machine load, and the median pair ratio
is printed with the target: the judge adds at most 10 % (ratio <= 1.10). Exits 1 past it.
"""
import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tools import course_tools  # noqa: E402
from bench import bench_grading  # noqa: E402

TARGET = 1.10


def released_copy(tmp, checkout):
    """A course copy made from `checkout` (its source/ and nbgrader_config.py), released by its own command."""
    root = course_tools.make_course_copy(tmp, source_root=checkout)
    proc = subprocess.run([sys.executable, "-m", "autograder", "release", "--course", str(root), "--quiet"],
                          cwd=checkout, capture_output=True, text=True,
                          env=dict(__import__("os").environ, BPTT_AUTOGRADER_ROOT=str(checkout)))
    if proc.returncode != 0:
        raise SystemExit(f"release in {checkout} failed:\n{proc.stderr[-3000:]}")
    return root


def autograde_seconds(root, checkout):
    start = time.perf_counter()
    try:
        course_tools.autograde(root, autograder_root=checkout)
    except Exception as exc:   # a kernel that did not start on a loaded machine: reported, still timed
        print(f"  nbgrader autograde reported an error: {str(exc).splitlines()[0][:200]}", flush=True)
    return time.perf_counter() - start


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--before", required=True, type=Path, help="a checkout of the commit before the judge")
    p.add_argument("--n", type=int, default=4, help="submissions in the class")
    p.add_argument("--pairs", type=int, default=2, help="paired runs (before and after on the same load)")
    p.add_argument("--keep", type=Path, default=None, help="keep the course copies here")
    args = p.parse_args(argv)
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="bptt-bench-judge-"))
    before = released_copy(tmp / "before", args.before.resolve())
    after = released_copy(tmp / "after", REPO)
    bench_grading.write_class(after, args.n)
    shutil.copytree(after / "submitted", before / "submitted")
    ratios, times = [], {"before": [], "after": []}
    for pair in range(args.pairs):
        order = [("before", before, args.before.resolve()), ("after", after, REPO)]
        if pair % 2:
            order.reverse()
        seconds = {}
        for name, root, checkout in order:
            seconds[name] = autograde_seconds(root, checkout) / args.n
            times[name].append(seconds[name])
        ratios.append(seconds["after"] / seconds["before"])
        print(f"pair {pair + 1}: before {seconds['before']:.1f} s/submission, after {seconds['after']:.1f} "
              f"s/submission, ratio {ratios[-1]:.3f}", flush=True)
    ratio = statistics.median(ratios)
    print(f"\nnbgrader autograde, {args.n} submissions x 4 notebooks, {args.pairs} pairs:")
    print(f"  before (the kernel decides)     {statistics.median(times['before']):6.1f} s per submission")
    print(f"  after  (kernel run + the judge) {statistics.median(times['after']):6.1f} s per submission")
    print(f"  median pair ratio {ratio:.3f} (target <= {TARGET:.2f}): {'met' if ratio <= TARGET else 'NOT met'}")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
