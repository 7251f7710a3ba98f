"""Every place outside autograder/units.py that states a unit fact, read and compared with it.

    disagreements(root, declared, checks)   one message per disagreement, [] when all agree

A message names the unit, the place (the file an instructor edits) and both values:
    "unit dh_t: heading of 02_rnn_bptt (notebooks/bptt/02_rnn_bptt.py) says 3 points; autograder/units.py declares 2"

The places, in a course root:
- source/bptt/<nb>.ipynb (edited as notebooks/bptt/<nb>.py): the nbgrader `points` of the
  cell test_<unit>; the `def <unit>(...)` of the solution cell <unit>; markdown headings that
  name a unit in backticks and state "(N point[s])", whatever their style; points tables
  (rows "| `unit(args)` | N |" and "| **this notebook** | **N** |"); the assignment's total
  ("**41 points**", "the assignment: 41") and per-notebook sums ("01: 12 + 02: 14 + ...");
  sentences "`unit` ... its N points" (points written as words are not read);
- autograder/plan.py: the plan it reads from source/ (it raises ConfigError itself);
- autograder.checks.UNITS: names, and the number of arguments a case passes (a check's
  notebook and signature are read from units.py itself);
- README.md: the per-notebook "N pts" of the layout, "worth N points", any unit table row,
  and the example test-cell header with its points.
Not compared here, because they are generated or checked elsewhere: docs/type_rules.md's table
of what each unit returns (generated from `returns`; tests/test_units_declared_once.py checks
`returns` against the reference on every hidden case), and the tests' and tools' own literals
(the same module's audits name a typed total, unit count, notebook's unit list, points or case count).
Notebooks are read as plain JSON (importing nbformat costs ~1 s).
"""
import ast
import json
import re
from pathlib import Path

DECLARATION = "autograder/units.py"
ASSIGNMENT = "bptt"

HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<text>.*)$")
HEADING_POINTS = re.compile(r"\(\s*\**\s*(?P<n>\d+(?:\.\d+)?)\s*\**\s+points?\s*\**\s*\)", re.I)
BACKTICKED = re.compile(r"`(?P<name>[A-Za-z_]\w*)(?:\([^`]*\))?`")
TABLE_ROW = re.compile(r"^\s*\|(?P<cells>.*)\|\s*$")
UNIT_CELL = re.compile(r"`(?P<sig>[A-Za-z_]\w*\([^`]*\))`")
NUMBER = re.compile(r"^\s*\**\s*(?P<n>\d+(?:\.\d+)?)\s*\**")
TOTALS = (re.compile(r"assignment[^.|]*?\*\*(?P<n>\d+)\s+points?\*\*", re.I),
          re.compile(r"assignment\s*:\s*\**(?P<n>\d+)", re.I))
PER_NOTEBOOK = re.compile(r"\b(?P<nb>\d\d)\s*:\s*\**(?P<n>\d+)\**\s*(?=[+)])")
PROSE = re.compile(r"`(?P<name>[A-Za-z_]\w*)`[^`.|]{0,40}?\bits (?P<n>\d+) points?\b")
README_NOTEBOOK = re.compile(r"^\s*(?P<nb>\d\d_\w+)\.ipynb\b.*?\b(?P<n>\d+)\s*pts?\b")
README_TOTAL = re.compile(r"assignment is worth (?P<n>\d+) points", re.I)
README_HEADER = re.compile(r'"grade_id":\s*"test_(?P<name>\w+)"[^}\n]*?"points":\s*(?P<n>\d+(?:\.\d+)?)')


MARKER = re.compile(r"<!-- (?:generated: [^>]*?|end generated) -->")


def plain(line):
    """A line without the markers of generated regions (autograder/generated.py): what a reader sees."""
    return MARKER.sub("", line)


def _num(text):
    value = float(text)
    return int(value) if value.is_integer() else value


def _source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _params(signature):
    from autograder.units import parse_signature
    return parse_signature(signature)


def _sig(name, params):
    return f"{name}({', '.join(params)})"


class Audit:
    def __init__(self, declared):
        self.by_name = {u.name: u for u in declared}
        self.messages = []

    def unit(self, name, place, says, declares):
        self.messages.append(f"unit {name}: {place} says {says}; {DECLARATION} declares {declares}")

    def other(self, message):
        self.messages.append(message)


def heading_points(line):
    """(unit names in backticks, points) of a markdown heading that states "(N points)", else None."""
    m = HEADING.match(plain(line))
    if not m:
        return None
    p = HEADING_POINTS.search(m.group("text"))
    if not p:
        return None
    return [b.group("name") for b in BACKTICKED.finditer(m.group("text"))], _num(p.group("n"))


def table_row(line):
    """('unit', name, params, points) or ('notebook', None, None, points) for a points-table row, else None."""
    m = TABLE_ROW.match(plain(line))
    if not m:
        return None
    cells = [c.strip() for c in m.group("cells").split("|")]
    if len(cells) < 2:
        return None
    number = NUMBER.match(cells[1])
    if not number:
        return None
    sig = UNIT_CELL.search(cells[0])
    if sig:
        name, params = _params(sig.group("sig"))
        return "unit", name, params, _num(number.group("n"))
    if "this notebook" in cells[0].lower():
        return "notebook", None, None, _num(number.group("n"))
    return None


def _markdown(audit, stem, place, text, notebook_points, total):
    stated = set()
    for line in text.splitlines():
        line = plain(line).rstrip()
        heading = heading_points(line)
        if heading:
            names, points = heading
            units = [n for n in names if n in audit.by_name]
            if not units and points:
                audit.other(f"{place}: the heading {line.strip()!r} states {points} points but names no "
                            f"declared unit in backticks; declare it in {DECLARATION}")
            for name in units[:1]:   # the first unit named is the one the section grades
                stated.add(name)
                _compare_unit(audit, name, stem, f"heading of {place}", points)
        if not heading:
            for m in PROSE.finditer(line):   # "a mistake in `dh1_t` costs its 2 points"
                declared = audit.by_name.get(m.group("name"))
                if declared and _num(m.group("n")) != declared.points:   # any notebook may mention it
                    audit.unit(declared.name, f"a sentence of {place}", f"{m.group('n')} points", declared.points)
        row = table_row(line)
        if row:
            kind, name, params, points = row
            if kind == "notebook" and points != notebook_points.get(stem):
                audit.other(f"notebook {stem}: points table of {place} says {points} for this notebook; "
                            f"{DECLARATION} declares {notebook_points.get(stem)}")
            elif kind == "unit":
                stated.add(name)
                if name not in audit.by_name:
                    audit.other(f"{place}: the points table lists `{_sig(name, params)}`, which is not "
                                f"declared in {DECLARATION}")
                    continue
                _compare_unit(audit, name, stem, f"points table of {place}", points)
                declared = audit.by_name[name]
                if params != declared.params:
                    audit.unit(name, f"points table of {place}", f"`{_sig(name, params)}`",
                               f"`{_sig(name, declared.params)}`")
        for pattern in TOTALS:
            for m in pattern.finditer(line):
                if _num(m.group("n")) != total:
                    audit.other(f"assignment total: {place} says {_num(m.group('n'))} points; {DECLARATION} declares {total}")
        if "+" in line:
            for m in PER_NOTEBOOK.finditer(line):
                other = next((s for s in notebook_points if s.startswith(m.group("nb") + "_")), None)
                if other is not None and _num(m.group("n")) != notebook_points[other]:
                    audit.other(f"notebook {other}: {place} says {_num(m.group('n'))} points "
                                f"(\"{m.group(0).strip()}\"); {DECLARATION} declares {notebook_points[other]}")
    return stated


def _compare_unit(audit, name, stem, place, points):
    declared = audit.by_name[name]
    if declared.notebook != stem:
        audit.unit(name, place, f"it is in notebook {stem}", f"notebook {declared.notebook}")
    elif points != declared.points:
        audit.unit(name, place, f"{points} points", declared.points)


def _solution_params(name, source):
    """The parameter names of `def <name>(...)` in a solution cell's source, or None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    from autograder.units import function_params
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return function_params(node)
    return None


def _notebooks(audit, root, notebook_points, total):
    source = Path(root) / "source" / ASSIGNMENT
    tests, solutions, stated = {}, {}, {}
    for path in sorted(source.glob("*.ipynb")):
        stem = path.stem
        place = f"{stem} (notebooks/{ASSIGNMENT}/{stem}.py)"
        stated[stem] = set()
        for cell in json.loads(path.read_text())["cells"]:
            nbg = (cell.get("metadata") or {}).get("nbgrader") or {}
            gid = nbg.get("grade_id") or ""
            if cell.get("cell_type") == "markdown":
                stated[stem] |= _markdown(audit, stem, place, _source(cell), notebook_points, total)
            elif nbg.get("grade") and gid.startswith("test_"):
                tests.setdefault(gid[len("test_"):], []).append((stem, _num(str(nbg.get("points", 0)))))
            elif nbg.get("solution") and gid:
                solutions.setdefault(gid, []).append((stem, _solution_params(gid, _source(cell))))
    for name, found in tests.items():
        where = f"test cell test_{name} (nbgrader points)"
        if name not in audit.by_name:
            audit.other(f"{found[0][0]}: the test cell test_{name} grades a unit not declared in {DECLARATION}")
            continue
        if len(found) > 1:
            audit.other(f"unit {name}: {len(found)} test cells test_{name}, in {', '.join(s for s, _ in found)}")
        for stem, points in found:
            _compare_unit(audit, name, stem, f"{where} of {stem} (notebooks/{ASSIGNMENT}/{stem}.py)", points)
    for name, declared in audit.by_name.items():
        nb_place = f"{declared.notebook} (notebooks/{ASSIGNMENT}/{declared.notebook}.py)"
        if name not in tests:
            audit.unit(name, f"{nb_place}", "no test cell test_" + name, f"{declared.points} points")
        found = [p for s, p in solutions.get(name, []) if s == declared.notebook]
        if not found or found[0] is None:
            audit.unit(name, f"{nb_place}", f"no solution cell {name} with `def {name}(...)`",
                       f"`{declared.signature}`")
        elif found[0] != declared.params:
            audit.unit(name, f"solution cell {name} of {nb_place}", f"`def {_sig(name, found[0])}`",
                       f"`{declared.signature}`")
        if declared.notebook in stated and name not in stated[declared.notebook]:
            audit.unit(name, f"the markdown of {nb_place}", "nothing about its points (no heading "
                       "'(N points)' and no points-table row names it)", f"{declared.points} points")


def _plan(audit, root):
    from autograder.plan import ConfigError, read_plan
    try:
        plan = read_plan(root, ASSIGNMENT)
    except ConfigError as exc:
        audit.other(f"autograder/plan.py refuses the course: {exc}")
        return
    got = {u.name: (u.notebook, _num(str(u.points))) for u in plan.units}
    for name, declared in audit.by_name.items():
        if name in got and got[name] != (declared.notebook, declared.points):
            audit.unit(name, "autograder/plan.py", f"{got[name][1]} points in {got[name][0]}",
                       f"{declared.points} points in {declared.notebook}")


def _checks(audit, checks):
    for name in sorted(set(checks) - set(audit.by_name)):
        audit.other(f"autograder.checks.UNITS has a check for {name!r}, which is not declared in {DECLARATION}")
    for name, declared in audit.by_name.items():
        unit = checks.get(name)
        if unit is None:
            audit.unit(name, "autograder.checks.UNITS", "no check", f"`{declared.signature}`")
            continue
        # A check's notebook and signature are read from the declaration (checks.base.Unit.declared).
        n_args = len(unit.cases()[0].args)
        if n_args != len(declared.params):
            audit.unit(name, "autograder.checks.UNITS (its cases)", f"calls it with {n_args} arguments",
                       f"{len(declared.params)} parameters `{declared.signature}`")


def _readme(audit, root, notebook_points, total):
    path = Path(root) / "README.md"
    for line in path.read_text().splitlines():
        m = README_NOTEBOOK.match(line)
        if m and m.group("nb") in notebook_points and _num(m.group("n")) != notebook_points[m.group("nb")]:
            audit.other(f"notebook {m.group('nb')}: README.md says {m.group('n')} pts; "
                        f"{DECLARATION} declares {notebook_points[m.group('nb')]}")
        for m in README_TOTAL.finditer(line):
            if _num(m.group("n")) != total:
                audit.other(f"assignment total: README.md says {m.group('n')} points; {DECLARATION} declares {total}")
        for m in README_HEADER.finditer(line):
            if m.group("name") in audit.by_name:
                _compare_unit(audit, m.group("name"), audit.by_name[m.group("name")].notebook,
                              "README.md (the example test-cell header)", _num(m.group("n")))
        row = table_row(line)
        if row and row[0] == "unit" and row[1] in audit.by_name:
            _compare_unit(audit, row[1], audit.by_name[row[1]].notebook, "a points table of README.md", row[3])


def disagreements(root, declared=None, checks=None):
    """Every disagreement between the declaration and the course under `root`, as messages.

    declared: the units (default autograder.units.UNITS); checks: {name: checks.Unit}
    (default autograder.checks.UNITS). Both are parameters so a test can perturb them.
    """
    from autograder import checks as checks_module
    from autograder import units
    declared = units.UNITS if declared is None else declared
    checks = checks_module.UNITS if checks is None else checks
    audit = Audit(declared)
    notebook_points, total = {}, 0
    for u in declared:
        notebook_points[u.notebook] = notebook_points.get(u.notebook, 0) + u.points
        total += u.points
    _notebooks(audit, root, notebook_points, total)
    _plan(audit, root)
    _checks(audit, checks)
    _readme(audit, root, notebook_points, total)
    if audit.messages:
        audit.messages += _unsynced(root)
    return audit.messages


def _unsynced(root):
    """Hints for text files saved after their notebook: the comparison reads the .ipynb."""
    hints = []
    for text in sorted((Path(root) / "notebooks" / ASSIGNMENT).glob("*.py")):
        ipynb = Path(root) / "source" / ASSIGNMENT / f"{text.stem}.ipynb"
        if ipynb.exists() and text.stat().st_mtime > ipynb.stat().st_mtime:
            hints.append(f"note: notebooks/{ASSIGNMENT}/{text.name} was saved after source/{ASSIGNMENT}/{ipynb.name}, "
                         "which is what is compared: run `python -m autograder release` "
                         f"(or `jupytext --sync notebooks/{ASSIGNMENT}/*.py`) first")
    return hints
