"""Charging ALL of a sandbox's memory to its limit: a memory cgroup per sandbox, where the host has one.

RLIMIT_AS bounds a process's address space, but not memory held outside it: pages of a tmpfs
file, a memfd or shared memory stay allocated after the mapping is gone. A memory cgroup
charges those pages to the sandbox that wrote them, and its limit ends the sandbox (the kernel's
OOM killer, inside the cgroup only) when the sum passes it. In order of preference:
- "cgroup-v1": a child of the grader's own cgroup in the v1 memory hierarchy, when writable;
- "cgroup-v2": the memory controller, in the same per-sandbox cgroup as the pids limit
  (cgroups.py), when it is delegated there;
- "none": the host offers neither; then only the other bounds hold (RLIMIT_AS, a 64 MiB /tmp
  under bwrap, memfd_create refused by enter.py's filter, no writable /dev/shm).
`describe` says which, for the isolation detail line of every report.
"""
import os
from dataclasses import dataclass

from . import cgroups

PREFIX = cgroups.PREFIX


@dataclass
class MemoryLimit:
    kind: str           # "cgroup-v1" | "cgroup-v2" | "none"
    parent: str = ""    # cgroup-v1: folder under which each sandbox gets its own memory cgroup
    note: str = ""      # why a stronger mechanism was not used

    def describe(self, mb: int) -> str:
        text = {"cgroup-v1": f"memory cgroup v1 (memory.limit_in_bytes={mb} MiB per sandbox, tmpfs and memfd "
                             f"pages included)",
                "cgroup-v2": f"memory cgroup v2 (memory.max={mb} MiB per sandbox, tmpfs and memfd pages included)",
                "none": f"RLIMIT_AS={mb} MiB only (no memory cgroup: memory held in files is bounded by the "
                        f"sandbox's 64 MiB /tmp and memfd_create being refused)"}[self.kind]
        return text + (f" [{self.note}]" if self.note else "")


def detect(pids: cgroups.PidsLimit, root: str = cgroups.CGROUP_ROOT,
           self_cgroup: str = cgroups.SELF_CGROUP) -> MemoryLimit:
    """The memory limit this host offers, given the pids limit already chosen (a MemoryLimit)."""
    own = cgroups.own_cgroups(cgroups._read(self_cgroup))
    v1 = os.path.join(root, "memory")
    if os.path.isfile(os.path.join(v1, "memory.limit_in_bytes")):
        parent = cgroups._join(v1, own.get("memory", "/"))
        if os.path.isdir(parent) and os.access(parent, os.W_OK):
            return MemoryLimit("cgroup-v1", parent=parent)
        return MemoryLimit("none", note=f"cgroup v1 memory hierarchy {parent} not writable")
    if pids.kind == "cgroup-v2":
        ctl = os.path.join(pids.parent, "cgroup.subtree_control")
        if "memory" in (cgroups._read(os.path.join(pids.parent, "cgroup.controllers")) or "").split():
            try:
                if "memory" not in (cgroups._read(ctl) or "").split():
                    with open(ctl, "w") as f:
                        f.write("+memory")
                return MemoryLimit("cgroup-v2", parent=pids.parent)
            except OSError as exc:
                return MemoryLimit("none", note=f"cgroup v2: enabling memory under {pids.parent} failed "
                                                f"({exc.strerror})")
        return MemoryLimit("none", note=f"cgroup v2: the memory controller is not delegated to {pids.parent}")
    return MemoryLimit("none", note="no writable memory cgroup")


_counter = [0]


def create(limit: MemoryLimit, mb: int, pids_cgroup: str | None) -> tuple[str | None, str | None]:
    """(folder to enter or None, folder to read OOM events from) for one sandbox of `mb` MiB."""
    if limit.kind == "cgroup-v2" and pids_cgroup:
        try:
            with open(os.path.join(pids_cgroup, "memory.max"), "w") as f:
                f.write(str(mb << 20))
            _swap_off(os.path.join(pids_cgroup, "memory.swap.max"))
            return None, pids_cgroup
        except OSError:
            return None, None
    if limit.kind != "cgroup-v1":
        return None, None
    _counter[0] += 1
    path = os.path.join(limit.parent, f"{PREFIX}{os.getpid()}-m{_counter[0]}")
    try:
        os.mkdir(path)
        with open(os.path.join(path, "memory.limit_in_bytes"), "w") as f:
            f.write(str(mb << 20))
        _swap_off(os.path.join(path, "memory.memsw.limit_in_bytes"), mb << 20)
        return path, path
    except OSError:
        cgroups.remove(path)
        return None, None


def _swap_off(path: str, value: int = 0) -> None:
    """No swap beyond the limit (v1: memory+swap equal to memory; v2: no swap), where the knob exists."""
    if os.path.exists(path):
        try:
            with open(path, "w") as f:
                f.write(str(value))
        except OSError:
            pass


def oom_killed(path: str | None) -> bool:
    """True when the kernel killed a process of this sandbox for passing its memory limit."""
    if not path:
        return False
    for name, key in (("memory.events", "oom_kill"), ("memory.oom_control", "oom_kill")):
        text = cgroups._read(os.path.join(path, name)) or ""
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == key and parts[1].isdigit() and int(parts[1]) > 0:
                return True
    return False
