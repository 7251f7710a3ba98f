"""The sandbox's file system under bwrap: built from an allow-list, everything else absent.

Inside, the root is an empty tmpfs holding only:
- read-only: the system's programs and shared libraries (/usr/bin, /usr/lib*, and the /bin,
  /lib* links of a merged-/usr system), the dynamic linker's cache, the Python interpreter
  (its prefix's bin/ and lib/) and the site-packages folders it imports from;
- a generated /etc/passwd and /etc/group naming only root, the sandbox user and nobody;
- a private writable /tmp (tmpfs), holding the grader's three sandbox scripts (read-only,
  /tmp/.grader) and the working folder /tmp/assignment with the release's public files (read-only);
- fresh /proc (own PID namespace) and /dev.
No /home, /root (beyond the path to the interpreter), /srv, /mnt, /opt, /work, /var, /sys,
no course, submission, output or grader code. Folders named by `hide` that lie inside an
allowed folder are covered by an empty tmpfs.
"""
import os
import site
import sys
import sysconfig
from collections.abc import Iterable, Mapping, Sequence

SYSTEM_DIRS = ("/usr/bin", "/usr/lib", "/usr/lib64", "/usr/lib32", "/usr/libx32")
TOP_LINKS = ("/bin", "/lib", "/lib64", "/lib32", "/libx32")
LINKER_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d")


def _real(p: str) -> str:
    return os.path.realpath(p)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def site_packages() -> list[str]:
    """The interpreter's site-packages folders (never the repository or the current folder)."""
    paths = list(site.getsitepackages()) + [sysconfig.get_paths()[k] for k in ("purelib", "platlib")]
    return [p for p in dict.fromkeys(paths) if os.path.isdir(p)]


def python_dirs() -> list[str]:
    """Folders of the interpreter and its libraries, resolved, outermost first, no duplicates."""
    dirs = {os.path.dirname(_real(sys.executable))}
    for prefix in {sys.base_prefix, sys.prefix, sys.exec_prefix, sys.base_exec_prefix}:
        for sub in ("bin", "lib", "lib64"):
            if os.path.isdir(os.path.join(prefix, sub)):
                dirs.add(_real(os.path.join(prefix, sub)))
    for key in ("stdlib", "platstdlib"):
        dirs.add(_real(sysconfig.get_paths()[key]))
    dirs.update(_real(p) for p in site_packages())
    libdir = sysconfig.get_config_var("LIBDIR")   # libpython of a shared build
    if libdir and os.path.isdir(libdir):
        dirs.add(_real(libdir))
    return _outermost(d for d in dirs if os.path.isdir(d))


def system_dirs() -> list[str]:
    return _outermost(_real(d) for d in SYSTEM_DIRS if os.path.isdir(d))


def _outermost(paths: Iterable[str]) -> list[str]:
    out: list[str] = []
    for p in sorted(set(paths), key=lambda p: (p.count("/"), p)):
        if not any(_under(p, o) for o in out):
            out.append(p)
    return out


def read_only_dirs() -> list[str]:
    """Every host folder bound read-only, outermost first."""
    return _outermost(system_dirs() + python_dirs())


def mount_args(ro_dirs: Sequence[str], etc_files: Mapping[str, str], tmp_size: int, hide: Iterable[str] = ()) -> list[str]:
    """bwrap arguments building the allow-listed root; etc_files: {path inside: host file}."""
    args: list[str] = []
    made = {"/"}

    def parents(path: str) -> None:
        # bwrap would create missing parents 0700, which the sandbox user could not traverse.
        chain = []
        p = os.path.dirname(path)
        while p not in made and p != "/":
            chain.append(p)
            p = os.path.dirname(p)
        for d in reversed(chain):
            args.extend(["--perms", "0755", "--dir", d])
            made.add(d)

    for link in TOP_LINKS + SYSTEM_DIRS:
        if os.path.islink(link):   # merged /usr (/lib -> usr/lib), or /usr/lib64 -> lib
            parents(link)
            args += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            ro_dirs = _outermost(list(ro_dirs) + [_real(link)])
    tmp_binds = [d for d in ro_dirs if _under(d, "/tmp")]
    for d in [d for d in ro_dirs if d not in tmp_binds]:
        parents(d)
        args += ["--ro-bind", d, d]
        made.add(d)
    for inside, host in sorted(etc_files.items()):
        parents(inside)
        args += ["--ro-bind", host, inside]
    # The private /tmp, then whatever of the interpreter lives under the host's /tmp.
    args += ["--size", str(tmp_size), "--perms", "1777", "--tmpfs", "/tmp"]
    made.add("/tmp")
    for d in tmp_binds:
        parents(d)
        args += ["--ro-bind", d, d]
        made.add(d)
    for h in sorted({_real(h) for h in hide if os.path.isdir(h)}, key=len):
        if any(_under(h, d) and h != d for d in ro_dirs):
            args += ["--size", str(1 << 20), "--perms", "0755", "--tmpfs", h]
    return args


def linker_files() -> dict[str, str]:
    return {f: f for f in LINKER_FILES if os.path.isfile(f)}
