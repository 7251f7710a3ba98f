"""What is graded and for how many points: read from the SOURCE notebooks, never a submission.

Each test cell of `source/<assignment>/<stem>.ipynb` (nbgrader metadata
`grade: true`, grade_id `test_<unit>`, `points`) makes one graded unit; the
unit must exist in `autograder.checks.UNITS` and belong to that notebook, and
its notebook and points must be those declared in `autograder.units`.
Cells tagged `experiment` are recorded by grade_id so the grader skips them.
"""
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ASSIGNMENT = "bptt"


class ConfigError(Exception):
    """The course itself is inconsistent (not the student's fault)."""


@dataclass
class GradedUnit:
    name: str          # student function = unit name in checks.UNITS
    notebook: str      # notebook stem
    points: float
    grade_id: str      # "test_<name>"
    check: object      # checks.Unit

    @property
    def is_assembly(self):
        return bool(self.check.oracles)


@dataclass
class NotebookSpec:
    stem: str
    test_ids: set = field(default_factory=set)
    experiment_ids: set = field(default_factory=set)
    grade_ids: set = field(default_factory=set)   # every grade_id, to recognise a renamed file


@dataclass
class Plan:
    course_root: Path
    assignment: str
    notebooks: dict     # stem -> NotebookSpec, in file order
    units: list         # GradedUnit, in notebook order
    digest: str         # hash of source/<assignment>/ (for the results cache)

    @property
    def max_score(self):
        return sum(u.points for u in self.units)

    def grading_order(self):
        """Units that call no helpers first: no oracle is ever served before they are graded."""
        return [u for u in self.units if not u.is_assembly] + [u for u in self.units if u.is_assembly]

    def public_files(self):
        """Non-notebook files of the release (data, helper modules), for the sandbox's cwd."""
        for root in (self.course_root / "release" / self.assignment, self.course_root / "source" / self.assignment):
            if root.is_dir():
                return sorted(p for p in root.iterdir()
                              if p.suffix != ".ipynb" and not p.name.startswith(".") and p.name != "__pycache__")
        return []


def _cells(path):
    try:
        nb = json.loads(path.read_bytes())
    except ValueError as exc:
        raise ConfigError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise ConfigError(f"{path}: not a Jupyter notebook (no cell list)")
    return nb["cells"]


def check_declared(name, notebook, points):
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


def read_plan(course_root, assignment=None):
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
    notebooks, units = {}, []
    for path in paths:
        spec = NotebookSpec(path.stem)
        for cell in _cells(path):
            meta = cell.get("metadata", {}) or {}
            nbg = meta.get("nbgrader", {}) or {}
            gid = nbg.get("grade_id")
            if gid:
                spec.grade_ids.add(gid)
            if gid and "experiment" in (meta.get("tags") or []):
                spec.experiment_ids.add(gid)
            if not nbg.get("grade"):
                continue
            if cell.get("cell_type") != "code" or not str(gid).startswith("test_"):
                raise ConfigError(f"{path.name}: graded cell {gid!r} is not a code cell named test_<unit>")
            name = gid[len("test_"):]
            if name not in UNITS:
                raise ConfigError(f"{path.name}: test cell {gid!r} names no unit in autograder.checks.UNITS")
            if UNITS[name].notebook != path.stem:
                raise ConfigError(f"{path.name}: unit {name!r} belongs to {UNITS[name].notebook}.ipynb")
            spec.test_ids.add(gid)
            points = float(nbg.get("points", 0))
            check_declared(name, path.stem, points)
            units.append(GradedUnit(name, path.stem, points, gid, UNITS[name]))
        notebooks[path.stem] = spec
    names = [u.name for u in units]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"{folder}: units graded twice: {', '.join(dupes)}")
    if not units:
        raise ConfigError(f"{folder}: no test cells (nbgrader grade: true) in the source notebooks")
    return Plan(course_root, assignment, notebooks, units, digest.hexdigest())
