"""nbgrader's Execute step for this course: the kernel it starts has BPTT_GRADING=1.

The notebooks' experiment cells shorten themselves when BPTT_GRADING=1 (the kernel's run only
makes the outputs students read: the scores come from the judge, judge_verdicts.py). Only this
kernel's environment changes, never the process running nbgrader's (a Jupyter server's, whose
other kernels are left alone). The kernel needs nothing of the autograder package.

A kernel-manager hook (e.g. a sandboxed launcher) is one line in this class:
`kernel_manager_class = ...` as a class attribute, or `kwargs.setdefault(...)` in __init__.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from nbgrader.preprocessors import Execute

GRADING_ENV = {"BPTT_GRADING": "1"}


def grading_env(env: Mapping[str, str] | None) -> dict[str, str]:
    """`env` (or this process's environment) with GRADING_ENV set."""
    return {**(os.environ if env is None else env), **GRADING_ENV}


class GradingExecute(Execute):  # type: ignore[misc]  # nbgrader ships no type information
    """nbgrader's Execute, with GRADING_ENV in the environment of the kernel it starts."""

    # nbclient has a sync and an async entry point (the sync one does not call the async
    # method through self), so both pass the grading environment on.
    def start_new_kernel(self, **kwargs: Any) -> Any:
        return super().start_new_kernel(env=grading_env(kwargs.pop("env", None)), **kwargs)

    async def async_start_new_kernel(self, **kwargs: Any) -> Any:
        return await super().async_start_new_kernel(env=grading_env(kwargs.pop("env", None)), **kwargs)
