"""The course in a real browser: Debian's chromium driven by Playwright, against real Jupyter servers.

Students' side (Notebook 7 started in a copy of release/bptt/, with the student
set-up of the README: nbgrader's instructor extensions disabled): formulas are
rendered, an untouched notebook shows which units are unfinished, a typed
solution gets the visible test's verdict, Validate answers. Instructor's side:
Formgrader's Autograde button grades a student and the score is read off the page.

Screenshots go to artifacts/screenshots/ (CI keeps that folder). Skipped, with the
reason, when /usr/bin/chromium or Playwright is missing; .ci/run installs chromium.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course
from tools import course_tools
from tools import factory
from tests.live_server import JupyterServer

REPO = Path(__file__).resolve().parents[1]
RELEASE = REPO / "release" / "bptt"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("BPTT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# The students' set-up (students/setup.sh): every nbgrader extension but Validate is disabled and locked.
STUDENT_LAB_DISABLE = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                       "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:menu"]
STUDENT_SERVER_DISABLE = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.assignment_list",
                          "nbgrader.server_extensions.course_list"]
WAIT = 300_000  # ms: generous, the machine may be busy


def _skip_reason():
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM} (install it: apt-get install -y chromium; .ci/run does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements.txt -c constraints.txt)"
    return None


if _skip_reason():
    print(f"\ntests/test_browser.py skipped: {_skip_reason()}")
# slow: drives chromium against a real Jupyter server
pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(_skip_reason()), reason=str(_skip_reason()))]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.set_default_timeout(WAIT)
    try:
        yield pg
    finally:
        context.close()


def jupyter_settings(tmp):
    """Per-server Jupyter config/settings folders; notebooks render every cell (no windowing), so
    that cells far down the page are in the DOM."""
    config, settings = tmp / "config", tmp / "settings"
    tracker = settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    config.mkdir()
    return {"JUPYTER_CONFIG_DIR": str(config), "JUPYTERLAB_SETTINGS_DIR": str(settings)}


@pytest.fixture(scope="module")
def student_server(tmp_path_factory):
    """Notebook 7 in a copy of release/bptt/, set up as the README tells students."""
    tmp = tmp_path_factory.mktemp("student")
    folder = tmp / "bptt"
    shutil.copytree(RELEASE, folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    env = dict(jupyter_settings(tmp), PYTHONPATH="", BPTT_QUICK="1")
    # The README's commands use --sys-prefix (a student's own venv); the test must not change this
    # machine's installation, so it writes the same settings at the user level of a private config dir.
    for verb in ("disable", "lock"):         # students/setup.sh disables and locks them
        subprocess.run([sys.executable, "-m", "jupyter", "labextension", verb, "--level=user",
                        *STUDENT_LAB_DISABLE], env=dict(os.environ, **env), check=True, capture_output=True, timeout=120)
    (tmp / "config" / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {ext: False for ext in STUDENT_SERVER_DISABLE}}}))
    with JupyterServer(folder, app="notebook", env=env) as server:
        yield server, folder


def shot(page, name):
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def open_notebook(page, server, name):
    page.goto(f"{server.url}/notebooks/{name}")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_function("document.querySelector('.jp-Notebook-ExecutionIndicator, .jp-Toolbar') !== null")
    # the kernel is ready when the toolbar's kernel status says idle
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")


def cells(page):
    return page.locator(".jp-Notebook .jp-Cell")


def copy_as(folder, stem, name):
    shutil.copy2(folder / f"{stem}.ipynb", folder / name)
    return name


def release_cells(stem):
    return json.loads((RELEASE / f"{stem}.ipynb").read_text())["cells"]


def index_of(stem, grade_id):
    return next(i for i, c in enumerate(release_cells(stem))
                if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


def run_everything(page):
    """Run every code cell once, top to bottom, past failures, as a student does with Ctrl+Enter;
    return {cell index: output of a cell that raised}.

    Cell by cell rather than Run All: Notebook 7 stops Run All at the first cell that raises,
    and telling from the prompts where a stopped run ended races with the page's updates on a
    loaded machine. Each cell here is waited for by its own new execution count.
    """
    code = [i for i, c in enumerate(page.evaluate(
        "() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(c => c.classList.contains('jp-CodeCell'))"))
        if c]
    failed = {}
    for i in code:
        run_one_cell(page, i)
        text = output_text(page, i)
        if "Traceback (most recent call last)" in text:
            failed[i] = text
    return failed


def run_one_cell(page, index, attempts=5):
    """Select cell `index` and run it (Ctrl+Enter); wait until it has run.

    A busy page can drop the key press (focus not yet on the cell): when the prompt has
    neither turned to [*] nor to a new count after a while, select and press again.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    before = prompt(page, index)
    for attempt in range(attempts):
        cells(page).nth(index).locator(".jp-InputPrompt").click()
        page.keyboard.press("Control+Enter")
        try:
            page.wait_for_function(
                "([i, before]) => document.querySelectorAll('.jp-Notebook .jp-Cell')[i]"
                ".querySelector('.jp-InputPrompt').textContent.trim() !== before", arg=[index, before], timeout=20_000)
            break
        except PlaywrightTimeout:
            if attempt == attempts - 1:
                raise
    wait_for_new_count(page, index, before)


def prompt(page, index):
    return cells(page).nth(index).locator(".jp-InputPrompt").inner_text().strip()


def wait_for_new_count(page, index, before):
    """Cell `index` has run again: its prompt shows an execution count other than `before`."""
    page.wait_for_function(
        "([i, before]) => { const p = document.querySelectorAll('.jp-Notebook .jp-Cell')[i]"
        ".querySelector('.jp-InputPrompt').textContent.trim();"
        " return /\\[\\d+\\]/.test(p) && p !== before; }", arg=[index, before])


def output_text(page, index):
    return cells(page).nth(index).locator(".jp-OutputArea").inner_text()


# ---- students -------------------------------------------------------------------------------

@pytest.mark.parametrize("stem", factory.notebook_stems())
def test_formulas_are_rendered(page, student_server, stem):
    server, _ = student_server
    open_notebook(page, server, f"{stem}.ipynb")
    page.wait_for_function("document.querySelectorAll('.jp-RenderedMarkdown mjx-container').length > 0")
    page.wait_for_function(  # MathJax typesets asynchronously: wait until no formula source is left
        "() => ![...document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')].some(md => {"
        "  const c = md.cloneNode(true);"
        "  c.querySelectorAll('code, pre, mjx-container, script').forEach(e => e.remove());"
        "  return /\\$[^$]+\\$/.test(c.textContent); })", timeout=60_000)
    raw = page.evaluate(
        "() => [...document.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown')].map(md => {"
        "  const c = md.cloneNode(true);"
        "  c.querySelectorAll('code, pre, mjx-container, script').forEach(e => e.remove());"
        "  return c.textContent; }).filter(t => /\\$[^$]+\\$/.test(t))")
    formulas = page.locator(".jp-RenderedMarkdown mjx-container[display='true']")
    (formulas if formulas.count() else page.locator(".jp-RenderedMarkdown mjx-container")).first \
        .scroll_into_view_if_needed()
    shot(page, f"formulas-{stem}")
    assert raw == []
    sources = "".join("".join(c["source"]) for c in release_cells(stem) if c["cell_type"] == "markdown")
    assert page.locator(".jp-RenderedMarkdown mjx-container").count() >= sources.count("$$") // 2


@pytest.mark.parametrize("stem", factory.notebook_stems())
def test_an_untouched_notebook_says_which_units_are_unfinished(page, student_server, stem):
    server, folder = student_server
    open_notebook(page, server, copy_as(folder, stem, f"untouched-{stem}.ipynb"))
    failed = run_everything(page)
    shot(page, f"untouched-{stem}")
    nb = release_cells(stem)
    # Graded code cells only: a written answer (a graded markdown cell) has nothing to run.
    tests = {i: c["metadata"]["nbgrader"]["grade_id"].removeprefix("test_") for i, c in enumerate(nb)
             if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("grade")}
    # Every visible test fails, and only they: given code and experiments never fail untouched.
    assert sorted(failed) == sorted(tests), {i: t[-300:] for i, t in failed.items()}
    for i, unit in tests.items():
        assert failed[i].strip().splitlines()[-1] == f"NotImplementedError: {unit} is not implemented yet", failed[i]
    for i, cell in enumerate(nb):
        if cell["cell_type"] == "code" and i not in tests:
            text = output_text(page, i)
            for fn in re.findall(r"waiting for (\w+)", text):
                assert f"waiting for {fn}: not implemented yet" in text, text


def type_into_cell(page, index, code):
    editor = cells(page).nth(index).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)   # as pasted: no auto-indent, no auto-closed brackets


def run_cells(page, first, count):
    """Run `count` cells from `first` on with Shift+Enter, as a student does; wait until the last has run."""
    last = first + count - 1
    before = prompt(page, last)
    cells(page).nth(first).locator(".cm-content").click()
    for _ in range(count):
        page.keyboard.press("Shift+Enter")
    wait_for_new_count(page, last, before)


def test_typed_solutions_get_the_visible_tests_verdict(page, student_server):
    server, folder = student_server
    stem, unit = "01_mlp_backprop", "dz_b"
    right = next(c["source"] for c in factory.student_notebook(stem)["cells"]
                 if c["metadata"].get("nbgrader", {}).get("grade_id") == unit)
    wrong = factory.MISTAKES["dz_b_averaged"][1].strip("\n")
    solution, test = index_of(stem, unit), index_of(stem, f"test_{unit}")
    open_notebook(page, server, copy_as(folder, stem, "typed.ipynb"))
    run_everything(page)

    type_into_cell(page, solution, textwrap_dedent(wrong))
    run_cells(page, solution, 2)
    shot(page, "typed-wrong-dz_b")
    verdict = output_text(page, test)
    assert "AssertionError" in verdict and "NotImplementedError" not in verdict, verdict

    type_into_cell(page, solution, right)
    run_cells(page, solution, 2)
    shot(page, "typed-right-dz_b")
    verdict = output_text(page, test)
    assert "Error" not in verdict and "Traceback" not in verdict, verdict


def textwrap_dedent(code):
    import textwrap

    return textwrap.dedent(code).strip("\n")


def press_validate(page, name):
    page.get_by_role("button", name="Validate").click()
    dialog = page.locator(".jp-Dialog-content")
    dialog.wait_for()
    page.wait_for_function("!document.querySelector('.jp-Dialog-content').textContent.includes('Validating')")
    shot(page, name)
    return dialog.inner_text()


def test_validate_names_the_first_unfinished_unit(page, student_server):
    server, folder = student_server
    stem = "03_two_layer_rnn"
    open_notebook(page, server, copy_as(folder, stem, "validate.ipynb"))
    text = press_validate(page, "validate-untouched-03")
    first = next(c["metadata"]["nbgrader"]["grade_id"] for c in release_cells(stem)
                 if c["metadata"].get("nbgrader", {}).get("grade"))
    # nbgrader's Validate stops at the first failing test cell and shows it with its error.
    assert "The following cell failed" in text, text
    assert f"NotImplementedError: {first.removeprefix('test_')} is not implemented yet" in text, text


def test_validate_passes_a_finished_notebook(page, student_server):
    server, folder = student_server
    stem = "03_two_layer_rnn"
    (folder / "finished.ipynb").write_text(json.dumps(factory.student_notebook(stem)))
    open_notebook(page, server, "finished.ipynb")
    text = press_validate(page, "validate-finished-03")
    assert "Success! Your notebook passes all the tests." in text, text


def test_student_set_up_has_validate_and_no_instructor_tools(page, student_server):
    server, _ = student_server
    open_notebook(page, server, "01_mlp_backprop.ipynb")
    shot(page, "student-toolbar")
    assert page.get_by_role("button", name="Validate").count() == 1
    locked = next(i for i, c in enumerate(release_cells("01_mlp_backprop"))
                  if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("locked"))
    first_line = cells(page).nth(locked).locator(".cm-line").first.inner_text()
    assert first_line.startswith("#") and "read-only" in first_line, first_line
    assert page.get_by_role("menuitem", name="Nbgrader", exact=True).count() == 0
    assert page.goto(f"{server.url}/formgrader").status == 404


# ---- instructors ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def instructor_course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("instructor")
    root = course_tools.make_course_copy(tmp)
    course.generate_release(root)
    shutil.copytree(REPO / "examples" / "submissions" / "cai", root / "submitted" / "cai")
    out = tmp / "out"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(root / "submitted"), "--out", str(out),
                           "--course", str(root), "--quiet"], cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    sub = json.loads((out / "grades.json").read_text())["submissions"][0]
    return tmp, root, sub


@pytest.mark.parametrize("app", ["notebook", "lab"])
def test_formgrader_autograde_button_gives_the_grading_commands_score(page, instructor_course, app):
    tmp, root, expected = instructor_course
    env = dict(jupyter_settings(tmp / app), PYTHONPATH="")
    with JupyterServer(root, app=app, env=env) as server:
        page.goto(f"{server.url}/formgrader/manage_submissions/bptt")
        row = page.locator("#main-table tr", has=page.locator("td.student-id", has_text="cai"))
        row.locator("td.autograde a").click()
        dialog = page.locator(".modal-dialog", has_text="Successfully autograded 'bptt' for student 'cai'")
        dialog.wait_for(state="visible")
        page.wait_for_timeout(500)                         # the dialog's fade-in, for the screenshot
        shot(page, f"formgrader-autograde-log-{app}")
        dialog.get_by_role("button", name="OK").click()
        dialog.wait_for(state="hidden")
        page.wait_for_function(
            "() => { const s = document.querySelector('#main-table td.score');"
            " return s && /\\d/.test(s.textContent); }")
        shot(page, f"formgrader-autograded-{app}")
        score = row.locator("td.score").inner_text().strip()
        # Formgrader's maximum counts the written answers, still ungraded here; the command keeps them apart.
        assert score == f"{expected['score']:g} / {expected['max_score'] + expected['manual_max_score']:g}", score

        page.goto(f"{server.url}/formgrader/manage_students/cai/bptt")
        page.wait_for_selector("td.score")
        shot(page, f"formgrader-gradebook-{app}")
        shown = {r.locator("td").first.inner_text().strip(): r.locator("td.score").inner_text().strip()
                 for r in page.locator("tbody tr").all()}
        want = {}
        for t in expected["tests"]:
            want[t["notebook"]] = want.get(t["notebook"], 0) + t["score"]
        maxes = {stem: sum(p.values()) + sum(course_tools.source_points(root, manual=True)[stem].values())
                 for stem, p in course_tools.source_points(root).items()}
        assert shown == {stem: f"{want[stem]:g} / {maxes[stem]:g}" for stem in maxes}, shown


# ---- written answers graded by hand ---------------------------------------------------------

def test_a_score_entered_in_formgrader_flows_into_grades_json_and_the_class_report(page, tmp_path):
    """The grader opens alice's notebook in Formgrader's Manual Grading, types a score for her
    written answer, and the next `grade --gradebook` carries it into grades.json and the class report."""
    from nbgrader.api import Gradebook
    from tests.adversarial import minicourse
    from tests.test_manual_answers import QUESTION, course_with_question, student_answering

    root = course_with_question(tmp_path / "course")
    for nb_path in (root / "source" / "bptt").glob("*.ipynb"):   # nbgrader autograde runs visible tests only
        nb_path.write_text(json.dumps(minicourse.strip_hidden(json.loads(nb_path.read_text()))))
    env = dict(os.environ, BPTT_GRADING="1", PYTHONPATH="")
    for args in (["generate_assignment", "bptt", "--force"], None, ["autograde", "bptt", "--force"]):
        if args is None:
            student_answering(root, "alice", "**Five arrays**: W_xh (D, H), W_hh (H, H), b_h, W_hq, b_q.")
            continue
        proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env, capture_output=True,
                              text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tmp_path / "out"
    grade = [sys.executable, "-m", "autograder", "grade", str(root / "submitted"), "--out", str(out), "--course",
             str(root), "--gradebook", "--quiet"]
    assert subprocess.run(grade, cwd=REPO, capture_output=True, timeout=600).returncode == 0
    assert json.loads((out / "grades.json").read_text())["submissions"][0]["manual"][0]["score"] is None

    with JupyterServer(root, app="notebook", env=dict(jupyter_settings(tmp_path / "srv"), PYTHONPATH="")) as server:
        notebooks = server.get("/formgrader/api/student_notebook_submissions/alice/bptt")
        nb_id = next(nb["id"] for nb in notebooks if nb["name"] == QUESTION.notebook)
        page.goto(f"{server.url}/formgrader/submissions/{nb_id}/")
        box = page.locator(f"input.score#{QUESTION.name}")
        box.wait_for(state="visible")
        assert "Five arrays" in page.locator(".nbgrader_cell", has=box).inner_text()   # the student's answer
        box.fill("1")
        box.press("Tab")                                     # formgrader saves on change
        page.wait_for_function(
            f"() => !document.querySelector('input.score#{QUESTION.name}').classList.contains('needs_manual_grade')")
        box.scroll_into_view_if_needed()
        shot(page, "formgrader-manual-grade")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_grade(QUESTION.name, QUESTION.notebook, "bptt", "alice").manual_score == 1.0

    assert subprocess.run(grade, cwd=REPO, capture_output=True, timeout=600).returncode == 0
    alice = json.loads((out / "grades.json").read_text())["submissions"][0]
    assert (alice["score"], alice["manual_score"]) == (minicourse.MAX_SCORE, 1.0)
    assert alice["manual"][0]["status"] == "graded by hand"
    page.goto((out / "class_report.html").as_uri())
    manual = page.locator("table#manual")
    assert "1.0" in manual.inner_text() and page.locator("td.manual").inner_text() == "1 / 1"
    manual.scroll_into_view_if_needed()
    shot(page, "class-report-manual-grade")
