"""The judge's verdicts on one student's submission, as JSON: what the Autograde button records.

`python -m autograder judge FOLDER --course DIR` grades one student's submitted folder in the
sandbox, exactly as `python -m autograder grade` does (the same Grader, the same judge), and
prints one JSON object on stdout:

    {"student": "...", "graded": true, "notes": [...],
     "units": {"dz_netAct": {"score": 1.0, "max_score": 1.0, "output": "passed 3/3 cases"}, ...}}

nbgrader's Autograde runs this in a subprocess (autograder/nbgrader_hooks/judge_verdicts.py), so
the reference never enters the Jupyter server's process, and writes each unit's verdict into its
test cell before nbgrader saves the scores. Nothing is written to disk: no cache, no reports.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .grade import Grader, failure_entry, load_plan, make_config, release_config
from .errors import GraderError
from .results import StudentResult
from .submission import one_student


def judge_folder(folder: str | Path, course_root: str | Path, assignment: str | None = None,
                 isolation: str = "auto", sandbox_user: str | None = None, **limits: Any) -> StudentResult:
    """One student's result for the submission in `folder` (submission.one_student)."""
    plan = load_plan(course_root, assignment)
    sub = one_student(folder, plan)
    cfg = make_config(plan, Path(course_root).resolve(), [folder], isolation=isolation,
                      sandbox_user=sandbox_user, **limits)
    try:
        cases = {u.name: u.check.cases() for u in plan.units}
        try:
            return Grader(plan, cases, cfg).grade(sub)
        except GraderError as exc:     # the sandbox could not start: every unit 0, the reason said
            return failure_entry(sub, plan, str(exc), cfg)
    finally:
        release_config(cfg)


def to_json(result: StudentResult) -> str:
    """The verdicts document (module docstring) of `result`."""
    return json.dumps({"student": result.student, "graded": result.graded, "notes": list(result.notes),
                       "units": {t.name: {"score": t.score, "max_score": t.max_score, "output": t.output}
                                 for t in result.tests}})
