"""Generated regions: text that restates a declaration is written from it, never by hand.

A file listed in FILES (the instructor notebooks' text, README.md, docs/) may hold regions

    <!-- generated: NAME ARG... -->            a block: the marker ends its line,
    ...                                        the lines in between are generated,
    <!-- end generated -->                     the end marker sits on a line of its own

or, inside one line, `(<!-- generated: points dh_t -->2 points<!-- end generated -->)`.
Markers inside a code span or a fenced code block are examples, left alone (as here).
In a jupytext notebook the markers sit in markdown cells, behind the `# ` that starts each
line; generated lines get the same prefix. Markdown renders the markers as nothing.

`fill_text(text, where)` rewrites every region of one text: GENERATORS[NAME](args, where)
returns its new content. `sync_course(root)` does it for every file of a course and then
brings the notebooks' .ipynb up to date; `python -m autograder release` runs it first, and
`python -m autograder sync [--check]` runs it alone.

Code files cannot carry these markers: their regions sit between `# <generated: NAME>` and
`# </generated>` comments, filled by a `@code_filler` (given_text.py fills the shipped
bptt_tools.py), which sync_course runs with the text regions.

A generator is a function `(args: list[str], where: Where) -> str`, registered with
`@generator("name")` in one of the modules named in PROVIDERS (imported on first use, so a
provider may import anything in the package).
"""
from __future__ import annotations

import importlib
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

OPEN = re.compile(r"<!-- generated: (?P<spec>[^>]*?) -->")
END = "<!-- end generated -->"

# Modules that register generators (each is imported once, before the first fill).
PROVIDERS: tuple[str, ...] = ("autograder.unit_text", "autograder.given_text", "autograder.experiment_claims",
                              "autograder.limits_text")

# The files whose regions are filled, as globs relative to the course root.
FILES: tuple[str, ...] = ("notebooks/bptt/*.py", "README.md", "docs/*.md")


@dataclass(frozen=True)
class Where:
    """The file a region is in: its path relative to the course root, and its notebook stem if any."""
    path: str
    notebook: str | None = None


Generator = Callable[[list[str], Where], str]
GENERATORS: dict[str, Generator] = {}
# Whole-text rewrites that cannot carry markers (nbgrader metadata on `# %%` lines): (text, where) -> text.
REWRITERS: list[Callable[[str, Where], str]] = []
# Fills of code files, whose regions are `# <generated: NAME>` comments: (course_root, check) -> paths changed.
CODE_FILLERS: list[Callable[[Path, bool], list[str]]] = []
_loaded = False


def generator(name: str) -> Callable[[Generator], Generator]:
    """Register `func` as the generator of regions `<!-- generated: name ... -->`."""
    def register(func: Generator) -> Generator:
        if name in GENERATORS and GENERATORS[name] is not func:
            raise ValueError(f"two generators named {name!r}")
        GENERATORS[name] = func
        return func
    return register


def rewriter(func: Callable[[str, Where], str]) -> Callable[[str, Where], str]:
    """Register a whole-text rewrite, applied to notebook texts after their regions are filled."""
    if func not in REWRITERS:
        REWRITERS.append(func)
    return func


def code_filler(func: Callable[[Path, bool], list[str]]) -> Callable[[Path, bool], list[str]]:
    """Register a fill of code files, run by sync_course (and so by release) with the text regions."""
    if func not in CODE_FILLERS:
        CODE_FILLERS.append(func)
    return func


def _load() -> None:
    global _loaded
    if not _loaded:
        for module in PROVIDERS:
            importlib.import_module(module)
        _loaded = True


def _line_of(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


FENCE = re.compile(r"^[ \t]*(?:# )?(?:```|~~~)", re.M)


def _in_code(text: str, index: int) -> bool:
    """True if `index` is inside a fenced code block or an inline code span: markers there are examples."""
    if len(FENCE.findall(text, 0, index)) % 2 == 1:
        return True
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("`", line_start, index) % 2 == 1


def fill_text(text: str, where: Where) -> str:
    """`text` with every generated region rewritten from its declaration.

    Raises ConfigError (naming the file and line) for an unknown generator, a region
    without its end marker, or a block whose end marker is not on a line of its own.
    """
    _load()
    out: list[str] = []
    pos = 0
    while (m := OPEN.search(text, pos)) is not None:
        if _in_code(text, m.start()):
            out.append(text[pos:m.end()])
            pos = m.end()
            continue
        line = _line_of(text, m.start())
        place = f"{where.path}, line {line}"
        end = text.find(END, m.end())
        nested = next((n for n in OPEN.finditer(text, m.end()) if not _in_code(text, n.start())), None)
        if end < 0 or (nested is not None and nested.start() < end):
            raise ConfigError(f"{place}: generated region {m.group(0)!r} has no {END!r} before the next region")
        args = shlex.split(m.group("spec"))
        if not args or args[0] not in GENERATORS:
            known = ", ".join(sorted(GENERATORS))
            raise ConfigError(f"{place}: no generator named {args[0] if args else ''!r} (known: {known})")
        try:
            content = GENERATORS[args[0]](args[1:], where)
        except (KeyError, ValueError) as exc:
            raise ConfigError(f"{place}: {m.group(0)}: {exc}") from None
        line_start = text.rfind("\n", 0, m.start()) + 1
        prefix = text[line_start:m.start()]
        rest_of_line = text[m.end():text.find("\n", m.end()) if "\n" in text[m.end():] else len(text)]
        out.append(text[pos:m.end()])
        if rest_of_line.strip() == "":       # a block region
            end_line_start = text.rfind("\n", 0, end) + 1
            if text[end_line_start:end].strip() not in ("", prefix.strip()):
                raise ConfigError(f"{place}: the block region {m.group(0)!r} must end with {END!r} "
                                  f"on a line of its own (line {_line_of(text, end)})")
            body = [prefix + s if s else prefix.rstrip() for s in content.strip("\n").split("\n")]
            out.append("\n" + "\n".join(body) + "\n" + text[end_line_start:end])
        else:                                  # an inline region
            if "\n" in content or "\n" in text[m.end():end]:
                raise ConfigError(f"{place}: the inline region {m.group(0)!r} must stay on one line")
            out.append(content)
        out.append(END)
        pos = end + len(END)
    out.append(text[pos:])
    filled = "".join(out)
    if where.notebook is not None:
        for rewrite in REWRITERS:
            filled = rewrite(filled, where)
    return filled


def course_files(course_root: Path) -> list[Path]:
    """The files of a course whose generated regions are filled, in a stable order."""
    found: list[Path] = []
    for pattern in FILES:
        found += sorted(p for p in Path(course_root).glob(pattern) if p.is_file())
    return found


def where_of(course_root: Path, path: Path) -> Where:
    rel = path.relative_to(course_root).as_posix()
    return Where(rel, path.stem if rel.startswith("notebooks/") else None)


def fill_files(course_root: Path, check: bool = False) -> list[str]:
    """Rewrite every generated region of the course's files; the relative paths that changed.

    check=True writes nothing (the paths that WOULD change are returned).
    """
    course_root = Path(course_root).resolve()
    changed: list[str] = []
    for path in course_files(course_root):
        text = path.read_text(encoding="utf-8")
        where = where_of(course_root, path)
        filled = fill_text(text, where)
        if filled != text:
            changed.append(where.path)
            if not check:
                path.write_text(filled, encoding="utf-8")
    return changed


def sync_course(course_root: Path, check: bool = False) -> list[str]:
    """Fill every generated region of the course, then bring source/*.ipynb up to date.

    The .ipynb are synced first too: an edit made in Jupyter reaches the text before the
    text is rewritten (jupytext keeps the newer side). Returns the relative paths changed.
    With check=True nothing is written (the notebooks are not synced either).
    """
    from . import notebook_text

    course_root = Path(course_root).resolve()
    _load()
    code = [path for fill in CODE_FILLERS for path in fill(course_root, check)]
    if check:
        return code + fill_files(course_root, check=True)
    notebook_text.sync_notebooks(course_root)
    changed = code + fill_files(course_root)
    if any(c.startswith("notebooks/") for c in changed):
        notebook_text.sync_notebooks(course_root)
    return changed
