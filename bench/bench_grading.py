"""Grading speed: `python -m autograder grade` against stock `nbgrader autograde`, same class.

    python bench/bench_grading.py [--n 100] [--jobs N] [--keep DIR]

Builds a temporary copy of the course (source/ + nbgrader_config.py), releases
it with `nbgrader generate_assignment`, writes N submissions with
tools/factory.py (a third correct, a few untouched releases, the rest with one
to three plausible mistakes), then grades the class both ways and prints the
seconds per submission of each, their ratio, and whether every unit's score
agrees. Exits non-zero when any score differs.
"""
import argparse
import json
import os
import random
import shutil
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
    course_root = course_tools.make_course_copy(root)
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


def grade_with_command(course_root, out, jobs=None):
    """Our command on course_root/submitted; returns ({student: {unit: score}}, seconds)."""
    cmd = [sys.executable, "-m", "autograder", "grade", str(Path(course_root) / "submitted"), "--out", str(out),
           "--course", str(course_root), "--force", "--quiet"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"grading failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    seconds = time.perf_counter() - start
    doc = json.loads((Path(out) / "grades.json").read_text())
    return {s["student"]: {t["name"]: float(t["score"]) for t in s["tests"]} for s in doc["submissions"]}, seconds


def grade_with_nbgrader(course_root):
    """Stock `nbgrader autograde` on course_root/submitted; returns ({student: {unit: score}}, seconds)."""
    start = time.perf_counter()
    course_tools.autograde(course_root)           # one command for the whole class
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


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=100, help="number of submissions (default 100)")
    p.add_argument("--jobs", type=int, default=None, help="parallel sandboxes for our command (default: CPUs)")
    p.add_argument("--keep", default=None, help="build the course here and keep it")
    args = p.parse_args(argv)
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        print(f"course copy: {root}; releasing with nbgrader generate_assignment ...", flush=True)
        course_root = make_course(root)
        roster = write_class(course_root, args.n)
        kinds = {"correct": sum(not v for v in roster.values()),
                 "release": sum(v == ["release"] for v in roster.values())}
        kinds["with mistakes"] = args.n - kinds["correct"] - kinds["release"]
        print(f"{args.n} submissions: " + ", ".join(f"{v} {k}" for k, v in kinds.items()), flush=True)
        ours, t_ours = grade_with_command(course_root, root / "out", args.jobs)
        print(f"python -m autograder grade: {t_ours:7.1f} s", flush=True)
        theirs, t_nbg = grade_with_nbgrader(course_root)
        print(f"nbgrader autograde:         {t_nbg:7.1f} s", flush=True)
        diffs = differences(ours, theirs)
        n = args.n
        print()
        print(f"{'':28s}{'s/submission':>14s}")
        print(f"{'python -m autograder grade':28s}{t_ours / n:14.3f}   (jobs={args.jobs or os.cpu_count()})")
        print(f"{'nbgrader autograde':28s}{t_nbg / n:14.3f}")
        print(f"{'ratio (nbgrader / ours)':28s}{t_nbg / t_ours:14.1f}x")
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
