"""First code of a sandboxed Jupyter kernel, after enter.py: ipykernel_launcher, with its fork pipe on ipc.

Usage (through enter.py, by kernel.SandboxedKernelManager): kernel_start.py -f CONNECTION_FILE [ARGS...]

As `python -m ipykernel_launcher` would: the working directory and then PYTHONPATH come first on
sys.path (PYTHONPATH is read only now: the interpreter started with -I, as root). One change:
ipykernel's IOPub thread listens on tcp://127.0.0.1 for the output of forked processes (a
multiprocessing worker's print), and the sandbox has no internet sockets (enter.py's filter
refuses them, and libzmq aborts the kernel when it cannot list the interfaces); the same pipe
listens on an ipc socket in the kernel's private /tmp instead, so that output still arrives.

Standalone: standard library, pyzmq and ipykernel only.
"""
import os
import sys
import tempfile
from typing import Any


def _pipe_on_ipc() -> None:
    import zmq
    from ipykernel import iostream
    from zmq.eventloop.zmqstream import ZMQStream

    def setup_pipe_in(self: Any) -> None:
        ctx = self.socket.context
        self._pipe_uuid = os.urandom(16)
        pipe_in = ctx.socket(zmq.PULL)
        pipe_in.linger = 0
        self._bptt_pipe = "ipc://" + os.path.join(tempfile.mkdtemp(prefix="iopub-"), "pipe")
        pipe_in.bind(self._bptt_pipe)
        self._pipe_in = ZMQStream(pipe_in, self.io_loop)
        self._pipe_in.on_recv(self._handle_pipe_msg)

    def setup_pipe_out(self: Any) -> tuple[Any, Any]:
        ctx = zmq.Context()   # a new context after fork, as ipykernel's own
        pipe_out = ctx.socket(zmq.PUSH)
        pipe_out.linger = 3000
        pipe_out.connect(self._bptt_pipe)
        return ctx, pipe_out

    setattr(iostream.IOPubThread, "_setup_pipe_in", setup_pipe_in)    # noqa: B010 -- a method replaced
    setattr(iostream.IOPubThread, "_setup_pipe_out", setup_pipe_out)  # noqa: B010


def main() -> None:
    sys.path[0:0] = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    _pipe_on_ipc()
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
