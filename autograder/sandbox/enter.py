"""First code of the sandboxed process: become the unprivileged sandbox user, then run runner.py.

Usage: python -I -S enter.py UID GID NPROC RUNNER_PATH RUNNER_ARGS...

Under bwrap started by root the process starts as root (with only CAP_SETUID, CAP_SETGID and
CAP_SETPCAP): it empties its capability bounding set, drops every supplementary group and switches
its real, effective and saved ids to UID/GID, so root-owned files are protected by their
permissions and nothing can be regained (bwrap also sets no_new_privs). The uid change leaves
the process non-dumpable, so another process of the same uid cannot read its /proc entries or
its channel fds. In process mode the grader starts this as root too, outside any namespace.
When the grader is not root (bwrap in a user namespace) there is nothing to drop: UID is the
grader's own. NPROC > 0 sets RLIMIT_NPROC (the host offers no pids cgroup).

Standalone: standard library only; nothing of the autograder package is visible here.
"""
import ctypes
import os
import resource
import sys

PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_to(uid, gid):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)   # the grader's death kills this process (SIGKILL)
    if os.getuid() == 0 and uid != 0:
        for cap in range(64):
            libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)   # fails (harmlessly) past the last capability
        libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        # The uid change cleared the effective and permitted sets; clear the inheritable one too.
        data = (_CapData * 2)()
        libc.capset(ctypes.byref(_CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)), data)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid):
        raise SystemExit(f"sandbox: could not switch to uid {uid} gid {gid} (running as {os.getuid()})")
    if os.getuid() != 0 and 0 in os.getgroups():
        raise SystemExit("sandbox: the root group is still a supplementary group")


# seccomp: refuse new user namespaces (unshare/clone with CLONE_NEWUSER; clone3, whose flags a
# filter cannot read, gets ENOSYS so the C library falls back to clone) and internet sockets
# (process isolation has the host's network; under bwrap there is none anyway). A nested user
# namespace would give the student capabilities over a namespace of its own: nothing more of the
# host to see, but the kernel's largest attack surface. x32 and i386 system calls are refused on x86_64.
_ARCH = {"x86_64": (0xC000003E, 272, 56, 435, 41), "aarch64": (0xC00000B7, 97, 220, 435, 198)}
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
CLONE_NEWUSER = 0x10000000


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def refuse_user_namespaces():
    """no_new_privs (setuid programs of the host stay powerless) and the seccomp filter above."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SystemExit("sandbox: could not set no_new_privs")
    machine = os.uname().machine
    if machine not in _ARCH:
        return False
    arch, unshare, clone, clone3, socket = _ARCH[machine]
    ld, jeq, jset, jge, ret = 0x20, 0x15, 0x45, 0x35, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    x32 = 0x40000000 if machine == "x86_64" else 0xFFFFFFFF
    af_inet, af_inet6 = 2, 10
    # A foreign ABI (i386's int 0x80 on x86_64) would bypass the numbers below: refused whole.
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, enosys),                       # 0-2
            (ld, 0, 0, 0), (jge, 13, 0, x32), (jeq, 12, 0, clone3),                     # 3-5
            (jeq, 3, 0, unshare), (jeq, 2, 0, clone), (jeq, 4, 0, socket),             # 6-8
            (ret, 0, 0, allow),                                                         # 9
            (ld, 0, 0, 16), (jset, 5, 0, CLONE_NEWUSER), (ret, 0, 0, allow),            # 10-12 flags
            (ld, 0, 0, 16), (jeq, 2, 0, af_inet), (jeq, 1, 0, af_inet6), (ret, 0, 0, allow),  # 13-16 domain
            (ret, 0, 0, eperm), (ret, 0, 0, enosys)]                                    # 17-18
    filters = (_Filter * len(prog))(*[_Filter(*i) for i in prog])
    program = _Prog(len(prog), filters)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        raise SystemExit(f"sandbox: could not install the seccomp filter (errno {ctypes.get_errno()})")
    return True


def main(argv):
    uid, gid, nproc = int(argv[1]), int(argv[2]), int(argv[3])
    drop_to(uid, gid)
    refuse_user_namespaces()
    if nproc > 0:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    sys.argv = argv[4:]
    with open(argv[4], "rb") as f:
        code = compile(f.read(), argv[4], "exec")
    exec(code, {"__name__": "__main__", "__file__": argv[4], "__builtins__": __builtins__})  # noqa: S102


if __name__ == "__main__":
    main(sys.argv)
