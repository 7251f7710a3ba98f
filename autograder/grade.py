"""Grading one submission in a sandbox, and a batch of them in parallel.

The batch is a pipeline of named steps, each given what it needs (grade_batch):
    read      the plan, the submissions, what the output folder already holds (earlier rows, cache)
    boot      the sandbox's isolation (make_config), and per submission a worker, started on demand
    grade     per submission, each unit in the plan's order (Grader.grade: read its notebooks,
              grade the units, assemble the row), in a pool of processes that receive the context
    write     every output, through one OutputFolder (report.py): a student's files as soon as
              the row is made, the batch's files (grades.json, grades.csv, math.html) at the end

A unit earns its points only if every one of its cases passes. The student's
function runs in the sandbox (jail.Worker); its answer comes back as plain
data and is judged here with `unit.judge`. For an assembly unit the helper
functions it calls are answered by the reference here, only while that unit
is being graded and only for the names the unit lists (unit.oracles).

One entry per student (all notebooks of the assignment), whatever happens:
a missing or broken notebook gives its units 0 with a message.
"""
from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from . import plan as plan_module
from . import outputs, report
from .checks import ORACLES
from .checks.base import Case, Unit
from .checks.judge import judge_cases, where
from .errors import GraderError, SandboxError
from .plan import GradedUnit, Plan
from .reference.validate import known_sizes
from .replies import CallReply, Raised
from .results import ALL_PASS_NOTE, GradingFailure, ManualResult, StudentResult, UnitResult
from .checks.given import directive
from .sandbox import isolation as iso_mod
from .sandbox import protect, wire
from .sandbox.isolation import IsolationError
from .sandbox.jail import JailConfig, OracleRefused, Worker, WorkerGone, clean_text, default_hidden, sweep_cgroups
from .sandbox.runner import GIVEN_DIRECTIVE, SHARED
from .submission import CodeCell, Submission, UnusableNotebook, cells_to_run, discover, read_notebook

if TYPE_CHECKING:
    from .checks.trace import Call

__all__ = ["ALL_PASS_NOTE", "Grader", "grade_batch", "load_plan", "make_config", "release_config"]

log = logging.getLogger(__name__)
MAX_ORACLE_ELEMENTS = 1_000_000   # per oracle request: the reference runs in the grader's process
MAX_NOTES = 20                    # per student: the rest are counted in the last note


def load_plan(course_root: str | Path, assignment: str | None = None) -> Plan:
    """plan.read_plan (its ConfigError is errors.ConfigError, a GraderError)."""
    return plan_module.read_plan(course_root, assignment)


def code_digest() -> str:
    """Hash of the grader's own code: a change invalidates cached results."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _sizes(value: object, dims: list[int]) -> int:
    """Elements of every array (and container slot) in `value`; each array dimension goes into `dims`."""
    if isinstance(value, np.ndarray):
        dims.extend(value.shape)
        return value.size
    if isinstance(value, dict):
        return sum(_sizes(v, dims) for v in value.values())
    if isinstance(value, (tuple, list)):
        return sum(_sizes(v, dims) for v in value) + len(value)
    if isinstance(value, int) and not isinstance(value, bool):
        dims.append(value)
    return 1


def oracle_bounds(case_args: object) -> tuple[int, int]:
    """(largest dimension, most numbers) a helper call may carry while `case_args` is graded.

    A solution calls helpers with arrays made from the case's inputs (slices, transposes, the
    steps of a history stacked): no dimension beyond the product of the case's two largest
    (N*T), no more numbers than a few times the case's. The reference rules compute outer
    products (y_netAct.T @ dz_netIn), so a bound on the numbers alone would still let one call of
    (1, 10^6) arrays make the grader build a 10^12-element matrix.
    """
    dims: list[int] = []
    elements = _sizes(case_args, dims)
    top = sorted(dims)[-2:] or [1]
    return max(16, int(np.prod(top))), min(MAX_ORACLE_ELEMENTS, 8 * elements + 1000)


def oracle_answerer(unit: GradedUnit, case_args: object = None, calls: list[Call] | None = None,
                    sizes: Mapping[str, object] | None = None) -> Callable[[str, object], object]:
    """Answers helper calls during `unit` only, for its own helper names only, within oracle_bounds.

    calls: if given, each answered call is appended as a trace.Call (the unit's call trace:
    the sandbox sends every helper call here as plain data).
    sizes: the case's sizes; a call's arguments are checked against its model sizes, so that a bad
    call names the argument of the wrong shape, not one its shape was read from.
    """
    from .checks.trace import Call

    check = _check_of(unit)
    allowed = set(check.oracles)
    max_dim, max_elements = oracle_bounds(case_args) if case_args is not None else (1 << 31, MAX_ORACLE_ELEMENTS)

    def answer(name: str, args: object) -> object:
        if name.startswith(SHARED) and check.shared is not None:
            if not isinstance(args, tuple) or len(args) != 1 or not isinstance(args[0], dict):
                raise OracleRefused("malformed arguments")
            if _sizes(args, []) > max_elements:
                raise OracleRefused(f"{name} called with more than {max_elements} numbers")
            try:
                with np.errstate(all="ignore"):
                    ref = check.shared(args[0])
            except Exception:
                ref = None
            if ref is None:
                raise OracleRefused(f"{name} is not the helper {unit.name} shares")
            return wire.to_data(ref)
        if name not in allowed or name not in ORACLES:
            raise OracleRefused(f"{name} is not available while grading {unit.name}")
        if not isinstance(args, tuple):
            raise OracleRefused("malformed arguments")
        dims: list[int] = []
        if _sizes(args, dims) > max_elements:
            raise OracleRefused(f"{name} called with more than {max_elements} numbers (this case's inputs "
                                f"hold far fewer)")
        if any(d > max_dim for d in dims):
            raise OracleRefused(f"{name} called with an array dimension of {max(dims)}, larger than any "
                                f"this case's inputs can make ({max_dim})")
        try:
            with np.errstate(all="ignore"), known_sizes(sizes or {}, check.dims_used):
                result = wire.to_data(ORACLES[name](*args))
        except Exception as exc:  # the reference validates shapes: pass its message on
            raise OracleRefused(f"{name} was called with bad arguments: {str(exc)[:300]}") from None
        if calls is not None:
            calls.append(Call(name, args, result))
        return result

    return answer


def _check_of(unit: GradedUnit) -> Unit:
    return unit.check


@dataclass
class _Session:
    """The sandbox state while one submission is graded."""

    start: float                                    # time.monotonic() when grading began
    worker: Worker | None = None
    restarts: int = 0
    poisoned: dict[str, set[int]] = field(default_factory=dict)     # stem -> cells that killed the worker
    cell_notes: dict[str, list[str]] = field(default_factory=dict)  # stem -> problems while loading
    left_behind: list[str] = field(default_factory=list)            # what the sandboxes' clean-up could not delete


class Grader:
    """Grades one submission: boots the sandbox, runs notebooks, calls units, restarts on death."""

    def __init__(self, plan: Plan, cases: dict[str, list[Case]], cfg: JailConfig) -> None:
        self.plan, self.cases, self.cfg = plan, cases, cfg
        self.state = _Session(start=time.monotonic())

    def grade(self, sub: Submission) -> StudentResult:
        """Every unit of the plan for `sub`; SandboxError if the sandbox cannot start at all.

        read its notebooks -> grade each unit in order (booting a worker when none is alive) -> assemble the row.
        """
        start = time.monotonic()
        cells, results = read_cells(self.plan, sub)
        self.state = _Session(start=start, poisoned={stem: set() for stem in cells})
        try:
            for unit in self.plan.grading_order():
                if unit.name not in results:
                    results[unit.name] = self._grade_unit(unit, cells, results)
        finally:
            if self.state.worker is not None:
                self.state.worker.close()
        return assemble(self.plan, sub, results, self.state.cell_notes, start, self.cfg, self.state.left_behind)

    # ---- the sandboxed process ---------------------------------------------
    def _over_budget(self) -> bool:
        return time.monotonic() - self.state.start > self.cfg.submission_timeout

    def _boot(self, cells: dict[str, list[CodeCell]], needed: list[str]) -> Worker | None:
        """A running worker with the needed notebooks loaded; None when restarts ran out."""
        st = self.state
        while True:
            if st.restarts > self.cfg.max_restarts or self._over_budget():
                return None
            worker = Worker(self.cfg, st.left_behind)
            worker.hard_deadline = st.start + self.cfg.submission_timeout
            try:
                worker.start()
            except WorkerGone as gone:
                # Nothing of the student's has run yet: this is the grader's problem.
                worker.kill()
                raise SandboxError(f"sandbox problem: {gone.message}") from None
            stem = None
            try:
                for stem in needed:
                    keep = [i for i in range(len(cells[stem])) if i not in st.poisoned[stem]]
                    # The last "cell" tells the runner which code is given (checks/given.py); it runs nothing.
                    outcomes = worker.load(stem, [cells[stem][i] for i in keep] + [self._given(stem)])
                    if stem not in st.cell_notes:
                        st.cell_notes[stem] = [f"{cells[stem][keep[j]].label}: {outcome.error}"
                                               for j, outcome in enumerate(outcomes) if not outcome.ok]
                return worker
            except WorkerGone as gone:
                worker.kill()
                st.restarts += 1
                cell = gone.cell     # set by Worker.load: the cell that was running
                if stem is None or cell is None:
                    continue
                keep = [i for i in range(len(cells[stem])) if i not in st.poisoned[stem]]
                if cell >= len(keep):
                    continue
                index = keep[cell]
                st.poisoned[stem].add(index)
                st.cell_notes.setdefault(stem, []).append(
                    f"{cells[stem][index].label} ended the worker ({gone.message}); it was skipped")

    def _given(self, stem: str) -> CodeCell:
        source = self.plan.course_root / "source" / self.plan.assignment
        units = [_check_of(u) for u in self.plan.units if u.notebook == stem]
        return CodeCell(GIVEN_DIRECTIVE, directive(stem, source, units))

    def _out_of_time(self, unit: GradedUnit) -> UnitResult:
        return _zero(unit, f"not graded: the submission ran past its {self.cfg.submission_timeout:g}s time limit")

    def _grade_unit(self, unit: GradedUnit, cells: dict[str, list[CodeCell]],
                    results: dict[str, UnitResult]) -> UnitResult:
        st = self.state
        if self._over_budget():
            return self._out_of_time(unit)
        if st.worker is None or not st.worker.alive:
            needed = [stem for stem in cells
                      if any(u.notebook == stem and u.name not in results for u in self.plan.units)]
            st.worker = self._boot(cells, needed)
            if st.worker is None:
                if self._over_budget():
                    return self._out_of_time(unit)
                return _zero(unit, f"not graded: the worker crashed or timed out too often ({st.restarts} restarts)")
        worker = st.worker
        check = _check_of(unit)
        cases = self.cases[unit.name]
        # One mistake, one charge: a helper shared with a unit that already lost its points answers
        # with the reference while this unit is graded (checks/long.py, runner.shared_swaps).
        shared = tuple(SHARED + s for s in check.shares_with
                       if s in results and results[s].score < results[s].max_score)
        at = [""]     # the case being called, for the message when the sandbox dies during it

        def call(i: int, case: Case, calls: list[Call]) -> CallReply:
            at[0] = where(i, len(cases), case)
            return worker.call(unit.notebook, unit.name, case.args, check.oracles + shared,
                               oracle_answerer(unit, case.args, calls, case.dims), self.cfg.call_timeout)

        try:
            verdict = judge_cases(check, cases, call, self._probe_runner(worker, unit, shared))
        except WorkerGone as gone:
            worker.kill()
            st.worker = None
            st.restarts += 1
            if self._over_budget():
                return self._out_of_time(unit)
            return _zero(unit, f"{unit.name}: {gone.message} ({at[0]})")
        if verdict is not None:
            return _zero(unit, verdict)
        return UnitResult(unit.name, unit.notebook, unit.points, unit.points, f"passed {len(cases)}/{len(cases)} cases")

    def _probe_runner(self, worker: Worker, unit: GradedUnit,
                      shared: tuple[str, ...] = ()) -> Callable[[tuple[object, ...]], object]:
        """run(args): the student's answer on a probe's inputs, as plain data, or None (checks/probes.py)."""
        check = _check_of(unit)
        gone: list[bool] = []

        def run(args: tuple[object, ...]) -> object:
            if gone or self._over_budget() or not worker.alive:
                return None
            try:
                reply = worker.call(unit.notebook, unit.name, args, check.oracles + shared,
                                    oracle_answerer(unit), self.cfg.call_timeout)
            except WorkerGone:     # a probe that kills the worker ends the probing (the verdict stands)
                gone.append(True)
                worker.kill()
                self.state.worker = None
                return None
            return None if isinstance(reply, Raised) else reply.value
        return run


def read_cells(plan: Plan, sub: Submission) -> tuple[dict[str, list[CodeCell]], dict[str, UnitResult]]:
    """(the code cells to run per notebook, the units already decided): a missing or unusable
    notebook gives its units 0 with the reason, and is not run."""
    results: dict[str, UnitResult] = {}
    cells: dict[str, list[CodeCell]] = {}
    for stem in plan.notebooks:
        units = [u for u in plan.units if u.notebook == stem]
        if stem not in sub.files:
            for u in units:
                results[u.name] = _zero(u, f"notebook {stem}.ipynb is missing from the submission")
            continue
        try:
            cells[stem] = cells_to_run(read_notebook(sub.files[stem]), plan.notebooks[stem])
        except UnusableNotebook as exc:
            problem = str(exc)
        else:
            continue
        for u in units:
            results[u.name] = _zero(u, f"{problem} ({sub.files[stem].name})")
    return cells, results


def assemble(plan: Plan, sub: Submission, results: dict[str, UnitResult], cell_notes: dict[str, list[str]],
             start: float, cfg: JailConfig, left_behind: Sequence[str] = ()) -> StudentResult:
    """The student's row: every unit in the plan's order, the notes, all text bounded."""
    notes = list(sub.problems)
    notes += [f"clean-up: after this student's sandbox, {p}; later students of this run may find it"
              for p in left_behind]
    for stem, msgs in cell_notes.items():
        notes += [f"{stem}: {m}" for m in msgs]
    if len(notes) > MAX_NOTES:    # 40,000 failing cells must not make a 13 MB grades.json
        notes = notes[:MAX_NOTES - 1] + [f"... and {len(notes) - MAX_NOTES + 1} more notes like these"]
    # Verdicts may quote what the student's code returned (a type name, a key): bound them too.
    tests = tuple(replace(results[u.name], output=clean_text(results[u.name].output, 1000)) for u in plan.units)
    iso = cfg.isolation
    return StudentResult(student=sub.student, notebook=sub.path,
                         notebooks={stem: (sub.files[stem].name if stem in sub.files else None)
                                    for stem in plan.notebooks},
                         score=sum(t.score for t in tests), max_score=plan.max_score, tests=tests,
                         notes=tuple(clean_text(n, 1000) for n in notes),
                         seconds=round(time.monotonic() - start, 3),
                         isolation=iso.mode if iso else None, isolation_detail=iso.describe() if iso else None,
                         manual=pending_answers(plan))


def pending_answers(plan: Plan) -> tuple[ManualResult, ...]:
    """The written answers of the plan, none scored: a grader scores them in formgrader (gradebook.py folds them in)."""
    return tuple(ManualResult(q.name, q.notebook, q.points) for q in plan.questions)


def _zero(unit: GradedUnit, message: str) -> UnitResult:
    return UnitResult(unit.name, unit.notebook, 0.0, unit.points, message)


# ---- batch ---------------------------------------------------------------------

@dataclass(frozen=True)
class BatchContext:
    """What grading any submission of the batch needs: given to each pool worker when it starts."""

    plan: Plan
    cases: dict[str, list[Case]]
    cfg: JailConfig


def grade_safely(ctx: BatchContext, sub: Submission) -> StudentResult | GradingFailure:
    """`sub`'s row, or why the grader could not grade it (never the student's doing)."""
    try:
        return Grader(ctx.plan, ctx.cases, ctx.cfg).grade(sub)
    except (GraderError, IsolationError) as exc:   # the sandbox could not start: not the student's doing
        return GradingFailure(sub.student, str(exc))
    except Exception:  # a bug of the grader, never the student's doing: stop loudly
        import traceback

        return GradingFailure(sub.student, "internal grader error:\n" + traceback.format_exc(limit=8))


# A pool worker's context: set by _start_worker, in the worker's own process only (never in the parent).
_worker_context: list[BatchContext] = []


def _start_worker(ctx: BatchContext) -> None:
    """The pool's initialiser: `ctx` comes with the fork (inherited, not pickled)."""
    import signal

    # Ctrl-C reaches the whole process group: only the main process handles it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_context[:] = [ctx]


def _grade_in_worker(sub: Submission) -> StudentResult | GradingFailure:
    return grade_safely(_worker_context[0], sub)


def cache_key(sub: Submission, plan: Plan, cfg: JailConfig, code: str) -> str:
    h = hashlib.sha256()
    h.update(code.encode() + plan.digest.encode() + cfg.key().encode())
    for stem, data in sub.notebook_bytes():     # one notebook in memory at a time (each up to 100 MB)
        h.update(stem.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def make_config(plan: Plan, out_dir: str | Path, paths: Iterable[str | Path],
                extra_hide: Iterable[str | Path] = (), isolation: str = "auto", sandbox_user: str | None = None,
                allow_unbounded_disk: bool = False, **limits: Any) -> JailConfig:
    """Sandbox settings and the isolation they run under (detected, stage written; see release_config).

    Hidden/protected: the grader's code, the course, the output, the submissions' folders and `extra_hide`.
    Raises isolation.IsolationError (a RuntimeError) when the isolation asked for cannot run here.
    """
    hide = [str(plan.course_root), str(out_dir)] + [str(Path(p).resolve() if Path(p).is_dir()
                                                         else Path(p).resolve().parent) for p in paths]
    hide += [str(Path(p).resolve()) for p in extra_hide]
    cfg = JailConfig(hide=default_hidden(hide), public_files=[str(p) for p in plan.public_files()], **limits)
    iso = cfg.isolation = iso_mod.resolve(isolation, sandbox_user or iso_mod.DEFAULT_USER, cfg.max_processes,
                                          memory_mb=cfg.memory_mb, allow_unbounded_disk=allow_unbounded_disk)
    try:
        if iso.mode == "bwrap":
            grader_dir, work_dir = protect.stage_files(iso, cfg.public_files, check=False)
            iso.grader_dir, iso.work_dir = grader_dir, work_dir
        if iso.mode == "process":
            grader_dir, work_dir = protect.stage_files(iso, cfg.public_files)
            changed = protect.protect(iso, cfg.hide)
            iso.grader_dir, iso.work_dir, iso.protected = grader_dir, work_dir, changed
            if changed:
                log.warning("process isolation: removed other users' access (chmod o-rwx, or o-rw on folders "
                            "leading to Python) so that %s cannot read: %s", iso.user, ", ".join(changed))
    except BaseException:
        iso_mod.release(iso)
        raise
    return cfg


def release_config(cfg: JailConfig) -> None:
    """Remove what make_config wrote (the isolation's stage folder)."""
    iso_mod.release(cfg.isolation)


def grade_batch(paths: Sequence[str | Path], out_dir: str | Path, course_root: str | Path = ".",
                jobs: int | None = None, force: bool = False, progress: bool = True,
                assignment: str | None = None, limits: dict[str, Any] | None = None,
                hide: Iterable[str | Path] = (), isolation: str = "auto",
                sandbox_user: str | None = None, allow_unbounded_disk: bool = False) -> tuple[Plan, list[StudentResult]]:
    """Grade every submission under `paths` into `out_dir`; returns (plan, results in student order).

    Every student gets exactly one entry, whatever they submitted: one that could not be graded
    (the sandbox failed, a grader bug) gets zeros, `graded=False` and a note saying why, and the
    batch goes on. Students already in out_dir's grades.json and not graded now are kept there.
    Re-uses cached results for unchanged submissions unless `force`. Raises a GraderError
    subclass when the course, the paths or the output folder are unusable.
    """
    # read: the plan, the submissions, the output folder and the rows it holds already
    plan = load_plan(course_root, assignment)
    out = Path(out_dir).resolve()
    subs = discover(paths, plan)
    outputs.refuse_inside_course(out, plan, paths)
    folder = report.OutputFolder(out, plan)
    folder.prepare()
    earlier = outputs.earlier_entries(out, plan, force)
    # boot: the isolation every sandbox of the batch runs under (its stage folder, released below)
    cfg = make_config(plan, out, paths, extra_hide=hide, isolation=isolation, sandbox_user=sandbox_user,
                      allow_unbounded_disk=allow_unbounded_disk, **(limits or {}))
    try:
        # grade: each submission not cached, its row written as soon as it is made
        ctx = BatchContext(plan=plan, cases={u.name: _check_of(u).cases() for u in plan.units}, cfg=cfg)
        ordered = _grade_all(ctx, subs, folder, jobs, force, progress)
        # write: the batch's files, with the earlier rows of students not graded now
        graded_now = {e.student for e in ordered}
        everyone = sorted(ordered + [e for e in earlier if e.student not in graded_now], key=lambda e: e.student)
        iso = cfg.isolation
        folder.batch(everyone, iso.mode if iso else None, iso.describe() if iso else None)
        return plan, ordered
    finally:
        try:
            release_config(cfg)
        except Exception as exc:   # the results are written: a clean-up problem is only reported
            log.warning("the sandbox's stage folder could not be removed entirely (%s: %s)", type(exc).__name__, exc)


def _grade_all(ctx: BatchContext, subs: list[Submission], folder: report.OutputFolder, jobs: int | None,
               force: bool, progress: bool) -> list[StudentResult]:
    """Every submission's row, in `subs`' order: cached ones read back, the others graded (in a pool of
    `jobs` processes) and each written by `folder` as soon as it is made."""
    plan, cfg = ctx.plan, ctx.cfg
    code = code_digest()
    entries: dict[str, StudentResult] = {}
    todo: dict[str, tuple[Submission, str]] = {}
    for sub in subs:
        key = cache_key(sub, plan, cfg, code)
        cached = None if force else folder.cached(sub.student, key)
        if cached is not None:
            entries[sub.student] = cached
        else:
            todo[sub.student] = (sub, key)
    n_jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    iso = cfg.isolation
    if iso is not None and iso.mode == "process":
        n_jobs = 1   # one uid for all sandboxes and no PID namespace: parallel ones could signal each other
    pool = None
    if n_jobs > 1:
        # Fork: workers inherit numpy and the context with its precomputed cases (made before any thread exists).
        pool = multiprocessing.get_context("fork").Pool(n_jobs, initializer=_start_worker, initargs=(ctx,))
    bar = _progress(len(todo), progress)
    try:
        subs_todo = [sub for sub, _ in todo.values()]
        results: Iterator[StudentResult | GradingFailure] = (
            pool.imap_unordered(_grade_in_worker, subs_todo) if pool
            else (grade_safely(ctx, sub) for sub in subs_todo))
        for result in results:
            sub, key = todo[result.student]
            if isinstance(result, GradingFailure):
                entry = failure_entry(sub, plan, result.message, cfg)
                folder.student(entry, None)     # not cached: the next run tries this student again
            else:
                entry = result
                folder.student(entry, key)
            entries[entry.student] = entry
            bar.update(1)
    finally:
        bar.close()
        if pool is not None:
            pool.terminate()   # on an interruption, workers die; their sandboxes die with them
            pool.join()
            sweep_cgroups(cfg)
    return [entries[s.student] for s in subs]


def failure_entry(sub: Submission, plan: Plan, message: str, cfg: JailConfig | None = None) -> StudentResult:
    """The row of a student the grader could not grade: every unit 0, the reason in the notes."""
    why = clean_text(message, 1000)
    tests = tuple(_zero(u, f"not graded: {clean_text(message, 300)}") for u in plan.units)
    iso = cfg.isolation if cfg is not None else None
    return StudentResult(student=sub.student, notebook=sub.path,
                         notebooks={stem: (sub.files[stem].name if stem in sub.files else None)
                                    for stem in plan.notebooks},
                         score=0.0, max_score=plan.max_score, tests=tests,
                         notes=tuple(clean_text(n, 1000) for n in sub.problems[:MAX_NOTES - 1])
                         + (f"not graded: {why}",),
                         isolation=iso.mode if iso else None, isolation_detail=iso.describe() if iso else None,
                         graded=False, manual=pending_answers(plan))


class _Bar(Protocol):
    def update(self, n: int) -> object: ...

    def close(self) -> None: ...


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool) -> _Bar:
    if not enabled or total == 0:
        return _NoBar()
    from tqdm import tqdm

    bar: _Bar = tqdm(total=total, file=sys.stderr, unit="submission", desc="grading")
    return bar
