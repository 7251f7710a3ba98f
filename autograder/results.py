"""What grading produces: typed records, and their JSON form in grades.json and the cache.

Both grade.py (which makes them) and report.py (which writes them) import this
module; neither imports the other's internals, so there is no import cycle.

grades.json's layout is versioned by SCHEMA_VERSION (the README documents it).
Increase it whenever a key is renamed, removed or changes meaning; adding a key
does not need a new version, so readers must ignore keys they do not know.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SCHEMA_VERSION = 1
ALL_PASS_NOTE = "A unit earns its points only if all of its cases pass."


@dataclass(frozen=True)
class UnitResult:
    """One graded unit of one student: the `tests` entries of grades.json."""

    name: str           # the unit, also the student function's name
    notebook: str       # notebook stem, e.g. "01_mlp_backprop"
    score: float
    max_score: float
    output: str         # the message shown to the student

    @property
    def passed(self) -> bool:
        return self.score == self.max_score

    def to_json(self) -> dict[str, Any]:
        return dict(name=self.name, notebook=self.notebook, score=self.score, max_score=self.max_score,
                    output=self.output)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> UnitResult:
        return cls(name=str(data["name"]), notebook=str(data["notebook"]), score=float(data["score"]),
                   max_score=float(data["max_score"]), output=str(data["output"]))


TO_GRADE_BY_HAND = "to be graded by hand"


@dataclass(frozen=True)
class ManualResult:
    """One written answer of one student: the `manual` entries of grades.json.

    score is None until a grader has scored the answer in nbgrader's gradebook (formgrader);
    `python -m autograder grade --gradebook` folds the scores in.
    """

    name: str           # the answer cell's grade_id, e.g. "q_clipping"
    notebook: str
    max_score: float
    score: float | None = None

    @property
    def status(self) -> str:
        return TO_GRADE_BY_HAND if self.score is None else "graded by hand"

    def to_json(self) -> dict[str, Any]:
        return dict(name=self.name, notebook=self.notebook, score=self.score, max_score=self.max_score,
                    status=self.status)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ManualResult:
        score = data.get("score")
        return cls(name=str(data["name"]), notebook=str(data["notebook"]), max_score=float(data["max_score"]),
                   score=None if score is None else float(score))


@dataclass(frozen=True)
class StudentResult:
    """One student's whole assignment: the `submissions` entries of grades.json."""

    student: str
    notebook: str                       # the folder (or file) the notebooks came from
    notebooks: dict[str, str | None]    # notebook stem -> the file graded, None if missing
    score: float
    max_score: float
    tests: tuple[UnitResult, ...]       # every unit of the assignment, in plan order
    notes: tuple[str, ...] = ()         # problems with the files or cells, not tied to a unit
    seconds: float = 0.0                # wall time spent grading (0 for a cached result)
    isolation: str | None = None        # how student code was isolated: "bwrap" or "process"
    isolation_detail: str | None = None  # one line: the mode, the user that ran student code, the process limit
    graded: bool = True                 # False: the grader could not grade this student (notes say why)
    manual: tuple[ManualResult, ...] = ()   # written answers, graded by hand; not in score/max_score

    @property
    def manual_score(self) -> float:
        """The points of the written answers scored so far (pending ones count 0)."""
        return sum(m.score or 0.0 for m in self.manual)

    @property
    def manual_pending(self) -> list[str]:
        """Names of the written answers no grader has scored yet."""
        return [m.name for m in self.manual if m.score is None]

    @property
    def lost(self) -> list[str]:
        """Names of the units that did not earn all their points."""
        return [t.name for t in self.tests if not t.passed]

    def to_json(self) -> dict[str, Any]:
        return dict(student=self.student, notebook=self.notebook, notebooks=dict(self.notebooks),
                    score=self.score, max_score=self.max_score, tests=[t.to_json() for t in self.tests],
                    notes=list(self.notes), seconds=self.seconds, isolation=self.isolation,
                    isolation_detail=self.isolation_detail, graded=self.graded,
                    manual=[m.to_json() for m in self.manual], manual_score=self.manual_score,
                    manual_max_score=sum(m.max_score for m in self.manual))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StudentResult:
        """The record back from its JSON form; KeyError, TypeError or ValueError if malformed."""
        notebooks = data["notebooks"]
        if not isinstance(notebooks, dict):
            raise TypeError("notebooks must be an object")
        return cls(student=str(data["student"]), notebook=str(data["notebook"]),
                   notebooks={str(k): (None if v is None else str(v)) for k, v in notebooks.items()},
                   score=float(data["score"]), max_score=float(data["max_score"]),
                   tests=tuple(UnitResult.from_json(t) for t in data["tests"]),
                   notes=tuple(str(n) for n in data.get("notes", ())), seconds=float(data.get("seconds", 0.0)),
                   isolation=_optional_str(data.get("isolation")),
                   isolation_detail=_optional_str(data.get("isolation_detail")),
                   graded=bool(data.get("graded", True)),
                   manual=tuple(ManualResult.from_json(m) for m in data.get("manual", ())))


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class GradingFailure:
    """A submission that could not be graded at all; grade_batch gives it a row of zeros saying why."""

    student: str
    message: str

