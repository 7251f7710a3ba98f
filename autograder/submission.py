"""Finding submissions on disk and reading the cells to run, as plain JSON (no nbformat).

A submission is one student's assignment: up to one notebook per source
notebook. Accepted layouts (PATH as given on the command line):

    submitted/<student>/<assignment>/<stem>.ipynb   nbgrader's layout (also <student>/<stem>.ipynb)
    <folder>/<stem>.ipynb                           one student: the folder names the student
                                                    (the folder above it if the folder is <assignment>)
    <folder>/<student>_<stem>.ipynb                 a flat folder of several students' files
    <student>.ipynb                                 a notebook recognised by its grade_ids

The student id is made safe for use as a folder name.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from .errors import SubmissionError
from .plan import NotebookSpec, Plan

__all__ = ["CodeCell", "Submission", "SubmissionError", "UnusableNotebook", "cells_to_run", "discover", "safe_id"]

MAX_NOTEBOOK_BYTES = 20 << 20


class UnusableNotebook(Exception):
    """A submitted file that cannot be graded at all; its units get 0 with this message.

    Not a GraderError: the student's file is at fault, and the batch goes on.
    """


class CodeCell(NamedTuple):
    """A code cell to run in the sandbox. A tuple on purpose: it crosses the wire as a JSON [label, source]."""

    label: str      # for messages: "cell 'dz_netIn'" or "code cell 7"
    source: str


@dataclass
class Submission:
    student: str
    path: str                                                   # folder (or file) the notebooks came from
    files: dict[str, Path] = field(default_factory=dict)        # stem -> notebook file
    problems: list[str] = field(default_factory=list)           # notes about files that were not used

    def notebook_bytes(self) -> dict[str, bytes]:
        out = {}
        for stem, path in sorted(self.files.items()):
            try:
                out[stem] = path.read_bytes()[:MAX_NOTEBOOK_BYTES + 1]
            except OSError as exc:
                out[stem] = f"unreadable: {exc}".encode()
        return out


def safe_id(name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._@+-]", "_", name).strip(".") or "student"
    return name[:100]


def _notebooks_under(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*.ipynb")
                  if not any(part.startswith(".") for part in p.relative_to(root).parts))


def _identify(path: Path, plan: Plan) -> tuple[str | None, str | None]:
    """(stem, student-or-None) from the file name; stem None if the name says nothing."""
    stems = sorted(plan.notebooks, key=len, reverse=True)
    if path.stem in plan.notebooks:
        return path.stem, None
    for stem in stems:
        for sep in ("_", "-", "."):
            if path.stem.endswith(sep + stem):
                return stem, path.stem[: -len(stem) - 1]
    return None, path.stem


def _stem_by_content(path: Path, plan: Plan) -> str | None:
    """Which source notebook a file is, from the grade_ids it carries."""
    try:
        nb = json.loads(path.read_bytes()[:MAX_NOTEBOOK_BYTES])
        ids = {((c.get("metadata") or {}).get("nbgrader") or {}).get("grade_id") for c in nb["cells"]}
    except Exception:
        return None
    best = max(plan.notebooks.values(), key=lambda spec: len(spec.grade_ids & ids))
    return best.stem if best.grade_ids & ids else None


def _student_folder(path: Path, root: Path, assignment: str) -> str | None:
    """The student's folder name when `path` sits in one below `root` (else None)."""
    parts = [p for p in path.relative_to(root).parts[:-1] if p != assignment] if path != root else []
    return parts[0] if parts else None


def _root_student(root: Path, assignment: str) -> str:
    """The student a folder (or a file's folder) stands for: its name, or its parent's if it is <assignment>/."""
    folder = root if root.is_dir() else root.parent
    while folder.name == assignment and folder.parent != folder:
        folder = folder.parent
    return folder.name or "student"


def discover(paths: Iterable[str | Path], plan: Plan) -> list[Submission]:
    """Group the notebooks under `paths` into Submissions, one per student (SubmissionError if none)."""
    by_student: dict[str, Submission] = {}
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            raise SubmissionError(f"{raw}: no such file or folder")
        files = _notebooks_under(root.resolve())
        if not files:
            raise SubmissionError(f"{raw}: no .ipynb notebooks found")
        root = root.resolve()
        for path in files:
            stem, named = _identify(path, plan)
            # A student folder names the student; only loose files are named after their owner.
            student = _student_folder(path, root, plan.assignment)
            if student is None:
                student = named if named is not None else _root_student(root, plan.assignment)
            if stem is None:
                stem = _stem_by_content(path, plan)
            sid = safe_id(student)
            sub = by_student.get(sid)
            if sub is None:
                folder = path.parent if root.is_dir() else root.parent
                sub = by_student[sid] = Submission(sid, str(folder))
            if stem is None:
                sub.problems.append(f"{path.name}: not recognised as any of {', '.join(plan.notebooks)}; not graded")
            elif stem in sub.files and sub.files[stem] != path:
                sub.problems.append(f"{path.name}: a second copy of {stem}.ipynb; graded {sub.files[stem].name}")
            else:
                sub.files[stem] = path
    return [by_student[k] for k in sorted(by_student)]


def _dict(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (a submitted notebook's metadata may be anything)."""
    return value if isinstance(value, dict) else {}


def cells_to_run(data: bytes, spec: NotebookSpec) -> list[CodeCell]:
    """The code cells to execute from a notebook's bytes.

    Skipped: test cells (grade_id of a source test cell) and experiment cells
    (tagged `experiment` here, or whose grade_id is tagged so in the source).
    Raises UnusableNotebook, with the reason, when the file cannot be used at all.
    """
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise UnusableNotebook(f"notebook is larger than {MAX_NOTEBOOK_BYTES >> 20} MB")
    try:
        nb = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise UnusableNotebook("notebook is not valid JSON") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise UnusableNotebook("file is not a Jupyter notebook (no cell list)")
    sources = []
    n_code = 0
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        n_code += 1
        meta = _dict(cell.get("metadata"))
        gid = _dict(meta.get("nbgrader")).get("grade_id")
        tags = meta["tags"] if isinstance(meta.get("tags"), list) else []
        if gid in spec.test_ids or gid in spec.experiment_ids or "experiment" in tags:
            continue
        src = cell.get("source", "")
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        if isinstance(src, str):
            label = f"cell {gid!r}" if isinstance(gid, str) and gid else f"code cell {n_code}"
            sources.append(CodeCell(label[:80], src))
    return sources
