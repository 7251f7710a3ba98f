"""Writing results: grades.json, grades.csv, per-student Gradescope results.json and feedback.html.

Every file is written atomically (temporary file + os.replace), so an
interrupted run never leaves a half-written file, and per-student results are
written (and cached) as soon as that student is graded.

Layout of DIR:
    grades.json                  {"schema_version", "assignment", "max_score", "granularity": "student",
                                  "isolation", "isolation_detail", "units": [...], "submissions": [...]}
                                  (see the README; each submission records its isolation too)
    grades.csv                   student, one column per unit, total, max_score
    <student>/results.json       Gradescope's results format, plus "isolation" (and its detail in extra_data)
    <student>/feedback.html      per notebook its units, points and diagnoses (autograder/feedback_page.py)
    math.html                    docs/math.md as a page, which the feedback pages link to
    .cache/<student>.json        {"key": hash of notebooks + source + grader code + limits, "entry": ...}
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import feedback_page, math_doc
from .errors import OutputError
from .feedback_page import feedback_html
from .outputs import GRADES_JSON, reserve, top_level
from .plan import Plan
from .results import ALL_PASS_NOTE, SCHEMA_VERSION, TO_GRADE_BY_HAND, ManualResult, StudentResult

__all__ = ["feedback_html"]  # the page lives in feedback_page.py; callers import it from here too


GRADES_CSV, CACHE, MATH_HTML = reserve("grades.csv", ".cache", math_doc.PAGE_NAME)


def prepare_out_dir(out_dir: str | Path) -> None:
    """Create DIR and DIR/.cache; OutputError if DIR cannot be written."""
    out_dir = Path(out_dir)
    try:
        top_level(out_dir, CACHE).mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".probe-"):
            pass
    except OSError as exc:
        raise OutputError(f"output folder {out_dir} is not writable ({exc.strerror})") from None


def atomic_write(path: str | Path, text: str) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def read_cache(out_dir: str | Path, student: str, key: str) -> StudentResult | None:
    """The cached result of `student` if it was made with `key`; None if absent, stale or malformed."""
    path = top_level(out_dir, CACHE) / f"{student}.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    try:
        return StudentResult.from_json(data["entry"])
    except (KeyError, TypeError, ValueError):
        return None


def write_cache(out_dir: str | Path, student: str, key: str, entry: StudentResult) -> None:
    atomic_write(top_level(out_dir, CACHE) / f"{student}.json", json.dumps({"key": key, "entry": entry.to_json()}))


def _num(x: float) -> float:
    return int(x) if float(x).is_integer() else x


def gradescope(entry: StudentResult) -> dict[str, Any]:
    """Gradescope's results.json for one student."""
    tests = [dict(name=t.name, score=_num(t.score), max_score=_num(t.max_score),
                  status="passed" if t.passed else "failed",
                  output=t.output, visibility="visible") for t in entry.tests]
    tests += [_gradescope_answer(m) for m in entry.manual]
    output = ALL_PASS_NOTE
    if entry.manual_pending:
        output += (f"\n\nWritten answers ({_points(sum(m.max_score for m in entry.manual))}, apart from the "
                   f"autograded score): {len(entry.manual_pending)} {TO_GRADE_BY_HAND}.")
    if entry.notes:
        output += "\n\nNotes on your notebooks:\n" + "\n".join(f"- {n}" for n in entry.notes)
    return dict(score=_num(entry.score + entry.manual_score), output=output, visibility="visible",
                stdout_visibility="hidden", tests=tests, isolation=entry.isolation,
                extra_data={"isolation": entry.isolation_detail})


def _points(n: float) -> str:
    return "1 point" if n == 1 else f"{_num(n)} points"


def _gradescope_answer(m: ManualResult) -> dict[str, Any]:
    """A written answer in Gradescope's results: no score until a grader has scored it (then it counts)."""
    name = f"{m.name} (written answer, graded by hand)"
    if m.score is None:
        return dict(name=name, output=f"{TO_GRADE_BY_HAND}: {_points(m.max_score)}, apart from the "
                                      "autograded score", visibility="visible")
    return dict(name=name, score=_num(m.score), max_score=_num(m.max_score), output="graded by hand",
                visibility="visible")


def write_student(out_dir: str | Path, plan: Plan, entry: StudentResult) -> None:
    folder = Path(out_dir) / entry.student
    atomic_write(folder / "results.json", json.dumps(gradescope(entry), indent=1))
    found = feedback_page.guide(plan.course_root, plan.assignment, [u.name for u in plan.units])
    atomic_write(folder / "feedback.html", feedback_html(entry, plan.assignment, plan.case_counts(), found))


def grades_document(plan: Plan, entries: Sequence[StudentResult], isolation: str | None = None,
                    detail: str | None = None) -> dict[str, Any]:
    """grades.json's content; its layout is documented in the README and versioned by SCHEMA_VERSION.

    isolation, detail: the batch's isolation mode and its one-line description (None when unknown).
    """
    return dict(schema_version=SCHEMA_VERSION, assignment=plan.assignment, max_score=_num(plan.max_score),
                granularity="student", isolation=isolation, isolation_detail=detail,
                units=[dict(name=u.name, notebook=u.notebook, max_score=_num(u.points)) for u in plan.units],
                manual_questions=[dict(name=q.name, notebook=q.notebook, max_score=_num(q.points))
                                  for q in plan.questions],
                manual_max_score=_num(plan.manual_max_score),
                submissions=[e.to_json() for e in entries])


def write_batch(out_dir: str | Path, plan: Plan, entries: Sequence[StudentResult], isolation: str | None = None,
                detail: str | None = None) -> None:
    out_dir = Path(out_dir)
    doc = grades_document(plan, entries, isolation, detail)
    atomic_write(top_level(out_dir, GRADES_JSON), json.dumps(doc, indent=1))
    math_text = math_doc.read(plan.course_root)
    if math_text is not None:   # the feedback pages link to it
        atomic_write(top_level(out_dir, MATH_HTML), math_doc.page(math_text))
    buf = io.StringIO()
    writer = csv.writer(buf)
    # Written answers (if any) follow, apart from the autograded total; an empty cell is not graded yet.
    manual_head = [q.name for q in plan.questions] + (["manual", "manual_max_score"] if plan.questions else [])
    writer.writerow(["student"] + [u.name for u in plan.units] + ["total", "max_score"] + manual_head)
    for entry in entries:
        scores = {t.name: t.score for t in entry.tests}
        answers = {m.name: m.score for m in entry.manual}
        manual = [("" if answers.get(q.name) is None else _num(answers[q.name] or 0.0)) for q in plan.questions]
        if plan.questions:
            manual += [_num(entry.manual_score), _num(plan.manual_max_score)]
        writer.writerow([csv_cell(entry.student)] + [_num(scores[u.name]) for u in plan.units]
                        + [_num(entry.score), _num(plan.max_score)] + manual)
    atomic_write(top_level(out_dir, GRADES_CSV), buf.getvalue())


class OutputFolder:
    """Everything `grade` writes into its output folder, in one place (and the cache it reads back).

    prepare() before grading (an unwritable folder stops the run before any sandbox starts);
    student() as soon as a row is made (its files, and its cache entry unless it is a failure:
    the next run tries that student again); batch() once every row is in.
    """

    def __init__(self, out_dir: str | Path, plan: Plan) -> None:
        self.out, self.plan = Path(out_dir), plan

    def prepare(self) -> None:
        prepare_out_dir(self.out)

    def cached(self, student: str, key: str) -> StudentResult | None:
        return read_cache(self.out, student, key)

    def student(self, entry: StudentResult, key: str | None) -> None:
        write_student(self.out, self.plan, entry)
        if key is not None:
            write_cache(self.out, entry.student, key, entry)

    def batch(self, entries: Sequence[StudentResult], isolation: str | None, detail: str | None) -> None:
        write_batch(self.out, self.plan, entries, isolation=isolation, detail=detail)


def csv_cell(text: str) -> str:
    """A text cell that a spreadsheet shows as text: a leading = + - @ (or tab, CR) would start a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


SHOWN_NOTES = 3   # per student, under the summary table (grades.json has them all)


def _width(text: str) -> int:
    """Columns a terminal gives `text`: wide (CJK) characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def summary_table(plan: Plan, entries: Sequence[StudentResult]) -> str:
    """A plain-text table: student, score, the units that lost points; then each student's first notes.

    The notes name what the instructor must know about the files: a second copy not graded, a link
    refused, a folder with nothing to grade, a student the grader could not grade.
    """
    width = max([len("student")] + [_width(e.student) for e in entries])
    lines = [f"{'student':<{width}}  {'score':>9}  lost points in", "-" * (width + 40)]
    for e in entries:
        lost = [t.name for t in e.tests if t.score < t.max_score]
        lost_text = ", ".join(lost) if len(lost) <= 6 else f"{len(lost)} units"
        flag = "  NOT GRADED" if not e.graded else ""
        name = e.student + " " * (width - _width(e.student))
        if e.manual_pending:
            flag += f"  ({len(e.manual_pending)} written answer(s) {TO_GRADE_BY_HAND})"
        elif e.manual:
            flag += f"  (written answers {_num(e.manual_score)}/{_num(sum(m.max_score for m in e.manual))})"
        lines.append(f"{name}  {_num(e.score):>4}/{_num(e.max_score):<4}  {lost_text or '-'}{flag}")
    noted = [e for e in entries if e.notes]
    if noted:
        lines += ["", "notes:"]
        for e in noted:
            lines += [f"  {e.student}: {n[:200]}" for n in e.notes[:SHOWN_NOTES]]
            if len(e.notes) > SHOWN_NOTES:
                lines.append(f"  {e.student}: ... {len(e.notes) - SHOWN_NOTES} more in grades.json")
    return "\n".join(lines)
