"""JupyterHub of the BPTT classroom: nbgrader's "one class, one grader" set-up on one machine.

hub.sh starts the hub (as root) with these environment variables; defaults in brackets:
    BPTT_HUB_PREFIX       the install: venv/, proxy/, state/          [/opt/bptt-hub]
    BPTT_HUB_PORT         the public port on 127.0.0.1; the hub's API
                          uses PORT+1 and the proxy's API PORT+2       [8000]
    BPTT_HUB_INSTRUCTOR   the account that owns the course             [bptt-instructor]
    BPTT_HUB_STUDENTS     the students' accounts, space-separated      [bptt-student-a bptt-student-b]

Accounts are system users, logged in with their system password (PAM, JupyterHub's default
authenticator, as in nbgrader's JupyterHub demos); every user's server runs as that user, so
the operating system's file permissions separate the course, the exchange and each home.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub loads this file)

PREFIX = os.environ.get("BPTT_HUB_PREFIX", "/opt/bptt-hub")
PORT = int(os.environ.get("BPTT_HUB_PORT", "8000"))
INSTRUCTOR = os.environ.get("BPTT_HUB_INSTRUCTOR", "bptt-instructor")
STUDENTS = os.environ.get("BPTT_HUB_STUDENTS", "bptt-student-a bptt-student-b").split()

# Only this machine can reach it: a classroom in front of it needs TLS (see the README).
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.ConfigurableHTTPProxy.command = [f"{PREFIX}/proxy/node_modules/.bin/configurable-http-proxy"]
c.ConfigurableHTTPProxy.pid_file = f"{PREFIX}/state/proxy.pid"
c.JupyterHub.db_url = f"sqlite:///{PREFIX}/state/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{PREFIX}/state/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{PREFIX}/state/jupyterhub.pid"
# Stopping the hub stops every user's server and the proxy (hub.sh stop relies on it).
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False     # no login sessions (containers have no logind)
c.Authenticator.allowed_users = {INSTRUCTOR, *STUDENTS}
# Nobody is a hub admin: an admin could open the students' servers; the instructor needs none of it.
c.Authenticator.admin_users = set()

# Every server runs as its user from the hub's venv (readable by all, writable by root only).
c.Spawner.cmd = [f"{PREFIX}/venv/bin/jupyterhub-singleuser"]
c.Spawner.environment = {"PATH": f"{PREFIX}/venv/bin:/usr/local/bin:/usr/bin:/bin"}
c.Spawner.ip = "127.0.0.1"
c.Spawner.default_url = "/tree"
c.Spawner.notebook_dir = "~"
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120
