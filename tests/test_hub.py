"""The whole nbgrader loop of a real classroom, in a real browser, on the JupyterHub of deploy/jupyterhub/.

hub.sh starts the hub as its README says (system accounts, nbgrader's exchange in
/srv/nbgrader/exchange) from a private copy of this checkout. Then, in Debian's chromium:
the instructor releases the assignment in Formgrader; student A fetches it from the
Assignment List, writes one unit right and one wrong, runs their visible tests, presses
Validate and submits; student B submits the untouched release; the instructor collects,
autogrades (the scores must equal `python -m autograder grade` on the same files),
generates and releases feedback; A fetches the feedback, which names the mistake.
What a student cannot reach is checked by running commands as that student.

Runs only with BPTT_HUB_TEST=1 (.ci/run sets it). Needs root (it creates the accounts bptt-instructor, bptt-student-a, bptt-student-b and
removes them at the end), chromium, npm and Debian's /usr/bin/python3; skipped with the
reason otherwise. Screenshots: artifacts/screenshots/hub-*.png.
"""
import hashlib
import html
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tools import factory
from tests import hostile_student as hostile
from tests.live_server import free_port
from tests.test_browser import (CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, WAIT, _skip_reason, cells, index_of,
                                output_text, run_cells, run_one_cell, textwrap_dedent, type_into_cell)

REPO = Path(__file__).resolve().parents[1]
INSTRUCTOR, A, B = "bptt-instructor", "bptt-student-a", "bptt-student-b"
EXCHANGE = Path("/srv/nbgrader/exchange/bptt-course")
COURSE = Path(f"/home/{INSTRUCTOR}/bptt-course")
STEM, RIGHT, WRONG = "01_mlp_backprop", "dz_netAct", "dz_b"
LATER = "2099-01-01 00:00:00.000000 UTC"      # B's forged submissions claim to be newer than any


def solutions_in(folder):
    """The instructor's solution lines (source/, between BEGIN and END SOLUTION) found in the files under folder."""
    lines = set()
    for nb in (REPO / "source" / "bptt").glob("*.ipynb"):
        for cell in json.loads(nb.read_text())["cells"]:
            text = "".join(cell["source"])
            if "### BEGIN SOLUTION" in text:
                inside = text.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
                lines |= {line.strip() for line in inside.splitlines() if len(line.strip()) > 30}
    release = "".join(p.read_text(errors="replace") for p in (REPO / "release" / "bptt").rglob("*") if p.is_file())
    lines = {line for line in lines if line not in release and json.dumps(line)[1:-1] not in release}   # given code
    found = set()
    for path in Path(folder).rglob("*"):
        if path.is_file() and not path.is_symlink():
            text = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(errors="replace")))
            found |= {line for line in lines if line in text or json.dumps(line)[1:-1] in text}
    return found


def course_digest():
    """sha256 of every file of the course's source/ and autograder/ (what no student may change)."""
    digest = {}
    for part in ("source", "autograder"):
        for path in sorted((COURSE / part).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest[str(path.relative_to(COURSE))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


def _hub_skip_reason():
    if os.environ.get("BPTT_HUB_TEST") != "1":
        return ("set BPTT_HUB_TEST=1 to run it (as root: it creates system accounts, /srv/nbgrader/exchange "
                "and /opt/bptt-hub; .ci/run does)")
    if os.geteuid() != 0:
        return "the hub test needs root (it creates system accounts and starts servers as them)"
    for tool in ("npm", "useradd", "runuser", "chpasswd"):
        if not shutil.which(tool):
            return f"{tool} is missing (the hub's start script needs it)"
    if not Path("/usr/bin/python3").exists():
        return "no /usr/bin/python3 for the hub's venv"
    return _skip_reason()


if _hub_skip_reason():
    print(f"\ntests/test_hub.py skipped: {_hub_skip_reason()}")
pytestmark = pytest.mark.skipif(bool(_hub_skip_reason()), reason=str(_hub_skip_reason()))


def hub_sh(checkout, command, env, check=True):
    proc = subprocess.run(["bash", str(checkout / "deploy" / "jupyterhub" / "hub.sh"), command],
                          env=dict(os.environ, **env), capture_output=True, text=True, timeout=900)
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def as_user(user, *cmd):
    return subprocess.run(["runuser", "-u", user, "--", *cmd], capture_output=True, text=True, timeout=60, cwd="/")


def free_ports(n=3):
    """A port p with p+1 .. p+n-1 free as well (the hub's API and the proxy's API use them)."""
    import socket

    for _ in range(50):
        p = free_port()
        try:
            for q in range(p, p + n):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", q))
            return p
        except OSError:
            continue
    raise RuntimeError("no three consecutive free ports")


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """The hub started by hub.sh from a private copy of this checkout (students cannot read it)."""
    tmp = tmp_path_factory.mktemp("hub")
    checkout = tmp / "checkout"
    shutil.copytree(REPO, checkout, ignore=shutil.ignore_patterns(".git", "__pycache__", "artifacts", "grades"))
    os.chmod(tmp, 0o700)
    env = {"BPTT_HUB_PORT": str(free_ports()), "BPTT_HUB_STUDENTS": f"{A} {B}"}
    hub_sh(checkout, "purge", env)                     # a clean classroom
    started = time.monotonic()
    proc = hub_sh(checkout, "start", env)
    print(f"\nhub.sh start: {time.monotonic() - started:.0f} s\n{proc.stdout}")
    passwords = dict(line.split(" ", 1) for line in Path("/opt/bptt-hub/state/passwords").read_text().splitlines())
    # Test harness only: notebooks render every cell (no windowing), so cells far down are in the DOM.
    for user in (A, B):
        settings = Path(f"/home/{user}/.jupyter/lab/user-settings/@jupyterlab/notebook-extension")
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        subprocess.run(["chown", "-R", f"{user}:", f"/home/{user}/.jupyter"], check=True)
    try:
        yield dict(url=f"http://127.0.0.1:{env['BPTT_HUB_PORT']}", passwords=passwords, tmp=tmp,
                   checkout=checkout, env=env, course_digest=course_digest())
    finally:
        stopped = hub_sh(checkout, "stop", env, check=False)
        hub_sh(checkout, "purge", env, check=False)
    assert stopped.returncode == 0 and "stopped: the hub, every user's server and the proxy" in stopped.stdout, \
        stopped.stdout + stopped.stderr


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


def shot(page, name):
    page.wait_for_timeout(300)    # dialogs fade in
    page.screenshot(path=str(SCREENSHOTS / f"hub-{name}.png"))


def login(browser, hub, user):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT)
    page.goto(f"{hub['url']}/hub/login")
    page.fill("#username_input", user)
    page.fill("#password_input", hub["passwords"][user])
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{user}/tree**")
    page.wait_for_selector(".jp-DirListing")
    return page


def formgrader_action(page, column, success):
    """Click the Formgrader button in `column` of the assignment's row; wait for its success dialog."""
    page.locator(f"#main-table td.{column} a").click()
    dialog = page.locator(".modal-dialog", has_text=success)
    dialog.wait_for(state="visible")
    shot(page, f"instructor-{column}")
    dialog.get_by_role("button", name="OK").click()
    dialog.wait_for(state="hidden")


def manage_assignments(page, hub):
    page.goto(f"{hub['url']}/user/{INSTRUCTOR}/formgrader/manage_assignments")
    page.wait_for_selector("#main-table td.name")


def assignment_list(page):
    """Open the Assignment List from the Nbgrader menu of the student's tree page."""
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.get_by_role("menuitem", name="Assignment List").click()
    page.locator("#released_assignments_list").wait_for()
    page.locator("#refresh_assignments_list").click()


def rows(page, which, n):
    page.wait_for_function(f"document.querySelectorAll('#{which}_assignments_list > .list_item').length >= {n}")
    return page.locator(f"#{which}_assignments_list > .list_item")


def fetch_assignment(page, student):
    assignment_list(page)
    released = rows(page, "released", 1)
    shot(page, f"{student}-assignment-list")
    released.first.locator(".item_status button").click()
    fetched = rows(page, "fetched", 1)
    assert fetched.first.locator(".item_name").first.inner_text().strip() == "bptt"
    shot(page, f"{student}-fetched")
    return fetched


def submit(page, student):
    assignment_list(page)
    rows(page, "fetched", 1).first.locator('.item_status button:text("Submit")').click()
    submitted = rows(page, "submitted", 1)
    shot(page, f"{student}-submitted")
    return submitted


def open_notebook(page, hub, user, path):
    page.goto(f"{hub['url']}/user/{user}/notebooks/{path}")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")


def unit_source(unit):
    return next(c["source"] for c in factory.student_notebook(STEM)["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == unit)


def validate_dialog(page, seconds=180):
    """Validate's result dialog, once it is done; a "File Changed" question on the way is answered.

    Validate saves the notebook first. When that save races JupyterLab's own save of a moment
    before, JupyterLab asks whether to overwrite the file on disk; the page holds what the
    student typed, so a student answers Overwrite, and so does this test.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        changed = page.locator(".jp-Dialog-content", has_text="File Changed")
        if changed.count():
            changed.get_by_role("button", name="Overwrite").click()
            changed.wait_for(state="detached")
            continue
        done = page.locator(".jp-Dialog-content").filter(has_not_text="Validating").filter(has_not_text="File Changed")
        if done.count():
            return done.first
        page.wait_for_timeout(250)
    raise AssertionError(f"Validate showed no result within {seconds} s")


def test_the_whole_loop_on_the_hub(hub, browser):
    try:
        walk_the_loop(hub, browser)
    except Exception:
        for i, context in enumerate(browser.contexts):      # where each user was when it failed
            for j, page in enumerate(context.pages):
                page.screenshot(path=str(SCREENSHOTS / f"hub-failure-{i}-{j}.png"))
        raise


def walk_the_loop(hub, browser):
    started = time.monotonic()
    # 1. The instructor releases the assignment in Formgrader.
    teacher = login(browser, hub, INSTRUCTOR)
    manage_assignments(teacher, hub)
    shot(teacher, "instructor-formgrader")
    formgrader_action(teacher, "release", "Successfully released 'bptt'")
    assert sorted(p.stem for p in (EXCHANGE / "outbound" / "bptt").glob("*.ipynb")) == factory.notebook_stems()

    # 2. Student A fetches, writes dz_netAct right and dz_b wrong, runs their tests, validates, submits.
    a = login(browser, hub, A)
    assert a.goto(f"{hub['url']}/user/{A}/formgrader").status == 404     # the students' set-up: no Formgrader
    a.goto(f"{hub['url']}/user/{A}/tree")
    a.wait_for_selector(".jp-DirListing")
    fetch_assignment(a, "a")
    open_notebook(a, hub, A, f"bptt/{STEM}.ipynb")
    right, wrong = index_of(STEM, RIGHT), index_of(STEM, WRONG)
    for i in range(wrong):                                    # the given cells above (imports, tools)
        if "jp-CodeCell" in (cells(a).nth(i).get_attribute("class") or "") and i not in (right, right + 1):
            run_one_cell(a, i)
    type_into_cell(a, right, unit_source(RIGHT))
    run_cells(a, right, 2)
    type_into_cell(a, wrong, textwrap_dedent(factory.MISTAKES["dz_b_averaged"][1]))
    run_cells(a, wrong, 2)
    assert "Error" not in output_text(a, right + 1)
    assert "AssertionError" in output_text(a, wrong + 1)
    shot(a, "a-visible-tests")
    a.keyboard.press("Control+s")
    a.wait_for_function("!document.title.startsWith('*')")
    a.get_by_role("button", name="Validate").click()
    dialog = validate_dialog(a)
    shot(a, "a-validate")
    text = dialog.inner_text()
    assert "The following cell failed" in text and "AssertionError" in text, text
    a.keyboard.press("Escape")
    a.goto(f"{hub['url']}/user/{A}/tree")
    submit(a, "a")

    # 3. Student B is hostile. B's own submission is the untouched release with script in a markdown
    # cell and in a code cell's outputs (for the instructor's Formgrader and B's feedback); then, from
    # a shell, B forges a newer submission in A's name and submits links to the course's source notebooks.
    b = login(browser, hub, B)
    fetch_assignment(b, "b")
    hostile.add_hostile_cells(Path(f"/home/{B}/bptt/{STEM}.ipynb"))      # B's own file, B stays its owner
    submit(b, "b")
    inbound = EXCHANGE / "inbound"
    (a_submission,) = [p for p in inbound.iterdir() if p.name.startswith(f"{A}+bptt+")]
    hostile.forge_submission(B, A, inbound, EXCHANGE / "outbound" / "bptt", LATER)
    hostile.link_submission(B, inbound, COURSE / "source" / "bptt", factory.notebook_stems(), LATER)

    # 4. The instructor collects and autogrades each submission in Formgrader. Collect takes A's own
    # submission and B's own, and refuses the forged one and the links.
    manage_assignments(teacher, hub)
    formgrader_action(teacher, "collect", "Successfully collected submissions of 'bptt'")
    assert sorted(p.name for p in (COURSE / "submitted").iterdir()) == [A, B]
    for nb in a_submission.glob("*.ipynb"):
        assert (COURSE / "submitted" / A / "bptt" / nb.name).read_bytes() == nb.read_bytes(), nb.name
    b_collected = sorted((COURSE / "submitted" / B / "bptt").rglob("*"))
    assert not [p for p in b_collected if p.is_symlink() or not (p.is_file() or p.is_dir())], b_collected
    assert not solutions_in(COURSE / "submitted" / B / "bptt"), "B's links were collected"
    teacher.goto(f"{hub['url']}/user/{INSTRUCTOR}/formgrader/manage_submissions/bptt")
    formgrader = {}
    for student in (A, B):
        row = teacher.locator("#main-table tr", has=teacher.locator("td.student-id", has_text=student))
        row.locator("td.autograde a").click()
        dialog = teacher.locator(".modal-dialog", has_text=f"Successfully autograded 'bptt' for student '{student}'")
        dialog.wait_for(state="visible")
        dialog.get_by_role("button", name="OK").click()
        dialog.wait_for(state="hidden")
        teacher.wait_for_function(
            "(s) => [...document.querySelectorAll('#main-table tr')].some(r => r.textContent.includes(s)"
            " && /\\d+(\\.\\d+)? \\/ \\d+/.test(r.querySelector('td.score').textContent))", arg=student)
        formgrader[student] = row.locator("td.score").inner_text().strip()
    shot(teacher, "instructor-autograded")

    # The grading command on the same collected files gives the same scores.
    out = hub["tmp"] / "grades"
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(COURSE / "submitted"), "--out", str(out),
                           "--quiet"], cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr
    graded = {s["student"]: s for s in json.loads((out / "grades.json").read_text())["submissions"]}
    points = {u["name"]: u["max_score"] for u in json.loads((out / "grades.json").read_text())["units"]}
    assert graded[A]["score"] == points[RIGHT] and graded[B]["score"] == 0
    # Formgrader's maximum counts the written answers too (nbgrader's max includes manually graded cells);
    # none is graded by hand yet, so its score is the autograded one.
    assert formgrader == {s: f"{graded[s]['score']:g} / {graded[s]['max_score'] + graded[s]['manual_max_score']:g}"
                          for s in (A, B)}, formgrader

    # B's submission in Formgrader: none of B's script runs in the instructor's browser, the page works.
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{COURSE / 'gradebook.db'}", "bptt-course") as gb:
        b_notebook = gb.find_submission_notebook(STEM, "bptt", B).id
    requests = hostile.watch(teacher)
    teacher.goto(f"{hub['url']}/user/{INSTRUCTOR}/formgrader/submissions/{b_notebook}/")
    teacher.get_by_text("B's harmless text").scroll_into_view_if_needed()
    teacher.wait_for_timeout(2000)
    shot(teacher, "instructor-formgrader-hostile-b")
    assert hostile.ran(teacher) == [] and requests == [], (hostile.ran(teacher), requests)
    assert teacher.evaluate("typeof jQuery === 'function' && typeof submission_id === 'string'")
    assert "B code cell ran" in teacher.locator("body").inner_text()

    # 5. Feedback: generated and released in Formgrader, fetched by A; it names the mistake.
    manage_assignments(teacher, hub)
    formgrader_action(teacher, "generate-feedback", "Successfully generated feedback of 'bptt'")
    formgrader_action(teacher, "release-feedback", "Successfully released feedback of 'bptt'")
    a.goto(f"{hub['url']}/user/{A}/tree")
    assignment_list(a)
    submitted = rows(a, "submitted", 1)
    submitted.first.locator('.item_status button:text("Fetch Feedback")').click()
    a.wait_for_function("document.querySelector('#submitted_assignments_list').textContent.includes('view feedback')")
    shot(a, "a-feedback-fetched")
    feedback = sorted(Path(f"/home/{A}/bptt/feedback").glob(f"*/{STEM}.html"))
    assert len(feedback) == 1, feedback
    a.goto(f"{hub['url']}/user/{A}/files/bptt/feedback/{feedback[0].parent.name}/{STEM}.html")
    a.wait_for_selector("body")
    # Both grading paths run the same checks: nbgrader's feedback shows the grading command's diagnosis,
    # as a note with the unit's formula typeset (autograder/nbgrader_feedback.py), not as a traceback.
    diagnosis = next(t["output"] for t in graded[A]["tests"] if t["name"] == WRONG)
    note = a.locator(".bptt-verdict", has_text="Why this cell lost its points").first
    note.scroll_into_view_if_needed()
    shot(a, "a-feedback")
    assert diagnosis.replace("`", "") in note.inner_text() and note.locator("math").count() == 1
    assert "Traceback (most recent call last)" not in a.locator("body").inner_text()
    assert "B's harmless text" not in a.locator("body").inner_text()

    # B's feedback: B's own blank notebook, nothing of the course, and none of B's script runs in it.
    b.goto(f"{hub['url']}/user/{B}/tree")
    assignment_list(b)
    rows(b, "submitted", 1).first.locator('.item_status button:text("Fetch Feedback")').click()
    b.wait_for_function("document.querySelector('#submitted_assignments_list').textContent.includes('view feedback')")
    b_feedback = sorted(Path(f"/home/{B}/bptt/feedback").glob(f"*/{STEM}.html"))
    assert len(b_feedback) == 1, b_feedback
    assert not solutions_in(b_feedback[0].parent), "the course's solutions reached B's feedback"
    requests = hostile.watch(b)
    b.goto(f"{hub['url']}/user/{B}/files/bptt/feedback/{b_feedback[0].parent.name}/{STEM}.html")
    b.get_by_text("B's harmless text").scroll_into_view_if_needed()
    b.wait_for_timeout(1000)
    shot(b, "b-feedback-hostile")
    assert hostile.ran(b) == [] and requests == [], (hostile.ran(b), requests)

    # The course is as the hub made it, and no script of B's wrote anywhere in the instructor's home.
    assert course_digest() == hub["course_digest"]
    assert not list(Path(f"/home/{INSTRUCTOR}").rglob(f"{hostile.PWNED}*"))
    print(f"\nhub loop in the browser: {time.monotonic() - started:.0f} s")


def test_a_student_cannot_reach_other_students_the_course_or_the_checks(hub):
    """Run as student B after the loop (A's submission and feedback exist)."""
    denied = {
        "A's home (fetched notebooks, feedback)": ["ls", f"/home/{A}"],
        "the list of submissions in the exchange": ["ls", str(EXCHANGE / "inbound")],
        "the list of released feedback": ["ls", str(EXCHANGE / "feedback")],
        "the course directory": ["ls", str(COURSE)],
        "the hidden checks": ["cat", str(COURSE / "autograder" / "checks" / "mlp.py")],
        "the gradebook (hidden tests, grades)": ["cat", str(COURSE / "gradebook.db")],
        "the checkout the hub was started from": ["ls", str(hub["checkout"])],
        "the hub's state (passwords, cookie secret, database)": ["cat", "/opt/bptt-hub/state/passwords"],
        "writing into the released assignment": ["touch", str(EXCHANGE / "outbound" / "bptt" / "x.ipynb")],
    }
    for what, cmd in denied.items():
        proc = as_user(B, *cmd)
        assert proc.returncode != 0 and "Permission denied" in proc.stderr, (what, proc.stdout, proc.stderr)
    # A's submission has an unguessable name (nbgrader adds a random string); without the
    # listing, B cannot find it. Its name is only known to root here:
    (submission,) = [p for p in (EXCHANGE / "inbound").iterdir()
                     if p.name.startswith(f"{A}+bptt+") and p.stat().st_uid == pwd.getpwnam(A).pw_uid]
    assert len(submission.name.rsplit("+", 1)[1]) >= 12
    # B can still do B's own work: read the release, submit into inbound (write-only).
    assert as_user(B, "ls", str(EXCHANGE / "outbound" / "bptt")).returncode == 0
    assert as_user(B, "test", "-w", str(EXCHANGE / "inbound")).returncode == 0


def test_the_class_report_of_the_hub_submissions_renders(hub, browser):
    out = hub["tmp"] / "grades"
    if not (out / "class_report.html").exists():
        pytest.skip("the loop test did not grade the class")
    report = json.loads((out / "class_report.json").read_text())
    dz_b = next(u for u in report["units"] if u["name"] == WRONG)
    assert [(d["count"], d["students"]) for d in dz_b["diagnoses"]] == [(1, [A])]
    assert dz_b["unfinished"] == 1 and report["students"] == 2
    page = browser.new_page(viewport={"width": 1200, "height": 1000})
    page.goto((out / "class_report.html").as_uri())
    page.wait_for_function("document.querySelector('#histogram').naturalWidth > 0")
    page.screenshot(path=str(SCREENSHOTS / "hub-class-report.png"), full_page=True)
    page.close()


# What B's detached process does if it outlives B's kernel (it runs with the kernel's rights): it
# rewrites every fresh copy of the checks the next kernels import, overwrites A's collected notebooks
# with the blank release, and leaves a mark in the course. It tags its command line so it can be found.
DETACHED = f"""
import glob, os, shutil, time
course, mark = {str(COURSE)!r}, {hostile.PWNED + '-detached'!r}
end = time.time() + 900
while time.time() < end:
    for checks in glob.glob('/tmp/bptt-checks-*/autograder/checks/__init__.py'):
        try:
            os.chmod(os.path.dirname(checks), 0o755); os.chmod(checks, 0o644)
            with open(checks, 'a') as f:
                f.write('\\ndef check(*a, **k):\\n    raise AssertionError(\"changed by a process B left behind\")\\n')
        except OSError:
            pass
    try:
        if not os.path.exists(os.path.join(course, mark)):
            for nb in glob.glob({str(EXCHANGE / 'outbound' / 'bptt')!r} + '/*.ipynb'):
                shutil.copy(nb, os.path.join(course, 'submitted', {A!r}, 'bptt', os.path.basename(nb)))
            open(os.path.join(course, mark), 'w').close()
    except OSError:
        pass
    time.sleep(0.2)
"""
DETACHED_CELL = ("import subprocess, sys\n"
                 f"subprocess.Popen(['setsid', '-f', sys.executable, '-c', {DETACHED!r}, {hostile.PWNED + '-detached'!r}],"
                 " stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
                 "print('B left a process behind')")


def detached_processes():
    """pids of processes whose command line carries B's detached mark."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (hostile.PWNED + "-detached").encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def test_a_process_left_by_bs_kernel_under_autograde_changes_nothing(hub, browser):
    """B resubmits a notebook whose cell leaves a detached process (setsid, double fork); the instructor
    collects and autogrades B, then A, in Formgrader. A's score and collected files are unchanged, and
    nothing of B's kernel outlives it."""
    a_before = {p.name: p.read_bytes() for p in (COURSE / "submitted" / A / "bptt").glob("*.ipynb")}
    if not a_before:
        pytest.skip("the loop test did not collect A's submission")
    teacher = login(browser, hub, INSTRUCTOR)
    teacher.goto(f"{hub['url']}/user/{INSTRUCTOR}/formgrader/manage_submissions/bptt")

    def score_of(student):
        row = teacher.locator("#main-table tr", has=teacher.locator("td.student-id", has_text=student))
        return row.locator("td.score").inner_text().strip()

    teacher.wait_for_selector("#main-table td.student-id")
    a_score = score_of(A)
    # B resubmits from a terminal: nbgrader submit, as B, with the hub's nbgrader.
    nb = Path(f"/home/{B}/bptt/{STEM}.ipynb")
    notebook = json.loads(nb.read_text())
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "source": DETACHED_CELL, "outputs": [],
                              "execution_count": None, "id": "b-detached"})
    nb.write_text(json.dumps(notebook, indent=1))
    proc = subprocess.run(["runuser", "-u", B, "--", "env", f"HOME=/home/{B}", "PATH=/opt/bptt-hub/venv/bin:/usr/bin:/bin",
                           "nbgrader", "submit", "bptt"], cwd=f"/home/{B}", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    try:
        manage_assignments(teacher, hub)
        formgrader_action(teacher, "collect", "Successfully collected submissions of 'bptt'")
        teacher.goto(f"{hub['url']}/user/{INSTRUCTOR}/formgrader/manage_submissions/bptt")
        for student in (B, A):
            row = teacher.locator("#main-table tr", has=teacher.locator("td.student-id", has_text=student))
            row.locator("td.autograde a").click()
            dialog = teacher.locator(".modal-dialog", has_text=f"Successfully autograded 'bptt' for student '{student}'")
            dialog.wait_for(state="visible")
            dialog.get_by_role("button", name="OK").click()
            dialog.wait_for(state="hidden")
            if student == B:
                time.sleep(3)                            # time for a left-behind process to act
                left = detached_processes()
        teacher.goto(f"{hub['url']}/user/{INSTRUCTOR}/formgrader/manage_submissions/bptt")
        teacher.wait_for_selector("#main-table td.student-id")
        shot(teacher, "instructor-autograded-after-detached")
        assert "B left a process behind" in (COURSE / "autograded" / B / "bptt" / f"{STEM}.ipynb").read_text()
        assert left == [], f"B's kernel left processes behind: {left}"
        assert {p.name: p.read_bytes() for p in (COURSE / "submitted" / A / "bptt").glob("*.ipynb")} == a_before
        assert not (COURSE / f"{hostile.PWNED}-detached").exists()
        assert score_of(A) == a_score, (score_of(A), a_score)
    finally:
        for pid in detached_processes():
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        # Put A's collected files back, so that a failure here leaves the classroom as the loop left it.
        for name, data in a_before.items():
            (COURSE / "submitted" / A / "bptt" / name).write_bytes(data)
