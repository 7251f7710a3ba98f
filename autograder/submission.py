"""Finding submissions on disk and reading the cells to run, as plain JSON (no nbformat).

A submission is one student's assignment: up to one notebook per source
notebook. Accepted layouts (PATH as given on the command line):

    submitted/<student>/<assignment>/<stem>.ipynb   nbgrader's layout (also <student>/<stem>.ipynb)
    <folder>/<stem>.ipynb                           one student: the folder names the student
                                                    (the folder above it if the folder is <assignment>)
    <folder>/<student>_<stem>.ipynb                 a flat folder of several students' files
    <student>.ipynb                                 a notebook recognised by its grade_ids

Every student folder of a class folder gets a row, even with nothing gradable in it (the row
says why). Files are read only through read_notebook (no link followed, regular files only,
bounded); links, FIFOs and archives are named in the student's notes. The student id is the
name with unsafe characters %-escaped (safe_id), unique within a batch.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

from . import tree
from .cell_python import Budget, python_source
from .errors import SubmissionError
from .outputs import reserved_names
from .plan import NotebookSpec, Plan

__all__ = ["CodeCell", "Submission", "SubmissionError", "UnusableNotebook", "cells_to_run", "discover", "read_notebook", "safe_id"]

# nbgrader's own limit on a submitted file (CourseDirectory.max_file_size, 100000 KB): a notebook saved
# with its figures is read whole. What is graded is bounded apart: the code cells' source, which goes
# to the sandbox in one message (wire.MAX_HEADER, 8 MB, with JSON's escapes).
MAX_NOTEBOOK_BYTES = 100_000 * 1024
MAX_SOURCE_CHARS = 1 << 20


class UnusableNotebook(Exception):
    """A submitted file that cannot be graded at all; its units get 0 with this message.

    Not a GraderError: the student's file is at fault, and the batch goes on.
    """


class CodeCell(NamedTuple):
    """A code cell to run in the sandbox. A tuple on purpose: it crosses the wire as a JSON [label, source]."""

    label: str      # for messages: "cell 'dz_netIn'" or "code cell 7"
    source: str


@dataclass
class Submission:
    student: str
    path: str                                                   # folder (or file) the notebooks came from
    files: dict[str, Path] = field(default_factory=dict)        # stem -> notebook file
    problems: list[str] = field(default_factory=list)           # notes about files that were not used

    def notebook_bytes(self) -> Iterator[tuple[str, bytes]]:
        """(stem, the file's bytes) in stem order, one at a time."""
        for stem, path in sorted(self.files.items()):
            try:
                yield stem, read_notebook(path)
            except UnusableNotebook as exc:
                yield stem, f"unreadable: {exc}".encode()


def read_notebook(path: str | Path) -> bytes:
    """A submitted file's bytes, at most MAX_NOTEBOOK_BYTES + 1: never through a link, only a regular file.

    O_NOFOLLOW: a link planted in place of the notebook (to the course's solutions) is refused, not
    read; O_NONBLOCK: a FIFO cannot make the grader wait. UnusableNotebook says what was wrong.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnusableNotebook("the file is a symbolic link; links are never followed") from None
        raise UnusableNotebook(f"the file could not be opened ({exc.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnusableNotebook("not a regular file")
        chunks, left = [], MAX_NOTEBOOK_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise UnusableNotebook(f"the file could not be read ({exc.strerror})") from None
    finally:
        os.close(fd)


# Characters kept as they are in a student id; every other one is %XX-escaped (UTF-8 bytes),
# so an id is a safe folder name, distinct names give distinct ids, and unquote() gives the name back.
# Letters and digits of any script are kept: 李明 stays 李明.
_KEEP = set("._@+-")
MAX_ID_BYTES = 200


def safe_id(name: str) -> str:
    """The student id of a name: reversible (unquote_to_bytes + os.fsdecode), never a reserved or hidden name.

    Distinct names give distinct ids ("#" is always escaped in a name, so grade.py's "#2" suffix for a
    name met twice, and the "#<hash>" of a name too long for a folder, cannot collide with one).
    """
    out = "".join(ch if (ch.isalnum() and ch.isprintable()) or ch in _KEEP
                  else quote(ch.encode("utf-8", "surrogateescape"), safe="") for ch in name)
    if not out:
        return "student"
    if out[0] == "." or out.lower() in reserved_names():
        out = f"%{ord(out[0]):02X}{out[1:]}"     # grades.json -> %67rades.json, .cache -> %2Ecache
    if len(out.encode()) > MAX_ID_BYTES:
        digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        out = out.encode()[: MAX_ID_BYTES - 13].decode(errors="ignore") + "#" + digest
    return out


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX" or name == "__pycache__"


class _Found(NamedTuple):
    notebooks: list[Path]      # regular files named *.ipynb
    problems: list[str]        # links, special files, archives: what was seen and not used


def _scan(folder: Path) -> _Found:
    """Every regular *.ipynb below `folder`, never through a link; what was skipped, in words.

    Iterative and bounded (tree.walk): a folder nested thousands deep, or holding a million files,
    costs its student a note, never the batch.
    """
    walked = tree.walk(folder, skip=_is_hidden)
    found = _Found([], list(walked.problems))
    for entry in walked.entries:
        name, mode, base = entry.rel, entry.st.st_mode, entry.path.name
        if stat.S_ISLNK(mode):
            if base.lower().endswith((".ipynb", ".zip")) or _link_is_dir(str(entry.path)):
                found.problems.append(f"{name}: a symbolic link; links are never followed, not graded")
        elif stat.S_ISDIR(mode):
            continue
        elif base.lower().endswith(".ipynb"):
            if stat.S_ISREG(mode) and base.endswith(".ipynb"):
                found.notebooks.append(entry.path)
            elif stat.S_ISREG(mode):
                found.problems.append(f"{name}: rename it to end in .ipynb (lower case); not graded")
            else:
                found.problems.append(f"{name}: not a regular file (a FIFO, socket or device); not graded")
        elif base.lower().endswith(".zip") and stat.S_ISREG(mode):
            found.problems.append(f"{name}: an archive; the grading command does not open archives "
                                  f"(unpack it into the student's folder; the Gradescope bundle opens zips)")
    return found


def _link_is_dir(path: str) -> bool:
    try:
        return stat.S_ISDIR(os.stat(path).st_mode)
    except OSError:
        return False


def _identify(path: Path, plan: Plan) -> tuple[str | None, str | None, str]:
    """(stem, owner-or-None, separator) from the file name; stem None if the name says nothing.

    `<owner><sep><stem>.ipynb` names its owner (flat layout); `<stem>.ipynb` names only the notebook.
    """
    stems = sorted(plan.notebooks, key=len, reverse=True)
    if path.stem in plan.notebooks:
        return path.stem, None, ""
    for stem in stems:
        for sep in SEPARATORS:
            if path.stem.endswith(sep + stem) and len(path.stem) > len(stem) + 1:
                return stem, path.stem[: -len(stem) - 1], sep
    return None, None, ""


SEPARATORS = ("_", "-", ".")


def _stem_by_content(path: Path, plan: Plan) -> str | None:
    """Which source notebook a file is, from the grade_ids it carries."""
    try:
        nb = json.loads(read_notebook(path)[:MAX_NOTEBOOK_BYTES])
        ids = {gid for c in nb["cells"] if isinstance(c, dict)
               for gid in [_dict(_dict(c.get("metadata")).get("nbgrader")).get("grade_id")] if isinstance(gid, str)}
    except (UnusableNotebook, ValueError, RecursionError, TypeError, KeyError, UnicodeDecodeError):
        return None
    best = max(plan.notebooks.values(), key=lambda spec: len(spec.grade_ids & ids))
    return best.stem if best.grade_ids & ids else None


class _Candidate(NamedTuple):
    rank: int          # 0: the exact name (01_mlp_backprop.ipynb); 1: <prefix><sep><stem>; 2: known by content
    path: Path


def _assign(sub: Submission, candidates: dict[str, list[_Candidate]]) -> None:
    """For each notebook the best-named file; every other copy is named in a note."""
    for stem, cands in candidates.items():
        cands = sorted(cands, key=lambda c: (c.rank, c.path.name, str(c.path)))
        sub.files[stem] = cands[0].path
        for other in cands[1:]:
            sub.problems.append(f"{other.path.name}: a second copy of {stem}.ipynb; graded {cands[0].path.name}, "
                                f"not this one")


def _folder_submission(student: str, folder: Path, plan: Plan, shown: str) -> tuple[str, Submission]:
    """One student's folder (its notebooks anywhere below it, links never followed)."""
    found = _scan(folder)
    sub = Submission(student, shown, problems=list(found.problems))
    candidates: dict[str, list[_Candidate]] = {}
    for path in found.notebooks:
        stem, named, _ = _identify(path, plan)
        rank = 0 if named is None and stem else 1
        if stem is None:
            stem, rank = _stem_by_content(path, plan), 2
        if stem is None:
            sub.problems.append(f"{path.name}: not recognised as any of {', '.join(plan.notebooks)}; not graded")
            continue
        candidates.setdefault(stem, []).append(_Candidate(rank, path))
    _assign(sub, candidates)
    if not sub.files and not found.notebooks:
        sub.problems.append("nothing to grade: no Jupyter notebook (.ipynb) in this folder")
    return student, sub


def _one_folder(student: str, folder: Path, plan: Plan) -> tuple[str, Submission]:
    """_folder_submission, and a row that says why when the student's folder defeats the scan."""
    try:
        return _folder_submission(student, folder, plan, str(folder))
    except Exception as exc:   # one student's files never end the batch: their row says what happened
        sub = Submission(student, str(folder))
        sub.problems.append(f"the folder could not be searched ({type(exc).__name__}: {str(exc)[:200]}); "
                            f"nothing in it was graded")
        return student, sub


def _layout(root: Path, assignment: str) -> tuple[list[Path], list[Path]]:
    """(student folders, loose files) of a folder given on the command line."""
    folders, files = [], []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if _is_hidden(entry.name):
            continue
        if entry.is_dir(follow_symlinks=False):
            folders.append(Path(entry.path))
        else:
            files.append(Path(entry.path))
    return folders, files


def _flat(files: list[Path], root: Path, plan: Plan) -> list[tuple[str, Submission]]:
    """Loose files of a folder: <owner><sep><stem>.ipynb is the owner's; <stem>.ipynb is the folder's own
    student's (the folder names them); any other <name>.ipynb is <name>'s, graded if its grade_ids say
    which notebook it is. A file that cannot be used still gives its owner a row that says why.

    When two files claim the same owner and notebook (alice_01_mlp_backprop.ipynb and a planted
    alice-01_mlp_backprop.ipynb), the one written with the folder's usual separator is graded and
    the other is named in a note: a file's name is all a flat folder says about whose it is.
    """
    folder_owner = _root_student(root, plan.assignment)
    kept = [p for p in files if p.name.lower().endswith((".ipynb", ".zip"))]
    seps = [_identify(p, plan)[2] for p in kept]
    usual = max(SEPARATORS, key=lambda sep: (seps.count(sep), -SEPARATORS.index(sep)))
    by_owner: dict[str, tuple[Submission, dict[str, list[_Candidate]]]] = {}
    for path in kept:
        stem, owner, sep = _identify(path, plan)
        owner = owner or (folder_owner if stem else path.name.rsplit(".", 1)[0])
        sub, cands = by_owner.setdefault(owner, (Submission(owner, str(root)), {}))
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue
        if stat.S_ISLNK(mode):
            sub.problems.append(f"{path.name}: a symbolic link; links are never followed, not graded")
        elif not stat.S_ISREG(mode):
            sub.problems.append(f"{path.name}: not a regular file (a FIFO, socket or device); not graded")
        elif path.suffix.lower() == ".zip":
            sub.problems.append(f"{path.name}: an archive; the grading command does not open archives "
                                f"(unpack it; the Gradescope bundle opens zips)")
        elif path.suffix != ".ipynb":
            sub.problems.append(f"{path.name}: rename it to end in .ipynb (lower case); not graded")
        else:
            rank = 0 if sep in ("", usual) else 1
            if stem is None:
                stem, rank = _stem_by_content(path, plan), 2
            if stem is None:
                sub.problems.append(f"{path.name}: not recognised as any of {', '.join(plan.notebooks)}; "
                                    f"not graded")
            else:
                cands.setdefault(stem, []).append(_Candidate(rank, path))
    out = []
    for owner, (sub, cands) in sorted(by_owner.items()):
        _assign(sub, cands)
        if not sub.files and not any("not graded" in p or "archive" in p for p in sub.problems):
            sub.problems.append("nothing to grade: no usable Jupyter notebook")
        out.append((owner, sub))
    return out


def discover(paths: Iterable[str | Path], plan: Plan) -> list[Submission]:
    """One Submission per student under `paths`, each with a unique id (SubmissionError if a path names nobody).

    A folder given on the command line whose subfolders are students (nbgrader's submitted/) gives
    every subfolder a row, even one with nothing gradable in it (the row says why); its loose files
    are a flat layout. A folder holding only <assignment>/ or notebooks is one student's.
    """
    named: list[tuple[str, Submission]] = []
    for raw in paths:
        root = Path(raw)
        try:
            st = root.lstat()
        except OSError:
            raise SubmissionError(f"{raw}: no such file or folder") from None
        root = root.resolve()    # the instructor's own paths may be links; nothing below them is followed
        if not root.is_dir():
            if not stat.S_ISREG(os.stat(root).st_mode) or not root.name.endswith(".ipynb"):
                raise SubmissionError(f"{raw}: not a notebook (.ipynb) or a folder")
            stem = _identify(root, plan)[0]
            student = _root_student(root, plan.assignment)
            sub = Submission(student, str(root.parent))
            stem = stem or _stem_by_content(root, plan)
            if stem is None:
                sub.problems.append(f"{root.name}: not recognised as any of {', '.join(plan.notebooks)}; not graded")
            else:
                sub.files[stem] = root
            named.append((student, sub))
            continue
        del st
        folders, files = _layout(root, plan.assignment)
        own = [f for f in folders if f.name == plan.assignment]
        if own and len(folders) == 1 and not any(f.name.endswith(".ipynb") for f in files):
            named.append(_one_folder(_root_student(root, plan.assignment), root, plan))
            continue
        if not folders:
            flat = _flat(files, root, plan)
            if not flat:
                raise SubmissionError(f"{raw}: no .ipynb notebooks found")
            # A folder of exactly-named notebooks is one student's (the folder names them).
            named.extend(flat)
            continue
        for folder in folders:
            named.append(_one_folder(folder.name, folder, plan))
        named.extend(_flat(files, root, plan))
    if not named:
        raise SubmissionError("no .ipynb notebooks found")
    return _unique(named)


def _root_student(root: Path, assignment: str) -> str:
    """The student a folder (or a file's folder) stands for: its name, or its parent's if it is <assignment>/."""
    folder = root if root.is_dir() else root.parent
    while folder.name == assignment and folder.parent != folder:
        folder = folder.parent
    return folder.name or "student"


def _unique(named: list[tuple[str, Submission]]) -> list[Submission]:
    """Ids from names; a name met twice (two folders given, a folder and a flat file) is disambiguated, noted."""
    out: dict[str, Submission] = {}
    first: dict[str, str] = {}
    for name, sub in named:
        base = safe_id(name)
        if name.lower() in reserved_names():
            sub.problems.insert(0, f"the name {name!r} is stored as the id {base!r}: the grader writes a file or "
                                   f"folder of that name beside the students' results (urllib.parse.unquote "
                                   f"gives the name back)")
        elif base != name:
            sub.problems.insert(0, f"the name {name!r} is stored as the id {base!r} (unsafe or reserved "
                                   f"characters %-escaped; urllib.parse.unquote gives the name back)")
        sid, n = base, 1
        while sid in out:
            n += 1
            sid = f"{base}#{n}"
        if n > 1:
            note = (f"two submissions are named {name!r} ({first[base]} and {sub.path}): this one is graded "
                    f"as {sid!r}")
            sub.problems.insert(0, note)
            out[base].problems.insert(0, note)
        first.setdefault(base, sub.path)
        sub.student = sid
        out[sid] = sub
    return [out[k] for k in sorted(out)]


def _dict(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (a submitted notebook's metadata may be anything)."""
    return value if isinstance(value, dict) else {}


def cells_to_run(data: bytes, spec: NotebookSpec) -> list[CodeCell]:
    """The code cells to execute from a notebook's bytes.

    Skipped: test cells (grade_id of a source test cell) and experiment cells
    (tagged `experiment` here, or whose grade_id is tagged so in the source).
    Raises UnusableNotebook, with the reason, when the file cannot be used at all.
    """
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise UnusableNotebook(f"notebook is larger than {MAX_NOTEBOOK_BYTES // 1000 // 1024} MB "
                               f"(nbgrader's own limit on a submitted file)")
    try:
        nb = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise UnusableNotebook("notebook is not valid JSON") from None
    except RecursionError:
        raise UnusableNotebook("notebook JSON is nested too deeply to read") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise UnusableNotebook("file is not a Jupyter notebook (no cell list)")
    sources = []
    n_code = graded = 0
    budget = Budget()
    for cell in nb["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        n_code += 1
        meta = _dict(cell.get("metadata"))
        gid = _dict(meta.get("nbgrader")).get("grade_id")
        gid = gid if isinstance(gid, str) else None      # a list or an object here is not an id
        tags = meta["tags"] if isinstance(meta.get("tags"), list) else []
        if gid in spec.test_ids or gid in spec.experiment_ids or "experiment" in tags:
            continue
        src = cell.get("source", "")
        if isinstance(src, list):
            src = "".join(s for s in src if isinstance(s, str))
        if not isinstance(src, str):
            continue
        graded += len(src)
        if graded > MAX_SOURCE_CHARS:
            raise UnusableNotebook(f"its code cells hold more than {MAX_SOURCE_CHARS >> 20} MB of source")
        python = python_source(src, budget)
        if python is None:      # a cell magic whose body IPython does not run as Python (%%bash, %%script false)
            continue
        label = f"cell {gid!r}" if gid else f"code cell {n_code}"
        sources.append(CodeCell(label[:80], python))
    return sources


def one_student(folder: str | Path, plan: Plan) -> Submission:
    """The submission of the one student whose folder this is (nbgrader's submitted/<student>/<assignment>/
    or submitted/<student>/): every notebook below it, whatever else the folder holds (given modules, data/)."""
    root = Path(folder).resolve()
    if not root.is_dir():
        raise SubmissionError(f"{folder}: not a folder")
    return _folder_submission(_root_student(root, plan.assignment), root, plan, str(root))[1]
