"""The given-helper rule, written from its declaration (checks/given.py) where it is stated.

- every notebook's text: the block region `<!-- generated: given-helper-rule -->` (generated.py);
- the shipped tools module source/bptt/bptt_tools.py, in regions between `# <generated: NAME>`
  and `# </generated>` (code, which generated.py's markdown regions cannot write):
  `given-helper rule`, the line BUILDING_BLOCKS = (...) that the visible tests' `call` reads;
  `helper name`, the function that names a forbidden given function in the visible tests'
  sentence, copied from the grader's (sandbox/runner.py: helper_name), so that both say the
  same name. The release may not import autograder, so the shipped module holds a copy.
sync_course (and so release) runs fill_tools.
"""
import inspect
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

from .checks.given import BUILDING_BLOCKS, rule_text
from .generated import Where, code_filler, generator
from .sandbox import runner

TOOLS = Path("source") / "bptt" / "bptt_tools.py"
CODE_CLOSE = "# </generated>"


@generator("given-helper-rule")
def given_helper_rule(args: list[str], where: Where) -> str:
    if args:
        raise ValueError("given-helper-rule takes no arguments")
    return textwrap.fill(rule_text(), 92, break_on_hyphens=False)


def tools_line() -> str:
    return f"BUILDING_BLOCKS = {tuple(BUILDING_BLOCKS)!r}"


def helper_name_source() -> str:
    """runner.helper_name's source, as the tools module's private _helper_name."""
    source = inspect.getsource(runner.helper_name).rstrip("\n")
    return source.replace("def helper_name(", "def _helper_name(", 1)


# The code regions of the tools module, by name.
CODE_REGIONS: dict[str, Callable[[], str]] = {
    "given-helper rule": tools_line,
    "helper name": helper_name_source,
}


@code_filler
def fill_tools(course_root: Path, check: bool = False) -> list[str]:
    """Rewrite the code regions of the course's bptt_tools.py; [its path] if it changed (or would)."""
    path = Path(course_root) / TOOLS
    if not path.is_file():   # a course whose given tools are other files (a test's mini course): nothing to fill
        return []
    text = new = path.read_text()
    for name, make in CODE_REGIONS.items():
        opening = f"# <generated: {name}>"
        found = list(re.finditer(re.escape(opening) + r"\n.*?" + re.escape(CODE_CLOSE), new, re.S))
        if len(found) != 1:
            raise ValueError(f"{path}: expected exactly one region {opening!r} ... {CODE_CLOSE!r}")
        new = f"{new[:found[0].start()]}{opening}\n{make()}\n{CODE_CLOSE}{new[found[0].end():]}"
    if new == text:
        return []
    if not check:
        path.write_text(new)
    return [TOOLS.as_posix()]
