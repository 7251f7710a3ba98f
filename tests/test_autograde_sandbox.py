"""`nbgrader autograde` runs every student's kernel in the grading command's sandbox (autograder/sandbox/kernel.py).

One real autograde of three students, notebook 01 each, all with correct solutions:
- a-attacker's first cell tries what a hostile kernel could: write into the course, read another
  student's submission, open an internet socket, leave a file in /tmp for the next kernel, and
  leave a detached process (double fork and setsid) that rewrites the next students' copy of the
  given module bptt_tools.py as soon as nbgrader writes it (which zeroes a perfect notebook);
- b-perfect is graded after it and must keep full marks;
- c-identity's first cell prints who it runs as, its namespaces and what it finds in /tmp.
"""
import json
import os
import pwd
import time
import uuid
from pathlib import Path

import pytest

from autograder import course
from autograder.sandbox import isolation
from tools import course_tools, factory

pytestmark = pytest.mark.slow   # a real nbgrader autograde

STEM = "01_mlp_backprop"
TOKEN = f"bptt-daemon-{uuid.uuid4().hex}"
NAMESPACES = ("pid", "net", "mnt", "ipc", "uts")
ROOT = os.geteuid() == 0

ATTACK = r'''
import json, os, socket, sys, time
COURSE, TOKEN = {course!r}, {token!r}
found = {{}}
def attempt(name, action):
    try:
        action()
        found[name] = "done"
    except BaseException as exc:
        found[name] = type(exc).__name__
attempt("write_course", lambda: open(os.path.join(COURSE, "source", "bptt", "planted.py"), "w").write("x"))
attempt("read_other", lambda: open(os.path.join(COURSE, "submitted", "b-perfect", "bptt", "01_mlp_backprop.ipynb")).read())
attempt("gradebook", lambda: open(os.path.join(COURSE, "gradebook.db"), "ab").write(b"x"))
attempt("internet", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
attempt("plant_tmp", lambda: open("/tmp/bptt-state-" + TOKEN, "w").write("answers"))
DAEMON = """
import glob, os, sys, time
course, token = sys.argv[1], sys.argv[2]
end = time.time() + 240
done = set()
while time.time() < end:
    for path in glob.glob(os.path.join(course, "autograded", "*", "bptt", "bptt_tools.py")):
        if "a-attacker" not in path and path not in done:
            try:
                with open(path, "r+") as f:
                    text = f.read()
                    f.seek(0)
                    f.write("raise ImportError('planted by a daemon')\n" + text)
                done.add(path)
            except OSError:
                pass
    time.sleep(0.02)
"""
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", DAEMON, COURSE, TOKEN])
    os._exit(0)
os.wait()
print(json.dumps(found))
'''

IDENTITY = r'''
import json, os
print(json.dumps({{"uid": os.getuid(), "gid": os.getgid(),
                  "ns": {{n: os.readlink("/proc/self/ns/" + n) for n in {namespaces!r}}},
                  "planted": os.path.exists("/tmp/bptt-state-" + {token!r})}}))
'''


def _with_first_cell(folder, source):
    path = folder / f"{STEM}.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"].insert(0, {"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
                           "execution_count": None})
    path.write_text(json.dumps(nb, indent=1) + "\n")


def _first_output(root, student):
    nb = json.loads((root / "autograded" / student / "bptt" / f"{STEM}.ipynb").read_text())
    text = "".join("".join(o["text"]) for o in nb["cells"][0]["outputs"] if o.get("output_type") == "stream")
    return json.loads(text.strip().splitlines()[-1])


def _token_processes():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if TOKEN.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def autograded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("autograde-sandbox")
    root = course_tools.make_course_copy(tmp)
    course.generate_release(root)
    submitted = root / "submitted"
    for student in ("a-attacker", "b-perfect", "c-identity"):
        factory.write_submission(submitted, student, stems=[STEM])
    _with_first_cell(submitted / "a-attacker" / "bptt", ATTACK.format(course=str(root), token=TOKEN))
    _with_first_cell(submitted / "c-identity" / "bptt", IDENTITY.format(namespaces=NAMESPACES, token=TOKEN))
    gradebook = (root / "gradebook.db").read_bytes() if (root / "gradebook.db").exists() else None
    course_tools.autograde(root)
    time.sleep(0.5)
    left = _token_processes()
    for pid in left:   # a failing run must not leave the daemon running on the machine
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    yield root, left, gradebook
    Path("/tmp/bptt-state-" + TOKEN).unlink(missing_ok=True)


def test_the_kernel_runs_as_the_sandbox_user_in_namespaces_of_its_own(autograded):
    root, _, _ = autograded
    seen = _first_output(root, "c-identity")
    want = pwd.getpwnam(isolation.DEFAULT_USER).pw_uid if ROOT else os.geteuid()
    assert seen["uid"] == want and (seen["uid"] != 0 or not ROOT)
    host = {n: os.readlink(f"/proc/self/ns/{n}") for n in NAMESPACES}
    assert all(seen["ns"][n] != host[n] for n in NAMESPACES), (seen["ns"], host)


def test_a_hostile_kernel_reaches_no_file_socket_or_other_student(autograded):
    root, _, _ = autograded
    found = _first_output(root, "a-attacker")
    assert found == {"write_course": "FileNotFoundError", "read_other": "FileNotFoundError",
                     "gradebook": "FileNotFoundError", "internet": "PermissionError", "plant_tmp": "done"}
    assert not (root / "source" / "bptt" / "planted.py").exists()
    assert not Path("/tmp/bptt-state-" + TOKEN).exists()        # its /tmp was the sandbox's own


def test_nothing_a_kernel_leaves_reaches_the_next_student(autograded):
    root, left, _ = autograded
    assert left == [], "the detached process outlived its kernel"
    assert _first_output(root, "c-identity")["planted"] is False
    tools = (root / "autograded" / "b-perfect" / "bptt" / "bptt_tools.py").read_text()
    assert "planted by a daemon" not in tools
    full = sum(course_tools.source_points(root)[STEM].values())
    scores = course_tools.gradebook_scores(root)
    assert scores["b-perfect"][STEM] == scores["c-identity"][STEM] == scores["a-attacker"][STEM] == full


def test_the_notebook_folder_is_the_graders_again_after_the_kernel(autograded):
    root, _, _ = autograded
    folder = root / "autograded" / "c-identity" / "bptt"
    assert folder.stat().st_uid == os.geteuid()
    assert all(p.stat().st_uid == os.geteuid() for p in folder.iterdir())
