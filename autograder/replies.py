"""The sandbox's answers, as typed records.

`jail.Worker` reads the runner's protocol (sandbox/runner.py) and returns these
records, parsed once at that boundary, so that the grader branches on types and
enum members, never on the strings the untrusted side sent. A kind or status
this grader does not know is kept as ErrorKind.OTHER or CellStatus.OTHER: the
student is told the message, and a protocol change cannot turn an error into a pass.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Self


class _Parsed(Enum):
    """An enum read from the sandbox's text: an unknown text is OTHER, never an error."""

    @classmethod
    def parse(cls, text: str) -> Self:
        try:
            return cls(text)
        except ValueError:
            return cls("other")


class ErrorKind(_Parsed):
    """Why a call of a student function produced no value."""

    UNDEFINED = "undefined"               # the notebook defines no such function
    NOT_IMPLEMENTED = "notimplemented"    # it still raises NotImplementedError
    MEMORY = "memory"                     # MemoryError inside the sandbox's limit
    TIMEOUT = "timeout"                   # interrupted after the call timeout
    GRADED_CALL = "graded-call"           # it ran a given helper or changed an input (runner.call_graded)
    EXCEPTION = "exception"               # any other exception
    OTHER = "other"                       # a kind this grader does not know


@dataclass(frozen=True)
class Returned:
    """The function returned; `value` is plain data (arrays, dicts, tuples, scalars) from sandbox.wire.

    Any: the decoded value tree, of whatever shape the student's function gave; the judge checks it.
    """

    value: Any
    aliased: str = ""     # the answer is (part of) an input, not a new object: the message (runner.returned_input)


@dataclass(frozen=True)
class Raised:
    """The function did not return a value; `message` is the runner's text for the student."""

    kind: ErrorKind
    message: str


CallReply = Returned | Raised


class CellStatus(_Parsed):
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
