"""Regions of the given files written from a declaration in autograder/ (run by release).

    # <generated: given-helper rule>           in source/bptt/bptt_tools.py: BUILDING_BLOCKS
    # <!-- generated: given-helper rule -->    in notebooks/bptt/*.py: the rule's paragraph

Each region sits between its opening marker and the matching end marker and is rewritten
from checks/given.py, so the notebooks, the visible tests and the grader state one rule.
`python -m autograder release` runs fill_regions before syncing the notebooks.
"""
import re
import textwrap
from pathlib import Path

from .checks.given import BUILDING_BLOCKS, rule_text

TOOLS = Path("source") / "bptt" / "bptt_tools.py"
NOTEBOOKS = Path("notebooks") / "bptt"

CODE_OPEN, CODE_CLOSE = "# <generated: given-helper rule>", "# </generated>"
TEXT_OPEN, TEXT_CLOSE = "# <!-- generated: given-helper rule -->", "# <!-- end generated -->"


def tools_region():
    return f"BUILDING_BLOCKS = {tuple(BUILDING_BLOCKS)!r}"


def notebook_region():
    return "\n".join("# " + line for line in textwrap.wrap(rule_text(), 92, break_on_hyphens=False))


def replace_region(text, opening, closing, body, where):
    pattern = re.compile(re.escape(opening) + r"\n.*?" + re.escape(closing), re.S)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"{where}: expected exactly one region {opening!r} ... {closing!r}")
    return pattern.sub(lambda _: f"{opening}\n{body}\n{closing}", text)


def fill_regions(course_root):
    """Rewrite every generated region under course_root; returns the files that changed."""
    course_root = Path(course_root)
    jobs = [(course_root / TOOLS, CODE_OPEN, CODE_CLOSE, tools_region())]
    jobs += [(p, TEXT_OPEN, TEXT_CLOSE, notebook_region()) for p in sorted((course_root / NOTEBOOKS).glob("*.py"))]
    changed = []
    for path, opening, closing, body in jobs:
        old = path.read_text()
        new = replace_region(old, opening, closing, body, path)
        if new != old:
            path.write_text(new)
            changed.append(path)
    return changed
