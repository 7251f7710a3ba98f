"""nbgrader generate_assignment: a visible first line in every locked code cell of the release.

Locked cells are read-only in the release (nbgrader sets editable: false), but Jupyter shows no
lock. This step runs right after nbgrader's LockCells, before nbgrader records the cells and
their checksums, so autograde sees the same text.
"""
from __future__ import annotations

from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

READ_ONLY_LINE = "# read-only cell: given by the course; edits are undone when it is graded"


def marked(source: str) -> str:
    """The cell text with READ_ONLY_LINE first, unless its first line already says "read-only"."""
    if "read-only" in source.split("\n", 1)[0]:   # the notebooks' own given cells already say so
        return source
    return READ_ONLY_LINE + "\n" + source


class MarkReadOnly(NbGraderPreprocessor):  # type: ignore[misc]  # nbgrader ships no type information
    """READ_ONLY_LINE first in every locked code cell that is not a solution."""

    # resources: nbconvert's free-form dict, passed through untouched
    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any],
                        index: int) -> tuple[NotebookNode, dict[str, Any]]:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("locked") and not meta.get("solution"):
            cell.source = marked(cell.source)
        return cell, resources
