"""The given-helper rule, written from its declaration (checks/given.py) where it is stated.

- every notebook's text: the block region `<!-- generated: given-helper-rule -->` (generated.py);
- the shipped tools module source/bptt/bptt_tools.py: the line BUILDING_BLOCKS = (...) between
  `# <generated: given-helper rule>` and `# </generated>`, which the visible tests' `call` reads
  (a code line, which generated.py's markdown regions cannot write); release runs fill_tools.
"""
import re
import textwrap
from pathlib import Path

from .checks.given import BUILDING_BLOCKS, rule_text
from .generated import Where, generator

TOOLS = Path("source") / "bptt" / "bptt_tools.py"
CODE_OPEN, CODE_CLOSE = "# <generated: given-helper rule>", "# </generated>"


@generator("given-helper-rule")
def given_helper_rule(args: list[str], where: Where) -> str:
    if args:
        raise ValueError("given-helper-rule takes no arguments")
    return textwrap.fill(rule_text(), 92, break_on_hyphens=False)


def tools_line() -> str:
    return f"BUILDING_BLOCKS = {tuple(BUILDING_BLOCKS)!r}"


def fill_tools(course_root: str | Path, check: bool = False) -> bool:
    """Rewrite the BUILDING_BLOCKS line of the course's bptt_tools.py; True if it changed (or would)."""
    path = Path(course_root) / TOOLS
    if not path.is_file():   # a course whose given tools are other files (a test's mini course): nothing to fill
        return False
    text = path.read_text()
    pattern = re.compile(re.escape(CODE_OPEN) + r"\n.*?" + re.escape(CODE_CLOSE), re.S)
    if len(pattern.findall(text)) != 1:
        raise ValueError(f"{path}: expected exactly one region {CODE_OPEN!r} ... {CODE_CLOSE!r}")
    new = pattern.sub(lambda _: f"{CODE_OPEN}\n{tools_line()}\n{CODE_CLOSE}", text)
    if new != text and not check:
        path.write_text(new)
    return new != text
