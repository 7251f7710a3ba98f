"""The worker inside the sandbox: runs a student's notebooks and calls their functions.

This is the ONLY code of the grader that runs in the sandbox. It is standalone
(standard library + NumPy + wire.py, imported by path) and holds no reference
answers: the parent sends inputs, this process sends back what the student's
function returned, and the parent judges.

Usage (started by jail.py inside bwrap):
    python -I -S runner.py IN_FD OUT_FD MEM_BYTES CPU_SECONDS SITE_PACKAGES

The runner first sends {"op": "ready"}. Requests (parent -> runner), one wire message each:
    {"op": "load", "notebook": stem, "cells": [[label, source], ...], "timeout": s}
        run the cells in a fresh namespace; answers one {"op": "cell", "index": i,
        "status": "ok"|"error"|"timeout", "error": text} per cell, then {"op": "loaded"}
    {"op": "call", "notebook": stem, "name": f, "oracles": [names], "timeout": s, value=args}
        call f(*args); answers {"op": "result", value} or {"op": "error", "kind", "message"}.
        While the call runs, each name in oracles is a proxy that asks the parent:
        {"op": "oracle", "name": n, value=args} -> {"op": "oracle_result", value}
        or {"op": "oracle_error", "message"}.
    {"op": "exit"}
"""
import builtins
import importlib.util
import os
import re
import resource
import signal
import sys
import warnings

MAGIC_LINE = re.compile(r"^\s*[%!]")
MESSAGE_LIMIT = 500  # characters of an exception message sent back


class GradingTimeout(BaseException):
    """Raised by SIGALRM when a cell or a call runs past its time limit."""


class HelperCallError(Exception):
    """A helper function the grader supplies (for an assembly unit) refused a call."""


def _load_wire():
    # Imported by path: the runner's folder is not on sys.path (python -I).
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wire.py")
    spec = importlib.util.spec_from_file_location("bptt_wire", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _limit(mem_bytes, cpu_seconds):
    if mem_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
    if cpu_seconds > 0:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    # Files written by the student (to the sandbox's tmpfs) stay small.
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 20, 64 << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _silence_output():
    """Student prints go nowhere: the protocol runs on private fds, never stdout."""
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    sys.stdin = open(os.devnull)
    sys.stdout = sys.stderr = open(os.devnull, "w")


def strip_magics(source):
    """Drop IPython magic and shell lines (%..., !...), which plain Python cannot run."""
    return "\n".join("" if MAGIC_LINE.match(line) else line for line in source.split("\n"))


def describe_exception(exc):
    if isinstance(exc, MemoryError):
        return "memory limit exceeded (MemoryError)"
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "..."


class Runner:
    def __init__(self, wire, fd_in, fd_out):
        self.wire, self.fd_in, self.fd_out = wire, fd_in, fd_out
        self.namespaces = {}
        # Keep our own references: the student may monkeypatch modules later.
        self._to_data, self._to_args = wire.to_data, wire.to_args
        self._pack, self._unpack = wire.pack, wire.unpack_from
        self._write, self._read = os.write, os.read

    # ---- messages ---------------------------------------------------------
    def send(self, header, value=None, has_value=False):
        if has_value:
            header = dict(header, value=None)
        data = self._pack(header, value)
        view = memoryview(data)
        while view:
            view = view[self._write(self.fd_out, view):]

    def read_exact(self, n):
        chunks, left = [], n
        while left:
            chunk = self._read(self.fd_in, min(left, 1 << 20))
            if not chunk:
                raise EOFError("parent closed the channel")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def receive(self):
        return self._unpack(self.read_exact)

    # ---- timing -----------------------------------------------------------
    @staticmethod
    def _alarm(signum, frame):
        raise GradingTimeout()

    def _arm(self, seconds):
        signal.signal(signal.SIGALRM, self._alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)

    @staticmethod
    def _disarm():
        signal.setitimer(signal.ITIMER_REAL, 0)

    # ---- requests ---------------------------------------------------------
    def load(self, header):
        ns = {"__name__": "__main__", "__builtins__": builtins}
        self.namespaces[header["notebook"]] = ns
        for i, (label, source) in enumerate(header["cells"]):
            status, error = "ok", ""
            try:
                code = compile(strip_magics(source), f"<{header['notebook']}: {label}>", "exec")
                self._arm(header["timeout"])
                try:
                    exec(code, ns)
                finally:
                    self._disarm()
            except GradingTimeout:
                status, error = "timeout", f"timed out after {header['timeout']:g}s"
            except BaseException as exc:  # noqa: B036 -- sys.exit in a cell must not end the worker
                self._disarm()
                status, error = "error", describe_exception(exc)
            self.send({"op": "cell", "index": i, "status": status, "error": error})
        self.send({"op": "loaded"})

    def _proxy(self, name):
        def oracle(*args):
            self.send({"op": "oracle", "name": name}, self._to_args(args), has_value=True)
            header, value = self.receive()
            if header.get("op") == "oracle_result":
                return value
            raise HelperCallError(header.get("message", f"{name} refused the call"))
        oracle.__name__ = name
        return oracle

    def call(self, header, args):
        ns = self.namespaces.get(header["notebook"])
        name = header["name"]
        func = ns.get(name) if ns is not None else None
        if not callable(func):
            self.send({"op": "error", "kind": "undefined",
                       "message": f"function {name} is not defined (was it renamed or deleted?)"})
            return
        oracles = header.get("oracles") or []
        saved = {o: ns[o] for o in oracles if o in ns}
        ns.update({o: self._proxy(o) for o in oracles})
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._arm(header["timeout"])
                try:
                    result = func(*args)
                finally:
                    self._disarm()
            data = self._to_data(result)
        except GradingTimeout:
            self.send({"op": "error", "kind": "timeout", "message": f"timed out after {header['timeout']:g}s"})
            return
        except NotImplementedError:
            self.send({"op": "error", "kind": "notimplemented", "message": f"{name} is not implemented yet"})
            return
        except BaseException as exc:  # noqa: B036 -- SystemExit/KeyboardInterrupt from student code too
            kind = "memory" if isinstance(exc, MemoryError) else "exception"
            self.send({"op": "error", "kind": kind, "message": f"{name} raised {describe_exception(exc)}"})
            return
        finally:
            for o in oracles:
                ns.pop(o, None)
            ns.update(saved)
        try:
            self.send({"op": "result"}, data, has_value=True)
        except Exception as exc:
            self.send({"op": "error", "kind": "exception",
                       "message": f"{name} returned a value that cannot be sent back: {describe_exception(exc)}"})

    def serve(self):
        while True:
            header, value = self.receive()
            op = header.get("op")
            if op == "load":
                self.load(header)
            elif op == "call":
                self.call(header, tuple(value) if value is not None else ())
            elif op == "exit":
                return


def main(argv):
    fd_in, fd_out, mem_bytes, cpu_seconds = (int(a) for a in argv[1:5])
    # Started with -S (no site module: .pth start-up hooks cost ~40 ms per sandbox);
    # the interpreter's site-packages folders come as the last argument.
    sys.path.extend(p for p in argv[5].split(os.pathsep) if p and p not in sys.path)
    for fd in (fd_in, fd_out):
        os.set_inheritable(fd, False)  # subprocesses the student starts do not get the channel
    wire = _load_wire()
    import numpy  # noqa: F401 -- imported before the limits: its start-up is not the student's cost
    _limit(mem_bytes, cpu_seconds)
    _silence_output()
    # Like a Jupyter kernel: the working directory (public assignment files) is importable.
    sys.path.insert(0, os.getcwd())
    runner = Runner(wire, fd_in, fd_out)
    runner.send({"op": "ready"})
    runner.serve()


if __name__ == "__main__":
    main(sys.argv)
