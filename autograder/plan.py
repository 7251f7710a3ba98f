"""What is graded and for how many points: read from the SOURCE notebooks, never a submission.

Each test cell of `source/<assignment>/<stem>.ipynb` (nbgrader metadata
`grade: true`, grade_id `test_<unit>`, `points`) makes one graded unit; the
unit must exist in `autograder.checks.UNITS` and belong to that notebook, and
its notebook and points must be those declared in `autograder.units`.
Cells tagged `experiment` are recorded by grade_id so the grader skips them.
A markdown cell with `grade: true, solution: true` is a written answer graded by hand
(nbgrader's "manually graded answer"): it must be declared in `autograder.units.QUESTIONS`
with the same notebook and points, and the grader leaves it to the graders (Plan.questions).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .checks.base import Unit

DEFAULT_ASSIGNMENT = "bptt"

__all__ = ["ConfigError", "DEFAULT_ASSIGNMENT", "GradedUnit", "ManualQuestion", "NotebookSpec", "Plan", "check_declared", "read_plan"]


@dataclass
class GradedUnit:
    name: str          # student function = unit name in checks.UNITS
    notebook: str      # notebook stem
    points: float
    grade_id: str      # "test_<name>"
    check: Unit        # how it is checked (autograder.checks)

    @property
    def is_assembly(self) -> bool:
        return bool(self.check.oracles)


@dataclass(frozen=True)
class ManualQuestion:
    """A written answer graded by a person in formgrader: its answer cell's grade_id, notebook, points."""
    name: str
    notebook: str
    points: float


@dataclass
class NotebookSpec:
    stem: str
    test_ids: set[str] = field(default_factory=set)
    experiment_ids: set[str] = field(default_factory=set)
    grade_ids: set[str] = field(default_factory=set)   # every grade_id, to recognise a renamed file


@dataclass
class Plan:
    course_root: Path
    assignment: str
    notebooks: dict[str, NotebookSpec]   # by stem, in file order
    units: list[GradedUnit]              # in notebook order
    digest: str                          # hash of source/<assignment>/ (for the results cache)
    questions: list[ManualQuestion] = field(default_factory=list)   # graded by hand, in notebook order

    @property
    def manual_max_score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def max_score(self) -> float:
        return sum(u.points for u in self.units)

    def case_counts(self) -> dict[str, int]:
        """{unit: how many seeded cases it is called on}, for the feedback."""
        return {u.name: u.check.n_cases for u in self.units}

    def grading_order(self) -> list[GradedUnit]:
        """Units that call no helpers first: no oracle is ever served before they are graded."""
        return [u for u in self.units if not u.is_assembly] + [u for u in self.units if u.is_assembly]

    def public_files(self) -> list[Path]:
        """Non-notebook files of the release (data, helper modules), for the sandbox's cwd."""
        for root in (self.course_root / "release" / self.assignment, self.course_root / "source" / self.assignment):
            if root.is_dir():
                return sorted(p for p in root.iterdir()
                              if p.suffix != ".ipynb" and not p.name.startswith(".") and p.name != "__pycache__")
        return []


def _cells(path: Path) -> list[dict[str, Any]]:
    try:
        nb = json.loads(path.read_bytes())
    except ValueError as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ConfigError(f"{path}: not a Jupyter notebook (no cell list)")
    cells: list[dict[str, Any]] = nb["cells"]
    return cells


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def check_declared(name: str, notebook: str, points: float) -> None:
    """ConfigError, naming both values, if a source test cell disagrees with autograder/units.py.

    A course may grade fewer units than declared (the tests' small courses do), never other ones.
    """
    from .units import BY_NAME

    declared = BY_NAME.get(name)
    if declared is None:
        raise ConfigError(f"{notebook}.ipynb: unit {name!r} has a test cell but is not declared in autograder/units.py")
    if declared.notebook != notebook:
        raise ConfigError(f"unit {name!r}: its test cell is in {notebook}.ipynb, "
                          f"autograder/units.py declares it in {declared.notebook}")
    if points != declared.points:
        raise ConfigError(f"unit {name!r}: {notebook}.ipynb gives test_{name} {points:g} points, "
                          f"autograder/units.py declares {declared.points:g}")


def read_plan(course_root: str | Path, assignment: str | None = None) -> Plan:
    """Parse source/<assignment>/*.ipynb into a Plan; ConfigError if inconsistent."""
    from .checks import UNITS

    course_root = Path(course_root).resolve()
    source = course_root / "source"
    if assignment is None:
        names = sorted(p.name for p in source.iterdir() if p.is_dir()) if source.is_dir() else []
        assignment = DEFAULT_ASSIGNMENT if DEFAULT_ASSIGNMENT in names else (names[0] if len(names) == 1 else None)
        if assignment is None:
            raise ConfigError(f"{source}: cannot tell which assignment to grade (found {names or 'none'})")
    folder = source / assignment
    paths = sorted(folder.glob("*.ipynb"))
    if not paths:
        raise ConfigError(f"{folder}: no source notebooks")
    digest = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts:
            digest.update(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes() + b"\0")
    notebooks: dict[str, NotebookSpec] = {}
    units: list[GradedUnit] = []
    questions: list[ManualQuestion] = []
    for path in paths:
        spec = NotebookSpec(path.stem)
        for cell in _cells(path):
            meta = _dict(cell.get("metadata")) if isinstance(cell, dict) else {}
            nbg = _dict(meta.get("nbgrader"))
            raw_gid = nbg.get("grade_id")
            gid = raw_gid if isinstance(raw_gid, str) else ""
            if gid:
                spec.grade_ids.add(gid)
            if gid and "experiment" in (meta.get("tags") or []):
                spec.experiment_ids.add(gid)
            if not nbg.get("grade"):
                continue
            if cell.get("cell_type") == "markdown" and nbg.get("solution"):
                questions.append(_question(path, gid, nbg))
                continue
            if cell.get("cell_type") != "code" or not gid.startswith("test_"):
                raise ConfigError(f"{path.name}: graded cell {raw_gid!r} is not a code cell named test_<unit>")
            name = gid[len("test_"):]
            if name not in UNITS:
                raise ConfigError(f"{path.name}: test cell {gid!r} names no unit in autograder.checks.UNITS")
            if UNITS[name].notebook != path.stem:
                raise ConfigError(f"{path.name}: unit {name!r} belongs to {UNITS[name].notebook}.ipynb")
            spec.test_ids.add(gid)
            try:
                points = float(nbg.get("points", 0))
            except (TypeError, ValueError):
                raise ConfigError(f"{path.name}: test cell {gid!r} has points {nbg.get('points')!r}, not a number") from None
            check_declared(name, path.stem, points)
            units.append(GradedUnit(name, path.stem, points, gid, UNITS[name]))
        notebooks[path.stem] = spec
    names = [u.name for u in units]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{folder}: units graded twice: {', '.join(dupes)}")
    if not units:
        raise ConfigError(f"{folder}: no test cells (nbgrader grade: true) in the source notebooks")
    return Plan(course_root, assignment, notebooks, units, digest.hexdigest(), questions)


def _question(path: Path, gid: str, nbg: dict[str, Any]) -> ManualQuestion:
    """The written answer of a manually graded markdown cell; ConfigError if it disagrees with its declaration."""
    from .units import QUESTION_BY_NAME

    declared = QUESTION_BY_NAME.get(gid)
    try:
        points = float(nbg.get("points", 0))
    except (TypeError, ValueError):
        raise ConfigError(f"{path.name}: answer cell {gid!r} has points {nbg.get('points')!r}, not a number") from None
    if declared is None:
        raise ConfigError(f"{path.name}: manually graded answer cell {gid!r} is not declared in "
                          f"autograder/units.py (QUESTIONS)")
    if declared.notebook != path.stem or declared.points != points:
        raise ConfigError(f"written answer {gid!r}: {path.name} gives it {points:g} points, autograder/units.py "
                          f"declares {declared.points:g} in {declared.notebook}.ipynb")
    return ManualQuestion(gid, path.stem, points)
