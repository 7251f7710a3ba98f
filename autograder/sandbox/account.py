"""The unprivileged user that runs student code when the grader runs as root: created when missing.

A grader running as root switches to this user inside the sandbox (enter.py);
on a fresh machine it does not exist yet, so `python -m autograder grade` and `demo`
create it (a system account without home or login shell) and say so in one line. A grader
that is not root needs no such user: the sandbox then runs as the grader's own uid.
"""
from __future__ import annotations

import logging
import os
import pwd
import shlex
import shutil
import subprocess

from ..errors import SandboxError
from .isolation import CREATE_USER

log = logging.getLogger(__name__)


def ensure_sandbox_user(name: str) -> bool:
    """Create the system user `name` if the grader is root and it does not exist; True if created.

    Raises SandboxError (with the command to run by hand) when it cannot be created.
    """
    if os.geteuid() != 0:
        return False
    try:
        pwd.getpwnam(name)
        return False
    except KeyError:
        pass
    command = shlex.split(CREATE_USER.format(user=shlex.quote(name)))
    if shutil.which(command[0]) is None:
        raise SandboxError(f"the sandbox user {name!r} does not exist and `{command[0]}` is not available to "
                           f"create it; create an unprivileged user by hand and pass --sandbox-user NAME")
    proc = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        raise SandboxError(f"could not create the sandbox user {name!r}: `{' '.join(command)}` exited "
                           f"{proc.returncode}: {proc.stderr.strip()[:300]}")
    log.warning("created the sandbox user %r (%s): student code runs as it", name, " ".join(command))
    return True
