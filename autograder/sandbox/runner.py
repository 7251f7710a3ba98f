"""The worker inside the sandbox: runs a student's notebooks and calls their functions.

This is the ONLY code of the grader that runs in the sandbox. It is standalone
(standard library + NumPy + wire.py and relay.py, imported by path) and holds no
reference answers: the parent sends inputs, this process sends back what the
student's function returned, and the parent judges. After its setup it forks
(relay.py): student code runs in the child, and only the relay, a process student
code never runs in, holds the channel to the grader.

Usage (started by jail.py inside bwrap):
    python -I -S runner.py IN_FD OUT_FD MEM_BYTES CPU_SECONDS SITE_PACKAGES

The relay first sends {"op": "ready"}; a message the protocol does not allow ends the sandbox
with {"op": "violation", "message"} (relay.py). Requests (parent -> runner), one wire message each:
    {"op": "load", "notebook": stem, "cells": [[label, source], ...], "timeout": s}
        run the cells in a fresh namespace; answers one {"op": "cell", "index": i,
        "status": "ok"|"error"|"timeout", "error": text} per cell, then {"op": "loaded"}
    {"op": "call", "notebook": stem, "name": f, "oracles": [names], "timeout": s, value=args}
        call f(*args); answers {"op": "result", value} or {"op": "error", "kind", "message"}
        (kind "graded-call": the call ran a given helper or changed an input; see call_graded).
        A load request's last cell may be the directive [GIVEN_DIRECTIVE, json]: the labels of
        the given cells, the given names the solutions call, and each unit's parameter names.
        While the call runs, each name in oracles is a proxy that asks the parent:
        {"op": "oracle", "name": n, value=args} -> {"op": "oracle_result", value}
        or {"op": "oracle_error", "message"}.
    {"op": "exit"}
"""
from __future__ import annotations

import builtins
import importlib.util
import os
import resource
import signal
import sys
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from enum import Enum
from types import CodeType, FrameType, ModuleType
from typing import TYPE_CHECKING, NamedTuple, NoReturn

if TYPE_CHECKING:     # never at run time: inside the sandbox this module runs without the package
    from . import wire as _wire_module
    from .wire import Codec, Header, Message

    _WIRE: Codec = _wire_module     # main() loads this module by path: mypy checks that it fits Codec

MESSAGE_LIMIT = 500  # characters of an exception message sent back


class GradingTimeout(BaseException):
    """Raised by SIGALRM when a cell or a call runs past its time limit."""


class HelperCallError(Exception):
    """A helper function the grader supplies (for an assembly unit) refused a call."""


def _load(name: str) -> ModuleType:
    # Imported by path: the runner's folder is not on sys.path (python -I).
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"bptt_{name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _limit(mem_bytes: int, cpu_seconds: int) -> None:
    if mem_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
    if cpu_seconds > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    # Files written by the student (to the sandbox's tmpfs) stay small.
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _silence_output() -> None:
    """Student prints go nowhere: the protocol runs on private fds, never stdout."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr = open(os.devnull, "w")


def describe_exception(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "memory limit exceeded (MemoryError)"
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "..."


# ---- calling a graded function: the same harness on both grading paths -----------------------
# (autograder/checks/inprocess.py's in-process judge imports these; the sandbox uses them here)

class Snapshot(NamedTuple):
    """An argument before the call: the object itself (its identity) and a copy of what it held."""

    original: object
    contents: object       # an array's copy; a dict's or list's Snapshot of each entry; else the value


def snapshot(value: object) -> Snapshot:
    """A deep copy of the arguments that keeps each object's identity, to tell afterwards whether
    the call changed an array in place or put another object into a dict or list it received."""
    import numpy as np

    if isinstance(value, np.ndarray):
        return Snapshot(value, value.copy())
    if isinstance(value, dict):
        return Snapshot(value, {k: snapshot(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return Snapshot(value, [snapshot(v) for v in value])
    return Snapshot(value, value)


class Change(NamedTuple):
    """Where an input was changed ("grads['W_xh']") and how: CHANGED_IN_PLACE, REPLACED or RESIZED."""

    where: str
    how: str
    container: str = ""     # for REPLACED and RESIZED: "dict" or "list"


CHANGED_IN_PLACE = "in place"       # the array (or list) the caller holds now has other contents
REPLACED = "replaced"               # a dict or list the caller holds now holds another object at `where`
RESIZED = "resized"                 # a dict or list the caller holds gained or lost entries


def changed_input(before: Snapshot, after: object, path: str) -> Change | None:
    """The first place where `after` differs from the snapshot `before`, and how it was changed."""
    import numpy as np

    value = before.contents
    if isinstance(value, np.ndarray):
        return None if _same(before, after) else Change(path, CHANGED_IN_PLACE)
    if isinstance(value, dict) and isinstance(after, dict):
        if set(after) != set(value):
            return Change(path, RESIZED, "dict")
        for k, entry in value.items():
            where = _entry_change(entry, after[k], f"{path}[{k!r}]", "dict")
            if where:
                return where
        return None
    if isinstance(value, list) and isinstance(after, (list, tuple)):
        if len(after) != len(value):
            return Change(path, RESIZED, "list")
        for i, (entry, now) in enumerate(zip(value, after)):
            where = _entry_change(entry, now, f"{path}[{i}]", "list")
            if where:
                return where
        return None
    return None if _same(before, after) else Change(path, CHANGED_IN_PLACE)


def _entry_change(entry: Snapshot, now: object, path: str, container: str) -> Change | None:
    """An entry of a dict or list: the same object changed inside, or another object put there."""
    if now is entry.original:
        return changed_input(entry, now, path)
    return None if _same(entry, now) else Change(path, REPLACED, container)


def _same(before: Snapshot, after: object) -> bool:
    """True when `after` holds what `before` held (identity aside)."""
    import numpy as np

    value = before.contents
    if isinstance(value, np.ndarray):
        return (isinstance(after, np.ndarray) and after.shape == value.shape and after.dtype == value.dtype
                and bool(np.array_equal(after, value, equal_nan=value.dtype.kind in "fc")))
    if isinstance(value, dict):
        return isinstance(after, dict) and set(after) == set(value) and all(_same(v, after[k]) for k, v in value.items())
    if isinstance(value, list):
        return type(after) is type(before.original) and isinstance(after, (list, tuple)) and \
            len(after) == len(value) and all(_same(v, a) for v, a in zip(value, after))
    try:
        return type(after) is type(value) and bool(after == value)
    except Exception:
        return False


class GivenMonitor:
    """Notes the first given helper that a graded call runs from the student's own code.

    classify(code) -> "forbidden" (code of a given cell or given module that the solution
    never calls), "allowed" (given code the solution calls too, such as one_hot), or "".
    Code reached from inside allowed given code is not charged. Uses sys.settrace with
    call events only; while the call runs, sys.settrace and threading.settrace are
    replaced so that the student's code cannot switch the monitor off unnoticed.
    """

    def __init__(self, classify: Callable[[CodeType], str], prefer: str | None = None) -> None:
        self.classify, self.prefer = classify, prefer
        self.status: dict[CodeType, str] = {}
        self.offender: str | None = None
        self.tampered = False

    def _status(self, code: CodeType) -> str:
        status = self.status.get(code)
        if status is None:
            try:
                status = self.classify(code) or ""
            except Exception:
                status = ""
            self.status[code] = status
        return status

    def _trace(self, frame: FrameType, event: str, arg: object) -> None:
        if self.offender is None and event == "call" and self._status(frame.f_code) == "forbidden":
            caller = frame.f_back
            while caller is not None and self._status(caller.f_code) != "allowed":
                caller = caller.f_back
            if caller is None:
                self.offender = helper_name(frame, self.prefer)
        return None

    def _refuse(self, func: object = None, *args: object, **kwargs: object) -> None:
        if func is not None and func == self._trace:
            self._real_settrace(self._trace)     # a new thread installing the monitor (threading's bootstrap)
        else:
            self.tampered = True

    def start(self) -> None:
        import threading

        self._prev, self._prev_thread = sys.gettrace(), threading.gettrace()
        self._real_settrace, self._real_thread_settrace = sys.settrace, threading.settrace
        sys.settrace(self._trace)
        self._hook = sys.gettrace()
        threading.settrace(self._trace)
        sys.settrace, threading.settrace = self._refuse, self._refuse

    def stop(self) -> None:
        import threading

        if sys.gettrace() is not self._hook:
            self.tampered = True
        sys.settrace, threading.settrace = self._real_settrace, self._real_thread_settrace
        threading.settrace(self._prev_thread)
        sys.settrace(self._prev)


def helper_name(frame: FrameType, prefer: str | None = None) -> str:
    """How the student reaches the given code of `frame`: NAME['key'] for a function kept in a
    given dict (NUMERIC_RULES['dz_netIn']; the key `prefer` first), else the function's name."""
    code = frame.f_code
    named = None
    for name, value in list(frame.f_globals.items()):
        if isinstance(value, dict) and not name.startswith("_"):
            if getattr(value.get(prefer), "__code__", None) is code:
                return f"{name}[{prefer!r}]"
            for key, item in list(value.items()):
                if getattr(item, "__code__", None) is code:
                    return f"{name}[{key!r}]"
        elif getattr(value, "__code__", None) is code and named is None:
            named = name
    if not code.co_name.startswith("<"):
        return getattr(code, "co_qualname", code.co_name)
    return named or f"(a lambda on line {code.co_firstlineno} of the given code)"


class ProblemKind(Enum):
    """What makes a graded call's answer not count, whatever it returned."""

    GIVEN = "given"          # it ran a given helper; detail: the name the student reaches it by
    TAMPERED = "tampered"    # it switched the call monitor off; detail: what it replaced
    WARNING = "warning"      # it emitted a warning; detail: "Category: message"
    CHANGED = "changed"      # it changed an input; detail: where ("grads['W_xh']"), how: a Change's how


class Problem(NamedTuple):
    kind: ProblemKind
    detail: str
    how: str = CHANGED_IN_PLACE      # CHANGED: in place, or an entry of a dict / list replaced or added
    container: str = ""              # CHANGED and not in place: "dict" or "list"


class GradedCall(NamedTuple):
    """What call_graded saw: the call's result, and the problem that voids it (None if none)."""

    result: object
    problem: Problem | None


def call_graded(func: Callable[..., object], args: Sequence[object], classify: Callable[[CodeType], str] | None = None,
                arg_names: Sequence[str] = ()) -> GradedCall:
    """Call func(*args) as a graded call: GradedCall(result, problem).

    problem names a given helper the call ran, a switched-off monitor, a warning the call
    emitted, or an input the call changed in place (checked in this order).
    """
    import numpy as np

    before = [snapshot(a) for a in args]
    monitor = GivenMonitor(classify, getattr(func, "__name__", None)) if classify is not None else None
    # NumPy's defaults in a fresh kernel: a warning is what a notebook would print on stderr.
    with warnings.catch_warnings(record=True) as caught, np.errstate(divide="warn", over="warn",
                                                                     invalid="warn", under="ignore"):
        warnings.simplefilter("always")
        if monitor is not None:
            monitor.start()
        try:
            result = func(*args)
        finally:
            if monitor is not None:
                monitor.stop()
    if monitor is not None and monitor.offender:
        return GradedCall(result, Problem(ProblemKind.GIVEN, monitor.offender))
    if monitor is not None and monitor.tampered:
        return GradedCall(result, Problem(ProblemKind.TAMPERED, "sys.settrace"))
    # The categories Python's default filters hide (a kernel would print none of them): an unclosed
    # file is no numerical error and costs no points on either path.
    shown = [w for w in caught if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning,
                                                                ImportWarning, ResourceWarning))]
    if shown:
        first = shown[0]
        return GradedCall(result, Problem(ProblemKind.WARNING, f"{first.category.__name__}: {str(first.message)[:200]}"))
    for i, (b, a) in enumerate(zip(before, args)):
        name = arg_names[i] if i < len(arg_names) else f"argument {i + 1}"
        change = changed_input(b, a, name)
        if change:
            return GradedCall(result, Problem(ProblemKind.CHANGED, change.where, change.how, change.container))
    return GradedCall(result, None)


def returned_input(result: object, args: Sequence[object], arg_names: Sequence[str] = ()) -> tuple[str, str, str] | None:
    """(where in the output, which input, "dict"/"list"/"array") for the first part of `result` that
    is an input the call received: the same dict or list, or an array sharing an input's memory
    (the input itself or a view of it). None when the answer is built of new objects."""
    import numpy as np

    inputs: list[tuple[str, object]] = []

    def collect(value: object, path: str) -> None:
        if isinstance(value, (dict, list, np.ndarray)):
            inputs.append((path, value))
        if isinstance(value, dict):
            for k, v in value.items():
                collect(v, f"{path}[{k!r}]")
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                collect(v, f"{path}[{i}]")

    for i, a in enumerate(args):
        collect(a, arg_names[i] if i < len(arg_names) else f"argument {i + 1}")

    def find(value: object, path: str) -> tuple[str, str, str] | None:
        if isinstance(value, np.ndarray):
            for name, held in inputs:
                if isinstance(held, np.ndarray) and np.may_share_memory(value, held) and np.shares_memory(value, held):
                    return path, name, "array"
            return None
        if isinstance(value, (dict, list)):
            for name, held in inputs:
                if value is held:
                    return path, name, type(value).__name__
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, (list, tuple)) else ()
        for k, v in items:
            found = find(v, f"{path}[{k!r}]")
            if found:
                return found
        return None

    return find(result, "output") if inputs else None


def returned_input_message(unit: str, found: tuple[str, str, str]) -> str:
    """The feedback sentence for an answer that is (part of) an input (identical on both paths)."""
    out, held, kind = found
    why = "so that changing its answer later cannot change its inputs"
    if kind == "array":
        return (f"{unit} returned its input {held} itself (or a view of it) as {out}; a graded function returns "
                f"new arrays, {why} (where the answer equals an input, return a copy: .copy())")
    return (f"{unit} returned the {kind} {held} it received as {out}, not a new {kind}; a graded function returns "
            f"new {kind}s and arrays, {why} (build a new {kind}, with a copy of each array that stays as it was)")


SHARED = "shared:"     # an oracle entry "shared:<sibling>": swap the helpers the unit shares with <sibling>


def shared_helpers(ns: Mapping[str, object], unit: str, siblings: Sequence[str], graded: Collection[str],
                   is_given: Callable[[CodeType], bool]) -> list[str]:
    """Names of the student's own functions that graded function `unit` and one of `siblings` both
    call by name (one helper behind two units: its mistake is charged to the sibling only).

    graded: every graded function's name (never a helper); is_given(code): given code (never a helper).
    """
    def calls(name: str) -> set[str]:
        return set(getattr(getattr(ns.get(name), "__code__", None), "co_names", ()))

    def own(name: str) -> bool:
        code = getattr(ns.get(name), "__code__", None)
        return code is not None and name not in graded and not is_given(code)

    theirs = set[str]().union(*(calls(s) for s in siblings)) if siblings else set()
    return sorted(n for n in calls(unit) & theirs if own(n))


def shared_swaps(ns: Mapping[str, object], unit: str, siblings: Sequence[str], graded: Collection[str],
                 is_given: Callable[[CodeType], bool],
                 reference: Callable[[str], Callable[[Mapping[str, object]], object]]) -> dict[str, Callable[..., object]]:
    """{helper: its shared_proxy} for the helpers `unit` shares with `siblings` (shared_helpers), each
    answered by reference(helper's name): what both grading paths swap in while `unit` is called."""
    return {h: shared_proxy(helper, reference(h))
            for h in shared_helpers(ns, unit, siblings, graded, is_given) if callable(helper := ns[h])}


_MISSING = object()


def swap_in(ns: dict[str, object], functions: Mapping[str, object]) -> dict[str, object]:
    """Put `functions` into the namespace `ns`; returns what they replaced, for swap_out."""
    saved = {name: ns.get(name, _MISSING) for name in functions}
    ns.update(functions)
    return saved


def swap_out(ns: dict[str, object], saved: Mapping[str, object]) -> None:
    """Undo swap_in: every replaced name back, every added one gone."""
    for name, value in saved.items():
        if value is _MISSING:
            ns.pop(name, None)
        else:
            ns[name] = value


def shared_proxy(func: Callable[..., object],
                 reference: Callable[[Mapping[str, object]], object]) -> Callable[..., object]:
    """The student's helper `func`, answered with the reference where `reference` recognises the call.

    reference(arguments) gets the call's arguments by parameter name (defaults applied) and returns
    a dict of reference values, or None. The student's own helper runs first (its answer gives the
    shape of the result: extra keys are kept); a helper that returns no dict is left alone.
    """
    import inspect

    def helper(*args: object, **kwargs: object) -> object:
        try:
            own = func(*args, **kwargs)
        except Exception:
            own = {}
        if not isinstance(own, dict):
            return own
        try:
            bound = inspect.signature(func).bind(*args, **kwargs)
            bound.apply_defaults()
            ref = reference(dict(bound.arguments))
        except Exception:
            ref = None
        return {**own, **ref} if isinstance(ref, dict) else own

    helper.__name__ = getattr(func, "__name__", "helper")
    return helper


def problem_message(unit: str, problem: Problem) -> str:
    """The feedback sentence for a problem reported by call_graded (identical on both paths)."""
    detail = problem.detail
    if problem.kind is ProblemKind.GIVEN:
        return f"{unit} calls the given helper {detail}; a graded function must compute its answer itself"
    if problem.kind is ProblemKind.WARNING:
        return (f"{unit} emitted a warning ({detail}); a graded function must run without warnings "
                f"(no division by zero, no log(0), no overflow)")
    if problem.kind is ProblemKind.TAMPERED:
        return f"{unit} switched off the grader's call monitor ({detail}); a graded function must not change tracing"
    keep = "a graded function must leave its inputs unchanged"
    if problem.how in (REPLACED, RESIZED):
        # The caller's dict (or list) holds other entries; no array of it was written to.
        kind = problem.container
        fresh = ("e.g. grads = {}; grads = params gives the same dict another name, it copies nothing"
                 if kind == "dict" else "e.g. out = []; out = xs gives the same list another name, it copies nothing")
        if problem.how == REPLACED:
            parent = detail[:detail.rindex("[")] if "[" in detail else detail
            head = f"{unit} replaced the entry {detail} of the {kind} {parent} it received"
        else:
            head = f"{unit} added or removed entries of the {kind} {detail} it received"
        return f"{head}; {keep} (build the answer in a new {kind}, {fresh})"
    return (f"{unit} modified its input {detail} in place; {keep} "
            f"(build a new array instead of using +=, *= or slice assignment on an input)")


# ---- a kernel's conveniences ---------------------------------------------------------------

class _Shell:
    """Stands in for IPython's shell: every method exists and does nothing."""

    def __getattr__(self, name: str) -> Callable[..., None]:
        return lambda *args, **kwargs: None


_SHELL = _Shell()


def get_ipython() -> _Shell:
    return _SHELL


def display(*objs: object, **kwargs: object) -> None:
    """IPython's display(): output is discarded while grading."""
    return None


def intern_strings(value: object) -> object:
    """Strings as a kernel has them: interned, so `activation is "relu"` behaves as in Jupyter."""
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, dict):
        return {intern_strings(k): intern_strings(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(intern_strings(v) for v in value)
    return value


def not_implemented_message(name: str) -> str:
    """The message of a function that still raises NotImplementedError (the class report counts these)."""
    return f"{name} is not implemented yet"


GIVEN_DIRECTIVE = "\x00grader:given"   # label of the load request's last "cell": given cells and allowed names


def positional(name: str, args: Sequence[object], kwargs: Mapping[str, object],
               names: Sequence[str]) -> tuple[object, ...]:
    """args followed by the keyword arguments in the order of `names`; TypeError as Python would raise."""
    out, rest = list(args), dict(kwargs)
    for param in names[len(out):]:
        if param not in rest:
            break             # the rest must be defaults (the reference fills them in)
        out.append(rest.pop(param))
    if rest:
        raise TypeError(f"{name}() got an unexpected keyword argument {next(iter(rest))!r}")
    return tuple(out)


class Runner:
    def __init__(self, wire: Codec, fd_in: int, fd_out: int, control: int = -1) -> None:
        self.wire, self.fd_in, self.fd_out = wire, fd_in, fd_out
        self.control = control      # the relay's "a call may start" (relay.ForkGate); -1: none
        self.namespaces: dict[str, dict[str, object]] = {}   # notebook -> its globals, as the student's code left them
        self.given_files: set[str] = set()      # compiled file names of given cells ("<stem: cell 'setup'>")
        self.allowed: set[str] = set()          # qualified names of the given building blocks (checks/given.py)
        self.arg_names: dict[str, Sequence[str]] = {}   # graded function -> its parameter names, to name a changed input
        self.cwd = os.getcwd()        # the assignment folder, before any student code runs
        self.given_modules: set[str] = set()    # paths of the given .py modules there
        # Keep our own references: the student may monkeypatch modules later.
        self._to_data, self._to_args = wire.to_data, wire.to_args
        self._pack, self._unpack = wire.pack, wire.unpack_from
        self._write, self._read = os.write, os.read

    # ---- messages ---------------------------------------------------------
    def send(self, header: Mapping[str, object], value: object = None, has_value: bool = False) -> None:
        if has_value:
            header = dict(header, value=None)
        data = self._pack(header, value)
        view = memoryview(data)
        while view:
            view = view[self._write(self.fd_out, view):]

    def read_exact(self, n: int) -> bytes:
        chunks, left = [], n
        while left:
            chunk = self._read(self.fd_in, min(left, 1 << 20))
            if not chunk:
                raise EOFError("parent closed the channel")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def receive(self) -> Message:
        return self._unpack(self.read_exact)

    # ---- timing -----------------------------------------------------------
    @staticmethod
    def _alarm(signum: int, frame: FrameType | None) -> NoReturn:
        raise GradingTimeout()

    def _arm(self, seconds: float) -> None:
        signal.signal(signal.SIGALRM, self._alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)

    @staticmethod
    def _disarm() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)

    def _calling(self) -> None:
        """Tell the relay a graded call starts, and wait until it says go: from then until the call's
        reply no process can be made, and no other process of the student is left (relay.ForkGate)."""
        if self.control < 0:
            return
        import select

        os.set_blocking(self.control, False)
        try:
            while self._read(self.control, 64):     # a go the student's own forged "calling" earned
                pass
        except BlockingIOError:
            pass
        os.set_blocking(self.control, True)
        self.send({"op": "calling"})
        select.select([self.control], [], [])
        if self._read(self.control, 1) != b"!":
            raise EOFError("the relay closed the control socket")

    # ---- requests (from the grader: their fields are as runner.py's docstring says) -------------
    def load(self, header: Header) -> None:
        ns: dict[str, object] = {"__name__": "__main__", "__builtins__": builtins}
        self.namespaces[header["notebook"]] = ns
        cells = header["cells"]
        if cells and cells[-1][0] == GIVEN_DIRECTIVE:
            import json

            spec = json.loads(cells[-1][1])
            cells = cells[:-1]
            self.given_files |= {f"<{header['notebook']}: {label}>" for label in spec.get("cells", [])}
            self.allowed |= set(spec.get("allowed", []))
            self.arg_names.update(spec.get("arg_names", {}))
            self.given_modules |= {os.path.join(self.cwd, m) for m in spec.get("modules", [])}
        for i, (label, source) in enumerate(cells):
            status, error = "ok", ""
            try:
                # The grader sends Python already: IPython's transform of the cell (autograder/cell_python.py).
                code = compile(source, f"<{header['notebook']}: {label}>", "exec")
                self._arm(header["timeout"])
                try:
                    exec(code, ns)
                finally:
                    self._disarm()
            except GradingTimeout:
                status, error = "timeout", f"timed out after {header['timeout']:g}s"
            except BaseException as exc:  # noqa: B036 -- sys.exit in a cell must not end the worker
                self._disarm()
                status, error = "error", describe_exception(exc)
            self.send({"op": "cell", "index": i, "status": status, "error": error})
        self.send({"op": "loaded"})

    def classify(self, code: CodeType) -> str:
        name = code.co_filename
        if name in self.given_files or (name.endswith(".py") and name in self.given_modules):
            # A module's own body only defines names (a first import inside a graded function);
            # a building block is allowed by its qualified name (a nested stand-in `dy_t` is not `dy_t`).
            allowed = code.co_name == "<module>" or getattr(code, "co_qualname", code.co_name) in self.allowed
            return "allowed" if allowed else "forbidden"
        return ""

    def _reference(self, name: str) -> Callable[[Mapping[str, object]], object]:
        """reference(arguments) for shared_proxy: the parent's answer, or None when it declines."""
        def ask(arguments: Mapping[str, object]) -> object:
            self.send({"op": "oracle", "name": name}, self._to_args((arguments,)), has_value=True)
            header, value = self.receive()
            return value if header.get("op") == "oracle_result" else None
        return ask

    def _proxy(self, name: str) -> Callable[..., object]:
        def oracle(*args: object, **kwargs: object) -> object:
            if kwargs:      # keyword arguments go in the rule's own order (its parameter names, as the unit declares them)
                args = positional(name, args, kwargs, self.arg_names.get(name, ()))
            self.send({"op": "oracle", "name": name}, self._to_args(args), has_value=True)
            header, value = self.receive()
            if header.get("op") == "oracle_result":
                return value
            raise HelperCallError(header.get("message", f"{name} refused the call"))
        oracle.__name__ = name
        return oracle

    def call(self, header: Header, args: tuple[object, ...]) -> None:
        ns = self.namespaces.get(header["notebook"])
        name = header["name"]
        func = ns.get(name) if ns is not None else None
        if ns is None or not callable(func):
            self.send({"op": "error", "kind": "undefined",
                       "message": f"function {name} is not defined (was it renamed or deleted?)"})
            return
        oracles = header.get("oracles") or []
        siblings = [o[len(SHARED):] for o in oracles if o.startswith(SHARED)]
        oracles = [o for o in oracles if not o.startswith(SHARED)]
        shared = shared_swaps(ns, name, siblings, set(self.arg_names), lambda c: self.classify(c) != "",
                              lambda h: self._reference(SHARED + h))
        saved = swap_in(ns, {**{o: self._proxy(o) for o in oracles if o not in shared}, **shared})
        args = tuple(intern_strings(a) for a in args)
        self._calling()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._arm(header["timeout"])
                try:
                    result, problem = call_graded(func, args, self.classify, self.arg_names.get(name, ()))
                finally:
                    self._disarm()
            if problem:
                self.send({"op": "error", "kind": "graded-call", "message": problem_message(name, problem)})
                return
            data = self._to_data(result)
        except GradingTimeout:
            self.send({"op": "error", "kind": "timeout", "message": f"timed out after {header['timeout']:g}s"})
            return
        except NotImplementedError:
            self.send({"op": "error", "kind": "notimplemented", "message": not_implemented_message(name)})
            return
        except BaseException as exc:  # noqa: B036 -- SystemExit/KeyboardInterrupt from student code too
            kind = "memory" if isinstance(exc, MemoryError) else "exception"
            self.send({"op": "error", "kind": kind, "message": f"{name} raised {describe_exception(exc)}"})
            return
        finally:
            swap_out(ns, saved)
        found = returned_input(result, args, self.arg_names.get(name, ()))
        header_out: dict[str, object] = {"op": "result"}
        if found:
            header_out["aliased"] = returned_input_message(name, found)
        try:
            self.send(header_out, data, has_value=True)
        except Exception as exc:
            self.send({"op": "error", "kind": "exception",
                       "message": f"{name} returned a value that cannot be sent back: {describe_exception(exc)}"})

    def serve(self) -> None:
        while True:
            header, value = self.receive()
            op = header.get("op")
            if op == "load":
                self.load(header)
            elif op == "call":
                self.call(header, tuple(value) if value is not None else ())
            elif op == "exit":
                return


def main(argv: Sequence[str]) -> None:
    fd_in, fd_out, mem_bytes, cpu_seconds = (int(a) for a in argv[1:5])
    # Started with -S (no site module: .pth start-up hooks cost ~40 ms per sandbox);
    # the interpreter's site-packages folders come as the last argument.
    sys.path.extend(p for p in argv[5].split(os.pathsep) if p and p not in sys.path)
    wire, relay = _load("wire"), _load("relay")
    import numpy  # noqa: F401 -- imported before the limits: its start-up is not the student's cost
    _limit(mem_bytes, cpu_seconds)
    _silence_output()
    # Like a Jupyter kernel: the working directory (public assignment files) is importable.
    sys.path.insert(0, os.getcwd())
    # Like a Jupyter kernel: IPython's display and get_ipython exist (and do nothing here).
    vars(builtins).update(display=display, get_ipython=get_ipython)

    def serve(child_in: int, child_out: int, control: int) -> None:
        for fd in (child_in, child_out):
            os.set_inheritable(fd, False)  # programs the student starts do not get the pipes
        Runner(wire, child_in, child_out, control).serve()

    # Student code runs only in the child; the grader's channel stays in this process (relay.py).
    relay.start(wire, fd_in, fd_out, serve)


if __name__ == "__main__":
    main(sys.argv)
