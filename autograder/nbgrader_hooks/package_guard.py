"""nbgrader autograde: what a student's kernel writes into the autograder package never grades anyone.

Until the Autograde kernel runs in a sandbox, it runs with the permissions of the process running
nbgrader, and a solution cell can rewrite the package's files on disk, which the judge imports
(judge_verdicts.py). So the package's .py files are read once per autograde run, before the first
kernel starts (GuardPackage is the step right before Execute), and:

* the judge always runs from a private copy written from that snapshot (private_copy), never from
  the course's files;
* a file a kernel changed is put back before the next kernel starts and before the judge runs
  (restore), with a warning naming it.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

PACKAGE = "autograder"
SNAPSHOT = "_bptt_package_snapshot"     # the converter's attribute that keeps it for the run


def read_package(root: str) -> dict[str, bytes]:
    """{path relative to root: bytes} of every .py file of root/autograder/."""
    files: dict[str, bytes] = {}
    for folder, dirs, names in os.walk(os.path.join(root, PACKAGE)):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, root)] = f.read()
    return files


def snapshot(holder: Any, root: str) -> dict[str, bytes]:
    """The package as it was at this run's first call (kept on `holder`, the converter)."""
    found: dict[str, bytes] | None = holder.__dict__.get(SNAPSHOT)
    if found is None:
        found = holder.__dict__[SNAPSHOT] = read_package(root)
    return found


def restore(root: str, files: dict[str, bytes]) -> list[str]:
    """Put back every file of `files` that differs on disk under root, and remove .py files it lacks;
    returns the paths changed."""
    changed = []
    for rel, data in files.items():
        path = os.path.join(root, rel)
        try:
            with open(path, "rb") as f:
                same = f.read() == data
        except OSError:
            same = False
        if not same:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if os.path.islink(path):
                os.unlink(path)
            with open(path, "wb") as f:
                f.write(data)
            changed.append(path)
    for rel in read_package(root).keys() - files.keys():
        os.unlink(os.path.join(root, rel))
        changed.append(os.path.join(root, rel))
    return changed


def private_copy(files: dict[str, bytes], source: str | None) -> str:
    """A new folder holding the package written from `files` (and a link to the course's given
    code, `source`, where checks/given.py looks for it); the caller removes it (remove_copy)."""
    copy = tempfile.mkdtemp(prefix="bptt-judge-")
    for rel, data in files.items():
        path = os.path.join(copy, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    if source is not None and os.path.isdir(source):
        os.symlink(source, os.path.join(copy, "source"))
    return copy


def remove_copy(copy: str) -> None:
    shutil.rmtree(copy, ignore_errors=True)


class GuardPackage(NbGraderPreprocessor):  # type: ignore[misc]  # nbgrader ships no type information
    """Before each notebook's kernel: the snapshot taken (first notebook) or the package restored from it."""

    autograder_root = Unicode("", help="the folder that holds the autograder package").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        if self.autograder_root:
            converter = getattr(self.parent, "parent", None) or self.parent or self
            for path in restore(self.autograder_root, snapshot(converter, self.autograder_root)):
                self.log.warning("a graded notebook changed %s; restored it", path)
        return nb, resources
