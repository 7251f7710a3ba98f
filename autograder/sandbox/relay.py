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
STATUSES = ("ok", "error", "timeout")
TEXT_LIMIT = 4000      # characters of any text passed on (the grader bounds it again)
REPLY_HEADER = 16 << 20
REPLY_BYTES = 64 << 20


class Violation(Exception):
    """The student process sent something the protocol does not allow at this point."""


def _reader(fd: int) -> Callable[[int], bytes]:
    def read_exact(n: int) -> bytes:
        chunks, left = [], n
        while left:
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


class Relay:
    def __init__(self, wire: Codec, grader_out: int, child_out: int, child_pid: int) -> None:
        self.wire, self.pid = wire, child_pid
        self.grader_out = grader_out
        self.read_child = _reader(child_out)

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
        if op == "cell":
            index, status = reply.get("index"), reply.get("status")
            if not isinstance(index, int) or isinstance(index, bool) or status not in STATUSES:
                raise Violation("a malformed cell outcome")
            self.to_grader({"op": "cell", "index": index, "status": status, "error": _text(reply.get("error", ""))})
        elif op == "loaded":
            self.to_grader({"op": "loaded"})
        elif op == "result" and "value" in reply:
            self.to_grader({"op": "result"}, value, has_value=True)
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


def start(wire: Codec, fd_in: int, fd_out: int, serve_child: Callable[[int, int], None]) -> None:
    """Fork: the child runs serve_child(fd_in, reply_pipe) without the grader's reply fd; this process relays."""
    from_child_r, from_child_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(fd_out)
        os.close(from_child_r)
        code = 1
        try:
            serve_child(fd_in, from_child_w)
            code = 0
        finally:
            os._exit(code)
    os.close(fd_in)
    os.close(from_child_w)
    not_dumpable()
    Relay(wire, fd_out, from_child_r, pid).run()
