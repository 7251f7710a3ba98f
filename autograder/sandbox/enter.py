"""First code of the sandboxed process: become the unprivileged sandbox user, then run runner.py.

Usage: python -I -S enter.py UID GID NPROC [--disk=BYTES:HOME] RUNNER_PATH RUNNER_ARGS...
       python -I enter.py UID GID NPROC KERNEL_START_PATH -f CONNECTION_FILE ...   (a Jupyter kernel)

Under bwrap started by root the process starts as root (with only CAP_SETUID, CAP_SETGID and
CAP_SETPCAP): it empties its capability bounding set, drops every supplementary group and switches
its real, effective and saved ids to UID/GID, so root-owned files are protected by their
permissions and nothing can be regained (bwrap also sets no_new_privs). The uid change leaves
the process non-dumpable, so another process of the same uid cannot read its /proc entries or
its channel fds. In process mode the grader starts this as root too, outside any namespace.
When the grader is not root (bwrap in a user namespace) there is nothing to drop: UID is the
grader's own. NPROC > 0 sets RLIMIT_NPROC (the host offers no pids cgroup). Then, in both
isolation modes, a seccomp filter lets the process and all it starts make only the system calls
in ALLOWED (below): what a notebook does not need does not exist. --disk (process mode) first
gives the process a mount namespace in which only HOME and /dev/shm are writable, tmpfs of BYTES
each (diskbound.py, loaded by path from this file's folder).

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


# seccomp: an allow-list. A notebook reaches the kernel only through the calls below, which
# CPython, NumPy and its BLAS threads, matplotlib and the runner were measured making under a
# grading run (strace of the sample class and of a student-like workload, both isolation modes),
# plus the variant another C library or aarch64 makes of the same operation (openat for open,
# ppoll for poll, ...). Everything else fails with EPERM, which Python raises as PermissionError
# ("Operation not permitted"): a correct but unusual notebook gets a clear exception, not a
# killed sandbox. Calls newer than these tables (past NEWEST) fail with ENOSYS, as on an older
# kernel, so that the C library takes its fallback.
# Refused this way, among the rest: new namespaces (unshare, setns), ptrace and process_vm_*
# (the relay's memory), the kernel keyrings (add_key, keyctl, request_key: they belong to the uid
# and outlive the sandbox), SysV and POSIX message-queue IPC (in process isolation the host's IPC
# namespace is shared), memfd_create and memfd_secret (memory outside the file system's and the
# limit's reach), userfaultfd, perf_event_open, bpf, and the mount, module, swap, reboot, kexec,
# handle and syslog calls (most of which also need capabilities: refused here too, so a kernel bug
# in their permission checks is unreachable).
ALLOWED = (
    # The interpreter's memory: NumPy's arrays (mremap grows them, msync flushes np.memmap) and
    # the allocators' hints (madvise, mbind).
    "brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "msync", "mbind",
    # Threads (threading, the BLAS's workers, asyncio's executor) and their locks and start-up.
    "futex", "set_robust_list", "set_tid_address", "rseq", "gettid", "sched_yield", "sched_getaffinity", "getcpu",
    "arch_prctl", "restart_syscall", "exit", "exit_group",
    # A thread reading its own scheduling policy (pthread_getschedparam): ZeroMQ's I/O threads do in a
    # Jupyter kernel (ipykernel), then set it back unchanged (sched_setscheduler, checked below); libzmq
    # stops with "Operation not permitted" when either is refused (measured with strace -f).
    "sched_getparam", "sched_getscheduler",
    # Signals and timers: the runner's time limit is SIGALRM; time.sleep and the clocks.
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigpending",
    "sigaltstack", "pause", "setitimer", "getitimer", "alarm", "clock_gettime", "clock_getres", "gettimeofday",
    "time", "nanosleep", "clock_nanosleep",
    # Waiting on descriptors: select, selectors, asyncio, subprocess's pipes.
    "poll", "ppoll", "select", "pselect6", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
    "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2",
    # Files: imports, np.save/np.load, plots saved to /tmp, sqlite, shutil. What they reach is the
    # sandbox's file system (bwrap's allow-listed root, or file permissions in process isolation),
    # not the call's concern. Extended attributes are only read (shutil.copy2, ls).
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev", "preadv2", "pwritev2",
    "open", "openat", "close", "close_range", "lseek", "dup", "dup2", "dup3", "pipe", "pipe2", "fcntl", "flock",
    "ioctl", "fstat", "stat", "lstat", "newfstatat", "statx", "statfs", "fstatfs", "access", "faccessat",
    "faccessat2", "getdents64", "getcwd", "chdir", "fchdir", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat",
    "rename", "renameat", "renameat2", "link", "linkat", "symlink", "symlinkat", "readlink", "readlinkat", "chmod",
    "fchmod", "fchmodat", "umask", "utimensat", "truncate", "ftruncate", "fallocate", "fadvise64", "fsync",
    "fdatasync", "sendfile", "copy_file_range",
    "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr",
    # Operations on sockets the process holds: only AF_UNIX ones can exist (socket and socketpair
    # are checked below); multiprocessing, asyncio and libuuid use them.
    "bind", "listen", "accept", "accept4", "connect", "getsockname", "getpeername", "getsockopt", "setsockopt",
    "sendto", "recvfrom", "sendmsg", "recvmsg", "shutdown",
    # Child processes (subprocess, os.system, multiprocessing): a program started inherits this
    # filter and no_new_privs, so it can do no more than the notebook.
    "fork", "vfork", "execve", "wait4", "waitid", "kill", "tgkill", "pidfd_open", "setsid", "setpgid", "getpgid",
    "getpgrp", "getsid",
    # The process's own identity, limits and system facts (getpass, platform, os.cpu_count,
    # resource; the runner lowers its own limits with prlimit64; prctl only acts on the caller).
    "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getgroups", "getresuid", "getresgid", "uname",
    "sysinfo", "getrusage", "times", "getpriority", "setpriority", "prlimit64", "getrlimit", "setrlimit", "prctl",
    "getrandom",
    # One more filter on top of this one, never fewer calls: the runner's own (relay.py: a graded call
    # creates no process), whose forks wait for the relay's answer. A filter can only refuse more.
    "seccomp",
)
# Allowed after a check of an argument: clone without CLONE_NEWUSER (a nested user
# namespace would give the student capabilities over a namespace of its own, the kernel's largest
# attack surface), socket and socketpair for AF_UNIX only (no internet, vsock or netlink socket,
# even in process isolation, which has the host's network), sched_setscheduler to the ordinary
# policy only (SCHED_OTHER: what libzmq's threads set back; no real-time, idle or batch policy).
CHECKED = ("clone", "socket", "socketpair", "sched_setscheduler")
# Refused with ENOSYS, as by a kernel without them, because callers fall back: clone3 (whose
# flags a filter cannot read) to clone, io_uring (whose socket operation makes sockets without
# the socket call) to epoll.
FALLBACK = ("clone3", "io_uring_setup", "io_uring_enter", "io_uring_register")
NEWEST = 450   # set_mempolicy_home_node, the last call of Linux 6.1, whose tables these are
# The numbers, from the kernel's tables (x86_64: asm/unistd_64.h; aarch64: asm-generic/unistd.h).
# A name missing from an architecture does not exist there (aarch64 has only the *at forms).
NUMBERS = {
    "x86_64": {
        "read": 0, "write": 1, "open": 2, "close": 3, "stat": 4, "fstat": 5, "lstat": 6, "poll": 7, "lseek": 8,
        "mmap": 9, "mprotect": 10, "munmap": 11, "brk": 12, "rt_sigaction": 13, "rt_sigprocmask": 14, "rt_sigreturn": 15,
        "ioctl": 16, "pread64": 17, "pwrite64": 18, "readv": 19, "writev": 20, "access": 21, "pipe": 22, "select": 23,
        "sched_yield": 24, "mremap": 25, "msync": 26, "madvise": 28, "dup": 32, "dup2": 33, "pause": 34, "nanosleep": 35,
        "getitimer": 36, "alarm": 37, "setitimer": 38, "getpid": 39, "sendfile": 40, "socket": 41, "connect": 42,
        "accept": 43, "sendto": 44, "recvfrom": 45, "sendmsg": 46, "recvmsg": 47, "shutdown": 48, "bind": 49,
        "listen": 50, "getsockname": 51, "getpeername": 52, "socketpair": 53, "setsockopt": 54, "getsockopt": 55,
        "clone": 56, "fork": 57, "vfork": 58, "execve": 59, "exit": 60, "wait4": 61, "kill": 62, "uname": 63,
        "fcntl": 72, "flock": 73, "fsync": 74, "fdatasync": 75, "truncate": 76, "ftruncate": 77, "getcwd": 79,
        "chdir": 80, "fchdir": 81, "rename": 82, "mkdir": 83, "rmdir": 84, "link": 86, "unlink": 87, "symlink": 88,
        "readlink": 89, "chmod": 90, "fchmod": 91, "umask": 95, "gettimeofday": 96, "getrlimit": 97, "getrusage": 98,
        "sysinfo": 99, "times": 100, "getuid": 102, "getgid": 104, "geteuid": 107, "getegid": 108, "setpgid": 109,
        "getppid": 110, "getpgrp": 111, "setsid": 112, "getgroups": 115, "getresuid": 118, "getresgid": 120,
        "getpgid": 121, "getsid": 124, "rt_sigpending": 127, "rt_sigtimedwait": 128, "rt_sigsuspend": 130,
        "sigaltstack": 131, "statfs": 137, "fstatfs": 138, "getpriority": 140, "setpriority": 141, "sched_getparam": 143,
        "sched_setscheduler": 144, "sched_getscheduler": 145, "prctl": 157,
        "arch_prctl": 158, "setrlimit": 160, "gettid": 186, "getxattr": 191, "lgetxattr": 192, "fgetxattr": 193,
        "listxattr": 194, "llistxattr": 195, "flistxattr": 196, "time": 201, "futex": 202, "sched_getaffinity": 204,
        "epoll_create": 213, "getdents64": 217, "set_tid_address": 218, "restart_syscall": 219, "fadvise64": 221,
        "clock_gettime": 228, "clock_getres": 229, "clock_nanosleep": 230, "exit_group": 231, "epoll_wait": 232,
        "epoll_ctl": 233, "tgkill": 234, "mbind": 237, "waitid": 247, "openat": 257, "mkdirat": 258, "newfstatat": 262,
        "unlinkat": 263, "renameat": 264, "linkat": 265, "symlinkat": 266, "readlinkat": 267, "fchmodat": 268,
        "faccessat": 269, "pselect6": 270, "ppoll": 271, "set_robust_list": 273, "utimensat": 280, "epoll_pwait": 281,
        "eventfd": 284, "fallocate": 285, "accept4": 288, "eventfd2": 290, "epoll_create1": 291, "dup3": 292,
        "pipe2": 293, "preadv": 295, "pwritev": 296, "prlimit64": 302, "getcpu": 309, "renameat2": 316, "getrandom": 318,
        "copy_file_range": 326, "preadv2": 327, "pwritev2": 328, "seccomp": 317, "statx": 332, "rseq": 334, "io_uring_setup": 425,
        "io_uring_enter": 426, "io_uring_register": 427, "pidfd_open": 434, "clone3": 435, "close_range": 436,
        "faccessat2": 439, "epoll_pwait2": 441,
    },
    "aarch64": {
        "getxattr": 8, "lgetxattr": 9, "fgetxattr": 10, "listxattr": 11, "llistxattr": 12, "flistxattr": 13,
        "getcwd": 17, "eventfd2": 19, "epoll_create1": 20, "epoll_ctl": 21, "epoll_pwait": 22, "dup": 23, "dup3": 24,
        "fcntl": 25, "ioctl": 29, "flock": 32, "mkdirat": 34, "unlinkat": 35, "symlinkat": 36, "linkat": 37,
        "renameat": 38, "statfs": 43, "fstatfs": 44, "truncate": 45, "ftruncate": 46, "fallocate": 47, "faccessat": 48,
        "chdir": 49, "fchdir": 50, "fchmod": 52, "fchmodat": 53, "openat": 56, "close": 57, "pipe2": 59,
        "getdents64": 61, "lseek": 62, "read": 63, "write": 64, "readv": 65, "writev": 66, "pread64": 67, "pwrite64": 68,
        "preadv": 69, "pwritev": 70, "sendfile": 71, "pselect6": 72, "ppoll": 73, "readlinkat": 78, "newfstatat": 79,
        "fstat": 80, "fsync": 82, "fdatasync": 83, "utimensat": 88, "exit": 93, "exit_group": 94, "waitid": 95,
        "set_tid_address": 96, "futex": 98, "set_robust_list": 99, "nanosleep": 101, "getitimer": 102, "setitimer": 103,
        "clock_gettime": 113, "clock_getres": 114, "clock_nanosleep": 115, "sched_getaffinity": 123, "sched_yield": 124,
        "sched_setscheduler": 119, "sched_getscheduler": 120, "sched_getparam": 121, "restart_syscall": 128,
        "kill": 129, "tgkill": 131, "sigaltstack": 132, "rt_sigsuspend": 133,
        "rt_sigaction": 134, "rt_sigprocmask": 135, "rt_sigpending": 136, "rt_sigtimedwait": 137, "rt_sigreturn": 139,
        "setpriority": 140, "getpriority": 141, "getresuid": 148, "getresgid": 150, "times": 153, "setpgid": 154,
        "getpgid": 155, "getsid": 156, "setsid": 157, "getgroups": 158, "uname": 160, "getrlimit": 163, "setrlimit": 164,
        "getrusage": 165, "umask": 166, "prctl": 167, "getcpu": 168, "gettimeofday": 169, "getpid": 172, "getppid": 173,
        "getuid": 174, "geteuid": 175, "getgid": 176, "getegid": 177, "gettid": 178, "sysinfo": 179, "socket": 198,
        "socketpair": 199, "bind": 200, "listen": 201, "accept": 202, "connect": 203, "getsockname": 204,
        "getpeername": 205, "sendto": 206, "recvfrom": 207, "setsockopt": 208, "getsockopt": 209, "shutdown": 210,
        "sendmsg": 211, "recvmsg": 212, "brk": 214, "munmap": 215, "mremap": 216, "clone": 220, "execve": 221,
        "mmap": 222, "fadvise64": 223, "mprotect": 226, "msync": 227, "madvise": 233, "mbind": 235, "accept4": 242,
        "wait4": 260, "prlimit64": 261, "renameat2": 276, "seccomp": 277, "getrandom": 278, "copy_file_range": 285, "preadv2": 286,
        "pwritev2": 287, "statx": 291, "rseq": 293, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "pidfd_open": 434, "clone3": 435, "close_range": 436, "faccessat2": 439,
        "epoll_pwait2": 441,
    },
}
# x32 and i386 system calls are refused whole on x86_64 (a foreign ABI would bypass the numbers).
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
CLONE_NEWUSER = 0x10000000
AF_UNIX = 1
SCHED_OTHER = 0


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


_Item = str | tuple[str, int] | tuple[str, int, str | None, str | None]   # see filter_program


def _search(numbers: list[int], allow: int, refuse: int, prefix: str) -> list[_Item]:
    """A binary search over the sorted allowed numbers, ending in (ret allow) or (ret refuse).

    A tree, not a list: each call costs about eight comparisons, and every jump stays short
    (a BPF jump reaches at most 255 instructions ahead).
    """
    if len(numbers) <= 4:
        return [*[("jeq", n, f"->{prefix}a", None) for n in numbers], ("ret", refuse), f"{prefix}a", ("ret", allow)]
    half = len(numbers) // 2
    return [("jge", numbers[half], f"->{prefix}r", None), *_search(numbers[:half], allow, refuse, prefix + "l"),
            f"{prefix}r", *_search(numbers[half:], allow, refuse, prefix + "r")]


def filter_program(machine: str) -> list[tuple[int, int, int, int]] | None:
    """The seccomp program for `machine` as (code, jt, jf, k) tuples; None on an unknown architecture.

    Written with labels (a bare name) that jumps name as "->name", resolved into the relative jumps BPF wants.
    """
    if machine not in NUMBERS:
        return None
    nr_of = NUMBERS[machine]
    ld, ja, jeq, jset, jge, ret = 0x20, 0x05, 0x15, 0x45, 0x35, 0x06
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    nr, arg0, arg1 = 0, 16, 24   # offsets in seccomp_data: the call number, the first two arguments (low half)
    # A label, ("ld" | "ret" | "ja", k, or "->label" for ja), or (jump, k, target if true, target if false).
    prog: list[_Item] = [("ld", 4), ("jeq", AUDIT_ARCH[machine], None, "->enosys"), ("ld", nr)]
    if machine == "x86_64":
        prog.append(("jge", 0x40000000, "->enosys", None))
    prog += [("jge", NEWEST + 1, "->enosys", None)]
    prog += [("jeq", nr_of[name], "->enosys", None) for name in FALLBACK]
    prog += [("jeq", nr_of["clone"], "->flags", None),
             ("jeq", nr_of["socket"], "->domain", None), ("jeq", nr_of["socketpair"], "->domain", None),
             ("jeq", nr_of["sched_setscheduler"], "->policy", None),
             ("ja", 0, "->search", None),
             "policy", ("ld", arg1), ("jeq", SCHED_OTHER, None, "->eperm"), ("ret", allow),
             "flags", ("ld", arg0), ("jset", CLONE_NEWUSER, "->eperm", None), ("ret", allow),
             "domain", ("ld", arg0), ("jeq", AF_UNIX, None, "->eperm"), ("ret", allow),
             "eperm", ("ret", eperm),
             "enosys", ("ret", enosys),
             "search", *_search(sorted(nr_of[name] for name in ALLOWED if name in nr_of), allow, eperm, "s")]
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
        elif item[0] == "ja":
            out.append((ja, 0, 0, rel(item[2])))
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


def bound_disk(size: int, home: str) -> None:
    """Process mode: the disk bound of diskbound.py (beside this file), set up while still root.

    Run from its source rather than imported: importlib.util alone would add 30 ms to every sandbox.
    """
    path = os.path.join(os.path.dirname(__file__), "diskbound.py")
    module: dict[str, object] = {"__name__": "bptt_diskbound", "__file__": path}
    with open(path, "rb") as f:
        exec(compile(f.read(), path, "exec"), module)  # noqa: S102
    refused, confine = module["Refused"], module["confine"]
    if not (isinstance(refused, type) and issubclass(refused, Exception) and callable(confine)):
        raise SystemExit("sandbox: cannot bound the disk: diskbound.py is not the grader's")
    try:
        confine(home, size)
    except refused as exc:
        raise SystemExit(f"sandbox: cannot bound the disk: {exc}") from None


def main(argv: list[str]) -> None:
    uid, gid, nproc = int(argv[1]), int(argv[2]), int(argv[3])
    if argv[4].startswith("--disk="):      # process mode: --disk=BYTES:HOME
        size, home = argv.pop(4)[len("--disk="):].split(":", 1)
        bound_disk(int(size), home)
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
