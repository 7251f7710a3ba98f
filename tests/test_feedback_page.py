"""The feedback pages' content, without a browser: the grading command's page, math.html, the MathML
and nbgrader's feedback exporter on a notebook carrying verdicts (the browser tests are in
tests/test_feedback_browser.py)."""
import re
from pathlib import Path

import nbformat
import pytest

from autograder import math_doc
from autograder.feedback_page import feedback_html, guide
from autograder.maths import mathml, text_with_maths
from autograder.plan import read_plan
from autograder.results import StudentResult, UnitResult
from autograder.sandbox.runner import not_implemented_message
from autograder.units import BY_NAME, notebook_points

REPO = Path(__file__).resolve().parents[1]
DH_T = ("dh_t output: is missing the gradient from the future step, dhraw_next @ W_hh.T. Probes: dh_t: the "
        "contribution of `dhraw_next` is missing (case 1 of 3: T=7, N=3, D=5, H=4, Q=6, activation=relu).")


@pytest.fixture(scope="module")
def plan():
    return read_plan(REPO)


def student(plan, outputs):
    """A StudentResult: every unit passed but those in outputs {unit: message}, which score 0."""
    tests = tuple(UnitResult(u.name, u.notebook, 0.0 if u.name in outputs else u.points, u.points,
                             outputs.get(u.name, "passed")) for u in plan.units)
    return StudentResult("cai", "cai", {}, sum(t.score for t in tests), plan.max_score, tests,
                         isolation="bwrap", isolation_detail="bwrap: uid 999 (bptt-student), cgroup pids.max 64")


@pytest.fixture(scope="module")
def page(plan):
    entry = student(plan, {"dh_t": DH_T, "db_h": not_implemented_message("db_h"),
                           "dz_b": "dz_b output: has the wrong values <b>"})
    return feedback_html(entry, "bptt", plan.case_counts(), guide(REPO, "bptt", [u.name for u in plan.units]))


def test_each_notebook_has_its_subtotal_and_the_points_are_coloured(page, plan):
    cases = plan.case_counts()
    lost = {"01_mlp_backprop": BY_NAME["dz_b"].points, "02_rnn_bptt": BY_NAME["dh_t"].points + BY_NAME["db_h"].points}
    assert re.findall(r'<h2>(\w+)<span class="subtotal (pass|fail)">([^<]*)</span>', page) == [
        (stem, "fail" if stem in lost else "pass", f"{points - lost.get(stem, 0)} / {points} points")
        for stem, points in notebook_points().items()]
    assert f'<tr class="fail"><td><code>dh_t</code></td><td>{cases["dh_t"]}</td><td class="points">0 / 2</td>' in page
    assert f'<tr class="pass"><td><code>dW_hq</code></td><td>{cases["dW_hq"]}</td><td class="points">1 / 1</td>' in page
    assert "tr.fail td.points{color:#a31515" in page and "nth-child(3)" not in page   # the points, not the cases


def test_a_diagnosis_shows_its_formula_and_where_to_look_next(page):
    note = page[page.index('<div class="diagnosis" id="unit-dh_t">'):]
    note = note[:note.index("</div></section>") if "</div></section>" in note else None]
    assert "dhraw_next @ W_hh.T" in note and "the contribution of <code>dhraw_next</code> is missing" in note
    formula = re.search(r'<div class="formula">(<math .*?</math>)</div>', note).group(1)
    assert formula.count("<mtext>dhraw</mtext>") == 2 and formula.count("⊤") == 2
    assert ("the section <em>4. <code>dh_t</code> — the two paths into a hidden state</em> of "
            "<code>02_rnn_bptt.ipynb</code>") in note
    assert '<a href="../math.html#dh_t">docs/math.md: dh_t</a>' in note


def test_unfinished_units_get_one_plain_line_and_no_diagnosis(page, plan):
    assert "Not attempted yet: <code>db_h</code>." in page
    assert 'id="unit-db_h"' not in page
    assert (f'<td><code>db_h</code></td><td>{plan.case_counts()["db_h"]}</td><td class="points">0 / 1</td>'
            "<td>not attempted yet</td>") in page


def test_the_student_page_says_nothing_about_the_sandbox_and_runs_nothing(page):
    lowered = page.lower()
    assert not any(word in lowered for word in ("isolation", "bwrap", "cgroup", "uid 999", "bptt-student"))
    assert "<script" not in lowered
    assert "default-src 'none'" in page
    assert "dz_b output: has the wrong values &lt;b&gt;" in page


def test_every_graded_unit_has_a_section_in_the_maths_doc_and_in_its_notebook(plan):
    names = [u.name for u in plan.units]
    found = guide(REPO, "bptt", names)
    assert set(found.anchors) == set(names) and set(found.sections) == set(names)
    text = math_doc.read(REPO)
    ids = set(re.findall(r'id="([^"]+)"', math_doc.page(text)))
    assert set(found.anchors.values()) <= ids
    # the assemblies are explained in prose; every local rule has its formula
    assert set(names) - set(found.formulas) == {"mlp_backward", "rnn_backward", "rnn2_backward", "clip_gradients"}
    assert found.anchors["clip_gradients"] == "clip_grad_norm"


def test_every_formula_of_the_maths_doc_becomes_mathml():
    page = math_doc.page(math_doc.read(REPO))
    assert 'class="tex"' not in page                        # no formula fell back to its TeX
    maths = re.findall(r"<math .*?</math>", page, re.S)
    assert not [m for m in maths if "<mi>&amp;</mi>" in m or "\\" in m]   # no TeX left inside the MathML
    assert sum("<mtable" in m for m in maths) == 4           # the aligned systems are tables
    assert page.count("<math ") > 200 and "$" not in re.sub(r"<[^>]+>", "", page).replace("$$", "")
    assert "<script" not in page


def test_mathml_from_untrusted_tex_is_text_never_markup():
    out = mathml(r"\text{<script>alert(1)</script>} \href{javascript:alert(1)}{x} a < b")
    assert "<mtext>&lt;script&gt;alert(1)&lt;/script&gt;</mtext>" in out and "<mo>&lt;</mo>" in out
    assert "<script" not in out and "href" not in out and "javascript" not in out
    assert text_with_maths("costs $5 <b> and $x_1$") == (
        "costs $5 &lt;b&gt; and " + mathml("x_1"))


def _verdict_notebook(outputs):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("### 4. `dh_t` — the two paths ($h_t$ is used **twice**)"),
                nbformat.v4.new_code_cell('check("dh_t", dh_t)', outputs=outputs)]
    nb.cells[1].metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "test_dh_t",
                                        "points": 2, "score": 0, "schema_version": 3}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def _export(nb):
    """nb through FeedbackExporter, made as nbgrader's GenerateFeedback makes its exporter."""
    from nbgrader.converters import GenerateFeedback
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    from autograder.nbgrader_feedback import FeedbackExporter

    converter = GenerateFeedback(coursedir=CourseDirectory(), config=Config())
    exporter = FeedbackExporter(parent=converter, config=converter.config)
    body, _ = exporter.from_notebook_node(nb, {"nbgrader": {"notebook": "02_rnn_bptt", "score": 0, "max_score": 2,
                                                             "late_penalty": 0}})
    return body


@pytest.mark.parametrize("form", ["judge", "hidden check"])
def test_the_nbgrader_feedback_shows_a_verdict_as_a_note(form):
    if form == "judge":    # the judge's verdict: exactly one output named GradingVerdict
        error = nbformat.v4.new_output("error", ename="GradingVerdict", evalue=DH_T, traceback=[DH_T])
    else:                  # today's main: the hidden check's AssertionError, raised in the kernel
        error = nbformat.v4.new_output("error", ename="AssertionError", evalue=DH_T, traceback=[
            "\x1b[0;31mAssertionError\x1b[0m   Traceback (most recent call last)",
            "File \x1b[0;32m/tmp/bptt-checks-x/autograder/checks/base.py:499\x1b[0m, in \x1b[0;36m_check_cases\x1b[0m",
            f"\x1b[0;31mAssertionError\x1b[0m: {DH_T}"])
    body = _export(_verdict_notebook([error]))
    note = re.search(r'<div class="bptt-verdict">.*?class="bptt-next".*?</div>', body, re.S)
    assert note, "no verdict note"
    assert "Why this cell lost its points" in note.group(0)
    assert "dhraw_next @ W_hh.T" in note.group(0) and "<math " in note.group(0)
    assert re.search(r'<a href="#4\.-dh_t[^"]*">the section on <code>dh_t</code></a> above', note.group(0))
    assert "Traceback" not in body.replace("Generic.Traceback", "") and "autograder/checks" not in body
    assert "mathjax.js" not in body.lower() and "cdnjs" not in body
    assert "<math " in body[:body.index('class="bptt-verdict"')]      # the markdown's $h_t$, typeset


def test_the_nbgrader_feedback_keeps_other_errors_as_tracebacks():
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="shapes (3,4) and (5,)",
                                   traceback=["ValueError   Traceback (most recent call last)", "ValueError: shapes"])
    body = _export(_verdict_notebook([error]))
    assert 'class="bptt-verdict"' not in body and "ValueError: shapes" in body


def test_long_outputs_are_cut_in_the_feedback_with_a_note():
    from autograder.nbgrader_feedback import OUTPUT_LIMIT, CutLongOutputs

    nb = _verdict_notebook([nbformat.v4.new_output("stream", name="stdout", text="x" * (OUTPUT_LIMIT + 5000) + "end"),
                            nbformat.v4.new_output("display_data", data={"text/html": "<b>" * OUTPUT_LIMIT})])
    nb, _ = CutLongOutputs()(nb, {})      # called as nbconvert calls a registered preprocessor
    stream, shown = nb.cells[1].outputs
    assert "x\n... [output cut: 5,003 more characters not shown] ...\nx" in stream.text
    assert stream.text.endswith("xend")                      # the last lines printed are kept
    assert len(stream.text) < OUTPUT_LIMIT + 100
    assert shown.data == {"text/plain": f"[an HTML output of {3 * OUTPUT_LIMIT:,} characters, not shown]"}


def test_the_docs_state_the_feedbacks_output_limit():
    from autograder.nbgrader_feedback import OUTPUT_LIMIT

    assert f"every output longer than {OUTPUT_LIMIT:,} characters" in (REPO / "docs" / "outputs.md").read_text()


def test_the_feedback_keeps_the_maths_and_runs_no_student_html():
    nb = _verdict_notebook([nbformat.v4.new_output(
        "display_data", data={"text/html": "<b>shown</b><script>alert(2)</script><iframe src=x></iframe>"})])
    nb.cells[0].source += ("\n\nSee <img src=x onerror=alert(1)> and <a href='javascript:alert(3)'>this</a>, "
                           "$\\frac{a}{b}$.\n\n<script>alert(1)</script>\n")
    body = _export(nb)
    student = body[body.index("the two paths"):body.index("Why this cell") if "Why this cell" in body else None]
    assert "<script" not in student and "<iframe" not in student and not re.search(r"<img[^>]*src=", student)
    assert "javascript:" not in student and "onerror" not in student
    assert "<b>shown</b>" in student and "<p>See " in student
    assert "<mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac>" in student
