"""The one way into the sandbox: the grading worker (runner.py) and a Jupyter kernel (ipykernel) both start here.

A `Sandbox` starts one program through enter.py (the sandbox user, no capabilities, the seccomp
allow-list, RLIMIT_NPROC where no cgroup counts processes) in the isolation the grader resolved
(isolation.py): under bwrap a root built from the allow-list (allowlist.py) with the caller's
binds, own PID/network/IPC/UTS/mount namespaces, a new session and a clean environment; in
process mode a separate process on the host's file system (protect.py), with a private home and
temporary folder of its own (a 64 MiB tmpfs in a mount namespace of its own, every other mount
read-only: diskbound.py; unless the instructor allowed an unbounded disk). Both: a pids cgroup
and a memory cgroup per sandbox where the host has them, entered before the program starts so
every process and page of it counts. `kill` ends
everything the program started, including daemons that left its session (the PID namespace under
bwrap; the cgroup and a kill(-1) from the sandbox's own per-run uid in process mode), and reaps
them; `close` then removes the cgroups, the home and whatever the uid left in the host's shared
writable folders, and returns what it could not remove (the student's row names it).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from . import cgroups, diskbound, memcg, reaper
from .allowlist import mount_args, read_only_dirs, site_packages
from .isolation import Isolation, etc_files, namespace_args

HERE = Path(__file__).resolve().parent
GRADER_DIR = "/tmp/.grader"      # where the sandbox scripts are, inside bwrap
TMP_BYTES = diskbound.DISK_BYTES  # bwrap's private /tmp: the one bound of both modes
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "BPTT_GRADING": "1",
       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


@dataclass
class Program:
    """What runs in the sandbox, and what of the host it sees besides the allow-list.

    argv: what enter.py runs after the switch to the sandbox user: [script inside, args...] or
    ["-m", module, args...] (a module of site-packages, run with the site module: a kernel).
    binds: (host path, path inside, writable) under bwrap; in process mode the program uses the
    host paths themselves, so `inside` must equal `host` for anything the program is told about.
    """

    argv: list[str]
    work_dir: str                  # the working directory inside (bwrap) / on the host (process mode)
    binds: list[tuple[str, str, bool]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    scripts: str = ""              # the sandbox scripts' folder on the host (the stage's copies)
    script_names: Sequence[str] = ("enter.py",)
    site: bool = False             # run Python with its site module (a kernel needs its .pth files)
    hide: Sequence[str] = ()       # host folders covered by an empty tmpfs where an allowed one holds them
    pass_fds: Sequence[int] = ()


def environment(home: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(ENV, HOME=home)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    env.update(extra or {})
    return env


def enter_args(iso: Isolation, program: Program, grader_dir: str, home: str | None = None) -> list[str]:
    """home (process mode): the sandbox's home, made its tmpfs where the disk is bounded (diskbound.py)."""
    python = [os.path.realpath(sys.executable), "-I"] + ([] if program.site else ["-S"])
    disk = [f"--disk={iso.disk_bytes}:{home}"] if iso.mode == "process" and iso.disk_bytes and home else []
    return python + [f"{grader_dir}/enter.py", str(iso.uid), str(iso.gid), str(iso.nproc)] + disk + program.argv


def bwrap_command(iso: Isolation, program: Program, tmp_bytes: int = TMP_BYTES) -> list[str]:
    """The bwrap argument list that starts `program` through enter.py."""
    args = [iso.bwrap] + mount_args(read_only_dirs(), etc_files(iso), tmp_bytes, program.hide)
    args += ["--proc", "/proc", "--dev", "/dev", "--perms", "0755", "--dir", GRADER_DIR]
    for name in program.script_names:
        source = Path(program.scripts) / name if program.scripts else HERE / name
        args += ["--ro-bind", str(source), f"{GRADER_DIR}/{name}"]
    made = {"/", "/tmp", GRADER_DIR}
    if program.work_dir not in [inside for _, inside, _ in program.binds]:
        args += ["--perms", "0755", "--dir", program.work_dir]
        made.add(program.work_dir)
    for host, inside, writable in program.binds:
        parent, chain = os.path.dirname(inside), []
        while parent not in made and parent != "/":
            chain.append(parent)
            parent = os.path.dirname(parent)
        for d in reversed(chain):   # bwrap would make missing parents 0700: the sandbox user could not pass
            args += ["--perms", "0755", "--dir", d]
            made.add(d)
        args += ["--bind" if writable else "--ro-bind", host, inside]
        made.add(inside)
    # Read-only once built: the root and /dev are tmpfs of bwrap's without a size, which a grader
    # that is not root leaves to the sandbox's uid (its user namespace owns them). Only /tmp
    # (tmp_bytes) and the caller's writable binds stay writable.
    args += ["--remount-ro", "/dev", "--remount-ro", "/"]
    args += namespace_args()
    for k, v in program.env.items():
        args += ["--setenv", k, v]
    return args + ["--chdir", program.work_dir, "--"] + enter_args(iso, program, GRADER_DIR)


def runner_program(site: Sequence[str] | None = None) -> list[str]:
    """The site-packages argument runner.py takes (it runs with -S)."""
    return [os.pathsep.join(site_packages() if site is None else site)]


class Sandbox:
    """One confined program: its process, cgroups and (process mode) home; start, kill, close."""

    _homes = 0
    _said: set[str] = set()      # clean-up problems reported already (a file left stays left for the run)

    def __init__(self, iso: Isolation, memory_mb: int, max_processes: int) -> None:
        self.iso, self.memory_mb, self.max_processes = iso, memory_mb, max_processes
        self.proc: subprocess.Popen[bytes] | None = None
        self.cgroup: str | None = None
        self.memory_cgroup: str | None = None
        self.oom_events: str | None = None
        self.home: str | None = None

    def new_home(self) -> str:
        """Process mode: an empty folder of the sandbox uid (its HOME and TMPDIR), removed by close."""
        from .protect import new_home

        Sandbox._homes += 1
        self.home = new_home(self.iso, f"{os.getpid()}-{Sandbox._homes}")
        return self.home

    def command(self, program: Program) -> tuple[list[str], str, dict[str, str]]:
        """(argv, cwd, environment) of the process to start, cgroups not yet entered."""
        if self.iso.mode == "bwrap":
            # A bare environment and cwd for bwrap itself: inside the PID namespace its
            # /proc/1/environ and /proc/1/cwd are visible to the student.
            return bwrap_command(self.iso, program), "/", {"PATH": "/usr/bin:/bin"}
        return enter_args(self.iso, program, str(program.scripts), self.home), program.work_dir, dict(program.env)

    def prepare(self, program: Program) -> tuple[list[str], str, dict[str, str]]:
        """(argv, cwd, environment) to start, cgroups created and entered by the argv itself.

        For a caller that starts the process its own way (a kernel provisioner); set `proc` after.
        """
        cmd, cwd, env = self.command(program)
        self.cgroup = cgroups.create(self.iso.pids, self.max_processes)
        self.memory_cgroup, self.oom_events = memcg.create(self.iso.memory, self.memory_mb, self.cgroup)
        reaper.become_subreaper()
        # Enter the cgroups before the sandbox starts, so every process and page of it counts.
        enter = [c for c in (self.cgroup, self.memory_cgroup) if c]
        if len(enter) == 1:
            cmd = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', enter[0]] + cmd
        elif enter:
            cmd = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && echo $$ > "$1/cgroup.procs" && shift && exec "$@"',
                   *enter] + cmd
        return cmd, cwd, env

    def start(self, program: Program, stderr: IO[bytes] | int | None = subprocess.DEVNULL,
              stdout: IO[bytes] | int | None = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
        cmd, cwd, env = self.prepare(program)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                                     pass_fds=tuple(program.pass_fds), env=env, cwd=cwd, start_new_session=True)
        return self.proc

    def kill(self) -> None:
        """SIGKILL everything the program started, daemons included, and reap what comes back to us."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # bwrap leads its session; its PID namespace dies with it
        except ProcessLookupError:
            pass
        self.proc.wait()
        if self.iso.mode == "process":
            # Without a PID namespace a daemon (setsid) leaves the process group: the cgroup, then
            # kill(-1) as the run's own uid (one call reaches them all; a fork racing it fails).
            cgroups.kill(self.cgroup)
            reaper.kill_uid(self.iso.uid)
            reaper.reap(self.iso.uid)

    def close(self) -> list[str]:
        """After kill: remove the cgroups, the home and what the uid left in the host's shared folders.

        Returns what could not be deleted and was not said before (the student's row says it: files
        the run's uid keeps are within reach of the run's later sandboxes).
        """
        self.proc = None
        cgroups.remove(self.cgroup)
        cgroups.remove(self.memory_cgroup)
        self.cgroup = self.memory_cgroup = self.oom_events = None
        problems: list[str] = []
        if self.home:
            from ..tree import remove_tree
            from .protect import remove_left_behind

            # The student decides how deep the home is: a recursive rmtree would raise RecursionError.
            problems += remove_tree(self.home)
            self.home = None
            remove_left_behind(self.iso.uid, problems=problems)
        new = [p for p in problems if p not in Sandbox._said]
        Sandbox._said.update(new)
        return new
