"""The sandbox's answers, as typed records instead of tagged tuples.

`jail.Worker` speaks the runner's protocol (sandbox/runner.py) and returns its
tuples; these functions turn them into records at the boundary, once, so that
the grader branches on types and enum members, never on the strings the
untrusted side sent. A kind or status this grader does not know is kept as
ErrorKind.OTHER or CellStatus.OTHER: the student is told the message, and a
protocol change cannot turn an error into a pass.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any


class ErrorKind(Enum):
    """Why a call of a student function produced no value."""

    UNDEFINED = "undefined"               # the notebook defines no such function
    NOT_IMPLEMENTED = "notimplemented"    # it still raises NotImplementedError
    MEMORY = "memory"                     # MemoryError inside the sandbox's limit
    TIMEOUT = "timeout"                   # interrupted after the call timeout
    GRADED_CALL = "graded-call"           # it ran a given helper or changed an input (runner.call_graded)
    EXCEPTION = "exception"               # any other exception
    OTHER = "other"                       # a kind this grader does not know

    @classmethod
    def parse(cls, text: str) -> ErrorKind:
        try:
            return cls(text)
        except ValueError:
            return cls.OTHER


@dataclass(frozen=True)
class Returned:
    """The function returned; `value` is plain data (arrays, dicts, tuples, scalars) from sandbox.wire."""

    value: Any


@dataclass(frozen=True)
class Raised:
    """The function did not return a value; `message` is the runner's text for the student."""

    kind: ErrorKind
    message: str


CallReply = Returned | Raised


def call_reply(raw: Sequence[Any]) -> CallReply:
    """Worker.call's ("result", value) or ("error", kind, message) as a record."""
    if len(raw) == 2 and raw[0] == "result":
        return Returned(raw[1])
    if len(raw) == 3 and raw[0] == "error":
        return Raised(ErrorKind.parse(str(raw[1])), str(raw[2]))
    return Raised(ErrorKind.OTHER, "the sandbox sent a malformed reply")


class CellStatus(Enum):
    OK = "ok"
    ERROR = "error"
    TIMEOUT = "timeout"
    OTHER = "other"


@dataclass(frozen=True)
class CellOutcome:
    """What running one notebook cell in the sandbox gave."""

    status: CellStatus
    error: str          # empty when the cell ran

    @property
    def ok(self) -> bool:
        return self.status is CellStatus.OK


def cell_outcomes(raw: Sequence[tuple[str, str]]) -> list[CellOutcome]:
    """Worker.load's [(status, error)] as records."""
    out = []
    for status, error in raw:
        try:
            parsed = CellStatus(status)
        except ValueError:
            parsed = CellStatus.OTHER
        out.append(CellOutcome(parsed, error))
    return out
