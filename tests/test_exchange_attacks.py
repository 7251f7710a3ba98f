"""A hostile student B against student A and the instructor, on nbgrader's own path (no hub).

A local course with nbgrader's filesystem exchange and two unprivileged accounts: A submits
with `nbgrader submit` (run for A, then handed to A's account, as A's own server would leave
it); B attacks from a shell as B. The instructor (this test, root: the strongest reader)
collects, autogrades, opens B's submission in Formgrader in chromium and generates feedback.
Afterwards A's grade and feedback are A's own, B's feedback holds nothing of the course, and no
script of B's ran in the instructor's browser or in B's feedback. The hub test
(tests/test_hub.py) runs the same attacks through the hub's browsers.
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from autograder import course, units
from tests import hostile_student as hostile
from tests.live_server import JupyterServer
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, _skip_reason
from tools import course_tools, factory

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
A, B = "bptt-xch-a", "bptt-xch-b"          # not the hub's accounts: both tests may run on one machine
LATER = "2099-01-01 00:00:00.000000 UTC"


def _skip():
    if os.geteuid() != 0:
        return "needs root (it creates two student accounts)"
    for tool in ("useradd", "userdel", "runuser", "mkfifo"):
        if not shutil.which(tool):
            return f"{tool} is missing"
    return None


@pytest.fixture(scope="module")
def classroom():
    if _skip():
        pytest.skip(_skip())
    base = Path(tempfile.mkdtemp(prefix="bptt-exchange-"))
    os.chmod(base, 0o755)
    for user in (A, B):
        if subprocess.run(["id", user], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user], check=True)
    try:
        exchange = base / "exchange"
        exchange.mkdir()
        os.chmod(exchange, 0o1777)
        root = course_tools.make_course_copy(base)          # the instructor's course: root's, 0700
        shutil.copytree(REPO / "autograder", root / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
        os.chmod(root, 0o700)
        course.generate_release(root)
        nb = ["--Exchange.root=" + str(exchange)]
        course.run_nbgrader(["release_assignment", "bptt", *nb], root)
        yield dict(base=base, root=root, exchange=exchange / "bptt-course", nb=nb)
    finally:
        for user in (A, B):
            subprocess.run(["userdel", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def submit_as(classroom, student, write):
    """`nbgrader submit` of the notebooks `write(dest)` writes, then given to `student`'s account."""
    work = classroom["base"] / f"work-{student}"
    write(work)
    course.run_nbgrader(["submit", "bptt", f"--student={student}", "--course=bptt-course", *classroom["nb"]],
                        work)
    inbound = classroom["exchange"] / "inbound"
    (folder,) = [p for p in inbound.iterdir() if p.name.startswith(f"{student}+bptt+") and p.stat().st_uid == 0]
    subprocess.run(["chown", "-R", f"{student}:", str(folder)], check=True)
    return folder


def solution_lines(source):
    """{stem: the instructor's solution lines} (between BEGIN and END SOLUTION; long enough to be unique)."""
    found = {}
    # Lines the release holds too (given code inside a solution region, the shipped tools) are not solutions.
    release = "".join(p.read_text(errors="replace") for p in (source.parent.parent / "release" / "bptt").rglob("*") if p.is_file())
    for nb in sorted(source.glob("*.ipynb")):
        lines = set()
        for cell in json.loads(nb.read_text())["cells"]:
            text = "".join(cell["source"])
            if "### BEGIN SOLUTION" in text:
                inside = text.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
                lines |= {line.strip() for line in inside.splitlines() if len(line.strip()) > 30}
        found[nb.stem] = {line for line in lines if line not in release and json.dumps(line)[1:-1] not in release}
    assert all(found.values()), found
    return found


def page_text(path):
    """An HTML page's text: tags removed, entities decoded (highlighted code reads as the code)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text()))


def collect(classroom):
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "collect", "bptt", "--update", *classroom["nb"]],
                          cwd=classroom["root"], capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, BPTT_AUTOGRADER_ROOT=str(classroom["root"])))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def attacked(classroom):
    """A submits a perfect assignment; B submits (hostile HTML), forges a newer one for A, links the source."""
    stems = factory.notebook_stems()
    release = classroom["root"] / "release" / "bptt"
    a_files = submit_as(classroom, A, lambda work: factory.write_submission(work.parent, work.name, stems=stems))

    def b_honest(work):   # <work>/bptt/: the blank release, with B's hostile cells in the first notebook
        factory.write_release_as_is(work.parent, work.name, release_dir=release)
        hostile.add_hostile_cells(work / "bptt" / f"{stems[0]}.ipynb")
    submit_as(classroom, B, b_honest)
    inbound = classroom["exchange"] / "inbound"
    hostile.forge_submission(B, A, inbound, classroom["exchange"] / "outbound" / "bptt", LATER)
    hostile.link_submission(B, inbound, classroom["root"] / "source" / "bptt", stems, LATER)
    log = collect(classroom)
    return dict(log=log, a_files=a_files, stems=stems)


def test_collect_refuses_a_submission_made_in_another_students_name(classroom, attacked):
    assert f"claims to be submitted by {A} but belongs to {B}" in attacked["log"], attacked["log"]
    submitted = classroom["root"] / "submitted" / A / "bptt"
    for nb in attacked["a_files"].glob("*.ipynb"):
        assert (submitted / nb.name).read_bytes() == nb.read_bytes(), nb.name


def test_collect_refuses_links_and_fifos_and_takes_the_students_own_submission(classroom, attacked):
    assert "is a symbolic link: a submission holds only regular files and folders" in attacked["log"], attacked["log"]
    submitted = classroom["root"] / "submitted" / B / "bptt"
    source = classroom["root"] / "source" / "bptt"
    for path in submitted.rglob("*"):
        assert not path.is_symlink() and (path.is_file() or path.is_dir()), path
        if path.is_file():
            assert "BEGIN HIDDEN TESTS" not in path.read_text(errors="replace"), path
    assert all((submitted / f"{s}.ipynb").read_bytes() != (source / f"{s}.ipynb").read_bytes() for s in attacked["stems"])
    assert not (submitted / "notes.txt").exists()


def test_a_keeps_full_marks_and_b_gets_nothing_of_the_course(classroom, attacked):
    proc = course_tools.autograde(classroom["root"], autograder_root=classroom["root"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    scores = course_tools.read_export(course_tools.export_grades(classroom["root"]))
    # nbgrader's maximum counts the written answers too, which no grader has scored yet.
    assert scores[A] == (units.total_points(), units.total_points() + units.manual_points()), scores
    assert scores[B][0] == 0, scores
    course.run_nbgrader(["generate_feedback", "bptt", "--force"], classroom["root"])
    feedback = classroom["root"] / "feedback"
    solutions = solution_lines(classroom["root"] / "source" / "bptt")
    pages = sorted((feedback / B / "bptt").glob("*.html"))
    assert [p.stem for p in pages] == attacked["stems"]
    for page in pages:
        text = page_text(page)
        assert "raise NotImplementedError" in text, page          # B's own (blank) notebook
        assert not [line for line in solutions[page.stem] if line in text], page
    a_feedback = (feedback / A / "bptt" / f"{attacked['stems'][0]}.html").read_text()
    assert "B's harmless text" not in a_feedback


@pytest.fixture(scope="module")
def browser():
    if _skip_reason():
        pytest.skip(_skip_reason())
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def test_no_script_of_bs_runs_in_formgrader_or_in_bs_feedback(classroom, attacked, browser):
    root = classroom["root"]
    if not (root / "feedback" / B).exists():
        pytest.skip("the grading test did not generate feedback")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", "bptt-course") as gb:
        notebook_id = gb.find_submission_notebook(attacked["stems"][0], "bptt", B).id
    with JupyterServer(root, app="server") as server:
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        requests = hostile.watch(page)
        page.goto(f"{server.url}/formgrader/submissions/{notebook_id}/")
        page.get_by_text("B's harmless text").scroll_into_view_if_needed()
        page.wait_for_timeout(2000)
        page.screenshot(path=str(SCREENSHOTS / "exchange-formgrader-b.png"))
        assert hostile.ran(page) == [] and requests == [], (hostile.ran(page), requests)
        # Formgrader still works for the instructor: its own script ran and the grading form is there.
        assert page.evaluate("typeof jQuery === 'function' && typeof submission_id === 'string'")
        assert "B code cell ran" in page.locator("body").inner_text()
        page.close()
    assert not list(root.rglob(f"{hostile.PWNED}*")), "a script of B's wrote into the course"
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    requests = hostile.watch(page)
    page.goto((root / "feedback" / B / "bptt" / f"{attacked['stems'][0]}.html").as_uri())
    page.get_by_text("B's harmless text").scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SCREENSHOTS / "exchange-feedback-b.png"))
    assert hostile.ran(page) == [] and requests == [], (hostile.ran(page), requests)
    page.close()


def test_the_hostile_notebook_is_what_b_handed_in(classroom, attacked):
    """The attack is real: B's notebook in the course carries every payload, and B's code cell produced its outputs."""
    nb = json.loads((classroom["root"] / "autograded" / B / "bptt" / f"{attacked['stems'][0]}.ipynb").read_text())
    md = next(c for c in nb["cells"] if c.get("id") == "b-hostile-md")
    code = next(c for c in nb["cells"] if c.get("id") == "b-hostile-code")
    assert "onerror" in "".join(md["source"])
    kinds = [k for o in code["outputs"] if o["output_type"] == "display_data" for k in o["data"]]
    assert {"text/html", "image/svg+xml", "application/javascript", "text/markdown"} <= set(kinds), kinds
