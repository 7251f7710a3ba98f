"""Instructor operations keep the course intact: releases are built aside, nbgrader runs without an activated venv."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import course
from tools import course_tools
from autograder.errors import ConfigError

pytestmark = pytest.mark.slow   # real nbgrader releases

REPO = Path(__file__).resolve().parents[1]


def snapshot(root):
    """{relative path: sha256} of every file of release/ and of gradebook.db."""
    files = sorted((root / "release").rglob("*")) + [root / "gradebook.db"]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file()}


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A course copy without gradebook, released by `python -m autograder release` with a PATH
    that does not hold this interpreter's scripts (a venv used without activation)."""
    root = course_tools.make_course_copy(tmp_path_factory.mktemp("release"))
    # No folder that holds an `alembic` script (nbgrader runs it when it creates a gradebook).
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p and not (Path(p) / "alembic").exists())
    proc = subprocess.run([sys.executable, "-m", "autograder", "release", "--course", str(root)], cwd=REPO,
                          env=dict(os.environ, PATH=path), capture_output=True, text=True, timeout=600)
    return root, proc


def test_release_works_without_the_interpreter_on_path(released):
    root, proc = released
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (root / "release" / "bptt").glob("*.ipynb")) == [
        "01_mlp_backprop.ipynb", "02_rnn_bptt.ipynb", "03_two_layer_rnn.ipynb", "04_long_histories.ipynb"]
    assert (root / "gradebook.db").stat().st_size > 0
    assert not list(root.glob(".release-build-*")), "the staging folder is removed"


def test_a_failed_release_leaves_release_and_gradebook_untouched(released):
    root, _ = released
    before = snapshot(root)
    assert "release/bptt/02_rnn_bptt.ipynb" in before and "gradebook.db" in before
    broken = root / "source" / "bptt" / "02_rnn_bptt.ipynb"
    good = broken.read_bytes()
    broken.write_text('{"cells": [')                      # a truncated notebook: nbgrader fails on it
    try:
        with pytest.raises(course.NbgraderError, match="generate_assignment"):
            course.generate_release(root)
    finally:
        broken.write_bytes(good)
    assert snapshot(root) == before
    assert not list(root.glob(".release-build-*"))


def test_a_leaking_release_is_not_swapped_in(released):
    root, _ = released
    before = snapshot(root)
    given = root / "source" / "bptt" / "bptt_experiments.py"
    text = given.read_text()
    given.write_text(text + "\n# from autograder.reference import mlp\n")
    try:
        with pytest.raises(ConfigError, match="bptt_experiments.py: autograder"):
            course.generate_release(root)
    finally:
        given.write_text(text)
    assert snapshot(root) == before
