"""The held-out set: load its entries and write each one into a copy of the perfect submission.

An entry (see set_01_mlp.py) replaces one graded function in the perfect sample submission
(examples/submissions/ada/bptt/). The cell is found by its nbgrader metadata: the solution
cell whose grade_id is the unit's name. Only that function's `def` is replaced; anything
else the cell defines (e.g. the helper bptt_with_carry next to bptt_truncated) stays, so
every built submission has exactly one mistake, in one unit.

    python bench/heldout/build.py OUT_DIR [--only UNIT]    writes OUT_DIR/<entry id>/bptt/*.ipynb
"""
import argparse
import ast
import copy
import json
import re
import runpy
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from autograder.units import BY_NAME  # noqa: E402

PERFECT = REPO / "examples" / "submissions" / "ada" / "bptt"
SET_FILES = ("set_01_mlp.py", "set_02_rnn.py", "set_03_rnn2.py", "set_04_long.py")
KINDS = ("wrong", "correct")


@dataclass(frozen=True)
class Entry:
    id: str
    unit: str
    kind: str                    # "wrong" or "correct"
    cause: str                   # one sentence: the true cause
    cause_words: tuple           # regular expressions; any one in the feedback names the cause
    source: str                  # the student's function (and any helper it defines)

    @property
    def notebook(self):
        return BY_NAME[self.unit].notebook


# The sets, oldest first: each later one was written blind and measured before it joined.
SETS = (HERE, HERE / "blind_2026_12", HERE / "blind_2026_12b", HERE / "blind_2026_12c", HERE / "blind_2026_12d", HERE / "blind_2026_12e",
        HERE / "blind_2026_12f", HERE / "blind_2026_12g")


def load_entries(only=None, folder=None):
    """Every entry of the set files in `folder` (None: every set of SETS), checked for form;
    `only`: keep one unit's entries. A later blind set has a folder of its own with the same
    four file names (see README.md)."""
    entries, seen = [], set()
    for name in [Path(f) / n for f in ([folder] if folder is not None else SETS) for n in SET_FILES]:
        for raw in runpy.run_path(str(name))["ENTRIES"]:
            entry = Entry(raw["id"], raw["unit"], raw["kind"], raw["cause"], tuple(raw["cause_words"]),
                          textwrap.dedent(raw["source"]).strip("\n") + "\n")
            where = f"{name}: entry {entry.id!r}"
            if entry.id in seen:
                raise ValueError(f"{where}: duplicate id")
            seen.add(entry.id)
            if not re.fullmatch(r"[A-Za-z0-9_\-]+", entry.id):
                raise ValueError(f"{where}: an id may hold only letters, digits, '_' and '-'")
            if entry.unit not in BY_NAME:
                raise ValueError(f"{where}: unknown unit {entry.unit!r} (see autograder/units.py)")
            if entry.kind not in KINDS:
                raise ValueError(f"{where}: kind must be one of {KINDS}, got {entry.kind!r}")
            if entry.kind == "wrong" and not 1 <= len(entry.cause_words) <= 4:
                raise ValueError(f"{where}: a wrong entry needs 1 to 4 cause_words")
            for word in entry.cause_words:
                re.compile(word, re.IGNORECASE)
            if only is None or entry.unit == only:
                entries.append(entry)
    return entries


def solution_cell(nb, unit):
    """The code cell of `nb` whose nbgrader metadata marks it as the solution cell `unit`."""
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and meta.get("solution") and meta.get("grade_id") == unit:
            return cell
    raise LookupError(f"no solution cell with grade_id {unit!r}")


def cell_text(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def replace_function(text, name, new_source):
    """`text` (a cell's code) with the top-level `def name` (decorators included) replaced by `new_source`."""
    tree = ast.parse(text)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            lines = text.splitlines(keepends=True)
            replaced = "".join(lines[:first - 1]) + new_source + "".join(lines[node.end_lineno:])
            return replaced
    raise LookupError(f"the cell defines no top-level function {name!r}")


def apply_entry(nb, entry):
    """A copy of the notebook JSON `nb` with the entry's function in place of its unit's."""
    nb = copy.deepcopy(nb)
    cell = solution_cell(nb, entry.unit)
    new_text = replace_function(cell_text(cell), entry.unit, entry.source)
    cell["source"] = new_text.splitlines(keepends=True)
    cell["outputs"] = []
    cell["execution_count"] = None
    return nb


def read_notebook(path):
    return json.loads(Path(path).read_text())


def build_submission(entry, folder, perfect=PERFECT, stems=None):
    """Write folder/<entry.id>/bptt/: the perfect notebooks, the entry's one replaced.

    stems: the notebooks to write (default all four). Returns the submission's bptt/ folder.
    """
    target = Path(folder) / entry.id / "bptt"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(Path(perfect).glob("*.ipynb")):
        if stems is not None and path.stem not in stems:
            continue
        if path.stem == entry.notebook:
            nb = apply_entry(read_notebook(path), entry)
            (target / path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        else:
            shutil.copy2(path, target / path.name)
    return target


def build_all(entries, folder, perfect=PERFECT, only_own_notebook=False):
    """Every entry's submission under `folder`; returns {entry id: bptt folder}."""
    return {e.id: build_submission(e, folder, perfect, stems={e.notebook} if only_own_notebook else None)
            for e in entries}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="folder to write the submissions into")
    ap.add_argument("--only", metavar="UNIT", help="only this unit's entries")
    args = ap.parse_args(argv)
    entries = load_entries(args.only)
    build_all(entries, args.out)
    print(f"{len(entries)} submissions written to {args.out}")


if __name__ == "__main__":
    main()
