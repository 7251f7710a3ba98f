"""nbgrader autograde: every unit's test cell records the grading command's verdict.

JudgeVerdicts runs right after the Execute step, before nbgrader saves the scores. At a student's
first notebook, StartJudge (right before the Execute step) starts `python -m autograder judge
submitted/<student>/<assignment>/` ONCE, so that it runs while the kernel does, in a subprocess
(the reference and the checks never enter the process running nbgrader, a Jupyter server for
Formgrader), from a private copy of the package as it was before this run's first kernel
(package_guard.py); JudgeVerdicts waits for it and keeps the JSON verdicts on the converter for
the student's other notebooks. Then every graded code cell whose grade_id is test_<unit> of a
unit the judge graded gets the verdict as its only output:

* a pass: one line on stdout (nbgrader gives full points: no error, nothing on stderr);
* a fail: one error output, ename VERDICT_ENAME, the judge's message as evalue and traceback.

Whatever the student's kernel printed or raised in that cell is replaced: the recorded score is
the judge's. When the judge cannot run, every graded code cell of the student fails with the
reason (never a silent pass). Other graded cells keep nbgrader's own scoring.
"""
from __future__ import annotations

import atexit
import importlib.util
import json
import os
import subprocess
import sys
from types import ModuleType
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Float, Unicode

VERDICT_ENAME = "GradingVerdict"    # a contract: the feedback renders outputs of this name as the grader's note
TEST_PREFIX = "test_"                # a unit's test cell is test_<unit> (autograder/units.py)
MAX_STDERR = 2000                    # characters of the judge's stderr quoted when it fails


def _sibling(name: str) -> ModuleType:
    """The module <name>.py next to this file, loaded by path (this file is loaded by path, not as a package)."""
    spec = importlib.util.spec_from_file_location(f"bptt_nbgrader_hooks_{name}",
                                                  os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py"))
    assert spec is not None and spec.loader is not None, name
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


guard = _sibling("package_guard")


class JudgeFailed(Exception):
    """The judge command could not give verdicts; the message says why."""


def verdict_output(score: float, max_score: float, message: str) -> NotebookNode:
    """The one output of a unit's test cell: a pass on stdout, or a VERDICT_ENAME error."""
    if score >= max_score:
        return NotebookNode(output_type="stream", name="stdout", text=f"{message}\n")
    return NotebookNode(output_type="error", ename=VERDICT_ENAME, evalue=message, traceback=[message])


def parse_verdicts(stdout: str) -> dict[str, dict[str, Any]]:
    """{unit: {"score", "max_score", "output"}} from the judge's JSON (autograder/verdicts.py)."""
    try:
        units = json.loads(stdout.strip().splitlines()[-1])["units"]
        return {str(name): {"score": float(v["score"]), "max_score": float(v["max_score"]),
                            "output": str(v["output"])} for name, v in units.items()}
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        raise JudgeFailed("the grading command's answer was not the verdicts it promises") from None


def start_judge(autograder_root: str, folder: str, course_root: str) -> subprocess.Popen[str]:
    """`python -m autograder judge folder --course course_root`, started (finish_judge reads it)."""
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([autograder_root] + paths)
    argv = [sys.executable, "-m", "autograder", "judge", folder, "--course", course_root, "--quiet"]
    try:
        return subprocess.Popen(argv, cwd=autograder_root, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    except OSError as exc:
        raise JudgeFailed(f"the grading command could not start ({exc})") from None


def finish_judge(proc: subprocess.Popen[str], timeout: float) -> dict[str, dict[str, Any]]:
    """The verdicts of a started judge; JudgeFailed if none (it is killed past `timeout` seconds)."""
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise JudgeFailed(f"the grading command took longer than {timeout:g}s") from None
    if proc.returncode != 0:
        detail = " ".join(stderr.strip().splitlines()[-3:])[-MAX_STDERR:]
        raise JudgeFailed(f"the grading command failed (exit {proc.returncode}): {detail}")
    return parse_verdicts(stdout)


def run_judge(autograder_root: str, folder: str, course_root: str, timeout: float) -> dict[str, dict[str, Any]]:
    """The verdicts of `python -m autograder judge folder --course course_root`; JudgeFailed if none."""
    return finish_judge(start_judge(autograder_root, folder, course_root), timeout)


class Judging:
    """A judge started for one student (StartJudge), and the private copy of the package it runs from."""

    def __init__(self, proc: subprocess.Popen[str], copy: str) -> None:
        self.proc, self.copy = proc, copy
        _UNFINISHED.add(copy)

    def finish(self, timeout: float) -> dict[str, dict[str, Any]]:
        try:
            return finish_judge(self.proc, timeout)
        finally:
            guard.remove_copy(self.copy)
            _UNFINISHED.discard(self.copy)


# Private copies of judges a failed autograde never finished: removed when the process exits.
_UNFINISHED: set[str] = set()
atexit.register(lambda: [guard.remove_copy(copy) for copy in list(_UNFINISHED)])


class JudgeVerdicts(NbGraderPreprocessor):  # type: ignore[misc]  # nbgrader ships no type information
    """Each unit's test cell: the judge's verdict replaces the kernel's outputs."""

    autograder_root = Unicode("", help="the folder that holds the autograder package").tag(config=True)
    timeout = Float(900.0, help="seconds the judge may take for one student (all notebooks)").tag(config=True)

    def _converter(self) -> Any:
        """The object that lives as long as the autograde run (the exporter's parent, else the exporter)."""
        exporter = self.parent
        return getattr(exporter, "parent", None) or exporter or self

    def _student(self, resources: dict[str, Any]) -> tuple[Any, str, str] | str:
        """(the converter, the student's submitted folder, the course root), or why there are none."""
        info = resources.get("nbgrader", {})
        student, assignment = info.get("student"), info.get("assignment")
        converter = self._converter()
        coursedir = getattr(converter, "coursedir", None)
        if coursedir is None or not student or not assignment:
            return "the judge was not told which submission this notebook belongs to"
        folder = os.path.abspath(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        return converter, folder, os.path.abspath(coursedir.root)

    @staticmethod
    def _cache(converter: Any) -> dict[str, Any]:
        """{student folder: a Judging, its verdicts, or why there are none}, kept for the run."""
        found: dict[str, Any] = converter.__dict__.setdefault("_bptt_verdicts", {})
        return found

    def start(self, resources: dict[str, Any]) -> None:
        """Start this notebook's student's judge, unless it was started or ran already in this run."""
        where = self._student(resources)
        if isinstance(where, str):
            return
        converter, folder, course_root = where
        cache = self._cache(converter)
        if folder in cache:
            return
        try:
            if not self.autograder_root:
                raise JudgeFailed("nbgrader_config.py did not say where the autograder package is")
            cache[folder] = self._start(converter, folder, course_root)
        except JudgeFailed as exc:
            self.log.error("the judge could not grade %s: %s", folder, exc)
            cache[folder] = str(exc)

    def _start(self, converter: Any, folder: str, course_root: str) -> Judging:
        """The judge, started from a private copy of the package as it was before any kernel of this
        run (package_guard.py); the course's own files are put back first."""
        files = guard.snapshot(converter, self.autograder_root)
        for path in guard.restore(self.autograder_root, files):
            self.log.warning("a graded notebook changed %s; restored it", path)
        copy = guard.private_copy(files, os.path.join(self.autograder_root, "source"))
        self.log.info("judging %s", folder)
        try:
            return Judging(start_judge(copy, folder, course_root), copy)
        except JudgeFailed:
            guard.remove_copy(copy)
            raise

    def verdicts(self, resources: dict[str, Any]) -> dict[str, dict[str, Any]] | str:
        """The judge's verdicts for this notebook's student (cached per run), or why there are none."""
        where = self._student(resources)
        if isinstance(where, str):
            return where
        converter, folder, _ = where
        self.start(resources)       # (started already by StartJudge, before the kernel)
        cache = self._cache(converter)
        found = cache[folder]
        if not isinstance(found, (str, dict)):     # a Judging (of this file, or of another load of it)
            try:
                found = cache[folder] = found.finish(self.timeout)
            except JudgeFailed as exc:
                self.log.error("the judge could not grade %s: %s", folder, exc)
                found = cache[folder] = str(exc)
        result: dict[str, dict[str, Any]] | str = found
        return result

    # resources: nbconvert's free-form dict, passed through untouched
    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        found = self.verdicts(resources)
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.get("cell_type") != "code" or not meta.get("grade"):
                continue
            if isinstance(found, str):
                message = f"not graded: {found}"
                cell.outputs = [verdict_output(0.0, 1.0, message)]
                continue
            grade_id = str(meta.get("grade_id", ""))
            unit = grade_id[len(TEST_PREFIX):] if grade_id.startswith(TEST_PREFIX) else ""
            if unit in found:
                v = found[unit]
                cell.outputs = [verdict_output(v["score"], v["max_score"], v["output"])]
        return nb, resources


class StartJudge(JudgeVerdicts):
    """Right before the Execute step: the student's judge starts (at their first notebook), so it runs
    while their kernel does; JudgeVerdicts, after the Execute step, waits for it. (JudgeVerdicts'
    configuration applies: it is the same job's first half, hence in this file.)"""

    # resources: nbconvert's free-form dict, passed through untouched
    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        self.start(resources)
        return nb, resources
