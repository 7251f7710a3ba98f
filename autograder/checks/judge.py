"""The one judge: a unit's cases judged in order, given a way to call the student's function.

Every score of both grading paths comes from here. The grading command calls the student's
function in the sandbox (grade.py, with jail.Worker.call); `nbgrader autograde` runs that same
command (nbgrader_hooks/judge_verdicts.py); the tests and other trusted code call it in-process
(checks/inprocess.py). A unit passes only if every case does; the first failing case gives the
verdict, except a case whose verdict is unclear (two readings fit), which waits for a later case
with other sizes to tell them apart.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from ..replies import CallReply, ErrorKind, Raised
from .base import Case, Runner, Unit, with_case, with_probes
from .compare import unclear

if TYPE_CHECKING:
    from .trace import Call

# Replies whose message is already the whole verdict (the same for every case).
WHOLE = (ErrorKind.UNDEFINED, ErrorKind.NOT_IMPLEMENTED, ErrorKind.GRADED_CALL)


class CallStudent(Protocol):
    """call(i, case, calls): the student's answer on case i (1-based) as a reply; each helper call
    answered by the reference is appended to `calls`. May raise to end the judging (a dead sandbox)."""

    def __call__(self, i: int, case: Case, calls: list[Call]) -> CallReply: ...


def where(i: int, n: int, case: Case) -> str:
    """'case i of n: <sizes>', as the verdicts say it."""
    return f"case {i} of {n}: {case.describe()}"


def judge_cases(unit: Unit, cases: Sequence[Case], call: CallStudent, probe: Runner) -> str | None:
    """None if the student's function passes every case of `unit`, else the verdict.

    probe: the student's function on a probe's inputs (checks/probes.py), run only for a wrong answer.
    """
    from .trace import Trace    # (trace loads its engine when imported)

    n = len(cases)
    held_back: tuple[str, int, Case] | None = None
    for i, case in enumerate(cases, 1):
        calls = Trace()      # bounded by the grader, however many calls the student makes
        reply = call(i, case, calls)
        if isinstance(reply, Raised) and reply.kind is ErrorKind.EXCEPTION and case.raises is not None:
            raised = reply.message.removeprefix(f"{unit.name} raised ").split(":")[0]
            if unit.judge_raised(case, raised, "") is None:
                continue          # the exception the contract promises
        if isinstance(reply, Raised):
            if reply.kind in WHOLE:
                return reply.message
            if reply.kind is ErrorKind.MEMORY:
                return f"{unit.name}: memory limit exceeded ({where(i, n, case)})"
            return with_case(reply.message, i, n, case)
        try:
            verdict = unit.judge(case, reply.value, calls)
        except Exception as exc:
            verdict = f"{unit.name} returned a value that could not be checked ({type(exc).__name__})"
        if unclear(verdict) and i < n:
            held_back = held_back or (verdict or "", i, case)
            continue      # a later case, with other sizes, may tell the readings apart
        if verdict:
            return with_case(with_probes(unit, case, verdict, probe), i, n, case)
    if held_back:
        verdict, i, case = held_back
        return with_case(with_probes(unit, case, verdict, probe), i, n, case)
    return None
