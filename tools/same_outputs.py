"""Two folders written by `python -m autograder grade` hold the same results, timing aside.

    python tools/same_outputs.py BEFORE_DIR AFTER_DIR

Every file of either folder must be in both and byte-identical, except that JSON files are
compared with their timing fields removed ("seconds": each student's wall time) and a cache
entry without its key (the key hashes the grader's own code, which a refactoring changes).
Prints each difference and exits 1 if there is one. Used to show that a change of the grading
code's structure changes nothing a student or an instructor reads (docs/development.md).
"""
from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

TIMING = ("seconds",)


def _without_timing(value: object) -> object:
    if isinstance(value, dict):
        return {k: _without_timing(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [_without_timing(v) for v in value]
    return value


def comparable(path: Path, root: Path) -> str | bytes:
    """The file's content as compared: JSON without timing (and a cache entry without its key), else bytes."""
    data = path.read_bytes()
    if path.suffix != ".json":
        return data
    doc = json.loads(data)
    if path.parent.name == ".cache" and path.parent.parent == root and isinstance(doc, dict):
        doc.pop("key", None)
    return json.dumps(_without_timing(doc), indent=1, sort_keys=True)


def differences(before: Path, after: Path) -> list[str]:
    files_a = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    files_b = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    out = [f"only in {before}: {p}" for p in sorted(files_a - files_b)]
    out += [f"only in {after}: {p}" for p in sorted(files_b - files_a)]
    for rel in sorted(files_a & files_b):
        a, b = comparable(before / rel, before), comparable(after / rel, after)
        if a == b:
            continue
        if isinstance(a, str) and isinstance(b, str):
            diff = difflib.unified_diff(a.splitlines(), b.splitlines(), str(before / rel), str(after / rel), lineterm="", n=1)
            out.append("\n".join(list(diff)[:40]))
        else:
            out.append(f"differs: {rel}")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    before, after = Path(argv[1]), Path(argv[2])
    found = differences(before, after)
    for d in found:
        print(d)
    n = sum(1 for p in before.rglob("*") if p.is_file())
    print(f"{n} files compared: {'the same' if not found else f'{len(found)} difference(s)'} (timing fields aside)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
