"""Command line: python -m autograder {grade,release,sync,demo,gradescope}.

    python -m autograder grade PATH... --out DIR [--jobs N] [--force] [--gradebook] [--course DIR]
                               [--isolation {auto,bwrap,process}] [--sandbox-user NAME]
    python -m autograder release [--course DIR]
    python -m autograder sync [--check] [--course DIR]
    python -m autograder demo [--course DIR]
    python -m autograder gradescope --out autograder.zip [--course DIR] [--assignment NAME]

Exit status 0 when every submission was graded (whatever the scores);
2 with a message when the command could not run.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "submissions"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade submissions in a sandbox, in parallel")
    g.add_argument("paths", nargs="+", metavar="PATH",
                   help="a submitted notebook, a folder of notebooks, or an nbgrader submitted/ folder")
    g.add_argument("--out", required=True, metavar="DIR", help="where grades.json, grades.csv, ... go")
    g.add_argument("--jobs", type=int, default=None, help="parallel sandboxes (default: CPU count)")
    g.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    g.add_argument("--gradebook", action="store_true", help="also write the scores into nbgrader's gradebook")
    _common(g)
    g.add_argument("--assignment", default=None, help="assignment name under source/ (default: bptt)")
    g.add_argument("--memory-mb", type=int, default=2048, help="address-space limit of a sandbox (MiB)")
    g.add_argument("--cell-timeout", type=float, default=30.0, help="seconds per notebook cell")
    g.add_argument("--call-timeout", type=float, default=10.0, help="seconds per call of a student function")
    g.add_argument("--submission-timeout", type=float, default=600.0, help="seconds per submission, all in")
    g.add_argument("--grace", type=float, default=3.0,
                   help="seconds the grader waits past a timeout before killing a sandbox that ignores it")
    g.add_argument("--hide", action="append", default=[], metavar="DIR",
                   help="another folder to make invisible inside the sandbox (repeatable)")
    g.add_argument("--isolation", choices=("auto", "bwrap", "process"), default="auto",
                   help="how student code is isolated: auto = bwrap (refuses with the cause and the fix if bwrap "
                        "cannot start); process = a separate process as --sandbox-user, protected by file "
                        "permissions only (weaker; only when asked)")
    g.add_argument("--sandbox-user", default="bptt-student", metavar="NAME",
                   help="unprivileged user that runs student code (default: bptt-student)")
    g.add_argument("--quiet", action="store_true", help="no progress bar, no summary")
    r = sub.add_parser("release", help="generate release/ with nbgrader (autograder.course.generate_release)")
    _common(r)
    sy = sub.add_parser("sync", help="rewrite the generated regions of the notebooks and docs from autograder/units.py "
                                     "(release does it first)")
    sy.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 and name the files if any generated region is out of date")
    _common(sy)
    d = sub.add_parser("demo", help="release, then grade examples/submissions/ into grades/")
    _common(d)
    gs = sub.add_parser("gradescope", help="write the Gradescope autograder bundle (autograder.gradescope)")
    gs.add_argument("--out", default="autograder.zip", metavar="ZIP", help="the zip to write (default: autograder.zip)")
    gs.add_argument("--assignment", default=None, help="assignment name under source/ (default: bptt)")
    _common(gs)
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--course", default=str(ROOT), metavar="DIR", help="nbgrader course root (default: the repo)")


def cmd_grade(args: argparse.Namespace) -> int:
    from .grade import grade_batch
    from .report import summary_table

    limits = dict(memory_mb=args.memory_mb, cell_timeout=args.cell_timeout, call_timeout=args.call_timeout,
                  submission_timeout=args.submission_timeout, grace=args.grace)
    plan, entries = grade_batch(args.paths, args.out, course_root=args.course, jobs=args.jobs, force=args.force,
                                progress=not args.quiet, assignment=args.assignment, limits=limits,
                                hide=args.hide, isolation=args.isolation, sandbox_user=args.sandbox_user)
    if args.gradebook:
        from .gradebook import write_scores

        write_scores(plan, entries)
    if not args.quiet:
        print(summary_table(plan, entries))
        print(f"\n{len(entries)} submission(s) graded; results in {Path(args.out).resolve()}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from .course import generate_release

    generate_release(Path(args.course))
    print(f"released into {Path(args.course).resolve() / 'release'}")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from .generated import sync_course

    changed = sync_course(Path(args.course), check=args.check)
    if args.check:
        for path in changed:
            print(f"out of date: {path} (run `python -m autograder sync`)")
        return 1 if changed else 0
    print("\n".join(f"rewrote {path}" for path in changed) or "every generated region is up to date")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    cmd_release(args)
    grade_args = _parser().parse_args(["grade", str(EXAMPLES), "--out", str(Path(args.course) / "grades"),
                                       "--course", args.course, "--force"])
    return cmd_grade(grade_args)


def cmd_gradescope(args: argparse.Namespace) -> int:
    from .gradescope.bundle import build_bundle

    plan, names = build_bundle(args.out, args.course, args.assignment)
    out = Path(args.out).resolve()
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB, {len(names)} files): {plan.assignment}, "
          f"{len(plan.units)} units, {plan.max_score:g} points")
    print("upload it in Gradescope: Programming Assignment > Configure Autograder > Zip file upload "
          "(base image Ubuntu 24.04). It holds the hidden checks: keep it private.")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    from .errors import GraderError

    args = _parser().parse_args(argv)
    handler = {"grade": cmd_grade, "release": cmd_release, "sync": cmd_sync, "demo": cmd_demo,
               "gradescope": cmd_gradescope}[args.command]
    try:
        return handler(args)
    # RuntimeError: course.NbgraderError (a failed nbgrader command) and the sandbox layer's own
    # errors; sandbox/ is standalone and does not derive from GraderError.
    except (GraderError, OSError, RuntimeError) as exc:
        print(f"python -m autograder {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; students graded so far are kept in the output folder's cache", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
