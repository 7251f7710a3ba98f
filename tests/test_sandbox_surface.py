"""The kernel's surface seen from a sandbox, in both isolation modes: what student code can reach.

A probe (tests/adversarial/probe.py) runs inside a real sandbox, under bwrap and under forced
process isolation (where this machine can run it: tests/adversarial/hostview.py), and tries:
io_uring, the kernel keyrings, every socket family, memfd and the IPC calls (all refused but
AF_UNIX); sending bytes to a listener of the host on 127.0.0.1; leaving files for the next
sandbox; holding memory in files beyond the memory limit; and, under bwrap, reading where the
course lives from /proc/self/mountinfo.
"""
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from autograder.sandbox.enter import filter_program
from tests.adversarial import hostview, minicourse

REPO = Path(__file__).resolve().parent.parent
PROCESS_OK, PROCESS_WHY = hostview.can_run_process_mode()
MODES = ["bwrap", pytest.param("process", marks=pytest.mark.skipif(not PROCESS_OK, reason=PROCESS_WHY))]
REFUSED_CALLS = ("io_uring_setup", "add_key", "request_key", "keyctl", "memfd_create", "userfaultfd",
                 "perf_event_open", "bpf", "shmget", "msgget", "semget", "mq_open", "ptrace", "process_vm_readv",
                 "setns")


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
    assert {name: found[name] for name in REFUSED_CALLS} == {name: "EPERM" for name in REFUSED_CALLS} | {
        "io_uring_setup": "ENOSYS"}
    assert {k: v for k, v in found.items() if k.startswith("socket")} == {
        "socket AF_INET": "EPERM", "socket AF_INET6": "EPERM", "socket AF_VSOCK": "EPERM",
        "socket AF_NETLINK": "EPERM", "socket AF_PACKET": "EPERM", "socket AF_UNIX": "allowed",
        "socketpair AF_UNIX": "allowed", "socketpair AF_INET": "EPERM"}
    assert replies[1][1] == "PermissionError"
    assert listener.received == []


def test_the_filter_is_built_for_both_architectures():
    for machine in ("x86_64", "aarch64"):
        prog = filter_program(machine)
        assert prog[-1] == (0x06, 0, 0, 0x00050000 | 38) and prog[-2] == (0x06, 0, 0, 0x00050000 | 1)
        assert len(prog) < 100
    assert filter_program("riscv64") is None


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
