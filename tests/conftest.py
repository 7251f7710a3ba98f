"""Shared fixtures. The nbgrader course is built and graded once per session (about a minute)."""
import pytest

from tests.nbgrader_course import build_graded_course


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory):
    """A temporary course, released and autograded with the real nbgrader (see tests/nbgrader_course.py)."""
    return build_graded_course(tmp_path_factory.mktemp("graded"))
