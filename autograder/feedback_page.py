"""The student's feedback page (DIR/<student>/feedback.html): what was right, what to fix, where to read.

Per notebook: a subtotal and a table of its units with the points coloured; then, for each
unit that lost points, the diagnosis, the formula the unit computes (docs/math.md, as MathML:
autograder/maths.py) and what to look at next: the notebook's section and docs/math.md's
section (DIR/math.html). Units still raising NotImplementedError are listed on one plain line.
Nothing about the sandbox: the isolation is recorded in grades.json and results.json, for the
instructor. The page runs no script and loads nothing (its Content-Security-Policy says so).
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from . import math_doc
from .maths import mathml
from .results import ALL_PASS_NOTE, TO_GRADE_BY_HAND, StudentResult, UnitResult
from .sandbox.runner import not_implemented_message

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = (math_doc.MATH_CSS + """
body{font-family:sans-serif;max-width:62em;margin:2em auto;padding:0 1em;line-height:1.4}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
td.points{font-weight:bold;white-space:nowrap}
tr.pass td.points{color:#176e17;background:#eaf6ea}tr.fail td.points{color:#a31515;background:#fbeaea}
h2 .subtotal{font-weight:normal;font-size:80%;margin-left:.6em}
.subtotal.pass{color:#176e17}.subtotal.fail{color:#a31515}
.diagnosis{border-left:4px solid #a31515;background:#fafafa;padding:.4em 1em;margin:1em 0}
.diagnosis h3{margin:.2em 0}.diagnosis .message{white-space:pre-wrap}
.unfinished{color:#555}.next{font-size:95%}
""")


@dataclass
class Guide:
    """Where a unit is taught: its notebook's section heading, docs/math.md's formulas and anchor."""

    sections: dict[str, str] = field(default_factory=dict)          # unit -> notebook heading text
    formulas: dict[str, list[str]] = field(default_factory=dict)    # unit -> TeX blocks
    anchors: dict[str, str] = field(default_factory=dict)           # unit -> math.html anchor


def guide(course_root: str | Path, assignment: str, units: list[str]) -> Guide:
    """The Guide of `units`, read from source/<assignment>/*.ipynb and docs/math.md (parts missing are left out)."""
    found = Guide()
    text = math_doc.read(course_root)
    if text is not None:
        found.formulas = {u: f for u, f in math_doc.unit_formulas(text).items() if u in units}
        found.anchors = {u: a for u in units if (a := math_doc.unit_anchor(text, u)) is not None}
    for path in sorted((Path(course_root) / "source" / assignment).glob("*.ipynb")):
        for heading in _headings(path):
            for unit in re.findall(r"`(\w+)`", heading):
                if unit in units and unit not in found.sections:
                    found.sections[unit] = heading
    return found


def _headings(path: Path) -> list[str]:
    try:
        cells = json.loads(path.read_bytes()).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []
    out = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            for line in source.splitlines():
                if re.match(r"#{2,4}\s", line):
                    text = re.sub(r"<!--.*?-->", "", line.lstrip("#")).strip()
                    out.append(re.sub(r"\s*\(\d+ points?\)$", "", text))
    return out


def _num(x: float) -> str:
    return f"{int(x)}" if float(x).is_integer() else f"{x:g}"


def _points(score: float, max_score: float) -> str:
    return f"{_num(score)} / {_num(max_score)} {'point' if max_score == 1 else 'points'}"


def _code_spans(text: str) -> str:
    """Escaped text with its `backquoted` names as <code>."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _diagnosis(t: UnitResult, found: Guide, math_href: str) -> str:
    e = html.escape
    formulas = "".join(f'<div class="formula">{mathml(tex, display=True)}</div>' for tex in found.formulas.get(t.name, []))
    if formulas:
        formulas = f"<p>What <code>{e(t.name)}</code> computes:</p>{formulas}"
    places = []
    if t.name in found.sections:
        places.append(f"the section <em>{_code_spans(found.sections[t.name])}</em> of <code>{e(t.notebook)}.ipynb</code>")
    else:
        places.append(f"its section in <code>{e(t.notebook)}.ipynb</code>")
    if t.name in found.anchors:
        places.append(f'<a href="{e(math_href)}#{e(found.anchors[t.name])}">docs/math.md: {e(t.name)}</a>')
    return (f'<div class="diagnosis" id="unit-{e(t.name)}"><h3><code>{e(t.name)}</code>: '
            f"{_points(t.score, t.max_score)}</h3>\n<p class=\"message\">{_code_spans(t.output)}</p>\n{formulas}\n"
            f'<p class="next"><strong>Look at this next:</strong> {" and ".join(places)}.</p></div>')


def feedback_html(entry: StudentResult, assignment: str, cases: Mapping[str, int],
                  found: Guide | None = None, math_href: str = f"../{math_doc.PAGE_NAME}") -> str:
    """The student's feedback page.

    cases: {unit: how many hidden cases it was called on} (plan.case_counts()); found: where each
    unit is taught (guide()); math_href: where the page finds docs/math.md as HTML.
    """
    e = html.escape
    found = found or Guide()
    by_notebook: dict[str, list[UnitResult]] = {}
    for t in entry.tests:
        by_notebook.setdefault(t.notebook, []).append(t)
    parts = []
    for stem, tests in by_notebook.items():
        score, max_score = sum(t.score for t in tests), sum(t.max_score for t in tests)
        unfinished = [t.name for t in tests if not t.passed and t.output == not_implemented_message(t.name)]
        wrong = [t for t in tests if not t.passed and t.name not in unfinished]
        rows = "\n".join(
            f"<tr class=\"{'pass' if t.passed else 'fail'}\"><td><code>{e(t.name)}</code></td>"
            f"<td>{cases.get(t.name, '')}</td><td class=\"points\">{_num(t.score)} / {_num(t.max_score)}</td>"
            f"<td>{_summary(t, unfinished)}</td></tr>" for t in tests)
        state = "pass" if score == max_score else "fail"
        parts.append(
            f'<section id="nb-{e(stem)}"><h2>{e(stem)}<span class="subtotal {state}">'
            f"{_points(score, max_score)}</span></h2>\n"
            "<table><tr><th>unit</th><th>cases</th><th>points</th><th>result</th></tr>\n"
            f"{rows}\n</table>\n"
            + (f"<p class=\"unfinished\">Not attempted yet: {', '.join(f'<code>{e(n)}</code>' for n in unfinished)}."
               " Each raises <code>NotImplementedError</code>; its points are waiting.</p>\n" if unfinished else "")
            + "".join(_diagnosis(t, found, math_href) for t in wrong)
            + "</section>")
    notes = "".join(f"<li>{e(n)}</li>" for n in entry.notes)
    notes = f"<h2>Notes on your notebooks</h2><ul>{notes}</ul>" if notes else ""
    sections = "\n".join(parts)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{e(assignment)}: feedback for {e(entry.student)}</title>
<style>{STYLE}</style></head>
<body><h1>{e(assignment)}: {e(entry.student)}</h1>
<p><strong>Score: {_num(entry.score)} / {_num(entry.max_score)}</strong></p>
<p>{e(ALL_PASS_NOTE)} Each function was called on the number of test cases in its row
(column <em>cases</em>), each with different sizes.</p>
{sections}
{manual_html(entry)}
{notes}
</body></html>
"""


def manual_html(entry: StudentResult) -> str:
    """The written answers' part of the page (empty when the assignment has none)."""
    if not entry.manual:
        return ""
    e = html.escape
    rows = "".join(f"<tr><td>{e(m.notebook)}</td><td><code>{e(m.name)}</code></td>"
                   f"<td>{e(TO_GRADE_BY_HAND) if m.score is None else _num(m.score)} / {_num(m.max_score)}</td></tr>"
                   for m in entry.manual)
    total = sum(m.max_score for m in entry.manual)
    pending = len(entry.manual_pending)
    state = (f"{pending} of {len(entry.manual)} {TO_GRADE_BY_HAND}" if pending
             else f"{_num(entry.manual_score)} / {_num(total)}, graded by hand")
    return (f"<h2>Written answers ({_num(total)} {'point' if total == 1 else 'points'}, apart from the autograded score)</h2>"
            f"<p class=\"manual\">{e(state)}</p>"
            f"<table><tr><th>notebook</th><th>answer</th><th>points</th></tr>{rows}</table>")


def _summary(t: UnitResult, unfinished: list[str]) -> str:
    if t.passed:
        return "passed"
    if t.name in unfinished:
        return "not attempted yet"
    return f'<a href="#unit-{html.escape(t.name)}">what went wrong</a>'
