"""Keep the instructor notebooks and their paired text files in sync (jupytext).

Layout (configured by jupytext.toml at the course root):

    notebooks/bptt/NN_name.py      percent-format text, what instructors edit and review
    source/bptt/NN_name.ipynb      the notebook nbgrader reads

The text lives outside source/ because nbgrader copies every file of
source/bptt/ into the student release.

    sync_notebooks(course_root)    jupytext --sync every pair, then normalize the .ipynb
    stable_cell_id(cell, index)    the id a cell gets: from its nbgrader grade_id, else its position
"""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from .errors import ToolError

TEXT_DIR = Path("notebooks") / "bptt"
SOURCE_DIR = Path("source") / "bptt"


class NotebookSyncError(ToolError):
    """jupytext could not sync a pair; the message holds its output."""


def stable_cell_id(cell: Mapping[str, Any], index: int) -> str:
    """The id of a cell, a function of the notebook's content only (reproducible releases).

    Inputs: cell, an nbformat cell; index, its position in the notebook.
    Returns: the nbgrader grade_id with '_' -> '-' (ids allow no '_' clash with
    nbformat's pattern and read like the committed ones), or 'cell-NN' for a cell
    without nbgrader metadata. Jupyter gives new cells random ids; this replaces them.
    """
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return grade_id.replace("_", "-") if grade_id else f"cell-{index:02d}"


def normalize_notebook(ipynb_path: str | Path) -> bool:
    """Give one .ipynb stable cell ids and drop jupytext's notebook metadata; True if it changed.

    jupytext.toml and the text header hold the pairing options, so the .ipynb (and
    through it the release) carries no `jupytext` entry, whichever side was edited.
    """
    nb = nbformat.read(ipynb_path, as_version=4)
    ids = [stable_cell_id(cell, i) for i, cell in enumerate(nb.cells)]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise NotebookSyncError(f"{ipynb_path}: two cells would get the same id {dup}: grade_ids must be unique")
    if [cell.get("id") for cell in nb.cells] == ids and "jupytext" not in nb.metadata:
        return False
    nb.metadata.pop("jupytext", None)
    for cell, cell_id in zip(nb.cells, ids):
        cell["id"] = cell_id
    nbformat.write(nb, ipynb_path)
    return True


def sync_notebooks(course_root: str | Path, timeout: float = 300) -> list[Path]:
    """Sync every pair text <-> .ipynb under course_root, then normalize each .ipynb.

    Inputs: course_root, a directory holding jupytext.toml, notebooks/bptt/*.py
    and/or source/bptt/*.ipynb. A course without notebooks/bptt/ is left alone.
    Returns: the list of .ipynb Paths synced.

    `jupytext --sync` takes the cells from whichever file of a pair was modified
    last, so an edit in the text file (any editor) and an edit of the .ipynb in
    Jupyter (Create Assignment toolbar, without the jupytext extension) both
    reach the other file. A pair whose .ipynb is missing is created from the text.
    Raises NotebookSyncError with jupytext's output if jupytext fails.
    """
    course_root = Path(course_root).resolve()
    texts = sorted((course_root / TEXT_DIR).glob("*.py"))
    if not texts:
        return []
    proc = subprocess.run([sys.executable, "-m", "jupytext", "--sync", *[str(t) for t in texts]],
                          check=False, cwd=course_root, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise NotebookSyncError(f"jupytext --sync failed in {course_root} (exit {proc.returncode}):\n"
                                f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    notebooks = [course_root / SOURCE_DIR / (t.stem + ".ipynb") for t in texts]
    for path in notebooks:
        normalize_notebook(path)
    return notebooks
