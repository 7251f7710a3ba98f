"""Instructor operations on the nbgrader course, as functions.

The repository root is the nbgrader course root: `source/bptt/` (instructor
notebooks), `release/bptt/` (student version, committed), `nbgrader_config.py`.
`gradebook.db`, `submitted/`, `autograded/` are created there by nbgrader and
are git-ignored. The helpers of the tests, examples and benchmarks (a course copy,
autograde, export, gradebook scores) are in tools/course_tools.py.

Every nbgrader step runs the real `nbgrader` command line in a subprocess (the
way an instructor runs it), with the course root as working directory.

    generate_release(root)            nbgrader generate_assignment bptt --force (aside, then swapped in)
    run_nbgrader(args, root)          python -m nbgrader <args> in the course, NbgraderError on failure
    release_leaks(release_dir)        forbidden strings found in a release
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from autograder import generated
from autograder.errors import ConfigError, ToolError

REPO_ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = "bptt"
COURSE_ID = "bptt-course"


class NbgraderError(ToolError):
    """An nbgrader command exited with a non-zero status; the message holds its output."""


def tools_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ plus `env`, with this interpreter's scripts folder first on PATH and
    BPTT_AUTOGRADER_ROOT set (to this repository unless given).

    nbgrader runs `alembic` from PATH when it creates a gradebook; with a venv used
    without activation (venv/bin/python -m autograder ...) that folder is not on PATH.
    """
    full_env = dict(os.environ, **(env or {}))
    # nbgrader_config.py loads its hooks from the autograder package: this one, unless told otherwise.
    full_env.setdefault("BPTT_AUTOGRADER_ROOT", str(REPO_ROOT))
    scripts = os.path.dirname(sys.executable)
    paths = [p for p in full_env.get("PATH", "").split(os.pathsep) if p and p != scripts]
    full_env["PATH"] = os.pathsep.join([scripts] + paths)
    return full_env


def run_nbgrader(args: Sequence[str], course_root: str | Path, env: Mapping[str, str] | None = None,
                 timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    """Run `python -m nbgrader <args>` in `course_root` with this interpreter; return the CompletedProcess.

    env: extra environment variables. Raises NbgraderError (with nbgrader's output)
    when the command fails.
    """
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_root, env=tools_env(env),
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        log = proc.stdout + "\n" + proc.stderr
        raise NbgraderError(f"nbgrader {args[0]} failed (exit {proc.returncode}){_failure_summary(log)}\n"
                            f"nbgrader {' '.join(args)} in {course_root}:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return proc


def _failure_summary(log: str) -> str:
    """': on <notebook>: <the exception's last line>' from an nbgrader log, as far as it tells."""
    notebooks = re.findall(r"Converting notebook (\S+)", log)
    causes = [c.strip() for c in re.findall(r"^\s*[\w.]+(?:Error|Exception): .*$", log, re.M)]
    where = f" on {Path(notebooks[-1]).name}" if notebooks else ""
    cause = f": {causes[-1][:200]}" if causes else ""
    return where + cause


def generate_release(course_root: str | Path = REPO_ROOT) -> Path:
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
    Raises NbgraderError if nbgrader fails, and ConfigError if the release
    still contains a solution, a hidden test or the word `autograder`.
    """
    course_root = Path(course_root).resolve()
    # The paired text files first (jupytext.toml), with every generated region rewritten
    # from its declaration (autograder/generated.py): the release states the declared points.
    generated.sync_course(course_root)
    return _build_release_aside(course_root)


def _build_release_aside(course_root: Path) -> Path:
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
            raise ConfigError("the release leaks private content:\n" + "\n".join(leaks))
        os.replace(staged_db, gradebook)
        if release.exists():
            release.rename(staging / "previous")
        release.parent.mkdir(exist_ok=True)
        staged_release.rename(release)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return release


FORBIDDEN = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "autograder")


def release_leaks(release_dir: str | Path) -> list[str]:
    """Lines 'file: forbidden string' for every forbidden string found in a release directory."""
    found = []
    for path in sorted(Path(release_dir).rglob("*")):
        if path.is_file():
            text = path.read_text(errors="replace")
            found += [f"{path.relative_to(release_dir)}: {s}" for s in FORBIDDEN if s.lower() in text.lower()]
    return found
