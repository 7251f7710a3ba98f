"""Command line: python -m autograder {grade,judge,report,release,sync,demo,gradescope}.

    python -m autograder grade PATH... --out DIR [--jobs N] [--force] [--gradebook] [--course DIR]
                               [--isolation {auto,bwrap,process}] [--allow-unbounded-disk] [--sandbox-user NAME]
    python -m autograder judge FOLDER [--course DIR] [--isolation ...] [--sandbox-user NAME]
    python -m autograder report DIR
    python -m autograder release [--course DIR]
    python -m autograder sync [--check] [--course DIR]
    python -m autograder demo [--course DIR] [--sandbox-user NAME]
    python -m autograder gradescope --out autograder.zip [--course DIR] [--assignment NAME]

Every subcommand takes -v/--verbose (details, e.g. nbgrader's output on a failure) and
-q/--quiet (only warnings, errors and the results). Progress goes to stderr through `logging`;
results (the class table) go to stdout.

Exit status 0 when the command did its job (for grade: every submission was graded, whatever
the scores); 1 when some student could not be graded (their row in grades.json has zeros,
"graded": false and a note saying why), or when `sync --check` finds a generated region out
of date; 2 with a one-line message on stderr when it could not run (a configuration, sandbox
or nbgrader problem).
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "submissions"
DEFAULT_SANDBOX_USER = "bptt-student"

log = logging.getLogger("autograder")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m autograder", description=(__doc__ or "").split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade submissions in a sandbox, in parallel")
    g.add_argument("paths", nargs="+", metavar="PATH",
                   help="a submitted notebook, a folder of notebooks, or an nbgrader submitted/ folder")
    g.add_argument("--out", required=True, metavar="DIR", help="where grades.json, grades.csv, ... go")
    g.add_argument("--jobs", type=int, default=None, help="parallel sandboxes (default: CPU count)")
    g.add_argument("--force", action="store_true", help="regrade even unchanged submissions; replace results in --out that cannot be kept")
    g.add_argument("--gradebook", action="store_true",
                   help="also write the scores into nbgrader's gradebook, and fold in the scores graders gave the "
                        "written answers there (formgrader)")
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
    _disk(g)
    _sandbox_user(g)
    j = sub.add_parser("judge", help="grade ONE student's folder in the sandbox; print the verdicts as JSON "
                                     "(what nbgrader's Autograde records: autograder/verdicts.py)")
    j.add_argument("folder", metavar="FOLDER", help="one student's submission, e.g. submitted/<student>/")
    _common(j)
    j.add_argument("--assignment", default=None, help="assignment name under source/ (default: bptt)")
    j.add_argument("--isolation", choices=("auto", "bwrap", "process"), default="auto",
                   help="as for grade")
    _disk(j)
    _sandbox_user(j)
    rp = sub.add_parser("report", help="write DIR/class_report.html and .json from DIR/grades.json")
    rp.add_argument("out", metavar="DIR", help="the output folder of a grade run (holds grades.json)")
    _common(rp)
    r = sub.add_parser("release", help="generate release/ with nbgrader (autograder.course.generate_release)")
    _common(r)
    sy = sub.add_parser("sync", help="rewrite the generated regions of the notebooks and docs from autograder/units.py "
                                     "(release does it first)")
    sy.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 and name the files if any generated region is out of date")
    _common(sy)
    d = sub.add_parser("demo", help="release, then grade examples/submissions/ into grades/")
    _common(d)
    _sandbox_user(d)
    gs = sub.add_parser("gradescope", help="write the Gradescope autograder bundle (autograder.gradescope)")
    gs.add_argument("--out", default="autograder.zip", metavar="ZIP", help="the zip to write (default: autograder.zip)")
    gs.add_argument("--assignment", default=None, help="assignment name under source/ (default: bptt)")
    _common(gs)
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--course", default=str(ROOT), metavar="DIR", help="nbgrader course root (default: the repo)")
    p.add_argument("-v", "--verbose", action="store_true", help="more detail (e.g. a failed tool's whole output)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress: only warnings, errors and results")


def _disk(p: argparse.ArgumentParser) -> None:
    p.add_argument("--allow-unbounded-disk", action="store_true",
                   help="with --isolation process on a host that refuses the grader a mount namespace (no "
                        "CAP_SYS_ADMIN): grade anyway, without a bound on what a sandbox writes (otherwise refused)")


def _sandbox_user(p: argparse.ArgumentParser) -> None:
    p.add_argument("--sandbox-user", default=DEFAULT_SANDBOX_USER, metavar="NAME",
                   help=f"unprivileged user that runs student code when the grader is root; created when missing "
                        f"(default: {DEFAULT_SANDBOX_USER})")


def cmd_grade(args: argparse.Namespace) -> int:
    from .class_report import PAGE, write_report
    from .errors import GraderError
    from .grade import grade_batch
    from .report import summary_table
    from .sandbox.account import ensure_sandbox_user

    ensure_sandbox_user(args.sandbox_user)
    limits = dict(memory_mb=args.memory_mb, cell_timeout=args.cell_timeout, call_timeout=args.call_timeout,
                  submission_timeout=args.submission_timeout, grace=args.grace)
    plan, entries = grade_batch(args.paths, args.out, course_root=args.course, jobs=args.jobs, force=args.force,
                                progress=not args.quiet, assignment=args.assignment, limits=limits,
                                hide=args.hide, isolation=args.isolation, sandbox_user=args.sandbox_user,
                                allow_unbounded_disk=args.allow_unbounded_disk)
    # Every stage runs whatever another one met: a configuration error (a GraderError: exit 2) is
    # raised once the others are done; anything else is reported and costs exit status 1.
    stages: list[tuple[str, Callable[[], object]]] = [("class report", lambda: write_report(args.out))]
    if args.gradebook:
        from .gradebook import fold_manual_scores, write_scores

        def gradebook() -> None:
            write_scores(plan, entries)
            # The graders' scores of the written answers (formgrader) go into every output file.
            if fold_manual_scores(plan, args.out):
                from .class_report import load

                graded_now = {e.student for e in entries}
                entries[:] = [e for e in load(args.out)[1] if e.student in graded_now]
        stages.insert(0, ("gradebook", gradebook))
    stopped: GraderError | None = None
    broken = []
    for name, stage in stages:
        try:
            stage()
        except GraderError as exc:
            stopped = stopped or exc
        except Exception as exc:
            log.exception("the %s could not be written", name)
            broken.append(f"the {name} could not be written ({type(exc).__name__}: {exc})")
    failed = [e.student for e in entries if not e.graded]
    if not args.quiet:
        print(summary_table(plan, entries))
        print(f"\n{len(entries) - len(failed)} submission(s) graded; results in {Path(args.out).resolve()}; "
              f"class report {Path(args.out) / PAGE}")
    if stopped is not None:
        raise stopped
    for line in broken:
        print(f"python -m autograder grade: {line}", file=sys.stderr)
    if failed:
        print(f"python -m autograder grade: {len(failed)} student(s) could not be graded (their rows say why): "
              f"{', '.join(failed[:20])}{' ...' if len(failed) > 20 else ''}", file=sys.stderr)
    return 1 if failed or broken else 0


def cmd_judge(args: argparse.Namespace) -> int:
    from .sandbox.account import ensure_sandbox_user
    from .verdicts import judge_folder, to_json

    ensure_sandbox_user(args.sandbox_user)
    result = judge_folder(args.folder, args.course, args.assignment, isolation=args.isolation,
                          sandbox_user=args.sandbox_user, allow_unbounded_disk=args.allow_unbounded_disk)
    print(to_json(result))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .class_report import write_report

    page = write_report(args.out)
    print(f"class report: {page.resolve()} (figures for scripts: {page.with_suffix('.json').name})")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from .course import generate_release

    generate_release(Path(args.course))
    log.info("released into %s", Path(args.course).resolve() / "release")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from .generated import sync_course

    changed = sync_course(Path(args.course), check=args.check)
    if args.check:
        for path in changed:
            log.error("out of date: %s (run `python -m autograder sync`)", path)
        return 1 if changed else 0
    for path in changed:
        log.info("rewrote %s", path)
    if not changed:
        log.info("every generated region is up to date")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    cmd_release(args)
    grade_args = _parser().parse_args(["grade", str(EXAMPLES), "--out", str(Path(args.course) / "grades"),
                                       "--course", args.course, "--force", "--sandbox-user", args.sandbox_user]
                                      + ["--quiet"] * args.quiet + ["--verbose"] * args.verbose)
    return cmd_grade(grade_args)


def cmd_gradescope(args: argparse.Namespace) -> int:
    from .gradescope.bundle import build_bundle

    plan, names = build_bundle(args.out, args.course, args.assignment)
    out = Path(args.out).resolve()
    log.info("wrote %s (%d KiB, %d files): %s, %d units, %g points", out, out.stat().st_size // 1024, len(names),
             plan.assignment, len(plan.units), plan.max_score)
    log.info("upload it in Gradescope: Programming Assignment > Configure Autograder > Zip file upload "
             "(base image Ubuntu 24.04). It holds the hidden checks: keep it private.")
    return 0


def one_line(exc: BaseException) -> tuple[str, str]:
    """(the message on one line, the details left out of it): short multi-line messages are joined."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__, ""
    if len(lines) <= 3 and sum(map(len, lines)) <= 400:
        return "; ".join(lines), ""
    # The first line says what went wrong; a line "fix: ..." says what to do: both always shown.
    fixes = [line for line in lines[1:] if line.startswith("fix:")]
    rest = [line for line in lines[1:] if not line.startswith("fix:")]
    return "; ".join([lines[0], *fixes]) + (" (run with -v for the details)" if rest else ""), "\n".join(rest)


def _configure_logging(args: argparse.Namespace) -> None:
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    from .errors import GraderError
    from .sandbox.isolation import IsolationError

    args = _parser().parse_args(argv)
    _configure_logging(args)
    handler = {"grade": cmd_grade, "judge": cmd_judge, "report": cmd_report, "release": cmd_release, "sync": cmd_sync, "demo": cmd_demo,
               "gradescope": cmd_gradescope}[args.command]
    try:
        return handler(args)
    # Only the command's own errors are one line: IsolationError is the sandbox layer's (sandbox/ is
    # standalone and does not derive from GraderError); OSError, a file or folder the command was
    # given that cannot be used. Anything else is a bug of the grader and keeps its traceback.
    except (GraderError, IsolationError, OSError) as exc:
        message, details = one_line(exc)
        print(f"python -m autograder {args.command}: error: {message}", file=sys.stderr)
        if details:
            log.debug("%s", details)
        return 2
    except KeyboardInterrupt:
        print("interrupted; students graded so far are kept in the output folder's cache", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
