"""nbgrader autograde: each cell's outputs cut past a size, with a visible note.

A cell that prints 200 MB would otherwise be kept whole in the autograded notebook, and so in
the page Formgrader shows the instructor and in the feedback the student opens (both are made
from it). The limits are stated in docs/isolation.md ("Outputs on the nbgrader path"):
MAX_CELL_BYTES per cell, and MAX_NOTEBOOK_BYTES for all the cells of a notebook (a submission
may add cells). The outputs that decide a score under nbgrader's rules are never dropped, only
shortened: the first error, stream on stderr and execute_result (partial credit) of a cell. Runs right after
the Execute step, before nbgrader saves the scores.
"""
from __future__ import annotations

import json
from typing import Any

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

MAX_CELL_BYTES = 256 * 1024          # one cell's outputs, as JSON
MAX_NOTEBOOK_BYTES = 4 * 1024 * 1024  # all outputs of one notebook, as JSON
KEPT_TEXT = 1000                      # characters kept of a score-bearing output past the limit


def size(output: Any) -> int:
    """Bytes of one output as nbformat writes it (UTF-8 JSON)."""
    return len(json.dumps(output, ensure_ascii=False).encode())


def note(total: int, kept: int) -> NotebookNode:
    """The stdout line that says outputs were cut (stdout: a note never changes a score)."""
    return NotebookNode(output_type="stream", name="stdout",
                        text=f"\n[output cut: this cell's outputs were {total:,} bytes; the first {kept:,} are "
                             f"kept (the course's limit on the nbgrader path, docs/isolation.md)]\n")


def _decides(output: NotebookNode) -> str | None:
    """The kind of score-bearing output this is under nbgrader's rules, or None."""
    kind = output.get("output_type")
    if kind == "stream":
        return "stderr" if output.get("name") == "stderr" else None
    return kind if kind in ("error", "execute_result") else None


def _stub(output: NotebookNode) -> NotebookNode:
    """A score-bearing output shortened to about KEPT_TEXT characters per field (it decides the same score)."""
    kind = output.get("output_type")
    if kind == "error":
        last = [str(line)[:KEPT_TEXT] for line in output.get("traceback", [])][-1:]
        return NotebookNode(output_type="error", ename=str(output.get("ename", ""))[:200],
                            evalue=str(output.get("evalue", ""))[:KEPT_TEXT], traceback=last)
    if kind == "execute_result":
        text = output.get("data", {}).get("text/plain", "")
        return NotebookNode(output_type="execute_result", execution_count=output.get("execution_count"),
                            metadata={}, data={"text/plain": str(text)[:KEPT_TEXT]})
    return NotebookNode(output_type="stream", name=output.get("name"), text=str(output.get("text", ""))[:KEPT_TEXT])


def bound(outputs: list[NotebookNode], limit: int) -> tuple[list[NotebookNode], int]:
    """(the outputs cut to `limit` bytes plus a note, the bytes they held); unchanged when they fit.

    The first output of each score-bearing kind (an error, a stream on stderr, an execute_result)
    is always kept, shortened if it does not fit (_stub): room for those is set aside first.
    """
    sizes = [size(o) for o in outputs]
    total = sum(sizes)
    if total <= limit:
        return outputs, total
    first: dict[str, int] = {}
    for i, output in enumerate(outputs):
        kind = _decides(output)
        if kind is not None:
            first.setdefault(kind, i)
    stubs = {i: _stub(outputs[i]) for i in first.values()}
    budget = max(limit - sum(size(stub) for stub in stubs.values()), 0)
    kept: list[NotebookNode] = []
    for i, (output, n) in enumerate(zip(outputs, sizes)):
        if i in stubs:
            room = budget + size(stubs[i])       # its stub's room was set aside
            kept.append(output if n <= room else stubs[i])
            budget -= max(n, size(stubs[i])) - size(stubs[i]) if n <= room else 0
        elif n <= budget:
            kept.append(output)
            budget -= n
        elif output.get("output_type") == "stream" and budget > 200:
            text = str(output.get("text", ""))[:budget - 200]
            short = NotebookNode(output_type="stream", name=output.get("name", "stdout"), text=text)
            kept.append(short)
            budget = max(budget - size(short), 0)
    return kept + [note(total, limit)], total


class BoundOutputs(NbGraderPreprocessor):  # type: ignore[misc]  # nbgrader ships no type information
    """Every code cell's outputs within MAX_CELL_BYTES, and the notebook's within MAX_NOTEBOOK_BYTES."""

    # resources: nbconvert's free-form dict, passed through untouched
    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        left = MAX_NOTEBOOK_BYTES
        for cell in nb.cells:
            if cell.get("cell_type") != "code" or not cell.get("outputs"):
                continue
            limit = min(MAX_CELL_BYTES, left)
            cell.outputs, total = bound(list(cell.outputs), limit)
            if total > limit:
                self.log.warning("cell %s: outputs of %d bytes cut to %d", cell.get("id", "?"), total, limit)
            left = max(left - min(total, limit), 0)
        return nb, resources
