"""Grading speed: `python -m autograder grade` against stock `nbgrader autograde`, same class.

    python bench/bench_grading.py [--n 20] [--pairs 3] [--many 200] [--jobs N] [--grader DIR] [--keep DIR]

Builds a temporary copy of the course (source/ + nbgrader_config.py), releases
it with `nbgrader generate_assignment`, writes N submissions with
tools/factory.py (a third correct, a few untouched releases, the rest with one
to three plausible mistakes), then:

1. grades the class both ways in alternating, paired runs (ours then nbgrader, then
   nbgrader then ours, ...): each pair's ratio is taken on the same machine load, so
   the median ratio does not follow the load the way two separate runs would;
2. grades a class of MANY submissions with our command at --jobs 2 and prints the
   amortized seconds per submission;
3. starts and closes one sandbox 20 times (the fixed cost of a submission) and prints
   the amortized time per submission as a multiple of it.

Exits non-zero when any unit's score differs between the two graders.
--grader DIR times the `python -m autograder` of another checkout (an earlier commit,
for a before/after comparison); its hidden checks also serve nbgrader's kernels.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import course  # noqa: E402
from tools import course_tools  # noqa: E402
from tools import factory  # noqa: E402

ASSIGNMENT = "bptt"


def make_course(root):
    """A released copy of the course under `root` (source/, nbgrader_config.py, gradebook, release/)."""
    course_root = course_tools.make_course_copy(root, source_root=GRADER)   # the grader's own nbgrader_config.py
    course.generate_release(course_root)
    return course_root


def write_class(course_root, n, seed=0):
    """N submissions under course_root/submitted/: {student: list of mistake names (or 'release')}."""
    rng = random.Random(seed)
    names = sorted(factory.MISTAKES)
    submitted = Path(course_root) / "submitted"
    roster = {}
    for i in range(n):
        student = f"s{i:03d}"
        if i % 3 == 0:
            chosen = []
        elif i % 10 == 1:
            chosen = ["release"]
        else:
            chosen = []
            for name in rng.sample(names, rng.randint(1, 3)):
                if factory.MISTAKES[name][0] not in {factory.MISTAKES[c][0] for c in chosen}:
                    chosen.append(name)
        if chosen == ["release"]:
            factory.write_release_as_is(submitted, student, release_dir=Path(course_root) / "release" / ASSIGNMENT)
        else:
            replacements = {factory.MISTAKES[c][0]: factory.MISTAKES[c][1] for c in chosen}
            factory.write_submission(submitted, student, replacements)
        roster[student] = chosen
    return roster


GRADER = REPO     # the checkout whose `python -m autograder` is timed (--grader)


def grade_with_command(course_root, out, jobs=None):
    """Our command on course_root/submitted; returns ({student: {unit: score}}, seconds)."""
    cmd = [sys.executable, "-m", "autograder", "grade", str(Path(course_root) / "submitted"), "--out", str(out),
           "--course", str(course_root), "--force", "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=GRADER, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"grading failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    seconds = time.perf_counter() - start
    doc = json.loads((Path(out) / "grades.json").read_text())
    return {s["student"]: {t["name"]: float(t["score"]) for t in s["tests"]} for s in doc["submissions"]}, seconds


def grade_with_nbgrader(course_root):
    """Stock `nbgrader autograde` on course_root/submitted; returns ({student: {unit: score}}, seconds)."""
    start = time.perf_counter()
    try:
        course_tools.autograde(course_root, autograder_root=GRADER)           # one command for the whole class
    except course.NbgraderError as exc:   # a kernel that did not start on a loaded machine: its scores differ below
        print(f"nbgrader autograde reported an error: {str(exc).splitlines()[0][:200]}", flush=True)
    seconds = time.perf_counter() - start
    cells = course_tools.gradebook_scores(course_root, cells=True)
    return {student: {grade_id[len("test_"):]: float(score)
                      for per_cell in notebooks.values() for grade_id, score in per_cell.items()
                      if grade_id.startswith("test_")}
            for student, notebooks in cells.items()}, seconds


def differences(ours, theirs):
    """[(student, unit, ours, nbgrader)] where the scores differ (a missing entry counts as a difference)."""
    diffs = []
    for student in sorted(set(ours) | set(theirs)):
        a, b = ours.get(student, {}), theirs.get(student, {})
        for unit in sorted(set(a) | set(b)):
            if a.get(unit) != b.get(unit):
                diffs.append((student, unit, a.get(unit), b.get(unit)))
    return diffs


SANDBOX_COST = r"""
import sys, time, statistics
from autograder.grade import load_plan, make_config, release_config
from autograder.sandbox.jail import Worker
plan = load_plan(sys.argv[1])
cfg = make_config(plan, sys.argv[2], [sys.argv[1]])
times = []
try:
    for _ in range(21):
        start = time.perf_counter()
        w = Worker(cfg)
        w.start()
        w.close()
        times.append(time.perf_counter() - start)
finally:
    release_config(cfg)
print(statistics.median(times[1:]))
"""


def sandbox_seconds(course_root, out):
    """Median seconds to start and close one sandbox (the grader's fixed cost per submission)."""
    proc = subprocess.run([sys.executable, "-c", SANDBOX_COST, str(course_root), str(out)], cwd=GRADER,
                          capture_output=True, text=True, check=True)
    return float(proc.stdout.split()[-1])


# The speed guard (tests/test_speed_guard.py, CI's slow tier): one job grades GUARD_SUBMISSIONS
# submissions of the mixed class, and the time per submission may be at most GUARD_RATIO times
# the sandbox's start-and-close cost, both measured in the same run. Measured on 2 cores with
# eight other jobs running: 3.3x (1.43 s against 0.44 s); the bound leaves room for noise but
# not for a sandbox per unit or a diagnosis run on passing units.
GUARD_SUBMISSIONS = 9
GUARD_RATIO = 8.0


def guard_measure(root, n=GUARD_SUBMISSIONS):
    """(seconds per submission graded with one job, seconds to start and close one sandbox)."""
    course_root = make_course(Path(root))
    write_class(course_root, n)
    _, seconds = grade_with_command(course_root, Path(root) / "out", jobs=1)
    return seconds / n, sandbox_seconds(course_root, Path(root) / "sandbox-out")


def paired(course_root, out, pairs, jobs):
    """[(ours seconds, nbgrader seconds)] from alternating runs; also the two graders' scores."""
    times, ours, theirs = [], None, None
    for i in range(pairs):
        if i % 2 == 0:
            ours, t_ours = grade_with_command(course_root, out, jobs)
            theirs, t_nbg = grade_with_nbgrader(course_root)
        else:
            theirs, t_nbg = grade_with_nbgrader(course_root)
            ours, t_ours = grade_with_command(course_root, out, jobs)
        times.append((t_ours, t_nbg))
        print(f"pair {i + 1}: ours {t_ours:6.2f} s, nbgrader {t_nbg:6.1f} s, ratio {t_nbg / t_ours:5.1f}x", flush=True)
    return times, ours, theirs


def main(argv=None):
    global GRADER
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=20, help="submissions in the paired comparison (default 20)")
    p.add_argument("--pairs", type=int, default=3, help="paired runs of the two graders (default 3)")
    p.add_argument("--many", type=int, default=200, help="submissions for the amortized figure (0: skip)")
    p.add_argument("--jobs", type=int, default=None, help="parallel sandboxes in the paired runs (default: CPUs)")
    p.add_argument("--grader", default=str(REPO), help="checkout whose python -m autograder is timed")
    p.add_argument("--keep", default=None, help="build the course here and keep it")
    args = p.parse_args(argv)
    GRADER = Path(args.grader).resolve()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        print(f"grader: {GRADER}; course copy: {root}; releasing with nbgrader generate_assignment ...", flush=True)
        course_root = make_course(root)
        roster = write_class(course_root, args.n)
        kinds = {"correct": sum(not v for v in roster.values()),
                 "release": sum(v == ["release"] for v in roster.values())}
        kinds["with mistakes"] = args.n - kinds["correct"] - kinds["release"]
        print(f"{args.n} submissions: " + ", ".join(f"{v} {k}" for k, v in kinds.items()), flush=True)
        times, ours, theirs = paired(course_root, root / "out", args.pairs, args.jobs)
        ratios = sorted(nbg / own for own, nbg in times)
        t_ours = statistics.median(own for own, _ in times)
        t_nbg = statistics.median(nbg for _, nbg in times)
        diffs = differences(ours, theirs)
        n = args.n
        print()
        print(f"{'':28s}{'s/submission':>14s}")
        print(f"{'python -m autograder grade':28s}{t_ours / n:14.3f}   (jobs={args.jobs or os.cpu_count()}, median)")
        print(f"{'nbgrader autograde':28s}{t_nbg / n:14.3f}   (median)")
        print(f"{'ratio (nbgrader / ours)':28s}{statistics.median(ratios):14.1f}x   "
              f"(paired, median of {len(ratios)}; range {ratios[0]:.1f}x to {ratios[-1]:.1f}x)")
        if args.many:
            many_root = make_course(root / "many")
            write_class(many_root, args.many, seed=1)
            _, t_many = grade_with_command(many_root, root / "many-out", jobs=2)
            start_close = sandbox_seconds(many_root, root / "sandbox-out")
            per = t_many / args.many
            print(f"{'amortized, --jobs 2':28s}{per:14.3f}   ({args.many} submissions, {t_many:.1f} s)")
            print(f"{'start + close one sandbox':28s}{start_close:14.3f}   "
                  f"(amortized submission = {per / start_close:.2f}x that)")
        totals = sorted({round(sum(v.values()), 3) for v in ours.values()})
        print(f"distinct totals: {totals}")
        if diffs:
            print(f"\nSCORES DIFFER in {len(diffs)} (student, unit) pairs:")
            for d in diffs[:30]:
                print(f"  {d[0]} {d[1]}: ours {d[2]}, nbgrader {d[3]}  (mistakes: {roster.get(d[0])})")
            return 1
        print(f"scores identical for all {n} submissions, unit by unit "
              f"({sum(len(v) for v in ours.values())} unit scores)")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
