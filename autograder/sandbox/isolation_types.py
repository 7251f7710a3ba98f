"""What an isolation is (Isolation), the error that refuses one (IsolationError), and SCRIPTS.

Below isolation.py (which chooses and starts an isolation) and protect.py (which stages and
protects files for one): both use these, and neither imports the other's caller.
"""
from dataclasses import dataclass, field

from . import cgroups, diskbound, memcg

# The grader's only code inside the sandbox (standalone modules): bound read-only under bwrap,
# copied to the stage folder for process isolation. A new standalone module of runner.py goes here.
SCRIPTS = ("enter.py", "runner.py", "wire.py", "relay.py", "diskbound.py")


class IsolationError(RuntimeError):
    """The requested isolation cannot run here: says why and what to do."""

    def __init__(self, cause: str, fix: str) -> None:
        super().__init__(f"cannot isolate student code: {cause}\n  fix: {fix}")
        self.cause, self.fix = cause, fix


@dataclass
class Isolation:
    mode: str                 # "bwrap" | "process"
    user: str                 # who student code runs as
    uid: int
    gid: int
    pids: cgroups.PidsLimit
    max_processes: int = 64
    memory: memcg.MemoryLimit = field(default_factory=lambda: memcg.MemoryLimit("none"))
    memory_mb: int = 2048
    bwrap: str = ""           # path of the bwrap binary (bwrap mode)
    stage: str = ""           # private folder of generated files (passwd, process-mode copies)
    # Set by grade.make_config from protect.stage_files: the stage's copies of SCRIPTS and of the
    # public files ("" until then), and (process mode) the paths protect.protect made o-rwx.
    grader_dir: str = ""
    work_dir: str = ""
    protected: list[str] = field(default_factory=list)
    # What a sandbox may write (diskbound.py): bwrap's /tmp, process mode's home and /dev/shm (tmpfs
    # of this size each); 0 in process mode only when the instructor allowed an unbounded disk.
    disk_bytes: int = diskbound.DISK_BYTES

    @property
    def nproc(self) -> int:
        """RLIMIT_NPROC for enter.py: only when no cgroup limits processes."""
        return self.max_processes if self.pids.kind == "rlimit-nproc" else 0

    def describe(self) -> str:
        """One line for reports: the mode, who runs student code, and the process limit."""
        who = (f"uid {self.uid} ({self.user})" if self.mode == "bwrap"
               else f"uid {self.uid} (this run's own identity, in the role of {self.user})")
        if self.mode == "bwrap":
            what = ("bwrap: allow-list file system, own mount/PID/network/IPC/UTS namespaces, "
                    f"no capabilities, {who}")
        else:
            what = f"process: separate process, host file system behind file permissions, {who}"
        return (f"{what}; processes: {self.pids.describe(self.max_processes)}; "
                f"memory: {self.memory.describe(self.memory_mb)}; disk: {self.describe_disk()}")

    def describe_disk(self) -> str:
        mib = f"{self.disk_bytes >> 20} MiB"
        if self.mode == "bwrap":
            return f"a {mib} private /tmp (tmpfs), nothing else writable"
        if self.disk_bytes:
            return f"a {mib} home and a {mib} /dev/shm (tmpfs, own mount namespace), every other mount read-only"
        return ("not bounded (--allow-unbounded-disk): home and the host's world-writable folders, "
                "64 MiB per file")
