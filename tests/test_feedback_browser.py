"""Both feedback pages in Debian's chromium (Playwright): the grading command's feedback.html and
nbgrader's Generate Feedback, for a student with a mistake and an unfinished unit. The maths must be
typeset (MathML laid out, no TeX left), the page must load nothing from the network, and the
diagnosis must read as a note. Screenshots: artifacts/screenshots/feedback_*.png."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course, units
from autograder.nbgrader_feedback import OUTPUT_LIMIT
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, _skip_reason
from tools import course_tools, factory

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(_skip_reason()), reason=str(_skip_reason()))]

LONG_PRINT = 60_000   # characters a solution cell prints: past the feedback's limit


@pytest.fixture(scope="module")
def page_of():
    """page_of(path) -> (Playwright page opened on path, the URLs it requested that are not files)."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def open_page(path):
            page = browser.new_page(viewport={"width": 1100, "height": 1000})
            requests = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(Path(path).as_uri())
            page.wait_for_load_state("load")
            return page, [u for u in requests if not u.startswith("file:")]

        try:
            yield open_page
        finally:
            browser.close()


def typeset(page, selector):
    """(number of <math> elements under selector, how many the browser laid out with a width)."""
    return page.evaluate(f"""() => {{
        const maths = [...document.querySelectorAll({json.dumps(selector)} + ' math')];
        return [maths.length, maths.filter(m => m.getBoundingClientRect().width > 0).length];
    }}""")


def test_the_grading_commands_feedback_page_in_chromium(tmp_path, page_of):
    submitted = tmp_path / "submitted"
    for name in ("dee", "ben"):            # dee: three mistakes in notebook 02; ben: nothing written
        shutil.copytree(REPO / "examples" / "submissions" / name, submitted / name)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "autograder", "grade", str(submitted), "--out", str(out), "--quiet"],
                         cwd=REPO, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr

    page, requests = page_of(out / "dee" / "feedback.html")
    assert requests == []
    dee = next(r for r in json.loads((out / "grades.json").read_text())["submissions"] if r["student"] == "dee")
    got = {stem: sum(t["score"] for t in dee["tests"] if t["notebook"] == stem) for stem in units.notebook_points()}
    assert [stem for stem, pts in units.notebook_points().items() if got[stem] < pts] == ["02_rnn_bptt"]
    assert page.locator("h2 .subtotal").all_inner_texts() == [
        f"{got[stem]:g} / {pts} points" for stem, pts in units.notebook_points().items()]
    assert page.locator(".diagnosis h3").all_inner_texts() == [
        "dy_t: 0 / 1 point", "dhraw_t: 0 / 2 points", "rnn_backward: 0 / 4 points"]
    assert typeset(page, ".diagnosis") == [2, 2]     # dy_t's and dhraw_t's formulas; rnn_backward has none
    text = page.locator("body").inner_text()
    assert "\\text" not in text and "\\frac" not in text and "$" not in text
    assert "isolation" not in text.lower() and "bwrap" not in text
    page.locator("#unit-dhraw_t").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "feedback_page_mistake.png"), full_page=True)
    page.locator("#unit-dhraw_t a", has_text="docs/math.md: dhraw_t").click()   # look at this next
    page.wait_for_load_state("load")
    assert page.url.endswith("/math.html#dhraw_t")
    assert page.locator("h3#dhraw_t").is_visible()
    count, laid_out = typeset(page, "body")
    assert count > 200 and laid_out == count
    page.screenshot(path=str(SCREENSHOTS / "feedback_math_doc.png"))

    page, _ = page_of(out / "ben" / "feedback.html")
    assert page.locator(".unfinished").first.inner_text().startswith(
        "Not attempted yet: dz_netAct, dz_netIn, dz_wts, dz_b, dy_netAct, dy_netIn, dy_wts, dy_b, mlp_backward.")
    assert page.locator(".diagnosis").count() == 0


@pytest.fixture(scope="module")
def nbgrader_feedback(tmp_path_factory):
    """A course copy where one student (a missing future term in dh_t, db_h not written, a long print)
    is autograded and given feedback by the real nbgrader commands; (course root, feedback HTML)."""
    root = course_tools.make_course_copy(tmp_path_factory.mktemp("feedback"))
    course.generate_release(root)
    replacements = dict(factory.mistake("dh_t_missing_future"))
    replacements["db_h"] = f"def db_h(dhraw):\n    raise NotImplementedError()\n\nprint('x' * {LONG_PRINT})\n"
    factory.write_submission(root / "submitted", "cai", replacements, stems=["02_rnn_bptt"])
    graded = course_tools.autograde(root)
    assert graded.returncode == 0, graded.stderr[-3000:]
    fed = course.run_nbgrader(["generate_feedback", course.ASSIGNMENT, "--force"], root,
                              env={"BPTT_AUTOGRADER_ROOT": str(REPO)})
    assert fed.returncode == 0, fed.stderr[-3000:]
    return root, root / "feedback" / "cai" / course.ASSIGNMENT / "02_rnn_bptt.html"


def test_nbgraders_generated_feedback_in_chromium(nbgrader_feedback, page_of):
    root, html_path = nbgrader_feedback
    [(ename, message)] = [v for k, v in course_tools.hidden_test_errors(root, {"cai": "02_rnn_bptt"}).items()
                          if k == ("cai", "dh_t")]
    assert ename == "GradingVerdict"                          # the judge's verdict, outside the kernel
    page, requests = page_of(html_path)
    assert requests == []                                     # no MathJax, nothing from the network
    notes = page.locator(".bptt-verdict")
    assert notes.count() == 2                                 # dh_t's diagnosis and db_h's plain line
    dh_t = notes.nth(0).inner_text()
    assert dh_t.startswith("Why this cell lost its points:") and message.replace("`", "") in dh_t
    assert "Look at this next: the section on dh_t above" in dh_t
    assert notes.nth(1).inner_text() == ("Not attempted yet: db_h still raises NotImplementedError; "
                                         "its points are waiting.")
    count, laid_out = typeset(page, ".bptt-verdict")
    assert count == 1 and laid_out == 1                       # dh_t's formula
    count, laid_out = typeset(page, ".text_cell_render")
    assert count > 20 and laid_out == count                   # the notebook's own maths
    rendered = page.evaluate("[...document.querySelectorAll('.text_cell_render')].map(e => e.innerText).join('')")
    assert "$" not in rendered and "\\frac" not in rendered
    text = page.locator("body").inner_text()
    assert "Traceback (most recent call last)" not in text and "autograder/checks" not in text
    assert f"[output cut: {LONG_PRINT + 1 - OUTPUT_LIMIT:,} more characters not shown] ..." in text   # with print's newline
    notes.nth(0).scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "feedback_nbgrader_note.png"))
    notes.nth(0).locator("a", has_text="the section on dh_t").click()
    assert page.evaluate("location.hash").startswith("#4.-dh_t")
