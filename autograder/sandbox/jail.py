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
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..replies import CallReply, CellOutcome, CellStatus, ErrorKind, Raised, Returned
from . import cgroups, confine, memcg, wire
from .allowlist import read_only_dirs, site_packages
from .isolation import SCRIPTS, Isolation, etc_files

HERE = Path(__file__).resolve().parent
GRADER_DIR = confine.GRADER_DIR
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
                f"procs={self.max_processes} isolation={mode} disk={self.isolation.disk_bytes if self.isolation else 0}")


def default_hidden(extra: Iterable[str | Path] = ()) -> list[str]:
    """Folders hidden even where an allowed folder contains them: the grader's code and repository."""
    paths = [str(HERE.parent), str(HERE.parent.parent)]
    return [p for p in dict.fromkeys(list(paths) + [str(e) for e in extra]) if p and p != "/"]


def _isolation(cfg: JailConfig) -> Isolation:
    if cfg.isolation is None:
        raise ValueError("the sandbox's isolation is not set (grade.make_config resolves it)")
    return cfg.isolation


def runner_program(cfg: JailConfig, fd_in: int, fd_out: int) -> confine.Program:
    """runner.py with the given channel fds, as confine.Sandbox starts it in either isolation."""
    iso = _isolation(cfg)
    argv = [str(fd_in), str(fd_out), str(cfg.memory_mb << 20), str(cfg.cpu_seconds), os.pathsep.join(site_packages())]
    if iso.mode == "bwrap":
        # Bound from the stage's copies (protect.stage_files), not from the course: a bind mount's source
        # path shows in /proc/self/mountinfo, and the course's location is none of the student's business.
        binds = [(str(Path(iso.work_dir) / Path(item).name if iso.work_dir else Path(item)),
                  f"{WORK_DIR}/{Path(item).name}", False) for item in cfg.public_files]
        return confine.Program([f"{GRADER_DIR}/runner.py"] + argv, WORK_DIR, binds, confine.environment("/tmp"),
                               iso.grader_dir, SCRIPTS, hide=cfg.hide, pass_fds=(fd_in, fd_out))
    return confine.Program([f"{iso.grader_dir}/runner.py"] + argv, iso.work_dir, scripts=iso.grader_dir,
                           pass_fds=(fd_in, fd_out))


def bwrap_command(cfg: JailConfig, fd_in: int, fd_out: int) -> list[str]:
    """The bwrap argument list that starts runner.py (through enter.py) with the given channel fds."""
    return confine.bwrap_command(_isolation(cfg), runner_program(cfg, fd_in, fd_out))


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

    def __init__(self, cfg: JailConfig, left_behind: list[str] | None = None) -> None:
        self.cfg = cfg
        # What the clean-up after this worker could not delete (confine.Sandbox.close), for the student's row.
        self.left_behind = [] if left_behind is None else left_behind
        self.iso = _isolation(cfg)
        self.box = confine.Sandbox(self.iso, cfg.memory_mb, cfg.max_processes)
        self.proc: subprocess.Popen[bytes] | None = None
        self.hard_deadline: float | None = None   # time.monotonic() past which nothing is waited for (whole submission)
        self.buffer = bytearray()

    @property
    def cgroup(self) -> str | None:
        return self.box.cgroup

    @property
    def home(self) -> str | None:
        return self.box.home

    def start(self) -> None:
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        self.stderr = tempfile.TemporaryFile()
        program = runner_program(self.cfg, to_child_r, from_child_w)
        if self.iso.mode == "process":
            home = self.box.new_home()
            program.env = confine.environment(home, {"TMPDIR": home, "MPLCONFIGDIR": home})
        self.proc = self.box.start(program, stderr=self.stderr)
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
        self.box.kill()
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self.stderr.close()
        self.proc = None
        self.left_behind += self.box.close()

    def _kill_all(self) -> None:
        self.box.kill()

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
        if memcg.oom_killed(self.box.oom_events):
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
                return Returned(value, clean_text(header.get("aliased", "")))
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
