"""The nbgrader hooks (autograder/nbgrader_hooks/), one by one, without running nbgrader.

The whole chain under the real `nbgrader autograde` is tested in tests/test_judge_nbgrader_path.py.
"""
import os

import nbformat
import pytest
from nbformat import NotebookNode

from autograder.nbgrader_hooks import bound_outputs, judge_verdicts, mark_read_only, package_guard
from autograder.nbgrader_hooks.bound_outputs import MAX_CELL_BYTES, MAX_NOTEBOOK_BYTES, BoundOutputs, bound
from autograder.nbgrader_hooks.judge_verdicts import VERDICT_ENAME, JudgeFailed, JudgeVerdicts

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def stream(text, name="stdout"):
    return NotebookNode(output_type="stream", name=name, text=text)


def error(evalue):
    return NotebookNode(output_type="error", ename="AssertionError", evalue=evalue, traceback=["x" * 5000] * 50)


# ---- BoundOutputs ----------------------------------------------------------------------------

def test_outputs_within_the_limit_are_kept_as_they_are():
    outputs = [stream("a" * 1000), error("wrong")]
    assert bound(outputs, MAX_CELL_BYTES) == (outputs, sum(bound_outputs.size(o) for o in outputs))


def test_a_huge_print_is_cut_to_the_limit_with_a_note_and_the_error_after_it_is_kept():
    kept, total = bound([stream("x" * 3_000_000), error("the verdict")], MAX_CELL_BYTES)
    assert total > 3_000_000
    assert sum(bound_outputs.size(o) for o in kept[:-1]) <= MAX_CELL_BYTES
    assert [o.output_type for o in kept] == ["stream", "error", "stream"]
    assert kept[1].evalue == "the verdict" and kept[1].traceback == ["x" * bound_outputs.KEPT_TEXT]
    assert kept[-1].name == "stdout" and f"the first {MAX_CELL_BYTES:,} are kept" in kept[-1].text


def test_score_bearing_outputs_survive_a_cut():
    """stderr (nbgrader scores it 0) and an execute_result (partial credit) are shortened, never dropped;
    a plot that does not fit is dropped."""
    plot = NotebookNode(output_type="display_data", metadata={}, data={"image/png": "A" * 100})
    result = NotebookNode(output_type="execute_result", execution_count=1, metadata={},
                          data={"text/plain": "0.5", "text/html": "h" * 10_000})
    kept, _ = bound([stream("x" * 2 * MAX_CELL_BYTES), plot, stream("y" * 10_000, "stderr"), result], MAX_CELL_BYTES)
    assert [(o.output_type, o.get("name")) for o in kept] == [
        ("stream", "stdout"), ("stream", "stderr"), ("execute_result", None), ("stream", "stdout")]
    assert kept[2].data == {"text/plain": "0.5"}


def test_a_notebook_of_many_large_cells_stays_under_the_notebook_limit():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print()") for _ in range(40)])
    for cell in nb.cells:
        cell.outputs = [stream("z" * (MAX_CELL_BYTES - 1000))]
    out, _ = BoundOutputs().preprocess(nb, {})
    sizes = [sum(bound_outputs.size(o) for o in cell.outputs) for cell in out.cells]
    assert sum(sizes) < MAX_NOTEBOOK_BYTES + 40 * 300      # (each cut cell adds a note of a few hundred bytes)
    assert all(size < MAX_CELL_BYTES + 300 for size in sizes)
    assert "[output cut" in out.cells[-1].outputs[-1].text


# ---- JudgeVerdicts ---------------------------------------------------------------------------

def graded_notebook():
    def cell(grade_id, grade=True):
        c = nbformat.v4.new_code_cell("assert True")
        c.metadata["nbgrader"] = {"grade": grade, "grade_id": grade_id, "points": 1, "solution": False, "locked": True}
        c.outputs = [stream("the kernel's own output\n"), stream("a warning\n", "stderr")]
        return c
    return nbformat.v4.new_notebook(cells=[cell("test_dz_b"), cell("test_dy_b"), cell("setup", grade=False),
                                           cell("manual_points")])


def test_a_pass_is_one_stdout_line_and_a_fail_one_error_named_for_the_feedback():
    assert judge_verdicts.verdict_output(1.0, 1.0, "all cases passed") == stream("all cases passed\n")
    assert judge_verdicts.verdict_output(0.0, 2.0, "dz_b output: wrong") == NotebookNode(
        output_type="error", ename=VERDICT_ENAME, evalue="dz_b output: wrong", traceback=["dz_b output: wrong"])
    assert VERDICT_ENAME == "GradingVerdict"      # the feedback's contract


def test_the_verdicts_replace_the_kernels_outputs_of_the_units_test_cells_only():
    nb = graded_notebook()
    verdicts = {"dz_b": {"score": 0.0, "max_score": 1.0, "output": "dz_b is wrong"},
                "dy_b": {"score": 1.0, "max_score": 1.0, "output": "all cases passed"}}

    class Judged(JudgeVerdicts):
        def verdicts(self, resources):
            return verdicts
    out, _ = Judged().preprocess(nb, {})
    assert out.cells[0].outputs == [judge_verdicts.verdict_output(0.0, 1.0, "dz_b is wrong")]
    assert out.cells[1].outputs == [stream("all cases passed\n")]
    assert out.cells[2].outputs == out.cells[3].outputs == [stream("the kernel's own output\n"),
                                                            stream("a warning\n", "stderr")]


def test_without_verdicts_every_graded_cell_fails_with_the_reason():
    out, _ = JudgeVerdicts().preprocess(graded_notebook(), {})
    reason = "not graded: the judge was not told which submission this notebook belongs to"
    for cell in (out.cells[0], out.cells[1], out.cells[3]):
        assert cell.outputs == [judge_verdicts.verdict_output(0.0, 1.0, reason)]


def test_a_failing_judge_command_is_reported_never_a_pass(tmp_path):
    with pytest.raises(JudgeFailed, match=r"the grading command failed \(exit 2\): .*judge: error: .*nobody: not a folder"):
        judge_verdicts.run_judge(REPO, str(tmp_path / "nobody"), REPO, timeout=300)
    with pytest.raises(JudgeFailed, match="not the verdicts it promises"):
        judge_verdicts.parse_verdicts("Traceback (most recent call last):\n")


def test_the_judge_command_prints_every_units_verdict(tmp_path):
    from tools import factory
    from autograder.units import UNITS

    folder = factory.write_submission(tmp_path, "ada", stems=["01_mlp_backprop"])
    verdicts = judge_verdicts.run_judge(REPO, str(folder), REPO, timeout=600)
    assert set(verdicts) == {u.name for u in UNITS}
    assert {name: v["score"] for name, v in verdicts.items()} == {
        u.name: float(u.points) if u.notebook == "01_mlp_backprop" else 0.0 for u in UNITS}
    assert verdicts["dy_t"]["output"] == "notebook 02_rnn_bptt.ipynb is missing from the submission"


# ---- MarkReadOnly and the package guard ------------------------------------------------------

def test_the_read_only_line_is_added_once():
    once = mark_read_only.marked("x = 1")
    assert once == mark_read_only.READ_ONLY_LINE + "\nx = 1"
    assert mark_read_only.marked(once) == once


def test_the_guard_puts_back_changed_and_planted_files_and_copies_the_snapshot(tmp_path):
    pkg = tmp_path / "autograder" / "checks"
    pkg.mkdir(parents=True)
    (pkg / "judge.py").write_text("def judge(): return 'right'\n")

    class Run:
        pass
    run = Run()
    files = package_guard.snapshot(run, str(tmp_path))
    (pkg / "judge.py").write_text("def judge(): return 'everyone passes'\n")
    (pkg / "planted.py").write_text("import os\n")
    assert package_guard.snapshot(run, str(tmp_path)) is files           # taken once per run
    assert sorted(package_guard.restore(str(tmp_path), files)) == [str(pkg / "judge.py"), str(pkg / "planted.py")]
    assert (pkg / "judge.py").read_text() == "def judge(): return 'right'\n" and not (pkg / "planted.py").exists()
    copy = package_guard.private_copy(files, None)
    try:
        assert open(os.path.join(copy, "autograder", "checks", "judge.py")).read() == "def judge(): return 'right'\n"
    finally:
        package_guard.remove_copy(copy)
    assert not os.path.exists(copy)
