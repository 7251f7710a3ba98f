"""The grader's end of the reply channel inside the sandbox: a process that student code never runs in.

runner.py forks once, before any student code: the child runs the student's cells and calls
(runner.Runner), reading the grader's requests directly (they hold only what the student's own
code is given) and writing its replies on a pipe to this parent, the relay, which holds the only
copy of the channel back to the grader. Student code can write anything onto that pipe, and the
relay reads it as what it is, the student process talking: each message is parsed with wire.py's
bounds (size, depth, count) and only a known reply (`cell`, `loaded`, `result`, `error`,
`oracle`) is passed on, rebuilt field by field from checked values; the grader checks their order
against its request (jail.Worker). Anything else ends the sandbox with one {"op": "violation",
"message"} to the grader, which becomes that student's note. The relay is not dumpable, so the
child, though it runs as the same user, cannot trace it, read its memory or open its file
descriptors through /proc. (Requests go to the child without a relay: one process hop per
round trip instead of two.)

Standalone (standard library + wire.py, which runner.py passes in).
"""
from __future__ import annotations

import ctypes
import os
import signal
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:     # never at run time: inside the sandbox this module runs without the package
    from .wire import Codec, Header, Message

PR_SET_DUMPABLE = 4
# A graded call creates no process (the given-helper rule across processes): the child's fork,
# vfork and clone without CLONE_THREAD wait for the relay's answer (seccomp's user notification),
# which is "go on" between calls and EPERM during one. The call's start is the runner's
# {"op": "calling"}, written before any of the call's student code runs and answered on the
# control socket once no other process of the student is left; its end is the call's reply.
SYS_SECCOMP = {"x86_64": 317, "aarch64": 277}
FORKS = {"x86_64": {"fork": 57, "vfork": 58, "clone": 56}, "aarch64": {"clone": 220}}
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
SECCOMP_SET_MODE_FILTER = 1
SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3
SECCOMP_RET_ALLOW, SECCOMP_RET_USER_NOTIF = 0x7FFF0000, 0x7FC00000
CLONE_THREAD = 0x00010000
NOTIF_RECV, NOTIF_SEND = 0xC0502100, 0xC0182101    # _IOWR('!', 0 / 1, struct seccomp_notif / _resp)
NOTIF_CONTINUE = 1
STATUSES = ("ok", "error", "timeout")
TEXT_LIMIT = 4000      # characters of any text passed on (the grader bounds it again)
REPLY_HEADER = 16 << 20
REPLY_BYTES = 64 << 20


class Violation(Exception):
    """The student process sent something the protocol does not allow at this point."""


def _reader(fd: int, forks: ForkGate | None = None) -> Callable[[int], bytes]:
    def read_exact(n: int) -> bytes:
        chunks, left = [], n
        while left:
            if forks is not None:
                forks.wait_for(fd)
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    return read_exact


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise Violation("a text field is not text")
    return value[:TEXT_LIMIT]


class _Filter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint16), ("jt", ctypes.c_uint8), ("jf", ctypes.c_uint8), ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Filter))]


def fork_listener() -> int:
    """In the child, before any student code: forks ask the relay; returns the listener's fd (-1: not here)."""
    machine = os.uname().machine
    if machine not in FORKS:
        return -1
    names = sorted(FORKS[machine])
    ld, jeq, jset, ret = 0x20, 0x15, 0x45, 0x06
    k = len(names)
    allow, clone, notif = 3 + k, 4 + k, 7 + k      # where those instructions are
    prog = [(ld, 0, 0, 4), (jeq, 0, allow - 2, AUDIT_ARCH[machine]), (ld, 0, 0, 0)]
    for i, name in enumerate(names, start=3):
        prog.append((jeq, (clone if name == "clone" else notif) - i - 1, 0, FORKS[machine][name]))
    prog += [(ret, 0, 0, SECCOMP_RET_ALLOW),
             (ld, 0, 0, 16), (jset, 0, 1, CLONE_THREAD),        # clone's flags (low half): a thread goes on
             (ret, 0, 0, SECCOMP_RET_ALLOW), (ret, 0, 0, SECCOMP_RET_USER_NOTIF)]
    filters = (_Filter * len(prog))(*[_Filter(*i) for i in prog])
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    fd = libc.syscall(SYS_SECCOMP[machine], SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
                      ctypes.byref(_Prog(len(prog), filters)))
    if fd < 0:
        raise OSError(ctypes.get_errno(), "the graded calls' fork filter could not be installed")
    return int(fd)


class ForkGate:
    """The relay's side: answers the child's forks, and clears the way for a call (see FORKS above)."""

    def __init__(self, listener: int, control: int, child_pid: int) -> None:
        self.listener, self.control, self.child = listener, control, child_pid
        self.in_call = False
        self.others = False          # a fork was let through since the last clearing
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.request = ctypes.create_string_buffer(80)

    def wait_for(self, fd: int) -> None:
        """Answer forks until `fd` has data."""
        import select

        while True:
            ready, _, _ = select.select([fd, self.listener], [], [])
            if self.listener in ready:
                self.answer()
            if fd in ready:
                return

    def answer(self) -> None:
        ctypes.memset(self.request, 0, 80)
        if self.libc.ioctl(self.listener, NOTIF_RECV, self.request) != 0:
            return        # the caller died meanwhile
        notif_id = int.from_bytes(self.request.raw[:8], "little")
        if self.in_call:
            response = notif_id.to_bytes(8, "little") + bytes(8) + (-1).to_bytes(4, "little", signed=True) + bytes(4)
        else:
            self.others = True
            response = notif_id.to_bytes(8, "little") + bytes(12) + NOTIF_CONTINUE.to_bytes(4, "little")
        self.libc.ioctl(self.listener, NOTIF_SEND, ctypes.create_string_buffer(response, 24))

    def calling(self) -> None:
        """A call starts: no process may be made now; end every other process of the student, then say go."""
        self.in_call = True
        if self.others:
            me = os.getuid()
            for _ in range(100):
                found = False
                for name in os.listdir("/proc"):
                    if not name.isdigit() or int(name) in (os.getpid(), self.child):
                        continue
                    try:
                        if not _same_uid(name, me):
                            continue
                        os.kill(int(name), signal.SIGKILL)
                        found = True
                    except OSError:
                        pass
                if not found:
                    break
            self.others = False
        os.write(self.control, b"!")

    def called(self) -> None:
        self.in_call = False


def _same_uid(pid: str, uid: int) -> bool:
    """A live process (not a zombie, which can do nothing and is its adopter's to reap) of `uid`."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if line.startswith(("State:", "Uid:")))
        return fields["Uid"].split()[0] == str(uid) and fields["State"].split()[0] not in ("Z", "X")
    except (OSError, KeyError, IndexError, ValueError):
        return False


class Relay:
    def __init__(self, wire: Codec, grader_out: int, child_out: int, child_pid: int,
                 forks: ForkGate | None = None) -> None:
        self.wire, self.pid = wire, child_pid
        self.grader_out = grader_out
        self.forks = forks
        self.read_child = _reader(child_out, forks)

    def to_grader(self, header: Mapping[str, object], value: object = None, has_value: bool = False) -> None:
        if has_value:
            header = dict(header, value=None)
        view = memoryview(self.wire.pack(header, value))
        while view:
            view = view[os.write(self.grader_out, view):]

    def from_child(self) -> Message:
        try:
            return self.wire.unpack_from(self.read_child, REPLY_HEADER, REPLY_BYTES)
        except self.wire.WireError as exc:
            raise Violation(f"a malformed message ({exc})") from None

    def run(self) -> NoReturn:
        self.to_grader({"op": "ready"})
        while True:
            try:
                reply, value = self.from_child()
                self.forward(reply, value)
            except EOFError:
                self.child_gone()
            except Violation as exc:
                os.kill(self.pid, signal.SIGKILL)
                self.to_grader({"op": "violation", "message": f"the student's process broke the protocol: {exc}"})
                os._exit(3)

    def forward(self, reply: Header, value: object) -> None:
        """Pass on one reply, rebuilt from checked fields (Violation for anything else)."""
        op = reply.get("op")
        if op == "calling" and self.forks is not None:
            self.forks.calling()
            return
        if op in ("result", "error") and self.forks is not None:
            self.forks.called()
        if op == "cell":
            index, status = reply.get("index"), reply.get("status")
            if not isinstance(index, int) or isinstance(index, bool) or status not in STATUSES:
                raise Violation("a malformed cell outcome")
            self.to_grader({"op": "cell", "index": index, "status": status, "error": _text(reply.get("error", ""))})
        elif op == "loaded":
            self.to_grader({"op": "loaded"})
        elif op == "result" and "value" in reply:
            header: dict[str, object] = {"op": "result"}
            if reply.get("aliased"):     # the answer is (part of) an input (runner.returned_input)
                header["aliased"] = _text(reply.get("aliased"))
            self.to_grader(header, value, has_value=True)
        elif op == "error":
            self.to_grader({"op": "error", "kind": _text(reply.get("kind")), "message": _text(reply.get("message"))})
        elif op == "oracle" and "value" in reply:
            self.to_grader({"op": "oracle", "name": _text(reply.get("name"))}, value, has_value=True)
        else:
            raise Violation(f"an unknown message ({str(op)[:40]!r})")

    def child_gone(self) -> NoReturn:
        """End as the child ended (its exit code, or its signal), so the grader can say why."""
        _, status = os.waitpid(self.pid, 0)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})
            os.kill(os.getpid(), sig)
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def not_dumpable() -> None:
    """No ptrace, /proc/<pid>/mem or /proc/<pid>/fd for processes of the same user (the child)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def start(wire: Codec, fd_in: int, fd_out: int, serve_child: Callable[[int, int, int], None]) -> None:
    """Fork: the child runs serve_child(fd_in, reply_pipe, control) without the grader's reply fd; this process relays.

    control: the child's end of a socket on which the relay says a call may start (-1: no fork gate here).
    """
    import socket

    from_child_r, from_child_w = os.pipe()
    parent_sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        os.close(fd_out)
        os.close(from_child_r)
        parent_sock.close()
        code = 1
        try:
            listener = fork_listener()
            socket.send_fds(child_sock, [b"L"], [listener] if listener >= 0 else [])
            if listener >= 0:
                os.close(listener)
            control = child_sock.detach() if listener >= 0 else -1
            serve_child(fd_in, from_child_w, control)
            code = 0
        finally:
            os._exit(code)
    os.close(fd_in)
    os.close(from_child_w)
    child_sock.close()
    not_dumpable()
    _, fds, _, _ = socket.recv_fds(parent_sock, 1, 1)
    forks = ForkGate(fds[0], parent_sock.detach(), pid) if fds else None
    Relay(wire, fd_out, from_child_r, pid, forks).run()
