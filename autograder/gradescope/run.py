"""What run_autograder runs: grade one student's upload and write Gradescope's results.json.

    python -m autograder.gradescope.run [--root ROOT]     (ROOT: AUTOGRADER_ROOT, default /autograder)

Under ROOT, as Gradescope lays it out:
    ROOT/source/                 the bundle (this package, source/, release/); the course root
    ROOT/submission/             the student's upload: notebooks of any name, in folders or not,
                                 and .zip archives of them
    ROOT/results/results.json    written here, always (Gradescope's documented format)

The notebooks found are copied into one student folder of a temporary directory and
graded by the course's grading command, `python -m autograder grade`, run as a
subprocess exactly as an instructor runs it (grade_command() builds its arguments: the
one place to add an option). Its per-student entry becomes results.json through
report.gradescope(), so both give the same units, scores and diagnoses. Which file
was graded for which notebook, and which notebooks are missing, head the output.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from .. import tree

if TYPE_CHECKING:
    from ..plan import Plan

MAX_UNZIPPED_BYTES = 200 << 20   # per upload, all archives together
MAX_MEMBERS = 5000
MAX_ZIP_DEPTH = 2                # a zip inside a zip is opened; deeper ones are not
STUDENT = "student"

# A grades.json entry in its JSON form (StudentResult.to_json / from_json): decoded JSON, hence Any.
Entry = dict[str, Any]


def choose_isolation(requested: str | None = None) -> str:
    """The isolation to grade this upload with: BPTT_ISOLATION, or bwrap where it can start, else process.

    A Gradescope container holds one upload and runs as root, but Docker's default profile
    usually stops bubblewrap from creating its namespaces. Falling back to process isolation
    (student code as the unprivileged `bptt-student`, the reference and checks unreadable to
    it) is this bundle's documented policy, not a silent downgrade: the mode used is recorded
    in results.json and shown to the instructor. BPTT_ISOLATION=bwrap insists on bubblewrap.
    """
    requested = requested or os.environ.get("BPTT_ISOLATION") or "bwrap-or-process"
    if requested in ("bwrap", "process", "auto"):
        return requested
    if requested != "bwrap-or-process":
        raise ValueError(f"BPTT_ISOLATION={requested!r}: expected bwrap, process or bwrap-or-process")
    from ..sandbox import isolation

    try:
        iso = isolation.resolve("bwrap")
    except isolation.IsolationError:
        return "process"
    isolation.release(iso)
    return "bwrap"


def grade_command(stage: str | Path, out_dir: str | Path, course_root: str | Path, root: str | Path,
                  isolation: str = "bwrap") -> list[str]:
    """The grading command's argument list for one staged upload.

    `root` (the whole Gradescope folder) is hidden from the sandbox besides what the
    grading command hides by itself (the course, the output, the submission, /tmp).
    Process isolation bounds each sandbox's disk where the container allows a mount namespace
    and otherwise grades without that bound: the container holds this one upload, so a filled
    disk costs only its own grade.
    """
    unbounded = ["--allow-unbounded-disk"] if isolation == "process" else []
    return [sys.executable, "-m", "autograder", "grade", str(stage), "--out", str(out_dir),
            "--course", str(course_root), "--jobs", "1", "--force", "--quiet", "--hide", str(root),
            "--isolation", isolation, *unbounded]


# ---- the upload ------------------------------------------------------------------------------

def _safe_relative(name: str) -> Path | None:
    """A zip member name as a relative path inside the extraction folder, or None."""
    parts = [p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "/")]
    if not parts or any(p == ".." for p in parts) or parts[0] == "__MACOSX":
        return None
    return Path(*parts)


def _unzip(archive: Path, dest: Path, notes: list[str], budget: list[int], depth: int = 1) -> None:
    """Extract the notebooks (and nested zips) of `archive` into `dest`; notes what went wrong.

    budget: [bytes left to extract], shared by every archive of the upload and decreased here.
    """
    label = archive.name
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        notes.append(f"{label}: not a readable zip archive ({exc}); not graded")
        return
    with zf:
        members = zf.infolist()
        if len(members) > MAX_MEMBERS:
            notes.append(f"{label}: more than {MAX_MEMBERS} files; not opened")
            return
        for info in members:
            rel = _safe_relative(info.filename)
            suffix = rel.suffix.lower() if rel else ""
            if info.is_dir() or rel is None or suffix not in (".ipynb", ".zip"):
                continue
            if len(rel.parts) > tree.MAX_DEPTH:
                notes.append(f"{label}: {info.filename[:200]} is nested more than {tree.MAX_DEPTH} folders deep; "
                             f"not extracted")
                continue
            if suffix == ".zip" and depth >= MAX_ZIP_DEPTH:
                notes.append(f"{label}: {info.filename} is a zip inside a zip inside a zip; not opened")
                continue
            if info.file_size > budget[0]:
                notes.append(f"{label}: the archive unpacks to more than {MAX_UNZIPPED_BYTES >> 20} MB; "
                             f"{info.filename} and the rest not opened")
                return
            target = dest / rel.with_suffix(suffix)   # the grader looks for *.ipynb, case-sensitively
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                # "x": never over a file or folder already there (x.ipynb and x.ipynb/y.ipynb in one zip).
                with zf.open(info) as src, open(target, "xb") as out:
                    # Read at most the budget: a member may lie about its size.
                    data = src.read(budget[0] + 1)
                    if len(data) > budget[0]:
                        raise ValueError("too large")
                    out.write(data)
            except (FileExistsError, NotADirectoryError, IsADirectoryError):
                notes.append(f"{label}: {info.filename} not extracted: a file and a folder of the upload share "
                             f"its name (or a part of it)")
                continue
            except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError) as exc:
                notes.append(f"{label}: {info.filename} could not be extracted ({exc})")
                if target.is_file():
                    target.unlink(missing_ok=True)
                continue
            budget[0] -= len(data)
            if suffix == ".zip":
                _unzip(target, target.with_name(target.name + ".d"), notes, budget, depth + 1)
                target.unlink()


def stage_upload(submission: str | Path, stage: str | Path) -> tuple[list[str], list[str]]:
    """Copy every notebook of the upload (zips opened) into stage/student/; returns (files, notes).

    files: the names of everything uploaded (for the message when nothing is gradable).
    """
    student = Path(stage) / STUDENT
    student.mkdir(parents=True)
    notes: list[str] = []
    uploaded: list[str] = []
    budget = [MAX_UNZIPPED_BYTES]
    submission = Path(submission)
    paths: list[Path] = []
    if submission.is_dir():
        # Iterative and bounded: an upload nested thousands deep costs a note, not the results.json.
        walked = tree.walk(submission)
        notes += walked.problems
        paths = [e.path for e in walked.entries if stat.S_ISREG(e.st.st_mode)]
    for path in paths:
        rel = path.relative_to(submission)
        uploaded.append(rel.as_posix())
        suffix = path.suffix.lower()
        if suffix == ".ipynb":
            target = student / rel.with_suffix(suffix)   # the grader looks for *.ipynb, case-sensitively
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            except OSError as exc:
                notes.append(f"{rel.as_posix()}: not staged ({exc.strerror})")
        elif suffix == ".zip":
            _unzip(path, student / (rel.as_posix().replace("/", "_") + ".d"), notes, budget)
    return uploaded, notes


# ---- results ---------------------------------------------------------------------------------

def _zero_entry(plan: Plan, message: str) -> Entry:
    tests = [dict(name=u.name, notebook=u.notebook, score=0.0, max_score=u.points,
                  output=message.format(notebook=u.notebook)) for u in plan.units]
    # isolation "none": no student code ran (the contract's field, for report.gradescope).
    return dict(student=STUDENT, notebook="", notebooks={stem: None for stem in plan.notebooks},
                score=0.0, max_score=plan.max_score, tests=tests, notes=[], isolation="none")


def _files_summary(entry: Entry, plan: Plan) -> str:
    lines = ["Notebooks graded:"]
    for stem in plan.notebooks:
        got = (entry.get("notebooks") or {}).get(stem)
        lines.append(f"- {stem}.ipynb: " + (f"graded {Path(got).name}" if got else
                                            "MISSING from your upload (its units score 0)"))
    return "\n".join(lines)


def results_for(entry: Entry, plan: Plan, extra_notes: Iterable[str] = ()) -> dict[str, Any]:
    """Gradescope's results.json for one entry of grades.json (report.gradescope, plus the files)."""
    from ..report import gradescope
    from ..results import StudentResult

    entry = dict(entry, notes=list(entry.get("notes") or []) + list(extra_notes))
    results = gradescope(StudentResult.from_json(entry))
    results["output"] = _files_summary(entry, plan) + "\n\n" + results["output"]
    if "seconds" in entry:
        results["execution_time"] = entry["seconds"]
    return results


def run(root: str | Path, source: str | Path | None = None) -> int:
    """Grade ROOT/submission into ROOT/results/results.json; returns the process's exit status."""
    from ..plan import read_plan
    from ..report import atomic_write

    root = Path(root).resolve()
    source = Path(source).resolve() if source else root / "source"
    plan = read_plan(source)
    status = 0
    with tempfile.TemporaryDirectory(prefix="bptt-gradescope-") as tmp:
        stage, out = Path(tmp) / "upload", Path(tmp) / "out"
        try:
            uploaded, notes = stage_upload(root / "submission", stage)
        except Exception as exc:  # an upload no rule above foresaw: still a results.json that says so
            (stage / STUDENT).mkdir(parents=True, exist_ok=True)
            uploaded, notes = [], [f"the upload could not be unpacked ({type(exc).__name__}: {exc})"[:300]]
        shown = uploaded[:50] + ([f"... {len(uploaded) - 50} more"] if len(uploaded) > 50 else [])
        print(f"uploaded: {', '.join(shown) or 'nothing'}")
        for n in notes:
            print(f"note: {n}")
        entry: Entry | None
        if not any(e.path.suffix == ".ipynb" for e in tree.walk(stage / STUDENT).entries):
            got = ", ".join(uploaded) if uploaded else "no files"
            entry = _zero_entry(plan, f"notebook {{notebook}}.ipynb is missing from the submission "
                                      f"(no Jupyter notebook found in the upload: {got})"[:1000])
        else:
            cmd = grade_command(stage, out, source, root, choose_isolation())
            print("running:", " ".join(cmd), flush=True)
            proc = subprocess.run(cmd, cwd=source, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            print(proc.stdout, end="")
            try:
                doc = json.loads((out / "grades.json").read_text())
                entry = next(e for e in doc["submissions"] if e["student"] == STUDENT)
            except (OSError, ValueError, KeyError, StopIteration):
                entry = None
            if proc.returncode != 0 or entry is None:
                # The grader, not the student, failed: say so instead of posing as a grade.
                status = 1
                last = (proc.stdout.strip().splitlines() or ["no output"])[-1][:300]
                entry = _zero_entry(plan, "not graded: the autograder failed on this upload "
                                          f"({last}); please tell your instructor")
        results = results_for(entry, plan, notes)
        atomic_write(root / "results" / "results.json", json.dumps(results, indent=1))
    print(f"score {results['score']} / {plan.max_score:g}; results in {root / 'results' / 'results.json'}")
    return status


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m autograder.gradescope.run", description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT", "/autograder"),
                    help="Gradescope's folder (default: $AUTOGRADER_ROOT or /autograder)")
    ap.add_argument("--source", default=None, help="the bundle's folder (default: ROOT/source)")
    args = ap.parse_args(argv)
    return run(args.root, args.source)


if __name__ == "__main__":
    sys.exit(main())
