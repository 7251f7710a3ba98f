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


def drop_to(uid: int, gid: int) -> None:
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


class _Numbers:
    """One architecture's numbers for the filter (a class, not a dataclass: this module imports nothing more)."""

    def __init__(self, audit: int, unshare: int, clone: int, clone3: int, socket: int, socketpair: int,
                 enosys: tuple[int, ...], eperm: tuple[int, ...]) -> None:
        self.audit, self.unshare, self.clone, self.clone3 = audit, unshare, clone, clone3
        self.socket, self.socketpair, self.enosys, self.eperm = socket, socketpair, enosys, eperm


# seccomp: the kernel's surface beyond what Python, NumPy and a notebook use. Refused:
# - new user namespaces (unshare/clone with CLONE_NEWUSER; clone3, whose flags a filter cannot
#   read, gets ENOSYS so the C library falls back to clone): a nested user namespace would give
#   the student capabilities over a namespace of its own, the kernel's largest attack surface;
# - every socket family but AF_UNIX (socket and socketpair): no internet, vsock or netlink
#   socket, even in process isolation, which has the host's network;
# - io_uring (its socket operation makes sockets without the socket call);
# - the kernel keyrings (add_key, keyctl, request_key: they belong to the uid and outlive the
#   sandbox, so one student could leave data for the next);
# - SysV and POSIX message-queue IPC (in process isolation the host's IPC namespace is shared);
# - memfd_create and memfd_secret (memory outside the file system's and the limit's reach),
#   userfaultfd, perf_event_open, bpf, ptrace and process_vm_* (the relay's memory), pidfd_getfd,
#   setns, and the mount, module, reboot, swap, kexec and handle calls (also refused for lack of
#   capabilities: refused here too, so a kernel bug in their permission checks is unreachable).
# x32 and i386 system calls are refused whole on x86_64 (a foreign ABI would bypass the numbers).
_ARCH = {
    "x86_64": _Numbers(audit=0xC000003E, unshare=272, clone=56, clone3=435, socket=41, socketpair=53,
                       enosys=(425, 426, 427),
                       eperm=(248, 249, 250, 319, 447, 323, 298, 321, 101, 310, 311, 438, 308,
                              29, 30, 31, 64, 65, 66, 220, 68, 69, 70, 71, 240, 241, 242, 243, 244, 245,
                              165, 166, 155, 167, 168, 169, 246, 320, 175, 313, 176, 163, 179, 303, 304, 300, 103,
                              428, 429, 430, 431, 432, 433, 442)),
    "aarch64": _Numbers(audit=0xC00000B7, unshare=97, clone=220, clone3=435, socket=198, socketpair=199,
                        enosys=(425, 426, 427),
                        eperm=(217, 218, 219, 279, 447, 282, 241, 280, 117, 270, 271, 438, 268,
                               194, 195, 196, 190, 191, 193, 192, 186, 187, 188, 189, 180, 181, 182, 183, 184, 185,
                               40, 39, 41, 224, 225, 142, 104, 294, 105, 273, 106, 89, 60, 264, 265, 262, 116,
                               428, 429, 430, 431, 432, 433, 442)),
}
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
CLONE_NEWUSER = 0x10000000
AF_UNIX = 1


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def filter_program(machine: str) -> list[tuple[int, int, int, int]] | None:
    """The seccomp program for `machine` as (code, jt, jf, k) tuples; None on an unknown architecture.

    Written with labels (a bare name) that jumps name as "->name", resolved into the relative jumps BPF wants.
    """
    if machine not in _ARCH:
        return None
    a = _ARCH[machine]
    ld, jeq, jset, jge, ret = 0x20, 0x15, 0x45, 0x35, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    nr, arg0 = 0, 16   # offsets in seccomp_data: the call number, the first argument (low half)
    # A label, ("ld" | "ret", k), or (jump, k, target if true, target if false).
    prog: list[str | tuple[str, int] | tuple[str, int, str | None, str | None]] = [
        ("ld", 4), ("jeq", a.audit, None, "->enosys"), ("ld", nr)]
    if machine == "x86_64":
        prog.append(("jge", 0x40000000, "->enosys", None))
    prog += [("jeq", n, "->enosys", None) for n in a.enosys + (a.clone3,)]
    prog += [("jeq", n, "->eperm", None) for n in a.eperm]
    prog += [("jeq", a.unshare, "->flags", None), ("jeq", a.clone, "->flags", None),
             ("jeq", a.socket, "->domain", None), ("jeq", a.socketpair, "->domain", None),
             ("ret", allow),
             "flags", ("ld", arg0), ("jset", CLONE_NEWUSER, "->eperm", None), ("ret", allow),
             "domain", ("ld", arg0), ("jeq", AF_UNIX, None, "->eperm"), ("ret", allow),
             "eperm", ("ret", eperm),
             "enosys", ("ret", enosys)]
    labels: dict[str, int] = {}
    index = 0
    for item in prog:
        if isinstance(item, str):
            labels[item] = index
        else:
            index += 1
    out: list[tuple[int, int, int, int]] = []
    for item in prog:
        if isinstance(item, str):
            continue
        here = len(out)

        def rel(target: str | None, here: int = here) -> int:
            return 0 if target is None else labels[target[2:]] - here - 1

        if len(item) == 2:
            out.append(({"ld": ld, "ret": ret}[item[0]], 0, 0, item[1]))
        else:
            code = {"jeq": jeq, "jset": jset, "jge": jge}[item[0]]
            out.append((code, rel(item[2]), rel(item[3]), item[1]))
    assert all(0 <= jt <= 255 and 0 <= jf <= 255 for _, jt, jf, _ in out)
    return out


def refuse_user_namespaces() -> bool:
    """no_new_privs (setuid programs of the host stay powerless) and the seccomp filter above."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SystemExit("sandbox: could not set no_new_privs")
    prog = filter_program(os.uname().machine)
    if prog is None:
        return False
    filters = (_Filter * len(prog))(*[_Filter(*i) for i in prog])
    program = _Prog(len(prog), filters)
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(program), 0, 0) != 0:
        raise SystemExit(f"sandbox: could not install the seccomp filter (errno {ctypes.get_errno()})")
    return True


def main(argv: list[str]) -> None:
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
