"""students/setup.sh refuses a Python other than the pinned one and rebuilds a broken venv.

Run on a copy of the script whose requirements are empty, so no package is downloaded: the
script then stops at its first `jupyter` command, after the part under test.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SETUP = Path(__file__).resolve().parents[1] / "students" / "setup.sh"


@pytest.fixture
def copy(tmp_path):
    shutil.copy(SETUP, tmp_path / "setup.sh")
    (tmp_path / "requirements.txt").write_text("")
    return tmp_path


def run(folder, *args, python=sys.executable):
    return subprocess.run(["bash", str(folder / "setup.sh"), *args], cwd=folder, env={"PATH": "/usr/bin:/bin",
                          "PYTHON": python}, capture_output=True, text=True, timeout=300)


def test_another_python_is_refused_with_the_version_it_needs(copy):
    fake = copy / "python3.10"
    fake.write_text('#!/bin/sh\necho 3.10\n')
    fake.chmod(0o755)
    proc = run(copy, "env", python=str(fake))
    assert proc.returncode == 1
    assert "setup.sh: needs Python 3.11; found" in proc.stderr and "(3.10)" in proc.stderr
    assert not (copy / "env").exists()


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the pins are for Python 3.11")
def test_a_broken_venv_is_rebuilt(copy):
    broken = copy / "env" / "bin"
    broken.mkdir(parents=True)
    (broken / "python").write_text("#!/bin/sh\nexit 1\n")      # a venv whose interpreter is gone
    (broken / "python").chmod(0o755)
    proc = run(copy, "env")
    assert "setup.sh: env is broken or not Python 3.11; rebuilding it" in proc.stderr
    rebuilt = subprocess.run([str(broken / "python"), "-c", "import sys, pip; print(sys.version_info[:2])"],
                             capture_output=True, text=True)
    assert rebuilt.stdout.strip() == "(3, 11)"
    # It went on past the venv: the empty requirements installed, then jupyter (not installed here) is missing.
    assert "env/bin/jupyter" in proc.stderr and proc.returncode != 0
