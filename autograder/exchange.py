"""nbgrader's filesystem Collect, made to refuse what stock nbgrader only warns about.

The exchange's inbound folder is writable by every student, and stock `nbgrader collect`
(0.9.6) trusts what it finds there: it takes a folder named for student A even when student B
made it (it logs a warning), and copies with `shutil.copytree`, which follows symbolic links,
so the instructor's collect would read whatever a link points at. SafeCollect, wired in by the
course's nbgrader_config.py (so the command line and Formgrader's Collect both use it):

* refuses a submission whose folder is not owned by the account its name claims, or holds
  anything but regular files and folders owned by that same account (symbolic links, FIFOs,
  devices, sockets, a file someone else owns) -- and says why in the log, at error level;
* then takes that student's newest submission that is not refused (a forged or broken folder
  never hides the student's own submission, and never stops the rest of the class);
* copies without following links: every file is opened with O_NOFOLLOW relative to its
  folder's descriptor and checked again after opening, so a student who swaps a file for a
  link between the check and the copy gets a refusal, not the link's target.

The student's name is the owner's account name, so this needs one system account per student
(deploy/jupyterhub does that; docs/scale-out.md says what it means on Kubernetes).
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import ignore_patterns, parse_utc
from traitlets import Unicode

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a FIFO must not hang the collect; it is refused right after, by fstat.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_MAX_DEPTH = 16


class Refused(Exception):
    """A submission collect must not take; the message says why."""


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "a regular file" if stat.S_ISREG(mode) else "not a regular file"


def account_name(uid: int, accounts: dict[int, str] | None = None) -> str:
    """The account name of uid: from `accounts` (a passwd-format file's table) if given, else the system's."""
    if accounts is not None:
        return accounts.get(uid, f"uid {uid} (not in the accounts file)")
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid} (no account)"


def read_accounts(path: str) -> dict[int, str]:
    """{uid: name} of a passwd-format file (name:x:uid:...); blank lines and # comments skipped."""
    table: dict[int, str] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.strip().split(":")
            if len(fields) >= 3 and not fields[0].startswith("#") and fields[2].isdigit():
                table[int(fields[2])] = fields[0]
    return table


@contextmanager
def _fd(fd: int) -> Iterator[int]:
    try:
        yield fd
    finally:
        os.close(fd)


def _open(name: str, flags: int, dir_fd: int | None, where: str) -> int:
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except OSError as e:
        # ELOOP: the entry became a symbolic link; ENOTDIR: it is no longer a folder.
        raise Refused(f"{where}: cannot be opened without following links ({e.strerror})") from e


def _check(st: os.stat_result, uid: int, want_dir: bool, where: str) -> None:
    is_dir = stat.S_ISDIR(st.st_mode)
    if not (is_dir if want_dir else stat.S_ISREG(st.st_mode)):
        raise Refused(f"{where} is {_kind(st.st_mode)}: a submission holds only regular files and folders")
    if st.st_uid != uid:
        raise Refused(f"{where} belongs to {account_name(st.st_uid)}, not to the submitting student")


Ignore = Callable[[str, list[str]], list[str]]


def inspect(path: str, student: str, ignore: Ignore | None = None, max_bytes: int | None = None,
            accounts: dict[int, str] | None = None) -> int:
    """The uid owning the submission folder `path` named for `student`; raises Refused if collect must not take it."""
    try:
        st = os.lstat(path)
    except OSError as e:
        raise Refused(f"{path}: {e.strerror}") from e
    if not stat.S_ISDIR(st.st_mode):
        raise Refused(f"{path} is {_kind(st.st_mode)}, not a submission folder")
    owner = account_name(st.st_uid, accounts)
    if owner != student:
        raise Refused(f"{path} claims to be submitted by {student} but belongs to {owner}")
    _walk(path, st.st_uid, ignore, max_bytes, dest=None)     # the copy's own checks, copying nothing
    return st.st_uid


def copy_submission(src: str, dest: str, uid: int, ignore: Ignore | None = None, max_bytes: int | None = None,
                    dir_mode: int = 0o755, file_mode: int = 0o644) -> None:
    """Copy the folder src (owned by uid) to dest (must not exist), never following links; raises Refused.

    The copy is built next to dest and renamed into place, so a refusal half-way leaves nothing behind.
    """
    parent = os.path.dirname(os.path.abspath(dest))
    os.makedirs(parent, exist_ok=True)
    building = tempfile.mkdtemp(prefix=".collecting-", dir=parent)
    try:
        _walk(src, uid, ignore, max_bytes, dest=building, dir_mode=dir_mode, file_mode=file_mode)
        os.chmod(building, dir_mode)
        os.rename(building, dest)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _walk(src: str, uid: int, ignore: Ignore | None, max_bytes: int | None, dest: str | None,
          dir_mode: int = 0o755, file_mode: int = 0o644) -> None:
    total = [0]
    with _fd(_open(src, _DIR_FLAGS, None, src)) as top:
        _check(os.fstat(top), uid, True, src)
        _walk_dir(top, src, uid, ignore, max_bytes, dest, total, 0, dir_mode, file_mode)


def _walk_dir(dir_fd: int, where: str, uid: int, ignore: Ignore | None, max_bytes: int | None, dest: str | None,
              total: list[int], depth: int, dir_mode: int, file_mode: int) -> None:
    if depth > _MAX_DEPTH:
        raise Refused(f"{where}: folders nested deeper than {_MAX_DEPTH}")
    names = sorted(os.listdir(dir_fd))
    skipped = set(ignore(where, names)) if ignore else set()
    for name in names:
        if name in skipped:
            continue
        path = os.path.join(where, name)
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if stat.S_ISDIR(st.st_mode):
            with _fd(_open(name, _DIR_FLAGS, dir_fd, path)) as sub:
                _check(os.fstat(sub), uid, True, path)
                target = os.path.join(dest, name) if dest else None
                if target:
                    os.mkdir(target, 0o700)
                _walk_dir(sub, path, uid, ignore, max_bytes, target, total, depth + 1, dir_mode, file_mode)
                if target:
                    os.chmod(target, dir_mode)
            continue
        _check(st, uid, False, path)       # before opening: a FIFO or device is never opened at all
        with _fd(_open(name, _FILE_FLAGS, dir_fd, path)) as f:
            opened = os.fstat(f)
            _check(opened, uid, False, path)
            total[0] += opened.st_size
            if max_bytes is not None and total[0] > max_bytes:
                raise Refused(f"{where}: the submission is larger than {max_bytes} bytes")
            if dest:
                _copy_fd(f, os.path.join(dest, name), file_mode, opened)


def _copy_fd(src: int, target: str, mode: int, st: os.stat_result) -> None:
    out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with _fd(out):
        while chunk := os.read(src, 1 << 20):
            os.write(out, chunk)
    os.chmod(target, mode)
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))


class SafeCollect(ExchangeCollect):  # type: ignore[misc]  # nbgrader ships no type information
    """nbgrader's filesystem collect; refuses forged, linked or foreign submissions (module docstring)."""

    accounts_file = Unicode(
        "", help="A passwd-format file naming the uid of each student's account, for hosts where the students' "
                 "uids are not system accounts (Kubernetes pods, docs/scale-out.md). Empty: the system's accounts."
    ).tag(config=True)

    def _accounts(self) -> dict[int, str] | None:
        return read_accounts(self.accounts_file) if self.accounts_file else None

    def init_src(self) -> None:
        super().init_src()                 # nbgrader's own checks, due date and the newest folder per student
        chosen = []
        for student, records in self._candidates().items():
            for record in records:
                path = os.path.join(self.inbound_path, record["filename"])
                try:
                    inspect(path, student, self._ignore(), self._max_bytes(), self._accounts())
                except Refused as e:
                    self._refused(path, e)
                    continue
                chosen.append(record)
                break
            else:
                self.log.error("No submission of %s for '%s' can be collected (all refused, see above)",
                               student, self.coursedir.assignment_id)
        self.src_records = chosen

    def _candidates(self) -> dict[str, list[dict[str, Any]]]:
        """Per student, their submission folders in the order nbgrader would prefer them (newest first)."""
        student = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student}+{self.coursedir.assignment_id}+*")
        groups: dict[str, list[dict[str, Any]]] = {}
        for path in glob.glob(pattern):
            filename = os.path.basename(path)
            parts = filename.rsplit("+", 3)
            try:
                if len(parts) < 3:
                    raise ValueError("not <student>+<assignment>+<timestamp>[+<random>]")
                record = {"username": parts[0], "filename": filename, "timestamp": parse_utc(parts[2])}
            except (ValueError, OverflowError, TypeError) as e:
                # Stock nbgrader stops the whole collect here: one student could block the class.
                self.log.error("Refused submission %s: its name is not a submission's (%s)", filename, e)
                continue
            groups.setdefault(parts[0], []).append(record)
        due = getattr(self, "duedate", None)
        ordered = {}
        for name, records in groups.items():
            records.sort(key=lambda r: r["timestamp"], reverse=True)
            if due is not None and self.before_duedate:
                records.sort(key=lambda r: r["timestamp"] > due)   # stable: on-time ones first, newest first
            ordered[name] = records
        return ordered

    def _ignore(self) -> Ignore:
        rule: Ignore = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                       max_file_size=self.coursedir.max_file_size, log=self.log)
        return rule

    def _max_bytes(self) -> int:
        return int(1000 * self.coursedir.max_dir_size)

    def do_copy(self, src: str, dest: str, log: Any = None) -> None:
        student = os.path.basename(src).split("+", 1)[0]
        try:
            uid = inspect(src, student, self._ignore(), self._max_bytes(), self._accounts())
            shared = bool(self.coursedir.groupshared)
            copy_submission(src, dest, uid, self._ignore(), self._max_bytes(),
                            dir_mode=0o2775 if shared else 0o755, file_mode=0o664 if shared else 0o644)
        except Refused as e:
            # Changed between the choice and the copy (a student racing the collect): nothing is taken.
            self._refused(src, e)

    def _refused(self, path: str, why: Refused) -> None:
        """One log line, the reason first (Formgrader's Collect dialog shows the log in a narrow box)."""
        reason = str(why).replace(path + os.sep, "").replace(path, "the folder")
        self.log.error("Refused submission: %s (%s)", reason, os.path.basename(path))
