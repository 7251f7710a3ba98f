"""Adversarial and broken submissions for the mini course, each with its exact expected score.

Each entry: how to build the submission from the solved mini course
(minicourse.student keyword arguments), the exact total it must get (max 8:
dz_netAct 1, dz_netIn 2, dz_b 1, mlp_backward 3, dy_t 1), and for each unit
that must lose its points a text its message must contain.

`REPO`, `COURSE`, `OUT` and the `PLANTED_*` names in the attack code are replaced by real paths
(tests/adversarial/hostcopies.py plants the copies), so the attacks know exactly where the
reference, the solutions, the gradebook and the copies elsewhere on the host are. A mode's own
expectation (e.g. `process=dict(score=..., lost=...)`) overrides the common one.
"""

MLP, RNN = "01_mlp_backprop", "02_rnn_bptt"

READ_ATTACK = r'''def dz_b(dz_netIn):
    # Returns the right answer only if it managed to reach the grader's files.
    import ctypes, glob, os, sys
    reached = []
    libc = ctypes.CDLL(None)
    for hidden in ("REPO", "COURSE", "/tmp"):
        libc.umount2(hidden.encode(), 2)      # undo the hiding, if the sandbox allowed it
    libc.unshare(0x10000000 | 0x00020000)     # a new user + mount namespace, if allowed
    # The repository itself on the path (a Python installed inside it may legitimately be there).
    if any(p.rstrip("/") in ("REPO", "REPO/autograder") for p in sys.path) or "REPO/autograder" in str(dict(os.environ)):
        reached.append(("path", b""))
    sys.path.insert(0, "REPO")
    try:
        import autograder.reference as R
        return R.dz_b(dz_netIn)
    except Exception:
        pass
    for path in ["REPO/autograder/reference/mlp.py", "REPO/autograder/checks/mlp.py",
                 "COURSE/source/bptt/01_mlp_backprop.ipynb", "COURSE/gradebook.db",
                 "/proc/1/cwd/autograder/reference/mlp.py", "/proc/1/root/REPO/autograder/reference/mlp.py"]:
        try:
            with open(path, "rb") as f:
                reached.append((path, f.read(100)))
        except Exception:
            pass
    d = os.getcwd()
    while True:
        reached += [(p, b"") for p in glob.glob(d + "/*/reference/*.py") + glob.glob(d + "/gradebook.db")]
        if d == "/":
            break
        d = os.path.dirname(d)
    for pid in os.listdir("/proc"):
        try:
            env = open(f"/proc/{pid}/environ", "rb").read()
            if b"REPO" in env or b"PYTHONPATH" in env:
                reached.append((pid, env))
        except Exception:
            pass
    if reached:
        return dz_netIn.sum(axis=0)
    return np.zeros(dz_netIn.shape[1])
'''

WRITE_ATTACK = r'''import json, os
for path in ["REPO/autograder/reference/mlp.py", "COURSE/source/bptt/01_mlp_backprop.ipynb",
             "OUT/grades.json", "OUT/mallory/results.json", "COURSE/gradebook.db",
             "/proc/1/cwd/grades.json", os.getcwd() + "/../grades.json"]:
    try:
        with open(path, "w") as f:
            f.write(json.dumps({"score": 1000}))
    except Exception:
        pass
try:
    os.makedirs("REPO/autograder", exist_ok=True)
except Exception:
    pass
'''

FRAME_ATTACK = r'''def dz_netAct(z_netAct, y):
    # Look for expected values in the callers' frames (works against in-kernel hidden tests).
    import inspect
    frame = inspect.currentframe().f_back
    while frame is not None:
        for name in ("expected", "case", "want"):
            if name in frame.f_locals:
                value = frame.f_locals[name]
                return getattr(value, "expected", value)
        frame = frame.f_back
    return np.zeros_like(z_netAct)
'''

ORACLE_ABUSE = r'''def dz_netIn(dz_netAct, z_netAct):
    # Ask the grader's reference directly through the runner's own proxy machinery.
    import gc
    runner = next(o for o in gc.get_objects() if type(o).__name__ == "Runner")
    return runner._proxy("dz_netIn")(dz_netAct, z_netAct)
'''

MONKEYPATCH = r'''import numpy as np
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_almost_equal = lambda *a, **k: None
np.max = lambda *a, **k: 0.0
np.abs = lambda x, *a, **k: x * 0
np.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)
'''

LIARS = r'''class Liar(np.ndarray):
    def __eq__(self, other): return np.ones(self.shape, bool)
    def __sub__(self, other): return np.zeros(self.shape).view(Liar)
    def __rsub__(self, other): return np.zeros(self.shape).view(Liar)
    def __abs__(self): return np.zeros(self.shape).view(Liar)
    def max(self, *a, **k): return 0.0

class Everything:
    def __eq__(self, other): return True
    def __sub__(self, other): return 0.0
    __rsub__ = __sub__
    def __abs__(self): return 0.0
    def __array__(self, *a, **k): raise TypeError("no")

def dz_b(dz_netIn):
    return np.zeros(dz_netIn.shape[1]).view(Liar)

def dz_netAct(z_netAct, y):
    return Everything()
'''

FAKE_OUTPUT = r'''import sys, json
print("test_dz_netAct: passed  1/1\nTotal score: 1000 / 8")
print(json.dumps({"op": "result", "score": 1000}))
sys.stderr.write("All tests passed\n")
sys.__stdout__.write("Grades: mallory 1000/8\n")
import os
os.write(1, b"score 1000\n")
'''

SIGNAL_CELL = r'''import signal
for s in (signal.SIGALRM, signal.SIGINT, signal.SIGTERM):
    signal.signal(s, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
while True:
    pass
'''

SIGNAL_FUNCTION = r'''def dy_t(p_t, y_t, T):
    import signal
    for s in (signal.SIGALRM, signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)
    while True:
        try:
            pass
        except BaseException:
            pass
'''

FORK_BOMB = r'''def dz_b(dz_netIn):
    import os, time
    for _ in range(500):
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
    return dz_netIn.sum(axis=0)
'''

HOST_THIEF = r'''def dz_b(dz_netIn):
    # Walks host folders for any Python file defining dz_b (another course copy, last year's solutions).
    import os
    for top in ["PLANTED_HOME", "PLANTED_SRV", "PLANTED_SIBLING", "COURSE", "REPO"]:
        for folder, dirs, files in os.walk(top):
            for name in files:
                if not name.endswith(".py"):
                    continue
                try:   # a venv inside the checkout is visible (Python's own files): some are not UTF-8
                    text = open(os.path.join(folder, name), errors="ignore").read()
                except OSError:
                    continue
                if "def dz_b(" in text and "walks host folders" not in text:
                    space = {"np": np}
                    exec(text, space)
                    return space["dz_b"](dz_netIn)
    return np.zeros(dz_netIn.shape[1])
'''

EXFILTRATE = r'''def dz_netAct(z_netAct, y):
    # Carries whatever it can read out through its exception and its prints.
    stolen = []
    for path in ["/etc/shadow", "PLANTED_SECRET", "REPO/autograder/reference/mlp.py",
                 "COURSE/source/bptt/01_mlp_backprop.ipynb", "/proc/1/environ"]:
        try:
            stolen.append(open(path, errors="replace").read())
        except OSError as exc:
            stolen.append(type(exc).__name__)
    text = "\x1b[2J" + " | ".join(stolen) * 50
    print(text)
    raise RuntimeError(text)
'''

# Forged frames on the sandbox's channel: the student writes protocol messages onto every pipe
# the process holds (the grader's channel was one of them before the relay, relay.py).
FORGE = r'''import json, os, stat, struct

def _frame(header, arrays=b""):
    data = json.dumps(header).encode()
    return struct.pack(">Q", len(data)) + data + arrays

def _forge(data):
    for fd in range(3, 256):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, data)
        except OSError:
            pass
'''

FORGE_CELLS = FORGE + r'''
_forge(b"".join(_frame({"op": "cell", "index": i, "status": "ok", "error": "", "n_arrays": 0, "arrays": []})
                for i in range(50)))
'''

FORGE_DEEP = r'''def dz_b(dz_netIn):
    deep = b"[" * 50000 + b"]" * 50000
    _forge(struct.pack(">Q", len(deep)) + deep)
    return dz_netIn.sum(axis=0)
'''

FORGE_SHAPE = r'''def dz_netIn(dz_netAct, z_netAct):
    header = {"op": "result", "value": {"t": "a", "i": 0}, "n_arrays": 1, "arrays": [["<f8", [0, 1 << 62]]]}
    _forge(_frame(header, struct.pack(">Q", 0)))
    return z_netAct * (dz_netAct - np.sum(dz_netAct * z_netAct, axis=1, keepdims=True))
'''

# One helper call whose answer would be a 15,000 x 15,000 matrix (1.8 GB) built in the grader's process.
HUGE_HELPER_CALL = r'''def mlp_backward(y, params, cache, reg):
    dz_wts(np.ones((1, 15000)), np.ones((1, 15000)), np.zeros(1), 0.0)
    g_zAct = dz_netAct(cache["z_netAct"], y)
    g_zIn = dz_netIn(g_zAct, cache["z_netAct"])
    g_yAct = dy_netAct(g_zIn, params["z_wts"])
    g_yIn = dy_netIn(g_yAct, cache["y_netIn"])
    return {"z_wts": dz_wts(g_zIn, cache["y_netAct"], params["z_wts"], reg), "z_b": dz_b(g_zIn),
            "y_wts": dy_wts(g_yIn, cache["X"], params["y_wts"], reg), "y_b": dy_b(g_yIn)}
'''

ADVERSARIAL = {
    "perfect": dict(build={}, score=8, lost={}),
    "untouched_release": dict(build=dict(solved=False), score=0,
                              lost={u: "not implemented yet" for u in
                                    ("dz_netAct", "dz_netIn", "dz_b", "mlp_backward", "dy_t")}),
    "syntax_error": dict(build=dict(edits={MLP: {"dz_netIn": "def dz_netIn(dz_netAct, z_netAct)\n    return 1\n"}}),
                         score=6, lost={"dz_netIn": "function dz_netIn is not defined"}),
    "exception": dict(build=dict(edits={MLP: {"dz_b": "def dz_b(dz_netIn):\n    raise ValueError('oops <b>')\n"}},
                                 extra={MLP: ["raise RuntimeError('a cell that fails')"]}),
                      score=7, lost={"dz_b": "dz_b raised ValueError: oops <b>"}),
    "renamed_function": dict(build=dict(edits={MLP: {"dz_netAct": "def dz_net_act(z_netAct, y):\n    return 0\n"}}),
                             score=7, lost={"dz_netAct": "function dz_netAct is not defined (was it renamed or deleted?)"}),
    "missing_notebook": dict(build=dict(skip=(RNN,)), score=7,
                             lost={"dy_t": "notebook 02_rnn_bptt.ipynb is missing"}),
    "loop_in_cell": dict(build=dict(extra={MLP: ["while True:\n    pass\n"]}), score=8, lost={}),
    "loop_in_function": dict(build=dict(edits={MLP: {"dz_b": "def dz_b(dz_netIn):\n    while True:\n        pass\n"}}),
                             score=7, lost={"dz_b": "timed out after"}),
    "sys_exit": dict(build=dict(extra={MLP: ["import sys\nsys.exit(0)"]},
                                edits={MLP: {"dz_netIn": "def dz_netIn(a, b):\n    import sys\n    sys.exit(3)\n"}}),
                     score=6, lost={"dz_netIn": "dz_netIn raised SystemExit"}),
    "os_exit_in_function": dict(build=dict(edits={MLP: {"dz_netAct": "def dz_netAct(z, y):\n    import os\n    os._exit(0)\n"}}),
                                score=7, lost={"dz_netAct": "worker crashed (exit code 0)"}),
    "os_exit_in_cell": dict(build=dict(extra={MLP: ["import os\nos._exit(1)"]}), score=8, lost={}),
    "segfault": dict(build=dict(edits={MLP: {"dz_b": "def dz_b(g):\n    import ctypes\n    return ctypes.string_at(0)\n"}}),
                     score=7, lost={"dz_b": "SIGSEGV"}),
    "huge_allocation": dict(build=dict(edits={MLP: {"dz_netIn": "def dz_netIn(a, b):\n    big = np.ones((200000, 200000))\n"
                                                                "    return big[:a.shape[0], :a.shape[1]]\n"}},
                                       extra={RNN: ["hog = bytearray(8 << 30)"]}),
                            score=6, lost={"dz_netIn": "memory limit exceeded"}),
    "ignore_signals_in_cell": dict(build=dict(extra={RNN: [SIGNAL_CELL]}), score=8, lost={}),
    "ignore_signals_in_function": dict(build=dict(edits={RNN: {"dy_t": SIGNAL_FUNCTION}}), score=7,
                                       lost={"dy_t": "timed out after"}),
    "monkeypatch_numpy": dict(build=dict(extra={MLP: [MONKEYPATCH]},
                                         edits={MLP: {"dz_b": "def dz_b(g):\n    return np.zeros(g.shape[1])\n",
                                                      "dz_netAct": "def dz_netAct(z, y):\n    return z * 0\n"}}),
                              score=6, lost={"dz_b": "dz_b output", "dz_netAct": "dz_netAct output"}),
    "lying_objects": dict(build=dict(edits={MLP: {"dz_b": LIARS, "dz_netAct": "pass"}}), score=6,
                          lost={"dz_b": "dz_b output", "dz_netAct": "expected a NumPy array"}),
    "fake_grader_output": dict(build=dict(extra={MLP: [FAKE_OUTPUT]}), score=8, lost={}),
    "write_files": dict(build=dict(extra={MLP: [WRITE_ATTACK]}), score=8, lost={}),
    "read_reference": dict(build=dict(edits={MLP: {"dz_b": READ_ATTACK}}), score=7,
                           lost={"dz_b": "dz_b output"}),
    "frame_inspection": dict(build=dict(edits={MLP: {"dz_netAct": FRAME_ATTACK}}), score=7,
                             lost={"dz_netAct": "wrong values"}),
    "oracle_abuse": dict(build=dict(edits={MLP: {"dz_netIn": ORACLE_ABUSE}}), score=6,
                         lost={"dz_netIn": "dz_netIn is not available while grading dz_netIn"}),
    "invalid_json": dict(build=dict(raw={MLP: b'{"cells": [ not json'}), score=1,
                         lost={u: "notebook is not valid JSON" for u in ("dz_netAct", "dz_netIn", "dz_b", "mlp_backward")}),
    "points_raised_to_1000": dict(build=dict(points=1000), score=8, lost={}),
    # A graded call cannot create processes (relay.py): its first fork fails. (A fork bomb in a
    # cell meets the pids limit: tests/test_sandbox.py.)
    "fork_bomb": dict(build=dict(edits={MLP: {"dz_b": FORK_BOMB}}), score=7,
                      lost={"dz_b": "PermissionError: [Errno 1] Operation not permitted"}),
    # Process isolation protects only by file permissions: a world-readable copy elsewhere on the
    # host (here in /srv and in a 0755 home) is readable there; under bwrap it does not exist.
    "host_thief": dict(build=dict(edits={MLP: {"dz_b": HOST_THIEF}}), score=7, lost={"dz_b": "dz_b output"},
                       process=dict(score=8, lost={})),
    "exfiltrate": dict(build=dict(edits={MLP: {"dz_netAct": EXFILTRATE}}), score=7,
                       lost={"dz_netAct": "dz_netAct raised RuntimeError"}),
    # The forging cell is skipped with a note; the forging functions lose only their own points.
    "forged_cell_outcomes": dict(build=dict(extra={MLP: [FORGE_CELLS]}), score=8, lost={}),
    "forged_deep_header": dict(build=dict(extra={MLP: [FORGE]}, edits={MLP: {"dz_b": FORGE_DEEP}}), score=7,
                               lost={"dz_b": "the student's process broke the protocol: a malformed message"}),
    "forged_absurd_shape": dict(build=dict(extra={MLP: [FORGE]}, edits={MLP: {"dz_netIn": FORGE_SHAPE}}), score=6,
                                lost={"dz_netIn": "the student's process broke the protocol: a malformed message "
                                                  "(array too large)"}),
    "huge_helper_call": dict(build=dict(edits={MLP: {"mlp_backward": HUGE_HELPER_CALL}}), score=5,
                             lost={"mlp_backward": "mlp_backward raised HelperCallError: dz_wts called with more than 2096 numbers"}),
    "many_failing_cells": dict(build=dict(extra={RNN: ["raise ValueError('again')"] * 2000}), score=8, lost={}),
}


def expected(spec, mode):
    """(score, lost) a submission must get under an isolation mode."""
    over = spec.get(mode, {})
    return over.get("score", spec["score"]), over.get("lost", spec["lost"])


def substitute(build, paths):
    """Replace REPO/COURSE/OUT placeholders in every code text of a build spec."""
    def sub(text):
        for key, value in paths.items():
            text = text.replace(key, str(value))
        return text

    out = dict(build)
    if "edits" in build:
        out["edits"] = {stem: {gid: sub(src) for gid, src in cells.items()} for stem, cells in build["edits"].items()}
    if "extra" in build:
        out["extra"] = {stem: [sub(src) for src in cells] for stem, cells in build["extra"].items()}
    return out
