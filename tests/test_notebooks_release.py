"""The committed student release, the instructor notebooks' conventions, and nbgrader_config.py."""
import inspect
import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

from autograder import course
from tools import course_tools
from autograder.checks import UNITS
from autograder.units import UNITS as DECLARED
from autograder.units import manual_points, total_points

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "source" / "bptt"
RELEASE = REPO / "release" / "bptt"
# A visible marker of where the judge's verdict lands: the kernel imports nothing of the grader.
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n# hidden test of (\w+): the grader's judge decides this cell's score "
                    r"\(docs/isolation\.md\)\n### END HIDDEN TESTS$")
MAGIC = re.compile(r"^\s*[%!]", re.M)


def cells_of(path):
    return json.loads(Path(path).read_text())["cells"]


def comparable(path):
    """A notebook reduced to what matters: its metadata and each cell's type, source and metadata."""
    nb = json.loads(Path(path).read_text())
    src = lambda c: "".join(c["source"]) if isinstance(c["source"], list) else c["source"]  # noqa: E731
    return nb["metadata"], [(c["cell_type"], src(c), c.get("metadata", {})) for c in nb["cells"]]


def files_under(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)


def test_regenerated_release_reproduces_the_committed_one(graded_course):
    fresh = graded_course.root / "release" / "bptt"      # made by nbgrader generate_assignment
    assert files_under(fresh) == files_under(RELEASE)
    for name in files_under(RELEASE):
        if name.endswith(".ipynb"):
            assert comparable(fresh / name) == comparable(RELEASE / name), f"{name} is stale: regenerate the release"
        else:
            assert (fresh / name).read_bytes() == (RELEASE / name).read_bytes(), name


def test_release_has_every_source_notebook_and_file():
    assert files_under(RELEASE) == files_under(SOURCE)


def test_release_contains_no_private_content():
    assert course.release_leaks(RELEASE) == []
    assert course.release_leaks(REPO / "source" / "bptt" / "data") == []


def test_release_solution_cells_are_stubs():
    for path in RELEASE.glob("*.ipynb"):
        for cell in cells_of(path):
            if cell["metadata"].get("nbgrader", {}).get("solution"):
                src = "".join(cell["source"])
                if cell["cell_type"] == "markdown":     # a written answer: blank, the rubric stays in source/
                    assert src == "YOUR ANSWER HERE", (path.name, src[:80])
                    continue
                assert "# YOUR CODE HERE" in src and "raise NotImplementedError()" in src, (path.name, src[:80])


def test_written_answers_are_blank_in_the_release_and_their_rubrics_only_in_the_source():
    """Every declared written answer is a manually graded answer cell with its points; the rubric and
    model answer of its source cell appear nowhere in the release."""
    from autograder.units import QUESTIONS

    for q in QUESTIONS:
        source, released = (next(c for c in cells_of(folder / f"{q.notebook}.ipynb")
                                 if c["metadata"].get("nbgrader", {}).get("grade_id") == q.name)
                            for folder in (SOURCE, RELEASE))
        meta = released["metadata"]["nbgrader"]
        assert (released["cell_type"], meta["grade"], meta["solution"], meta["points"]) == ("markdown", True, True,
                                                                                            q.points)
        assert "".join(released["source"]) == "YOUR ANSWER HERE"
        rubric = "".join(source["source"])
        assert "### BEGIN SOLUTION" in rubric and "**Rubric" in rubric and "**Model answer.**" in rubric, q.name
        lines = [line for line in rubric.splitlines() if len(line) > 40]
        release_text = "".join((RELEASE / f"{stem}.ipynb").read_text() for stem in {u.notebook for u in QUESTIONS})
        assert lines and not [line for line in lines if json.dumps(line)[1:-1] in release_text], q.name


@pytest.mark.parametrize("stem", ["01_mlp_backprop", "02_rnn_bptt", "03_two_layer_rnn"])
def test_notebook_follows_the_grading_conventions(stem):
    cells = cells_of(SOURCE / f"{stem}.ipynb")
    units = {u.name: u for u in UNITS.values() if u.notebook == stem}
    solutions, tests = [], {}
    for cell in cells:
        meta = cell["metadata"].get("nbgrader", {})
        src = "".join(cell["source"])
        if cell["cell_type"] != "code":
            continue
        assert not MAGIC.search(src), f"IPython magic in {meta.get('grade_id')}"
        assert meta.get("grade_id"), "every code cell is a given, solution or test cell with a grade_id"
        if meta.get("solution"):
            solutions.append(meta["grade_id"])
            assert f"def {meta['grade_id']}(" in src
        elif meta.get("grade"):
            name = meta["grade_id"].removeprefix("test_")
            match = HIDDEN.search(src)
            assert match and match.groups() == (name,), f"hidden section of {meta['grade_id']}"
            assert "autograder" not in src, "test cells must not import autograder"
            tests[name] = meta["points"]
        else:
            assert meta.get("locked"), f"given cell {meta['grade_id']} must be locked"
            assert "autograder" not in src
            if "plt." in src:
                assert "experiment" in cell["metadata"].get("tags", []), "plot outside an experiment cell"
    assert solutions == list(units), "one solution cell per unit, in the unit table's order"
    assert list(tests) == list(units)
    # Points as declared once, in autograder/units.py.
    expected = {u.name: u.points for u in DECLARED if u.notebook == stem}
    assert tests == expected


def test_assignment_total_is_the_declared_total():
    assert sum(sum(p.values()) for p in course_tools.source_points().values()) == total_points()
    assert sum(sum(p.values()) for p in course_tools.source_points(manual=True).values()) == manual_points() > 0


# ---- nbgrader_config.py ---------------------------------------------------------------------

def load_config(monkeypatch, argv, env=None):
    """Execute nbgrader_config.py the way traitlets does, with the given argv; return the config."""
    monkeypatch.setattr(sys, "argv", argv)
    for key in ("PYTHONPATH", "BPTT_GRADING", "BPTT_AUTOGRADER_ROOT"):
        monkeypatch.delenv(key, raising=False)
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    config = Config()
    path = REPO / "nbgrader_config.py"
    exec(compile(path.read_text(), str(path), "exec"), {"get_config": lambda: config, "__file__": str(path)})
    return config


@pytest.mark.parametrize("argv", [["nbgrader", "generate_assignment", "bptt"], ["nbgrader", "autograde", "bptt"],
                                  ["jupyter-notebook"]])
def test_config_course_and_timeout_and_no_side_effects(monkeypatch, argv):
    before = (dict(os.environ), list(sys.path))
    config = load_config(monkeypatch, argv)
    assert config.CourseDirectory.course_id == "bptt-course"
    assert config.Execute.timeout == 60
    # The server process (Formgrader) and every kernel it starts for a user see nothing of the checks.
    assert (dict(os.environ), list(sys.path)) == before


def autograde_steps(config):
    """{class name: class} of the configured Autograde steps, and their names in order."""
    steps = config.Autograde.autograde_preprocessors
    return {s.__name__: s for s in steps}, [s.__name__ for s in steps]


def grading_kernel_output(config, folder):
    """Run a one-cell notebook through the configured Autograde Execute step, in a real kernel in `folder`."""
    import nbformat
    from nbgrader.preprocessors import Execute

    grading = [s for s in config.Autograde.autograde_preprocessors if issubclass(s, Execute)]
    assert len(grading) == 1 and grading[0] is not Execute
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, importlib.util\nprint(os.environ.get('BPTT_GRADING'), importlib.util.find_spec('autograder'))")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    out, _ = grading[0](config=config).preprocess(nb, {"metadata": {"path": str(folder)}})
    return "".join(o.get("text", "") for o in out.cells[0].outputs) or out.cells[0].outputs


def test_the_grading_kernel_gets_BPTT_GRADING_and_nothing_of_the_grader(monkeypatch, tmp_path):
    config = load_config(monkeypatch, ["jupyter-notebook"], {"PYTHONPATH": "/elsewhere"})
    assert grading_kernel_output(config, tmp_path) == "1 None\n"
    assert os.environ["PYTHONPATH"] == "/elsewhere" and "BPTT_GRADING" not in os.environ


def test_the_judge_comes_right_after_the_kernel_and_before_the_scores_are_saved(monkeypatch):
    config = load_config(monkeypatch, ["nbgrader", "autograde", "bptt"])
    by_name, order = autograde_steps(config)
    at = order.index("GradingExecute")
    assert order[at - 2:at + 3] == ["GuardPackage", "StartJudge", "GradingExecute", "BoundOutputs", "JudgeVerdicts"]
    assert at + 3 < order.index("SaveAutoGrades")
    assert by_name["JudgeVerdicts"](config=config).autograder_root == str(REPO)


def test_config_override_root_for_course_copies(monkeypatch, tmp_path):
    shutil.copytree(REPO / "autograder", tmp_path / "autograder",
                    ignore=shutil.ignore_patterns("__pycache__"))
    config = load_config(monkeypatch, ["nbgrader", "autograde", "bptt"], {"BPTT_AUTOGRADER_ROOT": str(tmp_path)})
    by_name, _ = autograde_steps(config)
    for name in ("GuardPackage", "GradingExecute", "BoundOutputs", "JudgeVerdicts"):
        # (loaded by path, not imported: the file is that of the class's own methods)
        files = {f.__code__.co_filename for f in vars(by_name[name]).values() if inspect.isfunction(f)}
        assert files and all(f.startswith(str(tmp_path / "autograder" / "nbgrader_hooks")) for f in files), name
    assert config.JudgeVerdicts.autograder_root == str(tmp_path)


def test_without_the_package_autograde_stops_with_the_reason(monkeypatch, tmp_path):
    import nbformat

    config = load_config(monkeypatch, ["nbgrader", "autograde", "bptt"], {"BPTT_AUTOGRADER_ROOT": str(tmp_path)})
    by_name, order = autograde_steps(config)
    assert "JudgeVerdicts" not in order
    with pytest.raises(RuntimeError, match=f"no autograder package at {tmp_path} .*the scores need its judge"):
        by_name["MissingPackage"]().preprocess(nbformat.v4.new_notebook(), {})
