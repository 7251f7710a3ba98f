"""The notebooks' paired text files (jupytext): in sync, both edit routes, a clean release.

notebooks/bptt/NN_name.py (percent format) is paired with source/bptt/NN_name.ipynb
by jupytext.toml; `python -m autograder release` syncs the pair before nbgrader runs.
"""
import ast
import json
import shutil
import textwrap
from pathlib import Path

import jupytext
import nbformat
import pytest

from autograder import course, notebook_text, units
from tools import course_tools

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source" / "bptt"
TEXT = REPO / "notebooks" / "bptt"
RELEASE = REPO / "release" / "bptt"
STEMS = ["01_mlp_backprop", "02_rnn_bptt", "03_two_layer_rnn", "04_long_histories"]
SYNC_HINT = "run `jupytext --sync notebooks/bptt/*.py`"


def course_with_text(tmp_path, name="course"):
    """A temporary course (autograder.course_tools.make_course_copy) plus jupytext.toml and notebooks/."""
    root = course_tools.make_course_copy(tmp_path / name)
    shutil.copy2(REPO / "jupytext.toml", root / "jupytext.toml")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    return root


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


def cell_view(nb):
    return [(c.cell_type, c.source, dict(c.metadata)) for c in nb.cells]


# ---- a. committed text and notebooks agree ---------------------------------------------------

def test_every_notebook_has_its_text_file_and_nothing_else():
    assert sorted(p.stem for p in SOURCE.glob("*.ipynb")) == STEMS
    assert sorted(p.stem for p in TEXT.glob("*.py")) == STEMS
    assert not list(SOURCE.glob("*.md")) and not (SOURCE / "notebooks").exists()


@pytest.mark.parametrize("stem", STEMS)
def test_committed_text_and_notebook_are_in_sync(stem):
    from_text = jupytext.read(TEXT / f"{stem}.py")
    committed = nbformat.read(SOURCE / f"{stem}.ipynb", as_version=4)
    assert cell_view(from_text) == cell_view(committed), f"{stem}: text and .ipynb differ: {SYNC_HINT}"
    for key in ("kernelspec", "language_info"):
        assert from_text.metadata[key] == committed.metadata[key], f"{stem}: {key} differs: {SYNC_HINT}"
    ids = [notebook_text.stable_cell_id(c, i) for i, c in enumerate(committed.cells)]
    assert [c.id for c in committed.cells] == ids, \
        f"{stem}: cell ids are not the stable ones: run `python -m autograder release`"
    assert "jupytext" not in committed.metadata


def test_notebooks_rebuilt_from_the_text_alone_are_the_committed_bytes(tmp_path):
    root = course_with_text(tmp_path)
    for path in (root / "source" / "bptt").glob("*.ipynb"):
        path.unlink()
    notebook_text.sync_notebooks(root)
    for stem in STEMS:
        assert (root / "source/bptt" / f"{stem}.ipynb").read_bytes() == (SOURCE / f"{stem}.ipynb").read_bytes(), stem
        assert (root / "notebooks/bptt" / f"{stem}.py").read_bytes() == (TEXT / f"{stem}.py").read_bytes(), stem


# ---- b. editing the text or the notebook gives the same release ----------------------------

P = units.BY_NAME["dh_t"].points
HEADING = "### 4. `dh_t` — the two paths into a hidden state "
SENTENCE = "Both paths are needed: dropping either one is the most common mistake here."
HAND_POINTS = f'"grade_id": "test_dh_t", "locked": true, "points": {P + 5},'


def edit_text(root):
    """One more sentence under dh_t's heading, by editing the .py text; and its points by hand."""
    path = root / "notebooks/bptt/02_rnn_bptt.py"
    lines = path.read_text().split("\n")
    heading = next(i for i, line in enumerate(lines) if line.startswith("# " + HEADING))
    lines[heading + 1:heading + 1] = ["#", "# " + SENTENCE]
    text = "\n".join(lines)
    header = f'"grade_id": "test_dh_t", "locked": true, "points": {P},'
    assert text.count(header) == 1
    path.write_text(text.replace(header, HAND_POINTS))


def edit_notebook(root):
    """The same change made in the .ipynb, as Jupyter's Create Assignment toolbar and editor save it."""
    path = root / "source/bptt/02_rnn_bptt.ipynb"
    nb = nbformat.read(path, as_version=4)
    test_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_dh_t")
    test_cell.metadata["nbgrader"]["points"] = P + 5
    cell = next(c for c in nb.cells if c.cell_type == "markdown" and HEADING in c.source)
    lines = cell.source.split("\n")
    heading = next(i for i, line in enumerate(lines) if line.startswith(HEADING))
    lines[heading + 1:heading + 1] = ["", SENTENCE]
    cell.source = "\n".join(lines)
    nbformat.write(nb, path)


@pytest.mark.slow   # two real releases
def test_editing_the_text_or_the_notebook_gives_the_same_release(tmp_path):
    by_text, by_notebook = course_with_text(tmp_path, "text"), course_with_text(tmp_path, "notebook")
    edit_text(by_text)
    edit_notebook(by_notebook)
    releases = [course.generate_release(root) for root in (by_text, by_notebook)]
    assert files_under(releases[0]) == files_under(releases[1]) == files_under(RELEASE)
    for name in files_under(releases[0]):
        assert (releases[0] / name).read_bytes() == (releases[1] / name).read_bytes(), name
    # Both routes leave the pair in sync: the same text file and the same notebook.
    for rel in ("notebooks/bptt/02_rnn_bptt.py", "source/bptt/02_rnn_bptt.ipynb"):
        assert (by_text / rel).read_bytes() == (by_notebook / rel).read_bytes(), rel
    # The sentence reached the students' notebook; the points typed by hand did not: the
    # release writes the points declared in autograder/units.py (generated regions).
    assert HAND_POINTS not in (by_text / "notebooks/bptt/02_rnn_bptt.py").read_text()
    released = nbformat.read(releases[0] / "02_rnn_bptt.ipynb", as_version=4)
    committed = nbformat.read(RELEASE / "02_rnn_bptt.ipynb", as_version=4)
    changed = [(c.id, n.id) for c, n in zip(committed.cells, released.cells) if c != n]
    heading = next(i for i, c in enumerate(committed.cells) if HEADING in c.source)
    test_dh_t = next(i for i, c in enumerate(committed.cells) if c.id == "test-dh-t")
    assert changed == [(committed.cells[heading].id,) * 2]
    assert released.cells[test_dh_t].metadata["nbgrader"]["points"] == P
    assert SENTENCE in released.cells[heading].source
    assert leaks(releases[0]) == []


# ---- c. release hygiene ----------------------------------------------------------------------

def private_regions(source):
    """The lines between ### BEGIN/END SOLUTION and ### BEGIN/END HIDDEN TESTS, and the others."""
    private, public, inside = [], [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker in ("### BEGIN SOLUTION", "### BEGIN HIDDEN TESTS"):
            inside = True
        elif marker in ("### END SOLUTION", "### END HIDDEN TESTS"):
            inside = False
        elif line.strip():
            (private if inside else public).append(line.strip())
    return private, public


def source_parts():
    """(private, public): lists of line lists of source/bptt/ (solutions and hidden tests; the rest)."""
    private, public = [], []
    for path in SOURCE.rglob("*"):
        if path.suffix == ".ipynb":
            for cell in nbformat.read(path, as_version=4).cells:
                p, q = private_regions(cell.source)
                private.append(p)
                public.append(q)
        elif path.is_file() and "__pycache__" not in path.parts:
            public.append([ln.strip() for ln in path.read_text(errors="replace").splitlines() if ln.strip()])
    return private, public


def code_windows(lines, width=3):
    code = [ln for ln in lines if not ln.startswith("#")]
    return {tuple(code[i:i + width]) for i in range(len(code) - width + 1)}


def private_lines():
    """Lines of the solutions and hidden tests that appear nowhere public in source/bptt/."""
    private, public = source_parts()
    return {ln for part in private for ln in part} - {ln for part in public for ln in part}


def reference_windows(width=3):
    """Runs of `width` consecutive code lines of autograder/reference/ functions, minus given code.

    The given code of source/bptt/ (softmax, the forward passes) legitimately repeats
    some reference lines; everything else of the reference must stay out of the release.
    """
    given = set().union(*(code_windows(part, width) for part in source_parts()[1]))
    windows = set()
    for path in (REPO / "autograder" / "reference").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                if not body:
                    continue
                code = textwrap.dedent(ast.get_source_segment(path.read_text(), node))
                lines = [ln.strip() for ln in code.splitlines()[body[0].lineno - node.lineno:] if ln.strip()]
                windows |= code_windows(lines, width)
    return windows - given


def release_texts(release):
    """{relative name: the lines of each text file of the release (a notebook: its cells' lines)}."""
    out = {}
    for path in sorted(Path(release).rglob("*")):
        if not path.is_file():
            continue
        name = str(path.relative_to(release))
        if path.suffix == ".ipynb":
            out[name] = [ln for c in json.loads(path.read_text())["cells"]
                         for ln in "".join(c["source"]).splitlines()]
        else:
            out[name] = path.read_text(errors="replace").splitlines()
    return out


def leaks(release):
    """Every private thing found in a release directory, as 'file: what' lines."""
    found = list(course.release_leaks(release))
    secret, windows = private_lines(), reference_windows()
    text_names = {p.name for p in TEXT.glob("*.py")}
    for name, lines in release_texts(release).items():
        stripped = [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
        found += [f"{name}: solution or hidden test line {ln!r}" for ln in stripped if ln in secret]
        found += [f"{name}: reference code {w[0]!r}..." for i in range(len(stripped))
                  for w in [tuple(stripped[i:i + 3])] if w in windows]
        if any(ln.startswith(("import autograder", "from autograder")) for ln in stripped):
            found.append(f"{name}: imports autograder")
        if Path(name).name in text_names or any("text_representation" in ln or ln.startswith("# %%")
                                                 for ln in lines):
            found.append(f"{name}: a paired text file")
    return found


def test_private_content_is_known_to_the_leak_check():
    """The check has something to look for: many solution/hidden lines and reference windows."""
    secret = private_lines()
    assert "# hidden test of dh_t: the grader's judge decides this cell's score (docs/isolation.md)" in secret and len(secret) > 100
    assert len(reference_windows()) > 100


def test_committed_release_leaks_nothing():
    assert leaks(RELEASE) == []


def test_leak_check_catches_each_kind_of_leak(tmp_path):
    release = tmp_path / "release"
    shutil.copytree(RELEASE, release)
    solution_line = min(private_lines())
    reference = min(reference_windows())
    (release / "a.py").write_text(f"x = 1\n    {solution_line}\n")
    (release / "b.py").write_text("\n".join(reference) + "\n")
    (release / "c.py").write_text("from autograder.reference import rnn\n")
    shutil.copy2(TEXT / "03_two_layer_rnn.py", release / "03_two_layer_rnn.py")
    found = leaks(release)
    assert {f.split(":")[0] for f in found} == {"a.py", "b.py", "c.py", "03_two_layer_rnn.py"}
    assert any(f.startswith("a.py: solution or hidden test line") for f in found)
    assert any(f.startswith("b.py: reference code") for f in found)
    assert any(f.startswith("c.py: imports autograder") for f in found)
    assert any(f.startswith("03_two_layer_rnn.py: a paired text file") for f in found)
