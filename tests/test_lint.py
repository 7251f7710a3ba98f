"""ruff runs clean on the repository and mypy --strict on the package, with pyproject.toml's settings (pinned versions)."""
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _pinned(name):
    for line in (REPO / "requirements.txt").read_text().splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError(f"{name} is not pinned in requirements.txt")


# No caches: the test writes nothing into the repository (it may be a read-only clone).
@pytest.mark.parametrize("tool, args", [
    ("ruff", ["check", "--no-cache", "."]),      # extend-exclude in pyproject.toml: notebooks, student work
    ("mypy", ["--strict", "--cache-dir", "/dev/null"]),   # files = ["autograder"] in pyproject.toml
])
def test_clean(tool, args):
    version = subprocess.run([sys.executable, "-m", tool, "--version"], cwd=REPO, capture_output=True, text=True)
    assert version.returncode == 0, f"{tool} is not installed: pip install -r requirements.txt"
    assert _pinned(tool) in version.stdout, f"{tool} {version.stdout.strip()} is not the pinned {_pinned(tool)}"
    proc = subprocess.run([sys.executable, "-m", tool, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
