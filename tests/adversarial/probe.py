"""A probe submission: what student code can see and do from inside a real sandbox.

`run(mode, course, out, calls)` starts a jail.Worker with the given isolation, loads PROBE as a
notebook cell and returns what each requested function returned (through the normal call
protocol). Run as a script (`python -m tests.adversarial.probe JSON`) it prints that as JSON, so
the tests can run it where process isolation works (see hostview.py).
"""
import json
import sys
from pathlib import Path

PROBE = r'''
import ctypes, os, resource, socket, subprocess, sys
import numpy as np

def _listing(path):
    try:
        return sorted(os.listdir(path))
    except OSError as exc:
        return type(exc).__name__

def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read(20000).decode(errors="replace")
    except OSError as exc:
        return type(exc).__name__

def walk(known=""):
    """Every path under / (names only), except inside /proc and /dev, and inside the folders listed
    in `known` (newline-separated: the allow-list's system and Python folders, named but not
    descended into: a venv beside its base interpreter holds more names than one reply may carry)."""
    skip = set(filter(None, known.split("\n")))
    seen = []
    for top, dirs, files in os.walk("/"):
        if top in ("/proc", "/dev", "/sys") or top in skip:
            dirs[:] = []
            continue
        seen += [os.path.join(top, n) for n in dirs + files]
    return "\n".join(seen)

def read(paths):
    return {p: _read(p) for p in paths.split("\n")}

def listing(paths):
    return {p: repr(_listing(p)) for p in paths.split("\n")}

def identity():
    status = {l.split(":")[0]: l.split(":", 1)[1].strip() for l in open("/proc/self/status") if ":" in l}
    libc = ctypes.CDLL(None, use_errno=True)
    found = {k: status[k] for k in ("Uid", "Gid", "Groups", "CapEff", "CapPrm", "CapBnd", "CapAmb", "NoNewPrivs")}
    # A nested user namespace would give back every capability (within it).
    found["unshare"] = str(libc.unshare(0x10000000 | 0x00020000)) + " errno " + str(ctypes.get_errno())
    found["umount_tmp"] = str(libc.umount2(b"/tmp", 2)) + " errno " + str(ctypes.get_errno())
    try:
        import autograder
        found["import"] = "imported " + str(autograder.__file__)
    except ImportError as exc:
        found["import"] = type(exc).__name__
    found["cwd"] = os.getcwd()
    found["cwd_files"] = repr(_listing("."))
    found["environ"] = repr(dict(os.environ))
    found["sys_path"] = repr(sys.path)
    found["proc1_environ"] = _read("/proc/1/environ")
    found["pids"] = repr(sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
    found["rlimit_as"] = str(resource.getrlimit(resource.RLIMIT_AS)[0])
    found["rlimit_cpu"] = str(resource.getrlimit(resource.RLIMIT_CPU)[0])
    found["rlimit_nproc"] = str(resource.getrlimit(resource.RLIMIT_NPROC)[0])
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=2)
        found["network"] = "connected"
    except OSError as exc:
        found["network"] = type(exc).__name__
    try:
        import helper_module
        found["helper"] = helper_module.VALUE
    except ImportError as exc:
        found["helper"] = type(exc).__name__
    return found

def foreign_abi_unshare():
    """unshare(CLONE_NEWUSER) through i386's `int 0x80` (x86_64 only): a classic seccomp bypass."""
    import mmap
    if os.uname().machine != "x86_64":
        return "not x86_64"
    code = bytes.fromhex("b836010000" "bb00000010" "cd80" "c3")   # mov eax,310; mov ebx,NEWUSER; int 0x80; ret
    buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    buf.write(code)
    addr = ctypes.addressof(ctypes.c_char.from_buffer(buf))
    return str(ctypes.CFUNCTYPE(ctypes.c_int)(addr)())

def write(paths):
    out = {}
    for p in paths.split("\n"):
        try:
            with open(p, "w") as f:
                f.write("planted")
            out[p] = "written"
        except OSError as exc:
            out[p] = type(exc).__name__
    return out

def start_daemon(marker):
    # Double fork + setsid: outside a PID namespace this would outlive the grader.
    import time
    subprocess.Popen(["/bin/sh", "-c", f"setsid sleep 600 {marker} &"], start_new_session=True).wait()
    for _ in range(400):   # returns once the daemon runs (its pid as seen from inside)
        for pid in os.listdir("/proc"):
            try:
                if pid.isdigit() and marker.encode() in open(f"/proc/{pid}/cmdline", "rb").read():
                    return np.array(float(pid))
            except OSError:
                pass
        time.sleep(0.01)
    raise RuntimeError("the daemon did not start")

def memory_peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmPeak"):
            return np.array(float(line.split()[1]) / 1024)

# x86_64 numbers of the calls kernel_surface tries (the filter's own table is enter.NUMBERS).
_NR = {"io_uring_setup": 425, "add_key": 248, "request_key": 249, "keyctl": 250, "memfd_create": 319,
       "userfaultfd": 323, "perf_event_open": 298, "bpf": 321, "shmget": 29, "msgget": 68, "semget": 64,
       "mq_open": 240, "ptrace": 101, "process_vm_readv": 310, "pidfd_getfd": 438, "setns": 308,
       "unshare": 272, "clone": 56, "clone3": 435}

def kernel_surface():
    """What each call that reaches state outside the sandbox answered: "allowed" or the errno's name."""
    import errno
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    out = {}
    def attempt(name, *args):
        ctypes.set_errno(0)
        result = libc.syscall(_NR[name], *args)
        out[name] = "allowed" if result >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
    if os.uname().machine == "x86_64":
        params = ctypes.create_string_buffer(120)
        attempt("io_uring_setup", 8, params)
        attempt("add_key", b"user", b"bptt-left-for-the-next", b"secret", 6, ctypes.c_long(-4))
        attempt("request_key", b"user", b"bptt-left-for-the-next", None, 0)
        attempt("keyctl", 0, ctypes.c_long(-4), 0)          # KEYCTL_GET_KEYRING_ID of the user keyring
        attempt("memfd_create", b"hoard", 0)
        attempt("userfaultfd", 0)
        attempt("perf_event_open", ctypes.create_string_buffer(128), 0, -1, -1, 0)
        attempt("bpf", 0, ctypes.create_string_buffer(64), 64)
        attempt("shmget", 0, 1 << 20, 0o1600)                # IPC_PRIVATE | IPC_CREAT | 0600
        attempt("msgget", 0, 0o1600)
        attempt("semget", 0, 1, 0o1600)
        attempt("mq_open", b"bptt-queue", 0o100 | 2, 0o600, None)
        attempt("ptrace", 16, os.getppid(), 0, 0)             # PTRACE_ATTACH to the relay
        attempt("process_vm_readv", os.getppid(), ctypes.create_string_buffer(16), 1,
                ctypes.create_string_buffer(16), 1, 0)
        attempt("setns", 0, 0)
        attempt("unshare", 0x00000400)                         # CLONE_FS: harmless, yet not needed
        attempt("clone3", ctypes.create_string_buffer(88), 1)   # a size no kernel accepts: never a child
        ctypes.set_errno(0)
        child = libc.syscall(_NR["clone"], 0x10000000 | 17, 0, 0, 0, 0)   # CLONE_NEWUSER | SIGCHLD
        if child == 0:
            os._exit(0)                                          # a child in a new user namespace: leave
        out["clone CLONE_NEWUSER"] = "allowed" if child > 0 else errno.errorcode.get(ctypes.get_errno())
        if child > 0:
            os.waitpid(child, 0)
    families = {"AF_INET": socket.AF_INET, "AF_INET6": socket.AF_INET6, "AF_VSOCK": 40, "AF_NETLINK": 16,
                "AF_PACKET": 17, "AF_UNIX": socket.AF_UNIX}
    for name, family in families.items():
        kind = socket.SOCK_RAW if name == "AF_NETLINK" else socket.SOCK_STREAM
        try:
            socket.socket(family, kind).close()
            out["socket " + name] = "allowed"
        except OSError as exc:
            out["socket " + name] = errno.errorcode.get(exc.errno, str(exc.errno))
    for name, family in (("AF_UNIX", socket.AF_UNIX), ("AF_INET", socket.AF_INET)):
        try:
            for s in socket.socketpair(family, socket.SOCK_STREAM):
                s.close()
            out["socketpair " + name] = "allowed"
        except OSError as exc:
            out["socketpair " + name] = errno.errorcode.get(exc.errno, str(exc.errno))
    return out

def unlisted_calls(numbers):
    """Calls no notebook needs, given as "name:number ..." (the numbers are the architecture's):
    what each answered ("ok" or the errno's name), and what Python raises for one of them."""
    import errno
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    handle, mount_id = ctypes.create_string_buffer(8), ctypes.c_int()   # a file_handle of 0 bytes
    args = {"personality": (ctypes.c_ulong(0xFFFFFFFF),),               # only asks the current one
            "kcmp": (os.getpid(), os.getpid(), 0, 0, 0),                 # KCMP_FILE of fd 0 with itself
            "name_to_handle_at": (-100, b"/tmp", handle, ctypes.byref(mount_id), 0),
            "sched_get_priority_max": (0,), "syslog": (10, None, 0)}     # SYSLOG_ACTION_SIZE_BUFFER
    out = {}
    for item in numbers.split():
        name, nr = item.split(":")
        ctypes.set_errno(0)
        result = libc.syscall(int(nr), *args[name])
        out[name] = "ok" if result >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
    try:
        os.sched_get_priority_max(0)
        out["python"] = "no exception"
    except OSError as exc:
        out["python"] = f"{type(exc).__name__}: {exc}"
    return out

def send_to(port):
    """Send bytes to a listener of the host on 127.0.0.1 (process isolation shares the host's network)."""
    try:
        with socket.create_connection(("127.0.0.1", int(port)), timeout=3) as s:
            s.sendall(b"stolen answers")
        return "sent"
    except OSError as exc:
        return type(exc).__name__

def mountinfo():
    return _read("/proc/self/mountinfo")

def leave_files(marker):
    """Write a file into every folder this sandbox can write, for the next sandbox to find."""
    out = {}
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", os.environ.get("TMPDIR", "/tmp"), os.getcwd()):
        try:
            with open(os.path.join(folder, marker), "w") as f:
                f.write("left behind")
            out[folder] = "written"
        except OSError as exc:
            out[folder] = type(exc).__name__
    return out

def find_files(marker):
    found = []
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", os.environ.get("TMPDIR", "/tmp"), os.getcwd()):
        if os.path.exists(os.path.join(folder, marker)):
            found.append(folder)
    return repr(found)

def hold_memory(mb):
    """Write `mb` MiB into files (of at most 32 MiB each) in every writable folder: pages a tmpfs
    holds outside RLIMIT_AS."""
    out, chunk = {}, b"x" * (4 << 20)
    for folder in dict.fromkeys(("/dev/shm", "/tmp", os.environ.get("TMPDIR", "/tmp"))):
        written, n = 0, 0
        try:
            while written < int(mb):
                with open(os.path.join(folder, f"hoard-{n}"), "wb") as f:
                    for _ in range(8):
                        f.write(chunk)
                        f.flush()
                        written += 4
                n += 1
        except OSError as exc:
            out[folder] = f"{written} MiB, then {type(exc).__name__}"
            continue
        out[folder] = f"{written} MiB"
    return out

def loud(n):
    raise ValueError("\x1b[31mred\x07" + "\n".join(["line"] * int(n)) + "\u202e" + "x" * int(n))
'''


def config(mode, course, out, **limits):
    from autograder.grade import make_config
    from autograder.plan import read_plan

    limits = {"memory_mb": 1024, "cell_timeout": 5, "call_timeout": 20, "grace": 1, **limits}
    return make_config(read_plan(course), out, [course], isolation=mode, **limits)


def run(mode, course, out, calls, pids=None, limits=None):
    """[(name, args)] -> [reply] from one Worker with the PROBE loaded.

    pids="rlimit-nproc" makes the sandbox use RLIMIT_NPROC as on a host without a usable cgroup.
    A call replies ("result", value) or ("error", kind, message) (its Returned or Raised, as the
    JSON this script prints can carry it). A call named "restart" closes the sandbox and starts a new
    one (replying ("restarted",)), one named "isolation" replies ("isolation", its detail line), one
    named "cell" runs its argument as a notebook cell after the probe's (replying ("cell", status,
    error): a graded call may not start processes, a cell may); a call whose sandbox dies replies
    ("gone", message).
    """
    from autograder.grade import release_config
    from autograder.replies import CellOutcome, CellStatus, Returned
    from autograder.sandbox.cgroups import PidsLimit
    from autograder.sandbox.jail import Worker, WorkerGone

    cfg = config(mode, course, out, **(limits or {}))
    if pids == "rlimit-nproc":
        cfg.isolation.pids = PidsLimit("rlimit-nproc", note="forced by the test")

    def started():
        w = Worker(cfg)
        w.start()
        assert w.load("probe", [("probe", PROBE)]) == [CellOutcome(CellStatus.OK, "")]
        return w

    worker = started()
    replies = []
    try:
        for name, args in calls:
            if name == "isolation":
                replies.append(("isolation", cfg.isolation.describe()))
                continue
            if name == "cell":    # a cell, not a graded call: one that may start processes
                outcomes = worker.load("probe", [("probe", PROBE), ("cell", args[0])])
                replies.append(("cell", outcomes[-1].status.value, outcomes[-1].error))
                continue
            if name == "restart":
                worker.close()
                worker = started()
                replies.append(("restarted",))
                continue
            try:
                reply = worker.call("probe", name, tuple(args), (), None, 60)
                replies.append(("result", reply.value) if isinstance(reply, Returned)
                               else ("error", reply.kind.value, reply.message))
            except WorkerGone as gone:
                replies.append(("gone", gone.message))
                worker.kill()
                worker = started()
        return replies
    finally:
        worker.close()
        release_config(cfg)


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
    replies = run(spec["mode"], spec["course"], spec["out"], spec["calls"], spec.get("pids"), spec.get("limits"))
    print(json.dumps([list(r) for r in replies], default=lambda a: a.tolist()))
