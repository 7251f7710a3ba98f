"""What the notebooks and the docs say about the graded units, generated from autograder/units.py.

Generators (see autograder/generated.py for the markers):

    <!-- generated: points NAME -->           "2 points" / "1 point": unit (or written answer) NAME's points
    <!-- generated: points-table -->          a notebook's table of graded functions and points,
                                              its total and the assignment's total
    <!-- generated: assignment-points -->     "41": the whole assignment
    <!-- generated: notebook-points STEM -->  "14": one notebook
    <!-- generated: unit-count -->            "23": how many graded units
    <!-- generated: notebooks-table -->       notebook | graded functions | points, for the docs
    <!-- generated: manual-points -->         "10": the written answers graded by hand, all notebooks
    <!-- generated: questions-table -->       notebook | written answer | points, for the docs
    <!-- generated: returns-table -->         unit | returns: what each unit must return (docs/type_rules.md)

and one rewriter: the nbgrader `points` of each `test_<unit>` cell and of each written
answer's cell (autograder.units.QUESTIONS) of a notebook's text.
"""
from __future__ import annotations

import json
import re

from .errors import ConfigError
from .generated import Where, generator, rewriter
from .units import DeclaredQuestion, DeclaredUnit
from .units import BY_NAME, QUESTION_BY_NAME, QUESTIONS, UNITS, manual_points, notebook_points, return_shapes, total_points


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def count_words(n: int) -> str:
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def points_words(n: int) -> str:
    return f"{n} point" if n == 1 else f"{n} points"


def _notebook(args: list[str], where: Where) -> str:
    stem = args[0] if args else where.notebook
    if stem is None:
        raise ValueError("name the notebook (outside a notebook's text)")
    if stem not in notebook_points():
        raise ValueError(f"no unit is declared in notebook {stem!r} (autograder/units.py)")
    return stem


@generator("points")
def unit_points(args: list[str], where: Where) -> str:
    if len(args) != 1:
        raise ValueError("usage: points UNIT")
    if args[0] in QUESTION_BY_NAME:
        return points_words(QUESTION_BY_NAME[args[0]].points)
    if args[0] not in BY_NAME:
        raise ValueError(f"no unit {args[0]!r} is declared in autograder/units.py")
    return points_words(BY_NAME[args[0]].points)


@generator("manual-points")
def all_manual_points(args: list[str], where: Where) -> str:
    return str(manual_points())


@generator("questions-table")
def questions_table(args: list[str], where: Where) -> str:
    rows = ["| notebook | written answer (graded by hand) | points |", "|---|---|---:|"]
    rows += [f"| `{q.notebook}.ipynb` | `{q.name}`: {q.topic} | {q.points} |" for q in QUESTIONS]
    rows.append(f"| **written answers** | {len(QUESTIONS)} questions | **{manual_points()}** |")
    return "\n".join(rows)


@generator("assignment-points")
def assignment_points(args: list[str], where: Where) -> str:
    return str(total_points())


@generator("unit-count")
def unit_count(args: list[str], where: Where) -> str:
    return str(len(UNITS))


@generator("notebook-points")
def one_notebook_points(args: list[str], where: Where) -> str:
    return str(notebook_points()[_notebook(args, where)])


@generator("points-table")
def points_table(args: list[str], where: Where) -> str:
    stem = _notebook(args, where)
    totals = notebook_points()
    rows = ["| graded function | points |", "|---|---|"]
    rows += [f"| `{u.signature}` | {u.points} |" for u in UNITS if u.notebook == stem]
    rows.append(f"| **this notebook** | **{totals[stem]}** |")
    parts = " + ".join(f"{s[:2]}: {n}" for s, n in totals.items())
    text = "\n".join(rows) + "\n\n" + (f"The whole assignment has **{total_points()} points** across "
                                       f"{count_words(len(totals))} notebooks ({parts}).")
    mine = [q for q in QUESTIONS if q.notebook == stem]
    if mine:
        table = ["| written answer, graded by hand | points |", "|---|---|"]
        table += [f"| {q.topic} | {q.points} |" for q in mine]
        text += ("\n\n" + "\n".join(table) + "\n\n" +
                 f"Written answers are graded by a person, not by the tests; their points "
                 f"({manual_points(stem)} here, {manual_points()} in the whole assignment) are counted apart "
                 "from the tests' points above.")
    return text


@generator("notebooks-table")
def notebooks_table(args: list[str], where: Where) -> str:
    rows = ["| notebook | graded functions | points |", "|---|---|---:|"]
    for stem, n in notebook_points().items():
        names = ", ".join(f"`{u.name}`" for u in UNITS if u.notebook == stem)
        rows.append(f"| `{stem}.ipynb` | {names} | {n} |")
    rows.append(f"| **assignment** | {len(UNITS)} units | **{total_points()}** |")
    return "\n".join(rows)


def returns_words(unit: DeclaredUnit) -> str:
    """What `unit` returns, as docs/type_rules.md states it: "array (N, H)", "dict with keys ...", or its sentence."""
    shapes = return_shapes(unit.returns)
    if not unit.returns.strip():
        raise ValueError(f"unit {unit.name} declares no returns (autograder/units.py: add returns=\"(N, H)\" "
                         "or a dict of shapes or a sentence)")
    if shapes is None:
        return unit.returns.strip()
    if isinstance(shapes, tuple):
        return f"array {_shape(shapes)}"
    keys = ", ".join(f"`{key}` {_shape(shape)}" for key, shape in shapes.items())
    return f"dict with keys {keys}; extra keys are ignored"


def _shape(axes: tuple[str, ...]) -> str:
    return f"({axes[0]},)" if len(axes) == 1 else f"({', '.join(axes)})"


@generator("returns-table")
def returns_table(args: list[str], where: Where) -> str:
    """unit | returns, one row per run of neighbouring units that return the same; a dict stated
    before is referred to ("dict as for `rnn_backward`")."""
    if args:
        raise ValueError("returns-table takes no arguments")
    rows: list[tuple[list[str], str]] = []
    first_of: dict[str, str] = {}
    for unit in UNITS:
        words = returns_words(unit)
        if rows and rows[-1][1] == words:
            rows[-1][0].append(unit.name)
            continue
        if words.startswith("dict with keys") and words in first_of:
            text = f"dict as for `{first_of[words]}`"
            if rows and rows[-1][1] == text:
                rows[-1][0].append(unit.name)
                continue
            rows.append(([unit.name], text))
            continue
        first_of.setdefault(words, unit.name)
        rows.append(([unit.name], words))
    lines = ["| unit | returns |", "|---|---|"]
    lines += [f"| {', '.join(f'`{n}`' for n in names)} | {words} |" for names, words in rows]
    return "\n".join(lines)


CELL_HEADER = re.compile(r'^(?P<head># %%.*?\bnbgrader=)(?P<meta>\{[^\n]*?\})(?P<tail>[^\n]*)$', re.M)


@rewriter
def test_cell_points(text: str, where: Where) -> str:
    """Set the nbgrader `points` of each declared unit's test cell `test_<unit>` in a notebook's text."""
    if where.notebook not in notebook_points():
        return text
    declared: dict[str, DeclaredUnit | DeclaredQuestion] = {
        f"test_{u.name}": u for u in UNITS if u.notebook == where.notebook}
    declared.update({q.name: q for q in QUESTIONS if q.notebook == where.notebook})
    seen: set[str] = set()

    def fix(m: re.Match[str]) -> str:
        meta = json.loads(m.group("meta"))
        unit = declared.get(meta.get("grade_id", ""))
        if unit is None or not meta.get("grade"):
            return m.group(0)
        seen.add(meta["grade_id"])
        if meta.get("points") == unit.points:
            return m.group(0)
        meta["points"] = unit.points
        return m.group("head") + json.dumps(meta, sort_keys=True, ensure_ascii=False) + m.group("tail")

    text = CELL_HEADER.sub(fix, text)
    missing = sorted(m for m in set(declared) - seen if m.startswith("test_"))
    if missing:
        raise ConfigError(f"{where.path}: no graded test cell (nbgrader grade: true) {', '.join(missing)}, "
                          f"but autograder/units.py declares {', '.join(m[5:] for m in missing)} in "
                          f"{where.notebook}")
    missing = sorted(set(declared) - seen)
    if missing:
        raise ConfigError(f"{where.path}: no manually graded answer cell (a markdown cell with nbgrader grade: true, "
                          f"solution: true) {', '.join(missing)}, but autograder/units.py declares it in "
                          f"{where.notebook} (QUESTIONS)")
    return text
