#!/usr/bin/env bash
# The BPTT classroom on JupyterHub, on this machine (127.0.0.1 only). Run as root.
#
#   deploy/jupyterhub/hub.sh start    install (first time), make the accounts and the course, start the hub
#   deploy/jupyterhub/hub.sh stop     stop the hub, every user's server and the proxy
#   deploy/jupyterhub/hub.sh status   is it running, and where
#   deploy/jupyterhub/hub.sh purge    stop, then delete the accounts, their homes, the course's exchange
#                                     folder and the hub's state (the installed venv and proxy are kept)
#
# Settings (environment; the defaults in brackets): BPTT_HUB_PREFIX [/opt/bptt-hub],
# BPTT_HUB_PORT [8000], BPTT_HUB_INSTRUCTOR [bptt-instructor],
# BPTT_HUB_STUDENTS ["bptt-student-a bptt-student-b"], BPTT_HUB_PYTHON [/usr/bin/python3].
# The layout follows nbgrader's JupyterHub demo "one class, one grader"; see README.md here.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PREFIX=${BPTT_HUB_PREFIX:-/opt/bptt-hub}
STATE=$PREFIX/state
EXCHANGE=/srv/nbgrader/exchange
# The settings of a running hub win (stop and purge must act on what start made).
if [ -f "$STATE/hub.env" ]; then . "$STATE/hub.env"; fi
PORT=${BPTT_HUB_PORT:-8000}
INSTRUCTOR=${BPTT_HUB_INSTRUCTOR:-bptt-instructor}
STUDENTS=${BPTT_HUB_STUDENTS:-bptt-student-a bptt-student-b}
PYTHON=${BPTT_HUB_PYTHON:-/usr/bin/python3}
VENV=$PREFIX/venv
COURSE_ID=$(sed -n 's/^c\.CourseDirectory\.course_id = "\(.*\)"$/\1/p' "$REPO/nbgrader_config.py")
COURSE=/home/$INSTRUCTOR/$COURSE_ID

say() { echo "hub.sh: $*"; }
die() { echo "hub.sh: error: $*" >&2; exit 1; }
as_user() { local user=$1; shift; runuser -u "$user" -- env HOME="/home/$user" PATH="$VENV/bin:/usr/bin:/bin" "$@"; }

install() {
    command -v npm >/dev/null || die "npm is missing (Node.js 20 or later: apt-get install -y nodejs npm)"
    [ -x "$PYTHON" ] || die "no Python at $PYTHON (set BPTT_HUB_PYTHON; it must be readable by every account)"
    mkdir -p "$PREFIX" "$STATE" && chmod 755 "$PREFIX" && chmod 700 "$STATE"
    local pins
    pins=$(cat "$REPO/requirements.txt" "$REPO/constraints.txt" "$HERE/requirements.txt" | sha256sum | cut -c1-16)
    if [ "$(cat "$VENV/.pins" 2>/dev/null)" != "$pins" ]; then
        say "installing the pinned Python packages into $VENV"
        [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
        "$VENV/bin/pip" install -q -r "$REPO/requirements.txt" -c "$REPO/constraints.txt" -r "$HERE/requirements.txt"
        echo "$pins" > "$VENV/.pins"
    fi
    if ! cmp -s "$HERE/package-lock.json" "$PREFIX/proxy/package-lock.json"; then
        say "installing configurable-http-proxy (package-lock.json) into $PREFIX/proxy"
        mkdir -p "$PREFIX/proxy" && cp "$HERE/package.json" "$HERE/package-lock.json" "$PREFIX/proxy/"
        (cd "$PREFIX/proxy" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
    fi
    # nbgrader's extensions: all off for everyone but Validate; each account turns on its own below.
    "$VENV/bin/jupyter" labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader \
        @jupyter/nbgrader:create-assignment @jupyter/nbgrader:assignment-list @jupyter/nbgrader:course-list \
        @jupyter/nbgrader:menu >/dev/null 2>&1
    "$VENV/bin/jupyter" labextension enable --level=sys_prefix @jupyter/nbgrader:validate-assignment >/dev/null 2>&1
    "$VENV/bin/jupyter" server extension disable --sys-prefix nbgrader.server_extensions.formgrader \
        nbgrader.server_extensions.assignment_list nbgrader.server_extensions.course_list >/dev/null 2>&1
    "$VENV/bin/jupyter" server extension enable --sys-prefix nbgrader.server_extensions.validate_assignment >/dev/null 2>&1
    mkdir -p "$VENV/etc/jupyter"
    sed "s/@COURSE_ID@/$COURSE_ID/" "$HERE/nbgrader_config.py" > "$VENV/etc/jupyter/nbgrader_config.py"
}

password_of() {   # a random password per account, kept in a root-only file
    local user=$1
    touch "$STATE/passwords" && chmod 600 "$STATE/passwords"
    if ! grep -q "^$user " "$STATE/passwords"; then
        echo "$user $("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))')" >> "$STATE/passwords"
    fi
    sed -n "s/^$user //p" "$STATE/passwords"
}

make_account() {
    local user=$1
    if ! id "$user" >/dev/null 2>&1; then
        useradd --create-home --home-dir "/home/$user" --shell /bin/bash "$user"
    fi
    chmod 700 "/home/$user"
    echo "$user:$(password_of "$user")" | chpasswd
}

enable_for() {   # enable_for USER lab-extension... -- server-extension...
    local user=$1; shift
    local labs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do labs+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    as_user "$user" jupyter labextension enable --level=user "${labs[@]}" >/dev/null 2>&1
    # `jupyter server extension enable --user` refuses an extension that is not yet listed in the
    # user's own config, so the user's config file is written directly (it overrides the venv's).
    as_user "$user" python -c 'import json, pathlib, sys
d = pathlib.Path.home() / ".jupyter" / "jupyter_server_config.d"
d.mkdir(parents=True, exist_ok=True)
(d / "bptt-hub.json").write_text(json.dumps(
    {"ServerApp": {"jpserver_extensions": {name: True for name in sys.argv[1:]}}}, indent=1))' "$@"
}

make_course() {
    make_account "$INSTRUCTOR"
    if [ ! -d "$COURSE" ]; then
        say "copying the course into $COURSE and generating its release with nbgrader"
        mkdir -p "$COURSE"
        tar -C "$REPO" --exclude=__pycache__ --exclude='*.pyc' --exclude=.ipynb_checkpoints -cf - \
            autograder source release notebooks docs/math.md nbgrader_config.py jupytext.toml | tar -C "$COURSE" -xf -
        chown -R "$INSTRUCTOR:" "$COURSE" && chmod 700 "$COURSE"
        (cd "$COURSE" && as_user "$INSTRUCTOR" python -m autograder release >/dev/null)
    fi
    mkdir -p "/home/$INSTRUCTOR/.jupyter"
    sed "s#@COURSE_ROOT@#$COURSE#g" "$HERE/instructor_nbgrader_config.py" > "/home/$INSTRUCTOR/.jupyter/nbgrader_config.py"
    chown -R "$INSTRUCTOR:" "/home/$INSTRUCTOR/.jupyter"
    enable_for "$INSTRUCTOR" @jupyter/nbgrader:formgrader @jupyter/nbgrader:create-assignment \
        @jupyter/nbgrader:assignment-list @jupyter/nbgrader:course-list @jupyter/nbgrader:menu -- \
        nbgrader.server_extensions.formgrader nbgrader.server_extensions.assignment_list \
        nbgrader.server_extensions.course_list
    for student in $STUDENTS; do
        make_account "$student"
        enable_for "$student" @jupyter/nbgrader:assignment-list @jupyter/nbgrader:menu -- \
            nbgrader.server_extensions.assignment_list
        # matplotlib's font cache, built now rather than during the student's first cell
        as_user "$student" python -c "import matplotlib.font_manager" >/dev/null 2>&1 || true
    done
    # The exchange: nbgrader's usual shared folder, writable by all (nbgrader's own mode, plus the
    # sticky bit). The course's folder in it is made now, owned by the instructor, so that no student
    # can create it first and own the course's inbound and outbound.
    mkdir -p "$EXCHANGE" && chmod 1777 "$EXCHANGE"
    mkdir -p "$EXCHANGE/$COURSE_ID" && chown "$INSTRUCTOR:" "$EXCHANGE/$COURSE_ID" && chmod 755 "$EXCHANGE/$COURSE_ID"
}

hub_pid() { local pid; pid=$(cat "$STATE/jupyterhub.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null && echo "$pid"; }

start() {
    [ "$(id -u)" = 0 ] || die "run as root: the hub starts each user's server as that user"
    if pid=$(hub_pid); then say "already running (pid $pid) at http://127.0.0.1:$PORT/"; return 0; fi
    install
    make_course
    # The hub copies the course (with the hidden checks) into the instructor's private home; the
    # checkout it came from must be just as private, or every student could read the checks there.
    for user in $STUDENTS; do
        if runuser -u "$user" -- test -r "$REPO/autograder/checks/__init__.py"; then
            die "student $user can read $REPO/autograder/checks: keep the course's checkout private \
(e.g. chmod 700 $REPO) before starting the hub"
        fi
    done
    printf 'BPTT_HUB_PORT=%q\nBPTT_HUB_INSTRUCTOR=%q\nBPTT_HUB_STUDENTS=%q\n' "$PORT" "$INSTRUCTOR" "$STUDENTS" \
        > "$STATE/hub.env"
    # Detached (own session, no terminal): nothing of it holds this script's output open.
    (cd "$STATE" && exec env BPTT_HUB_PREFIX="$PREFIX" BPTT_HUB_PORT="$PORT" BPTT_HUB_INSTRUCTOR="$INSTRUCTOR" \
        BPTT_HUB_STUDENTS="$STUDENTS" setsid "$VENV/bin/jupyterhub" -f "$HERE/jupyterhub_config.py") \
        >"$STATE/jupyterhub.log" 2>&1 < /dev/null &
    for _ in $(seq 120); do
        if "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/hub/health', timeout=2)" \
            2>/dev/null; then
            say "running at http://127.0.0.1:$PORT/ (pid $(hub_pid)); log: $STATE/jupyterhub.log"
            say "instructor: $INSTRUCTOR; students: $STUDENTS; passwords: $STATE/passwords (root only)"
            return 0
        fi
        sleep 1
    done
    tail -20 "$STATE/jupyterhub.log" >&2
    die "the hub did not answer on port $PORT within 120 s (log above)"
}

stop() {
    local pid
    if ! pid=$(hub_pid); then say "not running"; return 0; fi
    kill -TERM "$pid"
    for _ in $(seq 180); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then die "the hub (pid $pid) did not stop within 90 s"; fi
    local left=()
    for user in $INSTRUCTOR $STUDENTS; do
        if id "$user" >/dev/null 2>&1 && pgrep -u "$user" >/dev/null; then left+=("$user"); fi
    done
    if [ -f "$STATE/proxy.pid" ] && kill -0 "$(cat "$STATE/proxy.pid")" 2>/dev/null; then left+=(proxy); fi
    [ ${#left[@]} -eq 0 ] || die "stopped the hub, but processes are left for: ${left[*]}"
    say "stopped: the hub, every user's server and the proxy"
}

status() {
    if pid=$(hub_pid); then say "running (pid $pid) at http://127.0.0.1:$PORT/"; else say "not running"; return 3; fi
}

purge() {
    stop
    for user in $INSTRUCTOR $STUDENTS; do
        if id "$user" >/dev/null 2>&1; then userdel --remove "$user" 2>/dev/null || userdel "$user"; fi
        rm -rf "/home/${user:?}"
    done
    rm -rf "${EXCHANGE:?}/${COURSE_ID:?}" "${STATE:?}"
    say "removed the accounts ($INSTRUCTOR $STUDENTS), their homes, $EXCHANGE/$COURSE_ID and $STATE"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    purge) purge ;;
    *) echo "usage: $0 {start|stop|status|purge}" >&2; exit 2 ;;
esac
