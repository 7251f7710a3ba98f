"""Process isolation's file system: what the sandbox user may read, made so before grading.

Without namespaces the student's process sees the host, so the grader:
- copies what the student's process needs into a private stage folder it may read: the three
  sandbox scripts (enter.py, runner.py, wire.py) and the release's public files (its working
  folder, read-only); each sandbox also gets an empty home of its own (0700, the sandbox user's);
- makes the private folders unreachable for the sandbox user: the grader's package and its
  repository, the course, the output folder, every submission folder and --hide folders. For each
  one the sandbox user can read (tested by a probe process running as that user), it removes
  "other" permissions (chmod o-rwx; owner and group are untouched). A folder that holds the
  Python installation keeps o+x only, with every other entry made o-rwx, so the interpreter stays
  reachable while nothing else is;
- probes again and refuses to grade (IsolationError) if anything is still readable (group
  membership, ACLs, a folder the grader does not own).
Submissions themselves never need to be readable: the grader sends their cells over a pipe.
"""
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..tree import remove_tree
from .allowlist import _under, python_dirs
from .isolation_types import SCRIPTS, Isolation, IsolationError

HERE = Path(__file__).resolve().parent
MAX_CHILDREN = 200
SYSTEM_FOLDERS = {"/", "/tmp", "/var/tmp", "/dev/shm", "/home", "/usr", "/var", "/etc", "/opt", "/srv", "/root",
                  "/mnt", "/media", "/run"}   # entries of a protected folder probed individually

_PROBE = r'''
import json, os, sys
out = []
for p in sys.argv[1:]:
    try:
        if os.path.isdir(p):
            os.listdir(p)
        else:
            open(p, "rb").close()
        out.append(p)
    except OSError:
        pass
print(json.dumps(out))
'''


def stage_files(iso: Isolation, public_files: Iterable[str | os.PathLike[str]], check: bool = True) -> tuple[str, str]:
    """Copy the sandbox scripts and public files into the stage; returns (grader_dir, work_dir).

    check: probe that the sandbox user can reach them (process isolation; bwrap binds them in).
    """
    grader = Path(iso.stage, "grader")
    work = Path(iso.stage, "assignment")
    grader.mkdir(mode=0o755)
    work.mkdir(mode=0o755)
    for name in SCRIPTS:
        shutil.copyfile(HERE / name, grader / name)
    for item in map(Path, public_files):
        if item.is_dir():
            shutil.copytree(item, work / item.name, symlinks=False)
        elif item.is_file():
            shutil.copyfile(item, work / item.name)
    for folder in (grader, work):
        for root, _dirs, files in os.walk(folder):
            os.chmod(root, 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
    needed = [str(grader / name) for name in SCRIPTS] + [str(work)]
    if check and sorted(reachable(iso, needed)) != sorted(needed):
        raise IsolationError(f"the sandbox user {iso.user!r} cannot reach the stage folder {iso.stage}",
                             "set TMPDIR to a folder other users may traverse (e.g. /tmp)")
    return str(grader), str(work)


def new_home(iso: Isolation, label: str) -> str:
    """An empty folder only the sandbox user can use: its HOME, TMPDIR and matplotlib cache."""
    home = Path(iso.stage, f"home-{label}")
    home.mkdir(mode=0o700)
    os.chown(home, iso.uid, iso.gid)
    return str(home)


def reachable(iso: Isolation, paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The paths the sandbox user can list (folders) or open (files), probed as that user."""
    names = [str(p) for p in paths]
    if not names:
        return []
    try:
        proc = subprocess.run([os.path.realpath(sys.executable), "-I", "-S", "-c", _PROBE] + names,
                              user=iso.uid, group=iso.gid, extra_groups=[], capture_output=True, text=True, check=False,
                              timeout=60, cwd="/", env={"PATH": "/usr/bin:/bin"})
    except (OSError, subprocess.SubprocessError) as exc:
        raise IsolationError(f"could not run a probe as the sandbox user {iso.user!r} ({exc})",
                             "check that the user exists and may run the Python interpreter") from None
    if proc.returncode != 0:
        raise IsolationError(f"the sandbox user {iso.user!r} cannot run the Python interpreter "
                             f"{os.path.realpath(sys.executable)}: {proc.stderr.strip()[-300:]}",
                             "install Python where other users can read it (e.g. /usr/local or /opt), "
                             "or use --isolation bwrap")
    found: list[str] = json.loads(proc.stdout)   # _PROBE's output: the arguments it could open, as given
    return found


def _children(path: str) -> list[str]:
    try:
        return sorted(os.path.join(path, n) for n in os.listdir(path))[:MAX_CHILDREN]
    except OSError:
        return []


def _targets(root: str, keep: Sequence[str]) -> tuple[list[str], list[str]]:
    """(folders to keep o+x only, entries to make o-rwx) so that `root` hides all but `keep`."""
    inside = [k for k in keep if _under(k, root)]
    if not inside:
        return [], [root]
    if any(k == root for k in inside):
        return [], []
    traverse: list[str] = [root]
    close: list[str] = []
    for child in _children(root):
        if os.path.islink(child):
            continue
        t, c = _targets(child, inside)
        traverse += t
        close += c
    return traverse, close


def protect(iso: Isolation, roots: Iterable[str]) -> list[str]:
    """Make `roots` unreachable for the sandbox user; returns the paths whose mode changed."""
    keep = [os.path.realpath(p) for p in python_dirs()] + [os.path.realpath(iso.stage)]
    traverse: list[str] = []
    close: list[str] = []
    for root in sorted({os.path.realpath(r) for r in roots if os.path.exists(r)}, key=len):
        if any(_under(root, c) for c in close):
            continue   # already inside a folder that will be closed
        if root in SYSTEM_FOLDERS or root == os.path.realpath(iso.stage):
            raise IsolationError(f"refusing to change the permissions of the system folder {root}",
                                 "keep the course, output and submissions in folders of their own")
        t, c = _targets(root, keep)
        traverse += t
        close += c
    candidates: dict[str, str] = {}
    for path in close:
        for p in [path] + _children(path):
            candidates[p] = path
    for path in traverse:
        candidates[path] = path
    changed: list[str] = []
    for p in reachable(iso, list(candidates)):
        target = candidates[p]
        mode = os.stat(target).st_mode
        new = mode & ~(stat.S_IROTH | stat.S_IWOTH) if target in traverse else mode & ~stat.S_IRWXO
        if new != mode:
            try:
                os.chmod(target, stat.S_IMODE(new))
            except OSError as exc:
                raise IsolationError(f"the sandbox user {iso.user!r} can read {target}, and the grader cannot "
                                     f"change that ({exc.strerror})",
                                     f"chmod o-rwx {target} as its owner, or use --isolation bwrap") from None
            changed.append(target)
    still = reachable(iso, list(candidates))
    if still:
        raise IsolationError(f"the sandbox user {iso.user!r} can still read {still[0]} (group membership or an ACL)",
                             f"remove {iso.user!r} from the groups that own it (or its ACL), or use --isolation bwrap")
    return changed


# Folders every user may write on a Linux host: in process isolation a student could leave a file
# there for the next student, or hold memory in a tmpfs. World-writable folders inside them (a
# root-owned sticky .X11-unix, a shared scratch folder) are swept too, at any depth.
SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue")
SWEEP_ENTRIES = 200_000    # entries looked at per sweep, at most (others' trees are not ours to walk forever)


def remove_left_behind(uid: int, folders: Iterable[str] = SHARED_WRITABLE,
                       problems: list[str] | None = None) -> list[str]:
    """Delete what the sandbox uid left in the shared writable folders, at any depth; returns the paths removed.

    problems: if given, what could not be deleted is appended, in words.

    Called after each process-isolation sandbox ends (its processes are dead by then), so nothing
    one student wrote there survives into the next student's sandbox. Descends into every
    world-writable folder (the only ones the uid could write in besides its own), iteratively.
    """
    removed: list[str] = []
    pending, seen = [f for f in folders], 0
    while pending and seen < SWEEP_ENTRIES:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if st.st_uid != uid:
                if stat.S_ISDIR(st.st_mode) and st.st_mode & stat.S_IWOTH:
                    pending.append(entry.path)
                continue
            failed = remove_tree(entry.path)     # iterative: any depth, never a RecursionError
            if not failed:
                removed.append(entry.path)
            elif problems is not None:
                problems += failed
    return removed
