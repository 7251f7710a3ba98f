"""Limiting how many processes a sandbox may start: which mechanism the host offers.

In order of preference:
- "cgroup-v1": a pids cgroup per sandbox under the v1 pids hierarchy (writable by the grader);
- "cgroup-v2": a pids cgroup per sandbox under the grader's own cgroup-v2 folder, when it is
  writable and the pids controller is delegated to it (a systemd `Delegate=yes` unit, a container
  with its own cgroup namespace mounted read-write);
- "rlimit-nproc": RLIMIT_NPROC of the unprivileged sandbox user (it counts every process of that
  uid on the host, so parallel sandboxes share it).

`detect` only reads; `setup` makes the choice usable (cgroup v2 may need the grader to move itself
into a leaf cgroup, because a cgroup that holds processes cannot enable controllers for children).
Both take the cgroup mount and the /proc/self/cgroup text as arguments so fake trees can test them.
"""
import errno
import os
import signal
import time
from dataclasses import dataclass
from typing import Protocol

CGROUP_ROOT = "/sys/fs/cgroup"
SELF_CGROUP = "/proc/self/cgroup"
PREFIX = "bptt-grader-"


@dataclass
class PidsLimit:
    kind: str            # "cgroup-v1" | "cgroup-v2" | "rlimit-nproc"
    parent: str = ""     # folder under which each sandbox gets its own cgroup (cgroup kinds)
    move_self: str = ""  # cgroup v2: leaf folder the grader must move into before enabling pids
    note: str = ""       # why the stronger mechanisms were not used

    def describe(self, limit: int) -> str:
        text = {"cgroup-v1": f"pids cgroup v1 (pids.max={limit} per sandbox)",
                "cgroup-v2": f"pids cgroup v2 (pids.max={limit} per sandbox)",
                "rlimit-nproc": f"RLIMIT_NPROC={limit} of the sandbox user"}[self.kind]
        return text + (f" [{self.note}]" if self.note else "")


class CgroupParent(Protocol):
    """What sweep needs of a limit: a PidsLimit, or memcg's MemoryLimit (memcg imports this module)."""

    @property
    def kind(self) -> str: ...

    @property
    def parent(self) -> str: ...


def _read(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def own_cgroups(text: str | None) -> dict[str, str]:
    """{"pids": v1 path, "": v2 path} of a /proc/<pid>/cgroup text."""
    out: dict[str, str] = {}
    for line in (text or "").splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers = parts[1].split(",") if parts[1] else [""]
        for c in controllers:
            out[c] = parts[2]
    return out


def _join(mount: str, path: str) -> str:
    return os.path.normpath(os.path.join(mount, path.lstrip("/")))


def detect(root: str = CGROUP_ROOT, self_cgroup: str = SELF_CGROUP, pid: int | None = None) -> PidsLimit:
    """The strongest process limit this host offers (a PidsLimit; never None)."""
    pid = os.getpid() if pid is None else pid
    own = own_cgroups(_read(self_cgroup))
    notes = []
    v1 = os.path.join(root, "pids")
    if os.path.isfile(os.path.join(v1, "tasks")):
        parent = _join(v1, own.get("pids", "/"))
        if os.path.isdir(parent) and os.access(parent, os.W_OK):
            return PidsLimit("cgroup-v1", parent=parent)
        notes.append(f"cgroup v1 pids hierarchy {parent} not writable")
    for mount in (root, os.path.join(root, "unified")):
        if os.path.isfile(os.path.join(mount, "cgroup.controllers")):
            found = _v2(mount, own.get("", "/"), pid)
            if isinstance(found, PidsLimit):
                return found
            notes.append(found)
            break
    else:
        notes.append("no cgroup v2 mount")
    return PidsLimit("rlimit-nproc", note="; ".join(notes))


def _v2(mount: str, path: str, pid: int) -> PidsLimit | str:
    base = _join(mount, path)
    controllers = (_read(os.path.join(base, "cgroup.controllers")) or "").split()
    if "pids" not in controllers:
        return f"cgroup v2: the pids controller is not delegated to {base}"
    if not (os.access(base, os.W_OK) and os.access(os.path.join(base, "cgroup.subtree_control"), os.W_OK)):
        return f"cgroup v2: {base} is not writable by the grader"
    if "pids" in (_read(os.path.join(base, "cgroup.subtree_control")) or "").split():
        return PidsLimit("cgroup-v2", parent=base)
    procs = {p for p in (_read(os.path.join(base, "cgroup.procs")) or "").split()}
    if base == os.path.normpath(mount) or not procs or procs <= {str(pid)}:
        # The root is exempt from "no processes in a cgroup with controllers for children";
        # elsewhere the grader first moves itself into a leaf of its own.
        move = "" if base == os.path.normpath(mount) or not procs else os.path.join(base, f"{PREFIX}{pid}-main")
        return PidsLimit("cgroup-v2", parent=base, move_self=move)
    return (f"cgroup v2: {base} holds other processes, so pids cannot be enabled for sub-cgroups "
            f"(run the grader in a delegated cgroup of its own, e.g. systemd-run --scope -p Delegate=yes)")


def setup(limit: PidsLimit, pid: int | None = None) -> PidsLimit:
    """Make `limit` usable (cgroup v2: enable pids for children); returns it, or a rlimit-nproc fallback."""
    if limit.kind != "cgroup-v2":
        return limit
    pid = os.getpid() if pid is None else pid
    try:
        if limit.move_self:
            os.makedirs(limit.move_self, exist_ok=True)
            with open(os.path.join(limit.move_self, "cgroup.procs"), "w") as f:
                f.write(str(pid))
        ctl = os.path.join(limit.parent, "cgroup.subtree_control")
        if "pids" not in (_read(ctl) or "").split():
            with open(ctl, "w") as f:
                f.write("+pids")
    except OSError as exc:
        return PidsLimit("rlimit-nproc", note=f"cgroup v2: enabling pids under {limit.parent} failed ({exc.strerror})")
    return limit


_counter = [0]
_stale: set[str] = set()   # cgroups that still had processes when removed


def create(limit: PidsLimit | None, max_processes: int) -> str | None:
    """A fresh cgroup for one sandbox allowing `max_processes` tasks, or None (rlimit kinds)."""
    if limit is None or limit.kind == "rlimit-nproc" or not max_processes:
        return None
    for old in list(_stale):
        remove(old)
    _counter[0] += 1
    path = os.path.join(limit.parent, f"{PREFIX}{os.getpid()}-{_counter[0]}")
    try:
        os.mkdir(path)
        with open(os.path.join(path, "pids.max"), "w") as f:
            f.write(str(max_processes))
        return path
    except OSError:
        remove(path)
        return None


def kill(path: str | None) -> None:
    """SIGKILL every process of a sandbox cgroup (processes that left the process group too)."""
    if not path:
        return
    if os.path.exists(os.path.join(path, "cgroup.kill")):
        try:
            with open(os.path.join(path, "cgroup.kill"), "w") as f:
                f.write("1")
            return
        except OSError:
            pass
    for _ in range(20):
        pids = (_read(os.path.join(path, "cgroup.procs")) or "").split()
        if not pids:
            return
        for p in pids:
            try:
                os.kill(int(p), signal.SIGKILL)
            except (OSError, ValueError):
                pass
        time.sleep(0.005)


def remove(path: str | None, wait: float = 0.0) -> None:
    """Remove a sandbox's cgroup; if its processes are still exiting, retry later (or wait)."""
    if not path:
        return
    end = time.monotonic() + wait
    while True:
        try:
            os.rmdir(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            if exc.errno in (errno.EBUSY, errno.ENOTEMPTY) and time.monotonic() < end:
                time.sleep(0.01)
                continue
            _stale.add(path)   # killed processes leave within milliseconds: the next start retries
            return
        _stale.discard(path)
        return


def sweep(limit: CgroupParent | None) -> None:
    """Remove leftover sandbox cgroups of grader processes that no longer exist (killed pool workers)."""
    if limit is None or limit.kind in ("rlimit-nproc", "none") or not limit.parent:
        return
    try:
        names = os.listdir(limit.parent)
    except OSError:
        return
    for name in names:
        parts = name[len(PREFIX):].split("-")
        if (name.startswith(PREFIX) and len(parts) == 2 and parts[0].isdigit() and parts[1].lstrip("m").isdigit()
                and not os.path.exists(f"/proc/{parts[0]}")):
            kill(os.path.join(limit.parent, name))
            remove(os.path.join(limit.parent, name), wait=0.5)


def remove_stale() -> None:
    for path in list(_stale):
        remove(path, wait=1.0)
