"""Run a command where the unprivileged sandbox user can reach the Python installation.

Process isolation needs an interpreter other users may run (Python in /usr, /usr/local or
/opt). When the test machine's Python lives in a private folder (pyenv in root's 0700 home),
the tests run the grader in a private mount namespace (`unshare --mount`, root only) where that
one folder is replaced by a 0711 tmpfs holding just the path to Python: the host itself is not
changed, and the rest of the folder (root's other files) is absent in that view.
"""
import os
import shlex
import stat
import sys
from pathlib import Path

from autograder.sandbox.allowlist import python_dirs


def blocking_folder():
    """The outermost ancestor of the Python installation that others cannot traverse, or None."""
    for d in python_dirs():
        parts = d.strip("/").split("/")
        for i in range(1, len(parts) + 1):
            p = "/" + "/".join(parts[:i])
            if not os.stat(p).st_mode & stat.S_IXOTH:
                return p
    return None


def prefix(scratch):
    """A command prefix (list) giving the view described above; [] when none is needed."""
    block = blocking_folder()
    if block is None:
        return []
    keep = sorted({d[len(block) + 1:].split("/")[0] for d in python_dirs() if d.startswith(block + "/")})
    scratch = os.path.join(str(scratch), "hostview")
    os.makedirs(scratch, exist_ok=True)
    lines = ["set -e", f"mount --bind {shlex.quote(block)} {shlex.quote(scratch)}",
             f"mount -t tmpfs -o mode=0711,size=1m tmpfs {shlex.quote(block)}"]
    for name in keep:
        lines += [f"mkdir -p {shlex.quote(os.path.join(block, name))}",
                  f"mount --bind {shlex.quote(os.path.join(scratch, name))} {shlex.quote(os.path.join(block, name))}"]
    lines.append('exec "$@"')
    return ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", "\n".join(lines), "sh"]


def can_run_process_mode():
    """(ok, reason): process isolation switches users, which needs root (and unshare for the view)."""
    if os.geteuid() != 0:
        return False, "process isolation needs a grader running as root"
    if blocking_folder() is not None and not os.path.exists("/usr/bin/unshare"):
        return False, "Python is in a private folder and unshare(1) is missing"
    return True, ""


if __name__ == "__main__":
    print(prefix(sys.argv[1] if len(sys.argv) > 1 else "/tmp"))


def modes_of(folder, depth=3):
    """{path: mode} of a folder's entries down to `depth` levels (deep enough for a venv inside it):
    process isolation may chmod o-rwx them; tests put them back."""
    folder = Path(folder)
    modes = {folder: stat.S_IMODE(folder.stat().st_mode)}
    if depth > 0 and folder.name != ".git":
        for p in folder.iterdir():
            if p.is_symlink():
                continue
            if p.is_dir():
                modes.update(modes_of(p, depth - 1))
            else:
                modes[p] = stat.S_IMODE(p.stat().st_mode)
    return modes


def restore(modes):
    for path, mode in modes.items():
        if path.exists():
            os.chmod(path, mode)
