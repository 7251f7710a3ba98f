"""Each graded unit is declared once (autograder/units.py); every other statement of it agrees.

The places compared are listed in tests/unit_places.py. Each perturbation test
changes one place in a temporary copy of the course (or one entry of the
declaration or of the checks) and expects the exact message that names the
unit, the place and both values: the comparison can fail, and says where.
"""
import ast
import dataclasses
import json
import re
import shutil

import pytest

from autograder import checks, units
from autograder.plan import ConfigError, read_plan
from tools.factory import REPO_ROOT
from tests.unit_places import PROSE, disagreements, heading_points, plain, table_row

NB02 = "02_rnn_bptt (notebooks/bptt/02_rnn_bptt.py)"
DECL = "autograder/units.py declares"
# The perturbed values are the declared ones plus one, so the tests hold whatever the points are.
P = units.BY_NAME["dh_t"].points                      # dh_t's points
N02 = units.notebook_points()["02_rnn_bptt"]          # notebook 02's points
TOTAL = units.total_points()


def test_the_declaration_is_well_formed():
    names = [u.name for u in units.UNITS]
    assert len(names) == len(set(names)), "a unit is declared twice"
    stems = sorted(p.stem for p in (REPO_ROOT / "source" / "bptt").glob("*.ipynb"))
    assert sorted(units.notebook_points()) == stems
    assert all(isinstance(u.points, int) and u.points > 0 for u in units.UNITS)
    assert units.BY_NAME["dh_t"].params == ("dy_t", "dhraw_next", "W_hq", "W_hh")
    assert units.total_points() == sum(units.notebook_points().values())


def test_every_place_agrees_with_the_declaration():
    found = disagreements(REPO_ROOT)
    assert found == [], "\n".join(found)


def test_the_plan_grades_exactly_the_declared_units():
    plan = read_plan(REPO_ROOT, "bptt")
    assert [(u.name, u.notebook, u.points) for u in plan.units] == \
        [(u.name, u.notebook, float(u.points)) for u in units.UNITS]


@pytest.mark.parametrize("line, expected", [
    ("### 4. `dh_t` — the two paths into a hidden state (2 points)", (["dh_t"], 2)),
    ("## `dh_t` (2 points)", (["dh_t"], 2)),
    ("#### 4 · `dh_t(dy_t, dhraw_next, W_hq, W_hh)`: two paths (**2 points**)", (["dh_t"], 2)),
    ("### Task 4: `dh_t` uses `W_hh` (1 point)", (["dh_t", "W_hh"], 1)),
    ("### Experiment: how far back does the gradient reach? (no points)", None),
    ("Worth `dh_t` (2 points) but not a heading", None),
])
def test_headings_are_read_whatever_their_style(line, expected):
    assert heading_points(line) == expected


def test_table_rows_are_read():
    assert table_row("| `dh_t(dy_t, dhraw_next, W_hq, W_hh)` | 2 |") == \
        ("unit", "dh_t", ("dy_t", "dhraw_next", "W_hq", "W_hh"), 2)
    assert table_row("| **this notebook** | **14** |") == ("notebook", None, None, 14)
    assert table_row("| `dy_t` | (N, Q) |") is None          # a shape table, not points


# ---- the comparison fails, and says where -------------------------------------------------

@pytest.fixture
def course(tmp_path):
    """A copy of the course's source notebooks and README.md."""
    root = tmp_path / "course"
    shutil.copytree(REPO_ROOT / "source", root / "source",
                    ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copy2(REPO_ROOT / "README.md", root / "README.md")
    return root


def edit_cells(root, stem, edit):
    """Apply edit(cell) -> bool to each cell of source/bptt/<stem>.ipynb; at least one must change."""
    path = root / "source" / "bptt" / f"{stem}.ipynb"
    nb = json.loads(path.read_text())
    changed = [edit(cell) for cell in nb["cells"]]
    assert any(changed), f"nothing to perturb in {stem}"
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False))


def edit_markdown_line(root, stem, select, replace):
    """Replace the first markdown line for which select(line) is true by replace(line)."""
    done = []

    def edit(cell):
        if cell["cell_type"] != "markdown" or done:
            return False
        lines = "".join(cell["source"]).split("\n")
        for i, line in enumerate(lines):
            if select(line):
                lines[i] = replace(line)
                cell["source"] = "\n".join(lines)
                done.append(line)
                return True
        return False
    edit_cells(root, stem, edit)


def set_points(line, n):
    return re.sub(r"\d+(?=\s+points?\))", str(n), plain(line))


def test_test_cell_points(course):
    def edit(cell):
        nbg = cell["metadata"].get("nbgrader", {})
        if nbg.get("grade_id") == "test_dh_t":
            nbg["points"] = P + 1
            return True
        return False
    edit_cells(course, "02_rnn_bptt", edit)
    found = disagreements(course)
    assert f"unit dh_t: test cell test_dh_t (nbgrader points) of {NB02} says {P + 1} points; {DECL} {P}" in found
    assert (f"autograder/plan.py refuses the course: unit 'dh_t': 02_rnn_bptt.ipynb gives test_dh_t {P + 1} points, "
            f"autograder/units.py declares {P}") in found
    with pytest.raises(ConfigError, match=rf"^unit 'dh_t': 02_rnn_bptt.ipynb gives test_dh_t {P + 1} points, "
                                          rf"autograder/units.py declares {P}$"):
        read_plan(course, "bptt")


def test_heading(course):
    edit_markdown_line(course, "02_rnn_bptt", lambda s: (heading_points(s) or ([], 0))[0][:1] == ["dh_t"],
                       lambda s: set_points(s, P + 1))
    assert disagreements(course) == [f"unit dh_t: heading of {NB02} says {P + 1} points; {DECL} {P}"]


def test_heading_in_another_style(course):
    edit_markdown_line(course, "02_rnn_bptt", lambda s: (heading_points(s) or ([], 0))[0][:1] == ["dh_t"],
                       lambda s: f"## 4 · `dh_t`: the two paths into a hidden state (**{P + 1} points**)")
    assert disagreements(course) == [f"unit dh_t: heading of {NB02} says {P + 1} points; {DECL} {P}"]


def _is_row(kind, name=None):
    return lambda s: (table_row(s) or ("",))[0] == kind and (name is None or table_row(s)[1] == name)


def _has(stem, select):
    nb = json.loads((REPO_ROOT / "source" / "bptt" / f"{stem}.ipynb").read_text())
    return any(select(line) for c in nb["cells"] if c["cell_type"] == "markdown"
               for line in "".join(c["source"]).split("\n"))


def test_points_table_row(course):
    if not _has("02_rnn_bptt", _is_row("unit", "dh_t")):
        pytest.skip("02_rnn_bptt has no points table row for dh_t any more")
    edit_markdown_line(course, "02_rnn_bptt", _is_row("unit", "dh_t"), lambda s: re.sub(r"\d+(\s*\|\s*)$", rf"{P + 1}\1", s))
    assert disagreements(course) == [f"unit dh_t: points table of {NB02} says {P + 1} points; {DECL} {P}"]


def test_points_table_signature(course):
    if not _has("02_rnn_bptt", _is_row("unit", "dh_t")):
        pytest.skip("02_rnn_bptt has no points table row for dh_t any more")
    edit_markdown_line(course, "02_rnn_bptt", _is_row("unit", "dh_t"), lambda s: s.replace("W_hh)", "W)"))
    assert disagreements(course) == [
        f"unit dh_t: points table of {NB02} says `dh_t(dy_t, dhraw_next, W_hq, W)`; {DECL} `dh_t(dy_t, dhraw_next, W_hq, W_hh)`"]


def test_notebook_total_row(course):
    if not _has("02_rnn_bptt", _is_row("notebook")):
        pytest.skip("02_rnn_bptt has no 'this notebook' row any more")
    edit_markdown_line(course, "02_rnn_bptt", _is_row("notebook"), lambda s: s.replace(str(N02), str(N02 + 1)))
    assert disagreements(course) == [
        f"notebook 02_rnn_bptt: points table of {NB02} says {N02 + 1} for this notebook; {DECL} {N02}"]


def test_assignment_total_and_per_notebook_sums(course):
    total, per_nb = f"**{TOTAL} points**", f"02: {N02}"
    stem = next((s for s in units.notebook_points() if _has(s, lambda line: total in line)), None)
    if stem is None:
        pytest.skip(f"no notebook states the total as {total} any more")
    edit_markdown_line(course, stem, lambda s: total in s,
                       lambda s: s.replace(total, f"**{TOTAL + 1} points**").replace(per_nb, f"02: {N02 + 1}"))
    place = f"{stem} (notebooks/bptt/{stem}.py)"
    found = disagreements(course)
    assert f"assignment total: {place} says {TOTAL + 1} points; {DECL} {TOTAL}" in found
    if _has(stem, lambda line: per_nb in line):
        assert f'notebook 02_rnn_bptt: {place} says {N02 + 1} points ("02: {N02 + 1}"); {DECL} {N02}' in found


def test_solution_signature(course):
    def edit(cell):
        if cell["metadata"].get("nbgrader", {}).get("grade_id") != "dh_t":
            return False
        cell["source"] = "".join(cell["source"]).replace("def dh_t(dy_t, dhraw_next, W_hq, W_hh)",
                                                         "def dh_t(dy_t, dhraw_next, W_hh, W_hq)")
        return True
    edit_cells(course, "02_rnn_bptt", edit)
    assert disagreements(course) == [
        f"unit dh_t: solution cell dh_t of {NB02} says `def dh_t(dy_t, dhraw_next, W_hh, W_hq)`; "
        f"{DECL} `dh_t(dy_t, dhraw_next, W_hq, W_hh)`"]


def test_readme(course):
    # README.md states points only in generated regions; a number typed by hand is still caught.
    path = course / "README.md"
    path.write_text(path.read_text() + f"\nThe assignment is worth {TOTAL + 1} points.\n"
                    f"  02_rnn_bptt.ipynb   one-layer RNN   {N02 + 1} pts\n")
    assert disagreements(course) == [
        f"assignment total: README.md says {TOTAL + 1} points; {DECL} {TOTAL}",
        f"notebook 02_rnn_bptt: README.md says {N02 + 1} pts; {DECL} {N02}",
    ]


def test_declaration_changed_alone(course):
    declared = tuple(dataclasses.replace(u, points=P + 1) if u.name == "dh_t" else u for u in units.UNITS)
    found = disagreements(course, declared=declared)
    assert f"unit dh_t: test cell test_dh_t (nbgrader points) of {NB02} says {P} points; {DECL} {P + 1}" in found
    assert f"unit dh_t: heading of {NB02} says {P} points; {DECL} {P + 1}" in found


def test_checks_disagree(course):
    changed = dict(checks.UNITS)
    changed["dh1_x"] = dataclasses.replace(checks.UNITS["dh1_t"], name="dh1_x")
    del changed["clip_gradients"]
    assert disagreements(course, checks=changed) == [
        "autograder.checks.UNITS has a check for 'dh1_x', which is not declared in autograder/units.py",
        f"unit clip_gradients: autograder.checks.UNITS says no check; {DECL} `clip_gradients(grads, max_norm)`",
    ]


def test_a_check_reads_its_notebook_and_signature_from_the_declaration():
    for name, unit in checks.UNITS.items():
        assert (unit.notebook, unit.signature, unit.arg_names) == \
            (units.BY_NAME[name].notebook, units.BY_NAME[name].signature, units.BY_NAME[name].params)


def test_a_check_that_calls_with_the_wrong_number_of_arguments(course):
    unit = checks.UNITS["dz_b"]
    extra = dataclasses.replace(unit, make_case=lambda rng, d: dataclasses.replace(
        unit.make_case(rng, d), args=unit.make_case(rng, d).args + (1.0,)))
    assert disagreements(course, checks=dict(checks.UNITS, dz_b=extra)) == [
        f"unit dz_b: autograder.checks.UNITS (its cases) says calls it with 2 arguments; {DECL} 1 parameters `dz_b(dz_netIn)`"]


def test_a_sentence_stating_a_units_points(course):
    stem = next((s for s in units.notebook_points() if _has(s, lambda line: bool(PROSE.search(plain(line))))), None)
    if stem is None:
        pytest.skip("no sentence of the form '`unit` ... its N points' any more")
    name = []

    def perturb(line):
        line = plain(line)
        m = PROSE.search(line)
        name.append(m.group("name"))
        return line[:m.start("n")] + "9" + line[m.end("n"):]
    edit_markdown_line(course, stem, lambda s: bool(PROSE.search(plain(s))) and not heading_points(s), perturb)
    declared = units.BY_NAME[name[0]]
    assert disagreements(course) == [
        f"unit {name[0]}: a sentence of {stem} (notebooks/bptt/{stem}.py) says 9 points; {DECL} {declared.points}"]


def typed_course_facts(root):
    """[(file:line, text)] of test and tool lines that type the course total or the unit count.

    A score written as "<n>/<total>", a difference from the total ("<total> - lost") or a
    count compared with the number of units ("== <units>") breaks the day a unit is added;
    tests derive them from autograder/units.py instead. Seeds and sizes are other numbers.
    """
    total, n_units = units.total_points(), len(units.UNITS)
    patterns = [re.compile(rf"\b\d+\s*/\s*{total}\b"), re.compile(rf"(?<![\w.]){total}\s*-\s*\w"),
                re.compile(rf"==\s*{n_units}\b"), re.compile(rf"==\s*{total}\b"), re.compile(rf"\({n_units}\)"),
                re.compile(r"passed \d+/\d+ cases")]       # a unit's case count, typed
    found = []
    for folder in ("tests", "tools"):
        for path in sorted((root / folder).rglob("*.py")):
            for i, line in enumerate(path.read_text().splitlines(), 1):
                code = line.split("#", 1)[0]
                if any(p.search(code) for p in patterns):
                    found.append(f"{path.relative_to(root)}:{i}: {line.strip()}")
    return found


def test_no_test_types_a_course_total_or_unit_count():
    found = typed_course_facts(REPO_ROOT)
    assert found == [], ("derive these from autograder/units.py (units.total_points(), len(units.UNITS), "
                         "units.notebook_points()):\n" + "\n".join(found))


def test_the_typed_fact_audit_finds_a_typed_total(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tools").mkdir()
    total = units.total_points()
    (tmp_path / "tests" / "test_x.py").write_text(f'assert page.count("x") == {len(units.UNITS)}\n'
                                                  f'assert "40 / {total}" in page\nseed = 41\n')
    assert [f.split(":")[1] for f in typed_course_facts(tmp_path)] == ["1", "2"]


# ---- what each unit returns: declared once, checked against the reference ------------------

def returns_disagreements(declared, checks_units):
    """[message] for each hidden case whose reference answer has another shape (or keys) than declared.

    The axes are read from the case's sizes (all different, so a transposed or summed axis shows).
    """
    found = []
    for unit in declared:
        shapes = units.return_shapes(unit.returns)
        if not unit.returns.strip():
            found.append(f"unit {unit.name}: autograder/units.py declares no returns (add returns=\"(N, H)\", "
                         "a dict of shapes or a sentence)")
            continue
        if shapes is None or unit.name not in checks_units:
            continue
        for case in checks_units[unit.name].cases():
            if case.expected is None:
                continue
            sizes = case.made_from
            want = ({k: tuple(sizes[a] for a in s) for k, s in shapes.items()} if isinstance(shapes, dict)
                    else tuple(sizes[a] for a in shapes))
            got = ({k: tuple(v.shape) for k, v in case.expected.items() if k in want}
                   if isinstance(case.expected, dict) else tuple(getattr(case.expected, "shape", ())))
            if got != want:
                found.append(f"unit {unit.name}: the reference answers {got} on the hidden case ({case.describe()}); "
                             f"autograder/units.py declares returns={unit.returns!r}, that is {want}")
                break
    return found


def test_every_declared_return_shape_is_what_the_reference_returns():
    assert returns_disagreements(units.UNITS, checks.UNITS) == []


def test_a_wrong_declared_return_shape_is_named():
    declared = [dataclasses.replace(units.BY_NAME["dh_t"], returns="(H, N)"),
                dataclasses.replace(units.BY_NAME["rnn_backward"], returns="{W_xh: (H, D), b_h: (H,)}"),
                dataclasses.replace(units.BY_NAME["db_h"], returns="")]
    found = returns_disagreements(declared, checks.UNITS)
    assert [m.split(":")[0] for m in found] == ["unit dh_t", "unit rnn_backward", "unit db_h"]
    assert "autograder/units.py declares returns='(H, N)'" in found[0]
    assert found[2] == ('unit db_h: autograder/units.py declares no returns (add returns="(N, H)", '
                        "a dict of shapes or a sentence)")


def test_a_malformed_returns_is_refused_when_declared():
    with pytest.raises(ValueError, match=r"not a shape: '\(N; H\)'"):
        units.DeclaredUnit("02_rnn_bptt", "dh_t(dy_t, dhraw_next, W_hq, W_hh)", 2, returns="(N; H)")
    with pytest.raises(ValueError, match=r"not a dict of shapes"):
        units.DeclaredUnit("02_rnn_bptt", "rnn_backward(Y, params, cache, activation)", 4, returns="{W_xh (D, H)}")


# ---- no test types a notebook's list of units, their points or their case counts ------------

def typed_unit_facts(root, declared=None, n_cases=None):
    """[file:line: what] for each literal in tests/ and tools/ that a new unit or a changed point breaks.

    - a list, tuple or set of strings holding every unit of a notebook (2 units or more):
      a unit added to that notebook is missing from it;
    - a dict keyed by every unit of a notebook with numbers as values (scores, points, counts);
    - a dict of units to numbers that are exactly their declared points, or their case counts.
    A dict of per-unit data (arguments, messages) is not counted: a unit it lacks must be handled.
    """
    declared = units.UNITS if declared is None else declared
    n_cases = {name: unit.n_cases for name, unit in checks.UNITS.items()} if n_cases is None else n_cases
    by_notebook = {}
    for u in declared:
        by_notebook.setdefault(u.notebook, set()).add(u.name)
    points = {u.name: u.points for u in declared}
    found = []
    for folder in ("tests", "tools"):
        for path in sorted((root / folder).rglob("*.py")):
            where = path.relative_to(root)
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
                    strings = {e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}
                    for stem, names in by_notebook.items():
                        if len(names) >= 2 and names <= strings:
                            found.append(f"{where}:{node.lineno}: lists the units of {stem}")
                elif isinstance(node, ast.Dict):
                    numbers = {k.value: v.value for k, v in zip(node.keys, node.values)
                               if isinstance(k, ast.Constant) and k.value in points and isinstance(v, ast.Constant)
                               and isinstance(v.value, (int, float)) and not isinstance(v.value, bool)}
                    for stem, names in by_notebook.items():
                        if len(names) >= 2 and names <= set(numbers):
                            found.append(f"{where}:{node.lineno}: a number for every unit of {stem}")
                    if len(numbers) >= 2 and all(n == points[k] for k, n in numbers.items()):
                        found.append(f"{where}:{node.lineno}: types the points of {', '.join(numbers)}")
                    if len(numbers) >= 2 and all(n == n_cases.get(k) for k, n in numbers.items()):
                        found.append(f"{where}:{node.lineno}: types the case counts of {', '.join(numbers)}")
    return found


def test_no_test_types_a_notebooks_units_their_points_or_case_counts():
    found = typed_unit_facts(REPO_ROOT)
    assert found == [], ("derive these from autograder/units.py ([u.name for u in units.UNITS if u.notebook == STEM], "
                         "u.points) and from autograder.checks (UNITS[name].n_cases):\n" + "\n".join(found))


def test_the_typed_unit_audit_finds_each_kind(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tools").mkdir()
    nb03 = [u.name for u in units.UNITS if u.notebook == "03_two_layer_rnn"]
    nb04 = [u.name for u in units.UNITS if u.notebook == "04_long_histories"]
    pts = {u.name: u.points for u in units.UNITS if u.notebook == "01_mlp_backprop"}
    (tmp_path / "tests" / "test_x.py").write_text(
        f"A = {nb03!r}\n"
        f"B = {dict.fromkeys(nb04, 9)!r}\n"
        f"C = {dict(list(pts.items())[:2])!r}\n"
        f"D = {dict.fromkeys(nb04[:2], 7)!r}\n"
        f"E = {dict.fromkeys(nb04[:2], 'a message')!r}\n")
    assert typed_unit_facts(tmp_path, n_cases=dict.fromkeys(nb04, 7)) == [
        "tests/test_x.py:1: lists the units of 03_two_layer_rnn",
        "tests/test_x.py:2: a number for every unit of 04_long_histories",
        f"tests/test_x.py:3: types the points of {', '.join(list(pts)[:2])}",
        f"tests/test_x.py:4: types the case counts of {', '.join(nb04[:2])}",
    ]


def math_doc_disagreements(text, declared):
    """[message] for each unit whose row of docs/math.md's shapes table states another shape than declared."""
    section = text.split("## All shapes at a glance", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        m = re.match(r"\| `(\w+)` \|.*\| (\([\w, ]*\)) \|\s*$", line)
        if m:
            rows[m.group(1)] = m.group(2)
    found = []
    for unit in declared:
        shapes = units.return_shapes(unit.returns)
        if unit.name in rows and isinstance(shapes, tuple) and units.parse_shape(rows[unit.name]) != shapes:
            found.append(f"unit {unit.name}: docs/math.md (All shapes at a glance) says {rows[unit.name]}; "
                         f"{DECL} returns={unit.returns!r}")
    return found


def test_the_math_docs_shapes_table_agrees_with_the_declared_returns():
    text = (REPO_ROOT / "docs" / "math.md").read_text()
    assert math_doc_disagreements(text, units.UNITS) == []
    changed = [dataclasses.replace(units.BY_NAME["dh_t"], returns="(H, N)")]
    assert math_doc_disagreements(text, changed) == [
        f"unit dh_t: docs/math.md (All shapes at a glance) says (N, H); {DECL} returns='(H, N)'"]
