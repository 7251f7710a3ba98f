"""What one sandbox can write is bounded in both isolation modes (autograder/sandbox/diskbound.py).

A writer fills its home in files of 16 MiB (under the 64 MiB per-file limit) until the system
stops it, then tries the host's shared writable folders; an honest student is graded after it.
Under bwrap the bound is the private 64 MiB /tmp; under `--isolation process` the sandbox has a
mount namespace of its own with a 64 MiB tmpfs home and /dev/shm, every other mount read-only.
Where the grader cannot make that namespace (no CAP_SYS_ADMIN, here dropped with setpriv),
process isolation refuses to grade unless --allow-unbounded-disk says to go on, and then a
sandbox's leftovers that cannot be removed (a file in an append-only shared folder) are named on
that student's row while the batch goes on.
"""
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.adversarial import hostview, minicourse

pytestmark = pytest.mark.slow   # sandboxed batches, one per isolation mode

REPO = Path(__file__).resolve().parent.parent
PROCESS_OK, PROCESS_WHY = hostview.can_run_process_mode()
MLP = "01_mlp_backprop"
TOKEN = uuid.uuid4().hex[:12]

# The cell's error says how much it wrote before the system stopped it (unbuffered: every byte counted).
FILL = r'''import os
folder = {folder}
written = 0
try:
    for i in range(16):                        # 256 MiB if nothing stops it: four times the bound
        with open(os.path.join(folder, f"fill-{name}-{{i}}"), "wb", buffering=0) as f:
            for _ in range(16):
                written += f.write(b"x" * (1 << 20))
except OSError as exc:
    raise OSError(f"{label}: wrote {{written >> 20}} MiB, then {{exc.strerror}}") from None
'''
PLANT = r'''import os
with open(os.path.join({folder!r}, "answers.txt"), "w") as f:
    f.write("the answers, for the next student")
'''


def _grade(course, out, isolation, prefix=(), extra=()):
    return subprocess.run([*prefix, sys.executable, "-m", "autograder", "grade", str(course / "submitted"),
                           "--out", str(out), "--course", str(course), "--isolation", isolation,
                           "--cell-timeout", "20", *extra],
                          cwd=REPO, capture_output=True, text=True, check=False, timeout=600)


def _rows(out):
    return {s["student"]: s for s in json.loads((out / "grades.json").read_text())["submissions"]}


def _writer_class(root):
    course = minicourse.write_course(root / "course")
    cells = [FILL.format(folder='os.path.expanduser("~")', label="home", name="home")] + [
        FILL.format(folder=repr(d), label=d, name=d.replace("/", "")) for d in ("/tmp", "/var/tmp", "/dev/shm")]
    minicourse.student(course / "submitted", "a_writer", extra={MLP: cells})
    minicourse.student(course / "submitted", "z_honest")
    return course


def _what_the_writer_was_told(row):
    """{folder: (MiB written, why it stopped)} from the writer's notes."""
    told = {}
    for note in row["notes"]:
        if "wrote" in note:
            folder, rest = note.split("OSError: ", 1)[1].split(": wrote ", 1)
            mib, why = rest.split(" MiB, then ", 1)
            told[folder] = (int(mib), why)
    return told


@pytest.fixture(scope="module", params=["bwrap", "process"])
def writer_batch(request, tmp_path_factory):
    mode = request.param
    if mode == "process" and not PROCESS_OK:
        pytest.skip(PROCESS_WHY)
    root = tmp_path_factory.mktemp(f"disk-{mode}")
    course = _writer_class(root)
    modes = hostview.modes_of(REPO)
    try:
        proc = _grade(course, root / "out", mode, hostview.prefix(root) if mode == "process" else ())
    finally:
        hostview.restore(modes)
    return mode, proc, root / "out"


def test_a_writer_is_stopped_at_the_bound_and_the_honest_student_keeps_full_marks(writer_batch):
    mode, proc, out = writer_batch
    assert proc.returncode in (0, 1), proc.stderr
    rows = _rows(out)
    assert sorted(rows) == ["a_writer", "z_honest"]
    assert {name: (row["score"], row["graded"]) for name, row in rows.items()} == {
        "a_writer": (8, True), "z_honest": (8, True)}
    assert rows["z_honest"]["notes"] == []
    assert "disk: a 64 MiB" in rows["z_honest"]["isolation_detail"]


def test_the_writers_row_says_where_it_was_stopped(writer_batch):
    mode, _, out = writer_batch
    told = _what_the_writer_was_told(_rows(out)["a_writer"])
    assert sorted(told) == ["/dev/shm", "/tmp", "/var/tmp", "home"], told   # a folder missing here took 256 MiB
    full = "No space left on device"
    if mode == "bwrap":
        # HOME is the private /tmp: one 64 MiB tmpfs, which the home's files fill; nothing else is
        # writable (/var/tmp is not in the sandbox, /dev/shm is a folder of bwrap's read-only /dev).
        assert told == {"home": (told["home"][0], full), "/tmp": (0, full),
                        "/var/tmp": (0, "No such file or directory"), "/dev/shm": (0, "Read-only file system")}
        assert 60 <= told["home"][0] <= 64
    else:
        # The home and /dev/shm are tmpfs of 64 MiB each; the host's /tmp and /var/tmp are
        # read-only in the sandbox's mount namespace.
        assert told == {"home": (told["home"][0], full), "/dev/shm": (told["/dev/shm"][0], full),
                        "/tmp": (0, "Read-only file system"), "/var/tmp": (0, "Read-only file system")}
        assert 60 <= told["home"][0] <= 64 and 60 <= told["/dev/shm"][0] <= 64


@pytest.fixture(scope="module")
def without_cap_sys_admin(tmp_path_factory):
    """Process isolation with the grader's CAP_SYS_ADMIN dropped (as in a default Docker container):
    once refused, once graded with --allow-unbounded-disk; a planter leaves a file in an
    append-only world-writable folder of /tmp, which the grader's clean-up cannot delete."""
    if not PROCESS_OK:
        pytest.skip(PROCESS_WHY)
    if not shutil.which("setpriv") or not shutil.which("chattr"):
        pytest.skip("needs setpriv(1) and chattr(1)")
    root = tmp_path_factory.mktemp("no-cap")
    stuck, sticky = Path(f"/tmp/bptt-append-only-{TOKEN}"), Path(f"/tmp/bptt-sticky-{TOKEN}")
    for folder in (stuck, sticky):      # root's, world-writable, sticky: like /tmp/.X11-unix
        folder.mkdir()
        os.chmod(folder, 0o1777)
    if subprocess.run(["chattr", "+a", str(stuck)], capture_output=True, check=False).returncode != 0:
        stuck.rmdir()
        sticky.rmdir()
        pytest.skip("the file system of /tmp has no append-only attribute")
    course = minicourse.write_course(root / "course")
    minicourse.student(course / "submitted", "a_planter", extra={MLP: [PLANT.format(folder=str(stuck))]})
    minicourse.student(course / "submitted", "b_sticky", extra={MLP: [PLANT.format(folder=str(sticky))]})
    minicourse.student(course / "submitted", "z_honest")
    prefix = hostview.prefix(root) + ["setpriv", "--bounding-set", "-sys_admin"]
    modes = hostview.modes_of(REPO)
    try:
        refused = _grade(course, root / "refused", "process", prefix)
        graded = _grade(course, root / "out", "process", prefix, ["--allow-unbounded-disk"])
    finally:
        hostview.restore(modes)
        subprocess.run(["chattr", "-a", str(stuck)], check=False)
        left = sorted(p.name for p in stuck.iterdir())
        swept = sorted(p.name for p in sticky.iterdir())
        shutil.rmtree(stuck)
        shutil.rmtree(sticky)
    return dict(refused=refused, graded=graded, out=root / "out", left=left, swept=swept, stuck=stuck)


def test_process_isolation_without_a_disk_bound_is_refused_unless_allowed(without_cap_sys_admin):
    refused = without_cap_sys_admin["refused"]
    assert refused.returncode == 2
    assert "cannot bound the disk a sandbox writes here" in refused.stderr
    assert "--allow-unbounded-disk" in refused.stderr
    rows = _rows(without_cap_sys_admin["out"])
    assert without_cap_sys_admin["graded"].returncode == 0, without_cap_sys_admin["graded"].stderr
    assert "disk: not bounded (--allow-unbounded-disk)" in rows["z_honest"]["isolation_detail"]


def test_files_the_clean_up_cannot_remove_are_named_on_that_students_row(without_cap_sys_admin):
    rows = _rows(without_cap_sys_admin["out"])
    assert {name: row["score"] for name, row in rows.items()} == {"a_planter": 8, "b_sticky": 8, "z_honest": 8}
    assert rows["b_sticky"]["notes"] == rows["z_honest"]["notes"] == []
    assert without_cap_sys_admin["swept"] == []      # what could be deleted was (protect.remove_left_behind)
    stuck = without_cap_sys_admin["stuck"]
    assert [n for n in rows["a_planter"]["notes"] if "clean-up" in n] == [
        f"clean-up: after this student's sandbox, {stuck}/answers.txt could not be deleted (Operation not "
        f"permitted); later students of this run may find it"]
    assert without_cap_sys_admin["left"] == ["answers.txt"]
    for report in ("feedback.html", "results.json"):     # the student's own report says it too
        assert f"{stuck}/answers.txt could not be deleted" in (without_cap_sys_admin["out"] / "a_planter" / report).read_text()
