"""nbgrader autograde: every unit's test cell records the grading command's verdict.

Runs right after the Execute step, before nbgrader saves the scores. At a student's first
notebook it runs `python -m autograder judge submitted/<student>/<assignment>/` ONCE, in a
subprocess (the reference and the checks never enter the process running nbgrader, a Jupyter
server for Formgrader), from a private copy of the package as it was before this run's first
kernel (package_guard.py), and keeps the JSON verdicts on the converter for the student's other
notebooks. Then every graded code cell whose
grade_id is test_<unit> of a unit the judge graded gets the verdict as its only output:

* a pass: one line on stdout (nbgrader gives full points: no error, nothing on stderr);
* a fail: one error output, ename VERDICT_ENAME, the judge's message as evalue and traceback.

Whatever the student's kernel printed or raised in that cell is replaced: the recorded score is
the judge's. When the judge cannot run, every graded code cell of the student fails with the
reason (never a silent pass). Other graded cells keep nbgrader's own scoring.
"""
from __future__ import annotations

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


def run_judge(autograder_root: str, folder: str, course_root: str, timeout: float) -> dict[str, dict[str, Any]]:
    """The verdicts of `python -m autograder judge folder --course course_root`; JudgeFailed if none."""
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([autograder_root] + paths)
    argv = [sys.executable, "-m", "autograder", "judge", folder, "--course", course_root, "--quiet"]
    try:
        proc = subprocess.run(argv, cwd=autograder_root, env=env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise JudgeFailed(f"the grading command took longer than {timeout:g}s") from None
    except OSError as exc:
        raise JudgeFailed(f"the grading command could not start ({exc})") from None
    if proc.returncode != 0:
        detail = " ".join(proc.stderr.strip().splitlines()[-3:])[-MAX_STDERR:]
        raise JudgeFailed(f"the grading command failed (exit {proc.returncode}): {detail}")
    return parse_verdicts(proc.stdout)


class JudgeVerdicts(NbGraderPreprocessor):  # type: ignore[misc]  # nbgrader ships no type information
    """Each unit's test cell: the judge's verdict replaces the kernel's outputs."""

    autograder_root = Unicode("", help="the folder that holds the autograder package").tag(config=True)
    timeout = Float(900.0, help="seconds the judge may take for one student (all notebooks)").tag(config=True)

    def _converter(self) -> Any:
        """The object that lives as long as the autograde run (the exporter's parent, else the exporter)."""
        exporter = self.parent
        return getattr(exporter, "parent", None) or exporter or self

    def verdicts(self, resources: dict[str, Any]) -> dict[str, dict[str, Any]] | str:
        """The judge's verdicts for this notebook's student (cached per run), or why there are none."""
        info = resources.get("nbgrader", {})
        student, assignment = info.get("student"), info.get("assignment")
        converter = self._converter()
        coursedir = getattr(converter, "coursedir", None)
        if coursedir is None or not student or not assignment:
            return "the judge was not told which submission this notebook belongs to"
        folder = os.path.abspath(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        cache: dict[str, dict[str, dict[str, Any]] | str] = converter.__dict__.setdefault("_bptt_verdicts", {})
        if folder not in cache:
            try:
                if not self.autograder_root:
                    raise JudgeFailed("nbgrader_config.py did not say where the autograder package is")
                cache[folder] = self._judge(converter, folder, os.path.abspath(coursedir.root))
            except JudgeFailed as exc:
                self.log.error("the judge could not grade %s: %s", folder, exc)
                cache[folder] = str(exc)
        return cache[folder]

    def _judge(self, converter: Any, folder: str, course_root: str) -> dict[str, dict[str, Any]]:
        """run_judge from a private copy of the package as it was before any kernel of this run
        (package_guard.py); the course's own files are put back too."""
        files = guard.snapshot(converter, self.autograder_root)
        for path in guard.restore(self.autograder_root, files):
            self.log.warning("a graded notebook changed %s; restored it", path)
        copy = guard.private_copy(files, os.path.join(self.autograder_root, "source"))
        try:
            self.log.info("judging %s", folder)
            return run_judge(copy, folder, course_root, self.timeout)
        finally:
            guard.remove_copy(copy)

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
