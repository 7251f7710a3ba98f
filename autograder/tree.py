"""Walking and removing folder trees a student controls: iterative, bounded, never through a link.

A student decides how deep and how wide their folders are (a folder nested 1,100 deep, a million
empty files). Python's recursive walks (Path.rglob, os.walk's callers, shutil.rmtree in 3.11)
end in a RecursionError there, which no `ignore_errors` catches, and a full path past PATH_MAX
cannot even be named. So:

* `walk` visits a tree with an explicit stack, at most MAX_DEPTH levels and MAX_ENTRIES entries,
  and says in words what it left out (the note goes on that student's row);
* `remove_tree` deletes a tree of any depth through directory file descriptors, holding at most
  MAX_OPEN of them: a subtree deeper than that is moved up under the top folder and emptied later.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

MAX_DEPTH = 32           # folder levels below the top that are searched (nbgrader's layout needs 2)
MAX_ENTRIES = 10_000     # files and folders looked at per walk
MAX_OPEN = 32            # directory descriptors remove_tree holds at once


class Entry(NamedTuple):
    rel: str                 # path below the top, "/"-separated ("bptt/01_mlp_backprop.ipynb")
    path: Path
    st: os.stat_result       # lstat: a link is a link


class Walk(NamedTuple):
    entries: list[Entry]     # in sorted depth-first order (a folder before what it holds)
    problems: list[str]      # what could not be listed, and what the bounds left out


def walk(top: str | Path, skip: Callable[[str], bool] = lambda name: False,
         max_depth: int = MAX_DEPTH, max_entries: int = MAX_ENTRIES) -> Walk:
    """Every entry below `top` (links reported, never followed; names for which `skip` is true left out)."""
    top = Path(top)
    out = Walk([], [])
    stack: list[tuple[Path, str, int]] = [(top, "", 0)]
    deep: str | None = None
    while stack:
        folder, rel, depth = stack.pop()
        try:
            with os.scandir(folder) as it:
                names = sorted((e.name, e.path) for e in it if not skip(e.name))
        except OSError as exc:
            out.problems.append(f"{rel.rstrip('/') or top.name}/: could not be listed ({exc.strerror})")
            continue
        below: list[tuple[Path, str, int]] = []
        for name, path in names:
            if len(out.entries) >= max_entries:
                out.problems.append(f"{rel.rstrip('/') or top.name}/: more than {max_entries} files and folders; "
                                    f"the rest were not searched")
                return out
            try:
                st = os.lstat(path)
            except OSError:
                continue
            out.entries.append(Entry(rel + name, Path(path), st))
            if stat.S_ISDIR(st.st_mode):
                if depth + 1 > max_depth:
                    deep = deep or rel + name
                    continue
                below.append((Path(path), f"{rel}{name}/", depth + 1))
        stack.extend(reversed(below))
    if deep is not None:
        out.problems.append(f"{deep[:200]}/: folders nested more than {max_depth} deep were not searched")
    return out


def remove_tree(path: str | Path) -> list[str]:
    """Delete `path` (a folder and everything below it, or a file); returns what could not be deleted, in words.

    Never raises for what the tree holds: depth, path length, odd permissions or a name vanishing
    meanwhile only ever give a problem in the list.
    """
    path = os.fspath(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [f"{path} could not be examined ({exc.strerror})"]
    if not stat.S_ISDIR(st.st_mode):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            return [f"{path} could not be deleted ({exc.strerror})"]
        return []
    problems: list[str] = []
    try:
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        return [f"{path} could not be opened ({exc.strerror})"]
    try:
        _empty(top, path, problems)
    finally:
        os.close(top)
    try:
        os.rmdir(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        if not problems:       # what kept the folder is said already
            problems.append(f"{path} could not be deleted ({exc.strerror})")
    return problems


def _empty(top: int, shown: str, problems: list[str]) -> None:
    """Empty the folder open as `top`, depth first, with at most MAX_OPEN descriptors open."""
    stack = [top]            # descriptors of the folders being emptied; stack[-1] is the current one
    names: list[str] = []    # names[i] is the name of stack[i + 1] in stack[i]
    failed: list[set[str]] = [set()]      # per level: subfolders that could not be opened or moved
    moved = 0
    try:
        _descend(top, shown, problems, stack, names, failed, moved)
    finally:
        for fd in stack[1:]:
            os.close(fd)


def _descend(top: int, shown: str, problems: list[str], stack: list[int], names: list[str],
             failed: list[set[str]], moved: int) -> None:
    while True:
        fd = stack[-1]
        sub = None
        try:
            with os.scandir(fd) as it:
                entries = list(it)
        except OSError as exc:
            problems.append(f"{shown}: a folder could not be listed ({exc.strerror})")
            entries = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if sub is None and entry.name not in failed[-1]:
                    sub = entry.name
                continue
            try:
                os.unlink(entry.name, dir_fd=fd)
            except FileNotFoundError:
                pass
            except OSError as exc:
                if len(problems) < 20:
                    problems.append(f"{shown}: {entry.name[:100]} could not be deleted ({exc.strerror})")
        if sub is None:                     # nothing left here but what could not be deleted
            if len(stack) == 1:
                return
            os.close(stack.pop())
            failed.pop()
            name = names.pop()
            try:
                os.rmdir(name, dir_fd=stack[-1])
            except FileNotFoundError:
                pass
            except OSError as exc:
                failed[-1].add(name)
                if len(problems) < 20:
                    problems.append(f"{shown}: a folder could not be deleted ({exc.strerror})")
            continue
        if len(stack) >= MAX_OPEN:          # too deep to hold open: move the subtree up under the top
            try:
                while True:
                    moved += 1
                    new = f".removing-{moved}"
                    try:
                        os.lstat(new, dir_fd=top)
                    except FileNotFoundError:
                        break
                os.rename(sub, new, src_dir_fd=fd, dst_dir_fd=top)
            except OSError as exc:
                failed[-1].add(sub)
                problems.append(f"{shown}: a deep folder could not be moved to be deleted ({exc.strerror})")
            continue
        try:
            child = os.open(sub, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=fd)
        except OSError as exc:
            failed[-1].add(sub)
            problems.append(f"{shown}: a folder could not be opened ({exc.strerror})")
            continue
        stack.append(child)
        names.append(sub)
        failed.append(set())
