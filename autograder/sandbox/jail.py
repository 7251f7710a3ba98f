"""Parent side of the sandbox: start runner.py isolated, talk to it, kill it.

Two isolations (isolation.py chooses; the grader refuses rather than silently weakening):
- bwrap: a root built from an allow-list (allowlist.py) with runner.py, wire.py and enter.py
  read-only under /tmp/.grader and the public assignment files under /tmp/assignment (the
  working directory); own PID, network, IPC, UTS and mount namespaces, a fresh /proc and /dev,
  a new session, a clean environment; student code runs as the unprivileged sandbox user.
- process: a separate process as the sandbox user on the host's file system, protected by
  file permissions (protect.py); the same scripts and public files come from the stage folder.
Both: limits RLIMIT_AS (memory), RLIMIT_CPU (set by the runner before any student code), a
process limit (a pids cgroup per sandbox, or RLIMIT_NPROC), and wall-clock deadlines enforced
here by killing the process group (and the cgroup). Text coming back from student code is
bounded and stripped of control characters (clean_text) before it reaches any report.
"""
from __future__ import annotations

import atexit
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..replies import CallReply, CellOutcome, CellStatus, ErrorKind, Raised, Returned
from . import cgroups, memcg, wire
from .allowlist import mount_args, read_only_dirs, site_packages
from .isolation import SCRIPTS, Isolation, etc_files, namespace_args

HERE = Path(__file__).resolve().parent
GRADER_DIR = "/tmp/.grader"
WORK_DIR = "/tmp/assignment"
STARTUP_SECONDS = 30.0  # python + numpy start; generous for a loaded machine
MESSAGE_CHARS = 300     # of any text that comes from student code
# What the grader reads from the sandbox in one message: student code can write onto the
# channel, so these bound what one student can make the grader allocate.
REPLY_HEADER_BYTES = 16 << 20
REPLY_BYTES = 64 << 20


def clean_text(text: object, limit: int = MESSAGE_CHARS) -> str:
    """Student-originated text made safe for reports: printable characters only, at most `limit`."""
    text = str(text)[: limit * 2]
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class JailConfig:
    hide: list[str] = field(default_factory=list)       # folders covered by an empty tmpfs if inside the allow-list
    public_files: list[str] = field(default_factory=list)  # files/folders bound into the working dir
    memory_mb: int = 2048         # RLIMIT_AS of the runner
    cpu_seconds: int = 300        # RLIMIT_CPU of the runner (whole submission)
    cell_timeout: float = 30.0    # per notebook cell (runner's itimer; parent adds GRACE)
    call_timeout: float = 10.0    # per call of a student function
    submission_timeout: float = 600.0  # wall clock for one submission, all restarts included
    max_restarts: int = 8
    max_processes: int = 64       # pids cgroup limit (threads count too), or RLIMIT_NPROC
    grace: float = 3.0            # extra wall-clock seconds the parent allows past the runner's timer
    isolation: Isolation | None = None   # resolved by grade.make_config

    def key(self) -> str:
        """What changes scores, for the results cache."""
        mode = self.isolation.mode if self.isolation is not None else "none"
        return (f"mem={self.memory_mb} cpu={self.cpu_seconds} cell={self.cell_timeout} "
                f"call={self.call_timeout} sub={self.submission_timeout} restarts={self.max_restarts} grace={self.grace} "
                f"procs={self.max_processes} isolation={mode}")


def default_hidden(extra: Iterable[str | Path] = ()) -> list[str]:
    """Folders hidden even where an allowed folder contains them: the grader's code and repository."""
    paths = [str(HERE.parent), str(HERE.parent.parent)]
    return [p for p in dict.fromkeys(list(paths) + [str(e) for e in extra]) if p and p != "/"]


ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "BPTT_GRADING": "1",
       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def _environment(home: str) -> dict[str, str]:
    env = dict(ENV, HOME=home)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    return env


def _isolation(cfg: JailConfig) -> Isolation:
    if cfg.isolation is None:
        raise ValueError("the sandbox's isolation is not set (grade.make_config resolves it)")
    return cfg.isolation


def _runner_args(cfg: JailConfig, grader_dir: str, fd_in: int, fd_out: int) -> list[str]:
    iso = _isolation(cfg)
    return [os.path.realpath(sys.executable), "-I", "-S", f"{grader_dir}/enter.py", str(iso.uid), str(iso.gid),
            str(iso.nproc), f"{grader_dir}/runner.py", str(fd_in), str(fd_out),
            str(cfg.memory_mb << 20), str(cfg.cpu_seconds), os.pathsep.join(site_packages())]


def bwrap_command(cfg: JailConfig, fd_in: int, fd_out: int) -> list[str]:
    """The bwrap argument list that starts runner.py (through enter.py) with the given channel fds."""
    iso = _isolation(cfg)
    args = [iso.bwrap] + mount_args(read_only_dirs(), etc_files(iso), 64 << 20, cfg.hide)
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "0755", "--dir", GRADER_DIR]
    # Bound from the stage's copies (protect.stage_files), not from the course: a bind mount's source
    # path shows in /proc/self/mountinfo, and the course's location is none of the student's business.
    grader_dir, work_dir = iso.grader_dir, iso.work_dir
    for name in SCRIPTS:
        args += ["--ro-bind", str(Path(grader_dir) / name if grader_dir else HERE / name), f"{GRADER_DIR}/{name}"]
    args += ["--perms", "0755", "--dir", WORK_DIR]
    for item in cfg.public_files:
        source = Path(work_dir) / Path(item).name if work_dir else Path(item)
        args += ["--ro-bind", str(source), f"{WORK_DIR}/{Path(item).name}"]
    args += namespace_args()
    for k, v in _environment("/tmp").items():
        args += ["--setenv", k, v]
    return args + ["--chdir", WORK_DIR, "--"] + _runner_args(cfg, GRADER_DIR, fd_in, fd_out)


def allowed_paths(cfg: JailConfig) -> list[str]:
    """Host folders and files visible inside the bwrap sandbox (for the tests' walk of /)."""
    from .allowlist import SYSTEM_DIRS, TOP_LINKS

    links = [p for p in TOP_LINKS + SYSTEM_DIRS if os.path.islink(p)]
    return read_only_dirs() + sorted(etc_files(_isolation(cfg))) + links + ["/proc", "/dev"]


def sweep_cgroups(cfg: JailConfig | None = None) -> None:
    """Remove leftover sandbox cgroups of grader processes that no longer exist (killed pool workers)."""
    if cfg is not None and cfg.isolation is not None:
        cgroups.sweep(cfg.isolation.pids)
        cgroups.sweep(cfg.isolation.memory)


@atexit.register
def _remove_stale_cgroups() -> None:
    cgroups.remove_stale()


def _pid_namespace(pid: str) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def kill_user_processes(uid: int) -> None:
    """SIGKILL every process of the sandbox user in the grader's own PID namespace (process mode, no cgroup).

    A bubblewrap sandbox runs as the same user but in a PID namespace of its own: another
    grader's bwrap sandboxes on the same machine are not this grader's to kill.
    """
    own = _pid_namespace("self")
    for _ in range(5):
        found = False
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/status") as f:
                    uids = next(line for line in f if line.startswith("Uid:")).split()[1:]
            except (OSError, StopIteration):
                continue
            if str(uid) in uids[:1] and _pid_namespace(pid) == own:
                found = True
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except OSError:
                    pass
        if not found:
            return
        time.sleep(0.01)


class WorkerGone(Exception):
    """The sandboxed process ended, or was killed; `message` says why, in the student's terms."""

    def __init__(self, message: str, cell: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.cell = cell     # set by Worker.load: the index of the cell that was running

    def __str__(self) -> str:
        return self.message


class WorkerLate(WorkerGone):
    """The sandboxed process missed a deadline and was killed; the message names the deadline."""


# What a request that cannot be delivered in time says (the worker stopped reading its channel).
NOT_READING = "the sandbox stopped reading the grader's requests"


class Worker:
    """One sandboxed runner process: start, send requests, read answers, kill."""

    _homes = 0

    def __init__(self, cfg: JailConfig) -> None:
        self.cfg = cfg
        self.iso = _isolation(cfg)
        self.proc: subprocess.Popen[bytes] | None = None
        self.cgroup: str | None = None
        self.memory_cgroup: str | None = None
        self.oom_events: str | None = None
        self.home: str | None = None
        self.hard_deadline: float | None = None   # time.monotonic() past which nothing is waited for (whole submission)
        self.buffer = bytearray()

    def start(self) -> None:
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        self.stderr = tempfile.TemporaryFile()
        iso = self.iso
        if iso.mode == "bwrap":
            cmd, cwd, env = bwrap_command(self.cfg, to_child_r, from_child_w), "/", {"PATH": "/usr/bin:/bin"}
        else:
            from .protect import new_home

            Worker._homes += 1
            home = self.home = new_home(iso, f"{os.getpid()}-{Worker._homes}")
            grader_dir, work_dir = iso.grader_dir, iso.work_dir
            cmd, cwd = _runner_args(self.cfg, grader_dir, to_child_r, from_child_w), work_dir
            env = dict(_environment(home), TMPDIR=home, MPLCONFIGDIR=home)
        self.cgroup = cgroups.create(iso.pids, self.cfg.max_processes)
        self.memory_cgroup, self.oom_events = memcg.create(iso.memory, self.cfg.memory_mb, self.cgroup)
        # Enter the cgroups before the sandbox starts, so every process and page of it counts.
        enter = [c for c in (self.cgroup, self.memory_cgroup) if c]
        if len(enter) == 1:
            cmd = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', enter[0]] + cmd
        elif enter:
            cmd = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && echo $$ > "$1/cgroup.procs" && shift && exec "$@"',
                   *enter] + cmd
        # A bare environment and cwd for bwrap itself: inside the PID namespace its
        # /proc/1/environ and /proc/1/cwd are visible to the student.
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.stderr, pass_fds=(to_child_r, from_child_w),
                                     env=env, cwd=cwd, start_new_session=True)
        os.close(to_child_r)
        os.close(from_child_w)
        os.set_blocking(self.to_child, False)
        self.buffer = bytearray()
        hard, self.hard_deadline = self.hard_deadline, None   # start-up is the grader's cost, not the student's
        try:
            header, _ = self.receive(time.monotonic() + STARTUP_SECONDS,
                                     late=f"the sandbox did not start within {STARTUP_SECONDS:g}s")
        finally:
            self.hard_deadline = hard
        if header.get("op") != "ready":
            self.kill_only()
            raise WorkerGone("the sandbox did not start properly")

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        if self.proc is None:
            return
        self._kill_all()
        self.proc.wait()
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self.stderr.close()
        self.proc = None
        cgroups.remove(self.cgroup)
        cgroups.remove(self.memory_cgroup)
        self.memory_cgroup = self.oom_events = None
        if self.home:
            from ..tree import remove_tree
            from .protect import remove_left_behind

            # The student decides how deep the home is: a recursive rmtree would raise RecursionError.
            remove_tree(self.home)
            self.home = None
            remove_left_behind(self.iso.uid)

    def _kill_all(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # bwrap leads its session; its PID namespace dies with it
        except ProcessLookupError:
            pass
        if self.iso.mode == "process":
            # Without a PID namespace a daemon (setsid) leaves the process group: kill by cgroup, or
            # by uid where no cgroup exists (process mode grades one submission at a time).
            if self.cgroup:
                cgroups.kill(self.cgroup)
            else:
                kill_user_processes(self.iso.uid)

    def close(self) -> None:
        if self.proc is not None and self.alive:
            try:
                self.send({"op": "exit"}, deadline=time.monotonic() + 1)
                self.proc.wait(timeout=2)
            except (WorkerGone, subprocess.TimeoutExpired):
                pass
        self.kill()

    def death_message(self) -> str:
        """Why the process ended, in words."""
        code = self.proc.wait() if self.proc is not None else None
        if code is None:
            return "worker ended"
        if memcg.oom_killed(self.oom_events):
            return "memory limit exceeded (the sandbox's memory cgroup, files in memory included)"
        # bwrap reports the child's death by signal as exit status 128 + signal.
        if code < 0 or code > 128:
            sig = -code if code < 0 else code - 128
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = str(sig)
            if sig == signal.SIGXCPU:
                return "worker killed: CPU time limit exceeded"
            if sig == signal.SIGSEGV:
                return "worker crashed (signal SIGSEGV, segmentation fault)"
            return f"worker crashed (signal {name})"
        self.stderr.seek(0)
        err = self.stderr.read(4000).decode(errors="replace")
        if "MemoryError" in err or "Cannot allocate memory" in err:
            return "memory limit exceeded"
        if code != 0 and ("bwrap:" in err or "sandbox:" in err):
            return f"sandbox failed to start: {clean_text(err.strip())}"
        return f"worker crashed (exit code {code})"

    # ---- messages ---------------------------------------------------------
    # `late`: what WorkerLate says when the deadline passes (each request names its own deadline).
    def send(self, header: Mapping[str, object], value: object = None, has_value: bool = False,
             deadline: float | None = None, late: str = NOT_READING) -> None:
        if has_value:
            header = dict(header, value=None)
        data = memoryview(wire.pack(header, value))
        while data:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            _, ready, _ = select.select([], [self.to_child], [], timeout)
            if not ready:
                raise self._killed_after_deadline(late)
            try:
                data = data[os.write(self.to_child, data):]
            except BrokenPipeError:
                raise WorkerGone(self.death_message()) from None
            except BlockingIOError:
                continue

    def _read_exact(self, n: int, deadline: float, late: str) -> bytes:
        while len(self.buffer) < n:
            timeout = max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.from_child], [], [], timeout)
            if not ready:
                raise self._killed_after_deadline(late)
            chunk = os.read(self.from_child, max(n - len(self.buffer), 1 << 16))
            if not chunk:
                raise WorkerGone(self.death_message())
            self.buffer += chunk
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out

    def _killed_after_deadline(self, late: str) -> WorkerLate:
        self.kill_only()
        return WorkerLate(late)

    def kill_only(self) -> None:
        self._kill_all()
        if self.proc is not None:
            self.proc.wait()

    def receive(self, deadline: float, late: str) -> wire.Message:
        """The next message from the runner; WorkerGone if it dies, WorkerLate (saying `late`) if it is late."""
        if self.hard_deadline is not None:
            deadline = min(deadline, self.hard_deadline)
        try:
            message = wire.unpack_from(lambda n: self._read_exact(n, deadline, late), REPLY_HEADER_BYTES, REPLY_BYTES)
        except wire.WireError as exc:
            self.kill_only()
            raise WorkerGone(f"worker sent a malformed message ({exc})") from None
        if message.header.get("op") == "violation":     # relay.py: the student's process broke the protocol
            self.kill_only()
            raise WorkerGone(clean_text(message.header.get("message", "protocol violation")))
        return message

    # ---- requests ---------------------------------------------------------
    # Replies come from the relay (relay.py), which passes on only known replies rebuilt from checked
    # fields; student code can still write well-formed ones, so their order and sizes are checked here.
    def load(self, stem: str, cells: Sequence[Sequence[str]]) -> list[CellOutcome]:
        """Run a notebook's cells ([label, source] each) in a fresh namespace: one CellOutcome per cell.

        WorkerGone carries `.cell`, the index of the cell that was running (None when the
        request itself could not be delivered).
        """
        timeout = self.cfg.cell_timeout
        start = time.monotonic()
        self.send({"op": "load", "notebook": stem, "cells": cells, "timeout": timeout},
                  deadline=start + timeout + self.cfg.grace)
        outcomes: list[CellOutcome] = []
        late = f"timed out after {timeout:g}s (the cell ignored the interrupt)"
        while True:
            try:
                header, _ = self.receive(time.monotonic() + timeout + self.cfg.grace, late)
            except WorkerGone as gone:
                gone.cell = len(outcomes)
                raise
            if header.get("op") == "loaded":
                return outcomes
            if header.get("op") != "cell" or header.get("index") != len(outcomes) or len(outcomes) >= len(cells):
                self.kill_only()
                raise WorkerGone("the student's process broke the protocol: a cell outcome out of order",
                                 cell=len(outcomes))
            outcomes.append(CellOutcome(CellStatus.parse(clean_text(header.get("status"), 20)),
                                        clean_text(header.get("error", ""))))

    def call(self, stem: str, name: str, args: Sequence[object], oracles: Iterable[str],
             answer_oracle: Callable[[str, object], object] | None, timeout: float) -> CallReply:
        """Call the student's `name(*args)`: Returned(value) or Raised(kind, message).

        answer_oracle(name, args) -> value answers the runner's oracle requests
        (it raises OracleRefused to refuse; None refuses them all). WorkerGone when the
        process dies, WorkerLate when it is late.
        """
        deadline = time.monotonic() + timeout + self.cfg.grace
        late = f"timed out after {timeout:g}s (the function ignored the interrupt)"
        self.send({"op": "call", "notebook": stem, "name": name, "oracles": list(oracles),
                   "timeout": timeout}, args, has_value=True, deadline=deadline, late=late)
        n_oracle = 0
        while True:
            header, value = self.receive(deadline, late)
            op = header.get("op")
            if op == "result":
                return Returned(value)
            if op == "error":
                return Raised(ErrorKind.parse(clean_text(header.get("kind"), 20)), clean_text(header.get("message", "")))
            if op == "oracle":
                n_oracle += 1
                helper = str(header.get("name"))
                try:
                    if n_oracle > MAX_ORACLE_CALLS:
                        raise OracleRefused(f"more than {MAX_ORACLE_CALLS} helper calls in one case")
                    if answer_oracle is None:
                        raise OracleRefused(f"{helper} is not available")
                    answer = answer_oracle(helper, value)
                except OracleRefused as exc:
                    self.send({"op": "oracle_error", "message": str(exc)}, deadline=deadline, late=late)
                else:
                    self.send({"op": "oracle_result"}, answer, has_value=True, deadline=deadline, late=late)
                continue
            self.kill_only()
            raise WorkerGone("worker sent an unexpected message")


MAX_ORACLE_CALLS = 20000


class OracleRefused(Exception):
    """An oracle request the parent will not answer (wrong name, wrong time, bad input)."""
