"""Generated regions (autograder/generated.py): filled from the declarations, refused when malformed."""
import inspect

import pytest

from autograder import units
from autograder.errors import ConfigError
from autograder.generated import Where, fill_files, fill_text
from autograder.given_text import fill_tools
from autograder.sandbox import runner
from tools.factory import REPO_ROOT

NB02 = Where("notebooks/bptt/02_rnn_bptt.py", "02_rnn_bptt")
P = units.BY_NAME["dh_t"].points


def test_every_committed_region_is_up_to_date():
    assert fill_files(REPO_ROOT, check=True) == []
    assert fill_tools(REPO_ROOT, check=True) == []


def test_the_shipped_tools_name_a_given_function_as_the_grader_does(tmp_path):
    """bptt_tools._helper_name is the grader's runner.helper_name, written in by sync: one function, two places."""
    tools = tmp_path / "source" / "bptt" / "bptt_tools.py"
    tools.parent.mkdir(parents=True)
    text = (REPO_ROOT / "source" / "bptt" / "bptt_tools.py").read_text()
    assert inspect.getsource(runner.helper_name).replace("def helper_name(", "def _helper_name(", 1) in text
    tools.write_text(text.replace('return f"{name}[{key!r}]"', 'return name', 1))   # a hand edit of the copy
    assert fill_tools(tmp_path, check=True) == ["source/bptt/bptt_tools.py"]
    assert tools.read_text() != text                                                # check writes nothing
    assert fill_tools(tmp_path) == ["source/bptt/bptt_tools.py"]
    assert tools.read_text() == text


def test_a_tools_module_without_a_code_region_is_refused(tmp_path):
    tools = tmp_path / "source" / "bptt" / "bptt_tools.py"
    tools.parent.mkdir(parents=True)
    text = (REPO_ROOT / "source" / "bptt" / "bptt_tools.py").read_text()
    tools.write_text(text.replace("# <generated: helper name>\n", ""))
    with pytest.raises(ValueError, match=r"bptt_tools.py: expected exactly one region '# <generated: helper name>'"):
        fill_tools(tmp_path, check=True)


def test_a_block_region_is_rewritten_behind_the_comment_prefix():
    text = "# intro\n# <!-- generated: points-table 02_rnn_bptt -->\n# stale\n# <!-- end generated -->\n# after\n"
    filled = fill_text(text, Where("docs/x.md"))
    lines = filled.split("\n")
    assert lines[:3] == ["# intro", "# <!-- generated: points-table 02_rnn_bptt -->", "# | graded function | points |"]
    assert f"# | `dh_t(dy_t, dhraw_next, W_hq, W_hh)` | {P} |" in lines
    assert f"# | **this notebook** | **{units.notebook_points()['02_rnn_bptt']}** |" in lines
    assert "#" in lines                      # an empty generated line keeps a bare prefix (jupytext markdown)
    assert lines[-3:] == ["# <!-- end generated -->", "# after", ""]
    assert fill_text(filled, Where("docs/x.md")) == filled


def test_an_inline_region_is_rewritten_in_place():
    text = "### 4. `dh_t` (<!-- generated: points dh_t -->99 points<!-- end generated -->) and more\n"
    word = "point" if P == 1 else "points"
    assert fill_text(text, Where("README.md")) == \
        f"### 4. `dh_t` (<!-- generated: points dh_t -->{P} {word}<!-- end generated -->) and more\n"


def test_the_test_cell_points_follow_the_declaration():
    header = '# %% nbgrader={{"grade": true, "grade_id": "test_dh_t", "locked": true, "points": {}, ' \
             '"schema_version": 3, "solution": false}}\ncheck("dh_t", dh_t)\n'
    others = "".join(f'# %% nbgrader={{"grade": true, "grade_id": "test_{u.name}", "points": {u.points}}}\n'
                     for u in units.UNITS if u.notebook == "02_rnn_bptt" and u.name != "dh_t")
    assert fill_text(header.format(P + 5) + others, NB02) == header.format(P) + others


def test_a_declared_unit_without_its_test_cell_is_refused():
    with pytest.raises(ConfigError, match=r"^notebooks/bptt/02_rnn_bptt.py: no graded test cell .*test_dh_t"):
        fill_text("# %% [markdown]\n# nothing graded here\n", NB02)


@pytest.mark.parametrize("text, message", [
    ("a\n<!-- generated: nosuch -->\nb\n<!-- end generated -->\n",
     r"^README.md, line 2: no generator named 'nosuch' \(known: .*points-table"),
    ("<!-- generated: points dh_t -->2 points\n", r"^README.md, line 1: generated region .* has no"),
    ("<!-- generated: points nosuch -->1<!-- end generated -->",
     r"^README.md, line 1: .*no unit 'nosuch' is declared in autograder/units.py"),
    ("<!-- generated: assignment-points -->\nx <!-- end generated -->\n", r"must end with .* on a line of its own"),
])
def test_a_malformed_region_is_refused_with_its_place(text, message):
    with pytest.raises(ConfigError, match=message):
        fill_text(text, Where("README.md"))


def test_the_feedback_states_each_units_own_number_of_cases():
    import re

    from autograder.plan import read_plan
    from autograder.report import feedback_html
    from autograder.results import StudentResult, UnitResult

    plan = read_plan(REPO_ROOT)
    tests = tuple(UnitResult(u.name, u.notebook, u.points, u.points, "ok") for u in plan.units)
    entry = StudentResult("ada", "ada", {}, plan.max_score, plan.max_score, tests)
    page = feedback_html(entry, "bptt", plan.case_counts())
    shown = dict(re.findall(r"<td><code>(\w+)</code></td><td>(\d+)</td>", page))
    assert shown == {u.name: str(len(u.check.cases())) for u in plan.units}
    assert len(set(shown.values())) > 1          # units with variants have more cases than the rest


def test_markers_in_code_are_examples_left_alone():
    text = ("Write `<!-- generated: points-table -->` to get a table:\n\n"
            "```\n# <!-- generated: nosuch -->\n# <!-- end generated -->\n```\n"
            "and (<!-- generated: points dh_t -->0 points<!-- end generated -->) is filled.\n")
    word = "point" if P == 1 else "points"
    assert fill_text(text, Where("docs/x.md")) == text.replace("-->0 points<", f"-->{P} {word}<")
