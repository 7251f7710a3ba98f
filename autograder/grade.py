"""Grading one submission in a sandbox, and a batch of them in parallel.

A unit earns its points only if every one of its cases passes. The student's
function runs in the sandbox (jail.Worker); its answer comes back as plain
data and is judged here with `unit.judge`. For an assembly unit the helper
functions it calls are answered by the reference here, only while that unit
is being graded and only for the names the unit lists (unit.oracles).

One entry per student (all notebooks of the assignment), whatever happens:
a missing or broken notebook gives its units 0 with a message.
"""
import hashlib
import multiprocessing
import os
import sys
import time
from pathlib import Path

import numpy as np

from .checks import ORACLES
from .plan import read_plan
from .sandbox import wire
from .sandbox.jail import JailConfig, OracleRefused, Worker, WorkerGone, clean_text, default_hidden, sweep_cgroups
from .submission import cells_to_run, discover

MAX_ORACLE_ELEMENTS = 1_000_000   # per oracle request: the reference runs in the grader's process
ALL_PASS_NOTE = "A unit earns its points only if all of its cases pass."


def code_digest():
    """Hash of the grader's own code: a change invalidates cached results."""
    h = hashlib.sha256()
    root = Path(__file__).resolve().parent
    for p in sorted(root.rglob("*.py")):
        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _elements(value):
    if isinstance(value, np.ndarray):
        return value.size
    if isinstance(value, dict):
        return sum(_elements(v) for v in value.values())
    if isinstance(value, (tuple, list)):
        return sum(_elements(v) for v in value) + len(value)
    return 1


def oracle_answerer(unit):
    """Answers helper calls during `unit` only, for its own helper names only."""
    allowed = set(unit.check.oracles)

    def answer(name, args):
        if name not in allowed or name not in ORACLES:
            raise OracleRefused(f"{name} is not available while grading {unit.name}")
        if not isinstance(args, tuple):
            raise OracleRefused("malformed arguments")
        if _elements(args) > MAX_ORACLE_ELEMENTS:
            raise OracleRefused(f"{name} called with more than {MAX_ORACLE_ELEMENTS} numbers")
        try:
            with np.errstate(all="ignore"):
                return wire.to_data(ORACLES[name](*args))
        except Exception as exc:  # the reference validates shapes: pass its message on
            raise OracleRefused(f"{name} was called with bad arguments: {str(exc)[:300]}") from None

    return answer


class Grader:
    """Grades one submission: boots the sandbox, runs notebooks, calls units, restarts on death."""

    def __init__(self, plan, cases, cfg):
        self.plan, self.cases, self.cfg = plan, cases, cfg

    def grade(self, sub):
        start = time.monotonic()
        plan = self.plan
        results = {}      # unit name -> (score, message)
        notes = list(sub.problems)
        cells = {}
        for stem in plan.notebooks:
            units = [u for u in plan.units if u.notebook == stem]
            if stem not in sub.files:
                for u in units:
                    results[u.name] = (0.0, f"notebook {stem}.ipynb is missing from the submission")
                continue
            try:
                data = sub.files[stem].read_bytes()
            except OSError as exc:
                data, problem = None, f"notebook {stem}.ipynb could not be read ({exc.strerror})"
            else:
                sources, problem = cells_to_run(data, plan.notebooks[stem])
            if problem:
                for u in units:
                    results[u.name] = (0.0, f"{problem} ({sub.files[stem].name})")
            else:
                cells[stem] = sources
        self.state = dict(worker=None, restarts=0, poisoned={stem: set() for stem in cells},
                          cell_notes={}, start=start)
        try:
            for unit in plan.grading_order():
                if unit.name in results:
                    continue
                results[unit.name] = self._grade_unit(unit, cells, results)
        finally:
            if self.state["worker"] is not None:
                self.state["worker"].close()
        for stem, msgs in self.state["cell_notes"].items():
            notes += [f"{stem}: {m}" for m in msgs]
        tests = []
        for u in plan.units:
            score, message = results[u.name]
            # Verdicts may quote what the student's code returned (a type name, a key): bound them too.
            tests.append(dict(name=u.name, notebook=u.notebook, score=score, max_score=u.points,
                              output=clean_text(message, 1000)))
        notes = [clean_text(n, 1000) for n in notes]
        iso = self.cfg.isolation
        return dict(student=sub.student, notebook=sub.path,
                    isolation=iso.mode if iso else None, isolation_detail=iso.describe() if iso else None,
                    notebooks={stem: (sub.files[stem].name if stem in sub.files else None) for stem in plan.notebooks},
                    score=sum(t["score"] for t in tests), max_score=plan.max_score, tests=tests, notes=notes,
                    seconds=round(time.monotonic() - start, 3))

    # ---- the sandboxed process ---------------------------------------------
    def _over_budget(self):
        return time.monotonic() - self.state["start"] > self.cfg.submission_timeout

    def _boot(self, cells, needed):
        """A running worker with the needed notebooks loaded; None when restarts ran out."""
        st = self.state
        while True:
            if st["restarts"] > self.cfg.max_restarts or self._over_budget():
                return None
            worker = Worker(self.cfg)
            worker.hard_deadline = st["start"] + self.cfg.submission_timeout
            try:
                worker.start()
            except WorkerGone as gone:
                # Nothing of the student's has run yet: this is the grader's problem.
                worker.kill()
                raise RuntimeError(f"sandbox problem: {gone.message}") from None
            stem = None
            try:
                for stem in needed:
                    keep = [i for i in range(len(cells[stem])) if i not in st["poisoned"][stem]]
                    outcomes = worker.load(stem, [cells[stem][i] for i in keep])
                    if stem not in st["cell_notes"]:
                        st["cell_notes"][stem] = [f"{cells[stem][keep[j]][0]}: {err}" for j, (status, err)
                                                  in enumerate(outcomes) if status != "ok"]
                return worker
            except WorkerGone as gone:
                worker.kill()
                st["restarts"] += 1
                if stem is None or not hasattr(gone, "cell"):
                    continue
                keep = [i for i in range(len(cells[stem])) if i not in st["poisoned"][stem]]
                if gone.cell >= len(keep):
                    continue
                index = keep[gone.cell]
                st["poisoned"][stem].add(index)
                st["cell_notes"].setdefault(stem, []).append(
                    f"{cells[stem][index][0]} ended the worker ({gone.message}); it was skipped")

    def _grade_unit(self, unit, cells, results):
        st = self.state
        if self._over_budget():
            return 0.0, f"not graded: the submission ran past its {self.cfg.submission_timeout:g}s time limit"
        if st["worker"] is None or not st["worker"].alive:
            needed = [stem for stem in cells
                      if any(u.notebook == stem and u.name not in results for u in self.plan.units)]
            st["worker"] = self._boot(cells, needed)
            if st["worker"] is None:
                if self._over_budget():
                    return 0.0, f"not graded: the submission ran past its {self.cfg.submission_timeout:g}s time limit"
                return 0.0, (f"not graded: the worker crashed or timed out too often "
                             f"({st['restarts']} restarts)")
        worker = st["worker"]
        cases = self.cases[unit.name]
        answer = oracle_answerer(unit)
        for i, case in enumerate(cases, 1):
            where = f"case {i} of {len(cases)}: {case.describe()}"
            try:
                reply = worker.call(unit.notebook, unit.name, case.args, unit.check.oracles, answer,
                                    self.cfg.call_timeout)
            except WorkerGone as gone:
                worker.kill()
                st["worker"] = None
                st["restarts"] += 1
                if self._over_budget():
                    return 0.0, f"not graded: the submission ran past its {self.cfg.submission_timeout:g}s time limit"
                return 0.0, f"{unit.name}: {gone.message} ({where})"
            if reply[0] == "error":
                kind, message = reply[1], reply[2]
                if kind in ("undefined", "notimplemented"):
                    return 0.0, message
                if kind == "memory":
                    return 0.0, f"{unit.name}: memory limit exceeded ({where})"
                return 0.0, f"{message} ({where})"
            try:
                verdict = unit.check.judge(case, reply[1])
            except Exception as exc:
                verdict = f"{unit.name} returned a value that could not be checked ({type(exc).__name__})"
            if verdict:
                return 0.0, f"{verdict} ({where})"
        return unit.points, f"passed {len(cases)}/{len(cases)} cases"


# ---- batch ---------------------------------------------------------------------

_STATE = {}


def _ignore_sigint():
    # Ctrl-C reaches the whole process group: only the main process handles it.
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _grade_in_worker(sub):
    s = _STATE
    try:
        return Grader(s["plan"], s["cases"], s["cfg"]).grade(sub)
    except RuntimeError as exc:
        return dict(student=sub.student, error=str(exc))
    except Exception:  # a bug of the grader, never the student's doing: stop loudly
        import traceback

        return dict(student=sub.student, error="internal grader error:\n" + traceback.format_exc(limit=8))


def cache_key(sub, plan, cfg, code):
    h = hashlib.sha256()
    h.update(code.encode() + plan.digest.encode() + cfg.key().encode())
    for stem, data in sub.notebook_bytes().items():
        h.update(stem.encode() + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


def make_config(plan, out_dir, paths, extra_hide=(), isolation="auto", sandbox_user=None, **limits):
    """Sandbox settings and the isolation they run under (detected, stage written; see release_config).

    Hidden/protected: the grader's code, the course, the output, the submissions' folders and `extra_hide`.
    """
    from .sandbox import isolation as iso_mod

    hide = [str(plan.course_root), str(out_dir)] + [str(Path(p).resolve() if Path(p).is_dir()
                                                         else Path(p).resolve().parent) for p in paths]
    hide += [str(Path(p).resolve()) for p in extra_hide]
    cfg = JailConfig(hide=default_hidden(hide), public_files=[str(p) for p in plan.public_files()], **limits)
    cfg.isolation = iso_mod.resolve(isolation, sandbox_user or iso_mod.DEFAULT_USER, cfg.max_processes)
    try:
        if cfg.isolation.mode == "process":
            from .sandbox import protect

            grader_dir, work_dir = protect.stage_files(cfg.isolation, cfg.public_files)
            changed = protect.protect(cfg.isolation, cfg.hide)
            cfg.isolation.extra.update(grader_dir=grader_dir, work_dir=work_dir, protected=changed)
            if changed:
                print(f"process isolation: removed other users' access (chmod o-rwx, or o-rw on folders "
                      f"leading to Python) so that {cfg.isolation.user} cannot read: {', '.join(changed)}",
                      file=sys.stderr)
    except BaseException:
        iso_mod.release(cfg.isolation)
        raise
    return cfg


def release_config(cfg):
    """Remove what make_config wrote (the isolation's stage folder)."""
    from .sandbox import isolation as iso_mod

    iso_mod.release(cfg.isolation)


def grade_batch(paths, out_dir, course_root=".", jobs=None, force=False, progress=True,
                assignment=None, limits=None, hide=(), isolation="auto", sandbox_user=None):
    """Grade every submission under `paths` into `out_dir`; returns (plan, entries).

    Re-uses cached results for unchanged submissions unless `force`.
    """
    from . import report

    plan = read_plan(course_root, assignment)
    subs = discover(paths, plan)
    out_dir = Path(out_dir).resolve()
    report.prepare_out_dir(out_dir)
    cfg = make_config(plan, out_dir, paths, extra_hide=hide, isolation=isolation, sandbox_user=sandbox_user,
                      **(limits or {}))
    try:
        return _grade_all(plan, subs, out_dir, cfg, jobs, force, progress)
    finally:
        release_config(cfg)


def _grade_all(plan, subs, out_dir, cfg, jobs, force, progress):
    from . import report

    code = code_digest()
    entries, todo = {}, []
    for sub in subs:
        key = cache_key(sub, plan, cfg, code)
        cached = None if force else report.read_cache(out_dir, sub.student, key)
        if cached is not None:
            entries[sub.student] = cached
        else:
            todo.append((sub, key))
    _STATE.update(plan=plan, cases={u.name: u.check.cases() for u in plan.units}, cfg=cfg)
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    if cfg.isolation.mode == "process":
        jobs = 1   # one uid for all sandboxes and no PID namespace: parallel ones could signal each other
    keys = {sub.student: key for sub, key in todo}
    subs_by_id = {sub.student: sub for sub, _ in todo}
    pool = None
    if jobs > 1:
        # Fork: workers inherit numpy and the precomputed cases (made before any thread exists).
        pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_ignore_sigint)
    bar = _progress(len(todo), progress)
    try:
        subs_todo = [sub for sub, _ in todo]
        results = pool.imap_unordered(_grade_in_worker, subs_todo) if pool else map(_grade_in_worker, subs_todo)
        _collect(results, entries, keys, out_dir, plan, bar)
    finally:
        bar.close()
        if pool is not None:
            pool.terminate()   # on an interruption, workers die; their sandboxes die with them
            pool.join()
            sweep_cgroups(cfg)
    ordered = [entries[s.student] for s in subs if s.student in entries]
    missing = [s.student for s in subs if s.student not in entries and s.student in subs_by_id]
    if missing:
        raise RuntimeError(f"not graded: {', '.join(missing)}")
    report.write_batch(out_dir, plan, ordered, isolation=cfg.isolation.mode, detail=cfg.isolation.describe())
    return plan, ordered


def _collect(results, entries, keys, out_dir, plan, bar):
    from . import report

    for entry in results:
        if "error" in entry:
            raise RuntimeError(f"{entry['student']}: {entry['error']}")
        entries[entry["student"]] = entry
        report.write_student(out_dir, plan, entry)
        report.write_cache(out_dir, entry["student"], keys[entry["student"]], entry)
        bar.update(1)


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress(total, enabled):
    if not enabled or total == 0:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, file=sys.stderr, unit="submission", desc="grading")
