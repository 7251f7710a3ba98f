"""Process isolation cannot be outrun or outlived (autograder/sandbox/reaper.py, identity.py, protect.py, relay.py).

Each batch runs the real command with `--isolation process` on the mini course, an honest
student graded after the attackers (students are graded in name order, one at a time):
- on a host with no pids cgroup, with the grader as PID 1 of its own PID namespace (a container
  without an init; here `unshare --pid` and an empty tmpfs over /sys/fs/cgroup): a fork chain
  left running by a cell, thousands of orphans left as zombies, a file planted in a root-owned
  sticky world-writable folder of /tmp (as .X11-unix is), an answer computed in a forked child;
- two runs at once on one machine, neither in a PID namespace of its own.
Whatever happens, the run exits 0 or 1, every student has one row, and the honest one keeps 8/8.
The bwrap side of each attack is covered by bwrap's PID namespace and private /tmp
(tests/test_sandbox.py::test_daemons_die_with_the_sandbox, test_only_the_private_tmp_is_writable).
"""
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.adversarial import hostview, minicourse

pytestmark = pytest.mark.slow   # sandboxed batches under process isolation

REPO = Path(__file__).resolve().parent.parent
PROCESS_OK, PROCESS_WHY = hostview.can_run_process_mode()
pytestmark = [pytestmark, pytest.mark.skipif(not (PROCESS_OK and os.path.exists("/usr/bin/unshare")),
                                             reason=PROCESS_WHY or "needs unshare(1)")]
MLP = "01_mlp_backprop"
TOKEN = uuid.uuid4().hex[:12]
CHAIN_NAME = f"chain{TOKEN[:8]}"      # the fork chain's comm (at most 15 characters)

# Once its own sandbox is gone, each link of the chain kills every process it may (later sandboxes).
FORK_CHAIN = r'''import ctypes, os, signal, time
mine = os.getpid()
if os.fork() == 0:
    os.setsid()
    ctypes.CDLL(None).prctl(15, {name!r}.encode(), 0, 0, 0)    # PR_SET_NAME: found by the test
    end = time.time() + 60
    while time.time() < end:
        try:
            if os.fork():
                os._exit(0)
            if not os.path.exists(f"/proc/{{mine}}"):
                os.kill(-1, signal.SIGKILL)
        except OSError:
            pass
    os._exit(0)
'''
ZOMBIES = r'''import os
made = 0
for _ in range(300):
    try:
        if os.fork() == 0:
            try:
                if os.fork() == 0:
                    os._exit(0)    # an orphan that ends at once: a zombie of whoever adopts it
            finally:
                os._exit(0)
        os.wait()
        made += 1
    except OSError:
        break
'''
STICKY = r'''import os
with open(os.path.join({folder!r}, "answers.txt"), "w") as f:
    f.write("the answers, for the next student")
'''
# dz_b's answer computed in a forked child, where the given-helper monitor does not run.
FORKED_ANSWER = """def dz_b(dz_netIn):
    import os
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(w, dz_netIn.sum(axis=0).tobytes())
        os._exit(0)
    os.waitpid(pid, 0)
    return np.frombuffer(os.read(r, 8 * dz_netIn.shape[1]))
"""
SLOW = r'''import time
time.sleep(6)
'''


def _run(root, course, out, prefix, extra=()):
    return subprocess.run(prefix + [sys.executable, "-m", "autograder", "grade", str(course / "submitted"),
                                    "--out", str(out), "--course", str(course), "--isolation", "process",
                                    "--cell-timeout", "10", "--call-timeout", "5", "--grace", "1", *extra],
                          cwd=REPO, capture_output=True, text=True, check=False, timeout=600)


def _no_cgroup_prefix(root, pid1):
    """hostview's view of Python, no cgroup hierarchy (an empty tmpfs over it), and optionally the
    grader as PID 1 of a new PID namespace."""
    view = hostview.prefix(root)
    lines = view[-2].split("\n")[:-1] if view else ["set -e"]
    lines += ["mount -t tmpfs -o size=1m tmpfs /sys/fs/cgroup", 'exec "$@"']
    pid = ["--pid", "--fork", "--mount-proc"] if pid1 else []
    return ["unshare", "--mount", "--propagation", "private", *pid, "/bin/sh", "-c", "\n".join(lines), "sh"]


def _rows(out):
    grades = json.loads((out / "grades.json").read_text())
    return {s["student"]: s for s in grades["submissions"]}


def _chain_alive():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == CHAIN_NAME:
                found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def pid1_batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("pid1")
    course = minicourse.write_course(root / "course")
    sticky = Path(f"/tmp/bptt-sticky-{TOKEN}")    # root's, world-writable, sticky: like /tmp/.X11-unix
    sticky.mkdir()
    os.chmod(sticky, 0o1777)
    submitted = course / "submitted"
    minicourse.student(submitted, "a_chain", extra={MLP: [FORK_CHAIN.format(name=CHAIN_NAME)]})
    minicourse.student(submitted, "b_zombies", extra={MLP: [ZOMBIES]})
    minicourse.student(submitted, "c_sticky", extra={MLP: [STICKY.format(folder=str(sticky))]})
    minicourse.student(submitted, "d_forked_answer", edits={MLP: {"dz_b": FORKED_ANSWER}})
    minicourse.student(submitted, "z_honest")
    out = root / "out"
    modes = hostview.modes_of(REPO)
    try:
        proc = _run(root, course, out, _no_cgroup_prefix(root, pid1=True))
    finally:
        hostview.restore(modes)
    time.sleep(1)
    chain = _chain_alive()
    for pid in chain:
        os.kill(pid, 9)
    left = sorted(p.name for p in sticky.iterdir())
    for p in sticky.iterdir():
        p.unlink()
    sticky.rmdir()
    yield dict(proc=proc, out=out, chain=chain, left=left)


def test_the_batch_with_the_grader_as_pid_1_and_no_cgroup_grades_everyone(pid1_batch):
    proc = pid1_batch["proc"]
    assert proc.returncode in (0, 1), proc.stderr
    rows = _rows(pid1_batch["out"])
    assert sorted(rows) == ["a_chain", "b_zombies", "c_sticky", "d_forked_answer", "z_honest"]
    assert "RLIMIT_NPROC" in rows["z_honest"]["isolation_detail"]     # no cgroup: the fallback was what held
    assert {name: row["score"] for name, row in rows.items()} == {"a_chain": 8, "b_zombies": 8, "c_sticky": 8,
                                                                   "d_forked_answer": 7, "z_honest": 8}


def test_a_fork_chain_does_not_outlive_its_sandbox(pid1_batch):
    """Had the chain outrun the clean-up, its kill(-1) would have ended the later students' sandboxes."""
    rows = _rows(pid1_batch["out"])
    later = {name: (row["score"], row.get("graded"), row.get("notes")) for name, row in rows.items()
             if name > "a_chain" and name not in ("c_sticky", "d_forked_answer")}
    assert later == {name: (8, True, []) for name in later}
    assert pid1_batch["chain"] == []


def test_a_graded_call_cannot_compute_its_answer_in_a_forked_child(pid1_batch):
    """The given-helper rule across processes: the fork fails in the call, and only that unit is lost."""
    row = _rows(pid1_batch["out"])["d_forked_answer"]
    lost = {t["name"]: t["output"] for t in row["tests"] if t["score"] < t["max_score"]}
    assert list(lost) == ["dz_b"] and "PermissionError: [Errno 1] Operation not permitted" in lost["dz_b"]


def test_files_in_a_sticky_world_writable_subfolder_of_tmp_are_swept(pid1_batch):
    """Under the disk bound the host's /tmp is read-only to the sandbox: the file is not even written.
    Where the host allows no bound, the sweep removes it (tests/test_disk_bound.py)."""
    assert pid1_batch["left"] == []
    notes = _rows(pid1_batch["out"])["c_sticky"]["notes"]
    assert len(notes) == 1 and "OSError: [Errno 30] Read-only file system" in notes[0]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two runs at once in the same PID namespace, no cgroup: the first grades a slow honest
    student while the second's quick students end (and are cleaned up) one after the other."""
    root = tmp_path_factory.mktemp("two-runs")
    courses = {}
    for run in ("first", "second"):
        course = minicourse.write_course(root / run / "course")
        if run == "first":
            minicourse.student(course / "submitted", "slow_honest", extra={MLP: [SLOW]})
        else:
            for i in range(4):
                minicourse.student(course / "submitted", f"quick_{i}")
        courses[run] = course
    modes = hostview.modes_of(REPO)
    try:
        procs = {}
        for run, course in courses.items():
            procs[run] = subprocess.Popen(_no_cgroup_prefix(root / run, pid1=False) + [
                sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--out", str(root / run / "out"),
                "--course", str(course), "--isolation", "process", "--cell-timeout", "20"],
                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(3 if run == "first" else 0)   # the first run's slow cell is running when the second starts
        results = {run: (p.wait(timeout=600), p.stderr.read()) for run, p in procs.items()}
    finally:
        hostview.restore(modes)
    yield {run: (code, err, _rows(root / run / "out")) for run, (code, err) in results.items()}


def test_two_process_mode_runs_on_one_machine_do_not_touch_each_other(two_runs):
    for run, (code, err, rows) in two_runs.items():
        assert code == 0, (run, err)
        assert all(row["score"] == 8 for row in rows.values()), {n: (r["score"], r.get("notes")) for n, r in rows.items()}
    assert sorted(two_runs["first"][2]) == ["slow_honest"]
    assert sorted(two_runs["second"][2]) == [f"quick_{i}" for i in range(4)]
    uids = {run: rows[next(iter(rows))]["isolation_detail"].split("uid ")[1].split()[0]
            for run, (_, _, rows) in two_runs.items()}
    assert uids["first"] != uids["second"]
