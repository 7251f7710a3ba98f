#!/usr/bin/env bash
# The students' set-up: a virtual environment with the pinned packages (requirements.txt here),
# nbgrader's instructor tools turned off AND locked (a student cannot turn them back on from
# Jupyter's extension manager), Validate kept.
#
#   bash setup.sh [VENV]        (default: bptt-env; a working venv of Python 3.11 is reused,
#                                a broken one or one of another Python is rebuilt)
#   VENV/bin/jupyter notebook bptt/
#   PYTHON=python3.11 bash setup.sh   to choose the interpreter (default: python3.11, else python3)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${1:-bptt-env}
WANT=3.11                      # the version the pins are made for (pyproject.toml: requires-python)
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3 || true)}
version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
if [ -z "$PYTHON" ] || [ "$(version "$PYTHON")" != "$WANT" ]; then
    echo "setup.sh: needs Python $WANT; found ${PYTHON:-no python3} ($(version "${PYTHON:-false}" || true))." >&2
    echo "Install Python $WANT and run again, e.g.  PYTHON=/usr/bin/python3.11 bash setup.sh" >&2
    exit 1
fi
# A venv is reused only if its Python runs, is the right version and has a working pip; a venv left
# half-made (an interrupted run, a Python upgraded under it) is removed and made again.
if [ -e "$VENV" ] && { [ "$(version "$VENV/bin/python")" != "$WANT" ] || \
                       ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; }; then
    echo "setup.sh: $VENV is broken or not Python $WANT; rebuilding it" >&2
    rm -rf "$VENV"
fi
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"   # -c constraints.txt inside
LAB=(@jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment @jupyter/nbgrader:assignment-list
     @jupyter/nbgrader:course-list @jupyter/nbgrader:menu)
SERVER=(nbgrader.server_extensions.formgrader nbgrader.server_extensions.assignment_list
        nbgrader.server_extensions.course_list)
"$VENV/bin/jupyter" labextension disable --level=sys_prefix "${LAB[@]}"
"$VENV/bin/jupyter" labextension lock --level=sys_prefix "${LAB[@]}"
"$VENV/bin/jupyter" server extension disable --sys-prefix "${SERVER[@]}"
echo "student set-up done: start Jupyter with  $VENV/bin/jupyter notebook bptt/"
