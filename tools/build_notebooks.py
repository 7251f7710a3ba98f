"""Write the instructor notebooks 01-03 of source/bptt/ from tools/nb01.py, nb02.py, nb03.py.

    python tools/build_notebooks.py            # rewrite the three notebooks
    python tools/build_notebooks.py --check    # exit 1 if a committed notebook differs

The committed .ipynb files are the truth; this script is how they were written,
kept so that an edit to the shared given code reaches all three notebooks.
After rebuilding, regenerate the release: python -m autograder release.
"""
import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nb01  # noqa: E402
import nb02  # noqa: E402
import nb03  # noqa: E402
from nbcells import notebook  # noqa: E402

SOURCE = Path(__file__).resolve().parents[1] / "source" / "bptt"
MODULES = (nb01, nb02, nb03)


def render(module):
    nb = notebook(module.cells())
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed notebooks")
    args = parser.parse_args(argv)
    stale = []
    for module in MODULES:
        path = SOURCE / f"{module.STEM}.ipynb"
        text = render(module)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path.name)
        else:
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print("out of date: " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
