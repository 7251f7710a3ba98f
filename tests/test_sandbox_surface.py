"""The kernel's surface seen from a sandbox, in both isolation modes: what student code can reach.

A probe (tests/adversarial/probe.py) runs inside a real sandbox, under bwrap and under forced
process isolation (where this machine can run it: tests/adversarial/hostview.py), and tries:
io_uring, the kernel keyrings, every socket family, memfd, the IPC calls, namespaces (all refused
but AF_UNIX); calls off the seccomp allow-list that would succeed outside (refused with EPERM);
sending bytes to a listener of the host on 127.0.0.1; leaving files for the next sandbox; holding
memory in files beyond the memory limit; and, under bwrap, reading where the course lives from
/proc/self/mountinfo. The filter program itself is run here by a small BPF interpreter, and its
call numbers are checked against the kernel headers.
"""
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from autograder.sandbox.enter import ALLOWED, AUDIT_ARCH, CHECKED, FALLBACK, NEWEST, NUMBERS, filter_program
from tests.adversarial import hostview, minicourse, probe

REPO = Path(__file__).resolve().parent.parent
PROCESS_OK, PROCESS_WHY = hostview.can_run_process_mode()
MODES = ["bwrap", pytest.param("process", marks=pytest.mark.skipif(not PROCESS_OK, reason=PROCESS_WHY))]
REFUSED_CALLS = ("io_uring_setup", "add_key", "request_key", "keyctl", "memfd_create", "userfaultfd",
                 "perf_event_open", "bpf", "shmget", "msgget", "semget", "mq_open", "ptrace", "process_vm_readv",
                 "setns", "unshare", "clone CLONE_NEWUSER")
# Calls on no list of the filter's, which outside a sandbox answer (or fail for another reason).
UNLISTED = {"x86_64": {"personality": 135, "kcmp": 312, "name_to_handle_at": 303, "sched_get_priority_max": 146,
                       "syslog": 103},
            "aarch64": {"personality": 92, "kcmp": 272, "name_to_handle_at": 264, "sched_get_priority_max": 125,
                        "syslog": 116}}
ALLOW, EPERM, ENOSYS = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38


def _probe(mode, root, calls, limits=None):
    course = minicourse.write_course(root / "course")
    spec = {"mode": mode, "course": str(course), "out": str(root / "out"), "calls": calls, "limits": limits or {}}
    prefix = hostview.prefix(root) if mode == "process" else []
    modes = hostview.modes_of(REPO)
    try:
        proc = subprocess.run(prefix + [sys.executable, "-m", "tests.adversarial.probe", json.dumps(spec)],
                              cwd=REPO, capture_output=True, text=True, check=False, timeout=300)
    finally:
        hostview.restore(modes)
    assert proc.returncode == 0, proc.stderr
    return course, json.loads(proc.stdout)


class Listener:
    """A TCP listener of the host on 127.0.0.1 that records what reaches it."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.received, self.stop = [], False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                self.received.append(conn.recv(100))

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the probe's raw call numbers are x86_64's")
@pytest.mark.parametrize("mode", MODES)
def test_calls_reaching_outside_the_sandbox_are_refused(mode, tmp_path):
    listener = Listener()
    try:
        _, replies = _probe(mode, tmp_path, [["kernel_surface", []], ["send_to", [listener.port]]])
    finally:
        listener.close()
    found = replies[0][1]
    assert {name: found[name] for name in REFUSED_CALLS + ("clone3",)} == {
        name: "EPERM" for name in REFUSED_CALLS} | {"io_uring_setup": "ENOSYS", "clone3": "ENOSYS"}
    assert {k: v for k, v in found.items() if k.startswith("socket")} == {
        "socket AF_INET": "EPERM", "socket AF_INET6": "EPERM", "socket AF_VSOCK": "EPERM",
        "socket AF_NETLINK": "EPERM", "socket AF_PACKET": "EPERM", "socket AF_UNIX": "allowed",
        "socketpair AF_UNIX": "allowed", "socketpair AF_INET": "EPERM"}
    assert replies[1][1] == "PermissionError"
    assert listener.received == []


@pytest.mark.skipif(os.uname().machine not in UNLISTED, reason="no call numbers for this architecture")
@pytest.mark.parametrize("mode", MODES)
def test_a_call_off_the_allow_list_fails_with_eperm_and_the_sandbox_goes_on(mode, tmp_path):
    numbers = " ".join(f"{k}:{v}" for k, v in UNLISTED[os.uname().machine].items())
    namespace = {}
    exec(probe.PROBE, namespace)   # noqa: S102 -- the same probe, outside any sandbox, as the control
    outside = namespace["unlisted_calls"](numbers)
    assert outside["personality"] == outside["sched_get_priority_max"] == "ok" and outside["python"] == "no exception"
    assert outside["name_to_handle_at"] == "EOVERFLOW"     # the 0-byte handle is too small: the call ran
    _, replies = _probe(mode, tmp_path, [["unlisted_calls", [numbers]], ["identity", []]])
    assert replies[0] == ["result", {"personality": "EPERM", "kcmp": "EPERM", "name_to_handle_at": "EPERM",
                                     "sched_get_priority_max": "EPERM", "syslog": "EPERM",
                                     "python": "PermissionError: [Errno 1] Operation not permitted"}]
    assert replies[1][0] == "result"     # the same sandbox answers the next call


def run_filter(prog, arch, nr, arg0=0, arg1=0):
    """What the seccomp program returns for one call: a small interpreter of the instructions it uses."""
    data = struct.pack("<iIQ6Q", nr, arch, 0, arg0, arg1, 0, 0, 0, 0)   # struct seccomp_data
    pc, acc = 0, 0
    while True:
        code, jt, jf, k = prog[pc]
        if code == 0x20:                                   # ld [k]
            acc, pc = struct.unpack_from("<I", data, k)[0], pc + 1
        elif code == 0x06:                                 # ret k
            return k
        elif code == 0x05:                                 # ja k
            pc += 1 + k
        else:
            taken = {0x15: acc == k, 0x35: acc >= k, 0x45: bool(acc & k)}[code]
            pc += 1 + (jt if taken else jf)


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_the_filter_allows_exactly_the_list(machine):
    prog, numbers, arch = filter_program(machine), NUMBERS[machine], AUDIT_ARCH[machine]
    assert len(prog) < 4096 and all(jt <= 255 and jf <= 255 for _, jt, jf, _ in prog)
    allowed = {numbers[n] for n in ALLOWED if n in numbers}
    special = {numbers[n] for n in CHECKED + FALLBACK}
    for nr in range(NEWEST + 40):
        if nr not in special:
            want = ALLOW if nr in allowed else EPERM if nr <= NEWEST else ENOSYS
            assert run_filter(prog, arch, nr) == want, nr
    for name in FALLBACK:
        assert run_filter(prog, arch, numbers[name]) == ENOSYS
    assert run_filter(prog, arch, numbers["clone"], 0x01200011) == ALLOW            # fork's flags
    assert run_filter(prog, arch, numbers["clone"], 0x10000000 | 17) == EPERM       # CLONE_NEWUSER
    for call in ("socket", "socketpair"):
        assert [run_filter(prog, arch, numbers[call], family) for family in (1, 2, 10, 16, 40)] == [
            ALLOW, EPERM, EPERM, EPERM, EPERM]
    # libzmq's threads (a Jupyter kernel) set their scheduling policy back to SCHED_OTHER; no other policy.
    assert [run_filter(prog, arch, numbers["sched_setscheduler"], 0, policy) for policy in (0, 1, 2, 3, 5, 0x40000000)] \
        == [ALLOW, EPERM, EPERM, EPERM, EPERM, EPERM]
    for name in UNLISTED[machine]:
        assert run_filter(prog, arch, UNLISTED[machine][name]) == EPERM
    assert run_filter(prog, 0x40000003, numbers["read"]) == ENOSYS                 # i386's ABI
    if machine == "x86_64":
        assert run_filter(prog, arch, 0x40000000 | 1) == ENOSYS                       # x32's write
    assert filter_program("riscv64") is None


def test_the_allow_list_names_only_calls_that_exist():
    names = ALLOWED + CHECKED + FALLBACK
    assert len(set(names)) == len(names)
    assert set(NUMBERS["x86_64"]) == set(names)        # x86_64 has every call, aarch64 the newer forms
    assert set(NUMBERS["aarch64"]) < set(names)
    assert {"openat", "ppoll", "pipe2", "dup3", "clone", "newfstatat"} <= set(NUMBERS["aarch64"])


def kernel_numbers():
    """{machine: {name: number}} from the installed kernel headers (as the kernel defines them)."""
    x86 = Path("/usr/include/x86_64-linux-gnu/asm/unistd_64.h")
    generic = Path("/usr/include/asm-generic/unistd.h")
    if not (x86.exists() and generic.exists() and shutil.which("cpp")):
        pytest.skip("the kernel headers (linux-libc-dev) or cpp are not installed")
    found = {"x86_64": {m[0]: int(m[1]) for m in re.findall(r"#define __NR_(\w+) (\d+)", x86.read_text())}}
    # aarch64 uses the generic table with these options (arch/arm64's syscall table: renameat, rlimit, ...).
    wants = ("RENAMEAT", "NEW_STAT", "SET_GET_RLIMIT", "SYS_CLONE3", "MEMFD_SECRET")
    macros = dict(re.findall(r"#define (__NR\w+) (\S+)", subprocess.run(
        ["cpp", "-dM", "-D__BITS_PER_LONG=64", *[f"-D__ARCH_WANT_{w}" for w in wants], str(generic)],
        capture_output=True, text=True, check=True).stdout))

    def value(v):
        while v in macros:
            v = macros[v]
        return int(v) if v.isdigit() else None

    found["aarch64"] = {k[5:]: value(v) for k, v in macros.items()
                        if k.startswith("__NR_") and k != "__NR_syscalls" and value(v) is not None}
    return found


def test_the_call_numbers_are_the_kernels():
    kernel = kernel_numbers()
    for machine, numbers in NUMBERS.items():
        names = ALLOWED + CHECKED + FALLBACK
        assert numbers == {n: kernel[machine][n] for n in names if n in kernel[machine]}, machine
        assert {n: kernel[machine][n] for n in UNLISTED[machine]} == UNLISTED[machine]
    assert kernel["x86_64"]["set_mempolicy_home_node"] == kernel["aarch64"]["set_mempolicy_home_node"] == NEWEST


@pytest.mark.parametrize("mode", MODES)
def test_nothing_a_sandbox_leaves_reaches_the_next(mode, tmp_path):
    marker = f"bptt-left-{os.getpid()}-{mode}"
    _, replies = _probe(mode, tmp_path, [["leave_files", [marker]], ["restart", []], ["find_files", [marker]]])
    written = replies[0][1]
    assert replies[2][1] == "[]", (written, replies[2])
    for folder in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
        assert not os.path.exists(os.path.join(folder, marker))


@pytest.mark.parametrize("mode", MODES)
def test_memory_held_in_files_counts_against_the_limit(mode, tmp_path):
    _, replies = _probe(mode, tmp_path, [["hold_memory", [600]], ["identity", []], ["isolation", []]],
                        limits={"memory_mb": 256})
    detail = replies[-1][1]
    held = replies[0]
    if held[0] == "gone":
        # The memory cgroup's OOM killer ended the sandbox: the grader says so.
        assert held[1] == "memory limit exceeded (the sandbox's memory cgroup, files in memory included)"
        assert "memory: memory cgroup" in detail
    else:
        written = [int(v.split()[0]) for v in held[1].values()]
        assert sum(written) < 256, held
    assert replies[1][0] == "result", replies[1]      # the next sandbox starts normally
    assert "memory: " in detail


def test_mountinfo_shows_no_path_of_the_course_or_the_grader(tmp_path):
    course, replies = _probe("bwrap", tmp_path, [["mountinfo", []]])
    text = replies[0][1]
    assert "/tmp/.grader/runner.py" in text      # it was read
    for secret in (str(course), str(REPO), str(tmp_path)):
        assert secret not in text
