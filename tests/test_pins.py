"""One pinned list: requirements.txt (direct) and constraints.txt (the tested closure); nothing else pins."""
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from autograder.gradescope.bundle import grader_requirements

REPO = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)\s*$")


def pins(path):
    return {m.group(1).lower(): m.group(2) for line in Path(path).read_text().splitlines()
            if (m := PIN.match(line.strip()))}


def test_every_direct_pin_is_the_tested_one():
    closure = pins(REPO / "constraints.txt")
    assert {n: v for n, v in pins(REPO / "requirements.txt").items() if closure.get(n) != v} == {}


def test_the_students_install_the_tested_versions():
    students = REPO / "students"
    assert (students / "constraints.txt").resolve() == (REPO / "constraints.txt").resolve()
    assert "-c constraints.txt" in (students / "requirements.txt").read_text().splitlines()
    closure = pins(REPO / "constraints.txt")
    wanted = pins(students / "requirements.txt")
    assert {"numpy", "nbgrader", "notebook", "matplotlib"} <= set(wanted)
    assert {n: v for n, v in wanted.items() if closure.get(n) != v} == {}


def test_the_gradescope_bundle_pins_from_the_same_list():
    direct = pins(REPO / "requirements.txt")
    bundled = {m.group(1).lower(): m.group(2) for line in grader_requirements(REPO).splitlines()
               if (m := PIN.match(line.strip()))}
    assert bundled and all(direct[n] == v for n, v in bundled.items())


def test_the_project_file_installs_nothing_and_pins_nothing():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["dependencies"] == []
    assert "optional-dependencies" not in project["project"]
    assert project["tool"]["setuptools"]["packages"] == []


def test_student_data_is_never_committed():
    ignored = set((REPO / ".gitignore").read_text().split())
    assert {"/submitted/", "/autograded/", "/feedback/", "/grades.csv", "/grades/", "gradebook.db"} <= ignored


@pytest.mark.slow   # two jupyter commands
def test_the_student_set_up_locks_every_plugin_it_disables(tmp_path):
    # setup.sh's own commands, at the user level of a private config folder instead of a venv's.
    script = (REPO / "students" / "setup.sh").read_text()
    lab = re.search(r"LAB=\(([^)]*)\)", script).group(1).split()
    assert len(lab) == 5
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_DATA_DIR=str(tmp_path / "data"))
    for verb in ("disable", "lock"):
        assert f'"$VENV/bin/jupyter" labextension {verb} --level=sys_prefix "${{LAB[@]}}"' in script
        subprocess.run([sys.executable, "-m", "jupyter", "labextension", verb, "--level=user", *lab],
                       env=env, check=True, capture_output=True, timeout=120)
    page = json.loads((tmp_path / "config" / "labconfig" / "page_config.json").read_text())
    assert {k for k, v in page["disabledExtensions"].items() if v} == set(lab)
    assert {k for k, v in page["lockedExtensions"].items() if v} == set(lab)
