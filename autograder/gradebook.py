"""Writing the command's scores into the course's nbgrader gradebook.

After this, `nbgrader export` and formgrader show the scores as if
`nbgrader autograde` had produced them: for each student a submission of the
assignment exists, and every grade cell (test_<unit>) has its auto_score.

The gradebook must already know the assignment: `python -m autograder release`
(nbgrader generate_assignment) records it with its notebooks and grade cells.
Imports nbgrader, so it is only loaded for --gradebook.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

from .errors import GradebookError
from .plan import Plan
from .results import StudentResult


def db_url(course_root: str | Path) -> str:
    """The course's gradebook URL: nbgrader_config.py's CourseDirectory.db_url, else <root>/gradebook.db."""
    root = Path(course_root).resolve()
    default = f"sqlite:///{root / 'gradebook.db'}"
    if not (root / "nbgrader_config.py").exists():
        return default
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    section = config.get("CourseDirectory", {})
    return str(section["db_url"]) if "db_url" in section else default


def write_scores(plan: Plan, entries: Sequence[StudentResult], url: str | None = None) -> int:
    """Record every entry's unit scores as auto_scores; returns the number of grades written.

    GradebookError if the gradebook does not know the assignment or one of its grade cells.
    """
    from nbgrader.api import Gradebook, MissingEntry

    url = url or db_url(plan.course_root)
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        # Checked first: opening a missing gradebook would create it, which runs `alembic` from PATH.
        raise GradebookError(f"there is no gradebook at {url[len('sqlite:///'):]}; run `python -m autograder release` first")
    written = 0
    with Gradebook(url) as gb:
        try:
            gb.find_assignment(plan.assignment)
        except MissingEntry:
            raise GradebookError(f"the gradebook ({url}) does not know assignment {plan.assignment!r}; "
                               f"run `python -m autograder release` first") from None
        for entry in entries:
            student = entry.student
            gb.update_or_create_student(student)
            with warnings.catch_warnings():
                # nbgrader's own add_submission trips SQLAlchemy's autoflush warnings; they are harmless.
                warnings.filterwarnings("ignore", message="Object of type")
                gb.update_or_create_submission(plan.assignment, student)
            units = {u.name: u for u in plan.units}
            for test in entry.tests:
                unit = units[test.name]
                try:
                    grade = gb.find_grade(unit.grade_id, unit.notebook, plan.assignment, student)
                except MissingEntry:
                    raise GradebookError(f"the gradebook has no grade cell {unit.grade_id} in {unit.notebook}; "
                                       f"it is out of date: run `python -m autograder release`") from None
                grade.auto_score = float(test.score)
                grade.needs_manual_grade = False
                written += 1
            gb.db.commit()
    return written
