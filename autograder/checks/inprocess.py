"""The judge with the student's function called in this process: for trusted code only.

The tests check the catalogue of mistakes, and the instructor's own functions, in milliseconds
this way. A student's code never runs here: both grading paths call it in the sandbox
(grade.py), so the reference and the expected answers never share a process with it.

    check(name, func)        AssertionError with the verdict unless `func` is a correct `name`
    run_check(unit, func, oracles, classify, siblings)   the same for any Unit (the tests' toy units)

The call goes through the sandbox's own harness (runner.call_graded): given helpers, warnings and
changed inputs are refused with the same sentence. The helpers an assembly unit calls are the
reference's while it is judged (unit.oracles), and a helper it shares with a failing sibling
answers with the reference (runner.shared_swaps, swap_in and swap_out), as in the sandbox.
"""
from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Mapping

import numpy as np

from ..replies import CallReply, ErrorKind, Raised, Returned
from ..sandbox.runner import (call_graded, describe_exception, not_implemented_message, problem_message, returned_input,
                              returned_input_message, shared_swaps, swap_in, swap_out)
from ..reference.validate import known_sizes
from ..sandbox.wire import to_data
from .base import Case, Runner, StudentFunction, Unit
from .catalogue import UNITS
from .given import Classify
from .judge import CallStudent, judge_cases
from .trace import Call, recorder


def _callers(unit: Unit, func: StudentFunction, namespace: dict[str, object], oracles: Mapping[str, StudentFunction],
             classify: Classify | None, shared: Mapping[str, object]) -> tuple[CallStudent, Runner]:
    """(the judge's call of a case, the probes' call): `func` called here, its helpers swapped meanwhile."""
    def once(args: tuple[object, ...], calls: list[Call], dims: Mapping[str, object] | None = None) -> CallReply:
        saved = swap_in(namespace, {**recorder({n: oracles[n] for n in unit.oracles}, calls), **shared})
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"), known_sizes(dims or {}, unit.dims_used):
                warnings.simplefilter("ignore")
                given = copy.deepcopy(args)
                got, problem = call_graded(func, given, classify, unit.arg_names)
        except NotImplementedError:
            return Raised(ErrorKind.NOT_IMPLEMENTED, not_implemented_message(unit.name))
        except Exception as exc:
            kind = ErrorKind.MEMORY if isinstance(exc, MemoryError) else ErrorKind.EXCEPTION
            return Raised(kind, f"{unit.name} raised {describe_exception(exc)}")
        finally:
            swap_out(namespace, saved)
        if problem:
            return Raised(ErrorKind.GRADED_CALL, problem_message(unit.name, problem))
        found = returned_input(got, given, unit.arg_names)
        return Returned(to_data(got), returned_input_message(unit.name, found) if found else "")

    def call(i: int, case: Case, calls: list[Call]) -> CallReply:
        return once(case.args, calls, case.dims)

    def probe(args: tuple[object, ...]) -> object:
        reply = once(args, [])
        return reply.value if isinstance(reply, Returned) else None

    return call, probe


def _shared(unit: Unit, namespace: dict[str, object], failed: list[str], classify: Classify | None) -> Mapping[str, object]:
    """The student's helpers shared with the failed siblings, each answered by the reference (unit.shared)."""
    reference = unit.shared
    if reference is None or not failed:
        return {}
    is_given: Callable[..., bool] = (lambda code: classify(code) != "") if classify is not None else (lambda code: False)
    return shared_swaps(namespace, unit.name, failed, set(UNITS) | {unit.name}, is_given, lambda h: reference)


def verdict(unit: Unit, func: object, oracles: Mapping[str, StudentFunction], classify: Classify | None = None,
            siblings: Mapping[str, Unit] | None = None) -> str | None:
    """None if `func` passes every case of `unit`, else the verdict (the grading command's words).

    siblings: {name: Unit} of the units in unit.shares_with; a helper shared with one whose own
    verdict is a fail is answered by the reference, as in the grading command.
    """
    if not callable(func):
        return f"function {unit.name} is not defined (was it renamed or deleted?)"
    namespace: dict[str, object] = getattr(func, "__globals__", {})
    failed = [name for name, sibling in (siblings or {}).items()
              if name in unit.shares_with and callable(namespace.get(name))
              and verdict(sibling, namespace[name], oracles, classify) is not None] if unit.shared else []
    call, probe = _callers(unit, func, namespace, oracles, classify, _shared(unit, namespace, failed, classify))
    return judge_cases(unit, unit.cases(), call, probe)


def run_check(unit: Unit, func: object, oracles: Mapping[str, StudentFunction], classify: Classify | None = None,
              siblings: Mapping[str, Unit] | None = None) -> None:
    """AssertionError with the verdict unless `func` passes every case of `unit` (see verdict)."""
    found = verdict(unit, func, oracles, classify, siblings)
    if found is not None:
        raise AssertionError(found)
