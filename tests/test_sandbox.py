"""The sandbox itself: what student code can see and do from inside it.

Each probe runs as a notebook cell in a real bwrap sandbox (jail.Worker) and
reports what it found through the normal call protocol.
"""
import os
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.grade import make_config
from autograder.plan import read_plan
from autograder.sandbox import jail
from autograder.sandbox.jail import GRADER_DIR, WORK_DIR, Worker, WorkerGone
from tests.adversarial import minicourse

REPO = Path(__file__).resolve().parent.parent

PROBE = r'''
import os, sys, socket, resource, subprocess

def probe():
    found = {}
    try:
        import autograder
        found["import"] = "imported " + str(autograder.__file__)
    except ImportError as exc:
        found["import"] = type(exc).__name__
    def listing(path):
        try:
            return sorted(os.listdir(path))
        except OSError as exc:
            return type(exc).__name__
    def read(path):
        try:
            with open(path, "rb") as f:
                return f.read(20000).decode(errors="replace")
        except OSError as exc:
            return type(exc).__name__
    found["repo"] = listing("REPO")
    found["reference"] = read("REPO/autograder/reference/mlp.py")
    found["course"] = listing("COURSE")
    found["source"] = read("COURSE/source/bptt/01_mlp_backprop.ipynb")
    found["out"] = listing("OUT")
    found["home"] = listing("HOME")
    found["tmp"] = listing("/tmp")
    found["grader"] = listing("GRADER_DIR")
    found["cwd"] = os.getcwd()
    found["cwd_files"] = listing(".")
    found["parents"] = [listing(p) for p in ("..", "../..")]
    found["proc1_cwd"] = listing("/proc/1/cwd")
    found["proc1_environ"] = read("/proc/1/environ")
    found["proc1_root_repo"] = listing("/proc/1/root/REPO")
    found["pids"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    found["environ"] = dict(os.environ)
    found["sys_path"] = list(sys.path)
    found["rlimit_as"] = resource.getrlimit(resource.RLIMIT_AS)[0]
    found["rlimit_cpu"] = resource.getrlimit(resource.RLIMIT_CPU)[0]
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=2)
        found["network"] = "connected"
    except OSError as exc:
        found["network"] = type(exc).__name__
    try:
        with open("REPO/autograder/planted.py", "w") as f:
            f.write("x")
        found["write_repo"] = "written"
    except OSError as exc:
        found["write_repo"] = type(exc).__name__
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    for label, path in (("repo", "REPO"), ("tmp", "/tmp")):
        # Unmounting the tmpfs that hides a folder would reveal what is underneath.
        found["umount " + label] = str(libc.umount2(path.encode(), 2)) + " errno " + str(ctypes.get_errno())
    # A nested user namespace would give back every capability.
    found["unshare"] = str(libc.unshare(0x10000000 | 0x00020000)) + " errno " + str(ctypes.get_errno())
    found["caps"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")][0]
    import helper_module
    found["helper"] = helper_module.VALUE
    return {k: (v if isinstance(v, str) else repr(v)) for k, v in found.items()}

def start_daemon(marker):
    # Double fork + setsid: outside a PID namespace this would outlive the grader.
    subprocess.Popen(["/bin/sh", "-c", f"setsid sleep 600 {marker} &"], start_new_session=True)
    return np.zeros(1)

def memory_peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmPeak"):
            return np.array(float(line.split()[1]) / 1024)
'''


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    course = minicourse.write_course(tmp_path_factory.mktemp("course"))
    (course / "release" / "bptt").mkdir(parents=True)
    (course / "release" / "bptt" / "helper_module.py").write_text("VALUE = 'public helper'\n")
    out = tmp_path_factory.mktemp("out")
    plan = read_plan(course)
    cfg = make_config(plan, out, [course], memory_mb=1024, cell_timeout=5, call_timeout=5, grace=1)
    paths = {"REPO": REPO, "COURSE": course, "OUT": out, "HOME": Path.home(), "GRADER_DIR": GRADER_DIR}
    code = PROBE
    for key, value in paths.items():
        code = code.replace(key, str(value))
    worker = Worker(cfg)
    worker.start()
    outcomes = worker.load("probe", [("probe", "import numpy as np"), ("probe", code)])
    assert outcomes == [("ok", ""), ("ok", "")]
    yield worker, paths, cfg
    worker.close()


def call(worker, name, *args):
    reply = worker.call("probe", name, args, (), None, 20)
    assert reply[0] == "result", reply
    return reply[1]


# What listing a hidden folder gives: an empty tmpfs, or nothing at all.
HIDDEN = ("[]", "FileNotFoundError")


def test_grader_files_are_invisible_and_unwritable(sandbox):
    worker, paths, cfg = sandbox
    found = call(worker, "probe")
    assert found["import"] == "ModuleNotFoundError"
    # The repository is an empty tmpfs, or absent when an ancestor (e.g. /tmp) is hidden.
    assert found["repo"] in HIDDEN
    assert found["reference"] == "FileNotFoundError"
    # The test course and output live under /tmp, replaced as a whole: either way, nothing.
    assert found["course"] in ("[]", "FileNotFoundError")
    assert found["source"] == "FileNotFoundError"
    assert found["out"] in ("[]", "FileNotFoundError")
    assert found["write_repo"] in ("OSError", "PermissionError", "FileNotFoundError")
    assert not (REPO / "autograder" / "planted.py").exists()
    # The grader's HOME only shows the Python installation bound back in (here: pyenv under HOME).
    home = eval(found["home"]) if found["home"].startswith("[") else []
    assert all(not name.startswith(".") or Path(sys.base_prefix).is_relative_to(paths["HOME"] / name)
               for name in home)
    assert found["tmp"] == "['.grader', 'assignment']"


def test_hiding_cannot_be_undone(sandbox):
    worker, paths, cfg = sandbox
    found = call(worker, "probe")
    assert found["caps"] == "0000000000000000"
    # EPERM: no CAP_SYS_ADMIN (ENOENT when the repository sits under a hidden ancestor).
    assert found["umount repo"] in ("-1 errno 1", "-1 errno 2")
    assert found["umount tmp"] == "-1 errno 1"               # /tmp always exists: EPERM proves it
    assert found["unshare"].startswith("-1 errno")          # no nested user namespace
    assert call(worker, "probe")["repo"] in HIDDEN
    assert found["grader"] == "['runner.py', 'wire.py']"


def test_working_directory_holds_only_public_files(sandbox):
    worker, paths, cfg = sandbox
    found = call(worker, "probe")
    assert found["cwd"] == WORK_DIR
    assert found["cwd_files"] == "['helper_module.py']"
    assert found["helper"] == "public helper"           # importable like beside a notebook
    assert found["parents"] == "[['.grader', 'assignment'], " + repr(sorted(os.listdir("/"))) + "]"


def test_proc_environment_and_path_reveal_nothing(sandbox):
    worker, paths, cfg = sandbox
    found = call(worker, "probe")
    env = eval(found["environ"])
    assert set(env) <= {"PATH", "HOME", "LANG", "MPLBACKEND", "BPTT_GRADING", "OPENBLAS_NUM_THREADS",
                        "OMP_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PWD"}
    assert env["BPTT_GRADING"] == "1" and env["HOME"] == "/tmp" and env["MPLBACKEND"] == "Agg"
    assert str(REPO) not in found["sys_path"] and "autograder" not in found["sys_path"]
    assert str(REPO) not in found["proc1_environ"] and "PYTHONPATH" not in found["proc1_environ"]
    assert found["proc1_cwd"] in ("[]", "PermissionError") or str(REPO) not in found["proc1_cwd"]
    assert "autograder" not in found["proc1_cwd"]
    assert found["proc1_root_repo"] in ("[]", "PermissionError", "FileNotFoundError")
    # Own PID namespace: bwrap's init, the runner, and nothing of the host.
    assert max(eval(found["pids"])) < 50 and os.getpid() not in eval(found["pids"])[2:]
    assert found["network"] in ("OSError", "ConnectionRefusedError", "TimeoutError") or "Network" in found["network"]


def test_limits_are_set(sandbox):
    worker, paths, cfg = sandbox
    found = call(worker, "probe")
    assert int(found["rlimit_as"]) == 1024 << 20
    assert int(found["rlimit_cpu"]) == cfg.cpu_seconds
    # Python + NumPy + the runner need far less than the default 2 GiB limit.
    assert float(call(worker, "memory_peak")) < 512


def _host_processes_with(marker):
    hits = []
    for pid in os.listdir("/proc"):
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                hits.append(pid)
        except OSError:
            pass
    return hits


def test_daemons_die_with_the_sandbox(tmp_path):
    course = minicourse.write_course(tmp_path / "course")
    cfg = make_config(read_plan(course), tmp_path / "out", [course], cell_timeout=5, call_timeout=5, grace=1)
    worker = Worker(cfg)
    worker.start()
    assert worker.load("probe", [("probe", "import numpy as np\n" + PROBE)]) == [("ok", "")]
    marker = f"{os.getpid()}4242"
    call(worker, "start_daemon", marker)
    deadline = time.monotonic() + 5
    while not _host_processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _host_processes_with(marker), "the daemon should be running while the sandbox lives"
    worker.close()
    deadline = time.monotonic() + 5
    while _host_processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _host_processes_with(marker) == []


def test_a_hung_call_is_killed_at_the_deadline(tmp_path):
    course = minicourse.write_course(tmp_path / "course")
    cfg = make_config(read_plan(course), tmp_path / "out", [course], cell_timeout=5, call_timeout=1, grace=0.5)
    worker = Worker(cfg)
    worker.start()
    code = "import signal\ndef stuck():\n    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n    while True:\n        pass\n"
    assert worker.load("nb", [("c", code)]) == [("ok", "")]
    start = time.monotonic()
    with pytest.raises(WorkerGone, match="timed out after 1s"):
        worker.call("nb", "stuck", (), (), None, 1)
    assert time.monotonic() - start < 3
    assert not worker.alive
    worker.kill()


def test_oracle_requests_are_answered_only_as_the_callback_allows(tmp_path):
    course = minicourse.write_course(tmp_path / "course")
    cfg = make_config(read_plan(course), tmp_path / "out", [course], cell_timeout=5, call_timeout=5, grace=1)
    worker = Worker(cfg)
    worker.start()
    code = "def f(x):\n    return helper(x) + 1\n"
    assert worker.load("nb", [("c", code)]) == [("ok", "")]
    seen = []

    def answer(name, args):
        seen.append((name, args))
        return args[0] * 10

    kind, value = worker.call("nb", "f", (np.arange(3.0),), ("helper",), answer, 5)
    assert kind == "result" and value.tolist() == [1.0, 11.0, 21.0]
    assert seen[0][0] == "helper"
    # Without the oracle the name is undefined again: the proxy lived for that call only.
    reply = worker.call("nb", "f", (np.arange(3.0),), (), answer, 5)
    assert reply[0] == "error" and "NameError" in reply[2]
    worker.close()


@pytest.mark.skipif(not os.access("/sys/fs/cgroup/pids", os.W_OK), reason="no writable pids cgroup on this host")
def test_a_fork_bomb_hits_the_process_limit(tmp_path):
    course = minicourse.write_course(tmp_path / "course")
    cfg = make_config(read_plan(course), tmp_path / "out", [course], cell_timeout=5, call_timeout=10, grace=1)
    worker = Worker(cfg)
    worker.start()
    assert worker.cgroup and Path(worker.cgroup, "pids.max").read_text().strip() == "64"
    code = ("import os, time\ndef bomb():\n    n = 0\n    for _ in range(500):\n        if os.fork() == 0:\n"
            "            time.sleep(30)\n            os._exit(0)\n        n += 1\n    return n\n")
    assert worker.load("nb", [("c", code)]) == [("ok", "")]
    reply = worker.call("nb", "bomb", (), (), None, 10)
    assert reply[0] == "error" and "BlockingIOError" in reply[2]      # fork: Resource temporarily unavailable
    cgroup = worker.cgroup
    worker.close()
    jail.remove_cgroup(cgroup, wait=2.0)
    assert not Path(cgroup).exists()                                   # removable once the sandbox is gone
