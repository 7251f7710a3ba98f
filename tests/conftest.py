"""Shared fixtures. The nbgrader course is built and graded once per session (about a minute)."""
import pytest

from tests.nbgrader_course import build_graded_course


def pytest_collection_modifyitems(items):
    """A test that needs the autograded course runs real nbgrader commands: it is slow."""
    for item in items:
        if "graded_course" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory):
    """A temporary course, released and autograded with the real nbgrader (see tests/nbgrader_course.py)."""
    return build_graded_course(tmp_path_factory.mktemp("graded"))


@pytest.fixture(scope="session", autouse=True)
def sandbox_user():
    """The unprivileged user `python -m autograder grade` runs student code as, when run by root
    (created as the Gradescope bundle's setup.sh does; a normal user's grader needs none)."""
    import os
    import pwd
    import subprocess

    if os.geteuid() == 0:
        try:
            pwd.getpwnam("bptt-student")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                            "bptt-student"], check=True)
