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
from .base import Case, Runner, Unit, judge_value, with_case
from . import probes
from .compare import unclear
from .repair import explain, raised_name, raised_repair

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
    aliased = ""      # right values, but the caller's own objects (a contract of every unit)
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
            said = with_case(reply.message, i, n, case)
            repaired = (raised_name(unit, case, reply.message) or raised_repair(unit, case, probe)) \
                if reply.kind is ErrorKind.EXCEPTION else None
            return f"{said} {repaired}" if repaired else said
        try:
            verdict = judge_answer(unit, case, reply.value, calls)
        except Exception as exc:
            verdict = f"{unit.name} returned a value that could not be checked ({type(exc).__name__})"
        if not verdict and reply.aliased:
            aliased = aliased or reply.aliased     # said only if no case has wrong values
        if unclear(verdict) and i < n:
            held_back = held_back or (verdict or "", i, case)
            continue      # a later case, with other sizes, may tell the readings apart
        if verdict:
            return with_case(with_probes(unit, case, verdict, probe), i, n, case)
    if held_back:
        verdict, i, case = held_back
        return with_case(with_probes(unit, case, verdict, probe), i, n, case)
    return aliased or None


def judge_answer(unit: Unit, case: Case, got: object, calls: Sequence[Call] = ()) -> str | None:
    """unit.judge's verdict on `got`, led by the first divergence of an assembly unit's call trace.

    calls: the trace of an assembly unit's calls to its local rules (trace.Call list); its
    first divergence from the instructor's trace leads the diagnosis.
    """
    verdict = unit.judge(case, got)
    if not verdict or not calls or case.raises is not None:
        return verdict
    from .trace import RIGHT_CALLS, diagnose    # (trace loads its engine when imported)

    try:
        first = diagnose(unit.name, case.args, calls)
    except Exception:     # a trace the analysis cannot read never costs the output's verdict
        first = None
    if first == RIGHT_CALLS:
        return f"{unit.name}: {first}. {verdict}"
    if first and case.expected is not None:
        # The trace names the cause; a catalogued explanation of the output could contradict
        # it (two slips can give the same numbers), so the output part only says what is wrong.
        plain = judge_value(got, case.expected, case.dims, f"{unit.name} output", (), unit.labels, case.factors)
        return f"{unit.name}: {first}. {plain}"
    return verdict


def with_probes(unit: Unit, case: Case, verdict: str, run: Runner) -> str:
    """The message of a failing unit: the verdict with its causes verified (checks/repair.py), and,
    unless a verified cause explains every wrong entry, what the property probes found (checks/probes.py)."""
    if case.raises is not None:       # nothing to probe: the function had to raise, not answer
        return verdict
    verdict, explained = explain(unit, case, verdict, run)
    if explained:
        return verdict
    found = probes.diagnose(unit, case, run, traced=verdict.startswith(f"{unit.name}: "))
    return f"{verdict.rstrip('.')}. Probes: {found}." if found else verdict
