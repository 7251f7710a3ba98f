"""The grader's own errors: one base, so the command line reports every one the same way.

A GraderError means the command could not do its job (the course, the command
line, the gradebook or the sandbox is wrong), never that a student's code is
wrong: a student's mistake costs points and is reported in the feedback, it is
not an exception. `python -m autograder` prints any GraderError as
`python -m autograder <command>: error: <message>` (one line; the details with -v) and exits
with status 2. This module is the only place the grader's exception classes are defined
(autograder/sandbox/ is standalone and raises its own IsolationError, a RuntimeError).
"""


class GraderError(Exception):
    """Base of every error the grading command reports to the instructor."""


class ConfigError(GraderError):
    """The course itself is inconsistent (not the student's fault)."""


class SubmissionError(GraderError):
    """The command line names nothing gradable."""


class OutputError(GraderError):
    """The output folder cannot be written."""


class SandboxError(GraderError):
    """The sandbox cannot start, before any student code has run: the grading machine's problem."""


class GradebookError(GraderError):
    """nbgrader's gradebook does not match the course (run `python -m autograder release`)."""


class ToolError(GraderError, RuntimeError):
    """An external tool the command runs (nbgrader, jupytext) failed; the message holds its output."""


class BatchError(GraderError):
    """A submission could not be graded at all (a grader bug or a sandbox failure); the batch stops."""
