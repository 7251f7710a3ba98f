"""Instructor operations on the nbgrader course, as functions.

The repository root is the nbgrader course root: `source/bptt/` (instructor
notebooks), `release/bptt/` (student version, committed), `nbgrader_config.py`.
`gradebook.db`, `submitted/`, `autograded/` are created there by nbgrader and
are git-ignored; tests work in temporary copies made by `make_course_copy`.

Every nbgrader step runs the real `nbgrader` command line in a subprocess (the
way an instructor runs it), with the course root as working directory.

    generate_release(root)            nbgrader generate_assignment bptt --force
    make_course_copy(tmpdir)          a throw-away course with source/ and the config
    autograde(root, student=None)     nbgrader autograde bptt --force [--student ID]
    export_grades(root)               nbgrader export -> CSV path
    read_export(csv_path)             {student: (score, max_score)}
    gradebook_scores(root)            {student: {notebook stem: score}} from gradebook.db
    source_points(root)               {notebook stem: {grade_id: points}} from source/
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import generated, given_text

REPO_ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "bptt"
COURSE_ID = "bptt-course"


class NbgraderError(RuntimeError):
    """An nbgrader command exited with a non-zero status; the message holds its output."""


def tools_env(env=None):
    """os.environ plus `env`, with this interpreter's scripts folder first on PATH.

    nbgrader runs `alembic` from PATH when it creates a gradebook; with a venv used
    without activation (venv/bin/python -m autograder ...) that folder is not on PATH.
    """
    full_env = dict(os.environ, **(env or {}))
    scripts = os.path.dirname(sys.executable)
    paths = [p for p in full_env.get("PATH", "").split(os.pathsep) if p and p != scripts]
    full_env["PATH"] = os.pathsep.join([scripts] + paths)
    return full_env


def run_nbgrader(args, course_root, env=None, timeout=1800):
    """Run `python -m nbgrader <args>` in `course_root` with this interpreter; return the CompletedProcess.

    env: extra environment variables. Raises NbgraderError (with nbgrader's output)
    when the command fails.
    """
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_root, env=tools_env(env),
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise NbgraderError(f"nbgrader {' '.join(args)} failed in {course_root} (exit {proc.returncode}):\n"
                            f"{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return proc


def generate_release(course_root=REPO_ROOT):
    """Regenerate the student release with the real `nbgrader generate_assignment bptt --force`.

    Inputs: course_root, the nbgrader course root (default: the repository root),
    which holds nbgrader_config.py and source/bptt/. The notebooks' paired text
    files (notebooks/bptt/*.py) get their generated regions filled from the
    declarations (units.py) and are synced into source/bptt/*.ipynb first.
    Returns: the Path of the generated `release/bptt/` directory.

    nbgrader replaces every solution region with `# YOUR CODE HERE` /
    `raise NotImplementedError()`, removes the hidden tests (keeping them in
    `gradebook.db`, which therefore stays private), records the assignment in
    the gradebook and copies every other file of source/bptt/ unchanged.
    The release and the gradebook are built aside and swapped in only when
    nbgrader succeeded and the release leaks nothing: on any failure the previous
    release/ and gradebook.db are left exactly as they were.
    Raises NbgraderError if nbgrader fails, and ValueError if the release
    still contains a solution, a hidden test or the word `autograder`.
    """
    course_root = Path(course_root).resolve()
    # The paired text files first (jupytext.toml), with every generated region rewritten
    # from its declaration (autograder/generated.py): the release states the declared points.
    given_text.fill_tools(course_root)   # the building blocks the visible tests allow
    generated.sync_course(course_root)
    return _build_release_aside(course_root)


def _build_release_aside(course_root):
    release = course_root / "release" / ASSIGNMENT
    from .gradebook import db_url

    url = db_url(course_root)
    if not url.startswith("sqlite:///"):
        # A gradebook server cannot be copied aside: nbgrader records the assignment in it directly.
        run_nbgrader(["generate_assignment", ASSIGNMENT, "--force"], course_root)
        return release
    gradebook = Path(url[len("sqlite:///"):])
    staging = Path(tempfile.mkdtemp(prefix=".release-build-", dir=course_root))
    try:
        staged_db = staging / "gradebook.db"
        if gradebook.exists():
            shutil.copy2(gradebook, staged_db)
        run_nbgrader(["generate_assignment", ASSIGNMENT, "--force",
                      f"--CourseDirectory.release_directory={staging.name}/release",
                      f"--CourseDirectory.db_url=sqlite:///{staged_db}"], course_root)
        staged_release = staging / "release" / ASSIGNMENT
        leaks = release_leaks(staged_release)
        if leaks:
            raise ValueError("the release leaks private content:\n" + "\n".join(leaks))
        os.replace(staged_db, gradebook)
        if release.exists():
            release.rename(staging / "previous")
        release.parent.mkdir(exist_ok=True)
        staged_release.rename(release)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return release


FORBIDDEN = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "autograder")


def release_leaks(release_dir):
    """Lines 'file: forbidden string' for every forbidden string found in a release directory."""
    found = []
    for path in sorted(Path(release_dir).rglob("*")):
        if path.is_file():
            text = path.read_text(errors="replace")
            found += [f"{path.relative_to(release_dir)}: {s}" for s in FORBIDDEN if s.lower() in text.lower()]
    return found


def make_course_copy(tmpdir, source_root=REPO_ROOT, release=False):
    """Make a throw-away nbgrader course in `tmpdir`/course; return its Path.

    Copies nbgrader_config.py and source/ (and release/ when release=True),
    never a gradebook or submissions. The autograder package is not copied:
    autograde(...) points BPTT_AUTOGRADER_ROOT at the repository instead.
    """
    course = Path(tmpdir) / "course"
    course.mkdir(parents=True)
    source_root = Path(source_root)
    shutil.copy2(source_root / "nbgrader_config.py", course / "nbgrader_config.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(source_root / "source", course / "source", ignore=ignore)
    if release:
        shutil.copytree(source_root / "release", course / "release", ignore=ignore)
    return course


def autograde(course_root, student=None, autograder_root=REPO_ROOT, timeout=1800):
    """Run `nbgrader autograde bptt --force` on submitted/<student>/bptt/.

    student: one student id, or None for every student under submitted/ in ONE
    nbgrader command (nbgrader's start-up costs ~2 s per command, so batch).
    autograder_root: the directory that contains the autograder package; the
    course's nbgrader_config.py puts it on the kernels' PYTHONPATH.
    The assignment must be in the gradebook (generate_release first).
    Returns the CompletedProcess.
    """
    args = ["autograde", ASSIGNMENT, "--force"]
    if student:
        args.append(f"--student={student}")
    return run_nbgrader(args, course_root, env={"BPTT_AUTOGRADER_ROOT": str(autograder_root)}, timeout=timeout)


def export_grades(course_root, out_name="grades.csv"):
    """Run `nbgrader export` and return the Path of the CSV it wrote in the course root."""
    course_root = Path(course_root)
    run_nbgrader(["export", f"--to={out_name}"], course_root)
    return course_root / out_name


def read_export(csv_path):
    """{student_id: (score, max_score)} from the CSV of `nbgrader export` (assignment bptt)."""
    with open(csv_path, newline="") as f:
        return {row["student_id"]: (float(row["score"]), float(row["max_score"]))
                for row in csv.DictReader(f) if row["assignment"] == ASSIGNMENT}


def gradebook_scores(course_root, cells=False):
    """Scores in the course's gradebook.db.

    Returns {student: {notebook stem: score}}, or with cells=True
    {student: {notebook stem: {grade_id: score}}} (grade cells only).
    """
    from nbgrader.api import Gradebook  # imported late: nbgrader takes ~1 s to import

    url = "sqlite:///" + str(Path(course_root).resolve() / "gradebook.db")
    out = {}
    with Gradebook(url) as gb:
        assignment = gb.find_assignment(ASSIGNMENT)
        for student in gb.students:
            try:
                submission = gb.find_submission(ASSIGNMENT, student.id)
            except Exception:  # MissingEntry: this student did not submit
                continue
            per_nb = {}
            for nb in assignment.notebooks:
                snb = gb.find_submission_notebook(nb.name, ASSIGNMENT, student.id)
                if cells:
                    per_nb[nb.name] = {g.name: g.score for g in snb.grades}
                else:
                    per_nb[nb.name] = snb.score
            out[student.id] = per_nb
            del submission
    return out


def source_points(course_root=REPO_ROOT):
    """{notebook stem: {grade_id: points}} of every grade cell in source/bptt/*.ipynb.

    Read as plain JSON: this is the instructor's own statement of the points.
    """
    points = {}
    for path in sorted((Path(course_root) / "source" / ASSIGNMENT).glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        meta = [c.get("metadata", {}).get("nbgrader", {}) for c in cells]
        points[path.stem] = {m["grade_id"]: float(m.get("points", 0)) for m in meta if m.get("grade")}
    return points
