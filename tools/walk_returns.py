"""How often the walk of one submission through `python -m autograder grade` returns to a file.

    python tools/walk_returns.py [SUBMISSION_FOLDER] [--course DIR] [--show]

Runs the grading command in this process on one submission (default: the sample class's
ada, examples/submissions/ada; one job, so the pool is not used; the sandbox is started as in
any run) with a profiler hook (sys.setprofile) that sees every Python call. The walk is what the
command's orchestrating code calls, in the order it first calls it: each call site in
autograder/__main__.py or autograder/grade.py that calls into another file of autograder/,
counted at its first call only (a loop over units or cases calls the same site again; that is
one step, not many; two functions called on one line are two steps). A return is a step into a file the walk has already been in, other than
the one it is in. Prints the count, the files entered more than once, and (--show) the walk.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import types
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "autograder"
ORCHESTRATORS = ("__main__.py", "grade.py")


def walk(submission: Path, course: Path) -> list[tuple[str, str, str]]:
    """[(call site 'file:line', function called, file entered)] in first-call order."""
    sys.path.insert(0, str(course))
    from autograder.__main__ import main

    package = str(course / "autograder") + "/"
    orchestrators = {package + name for name in ORCHESTRATORS}
    seen: set[tuple[str, int, types.CodeType]] = set()
    steps: list[tuple[str, str, str]] = []

    def profile(frame: types.FrameType, event: str, arg: object) -> None:
        if event != "call":
            return
        caller = frame.f_back
        if caller is None or caller.f_code.co_filename not in orchestrators:
            return
        target = frame.f_code.co_filename
        if not target.startswith(package) or target == caller.f_code.co_filename:
            return
        site = (caller.f_code.co_filename, caller.f_lineno, frame.f_code)
        if site in seen:
            return
        seen.add(site)
        steps.append((f"{Path(site[0]).name}:{site[1]}", frame.f_code.co_qualname, target[len(package):]))

    with tempfile.TemporaryDirectory(prefix="walk-") as out:
        sys.setprofile(profile)
        try:
            status = main(["grade", str(submission), "--out", out, "--jobs", "1", "--force", "-q",
                           "--course", str(course)])
        finally:
            sys.setprofile(None)
    if status != 0:
        raise SystemExit(f"the grading command exited {status}")
    return steps


def returns(files: list[str]) -> tuple[int, Counter[str]]:
    """(steps into a file already visited, other than the current one; entries per file)."""
    visited: set[str] = set()
    entries: Counter[str] = Counter()
    count, current = 0, None
    for f in files:
        if f == current:
            continue
        entries[f] += 1
        count += f in visited
        visited.add(f)
        current = f
    return count, entries


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("submission", nargs="?", default=str(REPO / "examples" / "submissions" / "ada"))
    p.add_argument("--course", default=str(REPO), help="the checkout whose grader is measured (default: this one)")
    p.add_argument("--show", action="store_true", help="print the walk, one step a line")
    args = p.parse_args(argv)
    steps = walk(Path(args.submission).resolve(), Path(args.course).resolve())
    count, entries = returns([f for _, _, f in steps])
    if args.show:
        for site, func, f in steps:
            print(f"  {site:<16} -> {f} ({func})")
    again = ", ".join(f"{f} {n}x" for f, n in entries.most_common() if n > 1) or "none"
    print(f"{len(steps)} steps over {len(entries)} files; {count} returns to a file already visited "
          f"(entered more than once: {again})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
