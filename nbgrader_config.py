"""nbgrader configuration of the BPTT course (the repository root is the course root).

nbgrader executes this file two or three times per command, so everything here
is idempotent.
"""
import os
import sys

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "bptt-course"
# Gradebook: nbgrader's default, sqlite:///<course root>/gradebook.db. It holds the
# hidden tests, so it stays private (git-ignored).
# Per cell. The notebooks' test cells take well under a second; experiment cells
# shorten themselves when BPTT_GRADING=1 (set below).
c.Execute.timeout = 60


def _subcommand(argv):
    """The nbgrader subcommand: the first argument after the program that is not an option."""
    return next((a for a in argv[1:] if not a.startswith("-")), None)


if _subcommand(sys.argv) == "autograde":
    # The hidden tests run `from autograder.checks import check` in the student's kernel.
    # The package is never installed; only autograde makes it importable, by putting the
    # directory that contains it on PYTHONPATH (the kernel inherits this environment).
    # Temporary course copies point BPTT_AUTOGRADER_ROOT at the repository.
    _root = os.path.abspath(os.environ.get("BPTT_AUTOGRADER_ROOT") or os.path.dirname(os.path.abspath(__file__)))
    _paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if _root not in _paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([_root] + _paths)
    # Experiment cells skip or shorten themselves when this is set.
    os.environ["BPTT_GRADING"] = "1"
    # Each test cell runs its hidden check first, so autograde's feedback names the mistake as
    # the grading command does (autograder/checks/nbgrader_order.py). nbgrader imports it here.
    if _root not in sys.path:
        sys.path.insert(0, _root)
    from nbgrader.converters.autograde import Autograde as _Autograde

    _defaults = list(_Autograde.class_traits()["autograde_preprocessors"].default())
    c.Autograde.autograde_preprocessors = ["autograder.checks.nbgrader_order.HiddenTestsFirst"] + [
        p for p in _defaults if getattr(p, "__name__", "") != "HiddenTestsFirst"]
