"""Ending a process-mode sandbox completely: kill(-1) from its uid, the grader as subreaper, reaping.

Without a PID namespace, a daemon (double fork and setsid) leaves the sandbox's session, and a
chain of forks outruns any loop that lists processes and then kills them. One kill(-1) made as
the sandbox's uid signals every process of that uid at once, and a fork racing it fails (the
parent has a fatal signal pending); it is repeated until no process of the uid is left. That
uid belongs to this run alone (isolation.py's per-run identity), so no other grader's sandbox
is touched. Orphans of the sandbox are re-parented to the grader (PR_SET_CHILD_SUBREAPER), not
to PID 1, and reaped here: a grader that is PID 1 of a container without an init, or one with
no pids cgroup, would otherwise keep their zombies, which count against RLIMIT_NPROC.
"""
from __future__ import annotations

import ctypes
import os
import signal
import time
from collections.abc import Collection

PR_SET_CHILD_SUBREAPER = 36
ROUNDS = 3        # kill(-1) calls per round: one reaches every process of the uid at once


def become_subreaper() -> None:
    """Orphans of the grader's sandboxes come back to the grader (not to PID 1), to be reaped."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def kill_uid(uid: int, seconds: float = 5.0) -> bool:
    """SIGKILL every process of `uid` with kill(-1) made as that uid, until none is alive; True if it held.

    A child of the grader drops to the uid (root only) and calls kill(-1) a few times; the grader
    then reaps the orphans that came back to it and looks in /proc for a live process of the uid
    (kill(-1) itself cannot tell: it succeeds whenever any process exists).
    """
    if os.geteuid() != 0 or uid == 0:
        return False
    end = time.monotonic() + seconds
    while True:
        pid = os.fork()
        if pid == 0:   # pragma: no cover -- the child only makes system calls, then _exit
            try:
                os.setgroups([])
                os.setresuid(uid, uid, uid)
                for _ in range(ROUNDS):
                    os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        reap(uid)
        if not alive(uid):
            return True
        if time.monotonic() > end:
            return False
        time.sleep(0.001)


def alive(uid: int) -> list[int]:
    """Processes of `uid` that have not ended (zombies excluded), from /proc."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/status") as f:
                fields = dict(line.split(":", 1) for line in f if line.startswith(("State:", "Uid:")))
            if fields["Uid"].split()[0] == str(uid) and fields["State"].split()[0] not in ("Z", "X"):
                found.append(int(name))
        except (OSError, KeyError, IndexError, ValueError):
            continue
    return found


def _zombies(uid: int, spare: Collection[int] = ()) -> list[int]:
    """The grader's ended child processes (state Z) of `uid`, from /proc."""
    me, found = str(os.getpid()), []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in spare:
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z" or fields[1] != me:
                continue
            with open(f"/proc/{name}/status") as f:
                uids = next(line for line in f if line.startswith("Uid:")).split()[1:]
            if uids[:1] == [str(uid)]:
                found.append(int(name))
        except (OSError, ValueError, IndexError, StopIteration):
            continue
    return found


def reap(uid: int, spare: Collection[int] = ()) -> int:
    """Reap the sandbox's orphans that came back to the grader (only ended processes of `uid`)."""
    reaped = 0
    for pid in _zombies(uid, spare):
        try:
            os.waitpid(pid, os.WNOHANG)
            reaped += 1
        except ChildProcessError:
            pass
    return reaped
