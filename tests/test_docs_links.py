"""README.md and docs/ point at things that exist: links (anchors too), commands, options, files."""
import re
from pathlib import Path

import pytest

from autograder.__main__ import _parser

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
COMMAND = re.compile(r"python -m autograder (?P<sub>[a-z]+)(?P<rest>[^`\n|&)]*)")
# A path in backticks under a top-level folder of the repository, or a top-level file.
PATH = re.compile(r"`(?P<path>(?:autograder|tests|tools|examples|bench|docs|notebooks|source|release|students|\.ci)/[\w./-]*"
                  r"|requirements[\w-]*\.txt|constraints\.txt|jupytext\.toml|nbgrader_config\.py|pyproject\.toml)`")


def slug(heading):
    """GitHub's anchor of a markdown heading."""
    text = re.sub(r"`|\*\*|<!--.*?-->", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path):
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(m.group(1)) for m in re.finditer(r"^#{1,6} (.+)$", text, re.M)}


def links(path):
    return [m.group(1) for m in LINK.finditer(FENCE.sub("", path.read_text(encoding="utf-8")))]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_resolves(doc):
    broken = []
    for target in links(doc):
        if re.match(r"[a-z]+:", target):
            continue                                  # https:, mailto:
        file, _, anchor = target.partition("#")
        dest = (doc.parent / file).resolve() if file else doc
        if not dest.exists():
            broken.append(f"{target}: no such file")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            broken.append(f"{target}: no heading #{anchor} in {dest.relative_to(REPO)}")
    assert broken == []


def test_the_guide_links_every_page_of_docs():
    linked = {(REPO / "docs" / t.partition("#")[0]).resolve() for t in links(REPO / "docs" / "README.md")}
    pages = {p.resolve() for p in (REPO / "docs").glob("*.md")} - {(REPO / "docs" / "README.md").resolve()}
    assert pages - linked == set()


def _subcommands():
    parser = _parser()
    action = next(a for a in parser._actions if a.dest == "command")
    return {name: {opt for a in sub._actions for opt in a.option_strings} for name, sub in action.choices.items()}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_quoted_command_and_option_exists(doc):
    subcommands = _subcommands()
    wrong = []
    for m in COMMAND.finditer(doc.read_text(encoding="utf-8")):
        if m.group("sub") not in subcommands:
            wrong.append(f"{m.group(0)}: no subcommand {m.group('sub')!r}")
            continue
        for option in re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", m.group("rest")):
            if option not in subcommands[m.group("sub")]:
                wrong.append(f"{m.group(0)}: {m.group('sub')} has no option {option}")
    assert wrong == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_quoted_repository_path_exists(doc):
    missing = []
    for m in PATH.finditer(doc.read_text(encoding="utf-8")):
        path = m.group("path")
        if any(c in path for c in "*<>") or "NN" in path or "0N" in path:
            continue                                  # a pattern, not a file
        if not (REPO / path).exists():
            missing.append(path)
    assert missing == []


def test_the_readme_fits_two_screens():
    assert len((REPO / "README.md").read_text().splitlines()) < 150
