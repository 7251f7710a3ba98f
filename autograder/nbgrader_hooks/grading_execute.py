"""nbgrader's Execute step for this course: the kernel it starts has BPTT_GRADING=1.

The notebooks' experiment cells shorten themselves when BPTT_GRADING=1 (the kernel's run only
makes the outputs students read: the scores come from the judge, judge_verdicts.py). Only this
kernel's environment changes, never the process running nbgrader's (a Jupyter server's, whose
other kernels are left alone). The kernel needs nothing of the autograder package.

Every kernel it starts runs in the grading command's sandbox: the kernel manager is
autograder/sandbox/kernel.py's SandboxedKernelManager (docs/isolation.md).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from nbgrader.preprocessors import Execute

GRADING_ENV = {"BPTT_GRADING": "1"}
PRIVATE_NAME = "bptt_grader_sandbox"   # the autograder package, loaded by path under this name


def sandboxed_kernel_manager() -> type:
    """autograder/sandbox/kernel.py's SandboxedKernelManager, this hook's package loaded by path under
    a private name: `autograder` stays off sys.path of the process running nbgrader."""
    import importlib
    import importlib.util
    import sys

    if PRIVATE_NAME not in sys.modules:
        package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        spec = importlib.util.spec_from_file_location(PRIVATE_NAME, os.path.join(package, "__init__.py"),
                                                      submodule_search_locations=[package])
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the autograder package at {package}")
        sys.modules[PRIVATE_NAME] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[PRIVATE_NAME])
    manager: type = importlib.import_module(f"{PRIVATE_NAME}.sandbox.kernel").SandboxedKernelManager
    return manager


def grading_env(env: Mapping[str, str] | None) -> dict[str, str]:
    """`env` (or this process's environment) with GRADING_ENV set."""
    return {**(os.environ if env is None else env), **GRADING_ENV}


class GradingExecute(Execute):  # type: ignore[misc]  # nbgrader ships no type information
    """nbgrader's Execute, with GRADING_ENV in the environment of the kernel it starts, in the sandbox."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kernel_manager_class = sandboxed_kernel_manager()

    # nbclient has a sync and an async entry point (the sync one does not call the async
    # method through self), so both pass the grading environment on.
    def start_new_kernel(self, **kwargs: Any) -> Any:
        return super().start_new_kernel(env=grading_env(kwargs.pop("env", None)), **kwargs)

    async def async_start_new_kernel(self, **kwargs: Any) -> Any:
        return await super().async_start_new_kernel(env=grading_env(kwargs.pop("env", None)), **kwargs)
