"""Where our grading command's time goes, split by stage, for this checkout and an earlier one.

    python bench/bench_grading_split.py --before DIR [--n 10] [--pairs 2]

`bench_grading.py` gives one number per run (seconds per submission, and the ratio to stock
nbgrader). When that number moves between two commits, this bench says why. Each checkout
builds its own course copy and its own class of N submissions with its own
`bench/bench_grading.py` (same recipe, same seed: a third correct, a few untouched releases, the
rest with one to three plausible mistakes; each course has the units it had then), grades it
with one job, so that everything but the sandbox runs in the profiled process, under cProfile,
and the runs alternate (before, this, this, before, ...) so that both see the same load.

The stages, read from the profile:
  boot       starting a sandbox and running the submission's notebooks in it (Grader._boot)
  cases      the hidden cases, run by the student's code in the sandbox (Worker.call from
             the grading loop), with their count and the time per call
  probes     the diagnosis's extra runs of the student's code (Worker.call from the probe runner)
  judging    the grader's own work on the replies: comparing with the reference and the
             diagnosis (the rest of Grader._grade_unit)
  close      stopping the sandbox and deleting what it wrote (Worker.close)
  rest       everything else in the process: start-up, reading notebooks, the reference's
             hidden cases, writing the outputs
Each profiled run is followed by the same grading unprofiled with the default jobs (as
bench_grading.py times it), whose seconds per submission are printed with the ratio of the two
trees. Times are medians over the pairs, in seconds per submission (profiled, so the grader's own
Python runs slower than unprofiled; the sandbox does not, as it is another process).
"""
import argparse
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

MAKE_CLASS = r"""
import sys
from pathlib import Path
sys.path.insert(0, ".")
import bench.bench_grading as b
b.GRADER = Path(".").resolve()
root = Path(sys.argv[1])
course_root = b.make_course(root)
b.write_class(course_root, int(sys.argv[2]))
print(course_root)
"""


def make_class(checkout, root, n):
    """The course copy (path) of `checkout`, with n submissions written by its own bench."""
    proc = subprocess.run([sys.executable, "-c", MAKE_CLASS, str(root), str(n)], cwd=checkout,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{checkout}: could not build the class:\n{proc.stderr[-3000:]}")
    return Path(proc.stdout.split()[-1])


def grade(checkout, course_root, out, prof=None):
    """Grade course_root/submitted with `checkout`'s command: under cProfile with one job when
    `prof` is given, else unprofiled with its default jobs (one per CPU); returns the seconds."""
    cmd = [sys.executable] + (["-m", "cProfile", "-o", str(prof)] if prof else []) + [
        "-m", "autograder", "grade", str(course_root / "submitted"), "--out", str(out),
        "--course", str(course_root), "--force", "--quiet"] + (["--jobs", "1"] if prof else [])
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=checkout, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{checkout}: grading failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def _find(stats, filename, name):
    """The profile entries of function `name` defined in a file ending in `filename`."""
    return [(key, value) for key, value in stats.stats.items()
            if key[0].endswith(filename) and key[2] == name]


def _cum(stats, filename, name):
    return sum(value[3] for _, value in _find(stats, filename, name))


def split(prof):
    """{stage: seconds} and {'case calls': n, 'probe calls': n} of one profile."""
    stats = pstats.Stats(str(prof))
    total = stats.total_tt
    grade = _cum(stats, "grade.py", "grade")
    unit = _cum(stats, "grade.py", "_grade_unit")
    boot = _cum(stats, "grade.py", "_boot")
    close = _cum(stats, "jail.py", "close")
    cases = probes = 0.0
    n_cases = n_probes = 0
    for _, (_cc, _nc, _tt, _ct, callers) in _find(stats, "jail.py", "call"):
        for caller, (_c, ncalls, _t, ct) in callers.items():
            if caller[2] == "run":                 # the diagnosis's probe runner
                probes += ct
                n_probes += ncalls
            else:                                  # the grading loop (a closure in new trees)
                cases += ct
                n_cases += ncalls
    return ({"boot": boot, "cases": cases, "probes": probes, "judging": unit - boot - cases - probes,
             "close": close, "rest": total - grade, "total": total},
            {"case calls": n_cases, "probe calls": n_probes})


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--before", required=True, help="a checkout of the earlier commit")
    p.add_argument("--n", type=int, default=10, help="submissions per class (default 10)")
    p.add_argument("--pairs", type=int, default=2, help="profiled runs per checkout (default 2)")
    args = p.parse_args(argv)
    trees = {"before": Path(args.before).resolve(), "this": REPO}
    root = Path(tempfile.mkdtemp(prefix="bench-split-"))
    courses = {name: make_class(tree, root / name, args.n) for name, tree in trees.items()}
    runs = {name: [] for name in trees}
    counts = {}
    walls = {name: [] for name in trees}
    order = []
    for i in range(args.pairs):
        order += ["before", "this"] if i % 2 == 0 else ["this", "before"]
    for j, name in enumerate(order):
        prof = root / f"{name}-{j}.prof"
        grade(trees[name], courses[name], root / f"out-{name}", prof)
        stages, counts[name] = split(prof)
        runs[name].append(stages)
        walls[name].append(grade(trees[name], courses[name], root / f"out-{name}") / args.n)
        print(f"run {j + 1}/{len(order)}: {name} {stages['total'] / args.n:.3f} s/submission profiled, "
              f"{walls[name][-1]:.3f} unprofiled", flush=True)
    print(f"\n{args.n} submissions per class; seconds per submission, median of {args.pairs} profiled runs")
    print(f"{'stage':<10} {'before':>9} {'this':>9} {'change':>9}")
    med = {name: {k: statistics.median(r[k] for r in rs) / args.n for k in rs[0]} for name, rs in runs.items()}
    for stage in med["this"]:
        a, b = med["before"][stage], med["this"][stage]
        print(f"{stage:<10} {a:9.3f} {b:9.3f} {b - a:+9.3f}")
    print(f"\n{'count':<22} {'before':>9} {'this':>9}")
    for key in counts["this"]:
        print(f"{key + ' per submission':<22} {counts['before'][key] / args.n:9.1f} {counts['this'][key] / args.n:9.1f}")
    for key, calls in (("cases", "case calls"), ("probes", "probe calls")):
        per = {name: med[name][key] * args.n / max(1, counts[name][calls]) * 1000 for name in trees}
        print(f"{'ms per ' + key[:-1] + ' call':<22} {per['before']:9.2f} {per['this']:9.2f}")
    wall = {name: statistics.median(w) for name, w in walls.items()}
    ratios = [b / a for a, b in zip(walls["before"], walls["this"])]
    print(f"\nunprofiled, default jobs: before {wall['before']:.3f}, this {wall['this']:.3f} s/submission; "
          f"this/before per run {', '.join(f'{r:.2f}' for r in ratios)}")
    print(f"profiles kept in {root}")


if __name__ == "__main__":
    main()
