#!/usr/bin/env bash
# The students' set-up: a virtual environment with the pinned packages (requirements.txt here),
# nbgrader's instructor tools turned off AND locked (a student cannot turn them back on from
# Jupyter's extension manager), Validate kept.
#
#   bash setup.sh [VENV]        (default: bptt-env; an existing venv is reused)
#   VENV/bin/jupyter notebook bptt/
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${1:-bptt-env}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"   # -c constraints.txt inside
LAB=(@jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment @jupyter/nbgrader:assignment-list
     @jupyter/nbgrader:course-list @jupyter/nbgrader:menu)
SERVER=(nbgrader.server_extensions.formgrader nbgrader.server_extensions.assignment_list
        nbgrader.server_extensions.course_list)
"$VENV/bin/jupyter" labextension disable --level=sys_prefix "${LAB[@]}"
"$VENV/bin/jupyter" labextension lock --level=sys_prefix "${LAB[@]}"
"$VENV/bin/jupyter" server extension disable --sys-prefix "${SERVER[@]}"
echo "student set-up done: start Jupyter with  $VENV/bin/jupyter notebook bptt/"
