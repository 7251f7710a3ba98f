"""Where results may go, and what an output folder already holds.

Two promises of `python -m autograder grade --out DIR`:
- DIR is never inside what students receive or the grader reads (release/, source/, the
  autograder package, a folder of submissions): grades and feedback written there would be
  handed out with the next release, or graded as a submission.
- Grading some students into a DIR that already holds results keeps the others' rows in
  grades.json and grades.csv. Rows that cannot be kept (another assignment, other units, a
  file that is not ours) make the command stop and say why, unless --force replaces them.
"""
from __future__ import annotations

import importlib
import json
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputError
from .plan import Plan
from .results import StudentResult

# The modules that write at the top of DIR, beside the students' folders. Each one declares its
# names with `reserve` and writes only through `top_level`, which refuses an undeclared name:
# a new output cannot be forgotten here without its first run failing.
WRITERS = ("report", "class_report")
_RESERVED: set[str] = set()


def reserve(*names: str) -> tuple[str, ...]:
    """Declare file or folder names a writer puts at the top of DIR; returns them (for the writer's constants)."""
    _RESERVED.update(names)
    return names


# Written by report.py, read back here (the rows to keep) and by class_report.py: declared below both.
(GRADES_JSON,) = reserve("grades.json")


def top_level(out_dir: str | Path, name: str) -> Path:
    """DIR/name for a writer: only a declared name (no student id can be one)."""
    if name not in _RESERVED:
        raise ValueError(f"{name!r} is written at the top of the output folder but not declared with "
                         f"outputs.reserve: a student named so would clash with it")
    return Path(out_dir) / name


def reserved_names() -> frozenset[str]:
    """Every name the writers put at the top of DIR, lower-cased (a student's id is never one of them)."""
    for module in WRITERS:
        importlib.import_module(f"{__package__}.{module}")
    return frozenset(n.lower() for n in _RESERVED)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def refuse_inside_course(out: Path, plan: Plan, paths: Iterable[str | Path]) -> None:
    """OutputError when `out` lies inside release/, source/, the grader's package or a submission folder."""
    out = out.resolve()
    course = Path(plan.course_root).resolve()
    protected = {f"the course's {name}/ folder": course / name for name in ("release", "source", "autograder")}
    protected["the grader's own package"] = Path(__file__).resolve().parent
    for p in paths:
        p = Path(p).resolve()
        if p.exists():
            protected[f"the submissions being graded ({p})"] = p if p.is_dir() else p.parent
    for what, folder in protected.items():
        if _inside(out, folder):
            raise OutputError(f"--out {out} is inside {what}: results written there would be handed out or "
                              f"graded; choose a folder of its own (e.g. {course / 'grades'})")


def earlier_entries(out: Path, plan: Plan, force: bool) -> list[StudentResult]:
    """The rows of out/grades.json to keep; [] if there is none (or `force` and it cannot be kept)."""
    path = top_level(out, GRADES_JSON)
    if not path.exists():
        return []
    problem, entries = _read(path, plan)
    if problem is None:
        return entries
    if force:
        return []
    raise OutputError(f"{path} already holds results that cannot be kept with this run's ({problem}); "
                      f"grade into another --out folder, or pass --force to replace them")


def _read(path: Path, plan: Plan) -> tuple[str | None, list[StudentResult]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        return f"not readable as grades.json: {type(exc).__name__}", []
    if not isinstance(doc, dict) or not isinstance(doc.get("submissions"), list):
        return "not a grades.json written by this grader", []
    if doc.get("assignment") != plan.assignment:
        return f"assignment {str(doc.get('assignment'))[:80]!r}, not {plan.assignment!r}", []
    units = [u.get("name") for u in doc.get("units") or [] if isinstance(u, dict)]
    if units != [u.name for u in plan.units]:
        return "graded with other units than the course's source/ now has", []
    try:
        return None, [StudentResult.from_json(e) for e in doc["submissions"]]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return f"a malformed row ({type(exc).__name__})", []
