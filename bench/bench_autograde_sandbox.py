"""`nbgrader autograde` time per submission, the kernel in the sandbox against the stock kernel, side by side.

    python bench/bench_autograde_sandbox.py [--students ada,cai,...] [--pairs 1]

Builds two released copies of the course with the sample class (examples/submissions): one with
nbgrader_config.py as shipped (every kernel through autograder/sandbox/kernel.py), one whose
GradingExecute keeps nbgrader's stock kernel manager (the one line that installs the sandboxed
one is taken out of that copy). Each pair autogrades the same students in both, in alternating
order (sandboxed first, then stock first, ...), so that both sides of a pair share the machine's
load. Prints seconds per submission of each side and their ratio per pair, then the median
ratio, and exits non-zero if the two sides' exported scores differ.
"""
import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograder import course  # noqa: E402
from tools import course_tools  # noqa: E402

HOOK = "self.kernel_manager_class = _sandboxed_kernel_manager(root)"
EXAMPLES = REPO / "examples" / "submissions"


def make_course(top, students, sandboxed):
    root = course_tools.make_course_copy(top)
    config = root / "nbgrader_config.py"
    text = config.read_text()
    if HOOK not in text:
        raise SystemExit(f"nbgrader_config.py no longer has the line {HOOK!r}: update this bench")
    if not sandboxed:
        config.write_text(text.replace(HOOK, "pass  # the stock kernel manager (bench)"))
    course.generate_release(root)
    for student in students:
        shutil.copytree(EXAMPLES / student, root / "submitted" / student)
    return root


def autograde(root, n):
    start = time.perf_counter()
    try:
        course_tools.autograde(root)
    except course.NbgraderError as exc:   # the sample class's eli handed in a truncated notebook: exit 1
        if "NotJSONError" not in str(exc):
            raise
    return (time.perf_counter() - start) / n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", default=",".join(sorted(p.name for p in EXAMPLES.iterdir())))
    parser.add_argument("--pairs", type=int, default=1)
    args = parser.parse_args()
    students = args.students.split(",")
    ratios, scores = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        print(f"{'pair':>4}  {'sandboxed s/sub':>15}  {'stock s/sub':>11}  {'ratio':>6}")
        for pair in range(args.pairs):
            roots = {side: make_course(Path(tmp) / f"{side}-{pair}", students, side == "sandboxed")
                     for side in ("sandboxed", "stock")}
            order = ["sandboxed", "stock"] if pair % 2 == 0 else ["stock", "sandboxed"]
            seconds = {side: autograde(roots[side], len(students)) for side in order}
            for side in order:
                scores[side] = course_tools.read_export(course_tools.export_grades(roots[side]))
            ratios.append(seconds["sandboxed"] / seconds["stock"])
            print(f"{pair:>4}  {seconds['sandboxed']:>15.2f}  {seconds['stock']:>11.2f}  {ratios[-1]:>6.2f}")
    print(f"median ratio (sandboxed / stock): {statistics.median(ratios):.2f} over {len(ratios)} pair(s), "
          f"{len(students)} submissions each")
    if scores["sandboxed"] != scores["stock"]:
        print(f"scores differ: sandboxed {scores['sandboxed']} stock {scores['stock']}")
        return 1
    print(f"scores identical: {scores['sandboxed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
