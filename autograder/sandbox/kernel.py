"""A Jupyter kernel in the grading command's sandbox: the kernel manager nbgrader's Execute step uses.

`SandboxedKernelManager` is jupyter_client's AsyncKernelManager with one difference: the kernel
process starts through confine.Sandbox, the same entry as the grading worker, so it runs as the
sandbox user, in bwrap's namespaces and allow-listed root, under enter.py's seccomp filter, with
the memory and pids cgroups (or rlimits) of the grading command. It reaches the grader only
through its ZeroMQ sockets, which use the `ipc` transport: files in a folder of its own (the
sandbox uid's, mode 0700), bound into the sandbox at the same path, beside the connection file.
Of the course it sees only the notebook's folder (nbgrader's autograded/<student>/<assignment>/,
its working directory, bound writable at WORK_DIR and owned by the sandbox uid while the kernel
runs) and, read-only, the folders of the PYTHONPATH the Execute step hands it. Interrupts go
as messages on the control channel (bwrap's new session is out of reach of the manager's
process-group signal); shutting the kernel down, or killing it, ends its PID namespace, so every
process it started dies with it, a double-forked setsid daemon included.

The isolation is resolved once per process (bwrap; the grader refuses rather than grading with
less, as the grading command does) and released at exit.
"""
from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile
import typing as t
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Int, Unicode

from . import confine, isolation
from .account import ensure_sandbox_user
from .allowlist import site_packages

WORK_DIR = "/tmp/notebook"          # the notebook's folder, inside
SCRIPTS = ("enter.py", "kernel_start.py")
HERE = Path(__file__).resolve().parent
# What of the launching environment a kernel keeps (the rest is the sandbox's own, confine.ENV).
PASSED_ENV = ("BPTT_GRADING", "NBGRADER_EXECUTION", "PYTHONPATH")
_resolved: dict[tuple[str, str, int, int], isolation.Isolation] = {}


def resolved(mode: str, user: str, max_processes: int, memory_mb: int) -> isolation.Isolation:
    """The Isolation of this process's kernels (resolved once: bwrap's probe costs a start-up)."""
    key = (mode, user, max_processes, memory_mb)
    if key not in _resolved:
        ensure_sandbox_user(user)
        iso = isolation.resolve(mode, user, max_processes=max_processes, memory_mb=memory_mb)
        if iso.mode != "bwrap":
            isolation.release(iso)
            raise isolation.IsolationError("a kernel runs only under bwrap (its working folder is bound into "
                                           "the sandbox)", "grade with --isolation process through "
                                           "`python -m autograder grade` instead")
        scripts = Path(iso.stage, "kernel-scripts")
        scripts.mkdir(mode=0o755)
        for name in SCRIPTS:   # bound from copies: a bind's source path shows in /proc/self/mountinfo
            shutil.copyfile(HERE / name, scripts / name)
            os.chmod(scripts / name, 0o644)
        iso.grader_dir = str(scripts)
        _resolved[key] = iso
        atexit.register(isolation.release, iso)
    return _resolved[key]


def python_path_binds(value: str) -> list[tuple[str, str, bool]]:
    """Read-only binds for PYTHONPATH's folders, and for the folders their top-level links point to."""
    binds: list[tuple[str, str, bool]] = []
    for entry in (p for p in value.split(os.pathsep) if p and os.path.isdir(p)):
        binds.append((entry, entry, False))
        for item in Path(entry).iterdir():
            if item.is_symlink() and item.is_dir():
                target = os.path.realpath(item)
                binds.append((target, target, False))
    return binds


class SandboxedKernelManager(AsyncKernelManager):
    """AsyncKernelManager whose kernel runs in the grading command's sandbox (see the module's docstring)."""

    isolation_mode = Unicode("bwrap", help="bwrap (auto is bwrap)").tag(config=True)
    sandbox_user = Unicode(isolation.DEFAULT_USER, help="who the kernel runs as when the grader is root").tag(config=True)
    memory_mb = Int(2048, help="the kernel's memory limit (RLIMIT_AS, and its memory cgroup)").tag(config=True)
    max_processes = Int(64, help="the kernel's process limit (pids cgroup, or RLIMIT_NPROC)").tag(config=True)

    _box: confine.Sandbox | None = None
    _ipc_dir: str | None = None
    _work: tuple[str, int, int, int] | None = None     # (folder, its uid, gid and mode) to give back

    def _iso(self) -> isolation.Isolation:
        return resolved(self.isolation_mode, self.sandbox_user, self.max_processes, self.memory_mb)

    async def _async_pre_start_kernel(self, **kw: t.Any) -> tuple[list[str], dict[str, t.Any]]:
        iso = self._iso()
        self._ipc_dir = tempfile.mkdtemp(prefix="kernel-", dir=iso.stage)
        os.chown(self._ipc_dir, iso.uid, iso.gid)
        self.transport = "ipc"
        self.ip = os.path.join(self._ipc_dir, "zmq")
        self.connection_file = os.path.join(self._ipc_dir, "connection.json")
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        os.chown(self.connection_file, iso.uid, iso.gid)   # the kernel reads its key; nobody else can
        return cmd, kw

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: t.Any) -> None:
        iso = self._iso()
        assert self._ipc_dir is not None
        launch_env: dict[str, str] = dict(kw.get("env") or os.environ)
        work = os.path.realpath(kw.get("cwd") or os.getcwd())
        st = os.stat(work)
        self._work = (work, st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode))
        os.chown(work, iso.uid, iso.gid)        # the notebook may write its own files there
        # bwrap enters it (--chdir) before the switch to the sandbox user, as a root without
        # CAP_DAC_OVERRIDE: a 0700 folder would stop it, so the owner and others may traverse it.
        os.chmod(work, stat.S_IMODE(st.st_mode) | 0o701)
        env = confine.environment("/tmp", {k: launch_env[k] for k in PASSED_ENV if k in launch_env})
        env.pop("MPLBACKEND", None)             # a kernel's own default (inline figures), as without the sandbox
        # The parent is in another PID namespace: 1 tells ipykernel not to poll for it (nor to print
        # its connection banner on the grader's terminal, as a kernel without a parent does).
        env["JPY_PARENT_PID"] = "1"
        binds = [(self._ipc_dir, self._ipc_dir, True), (work, WORK_DIR, True)]
        binds += python_path_binds(env.get("PYTHONPATH", ""))
        # The interpreter starts as its real file (confine.enter_args), and a venv's python is a link
        # to the system's: the venv's site-packages (ipykernel, zmq) must be named, as the runner's are.
        paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join(paths + [p for p in site_packages() if p not in paths])
        if "ipykernel_launcher" not in kernel_cmd:
            raise isolation.IsolationError(f"the kernel command {kernel_cmd} is not ipykernel's",
                                           "use a Python kernel spec (python -m ipykernel_launcher -f ...)")
        args = kernel_cmd[kernel_cmd.index("ipykernel_launcher") + 1:]
        program = confine.Program([f"{confine.GRADER_DIR}/kernel_start.py"] + args, WORK_DIR, binds, env,
                                  iso.grader_dir, SCRIPTS, site=True)
        self._box = confine.Sandbox(iso, self.memory_mb, self.max_processes)
        cmd, cwd, bare_env = self._box.prepare(program)
        kw.update(env=bare_env, cwd=cwd)
        await super()._async_launch_kernel(cmd, **kw)
        self._box.proc = getattr(self.provisioner, "process", None)

    async def _async_interrupt_kernel(self) -> None:
        """A message on the control channel: a signal to the manager's process group cannot reach the kernel."""
        if self.has_kernel:
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

    interrupt_kernel = _async_interrupt_kernel

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        self._end_sandbox()
        await super()._async_cleanup_resources(restart=restart)

    cleanup_resources = _async_cleanup_resources

    def _end_sandbox(self) -> None:
        box, self._box = self._box, None
        if box is not None:
            box.kill()
            box.close()
        if self._work is not None:
            work, uid, gid, mode = self._work
            self._work = None
            give_back(work, uid, gid, self._iso().uid)
            os.chmod(work, mode)
        if self._ipc_dir is not None:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None


def give_back(folder: str, uid: int, gid: int, sandbox_uid: int) -> None:
    """The notebook's folder and what the kernel made in it (its top level) belong to the grader again."""
    os.chown(folder, uid, gid)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.stat(follow_symlinks=False).st_uid == sandbox_uid:
                os.chown(entry.path, uid, gid, follow_symlinks=False)
        except OSError:
            pass
