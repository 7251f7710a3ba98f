"""Writing the command's scores into the course's nbgrader gradebook, and reading back the graders' ones.

After write_scores, `nbgrader export` and formgrader show the scores as if
`nbgrader autograde` had produced them: for each student a submission of the
assignment exists, and every grade cell (test_<unit>) has its auto_score.
The written answers (manually graded answer cells) are left to the graders: their
manual_score is never written here. fold_manual_scores reads the scores the graders
entered in formgrader and folds them into the output folder's grades.json, grades.csv,
results.json and feedback pages.

The gradebook must already know the assignment: `python -m autograder release`
(nbgrader generate_assignment) records it with its notebooks and grade cells.
Imports nbgrader, so it is only loaded for --gradebook.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

from .errors import GradebookError
from dataclasses import replace

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


def _existing(url: str) -> None:
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        # Checked first: opening a missing gradebook would create it, which runs `alembic` from PATH.
        raise GradebookError(f"there is no gradebook at {url[len('sqlite:///'):]}; run `python -m autograder release` first")


def manual_scores(plan: Plan, students: Sequence[str], url: str | None = None) -> dict[tuple[str, str], float]:
    """{(student, answer cell): the score a grader entered} for every written answer already scored."""
    from nbgrader.api import Gradebook, MissingEntry

    url = url or db_url(plan.course_root)
    _existing(url)
    found: dict[tuple[str, str], float] = {}
    with Gradebook(url) as gb:
        for student in students:
            for q in plan.questions:
                try:
                    grade = gb.find_grade(q.name, q.notebook, plan.assignment, student)
                except MissingEntry:
                    continue      # no submission of this student in the gradebook (yet)
                if grade.manual_score is not None:
                    found[(student, q.name)] = float(grade.manual_score)
    return found


def fold_manual_scores(plan: Plan, out_dir: str | Path, url: str | None = None) -> int:
    """Put the graders' scores of the written answers into out_dir's grades.json and every file made from it.

    Returns the number of scores folded in. An answer no grader has scored stays "to be graded by hand".
    """
    from . import report
    from .class_report import load

    if not plan.questions:
        return 0
    doc, entries = load(out_dir)
    scores = manual_scores(plan, [e.student for e in entries], url)
    folded = []
    for entry in entries:
        manual = tuple(replace(m, score=scores.get((entry.student, m.name))) for m in entry.manual)
        folded.append(replace(entry, manual=manual))
    folder = report.OutputFolder(out_dir, plan)
    folder.batch(folded, doc.get("isolation"), doc.get("isolation_detail"))
    for entry in folded:
        folder.student(entry, None)     # the cache keeps the grading command's own row
    return len(scores)


def write_scores(plan: Plan, entries: Sequence[StudentResult], url: str | None = None) -> int:
    """Record every entry's unit scores as auto_scores; returns the number of grades written.

    GradebookError if the gradebook does not know the assignment or one of its grade cells.
    """
    from nbgrader.api import Gradebook, MissingEntry

    url = url or db_url(plan.course_root)
    _existing(url)
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
