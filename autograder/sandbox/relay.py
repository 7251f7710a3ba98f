"""The grader's end of the channel inside the sandbox: a process that student code never runs in.

runner.py forks once, before any student code: the child runs the student's cells and calls
(runner.Runner) on a pipe pair of its own; this parent, the relay, holds the only copies of the
channel to the grader. Student code can write anything onto the child's pipes, and the relay
reads that as what it is, the student process talking: it checks every message against the
request it answers (one `cell` outcome per cell in order, then `loaded`; `oracle` requests
while a call runs, then one `result` or `error`), bounded in size and depth by wire.py, and
passes on only fields it rebuilt itself. Anything else ends the sandbox with one
{"op": "violation", "message"} to the grader, which the grader turns into that student's note.
The relay is not dumpable, so the child, though it runs as the same user, cannot trace it,
read its memory or open its file descriptors through /proc.

Standalone (standard library + wire.py, which runner.py passes in).
"""
import ctypes
import os
import signal

PR_SET_DUMPABLE = 4
STATUSES = ("ok", "error", "timeout")
TEXT_LIMIT = 4000      # characters of any text passed on (the grader bounds it again)
REPLY_HEADER = 16 << 20
REPLY_BYTES = 64 << 20


class Violation(Exception):
    """The student process sent something the protocol does not allow at this point."""


def _reader(fd):
    def read_exact(n):
        chunks, left = [], n
        while left:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    return read_exact


def _text(value):
    if not isinstance(value, str):
        raise Violation("a text field is not text")
    return value[:TEXT_LIMIT]


class Relay:
    def __init__(self, wire, grader_in, grader_out, child_in, child_out, child_pid, given_label):
        self.wire, self.pid, self.given_label = wire, child_pid, given_label
        self.grader_out, self.child_in = grader_out, child_in
        self.read_grader, self.read_child = _reader(grader_in), _reader(child_out)

    # ---- messages -----------------------------------------------------------
    def _write(self, fd, header, value=None, has_value=False):
        if has_value:
            header = dict(header, value=None)
        view = memoryview(self.wire.pack(header, value))
        while view:
            view = view[os.write(fd, view):]

    def to_grader(self, header, value=None, has_value=False):
        self._write(self.grader_out, header, value, has_value)

    def from_grader(self):
        return self.wire.unpack_from(self.read_grader)

    def to_child(self, header, value):
        header = {k: v for k, v in header.items() if k not in ("n_arrays", "arrays", "value")}
        self._write(self.child_in, header, value, has_value=value is not None)

    def from_child(self):
        try:
            return self.wire.unpack_from(self.read_child, REPLY_HEADER, REPLY_BYTES)
        except self.wire.WireError as exc:
            raise Violation(f"a malformed message ({exc})") from None

    # ---- the protocol -------------------------------------------------------
    def run(self):
        self.to_grader({"op": "ready"})
        while True:
            try:
                header, value = self.from_grader()
            except EOFError:
                self.child_gone(kill=True)
            op = header.get("op")
            try:
                self.to_child(header, value)
            except BrokenPipeError:
                self.child_gone()
            try:
                if op == "exit":
                    self.child_gone()
                elif op == "load":
                    self.load(header)
                elif op == "call":
                    self.call()
            except EOFError:
                self.child_gone()
            except Violation as exc:
                os.kill(self.pid, signal.SIGKILL)
                self.to_grader({"op": "violation", "message": f"the student's process broke the protocol: {exc}"})
                os._exit(3)

    def load(self, header):
        cells = header.get("cells") or []
        n = len(cells) - (1 if cells and cells[-1][0] == self.given_label else 0)
        for i in range(n):
            reply, _ = self.from_child()
            if reply.get("op") != "cell" or reply.get("index") != i or reply.get("status") not in STATUSES:
                raise Violation(f"expected the outcome of cell {i + 1} of {n}")
            self.to_grader({"op": "cell", "index": i, "status": reply["status"], "error": _text(reply.get("error", ""))})
        reply, _ = self.from_child()
        if reply.get("op") != "loaded":
            raise Violation(f"more messages than the {n} cells it was given")
        self.to_grader({"op": "loaded"})

    def call(self):
        while True:
            reply, value = self.from_child()
            op = reply.get("op")
            if op == "result" and "value" in reply:
                self.to_grader({"op": "result"}, value, has_value=True)
                return
            if op == "error":
                self.to_grader({"op": "error", "kind": _text(reply.get("kind")), "message": _text(reply.get("message"))})
                return
            if op != "oracle" or "value" not in reply:
                raise Violation(f"an unexpected message while a function ran ({str(op)[:40]!r})")
            self.to_grader({"op": "oracle", "name": _text(reply.get("name"))}, value, has_value=True)
            answer, value = self.from_grader()
            self.to_child(answer, value)

    def child_gone(self, kill=False):
        """End as the child ended (its exit code, or its signal), so the grader can say why."""
        if kill:
            os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            signal.signal(sig, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})
            os.kill(os.getpid(), sig)
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def not_dumpable():
    """No ptrace, /proc/<pid>/mem or /proc/<pid>/fd for processes of the same user (the child)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def start(wire, fd_in, fd_out, serve_child, given_label):
    """Fork: the child runs serve_child(child_in, child_out) without the grader's fds; this process relays."""
    to_child_r, to_child_w = os.pipe()
    from_child_r, from_child_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        for fd in (fd_in, fd_out, to_child_w, from_child_r):
            os.close(fd)
        code = 1
        try:
            serve_child(to_child_r, from_child_w)
            code = 0
        finally:
            os._exit(code)
    os.close(to_child_r)
    os.close(from_child_w)
    not_dumpable()
    Relay(wire, fd_in, fd_out, to_child_w, from_child_r, pid, given_label).run()
