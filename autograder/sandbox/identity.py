"""A sandbox identity per process-isolation run: a uid and gid of its own, held by a lock.

Process isolation has no namespaces, so what separates two runs on one machine is the uid: with
one shared sandbox user, each run's clean-up (kill(-1) as that uid, the sweep of the shared
writable folders) would end the other's sandboxes and delete its files. Each run therefore
claims a uid (and a gid of the same number) from a range no account uses, by holding an
exclusive lock on a file named after it in a folder only root can write, for as long as the run
lasts; a second run, or a crashed run's leftovers, never shares it. The sandbox user named by
--sandbox-user still has to exist (it is the account bwrap uses); process isolation borrows
only its role.
"""
from __future__ import annotations

import fcntl
import os
import pwd
import stat
import tempfile

BASE = 0x6B700000      # 1,802,502,144: far above any useradd range, below 2**31
SPAN = 4096
_held: dict[int, int] = {}   # uid -> the open lock file's descriptor


def lock_folder() -> str:
    """A folder of root's, mode 0700, for the locks (/run when it is writable, else the temporary folder)."""
    for parent in ("/run", tempfile.gettempdir()):
        path = os.path.join(parent, "bptt-sandbox-ids")
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError:
            continue
        st = os.lstat(path)
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o077:
            return path
    raise OSError("no private folder for the sandbox identities' locks (/run or the temporary folder)")


def _unused(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return False
    except KeyError:
        return True


def claim() -> int:
    """A uid (and gid) of this run's alone; released by release(uid) or when the process ends."""
    folder = lock_folder()
    start = os.getpid() % SPAN
    for i in range(SPAN):
        uid = BASE + (start + i) % SPAN
        if uid in _held or not _unused(uid):
            continue
        fd = os.open(os.path.join(folder, str(uid)), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        _held[uid] = fd
        return uid
    raise OSError(f"all {SPAN} sandbox identities are in use")


def release(uid: int) -> None:
    fd = _held.pop(uid, None)
    if fd is not None:
        os.close(fd)
