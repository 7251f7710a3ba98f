"""A real Jupyter server for tests: started on 127.0.0.1 at a free port, stopped by the test.

    with JupyterServer(course_root, app="notebook", env={...}) as server:
        server.get("/formgrader/api/assignments")          # parsed JSON
        server.post("/formgrader/api/submission/bptt/ada/autograde")
        server.url                                          # http://127.0.0.1:<port>

The server runs with the working directory at the course root (Formgrader reads
nbgrader_config.py from there), no token, no browser, its runtime files in a
temporary folder, and in a session of its own so that stopping it also stops its
kernels.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterServer:
    """app: "server" (API only), "notebook" (Notebook 7) or "lab" (JupyterLab)."""

    def __init__(self, root, app="server", env=None, start_timeout=180):
        self.root = Path(root)
        self.app = app
        self.env = env or {}
        self.start_timeout = start_timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None

    def __enter__(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="bptt-jupyter-")
        tmp = Path(self._tmp.name)
        env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), IPYTHONDIR=str(tmp / "ipython"),
                   BPTT_AUTOGRADER_ROOT=str(REPO), **self.env)
        module = {"server": "jupyter_server", "notebook": "notebook", "lab": "jupyterlab"}[self.app]
        cmd = [sys.executable, "-m", module, "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
               "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
               f"--ServerApp.root_dir={self.root}"]
        self.log = open(tmp / "server.log", "w+")
        self.proc = subprocess.Popen(cmd, cwd=self.root, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter {self.app} exited with {self.proc.returncode}:\n{self.read_log()}")
            try:
                self.get("/api/status", timeout=5)
                return self
            except (urllib.error.URLError, ConnectionError, OSError) as exc:
                if time.monotonic() > deadline:
                    self.__exit__(None, None, None)
                    raise RuntimeError(f"jupyter {self.app} did not answer in {self.start_timeout} s") from exc
                time.sleep(0.25)

    def read_log(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-8000:]

    def request(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def get(self, path, timeout=60):
        return self.request("GET", path, timeout=timeout)

    def text(self, path, timeout=60):
        """The body of GET `path` as text (a page, not JSON)."""
        with urllib.request.urlopen(self.url + path, timeout=timeout) as resp:
            return resp.read().decode()

    def post(self, path, body=None, timeout=60):
        return self.request("POST", path, body if body is not None else {}, timeout=timeout)

    def execute(self, code, timeout=60):
        """Run `code` in a fresh kernel of this server (as a user's notebook would); return its stdout."""
        import websocket  # websocket-client, a dependency of jupyter

        kernel = self.post("/api/kernels", {"name": "python3"})
        ws = websocket.create_connection(f"ws://127.0.0.1:{self.port}/api/kernels/{kernel['id']}/channels",
                                         timeout=timeout)
        try:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test", "session": "t",
                           "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                            "allow_stdin": False, "stop_on_error": True}}))
            out = []
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "stream":
                    out.append(content["text"])
                elif kind == "error":
                    out.append(f"{content['ename']}: {content['evalue']}\n")
                elif kind == "status" and content["execution_state"] == "idle":
                    return "".join(out)
            raise TimeoutError(f"no reply from the kernel in {timeout} s")
        finally:
            ws.close()
            self.request("DELETE", f"/api/kernels/{kernel['id']}")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            try:  # shut kernels down through the API, then the server itself
                for kernel in self.get("/api/kernels", timeout=10):
                    self.request("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)
            except (urllib.error.URLError, OSError):
                pass
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self.log.close()
        self._tmp.cleanup()
        return False
