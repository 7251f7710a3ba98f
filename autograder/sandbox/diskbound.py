"""Process isolation's disk bound: a sandbox can write only into memory of a fixed size.

Without namespaces a sandbox could write the host's disk through its home and every
world-writable folder (/tmp, /var/tmp, ...): 3 GB in a test. So enter.py, still root, calls
`confine(home, size)` before it switches to the sandbox user:

1. the process gets a mount namespace of its own (unshare(CLONE_NEWNS)), every mount private,
   so nothing done below reaches the host's mount table;
2. every mount is made read-only there (a bind remount keeping each mount's other flags): no
   folder of the host, world-writable or not, takes a byte from the sandbox;
3. a tmpfs of `size` bytes, the sandbox uid's (0700), is mounted on its home (its HOME, TMPDIR
   and matplotlib cache), and one of its own (1777) on /dev/shm, where multiprocessing's
   semaphores live. Both are memory, charged to the sandbox's memory cgroup where there is one.

The mounts belong to the namespace, which ends with the sandbox's last process: what it wrote
goes with it, however it ends. The same size bounds bwrap's private /tmp (confine.py), so both
modes state one bound. It needs CAP_SYS_ADMIN (a root grader on a host or in a privileged
container); `probe` tells the grader at start whether the host allows it (isolation.resolve).

Standalone: standard library only (enter.py loads it by path, inside the sandbox, as root).
"""
from __future__ import annotations

import ctypes
import os

DISK_BYTES = 64 << 20      # each sandbox's writable space: bwrap's /tmp; process mode's home and /dev/shm
INODES = 65536             # files per tmpfs: empty files cost kernel memory too
CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME = 1 << 14, 1 << 18, 1 << 21
# statvfs's f_flag bit -> the mount flag a bind remount must repeat to keep it
KEEP = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC, os.ST_NOATIME: MS_NOATIME,
        os.ST_NODIRATIME: MS_NODIRATIME, os.ST_RELATIME: MS_RELATIME}


class Refused(Exception):
    """The host does not let the grader bound the disk: the reason in words."""


def _unescape(field: str) -> str:
    """A mountinfo path: spaces, tabs, newlines and backslashes are written as octal escapes."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1:i + 4].isdigit():
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mount_points() -> list[str]:
    with open("/proc/self/mountinfo", encoding="utf-8", errors="surrogateescape") as f:
        return list(dict.fromkeys(_unescape(line.split()[4]) for line in f if line.strip()))


def confine(home: str, size: int = DISK_BYTES) -> None:
    """Run as root, before the switch: the steps of the module's docstring; Refused if any fails."""
    libc = ctypes.CDLL(None, use_errno=True)

    def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
        if libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(), flags,
                      data and data.encode()) != 0:
            raise Refused(f"mount {target}: {os.strerror(ctypes.get_errno())}")

    if libc.unshare(CLONE_NEWNS) != 0:
        raise Refused(f"a mount namespace of its own: {os.strerror(ctypes.get_errno())}")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    for point in mount_points():
        try:
            st = os.statvfs(point)
        except OSError:
            continue          # covered by a later mount, or gone: nothing reachable to write there
        if st.f_flag & os.ST_RDONLY:
            continue
        keep = sum(flag for bit, flag in KEEP.items() if st.f_flag & bit)
        mount(None, point, None, MS_BIND | MS_REMOUNT | MS_RDONLY | keep)
    owner = os.stat(home)
    options = f"size={size},nr_inodes={INODES}"
    mount("tmpfs", home, "tmpfs", MS_NOSUID | MS_NODEV, f"{options},mode=0700,uid={owner.st_uid},gid={owner.st_gid}")
    if os.path.isdir("/dev/shm"):
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"{options},mode=1777")


def probe(python: str, enter: str, uid: int, gid: int, home: str, program: str) -> str | None:
    """Start enter.py with the bound on `program` (as uid) once: None when it held, else why not."""
    import subprocess     # here: the sandbox's own start-up never pays for it

    try:
        proc = subprocess.run([python, "-I", "-S", enter, str(uid), str(gid), "0", f"--disk={DISK_BYTES}:{home}",
                               program], capture_output=True, text=True, check=False, timeout=60,
                              env={"PATH": "/usr/bin:/bin"}, cwd="/")
    except (OSError, subprocess.SubprocessError) as exc:
        return f"the probe could not run ({exc})"
    if proc.returncode == 0:
        return None
    said = " ".join((proc.stderr or proc.stdout).split())
    return said.removeprefix("sandbox: ")[-300:] or f"exit status {proc.returncode}"
