"""nbgrader autograde: run a test cell's hidden check before its visible asserts.

The visible asserts of a test cell stop at the first difference with a short message
("the worked example does not match"); the hidden check names the mistake, as the
grading command does. Moving the hidden-test block to the top of each test cell, after
nbgrader has restored the cell from its gradebook and before the kernel runs it, makes
`nbgrader autograde` report the same diagnosis as `python -m autograder grade`. The
score is unchanged: the cell fails if either part fails. Students never see the hidden
block (the release strips it), so its place changes nothing for them.
"""
import re
from typing import Any

from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from traitlets import Bool

HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S)


def hidden_first(source: str) -> str:
    """The cell text with its hidden-test block moved to the top (unchanged without one)."""
    match = HIDDEN.search(source)
    if not match:
        return source
    rest = (source[:match.start()] + source[match.end():]).strip("\n")
    return match.group(0).rstrip("\n") + ("\n\n" + rest if rest else "") + "\n"


class HiddenTestsFirst(Preprocessor):
    """For every nbgrader test cell (grade: true), hidden block first."""

    enabled = Bool(True).tag(config=True)   # nbconvert's preprocessors are off unless enabled

    # resources: nbconvert's free-form dict, passed through untouched
    def preprocess_cell(self, cell: NotebookNode, resources: dict[str, Any], index: int) -> tuple[NotebookNode, dict[str, Any]]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade"):
            cell.source = hidden_first(cell.source)
        return cell, resources
