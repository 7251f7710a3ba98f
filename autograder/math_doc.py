"""docs/math.md for the feedback: each unit's formula, its section's anchor, and the whole file as a page.

docs/math.md is the one place the formulas are written: a unit's section is the heading
"### `NAME`", and its formulas are the ```math blocks under that heading. The feedback shows
them (as MathML, autograder/maths.py) next to a diagnosis, and links to `math.html`, this file
rendered once per grading run beside the students' folders.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import mistune
from mistune.renderers.html import HTMLRenderer

from .maths import mathml

MATH_DOC = Path("docs") / "math.md"
PAGE_NAME = "math.html"   # written into the grading command's output folder

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_FENCE = re.compile(r"^```math\n(.*?)^```", re.S | re.M)


def slug(heading: str) -> str:
    """The anchor a Markdown heading gets on GitHub (and in math.html): "`dz_netAct`" -> "dz_netact"."""
    text = re.sub(r"<[^>]*>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def read(course_root: str | Path) -> str | None:
    """docs/math.md's text, or None where the course has no such file (a bundle without docs)."""
    try:
        return (Path(course_root) / MATH_DOC).read_text(encoding="utf-8")
    except OSError:
        return None


def unit_formulas(text: str) -> dict[str, list[str]]:
    """{unit: the TeX of the ```math blocks in its "### `unit`" section} (units with no block are left out)."""
    sections: dict[str, list[str]] = {}
    name: str | None = None
    body: list[str] = []
    for line in text.splitlines(keepends=True) + ["# end\n"]:
        m = _HEADING.match(line)
        if m and not _inside_fence(body):
            if name is not None:
                blocks = [b.strip() for b in _FENCE.findall("".join(body))]
                if blocks:
                    sections[name] = blocks
            title = m.group(2)
            unit = re.fullmatch(r"`(\w+)`", title)
            name = unit.group(1) if unit and len(m.group(1)) == 3 else None
            body = []
        else:
            body.append(line)
    return sections


def _inside_fence(lines: list[str]) -> bool:
    return sum(1 for line in lines if line.startswith("```")) % 2 == 1


def unit_anchor(text: str, unit: str) -> str | None:
    """The anchor of unit's section: its own "### `unit`" heading, else the section that first names it."""
    mention, current, fence = None, None, False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        m = None if fence else _HEADING.match(line)
        if m:
            current = slug(re.sub(r"`", "", m.group(2)))
            if m.group(2) == f"`{unit}`":
                return current
        elif mention is None and f"`{unit}`" in line:
            mention = current
    return mention


class _MathRenderer(HTMLRenderer):
    """Markdown to HTML with the maths as MathML and headings carrying GitHub's anchors."""

    def heading(self, text: str, level: int, **attrs: Any) -> str:
        return f'<h{level} id="{slug(text)}">{text}</h{level}>\n'

    def block_code(self, code: str, info: str | None = None) -> str:
        if info is not None and info.strip() == "math":
            return f'<div class="formula">{mathml(code.strip(), display=True)}</div>\n'
        return super().block_code(code, info)

    def block_math(self, text: str) -> str:
        return f'<div class="formula">{mathml(text, display=True)}</div>\n'

    def inline_math(self, text: str) -> str:
        return mathml(text)


def page(text: str) -> str:
    """docs/math.md as one self-contained HTML page (no script, no network)."""
    render = mistune.create_markdown(renderer=_MathRenderer(escape=False), plugins=["math", "table"])
    body = render(text)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>The mathematics of the assignment</title>
<style>{MATH_CSS}body{{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.45}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2em .5em}}</style></head>
<body>
{body}
</body></html>
"""


# Browsers' MathML uses the system's maths font; these are the common ones, best first.
MATH_CSS = ("math{font-family:'Latin Modern Math','STIX Two Math','Cambria Math','DejaVu Math TeX Gyre',math}"
            ".formula{overflow-x:auto;margin:.6em 0}")
