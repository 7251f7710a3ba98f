"""The class report: what the class got wrong, read from grades.json.

    python -m autograder report DIR        (also written by every `grade` run)

writes DIR/class_report.html (one self-contained page: the histogram is an embedded SVG)
and DIR/class_report.json (the same figures for scripts). Diagnoses are grouped by their
text with the case-specific parts (numbers, sizes, the case's parameters) masked, so the
same mistake found in different cases, or with different shapes, counts once per student;
no message wording is assumed here, so rewording a check does not break the grouping.
"""
from __future__ import annotations

import base64
import html
import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

from .errors import OutputError
from .outputs import GRADES_JSON, reserve, top_level
from .report import _num, atomic_write
from .results import TO_GRADE_BY_HAND, StudentResult
from .sandbox.runner import not_implemented_message

TEMPLATE = Path(__file__).with_name("class_report.html")
PAGE, FIGURES = reserve("class_report.html", "class_report.json")
_KEY_VALUE = re.compile(r"\b(\w+)=[\w.+-]+")            # activation=tanh, T=7: the case's parameters
# A number on its own; digits inside a name (dh1_t, W_hh1) are part of what the message says.
_NUMBER = re.compile(r"(?<!\w)[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?!\w)")


def diagnosis_key(message: str) -> str:
    """The message with everything case-specific masked: two students with the same mistake get one key."""
    text = _KEY_VALUE.sub(r"\1=#", " ".join(message.split()))
    return _NUMBER.sub("#", text)


def load(out_dir: str | Path) -> tuple[dict[str, Any], list[StudentResult]]:
    path = top_level(out_dir, GRADES_JSON)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return doc, [StudentResult.from_json(s) for s in doc["submissions"]]
    except OSError as exc:
        raise OutputError(f"cannot read {path} ({exc.strerror}); run `python -m autograder grade` first") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise OutputError(f"{path} is not a grades.json of this grader ({type(exc).__name__}: {exc})") from None


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def histogram(scores: list[float], max_score: float) -> dict[str, list[int]]:
    """At most 10 bins of one whole width each, [a, b) except the last, which holds max_score."""
    width = max(1, math.ceil(max_score / 10))
    bins = max(1, math.ceil(max_score / width))
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, max(0, int(s // width)))] += 1
    return dict(edges=[i * width for i in range(bins + 1)], counts=counts)


def summarise(doc: dict[str, Any], entries: list[StudentResult]) -> dict[str, Any]:
    """class_report.json's content: per unit full marks, unfinished and diagnoses; the score histogram."""
    n = len(entries)
    units: list[dict[str, Any]] = []
    for u in doc["units"]:
        name = u["name"]
        results = [(e.student, t) for e in entries for t in e.tests if t.name == name]
        full = sum(t.passed for _, t in results)
        unfinished = [s for s, t in results if not t.passed and t.output == not_implemented_message(name)]
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for student, t in results:
            if not t.passed and student not in unfinished:
                groups[diagnosis_key(t.output)].append((student, t.output))
        diagnoses: list[dict[str, Any]] = [dict(diagnosis=key, example=Counter(m for _, m in members).most_common(1)[0][0],
                                                count=len(members), share=_share(len(members), n),
                                                students=sorted(s for s, _ in members))
                                           for key, members in groups.items()]
        diagnoses.sort(key=lambda d: (-d["count"], d["diagnosis"]))
        units.append(dict(name=name, notebook=u["notebook"], max_score=u["max_score"], full_marks=full,
                          full_marks_share=_share(full, n), unfinished=len(unfinished),
                          unfinished_share=_share(len(unfinished), n), diagnoses=diagnoses))
    scores = [e.score for e in entries]
    manual = []
    for q in doc.get("manual_questions", ()):
        given = [m.score for e in entries for m in e.manual if m.name == q["name"] and m.score is not None]
        manual.append(dict(name=q["name"], notebook=q["notebook"], max_score=q["max_score"], graded=len(given),
                           to_grade_by_hand=n - len(given),
                           mean=round(sum(given) / len(given), 3) if given else None))
    return dict(assignment=doc["assignment"], max_score=doc["max_score"], students=n,
                mean=round(sum(scores) / n, 3) if n else None,
                histogram=histogram(scores, float(doc["max_score"])), units=units,
                unfinished=[dict(name=u["name"], count=u["unfinished"], share=u["unfinished_share"])
                            for u in sorted(units, key=lambda u: -u["unfinished"]) if u["unfinished"]],
                manual=manual, manual_max_score=doc.get("manual_max_score", 0),
                submissions=[dict(student=e.student, score=_num(e.score), max_score=_num(e.max_score),
                                  manual_score=_num(e.manual_score), manual_pending=e.manual_pending,
                                  feedback=f"{e.student}/feedback.html", lost=e.lost) for e in entries])


def _histogram_svg(summary: dict[str, Any]) -> str:
    """The score histogram as a small SVG, base64 for a data: URL. Drawn here rather than by
    matplotlib: importing and rendering with matplotlib took half a second per run, a seventh of
    grading 20 submissions, for a figure of ten bars."""
    h = summary["histogram"]
    edges, counts = h["edges"], h["counts"]
    width, height, left, bottom, top, right = 640, 280, 56, 44, 12, 16
    plot_w, plot_h = width - left - right, height - top - bottom
    top_count = max(1, max(counts, default=0))
    step = max(1, math.ceil(top_count / 5))           # whole students on the y axis, at most six ticks
    y_max = step * math.ceil(top_count / step)
    x0, x1 = float(edges[0]), float(edges[-1])

    def x(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * plot_w

    def y(v: float) -> float:
        return top + plot_h - v / y_max * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    for a, b, c in zip(edges, edges[1:], counts):
        if c:
            parts.append(f'<rect x="{x(a):.1f}" y="{y(c):.1f}" width="{x(b) - x(a):.1f}" '
                         f'height="{y(0) - y(c):.1f}" fill="#4a78b0" stroke="white"/>')
    parts.append(f'<path d="M{left} {top}V{y(0):.1f}H{left + plot_w}" fill="none" stroke="black"/>')
    for v in range(0, y_max + 1, step):
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v}</text>')
    for v in edges:
        parts.append(f'<text x="{x(v):.1f}" y="{y(0) + 16:.1f}" text-anchor="middle">{_num(v)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 8}" text-anchor="middle">'
                 f'score (of {html.escape(str(summary["max_score"]))})</text>')
    parts.append(f'<text transform="translate(14 {top + plot_h / 2:.1f}) rotate(-90)" '
                 f'text-anchor="middle">students</text></svg>')
    return base64.b64encode("".join(parts).encode()).decode("ascii")


def _pct(share: float) -> str:
    return f"{share * 100:.0f} %"


def render(summary: dict[str, Any]) -> str:
    e = html.escape
    n = summary["students"]
    unit_rows = []
    for u in summary["units"]:
        items = "".join(f"<li><span class=\"count\">{d['count']} ({_pct(d['share'])})</span> {e(d['example'])}</li>"
                        for d in u["diagnoses"])
        unit_rows.append(f"<tr><td>{e(u['notebook'])}</td><td><code>{e(u['name'])}</code></td>"
                         f"<td class=\"full\">{u['full_marks']} ({_pct(u['full_marks_share'])})</td>"
                         f"<td class=\"unfinished\">{u['unfinished']}</td><td><ul>{items}</ul></td></tr>")
    by_count: dict[int, list[str]] = {}       # most unfinished first; units with the same count on one line
    for u in summary["unfinished"]:
        by_count.setdefault(u["count"], []).append(f"<code>{e(u['name'])}</code>")
    unfinished = "".join(f"<li><strong>{count} of {n} ({_pct(count / n)})</strong>: {', '.join(names)}</li>"
                         for count, names in by_count.items()) or "<li>none: every unit was attempted by everyone</li>"
    students = "".join(f"<tr><td><a href=\"{e(quote(s['feedback']))}\">{e(s['student'])}</a></td>"
                       f"<td>{s['score']} / {s['max_score']}</td><td class=\"manual\">{e(_written(s, summary))}</td>"
                       f"<td>{e(', '.join(s['lost'])) or '-'}</td></tr>"
                       for s in summary["submissions"])
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        assignment=e(summary["assignment"]), students=n, mean=summary["mean"], max_score=summary["max_score"],
        histogram=_histogram_svg(summary), unit_rows="\n".join(unit_rows), unfinished=unfinished,
        manual_section=_manual_section(summary), student_rows=students)


def _written(submission: dict[str, Any], summary: dict[str, Any]) -> str:
    """A student's written answers: their hand-graded points, or how many are still to be graded by hand."""
    if not summary["manual"]:
        return "-"
    pending = len(submission["manual_pending"])
    score = f"{submission['manual_score']} / {summary['manual_max_score']}"
    return f"{score}, {pending} {TO_GRADE_BY_HAND}" if pending else score


def _manual_section(summary: dict[str, Any]) -> str:
    """The written answers, graded by hand in formgrader, apart from the autograded score."""
    if not summary["manual"]:
        return ""
    e = html.escape
    rows = "".join(f"<tr><td>{e(q['notebook'])}</td><td><code>{e(q['name'])}</code></td><td>{q['max_score']}</td>"
                   f"<td>{q['graded']}</td><td>{q['to_grade_by_hand']}</td>"
                   f"<td>{'-' if q['mean'] is None else q['mean']}</td></tr>" for q in summary["manual"])
    n = summary["manual_max_score"]
    return (f"<h2>Written answers, graded by hand ({n} point{'' if n == 1 else 's'}, apart from the "
            f"autograded score)</h2>\n<table id=\"manual\"><tr><th>notebook</th><th>answer</th><th>points</th>"
            f"<th>graded</th><th>{TO_GRADE_BY_HAND}</th><th>mean score</th></tr>{rows}</table>")


def write_report(out_dir: str | Path) -> Path:
    """Write DIR/class_report.html and DIR/class_report.json from DIR/grades.json; return the page's path."""
    out_dir = Path(out_dir)
    summary = summarise(*load(out_dir))
    atomic_write(top_level(out_dir, FIGURES), json.dumps(summary, indent=1))
    atomic_write(top_level(out_dir, PAGE), render(summary))
    return top_level(out_dir, PAGE)
