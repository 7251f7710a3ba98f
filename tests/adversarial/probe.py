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

def walk():
    """Every path under / (names only), except inside /proc and /dev."""
    seen = []
    for top, dirs, files in os.walk("/"):
        if top in ("/proc", "/dev", "/sys"):
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

def loud(n):
    raise ValueError("\x1b[31mred\x07" + "\n".join(["line"] * int(n)) + "\u202e" + "x" * int(n))
'''


def config(mode, course, out, **limits):
    from autograder.grade import make_config
    from autograder.plan import read_plan

    limits = {"memory_mb": 1024, "cell_timeout": 5, "call_timeout": 20, "grace": 1, **limits}
    return make_config(read_plan(course), out, [course], isolation=mode, **limits)


def run(mode, course, out, calls, pids=None):
    """[(name, args)] -> [reply] from one Worker with the PROBE loaded.

    pids="rlimit-nproc" makes the sandbox use RLIMIT_NPROC as on a host without a usable cgroup.
    """
    from autograder.grade import release_config
    from autograder.sandbox.cgroups import PidsLimit
    from autograder.sandbox.jail import Worker

    cfg = config(mode, course, out)
    if pids == "rlimit-nproc":
        cfg.isolation.pids = PidsLimit("rlimit-nproc", note="forced by the test")
    worker = Worker(cfg)
    try:
        worker.start()
        assert worker.load("probe", [("probe", PROBE)]) == [("ok", "")]
        return [worker.call("probe", name, tuple(args), (), None, 60) for name, args in calls]
    finally:
        worker.close()
        release_config(cfg)


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
    replies = run(spec["mode"], spec["course"], spec["out"], spec["calls"], spec.get("pids"))
    print(json.dumps([list(r) for r in replies], default=lambda a: a.tolist()))
